/*
 * internal.h - what lib/ files share and nobody outside sees.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_INTERNAL_H
#define ANYSOCK_INTERNAL_H

#include "config.h"

#include <string.h>

#include "anysock.h"

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* Offset of sun_path: the shortest valid AF_UNIX length (unnamed socket). */
#define UNIX_MIN_LEN ((socklen_t)offsetof(struct sockaddr_un, sun_path))

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

static inline bool key_le(struct key128 a, struct key128 b)
{
	return a.hi < b.hi || (a.hi == b.hi && a.lo <= b.lo);
}

/* The value deciding key k, or -1. */
static inline int32_t ranges_lookup(const struct range_table *t, struct key128 k)
{
	const uint32_t *slice = k.hi == 0 && (k.lo >> 32) == 0xffff
					? t->v4_slice[(k.lo >> 24) & 0xff]
					: t->v6_slice[k.hi >> 56];
	size_t a = slice[0], b = slice[1];
	while (b - a > 1) { /* invariant: start[a] <= k < start[b] */
		size_t mid = a + (b - a) / 2;
		if (key_le(t->start[mid], k))
			a = mid;
		else
			b = mid;
	}
	return t->value[a];
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
