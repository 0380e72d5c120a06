/*
 * bench_relay_udp.c - tools/anysock-relay --udp (-w 2) against socat
 * (socat UDP6-LISTEN:...,fork UDP4:..., a process per client) and nginx's
 * stream module (listen ... udp reuseport, 2 workers; when Debian's
 * libnginx-mod-stream is installed), each forwarding IPv6 datagrams to an
 * IPv4-only echo on loopback, same run, rounds alternating:
 *
 *  - datagrams a second: 32 clients (4 threads of 8 sockets), each with
 *    one 64-byte datagram in flight, for ROUND_S seconds: round trips
 *    answered a second;
 *  - latency: one client, LATENCY_N round trips one after another (median
 *    and p99), after one to open its flow.
 *
 * The relay drains for a second (-D 1) when a round stops it.
 *
 *   bench/bench_relay_udp        (loopback only)
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "bench.h"

#define ROUNDS 5
#define ROUND_S 2.0
#define THREADS 4
#define PER_THREAD 8
#define LATENCY_N 2000
#define WHO 3

extern char **environ;

/* ---- The backend: an IPv4-only UDP echo ---------------------------------- */

static void *echo_loop(void *arg)
{
	int fd = *(int *)arg;
	char buf[2048];
	for (;;) {
		struct sockaddr_storage from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		if (n > 0)
			sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, len);
	}
	return NULL;
}

static int echo_start(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int big = 4 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)&sin, len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		exit(1);
	static int keep;
	keep = fd;
	pthread_t t;
	pthread_create(&t, NULL, echo_loop, &keep);
	return ntohs(sin.sin_port);
}

/* ---- The relays -------------------------------------------------------- */

static const char *const who[WHO] = { "anysock-relay", "socat", "nginx stream" };
static char nginx_dir[64];

static pid_t spawn_quiet(char *const argv[])
{
	pid_t pid;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawnattr_t attr; /* a process group of its own: socat's children go with it */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	int rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "cannot run %s\n", argv[0]);
		exit(1);
	}
	return pid;
}

static int udp6_client(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int big = 1 << 20;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	return fd;
}

static void to_port(int fd, int port)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	s6.sin6_addr = in6addr_loopback;
	connect(fd, (struct sockaddr *)&s6, sizeof(s6));
}

/* One round trip through port within ms; false when nothing came back. */
static bool ping(int fd, int ms)
{
	char buf[64] = "ping";
	if (send(fd, buf, sizeof(buf), 0) != sizeof(buf))
		return false;
	struct pollfd p = { fd, POLLIN, 0 };
	return poll(&p, 1, ms) == 1 && recv(fd, buf, sizeof(buf), 0) == sizeof(buf);
}

static void nginx_config(int port, int to)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/nginx.conf", nginx_dir);
	FILE *f = fopen(path, "w");
	if (f == NULL)
		exit(1);
	fprintf(f,
		"load_module /usr/lib/nginx/modules/ngx_stream_module.so;\n"
		"daemon off;\nuser root;\nworker_processes 2;\npid %s/nginx.pid;\n"
		"error_log %s/error.log;\nevents { worker_connections 4096; }\n"
		"stream {\n    server {\n        listen [::1]:%d udp reuseport;\n"
		"        proxy_pass 127.0.0.1:%d;\n        proxy_responses 1;\n"
		"        proxy_timeout 10s;\n    }\n}\n",
		nginx_dir, nginx_dir, port, to);
	fclose(f);
}

static pid_t relay_start(int k, const char *relay_bin, int port, int to)
{
	char p[16], t[16], listen[96], target[64], conf[128], bin[4096];
	snprintf(p, sizeof(p), "%d", port);
	snprintf(t, sizeof(t), "%d", to);
	snprintf(bin, sizeof(bin), "%s", relay_bin);
	pid_t pid;
	if (k == 0) {
		char udp[] = "--udp", h[] = "-H", host[] = "::1", pf[] = "-p", w[] = "-w",
		     two[] = "2", d[] = "-D", one[] = "1", th[] = "127.0.0.1";
		char *argv[] = { bin, udp, h, host, pf, p, w, two, d, one, th, t, NULL };
		pid = spawn_quiet(argv);
	} else if (k == 1) {
		snprintf(listen, sizeof(listen), "UDP6-LISTEN:%d,bind=[::1],fork,reuseaddr", port);
		snprintf(target, sizeof(target), "UDP4:127.0.0.1:%d", to);
		char socat[] = "socat";
		char *argv[] = { socat, listen, target, NULL };
		pid = spawn_quiet(argv);
	} else {
		nginx_config(port, to);
		snprintf(conf, sizeof(conf), "%s/nginx.conf", nginx_dir);
		char nginx[] = "nginx", e[] = "-e", c[] = "-c", pp[] = "-p", err[128];
		snprintf(err, sizeof(err), "%s/error.log", nginx_dir);
		char *argv[] = { nginx, e, err, pp, nginx_dir, c, conf, NULL };
		pid = spawn_quiet(argv);
	}
	/* ready when a datagram comes back (socat: its first client's flow,
	 * which stays: the measuring clients are new ones) */
	int fd = udp6_client();
	to_port(fd, port);
	for (double until = bench_now() + 10; bench_now() < until;) {
		if (ping(fd, 50)) {
			close(fd);
			return pid;
		}
		usleep(20000); /* an ICMP error may fail the next send at once */
	}
	fprintf(stderr, "%s did not start\n", who[k]);
	exit(1);
}

static void relay_stop(pid_t pid)
{
	kill(-pid, SIGTERM);
	waitpid(pid, NULL, 0);
	while (waitpid(-pid, NULL, WNOHANG) > 0)
		;
}

/* ---- Load ---------------------------------------------------------------- */

struct load {
	int port;
	double until;
	long answered, lost;
};

/* PER_THREAD clients, each with one datagram in flight; one that gets no
 * answer within 200 ms is counted lost and sends again. */
static void *pound(void *arg)
{
	struct load *l = arg;
	struct pollfd p[PER_THREAD];
	double sent_at[PER_THREAD];
	char buf[64];
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < PER_THREAD; i++) {
		p[i] = (struct pollfd){ udp6_client(), POLLIN, 0 };
		to_port(p[i].fd, l->port);
		send(p[i].fd, buf, sizeof(buf), 0);
		sent_at[i] = bench_now();
	}
	while (bench_now() < l->until) {
		if (poll(p, PER_THREAD, 50) < 0)
			break;
		double now = bench_now();
		for (int i = 0; i < PER_THREAD; i++) {
			if (p[i].revents & POLLIN) {
				if (recv(p[i].fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
					l->answered++;
			} else if (now - sent_at[i] < 0.2) {
				continue;
			} else {
				l->lost++;
			}
			send(p[i].fd, buf, sizeof(buf), 0);
			sent_at[i] = now;
		}
	}
	for (int i = 0; i < PER_THREAD; i++)
		close(p[i].fd);
	return NULL;
}

static double datagrams_per_second(int port, long *lost)
{
	struct load l[THREADS];
	pthread_t t[THREADS];
	double t0 = bench_now();
	for (int i = 0; i < THREADS; i++) {
		l[i] = (struct load){ port, t0 + ROUND_S, 0, 0 };
		pthread_create(&t[i], NULL, pound, &l[i]);
	}
	long answered = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		answered += l[i].answered;
		*lost += l[i].lost;
	}
	return (double)answered / (bench_now() - t0);
}

static double latency_us(int port, double *p99)
{
	static double us[LATENCY_N];
	int fd = udp6_client();
	to_port(fd, port);
	if (!ping(fd, 1000)) /* the flow's first datagram: not timed */
		exit(1);
	for (int i = 0; i < LATENCY_N; i++) {
		double t0 = bench_now();
		if (!ping(fd, 1000))
			exit(1);
		us[i] = (bench_now() - t0) * 1e6;
	}
	close(fd);
	qsort(us, LATENCY_N, sizeof(double), bench_cmp_double);
	*p99 = us[LATENCY_N * 99 / 100];
	return us[LATENCY_N / 2];
}

int main(void)
{
	const char *relay_bin = getenv("ANYSOCK_RELAY");
	if (relay_bin == NULL)
		relay_bin = "tools/anysock-relay";
	if (system("command -v socat >/dev/null 2>&1") != 0) {
		printf("bench_relay_udp: socat not installed, nothing to compare with\n");
		return 0;
	}
	bool have_nginx = system("command -v nginx >/dev/null 2>&1") == 0 &&
			  access("/usr/lib/nginx/modules/ngx_stream_module.so", R_OK) == 0;
	if (have_nginx) {
		snprintf(nginx_dir, sizeof(nginx_dir), "/tmp/anysock-bench-nginx-%d",
			 (int)getpid());
		if (mkdir(nginx_dir, 0700) < 0 && errno != EEXIST)
			have_nginx = false;
	}
	signal(SIGPIPE, SIG_IGN);
	int to = echo_start();
	printf("UDP IPv6 -> IPv4 forwarding on loopback, %d rounds: round trips a second of %d "
	       "clients with one 64-byte datagram in flight each (%.0f s), latency of %d round "
	       "trips one after another\n",
	       ROUNDS, THREADS * PER_THREAD, ROUND_S, LATENCY_N);
	printf("anysock-relay --udp -w 2; socat UDP6-LISTEN:port,fork UDP4:...; nginx stream: %s\n",
	       have_nginx ? "worker_processes 2, listen [::1]:port udp reuseport, proxy_responses 1"
			  : "not installed (libnginx-mod-stream), left out");
	double dps[WHO][ROUNDS], lat[WHO][ROUNDS], p99[WHO][ROUNDS];
	long lost[WHO] = { 0 };
	int port = 17500;
	for (int r = 0; r < ROUNDS; r++) {
		for (int k = 0; k < WHO; k++) {
			if (k == 2 && !have_nginx)
				continue;
			pid_t pid = relay_start(k, relay_bin, port, to);
			dps[k][r] = datagrams_per_second(port, &lost[k]);
			lat[k][r] = latency_us(port, &p99[k][r]);
			relay_stop(pid);
			port++;
		}
		printf("  round %d:", r + 1);
		for (int k = 0; k < WHO; k++)
			if (k != 2 || have_nginx)
				printf("  %s %.0f/s %.0f us;", who[k], dps[k][r], lat[k][r]);
		printf("\n");
	}
	double med[WHO][3], lo[WHO], hi[WHO];
	for (int k = 0; k < WHO; k++) {
		if (k == 2 && !have_nginx)
			continue;
		double a, b;
		bench_sorted_stats(dps[k], ROUNDS, &lo[k], &med[k][0], &hi[k]);
		bench_sorted_stats(lat[k], ROUNDS, &a, &med[k][1], &b);
		bench_sorted_stats(p99[k], ROUNDS, &a, &med[k][2], &b);
		printf("  %-14s %8.0f round trips/s (min %.0f, max %.0f; %ld lost), latency median "
		       "%.0f us, p99 %.0f us\n",
		       who[k], med[k][0], lo[k], hi[k], lost[k], med[k][1], med[k][2]);
	}
	for (int k = 1; k < WHO; k++) {
		if (k == 2 && !have_nginx)
			continue;
		printf("  anysock-relay vs %s: round trips/s x%.2f (min x%.2f, max x%.2f; goal >= 1), "
		       "latency x%.2f, p99 x%.2f (goal <= 1)\n",
		       who[k], med[0][0] / med[k][0], lo[0] / lo[k], hi[0] / hi[k],
		       med[0][1] / med[k][1], med[0][2] / med[k][2]);
	}
	if (have_nginx) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", nginx_dir);
		if (system(cmd) != 0)
			return 1;
	}
	return 0;
}
