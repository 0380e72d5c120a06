/*
 * ranges.h - longest-prefix and first-match lookups (ranges.c), shared by
 * the classification table (classify.c) and access lists (acl.c).
 *
 * A set of prefixes is flattened into sorted, disjoint ranges of 128-bit
 * keys (key128.h), each carrying the value of the prefix that decides it;
 * a lookup is a binary search inside the slice of ranges that shares the
 * key's first IPv6 (or, for mapped keys, IPv4) octet.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_RANGES_H
#define ANYSOCK_RANGES_H

#include "key128.h"

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

#define RANGES_V6_FROM (UINT64_C(1) << 48) /* the low key half of ::1:0:0:0 */

/* One level of the index over the ranges: by one byte of the key, the
 * [first, end) of ranges to search, or a node one byte deeper. */
struct range_node {
	uint32_t slice[256][2];
	uint16_t child[256]; /* 0: none (node 0 is a root, never a child) */
};

struct range_table {
	size_t n;                   /* ranges; start[0] is 0 */
	const struct key128 *start; /* sorted range starts */
	const int32_t *value;       /* value of [start[i], start[i + 1]), -1: none */
	/* node[0] by IPv6's first byte (its 0 from ::1:0:0:0, past the mapped
	 * block), node[1] by the first byte of the IPv4 inside ::ffff:0:0/96;
	 * a slice with many ranges gets a child node for the next byte. */
	const struct range_node *node;
	uint32_t low_slice[2]; /* [::, ::ffff:0:0): ::, ::1, ::a.b.c.d */
};

/* Build t from in[0..n) (which is reordered). Returns 0 or -ENOMEM; t is
 * untouched on failure. (The classification table is built once, by
 * lib/classify-gen, and compiled in as constant data.) */
int ranges_build(struct range_table *t, struct range_input *in, size_t n);
void ranges_free(struct range_table *t);

/* a <= b, without a branch: the search below runs on mixed addresses, and
 * a mispredicted branch per step cost more than the rest of the lookup. */
static inline bool key_le(struct key128 a, struct key128 b)
{
	return (a.hi < b.hi) | ((a.hi == b.hi) & (a.lo <= b.lo));
}

/* The one "last range at or before": the last i in [a, b) with
 * start[i] <= k, given start[a] <= k. Branch-free halving: the number of
 * steps depends only on b - a, and each step is a conditional move. */
static inline size_t last_start_at_or_before(const struct key128 *start, size_t a, size_t b,
					     struct key128 k)
{
	size_t n = b - a;
	while (n > 1) {
		size_t half = n / 2;
		a += half & -(size_t)key_le(start[a + half], k); /* no branch for gcc to guess */
		n -= half;
	}
	return a;
}

/* Byte i (0..15) of a key, as in the address. */
static inline unsigned key_byte(struct key128 k, unsigned i)
{
	return (unsigned)((i < 8 ? k.hi >> (56 - 8 * i) : k.lo >> (120 - 8 * i)) & 0xff);
}

/* The value deciding key k, or -1. */
static inline int32_t ranges_lookup(const struct range_table *t, struct key128 k)
{
	const uint32_t *slice = t->low_slice;
	unsigned byte = k.hi != 0 || k.lo >= RANGES_V6_FROM ? 0 : (k.lo >> 32) == 0xffff ? 12 : 16;
	if (byte < 16) {
		const struct range_node *node = &t->node[byte == 0 ? 0 : 1];
		unsigned i = key_byte(k, byte);
		while (node->child[i] != 0) {
			node = &t->node[node->child[i]];
			i = key_byte(k, ++byte);
		}
		slice = node->slice[i];
	}
	return t->value[last_start_at_or_before(t->start, slice[0], slice[1], k)];
}

#endif
