/*
 * listener_helpers.h - what the listener suites share: loopback clients,
 * plain sockets made the way another program would, and a clock.
 * SPDX-License-Identifier: MIT
 */
#ifndef LISTENER_HELPERS_H
#define LISTENER_HELPERS_H

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "anysock.h"
#include "check_main.h"

/* Whether this host has ::1 (containers without IPv6 do not). */
static inline bool have_ipv6(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		return false;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	bool ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	close(fd);
	return ok;
}

static inline double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline anysock_addr addr(const char *text, int port)
{
	anysock_addr a;
	ck_assert_int_eq(anysock_pton(text, &a, 0), 0);
	anysock_addr_set_port(&a, port);
	return a;
}

/* A socket of type connected to text:port, bound first to from (or not);
 * *self gets its own address. */
static inline int client(int type, const char *text, int port, const char *from, anysock_addr *self)
{
	anysock_addr to = addr(text, port);
	int fd = socket(to.u.sa.sa_family, type | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	if (from != NULL) {
		anysock_addr f = addr(from, 0);
		ck_assert_int_eq(bind(fd, &f.u.sa, f.len), 0);
	}
	ck_assert_msg(connect(fd, &to.u.sa, to.len) == 0, "connect %s:%d: %s", text, port,
		      strerror(errno));
	if (self != NULL) {
		self->len = sizeof(self->u);
		ck_assert_int_eq(getsockname(fd, &self->u.sa, &self->len), 0);
	}
	return fd;
}

static inline int listener_port(const anysock_listener *l, size_t i)
{
	anysock_addr a;
	ck_assert_int_eq(anysock_listener_addr(l, i, &a), 0);
	return anysock_addr_port(&a);
}

static inline int v6only(int fd)
{
	int on = -1;
	socklen_t len = sizeof(on);
	ck_assert_int_eq(getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, &len), 0);
	return on;
}

static inline void text_is(const anysock_addr *a, const char *want)
{
	char buf[ANYSOCK_ADDRSTRLEN];
	ck_assert_int_ge(anysock_ntop(a, buf, sizeof(buf), ANYSOCK_NTOP_NOPORT), 0);
	ck_assert_str_eq(buf, want);
}

/* Accept one connection and check its peer is exactly what the client
 * sees as its own address, in the canonical family. */
static inline void accept_from(anysock_listener *l, const char *text, int port)
{
	anysock_addr self, peer;
	int c = client(SOCK_STREAM, text, port, NULL, &self);
	int fd = anysock_accept(l, &peer, 2000);
	ck_assert_msg(fd >= 0, "accept: %s", anysock_strerror(fd));
	anysock_addr_unmap(&self);
	ck_assert(anysock_addr_equal(&peer, &self, 0));
	ck_assert_int_eq(anysock_addr_family(&peer), strchr(text, ':') ? AF_INET6 : AF_INET);
	int fl = fcntl(fd, F_GETFD);
	ck_assert(fl & FD_CLOEXEC);
	close(fd);
	close(c);
}

/* A plain listening socket at text:port, IPV6_V6ONLY on, made the way
 * another program would (no close-on-exec, blocking). */
static inline int squat(const char *text, int port)
{
	anysock_addr a = addr(text, port);
	int fd = socket(a.u.sa.sa_family, SOCK_STREAM, 0);
	int on = 1;
	if (a.u.sa.sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	ck_assert_int_eq(bind(fd, &a.u.sa, a.len), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	return fd;
}

#endif
