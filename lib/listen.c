/*
 * listen.c - one listener over every family.
 *
 * A listener is a small array of bound sockets, one per address: with no
 * host that is "::" with IPV6_V6ONLY on and "0.0.0.0", so IPv4 clients
 * arrive as AF_INET and IPv6 clients as AF_INET6 on every system, whatever
 * net.ipv6.bindv6only says (the drafts "IPv4-Mapped Address API Considered
 * Harmful" and "... on the Wire Considered Harmful" give the reasons). ANYSOCK_LISTEN_DUALSTACK
 * asks for the single "::" socket with V6ONLY off instead (Apache's Linux
 * default); peers are unmapped on the way in, so the program sees the same
 * addresses in both modes.
 *
 * Every socket the listener holds is non-blocking. accept and recvfrom
 * first try each socket in turn, starting after the one that was served
 * last, and only poll() when none has anything: under load that is one
 * system call per connection, as in a plain blocking accept loop, and a
 * busy family cannot starve a quiet one. A blocking listening socket would
 * also hang after poll() when another process took the connection first.
 *
 * UDP replies must leave from the address the request was sent to, or a
 * client that connect()ed its socket drops them (a multi-homed host picks
 * the source by route otherwise). recvfrom reports that address from
 * IP_PKTINFO / IPV6_PKTINFO, and sendto hands it back to the kernel.
 *
 * SPDX-License-Identifier: MIT
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKETS 32  /* addresses one name may give a listener          */
#define PORT0_TRIES 16  /* port 0: times to look for a port free in all families */

#define LISTEN_FLAGS                                                          \
	(ANYSOCK_LISTEN_DUALSTACK | ANYSOCK_LISTEN_REUSEPORT |                \
	 ANYSOCK_LISTEN_NONBLOCK | ANYSOCK_LISTEN_IPV4 | ANYSOCK_LISTEN_IPV6 | \
	 ANYSOCK_LISTEN_NUMERIC)

struct sock {
	int fd;
	int family;
	bool wildcard;     /* bound to 0.0.0.0 or :: */
	bool dual;         /* AF_INET6 with IPV6_V6ONLY off: takes IPv4 too */
	anysock_addr local; /* as bound, the real port filled in */
};

struct anysock_listener {
	int socktype;
	unsigned flags;
	size_t n;
	size_t next; /* the socket to try first next time: round robin */
	struct pollfd pfd[MAX_SOCKETS];
	struct sock s[MAX_SOCKETS];
};

/* ------------------------------------------------------------------------ */
/* Creating the sockets                                                      */
/* ------------------------------------------------------------------------ */

static int set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value)) == 0 ? 0 : -errno;
}

/* Ask for the destination address of each datagram. */
static int want_pktinfo(int fd, int family)
{
	if (family == AF_INET)
		return set_int(fd, IPPROTO_IP, IP_PKTINFO, 1);
	if (family == AF_INET6)
		return set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	return 0;
}

static int set_nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	int fdfl = fcntl(fd, F_GETFD);
	if (fdfl < 0 || fcntl(fd, F_SETFD, fdfl | FD_CLOEXEC) < 0)
		return -errno;
	return 0;
}

/* The options, bind and listen of one socket. */
static int setup_socket(int fd, const anysock_addr *a, int socktype, unsigned flags,
			bool dual, int backlog)
{
	int family = a->u.sa.sa_family, rc = 0;
	if (socktype == SOCK_STREAM)
		rc = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (rc == 0 && flags & ANYSOCK_LISTEN_REUSEPORT) {
#if HAVE_DECL_SO_REUSEPORT
		rc = set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
#else
		rc = -EOPNOTSUPP;
#endif
	}
	/* Set both ways: the default comes from a sysctl nobody checks. */
	if (rc == 0 && family == AF_INET6)
		rc = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? 0 : 1);
	if (rc == 0 && socktype == SOCK_DGRAM)
		rc = want_pktinfo(fd, family);
	if (rc == 0 && bind(fd, &a->u.sa, a->len) < 0)
		rc = -errno;
	if (rc == 0 && socktype == SOCK_STREAM && listen(fd, backlog) < 0)
		rc = -errno;
	return rc;
}

static int open_socket(struct sock *s, const anysock_addr *a, int socktype, unsigned flags,
		       bool dual, int backlog)
{
	int family = a->u.sa.sa_family;
#if HAVE_DECL_SOCK_CLOEXEC
	int fd = socket(family, socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
#else
	int fd = socket(family, socktype, 0);
	if (fd >= 0 && set_nonblock_cloexec(fd) < 0) {
		close(fd);
		fd = -1;
	}
#endif
	if (fd < 0)
		return -errno;
	int rc = setup_socket(fd, a, socktype, flags, dual, backlog);
	s->local.len = sizeof(s->local.u);
	if (rc == 0 && getsockname(fd, &s->local.u.sa, &s->local.len) < 0)
		rc = -errno;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	s->fd = fd;
	s->family = family;
	s->wildcard = anysock_addr_is_any(a);
	s->dual = dual;
	return 0;
}

/* Dual-stack mode: a "::" socket with V6ONLY off takes IPv4 too, and
 * binding "0.0.0.0" to its port would fail. Bind "::" first, and the IPv4
 * wildcard only if "::" could not be had (IPv6 off). */
static void dual_stack_first(anysock_addr *addrs, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		if (addrs[i].u.sa.sa_family != AF_INET6 || !anysock_addr_is_any(&addrs[i]))
			continue;
		anysock_addr any6 = addrs[i];
		memmove(&addrs[1], &addrs[0], i * sizeof(addrs[0]));
		addrs[0] = any6;
		return;
	}
}

static bool is_any6(const anysock_addr *a)
{
	return a->u.sa.sa_family == AF_INET6 && anysock_addr_is_any(a);
}

static bool covered_by_dual(const anysock_listener *l, const anysock_addr *a)
{
	if (a->u.sa.sa_family != AF_INET || !anysock_addr_is_any(a))
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (l->s[i].dual)
			return true;
	return false;
}

/* True when this host has no address at all of the family: IPv6 switched
 * off with net.ipv6.conf.all.disable_ipv6 (not even ::1 left), say. */
static bool family_absent(int family)
{
	struct ifaddrs *list;
	if (getifaddrs(&list) < 0)
		return false;
	bool found = false;
	for (struct ifaddrs *i = list; i != NULL && !found; i = i->ifa_next)
		found = i->ifa_addr != NULL && i->ifa_addr->sa_family == family;
	freeifaddrs(list);
	return !found;
}

/* A family the kernel lacks or has switched off is skipped, not an error. */
static bool family_unavailable(int rc, int family)
{
	return rc == -EAFNOSUPPORT || rc == -EPROTONOSUPPORT ||
	       (rc == -EADDRNOTAVAIL && family_absent(family));
}

static void close_all(anysock_listener *l)
{
	for (size_t i = 0; i < l->n; i++)
		close(l->s[i].fd);
	l->n = 0;
}

/*
 * Bind every address. With port 0 the first socket's port is reused for
 * the rest, so all families answer on one port. When that port is taken
 * in another family, the first socket is handed back in *held instead of
 * closed: while it stays open the kernel cannot offer the same port again.
 */
static int bind_all(anysock_listener *l, anysock_addr *addrs, size_t n, int backlog,
		    anysock_addr *failed, int *held)
{
	bool port0 = anysock_addr_port(&addrs[0]) == 0;
	int port = 0, skipped = 0;
	*held = -1;
	for (size_t i = 0; i < n; i++) {
		anysock_addr a = addrs[i];
		if (covered_by_dual(l, &a))
			continue;
		if (port0)
			anysock_addr_set_port(&a, port);
		int rc = open_socket(&l->s[l->n], &a, l->socktype, l->flags,
				     l->flags & ANYSOCK_LISTEN_DUALSTACK && is_any6(&a), backlog);
		if (rc < 0 && family_unavailable(rc, a.u.sa.sa_family)) {
			if (skipped == 0) {
				skipped = rc;
				*failed = a;
			}
			continue;
		}
		if (rc < 0) {
			*failed = a;
			if (port0 && l->n > 0 && rc == -EADDRINUSE) {
				*held = l->s[0].fd;
				l->s[0] = l->s[--l->n];
			}
			close_all(l);
			return rc;
		}
		if (port0 && port == 0)
			port = anysock_addr_port(&l->s[l->n].local);
		l->n++;
	}
	if (l->n == 0)
		return skipped < 0 ? skipped : -EADDRNOTAVAIL;
	return 0;
}

/* The addresses to bind, in order: for no host the wildcards ("::" first,
 * so a dual-stack socket is made before the "0.0.0.0" it covers). */
static int listen_addresses(const char *host, const char *service, int socktype,
			    unsigned flags, anysock_addr *out)
{
	unsigned rflags = ANYSOCK_RESOLVE_PASSIVE;
	if (flags & ANYSOCK_LISTEN_NUMERIC)
		rflags |= ANYSOCK_RESOLVE_NUMERIC;
	if (flags & ANYSOCK_LISTEN_IPV4)
		rflags |= ANYSOCK_RESOLVE_IPV4;
	if (flags & ANYSOCK_LISTEN_IPV6)
		rflags |= ANYSOCK_RESOLVE_IPV6;
	bool wildcard = host == NULL || strcmp(host, "*") == 0;
	int n = anysock_resolve(wildcard ? NULL : host, service, socktype, rflags, -1, out,
				MAX_SOCKETS);
	if (n < 0 || !wildcard)
		return n;
	int port = anysock_addr_port(&out[0]);
	n = 0;
	if (!(flags & ANYSOCK_LISTEN_IPV4))
		anysock_addr_any(&out[n++], AF_INET6, port);
	if (!(flags & ANYSOCK_LISTEN_IPV6))
		anysock_addr_any(&out[n++], AF_INET, port);
	return n;
}

static void fill_pollfds(anysock_listener *l)
{
	for (size_t i = 0; i < l->n; i++) {
		l->pfd[i].fd = l->s[i].fd;
		l->pfd[i].events = POLLIN;
	}
}

int anysock_listen(const char *host, const char *service, int socktype, unsigned flags,
		   int backlog, anysock_listener **out, anysock_addr *failed)
{
	anysock_addr dummy;
	if (failed == NULL)
		failed = &dummy;
	memset(failed, 0, sizeof(*failed));
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if ((socktype != SOCK_STREAM && socktype != SOCK_DGRAM) || (flags & ~LISTEN_FLAGS) ||
	    (flags & ANYSOCK_LISTEN_IPV4 && flags & ANYSOCK_LISTEN_IPV6) || backlog < 0)
		return -EINVAL;
	anysock_addr addrs[MAX_SOCKETS];
	int n = listen_addresses(host, service, socktype, flags, addrs);
	if (n < 0)
		return n;
	anysock_listener *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	l->socktype = socktype;
	l->flags = flags;
	if (flags & ANYSOCK_LISTEN_DUALSTACK)
		dual_stack_first(addrs, (size_t)n);
	int held[PORT0_TRIES], nheld = 0, rc;
	do
		rc = bind_all(l, addrs, (size_t)n, backlog > 0 ? backlog : SOMAXCONN, failed,
			      &held[nheld]);
	while (rc < 0 && held[nheld] >= 0 && ++nheld < PORT0_TRIES);
	while (nheld > 0)
		close(held[--nheld]);
	if (rc < 0) {
		free(l);
		return rc;
	}
	memset(failed, 0, sizeof(*failed));
	fill_pollfds(l);
	*out = l;
	return (int)l->n;
}

/* ------------------------------------------------------------------------ */
/* Inherited sockets                                                         */
/* ------------------------------------------------------------------------ */

static int adopt_one(struct sock *s, int fd, int *socktype)
{
	int type, on = 0;
	socklen_t len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return errno == ENOTSOCK ? -ENOTSOCK : -errno;
	if ((type != SOCK_STREAM && type != SOCK_DGRAM) || (*socktype != 0 && type != *socktype))
		return -EPROTOTYPE;
	*socktype = type;
	len = sizeof(on);
	if (type == SOCK_STREAM &&
	    (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) < 0 || !on))
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
	 * them and change their flags; on failure the caller still does. */
	for (size_t i = 0; i < n && rc == 0; i++) {
		rc = set_nonblock_cloexec(fds[i]);
		if (rc == 0 && l->socktype == SOCK_DGRAM)
			rc = want_pktinfo(fds[i], l->s[i].family);
	}
	if (rc < 0) {
		free(l);
		return rc;
	}
	l->n = n;
	fill_pollfds(l);
	*out = l;
	return (int)n;
}

/* A whole decimal number in [0, max], or -1. */
static long env_number(const char *name, long max)
{
	const char *s = getenv(name);
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	return errno != 0 || *end != '\0' || v > max ? -1 : v;
}

#define LISTEN_FDS_START 3 /* the socket-activation protocol's first descriptor */

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
			return errno == ENOTSOCK ? -ENOTSOCK : -errno;
		if (socktype != 0 && type != socktype)
			continue; /* left for a call asking for that type */
		if (n == MAX_SOCKETS)
			return -E2BIG;
		fds[n++] = fd;
	}
	return n == 0 ? 0 : anysock_listener_adopt(fds, n, flags, out);
}

/* ------------------------------------------------------------------------ */
/* Introspection                                                             */
/* ------------------------------------------------------------------------ */

int anysock_listener_count(const anysock_listener *l)
{
	return l == NULL ? -EINVAL : (int)l->n;
}

int anysock_listener_fd(const anysock_listener *l, size_t i)
{
	if (l == NULL)
		return -EINVAL;
	return i < l->n ? l->s[i].fd : -ERANGE;
}

int anysock_listener_addr(const anysock_listener *l, size_t i, anysock_addr *out)
{
	if (l == NULL || out == NULL)
		return -EINVAL;
	if (i >= l->n)
		return -ERANGE;
	*out = l->s[i].local;
	return 0;
}

int anysock_listener_ntop(const anysock_listener *l, char *buf, size_t size)
{
	if (l == NULL || buf == NULL)
		return -EINVAL;
	size_t used = 0;
	for (size_t i = 0; i < l->n; i++) {
		char one[ANYSOCK_ADDRSTRLEN];
		int len = anysock_ntop(&l->s[i].local, one, sizeof(one), 0);
		if (len < 0)
			return len;
		int w = snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "", one);
		if (w < 0 || (size_t)w >= size - used) {
			if (size > 0)
				buf[0] = '\0';
			return -ENOSPC;
		}
		used += (size_t)w;
	}
	if (l->n == 0 && size == 0)
		return -ENOSPC;
	if (l->n == 0)
		buf[0] = '\0';
	return (int)used;
}

void anysock_listener_close(anysock_listener *l)
{
	if (l == NULL)
		return;
	close_all(l);
	free(l);
}

/* ------------------------------------------------------------------------ */
/* Waiting                                                                   */
/* ------------------------------------------------------------------------ */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until a socket has something, or the deadline (-1: none) passes. A
 * signal ends the wait with -EINTR, so a handler can stop a server. */
static int wait_any(anysock_listener *l, int64_t deadline)
{
	int ms = -1;
	if (deadline >= 0) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		ms = left > INT_MAX ? INT_MAX : (int)left;
	}
	int rc = poll(l->pfd, (nfds_t)l->n, ms);
	if (rc < 0)
		return -errno;
	if (rc == 0)
		return deadline >= 0 && now_ms() >= deadline ? -ETIMEDOUT : 0;
	for (size_t i = 0; i < l->n; i++)
		if (l->pfd[i].revents & POLLNVAL)
			return -EBADF; /* somebody closed one of our descriptors */
	return 0;
}

/*
 * Try the sockets once each, starting after the one served last; op
 * returns -EAGAIN when its socket has nothing. Then wait and go again.
 */
static int serve_round_robin(anysock_listener *l, int timeout_ms,
			     int (*op)(anysock_listener *, struct sock *, void *), void *arg)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		for (size_t k = 0; k < l->n; k++) {
			size_t i = (l->next + k) % l->n;
			int rc = op(l, &l->s[i], arg);
			if (rc != -EAGAIN) {
				l->next = (i + 1) % l->n;
				return rc;
			}
		}
		if (timeout_ms == 0)
			return -ETIMEDOUT;
		int rc = wait_any(l, deadline);
		if (rc < 0)
			return rc;
	}
}

/* ------------------------------------------------------------------------ */
/* TCP                                                                       */
/* ------------------------------------------------------------------------ */

/* Errors that belong to the pending connection, not to the listener:
 * accept(2) says to treat them like EAGAIN and go on. */
static bool connection_error(int e)
{
	switch (e) {
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
	case ENOPROTOOPT:
	case EHOSTDOWN:
#ifdef ENONET
	case ENONET:
#endif
	case EHOSTUNREACH:
	case EOPNOTSUPP:
	case ENETDOWN:
	case ENETUNREACH:
		return true;
	default:
		return false;
	}
}

int anysock_accept_fd(int fd, anysock_addr *peer, unsigned flags)
{
	if (fd < 0 || (flags & ~ANYSOCK_LISTEN_NONBLOCK))
		return -EINVAL;
	for (;;) {
		anysock_addr a;
		memset(&a, 0, sizeof(a));
		a.len = sizeof(a.u);
#ifdef HAVE_ACCEPT4
		int c = accept4(fd, &a.u.sa, &a.len,
				SOCK_CLOEXEC | (flags & ANYSOCK_LISTEN_NONBLOCK ? SOCK_NONBLOCK : 0));
#else
		int c = accept(fd, &a.u.sa, &a.len);
		if (c >= 0) {
			int rc = flags & ANYSOCK_LISTEN_NONBLOCK ? set_nonblock_cloexec(c)
				 : fcntl(c, F_SETFD, FD_CLOEXEC) < 0 ? -errno : 0;
			if (rc < 0) {
				close(c);
				return rc;
			}
		}
#endif
		if (c >= 0) {
			anysock_addr_unmap(&a);
			if (peer != NULL)
				*peer = a;
			return c;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return -EAGAIN;
		if (!connection_error(errno))
			return -errno; /* EMFILE, ENFILE, ENOBUFS...: the caller decides */
	}
}

struct accept_arg {
	anysock_addr *peer;
};

static int accept_op(anysock_listener *l, struct sock *s, void *arg)
{
	struct accept_arg *a = arg;
	return anysock_accept_fd(s->fd, a->peer, l->flags & ANYSOCK_LISTEN_NONBLOCK);
}

int anysock_accept(anysock_listener *l, anysock_addr *peer, int timeout_ms)
{
	if (l == NULL || l->n == 0)
		return -EINVAL;
	if (l->socktype != SOCK_STREAM)
		return -EOPNOTSUPP;
	struct accept_arg arg = { peer };
	return serve_round_robin(l, timeout_ms, accept_op, &arg);
}

/* ------------------------------------------------------------------------ */
/* UDP                                                                       */
/* ------------------------------------------------------------------------ */

union pktinfo_cmsg {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
};

/* The local address a datagram was sent to, from its control messages;
 * local starts as the socket's own address, so the port is already right. */
static void local_from_cmsg(struct msghdr *msg, anysock_addr *local)
{
	int port = anysock_addr_port(local);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			anysock_addr_from_in(local, &pi.ipi_addr, port);
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			uint32_t scope = IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr) ||
						 IN6_IS_ADDR_MC_LINKLOCAL(&pi.ipi6_addr)
					 ? (uint32_t)pi.ipi6_ifindex
					 : 0;
			anysock_addr_from_in6(local, &pi.ipi6_addr, port, scope);
		}
	}
	anysock_addr_unmap(local);
}

struct recv_arg {
	void *buf;
	size_t len;
	anysock_addr *peer, *local;
	ssize_t got;
};

static int recv_op(anysock_listener *l, struct sock *s, void *arg)
{
	(void)l;
	struct recv_arg *r = arg;
	anysock_addr from;
	memset(&from, 0, sizeof(from));
	union pktinfo_cmsg control;
	struct iovec iov = { r->buf, r->len };
	struct msghdr msg = { .msg_name = &from.u.sa, .msg_namelen = sizeof(from.u),
			      .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = control.buf, .msg_controllen = sizeof(control.buf) };
	ssize_t got;
	do
		got = recvmsg(s->fd, &msg, MSG_DONTWAIT);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	from.len = msg.msg_namelen;
	anysock_addr_unmap(&from);
	if (r->peer != NULL)
		*r->peer = from;
	if (r->local != NULL) {
		*r->local = s->local;
		local_from_cmsg(&msg, r->local);
	}
	r->got = got;
	return msg.msg_flags & MSG_TRUNC ? -EMSGSIZE : 0;
}

ssize_t anysock_recvfrom(anysock_listener *l, void *buf, size_t len, anysock_addr *peer,
			 anysock_addr *local, int timeout_ms)
{
	if (l == NULL || l->n == 0 || (buf == NULL && len > 0))
		return -EINVAL;
	if (l->socktype != SOCK_DGRAM)
		return -EOPNOTSUPP;
	struct recv_arg arg = { buf, len, peer, local, 0 };
	int rc = serve_round_robin(l, timeout_ms, recv_op, &arg);
	return rc < 0 ? rc : arg.got;
}

/* The socket to answer peer from local (NULL: any) with, or a negative code. */
static int pick_socket(const anysock_listener *l, const anysock_addr *peer,
		       const anysock_addr *local)
{
	int best = -EAFNOSUPPORT, best_score = 0, family = peer->u.sa.sa_family;
	for (size_t i = 0; i < l->n; i++) {
		const struct sock *s = &l->s[i];
		if (s->family != family && !(family == AF_INET && s->dual))
			continue;
		if (best < 0)
			best = -EADDRNOTAVAIL; /* the family is here, the address maybe not */
		anysock_addr bound = s->local;
		anysock_addr_unmap(&bound);
		int score = local != NULL && anysock_addr_equal(&bound, local, ANYSOCK_CMP_NOPORT)
				    ? 4
			    : s->wildcard && s->family == family ? 3
			    : s->wildcard			  ? 2
			    : local == NULL			  ? 1
								  : 0;
		if (score > best_score) {
			best = (int)i;
			best_score = score;
		}
	}
	return best;
}

/* Multicast and broadcast addresses cannot be a reply's source: the
 * kernel picks one then. */
static bool usable_source(const anysock_addr *a)
{
	if (a->u.sa.sa_family == AF_INET) {
		uint32_t ip = ntohl(a->u.sin.sin_addr.s_addr);
		return (ip >> 28) != 0xe && ip != 0xffffffffu && ip != 0;
	}
	return !IN6_IS_ADDR_MULTICAST(&a->u.sin6.sin6_addr) &&
	       !IN6_IS_ADDR_UNSPECIFIED(&a->u.sin6.sin6_addr);
}

/* The control message that makes a datagram leave from src. */
static socklen_t source_cmsg(union pktinfo_cmsg *control, const struct sock *s,
			     const anysock_addr *src)
{
	memset(control, 0, sizeof(*control));
	struct cmsghdr *c = &control->align;
	if (s->family == AF_INET) {
		struct in_pktinfo pi;
		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst = src->u.sin.sin_addr;
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		return CMSG_SPACE(sizeof(pi));
	}
	anysock_addr v6 = *src;
	anysock_addr_map(&v6); /* through a dual-stack socket */
	struct in6_pktinfo pi;
	memset(&pi, 0, sizeof(pi));
	pi.ipi6_addr = v6.u.sin6.sin6_addr;
	pi.ipi6_ifindex = v6.u.sin6.sin6_scope_id;
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	return CMSG_SPACE(sizeof(pi));
}

ssize_t anysock_sendto(anysock_listener *l, const void *buf, size_t len,
		       const anysock_addr *peer, const anysock_addr *local)
{
	if (l == NULL || (buf == NULL && len > 0))
		return -EINVAL;
	if (l->socktype != SOCK_DGRAM)
		return -EOPNOTSUPP;
	int rc = addr_check_ip(peer);
	if (rc < 0)
		return rc;
	anysock_addr to = *peer, from;
	anysock_addr_unmap(&to);
	if (local != NULL) {
		if ((rc = addr_check_ip(local)) < 0)
			return rc;
		from = *local;
		anysock_addr_unmap(&from);
		if (from.u.sa.sa_family != to.u.sa.sa_family)
			return -EAFNOSUPPORT;
	}
	int i = pick_socket(l, &to, local != NULL ? &from : NULL);
	if (i < 0)
		return i;
	const struct sock *s = &l->s[i];
	if (s->family == AF_INET6)
		anysock_addr_map(&to);
	union pktinfo_cmsg control;
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_name = &to.u.sa, .msg_namelen = to.len,
			      .msg_iov = &iov, .msg_iovlen = 1 };
	if (local != NULL && s->wildcard && usable_source(&from)) {
		msg.msg_control = control.buf;
		msg.msg_controllen = source_cmsg(&control, s, &from);
	}
	for (;;) {
		ssize_t sent = sendmsg(s->fd, &msg, 0);
		if (sent >= 0)
			return sent;
		if (errno == EINTR)
			continue;
		if ((errno != EAGAIN && errno != EWOULDBLOCK) || l->flags & ANYSOCK_LISTEN_NONBLOCK)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		struct pollfd p = { s->fd, POLLOUT, 0 };
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return -errno;
	}
}
