#!/bin/sh
# anysock-relay's systemd units as make install puts them (into a staging
# directory): both there, the service running the installed program, and
# systemd-analyze verify finding nothing to say about either (it warns
# about a wrong value and still exits 0, so its output must be empty
# too); the service's sandboxing keeps systemd-analyze security's
# exposure at 2.0 or less. Nothing is installed on the machine. Skips (77)
# without systemd-analyze or when configure left the units out.
set -u
. "${top_srcdir:-.}/tests/common.sh"
need systemd-analyze
build=$(cd "${top_builddir:-.}" && pwd)
grep -q '^systemdsystemunitdir = ' "$build/Makefile" ||
    { echo "SKIP: configured --without-systemdsystemunitdir"; exit 77; }
scratch

make -s -C "$build" install DESTDIR="$tmp/root" > "$tmp/install.log" 2>&1 ||
    { tail -n 20 "$tmp/install.log"; echo "FAIL make install DESTDIR=..."; exit 1; }
service=$(find "$tmp/root" -name 'anysock-relay@.service')
socket=$(find "$tmp/root" -name 'anysock-relay@.socket')
check "make install puts the .service" yes "$([ -f "$service" ] && echo yes)"
check "make install puts the .socket" yes "$([ -f "$socket" ] && echo yes)"
[ -f "$service" ] && [ -f "$socket" ] || exit 1
exec_path=$(sed -n 's/^ExecStart=\([^ ]*\) .*/\1/p' "$service")
check "ExecStart: the installed anysock-relay" yes \
    "$([ -x "$tmp/root$exec_path" ] && [ "${exec_path##*/}" = anysock-relay ] && echo yes)"
check "ExecStart passes \$OPTIONS \$TARGET" 1 \
    "$(grep -c '^ExecStart=[^ ]* \$OPTIONS \$TARGET$' "$service")"
check "no @...@ left unfilled" 0 "$(cat "$service" "$socket" | grep -c '@[a-z]*@')"

# systemd-analyze checks that ExecStart exists: the installed path is in
# the staging directory, so the copies it reads name the built program.
mkdir "$tmp/units"
relay="$build/tools/anysock-relay"
[ -x "$build/tools/.libs/anysock-relay" ] && relay="$build/tools/.libs/anysock-relay"
sed "s|^ExecStart=[^ ]*|ExecStart=$relay|" "$service" > "$tmp/units/anysock-relay@.service"
cp "$socket" "$tmp/units/"
out=$(cd "$tmp" && SYSTEMD_UNIT_PATH="$tmp/units:" systemd-analyze verify --man=no \
    anysock-relay@80.service anysock-relay@80.socket 2>&1); rc=$?
[ -z "$out" ] || echo "$out"
check "systemd-analyze verify: exit 0" 0 "$rc"
check "systemd-analyze verify: nothing to say" "" "$out"
out=$(cd "$tmp" && SYSTEMD_UNIT_PATH="$tmp/units:" systemd-analyze security --offline=yes \
    --threshold=20 anysock-relay@80.service 2>&1); rc=$?
echo "$out" | grep 'Overall exposure level'
check "systemd-analyze security: exposure 2.0 or less" 0 "$rc"
exit $fail
