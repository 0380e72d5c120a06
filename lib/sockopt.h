/*
 * sockopt.h - what sockopt.c tells multicast.c about a socket.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_SOCKOPT_H
#define ANYSOCK_SOCKOPT_H

#include "internal.h"

/* What an IP socket is: its family; for AF_INET6 whether it carries IPv4
 * too (IPV6_V6ONLY off), and whether its peer is IPv4. 0, or -ENOTSOCK,
 * -EBADF, -EAFNOSUPPORT (not IP). */
struct sock_kind {
	int family;
	bool dual, v4_peer;
};
int sock_kind(int fd, struct sock_kind *k);

#endif
