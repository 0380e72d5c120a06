#!/bin/sh
# Socket options and multicast on the wire, between two namespaces joined
# by veth pairs (see sockopt_ns.c and run.sh). 77 when not root, or when
# the suite was not built (no kernel headers: configure says so).
suite="${top_builddir:-.}/tests/netns/sockopt_ns"
if [ ! -x "$suite" ]; then
    echo "SKIP: tests/netns/sockopt_ns not built: configure found no <linux/if_packet.h> (kernel headers)"
    exit 77
fi
exec "${top_srcdir:-.}/tests/netns/run.sh" "$suite"
