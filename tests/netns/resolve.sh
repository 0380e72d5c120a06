#!/bin/sh
# Bounded lookups against a silent, a slow and an answering name server,
# on a throw-away host (see run.sh). Skips (77) when not root.
exec "${top_srcdir:-.}/tests/netns/run.sh" "${top_builddir:-.}/tests/netns/resolve_ns"
