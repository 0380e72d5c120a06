#!/bin/sh
# make check-cross: build anysock with -Werror for other machines and run
# its unit tests there.
#
#   s390x  big-endian: Debian's cross gcc, run by qemu-user (qemu-s390x -L)
#   i386   32-bit: Debian's i686 cross gcc, run natively through the cross
#          sysroot's dynamic linker (Debian 12 cannot install gcc-multilib
#          beside gcc-s390x-linux-gnu)
#   musl   musl-gcc, run natively
#
# Usage: tests/cross/run.sh [MACHINE...]   (default: s390x i386 musl)
# Run from the build tree (make check-cross sets top_srcdir/top_builddir).
# Everything goes under $top_builddir/cross/: a copy of the sources (make
# distdir: an in-tree build cannot host a second, VPATH build), the check
# library built from Debian's source package for each machine (fetched once
# with apt-get source and cached there; third-party code never enters the
# tree), and one build per machine. ./autogen.sh --cross installs the
# compilers and qemu.
#
# What an emulator cannot do is skipped by the test itself, with the reason
# (tests/check_main.h, emulator_lacks(): ANYSOCK_TEST_EMULATOR names it);
# this script prints each machine's counts and every such reason. A machine
# whose tools are missing is skipped with the reason; exit 1 if any test
# failed or a build broke, 77 if no machine could run.
set -u

builddir=$(cd "${top_builddir:-.}" && pwd)
make=${MAKE:-make}
work=$builddir/cross
machines=${*:-s390x i386 musl}
# The unit tests (Makefile.am's UNIT_TESTS); the namespace suites need root
# and a kernel the emulated process can configure, which qemu-user is not.
unit_tests=${UNIT_TESTS:-}
[ -n "$unit_tests" ] || unit_tests=$(awk '/^UNIT_TESTS =/ { on = 1; sub(/^UNIT_TESTS =/, "") }
    on { c = sub(/\\$/, ""); printf "%s ", $0; if (!c) exit }' "$builddir/Makefile")
jobs=$(nproc 2>/dev/null || echo 2)
mkdir -p "$work"
status=77
summary=

say() { printf '%s\n' "$*"; }

# Debian's source of check (the unit-test framework), downloaded with the
# machine's own apt configuration turned into deb-src entries, into a
# private list directory: the machine's apt state is not touched.
fetch_check() {
    src=$work/check-src
    [ -f "$src/.done" ] && return 0
    command -v apt-get >/dev/null 2>&1 || { say "no apt-get: cannot fetch check's source"; return 1; }
    rm -rf "$src" && mkdir -p "$src/lists/partial" "$src/cache/archives/partial"
    {
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] && sed 's/^Types:.*/Types: deb-src/' "$f" && echo
        done
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -f "$f" ] && sed -n 's/^deb \(.*\)/deb-src \1/p' "$f"
        done
    } > "$src/sources.list.tmp"
    # deb822 and one-line entries cannot share a file: split them.
    grep -q '^Types:' "$src/sources.list.tmp" && grep -v '^deb-src ' "$src/sources.list.tmp" \
        > "$src/parts.sources" || :
    grep '^deb-src ' "$src/sources.list.tmp" > "$src/sources.list" || :
    mkdir -p "$src/parts" && [ -f "$src/parts.sources" ] && mv "$src/parts.sources" "$src/parts/"
    apt_opts="-o Dir::Etc::SourceList=$src/sources.list -o Dir::Etc::SourceParts=$src/parts \
-o Dir::State::Lists=$src/lists -o Dir::Cache=$src/cache -o APT::Sandbox::User=root"
    # shellcheck disable=SC2086
    apt-get $apt_opts update >"$src/apt.log" 2>&1 || :
    # shellcheck disable=SC2086
    (cd "$src" && apt-get $apt_opts source --download-only check >>"$src/apt.log" 2>&1) || {
        tail -n 5 "$src/apt.log"; say "apt-get source check failed"; return 1; }
    orig=$(ls "$src"/check_*.orig.tar.* 2>/dev/null | head -n 1)
    [ -n "$orig" ] || { say "no check_*.orig.tar.* downloaded"; return 1; }
    tar -xf "$orig" -C "$src" && rm -rf "$src/lists" "$src/cache" && touch "$src/.done"
}

# check built for one machine into $work/$m/check (cached).
build_check() {
    prefix=$work/$1/check
    [ -f "$prefix/lib/libcheck.a" ] && return 0
    top=$(ls -d "$work"/check-src/check-*/ | head -n 1)
    rm -rf "$work/$1/check-build" && mkdir -p "$work/$1/check-build"
    (cd "$work/$1/check-build" &&
     "$top/configure" $host_opt CC="$cc" CFLAGS="-O2" LDFLAGS="$ldflags" --prefix="$prefix" \
       --disable-shared --enable-static --disable-subunit --disable-timeout-tests \
       >config.out 2>&1 &&
     $make -j"$jobs" -C lib >>build.out 2>&1 && $make -j"$jobs" -C src >>build.out 2>&1 &&
     $make -C src install >>build.out 2>&1 &&
     cp check_stdint.h "$prefix/include/") || {
        tail -n 20 "$work/$1/check-build/config.log"; say "building check for $1 failed"; return 1; }
}

# The tools a machine needs, or the reason it cannot run here.
machine_setup() {
    host_opt= ldflags= run= emulator=
    case $1 in
    s390x)
        cc=s390x-linux-gnu-gcc host_opt=--host=s390x-linux-gnu
        run="qemu-s390x -L /usr/s390x-linux-gnu"
        emulator="qemu-user $(qemu-s390x --version 2>/dev/null | sed -n '1s/.*version \([0-9.]*\).*/\1/p')"
        need="$cc qemu-s390x"; header=/usr/s390x-linux-gnu/include/stdio.h ;;
    i386)
        cc=i686-linux-gnu-gcc host_opt=--host=i686-linux-gnu
        # No /lib/ld-linux.so.2 on an amd64 host: the sysroot's own.
        ldflags="-Wl,--dynamic-linker=/usr/i686-linux-gnu/lib/ld-linux.so.2 -Wl,-rpath,/usr/i686-linux-gnu/lib"
        need=$cc; header=/usr/i686-linux-gnu/include/stdio.h ;;
    musl)
        cc=musl-gcc need=$cc header= ;;
    *) reason="unknown machine (s390x, i386, musl)"; return 1 ;;
    esac
    for t in $need; do
        command -v "$t" >/dev/null 2>&1 || { reason="$t not installed (./autogen.sh --cross)"; return 1; }
    done
    if [ -n "$header" ] && [ ! -f "$header" ]; then
        reason="no C library headers for $1 ($header; ./autogen.sh --cross)"; return 1
    fi
    printf 'int main(void) { return 0; }\n' > "$work/hello.c"
    if ! $cc $ldflags -o "$work/hello-$1" "$work/hello.c" 2>"$work/hello.err" ||
        ! $run "$work/hello-$1"; then
        reason="a program built with $cc does not run here ($(head -c 200 "$work/hello.err"))"
        return 1
    fi
    return 0
}

run_machine() {
    m=$1
    t0=$(date +%s)
    if ! machine_setup "$m"; then
        say "SKIP $m: $reason"; summary="$summary
$m: skipped: $reason"; return 0
    fi
    fetch_check && build_check "$m" || { summary="$summary
$m: FAILED (check library)"; status=1; return 0; }
    b=$work/$m/build
    prefix=$work/$m/check
    say "== $m: configure and build ($cc)"
    # Configured again when configure changed (make distdir keeps the
    # sources' times, so the build after that is incremental).
    if [ ! -f "$b/config.status" ] || [ "$work/src/configure" -nt "$b/config.status" ]; then
        rm -rf "$b" && mkdir -p "$b"
        (cd "$b" && "$work/src/configure" $host_opt CC="$cc" LDFLAGS="$ldflags" \
          --enable-werror --disable-shared --without-libcurl \
          PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" CHECK_CFLAGS="-I$prefix/include" \
          CHECK_LIBS="$prefix/lib/libcheck.a -lm -lrt -pthread" >configure.out 2>&1) ||
          { tail -n 30 "$b/config.log"; say "FAIL $m: configure"; summary="$summary
$m: FAILED to configure"; status=1; return 0; }
    fi
    rm -f "$b"/tests/*.log "$b"/tests/*.trs "$b/test-suite.log"
    if ! (cd "$b" && $make -j"$jobs" all >build.out 2>&1 &&
          $make -j"$jobs" check TESTS= >>build.out 2>&1); then
        tail -n 30 "$b/build.out" "$b/config.log" 2>/dev/null | tail -n 40
        say "FAIL $m: the build"; summary="$summary
$m: FAILED to build"; status=1; return 0
    fi
    say "== $m: unit tests${run:+ under $run}"
    # shellcheck disable=SC2086
    # The programs the suites start (tests/spawn_helpers.h), through the
    # emulator too: a script per program that the suites' variables name.
    vars=
    if [ -n "$run" ]; then
        mkdir -p "$b/emulated"
        for p in ECHO_SERVER:examples/echo-server ANYSOCK_RELAY:tools/anysock-relay; do
            printf '#!/bin/sh\nexec %s %s "$@"\n' "$run" "$b/${p#*:}" > "$b/emulated/${p#*:*/}"
            chmod +x "$b/emulated/${p#*:*/}"
            vars="$vars ${p%%:*}=$b/emulated/${p#*:*/}"
        done
    fi
    # shellcheck disable=SC2086
    # At the reduced sizes (a developer's make check), whatever CI asks of
    # the native run: an emulator is 5-50 times slower.
    (cd "$b" && env -u ANYSOCK_TEST_FULL ANYSOCK_TEST_EMULATOR="$emulator" $vars \
        $make -j"$jobs" check TESTS="$unit_tests" LOG_COMPILER="$run" >check.out 2>&1)
    rc=$?
    pass=$(sed -n 's/^# PASS: *//p' "$b/check.out")
    fail=$(sed -n 's/^# FAIL: *//p' "$b/check.out")
    err=$(sed -n 's/^# ERROR: *//p' "$b/check.out")
    skips=$(cat "$b"/tests/*.log 2>/dev/null | sed -n 's/^SKIP: //p' | sort | uniq -c |
            sed 's/^ *\([0-9]*\) /\1x /')
    nskip=$(cat "$b"/tests/*.log 2>/dev/null | grep -c '^SKIP: ')
    secs=$(( $(date +%s) - t0 ))
    if [ "$rc" != 0 ] || [ "${fail:-0}" != 0 ] || [ "${err:-0}" != 0 ]; then
        grep -E '^(FAIL|ERROR):' "$b/check.out"
        for log in "$b"/tests/*.log; do
            grep -qE '^[^:]+:[0-9]+:[EF]:' "$log" 2>/dev/null && grep -E ':[EF]:' "$log" | head -n 5
        done
        status=1
        summary="$summary
$m: FAILED: ${pass:-0} suites passed, ${fail:-?} failed, ${err:-0} errors; $nskip tests skipped (${secs} s)"
    else
        [ "$status" = 77 ] && status=0
        summary="$summary
$m: ${pass:-0} suites passed, 0 failed; $nskip tests skipped under the emulator (${secs} s)"
    fi
    [ -n "$skips" ] && summary="$summary
$(printf '%s\n' "$skips" | sed 's/^/    skipped /')"
    return 0
}

say "== the sources (make distdir into $work/src)"
rm -rf "$work/src"
$make -C "$builddir" distdir distdir="$work/src" >"$work/distdir.out" 2>&1 ||
    { tail -n 20 "$work/distdir.out"; exit 1; }
for m in $machines; do
    run_machine "$m"
done
say "
== check-cross$summary"
exit $status
