#!/bin/sh
# Run a program on a throw-away host: a new network namespace with only
# loopback up, and a new mount namespace in which /etc/resolv.conf,
# /etc/hosts and /etc/nsswitch.conf are the test's own, and nscd's socket
# is hidden. Nothing the program resolves can reach the machine's real
# resolver: the only name server is whatever the program itself runs on the
# namespace's 127.0.0.1:53.
#
# Usage: tests/netns/run.sh PROGRAM [ARGS...]     (exit 77 when not root)
# ANYSOCK_RESOLV_OPTIONS replaces the resolv.conf options (default
# "timeout:5 attempts:2", so a silent server costs 10 s a lookup).
set -eu

# The sanitizer build: lookups abandoned on purpose may still be inside
# glibc's resolver when a suite's process exits (tests/lsan.supp; other
# builds ignore it). Said here, for every suite that runs a name server.
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$(cd "$(dirname "$0")/.." && pwd)/lsan.supp"
export LSAN_OPTIONS

if [ "$(id -u)" != 0 ]; then
    echo "SKIP: network namespaces need root"; exit 77
fi
for tool in unshare ip mount; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not installed"; exit 77; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cat > "$tmp/resolv.conf" <<CONF
# anysock-test: private resolver configuration
nameserver 127.0.0.1
options ${ANYSOCK_RESOLV_OPTIONS:-timeout:5 attempts:2}
CONF
cat > "$tmp/hosts" <<CONF
# anysock-test: private hosts file
127.0.0.1 localhost
::1 localhost ip6-localhost
192.0.2.5 hosts-entry.example.test
2001:db8::5 hosts-entry.example.test
CONF
printf 'hosts: files dns\n' > "$tmp/nsswitch.conf"

# Shell of the new namespaces: loopback up, private files in place. A bind
# mount needs a file to cover, and making one would change the real /etc
# (a mount namespace does not isolate files), so a machine without
# /etc/hosts or /etc/resolv.conf (a minimal root; a dangling resolv.conf
# link) skips with the reason. Without nsswitch.conf glibc's default
# ("dns files") is as private here.
inner='
set -e
ip link set lo up
for f in resolv.conf hosts; do
    if [ ! -f "/etc/$f" ]; then
        echo "SKIP: /etc/$f is missing or not a file: no mount point for the test'"'"'s own"
        exit 77
    fi
    mount --bind "$T/$f" "/etc/$f"
done
if [ -f /etc/nsswitch.conf ]; then mount --bind "$T/nsswitch.conf" /etc/nsswitch.conf; fi
for d in /run/nscd /var/run/nscd /var/cache/nscd; do
    if [ -d "$d" ]; then mount -t tmpfs none "$d"; fi
done
ANYSOCK_NETNS=1 exec "$@"
'
T=$tmp
export T
if ! unshare --net --mount --propagation private true 2>/dev/null; then
    echo "SKIP: unshare --net --mount is not permitted here"; exit 77
fi
unshare --net --mount --propagation private sh -c "$inner" sh "$@"
