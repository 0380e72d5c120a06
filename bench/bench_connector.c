/*
 * bench_connector.c - what a connection costs when it is one of many: a
 * loopback listener, and connects to it one after another, as a relay
 * makes one per client (issue 24: one connection per request), by
 *
 *   - anysock_connect() (NONBLOCK), the blocking call;
 *   - a connector driven as an event loop drives it: step at once, and
 *     only if that says -EINPROGRESS, watch anysock_connector_fd();
 *   - the bare system calls, the baseline: socket(), connect(), poll().
 *
 * Rounds alternate between the three; the CPU microseconds per connect
 * (the listener's accept included) with min, median and max, and the
 * ratio of each to the baseline (goal: close to 1).
 *
 *   bench/bench_connector [connects-per-round]   (default 2,000; loopback)
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/resource.h>

#include "anysock.h"
#include "bench.h"

#define ROUNDS 7
#define WAYS 3

static anysock_listener *server;
static char serv[8];
static struct sockaddr_in target;
static int loop_ep;

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int by_connect(void)
{
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.flags = ANYSOCK_CONNECT_NONBLOCK;
	return anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, NULL);
}

static int by_connector(void)
{
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.flags = ANYSOCK_CONNECT_NONBLOCK;
	anysock_connector *c;
	int fd = anysock_connector_start("127.0.0.1", serv, SOCK_STREAM, &o, &c);
	if (fd < 0)
		return fd;
	while ((fd = anysock_connector_step(c, NULL)) == -EINPROGRESS) {
		int watched = anysock_connector_fd(c);
		struct epoll_event ev = { .events = EPOLLIN };
		if (watched < 0 || epoll_ctl(loop_ep, EPOLL_CTL_ADD, watched, &ev) < 0)
			exit(1);
		epoll_wait(loop_ep, &ev, 1, 1000);
		epoll_ctl(loop_ep, EPOLL_CTL_DEL, watched, NULL);
	}
	anysock_connector_free(c);
	return fd;
}

static int by_hand(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct pollfd p = { fd, POLLOUT, 0 };
	int err = 0;
	socklen_t len = sizeof(err);
	if (connect(fd, (struct sockaddr *)&target, sizeof(target)) < 0 && errno != EINPROGRESS)
		err = errno;
	else if (poll(&p, 1, 1000) != 1)
		err = ETIMEDOUT;
	else if (p.revents & POLLERR) /* only then: as the connector does */
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err != 0) {
		close(fd);
		return -err;
	}
	return fd;
}

/* CPU microseconds per connect over n of them, each accepted and closed. */
static double round_of(int (*way)(void), int n)
{
	double t0 = cpu_seconds();
	for (int i = 0; i < n; i++) {
		int fd = way();
		if (fd < 0) {
			fprintf(stderr, "bench_connector: %s\n", anysock_strerror(fd));
			exit(1);
		}
		/* No TIME_WAIT left behind: thousands of them would make
		 * every later connect search longer for a free port. */
		struct linger now = { 1, 0 };
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof(now));
		close(fd);
		for (int a; (a = anysock_accept(server, NULL, 0)) >= 0;)
			close(a);
	}
	return (cpu_seconds() - t0) * 1e6 / n;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	if (n < 1)
		return 2;
	if (anysock_listen("127.0.0.1", NULL, SOCK_STREAM,
			   ANYSOCK_LISTEN_NUMERIC | ANYSOCK_LISTEN_NONBLOCK, 0, &server,
			   NULL) < 1 ||
	    (loop_ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return 1;
	anysock_addr a;
	anysock_listener_addr(server, 0, &a);
	snprintf(serv, sizeof(serv), "%d", anysock_addr_port(&a));
	target = (struct sockaddr_in){ .sin_family = AF_INET,
				       .sin_port = htons((uint16_t)atoi(serv)),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	const char *name[WAYS] = { "bare system calls", "anysock_connect", "connector, stepped" };
	int (*way[WAYS])(void) = { by_hand, by_connect, by_connector };
	double us[WAYS][ROUNDS], lo[WAYS], med[WAYS], hi[WAYS];
	printf("%d connects to 127.0.0.1 a round, one after another, %d rounds alternating: "
	       "CPU per connect (the accept included)\n",
	       n, ROUNDS);
	round_of(by_hand, n / 10 + 1); /* warm up: the hosts cache, the kernel's tables */
	for (int r = 0; r < ROUNDS; r++)
		for (int k = 0; k < WAYS; k++)
			us[k][r] = round_of(way[k], n);
	for (int k = 0; k < WAYS; k++) {
		bench_sorted_stats(us[k], ROUNDS, &lo[k], &med[k], &hi[k]);
		printf("  %-20s min %6.2f  median %6.2f  max %6.2f us", name[k], lo[k], med[k],
		       hi[k]);
		if (k > 0)
			printf("   x%.2f the bare calls (median)", med[k] / med[0]);
		printf("\n");
	}
	close(loop_ep);
	anysock_listener_close(server);
	return 0;
}
