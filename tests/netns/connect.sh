#!/bin/sh
# Happy Eyeballs over black-holed, refusing and one-family paths between
# network namespaces (see run.sh and topology.h). 77 when not root.
exec "${top_srcdir:-.}/tests/netns/run.sh" "${top_builddir:-.}/tests/netns/connect_ns"
