/*
 * bench_text.c - anysock_ntop/anysock_pton against glibc in the same process.
 *
 * Each row times one operation over the same 4096 inputs for ours and for
 * the baseline, best of several rounds, and prints ns/op and the ratio
 * (baseline time / our time: above 1 means we are faster). It also counts
 * heap allocations made inside the measured loops, which must be zero.
 *
 * Run: make bench
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "anysock.h"
#include "bench.h"

/* Count allocations: the library and libc resolve malloc to this one. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
static volatile unsigned long allocations;
void *malloc(size_t n)
{
	allocations++;
	return __libc_malloc(n);
}
void *calloc(size_t n, size_t m)
{
	allocations++;
	return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n)
{
	allocations++;
	return __libc_realloc(p, n);
}

#define N 4096
#define ROUNDS 7
#define REPEAT 64 /* passes over the N inputs per round */

static anysock_addr addrs4[N], addrs6[N];
static struct in_addr raw4[N];
static struct in6_addr raw6[N];
static char text4[N][ANYSOCK_ADDRSTRLEN], text6[N][ANYSOCK_ADDRSTRLEN];
static char text4p[N][ANYSOCK_ADDRSTRLEN], text6p[N][ANYSOCK_ADDRSTRLEN];
static volatile unsigned sink;

typedef void (*op_fn)(int i);

/* Best-of-ROUNDS ns per call of fn over all N inputs. */
static double measure(op_fn fn)
{
	double best = 1e30;
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = bench_now_ns();
		for (int k = 0; k < REPEAT; k++)
			for (int i = 0; i < N; i++)
				fn(i);
		double per = (bench_now_ns() - t0) / ((double)N * REPEAT);
		best = per < best ? per : best;
	}
	return best;
}

/* ---- The operations ------------------------------------------------------ */

static void ours_ntop4(int i)
{
	char b[ANYSOCK_ADDRSTRLEN];
	sink += (unsigned)anysock_ntop(&addrs4[i], b, sizeof(b), ANYSOCK_NTOP_NOPORT);
}
static void glibc_ntop4(int i)
{
	char b[INET_ADDRSTRLEN];
	sink += (unsigned)(inet_ntop(AF_INET, &raw4[i], b, sizeof(b)) != NULL);
}
static void ours_ntop6(int i)
{
	char b[ANYSOCK_ADDRSTRLEN];
	sink += (unsigned)anysock_ntop(&addrs6[i], b, sizeof(b), ANYSOCK_NTOP_NOPORT);
}
static void glibc_ntop6(int i)
{
	char b[INET6_ADDRSTRLEN];
	sink += (unsigned)(inet_ntop(AF_INET6, &raw6[i], b, sizeof(b)) != NULL);
}
static void ours_ntop6_port(int i)
{
	char b[ANYSOCK_ADDRSTRLEN];
	sink += (unsigned)anysock_ntop(&addrs6[i], b, sizeof(b), 0);
}
/* What programs write without the library: inet_ntop, then snprintf. */
static void glibc_ntop6_port(int i)
{
	char a[INET6_ADDRSTRLEN], b[ANYSOCK_ADDRSTRLEN];
	inet_ntop(AF_INET6, &addrs6[i].u.sin6.sin6_addr, a, sizeof(a));
	sink += (unsigned)snprintf(b, sizeof(b), "[%s]:%u", a, ntohs(addrs6[i].u.sin6.sin6_port));
}
static void ours_pton4(int i)
{
	anysock_addr a;
	sink += (unsigned)anysock_pton(text4[i], &a, 0);
}
static void glibc_pton4(int i)
{
	struct in_addr a;
	sink += (unsigned)inet_pton(AF_INET, text4[i], &a);
}
static void ours_pton6(int i)
{
	anysock_addr a;
	sink += (unsigned)anysock_pton(text6[i], &a, 0);
}
static void glibc_pton6(int i)
{
	struct in6_addr a;
	sink += (unsigned)inet_pton(AF_INET6, text6[i], &a);
}
static void ours_pton4_port(int i)
{
	anysock_addr a;
	sink += (unsigned)anysock_pton(text4p[i], &a, 0);
}
static void ours_pton6_port(int i)
{
	anysock_addr a;
	sink += (unsigned)anysock_pton(text6p[i], &a, 0);
}

/* What programs write without the library: split at the last ':', strip
 * brackets, inet_pton the host, strtoul the port. */
static int split_and_parse(const char *text, int family, void *dst, unsigned long *port)
{
	const char *colon = strrchr(text, ':');
	char host[INET6_ADDRSTRLEN];
	const char *h = text;
	size_t n = (size_t)(colon - text);
	if (family == AF_INET6) {
		h++;
		n -= 2;
	}
	if (n >= sizeof(host))
		return 0;
	memcpy(host, h, n);
	host[n] = '\0';
	char *end;
	*port = strtoul(colon + 1, &end, 10);
	return *end == '\0' && *port <= 65535 && inet_pton(family, host, dst) == 1;
}
static void hand_pton4_port(int i)
{
	struct in_addr a;
	unsigned long port;
	sink += (unsigned)split_and_parse(text4p[i], AF_INET, &a, &port);
}
static void hand_pton6_port(int i)
{
	struct in6_addr a;
	unsigned long port;
	sink += (unsigned)split_and_parse(text6p[i], AF_INET6, &a, &port);
}

/* ---- Inputs: a realistic mix ------------------------------------------------ */

static void make_inputs(void)
{
	for (int i = 0; i < N; i++) {
		uint64_t r = bench_rnd();
		raw4[i].s_addr = (uint32_t)r;
		anysock_addr_from_in(&addrs4[i], &raw4[i], (int)(r >> 32) & 0xffff);
		/* IPv6: global unicast with zero runs, link-local, mapped, loopback. */
		unsigned char *b = raw6[i].s6_addr;
		for (int k = 0; k < 16; k += 8) {
			uint64_t q = bench_rnd();
			memcpy(b + k, &q, 8);
		}
		switch (r % 4) {
		case 0: /* 2001:db8:xxxx::yyyy */
			memset(b + 6, 0, 8);
			b[0] = 0x20; b[1] = 0x01; b[2] = 0x0d; b[3] = 0xb8;
			break;
		case 1: /* fe80::iid */
			memset(b, 0, 8);
			b[0] = 0xfe; b[1] = 0x80;
			break;
		case 2: /* ::ffff:v4 */
			memset(b, 0, 10);
			b[10] = b[11] = 0xff;
			break;
		default: /* full 8 groups */
			break;
		}
		anysock_addr_from_in6(&addrs6[i], &raw6[i], (int)(r >> 40) & 0xffff, 0);
		anysock_ntop(&addrs4[i], text4[i], ANYSOCK_ADDRSTRLEN, ANYSOCK_NTOP_NOPORT);
		anysock_ntop(&addrs6[i], text6[i], ANYSOCK_ADDRSTRLEN, ANYSOCK_NTOP_NOPORT);
		anysock_ntop(&addrs4[i], text4p[i], ANYSOCK_ADDRSTRLEN, 0);
		anysock_ntop(&addrs6[i], text6p[i], ANYSOCK_ADDRSTRLEN, 0);
	}
}

static unsigned long ours_total;

static void row(const char *what, op_fn ours, const char *base_name, op_fn base)
{
	unsigned long before = allocations;
	double o = measure(ours);
	unsigned long ours_allocs = allocations - before;
	ours_total += ours_allocs;
	double b = measure(base);
	printf("%-30s %7.1f ns/op   %-26s %7.1f ns/op   ratio %5.2fx%s\n", what, o,
	       base_name, b, b / o, ours_allocs ? "   (ALLOCATES!)" : "");
}

int main(void)
{
	make_inputs();
	printf("anysock text benchmark: %d inputs x %d passes, best of %d rounds\n"
	       "ratio = baseline time / anysock time (higher is better)\n\n",
	       N, REPEAT, ROUNDS);
	row("anysock_ntop v4", ours_ntop4, "inet_ntop v4", glibc_ntop4);
	row("anysock_ntop v6", ours_ntop6, "inet_ntop v6", glibc_ntop6);
	row("anysock_ntop [v6]:port", ours_ntop6_port, "inet_ntop+snprintf", glibc_ntop6_port);
	row("anysock_pton v4", ours_pton4, "inet_pton v4", glibc_pton4);
	row("anysock_pton v6", ours_pton6, "inet_pton v6", glibc_pton6);
	row("anysock_pton v4:port", ours_pton4_port, "inet_pton v4 (no port)", glibc_pton4);
	row("anysock_pton [v6]:port", ours_pton6_port, "inet_pton v6 (no port)", glibc_pton6);
	row("anysock_pton v4:port", ours_pton4_port, "split+inet_pton+strtoul", hand_pton4_port);
	row("anysock_pton [v6]:port", ours_pton6_port, "split+inet_pton+strtoul", hand_pton6_port);
	printf("\nheap allocations by anysock in the measured loops: %lu\n", ours_total);
	return ours_total == 0 ? 0 : 1;
}
