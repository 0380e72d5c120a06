/*
 * connector.h - what connect.c (the race) and resolution.c (the lookups
 * before it) share: the connector itself, and its two helpers both use
 * (here, static inline, so neither file calls the other for them).
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_CONNECTOR_H
#define ANYSOCK_CONNECTOR_H

#include "clock.h"

#include <errno.h>

#define MAX_ADDRS 32                   /* of each family */
#define LOOKUP_TAG (UINT64_C(1) << 32) /* epoll data of a lookup; a socket's is its fd */

enum { V6, V4 }; /* a family's slot; !slot is the other family */

struct family {
	anysock_lookup *lookup; /* its own lookup while it runs, else NULL */
	anysock_addr *addr;     /* what it answered, getaddrinfo's order */
	size_t n, next;         /* addresses, and the next to try */
	bool answered;          /* its answer is in (maybe none) */
};

struct attempt {
	int fd;
	unsigned char slot, at; /* fam[slot].addr[at] */
};

struct anysock_connector {
	anysock_connect_opts o;
	int socktype;
	int epfd;
	int64_t t0, deadline;     /* µs; deadline -1: none */
	struct family fam[2];
	int first, last;          /* slot to start with, and of the last attempt; -1 */
	bool racing, done;
	int64_t race_at;          /* A is in: start by then without AAAA; -1 */
	int64_t next_start;       /* the next attempt may start then */
	struct attempt *att;      /* pending attempts */
	size_t pending, cap;
	int lookup_err;           /* the telling lookup failure, 0 */
	int err;                  /* the telling attempt failure, 0 */
	anysock_addr err_addr;    /* where it came from */
	int outcome;              /* once done: the winner, then -EALREADY; or the error */
	anysock_addr peer;        /* once done: where the outcome came from */
	bool has_peer;
};

/* Tell the caller's trace, when there is one. */
static inline void connector_trace(const anysock_connector *c, enum anysock_attempt_event ev,
				   const anysock_addr *a, int err)
{
	if (c->o.trace != NULL)
		c->o.trace(c->o.trace_arg, ev, a, err, (long)(mono_us() - c->t0));
}

/*
 * How telling a failure is (higher is more telling), for the one to report
 * when everything failed: a refusal means the host is there and the port
 * closed, the most useful thing to know; a timeout means something ate the
 * packets; "unreachable" only that this host has no route. Anything else
 * (EACCES from a firewall, ...) sits between a timeout and unreachable.
 */
static inline int connect_error_rank(int err)
{
	switch (err) {
	case -ECONNREFUSED: return 4;
	case -ETIMEDOUT: return 3;
	case -ENETUNREACH:
	case -EHOSTUNREACH:
	case -EADDRNOTAVAIL:
	case -EAFNOSUPPORT: return 1;
	default: return 2;
	}
}

/* resolution.c: start the lookups of host:service (in this thread when
 * the hosts file or the text answers, else AAAA and A on the pool); take
 * the answers that came in; whether the race may begin now; let go of
 * lookups still running. */
int connector_begin_lookups(anysock_connector *c, const char *host, const char *service,
			    struct addrinfo *hints);
void connector_harvest(anysock_connector *c);
bool connector_may_race(anysock_connector *c, int64_t now);
void connector_free_lookups(anysock_connector *c);

#endif
