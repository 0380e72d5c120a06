/*
 * internal.h - what lib/ files share and nobody outside sees.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_INTERNAL_H
#define ANYSOCK_INTERNAL_H

#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netdb.h>

#include "anysock.h"

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* Room for element n of an array of elements of size bytes and capacity
 * *cap (doubling, from 16): the array, maybe moved, or NULL when out of
 * memory (the old one is then still valid and still the caller's). */
static inline void *array_grow(void *items, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return items;
	size_t ncap = *cap ? 2 * *cap : 16;
	if (ncap > SIZE_MAX / size)
		return NULL;
	void *p = realloc(items, ncap * size);
	if (p != NULL)
		*cap = ncap;
	return p;
}

/* Offset of sun_path: the shortest valid AF_UNIX length (unnamed socket). */
#define UNIX_MIN_LEN ((socklen_t)offsetof(struct sockaddr_un, sun_path))

/* ------------------------------------------------------------------------ */
/* clock.c: the one clock, and the one rule for waiting                      */
/* ------------------------------------------------------------------------ */

/* CLOCK_MONOTONIC now, in microseconds: the unit of every deadline. */
int64_t mono_us(void);
/* The deadline timeout_ms from now; -1 (none) when timeout_ms < 0. */
int64_t deadline_in(int timeout_ms);
/* Whether a deadline (-1: none) has passed. */
bool deadline_passed(int64_t deadline);
/* What poll() wants until deadline: -1 for none, 0 once passed, else the
 * milliseconds left rounded up (a wait never ends early), at most INT_MAX. */
int poll_ms(int64_t deadline);
/* A deadline as a CLOCK_MONOTONIC timespec (deadline >= 0). */
struct timespec deadline_timespec(int64_t deadline);
/* poll() until the time until (-1: none). Returns how many descriptors are
 * ready (0: until came), -EINTR when a signal arrived (every blocking call
 * then returns -EINTR: anysock(3)), or another -errno. */
int poll_until(struct pollfd *fds, nfds_t n, int64_t until);

/* ------------------------------------------------------------------------ */
/* socket.c: the one opener and the one accept                               */
/* ------------------------------------------------------------------------ */

/* A socket that is close-on-exec and non-blocking, or -errno. */
int sock_open(int family, int socktype);
/* accept() into *peer (as the kernel gave it), close-on-exec, non-blocking
 * when asked. The new descriptor, or -errno. */
int sock_accept(int fd, anysock_addr *peer, bool nonblock);
int sock_set_int(int fd, int level, int name, int value);

/* What an IP socket is (sockopt.c): its family; for AF_INET6 whether it
 * carries IPv4 too (IPV6_V6ONLY off), and whether its peer is IPv4. 0, or
 * -ENOTSOCK, -EBADF, -EAFNOSUPPORT (not IP). */
struct sock_kind {
	int family;
	bool dual, v4_peer;
};
int sock_kind(int fd, struct sock_kind *k);
int fd_set_nonblock(int fd, bool on);
/* Whether interface ifindex exists where the socket is (its namespace). */
bool sock_has_interface(int fd, unsigned ifindex);
int fd_set_cloexec(int fd);

/* ------------------------------------------------------------------------ */
/* pool.c: worker threads for lookups a caller may abandon                   */
/* ------------------------------------------------------------------------ */

/* The pool's part of a job; a lookup embeds it first. The fields are the
 * pool's, under its lock. */
struct job {
	struct job *next; /* in the queue */
	int refs;         /* the caller's, and the pool's while queued or running */
	bool started, done, abandoned;
	pthread_cond_t cond;              /* done */
	void (*work)(struct job *);       /* runs on a worker */
	void (*destroy)(struct job *);    /* frees it all, when the last reference goes */
	void (*notify)(struct job *);     /* NULL, or called by the worker when done */
};

/* Make a job whole (its condition variable too), holding the caller's
 * reference. 0, or -errno with nothing to undo. */
int job_init(struct job *job, void (*work)(struct job *), void (*destroy)(struct job *));
/* Drop the caller's reference: the one way a job ends. */
void job_put(struct job *job);

enum pool_wait {
	POOL_FINISHED, /* done; the caller still holds its reference      */
	POOL_TIMED_OUT, /* abandoned at the deadline; the reference is gone */
	POOL_REFUSED   /* too many stuck, or no thread; the reference is gone */
};
/* Run the job on a worker and wait for it until deadline (>= 0). */
enum pool_wait pool_run(struct job *job, int64_t deadline);
/* Queue the job and return at once: true, the pool holding a reference of
 * its own until the worker is done (notify is called then, under the
 * pool's lock, unless the job was abandoned); false when refused, the
 * caller's reference untouched. */
bool pool_submit(struct job *job);
/* Whether a submitted job is done (its results may then be read); when it
 * is not and or_abandon is set, pool_abandon() it under the same lock. */
bool job_finished(struct job *job, bool or_abandon);
/* Drop the caller's reference to a submitted job, done or not: a queued
 * job is taken off the queue, a running one finishes on its own, and its
 * notify is never called after this returns. */
void pool_abandon(struct job *job);

/* ------------------------------------------------------------------------ */
/* text.c: text out, numbers in                                             */
/* ------------------------------------------------------------------------ */

/* Copy text (len bytes) into buf with its NUL when it fits: its length;
 * else -ENOSPC, and buf holds "" when size > 0. Every *_ntop ends so. */
int text_out(char *buf, size_t size, const char *text, size_t len);

#define DECIMAL_NO_LEADING_ZERO 0x1u /* "0" is fine, "01" is not a number */

/* s[0..n) as a decimal number: digits only (no sign, no blanks), at most
 * max. 0 and *out; DECIMAL_BAD when it is empty or not all digits;
 * DECIMAL_RANGE when it is all digits and above max (never wraps). */
#define DECIMAL_BAD (-1)
#define DECIMAL_RANGE (-2)
int parse_decimal(const char *s, size_t n, uint64_t max, unsigned flags, uint64_t *out);

/* ------------------------------------------------------------------------ */
/* resolve.c                                                                 */
/* ------------------------------------------------------------------------ */

/* anysock_resolve() for a host and service endpoint_split() already took
 * apart (listen.c and connect.c split first, to see the service). */
int resolve_split(const char *host, const char *service, int socktype, unsigned flags,
		  int timeout_ms, anysock_addr *out, size_t max);

/* Which family a connection should try first (order.c, RFC 6724 on the
 * two families' first addresses): AF_INET6 or AF_INET. local: the address
 * the attempts bind to, or NULL. */
int order_first_family(const anysock_addr *v6, const anysock_addr *v4, const anysock_addr *local);

/* ------------------------------------------------------------------------ */
/* addr.c                                                                    */
/* ------------------------------------------------------------------------ */

/* The family of a valid address, or -EINVAL (NULL, AF_UNSPEC, a length that
 * disagrees with the family) or -EAFNOSUPPORT (any other family). */
int addr_check(const anysock_addr *a);
/* The same, and -EAFNOSUPPORT for AF_UNIX: for what only IP can do. */
int addr_check_ip(const anysock_addr *a);

/* ::ffff:0:0/96, RFC 4291 section 2.5.5.2, on the 16 address bytes. */
static inline bool bytes_are_mapped(const unsigned char b[16])
{
	static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0,
						  0, 0, 0, 0, 0xff, 0xff };
	return memcmp(b, prefix, sizeof(prefix)) == 0;
}

static inline bool in6_is_mapped(const struct in6_addr *ip)
{
	return bytes_are_mapped(ip->s6_addr);
}

/* Whether the system resolver answers from /etc/hosts without asking a
 * name server (hosts.c): an address (AF_INET/AF_INET6, canonical), or a
 * name with an entry of the family asked for (AF_UNSPEC: either). */
bool hosts_has_addr(const anysock_addr *a);
bool hosts_has_name(const char *name, int family);
/* getaddrinfo(name, service, hints) for a name the hosts file answers, as
 * resolve_collect() gives it: what glibc answered less than a second ago
 * (and both files unchanged), else asked now and kept. */
int hosts_resolve(const char *name, const char *service, const struct addrinfo *hints,
		  anysock_addr *out, size_t max);

/* The IPv4 address an IPv6 address carries (addr.c, one table of the
 * forms): the form's ANYSOCK_CLASS_* bit, or 0 when it carries none. */
unsigned embedded_v4(const unsigned char b[16], unsigned char v4[4]);
/* The IPv4 host an IPv6 address stands for: mapped always, compatible and
 * NAT64 forms when flags ask (ANYSOCK_CANON_*). */
bool bytes_canonical_v4(const unsigned char b[16], unsigned flags, unsigned char v4[4]);

#endif
