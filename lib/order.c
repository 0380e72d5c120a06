/*
 * order.c - which family to try first when AAAA and A were asked apart.
 *
 * glibc sorts a getaddrinfo(AF_UNSPEC) answer by RFC 6724 section 6. The
 * connector asks for AAAA and A separately (RFC 8305 section 3), so glibc
 * sorts each family alone, and the choice between the two is made here, on
 * each family's first address, by the rules of section 6 that can tell
 * them apart:
 *
 *   1  avoid unusable destinations: no route (a UDP connect() fails);
 *   2  prefer matching scope (the source the kernel picks, against the
 *      destination);
 *   5  prefer matching label (so a host with only a ULA source prefers
 *      IPv4 for a global IPv6 destination);
 *   6  prefer higher precedence (the default policy table, section 2.1:
 *      global IPv6 40 over IPv4 35, which is over 6to4, Teredo and ULA);
 *   8  prefer smaller scope.
 *
 * Rules 3, 4 and 7 (deprecated, home and native sources) need what the
 * kernel knows of its source addresses and rarely differ between families;
 * a tie goes to IPv6, as the table's order would. /etc/gai.conf is not
 * read: on a host that raises ::ffff:0:0/96 there, getaddrinfo's combined
 * answer puts IPv4 first but this choice still follows the default table
 * (anysock_connect(3) says so).
 *
 * SPDX-License-Identifier: MIT
 */
#include "order.h"
#include "socket.h"

#include <unistd.h>

/* RFC 6724 section 2.1, the default policy table, longest prefix first
 * where two overlap; an IPv4 address is looked up as ::ffff:a.b.c.d. */
static const struct policy {
	unsigned char prefix[16];
	int len, precedence, label;
} policy[] = {
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128, 50, 0 }, /* ::1/128 */
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 96, 35, 4 },     /* ::ffff:0:0/96 */
	{ { 0 }, 96, 1, 3 },                                              /* ::/96 */
	{ { 0x20, 0x01, 0, 0 }, 32, 5, 5 },                               /* 2001::/32 */
	{ { 0x20, 0x02 }, 16, 30, 2 },                                    /* 2002::/16 */
	{ { 0x3f, 0xfe }, 16, 1, 12 },                                    /* 3ffe::/16 */
	{ { 0xfe, 0xc0 }, 10, 1, 11 },                                    /* fec0::/10 */
	{ { 0xfc }, 7, 3, 13 },                                           /* fc00::/7 */
	{ { 0 }, 0, 40, 1 },                                              /* ::/0 */
};

/* An address's 16 bytes, IPv4 as mapped. */
static void bytes_of(const anysock_addr *a, unsigned char b[16])
{
	if (a->u.sa.sa_family == AF_INET6) {
		memcpy(b, a->u.sin6.sin6_addr.s6_addr, 16);
	} else {
		memset(b, 0, 10);
		b[10] = b[11] = 0xff;
		memcpy(b + 12, &a->u.sin.sin_addr, 4);
	}
}

static bool has_prefix(const unsigned char b[16], const unsigned char p[16], int len)
{
	int whole = len / 8, rest = len % 8;
	if (memcmp(b, p, (size_t)whole) != 0)
		return false;
	return rest == 0 || ((b[whole] ^ p[whole]) & (0xff << (8 - rest))) == 0;
}

static const struct policy *policy_of(const anysock_addr *a)
{
	unsigned char b[16];
	bytes_of(a, b);
	size_t i = 0;
	while (!has_prefix(b, policy[i].prefix, policy[i].len))
		i++; /* ::/0 ends the table */
	return &policy[i];
}

/* RFC 6724 section 3.1 and 3.2: 2 link-local (loopback too), 5 site-local
 * (fec0::/10), 14 global; a multicast address carries its own. */
static int scope_of(const anysock_addr *a)
{
	unsigned char b[16];
	bytes_of(a, b);
	if (a->u.sa.sa_family == AF_INET)
		return b[12] == 127 || (b[12] == 169 && b[13] == 254) ? 2 : 14;
	if (b[0] == 0xff)
		return b[1] & 0x0f;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return 2;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return 5;
	static const unsigned char loopback[16] = { [15] = 1 };
	return memcmp(b, loopback, 16) == 0 ? 2 : 14;
}

/* The source the kernel would use for dst (or local, when the caller
 * binds to one); false when dst is unusable from here. */
static bool source_for(const anysock_addr *dst, const anysock_addr *local, anysock_addr *src)
{
	if (local != NULL) {
		*src = *local;
		anysock_addr_unmap(src);
		return src->u.sa.sa_family == dst->u.sa.sa_family;
	}
	int fd = sock_open(dst->u.sa.sa_family, SOCK_DGRAM);
	if (fd < 0)
		return false;
	src->len = sizeof(src->u);
	bool ok = connect(fd, &dst->u.sa, dst->len) == 0 &&
		  getsockname(fd, &src->u.sa, &src->len) == 0;
	close(fd);
	return ok;
}

int order_first_family(const anysock_addr *v6, const anysock_addr *v4, const anysock_addr *local)
{
	anysock_addr s6, s4;
	bool ok6 = source_for(v6, local, &s6), ok4 = source_for(v4, local, &s4);
	if (ok6 != ok4) /* rule 1 */
		return ok6 ? AF_INET6 : AF_INET;
	if (!ok6)
		return AF_INET6;
	int d6 = scope_of(v6), d4 = scope_of(v4);
	bool m6 = d6 == scope_of(&s6), m4 = d4 == scope_of(&s4);
	if (m6 != m4) /* rule 2 */
		return m6 ? AF_INET6 : AF_INET;
	const struct policy *p6 = policy_of(v6), *p4 = policy_of(v4);
	bool l6 = p6->label == policy_of(&s6)->label, l4 = p4->label == policy_of(&s4)->label;
	if (l6 != l4) /* rule 5 */
		return l6 ? AF_INET6 : AF_INET;
	if (p6->precedence != p4->precedence) /* rule 6 */
		return p6->precedence > p4->precedence ? AF_INET6 : AF_INET;
	if (d6 != d4) /* rule 8 */
		return d6 < d4 ? AF_INET6 : AF_INET;
	return AF_INET6;
}
