#!/bin/sh
# Every C line changed since the formatter came (the commit that added
# .clang-format) is formatted as .clang-format says; lines nobody touched
# keep their old shape, so history stays readable. To fix what this finds:
#   git clang-format $(git log --diff-filter=A --format=%H -- .clang-format | tail -n 1)
# Skips (77) outside a git checkout (a release tarball) or without
# git-clang-format (Debian: clang-format).
set -eu
cd "${top_srcdir:-.}"
command -v git-clang-format >/dev/null 2>&1 ||
    { echo "SKIP: git-clang-format not installed (Debian: clang-format)"; exit 77; }
top=$(git rev-parse --show-toplevel 2>/dev/null) && [ "$top" = "$(pwd -P)" ] ||
    { echo "SKIP: not a git checkout of anysock"; exit 77; }
base=$(git log --diff-filter=A --format=%H -- .clang-format | tail -n 1)
[ -n "$base" ] || { echo "SKIP: .clang-format is not committed yet"; exit 77; }

out=$(git clang-format --diff --extensions c,h "$base" -- include lib tools examples tests bench 2>&1)
case $out in
    "" | *"no modified files to format"* | *"did not modify any files"*)
        echo "ok: every C line changed since $(git log -1 --format=%h "$base") follows .clang-format" ;;
    *)
        printf '%s\n' "$out"
        echo "FAIL: the lines above do not follow .clang-format (git clang-format $base fixes them)"
        exit 1 ;;
esac
