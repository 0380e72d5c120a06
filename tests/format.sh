#!/bin/sh
# Every C line changed since the formatter came (the commit that added
# .clang-format) is formatted as .clang-format says; lines nobody touched
# keep their old shape, so history stays readable. A file moved whole keeps
# its lines too: git's rename detection decides what "changed" means.
#   tests/format.sh          check (make check runs this)
#   tests/format.sh --fix    format those lines in place
# Skips (77) outside a git checkout (a release tarball) or without
# clang-format.
set -eu
cd "${top_srcdir:-.}"
command -v clang-format >/dev/null 2>&1 ||
    { echo "SKIP: clang-format not installed"; exit 77; }
top=$(git rev-parse --show-toplevel 2>/dev/null) && [ "$top" = "$(pwd -P)" ] ||
    { echo "SKIP: not a git checkout of anysock"; exit 77; }
base=$(git log --diff-filter=A --format=%H -- .clang-format | tail -n 1)
[ -n "$base" ] || { echo "SKIP: .clang-format is not committed yet"; exit 77; }

# "FILE --lines=a:b ..." for each C file, from the zero-context diff.
git diff -U0 -M --no-color "$base" -- '*.c' '*.h' | awk '
    /^\+\+\+ / { if (file != "" && args != "") print file args
                 file = ($0 == "+++ /dev/null") ? "" : substr($0, 7); args = ""; next }
    /^@@ / && file != "" {
        split($3, n, ","); start = substr(n[1], 2); count = (2 in n) ? n[2] : 1
        if (count > 0) args = args " --lines=" start ":" (start + count - 1)
    }
    END { if (file != "" && args != "") print file args }' > format.ranges.tmp

fail=0 files=0
while read -r file lines; do
    [ -f "$file" ] || continue
    files=$((files + 1))
    # shellcheck disable=SC2086
    if [ "${1:-}" = --fix ]; then
        clang-format -i $lines "$file"
    elif ! clang-format $lines "$file" | diff -u --label "$file" --label "$file (formatted)" \
        "$file" -; then
        fail=1
    fi
done < format.ranges.tmp
rm -f format.ranges.tmp
if [ $fail != 0 ]; then
    echo "FAIL: the lines above do not follow .clang-format (tests/format.sh --fix formats them)"
    exit 1
fi
echo "ok: the C lines changed since $(git log -1 --format=%h "$base") in $files files follow .clang-format"
