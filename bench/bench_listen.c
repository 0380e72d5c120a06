/*
 * bench_listen.c - connections accepted per second through a two-socket
 * listener (anysock_accept over "::" and "0.0.0.0") against the plain
 * loop every book starts with (one AF_INET socket, blocking accept), same
 * process, same clients, alternating rounds; then a load split across
 * both families that must lose nothing.
 *
 *   bench/bench_listen [connections-per-round]      (default 20000)
 *
 * Loopback only; as root `make bench` runs it in a throw-away namespace.
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "anysock.h"
#include "bench.h"

#define CLIENTS 4
#define ROUNDS 7

struct load {
	int port;
	int per_client;
	bool split;           /* half the clients over ::1 */
	atomic_int refused;   /* connects that failed */
};

/* Server on CPU 0, clients on the others: without pinning, where the
 * scheduler happens to put the threads moves a round's rate by 2x. */
static void pin(bool server)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 2)
		return;
	cpu_set_t set;
	CPU_ZERO(&set);
	if (server)
		CPU_SET(0, &set);
	else
		for (long c = 1; c < cpus && c < CPU_SETSIZE; c++)
			CPU_SET((int)c, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *client(void *arg)
{
	pin(false);
	static atomic_int next_id;
	struct load *ld = arg;
	int id = atomic_fetch_add(&next_id, 1);
	anysock_addr to;
	const char *text = ld->split && id % 2 ? "::1" : "127.0.0.1";
	anysock_pton(text, &to, 0);
	anysock_addr_set_port(&to, ld->port);
	for (int i = 0; i < ld->per_client; i++) {
		int fd = socket(to.u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, &to.u.sa, to.len) < 0) {
			atomic_fetch_add(&ld->refused, 1);
			if (ld->split)
				fprintf(stderr, "client: %s\n", strerror(errno));
		}
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

/* The server ends each connection with a reset: no TIME_WAIT piles up
 * over the rounds to make later rounds slower than earlier ones. */
static void drop(int fd)
{
	struct linger lg = { 1, 0 };
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void start_clients(pthread_t *t, struct load *ld)
{
	for (int i = 0; i < CLIENTS; i++)
		pthread_create(&t[i], NULL, client, ld);
}

static void join_clients(pthread_t *t)
{
	for (int i = 0; i < CLIENTS; i++)
		pthread_join(t[i], NULL);
}

/* The baseline: socket, bind, listen, accept in a loop. */
static double plain_round(int total)
{
	anysock_addr a;
	anysock_addr_any(&a, AF_INET, 0);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int on = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(s, &a.u.sa, a.len) < 0 || listen(s, SOMAXCONN) < 0) {
		perror("plain listener");
		exit(1);
	}
	a.len = sizeof(a.u);
	getsockname(s, &a.u.sa, &a.len);
	struct load ld = { anysock_addr_port(&a), total / CLIENTS, false, 0 };
	pthread_t t[CLIENTS];
	double t0 = bench_now();
	start_clients(t, &ld);
	for (int i = 0; i < ld.per_client * CLIENTS; i++) {
		anysock_addr peer = { .len = sizeof(peer.u) };
		int fd = accept(s, &peer.u.sa, &peer.len);
		if (fd >= 0)
			drop(fd);
	}
	double took = bench_now() - t0;
	join_clients(t);
	close(s);
	return took;
}

/* The library: both families, accept taking turns; *per_family counts
 * the peers of each family. */
static double anysock_round(int total, bool split, int per_family[2], int *refused)
{
	anysock_listener *l;
	int rc = anysock_listen(NULL, NULL, SOCK_STREAM, 0, 0, &l, NULL);
	if (rc < 0) {
		fprintf(stderr, "anysock_listen: %s\n", anysock_strerror(rc));
		exit(1);
	}
	anysock_addr a;
	anysock_listener_addr(l, 0, &a);
	struct load ld = { anysock_addr_port(&a), total / CLIENTS, split, 0 };
	pthread_t t[CLIENTS];
	double t0 = bench_now();
	start_clients(t, &ld);
	for (int i = 0; i < ld.per_client * CLIENTS; i++) {
		anysock_addr peer;
		int fd = anysock_accept(l, &peer, 5000);
		if (fd < 0) {
			fprintf(stderr, "anysock_accept: %s after %d\n", anysock_strerror(fd), i);
			break;
		}
		per_family[anysock_addr_family(&peer) == AF_INET6]++;
		/* The split load counts connects that fail: a reset could beat a
		 * slow client's connect() back and count as one. */
		if (split)
			close(fd);
		else
			drop(fd);
	}
	double took = bench_now() - t0;
	join_clients(t);
	*refused = ld.refused;
	anysock_listener_close(l);
	return took;
}

int main(int argc, char **argv)
{
	int total = argc > 1 ? atoi(argv[1]) : 20000;
	total -= total % CLIENTS;
	pin(true);
	double plain[ROUNDS], ours[ROUNDS], ratio[ROUNDS];
	printf("accept rate, %d connections per round from %d client threads, "
	       "%d alternating rounds\n", total, CLIENTS, ROUNDS);
	for (int r = 0; r < ROUNDS; r++) {
		int fam[2] = { 0, 0 }, refused;
		plain[r] = total / plain_round(total);
		ours[r] = total / anysock_round(total, false, fam, &refused);
		ratio[r] = ours[r] / plain[r];
		printf("  round %d: plain accept loop %8.0f conn/s   anysock_accept (2 sockets) "
		       "%8.0f conn/s   ratio %.3f\n", r + 1, plain[r], ours[r], ratio[r]);
	}
	qsort(ratio, ROUNDS, sizeof(double), bench_cmp_double);
	printf("median ratio anysock/plain: %.3f (goal >= 0.95)\n\n", ratio[ROUNDS / 2]);

	int load = 10000, fam[2] = { 0, 0 }, refused = 0;
	double took = anysock_round(load, true, fam, &refused);
	printf("split load: %d connections, half to 127.0.0.1 and half to ::1, in %.3f s\n"
	       "  accepted IPv4 %d, IPv6 %d, failed connects %d: %s\n",
	       load, took, fam[0], fam[1], refused,
	       fam[0] == load / 2 && fam[1] == load / 2 && refused == 0 ? "none lost" : "LOST");
	return fam[0] == load / 2 && fam[1] == load / 2 ? 0 : 1;
}
