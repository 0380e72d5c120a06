#!/bin/sh
# Listeners on dual-stack, IPv6-disabled, IPv4-only and IPv6-only hosts
# (UNP Figure 12.5, and its NAT64 column with tayga on the dual-stack
# host: tayga.sh installs it as root when missing), each a network
# namespace (see run.sh). 77 when not root.
set -u
src=${top_srcdir:-.}
if [ "$(id -u)" = 0 ]; then
    . "$src/tests/netns/tayga.sh"
    tayga_install || echo "tayga could not be installed: the NAT64 column is skipped"
    tayga_pids_file
fi
"$src/tests/netns/run.sh" "${top_builddir:-.}/tests/netns/listen_ns"
rc=$?
if [ "$(id -u)" = 0 ]; then tayga_none_left || rc=1; fi
exit $rc
