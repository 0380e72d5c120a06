/*
 * bench_resolve.c - what a bounded lookup costs, and how exact its bound is.
 *
 * 1. Numeric requests (NI_NUMERICHOST): anysock_getnameinfo_timeo against
 *    glibc getnameinfo, same process, same addresses. Never leaves the
 *    machine, so it runs anywhere.
 * 2. Hosts-file hits (a reverse lookup the private hosts file answers):
 *    the bounded call hops to a worker thread and back; the ratio says what
 *    that hop costs against the file lookup itself.
 * 3. Timeout precision: 64 callers at once ask a name server that never
 *    answers, with a 300 ms bound; the overshoot past 300 ms, p50 and p99.
 *
 * 2 and 3 run only on a throw-away host (make bench runs this through
 * tests/netns/run.sh as root, with resolv.conf "timeout:1 attempts:1" so
 * abandoned lookups clear between rounds).
 *
 * SPDX-License-Identifier: MIT
 */
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "anysock.h"
#include "bench.h"
#include "../tests/netns/dns.h"

static volatile int sink;
static struct sockaddr_in target;
static int flags;

static void plain(void)
{
	char host[NI_MAXHOST];
	sink += getnameinfo((struct sockaddr *)&target, sizeof(target), host, sizeof(host), NULL,
			    0, flags);
}

static void bounded(void)
{
	char host[NI_MAXHOST];
	sink += anysock_getnameinfo_timeo((struct sockaddr *)&target, sizeof(target), host,
					  sizeof(host), NULL, 0, flags, 1000);
}

/* Best of rounds, the two interleaved so drift hits both alike. */
static void compare(const char *what, int n, double goal)
{
	double best_plain = 1e30, best_ours = 1e30;
	for (int r = 0; r < 7; r++) {
		double t0 = bench_now_ns();
		for (int i = 0; i < n; i++)
			plain();
		double t1 = bench_now_ns();
		for (int i = 0; i < n; i++)
			bounded();
		double t2 = bench_now_ns();
		best_plain = (t1 - t0) / n < best_plain ? (t1 - t0) / n : best_plain;
		best_ours = (t2 - t1) / n < best_ours ? (t2 - t1) / n : best_ours;
	}
	printf("%-18s getnameinfo %9.0f ns   anysock_getnameinfo_timeo %9.0f ns   "
	       "ratio %.3fx (goal <= %.2fx)\n",
	       what, best_plain, best_ours, best_ours / best_plain, goal);
}

#define CALLERS 64
#define ROUNDS 10
#define BOUND_MS 300
static double overshoot[CALLERS * ROUNDS];
static int round_no;

static void *caller(void *arg)
{
	int id = (int)(long)arg;
	char text[32], host[NI_MAXHOST];
	snprintf(text, sizeof(text), "192.0.2.%d", 100 + id);
	struct sockaddr_in sin = { .sin_family = AF_INET };
	inet_pton(AF_INET, text, &sin.sin_addr);
	double t0 = bench_now_ns();
	anysock_getnameinfo_timeo((struct sockaddr *)&sin, sizeof(sin), host, sizeof(host), NULL, 0,
				  0, BOUND_MS);
	overshoot[round_no * CALLERS + id] = (bench_now_ns() - t0) / 1e6 - BOUND_MS;
	return NULL;
}

int main(void)
{
	inet_pton(AF_INET, "192.0.2.5", &target.sin_addr);
	target.sin_family = AF_INET;
	printf("anysock resolve benchmark: per call, best of 7 rounds, same process\n\n");
	flags = NI_NUMERICHOST | NI_NUMERICSERV;
	compare("numeric", 200000, 1.05);

	if (getenv("ANYSOCK_NETNS") == NULL) {
		printf("\n(hosts-file and timeout figures need a private host: run as root, "
		       "through tests/netns/run.sh)\n");
		return 0;
	}
	flags = NI_NAMEREQD;
	compare("hosts-file hit", 5000, 1.2);

	static struct dns_record silent[CALLERS + 1];
	static char names[CALLERS][32];
	for (int i = 0; i < CALLERS; i++) {
		snprintf(names[i], sizeof(names[i]), "%d.2.0.192.in-addr.arpa", 100 + i);
		silent[i] = (struct dns_record){ names[i], 12, "x.example.test", -1 };
	}
	if (dns_start(silent) < 0) {
		fprintf(stderr, "cannot serve DNS on 127.0.0.1:53\n");
		return 1;
	}
	for (round_no = 0; round_no < ROUNDS; round_no++) {
		pthread_t t[CALLERS];
		for (long i = 0; i < CALLERS; i++)
			pthread_create(&t[i], NULL, caller, (void *)i);
		for (int i = 0; i < CALLERS; i++)
			pthread_join(t[i], NULL);
		usleep(1300 * 1000); /* the abandoned lookups end (timeout:1 attempts:1) */
	}
	dns_stop();
	size_t n = CALLERS * ROUNDS;
	qsort(overshoot, n, sizeof(overshoot[0]), bench_cmp_double);
	printf("\ntimeout precision: %d callers x %d rounds against a silent server, bound %d ms\n",
	       CALLERS, ROUNDS, BOUND_MS);
	printf("overshoot past the bound: min %.3f ms, p50 %.3f ms, p99 %.3f ms, max %.3f ms "
	       "(goal p99 <= 5 ms)\n",
	       overshoot[0], overshoot[n / 2], overshoot[n * 99 / 100], overshoot[n - 1]);
	return 0;
}
