#!/bin/sh
# Socket options and multicast on the wire, between two namespaces joined
# by veth pairs (see sockopt_ns.c and run.sh). 77 when not root.
exec "${top_srcdir:-.}/tests/netns/run.sh" "${top_builddir:-.}/tests/netns/sockopt_ns"
