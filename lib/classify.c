/*
 * classify.c - what kind of address is this, and is it safe to reach?
 *
 * The rows below follow the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries (RFC 6890, RFC 8190 and the RFCs each row cites), plus the
 * blocks those registries leave out but a program must still judge:
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
#include "prefix.h"
#include "ranges.h"

#include <errno.h>
#include <pthread.h>

#define C(x) ANYSOCK_CLASS_##x

/* Longest prefix wins, so a row holds every class of its block: a more
 * specific row replaces, not adds to, the rows that contain it. A block
 * with GLOBAL is globally reachable per the registry's column. */
static const struct row {
	const char *prefix; /* CIDR text, parsed once */
	unsigned classes;
	const char *source;
} rows[] = {
	/* The IPv6 Address Space registry: what no row below names */
	{ "::/0", C(RESERVED), "RFC 4291 2.4: reserved by the IETF" },
	{ "2000::/3", C(GLOBAL), "RFC 4291 2.4: global unicast" },
	{ "0.0.0.0/0", C(GLOBAL), "RFC 791: IPv4 unicast (::ffff:0:0/96)" },

	/* IPv4 Special-Purpose Address Registry */
	{ "0.0.0.0/8", C(RESERVED), "RFC 791 3.2: this network" },
	{ "0.0.0.0/32", C(UNSPECIFIED) | C(RESERVED), "RFC 1122 3.2.1.3: this host" },
	{ "10.0.0.0/8", C(PRIVATE), "RFC 1918" },
	{ "100.64.0.0/10", C(SHARED), "RFC 6598: shared address space" },
	{ "127.0.0.0/8", C(LOOPBACK) | C(RESERVED), "RFC 1122 3.2.1.3" },
	{ "169.254.0.0/16", C(LINK_LOCAL), "RFC 3927" },
	{ "172.16.0.0/12", C(PRIVATE), "RFC 1918" },
	{ "192.0.0.0/24", C(PROTOCOL), "RFC 6890: IETF protocol assignments" },
	{ "192.0.0.0/29", C(PROTOCOL), "RFC 7335: IPv4 service continuity" },
	{ "192.0.0.8/32", C(PROTOCOL) | C(DUMMY), "RFC 7600: IPv4 dummy address" },
	{ "192.0.0.9/32", C(PROTOCOL) | C(ANYCAST) | C(GLOBAL), "RFC 7723: PCP anycast" },
	{ "192.0.0.10/32", C(PROTOCOL) | C(ANYCAST) | C(GLOBAL), "RFC 8155: TURN anycast" },
	{ "192.0.0.170/32", C(PROTOCOL) | C(NAT64), "RFC 7050, RFC 8880: NAT64 discovery" },
	{ "192.0.0.171/32", C(PROTOCOL) | C(NAT64), "RFC 7050, RFC 8880: NAT64 discovery" },
	{ "192.0.2.0/24", C(DOCUMENTATION), "RFC 5737: TEST-NET-1" },
	{ "192.31.196.0/24", C(AS112) | C(GLOBAL), "RFC 7535: AS112-v4" },
	{ "192.52.193.0/24", C(AMT) | C(GLOBAL), "RFC 7450: AMT" },
	{ "192.88.99.0/24", C(RESERVED), "RFC 7526: deprecated 6to4 relay anycast" },
	{ "192.168.0.0/16", C(PRIVATE), "RFC 1918" },
	{ "192.175.48.0/24", C(AS112) | C(GLOBAL), "RFC 7534: AS112 direct delegation" },
	{ "198.18.0.0/15", C(BENCHMARKING), "RFC 2544" },
	{ "198.51.100.0/24", C(DOCUMENTATION), "RFC 5737: TEST-NET-2" },
	{ "203.0.113.0/24", C(DOCUMENTATION), "RFC 5737: TEST-NET-3" },
	{ "240.0.0.0/4", C(RESERVED), "RFC 1112 4: reserved" },
	{ "255.255.255.255/32", C(BROADCAST) | C(RESERVED), "RFC 919 7, RFC 8190: limited broadcast" },
	/* IPv4 multicast (RFC 5771); scopes from RFC 2365 */
	{ "224.0.0.0/4", C(MULTICAST), "RFC 5771" },

	/* IPv6 Special-Purpose Address Registry */
	{ "::/128", C(UNSPECIFIED), "RFC 4291 2.5.2" },
	{ "::1/128", C(LOOPBACK), "RFC 4291 2.5.3" },
	/* ::ffff:0:0/96 (RFC 4291 2.5.5.2) is not a row: the IPv4 rows above
	 * are stored in that form, and classify_v6() adds C(MAPPED). */
	{ "::/96", C(COMPATIBLE) | C(RESERVED), "RFC 4291 2.5.5.1: deprecated" },
	{ "::ffff:0:0:0/96", C(TRANSLATED) | C(GLOBAL), "RFC 2765 2.1, RFC 6145: SIIT" },
	{ "64:ff9b::/96", C(NAT64) | C(GLOBAL), "RFC 6052: well-known prefix" },
	{ "64:ff9b:1::/48", C(NAT64), "RFC 8215: local-use translation" },
	{ "100::/64", C(DISCARD), "RFC 6666: discard-only" },
	{ "100:0:0:1::/64", C(DUMMY), "RFC 9780: dummy prefix" },
	{ "2001::/23", C(PROTOCOL), "RFC 2928: IETF protocol assignments" },
	{ "2001::/32", C(PROTOCOL) | C(TEREDO), "RFC 4380, RFC 8190: Teredo" },
	{ "2001:1::1/128", C(PROTOCOL) | C(ANYCAST) | C(GLOBAL), "RFC 7723: PCP anycast" },
	{ "2001:1::2/128", C(PROTOCOL) | C(ANYCAST) | C(GLOBAL), "RFC 8155: TURN anycast" },
	{ "2001:1::3/128", C(PROTOCOL) | C(ANYCAST) | C(GLOBAL), "RFC 9665: DNS-SD SRP anycast" },
	{ "2001:2::/48", C(PROTOCOL) | C(BENCHMARKING), "RFC 5180" },
	{ "2001:3::/32", C(PROTOCOL) | C(AMT) | C(GLOBAL), "RFC 7450: AMT" },
	{ "2001:4:112::/48", C(PROTOCOL) | C(AS112) | C(GLOBAL), "RFC 7535: AS112-v6" },
	{ "2001:10::/28", C(PROTOCOL) | C(RESERVED), "RFC 4843: deprecated ORCHID" },
	{ "2001:20::/28", C(PROTOCOL) | C(ORCHID) | C(GLOBAL), "RFC 7343: ORCHIDv2" },
	{ "2001:30::/28", C(PROTOCOL) | C(GLOBAL), "RFC 9374: drone remote ID DETs" },
	{ "2001:db8::/32", C(DOCUMENTATION), "RFC 3849" },
	{ "2002::/16", C(6TO4), "RFC 3056" },
	{ "2620:4f:8000::/48", C(AS112) | C(GLOBAL), "RFC 7534: AS112 direct delegation" },
	{ "3fff::/20", C(DOCUMENTATION), "RFC 9637" },
	{ "5f00::/16", C(SRV6), "RFC 9602: SRv6 SIDs" },
	{ "fc00::/7", C(PRIVATE), "RFC 4193: unique local" },
	{ "fe80::/10", C(LINK_LOCAL), "RFC 4291 2.5.6" },
	{ "fec0::/10", C(SITE_LOCAL) | C(RESERVED), "RFC 3879: deprecated site-local" },
	{ "ff00::/8", C(MULTICAST), "RFC 4291 2.7" },
};

/* The rows flattened into ranges (ranges.c): the longest prefix decides.
 * Built at first use; should memory be short then, the next call tries
 * again and this one reports no classes (so nothing is "global"). */
static struct range_table table;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static bool table_ready; /* read with acquire: no lock once built */

/* A row that does not parse is left out; check_classify tests every block
 * against the registries, so such a typo cannot pass the tests. */
static int build_table(void)
{
	struct range_input in[ARRAY_SIZE(rows)];
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		anysock_prefix p;
		if (anysock_prefix_parse(rows[i].prefix, &p, 0) < 0)
			continue;
		struct key128 start;
		int len;
		prefix_key(&p, &start, &len);
		in[n++] = (struct range_input){ start, len, (int32_t)i, (uint32_t)(128 - len) };
	}
	return ranges_build(&table, in, n);
}

static bool build_table_once(void)
{
	pthread_mutex_lock(&table_lock);
	if (!table_ready && build_table() == 0)
		__atomic_store_n(&table_ready, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&table_lock);
	return table_ready;
}

static inline bool need_table(void)
{
	return __atomic_load_n(&table_ready, __ATOMIC_ACQUIRE) || build_table_once();
}

/* The classes of the most specific row. */
static unsigned lookup(struct key128 k)
{
	int32_t row = ranges_lookup(&table, k);
	return row < 0 ? 0 : rows[row].classes;
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
	if (!need_table())
		return 0;
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
