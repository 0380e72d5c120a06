/*
 * bench_classify.c - anysock_addr_class against a naive linear scan.
 *
 * The baseline is what a program writes by hand: a list of (prefix, length)
 * pairs checked one by one with a byte-wise prefix match, first hit wins.
 * Both run over the same 4096 mixed IPv4/IPv6 addresses in this process;
 * ratio = baseline time / anysock time (higher is better).
 *
 * Run: make bench
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "anysock.h"
#include "bench.h"

#define N 4096
#define ROUNDS 31
#define REPEAT 64

static anysock_addr addrs[N];
static volatile unsigned sink;

/* The same blocks anysock knows, as text, scanned naively. */
static const char *naive_blocks[] = {
	"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
	"172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.31.196.0/24", "192.52.193.0/24",
	"192.88.99.0/24", "192.168.0.0/16", "192.175.48.0/24", "198.18.0.0/15",
	"198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
	"255.255.255.255/32", "::/128", "::1/128", "::ffff:0:0/96", "::/96", "64:ff9b::/96",
	"64:ff9b:1::/48", "100::/64", "2001::/23", "2001::/32", "2001:2::/48", "2001:3::/32",
	"2001:4:112::/48", "2001:10::/28", "2001:20::/28", "2001:30::/28", "2001:db8::/32",
	"2002::/16", "2620:4f:8000::/48", "3fff::/20", "5f00::/16", "fc00::/7", "fe80::/10",
	"fec0::/10", "ff00::/8",
};
#define NB (sizeof(naive_blocks) / sizeof(naive_blocks[0]))
static struct { int family, len; unsigned char b[16]; } naive[NB];

static void naive_init(void)
{
	for (size_t i = 0; i < NB; i++) {
		char text[64];
		strcpy(text, naive_blocks[i]);
		char *slash = strchr(text, '/');
		*slash = '\0';
		naive[i].len = atoi(slash + 1);
		naive[i].family = strchr(text, ':') ? AF_INET6 : AF_INET;
		inet_pton(naive[i].family, text, naive[i].b);
	}
}

static bool prefix_match(const unsigned char *a, const unsigned char *p, int len)
{
	int full = len / 8, rest = len % 8;
	if (memcmp(a, p, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (p[full] & mask);
}

static unsigned naive_class(const anysock_addr *a)
{
	int family = a->u.sa.sa_family;
	const unsigned char *b = family == AF_INET ? (const unsigned char *)&a->u.sin.sin_addr
						   : a->u.sin6.sin6_addr.s6_addr;
	for (size_t i = 0; i < NB; i++)
		if (naive[i].family == family && prefix_match(b, naive[i].b, naive[i].len))
			return (unsigned)i + 1;
	return 0;
}

/* One round of contender which (0: anysock, 1: the naive scan), ns/op. */
static double round_of(int which, void *unused)
{
	(void)unused;
	unsigned (*fn)(const anysock_addr *) = which == 0 ? anysock_addr_class : naive_class;
	double t0 = bench_now_ns();
	for (int k = 0; k < REPEAT; k++)
		for (int i = 0; i < N; i++)
			sink += fn(&addrs[i]);
	return (bench_now_ns() - t0) / ((double)N * REPEAT);
}

int main(void)
{
	static const char *samples[] = {
		"8.8.8.8", "192.168.1.10", "10.1.2.3", "127.0.0.1", "203.0.113.7", "93.184.216.34",
		"2606:4700::1111", "2001:db8::1", "fe80::1", "::ffff:127.0.0.1", "64:ff9b::a00:1",
		"fd12:3456::1", "ff02::1", "2a00:1450:4001::200e", "::1", "172.20.0.5",
	};
	uint64_t rng = 0x2545F4914F6CDD1DULL;
	for (int i = 0; i < N; i++) {
		rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
		anysock_pton(samples[(rng * 0x2545F4914F6CDD1DULL) >> 60], &addrs[i], 0);
	}
	naive_init();
	sink += anysock_addr_class(&addrs[0]); /* warm the cache outside the timing */
	struct bench_pair p = bench_alternate(ROUNDS, round_of, NULL);
	printf("anysock classify benchmark: %d mixed addresses x %d passes, %d alternating rounds\n\n",
	       N, REPEAT, ROUNDS);
	bench_print_pair("anysock_addr_class", "naive linear scan", p);
	return 0;
}
