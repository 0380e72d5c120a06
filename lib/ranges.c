/*
 * ranges.c - flatten nested prefixes into sorted disjoint ranges.
 *
 * Prefixes never overlap partially: two of them are either disjoint or one
 * contains the other. Sorted by first key (and, at equal first keys, the
 * shorter prefix first), they can be swept with a stack of the prefixes
 * that contain the current point; the top of the stack carries the winner
 * among them. Each push and pop starts a new range. The result answers a
 * lookup with one binary search, whatever the number of nested rules, and
 * the first-octet slices keep that search short.
 *
 * SPDX-License-Identifier: MIT
 */
#include "internal.h"

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

/* Slice i covers keys [first_i, first_{i+1}); its search space runs from
 * the range holding first_i up to the last range starting inside it. */
static void make_slices(const struct builder *b, uint32_t slice[256][2], bool v4)
{
	for (unsigned i = 0; i < 256; i++) {
		struct key128 first = v4 ? (struct key128){ 0, 0xffff00000000u | (uint64_t)i << 24 }
					 : (struct key128){ (uint64_t)i << 56, 0 };
		struct key128 last = v4 ? (struct key128){ 0, first.lo | 0xffffffu }
					: (struct key128){ first.hi | (UINT64_MAX >> 8), UINT64_MAX };
		slice[i][0] = (uint32_t)last_at_or_before(b, first);
		slice[i][1] = (uint32_t)last_at_or_before(b, last) + 1;
	}
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
	make_slices(&b, t->v6_slice, false);
	make_slices(&b, t->v4_slice, true);
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
	free(t->start);
	free(t->value);
	t->start = NULL;
	t->value = NULL;
	t->n = 0;
}
