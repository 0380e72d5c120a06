/*
 * nat64lab.h - an IPv6-only network with a NAT64 (RFC 6146), for the
 * tests and the benchmark (nat64lab.c):
 *
 *   client --(2001:db8:1::/64)-- router --(192.0.2.0/24)-- server
 *   IPv6 only: 127.0.0.1          tayga: 2001:db8:64::/96   192.0.2.2,
 *   on loopback, no IPv4 route    -> pool 198.18.255.0/24   IPv4 only
 *
 * The router runs Debian's tayga (a userspace NAT64 over /dev/net/tun)
 * with the network-specific prefix 2001:db8:64::/96: tayga refuses the
 * well-known 64:ff9b::/96 towards addresses that are not global, which
 * 192.0.2.2 (documentation) is not. The client keeps 127.0.0.1 on
 * loopback, as real IPv6-only hosts do, for the test's name server.
 *
 * tayga dies with the process that started it (PR_SET_PDEATHSIG), and its
 * pid is appended to $ANYSOCK_TAYGA_PIDS when that names a file, so the
 * script can check that none is left running.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef NAT64LAB_H
#define NAT64LAB_H

#include <stdbool.h>
#include <sys/types.h>

#define LAB_PREFIX "2001:db8:64::/96"
#define LAB_SERVER "192.0.2.2"

struct nat64_lab {
	int client, router, server;
	pid_t tayga; /* -1 when there is no translator */
};

/* Whether tayga is installed. */
bool tayga_installed(void);
/* Run tayga on host as the NAT64 for prefix, mapping to the IPv4 pool
 * (tayga's own address is the pool's first); its tun carries the prefix
 * and the pool. Waits until it runs. Its pid. */
pid_t tayga_start(int host, const char *prefix, const char *pool, const char *self);
void tayga_stop(pid_t pid);

/* The three hosts above; with_translator false leaves tayga out (the
 * network has no NAT64). */
void nat64_lab_build(struct nat64_lab *lab, bool with_translator);
void nat64_lab_stop(struct nat64_lab *lab);

#endif
