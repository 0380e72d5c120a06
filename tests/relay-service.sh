#!/bin/sh
# tools/anysock-relay deployed as a service: started with sockets by
# systemd-socket-activate (the LISTEN_FDS protocol, no systemd running;
# TCP, and UDP with --udp),
# -u dropping root once port 80 is bound (checked in /proc), refusing to
# go on when the drop cannot be done, and listen options refused next to
# inherited sockets. As root on a throw-away host (tests/netns/run.sh),
# which owns its port 80; skips (77) otherwise.
set -u
. "${top_srcdir:-.}/tests/common.sh"
on_test_host "$0" "$@"
[ -n "${ANYSOCK_NETNS:-}" ] || { echo "SKIP: needs root (a throw-away host)"; exit 77; }
nc=nc.openbsd
need $nc timeout systemd-socket-activate setpriv
bin="${top_builddir:-.}/examples"
relay="${top_builddir:-.}/tools/anysock-relay"
scratch

start_server "$tmp/echo.log" "$bin/echo-server" -H 127.0.0.1 -p 0
echo=$port

# Socket activation: systemd-socket-activate binds, waits for the first
# client (as a lazily started service does), then runs the relay, which
# serves the sockets it was given, that first client included.
systemd-socket-activate -l 127.0.0.1:8080 -l '[::1]:8080' "$relay" 127.0.0.1 "$echo" \
    > "$tmp/act.log" 2>&1 &
pid=$!
pids="$pids $pid"
wait_for "$tmp/act.log" 'Listening on \[::1\]:8080'
check "socket activation: tcp 127.0.0.1 (the first client starts it)" a \
    "$(echo a | timeout 5 $nc -N 127.0.0.1 8080)"
check "socket activation: tcp ::1" b "$(echo b | timeout 5 $nc -N ::1 8080)"
check "socket activation: serves the inherited sockets" 1 \
    "$(grep -c 'listening on 127\.0\.0\.1:8080, \[::1\]:8080 (inherited), forwarding' "$tmp/act.log")"
kill "$pid"
wait "$pid" 2>/dev/null

# --udp: the first datagram starts it, and is answered.
systemd-socket-activate --datagram -l 127.0.0.1:8053 -l '[::1]:8053' "$relay" --udp \
    127.0.0.1 "$echo" > "$tmp/actu.log" 2>&1 &
pid=$!
pids="$pids $pid"
wait_for "$tmp/actu.log" 'Listening on \[::1\]:8053'
check "socket activation, --udp: udp ::1 (the first datagram starts it)" d \
    "$(echo d | timeout 5 $nc -u -w 1 ::1 8053)"
check "socket activation, --udp: udp 127.0.0.1" e "$(echo e | timeout 5 $nc -u -w 1 127.0.0.1 8053)"
check "socket activation, --udp: serves the inherited sockets" 1 \
    "$(grep -c 'listening on 127\.0\.0\.1:8053, \[::1\]:8053 (UDP) (inherited)' "$tmp/actu.log")"
kill "$pid"
wait "$pid" 2>/dev/null

# With sockets to serve, a listen option is a mistake, not a second set.
(sleep 0.5; $nc -z 127.0.0.1 8081) &
out=$(timeout 5 systemd-socket-activate -l 127.0.0.1:8081 "$relay" -p 9000 127.0.0.1 "$echo" \
    2>&1 </dev/null); rc=$?
check "socket activation and -p: exit 2" 2 "$rc"
check "socket activation and -p: said why" 1 \
    "$(echo "$out" | grep -c '^anysock-relay: -p: started with sockets to serve')"

# --send-proxy is no listen option: its code, 256, is NUL to strchr(), which
# found it in "Hp46d" and refused it with sockets to serve.
(sleep 0.5; $nc -z 127.0.0.1 8082) &
out=$(timeout 3 systemd-socket-activate -l 127.0.0.1:8082 "$relay" --send-proxy 127.0.0.1 \
    "$echo" 2>&1 </dev/null)
check "socket activation and --send-proxy: serves" 1 \
    "$(echo "$out" | grep -c 'listening on 127\.0\.0\.1:8082 (inherited)')"

# -u: bind port 80 as root, then run as nobody with no group but its own.
uid=$(id -u nobody) gid=$(id -g nobody)
start_server "$tmp/drop.log" "$relay" -u nobody -H 127.0.0.1 -p 80 127.0.0.1 "$echo"
status=/proc/$pid/status
check "-u nobody: uid in /proc" "$uid $uid $uid $uid" \
    "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "$status")"
check "-u nobody: gid in /proc" "$gid $gid $gid $gid" \
    "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' "$status")"
check "-u nobody: no supplementary groups" "" "$(awk '/^Groups:/ { print $2 }' "$status")"
check "-u nobody: no capabilities left" "0000000000000000 0000000000000000" \
    "$(awk '/^CapPrm:/ { p = $2 } /^CapEff:/ { e = $2 } END { print p, e }' "$status")"
check "-u nobody: relays on port 80" c "$(echo c | timeout 5 $nc -N 127.0.0.1 80)"
check "-u nobody: said so" 1 "$(grep -c "running as nobody (uid $uid, gid $gid)" "$tmp/drop.log")"
kill "$pid"

# Root that cannot stop being root (no CAP_SETUID/CAP_SETGID) does not go on.
out=$(timeout 5 setpriv --bounding-set=-setuid,-setgid "$relay" -u nobody -H 127.0.0.1 \
    127.0.0.1 "$echo" 2>&1 </dev/null); rc=$?
check "-u without the right to drop: exit 1" 1 "$rc"
check "-u without the right to drop: said why" 1 \
    "$(echo "$out" | grep -c '^anysock-relay: -u nobody: cannot become nobody: ')"
out=$(timeout 5 "$relay" -u root -H 127.0.0.1 127.0.0.1 "$echo" 2>&1 </dev/null); rc=$?
check "-u root: exit 2, drops nothing" 2 "$rc"
exit $fail
