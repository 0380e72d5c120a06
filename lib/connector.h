/*
 * connector.h - what connect.c (the race), resolution.c (the lookups
 * before it) and synthesis.c (its NAT64 step) share: the connector
 * itself, and its two helpers all use (here, static inline, so no file
 * calls another for them).
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_CONNECTOR_H
#define ANYSOCK_CONNECTOR_H

#include "clock.h"

#include <errno.h>
#include <sys/epoll.h>

#define MAX_ADDRS 32                   /* of each family */
#define MAX_ATTEMPTS (2 * MAX_ADDRS)   /* pending at once, at most */
#define MAX_WATCHED (MAX_ATTEMPTS + 3) /* and two lookups, a NAT64 discovery */
#define LOOKUP_TAG (UINT64_C(1) << 32) /* epoll data of a lookup; a socket's is its fd */
#define NAT64_TAG (LOOKUP_TAG | 2)     /* ... of the NAT64 discovery it waits for */

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

/* The NAT64 step (synthesis.c). */
struct nat64_step {
	struct discovery *wait; /* the discovery it waits for, else NULL */
	size_t from;            /* IPv4 addresses synthesized, or passed over */
	bool no_route;          /* an IPv4 attempt found no route at once */
	bool absent;            /* and the network has no NAT64 prefix */
	bool synthesized;       /* some address was made */
	struct attempt held;    /* a winner kept while its peer is identified */
	int64_t hold_until;
};

struct anysock_connector {
	anysock_connect_opts o;
	int socktype;
	int epfd;                 /* the caller's to watch; -1 until it asks */
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
	struct nat64_step nat64;
};

/* The earlier of two deadlines (-1: none). */
static inline int64_t earliest(int64_t a, int64_t b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

/* Put fd in the epoll set, watched for events with this tag, once the
 * caller has asked for the set (anysock_connector_fd makes it with all
 * that is pending then); until then the steps poll what is pending
 * themselves. 0 or -errno. */
static inline int connector_watch(anysock_connector *c, int fd, uint32_t events, uint64_t tag)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };
	return c->epfd < 0 || epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : -errno;
}

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

/* synthesis.c: an attempt to a failed at once with err (an IPv4 one for
 * want of a route is what it acts on); a
 * step (a discovery that ended, late A answers); whether the step still
 * waits for a discovery, and its descriptor (-1: none); whether to keep a winner until its peer is known
 * for what it is (true: held in nat64.held, to finish once the step no
 * longer waits or nat64.hold_until passed); *peer as reported; the final
 * error; let go of everything. */
void connector_nat64_failed(anysock_connector *c, const anysock_addr *a, int err);
void connector_nat64_step(anysock_connector *c);
bool connector_nat64_busy(const anysock_connector *c);
int connector_nat64_fd(const anysock_connector *c);
bool connector_nat64_hold(anysock_connector *c, const struct attempt *won);
void connector_nat64_peer(const anysock_connector *c, anysock_addr *peer);
int connector_nat64_error(const anysock_connector *c, int err);
void connector_nat64_free(anysock_connector *c);

#endif
