#!/bin/sh
# Connecting and resolving from an event loop against the test's own DNS
# responder (see loop_ns.c), with the resolver options of the measurement
# that opened the issue: a silent AAAA costs getaddrinfo 2 s x 2. 77 when
# not root.
ANYSOCK_RESOLV_OPTIONS="timeout:2 attempts:2"
export ANYSOCK_RESOLV_OPTIONS
exec "${top_srcdir:-.}/tests/netns/run.sh" "${top_builddir:-.}/tests/netns/loop_ns"
