#!/bin/sh
# autogen.sh as a normal user sees it: Debian's user PATH has no /usr/sbin,
# where sysctl lives, so the dependency check must look there itself (it
# used to ask for procps forever). Runs the check only: nothing installed.
set -u
src="${top_srcdir:-.}"
[ -x /usr/sbin/sysctl ] || [ -x /sbin/sysctl ] ||
    { echo "SKIP: sysctl is not installed here"; exit 77; }
out=$(env PATH=/usr/local/bin:/usr/bin:/bin:/usr/games sh "$src/autogen.sh" --check 2>&1)
case $out in
    *procps*|*iproute2*) echo "FAIL with a user's PATH, autogen.sh asks for tools it has: $out"; exit 1 ;;
esac
echo "ok   with a user's PATH: $out"
