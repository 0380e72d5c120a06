/*
 * classify.c - what kind of address is this, and is it safe to reach?
 *
 * The rows (classify-rows.h) follow the IANA IPv4 and IPv6 Special-Purpose
 * Address Registries (RFC 6890, RFC 8190 and the RFCs each row cites), plus
 * the blocks those registries leave out but a program must still judge:
 * multicast, IPv4-compatible ::/96, deprecated site-local fec0::/10.
 *
 * An IPv6 form that carries an IPv4 address (mapped, SIIT-translated,
 * compatible, NAT64 64:ff9b::/96, 6to4, Teredo: addr.c's one table) is also
 * judged by the IPv4 address inside: it gets that address's classes (but
 * "unspecified", which only the address itself is), and it is globally
 * reachable only when that address is. So ::ffff:127.0.0.1 is loopback, and
 * 2002:7f00:1:: is not a safe place to send a request (the CVE-2024-24790
 * and CVE-2024-4032 class of bugs).
 *
 * IPv6 space that IANA has not allocated (everything outside 2000::/3 that
 * no row names, such as 4000::1) is "reserved by the IETF" and not
 * globally reachable: nothing routes it today, and a program asking "is
 * this safe to reach?" should hear no. The predicates anysock_addr_is_any
 * and anysock_addr_is_loopback are read off these classes, so they agree
 * with anysock_addr_class by construction.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "key128.h"
#include "ranges.h"

#include <errno.h>

#define C(x) ANYSOCK_CLASS_##x

/* The special-purpose blocks (classify-rows.h) flattened into ranges,
 * longest prefix deciding: constant data, written by lib/classify-gen. A
 * table built at first use needed a lock (a fork() during the build hung
 * the child) and memory (without it, 127.0.0.1 had no classes); this one
 * needs neither, and no first use. */
#include "classify-table.h"

/* The classes of the most specific row. */
static unsigned lookup(struct key128 k)
{
	int32_t row = ranges_lookup(&table, k);
	return row < 0 ? 0 : table_classes[row];
}

/* An IPv6 address, judged with the IPv4 inside when it carries one: its
 * classes too, and global only if both are. A mapped address is that IPv4
 * host, so it has exactly the IPv4 classes. */
static unsigned classify_v6(const unsigned char b[16])
{
	struct key128 k = key_from_bytes(b);
	unsigned classes = lookup(k);
	if (k.hi == 0 && k.lo >> 32 == 0xffff) /* mapped: the IPv4 rows' own keys */
		return C(MAPPED) | classes;
	unsigned char v4[4];
	unsigned form = embedded_v4(b, v4);
	if (form == 0)
		return classes;
	unsigned inner = lookup(key_from_v4(v4)) & ~C(UNSPECIFIED);
	return form | (classes & inner & C(GLOBAL)) | ((classes | inner) & ~C(GLOBAL));
}

unsigned anysock_addr_class(const anysock_addr *a)
{
	/* Well-formed IP addresses without a call; the rest through the
	 * one check, which turns them all down. */
	if (a != NULL && a->u.sa.sa_family == AF_INET && a->len == sizeof(struct sockaddr_in))
		return lookup(key_from_v4((const unsigned char *)&a->u.sin.sin_addr));
	if ((a != NULL && a->u.sa.sa_family == AF_INET6 && a->len == sizeof(struct sockaddr_in6)) ||
	    addr_check(a) == AF_INET6)
		return classify_v6(a->u.sin6.sin6_addr.s6_addr);
	return 0;
}

bool anysock_addr_is_any(const anysock_addr *a)
{
	return (anysock_addr_class(a) & ANYSOCK_CLASS_UNSPECIFIED) != 0;
}

bool anysock_addr_is_loopback(const anysock_addr *a)
{
	return (anysock_addr_class(a) & ANYSOCK_CLASS_LOOPBACK) != 0;
}

bool anysock_addr_is_global(const anysock_addr *a)
{
	return (anysock_addr_class(a) & ANYSOCK_CLASS_GLOBAL) != 0;
}

/* RFC 4291 2.7 and RFC 7346 scope values; IPv4 by RFC 5771 and RFC 2365. */
int anysock_addr_multicast_scope(const anysock_addr *a)
{
	int family = addr_check(a);
	if (family < 0)
		return family;
	const unsigned char *v4 = NULL;
	if (family == AF_INET)
		v4 = (const unsigned char *)&a->u.sin.sin_addr;
	else if (family == AF_INET6 && in6_is_mapped(&a->u.sin6.sin6_addr))
		v4 = a->u.sin6.sin6_addr.s6_addr + 12;
	else if (family == AF_INET6)
		return a->u.sin6.sin6_addr.s6_addr[0] == 0xff
			       ? a->u.sin6.sin6_addr.s6_addr[1] & 0x0f
			       : 0;
	else
		return 0;
	if ((v4[0] & 0xf0) != 0xe0)
		return 0;
	if (v4[0] == 224 && v4[1] == 0 && v4[2] == 0)
		return ANYSOCK_SCOPE_LINK; /* local network control block */
	if (v4[0] != 239)
		return ANYSOCK_SCOPE_GLOBAL;
	if (v4[1] == 255)
		return ANYSOCK_SCOPE_SITE; /* IPv4 local scope */
	if ((v4[1] & 0xfc) == 192)
		return ANYSOCK_SCOPE_ORGANIZATION; /* 239.192.0.0/14 */
	return ANYSOCK_SCOPE_ADMIN;
}

int anysock_addr_embedded_ipv4(const anysock_addr *a, struct in_addr *out)
{
	int family = addr_check(a);
	if (family < 0)
		return family;
	if (family == AF_INET) {
		if (out != NULL)
			*out = a->u.sin.sin_addr;
		return 0;
	}
	if (family != AF_INET6)
		return -EAFNOSUPPORT;
	unsigned char v4[4];
	unsigned form = embedded_v4(a->u.sin6.sin6_addr.s6_addr, v4);
	if (form == 0)
		return -ENOENT;
	if (out != NULL)
		memcpy(out, v4, 4);
	return (int)form;
}

static const struct {
	unsigned bit;
	const char *name;
} class_names[] = {
	{ C(UNSPECIFIED), "unspecified" }, { C(LOOPBACK), "loopback" },
	{ C(LINK_LOCAL), "link-local" }, { C(SITE_LOCAL), "site-local" },
	{ C(PRIVATE), "private" }, { C(SHARED), "shared" },
	{ C(MULTICAST), "multicast" }, { C(BROADCAST), "broadcast" },
	{ C(DOCUMENTATION), "documentation" }, { C(BENCHMARKING), "benchmarking" },
	{ C(RESERVED), "reserved" }, { C(DISCARD), "discard-only" },
	{ C(MAPPED), "ipv4-mapped" }, { C(TRANSLATED), "translated" },
	{ C(COMPATIBLE), "ipv4-compatible" },
	{ C(NAT64), "nat64" }, { C(6TO4), "6to4" }, { C(TEREDO), "teredo" },
	{ C(ORCHID), "orchidv2" }, { C(AS112), "as112" }, { C(AMT), "amt" },
	{ C(ANYCAST), "anycast" }, { C(PROTOCOL), "protocol-assignment" },
	{ C(SRV6), "srv6-sid" }, { C(DUMMY), "dummy" }, { C(GLOBAL), "global" },
};

int anysock_class_str(unsigned classes, char *buf, size_t size)
{
	if (buf == NULL)
		return -EINVAL;
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(class_names); i++) {
		if (!(classes & class_names[i].bit))
			continue;
		size_t k = strlen(class_names[i].name);
		if (n + (n > 0) + k >= size) {
			if (size > 0)
				buf[0] = '\0';
			return -ENOSPC;
		}
		if (n > 0)
			buf[n++] = ',';
		memcpy(buf + n, class_names[i].name, k);
		n += k;
	}
	if (size == 0)
		return -ENOSPC;
	buf[n] = '\0';
	return (int)n;
}
