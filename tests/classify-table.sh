#!/bin/sh
# The classification table in the tree (lib/classify-table.h, constant
# data the library compiles in) is what lib/classify-gen makes of the rows
# in lib/classify-rows.h today: a row changed without `make classify-table`
# fails here.
set -u
gen=${top_builddir:-.}/lib/classify-gen
table=${top_srcdir:-.}/lib/classify-table.h
[ -x "$gen" ] || { echo "FAIL: $gen not built"; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$gen" > "$out" || { echo "FAIL: $gen failed"; exit 1; }
if ! cmp -s "$out" "$table"; then
    diff -u "$table" "$out" | head -n 40
    echo "FAIL: lib/classify-table.h does not match lib/classify-rows.h: run make classify-table"
    exit 1
fi
echo "ok: lib/classify-table.h matches the $(grep -c '^	{ "' "${top_srcdir:-.}/lib/classify-rows.h") rows of lib/classify-rows.h"
