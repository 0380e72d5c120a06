# common.sh - what the shell tests share. Source it, then:
#   on_test_host "$0" "$@"   as root, run the script again on a throw-away
#                            host (tests/netns/run.sh); else stay here
#   need TOOL...             skip (77) when one is not installed
#   scratch                  $tmp, removed at exit with every process in
#                            $pids (a "-PID" entry is a process group)
#   check NAME WANT GOT      one "ok"/"FAIL" line; a failure sets $fail

on_test_host() {
    if [ "$(id -u)" = 0 ] && [ -z "${ANYSOCK_NETNS:-}" ]; then
        exec "${top_srcdir:-.}/tests/netns/run.sh" "$@"
    fi
}

need() {
    for tool; do
        command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
    done
}

scratch() {
    tmp=$(mktemp -d)
    pids=
    fail=0
    trap 'for p in $pids; do kill -- "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$tmp"' \
        EXIT INT TERM
}

check() {
    if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got '$3'"; fail=1; fi
}

# wait_for FILE PATTERN: up to 5 s for a line to appear (a server's
# "listening on ..." line, say).
wait_for() {
    for _ in $(seq 50); do grep -q -- "$2" "$1" && return 0; sleep 0.1; done
    return 1
}
