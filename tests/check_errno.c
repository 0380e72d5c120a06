/*
 * check_errno.c - every public call that waits (and its event-loop form)
 * leaves errno as the caller had it when it succeeds. Legacy code tests
 * errno after a call (`if (errno) perror(...)`); the library's own
 * non-blocking tries used to leave EAGAIN (accept, recvfrom) or
 * EINPROGRESS (connect) behind a perfect result. Traffic stays on
 * loopback; names only when the hosts file has them.
 *
 * SPDX-License-Identifier: MIT
 */
#include <poll.h>
#include <sys/wait.h>

#include "listener_helpers.h"

/* No call of the library sets it: what the caller left in errno. */
#define MARK EDOM

/* Run call (an int or ssize_t expression) with errno set to MARK; its
 * result into rc and errno afterwards into err, before anything else runs. */
#define CALL(rc, err, call)    \
	do {                   \
		errno = MARK;  \
		(rc) = (call); \
		(err) = errno; \
	} while (0)

static void errno_is_mark(const char *what, long long rc, int err)
{
	ck_assert_msg(rc >= 0, "%s failed: %s", what, anysock_strerror(rc));
	ck_assert_msg(err == MARK, "%s succeeded and left errno %d (%s)", what, err, strerror(err));
}

/* A stream listener on every family; the first socket tried is "::", so
 * a client on 127.0.0.1 makes accept try a socket with nothing first. */
START_TEST(test_accept)
{
	anysock_listener *l;
	int rc, err;
	CALL(rc, err, anysock_listen(NULL, "0", SOCK_STREAM, 0, 0, &l, NULL));
	errno_is_mark("anysock_listen", rc, err);
	int port = listener_port(l, 0);
	anysock_addr peer;
	for (int i = 0; i < 2; i++) { /* both sockets first in turn */
		int c = client(SOCK_STREAM, "127.0.0.1", port, NULL, NULL);
		CALL(rc, err, anysock_accept(l, &peer, 2000));
		errno_is_mark("anysock_accept", rc, err);
		close(rc);
		close(c);
	}
	/* accept_fd on the IPv4 socket, with nothing then something */
	int v4 = anysock_listener_fd(l, (size_t)anysock_listener_count(l) - 1);
	ck_assert_int_eq(anysock_accept_fd(v4, &peer, 0), -EAGAIN);
	int c = client(SOCK_STREAM, "127.0.0.1", port, NULL, NULL);
	CALL(rc, err, anysock_accept_fd(v4, &peer, 0));
	errno_is_mark("anysock_accept_fd", rc, err);
	close(rc);
	close(c);
	anysock_listener_close(l);
}
END_TEST

/* The same through the wait: nothing pending when the call starts. */
START_TEST(test_accept_waits)
{
	anysock_listener *l;
	ck_assert_int_ge(anysock_listen(NULL, "0", SOCK_STREAM, 0, 0, &l, NULL), 1);
	int port = listener_port(l, 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		usleep(100000);
		int c = client(SOCK_STREAM, "127.0.0.1", port, NULL, NULL);
		usleep(100000);
		close(c);
		_exit(0);
	}
	anysock_addr peer;
	int rc, err;
	CALL(rc, err, anysock_accept(l, &peer, 5000));
	errno_is_mark("anysock_accept (waiting)", rc, err);
	close(rc);
	waitpid(pid, NULL, 0);
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_datagrams)
{
	anysock_listener *l;
	ck_assert_int_ge(anysock_listen(NULL, "0", SOCK_DGRAM, 0, 0, &l, NULL), 1);
	int port = listener_port(l, 0);
	anysock_addr self, peer, local;
	int c = client(SOCK_DGRAM, "127.0.0.1", port, NULL, &self);
	char buf[16];
	ssize_t n;
	int err;
	for (int i = 0; i < 2; i++) { /* both sockets first in turn */
		ck_assert_int_eq(send(c, "ping", 4, 0), 4);
		CALL(n, err, anysock_recvfrom(l, buf, sizeof(buf), &peer, &local, 2000));
		errno_is_mark("anysock_recvfrom", n, err);
		ck_assert_int_eq(n, 4);
	}
	CALL(n, err, anysock_sendto(l, "pong", 4, &peer, &local));
	errno_is_mark("anysock_sendto", n, err);
	ck_assert_int_eq(recv(c, buf, sizeof(buf), 0), 4);
	close(c);
	anysock_listener_close(l);
}
END_TEST

/* connect() on a non-blocking socket says EINPROGRESS first. */
START_TEST(test_connect)
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen("127.0.0.1", "0", SOCK_STREAM, 0, 0, &l, NULL), 1);
	char port[8];
	snprintf(port, sizeof(port), "%d", listener_port(l, 0));
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 5000;
	int rc, err;
	CALL(rc, err, anysock_connect("127.0.0.1", port, SOCK_STREAM, &o, NULL));
	errno_is_mark("anysock_connect", rc, err);
	close(rc);
	CALL(rc, err, anysock_connect("127.0.0.1", port, SOCK_DGRAM, &o, NULL));
	errno_is_mark("anysock_connect (datagram)", rc, err);
	close(rc);
	if (in_hosts_file("localhost")) {
		CALL(rc, err, anysock_connect("localhost", port, SOCK_STREAM, &o, NULL));
		errno_is_mark("anysock_connect (localhost)", rc, err);
		close(rc);
	}

	anysock_connector *c;
	CALL(rc, err, anysock_connector_start("127.0.0.1", port, SOCK_STREAM, &o, &c));
	errno_is_mark("anysock_connector_start", rc, err);
	for (int i = 0; i < 100; i++) {
		CALL(rc, err, anysock_connector_step(c, NULL));
		if (rc != -EINPROGRESS)
			break;
		struct pollfd p = { -1, POLLIN, 0 };
		CALL(p.fd, err, anysock_connector_fd(c));
		errno_is_mark("anysock_connector_fd", p.fd, err);
		ck_assert_int_ge(p.fd, 0);
		poll(&p, 1, anysock_connector_timeout(c));
	}
	errno_is_mark("anysock_connector_step", rc, err);
	close(rc);
	anysock_connector_free(c);
	anysock_listener_close(l);
}
END_TEST

/* The header arrives after the call started: the first recv says EAGAIN. */
START_TEST(test_proxy_read)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		static const char head[] = "PROXY TCP4 192.0.2.1 192.0.2.2 1000 80\r\n";
		usleep(100000);
		_exit(write(sv[1], head, sizeof(head) - 1) == sizeof(head) - 1 ? 0 : 1);
	}
	anysock_proxy_info info;
	int rc, err;
	CALL(rc, err, anysock_proxy_read(sv[0], &info, 5000));
	errno_is_mark("anysock_proxy_read", rc, err);
	waitpid(pid, NULL, 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(test_lookups)
{
	anysock_addr a[4], lo;
	int rc, err;
	CALL(rc, err, anysock_resolve("127.0.0.1", "80", SOCK_STREAM, 0, 1000, a, 4));
	errno_is_mark("anysock_resolve", rc, err);
	if (in_hosts_file("localhost")) {
		CALL(rc, err, anysock_resolve("localhost", "80", SOCK_STREAM, 0, 1000, a, 4));
		errno_is_mark("anysock_resolve (localhost)", rc, err);
	}
	anysock_addr_loopback(&lo, AF_INET, 80);
	char host[NI_MAXHOST], serv[NI_MAXSERV];
	CALL(rc, err, anysock_nameinfo(&lo, host, sizeof(host), NI_NUMERICHOST, 1000));
	errno_is_mark("anysock_nameinfo", rc, err);
	CALL(rc, err,
	     anysock_getnameinfo_timeo(&lo.u.sa, lo.len, host, sizeof(host), serv, sizeof(serv),
				       NI_NUMERICHOST | NI_NUMERICSERV, 1000));
	errno_is_mark("anysock_getnameinfo_timeo", rc, err);
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	CALL(rc, err, anysock_getaddrinfo_timeo("127.0.0.1", "80", &hints, &res, 1000));
	errno_is_mark("anysock_getaddrinfo_timeo", rc, err);
	freeaddrinfo(res);

	anysock_lookup *q;
	CALL(rc, err, anysock_resolve_start("127.0.0.1", "80", SOCK_STREAM, 0, 1000, &q));
	errno_is_mark("anysock_resolve_start", rc, err);
	struct pollfd p = { anysock_lookup_fd(q), POLLIN, 0 };
	poll(&p, 1, 1000);
	CALL(rc, err, anysock_resolve_result(q, a, 4));
	errno_is_mark("anysock_resolve_result", rc, err);
	anysock_lookup_free(q);
	CALL(rc, err, anysock_nameinfo_start(&lo, NI_NUMERICHOST, 1000, &q));
	errno_is_mark("anysock_nameinfo_start", rc, err);
	CALL(rc, err, anysock_nameinfo_result(q, host, sizeof(host)));
	errno_is_mark("anysock_nameinfo_result", rc, err);
	anysock_lookup_free(q);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("errno");
	TCase *tc = tcase_create("kept");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_accept);
	tcase_add_test(tc, test_accept_waits);
	tcase_add_test(tc, test_datagrams);
	tcase_add_test(tc, test_connect);
	tcase_add_test(tc, test_proxy_read);
	tcase_add_test(tc, test_lookups);
	suite_add_tcase(s, tc);
	return run_suite(s, false) == 0 ? 0 : 1;
}
