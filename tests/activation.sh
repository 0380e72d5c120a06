#!/bin/sh
# examples/echo-server started with inherited sockets (LISTEN_FDS, the way
# systemd socket activation starts it, made by tests/activate): it must
# serve exactly those, TCP over 127.0.0.1 and ::1 and UDP, and bind nothing.
set -u
. "${top_srcdir:-.}/tests/common.sh"
on_test_host "$0" "$@"
nc=nc.openbsd
need $nc timeout
scratch

"${top_builddir:-.}/tests/activate" "${top_builddir:-.}/examples/echo-server" -p 1 \
    > "$tmp/log" 2>&1 &
pids=$!
wait_for "$tmp/log" 'listening on'
port=$(sed -n 's/^port //p' "$tmp/log")
check "started with inherited sockets" yes "$([ -n "$port" ] && echo yes)"
check "serves the inherited sockets, not -p 1" 1 \
    "$(grep -c "listening on 127\.0\.0\.1:$port, \[::1\]:$port\$" "$tmp/log")"
check "tcp 127.0.0.1" a "$(echo a | timeout 5 $nc -N 127.0.0.1 "$port")"
check "tcp ::1" b "$(echo b | timeout 5 $nc -N ::1 "$port")"
check "udp 127.0.0.1" c "$(echo c | timeout 5 $nc -u -w 1 127.0.0.1 "$port")"
exit $fail
