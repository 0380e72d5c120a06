#!/bin/sh
# The libtool version tells the truth about the ABI: abidiff compares the
# library just built with the last release's (abi/anysock.abi, written by
# `make abi-baseline` at each release) and the version configure.ac gives
# must be the one libtool's rules ask for:
#   no interface change        current and age as released
#   interfaces added (abidiff   current+1, revision 0, age+1, and a newer
#   exit bit 4: ABI change)     package version in anysock.h
#   one removed or changed      current+1, revision 0, age 0
#   incompatibly (bit 8)
# Skips (77) without abidiff, without a shared library (the sanitizer build
# is static) or on another architecture than the baseline's.
set -eu
so="${top_builddir:-.}/lib/.libs/libanysock.so"
abi="${top_srcdir:-.}/abi/anysock.abi"
released="${top_srcdir:-.}/abi/anysock.version"
header="${top_srcdir:-.}/include/anysock.h"
lt=${LT_VERSION_INFO:?set by make check}

command -v abidiff >/dev/null 2>&1 || { echo "SKIP: abidiff not installed (Debian: abigail-tools)"; exit 77; }
[ -f "$so" ] || { echo "SKIP: no shared library built"; exit 77; }
arch=$(sed -n "1s/.*architecture='\([^']*\)'.*/\1/p" "$abi")
case "$arch:$(uname -m)" in
    elf-amd-x86_64:x86_64) ;;
    *) echo "SKIP: the baseline is for $arch, this is $(uname -m)"; exit 77 ;;
esac

read -r base_version base_lt < "$released"
version=$(sed -n 's/^#define ANYSOCK_VERSION_STRING "\(.*\)"$/\1/p' "$header")
IFS=: read -r cur rev age <<EOF
$lt
EOF
IFS=: read -r bcur brev bage <<EOF
$base_lt
EOF

set +e
abidiff --headers-dir2 "${top_srcdir:-.}/include" "$abi" "$so" > abi-diff.txt 2>&1
rc=$?
set -e
cat abi-diff.txt
if [ $((rc & 3)) -ne 0 ]; then
    echo "FAIL: abidiff could not compare (exit $rc)"; exit 1
fi

newer() { # whether version $1 is above $2 (MAJOR.MINOR.PATCH)
    [ "$1" != "$2" ] &&
        [ "$(printf '%s\n%s\n' "$1" "$2" | sort -t. -k1,1n -k2,2n -k3,3n | tail -n 1)" = "$1" ]
}

if [ $((rc & 8)) -ne 0 ]; then
    want="$((bcur + 1)):0:0"; what="an interface removed or changed incompatibly"
elif [ $((rc & 4)) -ne 0 ]; then
    want="$((bcur + 1)):0:$((bage + 1))"; what="interfaces added"
else
    want="$bcur:*:$bage"; what="no interface change"
fi
echo "since $base_version ($base_lt): $what; configure.ac says $lt, anysock.h $version"
case $lt in
    $want) ;;
    *) echo "FAIL: -version-info must be $want for $what (libtool's rules, configure.ac)"; exit 1 ;;
esac
if [ "$cur" != "$bcur" ] && ! newer "$version" "$base_version"; then
    echo "FAIL: the interface changed, so anysock.h's version must be newer than $base_version"
    exit 1
fi
if [ "$cur" = "$bcur" ] && [ "$rev" -lt "$brev" ]; then
    echo "FAIL: the revision went back ($lt after $base_lt)"; exit 1
fi
echo "ok: the libtool version matches the ABI"
