#!/bin/sh
# Connecting and resolving from an event loop against the test's own DNS
# responder (see loop_ns.c), with the resolver options of the measurement
# that opened the issue: a silent AAAA costs getaddrinfo 2 s x 2. 77 when
# not root.
ANYSOCK_RESOLV_OPTIONS="timeout:2 attempts:2"
# The sanitizer build: see tests/lsan.supp (ignored by other builds).
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=${top_srcdir:-.}/tests/lsan.supp"
export ANYSOCK_RESOLV_OPTIONS LSAN_OPTIONS
exec "${top_srcdir:-.}/tests/netns/run.sh" "${top_builddir:-.}/tests/netns/loop_ns"
