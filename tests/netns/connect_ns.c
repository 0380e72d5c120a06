/*
 * connect_ns.c - Happy Eyeballs between real hosts (network namespaces,
 * see topology.h; run through tests/netns/run.sh as root):
 *
 *  - IPv6 black-holed, IPv4 answering: connected over IPv4 within the
 *    attempt delay + 50 ms, where a sequential loop waits out the SYN
 *    timeout;
 *  - IPv6 refused: IPv4 at once, well under the delay;
 *  - everything black-holed: a timed-out error within the overall timeout;
 *  - refused and black-holed: the refusal is what gets reported;
 *  - IPv4-only and IPv6-only clients reach a dual-stack name;
 *  - the setup hook sees every attempt of the race with its family, and
 *    one that fails for IPv6 lets IPv4 start at once;
 *  - a UDP client of "localhost" and a server on 127.0.0.1 only: the first
 *    route (::1) wins and nothing arrives, unless the first datagram races
 *    for a reply;
 *  - curl, a Happy Eyeballs client of its own, on the same path for
 *    reference.
 *
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "anysock.h"
#include "../check_main.h"
#include "netns.h"
#include "topology.h"

static struct he_net net;
static anysock_listener *server;
static char port[8];
static double slack = 0.05; /* seconds over the expected time */

static void setup(void)
{
	he_build(&net);
	he_serve(&net, &server, port);
	const char *s = getenv("ANYSOCK_TEST_SLACK");
	if (s != NULL)
		slack = atof(s);
}

/* anysock_connect from a host; the result, how long it took, the peer. */
static int connect_from(int host, const char *name, const char *serv,
			const anysock_connect_opts *o, double *took, anysock_addr *peer)
{
	host_enter(host);
	double t0 = he_now();
	int fd = anysock_connect(name, serv, SOCK_STREAM, o, peer);
	*took = he_now() - t0;
	host_enter(host_self());
	return fd;
}

static void peer_is(const anysock_addr *peer, const char *want)
{
	char text[ANYSOCK_ADDRSTRLEN];
	anysock_ntop(peer, text, sizeof(text), ANYSOCK_NTOP_NOPORT);
	ck_assert_str_eq(text, want);
}

struct event {
	int event;
	anysock_addr addr;
	long us;
};
struct events {
	struct event *ev;
	int *n;
};

static void record(void *arg, enum anysock_attempt_event event, const anysock_addr *a, int err,
		   long us)
{
	(void)err;
	struct events *e = arg;
	if (*e->n < 8)
		e->ev[(*e->n)++] = (struct event){ event, *a, us };
}

/* UNP's tcp_connect: each address in turn, blocking. */
static int sequential(int host, const char *name, const char *serv, double *took)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	double t0 = he_now();
	int fd = -1;
	ck_assert_int_eq(getaddrinfo(name, serv, &hints, &res), 0);
	for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		fd = host_socket(host, ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	*took = he_now() - t0;
	return fd;
}

START_TEST(test_ipv6_black_hole)
{
	setup();
	/* The test means something only if IPv6 comes first. */
	anysock_addr order[4];
	host_enter(net.client);
	int n = anysock_resolve("both.test", port, SOCK_STREAM, 0, 1000, order, 4);
	host_enter(host_self());
	ck_assert_int_eq(n, 2);
	peer_is(&order[0], "2001:db8:1::2");
	double took;
	anysock_addr peer;
	int fd = connect_from(net.client, "both.test", port, NULL, &took, &peer);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	peer_is(&peer, "10.0.0.2");
	fprintf(stderr, "IPv6 black-holed: anysock_connect %.1f ms (delay 250 ms)\n", took * 1e3);
	ck_assert_msg(took >= 0.25 && took <= 0.25 + slack, "took %.3f s", took);
	close(fd);

	/* The trace shows the race: IPv6 starts, IPv4 starts one delay
	 * later and wins, IPv6 is abandoned. */
	struct event ev[8];
	int nev = 0;
	anysock_connect_opts traced = ANYSOCK_CONNECT_OPTS_INIT;
	traced.trace = record;
	traced.trace_arg = &(struct events){ ev, &nev };
	fd = connect_from(net.client, "both.test", port, &traced, &took, &peer);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(nev, 4);
	static const int want[4] = { ANYSOCK_ATTEMPT_START, ANYSOCK_ATTEMPT_START,
				     ANYSOCK_ATTEMPT_CONNECTED, ANYSOCK_ATTEMPT_ABANDONED };
	static const char *where[4] = { "2001:db8:1::2", "10.0.0.2", "10.0.0.2", "2001:db8:1::2" };
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(ev[i].event, want[i]);
		peer_is(&ev[i].addr, where[i]);
	}
	ck_assert_int_lt(ev[0].us, 10000);
	ck_assert_int_ge(ev[1].us, 250000);
	ck_assert_int_lt(ev[1].us, 250000 + (long)(slack * 1e6));

	/* A shorter delay is honoured too. */
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.attempt_delay_ms = 100;
	fd = connect_from(net.client, "both.test", port, &o, &took, &peer);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(took >= 0.1 && took <= 0.1 + slack, "took %.3f s", took);
	close(fd);

	/* The book's loop waits for the SYN timeout (1 retry: 3 s) first. */
	fd = sequential(net.client, "both.test", port, &took);
	fprintf(stderr, "IPv6 black-holed: sequential connect %.1f ms\n", took * 1e3);
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(took > 2.5, "sequential took only %.3f s", took);
	close(fd);
}
END_TEST

START_TEST(test_ipv6_refused)
{
	setup();
	double took;
	anysock_addr peer;
	int fd = connect_from(net.client, "refused.test", port, NULL, &took, &peer);
	ck_assert_int_ge(fd, 0);
	peer_is(&peer, "10.0.0.2");
	fprintf(stderr, "IPv6 refused: anysock_connect %.1f ms\n", took * 1e3);
	ck_assert_msg(took < 0.1, "took %.3f s, the refusal should start IPv4 at once", took);
	close(fd);
}
END_TEST

START_TEST(test_everything_black_holed)
{
	setup();
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 1000;
	double took;
	anysock_addr peer;
	int rc = connect_from(net.client, "hole.test", port, &o, &took, &peer);
	ck_assert_int_eq(rc, -ETIMEDOUT);
	ck_assert_int_gt(anysock_addr_family(&peer), 0); /* one of the two */
	ck_assert_msg(took >= 1.0 && took <= 1.0 + slack, "took %.3f s", took);

	/* Refused on IPv4 and silent on IPv6: the refusal is the news. It
	 * still waits for IPv6 until the timeout, which might have answered. */
	anysock_addr a;
	anysock_listener_addr(server, 0, &a);
	char closed[8];
	snprintf(closed, sizeof(closed), "%d", anysock_addr_port(&a) == 9 ? 10 : 9);
	rc = connect_from(net.client, "both.test", closed, &o, &took, &peer);
	ck_assert_int_eq(rc, -ECONNREFUSED);
	peer_is(&peer, "10.0.0.2");
	ck_assert_msg(took >= 1.0 && took <= 1.0 + slack, "took %.3f s", took);

	/* The timeout covers the lookup too: nothing left, nothing tried. */
	o.timeout_ms = 0;
	rc = connect_from(net.client, "hole.test", port, &o, &took, &peer);
	ck_assert_int_eq(rc, -ETIMEDOUT);
	ck_assert(took < slack);
}
END_TEST

START_TEST(test_one_family_hosts)
{
	setup();
	/* dual.test has both families; each client has one. */
	anysock_listener *l;
	host_enter(net.server);
	ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_STREAM, 0, 0, &l, NULL), 2);
	host_enter(host_self());
	anysock_addr a, peer;
	anysock_listener_addr(l, 0, &a);
	char serv[8];
	snprintf(serv, sizeof(serv), "%d", anysock_addr_port(&a));
	double took;
	int fd = connect_from(net.client4, "dual.test", serv, NULL, &took, &peer);
	ck_assert_msg(fd >= 0, "IPv4-only host: %s", anysock_strerror(fd));
	peer_is(&peer, "10.0.4.2");
	ck_assert(took < 0.1);
	close(fd);
	fd = connect_from(net.client6, "dual.test", serv, NULL, &took, &peer);
	ck_assert_msg(fd >= 0, "IPv6-only host: %s", anysock_strerror(fd));
	peer_is(&peer, "2001:db8:6::2");
	ck_assert(took < 0.1);
	close(fd);
	anysock_listener_close(l);
}
END_TEST

struct setups {
	int n, fail_family;
	int family[8];
	anysock_addr addr[8];
};

static int note_setup(void *arg, int fd, int family, const anysock_addr *a)
{
	struct setups *h = arg;
	(void)fd;
	if (h->n < 8) {
		h->family[h->n] = family;
		h->addr[h->n] = *a;
	}
	h->n++;
	return family == h->fail_family ? -EPERM : 0;
}

START_TEST(test_setup_hook_race)
{
	setup();
	/* IPv6 black-holed: the hook sees the IPv6 attempt, then, a delay
	 * later, the IPv4 one; the trace starts the same attempts. */
	struct setups h = { .n = 0 };
	struct event ev[8];
	int nev = 0;
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.setup = note_setup;
	o.setup_arg = &h;
	o.trace = record;
	o.trace_arg = &(struct events){ ev, &nev };
	double took;
	anysock_addr peer;
	int fd = connect_from(net.client, "both.test", port, &o, &took, &peer);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	close(fd);
	ck_assert_int_eq(h.n, 2);
	ck_assert_int_eq(h.family[0], AF_INET6);
	peer_is(&h.addr[0], "2001:db8:1::2");
	ck_assert_int_eq(h.family[1], AF_INET);
	peer_is(&h.addr[1], "10.0.0.2");
	int starts = 0;
	for (int i = 0; i < nev; i++)
		if (ev[i].event == ANYSOCK_ATTEMPT_START)
			ck_assert(anysock_addr_equal(&ev[i].addr, &h.addr[starts++], 0));
	ck_assert_int_eq(starts, h.n);

	/* A hook that refuses IPv6 fails that attempt only: IPv4 starts at
	 * once instead of after the delay (2 s here, so that a busy machine
	 * cannot blur the two), and wins. */
	h = (struct setups){ .fail_family = AF_INET6 };
	o.trace = NULL;
	o.attempt_delay_ms = 2000;
	fd = connect_from(net.client, "both.test", port, &o, &took, &peer);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	close(fd);
	peer_is(&peer, "10.0.0.2");
	ck_assert_int_eq(h.n, 2);
	fprintf(stderr, "setup hook refusing IPv6: IPv4 connected in %.2f ms\n", took * 1e3);
	ck_assert_msg(took < 1.0, "took %.3f s: a failed hook should start IPv4 at once", took);

	/* Refusing both: the hook's error, after both attempts. */
	h = (struct setups){ .fail_family = AF_INET };
	o.flags = ANYSOCK_CONNECT_IPV4;
	ck_assert_int_eq(connect_from(net.client, "both.test", port, &o, &took, &peer), -EPERM);
	ck_assert_int_eq(h.n, 1);
}
END_TEST

/* UDP has no handshake: the first family with a route wins, even when the
 * server listens on the other one only (issue 22: "-u localhost" against
 * an IPv4-only receiver). Racing the first datagram for a reply picks the
 * family that answers. In this namespace's own hosts file "localhost" is
 * 127.0.0.1 and ::1. */
START_TEST(test_udp_first_datagram_race)
{
	anysock_addr order[4];
	int n = anysock_resolve("localhost", "1", SOCK_DGRAM, 0, 1000, order, 4);
	ck_assert_int_eq(n, 2);
	peer_is(&order[0], "::1"); /* the test means something only so */
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen("127.0.0.1", "0", SOCK_DGRAM, 0, 0, &l, NULL), 1);
	anysock_addr a, peer;
	anysock_listener_addr(l, 0, &a);
	char serv[8], buf[16];
	snprintf(serv, sizeof(serv), "%d", anysock_addr_port(&a));

	/* The plain datagram connect: ::1 wins, the datagram is refused. */
	int fd = anysock_connect("localhost", serv, SOCK_DGRAM, NULL, &peer);
	ck_assert_int_ge(fd, 0);
	peer_is(&peer, "::1");
	ck_assert_int_eq(send(fd, "lost", 4, 0), 4);
	struct pollfd p = { fd, POLLIN, 0 };
	poll(&p, 1, 1000);
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, ECONNREFUSED);
	close(fd);

	/* The race: ::1 refuses, 127.0.0.1 answers and wins. */
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		anysock_addr from, to;
		ssize_t got = anysock_recvfrom(l, buf, sizeof(buf), &from, &to, 5000);
		_exit(got == 4 && anysock_sendto(l, buf, 4, &from, &to) == 4 ? 0 : 1);
	}
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 5000;
	o.attempt_delay_ms = 2000; /* "at once" cannot be mistaken for the delay */
	o.first_datagram = "ping";
	o.first_datagram_len = 4;
	double t0 = he_now();
	fd = anysock_connect("localhost", serv, SOCK_DGRAM, &o, &peer);
	double took = he_now() - t0;
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	peer_is(&peer, "127.0.0.1");
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), 4);
	fprintf(stderr,
		"UDP localhost, server on 127.0.0.1 only: the first datagram's "
		"reply won over 127.0.0.1 in %.2f ms\n",
		took * 1e3);
	ck_assert_msg(took < 1.0, "took %.3f s: the refusal should start IPv4 at once", took);
	close(fd);
	int status;
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_curl_reference)
{
	setup();
	if (system("command -v curl >/dev/null 2>&1") != 0) {
		fprintf(stderr, "curl not installed: reference skipped\n");
		return;
	}
	/* curl races the families too (its delay: 200 ms). It connects, sends
	 * a request, and gets an empty reply: exit 52, time_connect printed. */
	ck_assert_int_eq(host_sh(net.client,
				 "t=$(curl -s -o /dev/null --max-time 5 -w '%%{time_connect} "
				 "%%{remote_ip}' http://both.test:%s/); "
				 "echo \"curl, IPv6 black-holed: time_connect $t\" >&2; "
				 "case $t in 0.2*' 10.0.0.2') exit 0;; *) exit 1;; esac",
				 port),
			 0);
}
END_TEST

int main(void)
{
	if (getenv("ANYSOCK_NETNS") == NULL) {
		fprintf(stderr, "SKIP: run me through tests/netns/run.sh\n");
		return 77;
	}
	Suite *s = suite_create("connect_ns");
	TCase *tc = tcase_create("hosts");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ipv6_black_hole);
	tcase_add_test(tc, test_ipv6_refused);
	tcase_add_test(tc, test_everything_black_holed);
	tcase_add_test(tc, test_one_family_hosts);
	tcase_add_test(tc, test_setup_hook_race);
	tcase_add_test(tc, test_udp_first_datagram_race);
	tcase_add_test(tc, test_curl_reference);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
