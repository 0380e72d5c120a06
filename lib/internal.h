/*
 * internal.h - what lib/ files share and nobody outside sees.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_INTERNAL_H
#define ANYSOCK_INTERNAL_H

#include "config.h"

#include <string.h>

#include "anysock.h"

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* Offset of sun_path: the shortest valid AF_UNIX length (unnamed socket). */
#define UNIX_MIN_LEN ((socklen_t)offsetof(struct sockaddr_un, sun_path))

/* The family of a valid address, or -EINVAL (NULL, AF_UNSPEC, a length that
 * disagrees with the family) or -EAFNOSUPPORT (any other family). */
int addr_check(const anysock_addr *a);

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

#endif
