#!/bin/sh
# The unit suites that look up "localhost" on a machine whose /etc/hosts
# does not list it (a minimal root, some containers): they must pass,
# saying what they left out, and never ask a name server. Staged on a
# throw-away host (run.sh) whose hosts file loses its localhost lines, with
# a name server that answers nothing (127.0.0.1:53, closed). 77 when not root.
set -u
. "${top_srcdir:-.}/tests/common.sh"
on_test_host "$0" "$@"
[ -n "${ANYSOCK_NETNS:-}" ] || { echo "SKIP: needs root (a throw-away host)"; exit 77; }
scratch
grep -v 'localhost' /etc/hosts > "$tmp/hosts"
mount --bind "$tmp/hosts" /etc/hosts || { echo "SKIP: cannot stage a hosts file"; exit 77; }
for t in check_connect check_connector; do
    out=$("${top_builddir:-.}/tests/$t" 2>&1)
    rc=$?
    if [ $rc = 0 ]; then
        echo "ok   $t without localhost: $(printf '%s\n' "$out" | grep -m1 'localhost' || echo passed)"
    else
        printf '%s\n' "$out" | tail -n 5
        echo "FAIL $t without localhost in /etc/hosts: exit $rc"; fail=1
    fi
done
umount /etc/hosts
exit $fail
