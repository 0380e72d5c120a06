/*
 * bench_acl.c - anysock_acl_check on 10 000 prefixes against a linear scan.
 *
 * The list: 10 000 random rules, 60% IPv4 (/8 to /32, most /16 to /24),
 * 40% IPv6 (/16 to /64 inside 2000::/3), allow or deny at random, parsed
 * from text. The addresses: 4096, half inside some rule (a quarter of those
 * in the ::ffff: spelling), half anywhere. The baseline is the loop a
 * program writes by hand: rules as integers and masks, checked in order,
 * first hit wins (IPv4 as one 32-bit compare, IPv6 as two 64-bit ones,
 * after unmapping). Both run in this process on the same addresses; ratio
 * = baseline time / anysock time.
 *
 * Run: make bench   (or bench/bench_acl N for N rules)
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "anysock.h"
#include "bench.h"

#define NADDR 4096
#define ROUNDS 15

struct naive_rule {
	int family, action;
	uint32_t v4, m4;
	uint64_t hi, lo, mhi, mlo;
};

static struct naive_rule *naive;
static size_t nrules;
static int naive_default;
static anysock_addr addrs[NADDR];
static volatile int sink;

static uint64_t be64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static int naive_check(const anysock_addr *a)
{
	anysock_addr c = *a;
	anysock_addr_unmap(&c);
	if (c.u.sa.sa_family == AF_INET) {
		uint32_t v4 = ntohl(c.u.sin.sin_addr.s_addr);
		for (size_t i = 0; i < nrules; i++)
			if (naive[i].family == AF_INET && (v4 & naive[i].m4) == naive[i].v4)
				return naive[i].action;
	} else {
		uint64_t hi = be64(c.u.sin6.sin6_addr.s6_addr), lo = be64(c.u.sin6.sin6_addr.s6_addr + 8);
		for (size_t i = 0; i < nrules; i++)
			if (naive[i].family == AF_INET6 && (hi & naive[i].mhi) == naive[i].hi &&
			    (lo & naive[i].mlo) == naive[i].lo)
				return naive[i].action;
	}
	return naive_default;
}

static const anysock_acl *the_acl;
static int ours_check(const anysock_addr *a)
{
	return anysock_acl_check(the_acl, a, NULL);
}

/* One round of contender which (0: anysock, 1: the linear scan), ns/op;
 * the scan is so slow past 1,000 rules that one pass is plenty. */
static double round_of(int which, void *unused)
{
	(void)unused;
	int (*fn)(const anysock_addr *) = which == 0 ? ours_check : naive_check;
	int repeat = which == 0 ? 64 : nrules > 1000 ? 1 : 16;
	double t0 = bench_now_ns();
	for (int k = 0; k < repeat; k++)
		for (int i = 0; i < NADDR; i++)
			sink += fn(&addrs[i]);
	return (bench_now_ns() - t0) / ((double)NADDR * repeat);
}

static uint64_t top(int n)
{
	return n <= 0 ? 0 : n >= 64 ? UINT64_MAX : ~(UINT64_MAX >> n);
}

int main(int argc, char **argv)
{
	nrules = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	naive = calloc(nrules, sizeof(*naive));
	anysock_prefix *rules = calloc(nrules, sizeof(*rules));
	size_t cap = nrules * 64 + 64, len = 0;
	char *text = malloc(cap);
	for (size_t i = 0; i < nrules; i++) {
		anysock_addr a;
		unsigned plen;
		if (bench_rnd() % 10 < 6) {
			struct in_addr ip = { htonl((uint32_t)bench_rnd()) };
			anysock_addr_from_in(&a, &ip, 0);
			plen = (unsigned)(bench_rnd() % 4 == 0 ? 8 + bench_rnd() % 25 : 16 + bench_rnd() % 9);
		} else {
			struct in6_addr ip;
			for (int k = 0; k < 16; k++)
				ip.s6_addr[k] = (unsigned char)bench_rnd();
			ip.s6_addr[0] = (unsigned char)(0x20 | (ip.s6_addr[0] & 0x1f));
			anysock_addr_from_in6(&a, &ip, 0, 0);
			plen = (unsigned)(16 + bench_rnd() % 49);
		}
		anysock_prefix_from_addr(&rules[i], &a, plen);
		struct naive_rule *n = &naive[i];
		n->family = rules[i].family;
		n->action = (int)(bench_rnd() % 2);
		if (n->family == AF_INET) {
			n->m4 = rules[i].len ? ~0u << (32 - rules[i].len) : 0;
			n->v4 = ntohl(rules[i].u.v4.s_addr);
		} else {
			n->mhi = top((int)rules[i].len);
			n->mlo = top((int)rules[i].len - 64);
			n->hi = be64(rules[i].u.v6.s6_addr);
			n->lo = be64(rules[i].u.v6.s6_addr + 8);
		}
		char pt[ANYSOCK_PREFIXSTRLEN];
		anysock_prefix_ntop(&rules[i], pt, sizeof(pt));
		len += (size_t)snprintf(text + len, cap - len, "%s %s\n", n->action ? "allow" : "deny", pt);
	}
	naive_default = 0;
	snprintf(text + len, cap - len, "default deny\n");

	for (int i = 0; i < NADDR; i++) {
		anysock_addr *a = &addrs[i];
		if (i % 2 == 0 && nrules > 0) { /* inside a rule, random host bits */
			const anysock_prefix *p = &rules[bench_rnd() % nrules];
			if (p->family == AF_INET) {
				uint32_t host = p->len == 32 ? 0 : (uint32_t)bench_rnd() & (~0u >> p->len);
				struct in_addr ip = { htonl(ntohl(p->u.v4.s_addr) | host) };
				anysock_addr_from_in(a, &ip, 0);
				if (bench_rnd() % 4 == 0)
					anysock_addr_map(a);
			} else {
				struct in6_addr ip = p->u.v6;
				for (unsigned b = p->len; b < 128; b++)
					if (bench_rnd() % 2)
						ip.s6_addr[b / 8] |= (unsigned char)(0x80 >> (b % 8));
				anysock_addr_from_in6(a, &ip, 0, 0);
			}
		} else if (bench_rnd() % 2) {
			struct in_addr ip = { htonl((uint32_t)bench_rnd()) };
			anysock_addr_from_in(a, &ip, 0);
		} else {
			struct in6_addr ip;
			for (int k = 0; k < 16; k++)
				ip.s6_addr[k] = (unsigned char)bench_rnd();
			ip.s6_addr[0] = (unsigned char)(0x20 | (ip.s6_addr[0] & 0x1f));
			anysock_addr_from_in6(a, &ip, 0, 0);
		}
	}

	anysock_acl *acl;
	anysock_parse_error err;
	double t0 = bench_now_ns();
	int r = anysock_acl_parse(text, 0, &acl, &err);
	double build_ms = (bench_now_ns() - t0) / 1e6;
	if (r < 0) {
		fprintf(stderr, "line %u col %u: %s\n", err.line, err.column, anysock_strerror(r));
		return 1;
	}
	the_acl = acl;
	/* Same answers first, or the timing means nothing. */
	int allowed = 0;
	for (int i = 0; i < NADDR; i++) {
		if (ours_check(&addrs[i]) != naive_check(&addrs[i])) {
			fprintf(stderr, "disagreement on address %d\n", i);
			return 1;
		}
		allowed += ours_check(&addrs[i]);
	}
	struct bench_pair p = bench_alternate(ROUNDS, round_of, NULL);
	printf("anysock acl benchmark: %zu rules (parsed in %.1f ms), %d addresses (%d allowed), "
	       "%d alternating rounds\n\n",
	       nrules, build_ms, NADDR, allowed, ROUNDS);
	bench_print_pair("anysock_acl_check", "linear first-match", p);
	anysock_acl_free(acl);
	free(text);
	free(rules);
	free(naive);
	return 0;
}
