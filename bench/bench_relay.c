/*
 * bench_relay.c - tools/anysock-relay (-w 2) against HAProxy (mode tcp,
 * nbthread 2, option splice-auto; its configuration is printed) and socat
 * doing the same IPv6 -> IPv4 forwarding (socat TCP6-LISTEN:...,fork
 * TCP4:...), same run, same backend, rounds alternating:
 *
 *  - throughput: 4 connections at once, each sending 256 MiB through the
 *    relay to a backend that discards it, and the relay's CPU seconds per
 *    GiB moved;
 *  - latency: 500 connections one after another, each connect + one
 *    64-byte round trip through the relay to an echoing backend (median
 *    and p99);
 *  - the same with 64 streams (32 MiB each by default);
 *  - connections a second: 2,000 (4 threads), each 1 byte each way;
 *  - memory: 7,000 idle connections held open through it, its RSS growth
 *    per connection at 3,000 and at 7,000 (HAProxy needs about 2.5
 *    descriptors a connection: maxconn 7500 is its ceiling here);
 *  - the cost of --source-map (a bind() to the client's pool address
 *    before each connect to the target): connections a second with it
 *    against without it, the relay alone, rounds alternating.
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
#include <sys/resource.h>
#include <sys/wait.h>

#include "anysock.h"
#include "bench.h"

#define STREAMS 4
#define ROUNDS 3
#define LATENCY_CONNS 500
#define IDLE_CONNS 7000 /* measured at 3,000 and at 7,000 */
#define WIDE_STREAMS 64
#define CPS_CONNS 2000
#define WHO 3

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
	char serv[16];
	snprintf(serv, sizeof(serv), "%d", port);
	return anysock_connect("::1", serv, SOCK_STREAM, NULL, NULL);
}

/* Start a relay on [::1]:port forwarding to 127.0.0.1:to; wait until it
 * accepts connections. */
static pid_t relay_start(const char *which, const char *relay_bin, int port, int to)
{
	char p[16], t[16], listen[64], target[64], bin[4096], socat[] = "socat", host_flag[] = "-H",
		host[] = "::1", port_flag[] = "-p", to_host[] = "127.0.0.1";
	snprintf(bin, sizeof(bin), "%s", relay_bin);
	snprintf(p, sizeof(p), "%d", port);
	snprintf(t, sizeof(t), "%d", to);
	pid_t pid;
	if (strcmp(which, "haproxy") == 0) {
		static char cfg[64];
		snprintf(cfg, sizeof(cfg), "/tmp/anysock-bench-haproxy-%d.cfg", (int)getpid());
		FILE *f = fopen(cfg, "w");
		if (f == NULL)
			exit(1);
		fprintf(f, "global\n    nbthread 2\n    maxconn 7500\ndefaults\n    mode tcp\n"
			   "    option splice-auto\n    timeout connect 5s\n    timeout client 60s\n"
			   "    timeout server 60s\nfrontend f\n    bind [::1]:%d\n"
			   "    default_backend b\nbackend b\n    server s 127.0.0.1:%d\n",
			port, to);
		fclose(f);
		char haproxy[] = "haproxy", db[] = "-db", fflag[] = "-f";
		char *argv[] = { haproxy, db, fflag, cfg, NULL };
		pid = spawn(argv);
	} else if (strcmp(which, "socat") == 0) {
		snprintf(listen, sizeof(listen), "TCP6-LISTEN:%d,bind=[::1],fork,reuseaddr", port);
		snprintf(target, sizeof(target), "TCP4:127.0.0.1:%d", to);
		char *argv[] = { socat, listen, target, NULL };
		pid = spawn(argv);
	} else if (strcmp(which, "source-map") == 0) {
		char wflag[] = "-w", two[] = "2", map[] = "--source-map", pool[] = "127.64.0.0/10";
		char *argv[] = { bin, map,   pool, host_flag, host, port_flag,
				 p,   wflag, two,  to_host,   t,    NULL };
		pid = spawn(argv);
	} else {
		char wflag[] = "-w", two[] = "2";
		char *argv[] = { bin, host_flag, host, port_flag, p, wflag, two, to_host, t, NULL };
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

static double throughput(int port, size_t mib, int streams)
{
	struct stream s = { port, mib << 20 };
	pthread_t t[WIDE_STREAMS];
	double t0 = bench_now();
	for (int i = 0; i < streams; i++)
		pthread_create(&t[i], NULL, send_stream, &s);
	for (int i = 0; i < streams; i++)
		pthread_join(t[i], NULL);
	return (double)((size_t)streams * s.bytes) / (bench_now() - t0) / 1e6; /* MB/s */
}

static double cpu_of(pid_t pid)
{
	char path[64], text[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	unsigned long ut = 0, st = 0;
	if (f != NULL && fgets(text, sizeof(text), f) != NULL && strrchr(text, ')') != NULL)
		sscanf(strrchr(text, ')') + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		       &ut, &st);
	if (f != NULL)
		fclose(f);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* The RSS of pid and its children (socat forks one per connection), kB. */
static long rss_kb(pid_t pid)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "ps -o rss= --pid %d --ppid %d | awk '{s+=$1} END {print s}'",
		 (int)pid, (int)pid);
	FILE *p = popen(cmd, "r");
	long kb = 0;
	if (p != NULL && fscanf(p, "%ld", &kb) != 1)
		kb = 0;
	if (p != NULL)
		pclose(p);
	return kb;
}

/* RSS growth per idle connection (bytes) with 3,000 and with IDLE_CONNS
 * held open through it, each one byte each way first. */
static void idle_bytes(pid_t pid, int port, double *at3000, double *atmax)
{
	static int fd[IDLE_CONNS];
	long kb0 = rss_kb(pid), kb3000 = kb0;
	int n = 0;
	for (; n < IDLE_CONNS; n++) {
		char c = 'x';
		fd[n] = connect_v6(port);
		if (fd[n] < 0 || write(fd[n], &c, 1) != 1 || read(fd[n], &c, 1) != 1)
			break; /* the relay's limit */
		if (n + 1 == 3000)
			kb3000 = rss_kb(pid);
	}
	long kb = rss_kb(pid);
	for (int i = 0; i < n; i++)
		close(fd[i]);
	*at3000 = (double)(kb3000 - kb0) * 1024 / 3000;
	*atmax = n == IDLE_CONNS ? (double)(kb - kb0) * 1024 / n : -1;
}

/* Connections a second: 4 threads, each connect, 1 byte each way, close. */
static void *cps_worker(void *arg)
{
	int port = *(int *)arg;
	for (int i = 0; i < CPS_CONNS / 4; i++) {
		char c = 'x';
		int fd = connect_v6(port);
		if (fd < 0 || write(fd, &c, 1) != 1 || read(fd, &c, 1) != 1)
			exit(1);
		close(fd);
	}
	return NULL;
}

static double conns_per_second(int port)
{
	pthread_t t[4];
	double t0 = bench_now();
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, cps_worker, &port);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return CPS_CONNS / (bench_now() - t0);
}

static double latency_us(int port, double *p99)
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
	*p99 = us[LATENCY_CONNS * 99 / 100];
	return us[LATENCY_CONNS / 2];
}

/* Connections a second with --source-map and without, rounds alternating:
 * what the bind to the client's pool address (and the pool's lookups)
 * costs each connection. */
static void source_map_cost(const char *relay_bin, int port, int to)
{
	enum { N = 2 * ROUNDS + 1 };
	double cps_plain[N], cps_map[N];
	for (int r = 0; r < N; r++) {
		pid_t a = relay_start("anysock-relay", relay_bin, port, to);
		cps_plain[r] = conns_per_second(port++);
		relay_stop(a);
		a = relay_start("source-map", relay_bin, port, to);
		cps_map[r] = conns_per_second(port++);
		relay_stop(a);
	}
	double lo[2], med[2], hi[2];
	bench_sorted_stats(cps_plain, N, &lo[0], &med[0], &hi[0]);
	bench_sorted_stats(cps_map, N, &lo[1], &med[1], &hi[1]);
	printf("--source-map 127.64.0.0/10 (one client, ::1): %d rounds of %d connections, each "
	       "1 byte each way\n",
	       N, CPS_CONNS);
	printf("  without: median %.0f conn/s (min %.0f, max %.0f)\n", med[0], lo[0], hi[0]);
	printf("  with:    median %.0f conn/s (min %.0f, max %.0f)\n", med[1], lo[1], hi[1]);
	printf("  with / without: x%.2f median, x%.2f min, x%.2f max\n", med[1] / med[0],
	       lo[1] / lo[0], hi[1] / hi[0]);
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 256;
	const char *relay_bin = getenv("ANYSOCK_RELAY");
	if (relay_bin == NULL)
		relay_bin = "tools/anysock-relay";
	if (system("command -v socat >/dev/null 2>&1") != 0) {
		printf("bench_relay: socat not installed, nothing to compare with\n");
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	struct backend discard, echo;
	int to_discard = backend_start(&discard, false);
	int to_echo = backend_start(&echo, true);
	bool have_haproxy = system("command -v haproxy >/dev/null 2>&1") == 0;
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max; /* the idle clients, and the backend's ends */
	setrlimit(RLIMIT_NOFILE, &rl);
	printf("IPv6 -> IPv4 forwarding on loopback, %d rounds: throughput of %d streams x %zu MiB "
	       "and CPU per GiB; latency of %d connect+64-byte round trips; RSS per idle connection "
	       "(%d held)\n", ROUNDS, STREAMS, mib, LATENCY_CONNS, IDLE_CONNS);
	if (have_haproxy)
		printf("HAProxy: global nbthread 2, maxconn 7500; defaults mode tcp, option "
		       "splice-auto; frontend bind [::1]:port -> server 127.0.0.1:port\n");
	else
		printf("HAProxy: not installed, left out\n");
	const char *who[WHO] = { "anysock-relay", "haproxy", "socat" };
	double tp[WHO][ROUNDS], cpu[WHO][ROUNDS], lat[WHO][ROUNDS], p99[WHO][ROUNDS],
		idle[WHO][ROUNDS], idle7[WHO][ROUNDS], wide[WHO][ROUNDS], cps[WHO][ROUNDS];
	int port = 17000;
	for (int r = 0; r < ROUNDS; r++) {
		for (int k = 0; k < WHO; k++) {
			if (k == 1 && !have_haproxy)
				continue;
			pid_t a = relay_start(who[k], relay_bin, port, to_discard);
			double c0 = cpu_of(a);
			tp[k][r] = throughput(port, mib, STREAMS);
			cpu[k][r] = (cpu_of(a) - c0) / ((double)(STREAMS * (mib << 20)) / (1 << 30));
			wide[k][r] = throughput(port++, mib / 8 > 0 ? mib / 8 : 1, WIDE_STREAMS);
			relay_stop(a);
			a = relay_start(who[k], relay_bin, port, to_echo);
			lat[k][r] = latency_us(port, &p99[k][r]);
			cps[k][r] = conns_per_second(port);
			idle[k][r] = idle7[k][r] = 0;
			if (k != 2) /* socat: a process each */
				idle_bytes(a, port, &idle[k][r], &idle7[k][r]);
			port++;
			relay_stop(a);
		}
		printf("  round %d:", r + 1);
		for (int k = 0; k < WHO; k++)
			if (k != 1 || have_haproxy)
				printf("  %s %.0f MB/s %.0f/%.0f us%s", who[k], tp[k][r], lat[k][r],
				       p99[k][r], k == WHO - 1 ? "" : ";");
		printf("\n");
	}
	for (int k = 0; k < WHO; k++) {
		if (k == 1 && !have_haproxy)
			continue;
		double lo, mt, mc, ml, mp, mi, hi, mi7, mw, mcps;
		bench_sorted_stats(idle7[k], ROUNDS, &lo, &mi7, &hi);
		bench_sorted_stats(wide[k], ROUNDS, &lo, &mw, &hi);
		bench_sorted_stats(cps[k], ROUNDS, &lo, &mcps, &hi);
		idle7[k][0] = mi7, wide[k][0] = mw, cps[k][0] = mcps;
		bench_sorted_stats(tp[k], ROUNDS, &lo, &mt, &hi);
		bench_sorted_stats(cpu[k], ROUNDS, &lo, &mc, &hi);
		bench_sorted_stats(lat[k], ROUNDS, &lo, &ml, &hi);
		bench_sorted_stats(p99[k], ROUNDS, &lo, &mp, &hi);
		bench_sorted_stats(idle[k], ROUNDS, &lo, &mi, &hi);
		tp[k][0] = mt, cpu[k][0] = mc, lat[k][0] = ml, p99[k][0] = mp, idle[k][0] = mi;
		if (k == 2) /* its work is done in the children it forks */
			printf("  %-14s median: %6.0f MB/s (64 streams %.0f), latency %4.0f us (p99 %4.0f), "
			       "%.0f conn/s; a process per connection\n", who[k], mt, mw, ml, mp, mcps);
		else
			printf("  %-14s median: %6.0f MB/s (64 streams %.0f), %.2f CPU s/GiB, latency "
			       "%4.0f us (p99 %4.0f), %.0f conn/s, %.0f / %.0f bytes per idle connection "
			       "at 3,000 / 7,000\n", who[k], mt, mw, mc, ml, mp, mcps, mi, mi7);
	}
	for (int k = 1; k < WHO; k++) {
		if (k == 1 && !have_haproxy)
			continue;
		printf("  anysock-relay vs %s: throughput x%.2f, 64 streams x%.2f, conn/s x%.2f (goals "
		       ">= 1); latency x%.2f and p99 x%.2f (goal <= 1)", who[k], tp[0][0] / tp[k][0],
		       wide[0][0] / wide[k][0], cps[0][0] / cps[k][0], lat[0][0] / lat[k][0],
		       p99[0][0] / p99[k][0]);
		if (k == 1)
			printf(", CPU/GiB x%.2f (goal <= 1)", cpu[0][0] / cpu[1][0]);
		printf("\n");
		if (k == 1)
			printf("  anysock-relay vs haproxy: memory per idle connection x%.2f at 3,000, x%.2f "
			       "at 7,000 (goal <= 1)\n", idle[0][0] / idle[1][0], idle7[0][0] / idle7[1][0]);
	}
	source_map_cost(relay_bin, port, to_echo);
	char cfg[64];
	snprintf(cfg, sizeof(cfg), "/tmp/anysock-bench-haproxy-%d.cfg", (int)getpid());
	unlink(cfg);
	return 0;
}
