/*
 * check_listen.c - listeners on loopback: what gets bound, canonical peers,
 * fairness, timeouts, signals, descriptor exhaustion (UDP:
 * check_datagram.c; inherited sockets: check_adopt.c). Traffic stays on
 * 127.0.0.1 and ::1. The host kinds (IPv6 off, IPv4-only, IPv6-only,
 * several addresses) are in tests/netns/listen_ns.c.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE /* musl's struct tcp_info */
#include <dirent.h>
#include <poll.h>
#include <sys/select.h>
#include <netinet/tcp.h>

#include "listener_helpers.h"

START_TEST(test_every_family)
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen(NULL, "0", SOCK_STREAM, 0, 0, &l, NULL), 2);
	ck_assert_int_eq(anysock_listener_count(l), 2);
	int port = listener_port(l, 0);
	ck_assert_int_gt(port, 0);
	ck_assert_int_eq(listener_port(l, 1), port); /* one port for both */
	anysock_addr a;
	anysock_listener_addr(l, 0, &a);
	text_is(&a, "::");
	anysock_listener_addr(l, 1, &a);
	text_is(&a, "0.0.0.0");
	ck_assert_int_eq(v6only(anysock_listener_fd(l, 0)), 1);
	char text[128], want[128];
	snprintf(want, sizeof(want), "[::]:%d, 0.0.0.0:%d", port, port);
	ck_assert_int_eq(anysock_listener_ntop(l, text, sizeof(text)), (int)strlen(want));
	ck_assert_str_eq(text, want);
	ck_assert_int_eq(anysock_listener_ntop(l, text, 10), -ENOSPC);
	ck_assert_str_eq(text, "");
	for (int i = 0; i < 2; i++) {
		int fd = anysock_listener_fd(l, (size_t)i);
		ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
		ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	}
	ck_assert_int_eq(anysock_listener_fd(l, 2), -ERANGE);
	accept_from(l, "127.0.0.1", port);
	if (have_ipv6())
		accept_from(l, "::1", port);
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_dual_stack_mode)
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen("*", NULL, SOCK_STREAM, ANYSOCK_LISTEN_DUALSTACK, 0, &l,
					NULL),
			 1);
	anysock_addr a;
	anysock_listener_addr(l, 0, &a);
	text_is(&a, "::");
	ck_assert_int_eq(v6only(anysock_listener_fd(l, 0)), 0);
	/* IPv4 clients still come out as AF_INET. */
	accept_from(l, "127.0.0.1", anysock_addr_port(&a));
	if (have_ipv6())
		accept_from(l, "::1", anysock_addr_port(&a));
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_named_and_narrowed)
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen("127.0.0.1", "0", SOCK_STREAM, ANYSOCK_LISTEN_NUMERIC, 0,
					&l, NULL),
			 1);
	anysock_addr a;
	anysock_listener_addr(l, 0, &a);
	text_is(&a, "127.0.0.1");
	anysock_listener_close(l);
	/* A mapped address is the IPv4 address it carries. */
	ck_assert_int_eq(anysock_listen("::ffff:127.0.0.1", NULL, SOCK_STREAM,
					ANYSOCK_LISTEN_NUMERIC, 0, &l, NULL),
			 1);
	anysock_listener_addr(l, 0, &a);
	text_is(&a, "127.0.0.1");
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_STREAM, ANYSOCK_LISTEN_IPV4, 0, &l, NULL),
			 1);
	anysock_listener_addr(l, 0, &a);
	text_is(&a, "0.0.0.0");
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_DGRAM, ANYSOCK_LISTEN_IPV6, 0, &l, NULL),
			 1);
	anysock_listener_addr(l, 0, &a);
	text_is(&a, "::");
	ck_assert_int_eq(v6only(anysock_listener_fd(l, 0)), 1);
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_bad_arguments)
{
	anysock_listener *l = (anysock_listener *)&l;
	anysock_addr failed;
	ck_assert_int_eq(anysock_listen(NULL, "0", SOCK_RAW, 0, 0, &l, NULL), -EINVAL);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(anysock_listen(NULL, "0", SOCK_STREAM, 0x1000, 0, &l, NULL), -EINVAL);
	ck_assert_int_eq(anysock_listen(NULL, "0", SOCK_STREAM,
					ANYSOCK_LISTEN_IPV4 | ANYSOCK_LISTEN_IPV6, 0, &l, NULL),
			 -EINVAL);
	ck_assert_int_eq(anysock_listen(NULL, "0", SOCK_STREAM, 0, -1, &l, NULL), -EINVAL);
	ck_assert_int_eq(anysock_listen(NULL, "0", SOCK_STREAM, 0, 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(anysock_listen("", "0", SOCK_STREAM, 0, 0, &l, &failed), ANYSOCK_E_EMPTY);
	ck_assert_int_eq(anysock_listen("localhost", "0", SOCK_STREAM, ANYSOCK_LISTEN_NUMERIC, 0,
					&l, NULL),
			 anysock_error_from_eai(EAI_NONAME));
	/* glibc would take this as port 34463. */
	ck_assert_int_eq(anysock_listen(NULL, "99999", SOCK_STREAM, 0, 0, &l, NULL),
			 ANYSOCK_E_PORTRANGE);
	ck_assert_int_eq(anysock_listen(NULL, "no-such-service", SOCK_STREAM, 0, 0, &l, NULL),
			 ANYSOCK_E_SERVICE);
	/* host:port in one string, as anysock_ntop writes it */
	ck_assert_int_eq(anysock_listen("*:0", NULL, SOCK_STREAM, 0, 0, &l, NULL), 2);
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_listen("127.0.0.1:0", NULL, SOCK_STREAM, 0, 0, &l, NULL), 1);
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_listen("127.0.0.1:0", "0", SOCK_STREAM, 0, 0, &l, NULL),
			 ANYSOCK_E_PORTGIVEN);
	ck_assert_int_eq(anysock_listen("[127.0.0.1]", "0", SOCK_STREAM, 0, 0, &l, NULL),
			 ANYSOCK_E_BRACKET);
	/* ANYSOCK_LISTEN_DEFAULT_PORT: the service is for a host without a port */
	ck_assert_int_eq(anysock_listen("127.0.0.1:0", "1", SOCK_STREAM,
					ANYSOCK_LISTEN_DEFAULT_PORT, 0, &l, NULL),
			 1);
	ck_assert_int_ne(listener_port(l, 0), 1);
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_listen("*", "0", SOCK_STREAM, ANYSOCK_LISTEN_DEFAULT_PORT, 0, &l,
					NULL),
			 2);
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_listener_count(NULL), -EINVAL);
	ck_assert_int_eq(anysock_listener_fd(NULL, 0), -EINVAL);
	ck_assert_int_eq(anysock_accept(NULL, NULL, 0), -EINVAL);
	ck_assert_int_eq(anysock_accept_fd(-1, NULL, 0), -EINVAL);
	anysock_listener_close(NULL);
	/* Stream calls on datagram listeners and back. */
	ck_assert_int_eq(anysock_listen("127.0.0.1", NULL, SOCK_DGRAM, 0, 0, &l, NULL), 1);
	ck_assert_int_eq(anysock_accept(l, NULL, 0), -EOPNOTSUPP);
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_listen("127.0.0.1", NULL, SOCK_STREAM, 0, 0, &l, NULL), 1);
	char b[4];
	ck_assert_int_eq(anysock_recvfrom(l, b, sizeof(b), NULL, NULL, 0), -EOPNOTSUPP);
	anysock_addr to = addr("127.0.0.1", 9);
	ck_assert_int_eq(anysock_sendto(l, b, sizeof(b), &to, NULL), -EOPNOTSUPP);
	anysock_listener_close(l);
}
END_TEST


/* Whether port is free for a listening socket at text. */
static bool free_at(const char *text, int port)
{
	anysock_addr a = addr(text, port);
	int fd = socket(a.u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int on = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (a.u.sa.sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	bool ok = bind(fd, &a.u.sa, a.len) == 0 && listen(fd, 1) == 0;
	close(fd);
	return ok;
}

START_TEST(test_in_use_closes_everything)
{
	/* IPv4 taken: the "::" socket bound just before must be closed again. */
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_STREAM, 0, 0, &l, NULL), 2);
	int port = listener_port(l, 0);
	anysock_listener_close(l);
	int fd = squat("0.0.0.0", port);
	char serv[8];
	snprintf(serv, sizeof(serv), "%d", port);
	anysock_addr failed;
	ck_assert_int_eq(anysock_listen(NULL, serv, SOCK_STREAM, 0, 0, &l, &failed), -EADDRINUSE);
	ck_assert_ptr_null(l);
	char text[ANYSOCK_ADDRSTRLEN];
	anysock_ntop(&failed, text, sizeof(text), 0);
	char want[32];
	snprintf(want, sizeof(want), "0.0.0.0:%d", port);
	ck_assert_str_eq(text, want);
	ck_assert(free_at("::", port));
	close(fd);
	/* And the other way round. */
	fd = squat("::", port);
	ck_assert_int_eq(anysock_listen(NULL, serv, SOCK_STREAM, 0, 0, &l, &failed), -EADDRINUSE);
	snprintf(want, sizeof(want), "[::]:%d", port);
	anysock_ntop(&failed, text, sizeof(text), 0);
	ck_assert_str_eq(text, want);
	ck_assert(free_at("0.0.0.0", port));
	close(fd);
	/* Success leaves *failed empty. */
	ck_assert_int_eq(anysock_listen(NULL, serv, SOCK_STREAM, 0, 0, &l, &failed), 2);
	ck_assert_int_eq(anysock_addr_family(&failed), -EINVAL);
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_port0_same_port_many_times)
{
	/* Each round the kernel picks the IPv6 port and IPv4 must get it too,
	 * while more and more ports are busy in IPv4 only. (The forced
	 * collision, with a two-port range, is in tests/netns/listen_ns.c.) */
	int squatters[64], nsq = 0;
	for (int round = 0; round < 64; round++) {
		anysock_listener *l;
		ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_STREAM, 0, 0, &l, NULL), 2);
		int port = listener_port(l, 0);
		ck_assert_int_eq(listener_port(l, 1), port);
		anysock_listener_close(l);
		/* Occupy that port in IPv4 so the next rounds meet taken ports
		 * (unless another process on the machine took it first since
		 * the close: then it is taken all the same). */
		anysock_addr a = addr("0.0.0.0", port);
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ck_assert_int_ge(fd, 0);
		if (bind(fd, &a.u.sa, a.len) == 0 && listen(fd, 8) == 0) {
			squatters[nsq++] = fd;
		} else {
			ck_assert_int_eq(errno, EADDRINUSE);
			close(fd);
		}
	}
	while (nsq > 0)
		close(squatters[--nsq]);
}
END_TEST

START_TEST(test_fair_between_families)
{
	if (!have_ipv6())
		return;
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_STREAM, 0, 64, &l, NULL), 2);
	int port = listener_port(l, 0);
	int c[21];
	for (int i = 0; i < 20; i++)
		c[i] = client(SOCK_STREAM, "127.0.0.1", port, NULL, NULL);
	c[20] = client(SOCK_STREAM, "::1", port, NULL, NULL);
	/* Twenty IPv4 connections wait; the IPv6 one must not wait behind them. */
	int v6_at = -1;
	for (int i = 0; i < 21; i++) {
		anysock_addr peer;
		int fd = anysock_accept(l, &peer, 1000);
		ck_assert_int_ge(fd, 0);
		if (anysock_addr_family(&peer) == AF_INET6)
			v6_at = i;
		close(fd);
	}
	ck_assert_int_ge(v6_at, 0);
	ck_assert_int_le(v6_at, 1);
	for (int i = 0; i < 21; i++)
		close(c[i]);
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_accept_timeouts_and_signals)
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_STREAM, 0, 0, &l, NULL), 2);
	double t0 = now();
	ck_assert_int_eq(anysock_accept(l, NULL, 0), -ETIMEDOUT);
	ck_assert_int_eq(anysock_accept(l, NULL, 150), -ETIMEDOUT);
	double took = now() - t0;
	ck_assert_msg(took >= 0.149 && took < 1.0, "150 ms wait took %.3f s", took);
	ck_assert_int_eq(anysock_accept_fd(anysock_listener_fd(l, 1), NULL, 0), -EAGAIN);
	/* A signal ends an endless wait, so a handler can stop a server. */
	signal_in_ms(100);
	ck_assert_int_eq(anysock_accept(l, NULL, -1), -EINTR);
	anysock_listener_close(l);
}
END_TEST

/* valgrind keeps descriptors of its own near the limit and emulates
 * RLIMIT_NOFILE; the exhaustion test means nothing there. */
static bool under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");
	return p != NULL && strstr(p, "vgpreload") != NULL;
}

START_TEST(test_accept_out_of_descriptors)
{
	if (under_valgrind())
		return;
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen("127.0.0.1", NULL, SOCK_STREAM, 0, 0, &l, NULL), 1);
	anysock_addr self;
	int c = client(SOCK_STREAM, "127.0.0.1", listener_port(l, 0), NULL, &self);
	/* No descriptor left: every number below the limit is in use. */
	struct rlimit old, low;
	getrlimit(RLIMIT_NOFILE, &old);
	int top = c > anysock_listener_fd(l, 0) ? c : anysock_listener_fd(l, 0);
	int spare[64], nspare = 0;
	low = old;
	low.rlim_cur = (rlim_t)top + 1;
	for (int fd = 0; fd <= top; fd++)
		if (fcntl(fd, F_GETFD) < 0 && nspare < 64)
			spare[nspare++] = fd;
	for (int i = 0; i < nspare; i++)
		ck_assert_int_eq(dup2(c, spare[i]), spare[i]);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	double t0 = now();
	ck_assert_int_eq(anysock_accept(l, NULL, 5000), -EMFILE);
	ck_assert_msg(now() - t0 < 0.5, "EMFILE must come back at once, not after the timeout");
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	for (int i = 0; i < nspare; i++)
		close(spare[i]);
	/* The connection waited in the queue. */
	anysock_addr peer;
	int fd = anysock_accept(l, &peer, 1000);
	ck_assert_int_ge(fd, 0);
	ck_assert(anysock_addr_equal(&peer, &self, 0));
	close(fd);
	close(c);
	anysock_listener_close(l);
}
END_TEST

/* ---- anysock_listen_with and its setup hook --------------------------- */

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	int n = 0;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

struct hooked {
	int calls;
	int family[8];
	anysock_addr addr[8];
	int rcvbuf;      /* > 0: set SO_RCVBUF to it */
	int fail;        /* < 0: return it ... */
	int fail_family; /* ... for this family only (0: every family) */
};

static int hook(void *arg, int fd, int family, const anysock_addr *a)
{
	struct hooked *h = arg;
	if (h->calls < 8) {
		h->family[h->calls] = family;
		h->addr[h->calls] = *a;
	}
	h->calls++;
	/* not yet bound: the library's options are set, the address is not */
	anysock_addr self;
	self.len = sizeof(self.u);
	ck_assert_int_eq(getsockname(fd, &self.u.sa, &self.len), 0);
	ck_assert_int_eq(anysock_addr_port(&self), 0);
	ck_assert_int_eq(anysock_addr_family(&self), family);
	if (family == AF_INET6)
		ck_assert_int_eq(v6only(fd), 1);
	if (h->fail < 0 && (h->fail_family == 0 || h->fail_family == family))
		return h->fail;
	if (h->rcvbuf > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &h->rcvbuf, sizeof(h->rcvbuf)) < 0)
		return -errno;
	return 0;
}

static int rcvbuf_of(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len), 0);
	return v;
}

/* The window scale a socket announced in its SYN or SYN-ACK. */
static int announced_scale(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
	ck_assert(ti.tcpi_options & TCPI_OPT_WSCALE);
	return ti.tcpi_rcv_wscale;
}

/* An accepted socket of l, from a client on 127.0.0.1; its rcvbuf and the
 * window scale its SYN-ACK announced. */
static void accepted(anysock_listener *l, int *rcvbuf, int *scale)
{
	int c = client(SOCK_STREAM, "127.0.0.1", listener_port(l, 0), NULL, NULL);
	int fd = anysock_accept(l, NULL, 2000);
	ck_assert_int_ge(fd, 0);
	*rcvbuf = rcvbuf_of(fd);
	*scale = announced_scale(fd);
	close(fd);
	close(c);
}

/* SO_RCVBUF on the listening sockets, set before bind and listen, is what
 * accepted sockets inherit, and what their SYN-ACK's window scale says. */
START_TEST(test_listen_setup_inherited)
{
	if (emulator_lacks("TCP_INFO (qemu-user copies an int of it, not the struct)"))
		return;
	anysock_listener *l;
	int plain_buf, plain_scale, buf, scale;
	ck_assert_int_eq(anysock_listen_with(NULL, "0", SOCK_STREAM, NULL, &l, NULL), 2);
	accepted(l, &plain_buf, &plain_scale);
	anysock_listener_close(l);

	struct hooked h = { .rcvbuf = 4096 };
	anysock_listen_opts o = ANYSOCK_LISTEN_OPTS_INIT;
	o.setup = hook;
	o.setup_arg = &h;
	ck_assert_int_eq(anysock_listen_with(NULL, "0", SOCK_STREAM, &o, &l, NULL), 2);
	ck_assert_int_eq(h.calls, 2); /* every socket, with its family and address */
	ck_assert_int_eq(h.family[0], AF_INET6);
	text_is(&h.addr[0], "::");
	ck_assert_int_eq(h.family[1], AF_INET);
	text_is(&h.addr[1], "0.0.0.0");
	ck_assert_int_eq(anysock_addr_port(&h.addr[1]), listener_port(l, 0)); /* port 0: one port */
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(rcvbuf_of(anysock_listener_fd(l, (size_t)i)), 2 * 4096);
	accepted(l, &buf, &scale);
	printf("accepted socket: SO_RCVBUF %d, SYN-ACK window scale %d by default; "
	       "%d and %d with SO_RCVBUF 4096 in the listener's setup hook\n",
	       plain_buf, plain_scale, buf, scale);
	ck_assert_int_eq(buf, 2 * 4096);
	ck_assert_int_ne(plain_buf, buf);
	ck_assert_int_eq(scale, 0);
	ck_assert_int_gt(plain_scale, 0);
	anysock_listener_close(l);

	/* Datagram sockets too; flags and backlog come through the options. */
	h = (struct hooked){ .rcvbuf = 4096 };
	o.flags = ANYSOCK_LISTEN_IPV4;
	ck_assert_int_eq(anysock_listen_with(NULL, "0", SOCK_DGRAM, &o, &l, NULL), 1);
	ck_assert_int_eq(h.calls, 1);
	ck_assert_int_eq(h.family[0], AF_INET);
	ck_assert_int_eq(rcvbuf_of(anysock_listener_fd(l, 0)), 2 * 4096);
	anysock_listener_close(l);
}
END_TEST

/* A hook that fails fails the whole listen: its code, *failed naming the
 * socket's address, nothing left open (the socket bound before too). */
START_TEST(test_listen_setup_fails_cleanly)
{
	anysock_listener *l = (anysock_listener *)&l;
	anysock_addr failed;
	struct hooked h = { .fail = -EPERM, .fail_family = AF_INET };
	anysock_listen_opts o = ANYSOCK_LISTEN_OPTS_INIT;
	o.setup = hook;
	o.setup_arg = &h;
	int before = open_fds();
	ck_assert_int_eq(anysock_listen_with(NULL, "0", SOCK_STREAM, &o, &l, &failed), -EPERM);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(h.calls, 2);
	text_is(&failed, "0.0.0.0");
	ck_assert_int_eq(open_fds(), before);
	/* A hook's -EAFNOSUPPORT is its refusal, not a family to skip. */
	h = (struct hooked){ .fail = -EAFNOSUPPORT, .fail_family = AF_INET6 };
	ck_assert_int_eq(anysock_listen_with(NULL, "0", SOCK_STREAM, &o, &l, &failed),
			 -EAFNOSUPPORT);
	ck_assert_int_eq(h.calls, 1);
	text_is(&failed, "::");
	/* A library code, as it is. */
	h = (struct hooked){ .fail = ANYSOCK_E_PORT };
	ck_assert_int_eq(anysock_listen_with("127.0.0.1", "0", SOCK_DGRAM, &o, &l, &failed),
			 ANYSOCK_E_PORT);
	ck_assert_int_eq(open_fds(), before);
	/* An older, shorter struct never calls it. */
	h = (struct hooked){ .fail = -EPERM };
	o.size = offsetof(anysock_listen_opts, setup);
	ck_assert_int_eq(anysock_listen_with("127.0.0.1", "0", SOCK_STREAM, &o, &l, NULL), 1);
	ck_assert_int_eq(h.calls, 0);
	anysock_listener_close(l);
	/* Bad options. */
	o.size = offsetof(anysock_listen_opts, flags);
	ck_assert_int_eq(anysock_listen_with(NULL, "0", SOCK_STREAM, &o, &l, NULL), -EINVAL);
	o.size = sizeof(o) + 1;
	ck_assert_int_eq(anysock_listen_with(NULL, "0", SOCK_STREAM, &o, &l, NULL), -EINVAL);
	o = (anysock_listen_opts)ANYSOCK_LISTEN_OPTS_INIT;
	o.backlog = -1;
	ck_assert_int_eq(anysock_listen_with(NULL, "0", SOCK_STREAM, &o, &l, NULL), -EINVAL);
	o.backlog = 0;
	o.flags = 0x1000;
	ck_assert_int_eq(anysock_listen_with(NULL, "0", SOCK_STREAM, &o, &l, NULL), -EINVAL);
	o.flags = 0;
	ck_assert_int_eq(anysock_listen_with(NULL, "0", SOCK_RAW, &o, &l, NULL), -EINVAL);
	ck_assert_int_eq(anysock_listen_with(NULL, "0", SOCK_STREAM, &o, NULL, NULL), -EINVAL);
	ck_assert_int_eq(open_fds(), before);
}
END_TEST

/* ---- One pollable descriptor for the whole listener --------------------- */

static bool readable(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static bool select_readable(int fd, int ms)
{
	fd_set r;
	FD_ZERO(&r);
	FD_SET(fd, &r);
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	return select(fd + 1, &r, NULL, NULL, &tv) == 1 && FD_ISSET(fd, &r);
}

/* Legacy code's shape: "the listening socket" is one int in select() or
 * poll(); a connection to any family makes it readable. */
START_TEST(test_listener_pollfd_stream)
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen(NULL, "0", SOCK_STREAM, 0, 0, &l, NULL), 2);
	int port = listener_port(l, 0);
	int fd = anysock_listener_pollfd(l);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(anysock_listener_pollfd(l), fd); /* the same one */
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ck_assert(!readable(fd, 0));
	ck_assert(!select_readable(fd, 0));
	const char *from[] = { "127.0.0.1", "::1" };
	for (int i = 0; i < (have_ipv6() ? 2 : 1); i++) {
		anysock_addr peer;
		int c = client(SOCK_STREAM, from[i], port, NULL, NULL);
		ck_assert(i == 0 ? readable(fd, 2000) : select_readable(fd, 2000));
		ck_assert(select_readable(fd, 0)); /* level-triggered: still there */
		int s = anysock_accept(l, &peer, 0);
		ck_assert_msg(s >= 0, "%s", anysock_strerror(s));
		ck_assert_int_eq(anysock_addr_family(&peer), i == 0 ? AF_INET : AF_INET6);
		ck_assert(!readable(fd, 0)); /* nothing left */
		ck_assert_int_eq(anysock_accept(l, NULL, 0), -ETIMEDOUT);
		close(s);
		close(c);
	}
	/* Two waiting, one descriptor: readable until both are taken. */
	int c1 = client(SOCK_STREAM, "127.0.0.1", port, NULL, NULL);
	int c2 = client(SOCK_STREAM, have_ipv6() ? "::1" : "127.0.0.1", port, NULL, NULL);
	for (int i = 0; i < 2; i++) {
		ck_assert(select_readable(fd, 2000));
		int s = anysock_accept(l, NULL, 0);
		ck_assert_int_ge(s, 0);
		close(s);
	}
	ck_assert(!select_readable(fd, 0));
	close(c1);
	close(c2);
	/* The listener owns it: closing the listener closes it. */
	anysock_listener_close(l);
	ck_assert_int_eq(fcntl(fd, F_GETFD), -1);
	ck_assert_int_eq(anysock_listener_pollfd(NULL), -EINVAL);
}
END_TEST

START_TEST(test_listener_pollfd_datagram)
{
	anysock_listener *l;
	ck_assert_int_ge(anysock_listen(NULL, "0", SOCK_DGRAM, 0, 0, &l, NULL), 1);
	int fd = anysock_listener_pollfd(l);
	ck_assert_int_ge(fd, 0);
	int c = client(SOCK_DGRAM, "127.0.0.1", listener_port(l, 0), NULL, NULL);
	ck_assert(!select_readable(fd, 0));
	ck_assert_int_eq(send(c, "x", 1, 0), 1);
	ck_assert(select_readable(fd, 2000));
	char buf[4];
	anysock_addr peer, local;
	ck_assert_int_eq(anysock_recvfrom(l, buf, sizeof(buf), &peer, &local, 0), 1);
	ck_assert(!readable(fd, 0));
	close(c);
	anysock_listener_close(l);
	/* Adopted sockets too. */
	int s = squat("127.0.0.1", 0);
	ck_assert_int_eq(anysock_listener_adopt(&s, 1, 0, &l), 1);
	fd = anysock_listener_pollfd(l);
	ck_assert_int_ge(fd, 0);
	c = client(SOCK_STREAM, "127.0.0.1", listener_port(l, 0), NULL, NULL);
	ck_assert(readable(fd, 2000));
	close(c);
	anysock_listener_close(l);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("listen");
	TCase *tc = tcase_create("loopback");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_every_family);
	tcase_add_test(tc, test_dual_stack_mode);
	tcase_add_test(tc, test_named_and_narrowed);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_in_use_closes_everything);
	tcase_add_test(tc, test_port0_same_port_many_times);
	tcase_add_test(tc, test_fair_between_families);
	tcase_add_test(tc, test_accept_timeouts_and_signals);
	tcase_add_test(tc, test_accept_out_of_descriptors);
	tcase_add_test(tc, test_listen_setup_inherited);
	tcase_add_test(tc, test_listen_setup_fails_cleanly);
	tcase_add_test(tc, test_listener_pollfd_stream);
	tcase_add_test(tc, test_listener_pollfd_datagram);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
