#!/bin/sh
# bench_relay_http.sh - anysock-relay against HAProxy with a real HTTP
# client: wrk (2 threads, 64 connections) asks nginx on 127.0.0.1 for
# responses of 16 bytes, 1 KiB and 64 KiB through each of them, listening
# on [::1] (the IPv6 -> IPv4 forwarding the relay is for), with keep-alive
# and with a new connection per request ("Connection: close").
#
# nginx runs from a configuration of this script's own in a temporary
# directory (never the system's service) and is stopped at the end, as are
# the relays. Every relay runs the whole time; the rounds take turns
# between them (who goes first changes every round), every case in every
# round, so a busy neighbour slows all alike. For each case: requests a
# second (min, median, max of the rounds), the CPU each relay spent per
# 1,000 requests (median), and the ratio to HAProxy (of the medians, and
# min, median, max of the rounds' own ratios). Goal: >= 1 everywhere.
#
#   bench/bench_relay_http.sh             the benchmark
#   bench/bench_relay_http.sh --profile   system calls per request of each
#                                         relay (strace -c -f), 16 bytes, a
#                                         new connection each and keep-alive
#
# ANYSOCK_RELAY: the relay to run (default tools/anysock-relay);
# ANYSOCK_RELAY_BEFORE: another build of it to run alongside ("before", to
# measure a change in the same minutes); ANYSOCK_BENCH_ROUNDS (5) and
# ANYSOCK_BENCH_SECONDS (5 a run). Loopback only, fixed ports 18080-18083:
# bench/run.sh runs it on a throw-away host.
set -eu
relay=${ANYSOCK_RELAY:-${top_builddir:-.}/tools/anysock-relay}
before=${ANYSOCK_RELAY_BEFORE:-}
rounds=${ANYSOCK_BENCH_ROUNDS:-5}
secs=${ANYSOCK_BENCH_SECONDS:-5}
profile=false
[ "${1:-}" = --profile ] && profile=true
origin=18080

need="wrk nginx haproxy"
$profile && need="$need strace"
for tool in $need; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "bench_relay_http: $tool not installed, nothing to measure"
        exit 0
    fi
done
for bin in "$relay" $before; do
    [ -x "$bin" ] || { echo "bench_relay_http: no relay at $bin"; exit 1; }
done

tmp=$(mktemp -d)
chmod 755 "$tmp" # nginx's workers read the files as www-data or nobody
pids=""
stop() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 1' INT TERM

# --- the origin: nginx, a static file of each size -------------------------
mkdir "$tmp/www"
for size in 16 1024 65536; do
    head -c $size /dev/zero | tr '\0' x > "$tmp/www/$size"
done
chmod 644 "$tmp/www"/*
user=""
if [ "$(id -u)" = 0 ]; then
    user="user nobody nogroup;"
    getent passwd www-data >/dev/null && user="user www-data;"
fi
cat > "$tmp/nginx.conf" <<EOF
$user
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    keepalive_requests 100000000;
    keepalive_timeout 60s;
    client_body_temp_path $tmp/body;
    proxy_temp_path $tmp/proxy;
    fastcgi_temp_path $tmp/fastcgi;
    uwsgi_temp_path $tmp/uwsgi;
    scgi_temp_path $tmp/scgi;
    server {
        listen 127.0.0.1:$origin;
        root $tmp/www;
    }
}
EOF
nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/nginx-error.log" &
pids="$pids $!"

# --- the relays: name, port and pid of each ----------------------------------
cat > "$tmp/haproxy.cfg" <<EOF
global
    nbthread 2
    maxconn 7500
defaults
    mode tcp
    option splice-auto
    timeout connect 5s
    timeout client 60s
    timeout server 60s
frontend f
    bind [::1]:18082
    default_backend b
backend b
    server s 127.0.0.1:$origin
EOF
haproxy -db -f "$tmp/haproxy.cfg" &
pids="$pids $!"
echo "haproxy 18082 $!" > "$tmp/who"
# Their log line per connection goes where an operator's would: a file.
"$relay" -H ::1 -p 18081 -w 2 127.0.0.1 "$origin" > "$tmp/relay.log" 2>&1 &
pids="$pids $!"
echo "anysock-relay 18081 $!" >> "$tmp/who"
if [ -n "$before" ]; then
    "$before" -H ::1 -p 18083 -w 2 127.0.0.1 "$origin" > "$tmp/before.log" 2>&1 &
    pids="$pids $!"
    echo "relay-before 18083 $!" >> "$tmp/who"
fi
names=$(awk '{ printf "%s ", $1 }' "$tmp/who")
port_of() { awk -v w="$1" '$1 == w { print $2 }' "$tmp/who"; }
pid_of() { awk -v w="$1" '$1 == w { print $3 }' "$tmp/who"; }

up() { wrk -t1 -c1 -d1s "$1" 2>/dev/null | grep -q '^Requests/sec'; }
for url in "http://127.0.0.1:$origin/16" $(for w in $names; do echo "http://[::1]:$(port_of "$w")/16"; done); do
    n=0
    until up "$url"; do
        n=$((n + 1))
        [ $n -lt 50 ] || { echo "bench_relay_http: nothing answers at $url"; cat "$tmp"/*.log; exit 1; }
        sleep 0.2
    done
done

cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# One wrk run through relay $1 for file $2, keep-alive or close ($3):
# "requests/s requests error-lines" on stdout.
run_wrk() {
    header="X-Bench: keep-alive"
    [ "$3" = close ] && header="Connection: close"
    wrk -t2 -c64 -d"$secs"s -H "$header" "http://[::1]:$(port_of "$1")/$2" > "$tmp/wrk.out" 2>&1
    awk '/requests in/ { n = $1 } /^Requests\/sec/ { rps = $2 } /Socket errors|Non-2xx/ { e++ }
         END { printf "%s %s %d\n", rps, n, e }' "$tmp/wrk.out"
}

if $profile; then
    echo "system calls per request: wrk -t2 -c64 -d${secs}s [-H 'Connection: close']" \
         "http://[::1]:port/16, the relay under strace -c -f; load $(cut -d' ' -f1-3 /proc/loadavg)"
    for mode in close keep-alive; do
        for who in $names; do
            strace -c -f -p "$(pid_of "$who")" -o "$tmp/strace" 2>/dev/null &
            tracer=$!
            sleep 1
            read -r rps n errs <<EOF
$(run_wrk "$who" 16 $mode)
EOF
            kill -INT $tracer
            wait $tracer 2>/dev/null || true
            echo
            what=keep-alive
            [ $mode = close ] && what="a new connection per request"
            echo "$who, $what: $n requests ($rps a second under strace)$([ "$errs" = 0 ] || echo ', wrk reported errors')"
            # strace -c: % time, seconds, usecs/call, calls, [errors,] syscall
            awk -v n="$n" '$1 ~ /^[0-9.]+$/ && $NF != "total" { c[$NF] = $4; t += $4 }
                END { for (k in c) if (c[k] / n >= 0.05) printf "  %-16s %6.2f\n", k, c[k] / n
                      printf "  %-16s %6.2f\n", "(all)", t / n }' "$tmp/strace" | sort -k2 -rn
        done
    done
    exit 0
fi

echo "anysock-relay (-w 2) against HAProxy $(haproxy -v | sed -n '1s/HAProxy version \([^ ]*\).*/\1/p')," \
     "both on [::1] -> nginx $(nginx -v 2>&1 | sed 's,.*/,,') on 127.0.0.1 (1 worker)"
echo "wrk -t2 -c64 -d${secs}s [-H 'Connection: close'] http://[::1]:port/{16,1024,65536};" \
     "$rounds rounds, taking turns; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "HAProxy's configuration:"
sed 's/^/    /' "$tmp/haproxy.cfg"
: > "$tmp/results"
for r in $(seq "$rounds"); do
    order=$(echo "$names" | awk -v r="$r" '{ for (i = 0; i < NF; i++) printf "%s ", $((i + r) % NF + 1) }')
    for size in 16 1024 65536; do
        for mode in keep-alive close; do
            for who in $order; do
                pid=$(pid_of "$who")
                c0=$(cpu_ticks "$pid")
                read -r rps n errs <<EOF
$(run_wrk "$who" $size $mode)
EOF
                echo "$size $mode $who $r $rps $n $errs $(($(cpu_ticks "$pid") - c0))" >> "$tmp/results"
            done
        done
    done
    echo "  round $r done, load $(cut -d' ' -f1-3 /proc/loadavg)"
done

for size in 16 1024 65536; do
    for mode in keep-alive close; do
        echo
        awk -v size="$size" -v mode="$mode" -v hz="$(getconf CLK_TCK)" -v names="$names" '
            function sort(a, n,   i, j, t) {
                for (i = 2; i <= n; i++)
                    for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
            }
            function median(a, n) { sort(a, n); return a[int((n + 1) / 2)] }
            $1 == size && $2 == mode {
                w = $3; n[w]++; rps[w, n[w]] = $5; err[w] += $7
                cpu[w, n[w]] = $6 > 0 ? $8 / hz * 1e6 / $6 : 0 # ms per 1,000 requests
                round[w, $4] = $5
            }
            END {
                printf "%s, %s:\n", size == 16 ? "16 B" : size == 1024 ? "1 KiB" : "64 KiB",
                    mode == "close" ? "a new connection per request" : "keep-alive"
                k = split(names, who, " ")
                for (i = 1; i <= k; i++) {
                    w = who[i]; m = n[w]
                    for (j = 1; j <= m; j++) { v[j] = rps[w, j]; c[j] = cpu[w, j] }
                    med[w] = median(v, m)
                    printf "  %-14s min %7.0f  median %7.0f  max %7.0f req/s, CPU %5.1f ms per 1,000%s\n",
                        w, v[1], med[w], v[m], median(c, m), err[w] ? " (wrk reported errors)" : ""
                }
                for (i = 1; i <= k; i++) {
                    w = who[i]
                    if (w == "haproxy") continue
                    m = 0
                    for (j = 1; j <= n[w]; j++) if (round["haproxy", j] > 0) q[++m] = round[w, j] / round["haproxy", j]
                    sort(q, m)
                    printf "  %s / haproxy: x%.2f (medians); rounds x%.2f x%.2f x%.2f (min, median, max)\n",
                        w, med[w] / med["haproxy"], q[1], q[int((m + 1) / 2)], q[m]
                }
            }' "$tmp/results"
    done
done
