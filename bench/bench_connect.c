/*
 * bench_connect.c - time to connect when IPv6 is black-holed: the
 * library's Happy Eyeballs against curl's on the same path, same run.
 * Both wait out their attempt delay (ours 250 ms, curl's 200 ms); what is
 * compared is the time spent beyond it.
 *
 *   bench/bench_connect [runs]     (default 30; root: namespaces, see
 *                                  tests/netns/topology.h)
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "anysock.h"
#include "bench.h"
#include "../tests/netns/netns.h"
#include "../tests/netns/topology.h"

static anysock_listener *server;

static void report(const char *who, double *ms, int n, double delay)
{
	qsort(ms, (size_t)n, sizeof(double), bench_cmp_double);
	printf("  %-28s median %7.2f ms  p90 %7.2f ms  max %7.2f ms  -> over its %3.0f ms delay: "
	       "median %.2f ms, p90 %.2f ms\n",
	       who, ms[n / 2], ms[n * 9 / 10], ms[n - 1], delay, ms[n / 2] - delay,
	       ms[n * 9 / 10] - delay);
}

int main(int argc, char **argv)
{
	if (getenv("ANYSOCK_NETNS") == NULL) {
		printf("bench_connect: needs its own hosts; run as root through make bench\n");
		return 0;
	}
	int runs = argc > 1 ? atoi(argv[1]) : 30;
	if (runs < 1 || runs > 1000)
		runs = 30;
	struct he_net net;
	he_build(&net);
	char port[8];
	he_serve(&net, &server, port);

	double *ours = calloc((size_t)runs, sizeof(double));
	double *curl = calloc((size_t)runs, sizeof(double));
	char out[] = "/tmp/anysock-bench-curl-XXXXXX";
	int tmp = mkstemp(out);
	if (ours == NULL || curl == NULL || tmp < 0)
		return 1;
	close(tmp);
	printf("time to connect to a name whose IPv6 address is black-holed, %d runs each\n", runs);
	for (int i = 0; i < runs; i++) {
		host_enter(net.client);
		double t0 = he_now();
		int fd = anysock_connect("both.test", port, SOCK_STREAM, NULL, NULL);
		ours[i] = (he_now() - t0) * 1e3;
		host_enter(host_self());
		if (fd < 0) {
			fprintf(stderr, "anysock_connect: %s\n", anysock_strerror(fd));
			return 1;
		}
		close(fd);
		/* curl in the same namespace, one run at a time, interleaved. */
		host_sh(net.client,
			"curl -s -o /dev/null --max-time 5 -w '%%{time_connect}\\n' "
			"http://both.test:%s/ >> %s; true",
			port, out);
	}
	FILE *f = fopen(out, "r");
	int n = 0;
	while (f != NULL && n < runs && fscanf(f, "%lf", &curl[n]) == 1)
		curl[n++] *= 1e3;
	if (f != NULL)
		fclose(f);
	unlink(out);
	report("anysock_connect", ours, runs, 250);
	if (n == runs)
		report("curl (time_connect)", curl, n, 200);
	else
		printf("  curl: not installed or failed (%d of %d runs)\n", n, runs);
	return 0;
}
