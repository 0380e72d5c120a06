/*
 * bench_loop.c - connecting from an event loop: anysock connectors against
 * curl's multi interface (CURLOPT_CONNECT_ONLY), in one process, on the
 * same names and hosts, rounds alternating.
 *
 *  1. 1,000 concurrent races from one thread with IPv6 black-holed
 *     (tests/netns/topology.h: both.test is a black hole on IPv6 and the
 *     server on IPv4): how far past its attempt delay each one connected
 *     (p50, p99, max; both use 250 ms: CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS),
 *     and the process's CPU seconds per 1,000 connects.
 *  2. Memory per connector in flight (malloc's count while 1,000 race;
 *     the kernel's sockets are not counted), and per curl handle likewise.
 *  3. A resolver that never answers AAAA (the test's DNS responder in the
 *     client's namespace; resolv.conf "timeout:2 attempts:2"): time to
 *     connected for anysock_connect and for curl.
 *
 *   bench/bench_loop [rounds [anysock|curl]]   (default 5 rounds of both;
 *                                  root: namespaces; make bench)
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>

#include "anysock.h"
#include "bench.h"
#include "../tests/netns/dns.h"
#include "../tests/netns/netns.h"
#include "../tests/netns/topology.h"

#ifdef HAVE_LIBCURL
#include <curl/curl.h>
#endif

#define N 1000
#define DELAY_MS 250

static char port[8];

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

struct round {
	double p50, p99, max; /* ms past the attempt delay */
	double cpu;           /* s per 1,000 connects */
	double bytes;         /* malloc'd per race in flight */
	int failed;
};

static void summarize(struct round *r, double *took_ms, int n)
{
	qsort(took_ms, (size_t)n, sizeof(double), bench_cmp_double);
	r->p50 = took_ms[n / 2] - DELAY_MS;
	r->p99 = took_ms[n * 99 / 100] - DELAY_MS;
	r->max = took_ms[n - 1] - DELAY_MS;
}

static size_t heap_in_use(void)
{
	struct mallinfo2 m = mallinfo2();
	return m.uordblks + m.hblkhd;
}

/* ---- anysock ------------------------------------------------------------ */

/* Wait until start + i * ramp_us (no wait when ramp_us is 0). */
static void pace(double start, int i, int ramp_us)
{
	if (ramp_us == 0)
		return;
	double when = start + i * ramp_us * 1e-6;
	struct timespec at = { (time_t)when, (long)((when - (double)(time_t)when) * 1e9) };
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
}

static struct round run_anysock(int ramp_us)
{
	static anysock_connector *c[N];
	static double t0[N], took[N];
	static int wait_ms[N], fds[N];
	struct round r = { 0 };
	int ep = epoll_create1(EPOLL_CLOEXEC);
	double cpu0 = cpu_seconds();
	size_t heap0 = heap_in_use();
	double ramp = bench_now();
	for (int i = 0; i < N; i++) {
		pace(ramp, i, ramp_us);
		t0[i] = bench_now() * 1e3;
		fds[i] = -1;
		if (anysock_connector_start("both.test", port, SOCK_STREAM, NULL, &c[i]) < 0) {
			r.failed++;
			continue;
		}
		int watched = anysock_connector_fd(c[i]);
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
		if (watched < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, watched, &ev) < 0) {
			r.failed++;
			anysock_connector_free(c[i]);
			c[i] = NULL;
		}
	}
	r.bytes = (double)(heap_in_use() - heap0) / N;
	int left = N - r.failed;
	while (left > 0) {
		int wait = -1;
		for (int i = 0; i < N; i++) {
			wait_ms[i] = c[i] != NULL && fds[i] < 0 ? anysock_connector_timeout(c[i]) : -1;
			if (wait_ms[i] >= 0 && (wait < 0 || wait_ms[i] < wait))
				wait = wait_ms[i];
		}
		double before = bench_now() * 1e3;
		struct epoll_event ev[64];
		int n = epoll_wait(ep, ev, 64, wait);
		double waited = bench_now() * 1e3 - before;
		for (int k = 0; k < (n > 0 ? n : 0) + N; k++) {
			int i = k < n ? (int)ev[k].data.u32 : k - (n > 0 ? n : 0);
			if (c[i] == NULL || fds[i] >= 0 ||
			    (k >= n && (wait_ms[i] < 0 || wait_ms[i] > waited)))
				continue;
			int rc = anysock_connector_step(c[i], NULL);
			if (rc == -EINPROGRESS)
				continue;
			took[i] = bench_now() * 1e3 - t0[i];
			epoll_ctl(ep, EPOLL_CTL_DEL, anysock_connector_fd(c[i]), NULL);
			if (rc < 0) {
				r.failed++;
				anysock_connector_free(c[i]);
				c[i] = NULL;
			} else {
				fds[i] = rc;
			}
			left--;
		}
	}
	r.cpu = cpu_seconds() - cpu0;
	for (int i = 0; i < N; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		anysock_connector_free(c[i]);
		c[i] = NULL;
	}
	close(ep);
	summarize(&r, took, N);
	return r;
}

/* ---- the floor: the same race in bare syscalls -------------------------- */

/* What any Happy Eyeballs client must ask of the kernel here: a socket and
 * a connect() for the black-holed IPv6 address, 250 ms later the same for
 * IPv4, one epoll, the loser closed. No lookup, no timers but one sorted
 * list (they fall due in start order): the CPU no library can go below. */
static struct round run_floor(void)
{
	static int s6[N], s4[N];
	static double t0[N], took[N];
	struct round r = { 0 };
	anysock_addr a6, a4;
	anysock_pton("2001:db8:1::2", &a6, 0);
	anysock_pton("10.0.0.2", &a4, 0);
	anysock_addr_set_port(&a6, (uint16_t)atoi(port));
	anysock_addr_set_port(&a4, (uint16_t)atoi(port));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	double cpu0 = cpu_seconds();
	for (int i = 0; i < N; i++) {
		t0[i] = bench_now() * 1e3;
		s6[i] = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		connect(s6[i], &a6.u.sa, a6.len);
		s4[i] = -1;
	}
	int next = 0, left = N;
	while (left > 0) {
		double now = bench_now() * 1e3;
		while (next < N && now - t0[next] >= DELAY_MS) {
			s4[next] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
			connect(s4[next], &a4.u.sa, a4.len);
			struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = (uint32_t)next };
			epoll_ctl(ep, EPOLL_CTL_ADD, s4[next], &ev);
			next++;
		}
		double wait = next < N ? t0[next] + DELAY_MS - now : -1;
		struct epoll_event ev[64];
		int n = epoll_wait(ep, ev, 64, wait < 0 ? -1 : (int)wait + 1);
		for (int k = 0; k < n; k++) {
			int i = (int)ev[k].data.u32;
			took[i] = bench_now() * 1e3 - t0[i];
			epoll_ctl(ep, EPOLL_CTL_DEL, s4[i], NULL);
			close(s6[i]);
			left--;
		}
	}
	r.cpu = cpu_seconds() - cpu0;
	for (int i = 0; i < N; i++)
		close(s4[i]);
	close(ep);
	summarize(&r, took, N);
	return r;
}

/* ---- curl --------------------------------------------------------------- */

#ifdef HAVE_LIBCURL
static struct round run_curl(int ramp_us)
{
	static CURL *e[N];
	static double t0[N], took[N];
	struct round r = { 0 };
	char url[64];
	snprintf(url, sizeof(url), "http://both.test:%s/", port);
	double cpu0 = cpu_seconds();
	size_t heap0 = heap_in_use();
	CURLM *m = curl_multi_init();
	double ramp = bench_now();
	int running = 1, done = 0;
	for (int i = 0; i < N; i++) {
		pace(ramp, i, ramp_us);
		e[i] = curl_easy_init();
		curl_easy_setopt(e[i], CURLOPT_URL, url);
		curl_easy_setopt(e[i], CURLOPT_CONNECT_ONLY, 1L);
		curl_easy_setopt(e[i], CURLOPT_HAPPY_EYEBALLS_TIMEOUT_MS, (long)DELAY_MS);
		curl_easy_setopt(e[i], CURLOPT_PRIVATE, (void *)(intptr_t)i);
		t0[i] = bench_now() * 1e3;
		curl_multi_add_handle(m, e[i]);
		if (ramp_us > 0) /* start it now, as the connector starts at once */
			curl_multi_perform(m, &running);
	}
	bool measured = false;
	while (done < N && running) {
		curl_multi_perform(m, &running);
		if (!measured) { /* after the first perform every transfer has begun */
			r.bytes = (double)(heap_in_use() - heap0) / N;
			measured = true;
		}
		CURLMsg *msg;
		int q;
		while ((msg = curl_multi_info_read(m, &q)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			char *p;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p);
			int i = (int)(intptr_t)p;
			took[i] = bench_now() * 1e3 - t0[i];
			r.failed += msg->data.result != CURLE_OK;
			done++;
		}
		if (done < N)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	r.cpu = cpu_seconds() - cpu0;
	for (int i = 0; i < N; i++) {
		curl_multi_remove_handle(m, e[i]);
		curl_easy_cleanup(e[i]);
	}
	curl_multi_cleanup(m);
	summarize(&r, took, N);
	return r;
}

/* One connect through curl's easy interface: the seconds to connected. */
static double curl_once(const char *name)
{
	char url[128];
	snprintf(url, sizeof(url), "http://%s:%s/", name, port);
	CURL *e = curl_easy_init();
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 20000L);
	double t0 = bench_now();
	CURLcode rc = curl_easy_perform(e);
	double took = bench_now() - t0;
	curl_easy_cleanup(e);
	return rc == CURLE_OK ? took : -1;
}
#endif

static void print_rounds(const char *who, struct round *r, int n)
{
	double p50[16], p99[16], max[16], cpu[16], bytes[16];
	int failed = 0;
	for (int i = 0; i < n; i++) {
		p50[i] = r[i].p50, p99[i] = r[i].p99, max[i] = r[i].max, cpu[i] = r[i].cpu;
		bytes[i] = r[i].bytes;
		failed += r[i].failed;
	}
	double lo, med, hi, plo, pmed, phi, mlo, mmed, mhi, clo, cmed, chi, blo, bmed, bhi;
	bench_sorted_stats(p50, n, &lo, &med, &hi);
	bench_sorted_stats(p99, n, &plo, &pmed, &phi);
	bench_sorted_stats(max, n, &mlo, &mmed, &mhi);
	bench_sorted_stats(cpu, n, &clo, &cmed, &chi);
	bench_sorted_stats(bytes, n, &blo, &bmed, &bhi);
	printf("  %-9s past the delay: p50 %5.2f ms, p99 %5.2f ms (rounds %.2f-%.2f), max %5.2f ms;"
	       " CPU %.3f s per 1000 (rounds %.3f-%.3f); %5.0f bytes each in flight; %d failed\n",
	       who, med, pmed, plo, phi, mmed, cmed, clo, chi, bmed, failed);
}

int main(int argc, char **argv)
{
	if (getenv("ANYSOCK_NETNS") == NULL) {
		printf("bench_loop: needs its own hosts; run as root through make bench\n");
		return 0;
	}
	int rounds = argc > 1 ? atoi(argv[1]) : 5;
	if (rounds < 1 || rounds > 16)
		rounds = 5;
	struct he_net net;
	he_build(&net);
	anysock_listener *server;
	he_serve(&net, &server, port);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	dup2(0, 8191); /* grow the descriptor table once, before timing */
	close(8191);
	host_enter(net.client); /* this thread, and the threads it starts */
	static const struct dns_record records[] = {
		{ "noaaaa.test", 1, "10.0.0.2", 0 },
		{ "noaaaa.test", 28, NULL, -1 },
		{ NULL, 0, NULL, 0 },
	};
	if (dns_start(records) < 0) {
		fprintf(stderr, "bench_loop: no DNS responder\n");
		return 1;
	}

	int have_curl = 0;
#ifdef HAVE_LIBCURL
	curl_global_init(CURL_GLOBAL_DEFAULT);
	have_curl = 1;
#endif
	const char *only = argc > 2 ? argv[2] : ""; /* "anysock" or "curl": one side (perf) */
	printf("%d connects from one thread, started one per 100 us so that all race together "
	       "and their IPv4 attempts fall due as they began, IPv6 black-holed, attempt delay "
	       "%d ms, %d rounds:\n", N, DELAY_MS, rounds);
	/* Zeroed: a side not measured (curl without libcurl, or only one side
	 * asked for) is never printed, but the compiler cannot know that. */
	struct round ours[16] = { 0 }, theirs[16] = { 0 }, floor[16] = { 0 };
	for (int i = 0; i < rounds && strcmp(only, "curl") != 0; i++)
		ours[i] = run_anysock(100);
	if (strcmp(only, "curl") != 0)
		print_rounds("anysock", ours, rounds);
	printf("  (curl: not measured paced; curl_multi_perform() visits every handle on each call,\n"
	       "  so starting them one by one costs it O(n^2); its socket_action interface would be the\n"
	       "  fair one, not written here)\n");
	printf("all %d started at once, same hosts, rounds alternating (their IPv4 attempts fall due "
	       "together,\nand each connect runs the server's half of the handshake on this CPU "
	       "too):\n", N);
	for (int i = 0; i < rounds; i++) {
		if (strcmp(only, "curl") != 0)
			ours[i] = run_anysock(0);
#ifdef HAVE_LIBCURL
		if (strcmp(only, "anysock") != 0)
			theirs[i] = run_curl(0);
#endif
		if (only[0] == '\0')
			floor[i] = run_floor();
	}
	if (strcmp(only, "curl") != 0)
		print_rounds("anysock", ours, rounds);
	if (have_curl && strcmp(only, "anysock") != 0)
		print_rounds("curl", theirs, rounds);
	if (only[0] == '\0') {
		print_rounds("syscalls", floor, rounds);
		double a[16], b[16], f[16], lo, ma, hi, mb, mf;
		for (int i = 0; i < rounds; i++)
			a[i] = ours[i].cpu, b[i] = theirs[i].cpu, f[i] = floor[i].cpu;
		bench_sorted_stats(a, rounds, &lo, &ma, &hi);
		bench_sorted_stats(b, rounds, &lo, &mb, &hi);
		bench_sorted_stats(f, rounds, &lo, &mf, &hi);
		if (have_curl)
			printf("  CPU per 1000, medians: anysock / curl %.2fx; above the bare syscalls: "
			       "anysock +%.3f s, curl +%.3f s\n", ma / mb, ma - mf, mb - mf);
	}
	if (!have_curl)
		printf("  curl: not measured (configure found no libcurl; ./autogen.sh --bench "
		       "installs it)\n");

	printf("a resolver that never answers AAAA (timeout:2 attempts:2), time to connected:\n");
	for (int i = 0; i < 2; i++) {
		double t0 = bench_now();
		int fd = anysock_connect("noaaaa.test", port, SOCK_STREAM, NULL, NULL);
		double ours_s = bench_now() - t0;
		if (fd >= 0)
			close(fd);
		printf("  run %d: anysock_connect %7.1f ms%s", i + 1, ours_s * 1e3,
		       fd < 0 ? " (failed)" : "");
#ifdef HAVE_LIBCURL
		double curl_s = curl_once("noaaaa.test");
		if (curl_s < 0)
			printf("   curl failed\n");
		else
			printf("   curl %7.1f ms\n", curl_s * 1e3);
#else
		printf("   curl not measured\n");
#endif
	}
	dns_stop();
	return 0;
}
