#!/bin/sh
# examples/loop: the same program on epoll, libuv and libevent connects to
# several endpoints at once, against examples/echo-server: every loop must
# report each family that answered, the refusal, and the exit status.
# The libuv and libevent programs are skipped, saying so, when configure
# did not find those libraries. As root on a throw-away host.
set -u
. "${top_srcdir:-.}/tests/common.sh"
on_test_host "$0" "$@"
need setsid timeout
build=${top_builddir:-.}
scratch
setsid "$build/examples/echo-server" -p 0 > "$tmp/log" 2>&1 &
pids="-$!"
wait_for "$tmp/log" 'listening on' || { cat "$tmp/log"; echo "FAIL: echo-server did not start"; exit 1; }
port=$(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$tmp/log" | head -n 1)
ran=0
for loop in epoll uv event; do
    prog="$build/examples/loop/connect-$loop"
    if [ ! -x "$prog" ]; then
        echo "SKIP connect-$loop: not built (configure did not find its library)"
        continue
    fi
    ran=$((ran + 1))
    out=$(timeout 10 "$prog" "127.0.0.1:$port" "[::1]:$port" "localhost:$port")
    check "connect-$loop: all three connect" 0 $?
    check "connect-$loop: 127.0.0.1 over IPv4" yes \
        "$(echo "$out" | grep -q "^127\.0\.0\.1:$port  *IPv4  127\.0\.0\.1:$port " && echo yes)"
    check "connect-$loop: ::1 over IPv6" yes \
        "$(echo "$out" | grep -q "^\[::1\]:$port  *IPv6  \[::1\]:$port " && echo yes)"
    check "connect-$loop: localhost answered" yes \
        "$(echo "$out" | grep -q "^localhost:$port  *IPv[46] " && echo yes)"
    out=$(timeout 10 "$prog" "[::1]:$port" "127.0.0.1:1")
    check "connect-$loop: a refusal is exit 1" 1 $?
    check "connect-$loop: the refusal is named" yes \
        "$(echo "$out" | grep -q "^127\.0\.0\.1:1  *Connection refused at 127\.0\.0\.1:1$" && echo yes)"
    check "connect-$loop: the other still connects" 1 "$(echo "$out" | grep -c 'IPv6')"
    timeout 10 "$prog" > /dev/null 2>&1
    check "connect-$loop: no arguments is usage, exit 2" 2 $?
done
check "the epoll loop at least ran" yes "$([ $ran -ge 1 ] && echo yes)"
exit $fail
