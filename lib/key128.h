/*
 * key128.h - every IP address as one 128-bit key: IPv6 as it is, IPv4 as
 * ::ffff:a.b.c.d, so an IPv4 prefix and its mapped spelling are the same
 * key range; and the one order of keys. (All inline: there is no key128.c.
 * Lookups over sets of key ranges: ranges.h.)
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_KEY128_H
#define ANYSOCK_KEY128_H

#include "internal.h"

struct key128 {
	uint64_t hi, lo;
};

static inline uint64_t load_be64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof(v)); /* one load: p need not be aligned */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline struct key128 key_from_bytes(const unsigned char b[16])
{
	return (struct key128){ load_be64(b), load_be64(b + 8) };
}

static inline struct key128 key_from_v4(const unsigned char v4[4])
{
	struct key128 k = { 0, 0xffff00000000u };
	k.lo |= (uint64_t)v4[0] << 24 | (uint64_t)v4[1] << 16 | (uint64_t)v4[2] << 8 | v4[3];
	return k;
}

/* The key of an AF_INET or AF_INET6 address (the caller checked which). */
static inline struct key128 key_from_addr(const anysock_addr *a)
{
	return a->u.sa.sa_family == AF_INET ? key_from_v4((const unsigned char *)&a->u.sin.sin_addr)
					    : key_from_bytes(a->u.sin6.sin6_addr.s6_addr);
}

/* The one 128-bit key order: <0, 0, >0. */
static inline int key_cmp(struct key128 a, struct key128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	return (a.lo > b.lo) - (a.lo < b.lo);
}

#endif
