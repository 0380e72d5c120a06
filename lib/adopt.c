/*
 * adopt.c - listeners over sockets somebody else bound: explicit
 * descriptors, or the ones a service manager passed by socket activation
 * (the LISTEN_PID/LISTEN_FDS protocol of systemd and others, read here
 * without libsystemd).
 *
 * SPDX-License-Identifier: MIT
 */
#include "listener.h"
#include "socket.h"
#include "text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#define LISTEN_FDS_START 3 /* the socket-activation protocol's first descriptor */

/* What an inherited descriptor is, without changing it. */
static int adopt_one(struct sock *s, int fd, int *socktype)
{
	int type, on = 0;
	socklen_t len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -errno;
	if ((type != SOCK_STREAM && type != SOCK_DGRAM) || (*socktype != 0 && type != *socktype))
		return -EPROTOTYPE;
	*socktype = type;
	len = sizeof(on);
	/* A check that cannot be made says why (ENOPROTOOPT where a kernel or
	 * an emulator lacks the option), not that the socket does not listen;
	 * one that does not listen gets accept(2)'s answer for it, EINVAL. */
	if (type == SOCK_STREAM && getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) < 0)
		return -errno;
	if (type == SOCK_STREAM && !on)
		return -EINVAL; /* a connected or unbound stream socket */
	s->local.len = sizeof(s->local.u);
	if (getsockname(fd, &s->local.u.sa, &s->local.len) < 0)
		return -errno;
	s->fd = fd;
	s->family = s->local.u.sa.sa_family;
	s->wildcard = s->family != AF_UNIX && anysock_addr_is_any(&s->local);
	s->dual = false;
	if (s->family == AF_INET6) {
		len = sizeof(on);
		if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, &len) < 0)
			return -errno;
		s->dual = s->wildcard && !on;
	}
	return 0;
}

/* What take_over() changes, as the caller had it. */
struct as_given {
	int status, fd_flags, pktinfo;
};

static int remember(int fd, int socktype, int family, struct as_given *g)
{
	g->status = fcntl(fd, F_GETFL);
	g->fd_flags = fcntl(fd, F_GETFD);
	if (g->status < 0 || g->fd_flags < 0)
		return -errno;
	g->pktinfo = socktype == SOCK_DGRAM ? datagram_get_pktinfo(fd, family) : 0;
	return g->pktinfo < 0 ? g->pktinfo : 0;
}

/* The flags every listener socket has (listener.h), and pktinfo for UDP. */
static int take_over(int fd, int socktype, int family)
{
	int rc = fd_set_cloexec(fd);
	if (rc == 0)
		rc = fd_set_nonblock(fd, true);
	if (rc == 0 && socktype == SOCK_DGRAM)
		rc = datagram_want_pktinfo(fd, family);
	return rc;
}

static void give_back(int fd, int socktype, int family, const struct as_given *g)
{
	fcntl(fd, F_SETFL, g->status);
	fcntl(fd, F_SETFD, g->fd_flags);
	if (socktype == SOCK_DGRAM)
		datagram_set_pktinfo(fd, family, g->pktinfo == 1);
}

int anysock_listener_adopt(const int *fds, size_t n, unsigned flags, anysock_listener **out)
{
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (fds == NULL || n == 0 || (flags & ~ANYSOCK_LISTEN_NONBLOCK))
		return -EINVAL;
	if (n > MAX_SOCKETS)
		return -E2BIG;
	anysock_listener *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	l->flags = flags;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = adopt_one(&l->s[i], fds[i], &l->socktype);
	/* Only once every descriptor is known good does the listener own
	 * them and change their flags; on failure the caller still does, as
	 * they were (once left non-blocking), last changed first (a
	 * descriptor given twice gets its first state back). */
	struct as_given given[MAX_SOCKETS];
	size_t changed = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = remember(fds[i], l->socktype, l->s[i].family, &given[i]);
		if (rc == 0) {
			changed = i + 1;
			rc = take_over(fds[i], l->socktype, l->s[i].family);
		}
	}
	if (rc < 0) {
		while (changed-- > 0)
			give_back(fds[changed], l->socktype, l->s[changed].family, &given[changed]);
		free(l);
		return rc;
	}
	l->n = n;
	listener_fill_pollfds(l);
	*out = l;
	return (int)n;
}

/* An environment variable that is a whole decimal number in [0, max], or
 * -1 (unset, empty, a sign, junk, too large). */
static long env_number(const char *name, long max)
{
	const char *s = getenv(name);
	uint64_t v;
	if (s == NULL || parse_decimal(s, strlen(s), (uint64_t)max, 0, &v) != 0)
		return -1;
	return (long)v;
}

int anysock_listener_from_env(int socktype, unsigned flags, anysock_listener **out)
{
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM)
		return -EINVAL;
	long pid = env_number("LISTEN_PID", LONG_MAX);
	long count = env_number("LISTEN_FDS", INT_MAX - LISTEN_FDS_START);
	if (pid != (long)getpid() || count <= 0)
		return 0; /* not socket-activated, or meant for another process */
	int fds[MAX_SOCKETS];
	size_t n = 0;
	for (int fd = LISTEN_FDS_START; fd < LISTEN_FDS_START + count; fd++) {
		int type;
		socklen_t len = sizeof(type);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
			return -errno;
		if (socktype != 0 && type != socktype)
			continue; /* left for a call asking for that type */
		if (n == MAX_SOCKETS)
			return -E2BIG;
		fds[n++] = fd;
	}
	return n == 0 ? 0 : anysock_listener_adopt(fds, n, flags, out);
}
