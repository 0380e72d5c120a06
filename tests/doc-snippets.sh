#!/bin/sh
# Every ```c block of README.md and doc/tutorial.md is a whole file that
# must compile warning-free against the public header. (doc/porting.md
# quotes excerpts of examples/porting/*.c, which the build compiles.)
set -u
src=${top_srcdir:-.}
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0
for doc in "$src/README.md" "$src/doc/tutorial.md"; do
    awk -v dir="$tmp" -v base="$(basename "$doc" .md)" '
        /^```c$/ { inside = 1; k++; file = dir "/" base "-" k ".c"; next }
        /^```/   { inside = 0; next }
        inside   { print > file }
    ' "$doc"
done
for f in "$tmp"/*.c; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    if $cc -std=c11 -Wall -Wextra -Werror -I"$src/include" -c "$f" -o "$f.o" 2> "$f.err"; then
        echo "ok   $(basename "$f")"
    else
        echo "FAIL $(basename "$f")"; cat "$f.err"; fail=1
    fi
done
[ "$n" -ge 6 ] || { echo "FAIL: only $n snippets found"; fail=1; }
exit $fail
