#!/bin/sh
# Real clients (netcat-openbsd, socat, curl) against examples/echo-server
# over 127.0.0.1 and ::1, TCP and UDP, per-family and dual-stack, and the
# server's log must show every peer canonical (never ::ffff:a.b.c.d).
# As root it runs on a throw-away host (tests/netns/run.sh); otherwise on
# this machine's loopback. Skips (77) when a client program is missing.
set -u
. "${top_srcdir:-.}/tests/common.sh"
on_test_host "$0" "$@"
nc=nc.openbsd   # the flags below are netcat-openbsd's
need $nc socat curl timeout setsid
server="${top_builddir:-.}/examples/echo-server"
scratch
pid=

start() { # server options...   (its own process group: workers go with it)
    [ -n "$pid" ] && { kill -- "-$pid"; wait "$pid" 2>/dev/null; }
    setsid "$server" -p 0 "$@" > "$tmp/log" 2>&1 &
    pid=$!
    pids="-$pid"
    wait_for "$tmp/log" 'listening on' "$pid"
    port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$tmp/log" | head -n 1)
    [ -n "$port" ] || { cat "$tmp/log"; echo "FAIL: server did not start"; exit 1; }
    echo "server $*: $(grep 'listening on' "$tmp/log")"
}

for mode in "" "-d"; do
    start $mode
    check "nc tcp 127.0.0.1 $mode" hello4 "$(echo hello4 | timeout 5 $nc -N 127.0.0.1 "$port")"
    check "nc tcp ::1 $mode" hello6 "$(echo hello6 | timeout 5 $nc -N ::1 "$port")"
    check "nc udp 127.0.0.1 $mode" dgram4 "$(echo dgram4 | timeout 5 $nc -u -w 1 127.0.0.1 "$port")"
    check "socat tcp [::1] $mode" socat6 "$(echo socat6 | timeout 5 socat - "TCP6:[::1]:$port")"
    check "socat udp [::1] $mode" udp6 "$(echo udp6 | timeout 5 socat -T 1 - "UDP6:[::1]:$port")"
    check "socat tcp 127.0.0.1 $mode" socat4 "$(echo socat4 | timeout 5 socat - "TCP4:127.0.0.1:$port")"
    # curl's telnet:// sends stdin and prints what comes back; it keeps the
    # connection open until --max-time, so its exit status is not looked at.
    check "curl telnet 127.0.0.1 $mode" curl4 \
        "$(echo curl4 | timeout 5 curl -s --max-time 1 "telnet://127.0.0.1:$port" || true)"
    check "curl telnet [::1] $mode" curl6 \
        "$(echo curl6 | timeout 5 curl -s --max-time 1 "telnet://[::1]:$port" || true)"
    check "log has IPv4 peers as IPv4 $mode" 0 "$(grep -c 'ffff' "$tmp/log")"
    check "log shows tcp 127.0.0.1 $mode" yes \
        "$(grep -q '^\[[0-9]*\] tcp 127\.0\.0\.1:[0-9]* connected' "$tmp/log" && echo yes)"
    check "log shows tcp [::1] $mode" yes \
        "$(grep -q '^\[[0-9]*\] tcp \[::1\]:[0-9]* connected' "$tmp/log" && echo yes)"
    check "log shows udp 127.0.0.1 $mode" yes \
        "$(grep -q '^\[[0-9]*\] udp 127\.0\.0\.1:[0-9]* datagram' "$tmp/log" && echo yes)"
done

# SO_REUSEPORT workers: three processes, each its own sockets on one port;
# the kernel spreads 30 connections over them.
three_listening() { [ "$(grep -c 'listening on' "$tmp/log")" = 3 ] || ! kill -0 "$pid" 2>/dev/null; }
start -w 3
wait_until three_listening
for i in $(seq 30); do echo w$i | timeout 5 $nc -N 127.0.0.1 "$port" > /dev/null; done
check "workers: three listening processes" 3 "$(grep -c 'listening on' "$tmp/log")"
check "workers: more than one served" yes \
    "$([ "$(grep ' connected' "$tmp/log" | cut -d' ' -f1 | sort -u | wc -l)" -gt 1 ] && echo yes)"

# An access list that admits IPv4 loopback only: ::1 is refused, and so
# would ::ffff:127.0.0.2 be if it were let in as IPv6.
printf 'allow 127.0.0.1/32\ndefault deny\n' > "$tmp/acl"
start -a "$tmp/acl"
check "acl allows 127.0.0.1" ok "$(echo ok | timeout 5 $nc -N 127.0.0.1 "$port")"
check "acl denies ::1" "" "$(echo no | timeout 5 $nc -N ::1 "$port")"
check "acl logged the denial" yes "$(grep -q 'tcp \[::1\]:[0-9]* denied' "$tmp/log" && echo yes)"
exit $fail
