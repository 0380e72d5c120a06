#!/bin/sh
# Every example the documentation shows is compiled, and the ones that
# show an error path are run:
#  - each ```c block of README.md, doc/tutorial.md and doc/porting.md is a
#    whole file that must compile warning-free (-Wconversion too) against
#    the public header, but a block that starts "/* before:" (legacy code,
#    shown to be replaced); a block that is an example's whole file
#    (" * NAME.c - " on its second line) must be that file, to the byte;
#  - each .EX/.EE block under EXAMPLES in doc/*.3 likewise, where lines
#    written as roff comments, '.\"+ code', are code the page does not
#    show (the includes and declarations around a fragment), and a line
#    '.\"! run ARGS' or '.\"! fail ARGS' links the block and runs it: it
#    must exit 0 (run) or not (fail), and print only text (no stray bytes,
#    the bug of printing a buffer a failed call left untouched);
#  - no two blocks give themselves the same file name.
# Run as root, it goes to a throw-away host first (tests/netns/run.sh): the
# examples that run look names up, and no lookup may reach the machine's
# resolver.
set -u
. "${top_srcdir:-.}/tests/common.sh"
on_test_host "$0" "$@"
src=${top_srcdir:-.}
build=${top_builddir:-.}
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 n=0 ran=0
flags="-std=c11 -Wall -Wextra -Wconversion -Werror -I$src/include"
for doc in "$src/README.md" "$src/doc/tutorial.md" "$src/doc/porting.md"; do
    awk -v dir="$tmp" -v base="$(basename "$doc" .md)" '
        /^```c$/ { inside = 1; k++; file = dir "/" base "-" k ".c"; next }
        /^```/   { inside = 0; next }
        inside   { print > file }
    ' "$doc"
done
for page in "$src"/doc/*.3; do
    awk -v dir="$tmp" -v base="$(basename "$page" .3)" '
        /^\.SH EXAMPLES/ { examples = 1; next }
        /^\.SH/          { examples = 0 }
        examples && /^\.EX/ { inside = 1; k++; file = dir "/" base "-" k ".c"; next }
        examples && /^\.EE/ { inside = 0; next }
        inside && /^\.\\"! / { sub(/^\.\\"! /, ""); gsub(/\\-/, "-"); print > (file ".run"); next }
        inside && /^\.\\"\+/ { sub(/^\.\\"\+ ?/, ""); print > file; next }
        inside && /^\./  { next }
        inside {
            gsub(/\\e/, "\\"); gsub(/\\-/, "-"); gsub(/\\\(aq/, "\047"); gsub(/\\&/, "")
            print > file
        }
    ' "$page"
done
for f in "$tmp"/*.c; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    if head -n 1 "$f" | grep -q '^/\* before:'; then
        echo "ok   $name is legacy code, not compiled"; continue
    fi
    n=$((n + 1))
    quoted=$(sed -n '2s/^ \* \([a-z-]*\.c\) - .*/\1/p' "$f")
    if [ -n "$quoted" ]; then
        file=$(find "$src/examples" -name "$quoted" | head -n 1)
        if [ -z "$file" ] || ! cmp -s "$f" "$file"; then
            echo "FAIL $name quotes $quoted but differs from examples/:"
            [ -n "$file" ] && diff "$f" "$file" | head; fail=1; continue
        fi
    fi
    if ! $cc $flags -c "$f" -o "$f.o" 2> "$f.err"; then
        echo "FAIL $name does not compile:"; cat "$f.err"; nl -ba "$f"; fail=1; continue
    fi
    if [ ! -e "$f.run" ]; then echo "ok   $name compiles"; continue; fi
    # the sanitizer build's static library needs its runtimes at link time
    # shellcheck disable=SC2086
    if ! $cc -o "$f.bin" "$f.o" ${SAN_LDFLAGS:-} -L"$build/lib/.libs" -lanysock -pthread \
        2> "$f.err"; then
        echo "FAIL $name does not link:"; cat "$f.err"; fail=1; continue
    fi
    while read -r how args; do
        ran=$((ran + 1))
        # shellcheck disable=SC2086
        LD_LIBRARY_PATH="$build/lib/.libs" timeout 20 "$f.bin" $args > "$f.out" 2>&1
        rc=$?
        if [ "$how" = run ] && [ $rc != 0 ] || [ "$how" = fail ] && [ $rc = 0 ]; then
            echo "FAIL $name $args: exit $rc, expected to $how:"; cat "$f.out"; fail=1
        elif LC_ALL=C grep -q '[^[:print:][:space:]]' "$f.out"; then
            echo "FAIL $name $args printed stray bytes:"; od -c "$f.out" | head; fail=1
        else
            echo "ok   $name $args ($how): $(head -n 1 "$f.out")"
        fi
    done < "$f.run"
done

# A block that names itself ("/* tutorial-5.c: ..." on its first line, or
# " * NAME.c - " on its second) names the file a reader saves it as: two
# blocks of one name would overwrite each other.
dups=$(for f in "$tmp"/*.c; do
    [ -e "$f" ] || continue
    sed -n -e '1s|^/\* \([A-Za-z0-9_.-]*\.c\): .*|\1|p' \
        -e '2s|^ \* \([A-Za-z0-9_.-]*\.c\) - .*|\1|p' "$f"
done | sort | uniq -d)
if [ -n "$dups" ]; then
    echo "FAIL two blocks of the documentation call themselves:" $dups; fail=1
else
    echo "ok   every block that names itself has a name of its own"
fi

# The README's server, run as a reader would (./prog > log): each client's
# line reaches the log while the server runs, not when a buffer fills.
# Port 8080 is ours only on a throw-away host (as root).
readme_server() {
    f=$tmp/README-1.c
    grep -q 'anysock_accept' "$f" || { echo "FAIL README-1.c is not the server example"; fail=1; return; }
    # shellcheck disable=SC2086
    $cc -o "$f.bin" "$f.o" ${SAN_LDFLAGS:-} -L"$build/lib/.libs" -lanysock -pthread || { fail=1; return; }
    LD_LIBRARY_PATH="$build/lib/.libs" "$f.bin" > "$f.log" 2>&1 &
    server=$!
    got=
    for _ in $(seq 50); do
        if [ -z "$got" ] && nc -z -w 1 127.0.0.1 8080 2>/dev/null; then got=connected; fi
        grep -q '^client 127\.0\.0\.1:' "$f.log" && { got=logged; break; }
        sleep 0.1
    done
    kill "$server" 2>/dev/null; wait "$server" 2>/dev/null
    if [ "$got" = logged ]; then
        echo "ok   README-1.c > log: $(head -n 1 "$f.log")"
    else
        echo "FAIL README-1.c > log: a client came ($got) but the log holds: $(cat "$f.log")"; fail=1
    fi
}
if [ -n "${ANYSOCK_NETNS:-}" ] && [ -e "$tmp/README-1.c.o" ] && command -v nc >/dev/null; then
    readme_server
else
    echo "skip README-1.c > log: needs a throw-away host (root) and nc"
fi

# Every page names the release it documents (HACKING.md, "Releasing").
release=$(sed -n 's/^#define ANYSOCK_VERSION_STRING "\([0-9]*\.[0-9]*\)\..*"$/\1/p' "$src/include/anysock.h")
stale=$(grep -L "^\.TH .*\"anysock $release\"" $(grep -l '^\.TH' "$src"/doc/*.[13]) || true)
if [ -n "$stale" ]; then
    echo "FAIL pages that do not say anysock $release in .TH:" $stale; fail=1
else
    echo "ok   every page's .TH says anysock $release"
fi

[ "$n" -ge 20 ] || { echo "FAIL: only $n examples found"; fail=1; }
[ "$ran" -ge 4 ] || { echo "FAIL: only $ran examples run"; fail=1; }
exit $fail
