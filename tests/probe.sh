#!/bin/sh
# tools/anysock-probe: what it prints for mapped, documentation, global
# and loopback addresses, a prefix, --listen and --connect. Reverse lookups
# only on a throw-away host (root, tests/netns/run.sh); otherwise -n.
set -u
. "${top_srcdir:-.}/tests/common.sh"
on_test_host "$0" "$@"
probe="${top_builddir:-.}/tools/anysock-probe"
[ -n "${ANYSOCK_NETNS:-}" ] && rev="-t 200" || rev=-n
fail=0
has() { # name text pattern
    if printf '%s\n' "$2" | grep -q -- "$3"; then echo "ok   $1"
    else echo "FAIL $1: no '$3' in:"; printf '%s\n' "$2"; fail=1; fi
}
out=$("$probe" $rev ::ffff:127.0.0.1 "[2001:db8::1]:443" 8.8.8.8 10.1.0.0/16)
has "mapped shown as IPv4" "$out" '^  127\.0\.0\.1$'
has "mapped noted" "$out" 'IPv4 (written IPv4-mapped)'
has "mapped loopback" "$out" 'classes    loopback'
has "documentation v6 with port" "$out" '^  \[2001:db8::1\]:443$'
has "documentation class" "$out" 'classes    documentation'
has "global address" "$out" 'global     yes'
has "prefix canonical" "$out" 'prefix 10.1.0.0/16 (IPv4)'
if [ -n "${ANYSOCK_NETNS:-}" ]; then
    has "reverse name of loopback from the hosts file" "$out" 'name       localhost'
fi
out=$("$probe" --listen 0)
has "--listen: IPv6 socket is V6ONLY" "$out" 'IPv6 only (IPV6_V6ONLY=1)'
has "--listen: IPv4 socket" "$out" '0\.0\.0\.0:[0-9]* *IPv4'
out=$("$probe" --connect 127.0.0.1 9)
has "--connect: the lookup's answer" "$out" 'resolved   A      127\.0\.0\.1$'
has "--connect: attempt started" "$out" 'start      127\.0\.0\.1:9'
has "--connect: refused" "$out" 'failed     127\.0\.0\.1:9: Connection refused'
"$probe" --connect 127.0.0.1 9 >/dev/null; rc=$?
[ $rc = 1 ] && echo "ok   --connect exit 1 on failure" || { echo "FAIL exit $rc"; fail=1; }
out=$("$probe" -n 'fe80::1%nope')
has "a bad scope is a parse error, not a lookup" "$out" 'Bad or unknown IPv6 scope id'
out=$("$probe" -n '[::1]:65536')
has "a bad port is a parse error" "$out" 'Port number above 65535'
out=$("$probe" -n "$(printf '%0300d' 0 | tr 0 a).test")
has "an over-long name is refused, not cut" "$out" 'Host name too long'
if [ -n "${ANYSOCK_NETNS:-}" ]; then # discovery asks a name server: only here
    out=$("$probe" -t 500 --nat64)
    has "--nat64: no prefix on a host without DNS64" "$out" '^  none: no DNS64 answer$'
    has "--nat64: no CLAT" "$out" '^CLAT (RFC 6877): none'
    has "--nat64: loopback only, no IPv4 route" "$out" 'IPv4 route to 192\.0\.2\.1: none'
    has "--nat64: the literal would fail, saying why" "$out" \
        'here: fails: No IPv4 route here, and no NAT64 prefix'
    out=$("$probe" -t 500 --nat64 127.0.0.1)
    has "--nat64: loopback goes directly" "$out" 'a connect to 127\.0\.0\.1 here: IPv4, directly'
fi
out=$("$probe" --interfaces)
has "--interfaces: loopback" "$out" 'lo  *127\.0\.0\.1/8 up,loopback (loopback'
has "--interfaces: the usable question" "$out" 'usable IPv4 (not loopback, not link-local): '
# Addresses that come up between the probe's two calls (a stand-in for
# getifaddrs lists 4, then 8): it printed 8 from room for 4, reading past
# its buffer (AddressSanitizer: heap-buffer-overflow). All 8, and only them.
stand_in=$(mktemp -d)
if ${CC:-cc} -shared -fPIC -o "$stand_in/grow.so" "${top_srcdir:-.}/tests/ifaddrs_grow.c" \
    2>"$stand_in/cc.log"; then
    out=$(LD_PRELOAD="$stand_in/grow.so" ASAN_OPTIONS=verify_asan_link_order=0 \
        "$probe" --interfaces 2>&1); rc=$?
    check "--interfaces, addresses added meanwhile: exit 0" 0 "$rc"
    check "--interfaces, addresses added meanwhile: 8 addresses" 8 \
        "$(printf '%s\n' "$out" | grep -c '^0 fake[0-7]  *192\.0\.2\.[1-8]/24 up (documentation)$')"
    check "--interfaces, addresses added meanwhile: nothing else" 10 "$(printf '%s\n' "$out" | wc -l)"
else
    echo "skip --interfaces with addresses added meanwhile: ${CC:-cc} cannot build a shared object"
    cat "$stand_in/cc.log"
fi
rm -rf "$stand_in"
"$probe" 2>/dev/null; rc=$?
[ $rc = 2 ] && echo "ok   usage exit 2" || { echo "FAIL usage exit $rc"; fail=1; }
# -t is a whole number of milliseconds, or exit 2 naming the option as given
for bad in "-t abc" "-t 1junk" "-t 0" "-t -5" "--timeout= " "--timeout=700000"; do
    out=$("$probe" $bad -n 127.0.0.1 2>&1); rc=$?
    check "$bad: exit 2" 2 "$rc"
    has "$bad: the message names the option" "$out" "^anysock-probe: ${bad%%[ =]*} "
done
exit $fail
