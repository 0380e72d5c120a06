#!/bin/sh
# tests/netns/run.sh on a machine without /etc/hosts (a minimal root): it
# must skip with its reason, not fail on the bind mount, and touch nothing.
# The missing file is staged in a mount namespace of this test's own: a
# private copy of /etc without hosts is mounted over /etc there only.
# Root only; 77 otherwise.
set -u
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (mount namespaces)"; exit 77; fi
command -v unshare >/dev/null 2>&1 || { echo "SKIP: unshare not installed"; exit 77; }
run="$(cd "${top_srcdir:-.}" && pwd)/tests/netns/run.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/etc"
before=$(ls -l /etc/hosts)
out=$(unshare --mount --propagation private sh -c '
    cp -a /etc/. "$1/etc/" 2>/dev/null
    rm -f "$1/etc/hosts"
    mount --bind "$1/etc" /etc || exit 99
    "$2" sh -c "echo ran"
' sh "$tmp" "$run" 2>&1)
rc=$?
fail=0
if [ $rc = 99 ]; then echo "SKIP: cannot stage a private /etc here"; exit 77; fi
if [ $rc = 77 ] && echo "$out" | grep -q "/etc/hosts is missing"; then
    echo "ok   no /etc/hosts: run.sh skips and says why ($out)"
else
    echo "FAIL no /etc/hosts: run.sh returned $rc: $out"; fail=1
fi
if [ "$(ls -l /etc/hosts)" = "$before" ]; then
    echo "ok   the real /etc/hosts is untouched"
else
    echo "FAIL the real /etc/hosts changed"; fail=1
fi
exit $fail
