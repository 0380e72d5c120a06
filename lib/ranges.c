/*
 * ranges.c - flatten nested prefixes into sorted disjoint ranges.
 *
 * Prefixes never overlap partially: two of them are either disjoint or one
 * contains the other. Sorted by first key (and, at equal first keys, the
 * shorter prefix first), they can be swept with a stack of the prefixes
 * that contain the current point; the top of the stack carries the winner
 * among them. Each push and pop starts a new range. The result answers a
 * lookup with one binary search, whatever the number of nested rules.
 *
 * An index keeps that search short: by the key's first byte (of IPv6, or
 * of the IPv4 inside ::ffff:0:0/96), the slice of ranges to search, and
 * for a crowded slice a node by the next byte (a small multibit trie). The
 * search itself has no branch to mispredict (ranges.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "key128.h"
#include "ranges.h"

#include <errno.h>
#include <stdlib.h>

#define NONE (-1)
#define RANK_NONE UINT32_MAX

static int cmp_input(const void *pa, const void *pb)
{
	const struct range_input *a = pa, *b = pb;
	int c = key_cmp(a->start, b->start);
	if (c != 0)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1; /* the container first */
	return (a->rank > b->rank) - (a->rank < b->rank);
}

/* The last key of a prefix: its start with every host bit set. */
static struct key128 last_key(struct key128 start, int len)
{
	struct key128 host = {
		len >= 64 ? 0 : len <= 0 ? UINT64_MAX : UINT64_MAX >> len,
		len >= 128 ? 0 : len <= 64 ? UINT64_MAX : UINT64_MAX >> (len - 64),
	};
	return (struct key128){ start.hi | host.hi, start.lo | host.lo };
}

struct open_prefix {
	struct key128 start, end;
	int len;
	int32_t value;  /* the winner here */
	uint32_t rank;  /* its rank */
};

struct builder {
	struct key128 *start;
	int32_t *value;
	size_t n;
};

/* A range starts at k with value v. Starts arrive in non-decreasing order;
 * one at the same key replaces the last, and a value equal to the one
 * before merges into it. */
static void emit(struct builder *b, struct key128 k, int32_t v)
{
	if (b->n > 0 && key_cmp(b->start[b->n - 1], k) == 0)
		b->n--;
	if (b->n > 0 && b->value[b->n - 1] == v)
		return;
	b->start[b->n] = k;
	b->value[b->n] = v;
	b->n++;
}

/* The range after a closed prefix: from end + 1, decided by what still
 * contains it. Nothing follows the very last key. */
static void emit_after(struct builder *b, struct key128 end, const struct open_prefix *outer)
{
	if (end.hi == UINT64_MAX && end.lo == UINT64_MAX)
		return;
	struct key128 next = { end.hi + (end.lo == UINT64_MAX), end.lo + 1 };
	emit(b, next, outer != NULL ? outer->value : NONE);
}

/* Index of the last range starting at or before k (start[0] is 0, so
 * there is one). */
static size_t last_at_or_before(const struct builder *b, struct key128 k)
{
	return last_start_at_or_before(b->start, 0, b->n, k);
}

/* [first, end) of the ranges that hold keys first..last. */
static void slice_of(const struct builder *b, struct key128 first, struct key128 last,
		     uint32_t slice[2])
{
	slice[0] = (uint32_t)last_at_or_before(b, first);
	slice[1] = (uint32_t)last_at_or_before(b, last) + 1;
}

#define CROWDED 8   /* a slice with more ranges than this gets a child node */
#define V6_DEPTH 4  /* IPv6: index by bytes 0..3 at most */
#define V4_DEPTH 15 /* IPv4: by bytes 12..14 */

/* k with byte i set to v and every bit after it set (ones) or clear. */
static struct key128 with_byte(struct key128 k, unsigned i, unsigned v, bool ones)
{
	uint64_t *w = i < 8 ? &k.hi : &k.lo;
	unsigned shift = 56 - 8 * (i % 8);
	uint64_t below = shift == 0 ? 0 : UINT64_MAX >> (64 - shift);
	*w = (*w & ~(below | (uint64_t)0xff << shift)) | (uint64_t)v << shift | (ones ? below : 0);
	if (i < 8)
		k.lo = ones ? UINT64_MAX : 0;
	return k;
}

/* A node to fill: entry j holds the keys that are prefix up to byte and j
 * at byte; bytes up to depth may be indexed. */
struct pending_node {
	size_t at;
	struct key128 prefix;
	unsigned byte, depth;
};

/* Fill one node; its crowded entries get children (queued behind it, so
 * the nodes go breadth-first: every family's first level before any
 * second) while nodes last. */
static void fill_node(const struct builder *b, struct range_node *nodes, struct pending_node *queue,
		      size_t *queued, size_t cap, const struct pending_node *p)
{
	const struct key128 v6_from = { 0, RANGES_V6_FROM };
	struct range_node *node = &nodes[p->at];
	for (unsigned j = 0; j < 256; j++) {
		struct key128 first = with_byte(p->prefix, p->byte, j, false);
		struct key128 last = with_byte(p->prefix, p->byte, j, true);
		if (p->byte < 12 && key_cmp(first, v6_from) < 0)
			first = v6_from; /* IPv6's node: the low and mapped keys go elsewhere */
		slice_of(b, first, last, node->slice[j]);
		node->child[j] = 0;
		if (node->slice[j][1] - node->slice[j][0] > CROWDED && p->byte + 1 < p->depth &&
		    *queued < cap) {
			node->child[j] = (uint16_t)*queued;
			queue[*queued] = (struct pending_node){ *queued, first, p->byte + 1, p->depth };
			++*queued;
		}
	}
}

/* The index over b's ranges, or -ENOMEM. A node (2.5 KiB) for crowded
 * slices is allowed per 32 ranges (0.6 KiB of them), and 16 at least: a
 * node is made only for a slice of more than CROWDED ranges, so a small
 * table stays small. With 10,000 random rules that halves the lookup time
 * (bench_acl) for about twice the memory. */
static int make_index(const struct builder *b, struct range_table *t)
{
	size_t extra = b->n / 32 < 16 ? 16 : b->n / 32; /* nodes come only where crowded */
	size_t cap = 2 + (extra < UINT16_MAX - 2 ? extra : UINT16_MAX - 2);
	struct range_node *nodes = malloc(cap * sizeof(*nodes));
	struct pending_node *queue = malloc(cap * sizeof(*queue));
	if (nodes == NULL || queue == NULL) {
		free(nodes);
		free(queue);
		return -ENOMEM;
	}
	queue[0] = (struct pending_node){ 0, { 0, 0 }, 0, V6_DEPTH };
	queue[1] = (struct pending_node){ 1, { 0, 0xffff00000000u }, 12, V4_DEPTH };
	size_t queued = 2;
	for (size_t i = 0; i < queued; i++)
		fill_node(b, nodes, queue, &queued, cap, &queue[i]);
	free(queue);
	slice_of(b, (struct key128){ 0, 0 }, (struct key128){ 0, 0xfffeffffffffu }, t->low_slice);
	/* Shrinking can only succeed or leave the larger block: keep either. */
	struct range_node *shrunk = realloc(nodes, queued * sizeof(*shrunk));
	t->node = shrunk != NULL ? shrunk : nodes;
	return 0;
}

int ranges_build(struct range_table *t, struct range_input *in, size_t n)
{
	if (n > (UINT32_MAX - 2) / 2)
		return -E2BIG;
	size_t cap = 2 * n + 1;
	struct builder b = { malloc(cap * sizeof(*b.start)), malloc(cap * sizeof(*b.value)), 0 };
	struct open_prefix *stack = malloc((n + 1) * sizeof(*stack));
	if (b.start == NULL || b.value == NULL || stack == NULL) {
		free(b.start);
		free(b.value);
		free(stack);
		return -ENOMEM;
	}
	qsort(in, n, sizeof(*in), cmp_input);
	size_t depth = 0;
	emit(&b, (struct key128){ 0, 0 }, NONE);
	for (size_t i = 0; i < n; i++) {
		const struct range_input *p = &in[i];
		while (depth > 0 && key_cmp(p->start, stack[depth - 1].end) > 0) {
			depth--;
			emit_after(&b, stack[depth].end, depth > 0 ? &stack[depth - 1] : NULL);
		}
		const struct open_prefix *top = depth > 0 ? &stack[depth - 1] : NULL;
		if (top != NULL && top->len == p->len && key_cmp(top->start, p->start) == 0)
			continue; /* the same prefix again: the first (lowest rank) stands */
		struct open_prefix o = { p->start, last_key(p->start, p->len), p->len,
					 top != NULL ? top->value : NONE,
					 top != NULL ? top->rank : RANK_NONE };
		if (p->rank < o.rank) {
			o.value = p->value;
			o.rank = p->rank;
		}
		stack[depth++] = o;
		emit(&b, o.start, o.value);
	}
	while (depth > 0) {
		depth--;
		emit_after(&b, stack[depth].end, depth > 0 ? &stack[depth - 1] : NULL);
	}
	free(stack);
	if (make_index(&b, t) < 0) {
		free(b.start);
		free(b.value);
		return -ENOMEM;
	}
	/* Shrinking can only succeed or leave the larger block: keep either. */
	struct key128 *s = realloc(b.start, b.n * sizeof(*s));
	int32_t *v = realloc(b.value, b.n * sizeof(*v));
	t->start = s != NULL ? s : b.start;
	t->value = v != NULL ? v : b.value;
	t->n = b.n;
	return 0;
}

void ranges_free(struct range_table *t)
{
	free((void *)t->node); /* built by ranges_build: its own memory */
	t->node = NULL;
	free((void *)t->start);
	free((void *)t->value);
	t->start = NULL;
	t->value = NULL;
	t->n = 0;
}
