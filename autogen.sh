#!/bin/sh
# Bootstrap a checkout: make sure the build tools are here, then autoreconf.
# As root on Debian/Ubuntu, missing packages are installed with apt-get;
# otherwise the exact apt-get line to run is printed.
# ./autogen.sh --check: only say what is missing (exit 1 if anything is).
# ./autogen.sh --bench: also what `make bench` compares with (libcurl's
# headers for bench_loop's curl baseline, HAProxy for bench_relay's, nginx's
# stream module for bench_relay_udp's, wrk and nginx for bench_relay_http's).
# ./autogen.sh --cross: also what `make check-cross` builds and runs with
# (cross compilers and C libraries for s390x and i386, qemu-user, musl).
# ./autogen.sh --coverage: also gcovr, for `make coverage`.
set -e
cd "$(dirname "$0")"

# command-or-file -> Debian package. Clang and its runtime are for the
# sanitizer and fuzzing builds; check is the unit-test framework; ip and
# unshare (and sysctl, ss) build and inspect the throw-away hosts of
# tests/netns; valgrind is for make check-valgrind; netcat, socat and curl
# are the real clients of tests/echo.sh; libuv and libevent run the
# event-loop example (examples/loop) in tests/loop.sh; abidiff holds the
# libtool version to the ABI (tests/abi.sh); git-clang-format checks the
# style of changed lines (tests/format.sh).
need="autoreconf:autoconf automake:automake libtoolize:libtool pkg-config:pkg-config \
make:make gcc:gcc clang:clang /usr/include/check.h:check \
/usr/share/doc/libclang-rt-dev:libclang-rt-dev ip:iproute2 unshare:util-linux \
valgrind:valgrind sysctl:procps nc.openbsd:netcat-openbsd socat:socat curl:curl \
/usr/include/uv.h:libuv1-dev /usr/include/event2/event.h:libevent-dev \
abidiff:abigail-tools git-clang-format:clang-format"
bench="pc/libcurl:libcurl4-openssl-dev haproxy:haproxy \
/usr/lib/nginx/modules/ngx_stream_module.so:libnginx-mod-stream wrk:wrk nginx:nginx"
cross="s390x-linux-gnu-gcc:gcc-s390x-linux-gnu \
/usr/s390x-linux-gnu/include/stdio.h:libc6-dev-s390x-cross \
i686-linux-gnu-gcc:gcc-i686-linux-gnu /usr/i686-linux-gnu/include/stdio.h:libc6-dev-i386-cross \
qemu-s390x:qemu-user musl-gcc:musl-tools"
coverage="gcovr:gcovr"
check=
for arg; do
    case $arg in
        --bench) need="$need $bench" ;;
        --cross) need="$need $cross" ;;
        --coverage) need="$need $coverage" ;;
        --check) check=yes ;;
        *) echo "usage: ./autogen.sh [--check] [--bench] [--cross] [--coverage]" >&2; exit 2 ;;
    esac
done

# Debian puts system tools (sysctl, ip) in /usr/sbin and /sbin, which a
# normal user's PATH leaves out: look there too, or the check never passes.
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
missing=
for pair in $need; do
    what=${pair%%:*} pkg=${pair#*:}
    case $what in
        /*) [ -e "$what" ] || missing="$missing $pkg" ;;
        pc/*) pkg-config --exists "${what#pc/}" 2>/dev/null || missing="$missing $pkg" ;;
        *) command -v "$what" >/dev/null 2>&1 || missing="$missing $pkg" ;;
    esac
done

if [ -n "$check" ]; then
    [ -z "$missing" ] || { echo "autogen.sh: missing:$missing"; exit 1; }
    echo "autogen.sh: every build dependency is here"
    exit 0
fi

if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "autogen.sh: installing:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        echo "autogen.sh: missing build dependencies. Install them with:" >&2
        echo "    sudo apt-get install$missing" >&2
        exit 1
    fi
fi

mkdir -p m4
autoreconf -fi
