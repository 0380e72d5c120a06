#!/bin/sh
# bench_port.sh - anysock-port's speed over a generated tree, against a
# regex scan of the same files for the same words (grep -E, the naive
# tool that cannot tell a comment from code) in the same run.
#
# The tree: the library's sources, the tests' fixtures and the legacy
# examples, copied over and over into 200 files, about 1.2 million lines.
# Five rounds each, alternating; min and median of lines per second, on
# one core (taskset when there is one). Goal (issue 22): within 2x of grep,
# a ratio of at least 0.5. The checker reads more words than grep's list
# (socket, bind, connect, getaddrinfo... for the dual-stack rules); grep's
# list stays the one 0.8.0 was measured against.
set -eu
src=${top_srcdir:-.}
build=${top_builddir:-.}
port=${ANYSOCK_PORT:-$build/tools/anysock-port}
# In a shared build, tools/anysock-port is libtool's shell wrapper: its
# start (a shell, ~20 ms) is no part of the checker, so run the program
# it wraps, with the library it would find.
if [ -z "${ANYSOCK_PORT:-}" ] && [ -x "$build/tools/.libs/anysock-port" ]; then
    port=$build/tools/.libs/anysock-port
    LD_LIBRARY_PATH=$build/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export LD_LIBRARY_PATH
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$src"/lib/*.c "$src"/tests/port/*.c "$src"/examples/porting/*-legacy.c > "$tmp/unit"
unit=$(wc -l < "$tmp/unit")
reps=$((6000 / unit + 1))
for i in $(seq $reps); do cat "$tmp/unit"; done > "$tmp/one.c"
mkdir "$tmp/tree"
for i in $(seq 200); do cp "$tmp/one.c" "$tmp/tree/f$i.c"; done
lines=$(cat "$tmp/tree"/*.c | wc -l)
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
words='gethostbyname|gethostbyaddr|inet_ntoa|inet_addr|inet_aton|inet_network|inet_makeaddr|inet_lnaof|inet_netof|hostent|h_addr|sockaddr_in|AF_INET|PF_INET|INADDR_ANY|INADDR_LOOPBACK|INADDR_BROADCAST|INET_ADDRSTRLEN|inet_pton|inet_ntop|s_addr|IN6_IS_ADDR_V4MAPPED|::ffff:|AI_V4MAPPED|IPV6_V6ONLY|IP_TTL|IP_TOS|IP_MULTICAST'
now() { date +%s.%N; }
: > "$tmp/ours"; : > "$tmp/grep"
for r in 1 2 3 4 5; do
    t0=$(now); $pin "$port" "$tmp/tree" > "$tmp/out" 2>&1 || true; t1=$(now)
    echo "$t0 $t1" | awk -v l="$lines" '{ printf "%.0f\n", l / ($2 - $1) }' >> "$tmp/ours"
    t0=$(now); $pin grep -E -c "$words" "$tmp/tree"/*.c > "$tmp/out"; t1=$(now) # not /dev/null: GNU grep stops at the first match then
    echo "$t0 $t1" | awk -v l="$lines" '{ printf "%.0f\n", l / ($2 - $1) }' >> "$tmp/grep"
done
stats() { sort -n "$1" | awk '{ v[NR] = $1 } END { printf "min %9d  median %9d lines/s (max/min %.2f)", v[1], v[3], v[5] / v[1] }'; }
echo "anysock-port benchmark: $lines lines in 200 files, 5 alternating rounds, one core"
echo
printf '%-22s %s\n' "anysock-port" "$(stats "$tmp/ours")"
printf '%-22s %s\n' "grep -E (same words)" "$(stats "$tmp/grep")"
paste "$tmp/ours" "$tmp/grep" | sort -n | awk '{ o[NR] = $1; g[NR] = $2 } END {
    printf "ratio (anysock-port / grep -E): median of rounds %.2fx\n", o[3] / g[3] }'
