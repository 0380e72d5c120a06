/*
 * topology.h - the hosts of the Happy Eyeballs tests and benchmark.
 *
 *   client --(10.0.0.0/24, 2001:db8:2::/64)-- server
 *   client --(2001:db8:1::/64, 10.9.0.0/24)-- sink: up, no addresses; the
 *            client holds permanent neighbour entries for 2001:db8:1::2 and
 *            10.9.0.2, so SYNs to them leave and nothing ever answers.
 *   client4 (IPv6 off) --(10.0.4.0/24)-- server
 *   client6 (no IPv4)  --(2001:db8:6::/64)-- server
 *
 * Names (private hosts file):
 *   both.test    2001:db8:1::2 (black hole), 10.0.0.2 (server)
 *   refused.test 2001:db8:2::2 (server, nothing on IPv6), 10.0.0.2
 *   hole.test    2001:db8:1::2, 10.9.0.2 (both black holes)
 *   dual.test    2001:db8:6::2, 10.0.4.2 (the server, from client4/client6)
 * The client's SYN retries are lowered to 1, so a black hole costs 3 s.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef TOPOLOGY_H
#define TOPOLOGY_H

#include "anysock.h"

struct he_net {
	int client, server, sink, client4, client6;
};

void he_build(struct he_net *net);
/* An IPv4-only TCP server on the server host (10.0.0.2, 10.0.4.2) that
 * takes connections and closes them, on a thread; *l and its port. */
void he_serve(const struct he_net *net, anysock_listener **l, char port[8]);
/* Seconds on the monotonic clock. */
double he_now(void);

#endif
