/*
 * listen.c - one listener over every family, bound by name; and accept.
 * (The listener object and its wait: listener.c; UDP: datagram.c;
 * inherited sockets: adopt.c.)
 *
 * A listener is a small array of bound sockets, one per address: with no
 * host that is "::" with IPV6_V6ONLY on and "0.0.0.0", so IPv4 clients
 * arrive as AF_INET and IPv6 clients as AF_INET6 on every system, whatever
 * net.ipv6.bindv6only says (the drafts "IPv4-Mapped Address API Considered
 * Harmful" and "... on the Wire Considered Harmful" give the reasons).
 * ANYSOCK_LISTEN_DUALSTACK asks for the single "::" socket with V6ONLY off
 * instead (Apache's Linux default); peers are unmapped on the way in, so
 * the program sees the same addresses in both modes.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addrinfo.h"
#include "listener.h"
#include "resolve.h"
#include "socket.h"

#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#define PORT0_TRIES 16 /* port 0: times to look for a port free in all families */
/* Backlog 0: the kernel's own maximum. Linux cuts a larger backlog to
 * net.core.somaxconn of the socket's namespace, as read at listen() (see
 * listen(2)), so asking for INT_MAX gets exactly that with no file to
 * read. The C library's SOMAXCONN is a guess about some kernel: 128 in
 * musl and older glibc, 4096 in glibc 2.36; with 128 a burst of clients
 * past it loses SYNs. */
#define BACKLOG_MAX INT_MAX

#define LISTEN_FLAGS                                                                     \
	(ANYSOCK_LISTEN_DUALSTACK | ANYSOCK_LISTEN_REUSEPORT | ANYSOCK_LISTEN_NONBLOCK | \
	 ANYSOCK_LISTEN_IPV4 | ANYSOCK_LISTEN_IPV6 | ANYSOCK_LISTEN_NUMERIC |            \
	 ANYSOCK_LISTEN_DEFAULT_PORT)

/* ------------------------------------------------------------------------ */
/* Creating the sockets                                                      */
/* ------------------------------------------------------------------------ */

/* The library's options of one socket. */
static int socket_options(int fd, int family, int socktype, unsigned flags, bool dual)
{
	int rc = 0;
	if (socktype == SOCK_STREAM)
		rc = sock_set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (rc == 0 && flags & ANYSOCK_LISTEN_REUSEPORT) {
#if HAVE_DECL_SO_REUSEPORT
		rc = sock_set_int(fd, SOL_SOCKET, SO_REUSEPORT, 1);
#else
		rc = -EOPNOTSUPP;
#endif
	}
	/* Set both ways: the default comes from a sysctl nobody checks. */
	if (rc == 0 && family == AF_INET6)
		rc = sock_set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? 0 : 1);
	if (rc == 0 && socktype == SOCK_DGRAM)
		rc = datagram_want_pktinfo(fd, family);
	return rc;
}

/* Our options, the caller's setup hook (*by_hook when it failed), bind
 * and listen: one socket of l at a, in s. */
static int open_socket(const anysock_listener *l, struct sock *s, const anysock_addr *a, bool dual,
		       const anysock_listen_opts *o, bool *by_hook)
{
	int family = a->u.sa.sa_family;
	int fd = sock_open(family, l->socktype);
	if (fd < 0)
		return fd;
	int rc = socket_options(fd, family, l->socktype, l->flags, dual);
	if (rc == 0 && o->setup != NULL) { /* the caller's options, after ours */
		rc = o->setup(o->setup_arg, fd, family, a);
		*by_hook = rc < 0;
		rc = rc < 0 ? rc : 0;
	}
	if (rc == 0 && bind(fd, &a->u.sa, a->len) < 0)
		rc = -errno;
	if (rc == 0 && l->socktype == SOCK_STREAM && listen(fd, o->backlog) < 0)
		rc = -errno;
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

/*
 * Bind every address. With port 0 the first socket's port is reused for
 * the rest, so all families answer on one port. When that port is taken
 * in another family, the first socket is handed back in *held instead of
 * closed: while it stays open the kernel cannot offer the same port again.
 */
static int bind_all(anysock_listener *l, anysock_addr *addrs, size_t n,
		    const anysock_listen_opts *o, anysock_addr *failed, int *held)
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
		bool by_hook = false; /* a hook's error is never "family unavailable" */
		int rc = open_socket(l, &l->s[l->n], &a,
				     l->flags & ANYSOCK_LISTEN_DUALSTACK && is_any6(&a), o,
				     &by_hook);
		if (rc < 0 && !by_hook && family_unavailable(rc, a.u.sa.sa_family)) {
			if (skipped == 0) {
				skipped = rc;
				*failed = a;
			}
			continue;
		}
		if (rc < 0) {
			*failed = a;
			if (port0 && l->n > 0 && rc == -EADDRINUSE && !by_hook) {
				*held = l->s[0].fd;
				l->s[0] = l->s[--l->n];
			}
			listener_close_sockets(l);
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
	struct endpoint_text text; /* "[::1]:8080", "*:8080" alone */
	int rc = endpoint_split_default(&host, &service, &text,
					flags & ANYSOCK_LISTEN_DEFAULT_PORT);
	if (rc < 0)
		return rc;
	bool wildcard = host == NULL || strcmp(host, "*") == 0;
	int n = resolve_split(wildcard ? NULL : host, service, socktype, rflags, -1, out,
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

/* The options with defaults for what the caller's (maybe older, shorter)
 * struct does not have, checked. */
static int read_opts(const anysock_listen_opts *in, anysock_listen_opts *o)
{
	*o = (anysock_listen_opts)ANYSOCK_LISTEN_OPTS_INIT;
	if (in != NULL) {
		if (in->size < offsetof(anysock_listen_opts, backlog) + sizeof(in->backlog) ||
		    in->size > sizeof(*o))
			return -EINVAL;
		memcpy(o, in, in->size);
		o->size = sizeof(*o);
	}
	if ((o->flags & ~LISTEN_FLAGS) ||
	    (o->flags & ANYSOCK_LISTEN_IPV4 && o->flags & ANYSOCK_LISTEN_IPV6) || o->backlog < 0)
		return -EINVAL;
	if (o->backlog == 0)
		o->backlog = BACKLOG_MAX;
	return 0;
}

int anysock_listen(const char *host, const char *service, int socktype, unsigned flags,
		   int backlog, anysock_listener **out, anysock_addr *failed)
{
	anysock_listen_opts o = ANYSOCK_LISTEN_OPTS_INIT;
	o.flags = flags;
	o.backlog = backlog;
	return anysock_listen_with(host, service, socktype, &o, out, failed);
}

int anysock_listen_with(const char *host, const char *service, int socktype,
			const anysock_listen_opts *opts, anysock_listener **out,
			anysock_addr *failed)
{
	int saved_errno = errno;
	anysock_addr dummy;
	if (failed == NULL)
		failed = &dummy;
	memset(failed, 0, sizeof(*failed));
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	anysock_listen_opts o;
	int rc = read_opts(opts, &o);
	if (rc < 0)
		return rc;
	if (socktype != SOCK_STREAM && socktype != SOCK_DGRAM)
		return -EINVAL;
	anysock_addr addrs[MAX_SOCKETS];
	int n = listen_addresses(host, service, socktype, o.flags, addrs);
	if (n < 0)
		return n;
	anysock_listener *l = calloc(1, sizeof(*l));
	if (l == NULL)
		return -ENOMEM;
	l->socktype = socktype;
	l->flags = o.flags;
	if (o.flags & ANYSOCK_LISTEN_DUALSTACK)
		dual_stack_first(addrs, (size_t)n);
	int held[PORT0_TRIES], nheld = 0;
	do
		rc = bind_all(l, addrs, (size_t)n, &o, failed, &held[nheld]);
	while (rc < 0 && held[nheld] >= 0 && ++nheld < PORT0_TRIES);
	while (nheld > 0)
		close(held[--nheld]);
	if (rc < 0) {
		free(l);
		return rc;
	}
	memset(failed, 0, sizeof(*failed));
	listener_fill_pollfds(l);
	*out = l;
	return errno_kept(saved_errno, (int)l->n);
}

/* ------------------------------------------------------------------------ */
/* TCP                                                                       */
/* ------------------------------------------------------------------------ */

/* Errors that belong to the pending connection, not to the listener:
 * accept(2) says to treat them like EAGAIN and go on. EINTR too: accept
 * on a non-blocking socket does not wait, so no signal is being missed. */
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
	int saved_errno = errno;
	for (;;) {
		anysock_addr a;
		int c = sock_accept(fd, &a, flags & ANYSOCK_LISTEN_NONBLOCK);
		if (c >= 0) {
			anysock_addr_unmap(&a);
			if (peer != NULL)
				*peer = a;
			return errno_kept(saved_errno, c);
		}
		if (c == -EAGAIN || c == -EWOULDBLOCK)
			return -EAGAIN;
		if (!connection_error(-c))
			return c; /* EMFILE, ENFILE, ENOBUFS...: the caller decides */
	}
}

static int accept_op(anysock_listener *l, struct sock *s, void *peer)
{
	return anysock_accept_fd(s->fd, peer, l->flags & ANYSOCK_LISTEN_NONBLOCK);
}

int anysock_accept(anysock_listener *l, anysock_addr *peer, int timeout_ms)
{
	if (l == NULL || l->n == 0)
		return -EINVAL;
	if (l->socktype != SOCK_STREAM)
		return -EOPNOTSUPP;
	int saved_errno = errno;
	return errno_kept(saved_errno, listener_serve(l, timeout_ms, accept_op, peer));
}
