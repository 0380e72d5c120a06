#!/bin/sh
# examples/echo-server started with inherited sockets (LISTEN_FDS, the way
# systemd socket activation starts it, made by tests/activate): it must
# serve exactly those, TCP over 127.0.0.1 and ::1 and UDP, and bind nothing.
set -u
if [ "$(id -u)" = 0 ] && [ -z "${ANYSOCK_NETNS:-}" ]; then
    exec "${top_srcdir:-.}/tests/netns/run.sh" "$0" "$@"
fi
nc=nc.openbsd
command -v $nc >/dev/null 2>&1 || { echo "SKIP: netcat-openbsd not installed"; exit 77; }
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT INT TERM
fail=0
check() { if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got '$3'"; fail=1; fi; }

"${top_builddir:-.}/tests/activate" "${top_builddir:-.}/examples/echo-server" -p 1 \
    > "$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q 'listening on' "$tmp/log" && break; sleep 0.1; done
port=$(sed -n 's/^port //p' "$tmp/log")
check "started with inherited sockets" yes "$([ -n "$port" ] && echo yes)"
check "serves the inherited sockets, not -p 1" 1 \
    "$(grep -c "listening on 127\.0\.0\.1:$port, \[::1\]:$port\$" "$tmp/log")"
check "tcp 127.0.0.1" a "$(echo a | timeout 5 $nc -N 127.0.0.1 "$port")"
check "tcp ::1" b "$(echo b | timeout 5 $nc -N ::1 "$port")"
check "udp 127.0.0.1" c "$(echo c | timeout 5 $nc -u -w 1 127.0.0.1 "$port")"
exit $fail
