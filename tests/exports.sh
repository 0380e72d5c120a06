#!/bin/sh
# The shared library exports the public API and nothing else: every defined
# dynamic symbol starts with anysock_, and every function the header declares
# is there.
set -eu
so="${top_builddir:-.}/lib/.libs/libanysock.so"
header="${top_srcdir:-.}/include/anysock.h"
[ -f "$so" ] || { echo "no shared library built ($so): skipping"; exit 77; }
nm=${NM:-nm}

exported=$($nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWiu]$/ { print $3 }' | sort -u)
[ -n "$exported" ] || { echo "FAIL: $so exports nothing"; exit 1; }

stray=$(printf '%s\n' "$exported" | grep -v '^anysock_' || true)
if [ -n "$stray" ]; then
    echo "FAIL: symbols exported without the anysock_ prefix:"; echo "$stray"; exit 1
fi

declared=$(sed -n 's/^ANYSOCK_API[^(]*[ *]\(anysock_[a-z0-9_]*\)(.*/\1/p' "$header" | sort -u)
[ -n "$declared" ] || { echo "FAIL: found no declarations in $header"; exit 1; }
missing=$(printf '%s\n' "$declared" | while read -r f; do
    printf '%s\n' "$exported" | grep -qx "$f" || echo "$f"; done)
if [ -n "$missing" ]; then
    echo "FAIL: declared in anysock.h but not exported:"; echo "$missing"; exit 1
fi
extra=$(printf '%s\n' "$exported" | while read -r f; do
    printf '%s\n' "$declared" | grep -qx "$f" || echo "$f"; done)
if [ -n "$extra" ]; then
    echo "FAIL: exported but not declared in anysock.h:"; echo "$extra"; exit 1
fi
echo "exports: $(printf '%s\n' "$exported" | wc -l) symbols, all public and declared"
