#!/bin/sh
# examples/beacon between two throw-away hosts joined by a veth pair: the
# announcer here, the listener in a second network namespace; both
# families' groups arrive. Root only: nothing leaves the hosts the test made.
set -u
. "${top_srcdir:-.}/tests/common.sh"
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs throw-away hosts (root)"; exit 77; fi
on_test_host "$0" "$@"
need nsenter ip
bin="${top_builddir:-.}/examples/beacon"
scratch
unshare --net sleep 60 &
peer=$!
pids="$pids $peer"
sleep 0.2
sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
nsenter -t $peer -n sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
ip link add bc0 type veth peer name bc1 netns /proc/$peer/ns/net
ip addr add 10.77.0.1/24 dev bc0
ip link set bc0 up
nsenter -t $peer -n sh -c 'ip link set lo up && ip addr add 10.77.0.2/24 dev bc1 && ip link set bc1 up'
# both ends need their link-local address (the IPv6 source) before a send
for _ in $(seq 50); do
    ip -6 addr show dev bc0 | grep -q 'fe80::' &&
        nsenter -t $peer -n ip -6 addr show dev bc1 | grep -q 'fe80::' && break
    sleep 0.1
done
nsenter -t $peer -n "$bin" -i bc1 -n 2 -l > "$tmp/listen.log" 2>&1 &
pids="$pids $!"
wait_for "$tmp/listen.log" '^listening' || { cat "$tmp/listen.log"; exit 1; }
"$bin" -i bc0 -t 1 -n 1 -s hello
for _ in $(seq 50); do [ "$(grep -c hello "$tmp/listen.log")" -ge 2 ] && break; sleep 0.1; done
check "beacon heard on the IPv4 group, from 10.77.0.1" 1 \
    "$(grep -c -- '^10\.77\.0\.1 -> 239\.255\.77\.77: hello' "$tmp/listen.log")"
check "beacon heard on the IPv6 group, from a link-local address" 1 \
    "$(grep -c -- '^fe80::[0-9a-f:]*%[a-z0-9]* -> ff12::77:77: hello' "$tmp/listen.log")"
check "beacon: a bad interface is refused" 2 "$("$bin" -i no-such-if -l >/dev/null 2>&1; echo $?)"
[ $fail = 0 ] || cat "$tmp/listen.log"
exit $fail
