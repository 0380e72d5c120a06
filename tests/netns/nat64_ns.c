/*
 * nat64_ns.c - IPv6-only networks (run through tests/netns/nat64.sh as
 * root): an IPv6-only client, a router running tayga as the NAT64 for
 * 2001:db8:64::/96, an IPv4-only server 192.0.2.2:8080 (nat64lab.h), and
 * the test's DNS responder doing DNS64 and answering ipv4only.arpa.
 *
 *  - through the translator: an IPv4 literal connects and *peer is the
 *    IPv4 host; the same with a name that has only an A record; the same
 *    from a connector driven by an epoll loop; the relay reaches an IPv4
 *    literal target and logs it; anysock-probe shows the prefix and what
 *    a connect to the literal does;
 *  - discovery (RFC 7050): /96 through the lab, /32 /40 /48 /56 /64 (the
 *    u octet) /96 by the DNS answers alone, two prefixes at once, and the
 *    answers refused; from an event loop; after fork() in a child;
 *  - no NAT64 (NXDOMAIN, no AAAA answer, a silent server): a literal
 *    fails with ANYSOCK_E_NONAT64 within its timeout, and the answer is
 *    cached (the responder counts the queries);
 *  - a dual-stack (or CLAT) host makes no query for an IPv4 literal;
 *  - an answer that embeds its A record but is not under the prefix is
 *    never taken for a translation.
 *
 * Each test runs in a process of its own: the prefixes are process state.
 * The test's thread stays in the client host, so the lookup workers it
 * starts ask the responder there.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include "anysock.h"
#include "../check_main.h"
#include "dns.h"
#include "nat64lab.h"
#include "netns.h"

static double slack = 0.1; /* seconds past a bound */
static struct nat64_lab lab;

/* ipv4only.arpa as RFC 8880 has it, and names with A records only. */
static const struct dns_record lab_records[] = {
	{ "ipv4only.arpa", 1, "192.0.0.170", 0 },
	{ "ipv4only.arpa", 1, "192.0.0.171", 0 },
	{ "v4only.test", 1, LAB_SERVER, 0 },
	{ "v4only.test", 28, NULL, 30 }, /* the synthesized AAAA 30 ms after A */
	{ "v4fast.test", 1, LAB_SERVER, 0 },
	{ NULL, 0, NULL, 0 },
};

static const char *text_of(const anysock_addr *a)
{
	static char buf[4][ANYSOCK_ADDRSTRLEN];
	static int k;
	k = (k + 1) % 4;
	anysock_ntop(a, buf[k], sizeof(buf[k]), 0);
	return buf[k];
}

static anysock_addr addr(const char *text)
{
	anysock_addr a;
	ck_assert_int_eq(anysock_pton(text, &a, 0), 0);
	return a;
}

/* ------------------------------------------------------------------------ */
/* The hosts                                                                */
/* ------------------------------------------------------------------------ */

/* The IPv4-only server: tells each client what it saw, then closes. */
static void *serve(void *arg)
{
	anysock_listener *l = arg;
	for (;;) {
		anysock_addr peer;
		int fd = anysock_accept(l, &peer, -1);
		if (fd < 0)
			continue;
		char text[ANYSOCK_ADDRSTRLEN], line[ANYSOCK_ADDRSTRLEN + 2];
		anysock_ntop(&peer, text, sizeof(text), 0); /* text_of() is the test thread's */
		int n = snprintf(line, sizeof(line), "%s\n", text);
		send(fd, line, (size_t)n, MSG_NOSIGNAL);
		close(fd);
	}
	return NULL;
}

static void start_server(int host, const char *where, const char *port)
{
	anysock_listener *l;
	host_enter(host);
	int rc = anysock_listen(where, port, SOCK_STREAM, ANYSOCK_LISTEN_NUMERIC, 0, &l, NULL);
	host_enter(lab.client);
	ck_assert_msg(rc == 1, "listen %s: %s", where, anysock_strerror(rc));
	pthread_t t;
	pthread_create(&t, NULL, serve, l);
	pthread_detach(t);
}

/* The lab (with or without its translator), the responder in the client
 * (a DNS64 under dns64 unless NULL), and this thread in the client. */
static void lab_up(bool translator, const struct dns_record *records, const char *dns64)
{
	const char *s = getenv("ANYSOCK_TEST_SLACK");
	if (s != NULL)
		slack = atof(s);
	if (translator && !tayga_installed()) {
		fprintf(stderr, "tayga is not installed (tests/netns/nat64.sh installs it)\n");
		ck_abort();
	}
	nat64_lab_build(&lab, translator);
	host_enter(lab.client);
	ck_assert_int_eq(dns_set_dns64(dns64), 0);
	ck_assert_int_eq(dns_start(records), 0);
	start_server(lab.server, LAB_SERVER, "8080");
}

/* What the server said it saw ("198.18.255.x:port", tayga's pool). */
static void server_saw_ipv4(int fd)
{
	char line[128] = "";
	struct pollfd p = { fd, POLLIN, 0 };
	ck_assert_int_eq(poll(&p, 1, 3000), 1);
	ssize_t n = recv(fd, line, sizeof(line) - 1, 0);
	ck_assert_int_gt(n, 0);
	line[n] = '\0';
	ck_assert_msg(strncmp(line, "198.18.255.", 11) == 0, "the server saw %s", line);
}

struct event {
	int event, err;
	char addr[ANYSOCK_ADDRSTRLEN];
};
static struct event events[16];
static int nevents;

static void record(void *arg, enum anysock_attempt_event event, const anysock_addr *a, int err,
		   long us)
{
	(void)arg;
	(void)us;
	if (nevents < 16) {
		events[nevents] = (struct event){ event, err, "" };
		anysock_ntop(a, events[nevents].addr, sizeof(events[nevents].addr), 0);
		nevents++;
	}
}

static anysock_connect_opts traced(int timeout_ms)
{
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = timeout_ms;
	o.trace = record;
	o.flags = ANYSOCK_CONNECT_TRACE_NAT64;
	nevents = 0;
	return o;
}

static void event_is(int i, int event, const char *where, int err)
{
	ck_assert_msg(i < nevents, "only %d events", nevents);
	ck_assert_msg(events[i].event == event && strcmp(events[i].addr, where) == 0 &&
			      events[i].err == err,
		      "event %d: %d %s %d, not %d %s %d", i, events[i].event, events[i].addr,
		      events[i].err, event, where, err);
}

/* The connection went through the translator: getpeername() says the
 * IPv6 form, which stands for the IPv4 peer. */
static void went_through_nat64(int fd, const anysock_addr *peer)
{
	anysock_addr wire, back;
	wire.len = sizeof(wire.u);
	ck_assert_int_eq(getpeername(fd, &wire.u.sa, &wire.len), 0);
	ck_assert_str_eq(text_of(&wire), "[2001:db8:64::c000:202]:8080");
	ck_assert_int_eq(anysock_nat64_extract(&wire, NULL, &back), 0);
	ck_assert(anysock_addr_equal(&back, peer, 0));
}

/* ------------------------------------------------------------------------ */
/* Through the translator                                                   */
/* ------------------------------------------------------------------------ */

START_TEST(test_literal)
{
	lab_up(true, lab_records, LAB_PREFIX);
	anysock_addr inside = addr("2001:db8:64::10.0.0.1");
	ck_assert_int_eq(anysock_addr_embedded_ipv4(&inside, NULL), -ENOENT); /* nothing known */
	unsigned long q0 = dns_queries();

	anysock_connect_opts o = traced(5000);
	anysock_addr peer;
	double t0 = mono_seconds();
	int fd = anysock_connect(LAB_SERVER, "8080", SOCK_STREAM, &o, &peer);
	double took = mono_seconds() - t0;
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	fprintf(stderr, "IPv4 literal through NAT64: %.1f ms, peer %s\n", took * 1e3,
		text_of(&peer));
	ck_assert_str_eq(text_of(&peer), "192.0.2.2:8080");
	went_through_nat64(fd, &peer);
	server_saw_ipv4(fd);
	close(fd);
	/* The trace: IPv4 has no route; the synthesized address joins. */
	event_is(0, ANYSOCK_ATTEMPT_START, "192.0.2.2:8080", 0);
	event_is(1, ANYSOCK_ATTEMPT_FAILED, "192.0.2.2:8080", -ENETUNREACH);
	event_is(2, ANYSOCK_ATTEMPT_SYNTHESIZED, "[2001:db8:64::c000:202]:8080", 0);
	event_is(3, ANYSOCK_ATTEMPT_START, "[2001:db8:64::c000:202]:8080", 0);
	event_is(4, ANYSOCK_ATTEMPT_CONNECTED, "[2001:db8:64::c000:202]:8080", 0);
	ck_assert_int_eq(dns_queries() - q0, 1); /* ipv4only.arpa AAAA */

	/* The prefix is known now: addresses under it are seen through. */
	ck_assert_int_eq(anysock_addr_embedded_ipv4(&inside, NULL), (int)ANYSOCK_CLASS_NAT64);
	ck_assert(anysock_addr_class(&inside) & ANYSOCK_CLASS_PRIVATE);
	anysock_prefix got[4];
	ck_assert_int_eq(anysock_nat64_prefixes(got, 4, 0), 1);
	char text[ANYSOCK_PREFIXSTRLEN];
	anysock_prefix_ntop(&got[0], text, sizeof(text));
	ck_assert_str_eq(text, LAB_PREFIX);

	/* Again: cached, no query. */
	fd = anysock_connect(LAB_SERVER, "8080", SOCK_STREAM, NULL, &peer);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(text_of(&peer), "192.0.2.2:8080");
	close(fd);
	ck_assert_int_eq(dns_queries() - q0, 1);
	/* Asked for IPv4 alone, it stays IPv4 alone. */
	o = (anysock_connect_opts)ANYSOCK_CONNECT_OPTS_INIT;
	o.flags = ANYSOCK_CONNECT_IPV4;
	ck_assert_int_eq(anysock_connect(LAB_SERVER, "8080", SOCK_STREAM, &o, &peer), -ENETUNREACH);
	nat64_lab_stop(&lab);
}
END_TEST

START_TEST(test_a_only_name)
{
	/* The first connection of the process: the DNS64 answer is taken
	 * for what it is before any prefix was known. */
	lab_up(true, lab_records, LAB_PREFIX);
	anysock_addr peer;
	int fd = anysock_connect("v4only.test", "8080", SOCK_STREAM, NULL, &peer);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	ck_assert_str_eq(text_of(&peer), "192.0.2.2:8080");
	went_through_nat64(fd, &peer);
	server_saw_ipv4(fd);
	close(fd);
	/* Once known, any A-only name, however its answers arrive. */
	fd = anysock_connect("v4fast.test", "8080", SOCK_STREAM, NULL, &peer);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(text_of(&peer), "192.0.2.2:8080");
	close(fd);
	/* A datagram socket for sendto keeps the address it must send to. */
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.flags = ANYSOCK_CONNECT_UNCONNECTED;
	fd = anysock_connect(LAB_SERVER, "8080", SOCK_DGRAM, &o, &peer);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(text_of(&peer), "[2001:db8:64::c000:202]:8080");
	close(fd);
	nat64_lab_stop(&lab);
}
END_TEST

START_TEST(test_connector_loop)
{
	lab_up(true, lab_records, LAB_PREFIX);
	anysock_connect_opts o = traced(5000);
	anysock_connector *c;
	ck_assert_int_eq(anysock_connector_start(LAB_SERVER, "8080", SOCK_STREAM, &o, &c), 0);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN };
	int watched = anysock_connector_fd(c);
	ck_assert_msg(watched >= 0, "%s", anysock_strerror(watched));
	ck_assert_int_eq(epoll_ctl(ep, EPOLL_CTL_ADD, watched, &ev), 0);
	anysock_addr peer;
	int fd, rounds = 0;
	while ((fd = anysock_connector_step(c, &peer)) == -EINPROGRESS) {
		epoll_wait(ep, &ev, 1, anysock_connector_timeout(c));
		ck_assert_int_lt(++rounds, 1000);
	}
	anysock_connector_free(c);
	close(ep);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	ck_assert_str_eq(text_of(&peer), "192.0.2.2:8080");
	went_through_nat64(fd, &peer);
	server_saw_ipv4(fd);
	close(fd);
	event_is(2, ANYSOCK_ATTEMPT_SYNTHESIZED, "[2001:db8:64::c000:202]:8080", 0);
	nat64_lab_stop(&lab);
}
END_TEST

START_TEST(test_relay)
{
	lab_up(true, lab_records, LAB_PREFIX);
	int out[2];
	ck_assert_int_eq(pipe(out), 0);
	const char *b = getenv("top_builddir");
	char relay[4096];
	snprintf(relay, sizeof(relay), "%s/tools/anysock-relay", b != NULL ? b : ".");
	pid_t pid = fork(); /* in the client host, as this thread is */
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(out[1], 2);
		execl(relay, "anysock-relay", "-H", "127.0.0.1", "-p", "7464", LAB_SERVER, "8080",
		      (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	int fd = -1;
	anysock_addr peer;
	for (int i = 0; i < 100 && fd < 0; i++) {
		fd = anysock_connect("127.0.0.1", "7464", SOCK_STREAM, NULL, &peer);
		if (fd < 0)
			usleep(20000);
	}
	ck_assert_int_ge(fd, 0);
	server_saw_ipv4(fd);
	close(fd);
	char log[4096] = "";
	size_t len = 0;
	struct pollfd p = { out[0], POLLIN, 0 };
	while (strstr(log, " up ") == NULL && len < sizeof(log) - 1 && poll(&p, 1, 3000) == 1) {
		ssize_t n = read(out[0], log + len, sizeof(log) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		log[len] = '\0';
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(out[0]);
	ck_assert_msg(strstr(log, " -> 192.0.2.2:8080 (IPv4) up ") != NULL, "relay log: %s", log);
	nat64_lab_stop(&lab);
}
END_TEST

/* A program of the tree run in the client host (as this thread is), and
 * what it printed. */
static void run_tool(const char *tool, const char *const *args, char *out, size_t size)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	const char *b = getenv("top_builddir");
	char path[4096];
	snprintf(path, sizeof(path), "%s/tools/%s", b != NULL ? b : ".", tool);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		const char *argv[16] = { path };
		for (int i = 0; args[i] != NULL && i < 14; i++)
			argv[i + 1] = args[i];
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0;
	ssize_t n;
	while (len < size - 1 && (n = read(fds[0], out + len, size - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(fds[0]);
	waitpid(pid, NULL, 0);
}

START_TEST(test_probe)
{
	lab_up(true, lab_records, LAB_PREFIX);
	char out[4096];
	run_tool("anysock-probe", (const char *[]){ "--nat64", LAB_SERVER, NULL }, out,
		 sizeof(out));
	ck_assert_msg(strstr(out, "\n  2001:db8:64::/96 (from DNS64)\n") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "CLAT (RFC 6877): none") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "IPv4 route to 192.0.2.2: none (Network is unreachable)") != NULL,
		      "%s", out);
	ck_assert_msg(strstr(out, "here: IPv6 to 2001:db8:64::c000:202, through NAT64") != NULL,
		      "%s", out);
	run_tool("anysock-probe", (const char *[]){ "--connect", LAB_SERVER, "8080", NULL }, out,
		 sizeof(out));
	ck_assert_msg(strstr(out, "synthesized [2001:db8:64::c000:202]:8080") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "connected to 192.0.2.2:8080 through NAT64 "
				  "([2001:db8:64::c000:202]:8080)") != NULL,
		      "%s", out);
	nat64_lab_stop(&lab);
}
END_TEST

START_TEST(test_discovery_lab)
{
	lab_up(true, lab_records, LAB_PREFIX);
	/* From an event loop first. */
	anysock_lookup *q;
	anysock_prefix got[4];
	ck_assert_int_eq(anysock_nat64_start(3000, &q), 0);
	ck_assert_int_eq(anysock_nat64_result(q, got, 4), -EINPROGRESS);
	struct pollfd p = { anysock_lookup_fd(q), POLLIN, 0 };
	ck_assert_int_eq(poll(&p, 1, 3000), 1);
	ck_assert_int_eq(anysock_nat64_result(q, got, 4), 1);
	anysock_lookup_free(q);
	char text[ANYSOCK_PREFIXSTRLEN];
	anysock_prefix_ntop(&got[0], text, sizeof(text));
	ck_assert_str_eq(text, LAB_PREFIX);
	/* Then blocking: the same, from the cache. */
	unsigned long q0 = dns_queries();
	ck_assert_int_eq(anysock_nat64_prefixes(got, 4, 3000), 1);
	ck_assert_int_eq(dns_queries(), q0);
	/* Synthesized by hand, it reaches the server too. */
	anysock_addr v4 = addr("192.0.2.2:8080"), v6, peer;
	ck_assert_int_eq(anysock_nat64_synthesize(&v4, NULL, &v6), 0);
	ck_assert_str_eq(text_of(&v6), "[2001:db8:64::c000:202]:8080");
	int fd = anysock_connect(text_of(&v6), NULL, SOCK_STREAM, NULL, &peer);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(text_of(&peer), "192.0.2.2:8080");
	close(fd);
	nat64_lab_stop(&lab);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* Discovery by the DNS answers alone                                       */
/* ------------------------------------------------------------------------ */

/* RFC 6052 section 2.4's prefixes: every length, the u octet at /64. */
static const char *lengths[] = { "2001:db8::/32",         "2001:db8:100::/40",
				 "2001:db8:122::/48",     "2001:db8:122:300::/56",
				 "2001:db8:122:344::/64", "2001:db8:122:344::/96" };

static void dns_only(const struct dns_record *records, const char *dns64)
{
	const char *s = getenv("ANYSOCK_TEST_SLACK");
	if (s != NULL)
		slack = atof(s);
	lab.client = host_new();
	host_enter(lab.client);
	ck_assert_int_eq(dns_set_dns64(dns64), 0);
	ck_assert_int_eq(dns_start(records), 0);
}

static int discovered(anysock_prefix *got, char texts[][ANYSOCK_PREFIXSTRLEN])
{
	int n = anysock_nat64_prefixes(got, 4, 3000);
	for (int i = 0; i < n; i++)
		anysock_prefix_ntop(&got[i], texts[i], ANYSOCK_PREFIXSTRLEN);
	return n;
}

START_TEST(test_every_length)
{
	dns_only(lab_records, lengths[_i]);
	anysock_prefix got[4];
	char texts[4][ANYSOCK_PREFIXSTRLEN];
	ck_assert_int_eq(discovered(got, texts), 1);
	ck_assert_str_eq(texts[0], lengths[_i]);
	/* And used: the IPv4 host under it is seen through. */
	anysock_addr v4 = addr("10.1.2.3"), v6, back;
	ck_assert_int_eq(anysock_nat64_synthesize(&v4, NULL, &v6), 0);
	ck_assert_int_eq(anysock_addr_embedded_ipv4(&v6, NULL), (int)ANYSOCK_CLASS_NAT64);
	ck_assert_int_eq(anysock_nat64_extract(&v6, NULL, &back), 0);
	ck_assert(anysock_addr_equal(&v4, &back, 0));
}
END_TEST

START_TEST(test_two_prefixes)
{
	static const struct dns_record two[] = {
		{ "ipv4only.arpa", 28, "64:ff9b::192.0.0.170", 0 },
		{ "ipv4only.arpa", 28, "64:ff9b::192.0.0.171", 0 },
		{ "ipv4only.arpa", 28, "2001:db8:122:344:c0:0:aa00:0", 0 },
		{ "ipv4only.arpa", 28, "2001:db8:122:344:c0:0:ab00:0", 0 },
		{ NULL, 0, NULL, 0 },
	};
	dns_only(two, NULL);
	anysock_prefix got[4];
	char texts[4][ANYSOCK_PREFIXSTRLEN];
	ck_assert_int_eq(discovered(got, texts), 2);
	bool wkp = false, nsp = false;
	for (int i = 0; i < 2; i++) {
		wkp |= strcmp(texts[i], "64:ff9b::/96") == 0;
		nsp |= strcmp(texts[i], "2001:db8:122:344::/64") == 0;
	}
	ck_assert(wkp && nsp);
}
END_TEST

/* Answers for ipv4only.arpa that must be refused (RFC 7050 section 3,
 * RFC 6052 section 2.2), each with what the test expects instead. */
static const struct {
	const char *what, *aaaa[2], *want;
} answers[] = {
	{ "embeds something else", { "2001:db8:64::c000:201", NULL }, NULL },
	{ "IPv4-mapped", { "::ffff:192.0.0.170", "::ffff:192.0.0.171" }, NULL },
	{ "IPv4-compatible", { "::192.0.0.170", NULL }, NULL },
	{ "Teredo", { "2001:0:c000:aa::", NULL }, NULL },
	{ "6to4", { "2002:1:c000:aa::", NULL }, NULL },
	{ "link-local", { "fe80::192.0.0.170", NULL }, NULL },
	{ "multicast", { "ff0e::192.0.0.170", NULL }, NULL },
	{ "u octet set", { "2001:db8:0:0:100::192.0.0.170", NULL }, NULL },
	{ "two places, nothing to tell them apart", { "2001:db8:c000:aa::c000:aa", NULL }, NULL },
	/* the other well-known address under the /96 settles it */
	{ "two places, told apart",
	  { "2001:db8:c000:aa::c000:aa", "2001:db8:c000:aa::c000:ab" },
	  "2001:db8:c000:aa::/96" },
};

START_TEST(test_refused_answers)
{
	struct dns_record rows[3] = { { NULL, 0, NULL, 0 } };
	int n = 0;
	for (int i = 0; i < 2 && answers[_i].aaaa[i] != NULL; i++)
		rows[n++] = (struct dns_record){ "ipv4only.arpa", 28, answers[_i].aaaa[i], 0 };
	rows[n] = (struct dns_record){ NULL, 0, NULL, 0 };
	dns_only(rows, NULL);
	anysock_prefix got[4];
	char texts[4][ANYSOCK_PREFIXSTRLEN];
	int found = discovered(got, texts);
	if (answers[_i].want == NULL) {
		ck_assert_msg(found == 0, "%s: took %s", answers[_i].what,
			      found > 0 ? texts[0] : "");
		/* and nothing is seen through on its account */
		anysock_addr a = addr(answers[_i].aaaa[0]);
		ck_assert_int_ne(anysock_addr_embedded_ipv4(&a, NULL), (int)ANYSOCK_CLASS_NAT64);
	} else {
		ck_assert_int_eq(found, 1);
		ck_assert_str_eq(texts[0], answers[_i].want);
	}
}
END_TEST

/* ------------------------------------------------------------------------ */
/* No NAT64                                                                 */
/* ------------------------------------------------------------------------ */

static const struct dns_record nxdomain[] = { { "other.test", 1, "192.0.2.9", 0 },
					      { NULL, 0, NULL, 0 } };
static const struct dns_record nodata[] = { { "ipv4only.arpa", 1, "192.0.0.170", 0 },
					    { "ipv4only.arpa", 1, "192.0.0.171", 0 },
					    { NULL, 0, NULL, 0 } };
static const struct dns_record silent[] = { { "ipv4only.arpa", 28, NULL, -1 },
					    { NULL, 0, NULL, 0 } };
static const struct dns_record *no_nat64[] = { nxdomain, nodata, silent };
static const char *no_nat64_name[] = { "NXDOMAIN", "no AAAA answer", "a silent server" };

static int timed_literal(int timeout_ms, double *took, anysock_addr *peer)
{
	anysock_connect_opts o = traced(timeout_ms);
	double t0 = mono_seconds();
	int rc = anysock_connect(LAB_SERVER, "8080", SOCK_STREAM, &o, peer);
	*took = mono_seconds() - t0;
	return rc;
}

START_TEST(test_no_nat64)
{
	/* No translator, and a name server that shows none: nothing is
	 * synthesized (a DNS64 would; this one does not). */
	lab_up(false, no_nat64[_i], NULL);
	double took;
	anysock_addr peer;
	unsigned long q0 = dns_queries();
	int rc = timed_literal(600, &took, &peer);
	fprintf(stderr, "no NAT64 (%s): %s in %.1f ms\n", no_nat64_name[_i], anysock_strerror(rc),
		took * 1e3);
	ck_assert_int_eq(rc, ANYSOCK_E_NONAT64);
	ck_assert_str_eq(text_of(&peer), "192.0.2.2:8080");
	ck_assert_msg(took <= 0.6 + slack, "took %.3f s", took);
	ck_assert_int_eq(dns_queries() - q0, 1);
	if (no_nat64[_i] == silent) {
		/* Still asking: the next one joins the question under way... */
		rc = timed_literal(300, &took, &peer);
		ck_assert_int_eq(rc, ANYSOCK_E_NONAT64);
		ck_assert_msg(took >= 0.3 && took <= 0.3 + slack, "took %.3f s", took);
		ck_assert_int_eq(dns_queries() - q0, 1);
		/* ... which ends when the resolver gives up (timeout:1 attempts:1) */
		anysock_prefix got[1];
		ck_assert_int_eq(anysock_nat64_prefixes(got, 1, 3000), 0);
	} else {
		event_is(2, ANYSOCK_ATTEMPT_SYNTHESIZED, "192.0.2.2:8080", ANYSOCK_E_NONAT64);
	}
	/* The answer is kept: at once, and no query. */
	rc = timed_literal(600, &took, &peer);
	ck_assert_int_eq(rc, ANYSOCK_E_NONAT64);
	ck_assert_msg(took < 0.05, "took %.3f s", took);
	ck_assert_int_eq(dns_queries() - q0, 1);
}
END_TEST

START_TEST(test_dual_stack_no_query)
{
	/* An IPv4 route (here a CLAT's 192.0.0.0/29 address and a default
	 * route, which is what a dual-stack host has too): IPv4 literals go
	 * as they always did, and nothing asks the name server. */
	dns_only(lab_records, LAB_PREFIX);
	lab.server = host_new();
	host_link(lab.client, "eth0", lab.server, "eth0");
	host_must(lab.client, "ip addr add 192.0.0.2/29 dev eth0 && "
			      "ip addr add 2001:db8:1::2/64 dev eth0 nodad && "
			      "ip route add default via 192.0.0.1");
	host_must(lab.server,
		  "ip addr add 192.0.0.1/29 dev eth0 && ip addr add 192.0.2.2/32 dev lo");
	start_server(lab.server, LAB_SERVER, "8080");
	anysock_addr peer;
	anysock_connect_opts o = traced(2000);
	int fd = anysock_connect(LAB_SERVER, "8080", SOCK_STREAM, &o, &peer);
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(text_of(&peer), "192.0.2.2:8080");
	close(fd);
	ck_assert_int_eq(anysock_connect(LAB_SERVER, "8081", SOCK_STREAM, &o, &peer),
			 -ECONNREFUSED);
	ck_assert_int_eq(anysock_connect("192.0.0.1", "8080", SOCK_STREAM, &o, &peer),
			 -ECONNREFUSED);
	ck_assert_int_eq(dns_queries(), 0);
	for (int i = 0; i < nevents; i++)
		ck_assert_int_ne(events[i].event, ANYSOCK_ATTEMPT_SYNTHESIZED);
}
END_TEST

START_TEST(test_not_synthesized)
{
	/* A name whose AAAA record embeds its A record (at the /96 place)
	 * but lies outside the network's prefix: a real IPv6 host, never
	 * taken for a translation. The first connection asks the network
	 * (it looks like a DNS64 answer, and there is no IPv4 route), and
	 * reports the IPv6 peer. */
	static const struct dns_record rows[] = {
		{ "ipv4only.arpa", 1, "192.0.0.170", 0 },
		{ "ipv4only.arpa", 1, "192.0.0.171", 0 },
		{ "embeds.test", 1, LAB_SERVER, 0 },
		{ "embeds.test", 28, "2001:db8:5::c000:202", 30 }, /* after A */
		{ NULL, 0, NULL, 0 },
	};
	lab_up(false, rows, LAB_PREFIX);
	host_must(lab.client, "ip addr add 2001:db8:5::c000:202/128 dev lo nodad");
	start_server(lab.client, "2001:db8:5::c000:202", "8080");
	anysock_addr peer;
	int fd = anysock_connect("embeds.test", "8080", SOCK_STREAM, NULL, &peer);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	ck_assert_str_eq(text_of(&peer), "[2001:db8:5::c000:202]:8080");
	close(fd);
	ck_assert_int_eq(anysock_addr_embedded_ipv4(&peer, NULL), -ENOENT);
	anysock_prefix got[2];
	ck_assert_int_eq(anysock_nat64_prefixes(got, 2, 0), 1); /* it did ask */
}
END_TEST

START_TEST(test_fork_during_discovery)
{
	/* The parent's discovery is under way (a silent server) when it
	 * forks: the child asks on its own and waits only its own time. */
	dns_only(silent, NULL);
	anysock_prefix got[2];
	ck_assert_int_eq(anysock_nat64_prefixes(got, 2, 0), 0); /* started, not waited for */
	for (int i = 0; i < 100 && dns_queries() == 0; i++)
		usleep(10000);
	unsigned long q0 = dns_queries();
	ck_assert_int_eq(q0, 1);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		alarm(5);
		double t0 = mono_seconds();
		int n = anysock_nat64_prefixes(got, 2, 300);
		double took = mono_seconds() - t0;
		_exit(n == 0 && took >= 0.29 && took < 0.3 + slack ? 0 : 1);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %#x", status);
	ck_assert_int_eq(dns_queries() - q0, 1); /* the child's own question */
}
END_TEST

int main(void)
{
	if (getenv("ANYSOCK_NETNS") == NULL) {
		fprintf(stderr, "SKIP: run me through tests/netns/nat64.sh\n");
		return 77;
	}
	Suite *s = suite_create("nat64_ns");
	TCase *tc = tcase_create("translator");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_literal);
	tcase_add_test(tc, test_a_only_name);
	tcase_add_test(tc, test_connector_loop);
	tcase_add_test(tc, test_relay);
	tcase_add_test(tc, test_probe);
	tcase_add_test(tc, test_discovery_lab);
	suite_add_tcase(s, tc);
	tc = tcase_create("dns");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_every_length, 0, (int)(sizeof(lengths) / sizeof(lengths[0])));
	tcase_add_test(tc, test_two_prefixes);
	tcase_add_loop_test(tc, test_refused_answers, 0,
			    (int)(sizeof(answers) / sizeof(answers[0])));
	tcase_add_loop_test(tc, test_no_nat64, 0, 3);
	tcase_add_test(tc, test_dual_stack_no_query);
	tcase_add_test(tc, test_not_synthesized);
	tcase_add_test(tc, test_fork_during_discovery);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK); /* the prefixes are process state */
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
