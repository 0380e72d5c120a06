/*
 * multicast.c - joining groups, per socket and per listener.
 *
 * A join goes to the level of the group's family (RFC 3678's protocol-
 * independent calls, MCAST_JOIN_GROUP and friends, with the group in a
 * sockaddr): measured on Linux, an IPv4 group joins on a dual-stack
 * AF_INET6 socket only at IPPROTO_IP (at IPPROTO_IPV6 it fails with
 * EADDRNOTAVAIL, or EINVAL for the mapped group), and on an IPV6_V6ONLY
 * socket the IPv4 join succeeds and nothing is ever delivered. That last
 * one is refused here, with ANYSOCK_E_V6ONLY, rather than left to fail in
 * silence. A mapped group (::ffff:239.1.2.3) is its IPv4 group.
 *
 * A listener's version applies to every socket it holds; a join goes to
 * the sockets that can receive the group: those of its family, and for an
 * IPv4 group a dual-stack one.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "listener.h"
#include "socket.h"
#include "sockopt.h"

#include <errno.h>

enum mcast_op { JOIN, LEAVE, BLOCK, UNBLOCK };

/* RFC 4607: the source-specific ranges, 232.0.0.0/8 and ff3x::/32. */
static bool source_specific(const anysock_addr *g)
{
	if (g->u.sa.sa_family == AF_INET)
		return (ntohl(g->u.sin.sin_addr.s_addr) >> 24) == 232;
	const unsigned char *b = g->u.sin6.sin6_addr.s6_addr;
	return b[0] == 0xff && (b[1] & 0xf0) == 0x30 && b[2] == 0 && b[3] == 0;
}

/* Group and source checked and canonical (mapped -> IPv4), port 0. */
static int check_group(const anysock_addr *group, const anysock_addr *source, enum mcast_op op,
		       anysock_addr *g, anysock_addr *s)
{
	int rc = addr_check_ip(group);
	if (rc < 0)
		return rc;
	*g = *group;
	anysock_addr_unmap(g);
	anysock_addr_set_port(g, 0);
	if (!(anysock_addr_class(g) & ANYSOCK_CLASS_MULTICAST))
		return ANYSOCK_E_NOTGROUP;
	if ((op == BLOCK || op == UNBLOCK) && source == NULL)
		return -EINVAL; /* blocking is of a source */
	if (source != NULL) {
		if ((rc = addr_check_ip(source)) < 0)
			return rc;
		*s = *source;
		anysock_addr_unmap(s);
		anysock_addr_set_port(s, 0);
		if (s->u.sa.sa_family != g->u.sa.sa_family)
			return ANYSOCK_E_SOURCE;
		/* a source to join or leave belongs to a source-specific group;
		 * blocking one is what any-source groups do */
		if ((op == JOIN || op == LEAVE) && !source_specific(g))
			return ANYSOCK_E_NOTSSM;
	}
	return 0;
}

static int mcast_call(int fd, const anysock_addr *g, const anysock_addr *s, enum mcast_op op,
		      unsigned ifindex, const struct sock_kind *k)
{
	int family = g->u.sa.sa_family;
	if (ifindex != 0 && !sock_has_interface(fd, ifindex))
		return -ENODEV;
	if (family == AF_INET6 && k->family == AF_INET)
		return -EAFNOSUPPORT;
	if (family == AF_INET && k->family == AF_INET6 && !k->dual)
		return ANYSOCK_E_V6ONLY;
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	static const int with_source[] = { MCAST_JOIN_SOURCE_GROUP, MCAST_LEAVE_SOURCE_GROUP,
					   MCAST_BLOCK_SOURCE, MCAST_UNBLOCK_SOURCE };
	int rc;
	if (s == NULL) {
		struct group_req r;
		memset(&r, 0, sizeof(r));
		r.gr_interface = ifindex;
		memcpy(&r.gr_group, &g->u, g->len);
		rc = setsockopt(fd, level, op == JOIN ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP, &r,
				sizeof(r));
	} else {
		struct group_source_req r;
		memset(&r, 0, sizeof(r));
		r.gsr_interface = ifindex;
		memcpy(&r.gsr_group, &g->u, g->len);
		memcpy(&r.gsr_source, &s->u, s->len);
		rc = setsockopt(fd, level, with_source[op], &r, sizeof(r));
	}
	return rc < 0 ? -errno : 0;
}

static int mcast(int fd, const anysock_addr *group, const anysock_addr *source, unsigned ifindex,
		 enum mcast_op op)
{
	struct sock_kind k;
	anysock_addr g, s;
	int rc = sock_kind(fd, &k);
	if (rc == 0)
		rc = check_group(group, source, op, &g, &s);
	return rc < 0 ? rc : mcast_call(fd, &g, source != NULL ? &s : NULL, op, ifindex, &k);
}

int anysock_mcast_join(int fd, const anysock_addr *group, const anysock_addr *source,
		       unsigned ifindex)
{
	return mcast(fd, group, source, ifindex, JOIN);
}

int anysock_mcast_leave(int fd, const anysock_addr *group, const anysock_addr *source,
			unsigned ifindex)
{
	return mcast(fd, group, source, ifindex, LEAVE);
}

int anysock_mcast_block(int fd, const anysock_addr *group, const anysock_addr *source,
			unsigned ifindex)
{
	return mcast(fd, group, source, ifindex, BLOCK);
}

int anysock_mcast_unblock(int fd, const anysock_addr *group, const anysock_addr *source,
			  unsigned ifindex)
{
	return mcast(fd, group, source, ifindex, UNBLOCK);
}

/* ------------------------------------------------------------------------ */
/* Listeners                                                                */
/* ------------------------------------------------------------------------ */

/* Whether listener socket x can receive group g. */
static bool receives(const struct sock *x, const anysock_addr *g)
{
	return x->family == g->u.sa.sa_family || (g->u.sa.sa_family == AF_INET && x->dual);
}

/* The group on every socket that can receive it. The number joined (or
 * left...), or the first error (a join that fails part way is undone, so
 * nothing is half-joined); -EAFNOSUPPORT when no socket can. */
static int listener_mcast(anysock_listener *l, const anysock_addr *group,
			  const anysock_addr *source, unsigned ifindex, enum mcast_op op)
{
	if (l == NULL)
		return -EINVAL;
	if (l->socktype != SOCK_DGRAM)
		return -EOPNOTSUPP;
	anysock_addr g, s;
	const anysock_addr *src = source != NULL ? &s : NULL;
	int rc = check_group(group, source, op, &g, &s), n = 0;
	size_t i = 0;
	for (; rc == 0 && i < l->n; i++) {
		const struct sock *x = &l->s[i];
		struct sock_kind k = { x->family, x->dual, false };
		if (receives(x, &g) && (rc = mcast_call(x->fd, &g, src, op, ifindex, &k)) == 0)
			n++;
	}
	if (rc < 0 && op == JOIN) {
		for (size_t j = 0; j + 1 < i; j++) {
			const struct sock *x = &l->s[j];
			struct sock_kind k = { x->family, x->dual, false };
			if (receives(x, &g))
				mcast_call(x->fd, &g, src, LEAVE, ifindex, &k);
		}
	}
	return rc < 0 ? rc : n > 0 ? n : -EAFNOSUPPORT;
}

int anysock_listener_mcast_join(anysock_listener *l, const anysock_addr *group,
				const anysock_addr *source, unsigned ifindex)
{
	return listener_mcast(l, group, source, ifindex, JOIN);
}

int anysock_listener_mcast_leave(anysock_listener *l, const anysock_addr *group,
				 const anysock_addr *source, unsigned ifindex)
{
	return listener_mcast(l, group, source, ifindex, LEAVE);
}

int anysock_listener_mcast_block(anysock_listener *l, const anysock_addr *group,
				 const anysock_addr *source, unsigned ifindex)
{
	return listener_mcast(l, group, source, ifindex, BLOCK);
}

int anysock_listener_mcast_unblock(anysock_listener *l, const anysock_addr *group,
				   const anysock_addr *source, unsigned ifindex)
{
	return listener_mcast(l, group, source, ifindex, UNBLOCK);
}

/* One setter on every socket of the listener. */
static int each(const anysock_listener *l, int (*set)(int, int), int value)
{
	if (l == NULL)
		return -EINVAL;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < l->n; i++)
		rc = set(l->s[i].fd, value);
	return rc;
}

static int set_loop(int fd, int on)
{
	return anysock_set_mcast_loop(fd, on != 0);
}

static int set_if(int fd, int ifindex)
{
	return anysock_set_mcast_if(fd, (unsigned)ifindex);
}

int anysock_listener_set_hops(anysock_listener *l, int hops)
{
	return each(l, anysock_set_hops, hops);
}

int anysock_listener_set_tclass(anysock_listener *l, int tclass)
{
	return each(l, anysock_set_tclass, tclass);
}

int anysock_listener_set_mcast_hops(anysock_listener *l, int hops)
{
	return each(l, anysock_set_mcast_hops, hops);
}

int anysock_listener_set_mcast_loop(anysock_listener *l, bool on)
{
	return each(l, set_loop, on);
}

int anysock_listener_set_mcast_if(anysock_listener *l, unsigned ifindex)
{
	return ifindex > INT32_MAX ? -ENODEV : each(l, set_if, (int)ifindex);
}
