/*
 * classify-rows.h - the special-purpose address blocks, one row each: the
 * IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890, RFC 8190
 * and the RFCs each row cites), plus the blocks those registries leave out
 * but a program must still judge: multicast, IPv4-compatible ::/96,
 * deprecated site-local fec0::/10 (classify.c says how they are read).
 *
 * The one source of the classification table. lib/classify-gen flattens
 * these rows into lib/classify-table.h, constant data that classify.c
 * compiles in; after changing a row, `make classify-table` writes it
 * again (tests/classify-table.sh fails until the two agree).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_CLASSIFY_ROWS_H
#define ANYSOCK_CLASSIFY_ROWS_H

#include "anysock.h"

#define C(x) ANYSOCK_CLASS_##x

/* Longest prefix wins, so a row holds every class of its block: a more
 * specific row replaces, not adds to, the rows that contain it. A block
 * with GLOBAL is globally reachable per the registry's column. */
static const struct row {
	const char *prefix; /* CIDR text */
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
	{ "255.255.255.255/32", C(BROADCAST) | C(RESERVED),
	  "RFC 919 7, RFC 8190: limited broadcast" },
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

#undef C

#endif
