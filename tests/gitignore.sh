#!/bin/sh
# .gitignore names built files exactly: no source file is hidden by it.
# (Its wildcard-with-exception rules once hid tests/check_main.h and
# bench/bench_port.sh, which then never reached a commit.) Fails when a
# file that looks like source (C, shell, autotools, man page, text) sits
# in the tree but .gitignore keeps git from seeing it. Skips (77) outside
# a git checkout.
set -eu
cd "${top_srcdir:-.}"
top=$(git rev-parse --show-toplevel 2>/dev/null) && [ "$top" = "$(pwd -P)" ] ||
    { echo "SKIP: not a git checkout of anysock"; exit 77; }
hidden=$(git ls-files --others --ignored --exclude-standard -- \
    '*.c' '*.h' '*.sh' '*.am' '*.ac' '*.in' '*.[13]' '*.md' '*.map' '*.supp' |
    grep -v -e '^build-' -e '^anysock-[0-9]' -e '^cross/' -e '^autom4te.cache/' -e '^m4/' \
        -e '^build-aux/' -e '^config\.h$' -e '^config\.h\.in$' -e '^Makefile\.in$' || true)
if [ -n "$hidden" ]; then
    echo "FAIL: .gitignore hides these files, so git never sees them:"; echo "$hidden"
    exit 1
fi
echo "ok: .gitignore hides no source file"
