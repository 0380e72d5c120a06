/*
 * faults.c - make check-faults: every call the library makes that can
 * fail (its allocations, and the system calls of inject.c) failed in turn,
 * over scenarios that reach every public function.
 *
 * For each scenario: one run that only counts the calls (n) and notes
 * their sites; then for every k from 1 to n, one run in which call k fails
 * (single) and one in which every call from k on fails (persistent). Each
 * run is a child process of its own. It passes when the child
 *  - does not crash, abort or hang (20 s);
 *  - gets from every public call a result or a negative code that
 *    anysock_strerror knows, and no wrong answer: what a call reports as
 *    done is right (the scenario checks it: the address asked for, the
 *    peer that connected, the class of 127.0.0.1);
 *  - has, once it freed everything, the descriptors it started with;
 *  - leaks no memory (LeakSanitizer, in a sanitizer build).
 *
 * Usage: faults [-v] [-s SCENARIO [-k CALL [-p]]] [-t SECONDS]
 *   -s: one scenario; -k: only call CALL failed (-p: and every one after),
 *   to reproduce a failure; -t: stop injecting after SECONDS (CI's bound:
 *   the runs not made are counted and said); -v: every failed run, and
 *   every call site reached.
 * Exit 0 when every run passed (known defects, listed at the end, do not
 * fail it), 1 otherwise. Run it through tests/netns/run.sh as root (make
 * check-faults does): then names and reverse lookups stay in a namespace
 * with its own hosts file and resolver.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <net/if.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "anysock.h"
#include "faults.h"

/* LeakSanitizer's check, when the build has it. */
extern int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

/* ------------------------------------------------------------------------ */
/* What a scenario checks                                                   */
/* ------------------------------------------------------------------------ */

__attribute__((format(printf, 2, 3))) static void wrong(const char *label, const char *fmt, ...)
{
	if (plan->wrong[0] != '\0')
		return;
	int n = snprintf(plan->wrong, sizeof(plan->wrong), "%s: ", label);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(plan->wrong + n, sizeof(plan->wrong) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* A claim about what a call did; label names it in the report. */
#define check(cond, label, ...)                    \
	do {                                       \
		if (!(cond))                       \
			wrong(label, __VA_ARGS__); \
	} while (0)

/* Whether a call succeeded (rc >= 0); a failure must be a code the
 * library describes. */
static bool ok(long rc, const char *what)
{
	if (rc >= 0)
		return true;
	const char *text = anysock_strerror((int)rc);
	check(text != NULL && strncmp(text, "Unknown", 7) != 0, "unclean error",
	      "%s returned %ld, which anysock_strerror does not know", what, rc);
	return false;
}

static anysock_addr addr(const char *text)
{
	anysock_addr a;
	memset(&a, 0, sizeof(a));
	if (anysock_pton(text, &a, ANYSOCK_PTON_NUMERIC_SCOPE) < 0)
		abort(); /* the scenario's own text: no call of the library may fail here */
	return a;
}

/* 127.0.0.1 or ::1 (any port), by the bytes: the oracle must not lean on
 * the classification, which is under test too. */
static bool loopback(const anysock_addr *a)
{
	anysock_addr v4 = addr("127.0.0.1"), v6 = addr("::1");
	anysock_addr b = *a;
	anysock_addr_set_port(&b, 0);
	return anysock_addr_equal(&b, &v4, 0) || anysock_addr_equal(&b, &v6, 0);
}

static bool in_namespace(void)
{
	return getenv("ANYSOCK_NETNS") != NULL;
}

/* A loopback TCP listener made with the C library alone (no injection):
 * its descriptor, and its address in *a. */
static int plain_listener(int family, anysock_addr *a)
{
	*a = addr(family == AF_INET ? "127.0.0.1" : "::1");
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, &a->u.sa, a->len) < 0 || listen(fd, 8) < 0)
		abort();
	a->len = sizeof(a->u);
	getsockname(fd, &a->u.sa, &a->len);
	return fd;
}

/* A client connected to a (C library only), or -1. */
static int plain_client(const anysock_addr *a, int type)
{
	int fd = socket(a->u.sa.sa_family, type | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, &a->u.sa, a->len) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Scenarios: together they call every public function                      */
/* ------------------------------------------------------------------------ */

static void scenario_text(void)
{
	char text[ANYSOCK_ADDRSTRLEN], classes[256];
	anysock_addr a, b;
	check(anysock_version() > 0 && anysock_version_string() != NULL, "version", "no version");
	if (ok(anysock_pton("127.0.0.1", &a, 0), "pton")) {
		unsigned c = anysock_addr_class(&a);
		check(c & ANYSOCK_CLASS_LOOPBACK, "classify", "127.0.0.1 has classes %#x", c);
		check(anysock_addr_is_loopback(&a) && !anysock_addr_is_global(&a), "classify",
		      "127.0.0.1 not loopback, or global");
		anysock_class_str(c, classes, sizeof(classes));
	}
	a = addr("::");
	check(anysock_addr_is_any(&a), "classify", ":: is not the unspecified address");
	a = addr("::ffff:192.0.2.1");
	struct in_addr v4;
	if (ok(anysock_addr_embedded_ipv4(&a, &v4), "embedded_ipv4"))
		check(v4.s_addr == htonl(0xc0000201), "embedded", "wrong IPv4 inside");
	check(anysock_addr_is_mapped(&a), "mapped", "::ffff:192.0.2.1 not mapped");
	b = a;
	ok(anysock_addr_unmap(&b), "unmap");
	ok(anysock_addr_map(&b), "map");
	anysock_addr c = a;
	ok(anysock_addr_canonical(&c, 0), "canonical");
	check(anysock_addr_equal(&a, &b, 0) && anysock_addr_cmp(&a, &b, 0) == 0 &&
		      anysock_addr_hash(&a, 0, 1) == anysock_addr_hash(&b, 0, 1),
	      "compare", "an address is not equal to itself");
	a = addr("ff05::1");
	anysock_addr_multicast_scope(&a);
	check(!anysock_addr_is_global(&a), "classify", "ff05::1 is global");
	a = addr("8.8.8.8");
	check(anysock_addr_is_global(&a), "classify", "8.8.8.8 is not global");
	if (ok(anysock_pton("fe80::1%lo", &a, 0), "pton with an interface name") &&
	    ok(anysock_ntop(&a, text, sizeof(text), 0), "ntop"))
		check(strstr(text, "%lo") != NULL || strstr(text, "%1") != NULL, "ntop",
		      "fe80::1%%lo printed %s", text);
	if (ok(anysock_pton_n("[2001:db8::1]:80", 16, &a, ANYSOCK_PTON_PORT), "pton_n") &&
	    ok(anysock_ntop(&a, text, sizeof(text), 0), "ntop"))
		check(strcmp(text, "[2001:db8::1]:80") == 0, "ntop", "printed %s", text);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7) };
	ok(anysock_addr_from_sockaddr(&b, (struct sockaddr *)&sin, sizeof(sin)), "from_sockaddr");
	struct in6_addr any6 = IN6ADDR_ANY_INIT;
	ok(anysock_addr_from_in6(&b, &any6, 9, 0), "from_in6");
	ok(anysock_addr_from_in(&b, &v4, 9), "from_in");
	ok(anysock_addr_from_unix(&b, "/tmp/x"), "from_unix");
	ok(anysock_addr_any(&b, AF_INET6, 1), "any");
	ok(anysock_addr_loopback(&b, AF_INET, 1), "loopback");
	check(anysock_addr_family(&b) == AF_INET && anysock_addr_port(&b) == 1, "accessors",
	      "family or port");
	ok(anysock_addr_set_port(&b, 2), "set_port");
	check(anysock_strerror(ANYSOCK_E_PORT) != NULL && anysock_strerror(-ENOMEM) != NULL,
	      "strerror", "no text");
	check(anysock_error_to_eai(anysock_error_from_eai(EAI_NONAME)) == EAI_NONAME, "eai",
	      "EAI_NONAME does not come back");
	char host[64], port[16], joined[80];
	if (ok(anysock_split_hostport("[fe80::1%lo]:8080", host, sizeof(host), port, sizeof(port)),
	       "split_hostport"))
		check(strcmp(host, "fe80::1%lo") == 0 && strcmp(port, "8080") == 0,
		      "split_hostport", "gave %s and %s", host, port);
	if (ok(anysock_join_hostport("2001:db8::1", "443", joined, sizeof(joined)),
	       "join_hostport"))
		check(strcmp(joined, "[2001:db8::1]:443") == 0, "join_hostport", "gave %s", joined);
}

static void scenario_prefix_acl(void)
{
	anysock_prefix p;
	anysock_addr a = addr("10.1.2.3");
	char text[ANYSOCK_PREFIXSTRLEN];
	if (ok(anysock_prefix_parse("10.0.0.0/8", &p, 0), "prefix_parse"))
		check(anysock_prefix_contains(&p, &a), "prefix", "10.0.0.0/8 lacks 10.1.2.3");
	ok(anysock_prefix_parse_n("2001:db8::/32 junk", 13, &p, 0), "prefix_parse_n");
	if (ok(anysock_prefix_from_addr(&p, &a, 24), "prefix_from_addr") &&
	    ok(anysock_prefix_ntop(&p, text, sizeof(text)), "prefix_ntop"))
		check(strcmp(text, "10.1.2.0/24") == 0, "prefix", "printed %s", text);
	static const char list[] = "deny 10.0.0.0/8, 192.0.2.0/24\nallow ::1\ndefault allow\n";
	anysock_acl *acl = NULL;
	anysock_parse_error err;
	if (ok(anysock_acl_parse(list, 0, &acl, &err), "acl_parse")) {
		check(anysock_acl_check(acl, &a, NULL) == ANYSOCK_ACL_DENY, "acl",
		      "10.1.2.3 allowed");
		check(anysock_acl_count(acl) == 3, "acl", "%d prefixes", anysock_acl_count(acl));
		anysock_prefix q;
		unsigned line;
		check(anysock_acl_rule(acl, 2, &q, &line) == ANYSOCK_ACL_ALLOW && line == 2, "acl",
		      "rule 2");
		anysock_acl_free(acl);
	} else {
		check(acl == NULL, "acl", "a failed parse left a list");
	}
	acl = NULL;
	if (ok(anysock_acl_parse_n(list, 20, 0, &acl, &err), "acl_parse_n"))
		anysock_acl_free(acl);
}

static void scenario_resolve(void)
{
	anysock_addr out[8];
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	int n = anysock_resolve("127.0.0.1", "80", SOCK_STREAM, 0, 2000, out, 8);
	if (ok(n, "resolve numeric")) {
		anysock_addr want = addr("127.0.0.1:80");
		check(n == 1 && anysock_addr_equal(&out[0], &want, 0), "resolve",
		      "127.0.0.1 gave %d", n);
	}
	n = anysock_resolve("localhost", "80", SOCK_STREAM, 0, 2000, out, 8);
	if (ok(n, "resolve localhost"))
		check(loopback(&out[0]), "resolve", "localhost is not 127.0.0.1 or ::1");
	anysock_addr a = addr("127.0.0.1");
	int flags = in_namespace() ? 0 : NI_NUMERICHOST;
	if (ok(anysock_nameinfo(&a, host, sizeof(host), flags, 2000), "nameinfo"))
		check(host[0] != '\0', "nameinfo", "an empty name");
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	int rc = anysock_getaddrinfo_timeo("localhost", "80", &hints, &res, 2000);
	check(rc == 0 ? res != NULL : res == NULL, "getaddrinfo_timeo", "rc %d with res %p", rc,
	      (void *)res);
	if (res != NULL)
		freeaddrinfo(res);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(80),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	anysock_getnameinfo_timeo((struct sockaddr *)&sin, sizeof(sin), host, sizeof(host), serv,
				  sizeof(serv), flags | NI_NUMERICSERV, 2000);
}

/* A lookup driven as an event loop would: wait on its descriptor. */
static int drive(anysock_lookup *q, anysock_addr *out, size_t max, char *host, size_t size)
{
	for (int i = 0; i < 100; i++) {
		int rc = out != NULL ? anysock_resolve_result(q, out, max)
				     : anysock_nameinfo_result(q, host, size);
		if (rc != -EINPROGRESS)
			return rc;
		struct pollfd p = { anysock_lookup_fd(q), POLLIN, 0 };
		poll(&p, 1, anysock_lookup_timeout(q));
	}
	return -ETIMEDOUT;
}

static void scenario_lookup(void)
{
	anysock_lookup *q = NULL;
	anysock_addr out[8];
	char host[NI_MAXHOST];
	if (ok(anysock_resolve_start("localhost", "80", SOCK_STREAM, 0, 2000, &q),
	       "resolve_start")) {
		int n = drive(q, out, 8, NULL, 0);
		if (ok(n, "resolve_result"))
			check(n > 0 && loopback(&out[0]), "resolve_result",
			      "localhost is not 127.0.0.1 or ::1");
		anysock_lookup_free(q);
	}
	anysock_addr a = addr("127.0.0.1");
	int flags = in_namespace() ? 0 : NI_NUMERICHOST;
	if (ok(anysock_nameinfo_start(&a, flags, 2000, &q), "nameinfo_start")) {
		if (ok(drive(q, NULL, 0, host, sizeof(host)), "nameinfo_result"))
			check(host[0] != '\0', "nameinfo_result", "an empty name");
		anysock_lookup_free(q);
	}
	/* Let go before the answer: the worker finishes it. */
	if (ok(anysock_resolve_start("localhost", NULL, 0, 0, 2000, &q), "resolve_start"))
		anysock_lookup_free(q);
}

/* The clients the scenario made: a connection one of them left in a
 * listener's queue (its accept failed) may be the next one accepted. */
static anysock_addr clients[16];
static int nclients;

static bool a_client(const anysock_addr *peer)
{
	for (int i = 0; i < nclients; i++)
		if (anysock_addr_equal(peer, &clients[i], 0))
			return true;
	return false;
}

/* Accept one client (made with the C library) on l; check its peer. */
static void serve_one(anysock_listener *l, int family)
{
	anysock_addr a;
	size_t i = 0;
	int count = anysock_listener_count(l);
	while ((int)i < count && (ok(anysock_listener_addr(l, i, &a), "listener_addr") &&
				  anysock_addr_family(&a) != family))
		i++;
	if ((int)i == count)
		return;
	if (anysock_addr_is_any(&a))
		anysock_addr_loopback(&a, family, anysock_addr_port(&a));
	int c = plain_client(&a, SOCK_STREAM);
	if (c < 0)
		return;
	anysock_addr peer, self;
	self.len = sizeof(self.u);
	getsockname(c, &self.u.sa, &self.len);
	anysock_addr_unmap(&self);
	if (nclients < 16)
		clients[nclients++] = self;
	int s = anysock_accept(l, &peer, 2000);
	if (ok(s, "accept")) {
		check(a_client(&peer), "accept", "the peer is no client of this scenario");
		close(s);
	}
	close(c);
}

/* A setup hook that counts the sockets it is given. */
static int count_setup(void *arg, int fd, int family, const anysock_addr *a)
{
	(void)fd;
	(void)family;
	(void)a;
	(*(int *)arg)++;
	return 0;
}

static void scenario_listen(void)
{
	anysock_listener *l = NULL;
	anysock_addr failed;
	char where[512];
	int n = anysock_listen(NULL, "0", SOCK_STREAM, 0, 0, &l, &failed);
	if (ok(n, "listen")) {
		check(n == anysock_listener_count(l), "listen", "%d sockets, count says %d", n,
		      anysock_listener_count(l));
		ok(anysock_listener_ntop(l, where, sizeof(where)), "listener_ntop");
		ok(anysock_listener_fd(l, 0), "listener_fd");
		serve_one(l, AF_INET);
		serve_one(l, AF_INET6);
		anysock_listener_close(l);
	} else {
		check(l == NULL, "listen", "a failure left a listener");
	}
	n = anysock_listen("127.0.0.1", NULL, SOCK_STREAM, ANYSOCK_LISTEN_NONBLOCK, 16, &l, NULL);
	if (ok(n, "listen 127.0.0.1")) {
		check(n == 1, "listen", "%d sockets for 127.0.0.1", n);
		anysock_addr a;
		if (ok(anysock_listener_addr(l, 0, &a), "listener_addr")) {
			int c = plain_client(&a, SOCK_STREAM);
			struct pollfd p = { anysock_listener_fd(l, 0), POLLIN, 0 };
			anysock_addr peer;
			if (c >= 0 && poll(&p, 1, 2000) == 1) {
				int s = anysock_accept_fd(p.fd, &peer, 0);
				if (ok(s, "accept_fd"))
					close(s);
			}
			if (c >= 0)
				close(c);
		}
		anysock_listener_close(l);
	}
	if (ok(anysock_listen("localhost", "0", SOCK_STREAM, ANYSOCK_LISTEN_DUALSTACK, 0, &l, NULL),
	       "listen localhost"))
		anysock_listener_close(l);
	if (ok(anysock_listen("::", "0", SOCK_STREAM, ANYSOCK_LISTEN_DUALSTACK, 0, &l, NULL),
	       "listen dual-stack")) {
		serve_one(l, AF_INET);
		anysock_listener_close(l);
	}
	/* With options and a setup hook, and one descriptor for all. */
	anysock_listen_opts o = ANYSOCK_LISTEN_OPTS_INIT;
	int hooked = 0;
	o.setup = count_setup;
	o.setup_arg = &hooked;
	n = anysock_listen_with(NULL, "0", SOCK_STREAM, &o, &l, NULL);
	if (ok(n, "listen_with")) {
		check(hooked >= n, "listen_with", "%d sockets, the hook saw %d", n, hooked);
		int pfd = anysock_listener_pollfd(l);
		if (ok(pfd, "listener_pollfd")) {
			anysock_addr a;
			if (ok(anysock_listener_addr(l, 0, &a), "listener_addr")) {
				if (anysock_addr_is_any(&a))
					anysock_addr_loopback(&a, anysock_addr_family(&a),
							      anysock_addr_port(&a));
				int c = plain_client(&a, SOCK_STREAM);
				struct pollfd p = { pfd, POLLIN, 0 };
				check(c < 0 || poll(&p, 1, 2000) == 1, "listener_pollfd",
				      "not readable with a client waiting");
				if (c >= 0)
					close(c);
			}
		}
		anysock_listener_close(l);
	}
}

static void scenario_udp(void)
{
	anysock_listener *l = NULL;
	if (!ok(anysock_listen("127.0.0.1", "0", SOCK_DGRAM, 0, 0, &l, NULL), "listen udp"))
		return;
	anysock_addr to, peer, local;
	if (ok(anysock_listener_addr(l, 0, &to), "listener_addr")) {
		int c = plain_client(&to, SOCK_DGRAM);
		char buf[16];
		if (c >= 0 && send(c, "ping", 4, 0) == 4) {
			ssize_t n = anysock_recvfrom(l, buf, sizeof(buf), &peer, &local, 2000);
			if (ok(n, "recvfrom")) {
				check(n == 4 && anysock_addr_equal(&local, &to, 0), "recvfrom",
				      "%zd bytes, to another address", n);
				if (ok(anysock_sendto(l, "pong", 4, &peer, &local), "sendto")) {
					struct pollfd p = { c, POLLIN, 0 };
					check(poll(&p, 1, 2000) == 1 && recv(c, buf, 16, 0) == 4,
					      "sendto", "no answer");
				}
			}
		}
		if (c >= 0)
			close(c);
	}
	anysock_listener_close(l);
}

static void scenario_adopt(void)
{
	anysock_addr a;
	int fds[2] = { plain_listener(AF_INET, &a), plain_listener(AF_INET6, &a) };
	anysock_listener *l = NULL;
	int flags0 = fcntl(fds[0], F_GETFL);
	int rc = anysock_listener_adopt(fds, 2, 0, &l);
	if (ok(rc, "listener_adopt")) {
		serve_one(l, AF_INET);
		serve_one(l, AF_INET6);
		anysock_listener_close(l); /* closes both */
	} else {
		for (int i = 0; i < 2; i++) {
			check(fcntl(fds[i], F_GETFD) >= 0, "adopt",
			      "a failed adopt closed the caller's socket");
			/* (With every later call failing too, nothing can be put
			 * back: only a single failure is held to this.) */
			check(plan->persistent || fcntl(fds[i], F_GETFL) == flags0, "adopt-flags",
			      "a failed adopt left the caller's socket with other flags");
			close(fds[i]);
		}
	}
	int fd;
	/* Socket activation: this process's descriptor 3. */
	fd = plain_listener(AF_INET6, &a);
	if (dup2(fd, 3) != 3)
		abort();
	close(fd);
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
	rc = anysock_listener_from_env(SOCK_STREAM, 0, &l);
	if (ok(rc, "listener_from_env") && rc > 0) {
		serve_one(l, AF_INET6);
		anysock_listener_close(l);
	} else {
		close(3);
	}
}

static void scenario_connect(void)
{
	anysock_addr to, peer;
	int lfd = plain_listener(AF_INET, &to);
	char port[8];
	snprintf(port, sizeof(port), "%d", anysock_addr_port(&to));
	anysock_connect_opts opts = ANYSOCK_CONNECT_OPTS_INIT;
	opts.timeout_ms = 2000;
	int fd = anysock_connect("127.0.0.1", port, SOCK_STREAM, &opts, &peer);
	if (ok(fd, "connect")) {
		check(anysock_addr_equal(&peer, &to, 0), "connect", "connected to another peer");
		close(fd);
	}
	fd = anysock_connect("localhost", port, SOCK_STREAM, &opts, &peer);
	if (ok(fd, "connect localhost")) {
		check(anysock_addr_equal(&peer, &to, 0), "connect", "connected to another peer");
		close(fd);
	}
	anysock_connector *c = NULL;
	if (ok(anysock_connector_start("localhost", port, SOCK_STREAM, &opts, &c),
	       "connector_start")) {
		/* Step first, as anysock_connector(3) does: a connector that
		 * finished in start says -1, "only the descriptor brings news". */
		int rc = anysock_connector_step(c, &peer);
		for (int i = 0; i < 100 && rc == -EINPROGRESS; i++) {
			struct pollfd p = { anysock_connector_fd(c), POLLIN, 0 };
			poll(&p, 1, anysock_connector_timeout(c));
			rc = anysock_connector_step(c, &peer);
		}
		if (ok(rc, "connector_step")) {
			check(anysock_addr_equal(&peer, &to, 0), "connector", "another peer");
			close(rc);
		}
		anysock_connector_free(c);
	}
	/* Freed in the middle of the race. */
	if (ok(anysock_connector_start("localhost", port, SOCK_STREAM, &opts, &c),
	       "connector_start"))
		anysock_connector_free(c);
	close(lfd);
	fd = anysock_connect("127.0.0.1", port, SOCK_STREAM, &opts, NULL); /* refused */
	check(fd < 0, "connect", "connected to a closed port");
	ok(fd, "connect refused");
	if (fd >= 0)
		close(fd);
}

static void scenario_sockopt(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		abort();
	int got;
	if (ok(anysock_set_hops(fd, 7), "set_hops") && ok(got = anysock_get_hops(fd), "get_hops"))
		check(got == 7, "hops", "get_hops says %d", got);
	if (ok(anysock_set_tclass(fd, 0x20), "set_tclass") &&
	    ok(got = anysock_get_tclass(fd), "get_tclass"))
		check(got == 0x20, "tclass", "get_tclass says %d", got);
	ok(anysock_set_mcast_hops(fd, 3), "set_mcast_hops");
	ok(anysock_set_mcast_loop(fd, true), "set_mcast_loop");
	int lo = anysock_interface_index("lo");
	if (ok(lo, "interface_index")) {
		ok(anysock_set_mcast_if(fd, (unsigned)lo), "set_mcast_if");
		anysock_addr g = addr("239.1.2.3"), s = addr("192.0.2.9");
		if (ok(anysock_mcast_join(fd, &g, NULL, (unsigned)lo), "mcast_join")) {
			ok(anysock_mcast_block(fd, &g, &s, (unsigned)lo), "mcast_block");
			ok(anysock_mcast_unblock(fd, &g, &s, (unsigned)lo), "mcast_unblock");
			ok(anysock_mcast_leave(fd, &g, NULL, (unsigned)lo), "mcast_leave");
		}
	}
	close(fd);
	anysock_listener *l = NULL;
	if (!ok(anysock_listen(NULL, "0", SOCK_DGRAM, 0, 0, &l, NULL), "listen udp"))
		return;
	ok(anysock_listener_set_hops(l, 9), "listener_set_hops");
	ok(anysock_listener_set_tclass(l, 0x10), "listener_set_tclass");
	ok(anysock_listener_set_mcast_hops(l, 2), "listener_set_mcast_hops");
	ok(anysock_listener_set_mcast_loop(l, false), "listener_set_mcast_loop");
	if (lo > 0) {
		ok(anysock_listener_set_mcast_if(l, (unsigned)lo), "listener_set_mcast_if");
		anysock_addr g = addr("ff12::1:2"), s = addr("2001:db8::9");
		if (ok(anysock_listener_mcast_join(l, &g, NULL, (unsigned)lo),
		       "listener_mcast_join")) {
			ok(anysock_listener_mcast_block(l, &g, &s, (unsigned)lo),
			   "listener_mcast_block");
			ok(anysock_listener_mcast_unblock(l, &g, &s, (unsigned)lo),
			   "listener_mcast_unblock");
			ok(anysock_listener_mcast_leave(l, &g, NULL, (unsigned)lo),
			   "listener_mcast_leave");
		}
	}
	anysock_listener_close(l);
}

static void scenario_interfaces(void)
{
	int n = anysock_interfaces(NULL, 0);
	if (ok(n, "interfaces") && n > 0) {
		anysock_interface v[64];
		int m = anysock_interfaces(v, n < 64 ? (size_t)n : 64);
		bool lo4 = false;
		for (int i = 0; ok(m, "interfaces") && i < m && i < 64; i++)
			lo4 = lo4 || (v[i].addr.u.sa.sa_family == AF_INET && loopback(&v[i].addr));
		check(m < 0 || lo4, "interfaces", "no 127.0.0.1 among %d addresses", m);
	}
	ok(anysock_have_usable(AF_INET), "have_usable");
	ok(anysock_have_usable(AF_INET6), "have_usable");
	char name[IF_NAMESIZE];
	int lo = anysock_interface_index("lo");
	if (ok(lo, "interface_index") &&
	    ok(anysock_interface_name((unsigned)lo, name, sizeof(name)), "interface_name"))
		check(strcmp(name, "lo") == 0, "interfaces", "index %d is %s", lo, name);
}

static void scenario_proxy(void)
{
	anysock_addr src = addr("192.0.2.1:5000"), dst = addr("[2001:db8::2]:80");
	char buf[ANYSOCK_PROXY_MAXLEN];
	anysock_proxy_info info;
	for (int version = 1; version <= 2; version++) {
		int n = anysock_proxy_encode(version, SOCK_STREAM, &src, &dst, buf, sizeof(buf));
		if (!ok(n, "proxy_encode"))
			continue;
		if (ok(anysock_proxy_parse(buf, (size_t)n, &info), "proxy_parse"))
			check(anysock_addr_equal(&info.src, &src, ANYSOCK_CMP_NOSCOPE), "proxy",
			      "parsed another source");
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0 ||
		    write(sv[1], buf, (size_t)n) != n || write(sv[1], "data", 4) != 4)
			abort();
		if (ok(anysock_proxy_read(sv[0], &info, 2000), "proxy_read")) {
			char rest[8];
			check(anysock_addr_equal(&info.src, &src, ANYSOCK_CMP_NOSCOPE) &&
				      recv(sv[0], rest, sizeof(rest), MSG_DONTWAIT) == 4,
			      "proxy_read", "another header, or not just the header taken");
		}
		close(sv[0]);
		close(sv[1]);
	}
}

static void scenario_nat64(void)
{
	anysock_prefix p, out[8];
	anysock_addr v4 = addr("192.0.2.33:80"), v6, back;
	if (anysock_prefix_parse("2001:db8:64::/96", &p, 0) < 0)
		abort();
	ok(anysock_nat64_add(&p), "nat64_add");
	if (ok(anysock_nat64_synthesize(&v4, &p, &v6), "nat64_synthesize")) {
		anysock_addr want = addr("[2001:db8:64::c000:221]:80");
		check(anysock_addr_equal(&v6, &want, 0), "nat64", "synthesized another address");
		if (ok(anysock_nat64_extract(&v6, &p, &back), "nat64_extract"))
			check(anysock_addr_equal(&back, &v4, 0), "nat64",
			      "extracted another address");
	}
	if (!in_namespace())
		return; /* discovery asks the resolver: only the namespace's own */
	int n = anysock_nat64_prefixes(out, 8, 500);
	if (ok(n, "nat64_prefixes"))
		check(n >= 1, "nat64", "the added prefix is not among %d", n);
	anysock_lookup *q = NULL;
	if (ok(anysock_nat64_start(500, &q), "nat64_start")) {
		n = anysock_nat64_result(q, out, 8);
		for (int i = 0; i < 100 && n == -EINPROGRESS; i++) {
			struct pollfd pf = { anysock_lookup_fd(q), POLLIN, 0 };
			poll(&pf, 1, anysock_lookup_timeout(q));
			n = anysock_nat64_result(q, out, 8);
		}
		ok(n, "nat64_result");
		anysock_lookup_free(q);
	}
}

static const struct scenario {
	const char *name;
	void (*run)(void);
} scenarios[] = {
	{ "text", scenario_text },       { "prefix-acl", scenario_prefix_acl },
	{ "resolve", scenario_resolve }, { "lookup", scenario_lookup },
	{ "listen", scenario_listen },   { "udp", scenario_udp },
	{ "adopt", scenario_adopt },     { "connect", scenario_connect },
	{ "sockopt", scenario_sockopt }, { "interfaces", scenario_interfaces },
	{ "proxy", scenario_proxy },     { "nat64", scenario_nat64 },
};

/* Wrong answers the library is known to give, fixed elsewhere: counted
 * apart while they are there. */
static const struct known {
	const char *label, *why;
} known[] = {
	{ "classify", "issue 25 item 5: classification after a failed allocation in the table's "
		      "build" },
	{ "adopt-flags", "issue 25 item 6: a failed adopt leaves the socket non-blocking" },
};

/* ------------------------------------------------------------------------ */
/* Running                                                                  */
/* ------------------------------------------------------------------------ */

enum outcome { PASS, WRONG, FD_LEAK, MEM_LEAK, CRASH, HANG, KNOWN, OUTCOMES };
static const char *const outcome_names[OUTCOMES] = {
	"passed", "wrong answer", "descriptor leak", "memory leak", "crash", "hang", "known",
};

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
		n += e->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n - 1; /* the directory's own */
}

/* The child: run the scenario, then let abandoned work finish (a worker
 * may still hold a lookup a scenario let go of) before counting. */
_Noreturn static void child(const struct scenario *s)
{
	int fds = open_fds();
	atomic_store(&plan->armed, true);
	s->run();
	atomic_store(&plan->armed, false);
	int now = open_fds();
	for (int i = 0; i < 200 && now > fds; i++) {
		usleep(10000);
		now = open_fds();
	}
	if (plan->wrong[0] != '\0')
		_exit(20);
	if (now > fds) {
		snprintf(plan->wrong, sizeof(plan->wrong), "%d descriptors more than before",
			 now - fds);
		_exit(21);
	}
	if (__lsan_do_recoverable_leak_check != NULL && __lsan_do_recoverable_leak_check() != 0)
		_exit(22);
	_exit(0);
}

static enum outcome run_once(const struct scenario *s, bool counting, unsigned long k,
			     bool persistent)
{
	memset(plan, 0, sizeof(*plan));
	plan->counting = counting;
	plan->fail_at = k;
	plan->persistent = persistent;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		alarm(20);
		child(s);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(status))
		return WTERMSIG(status) == SIGALRM ? HANG : CRASH;
	switch (WEXITSTATUS(status)) {
	case 0: return PASS;
	case 20:
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strncmp(plan->wrong, known[i].label, strlen(known[i].label)) == 0 &&
			    plan->wrong[strlen(known[i].label)] == ':')
				return KNOWN;
		return WRONG;
	case 21: return FD_LEAK;
	case 22: return MEM_LEAK;
	default: return CRASH; /* ASan and UBSan end a process with exit status 1 */
	}
}

/* The executable's load address (PIE), for addr2line. */
static int first_object(struct dl_phdr_info *info, size_t size, void *base)
{
	(void)size;
	*(uintptr_t *)base = (uintptr_t)info->dlpi_addr;
	return 1;
}

/* Where a call site is, as addr2line says it (function and file:line). */
static void describe_site(const struct site *s, char *out, size_t size)
{
	uintptr_t base = 0;
	dl_iterate_phdr(first_object, &base);
	snprintf(out, size, "%s at %p", call_names[s->call], s->pc);
	char cmd[256], line[256] = "";
	snprintf(cmd, sizeof(cmd),
		 "addr2line -f -s -e /proc/%d/exe %#lx 2>/dev/null | paste -sd' '", (int)getpid(),
		 (unsigned long)((uintptr_t)s->pc - base - 1));
	FILE *p = popen(cmd, "r");
	if (p != NULL && fgets(line, sizeof(line), p) != NULL && line[0] != '?') {
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, size, "%s in %s", call_names[s->call], line);
	}
	if (p != NULL)
		pclose(p);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *only = NULL;
	double budget = 0;
	bool verbose = false, only_persistent = false;
	unsigned long only_k = 0;
	for (int opt; (opt = getopt(argc, argv, "s:k:pt:v")) != -1;) {
		if (opt == 's')
			only = optarg;
		else if (opt == 'k')
			only_k = strtoul(optarg, NULL, 10);
		else if (opt == 'p')
			only_persistent = true;
		else if (opt == 't')
			budget = atof(optarg);
		else if (opt == 'v')
			verbose = true;
		else
			return 2;
	}
	plan = mmap(NULL, sizeof(*plan), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (plan == MAP_FAILED)
		return 2;
	static struct site sites[MAX_SITES];
	unsigned nsites = 0;
	unsigned long tally[OUTCOMES] = { 0 }, skipped = 0, calls_total = 0;
	unsigned long by_kind[2] = { 0 }; /* injections into allocations, system calls */
	bool known_seen[sizeof(known) / sizeof(known[0])] = { false };
	double start = now_s();
	printf("check-faults: %s%s\n",
	       __lsan_do_recoverable_leak_check != NULL ? "leaks checked by LeakSanitizer"
							: "no LeakSanitizer in this build: leaks "
							  "not checked",
	       in_namespace() ? ", in a network namespace of its own" : "");
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *s = &scenarios[i];
		if (only != NULL && strcmp(only, s->name) != 0)
			continue;
		enum outcome base = run_once(s, true, 0, false);
		unsigned long n = atomic_load(&plan->calls);
		unsigned seen = atomic_load(&plan->nsites);
		for (unsigned j = 0; j < seen && j < MAX_SITES; j++) {
			bool dup = false;
			for (unsigned m = 0; m < nsites && !dup; m++)
				dup = sites[m].pc == plan->sites[j].pc;
			if (!dup && nsites < MAX_SITES)
				sites[nsites++] = plan->sites[j];
		}
		if (base != PASS) {
			printf("FAIL %s, with no call failed: %s%s%s\n", s->name,
			       outcome_names[base], plan->wrong[0] ? ": " : "", plan->wrong);
			tally[base]++;
			continue;
		}
		unsigned long runs = 0, bad = 0;
		for (unsigned long k = 1; k <= n; k++) {
			for (int persistent = 0; persistent <= 1; persistent++) {
				if (only_k > 0 && (k != only_k || persistent != only_persistent))
					continue;
				if (budget > 0 && now_s() - start > budget) {
					skipped++;
					continue;
				}
				enum outcome o = run_once(s, false, k, persistent);
				runs++;
				if (atomic_load(&plan->injected))
					by_kind[call_kinds[plan->failed_site.call] == 'm' ? 0 : 1]++;
				tally[o]++;
				if (o == KNOWN)
					for (size_t m = 0; m < sizeof(known) / sizeof(known[0]);
					     m++)
						known_seen[m] = known_seen[m] ||
								strncmp(plan->wrong, known[m].label,
									strlen(known[m].label)) ==
									0;
				if (o == PASS || o == KNOWN)
					continue;
				char where[300];
				describe_site(&plan->failed_site, where, sizeof(where));
				if (bad++ < 5 || verbose)
					printf("FAIL %s, call %lu %s (%s): %s%s%s\n", s->name, k,
					       persistent ? "on" : "alone", where, outcome_names[o],
					       plan->wrong[0] ? ": " : "", plan->wrong);
			}
		}
		calls_total += n;
		printf("  %-10s %4lu calls, %5lu runs, %s\n", s->name, n, runs,
		       bad ? "FAILED" : "all clean");
	}
	unsigned alloc_sites = 0;
	for (unsigned i = 0; i < nsites; i++)
		alloc_sites += call_kinds[sites[i].call] == 'm';
	printf("check-faults: %lu calls in %zu scenarios; %u call sites reached (%u allocation, "
	       "%u system call); %lu injections (%lu into allocations, %lu into system calls) in "
	       "%.0f s\n",
	       calls_total, sizeof(scenarios) / sizeof(scenarios[0]), nsites, alloc_sites,
	       nsites - alloc_sites, by_kind[0] + by_kind[1], by_kind[0], by_kind[1],
	       now_s() - start);
	printf("check-faults: %lu passed, %lu wrong answers, %lu descriptor leaks, %lu memory "
	       "leaks, %lu crashes, %lu hangs; %lu runs with a known defect\n",
	       tally[PASS], tally[WRONG], tally[FD_LEAK], tally[MEM_LEAK], tally[CRASH],
	       tally[HANG], tally[KNOWN]);
	for (size_t m = 0; m < sizeof(known) / sizeof(known[0]); m++)
		if (known_seen[m])
			printf("  known, fixed elsewhere: %s\n", known[m].why);
	if (skipped > 0)
		printf("check-faults: %lu runs not made: the %.0f s bound was reached\n", skipped,
		       budget);
	if (verbose)
		for (unsigned i = 0; i < nsites; i++) {
			char where[300];
			describe_site(&sites[i], where, sizeof(where));
			printf("  site %s\n", where);
		}
	bool failed = tally[WRONG] + tally[FD_LEAK] + tally[MEM_LEAK] + tally[CRASH] + tally[HANG] >
		      0;
	return failed ? 1 : 0;
}
