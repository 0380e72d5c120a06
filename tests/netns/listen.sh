#!/bin/sh
# Listeners on dual-stack, IPv6-disabled, IPv4-only and IPv6-only hosts
# (UNP Figure 12.5), each a network namespace (see run.sh). 77 when not root.
exec "${top_srcdir:-.}/tests/netns/run.sh" "${top_builddir:-.}/tests/netns/listen_ns"
