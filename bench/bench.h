/*
 * bench.h - what the benchmarks share: a monotonic clock, a fixed-seed
 * generator (every run measures the same inputs), a comparator for qsort.
 * SPDX-License-Identifier: MIT
 */
#ifndef BENCH_H
#define BENCH_H

/* Figures of unoptimized code would mislead: the benchmarks build with
 * the default CFLAGS (-O2), and refuse a build without optimization. */
#ifndef __OPTIMIZE__
#error "build the benchmarks with optimization (the default CFLAGS, -O2)"
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static inline double bench_now(void)
{
	return bench_now_ns() / 1e9;
}

/* xorshift64*, seeded the same way in every run. */
static uint64_t bench_rng = 0x9e3779b97f4a7c15ULL;
static inline uint64_t bench_rnd(void)
{
	bench_rng ^= bench_rng >> 12;
	bench_rng ^= bench_rng << 25;
	bench_rng ^= bench_rng >> 27;
	return bench_rng * 0x2545F4914F6CDD1DULL;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Rounds of two contenders, alternating so that a noisy neighbour slows
 * both: each round calls run(which, arg) and records its ns per operation.
 * min is the figure least disturbed by the machine; the median and the
 * spread (max / min) say how much one run can mislead. */
struct bench_pair {
	double min[2], median[2], max[2];
};

static inline void bench_sorted_stats(double *v, int n, double *min, double *median, double *max)
{
	qsort(v, (size_t)n, sizeof(*v), bench_cmp_double);
	*min = v[0];
	*median = v[n / 2];
	*max = v[n - 1];
}

#define BENCH_MAX_ROUNDS 101
static inline struct bench_pair bench_alternate(int rounds, double (*run)(int which, void *arg),
						void *arg)
{
	double t[2][BENCH_MAX_ROUNDS];
	struct bench_pair p;
	if (rounds > BENCH_MAX_ROUNDS)
		rounds = BENCH_MAX_ROUNDS;
	for (int r = 0; r < rounds; r++)
		for (int w = 0; w < 2; w++)
			t[w][r] = run(w, arg);
	for (int w = 0; w < 2; w++)
		bench_sorted_stats(t[w], rounds, &p.min[w], &p.median[w], &p.max[w]);
	return p;
}

/* One line: a contender's min and median and its spread, the baseline's,
 * and the ratios baseline / contender of the medians and the minimums. */
static inline void bench_print_pair(const char *ours, const char *base, struct bench_pair p)
{
	printf("%-20s min %7.1f  median %7.1f ns/op (max/min %.2f)\n", ours, p.min[0], p.median[0],
	       p.max[0] / p.min[0]);
	printf("%-20s min %7.1f  median %7.1f ns/op (max/min %.2f)\n", base, p.min[1], p.median[1],
	       p.max[1] / p.min[1]);
	printf("ratio (%s / %s): median %.2fx, min %.2fx\n", base, ours, p.median[1] / p.median[0],
	       p.min[1] / p.min[0]);
}

#endif
