/*
 * prefix.c - CIDR prefixes, blind to the mapped spelling. (Access lists
 * built from them: acl.c.)
 *
 * A prefix inside ::ffff:0:0/96 is the IPv4 prefix it spells, so
 * "::ffff:10.0.0.0/104" parses to exactly what "10.0.0.0/8" does, and every
 * containment test runs on 128-bit keys where a.b.c.d and ::ffff:a.b.c.d are
 * one key. A rule written for IPv4 therefore also catches the IPv4 client
 * that a dual-stack socket reports as ::ffff:a.b.c.d, and the other way
 * round: the bypass the "IPv4-Mapped Address API Considered Harmful" draft
 * warns about cannot happen here.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "key128.h"
#include "prefix.h"
#include "text.h"

#include <errno.h>
#include <stdlib.h>

static unsigned max_len(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* Clear the bits of b (nbytes long) beyond len; true when any was set. */
static bool mask_bytes(unsigned char *b, size_t nbytes, unsigned len)
{
	bool had_host_bits = false;
	for (size_t i = 0; i < nbytes; i++) {
		unsigned keep = len >= 8 * (i + 1) ? 8 : len <= 8 * i ? 0 : len - 8 * (unsigned)i;
		unsigned char mask = (unsigned char)(0xff00u >> keep);
		if (b[i] & ~mask)
			had_host_bits = true;
		b[i] &= mask;
	}
	return had_host_bits;
}

/* The one stored form: mapped prefixes of length >= 96 become IPv4. */
static void canonical_prefix(anysock_prefix *p)
{
	if (p->family == AF_INET6 && p->len >= 96 && in6_is_mapped(&p->u.v6)) {
		struct in_addr v4;
		memcpy(&v4, p->u.v6.s6_addr + 12, 4);
		p->family = AF_INET;
		p->len -= 96;
		p->u.v4 = v4;
	}
}

void prefix_key(const anysock_prefix *p, struct key128 *start, int *len)
{
	if (p->family == AF_INET) {
		*start = key_from_v4((const unsigned char *)&p->u.v4);
		*len = (int)p->len + 96;
	} else {
		*start = key_from_bytes(p->u.v6.s6_addr);
		*len = (int)p->len;
	}
}

static bool key_in(struct key128 k, struct key128 start, int len)
{
	uint64_t mhi = len <= 0 ? 0 : len >= 64 ? UINT64_MAX : ~(UINT64_MAX >> len);
	uint64_t mlo = len <= 64 ? 0 : len >= 128 ? UINT64_MAX : ~(UINT64_MAX >> (len - 64));
	return (k.hi & mhi) == start.hi && (k.lo & mlo) == start.lo;
}

/* "/len": decimal, no leading zero (on purpose: "/08" reads as octal to
 * some tools), at most max. */
static int parse_len(const char *s, size_t n, unsigned max, unsigned *len)
{
	uint64_t v;
	if (parse_decimal(s, n, max, DECIMAL_NO_LEADING_ZERO, &v) != 0)
		return ANYSOCK_E_PREFIXLEN;
	*len = (unsigned)v;
	return 0;
}

int anysock_prefix_parse_n(const char *text, size_t n, anysock_prefix *out, unsigned flags)
{
	if (text == NULL || out == NULL)
		return -EINVAL;
	if (n == 0)
		return ANYSOCK_E_EMPTY;
	const char *slash = memchr(text, '/', n);
	size_t alen = slash != NULL ? (size_t)(slash - text) : n;
	/* A prefix is a set of addresses: no port, no brackets, no zone. */
	if (memchr(text, '%', alen) != NULL)
		return ANYSOCK_E_SCOPE;
	if (memchr(text, '[', alen) != NULL || memchr(text, ']', alen) != NULL)
		return ANYSOCK_E_BRACKET;
	anysock_addr a;
	int err = anysock_pton_n(text, alen, &a, ANYSOCK_PTON_NOPORT);
	if (err < 0)
		return err;
	anysock_prefix p;
	memset(&p, 0, sizeof(p));
	p.family = a.u.sa.sa_family;
	if (p.family == AF_INET)
		p.u.v4 = a.u.sin.sin_addr;
	else
		p.u.v6 = a.u.sin6.sin6_addr;
	p.len = max_len(p.family);
	if (slash != NULL) {
		err = parse_len(slash + 1, n - alen - 1, max_len(p.family), &p.len);
		if (err < 0)
			return err;
	}
	unsigned char *bytes = p.family == AF_INET ? (unsigned char *)&p.u.v4 : p.u.v6.s6_addr;
	if (mask_bytes(bytes, p.family == AF_INET ? 4 : 16, p.len) &&
	    !(flags & ANYSOCK_PREFIX_MASK))
		return ANYSOCK_E_HOSTBITS;
	canonical_prefix(&p);
	*out = p;
	return 0;
}

int anysock_prefix_parse(const char *text, anysock_prefix *out, unsigned flags)
{
	if (text == NULL)
		return -EINVAL;
	return anysock_prefix_parse_n(text, strlen(text), out, flags);
}

int anysock_prefix_from_addr(anysock_prefix *out, const anysock_addr *a, unsigned len)
{
	if (out == NULL)
		return -EINVAL;
	int family = addr_check_ip(a);
	if (family < 0)
		return family;
	if (len > max_len(family))
		return -EINVAL;
	anysock_prefix p;
	memset(&p, 0, sizeof(p));
	p.family = family;
	p.len = len;
	if (family == AF_INET)
		p.u.v4 = a->u.sin.sin_addr;
	else
		p.u.v6 = a->u.sin6.sin6_addr;
	mask_bytes(family == AF_INET ? (unsigned char *)&p.u.v4 : p.u.v6.s6_addr,
		   family == AF_INET ? 4 : 16, len);
	canonical_prefix(&p);
	*out = p;
	return 0;
}

static bool prefix_ok(const anysock_prefix *p)
{
	return p != NULL && ((p->family == AF_INET && p->len <= 32) ||
			     (p->family == AF_INET6 && p->len <= 128));
}

bool anysock_prefix_contains(const anysock_prefix *p, const anysock_addr *a)
{
	int family = addr_check(a);
	if (!prefix_ok(p) || (family != AF_INET && family != AF_INET6))
		return false;
	struct key128 start;
	int len;
	prefix_key(p, &start, &len);
	return key_in(key_from_addr(a), start, len);
}

int anysock_prefix_ntop(const anysock_prefix *p, char *buf, size_t size)
{
	if (!prefix_ok(p) || buf == NULL)
		return -EINVAL;
	anysock_addr a;
	if (p->family == AF_INET)
		anysock_addr_from_in(&a, &p->u.v4, 0);
	else
		anysock_addr_from_in6(&a, &p->u.v6, 0, 0);
	char tmp[ANYSOCK_PREFIXSTRLEN];
	int n = anysock_ntop(&a, tmp, sizeof(tmp), ANYSOCK_NTOP_NOPORT);
	if (n < 0)
		return n;
	char *q = tmp + n;
	*q++ = '/';
	if (p->len >= 100)
		*q++ = (char)('0' + p->len / 100);
	if (p->len >= 10)
		*q++ = (char)('0' + p->len / 10 % 10);
	*q++ = (char)('0' + p->len % 10);
	return text_out(buf, size, tmp, (size_t)(q - tmp));
}
