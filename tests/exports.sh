#!/bin/sh
# The shared library exports the public API and nothing else: every defined
# dynamic symbol starts with anysock_, every function the header declares is
# there, and (when the linker took lib/anysock.map) each carries the version
# node of one release, which the map names exactly once.
set -eu
so="${top_builddir:-.}/lib/.libs/libanysock.so"
header="${top_srcdir:-.}/include/anysock.h"
map="${top_srcdir:-.}/lib/anysock.map"
[ -f "$so" ] || { echo "no shared library built ($so): skipping"; exit 77; }
nm=${NM:-nm}

fail() { echo "FAIL: $1"; shift; printf '%s\n' "$@"; exit 1; }

# name@@VERSION (default version) or a plain name, for every defined symbol
# but the version nodes themselves (type A).
versioned=$($nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWiu]$/ { print $3 }' | sort -u)
[ -n "$versioned" ] || fail "$so exports nothing"
exported=$(printf '%s\n' "$versioned" | sed 's/@.*//' | sort -u)

stray=$(printf '%s\n' "$exported" | grep -v '^anysock_' || true)
[ -z "$stray" ] || fail "symbols exported without the anysock_ prefix:" "$stray"

declared=$(sed -n 's/^ANYSOCK_API[^(]*[ *]\(anysock_[a-z0-9_]*\)(.*/\1/p' "$header" | sort -u)
[ -n "$declared" ] || fail "found no declarations in $header"
missing=$(printf '%s\n' "$declared" | grep -vxF "$exported" || true)
[ -z "$missing" ] || fail "declared in anysock.h but not exported (lib/anysock.map?):" "$missing"
extra=$(printf '%s\n' "$exported" | grep -vxF "$declared" || true)
[ -z "$extra" ] || fail "exported but not declared in anysock.h:" "$extra"

if printf '%s\n' "$versioned" | grep -q '@'; then
    unversioned=$(printf '%s\n' "$versioned" | grep -v '@@ANYSOCK_[0-9]*\.[0-9]*$' || true)
    [ -z "$unversioned" ] || fail "exported without a release's version node:" "$unversioned"
    listed=$(sed -n 's/^[[:space:]]*\(anysock_[a-z0-9_]*\);$/\1/p' "$map" | sort)
    twice=$(printf '%s\n' "$listed" | uniq -d)
    [ -z "$twice" ] || fail "listed in more than one node of $map:" "$twice"
    echo "exports: $(printf '%s\n' "$exported" | wc -l) symbols, all public, declared and versioned" \
        "($(printf '%s\n' "$versioned" | sed 's/.*@@//' | sort -u | paste -sd " " -))"
else
    echo "exports: $(printf '%s\n' "$exported" | wc -l) symbols, all public and declared (no version script)"
fi
