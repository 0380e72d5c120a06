#!/bin/sh
# The PROXY protocol against real peers from Debian's packages:
#  - HAProxy (send-proxy, send-proxy-v2) in front of examples/echo-server
#    --accept-proxy: the server must log the client HAProxy saw;
#  - HAProxy (send-proxy-v2) -> tools/anysock-relay --accept-proxy
#    --send-proxy-v2 -> echo-server --accept-proxy: the original client
#    survives two hops;
#  - tools/anysock-relay --send-proxy / --send-proxy-v2 in front of nginx
#    ("listen ... proxy_protocol", answering $proxy_protocol_addr): nginx
#    must name the client the relay saw;
#  - tools/anysock-relay --udp --send-proxy-v2 (a header on each datagram)
#    in front of dnsdist (setProxyProtocolACL), whose rules must see the
#    IPv6 client the relay saw: each of two gets its own answer.
# Root only (it installs haproxy, nginx and dnsdist when missing, and runs
# on a throw-away host, tests/netns/run.sh); 77 otherwise.
#
# Installing leaves the machine as it was but for the packages: no
# daemon starts (policy-rc.d says no while apt runs) and neither service is
# enabled at boot (Debian's packages enable theirs; this script disables
# what it installed, then checks the boot links are what they were).
set -u
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (installs haproxy, nginx, dnsdist)"; exit 77; fi

# The boot-time links of the services, systemd's and SysV's.
boot_links() {
    for f in /etc/systemd/system/*.wants/nginx.service /etc/systemd/system/*.wants/haproxy.service \
             /etc/systemd/system/*.wants/dnsdist.service \
             /etc/rc[2-5].d/S*nginx /etc/rc[2-5].d/S*haproxy /etc/rc[2-5].d/S*dnsdist; do
        [ -e "$f" ] && echo "$f"
    done
}

if [ -z "${ANYSOCK_NETNS:-}" ]; then
    missing=
    command -v haproxy >/dev/null 2>&1 || missing="$missing haproxy"
    command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
    command -v dnsdist >/dev/null 2>&1 || missing="$missing dnsdist"
    if [ -n "$missing" ]; then
        # No daemon may start on the real machine: policy-rc.d says no.
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
            chmod +x /usr/sbin/policy-rc.d
            added_policy=1
        fi
        before=$(boot_links)
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -qq --no-install-recommends $missing; } >/dev/null 2>&1
        rc=$?
        [ -n "${added_policy:-}" ] && rm -f /usr/sbin/policy-rc.d
        [ $rc = 0 ] || { echo "SKIP: could not install$missing"; exit 77; }
        # update-rc.d disable takes the systemd link away too and is kept
        # across the packages' upgrades; systemctl for a machine without it.
        for pkg in $missing; do
            update-rc.d "$pkg" disable >/dev/null 2>&1 ||
                systemctl disable "$pkg.service" >/dev/null 2>&1
        done
        after=$(boot_links)
        if [ "$before" != "$after" ]; then
            echo "FAIL: installing$missing left services enabled at boot:"
            echo "$after"
            exit 1
        fi
        if pgrep -x nginx >/dev/null 2>&1 || pgrep -x haproxy >/dev/null 2>&1 ||
            pgrep -x dnsdist >/dev/null 2>&1; then
            echo "FAIL: installing$missing left a daemon running"
            exit 1
        fi
        echo "ok   installed$missing; no service enabled at boot, none running"
    fi
fi
. "${top_srcdir:-.}/tests/common.sh"
on_test_host "$0" "$@"
nc=nc.openbsd
need $nc curl haproxy nginx dnsdist ss od
bin="${top_builddir:-.}/examples"
tools="${top_builddir:-.}/tools"
scratch
chmod 755 "$tmp"
wait_port() { # port: until something listens on it
    for _ in $(seq 50); do ss -ltnH "sport = :$1" | grep -q . && return 0; sleep 0.1; done
    echo "FAIL: nothing listening on $1"; exit 1
}

# --- HAProxy -> echo-server --accept-proxy -----------------------------------
"$bin/echo-server" -H 127.0.0.1 -p 7100 --accept-proxy > "$tmp/echo.log" 2>&1 &
pids="$pids $!"
cat > "$tmp/haproxy.cfg" <<CFG
defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend v1
    bind 127.0.0.1:7101
    bind [::1]:7101
    default_backend echo_v1
frontend v2
    bind 127.0.0.1:7102
    bind [::1]:7102
    default_backend echo_v2
backend echo_v1
    server s 127.0.0.1:7100 send-proxy
backend echo_v2
    server s 127.0.0.1:7100 send-proxy-v2
frontend chain
    bind [::1]:7103
    default_backend via_relay
backend via_relay
    server r 127.0.0.1:7104 send-proxy-v2
CFG
# the second hop: the relay takes HAProxy's header (from 127.0.0.1, the
# one trusted source) and passes the original client on in its own
echo 'allow 127.0.0.1/32; default deny' > "$tmp/trusted"
"$tools/anysock-relay" -H 127.0.0.1 -p 7104 --accept-proxy --trusted-sources "$tmp/trusted" \
    --send-proxy-v2 127.0.0.1 7100 > "$tmp/chain.log" 2>&1 &
pids="$pids $!"
haproxy -db -f "$tmp/haproxy.cfg" > "$tmp/haproxy.log" 2>&1 &
pids="$pids $!"
wait_port 7100; wait_port 7101; wait_port 7102; wait_port 7103; wait_port 7104
for v in 1 2; do
    check "HAProxy send-proxy v$v over ::1: echo" hi$v \
        "$(echo hi$v | timeout 5 $nc -N ::1 710$v)"
    check "HAProxy send-proxy v$v over 127.0.0.2: echo" ho$v \
        "$(echo ho$v | timeout 5 $nc -N -s 127.0.0.2 127.0.0.1 710$v)"
done
check "HAProxy -> anysock-relay --accept-proxy --send-proxy-v2 -> echo-server: echo" chain \
    "$(echo chain | timeout 5 $nc -N -s ::1 ::1 7103)"
# (the relay's line comes as the connection ends, maybe after the echo)
wait_for "$tmp/chain.log" '^anysock-relay: \[::1\]:[0-9]* -> '
check "the relay logged the client HAProxy named, [::1]" 1 \
    "$(grep -c '^anysock-relay: \[::1\]:[0-9]* -> 127\.0\.0\.1:7100 (IPv4)' "$tmp/chain.log")"
check "echo-server logged HAProxy's IPv6 clients as [::1]" 3 \
    "$(grep -c 'tcp \[::1\]:[0-9]* connected' "$tmp/echo.log")"
check "echo-server logged HAProxy's IPv4 clients as 127.0.0.2" 2 \
    "$(grep -c 'tcp 127\.0\.0\.2:[0-9]* connected' "$tmp/echo.log")"

# --- anysock-relay --send-proxy[-v2] -> nginx -----------------------------------
cat > "$tmp/nginx.conf" <<CFG
daemon off;
user root;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 64; }
http {
    access_log $tmp/nginx-access.log;
    client_body_temp_path $tmp/cb; proxy_temp_path $tmp/pt; fastcgi_temp_path $tmp/ft;
    uwsgi_temp_path $tmp/ut; scgi_temp_path $tmp/st;
    server {
        listen 127.0.0.1:7200 proxy_protocol;
        location / { return 200 "\$proxy_protocol_addr\n"; }
    }
}
CFG
nginx -e "$tmp/nginx-error.log" -p "$tmp" -c "$tmp/nginx.conf" &
pids="$pids $!"
wait_port 7200
v=0
for how in --send-proxy --send-proxy-v2; do
    v=$((v + 1))
    "$tools/anysock-relay" -p 730$v $how 127.0.0.1 7200 > "$tmp/relay$v.log" 2>&1 &
    pids="$pids $!"
    wait_port 730$v
    check "relay $how -> nginx: client [::1]" ::1 \
        "$(curl -s --max-time 5 "http://[::1]:730$v/")"
    check "relay $how -> nginx: client 127.0.0.3" 127.0.0.3 \
        "$(curl -s --max-time 5 --interface 127.0.0.3 "http://127.0.0.1:730$v/")"
done
# --- anysock-relay --udp --send-proxy-v2 -> dnsdist ----------------------------
# dnsdist takes a PROXY v2 header on each datagram from 127.0.0.0/8 and
# judges the client it names: 2001:db8::7 is told 192.0.2.77, anyone else
# 192.0.2.88. (No downstream: the answers are its own; no security poll.)
ip -6 addr add 2001:db8::7/128 dev lo nodad
ip -6 addr add 2001:db8::8/128 dev lo nodad
cat > "$tmp/dnsdist.conf" <<CFG
setLocal('127.0.0.1:7400')
setSecurityPollSuffix('')
setProxyProtocolACL({'127.0.0.0/8'})
setACL({'2001:db8::/64'})
addAction(makeRule('2001:db8::7/128'), SpoofAction('192.0.2.77'))
addAction(AllRule(), SpoofAction('192.0.2.88'))
CFG
dnsdist --supervised --disable-syslog -C "$tmp/dnsdist.conf" > "$tmp/dnsdist.log" 2>&1 &
pids="$pids $!"
"$tools/anysock-relay" --udp -6 -p 7401 --send-proxy-v2 127.0.0.1 7400 > "$tmp/udp.log" 2>&1 &
pids="$pids $!"
for _ in $(seq 50); do ss -lunH "sport = :7400" | grep -q . && ss -lunH "sport = :7401" |
    grep -q . && break; sleep 0.1; done
# A query for a.test IN A from source $1; the answer's address, in hex.
query() {
    printf '\022\064\001\000\000\001\000\000\000\000\000\000\001a\004test\000\000\001\000\001' |
        timeout 5 $nc -u -w 1 -s "$1" ::1 7401 | od -An -tx1 | tr -d ' \n' | tail -c 8
}
check "relay --udp --send-proxy-v2 -> dnsdist: 2001:db8::7 judged as itself" c000024d \
    "$(query 2001:db8::7)"
check "relay --udp --send-proxy-v2 -> dnsdist: 2001:db8::8 judged as itself" c0000258 \
    "$(query 2001:db8::8)"
[ $fail = 0 ] || { tail -n 20 "$tmp"/*.log; }
exit $fail
