/*
 * bench_nat64.c - IPv6-only networks (anysock_nat64(3)).
 *
 * 1. What discovery costs (RFC 7050, against the test's DNS64 responder):
 *    the first anysock_nat64_prefixes() of a process (a lookup on the
 *    worker pool, whose thread it starts) and a cached call, against a
 *    plain getaddrinfo(AF_INET6) of the same name in the same process.
 *    Every round is a fresh child process (the answer is process state),
 *    the two orders alternating.
 * 2. The measurements of the issue, in the lab of tests/netns/nat64lab.h
 *    (an IPv6-only client, tayga as the NAT64 for 2001:db8:64::/96, an
 *    IPv4-only server 192.0.2.2:8080), each in a fresh child: an IPv4
 *    literal, a name with only an A record, and is_global of an address
 *    carrying 10.0.0.1 under a global network-specific prefix once the
 *    process has met it.
 *
 * Built against a release without anysock_nat64_* (compile this file
 * with that release's header and library), 1 is left out and 2 prints
 * what that release does: the "before" of the NEWS entry.
 * As root on a throw-away host (bench/run.sh); 2 needs tayga.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "anysock.h"
#include "bench.h"
#include "../tests/netns/dns.h"
#include "../tests/netns/nat64lab.h"
#include "../tests/netns/netns.h"

#ifdef ANYSOCK_CONNECT_TRACE_NAT64 /* a release with anysock_nat64_* */
#define HAVE_NAT64 1
#else
#define HAVE_NAT64 0
#endif
#define ROUNDS 21
#define CACHED_CALLS 2000

static const struct dns_record records[] = {
	{ "ipv4only.arpa", 1, "192.0.0.170", 0 },
	{ "ipv4only.arpa", 1, "192.0.0.171", 0 },
	{ "v4only.test", 1, LAB_SERVER, 0 },
	{ "warm.test", 28, "2001:db8::1", 0 },
	{ NULL, 0, NULL, 0 },
};

/* Run fn in a child; what it wrote into out (n doubles). */
static void in_child(void (*fn)(double *out, int round), int round, double *out, int n)
{
	int p[2];
	if (pipe(p) < 0)
		abort();
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		fn(out, round);
		if (write(p[1], out, (size_t)n * sizeof(*out)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], out, (size_t)n * sizeof(*out)) != (ssize_t)(n * (int)sizeof(*out)))
		memset(out, 0, (size_t)n * sizeof(*out));
	close(p[0]);
	waitpid(pid, NULL, 0);
}

/* ------------------------------------------------------------------------ */
/* 1. Discovery                                                             */
/* ------------------------------------------------------------------------ */

static double plain_lookup(void)
{
	struct addrinfo hints = { .ai_family = AF_INET6, .ai_socktype = SOCK_STREAM }, *res;
	double t0 = bench_now_ns();
	if (getaddrinfo("ipv4only.arpa", NULL, &hints, &res) == 0)
		freeaddrinfo(res);
	return bench_now_ns() - t0;
}

#if HAVE_NAT64
static double first_discovery(void)
{
	anysock_prefix p[4];
	double t0 = bench_now_ns();
	int n = anysock_nat64_prefixes(p, 4, 2000);
	double t = bench_now_ns() - t0;
	return n == 1 ? t : -1;
}

/* out: plain getaddrinfo, first discovery, one cached call (ns). */
static void discovery_round(double *out, int round)
{
	struct addrinfo hints = { .ai_family = AF_INET6 }, *res;
	if (getaddrinfo("warm.test", NULL, &hints, &res) == 0) /* glibc's modules, loaded */
		freeaddrinfo(res);
	if (round % 2 == 0) {
		out[0] = plain_lookup();
		out[1] = first_discovery();
	} else {
		out[1] = first_discovery();
		out[0] = plain_lookup();
	}
	anysock_prefix p[4];
	double t0 = bench_now_ns();
	for (int i = 0; i < CACHED_CALLS; i++)
		anysock_nat64_prefixes(p, 4, 2000);
	out[2] = (bench_now_ns() - t0) / CACHED_CALLS;
}

static void stats(const char *what, double *v, int n, double base_median)
{
	double min, median, max;
	bench_sorted_stats(v, n, &min, &median, &max);
	printf("%-34s min %10.0f  median %10.0f  max %10.0f ns", what, min, median, max);
	if (base_median > 0)
		printf("  (%.3fx getaddrinfo)", median / base_median);
	printf("\n");
}

static void bench_discovery(void)
{
	double plain[ROUNDS], first[ROUNDS], cached[ROUNDS];
	for (int r = 0; r < ROUNDS; r++) {
		double out[3];
		in_child(discovery_round, r, out, 3);
		plain[r] = out[0];
		first[r] = out[1];
		cached[r] = out[2];
		if (first[r] < 0) {
			printf("discovery found no prefix: the responder is not a DNS64\n");
			return;
		}
	}
	double min, median_plain, max;
	bench_sorted_stats(plain, ROUNDS, &min, &median_plain, &max);
	printf("1. NAT64 discovery, %d rounds (each a fresh process), the same name server:\n",
	       ROUNDS);
	stats("getaddrinfo(ipv4only.arpa, AAAA)", plain, ROUNDS, 0);
	stats("anysock_nat64_prefixes, first", first, ROUNDS, median_plain);
	stats("anysock_nat64_prefixes, cached", cached, ROUNDS, median_plain);
}
#endif

/* ------------------------------------------------------------------------ */
/* 2. The lab                                                               */
/* ------------------------------------------------------------------------ */

static char line[3][256];

/* One measurement (which: 0 the literal, 1 the name, 2 is_global): out[0]
 * its milliseconds, out[1] its result; line[which] says what came of it. */
static void measure(double *out, int which)
{
	anysock_addr peer;
	char text[ANYSOCK_ADDRSTRLEN] = "-";
	memset(&peer, 0, sizeof(peer));
	double t0 = bench_now_ns();
	if (which < 2) {
		anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
		o.timeout_ms = 3000;
		int fd = anysock_connect(which == 0 ? LAB_SERVER : "v4only.test", "8080",
					 SOCK_STREAM, &o, &peer);
		out[0] = (bench_now_ns() - t0) / 1e6;
		anysock_ntop(&peer, text, sizeof(text), 0);
		out[1] = fd >= 0 ? 0 : fd;
		if (fd >= 0)
			close(fd);
		snprintf(line[which], sizeof(line[which]), "%s, peer %s",
			 fd >= 0 ? "connected" : anysock_strerror(fd), text);
	} else {
		/* The process meets the network's prefix (a connect to an IPv4
		 * literal), then judges an address under it. */
		int fd = anysock_connect(LAB_SERVER, "8080", SOCK_STREAM, NULL, &peer);
		if (fd >= 0)
			close(fd);
		anysock_addr a;
		anysock_pton("2a00:1098:2c::10.0.0.1", &a, 0);
		out[0] = 0;
		out[1] = anysock_addr_is_global(&a);
	}
}

static void bench_lab(void)
{
	static const char *what[] = { "anysock_connect(\"192.0.2.2\", \"8080\")",
				      "anysock_connect(\"v4only.test\", \"8080\")" };
	for (int which = 0; which < 2; which++) {
		double out[2];
		int p[2];
		if (pipe(p) < 0)
			abort();
		pid_t pid = fork();
		if (pid == 0) {
			measure(out, which);
			dprintf(p[1], "%.1f ms: %s", out[0], line[which]);
			_exit(0);
		}
		close(p[1]);
		char buf[300] = "";
		ssize_t n = read(p[0], buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		close(p[0]);
		waitpid(pid, NULL, 0);
		printf("   %-38s %s\n", what[which], buf);
	}
	/* is_global under a global network-specific prefix: the responder
	 * synthesizes under it now (tayga does not translate it; only the
	 * process's knowledge matters here). */
	dns_set_dns64("2a00:1098:2c::/96");
	double out[2];
	in_child(measure, 2, out, 2);
	printf("   %-38s %s\n", "is_global([2a00:1098:2c::10.0.0.1])",
	       out[1] != 0 ? "true" : "false");
	dns_set_dns64(LAB_PREFIX);
}

int main(void)
{
	if (getenv("ANYSOCK_NETNS") == NULL) {
		printf("bench_nat64: needs a throw-away host (root: make bench)\n");
		return 0;
	}
	printf("anysock %s\n", anysock_version_string());
	struct nat64_lab lab;
	bool tayga = tayga_installed();
	nat64_lab_build(&lab, tayga);
	host_enter(lab.client);
	if (dns_set_dns64(LAB_PREFIX) < 0 || dns_start(records) < 0) {
		printf("bench_nat64: no DNS responder\n");
		return 1;
	}
#if HAVE_NAT64
	bench_discovery();
#else
	printf("1. NAT64 discovery: not in this release\n");
#endif
	if (!tayga) {
		printf("2. the lab: tayga is not installed, skipped\n");
		return 0;
	}
	/* The IPv4-only server: accepts and closes, in a child. */
	anysock_listener *l;
	host_enter(lab.server);
	int rc = anysock_listen(LAB_SERVER, "8080", SOCK_STREAM, 0, 0, &l, NULL);
	host_enter(lab.client);
	if (rc < 0) {
		printf("bench_nat64: listen: %s\n", anysock_strerror(rc));
		return 1;
	}
	pid_t server = fork();
	if (server == 0) {
		for (;;) {
			int fd = anysock_accept(l, NULL, -1);
			if (fd >= 0)
				close(fd);
		}
	}
	printf("2. IPv6-only host, NAT64 %s (tayga), IPv4-only server %s:8080:\n", LAB_PREFIX,
	       LAB_SERVER);
	bench_lab();
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	nat64_lab_stop(&lab);
	dns_stop();
	return 0;
}
