#!/bin/sh
# anysock-relay --source-map: clients an IPv4-only backend that reads no
# PROXY header still tells apart. On a throw-away host (root; 77
# otherwise):
#  - three IPv6 clients from distinct addresses (2001:db8::1-3 on lo)
#    reach a backend on 127.0.0.1 that sees three distinct loopback
#    addresses of 127.64.0.0/10, the same ones on each client's second
#    connection and after a restart of the relay, each the one the
#    relay's log gives the client, and the one the metrics address
#    answers for "who is it?";
#  - the routed pool: the backend on a second host (IPv4 only, over a
#    veth), the pool 198.18.0.0/15 routed back to the relay and made
#    local on the relay's host (ip route add local ...: the AnyIP route);
#    without that route the relay cannot bind the pool (and says so);
#  - UDP flows: the same addresses, replies from the address asked.
set -u
. "${top_srcdir:-.}/tests/common.sh"
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs throw-away hosts (root)"; exit 77; fi
on_test_host "$0" "$@"
nc=nc.openbsd
need $nc nsenter ip curl timeout
bin="${top_builddir:-.}/examples"
relay="${top_builddir:-.}/tools/anysock-relay"
scratch

for n in 1 2 3; do ip -6 addr add "2001:db8::$n/128" dev lo nodad; done

# the source address the backend logged for each connection, in order
seen() { sed -n 's/.* tcp \([0-9.]*\):[0-9]* connected$/\1/p' "$1"; }
# the "as" address the relay logged for client $2
given() { sed -n "s/^anysock-relay: \[2001:db8::$2\]:[0-9]* -> .* as \([0-9.]*\) .*/\1/p" "$1"; }

start_server "$tmp/echo.log" "$bin/echo-server" -H 127.0.0.1 -p 0
echo=$port
start_server "$tmp/relay.log" "$relay" -6 -p 0 --source-map 127.64.0.0/10 --metrics 0 127.0.0.1 "$echo"
rport=$port rpid=$pid
mport=$(sed -n 's/.*metrics on [^,]*:\([0-9]*\).*/\1/p' "$tmp/relay.log")
for round in 1 2; do
    for n in 1 2 3; do
        got=$(echo "hi $n" | timeout 5 $nc -N -s "2001:db8::$n" ::1 "$rport")
        check "round $round: client 2001:db8::$n echoed" "hi $n" "$got"
    done
done
sleep 0.3
check "the backend saw 6 connections" 6 "$(seen "$tmp/echo.log" | wc -l)"
check "from 3 distinct addresses" 3 "$(seen "$tmp/echo.log" | sort -u | wc -l)"
check "all in 127.64.0.0/10" 6 \
    "$(seen "$tmp/echo.log" | awk -F. '$1 == 127 && $2 >= 64 && $2 < 128' | wc -l)"
stable=yes
for n in 1 2 3; do
    a=$(given "$tmp/relay.log" $n | sort -u)
    [ "$(echo "$a" | wc -l)" = 1 ] && [ -n "$a" ] || stable="no: client $n as $a"
    # the backend's n-th and (n+3)-th connections are client n's
    b1=$(seen "$tmp/echo.log" | sed -n "${n}p") b2=$(seen "$tmp/echo.log" | sed -n "$((n + 3))p")
    [ "$a" = "$b1" ] && [ "$a" = "$b2" ] || stable="no: client $n: relay $a, backend $b1 $b2"
    eval "first_$n=\$a"
    who=$(curl -s "http://127.0.0.1:$mport/sources/$a")
    check "who is $a? 2001:db8::$n" "$a 2001:db8::$n open 0" "${who% ended *}"
done
check "each client kept its address, the one in the relay's log" yes "$stable"
check "who is an address outside the pool? nobody (404)" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/sources/127.0.0.1")"

# Three at once: three live mappings, then none.
for n in 1 2 3; do
    (sleep 1 | $nc -N -s "2001:db8::$n" ::1 "$rport" >/dev/null) &
done
sleep 0.5
check "three clients open: /sources lists three" 3 \
    "$(curl -s "http://127.0.0.1:$mport/sources" | grep -c ' open 1 since ')"
check "the gauge says three" 3 "$(curl -s "http://127.0.0.1:$mport/metrics" |
    sed -n 's/^anysock_relay_source_clients //p')"
for _ in $(seq 50); do
    [ -z "$(curl -s "http://127.0.0.1:$mport/sources")" ] && break
    sleep 0.1
done
check "all gone: /sources is empty" "" "$(curl -s "http://127.0.0.1:$mport/sources")"

# A restart chooses the same addresses (the hash has a fixed key).
kill "$rpid"
start_server "$tmp/relay2.log" "$relay" -6 -p 0 --source-map 127.64.0.0/10 127.0.0.1 "$echo"
for n in 1 2 3; do
    echo x | timeout 5 $nc -N -s "2001:db8::$n" ::1 "$port" >/dev/null
done
sleep 0.3
same=yes
for n in 1 2 3; do
    eval "before=\$first_$n"
    [ "$(given "$tmp/relay2.log" $n)" = "$before" ] || same="no: client $n"
done
check "after a restart, each client has the same address" yes "$same"
kill "$pid"

# UDP: each client's flow from the same pool address as its TCP
# connections, and replies from the address the client wrote to.
ip -6 addr add 2001:db8::9/128 dev lo nodad
start_server "$tmp/udp.log" "$relay" --udp -p 0 --source-map 127.64.0.0/10 127.0.0.1 "$echo"
for n in 1 2 3; do
    # nc -u connects its socket to 2001:db8::9: a reply from elsewhere never reaches it
    got=$(echo "udp $n" | timeout 5 $nc -u -w 1 -s "2001:db8::$n" 2001:db8::9 "$port")
    check "udp: client 2001:db8::$n answered from 2001:db8::9" "udp $n" "$got"
done
udp_same=yes
for n in 1 2 3; do
    eval "want=\$first_$n"
    grep -q "udp $want:[0-9]* datagram" "$tmp/echo.log" || udp_same="no: client $n"
done
check "udp: the backend saw each client as its TCP address" yes "$udp_same"
kill "$pid"

# ---- The routed pool: the backend on another host ---------------------------
unshare --net sleep 60 &
peer=$!
pids="$pids $peer"
sleep 0.2
ip link add rs0 type veth peer name rs1 netns /proc/$peer/ns/net
ip addr add 192.0.2.1/24 dev rs0
ip link set rs0 up
nsenter -t $peer -n sh -c 'ip link set lo up && ip addr add 192.0.2.2/24 dev rs1 &&
    ip link set rs1 up && sysctl -qw net.ipv6.conf.all.disable_ipv6=1 &&
    ip route add 198.18.0.0/15 via 192.0.2.1'
nsenter -t $peer -n "$bin/echo-server" -H 192.0.2.2 -p 7 > "$tmp/far.log" 2>&1 &
pids="$pids $!"
wait_for "$tmp/far.log" 'listening on' || { cat "$tmp/far.log"; exit 1; }

# Without the pool local on the relay's host, nothing can be bound to it.
start_server "$tmp/routed0.log" "$relay" -6 -p 0 --source-map 198.18.0.0/15 192.0.2.2 7
echo x | timeout 5 $nc -N -s 2001:db8::1 ::1 "$port" >/dev/null
sleep 0.3
check "pool not local: the relay says it cannot bind it" 1 \
    "$(grep -c 'as 198\.18\.[0-9.]* up 0 down 0 bytes .*cannot reach the target: Cannot assign requested address' "$tmp/routed0.log")"
kill "$pid"

ip route add local 198.18.0.0/15 dev lo
start_server "$tmp/routed.log" "$relay" -6 -p 0 --source-map 198.18.0.0/15 192.0.2.2 7
for n in 1 2 3 1; do
    got=$(echo "far $n" | timeout 5 $nc -N -s "2001:db8::$n" ::1 "$port")
    check "routed pool: client 2001:db8::$n echoed by the far host" "far $n" "$got"
done
sleep 0.3
check "the far backend saw 3 distinct addresses of 198.18.0.0/15" 3 \
    "$(seen "$tmp/far.log" | sort -u | grep -c "^198\.1[89]\.")"
check "client 2001:db8::1 came as the same address twice" 1 \
    "$(given "$tmp/routed.log" 1 | sort -u | wc -l)"
check "the far backend's view matches the relay's log" \
    "$(for n in 1 2 3; do given "$tmp/routed.log" $n | head -1; done | sort -u | tr '\n' ' ')" \
    "$(seen "$tmp/far.log" | sort -u | tr '\n' ' ')"
ip route del local 198.18.0.0/15 dev lo
exit $fail
