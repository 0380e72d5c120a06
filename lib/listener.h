/*
 * listener.h - what listen.c, datagram.c, adopt.c and multicast.c share:
 * the listener itself (listener.c) and the round-robin wait over its
 * sockets.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_LISTENER_H
#define ANYSOCK_LISTENER_H

#include "internal.h"

#include <poll.h>

#define MAX_SOCKETS 32 /* addresses one name may give a listener */

struct sock {
	int fd;
	int family;
	bool wildcard;      /* bound to 0.0.0.0 or :: */
	bool dual;          /* AF_INET6 with IPV6_V6ONLY off: takes IPv4 too */
	anysock_addr local; /* as bound, the real port filled in */
};

struct anysock_listener {
	int socktype;
	unsigned flags;
	size_t n;
	size_t next; /* the socket to try first next time: round robin */
	int epfd;    /* anysock_listener_pollfd's epoll descriptor, or -1 */
	struct pollfd pfd[MAX_SOCKETS];
	struct sock s[MAX_SOCKETS];
};

/* listener.c: point pfd[] at the sockets, once they are all there (the
 * listener is complete then: nothing watches it yet). */
void listener_fill_pollfds(anysock_listener *l);
/* listener.c: close every socket (n becomes 0); the listener stays. */
void listener_close_sockets(anysock_listener *l);

/* listener.c: try the sockets once each, starting after the one served
 * last, with op (which returns -EAGAIN when its socket has nothing); then
 * wait until one has something, at most timeout_ms (-1: no limit), and go
 * again. Returns op's result, -ETIMEDOUT, -EINTR or -EBADF. */
int listener_serve(anysock_listener *l, int timeout_ms,
		   int (*op)(anysock_listener *, struct sock *, void *), void *arg);

/* datagram.c: ask for the destination address of each datagram; set that
 * wish on or off; whether it is on (1, 0, or -errno). */
int datagram_want_pktinfo(int fd, int family);
int datagram_set_pktinfo(int fd, int family, bool on);
int datagram_get_pktinfo(int fd, int family);

#endif
