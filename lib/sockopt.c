/*
 * sockopt.c - hop limits, traffic class and the multicast sending options,
 * right on every kind of IP socket.
 *
 * RFC 3493 leaves open which options govern the IPv4 packets of an
 * AF_INET6 socket (the "IPv4-Mapped Address API Considered Harmful" draft,
 * section 1.1, item 3). Linux's answer, measured by tests/netns/sockopt_ns.c
 * and tabled in doc/tutorial.md: for IPv4 packets of an AF_INET6 socket the
 * IPv4-level options govern (IP_TTL, IP_TOS, IP_MULTICAST_TTL,
 * IP_MULTICAST_IF) and their IPv6 counterparts are ignored; multicast loop
 * is the other way round (the kernel decides it by the socket's family, so
 * IPV6_MULTICAST_LOOP governs). So choosing the level by the socket's
 * family, as UNP's mcast_set_ttl and libuv do, misses every IPv4 packet of
 * a dual-stack socket. Here a setter sets what governs each kind of packet
 * the socket can send: AF_INET at the IPv4 level, AF_INET6 with
 * IPV6_V6ONLY at the IPv6 level, a dual-stack AF_INET6 socket at both.
 *
 * SPDX-License-Identifier: MIT
 */
#include "socket.h"
#include "sockopt.h"

#include <errno.h>

/* One option at both levels. */
struct option {
	int v4_name, v6_name;
	int min, max;
	bool v6_governs_all; /* on an AF_INET6 socket the IPv6 level decides, IPv4 packets too */
};

static const struct option hops = { IP_TTL, IPV6_UNICAST_HOPS, 1, 255, false };
static const struct option tclass = { IP_TOS, IPV6_TCLASS, 0, 255, false };
static const struct option mcast_hops = { IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS, 0, 255, false };
static const struct option mcast_loop = { IP_MULTICAST_LOOP, IPV6_MULTICAST_LOOP, 0, 1, true };

int sock_kind(int fd, struct sock_kind *k)
{
	anysock_addr a;
	a.len = sizeof(a.u);
	if (fd < 0)
		return -EBADF;
	if (getsockname(fd, &a.u.sa, &a.len) < 0)
		return -errno; /* -ENOTSOCK, -EBADF */
	k->family = a.u.sa.sa_family;
	k->dual = k->v4_peer = false;
	if (k->family != AF_INET && k->family != AF_INET6)
		return -EAFNOSUPPORT;
	if (k->family == AF_INET6) {
		int on = 1;
		socklen_t len = sizeof(on);
		if (getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, &len) < 0)
			return -errno;
		k->dual = !on;
		anysock_addr peer;
		peer.len = sizeof(peer.u);
		k->v4_peer = k->dual && getpeername(fd, &peer.u.sa, &peer.len) == 0 &&
			     anysock_addr_is_mapped(&peer);
	}
	return 0;
}

static int set_option(int fd, const struct option *o, int value)
{
	struct sock_kind k;
	int rc = sock_kind(fd, &k);
	if (rc < 0)
		return rc;
	if (value < o->min || value > o->max)
		return -EINVAL;
	if (k.family == AF_INET6)
		rc = sock_set_int(fd, IPPROTO_IPV6, o->v6_name, value);
	if (rc == 0 && (k.family == AF_INET || (k.dual && !o->v6_governs_all)))
		rc = sock_set_int(fd, IPPROTO_IP, o->v4_name, value);
	return rc;
}

/* What governs the packets the socket sends: on a dual-stack socket the
 * IPv4 level once it is connected to an IPv4 peer, else the IPv6 level
 * (which this library's setters keep equal to the IPv4 one). */
static int get_option(int fd, const struct option *o)
{
	struct sock_kind k;
	int rc = sock_kind(fd, &k);
	if (rc < 0)
		return rc;
	bool v4 = k.family == AF_INET || (k.v4_peer && !o->v6_governs_all);
	int value = 0;
	socklen_t len = sizeof(value);
	if (getsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6, v4 ? o->v4_name : o->v6_name, &value,
		       &len) < 0)
		return -errno;
	if (len == 1) /* IP_MULTICAST_TTL and _LOOP may come back as a byte */
		value = *(unsigned char *)&value;
	return value;
}

int anysock_set_hops(int fd, int value)
{
	return set_option(fd, &hops, value);
}

int anysock_get_hops(int fd)
{
	return get_option(fd, &hops);
}

int anysock_set_tclass(int fd, int value)
{
	return set_option(fd, &tclass, value);
}

int anysock_get_tclass(int fd)
{
	return get_option(fd, &tclass);
}

int anysock_set_mcast_hops(int fd, int value)
{
	return set_option(fd, &mcast_hops, value);
}

int anysock_set_mcast_loop(int fd, bool on)
{
	return set_option(fd, &mcast_loop, on ? 1 : 0);
}

int anysock_set_mcast_if(int fd, unsigned ifindex)
{
	struct sock_kind k;
	int rc = sock_kind(fd, &k);
	if (rc < 0)
		return rc;
	if (ifindex != 0 && !sock_has_interface(fd, ifindex))
		return -ENODEV;
	if (k.family == AF_INET6)
		rc = sock_set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int)ifindex);
	if (rc == 0 && (k.family == AF_INET || k.dual)) {
		struct ip_mreqn m = { .imr_ifindex = (int)ifindex }; /* Linux: by index */
		/* anysock-port: ignore ip-option -- on purpose, for IPv4 packets too */
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) < 0)
			rc = -errno;
	}
	return rc;
}
