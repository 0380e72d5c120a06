#!/bin/sh
# tools/anysock-relay in front of examples/echo-server (IPv4 only):
# clients over ::1 and 127.0.0.1, half-close passed on, 8 MiB both ways
# intact, and with a PROXY header (-P 1, --send-proxy, -P 2,
# --send-proxy-v2) the server logs the real client, not the relay. As root on a throw-away host (tests/netns/run.sh), else on this
# machine's loopback. Skips (77) without netcat-openbsd.
set -u
. "${top_srcdir:-.}/tests/common.sh"
on_test_host "$0" "$@"
nc=nc.openbsd
need $nc timeout cmp head
bin="${top_builddir:-.}/examples"
tools="${top_builddir:-.}/tools"
scratch

# start NAME LOG COMMAND...: run in the background, wait for its
# "listening on ... :PORT" line, set $port.
start() {
    name=$1 log=$2; shift 2
    "$@" > "$log" 2>&1 &
    pids="$pids $!"
    wait_for "$log" 'listening on'
    port=$(grep -m1 'listening on' "$log" | sed 's/.*listening on [^,]*:\([0-9]*\)\(,.*\)*$/\1/')
    [ -n "$port" ] || { cat "$log"; echo "FAIL: $name did not start"; exit 1; }
}

start echo "$tmp/plain.log" "$bin/echo-server" -H 127.0.0.1 -p 0
plain=$port
start echo "$tmp/proxied.log" "$bin/echo-server" -H 127.0.0.1 -p 0 --accept-proxy
proxied=$port

# Without a PROXY header the server sees only the relay.
start relay "$tmp/r0.log" "$tools/anysock-relay" -p 0 localhost "$plain"
out=$(echo via6 | timeout 5 $nc -N ::1 "$port"); rc=$?
check "relay ::1 -> 127.0.0.1 echo" via6 "$out"
check "half-close passed on (nc -N finished)" 0 "$rc"
check "server saw the relay, not the client" yes \
    "$(grep -q 'tcp 127\.0\.0\.1:[0-9]* connected' "$tmp/plain.log" && echo yes)"
check "relay 127.0.0.1 echo" via4 "$(echo via4 | timeout 5 $nc -N 127.0.0.1 "$port")"
head -c 8388608 /dev/urandom > "$tmp/big"
timeout 20 $nc -N ::1 "$port" < "$tmp/big" > "$tmp/big.back"
check "8 MiB through the relay and back" same \
    "$(cmp -s "$tmp/big" "$tmp/big.back" && echo same)"

n=0
for how in "-P 1" --send-proxy "-P 2" --send-proxy-v2; do
    n=$((n + 1))
    start relay "$tmp/r$n.log" "$tools/anysock-relay" -p 0 $how localhost "$proxied"
    check "$how: echo through the relay" hello \
        "$(echo hello | timeout 5 $nc -N ::1 "$port")"
    # one more client logged as [::1] each time
    check "$how: server logged the real client [::1]" "$n" \
        "$(grep -c 'tcp \[::1\]:[0-9]* connected' "$tmp/proxied.log")"
done
check "PROXY v1/v2: every client logged as itself" 0 \
    "$(grep -c 'tcp 127\.0\.0\.1' "$tmp/proxied.log")"
exit $fail
