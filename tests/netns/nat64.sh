#!/bin/sh
# IPv6-only networks: NAT64 discovery, synthesis and translated peers, in
# a lab of network namespaces with tayga as the translator (nat64lab.h).
# As root it installs tayga when missing (tayga.sh: no daemon started, no
# service enabled) and checks that no tayga it started is left running;
# 77 when not root.
set -u
src=${top_srcdir:-.}
if [ "$(id -u)" != 0 ]; then echo "SKIP: network namespaces need root"; exit 77; fi
. "$src/tests/netns/tayga.sh"
tayga_install || { echo "SKIP: tayga is not installed and could not be"; exit 77; }
tayga_pids_file
# A silent name server costs one second (timeout:1 attempts:1).
ANYSOCK_RESOLV_OPTIONS='timeout:1 attempts:1' \
    "$src/tests/netns/run.sh" "${top_builddir:-.}/tests/netns/nat64_ns"
rc=$?
tayga_none_left || rc=1
exit $rc
