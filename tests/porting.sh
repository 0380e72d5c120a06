#!/bin/sh
# examples/porting: the legacy daytime programs and their anysock ports,
# each against each, over 127.0.0.1 and ::1. As root on a throw-away host
# (tests/netns/run.sh), else on this machine's loopback.
set -u
. "${top_srcdir:-.}/tests/common.sh"
on_test_host "$0" "$@"
bin="${top_builddir:-.}/examples/porting"
scratch
start() { # log program: start a server on port 0, set $port
    "$2" 0 > "$1" 2>&1 &
    pids="$pids $!"
    wait_for "$1" 'listening on'
    port=$(sed -n '1s/.*:\([0-9]*\)$/\1/p' "$1")
    [ -n "$port" ] || { cat "$1"; echo "FAIL: $2 did not start"; exit 1; }
}
day() { grep -c '^[A-Z][a-z][a-z] [A-Z][a-z][a-z] [ 0-9][0-9] ' ; }

start "$tmp/legacy.log" "$bin/daytime-server-legacy"; legacy=$port
start "$tmp/new.log" "$bin/daytime-server"; new=$port

check "legacy client, legacy server, 127.0.0.1" 1 \
    "$("$bin/daytime-client-legacy" 127.0.0.1 "$legacy" | day)"
check "legacy client cannot use ::1" 1 \
    "$("$bin/daytime-client-legacy" ::1 "$new" 2>&1 | grep -c 'no IPv4 address')"
check "anysock client, anysock server, ::1" 1 "$("$bin/daytime-client" ::1 "$new" | day)"
check "anysock client, anysock server, 127.0.0.1" 1 \
    "$("$bin/daytime-client" 127.0.0.1 "$new" | day)"
check "legacy client, anysock server" 1 "$("$bin/daytime-client-legacy" 127.0.0.1 "$new" | day)"
check "anysock client reaches the IPv4-only server by a name with ::1 first" 1 \
    "$("$bin/daytime-client" localhost "$legacy" | day)"
check "anysock client refused on a closed port" 1 \
    "$("$bin/daytime-client" 127.0.0.1 9 2>&1 | grep -c 'Connection refused')"
check "anysock server logs IPv6 clients as [::1]" 1 \
    "$(grep -c '^connection from \[::1\]:' "$tmp/new.log")"
check "anysock server logs IPv4 clients as 127.0.0.1" 2 \
    "$(grep -c '^connection from 127\.0\.0\.1:' "$tmp/new.log")"
check "anysock server listens on both families" 1 \
    "$(grep -c '^listening on \[::\]:[0-9]*, 0\.0\.0\.0:[0-9]*$' "$tmp/new.log")"
# No address to blame: the message is text, not a buffer left untouched.
out=$("$bin/daytime-client" 127.0.0.1 70000 2>&1)
check "anysock client with a bad port says so" "127.0.0.1: Port number above 65535" "$out"
out=$("$bin/daytime-server" 99999 2>&1)
check "anysock server with a bad port says so" "listen: Port number above 65535" "$out"
# The UDP echo client against the echo server, and against nobody.
"${top_builddir:-.}/examples/echo-server" -p 0 > "$tmp/echo.log" 2>&1 &
pids="$pids $!"
wait_for "$tmp/echo.log" 'listening on'
udp=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$tmp/echo.log" | head -n 1)
for h in 127.0.0.1 ::1; do
    check "udp echo client over $h" "hello $h" \
        "$(echo "hello $h" | "$bin/udp-echo-client" $h "$udp" 2>&1)"
done
check "udp echo client, server down: refused, not a hang" \
    "127.0.0.1: Connection refused" "$(echo x | "$bin/udp-echo-client" 127.0.0.1 9 2>&1)"
# A name with ::1 first (on a throw-away host "localhost" is both) and a
# server on 127.0.0.1 only: the first line races for a reply and IPv4 wins.
"${top_builddir:-.}/examples/echo-server" -H 127.0.0.1 -p 0 > "$tmp/echo4.log" 2>&1 &
pids="$pids $!"
wait_for "$tmp/echo4.log" 'listening on'
udp4=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$tmp/echo4.log" | head -n 1)
check "udp echo client reaches an IPv4-only server by a name with ::1 first" \
    "$(printf 'one\ntwo\n')" "$(printf 'one\ntwo\n' | "$bin/udp-echo-client" localhost "$udp4" 2>&1)"
check "udp echo client, port 0: refused at once" \
    "127.0.0.1: Port 0: there is nothing to connect to" \
    "$(echo x | "$bin/udp-echo-client" 127.0.0.1 0 2>&1)"
# SIGTERM (with SA_RESTART) ends the accept wait: a clean exit.
"$bin/daytime-server" 0 > "$tmp/term.log" 2>&1 &
term=$!
wait_for "$tmp/term.log" 'listening on'
kill -TERM $term
for _ in $(seq 50); do kill -0 $term 2>/dev/null || break; sleep 0.1; done
wait $term
check "anysock server stops on SIGTERM, exit 0" 0 $?
exit $fail
