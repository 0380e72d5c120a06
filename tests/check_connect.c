/*
 * check_connect.c - anysock_connect on loopback, numeric hosts only:
 * options, errors, the descriptor it returns, UDP. The race between
 * families over real black holes is in tests/netns/connect_ns.c.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE /* musl's struct tcp_info */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <poll.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/wait.h>

#include "anysock.h"
#include "check_main.h"

static anysock_listener *tcp_listener(const char *host, char serv[8])
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen(host, NULL, SOCK_STREAM, ANYSOCK_LISTEN_NUMERIC, 0, &l,
					NULL),
			 1);
	anysock_addr a;
	anysock_listener_addr(l, 0, &a);
	snprintf(serv, 8, "%d", anysock_addr_port(&a));
	return l;
}

START_TEST(test_connect_numeric)
{
	char serv[8];
	anysock_listener *l = tcp_listener("127.0.0.1", serv);
	anysock_addr peer, want, seen, self;
	int fd = anysock_connect("127.0.0.1", serv, SOCK_STREAM, NULL, &peer);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	ck_assert_int_eq(anysock_pton("127.0.0.1", &want, 0), 0);
	anysock_addr_set_port(&want, atoi(serv));
	ck_assert(anysock_addr_equal(&peer, &want, 0));
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0); /* blocking by default */
	ck_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	int s = anysock_accept(l, &seen, 1000);
	ck_assert_int_ge(s, 0);
	self.len = sizeof(self.u);
	getsockname(fd, &self.u.sa, &self.len);
	ck_assert(anysock_addr_equal(&seen, &self, 0));
	close(s);
	close(fd);
	/* The mapped spelling connects to the same IPv4 peer, canonical. */
	fd = anysock_connect("::ffff:127.0.0.1", serv, SOCK_STREAM, NULL, &peer);
	ck_assert_int_ge(fd, 0);
	ck_assert(anysock_addr_equal(&peer, &want, 0));
	close(fd);
	close(anysock_accept(l, NULL, 1000));
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_connect_options)
{
	char serv[8];
	anysock_listener *l = tcp_listener("127.0.0.1", serv);
	anysock_addr local, self;
	anysock_pton("127.0.0.2", &local, 0);
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.local = &local;
	o.flags = ANYSOCK_CONNECT_NONBLOCK | ANYSOCK_CONNECT_NUMERIC;
	o.timeout_ms = 1000;
	int fd = anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	self.len = sizeof(self.u);
	getsockname(fd, &self.u.sa, &self.len);
	ck_assert(anysock_addr_equal(&self, &local, ANYSOCK_CMP_NOPORT));
	close(fd);
	close(anysock_accept(l, NULL, 1000));
	/* A local address of the other family rules out every address. */
	anysock_pton("::1", &local, 0);
	anysock_addr peer;
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, &peer),
			 -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_addr_family(&peer), AF_INET); /* the one that failed */
	/* An older, shorter struct: the fields it lacks take their defaults. */
	anysock_connect_opts old = ANYSOCK_CONNECT_OPTS_INIT;
	old.size = offsetof(anysock_connect_opts, local);
	old.local = &local; /* beyond its size: never read */
	fd = anysock_connect("127.0.0.1", serv, SOCK_STREAM, &old, NULL);
	ck_assert_int_ge(fd, 0);
	close(fd);
	anysock_listener_close(l);
}
END_TEST

struct notes {
	int *seen;
	int *n;
};

static void note(void *arg, enum anysock_attempt_event event, const anysock_addr *a, int err,
		 long us)
{
	struct notes *t = arg;
	ck_assert_int_eq(anysock_addr_family(a), AF_INET);
	ck_assert_int_ge(us, 0);
	ck_assert(event != ANYSOCK_ATTEMPT_FAILED || err == -ECONNREFUSED);
	if (*t->n < 4)
		t->seen[(*t->n)++] = (int)event;
}

START_TEST(test_connect_errors)
{
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	anysock_addr peer;
	ck_assert_int_eq(anysock_connect(NULL, "80", SOCK_STREAM, NULL, &peer), -EINVAL);
	ck_assert_int_eq(anysock_connect("127.0.0.1", NULL, SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_NOPORT);
	/* Port 0 is nothing to connect to (UDP would fail only at send). */
	ck_assert_int_eq(anysock_connect("127.0.0.1", "0", SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_PORTZERO);
	ck_assert_int_eq(anysock_connect("127.0.0.1:0", NULL, SOCK_DGRAM, NULL, &peer),
			 ANYSOCK_E_PORTZERO);
	/* Text that is clearly an address gets its parse error, never a lookup. */
	ck_assert_int_eq(anysock_connect("fe80::1%nope", "80", SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_SCOPE);
	/* A scope with a port and no brackets is no IPv6 address: never a name. */
	ck_assert_int_eq(anysock_connect("name%1:80", NULL, SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_SCOPE);
	ck_assert_int_eq(anysock_connect("192.0.2.1%1:80", NULL, SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_SCOPE);
	ck_assert_int_eq(anysock_connect("[::1]:65536", NULL, SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_PORTRANGE);
	ck_assert_int_eq(anysock_connect("[::1]:80", "80", SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_PORTGIVEN);
	ck_assert_int_eq(anysock_connect("[localhost]:80", NULL, SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_ADDR);
	ck_assert_int_eq(anysock_connect("[127.0.0.1]:80", NULL, SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_BRACKET);
	ck_assert_int_eq(anysock_connect("[::1]x", "80", SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_TRAILING);
	ck_assert_int_eq(anysock_connect("127.0.0.1:", NULL, SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_PORT);
	ck_assert_int_eq(anysock_connect("127.0.0.1", "no-such-service", SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_SERVICE);
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 6);
	memcpy(longname + sizeof(longname) - 6, ".test", 6);
	ck_assert_int_eq(anysock_connect(longname, "80", SOCK_STREAM, NULL, &peer), ANYSOCK_E_HOSTLEN);
	ck_assert_int_eq(anysock_connect("127.0.0.1", "80", SOCK_RAW, NULL, &peer), -EINVAL);
	ck_assert_int_eq(anysock_connect("", "80", SOCK_STREAM, NULL, &peer), ANYSOCK_E_EMPTY);
	ck_assert_int_eq(anysock_connect("127.0.0.1", "65536", SOCK_STREAM, NULL, &peer),
			 ANYSOCK_E_PORTRANGE);
	o.size = 4;
	ck_assert_int_eq(anysock_connect("127.0.0.1", "80", SOCK_STREAM, &o, &peer), -EINVAL);
	o = (anysock_connect_opts)ANYSOCK_CONNECT_OPTS_INIT;
	o.flags = ANYSOCK_CONNECT_IPV4 | ANYSOCK_CONNECT_IPV6;
	ck_assert_int_eq(anysock_connect("127.0.0.1", "80", SOCK_STREAM, &o, &peer), -EINVAL);
	o.flags = ANYSOCK_CONNECT_UNCONNECTED;
	ck_assert_int_eq(anysock_connect("127.0.0.1", "80", SOCK_STREAM, &o, &peer), -EINVAL);
	o.flags = 0x4000;
	ck_assert_int_eq(anysock_connect("127.0.0.1", "80", SOCK_STREAM, &o, &peer), -EINVAL);
	o.flags = ANYSOCK_CONNECT_NUMERIC;
	ck_assert_int_eq(anysock_connect("localhost", "80", SOCK_STREAM, &o, &peer),
			 anysock_error_from_eai(EAI_NONAME));
	ck_assert_int_eq(anysock_addr_family(&peer), -EINVAL); /* no address to blame */
	o.flags = ANYSOCK_CONNECT_IPV6;
	ck_assert_int_lt(anysock_connect("127.0.0.1", "80", SOCK_STREAM, &o, &peer), 0);

	/* A closed port: refused, and the peer says where. */
	char serv[8];
	anysock_listener *l = tcp_listener("127.0.0.1", serv);
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_STREAM, NULL, &peer),
			 -ECONNREFUSED);
	ck_assert_int_eq(anysock_addr_port(&peer), atoi(serv));
	/* The trace says the same. */
	int seen[4] = { -1, -1, -1, -1 }, n = 0;
	o = (anysock_connect_opts)ANYSOCK_CONNECT_OPTS_INIT;
	o.trace = note;
	o.trace_arg = &(struct notes){ seen, &n };
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, &peer), -ECONNREFUSED);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(seen[0], ANYSOCK_ATTEMPT_START);
	ck_assert_int_eq(seen[1], ANYSOCK_ATTEMPT_FAILED);
}
END_TEST

/* ---- The setup hook ---------------------------------------------------- */

/* The window scale this end announced in its SYN (or SYN-ACK), and the one
 * the other end announced: what TCP_INFO says the handshake agreed. */
static void window_scales(int fd, int *announced, int *heard)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	ck_assert_int_eq(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len), 0);
	ck_assert(ti.tcpi_options & TCPI_OPT_WSCALE);
	*announced = ti.tcpi_rcv_wscale;
	*heard = ti.tcpi_snd_wscale;
}

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
	int fd[8];
	int rcvbuf;      /* > 0: set SO_RCVBUF to it */
	int fail;        /* < 0: return it ... */
	int fail_family; /* ... for this family only (0: every family) */
};

/* The trace of one attempt: its events and the error it failed with. */
struct heard {
	int events[4], n, err;
};

static void hear(void *arg, enum anysock_attempt_event event, const anysock_addr *a, int err,
		 long us)
{
	struct heard *t = arg;
	(void)a;
	(void)us;
	if (t->n < 4)
		t->events[t->n++] = (int)event;
	if (event == ANYSOCK_ATTEMPT_FAILED)
		t->err = err;
}

static int hook(void *arg, int fd, int family, const anysock_addr *addr)
{
	struct hooked *h = arg;
	if (h->calls < 8) {
		h->family[h->calls] = family;
		h->addr[h->calls] = *addr;
		h->fd[h->calls] = fd;
	}
	h->calls++;
	/* a fresh socket of that family, not yet bound or connected */
	int domain = -1;
	socklen_t len = sizeof(domain);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len), 0);
	ck_assert_int_eq(domain, family);
	ck_assert_int_eq(anysock_addr_family(addr), family);
	anysock_addr none;
	none.len = sizeof(none.u);
	ck_assert_int_eq(getpeername(fd, &none.u.sa, &none.len), -1);
	if (h->fail < 0 && (h->fail_family == 0 || h->fail_family == family))
		return h->fail;
	if (h->rcvbuf > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &h->rcvbuf, sizeof(h->rcvbuf)) < 0)
		return -errno;
	return 1; /* anything >= 0 goes on */
}

/* SO_RCVBUF before connect() is what decides the window scale the SYN
 * announces; set after anysock_connect returns, it is too late (issue 22:
 * a port measured scale 10 where the program asked for 0). */
START_TEST(test_setup_window_scale)
{
	if (emulator_lacks("TCP_INFO (qemu-user copies an int of it, not the struct)"))
		return;
	char serv[8];
	anysock_listener *l = tcp_listener("127.0.0.1", serv);
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 2000;
	int mine, theirs, server_heard, server_mine;

	int fd = anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, NULL);
	ck_assert_int_ge(fd, 0);
	int s = anysock_accept(l, NULL, 1000);
	ck_assert_int_ge(s, 0);
	window_scales(fd, &mine, &theirs);
	int by_default = mine;
	ck_assert_msg(by_default > 0, "the default buffer needs no scale here: nothing to measure");
	int small = 4096;
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	window_scales(fd, &mine, &theirs);
	int after = mine; /* too late: the SYN is gone */
	close(s);
	close(fd);

	struct hooked h = { .rcvbuf = 4096 };
	o.setup = hook;
	o.setup_arg = &h;
	fd = anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, NULL);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(h.calls, 1);
	ck_assert_int_eq(h.family[0], AF_INET);
	ck_assert_int_eq(h.fd[0], fd); /* the winner is the socket the hook saw */
	s = anysock_accept(l, NULL, 1000);
	ck_assert_int_ge(s, 0);
	window_scales(fd, &mine, &theirs);
	window_scales(s, &server_mine, &server_heard);
	printf("SYN window scale: default %d, SO_RCVBUF 4096 after connect %d, "
	       "in the setup hook %d (the server heard %d)\n",
	       by_default, after, mine, server_heard);
	ck_assert_int_eq(after, by_default);
	ck_assert_int_eq(mine, 0);
	ck_assert_int_eq(server_heard, 0);
	close(s);
	close(fd);
	anysock_listener_close(l);
}
END_TEST

/* A hook that fails fails its attempt: its code is the error, its socket
 * is closed, nothing is left open; a datagram connect the same. */
START_TEST(test_setup_fails_cleanly)
{
	char serv[8];
	anysock_listener *l = tcp_listener("127.0.0.1", serv);
	struct hooked h = { .fail = -EPERM };
	struct heard t = { .n = 0 };
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 2000;
	o.setup = hook;
	o.setup_arg = &h;
	o.trace = hear;
	o.trace_arg = &t;
	anysock_addr peer;
	int before = open_fds();
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, &peer), -EPERM);
	ck_assert_int_eq(open_fds(), before);
	ck_assert_int_eq(h.calls, 1);
	ck_assert_int_eq(fcntl(h.fd[0], F_GETFD), -1); /* closed */
	ck_assert_int_eq(anysock_addr_port(&peer), atoi(serv));
	ck_assert_int_eq(t.n, 2);
	ck_assert_int_eq(t.events[0], ANYSOCK_ATTEMPT_START);
	ck_assert_int_eq(t.events[1], ANYSOCK_ATTEMPT_FAILED);
	ck_assert_int_eq(t.err, -EPERM);
	/* A library code is reported as it is; -EINPROGRESS, which step
	 * says while the race goes on, as -EINVAL. */
	o.trace = NULL;
	h.fail = ANYSOCK_E_PORT;
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, &peer),
			 ANYSOCK_E_PORT);
	h.fail = -EINPROGRESS;
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, &peer), -EINVAL);
	h.fail = -EACCES;
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_DGRAM, &o, &peer), -EACCES);
	/* The connector: the error at the first step, nothing left open. */
	anysock_connector *c;
	h.fail = -EPERM;
	ck_assert_int_eq(anysock_connector_start("127.0.0.1", serv, SOCK_STREAM, &o, &c), 0);
	ck_assert_int_eq(anysock_connector_step(c, &peer), -EPERM);
	anysock_connector_free(c);
	ck_assert_int_eq(open_fds(), before);
	/* An older struct, without the hook, never calls it. */
	h.calls = 0;
	o.size = offsetof(anysock_connect_opts, setup);
	int fd = anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, &peer);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(h.calls, 0);
	close(fd);
	close(anysock_accept(l, NULL, 1000));
	anysock_listener_close(l);
}
END_TEST

/* ANYSOCK_CONNECT_DEFAULT_PORT: "host[:port]" with a default, as a tool's
 * --proxy option or a config file gives it. */
START_TEST(test_connect_default_port)
{
	char serv[8], text[64];
	anysock_listener *l = tcp_listener("127.0.0.1", serv);
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 2000;
	o.flags = ANYSOCK_CONNECT_DEFAULT_PORT;
	anysock_addr peer;
	/* no port in the host: the default */
	int fd = anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, &peer);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	ck_assert_int_eq(anysock_addr_port(&peer), atoi(serv));
	close(fd);
	close(anysock_accept(l, NULL, 1000));
	/* a port in the host: it wins over the default (port 9 is closed) */
	snprintf(text, sizeof(text), "127.0.0.1:%s", serv);
	fd = anysock_connect(text, "9", SOCK_STREAM, &o, &peer);
	ck_assert_msg(fd >= 0, "%s: %s", text, anysock_strerror(fd));
	ck_assert_int_eq(anysock_addr_port(&peer), atoi(serv));
	close(fd);
	close(anysock_accept(l, NULL, 1000));
	anysock_connector *c;
	ck_assert_int_eq(anysock_connector_start(text, "9", SOCK_STREAM, &o, &c), 0);
	while ((fd = anysock_connector_step(c, &peer)) == -EINPROGRESS) {
		struct pollfd p = { anysock_connector_fd(c), POLLIN, 0 };
		ck_assert_msg(p.fd >= 0, "%s", anysock_strerror(p.fd));
		poll(&p, 1, anysock_connector_timeout(c));
	}
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	ck_assert_int_eq(anysock_addr_port(&peer), atoi(serv));
	anysock_connector_free(c);
	close(fd);
	close(anysock_accept(l, NULL, 1000));
	/* without the flag the same call is refused, as before */
	o.flags = 0;
	ck_assert_int_eq(anysock_connect(text, "9", SOCK_STREAM, &o, &peer), ANYSOCK_E_PORTGIVEN);
	/* neither has a port: still no port */
	o.flags = ANYSOCK_CONNECT_DEFAULT_PORT;
	ck_assert_int_eq(anysock_connect("127.0.0.1", NULL, SOCK_STREAM, &o, &peer),
			 ANYSOCK_E_NOPORT);
	anysock_listener_close(l);
}
END_TEST

/* ---- UDP: a race for the first reply ---------------------------------- */

/* Echo count datagrams of l in a child, each from the address it came to. */
static pid_t udp_echo(anysock_listener *l, int count)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid > 0)
		return pid;
	for (int i = 0; i < count; i++) {
		char buf[64];
		anysock_addr peer, local;
		ssize_t n = anysock_recvfrom(l, buf, sizeof(buf), &peer, &local, 5000);
		if (n < 0 || anysock_sendto(l, buf, (size_t)n, &peer, &local) != n)
			_exit(1);
	}
	_exit(0);
}

START_TEST(test_connect_udp_first_datagram)
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen("127.0.0.1", "0", SOCK_DGRAM, 0, 0, &l, NULL), 1);
	anysock_addr a, peer;
	anysock_listener_addr(l, 0, &a);
	char serv[8], buf[16];
	snprintf(serv, sizeof(serv), "%d", anysock_addr_port(&a));
	pid_t pid = udp_echo(l, 1);
	struct heard t = { .n = 0 };
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 2000;
	o.first_datagram = "hello";
	o.first_datagram_len = 5;
	o.trace = hear;
	o.trace_arg = &t;
	/* The reply won, and waits in the socket for the caller. */
	int fd = anysock_connect("127.0.0.1", serv, SOCK_DGRAM, &o, &peer);
	ck_assert_msg(fd >= 0, "%s", anysock_strerror(fd));
	ck_assert(anysock_addr_equal(&peer, &a, 0));
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), 5);
	ck_assert_int_eq(memcmp(buf, "hello", 5), 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	close(fd);
	int status;
	waitpid(pid, &status, 0);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(t.n, 2); /* a datagram sent is an attempt to trace */
	ck_assert_int_eq(t.events[0], ANYSOCK_ATTEMPT_START);
	ck_assert_int_eq(t.events[1], ANYSOCK_ATTEMPT_CONNECTED);

	/* Nobody there: the refusal (ICMP port unreachable) at once, where
	 * the plain datagram connect "succeeds" and fails at the first recv. */
	o.trace = NULL;
	anysock_listener_close(l);
	double t0 = mono_seconds();
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_DGRAM, &o, &peer), -ECONNREFUSED);
	ck_assert_msg(mono_seconds() - t0 < 1.0, "a refusal must not wait for the timeout");
	ck_assert(anysock_addr_equal(&peer, &a, 0));
	fd = anysock_connect("127.0.0.1", serv, SOCK_DGRAM, NULL, &peer);
	ck_assert_int_ge(fd, 0);
	close(fd);

	/* A server that never answers: the time limit. */
	ck_assert_int_eq(anysock_listen("127.0.0.1", "0", SOCK_DGRAM, 0, 0, &l, NULL), 1);
	anysock_listener_addr(l, 0, &a);
	snprintf(serv, sizeof(serv), "%d", anysock_addr_port(&a));
	o.timeout_ms = 300;
	t0 = mono_seconds();
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_DGRAM, &o, &peer), -ETIMEDOUT);
	double took = mono_seconds() - t0;
	ck_assert_msg(took >= 0.3 && took < 2.0, "took %.3f s", took);
	anysock_listener_close(l);

	/* What it cannot be used with. */
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, &peer), -EINVAL);
	o.flags = ANYSOCK_CONNECT_UNCONNECTED;
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_DGRAM, &o, &peer), -EINVAL);
	o.flags = 0;
	o.timeout_ms = -1; /* a datagram can be lost: it needs a limit */
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_DGRAM, &o, &peer), -EINVAL);
	o.timeout_ms = 300;
	o.first_datagram = NULL;
	ck_assert_int_eq(anysock_connect("127.0.0.1", serv, SOCK_DGRAM, &o, &peer), -EINVAL);
	/* An older struct without it: the first route wins, as before. */
	o.first_datagram = "x";
	o.size = offsetof(anysock_connect_opts, first_datagram);
	fd = anysock_connect("127.0.0.1", serv, SOCK_DGRAM, &o, &peer);
	ck_assert_int_ge(fd, 0);
	close(fd);
}
END_TEST

/* host:port in one string, every form anysock_ntop writes. */
START_TEST(test_connect_host_port)
{
	char serv[8], text[64];
	anysock_listener *l = tcp_listener("127.0.0.1", serv);
	anysock_addr peer;
	const char *hosts[] = { "127.0.0.1", "localhost" };
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		if (strcmp(hosts[i], "localhost") == 0 && !in_hosts_file(hosts[i])) {
			printf("skipped localhost:port: /etc/hosts does not list localhost\n");
			continue;
		}
		snprintf(text, sizeof(text), "%s:%s", hosts[i], serv);
		int fd = anysock_connect(text, NULL, SOCK_STREAM, NULL, &peer);
		ck_assert_msg(fd >= 0, "%s: %s", text, anysock_strerror(fd));
		ck_assert_int_eq(anysock_addr_port(&peer), atoi(serv));
		close(fd);
		close(anysock_accept(l, NULL, 1000));
	}
	anysock_listener_close(l);
	if (anysock_listen("::1", NULL, SOCK_STREAM, ANYSOCK_LISTEN_NUMERIC, 0, &l, NULL) < 0)
		return; /* no IPv6 here */
	anysock_addr a;
	anysock_listener_addr(l, 0, &a);
	char want[64];
	anysock_ntop(&a, want, sizeof(want), 0); /* "[::1]:port" */
	int fd = anysock_connect(want, NULL, SOCK_STREAM, NULL, &peer);
	ck_assert_msg(fd >= 0, "%s: %s", want, anysock_strerror(fd));
	anysock_ntop(&peer, text, sizeof(text), 0);
	ck_assert_str_eq(text, want);
	close(fd);
	close(anysock_accept(l, NULL, 1000));
	snprintf(text, sizeof(text), "%d", anysock_addr_port(&a));
	fd = anysock_connect("[::1]", text, SOCK_STREAM, NULL, &peer);
	ck_assert_msg(fd >= 0, "[::1] %s: %s", text, anysock_strerror(fd));
	close(fd);
	close(anysock_accept(l, NULL, 1000));
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_connect_udp)
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen("127.0.0.1", NULL, SOCK_DGRAM, 0, 0, &l, NULL), 1);
	anysock_addr a, peer, from;
	anysock_listener_addr(l, 0, &a);
	char serv[8];
	snprintf(serv, sizeof(serv), "%d", anysock_addr_port(&a));
	/* Connected: send() works. */
	int fd = anysock_connect("127.0.0.1", serv, SOCK_DGRAM, NULL, &peer);
	ck_assert_int_ge(fd, 0);
	ck_assert(anysock_addr_equal(&peer, &a, 0));
	ck_assert_int_eq(send(fd, "one", 3, 0), 3);
	char buf[8];
	ck_assert_int_eq(anysock_recvfrom(l, buf, sizeof(buf), &from, NULL, 1000), 3);
	close(fd);
	/* Unconnected: a socket of the right family and the address for sendto. */
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.flags = ANYSOCK_CONNECT_UNCONNECTED;
	fd = anysock_connect("::ffff:127.0.0.1", serv, SOCK_DGRAM, &o, &peer);
	ck_assert_int_ge(fd, 0);
	anysock_addr none;
	none.len = sizeof(none.u);
	ck_assert_int_eq(getpeername(fd, &none.u.sa, &none.len), -1);
	ck_assert_int_eq(errno, ENOTCONN);
	ck_assert_int_eq(sendto(fd, "two", 3, 0, &peer.u.sa, peer.len), 3);
	ck_assert_int_eq(anysock_recvfrom(l, buf, sizeof(buf), &from, NULL, 1000), 3);
	ck_assert_int_eq(memcmp(buf, "two", 3), 0);
	close(fd);
	anysock_listener_close(l);
}
END_TEST

/* A connect that would wait its whole time limit (the listener's queue is
 * full, so its SYNs are dropped) ends at the first signal: the one rule
 * for every wait (anysock(3)). */
START_TEST(test_signal_ends_connect)
{
	char serv[8];
	int fill[2];
	int lfd = full_backlog_listener(serv, fill);
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 5000;
	anysock_addr peer;
	double t0 = mono_seconds();
	signal_in_ms(100);
	int fd = anysock_connect("127.0.0.1", serv, SOCK_STREAM, &o, &peer);
	double took = mono_seconds() - t0;
	ck_assert_msg(fd == -EINTR, "got %s after %.3f s", anysock_strerror(fd), took);
	ck_assert_msg(took < 1.0, "a signal at 100 ms ended the wait after %.3f s", took);
	close(fill[0]);
	close(fill[1]);
	close(lfd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("connect");
	TCase *tc = tcase_create("loopback");
	tcase_add_test(tc, test_connect_numeric);
	tcase_add_test(tc, test_connect_options);
	tcase_add_test(tc, test_connect_errors);
	tcase_add_test(tc, test_connect_udp);
	tcase_add_test(tc, test_connect_host_port);
	tcase_add_test(tc, test_signal_ends_connect);
	tcase_add_test(tc, test_setup_window_scale);
	tcase_add_test(tc, test_setup_fails_cleanly);
	tcase_add_test(tc, test_connect_default_port);
	tcase_add_test(tc, test_connect_udp_first_datagram);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
