# tayga.sh - sourced by the scripts whose hosts need a NAT64 (nat64.sh,
# listen.sh): Debian's tayga, installed when missing as tests/interop.sh
# installs nginx, and the machine left as found.
#
#   tayga_install       as root outside the throw-away host: install tayga
#                       when missing; no daemon started, no service
#                       enabled at boot (checked). Returns 1 when it
#                       could not be installed.
#   tayga_pids_file     export ANYSOCK_TAYGA_PIDS: the file where the
#                       suites note each tayga they start (nat64lab.c)
#   tayga_none_left     fail (exit 1) if one of those still runs
#
# Two scripts may install at once under make -j: flock keeps one apt-get
# at a time (the second finds tayga there).

tayga_boot_links() {
    for f in /etc/systemd/system/*.wants/tayga.service /etc/rc[2-5].d/S*tayga; do
        [ -e "$f" ] && echo "$f"
    done
}

tayga_install() {
    command -v tayga >/dev/null 2>&1 || [ -x /usr/sbin/tayga ] && return 0
    [ "$(id -u)" = 0 ] || return 1
    command -v apt-get >/dev/null 2>&1 || return 1
    (
        flock 9
        [ -x /usr/sbin/tayga ] && exit 0
        added_policy=
        if [ ! -e /usr/sbin/policy-rc.d ]; then # no daemon may start here
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
            chmod +x /usr/sbin/policy-rc.d
            added_policy=1
        fi
        before=$(tayga_boot_links)
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends tayga; } >/dev/null 2>&1
        rc=$?
        [ -n "$added_policy" ] && rm -f /usr/sbin/policy-rc.d
        [ $rc = 0 ] || exit 1
        update-rc.d tayga disable >/dev/null 2>&1 || systemctl disable tayga >/dev/null 2>&1
        if [ "$before" != "$(tayga_boot_links)" ]; then
            echo "FAIL: installing tayga left it enabled at boot: $(tayga_boot_links)"
            exit 2
        fi
        if pgrep -x tayga >/dev/null 2>&1; then
            echo "FAIL: installing tayga left it running"
            exit 2
        fi
        echo "ok   installed tayga; not enabled at boot, not running"
    ) 9>/tmp/anysock-tayga-install.lock
}

tayga_pids_file() {
    ANYSOCK_TAYGA_PIDS=$(mktemp /tmp/anysock-tayga-pids.XXXXXX)
    export ANYSOCK_TAYGA_PIDS
}

# Our own tayga processes still running: by pid, and only if it is tayga.
tayga_running() {
    while read -r pid; do
        if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = tayga ] &&
            ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
            printf ' %s' "$pid"
        fi
    done < "$ANYSOCK_TAYGA_PIDS"
}

tayga_none_left() {
    [ -n "${ANYSOCK_TAYGA_PIDS:-}" ] || return 0
    # a test that failed left its tayga to PR_SET_PDEATHSIG: a moment
    for _ in $(seq 50); do
        left=$(tayga_running)
        [ -z "$left" ] && break
        sleep 0.1
    done
    started=$(grep -c . "$ANYSOCK_TAYGA_PIDS")
    rm -f "$ANYSOCK_TAYGA_PIDS"
    if [ -n "$left" ]; then
        echo "FAIL: tayga left running:$left"
        return 1
    fi
    echo "ok   $started tayga process(es) started, none left running"
}
