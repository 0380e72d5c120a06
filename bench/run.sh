#!/bin/sh
# bench/run.sh - every benchmark in turn (make bench). Those that need
# hosts of their own (a name server, black-holed routes, thousands of
# connections) run on a throw-away host (tests/netns/run.sh) as root, and
# here otherwise. Each prints its baseline, measured in the same run.
set -u
src=${top_srcdir:-.}
build=${top_builddir:-.}
export top_srcdir="$src" top_builddir="$build"
host=
[ "$(id -u)" = 0 ] && host="$src/tests/netns/run.sh"
status=0
step() { echo; "$@" || { echo "bench/run.sh: $* failed"; status=1; }; }

"$src/bench/bench_port.sh" || status=1
step "$build/bench/bench_text"
step "$build/bench/bench_classify"
step "$build/bench/bench_acl"
# shellcheck disable=SC2086 # $host: the throw-away host, or nothing
step env ANYSOCK_RESOLV_OPTIONS='timeout:1 attempts:1' $host "$build/bench/bench_resolve"
step $host "$build/bench/bench_listen"
step $host "$build/bench/bench_connect"
step $host "$build/bench/bench_connector"
step env ANYSOCK_RESOLV_OPTIONS='timeout:2 attempts:2' $host "$build/bench/bench_loop"
step env ANYSOCK_RELAY="${ANYSOCK_RELAY:-$build/tools/anysock-relay}" $host "$build/bench/bench_relay"
step env ANYSOCK_RESOLV_OPTIONS='timeout:1 attempts:1' $host "$build/bench/bench_nat64"
step env ANYSOCK_RELAY="${ANYSOCK_RELAY:-$build/tools/anysock-relay}" $host "$build/bench/bench_relay_udp"
# shellcheck disable=SC2086
step env ANYSOCK_RELAY="${ANYSOCK_RELAY:-$build/tools/anysock-relay}" $host "$src/bench/bench_relay_http.sh"
exit $status
