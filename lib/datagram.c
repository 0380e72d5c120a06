/*
 * datagram.c - UDP through a listener: receive with the address each
 * datagram was sent to, and answer from that same address.
 *
 * A reply must leave from the address the request was sent to, or a
 * client that connect()ed its socket drops it (a multi-homed host picks
 * the source by route otherwise). anysock_recvfrom reports that address
 * from IP_PKTINFO / IPV6_PKTINFO, and anysock_sendto hands it back to the
 * kernel in the same control message, through the socket of the right
 * family (a dual-stack socket sends IPv4 as ::ffff:a.b.c.d).
 *
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "clock.h"
#include "listener.h"
#include "socket.h"

#include <errno.h>
#include <arpa/inet.h>

/* The option that asks for each datagram's destination address; false for
 * a family that has none (AF_UNIX). */
static bool pktinfo_option(int family, int *level, int *name)
{
	if (family != AF_INET && family != AF_INET6)
		return false;
	*level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	*name = family == AF_INET ? IP_PKTINFO : IPV6_RECVPKTINFO;
	return true;
}

int datagram_want_pktinfo(int fd, int family)
{
	return datagram_set_pktinfo(fd, family, true);
}

int datagram_set_pktinfo(int fd, int family, bool on)
{
	int level, name;
	return pktinfo_option(family, &level, &name) ? sock_set_int(fd, level, name, on) : 0;
}

int datagram_get_pktinfo(int fd, int family)
{
	int level, name, on = 0;
	socklen_t len = sizeof(on);
	if (!pktinfo_option(family, &level, &name))
		return 0;
	return getsockopt(fd, level, name, &on, &len) < 0 ? -errno : on != 0;
}

union pktinfo_cmsg {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
};

/* The control message after c, or NULL: CMSG_NXTHDR written out, because
 * musl's macro mixes signed and unsigned lengths, which the library's
 * -Wconversion (with --enable-werror) refuses. The next message must fit
 * whole in what the kernel filled in, as glibc's __cmsg_nxthdr checks. */
static struct cmsghdr *cmsg_next(const struct msghdr *msg, struct cmsghdr *c)
{
	size_t used = (size_t)((unsigned char *)c - (unsigned char *)msg->msg_control);
	size_t step = CMSG_ALIGN(c->cmsg_len);
	if (c->cmsg_len < sizeof(*c) || step > msg->msg_controllen - used ||
	    msg->msg_controllen - used - step < sizeof(*c))
		return NULL;
	struct cmsghdr *next = (struct cmsghdr *)(void *)((unsigned char *)c + step);
	if (CMSG_ALIGN(next->cmsg_len) > msg->msg_controllen - used - step)
		return NULL;
	return next;
}

/* The local address a datagram was sent to, from its control messages;
 * local starts as the socket's own address, so the port is already right. */
static void local_from_cmsg(struct msghdr *msg, anysock_addr *local)
{
	int port = anysock_addr_port(local);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = cmsg_next(msg, c)) {
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
	int saved_errno = errno;
	int rc = listener_serve(l, timeout_ms, recv_op, &arg);
	return rc < 0 ? rc : errno_kept_ss(saved_errno, arg.got);
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
	/* The socket is non-blocking: a full send buffer waits here, unless
	 * the caller asked not to wait (and a signal ends the wait). */
	int saved_errno = errno;
	for (;;) {
		ssize_t sent = sendmsg(s->fd, &msg, 0);
		if (sent >= 0)
			return errno_kept_ss(saved_errno, sent);
		int err = errno == EWOULDBLOCK ? EAGAIN : errno;
		if (err == EINTR)
			continue;
		if (err != EAGAIN || l->flags & ANYSOCK_LISTEN_NONBLOCK)
			return -err;
		struct pollfd p = { s->fd, POLLOUT, 0 };
		if ((rc = poll_until(&p, 1, -1)) < 0)
			return rc;
	}
}
