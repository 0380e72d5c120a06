/*
 * check_connector.c - the event-loop forms (anysock_connector(3),
 * anysock_lookup(3)) on loopback, numeric hosts and the hosts file only:
 * arguments, the state machine's contract (descriptor, timeout, step,
 * results given once), descriptors and options. What needs a name server
 * or a black hole is in tests/netns/loop_ns.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/resource.h>

#include "anysock.h"
#include "check_main.h"

static anysock_listener *tcp_listener(char serv[8])
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen("127.0.0.1", NULL, SOCK_STREAM, ANYSOCK_LISTEN_NUMERIC, 0,
					&l, NULL),
			 1);
	anysock_addr a;
	anysock_listener_addr(l, 0, &a);
	snprintf(serv, 8, "%d", anysock_addr_port(&a));
	return l;
}

/* Step until done, waiting as the connector says; the result. */
static int drive(anysock_connector *c, anysock_addr *peer)
{
	int rc;
	for (int i = 0; (rc = anysock_connector_step(c, peer)) == -EINPROGRESS && i < 1000; i++) {
		struct pollfd p = { anysock_connector_fd(c), POLLIN, 0 };
		ck_assert_msg(p.fd >= 0, "%s", anysock_strerror(p.fd));
		int t = anysock_connector_timeout(c);
		ck_assert_int_ge(poll(&p, 1, t < 0 || t > 1000 ? 1000 : t), 0);
	}
	return rc;
}

START_TEST(test_connector_arguments)
{
	anysock_connector *c = (anysock_connector *)&c;
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", "80", SOCK_STREAM, NULL, NULL), -EINVAL);
	ck_assert_int_eq(anysock_connector_start(NULL, "80", SOCK_STREAM, NULL, &c), -EINVAL);
	ck_assert_ptr_null(c); /* *out is NULL on every failure */
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", NULL, SOCK_STREAM, NULL, &c),
			 ANYSOCK_E_NOPORT);
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", "0", SOCK_STREAM, NULL, &c),
			 ANYSOCK_E_PORTZERO);
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", "99999", SOCK_STREAM, NULL, &c),
			 ANYSOCK_E_PORTRANGE);
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", "80", SOCK_RAW, NULL, &c), -EINVAL);
	/* Text that is clearly an address: its parse error, as anysock_connect. */
	int rc = anysock_connector_start("[1.2.3.4]:80", NULL, SOCK_STREAM, NULL, &c);
	ck_assert_int_lt(rc, 0);
	ck_assert_int_eq(rc, anysock_connect("[1.2.3.4]:80", NULL, SOCK_STREAM, NULL, NULL));
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.resolution_delay_ms = -1;
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", "80", SOCK_STREAM, &o, &c), -EINVAL);
	o = (anysock_connect_opts)ANYSOCK_CONNECT_OPTS_INIT;
	o.flags = 0x80000000u;
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", "80", SOCK_STREAM, &o, &c), -EINVAL);
	ck_assert_ptr_null(c);

	/* NULL everywhere else is an error or ignored, never a crash. */
	ck_assert_int_eq(anysock_connector_fd(NULL), -EINVAL);
	ck_assert_int_eq(anysock_connector_timeout(NULL), -1);
	ck_assert_int_eq(anysock_connector_step(NULL, NULL), -EINVAL);
	anysock_connector_free(NULL);
}
END_TEST

START_TEST(test_connector_connects)
{
	char serv[8];
	anysock_listener *l = tcp_listener(serv);
	anysock_connector *c;
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", serv, SOCK_STREAM, NULL, &c), 0);
	int watched = anysock_connector_fd(c);
	ck_assert_int_ge(watched, 0);
	ck_assert_int_ge(fcntl(watched, F_GETFD), 0);
	ck_assert(fcntl(watched, F_GETFD) & FD_CLOEXEC);
	anysock_addr peer;
	int fd = drive(c, &peer);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	char text[ANYSOCK_ADDRSTRLEN];
	anysock_ntop(&peer, text, sizeof(text), ANYSOCK_NTOP_NOPORT);
	ck_assert_str_eq(text, "127.0.0.1");
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0); /* blocking, as anysock_connect */
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	/* The result is given once; the descriptor stays valid until free. */
	memset(&peer, 0, sizeof(peer));
	ck_assert_int_eq(anysock_connector_step(c, &peer), -EALREADY);
	ck_assert_int_eq(anysock_addr_family(&peer), -EINVAL); /* left alone */
	ck_assert_int_eq(anysock_connector_timeout(c), -1);
	ck_assert_int_ge(fcntl(watched, F_GETFD), 0);
	anysock_connector_free(c);
	ck_assert_int_eq(write(fd, "x", 1), 1); /* the winner is the caller's */
	close(fd);
	close(anysock_accept(l, NULL, 1000));

	/* ANYSOCK_CONNECT_NONBLOCK: what an event loop wants. */
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.flags = ANYSOCK_CONNECT_NONBLOCK;
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", serv, SOCK_STREAM, &o, &c), 0);
	fd = drive(c, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ne(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	anysock_connector_free(c);
	close(anysock_accept(l, NULL, 1000));

	/* The hosts file answers in this thread: "localhost" races at once. */
	if (in_hosts_file("localhost")) {
		ck_assert_int_eq(anysock_connector_start("localhost", serv, SOCK_STREAM, NULL, &c), 0);
		fd = drive(c, &peer);
		ck_assert_msg(fd >= 0 || fd == -ECONNREFUSED, "%s", anysock_strerror(fd));
		if (fd >= 0)
			close(fd);
		anysock_connector_free(c);
	}
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_connector_failure_repeats)
{
	char serv[8];
	anysock_listener *l = tcp_listener(serv);
	anysock_listener_close(l); /* nothing listens there now */
	anysock_connector *c;
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", serv, SOCK_STREAM, NULL, &c), 0);
	anysock_addr peer;
	ck_assert_int_eq(drive(c, &peer), -ECONNREFUSED);
	ck_assert_int_eq(anysock_addr_port(&peer), atoi(serv)); /* which address said so */
	memset(&peer, 0, sizeof(peer));
	ck_assert_int_eq(anysock_connector_step(c, &peer), -ECONNREFUSED);
	ck_assert_int_eq(anysock_addr_port(&peer), atoi(serv));
	anysock_connector_free(c);

	/* A name that is not there, numeric only: the lookup's error. */
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.flags = ANYSOCK_CONNECT_NUMERIC;
	ck_assert_int_eq(anysock_connector_start("localhost", "80", SOCK_STREAM, &o, &c), 0);
	ck_assert_int_eq(drive(c, NULL), anysock_error_from_eai(EAI_NONAME));
	anysock_connector_free(c);
}
END_TEST

START_TEST(test_connector_timeout)
{
	/* A listener with a full backlog drops SYNs: the attempt pends. */
	char serv[8];
	int fill[2];
	int lfd = full_backlog_listener(serv, fill);
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 200;
	anysock_connector *c;
	double t0 = mono_seconds();
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", serv, SOCK_STREAM, &o, &c), 0);
	int t = anysock_connector_timeout(c);
	ck_assert_msg(t > 150 && t <= 200, "timeout %d ms", t);
	ck_assert_int_eq(anysock_connector_step(c, NULL), -EINPROGRESS);
	anysock_addr peer;
	ck_assert_int_eq(drive(c, &peer), -ETIMEDOUT);
	double took = mono_seconds() - t0;
	ck_assert_msg(took >= 0.2 && took < 0.3, "took %.3f s", took);
	ck_assert_int_eq(anysock_addr_port(&peer), atoi(serv));
	anysock_connector_free(c);

	/* Freed while racing: the attempt is closed (and traced abandoned). */
	o.timeout_ms = -1;
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", serv, SOCK_STREAM, &o, &c), 0);
	ck_assert_int_eq(anysock_connector_step(c, NULL), -EINPROGRESS);
	ck_assert_int_eq(anysock_connector_timeout(c), -1); /* nothing to wait for but the fd */
	anysock_connector_free(c);
	close(fill[0]);
	close(fill[1]);
	close(lfd);
}
END_TEST

/* Epoll sets this process holds now. */
static int epoll_sets(void)
{
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		char path[300], target[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		ssize_t len = readlink(path, target, sizeof(target) - 1);
		if (len > 0) {
			target[len] = '\0';
			n += strcmp(target, "anon_inode:[eventpoll]") == 0;
		}
	}
	closedir(d);
	return n;
}

/* The trace at the end of anysock_connect: the epoll sets held then. */
static void count_sets(void *arg, enum anysock_attempt_event ev, const anysock_addr *a, int err,
		       long us)
{
	(void)a, (void)err, (void)us;
	if (ev == ANYSOCK_ATTEMPT_CONNECTED)
		*(int *)arg = epoll_sets();
}

/* Step without waiting on anything until done, for at most a second. */
static int step_until_done(anysock_connector *c)
{
	int rc;
	for (int i = 0; (rc = anysock_connector_step(c, NULL)) == -EINPROGRESS && i < 1000; i++)
		usleep(1000);
	return rc;
}

/* The epoll set is made when the caller asks for it: a race that ends at
 * its first steps (a host near by) and anysock_connect() never make one,
 * and the set made late holds what is pending then. */
START_TEST(test_connector_set_when_asked)
{
	char serv[8];
	anysock_listener *l = tcp_listener(serv);
	int sets = epoll_sets();
	anysock_connector *c;
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", serv, SOCK_STREAM, NULL, &c), 0);
	ck_assert_int_eq(epoll_sets(), sets);
	int fd = step_until_done(c);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	ck_assert_int_eq(epoll_sets(), sets);
	close(fd);
	anysock_connector_free(c);
	close(anysock_accept(l, NULL, 1000));

	/* Asked for with the attempt pending: it is in the set, which turns
	 * readable when it connects; the same descriptor every time. */
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", serv, SOCK_STREAM, NULL, &c), 0);
	int watched = anysock_connector_fd(c);
	ck_assert_int_ge(watched, 0);
	ck_assert_int_eq(epoll_sets(), sets + 1);
	struct pollfd p = { watched, POLLIN, 0 };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	fd = anysock_connector_step(c, NULL);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	ck_assert_int_eq(anysock_connector_fd(c), watched);
	ck_assert_int_eq(poll(&p, 1, 0), 0); /* the winner left it: quiet again */
	close(fd);
	anysock_connector_free(c);
	ck_assert_int_eq(epoll_sets(), sets);
	close(anysock_accept(l, NULL, 1000));

	/* The blocking call polls the attempt itself. */
	int during = -1;
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.trace = count_sets;
	o.trace_arg = &during;
	fd = anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, NULL);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	ck_assert_int_eq(during, sets);
	close(fd);
	close(anysock_accept(l, NULL, 1000));

	/* A refusal found without the set is the same refusal. */
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", serv, SOCK_STREAM, NULL, &c), 0);
	ck_assert_int_eq(step_until_done(c), -ECONNREFUSED);
	anysock_connector_free(c);
}
END_TEST

/* Out of descriptors when the set is to be made: anysock_connector_fd()
 * says so (since 0.9; start made it before), the race goes on, and a
 * later call makes the set with what is pending then. */
START_TEST(test_connector_fd_error)
{
	char serv[8];
	anysock_listener *l = tcp_listener(serv);
	anysock_connector *c;
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", serv, SOCK_STREAM, NULL, &c), 0);
	struct rlimit was;
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &was), 0);
	int top = open("/dev/null", O_RDONLY); /* the limit a little above it */
	ck_assert_int_ge(top, 0);
	struct rlimit low = { (rlim_t)top + 16, was.rlim_max };
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	int filler[16], n = 0;
	while (n < 16 && (filler[n] = dup(top)) >= 0)
		n++;
	ck_assert_int_lt(n, 16); /* every descriptor taken */
	ck_assert_int_eq(anysock_connector_fd(c), -EMFILE);
	ck_assert_int_eq(anysock_connector_fd(c), -EMFILE); /* nothing half made */
	close(filler[--n]);
	int watched = anysock_connector_fd(c);
	ck_assert_msg(watched >= 0, "%s", anysock_strerror(watched));
	ck_assert_int_eq(anysock_connector_fd(c), watched);
	while (n > 0)
		close(filler[--n]);
	close(top);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &was), 0);
	/* the pending attempt is in the set made late: it turns readable */
	struct pollfd p = { watched, POLLIN, 0 };
	ck_assert_int_eq(poll(&p, 1, 5000), 1);
	int fd = anysock_connector_step(c, NULL);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	close(fd);
	anysock_connector_free(c);
	close(anysock_accept(l, NULL, 1000));
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_connector_udp)
{
	anysock_connector *c;
	ck_assert_int_eq(anysock_connector_start("[::1]:9", NULL, SOCK_DGRAM, NULL, &c), 0);
	anysock_addr peer;
	int fd = anysock_connector_step(c, &peer); /* no handshake: done at start */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(anysock_addr_family(&peer), AF_INET6);
	close(fd);
	anysock_connector_free(c);
}
END_TEST

START_TEST(test_lookup_local)
{
	if (!in_hosts_file("localhost"))
		return; /* nothing else here answers without a name server */
	anysock_lookup *q;
	ck_assert_int_eq(anysock_resolve_start("localhost", "80", SOCK_STREAM, 0, 1000, &q), 0);
	struct pollfd p = { anysock_lookup_fd(q), POLLIN, 0 };
	ck_assert_int_eq(poll(&p, 1, 0), 1); /* answered in start: readable now */
	ck_assert_int_eq(anysock_lookup_timeout(q), 0);
	anysock_addr a[4], b[4];
	int n = anysock_resolve_result(q, a, 4);
	ck_assert_int_ge(n, 1);
	/* the same answer as the blocking call */
	ck_assert_int_eq(anysock_resolve("localhost", "80", SOCK_STREAM, 0, 1000, b, 4), n);
	for (int i = 0; i < n; i++)
		ck_assert(anysock_addr_equal(&a[i], &b[i], 0));
	ck_assert_int_eq(anysock_nameinfo_result(q, (char[8]){ 0 }, 8), -EINVAL); /* wrong kind */
	ck_assert_int_eq(anysock_resolve_result(q, a, 0), -EINVAL);
	anysock_lookup_free(q);

	ck_assert_int_eq(anysock_resolve_start("[::1]:8080", NULL, 0, 0, -1, &q), 0);
	ck_assert_int_eq(anysock_lookup_timeout(q), 0);
	ck_assert_int_eq(anysock_resolve_result(q, a, 4), 1);
	ck_assert_int_eq(anysock_addr_port(&a[0]), 8080);
	anysock_lookup_free(q);

	/* Bad arguments are refused at start, *out NULL. */
	q = (anysock_lookup *)&q;
	ck_assert_int_eq(anysock_resolve_start("", "80", 0, 0, 100, &q), ANYSOCK_E_EMPTY);
	ck_assert_ptr_null(q);
	ck_assert_int_eq(anysock_resolve_start("localhost", "80", 0, 0x100, 100, &q), -EINVAL);
	ck_assert_int_eq(anysock_resolve_start("localhost", "65536", 0, 0, 100, &q),
			 ANYSOCK_E_PORTRANGE);
	ck_assert_int_eq(anysock_resolve_start("localhost", "80", 0, 0, 100, NULL), -EINVAL);
	ck_assert_int_eq(anysock_resolve_start("fe80::1%nope", "80", 0, 0, 100, &q),
			 anysock_resolve("fe80::1%nope", "80", 0, 0, 100, a, 1));
	ck_assert_int_eq(anysock_resolve_start("1.2.3.4.5", "80", 0, ANYSOCK_RESOLVE_NUMERIC, 100,
					       &q), 0);
	ck_assert_int_eq(anysock_resolve_result(q, a, 4), anysock_error_from_eai(EAI_NONAME));
	anysock_lookup_free(q);

	ck_assert_int_eq(anysock_lookup_fd(NULL), -EINVAL);
	ck_assert_int_eq(anysock_lookup_timeout(NULL), -1);
	ck_assert_int_eq(anysock_resolve_result(NULL, a, 4), -EINVAL);
	anysock_lookup_free(NULL);
}
END_TEST

START_TEST(test_nameinfo_local)
{
	anysock_addr a;
	ck_assert_int_eq(anysock_pton("::ffff:192.0.2.7", &a, 0), 0);
	anysock_lookup *q;
	ck_assert_int_eq(anysock_nameinfo_start(&a, NI_NUMERICHOST, 100, &q), 0);
	ck_assert_int_eq(anysock_lookup_timeout(q), 0);
	char host[64];
	ck_assert_int_eq(anysock_nameinfo_result(q, host, sizeof(host)), 9);
	ck_assert_str_eq(host, "192.0.2.7"); /* mapped is looked up as IPv4 */
	ck_assert_int_eq(anysock_nameinfo_result(q, host, 4), -ENOSPC);
	ck_assert_int_eq(anysock_resolve_result(q, &a, 1), -EINVAL); /* wrong kind */
	anysock_lookup_free(q);

	q = (anysock_lookup *)&q;
	ck_assert_int_eq(anysock_nameinfo_start(NULL, 0, 100, &q), -EINVAL);
	ck_assert_ptr_null(q);
	ck_assert_int_eq(anysock_addr_from_unix(&a, "/tmp/x"), 0);
	ck_assert_int_eq(anysock_nameinfo_start(&a, 0, 100, &q), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_nameinfo_start(&a, 0, 100, NULL), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("connector");
	TCase *tc = tcase_create("loopback");
	tcase_add_test(tc, test_connector_arguments);
	tcase_add_test(tc, test_connector_connects);
	tcase_add_test(tc, test_connector_failure_repeats);
	tcase_add_test(tc, test_connector_timeout);
	tcase_add_test(tc, test_connector_set_when_asked);
	tcase_add_test(tc, test_connector_fd_error);
	tcase_add_test(tc, test_connector_udp);
	tcase_add_test(tc, test_lookup_local);
	tcase_add_test(tc, test_nameinfo_local);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
