/*
 * interfaces.c - this host's interfaces and their addresses, classified,
 * and the question AI_ADDRCONFIG answers wrongly.
 *
 * AI_ADDRCONFIG asks "does this host have an address of family F?" and
 * counts loopback out but link-local in, so a host with only fe80:: on
 * its interfaces "has IPv6" and a namespace with only 127.0.0.1 "has no
 * IPv4" (which drops every IPv4 answer, 127.0.0.1 included).
 * anysock_have_usable asks what a program means: an address that can
 * reach beyond the link (not loopback, not link-local), on an interface
 * that is up.
 *
 * SPDX-License-Identifier: MIT
 */
#include "text.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>

static unsigned prefix_len_of(const struct sockaddr *mask)
{
	if (mask == NULL)
		return 0;
	const unsigned char *b;
	size_t n;
	if (mask->sa_family == AF_INET) {
		b = (const unsigned char *)&((const struct sockaddr_in *)(const void *)mask)->sin_addr;
		n = 4;
	} else if (mask->sa_family == AF_INET6) {
		b = ((const struct sockaddr_in6 *)(const void *)mask)->sin6_addr.s6_addr;
		n = 16;
	} else {
		return 0;
	}
	unsigned len = 0;
	for (size_t i = 0; i < n; i++)
		for (unsigned bit = 0x80; bit != 0 && (b[i] & bit); bit >>= 1)
			len++;
	return len;
}

/* One address of an interface, or false when it is not IP. */
static bool entry_of(const struct ifaddrs *i, anysock_interface *e)
{
	const struct sockaddr *sa = i->ifa_addr;
	if (sa == NULL || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return false;
	memset(e, 0, sizeof(*e));
	socklen_t len = sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
						 : sizeof(struct sockaddr_in6);
	if (anysock_addr_from_sockaddr(&e->addr, sa, len) < 0)
		return false;
	anysock_addr_unmap(&e->addr);
	e->index = if_nametoindex(i->ifa_name);
	size_t n = strlen(i->ifa_name);
	memcpy(e->name, i->ifa_name, n < sizeof(e->name) ? n : sizeof(e->name) - 1);
	e->flags = (i->ifa_flags & IFF_UP ? ANYSOCK_IF_UP : 0u) |
		   (i->ifa_flags & IFF_LOOPBACK ? ANYSOCK_IF_LOOPBACK : 0u) |
		   (i->ifa_flags & IFF_MULTICAST ? ANYSOCK_IF_MULTICAST : 0u);
	e->prefix_len = prefix_len_of(i->ifa_netmask);
	e->classes = anysock_addr_class(&e->addr);
	return true;
}

int anysock_interfaces(anysock_interface *out, size_t max)
{
	if (out == NULL && max > 0)
		return -EINVAL;
	struct ifaddrs *list;
	if (getifaddrs(&list) < 0)
		return -errno;
	size_t n = 0;
	for (const struct ifaddrs *i = list; i != NULL; i = i->ifa_next) {
		anysock_interface e;
		if (!entry_of(i, &e))
			continue;
		if (n < max)
			out[n] = e;
		n++;
	}
	freeifaddrs(list);
	return n > INT32_MAX ? -E2BIG : (int)n;
}

int anysock_have_usable(int family)
{
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	struct ifaddrs *list;
	if (getifaddrs(&list) < 0)
		return -errno;
	int found = 0;
	for (const struct ifaddrs *i = list; i != NULL && !found; i = i->ifa_next) {
		anysock_interface e;
		found = entry_of(i, &e) && e.addr.u.sa.sa_family == family &&
			(e.flags & ANYSOCK_IF_UP) &&
			!(e.classes & (ANYSOCK_CLASS_LOOPBACK | ANYSOCK_CLASS_LINK_LOCAL |
				       ANYSOCK_CLASS_UNSPECIFIED));
	}
	freeifaddrs(list);
	return found;
}

int anysock_interface_index(const char *name)
{
	if (name == NULL || name[0] == '\0' || strlen(name) >= IF_NAMESIZE)
		return -EINVAL;
	unsigned index = if_nametoindex(name);
	return index == 0 ? -ENODEV : index > INT32_MAX ? -ERANGE : (int)index;
}

int anysock_interface_name(unsigned index, char *buf, size_t size)
{
	char name[IF_NAMESIZE];
	if (buf == NULL)
		return -EINVAL;
	if (index == 0 || if_indextoname(index, name) == NULL) {
		if (size > 0)
			buf[0] = '\0';
		return -ENODEV;
	}
	return text_out(buf, size, name, strlen(name));
}
