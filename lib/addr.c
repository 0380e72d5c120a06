/*
 * addr.c - the anysock_addr value type: import, accessors, unmap, compare, hash.
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "key128.h"
#include "pref64.h"

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
		/* anysock-port: ignore inaddr -- this is where the library makes them */
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

/*
 * The IPv6 forms that carry an IPv4 address: the one table that
 * canonical forms, comparisons, access lists, classification and
 * anysock_addr_embedded_ipv4 all read. Its NAT64 row is the well-known
 * prefix and, after it, the prefixes the process knows (pref64.c): the
 * answers of all of those readers change when the program adds a prefix
 * or a discovery ends (anysock_nat64(3)).
 */
static const struct embedding {
	unsigned form;          /* its ANYSOCK_CLASS_* bit */
	struct key128 mask;     /* the bits that say so (of the 128-bit key) */
	struct key128 value;    /* ... and what they are */
	unsigned char at;       /* the byte where the IPv4 address starts */
	bool inverted;          /* stored bit-inverted */
} embeddings[] = {
	/* RFC 4291 2.5.5.2: an IPv4 host as an AF_INET6 socket sees it */
	{ ANYSOCK_CLASS_MAPPED, { UINT64_MAX, 0xffffffff00000000u }, { 0, 0x0000ffff00000000u }, 12,
	  false },
	/* RFC 2765 2.1 (SIIT), RFC 6145: IPv4-translated, ::ffff:0:a.b.c.d */
	{ ANYSOCK_CLASS_TRANSLATED, { UINT64_MAX, 0xffffffff00000000u }, { 0, 0xffff000000000000u },
	  12, false },
	/* RFC 6052 2.1: the NAT64 well-known prefix 64:ff9b::/96 (a
	 * network-specific one is the operator's choice: not visible here) */
	{ ANYSOCK_CLASS_NAT64, { UINT64_MAX, 0xffffffff00000000u }, { 0x0064ff9b00000000u, 0 }, 12,
	  false },
	/* RFC 3056 2: 2002:V4V4:V4V4::/48 */
	{ ANYSOCK_CLASS_6TO4, { 0xffff000000000000u, 0 }, { 0x2002000000000000u, 0 }, 2, false },
	/* RFC 4380 4: 2001:0::/32, the client's address bit-inverted at the end */
	{ ANYSOCK_CLASS_TEREDO, { 0xffffffff00000000u, 0 }, { 0x2001000000000000u, 0 }, 12, true },
	/* RFC 4291 2.5.5.1 (deprecated): ::a.b.c.d, but not :: or ::1 */
	{ ANYSOCK_CLASS_COMPATIBLE, { UINT64_MAX, 0xffffffff00000000u }, { 0, 0 }, 12, false },
};

/* The fixed forms: each starts 00 or 20, so most addresses stop at once. */
static unsigned fixed_form(const unsigned char b[16], unsigned char v4[4])
{
	if (b[0] != 0 && b[0] != 0x20)
		return 0;
	struct key128 k = key_from_bytes(b);
	for (size_t i = 0; i < ARRAY_SIZE(embeddings); i++) {
		const struct embedding *e = &embeddings[i];
		if ((k.hi & e->mask.hi) != e->value.hi || (k.lo & e->mask.lo) != e->value.lo)
			continue;
		if (e->form == ANYSOCK_CLASS_COMPATIBLE && k.lo <= 1)
			return 0; /* :: and ::1 are themselves */
		for (int j = 0; j < 4; j++)
			v4[j] = e->inverted ? (unsigned char)~b[e->at + j] : b[e->at + j];
		return e->form;
	}
	return 0;
}

unsigned embedded_v4(const unsigned char b[16], unsigned char v4[4])
{
	unsigned form = fixed_form(b, v4);
	if (form != 0)
		return form;
	/* A network-specific prefix can start anywhere; none known costs one
	 * load. (Known prefixes never overlap the forms above: nat64.c.) */
	return pref64_extract(b, v4) ? ANYSOCK_CLASS_NAT64 : 0;
}

/* The IPv4 address behind b when flags let its form count as that IPv4
 * host: mapped always, compatible and NAT64 (the well-known prefix and
 * those the process knows) when asked. The other forms are IPv6 hosts or
 * tunnels that merely carry an IPv4 address. */
bool bytes_canonical_v4(const unsigned char b[16], unsigned flags, unsigned char v4[4])
{
	if (bytes_are_mapped(b)) { /* the common case, without the table */
		memcpy(v4, b + 12, 4);
		return true;
	}
	unsigned char tmp[4];
	unsigned form = embedded_v4(b, tmp);
	bool ok = (form == ANYSOCK_CLASS_COMPATIBLE && (flags & ANYSOCK_CANON_COMPATIBLE)) ||
		  (form == ANYSOCK_CLASS_NAT64 && (flags & ANYSOCK_CANON_NAT64));
	if (ok)
		memcpy(v4, tmp, 4);
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
	uint32_t scope = 0;
	uint16_t port;
	unsigned canon = flags & (ANYSOCK_CANON_COMPATIBLE | ANYSOCK_CANON_NAT64);
	unsigned char v4[4];
	bool as_v4 = family == AF_INET;
	if (as_v4)
		memcpy(v4, &a->u.sin.sin_addr, 4);
	else if (flags & (ANYSOCK_CMP_UNMAP | canon))
		as_v4 = bytes_canonical_v4(a->u.sin6.sin6_addr.s6_addr, canon, v4);
	if (as_v4) {
		k->b[0] = RANK_INET;
		memcpy(k->b + 1, v4, 4); /* already big-endian */
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
