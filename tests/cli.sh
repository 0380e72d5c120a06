#!/bin/sh
# Every program with options answers --help (usage on standard output,
# exit 0), --version ("NAME (anysock) VERSION", exit 0) and an unknown
# option (usage on standard error, exit 2), the way GNU programs do.
set -u
. "${top_srcdir:-.}/tests/common.sh"
build=${top_builddir:-.}
scratch
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$build/config.h")
[ -n "$version" ] || { echo "FAIL: no PACKAGE_VERSION in $build/config.h"; exit 1; }

for prog in tools/anysock-relay tools/anysock-probe tools/anysock-port examples/echo-server \
    examples/beacon; do
    name=${prog##*/}
    "$build/$prog" --help > "$tmp/out" 2> "$tmp/err"
    check "$name --help: exit 0" 0 $?
    check "$name --help: usage on standard output" "usage: $name" \
        "$(head -n 1 "$tmp/out" | cut -d' ' -f1-2)"
    check "$name --help: nothing on standard error" "" "$(cat "$tmp/err")"
    check "$name --version" "$name (anysock) $version" "$("$build/$prog" --version)"
    "$build/$prog" --no-such-option > "$tmp/out" 2> "$tmp/err"
    check "$name --no-such-option: exit 2" 2 $?
    check "$name --no-such-option: nothing on standard output" "" "$(cat "$tmp/out")"
    check "$name --no-such-option: usage on standard error" 1 "$(grep -c "^usage: $name " "$tmp/err")"
done
exit $fail
