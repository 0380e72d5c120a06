/*
 * bench_relay.c - examples/anysock-relay against socat doing the same
 * IPv6 -> IPv4 forwarding (socat TCP6-LISTEN:...,fork TCP4:...), same run,
 * same backend, alternating rounds:
 *
 *  - throughput: 4 connections at once, each sending 256 MiB through the
 *    relay to a backend that discards it;
 *  - latency: 500 connections one after another, each connect + one
 *    64-byte round trip through the relay to an echoing backend.
 *
 *   bench/bench_relay [MiB-per-connection]    (loopback only)
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "anysock.h"
#include "bench.h"

#define STREAMS 4
#define ROUNDS 3
#define LATENCY_CONNS 500

extern char **environ;

/* --- the backend: a discarding port and an echoing port (IPv4 only) --- */

struct backend {
	anysock_listener *l;
	bool echo;
};

static void *backend_conn(void *arg)
{
	intptr_t v = (intptr_t)arg;
	int fd = (int)(v >> 1);
	bool echo = v & 1;
	static __thread char buf[256 * 1024];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (echo && write(fd, buf, (size_t)n) != n)
			break;
	close(fd);
	return NULL;
}

static void *backend_loop(void *arg)
{
	struct backend *b = arg;
	for (;;) {
		int fd = anysock_accept(b->l, NULL, -1);
		if (fd < 0)
			continue;
		pthread_t t;
		if (pthread_create(&t, NULL, backend_conn, (void *)(intptr_t)(fd << 1 | b->echo)) == 0)
			pthread_detach(t);
		else
			close(fd);
	}
	return NULL;
}

static int backend_start(struct backend *b, bool echo)
{
	b->echo = echo;
	if (anysock_listen("127.0.0.1", NULL, SOCK_STREAM, ANYSOCK_LISTEN_NUMERIC, 0, &b->l, NULL) < 0)
		exit(1);
	pthread_t t;
	pthread_create(&t, NULL, backend_loop, b);
	anysock_addr a;
	anysock_listener_addr(b->l, 0, &a);
	return anysock_addr_port(&a);
}

/* --- the relays under test -------------------------------------------- */

static pid_t spawn(char *const argv[])
{
	pid_t pid;
	posix_spawn_file_actions_t quiet; /* its "listening on" line is noise here */
	posix_spawn_file_actions_init(&quiet);
	posix_spawn_file_actions_addopen(&quiet, 1, "/dev/null", O_WRONLY, 0);
	int rc = posix_spawnp(&pid, argv[0], &quiet, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&quiet);
	if (rc != 0) {
		fprintf(stderr, "cannot run %s\n", argv[0]);
		exit(1);
	}
	return pid;
}

static int connect_v6(int port)
{
	char serv[8];
	snprintf(serv, sizeof(serv), "%d", port);
	return anysock_connect("::1", serv, SOCK_STREAM, NULL, NULL);
}

/* Start a relay on [::1]:port forwarding to 127.0.0.1:to; wait until it
 * accepts connections. */
static pid_t relay_start(const char *which, const char *relay_bin, int port, int to)
{
	char p[8], t[8], listen[64], target[64], bin[4096], socat[] = "socat", host_flag[] = "-H",
		host[] = "::1", port_flag[] = "-p", to_host[] = "127.0.0.1";
	snprintf(bin, sizeof(bin), "%s", relay_bin);
	snprintf(p, sizeof(p), "%d", port);
	snprintf(t, sizeof(t), "%d", to);
	pid_t pid;
	if (strcmp(which, "socat") == 0) {
		snprintf(listen, sizeof(listen), "TCP6-LISTEN:%d,bind=[::1],fork,reuseaddr", port);
		snprintf(target, sizeof(target), "TCP4:127.0.0.1:%d", to);
		char *argv[] = { socat, listen, target, NULL };
		pid = spawn(argv);
	} else {
		char *argv[] = { bin, host_flag, host, port_flag, p, to_host, t, NULL };
		pid = spawn(argv);
	}
	for (int i = 0; i < 100; i++) {
		int fd = connect_v6(port);
		if (fd >= 0) {
			close(fd);
			return pid;
		}
		usleep(20000);
	}
	fprintf(stderr, "%s did not start\n", which);
	exit(1);
}

static void relay_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

/* --- load ----------------------------------------------------------------- */

struct stream {
	int port;
	size_t bytes;
};

static void *send_stream(void *arg)
{
	struct stream *s = arg;
	static __thread char buf[256 * 1024];
	memset(buf, 'x', sizeof(buf));
	int fd = connect_v6(s->port);
	if (fd < 0)
		return NULL;
	size_t left = s->bytes;
	while (left > 0) {
		ssize_t n = write(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n <= 0)
			break;
		left -= (size_t)n;
	}
	/* Wait for the relay to pass everything on: the backend closes after
	 * the FIN we send has come through. */
	shutdown(fd, SHUT_WR);
	char c;
	while (read(fd, &c, 1) > 0)
		;
	close(fd);
	return NULL;
}

static double throughput(int port, size_t mib)
{
	struct stream s = { port, mib << 20 };
	pthread_t t[STREAMS];
	double t0 = bench_now();
	for (int i = 0; i < STREAMS; i++)
		pthread_create(&t[i], NULL, send_stream, &s);
	for (int i = 0; i < STREAMS; i++)
		pthread_join(t[i], NULL);
	return (double)(STREAMS * s.bytes) / (bench_now() - t0) / 1e6; /* MB/s */
}

static double latency_us(int port)
{
	static double us[LATENCY_CONNS];
	char msg[64] = "ping", back[64];
	for (int i = 0; i < LATENCY_CONNS; i++) {
		double t0 = bench_now();
		int fd = connect_v6(port);
		if (fd < 0 || write(fd, msg, sizeof(msg)) != sizeof(msg))
			exit(1);
		size_t got = 0;
		while (got < sizeof(back)) {
			ssize_t n = read(fd, back + got, sizeof(back) - got);
			if (n <= 0)
				exit(1);
			got += (size_t)n;
		}
		us[i] = (bench_now() - t0) * 1e6;
		close(fd);
	}
	qsort(us, LATENCY_CONNS, sizeof(double), bench_cmp_double);
	return us[LATENCY_CONNS / 2];
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 256;
	const char *relay_bin = getenv("ANYSOCK_RELAY");
	if (relay_bin == NULL)
		relay_bin = "examples/anysock-relay";
	if (system("command -v socat >/dev/null 2>&1") != 0) {
		printf("bench_relay: socat not installed, nothing to compare with\n");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	struct backend discard, echo;
	int to_discard = backend_start(&discard, false);
	int to_echo = backend_start(&echo, true);
	printf("IPv6 -> IPv4 forwarding on loopback: throughput of %d streams x %zu MiB, "
	       "median latency of %d connect+64-byte round trips\n", STREAMS, mib, LATENCY_CONNS);
	double ratio_tp[ROUNDS], ratio_lat[ROUNDS];
	for (int r = 0; r < ROUNDS; r++) {
		double tp[2], lat[2];
		const char *who[2] = { "anysock-relay", "socat" };
		for (int k = 0; k < 2; k++) {
			pid_t a = relay_start(who[k], relay_bin, 17000 + r * 4 + k * 2, to_discard);
			tp[k] = throughput(17000 + r * 4 + k * 2, mib);
			relay_stop(a);
			a = relay_start(who[k], relay_bin, 17001 + r * 4 + k * 2, to_echo);
			lat[k] = latency_us(17001 + r * 4 + k * 2);
			relay_stop(a);
		}
		ratio_tp[r] = tp[0] / tp[1];
		ratio_lat[r] = lat[0] / lat[1];
		printf("  round %d: anysock-relay %7.0f MB/s %6.0f us   socat %7.0f MB/s %6.0f us   "
		       "throughput x%.2f, latency x%.2f\n",
		       r + 1, tp[0], lat[0], tp[1], lat[1], ratio_tp[r], ratio_lat[r]);
	}
	qsort(ratio_tp, ROUNDS, sizeof(double), bench_cmp_double);
	qsort(ratio_lat, ROUNDS, sizeof(double), bench_cmp_double);
	printf("median: throughput anysock-relay/socat x%.2f (goal >= 1), "
	       "latency anysock-relay/socat x%.2f (lower is better)\n",
	       ratio_tp[ROUNDS / 2], ratio_lat[ROUNDS / 2]);
	return 0;
}
