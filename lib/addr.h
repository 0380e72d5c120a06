/*
 * addr.h - what addr.c gives the other files about addresses: checks, the
 * mapped form, and the IPv4 address inside an IPv6 one.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_ADDR_H
#define ANYSOCK_ADDR_H

#include "internal.h"

/* The family of a valid address, or -EINVAL (NULL, AF_UNSPEC, a length that
 * disagrees with the family) or -EAFNOSUPPORT (any other family). */
int addr_check(const anysock_addr *a);
/* The same, and -EAFNOSUPPORT for AF_UNIX: for what only IP can do. */
int addr_check_ip(const anysock_addr *a);

/* ::ffff:0:0/96, RFC 4291 section 2.5.5.2, on the 16 address bytes. */
static inline bool bytes_are_mapped(const unsigned char b[16])
{
	static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return memcmp(b, prefix, sizeof(prefix)) == 0;
}

static inline bool in6_is_mapped(const struct in6_addr *ip)
{
	return bytes_are_mapped(ip->s6_addr);
}

/* The IPv4 address an IPv6 address carries (one table of the forms): the
 * form's ANYSOCK_CLASS_* bit, or 0 when it carries none. */
unsigned embedded_v4(const unsigned char b[16], unsigned char v4[4]);
/* The IPv4 host an IPv6 address stands for: mapped always, compatible and
 * NAT64 forms when flags ask (ANYSOCK_CANON_*). */
bool bytes_canonical_v4(const unsigned char b[16], unsigned flags, unsigned char v4[4]);

/* Offset of sun_path: the shortest valid AF_UNIX length (unnamed socket). */
#define UNIX_MIN_LEN ((socklen_t)offsetof(struct sockaddr_un, sun_path))

#endif
