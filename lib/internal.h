/*
 * internal.h - what lib/ files share and nobody outside sees.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_INTERNAL_H
#define ANYSOCK_INTERNAL_H

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "anysock.h"

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* Room for element n of an array of elements of size bytes and capacity
 * *cap (doubling, from 16): the array, maybe moved, or NULL when out of
 * memory (the old one is then still valid and still the caller's). */
static inline void *array_grow(void *items, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return items;
	size_t ncap = *cap ? 2 * *cap : 16;
	if (ncap > SIZE_MAX / size)
		return NULL;
	void *p = realloc(items, ncap * size);
	if (p != NULL)
		*cap = ncap;
	return p;
}

/* Offset of sun_path: the shortest valid AF_UNIX length (unnamed socket). */
#define UNIX_MIN_LEN ((socklen_t)offsetof(struct sockaddr_un, sun_path))

/* ------------------------------------------------------------------------ */
/* text.c: text out, numbers in                                             */
/* ------------------------------------------------------------------------ */

/* Copy text (len bytes) into buf with its NUL when it fits: its length;
 * else -ENOSPC, and buf holds "" when size > 0. Every *_ntop ends so. */
int text_out(char *buf, size_t size, const char *text, size_t len);

#define DECIMAL_NO_LEADING_ZERO 0x1u /* "0" is fine, "01" is not a number */

/* s[0..n) as a decimal number: digits only (no sign, no blanks), at most
 * max. 0 and *out; DECIMAL_BAD when it is empty or not all digits;
 * DECIMAL_RANGE when it is all digits and above max (never wraps). */
#define DECIMAL_BAD (-1)
#define DECIMAL_RANGE (-2)
int parse_decimal(const char *s, size_t n, uint64_t max, unsigned flags, uint64_t *out);

/* ------------------------------------------------------------------------ */
/* resolve.c                                                                 */
/* ------------------------------------------------------------------------ */

/* anysock_resolve() for a host and service endpoint_split() already took
 * apart (listen.c and connect.c split first, to see the service). */
int resolve_split(const char *host, const char *service, int socktype, unsigned flags,
		  int timeout_ms, anysock_addr *out, size_t max);

/* Which family a connection should try first (order.c, RFC 6724 on the
 * two families' first addresses): AF_INET6 or AF_INET. local: the address
 * the attempts bind to, or NULL. */
int order_first_family(const anysock_addr *v6, const anysock_addr *v4, const anysock_addr *local);

/* ------------------------------------------------------------------------ */
/* addr.c                                                                    */
/* ------------------------------------------------------------------------ */

/* The family of a valid address, or -EINVAL (NULL, AF_UNSPEC, a length that
 * disagrees with the family) or -EAFNOSUPPORT (any other family). */
int addr_check(const anysock_addr *a);
/* The same, and -EAFNOSUPPORT for AF_UNIX: for what only IP can do. */
int addr_check_ip(const anysock_addr *a);

/* ::ffff:0:0/96, RFC 4291 section 2.5.5.2, on the 16 address bytes. */
static inline bool bytes_are_mapped(const unsigned char b[16])
{
	static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0,
						  0, 0, 0, 0, 0xff, 0xff };
	return memcmp(b, prefix, sizeof(prefix)) == 0;
}

static inline bool in6_is_mapped(const struct in6_addr *ip)
{
	return bytes_are_mapped(ip->s6_addr);
}

/* Whether the system resolver answers from /etc/hosts without asking a
 * name server (hosts.c): an address (AF_INET/AF_INET6, canonical), or a
 * name with an entry of the family asked for (AF_UNSPEC: either). */
bool hosts_has_addr(const anysock_addr *a);
bool hosts_has_name(const char *name, int family);
/* getaddrinfo(name, service, hints) for a name the hosts file answers, as
 * resolve_collect() gives it: what glibc answered less than a second ago
 * (and both files unchanged), else asked now and kept. */
int hosts_resolve(const char *name, const char *service, const struct addrinfo *hints,
		  anysock_addr *out, size_t max);

/* The IPv4 address an IPv6 address carries (addr.c, one table of the
 * forms): the form's ANYSOCK_CLASS_* bit, or 0 when it carries none. */
unsigned embedded_v4(const unsigned char b[16], unsigned char v4[4]);
/* The IPv4 host an IPv6 address stands for: mapped always, compatible and
 * NAT64 forms when flags ask (ANYSOCK_CANON_*). */
bool bytes_canonical_v4(const unsigned char b[16], unsigned flags, unsigned char v4[4]);

#endif
