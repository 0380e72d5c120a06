/*
 * bench.h - what the benchmarks share: a monotonic clock, a fixed-seed
 * generator (every run measures the same inputs), a comparator for qsort.
 * SPDX-License-Identifier: MIT
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
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

#endif
