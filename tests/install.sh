#!/bin/sh
# make install as root, as a user on a fresh machine does it: a program
# linked with pkg-config must then run, with no LD_LIBRARY_PATH (the
# dynamic linker finds /usr/local/lib only through its cache, which
# make install must update). Done in a mount namespace of the test's own:
# /usr/local and /etc are private copies there, so the machine's are never
# touched. The program is built with the build's compiler ($CC: a musl-gcc
# build links with musl). Root only; 77 otherwise.
set -u
if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root (mount namespaces)"; exit 77; fi
for t in unshare ldconfig pkg-config; do
    command -v $t >/dev/null 2>&1 || { echo "SKIP: $t not installed"; exit 77; }
done
build=$(cd "${top_builddir:-.}" && pwd)
[ -e "$build/lib/.libs/libanysock.so" ] ||
    { echo "SKIP: no shared library in this build (--disable-shared)"; exit 77; }
src=$(cd "${top_srcdir:-.}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/etc" "$tmp/local"
before=$(ls -l /etc/ld.so.cache)
unshare --mount --propagation private sh -c '
    set -e
    cp -a /etc/. "$1/etc/" 2>/dev/null || true
    mount --bind "$1/etc" /etc
    mount --bind "$1/local" /usr/local
    make -s -C "$2" install prefix=/usr/local >"$1/install.log" 2>&1 ||
        { tail -n 20 "$1/install.log"; exit 3; }
    $4 -o "$1/demo" "$3/examples/demo.c" -pthread \
        $(PKG_CONFIG_PATH=/usr/local/lib/pkgconfig pkg-config --cflags --libs anysock)
    env -u LD_LIBRARY_PATH "$1/demo" >"$1/demo.out" 2>&1 || { cat "$1/demo.out"; exit 4; }
    grep -q "::ffff:192.0.2.1" "$1/demo.out" || exit 5
    # doc/porting.md: the installed examples, where pkg-config says, build
    # (the prefix is the one given to make install, whatever configure had)
    docs=$(PKG_CONFIG_PATH=/usr/local/lib/pkgconfig pkg-config --define-variable=prefix=/usr/local \
        --variable=docdir anysock)
    $4 -o "$1/daytime-server" "$docs/examples/porting/daytime-server.c" -pthread \
        $(PKG_CONFIG_PATH=/usr/local/lib/pkgconfig pkg-config --cflags --libs anysock) || exit 6
' sh "$tmp" "$build" "$src" "${CC:-cc}"
rc=$?
fail=0
case $rc in
    0) echo "ok   after make install as root, a pkg-config program runs without LD_LIBRARY_PATH"
       echo "ok   the porting guide's examples build from pkg-config's docdir" ;;
    *) echo "FAIL make install then run: step $rc"; fail=1 ;;
esac
if [ "$(ls -l /etc/ld.so.cache)" = "$before" ]; then
    echo "ok   the machine's /etc/ld.so.cache is untouched"
else
    echo "FAIL the machine's /etc/ld.so.cache changed"; fail=1
fi
exit $fail
