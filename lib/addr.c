/*
 * addr.c - the anysock_addr value type: import, accessors, unmap, compare, hash.
 * SPDX-License-Identifier: MIT
 */
#include "internal.h"

#include <errno.h>
#include <arpa/inet.h>

/* The length each fixed-size family is stored with. */
static socklen_t family_len(int family)
{
	switch (family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	default:
		return 0;
	}
}

int addr_check(const anysock_addr *a)
{
	if (a == NULL)
		return -EINVAL;
	int family = a->u.sa.sa_family;
	switch (family) {
	case AF_INET:
	case AF_INET6:
		return a->len == family_len(family) ? family : -EINVAL;
	case AF_UNIX:
		return a->len >= UNIX_MIN_LEN && a->len <= sizeof(struct sockaddr_un)
			       ? family
			       : -EINVAL;
	case AF_UNSPEC:
		return -EINVAL;
	default:
		return -EAFNOSUPPORT;
	}
}

int addr_check_ip(const anysock_addr *a)
{
	int family = addr_check(a);
	return family == AF_UNIX ? -EAFNOSUPPORT : family;
}

int anysock_addr_from_sockaddr(anysock_addr *out, const struct sockaddr *sa,
			       socklen_t len)
{
	if (out == NULL || sa == NULL || len < sizeof(sa_family_t) ||
	    len > sizeof(struct sockaddr_storage))
		return -EINVAL;
	socklen_t want;
	switch (sa->sa_family) {
	case AF_INET:
	case AF_INET6:
		want = family_len(sa->sa_family);
		if (len < want)
			return -EINVAL;
		break;
	case AF_UNIX:
		if (len < UNIX_MIN_LEN)
			return -EINVAL;
		/* The kernel's length says where an abstract name ends. */
		want = len < sizeof(struct sockaddr_un) ? len
							: sizeof(struct sockaddr_un);
		break;
	default:
		return -EAFNOSUPPORT;
	}
	memset(out, 0, sizeof(*out));
	memcpy(&out->u, sa, want);
	out->len = want;
	return 0;
}

static int check_port(int port)
{
	return port >= 0 && port <= 65535 ? 0 : -ERANGE;
}

int anysock_addr_from_in(anysock_addr *out, const struct in_addr *ip, int port)
{
	if (out == NULL || ip == NULL)
		return -EINVAL;
	if (check_port(port) < 0)
		return -ERANGE;
	memset(out, 0, sizeof(*out));
	out->u.sin.sin_family = AF_INET;
	out->u.sin.sin_port = htons((uint16_t)port);
	out->u.sin.sin_addr = *ip;
	out->len = sizeof(out->u.sin);
	return 0;
}

int anysock_addr_from_in6(anysock_addr *out, const struct in6_addr *ip, int port,
			  uint32_t scope_id)
{
	if (out == NULL || ip == NULL)
		return -EINVAL;
	if (check_port(port) < 0)
		return -ERANGE;
	memset(out, 0, sizeof(*out));
	out->u.sin6.sin6_family = AF_INET6;
	out->u.sin6.sin6_port = htons((uint16_t)port);
	out->u.sin6.sin6_addr = *ip;
	out->u.sin6.sin6_scope_id = scope_id;
	out->len = sizeof(out->u.sin6);
	return 0;
}

int anysock_addr_from_unix(anysock_addr *out, const char *path)
{
	if (out == NULL || path == NULL)
		return -EINVAL;
	size_t n = strlen(path);
	bool abstract = path[0] == '@';
	/* A filesystem path keeps room for its NUL; an abstract name has none. */
	if (n + (abstract ? 0 : 1) > sizeof(out->u.un.sun_path))
		return -ENAMETOOLONG;
	memset(out, 0, sizeof(*out));
	out->u.un.sun_family = AF_UNIX;
	memcpy(out->u.un.sun_path, path, n);
	if (abstract) {
		out->u.un.sun_path[0] = '\0';
		out->len = (socklen_t)(UNIX_MIN_LEN + n);
	} else {
		out->len = (socklen_t)(UNIX_MIN_LEN + n + 1);
	}
	return 0;
}

static int build_special(anysock_addr *out, int family, int port, bool loopback)
{
	if (out == NULL)
		return -EINVAL;
	if (family == AF_INET) {
		struct in_addr ip = { htonl(loopback ? INADDR_LOOPBACK : INADDR_ANY) };
		return anysock_addr_from_in(out, &ip, port);
	}
	if (family == AF_INET6)
		return anysock_addr_from_in6(
			out, loopback ? &in6addr_loopback : &in6addr_any, port, 0);
	return -EAFNOSUPPORT;
}

int anysock_addr_any(anysock_addr *out, int family, int port)
{
	return build_special(out, family, port, false);
}

int anysock_addr_loopback(anysock_addr *out, int family, int port)
{
	return build_special(out, family, port, true);
}

int anysock_addr_family(const anysock_addr *a)
{
	return addr_check(a);
}

int anysock_addr_port(const anysock_addr *a)
{
	int family = addr_check(a);
	if (family == AF_INET)
		return ntohs(a->u.sin.sin_port);
	if (family == AF_INET6)
		return ntohs(a->u.sin6.sin6_port);
	return family < 0 ? family : -EAFNOSUPPORT;
}

int anysock_addr_set_port(anysock_addr *a, int port)
{
	int family = addr_check(a);
	if (family < 0)
		return family;
	if (family == AF_UNIX)
		return -EAFNOSUPPORT;
	if (check_port(port) < 0)
		return -ERANGE;
	/* sin_port and sin6_port share their offset, but say what we mean. */
	if (family == AF_INET)
		a->u.sin.sin_port = htons((uint16_t)port);
	else
		a->u.sin6.sin6_port = htons((uint16_t)port);
	return 0;
}

/* The IPv4 address of a or of the IPv4 it maps, in host order; false when a
 * is neither AF_INET nor IPv4-mapped. */
static bool ipv4_of(const anysock_addr *a, uint32_t *v4)
{
	int family = addr_check(a);
	if (family == AF_INET) {
		*v4 = ntohl(a->u.sin.sin_addr.s_addr);
		return true;
	}
	if (family == AF_INET6 && in6_is_mapped(&a->u.sin6.sin6_addr)) {
		const unsigned char *b = a->u.sin6.sin6_addr.s6_addr + 12;
		*v4 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		      (uint32_t)b[2] << 8 | b[3];
		return true;
	}
	return false;
}

bool anysock_addr_is_any(const anysock_addr *a)
{
	uint32_t v4;
	if (ipv4_of(a, &v4))
		return v4 == INADDR_ANY;
	return addr_check(a) == AF_INET6 &&
	       IN6_IS_ADDR_UNSPECIFIED(&a->u.sin6.sin6_addr);
}

bool anysock_addr_is_loopback(const anysock_addr *a)
{
	uint32_t v4;
	if (ipv4_of(a, &v4))
		return v4 >> 24 == 127; /* 127.0.0.0/8, RFC 1122 3.2.1.3 */
	return addr_check(a) == AF_INET6 &&
	       IN6_IS_ADDR_LOOPBACK(&a->u.sin6.sin6_addr);
}

bool anysock_addr_is_mapped(const anysock_addr *a)
{
	return addr_check(a) == AF_INET6 && in6_is_mapped(&a->u.sin6.sin6_addr);
}

int anysock_addr_unmap(anysock_addr *a)
{
	int family = addr_check(a);
	if (family < 0)
		return family;
	if (family != AF_INET6 || !in6_is_mapped(&a->u.sin6.sin6_addr))
		return 0;
	struct in_addr ip;
	memcpy(&ip, a->u.sin6.sin6_addr.s6_addr + 12, sizeof(ip));
	return anysock_addr_from_in(a, &ip, ntohs(a->u.sin6.sin6_port)) == 0 ? 1 : -EINVAL;
}

int anysock_addr_map(anysock_addr *a)
{
	int family = addr_check(a);
	if (family < 0)
		return family;
	if (family == AF_UNIX)
		return -EAFNOSUPPORT;
	if (family == AF_INET6)
		return 0;
	struct in6_addr ip = { { { 0 } } };
	ip.s6_addr[10] = ip.s6_addr[11] = 0xff;
	memcpy(ip.s6_addr + 12, &a->u.sin.sin_addr, 4);
	return anysock_addr_from_in6(a, &ip, ntohs(a->u.sin.sin_port), 0) == 0 ? 1 : -EINVAL;
}

/* The IPv4 address behind b when flags let a form count as IPv4: mapped
 * always; ::a.b.c.d with ANYSOCK_CANON_COMPATIBLE (but not :: or ::1, the
 * unspecified and loopback addresses); 64:ff9b::a.b.c.d, the NAT64
 * well-known prefix (RFC 6052 2.1), with ANYSOCK_CANON_NAT64. A
 * network-specific NAT64 prefix is the operator's choice and cannot be
 * recognised from the address alone. */
bool bytes_canonical_v4(const unsigned char b[16], unsigned flags, unsigned char v4[4])
{
	static const unsigned char zero[12], nat64[12] = { 0, 0x64, 0xff, 0x9b };
	bool ok = bytes_are_mapped(b);
	if (!ok && (flags & ANYSOCK_CANON_COMPATIBLE) && memcmp(b, zero, 12) == 0)
		ok = (b[12] | b[13] | b[14]) != 0 || b[15] > 1;
	if (!ok && (flags & ANYSOCK_CANON_NAT64))
		ok = memcmp(b, nat64, 12) == 0;
	if (ok)
		memcpy(v4, b + 12, 4);
	return ok;
}

int anysock_addr_canonical(anysock_addr *a, unsigned flags)
{
	int family = addr_check(a);
	if (family < 0)
		return family;
	if (flags & ~(ANYSOCK_CANON_COMPATIBLE | ANYSOCK_CANON_NAT64))
		return -EINVAL;
	struct in_addr ip;
	if (family != AF_INET6 ||
	    !bytes_canonical_v4(a->u.sin6.sin6_addr.s6_addr, flags, (unsigned char *)&ip))
		return 0;
	return anysock_addr_from_in(a, &ip, ntohs(a->u.sin6.sin6_port)) == 0 ? 1 : -EINVAL;
}

/*
 * Compare, equal and hash all work on one flat key, so they cannot disagree.
 * Layout: rank (1 byte), then for IP: 16 address bytes (IPv4 left-aligned),
 * 4 scope bytes and 2 port bytes, big-endian so memcmp gives numeric order;
 * for AF_UNIX: the path bytes.
 */
struct addr_key {
	unsigned char b[1 + sizeof(((struct sockaddr_un *)0)->sun_path)];
	size_t len;
};

enum { RANK_INVALID, RANK_INET, RANK_INET6, RANK_UNIX };

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void make_key(const anysock_addr *a, unsigned flags, struct addr_key *k)
{
	memset(k, 0, sizeof(*k));
	k->len = 1;
	int family = addr_check(a);
	if (family < 0)
		return; /* rank RANK_INVALID: every invalid address is alike */
	if (family == AF_UNIX) {
		k->b[0] = RANK_UNIX;
		size_t n = a->len - UNIX_MIN_LEN;
		memcpy(k->b + 1, a->u.un.sun_path, n);
		k->len += n;
		return;
	}
	uint32_t v4, scope = 0;
	uint16_t port;
	unsigned canon = flags & (ANYSOCK_CANON_COMPATIBLE | ANYSOCK_CANON_NAT64);
	unsigned char inner[4];
	bool as_v4 = (family == AF_INET || (flags & ANYSOCK_CMP_UNMAP)) &&
		     ipv4_of(a, &v4);
	if (!as_v4 && family == AF_INET6 && canon != 0 &&
	    bytes_canonical_v4(a->u.sin6.sin6_addr.s6_addr, canon, inner)) {
		as_v4 = true;
		v4 = (uint32_t)inner[0] << 24 | (uint32_t)inner[1] << 16 |
		     (uint32_t)inner[2] << 8 | inner[3];
	}
	if (as_v4) {
		k->b[0] = RANK_INET;
		put32(k->b + 1, v4);
		port = ntohs(family == AF_INET ? a->u.sin.sin_port : a->u.sin6.sin6_port);
	} else {
		k->b[0] = RANK_INET6;
		memcpy(k->b + 1, a->u.sin6.sin6_addr.s6_addr, 16);
		scope = a->u.sin6.sin6_scope_id;
		port = ntohs(a->u.sin6.sin6_port);
	}
	if (!(flags & ANYSOCK_CMP_NOSCOPE))
		put32(k->b + 17, scope);
	if (!(flags & ANYSOCK_CMP_NOPORT)) {
		k->b[21] = (unsigned char)(port >> 8);
		k->b[22] = (unsigned char)port;
	}
	k->len = 23;
}

int anysock_addr_cmp(const anysock_addr *a, const anysock_addr *b, unsigned flags)
{
	struct addr_key ka, kb;
	make_key(a, flags, &ka);
	make_key(b, flags, &kb);
	size_t n = ka.len < kb.len ? ka.len : kb.len;
	int c = memcmp(ka.b, kb.b, n);
	if (c != 0)
		return c;
	return (ka.len > kb.len) - (ka.len < kb.len);
}

bool anysock_addr_equal(const anysock_addr *a, const anysock_addr *b,
			unsigned flags)
{
	return anysock_addr_cmp(a, b, flags) == 0;
}

/* SipHash-1-3 (Aumasson and Bernstein): one compression and three
 * finalization rounds, the variant hash tables use for speed. */
#define ROTL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

static void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13) ^ v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17) ^ v[2];
	v[2] = ROTL(v[2], 32);
}

static uint64_t load_le64(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint64_t siphash13(const unsigned char *p, size_t len, uint64_t k0,
			  uint64_t k1)
{
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
			  k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL };
	size_t full = len & ~(size_t)7;
	for (size_t i = 0; i < full; i += 8) {
		uint64_t m = load_le64(p + i, 8);
		v[3] ^= m;
		sip_round(v);
		v[0] ^= m;
	}
	uint64_t last = (uint64_t)(len & 0xff) << 56 | load_le64(p + full, len - full);
	v[3] ^= last;
	sip_round(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (int i = 0; i < 3; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint64_t anysock_addr_hash(const anysock_addr *a, unsigned flags, uint64_t seed)
{
	struct addr_key k;
	make_key(a, flags, &k);
	/* Spread one 64-bit seed into SipHash's 128-bit key. */
	return siphash13(k.b, k.len, seed, ROTL(seed, 29) ^ 0x9e3779b97f4a7c15ULL);
}
