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
int fd_set_nonblock(int fd, bool on);
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

/* ------------------------------------------------------------------------ */
/* text.c: numbers in text                                                   */
/* ------------------------------------------------------------------------ */

#define DECIMAL_NO_LEADING_ZERO 0x1u /* "0" is fine, "01" is not a number */

/* s[0..n) as a decimal number: digits only (no sign, no blanks), at most
 * max. 0 and *out; DECIMAL_BAD when it is empty or not all digits;
 * DECIMAL_RANGE when it is all digits and above max (never wraps). */
#define DECIMAL_BAD (-1)
#define DECIMAL_RANGE (-2)
int parse_decimal(const char *s, size_t n, uint64_t max, unsigned flags, uint64_t *out);

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

/*
 * Longest-prefix and first-match lookups (ranges.c), shared by the
 * classification table and access lists.
 *
 * Every address is a 128-bit key: IPv6 as it is, IPv4 as ::ffff:a.b.c.d, so
 * an IPv4 prefix and its mapped spelling are the same key range. A set of
 * prefixes is flattened into sorted, disjoint ranges, each carrying the
 * value of the prefix that decides it; a lookup is a binary search inside
 * the slice of ranges that shares the key's first IPv6 (or, for mapped
 * keys, IPv4) octet.
 */
struct key128 {
	uint64_t hi, lo;
};

static inline struct key128 key_from_bytes(const unsigned char b[16])
{
	struct key128 k = { 0, 0 };
	for (int i = 0; i < 8; i++) {
		k.hi = k.hi << 8 | b[i];
		k.lo = k.lo << 8 | b[8 + i];
	}
	return k;
}

static inline struct key128 key_from_v4(const unsigned char v4[4])
{
	struct key128 k = { 0, 0xffff00000000u };
	k.lo |= (uint64_t)v4[0] << 24 | (uint64_t)v4[1] << 16 |
		(uint64_t)v4[2] << 8 | v4[3];
	return k;
}

/* The key of an AF_INET or AF_INET6 address (the caller checked which). */
static inline struct key128 key_from_addr(const anysock_addr *a)
{
	return a->u.sa.sa_family == AF_INET
		       ? key_from_v4((const unsigned char *)&a->u.sin.sin_addr)
		       : key_from_bytes(a->u.sin6.sin6_addr.s6_addr);
}

/* A prefix to flatten: its first key, its length in bits of the 128-bit
 * key (an IPv4 /8 is 104), the value it gives and its rank. Where prefixes
 * nest, the one with the lowest rank decides (rank = rule order gives first
 * match; rank = 128 - len gives longest match); equal prefixes: lowest rank. */
struct range_input {
	struct key128 start;
	int len;
	int32_t value;
	uint32_t rank;
};

struct range_table {
	size_t n;                    /* ranges; start[0] is 0 */
	struct key128 *start;        /* sorted range starts */
	int32_t *value;              /* value of [start[i], start[i + 1]), -1: none */
	uint32_t v6_slice[256][2];   /* by first octet: [first, end) to search */
	uint32_t v4_slice[256][2];   /* the same inside ::ffff:0:0/96 */
};

/* A valid prefix as its first key and its length in key bits (prefix.c). */
void prefix_key(const anysock_prefix *p, struct key128 *start, int *len);

/* Build t from in[0..n) (which is reordered). Returns 0 or -ENOMEM; t is
 * untouched on failure. */
int ranges_build(struct range_table *t, struct range_input *in, size_t n);
void ranges_free(struct range_table *t);

/* The one 128-bit key order: <0, 0, >0. */
static inline int key_cmp(struct key128 a, struct key128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	return (a.lo > b.lo) - (a.lo < b.lo);
}

/* The one "last range at or before": the last i in [a, b) with
 * start[i] <= k, given start[a] <= k. */
static inline size_t last_start_at_or_before(const struct key128 *start, size_t a, size_t b,
					     struct key128 k)
{
	while (b - a > 1) { /* invariant: start[a] <= k < start[b] */
		size_t mid = a + (b - a) / 2;
		if (key_cmp(start[mid], k) <= 0)
			a = mid;
		else
			b = mid;
	}
	return a;
}

/* The value deciding key k, or -1. */
static inline int32_t ranges_lookup(const struct range_table *t, struct key128 k)
{
	const uint32_t *slice = k.hi == 0 && (k.lo >> 32) == 0xffff
					? t->v4_slice[(k.lo >> 24) & 0xff]
					: t->v6_slice[k.hi >> 56];
	return t->value[last_start_at_or_before(t->start, slice[0], slice[1], k)];
}

/* Whether the system resolver answers from /etc/hosts without asking a
 * name server (hosts.c): an address (AF_INET/AF_INET6, canonical), or a
 * name with an entry of the family asked for (AF_UNSPEC: either). */
bool hosts_has_addr(const anysock_addr *a);
bool hosts_has_name(const char *name, int family);

/* An IPv4 address behind a compatible or NAT64 well-known-prefix form,
 * when flags ask (ANYSOCK_CANON_*); mapped forms always count. */
bool bytes_canonical_v4(const unsigned char b[16], unsigned flags, unsigned char v4[4]);

#endif
