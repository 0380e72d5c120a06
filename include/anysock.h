/*
 * anysock.h - protocol-independent socket programming, one API over IPv4 and IPv6.
 *
 * This is the whole public interface. It reads top to bottom in the order a
 * learner meets the concepts, in fourteen sections: the version; errors;
 * the address type; its text forms; classes (what kind of address, is it
 * safe to reach); prefixes and access lists; lookups that return in
 * bounded time; listening on every family; connecting by name; the same
 * from an event loop; IPv6-only networks (NAT64); options and multicast
 * on every family; interfaces; the PROXY protocol.
 * Every function has a man page of the same name (section 3).
 *
 * Flag bits: each call takes the ANYSOCK_<CALL>_* flags of its own family.
 * Two families combine with another: ANYSOCK_CANON_* with ANYSOCK_CMP_*
 * (compare, equal, hash) and with ANYSOCK_PREFIX_* (anysock_acl_parse), so
 * the CANON bits start at 0x10 and CMP_* and PREFIX_* stay below 0x10: a
 * new flag of either takes a free bit under 0x10, a new CANON_* one above
 * 0x20. The other families never mix, and unknown bits are -EINVAL.
 *
 * Error convention (anysock(3)): functions return a value >= 0 on success and a
 * negative code on failure. A code in [-4095, -1] is -errno; the ANYSOCK_E_*
 * codes below are all <= -4096, so they never collide with an errno value.
 * anysock_strerror() explains every code. No function prints or exits.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_H
#define ANYSOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Declared by <netdb.h> only when POSIX names are asked for; a program
 * built as strict ISO C still gets a usable header. */
struct addrinfo;

#if defined(__GNUC__) && __GNUC__ >= 4
#define ANYSOCK_API __attribute__((visibility("default")))
#else
#define ANYSOCK_API
#endif

/* ------------------------------------------------------------------------ */
/* Version                                                                   */
/* ------------------------------------------------------------------------ */

/* The release this header belongs to (NEWS says what each one added). The
 * package's version comes from here: configure reads these lines. */
#define ANYSOCK_VERSION_MAJOR 0
#define ANYSOCK_VERSION_MINOR 9
#define ANYSOCK_VERSION_PATCH 0
#define ANYSOCK_VERSION_STRING "0.9.0"
/* 0xMMmmpp, for comparisons: ANYSOCK_VERSION_HEX >= 0x000800 */
#define ANYSOCK_VERSION_HEX \
	((ANYSOCK_VERSION_MAJOR << 16) | (ANYSOCK_VERSION_MINOR << 8) | ANYSOCK_VERSION_PATCH)

/* The version of the library the program runs with, which may be newer
 * than the header it was built with: as ANYSOCK_VERSION_HEX, and as text
 * (static, "0.8.0"). */
ANYSOCK_API unsigned anysock_version(void);
ANYSOCK_API const char *anysock_version_string(void);

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* The library's own error codes, one line each: name (ANYSOCK_E_name),
 * value, and the text anysock_strerror() gives. This one list makes the
 * enum below, the library's texts and the tests' list. (A table laid out
 * by hand: one more row must not re-indent the others.) */
/* clang-format off */
#define ANYSOCK_ERRORS(X) \
	X(ADDR, -4101, "Not a numeric IPv4 or IPv6 address") \
	X(PORT, -4102, "Port is empty or not a decimal number") \
	X(PORTRANGE, -4103, "Port number above 65535") \
	X(BRACKET, -4104, "Unbalanced brackets, or brackets around an IPv4 address") \
	X(TRAILING, -4105, "Unexpected text after the address") \
	X(SCOPE, -4106, "Bad or unknown IPv6 scope id") \
	X(NOPORT, -4107, "A port is required") \
	X(PORTGIVEN, -4108, "A port is not allowed here") \
	X(EMPTY, -4109, "Empty address text") \
	X(PREFIXLEN, -4110, "Prefix length missing, not decimal, or too long for the family") \
	X(HOSTBITS, -4111, "Address has bits set beyond the prefix length") \
	X(SYNTAX, -4112, "Expected 'allow', 'deny' or 'default' followed by prefixes") \
	X(NODEFAULT, -4113, "Access list has no 'default allow' or 'default deny'") \
	X(DUPDEFAULT, -4114, "Access list has more than one default rule") \
	X(PROXY_SIGNATURE, -4115, "Not a PROXY protocol header") \
	X(PROXY_VERSION, -4116, "Unknown PROXY protocol version or command") \
	X(PROXY_FAMILY, -4117, "Unknown PROXY protocol address family or transport") \
	X(PROXY_LENGTH, -4118, "PROXY protocol header too long, or too short for its addresses") \
	X(PROXY_ADDRESS, -4119, "Bad address in a PROXY protocol header") \
	X(PROXY_PORT, -4120, "Bad port in a PROXY protocol header") \
	X(PROXY_SYNTAX, -4121, "Malformed PROXY protocol v1 line") \
	X(PROXY_TLV, -4122, "PROXY protocol TLV runs past the header") \
	X(PORTZERO, -4123, "Port 0: there is nothing to connect to") \
	X(SERVICE, -4124, "No such service name for this socket type (see /etc/services)") \
	X(NOTGROUP, -4125, "Not a multicast group address") \
	X(NOTSSM, -4126, "A source is joined only with a source-specific group (232/8, ff3x::/32)") \
	X(SOURCE, -4127, "The source is not of the group's family") \
	X(V6ONLY, -4128, "IPv4 group on an IPV6_V6ONLY socket: it would join and receive nothing") \
	X(HOSTLEN, -4129, "Host name too long (a DNS name has at most 253 characters)") \
	X(NAT64LEN, -4130, "A NAT64 prefix is 32, 40, 48, 56, 64 or 96 bits long (RFC 6052)") \
	X(NAT64PREFIX, -4131, "Not a NAT64 prefix: a special-purpose block, or bits 64-71 set") \
	X(NAT64TARGET, -4132, "No NAT64 form for this IPv4 address (loopback, link-local, " \
			      "multicast, or not global under 64:ff9b::/96)") \
	X(NONAT64, -4133, "No IPv4 route here, and no NAT64 prefix found for this network")
/* clang-format on */

/* Library error codes (negative, below every -errno). */
enum anysock_error {
#define ANYSOCK_ERROR_ENUM_(name, value, text) ANYSOCK_E_##name = value,
	ANYSOCK_ERRORS(ANYSOCK_ERROR_ENUM_)
#undef ANYSOCK_ERROR_ENUM_
	ANYSOCK_E_EAI_BASE = -5000 /* resolver codes: see anysock_error_from_eai */
};

/* A static, thread-safe description of any code this library returns:
 * 0 and positive values, -errno, ANYSOCK_E_* and mapped resolver codes. */
ANYSOCK_API const char *anysock_strerror(int code);
/* anysock_recvfrom() and anysock_sendto() return ssize_t: anysock_strerror(n)
 * takes that as it is, with no cast and no -Wconversion warning, through
 * this (a length >= 0 is "Success"). */
static inline const char *anysock_strerror_ll(long long code)
{
	return (anysock_strerror)(code >= 0 ? 0 : code < -2147483647 - 1 ? -2147483647 - 1 : (int)code);
}
#define anysock_strerror(code) anysock_strerror_ll(code)

/* Map a getaddrinfo/getnameinfo EAI_* code to this library's convention:
 * 0 -> 0, EAI_SYSTEM -> -errno, anything else -> ANYSOCK_E_EAI_BASE - |eai|. */
ANYSOCK_API int anysock_error_from_eai(int eai);

/* The EAI_* code a library code stands for, or 0 when it is not one. */
ANYSOCK_API int anysock_error_to_eai(int code);

/* ------------------------------------------------------------------------ */
/* Addresses: one value type for any endpoint                                */
/* ------------------------------------------------------------------------ */

/*
 * One IPv4, IPv6 (with scope id) or AF_UNIX endpoint and its length. A plain
 * value: keep it on the stack, copy it with '=', hand &a.u.sa and a.len to any
 * socket call. A zeroed anysock_addr is "no address" (AF_UNSPEC, len 0) and
 * every function rejects it with -EINVAL.
 */
typedef struct anysock_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in sin;
		struct sockaddr_in6 sin6;
		struct sockaddr_un un;
		struct sockaddr_storage ss;
	} u;
	socklen_t len;
} anysock_addr;

/* Copy a sockaddr of any supported family. Returns 0; -EINVAL for NULL, a
 * length too short for the family or above sizeof(struct sockaddr_storage);
 * -EAFNOSUPPORT for a family other than AF_INET, AF_INET6 or AF_UNIX. */
ANYSOCK_API int anysock_addr_from_sockaddr(anysock_addr *out,
					   const struct sockaddr *sa,
					   socklen_t len);

/* Build from raw addresses (network byte order) and a host-order port. */
ANYSOCK_API int anysock_addr_from_in(anysock_addr *out,
				     const struct in_addr *ip, int port);
ANYSOCK_API int anysock_addr_from_in6(anysock_addr *out,
				      const struct in6_addr *ip, int port,
				      uint32_t scope_id);
/* An AF_UNIX path; a leading '@' names an abstract socket (Linux).
 * -ENAMETOOLONG when it does not fit in sun_path. */
ANYSOCK_API int anysock_addr_from_unix(anysock_addr *out, const char *path);

/* The wildcard (0.0.0.0, ::) or loopback (127.0.0.1, ::1) address of
 * family AF_INET or AF_INET6 with the given port. */
ANYSOCK_API int anysock_addr_any(anysock_addr *out, int family, int port);
ANYSOCK_API int anysock_addr_loopback(anysock_addr *out, int family, int port);

/* AF_INET, AF_INET6 or AF_UNIX; -EINVAL for an invalid address. */
ANYSOCK_API int anysock_addr_family(const anysock_addr *a);

/* The port in host byte order (0..65535); -EAFNOSUPPORT for AF_UNIX. */
ANYSOCK_API int anysock_addr_port(const anysock_addr *a);
/* Set the port; -ERANGE outside 0..65535, -EAFNOSUPPORT for AF_UNIX. */
ANYSOCK_API int anysock_addr_set_port(anysock_addr *a, int port);

/* Predicates; false for invalid input. is_any and is_loopback are the
 * UNSPECIFIED and LOOPBACK bits of anysock_addr_class(), so they see
 * through mapped and other embedded forms the same way: ::ffff:127.0.0.1
 * and ::127.0.0.1 are loopback, ::ffff:0.0.0.0 is the wildcard. */
ANYSOCK_API bool anysock_addr_is_any(const anysock_addr *a);
ANYSOCK_API bool anysock_addr_is_loopback(const anysock_addr *a);
ANYSOCK_API bool anysock_addr_is_mapped(const anysock_addr *a);

/* ::ffff:a.b.c.d:port -> a.b.c.d:port. Returns 1 when rewritten, 0 when the
 * address was not IPv4-mapped (left unchanged), negative on invalid input. */
ANYSOCK_API int anysock_addr_unmap(anysock_addr *a);
/* The reverse, for sending through a dual-stack AF_INET6 socket:
 * a.b.c.d:port -> ::ffff:a.b.c.d:port. Returns 1 when rewritten, 0 for an
 * address that is AF_INET6 already, -EAFNOSUPPORT for AF_UNIX. */
ANYSOCK_API int anysock_addr_map(anysock_addr *a);

/* Stronger canonical forms, only when asked: an IPv6 address that merely
 * carries an IPv4 one is a different address unless the network says it
 * is a translation of it. (Bits from 0x10: they combine with ANYSOCK_CMP_*
 * and ANYSOCK_PREFIX_*.) */
#define ANYSOCK_CANON_COMPATIBLE 0x10u /* ::a.b.c.d -> a.b.c.d (not ::, ::1)    */
#define ANYSOCK_CANON_NAT64 0x20u      /* 64:ff9b::a.b.c.d -> a.b.c.d           */

/* ::ffff:a.b.c.d always, and the forms flags name, become plain AF_INET
 * (port kept). Returns 1 when rewritten, 0 when already canonical,
 * negative on invalid input or unknown flags. */
ANYSOCK_API int anysock_addr_canonical(anysock_addr *a, unsigned flags);

/* Flags for compare, equal and hash; ANYSOCK_CANON_* may be added too, and
 * then the forms they name compare (and hash) as the IPv4 inside. */
#define ANYSOCK_CMP_NOPORT 0x1u  /* ignore the port                        */
#define ANYSOCK_CMP_UNMAP 0x2u   /* ::ffff:a.b.c.d is the same as a.b.c.d  */
#define ANYSOCK_CMP_NOSCOPE 0x4u /* ignore the IPv6 scope id               */

/* Total order: invalid < AF_INET < AF_INET6 < AF_UNIX, then address bytes
 * (numeric order), scope id, port. IPv6 flow labels never count.
 * Returns <0, 0, >0 like memcmp. */
ANYSOCK_API int anysock_addr_cmp(const anysock_addr *a, const anysock_addr *b,
				 unsigned flags);
ANYSOCK_API bool anysock_addr_equal(const anysock_addr *a,
				    const anysock_addr *b, unsigned flags);
/* Keyed hash (SipHash-1-3) that agrees with anysock_addr_equal under the same
 * flags. Pick a random seed per table so peers cannot flood one bucket. */
ANYSOCK_API uint64_t anysock_addr_hash(const anysock_addr *a, unsigned flags,
				       uint64_t seed);

/* ------------------------------------------------------------------------ */
/* Text: addresses and host:port both ways                                   */
/* ------------------------------------------------------------------------ */

/* Big enough for every text form anysock_ntop writes, terminator included
 * ("[ffff:...:255.255.255.255%ifname]:65535" is 70; AF_UNIX needs 109). */
#define ANYSOCK_ADDRSTRLEN 112

#define ANYSOCK_NTOP_NOPORT 0x1u        /* address only, no brackets or port   */
#define ANYSOCK_NTOP_NOSCOPE 0x2u       /* leave out IPv6 "%scope"             */
#define ANYSOCK_NTOP_NUMERIC_SCOPE 0x4u /* "%2", not "%eth0"                   */
#define ANYSOCK_NTOP_UNMAP 0x8u         /* ::ffff:a.b.c.d printed as a.b.c.d   */

/* Write "192.0.2.1:80", "[2001:db8::1]:80", "[fe80::1%eth0]:80" (or the
 * address alone with ANYSOCK_NTOP_NOPORT) into buf, NUL-terminated. The
 * address part is RFC 5952 text, byte-identical to inet_ntop() except in
 * ::/96, which is hex too (see anysock_ntop(3)). An interface index with no
 * name prints as a number. Returns the length written (without the NUL);
 * -ENOSPC when size is too small, -EINVAL for no address (the zeroed
 * *peer a failed anysock_connect leaves). Whatever it returns, buf holds a
 * string to print when size > 0 ("" on failure). Never writes more than
 * size bytes. */
ANYSOCK_API int anysock_ntop(const anysock_addr *a, char *buf, size_t size,
			     unsigned flags);

#define ANYSOCK_PTON_PORT 0x1u          /* a port is required                  */
#define ANYSOCK_PTON_NOPORT 0x2u        /* a port is an error                  */
#define ANYSOCK_PTON_NUMERIC_SCOPE 0x4u /* "%eth0" is an error, "%2" is fine   */
#define ANYSOCK_PTON_UNMAP 0x8u         /* store ::ffff:a.b.c.d as a.b.c.d     */

/* Parse numeric text: "a.b.c.d", "a.b.c.d:port", IPv6 as inet_pton takes it,
 * "v6%scope", "[v6]", "[v6]:port", "[v6%scope]:port". Addresses are exactly as
 * strict as inet_pton(); a port is 0..65535 in decimal; a scope is an interface
 * name or a decimal index. Names are never resolved. Returns 0 and fills *out
 * (port 0 when absent); on error returns an ANYSOCK_E_* code and leaves *out
 * untouched. */
ANYSOCK_API int anysock_pton(const char *text, anysock_addr *out, unsigned flags);
/* The same for text that is len bytes long and need not be NUL-terminated. */
ANYSOCK_API int anysock_pton_n(const char *text, size_t len, anysock_addr *out,
			       unsigned flags);

/* Take "host:port" apart the way every call that takes a host does, for a
 * program that needs the parts (a --proxy option, a URL's authority, a
 * config file): "[v6]:port", "[v6%scope]:port", "v4:port", "name:port",
 * "[v6]", and a bare "v6", "v4" or "name" without a port. The host goes
 * into host[0..host_size) without brackets, the port (decimal, or a
 * service name, not looked up) into port[0..port_size), "" when there is
 * none; either buffer may be NULL with size 0. Returns 1 when the text
 * carried a port, 0 when not, or a negative code (ANYSOCK_E_BRACKET,
 * _EMPTY, _PORT, _PORTRANGE, _SCOPE, _HOSTLEN, -ENOSPC), and then both
 * buffers hold "". An IPv6 address with a port needs its brackets: "::1:80"
 * is the address ::1:80. (0.9) */
ANYSOCK_API int anysock_split_hostport(const char *text, char *host, size_t host_size, char *port,
				       size_t port_size);
/* The reverse, for a Host header, a URL or a log line: "host:port", with
 * brackets around a host that holds a ':' (an IPv6 address: "[::1]:443");
 * port NULL or "": the host alone, bracketed all the same ("[::1]"). A
 * scope is written as given ("[fe80::1%eth0]:80"). Returns the length, or
 * ANYSOCK_E_EMPTY, ANYSOCK_E_BRACKET (brackets already there), -ENOSPC
 * (buf holds "" when size > 0). (0.9) */
ANYSOCK_API int anysock_join_hostport(const char *host, const char *port, char *buf, size_t size);

/* ------------------------------------------------------------------------ */
/* Classes: what kind of address, and is it safe to reach                    */
/* ------------------------------------------------------------------------ */

/* Bits of anysock_addr_class(), from the IANA IPv4 and IPv6 Special-Purpose
 * Address Registries (anysock_addr_class(3) has the table, row by row). */
#define ANYSOCK_CLASS_UNSPECIFIED (1u << 0)   /* 0.0.0.0, ::                    */
#define ANYSOCK_CLASS_LOOPBACK (1u << 1)      /* 127/8, ::1                     */
#define ANYSOCK_CLASS_LINK_LOCAL (1u << 2)    /* 169.254/16, fe80::/10          */
#define ANYSOCK_CLASS_SITE_LOCAL (1u << 3)    /* fec0::/10 (deprecated)         */
#define ANYSOCK_CLASS_PRIVATE (1u << 4)       /* RFC 1918, fc00::/7             */
#define ANYSOCK_CLASS_SHARED (1u << 5)        /* 100.64/10 (carrier-grade NAT)  */
#define ANYSOCK_CLASS_MULTICAST (1u << 6)     /* 224/4, ff00::/8                */
#define ANYSOCK_CLASS_BROADCAST (1u << 7)     /* 255.255.255.255                */
#define ANYSOCK_CLASS_DOCUMENTATION (1u << 8) /* TEST-NETs, 2001:db8::/32, 3fff::/20 */
#define ANYSOCK_CLASS_BENCHMARKING (1u << 9)  /* 198.18/15, 2001:2::/48         */
/* RESERVED: reserved by the IETF or by protocol (the registries'
 * Reserved-by-Protocol column): 0/8, 127/8, 240/4, 255.255.255.255, ::/96,
 * deprecated blocks and unallocated IPv6, so 127.0.0.1 is loopback,reserved. */
#define ANYSOCK_CLASS_RESERVED (1u << 10)
#define ANYSOCK_CLASS_DISCARD (1u << 11)      /* 100::/64                       */
#define ANYSOCK_CLASS_MAPPED (1u << 12)       /* ::ffff:0:0/96                  */
#define ANYSOCK_CLASS_COMPATIBLE (1u << 13)   /* ::/96 (deprecated)             */
#define ANYSOCK_CLASS_NAT64 (1u << 14)        /* 64:ff9b::/96, 64:ff9b:1::/48   */
#define ANYSOCK_CLASS_6TO4 (1u << 15)         /* 2002::/16                      */
#define ANYSOCK_CLASS_TEREDO (1u << 16)       /* 2001::/32                      */
#define ANYSOCK_CLASS_ORCHID (1u << 17)       /* 2001:20::/28 (ORCHIDv2)        */
#define ANYSOCK_CLASS_AS112 (1u << 18)
#define ANYSOCK_CLASS_AMT (1u << 19)
#define ANYSOCK_CLASS_ANYCAST (1u << 20)      /* PCP, TURN, DNS-SD SRP anycast  */
#define ANYSOCK_CLASS_PROTOCOL (1u << 21)     /* IETF protocol assignments      */
#define ANYSOCK_CLASS_SRV6 (1u << 22)         /* 5f00::/16                      */
#define ANYSOCK_CLASS_DUMMY (1u << 23)        /* 192.0.0.8, 100:0:0:1::/64      */
#define ANYSOCK_CLASS_TRANSLATED (1u << 24)   /* ::ffff:0:0:0/96 (SIIT)         */
#define ANYSOCK_CLASS_GLOBAL (1u << 31)       /* globally reachable unicast     */

/* The classes of an address. An IPv6 form that carries an IPv4 address
 * (mapped, SIIT-translated, compatible, NAT64 64:ff9b::/96, 6to4, Teredo)
 * also has the classes of the IPv4 inside (all but UNSPECIFIED) and is
 * GLOBAL only if that address is: ::ffff:127.0.0.1 and ::127.0.0.1 are
 * LOOPBACK, 64:ff9b::10.0.0.1 is not GLOBAL. IPv6 space IANA has not
 * allocated (outside 2000::/3 and the named blocks, e.g. 4000::1) is
 * RESERVED, not GLOBAL. 0 for AF_UNIX and invalid input. */
ANYSOCK_API unsigned anysock_addr_class(const anysock_addr *a);

/* The question to ask before connecting anywhere a remote user named (a
 * URL to fetch, a webhook): is this globally reachable unicast, after every
 * embedded IPv4 form is seen through? False for invalid input. */
ANYSOCK_API bool anysock_addr_is_global(const anysock_addr *a);

/* Multicast scope, as the IPv6 scope field (RFC 7346); IPv4 per RFC 2365. */
#define ANYSOCK_SCOPE_INTERFACE 1
#define ANYSOCK_SCOPE_LINK 2
#define ANYSOCK_SCOPE_REALM 3
#define ANYSOCK_SCOPE_ADMIN 4
#define ANYSOCK_SCOPE_SITE 5
#define ANYSOCK_SCOPE_ORGANIZATION 8
#define ANYSOCK_SCOPE_GLOBAL 14
/* The scope of a multicast address, 0 for any other address. */
ANYSOCK_API int anysock_addr_multicast_scope(const anysock_addr *a);

/* The IPv4 address an address carries: an AF_INET address itself (returns
 * 0), or the one inside an IPv6 form (returns that form's ANYSOCK_CLASS_*
 * bit). -ENOENT when there is none; out may be NULL. */
ANYSOCK_API int anysock_addr_embedded_ipv4(const anysock_addr *a,
					   struct in_addr *out);

/* Class bits as comma-separated names ("loopback,ipv4-mapped"). Returns the
 * length, or -ENOSPC. 256 bytes hold every name. */
ANYSOCK_API int anysock_class_str(unsigned classes, char *buf, size_t size);

/* ------------------------------------------------------------------------ */
/* Prefixes and access lists                                                 */
/* ------------------------------------------------------------------------ */

/* A CIDR block. Always stored canonically: a block inside ::ffff:0:0/96
 * of length >= 96 is the IPv4 block it spells (::ffff:10.0.0.0/104 is
 * 10.0.0.0/8), and bits past len are zero. */
typedef struct anysock_prefix {
	int family;   /* AF_INET or AF_INET6 */
	unsigned len; /* 0..32 or 0..128 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} u;
} anysock_prefix;

/* "ffff:...:255.255.255.255/128" and its terminator. */
#define ANYSOCK_PREFIXSTRLEN 50

#define ANYSOCK_PREFIX_MASK 0x1u /* clear host bits instead of failing */

/* Parse "10.0.0.0/8", "2001:db8::/32", "::ffff:10.0.0.0/104", or a bare
 * address (a /32 or /128). Addresses are as strict as anysock_pton();
 * ports, brackets and %scope are errors. Bits set past the length are
 * ANYSOCK_E_HOSTBITS unless flags has ANYSOCK_PREFIX_MASK. Returns 0, or an
 * ANYSOCK_E_* code with *out untouched. */
ANYSOCK_API int anysock_prefix_parse(const char *text, anysock_prefix *out,
				     unsigned flags);
ANYSOCK_API int anysock_prefix_parse_n(const char *text, size_t len,
				       anysock_prefix *out, unsigned flags);

/* The len-bit block around an address ("the /24 of this client"); len is
 * counted in the address's own family. -EINVAL when len is too long. */
ANYSOCK_API int anysock_prefix_from_addr(anysock_prefix *out,
					 const anysock_addr *a, unsigned len);

/* Whether a is inside p, mapped-aware both ways: 10.0.0.0/8 contains
 * ::ffff:10.1.2.3, and ::ffff:0:0/96 contains 10.1.2.3. Ports and scope
 * ids do not matter. False for invalid input. */
ANYSOCK_API bool anysock_prefix_contains(const anysock_prefix *p,
					 const anysock_addr *a);

/* "10.0.0.0/8", "2001:db8::/32". Returns the length or -ENOSPC. */
ANYSOCK_API int anysock_prefix_ntop(const anysock_prefix *p, char *buf,
				    size_t size);

/* Where a text did not parse: the code returned, and the 1-based line and
 * byte column the problem starts at (0 and 0 when it concerns the whole
 * text, as a missing default does). */
typedef struct anysock_parse_error {
	int code;
	unsigned line;
	unsigned column;
} anysock_parse_error;

/* An ordered list of allow/deny rules (see anysock_acl_parse(3)). */
typedef struct anysock_acl anysock_acl;

#define ANYSOCK_ACL_DENY 0
#define ANYSOCK_ACL_ALLOW 1

/* Parse an access list:
 *
 *     # comments run to the end of the line
 *     deny  10.66.0.0/16            # first match wins
 *     allow 10.0.0.0/8, 192.168.0.0/16
 *     allow ::1; deny fe80::/10     # ';' separates rules on one line
 *     default deny                  # required, exactly once
 *
 * flags: ANYSOCK_PREFIX_MASK for every prefix, ANYSOCK_CANON_* for every
 * lookup. Returns 0 and a list to free with anysock_acl_free(), or a
 * negative code; err (may be NULL) then says where. */
ANYSOCK_API int anysock_acl_parse(const char *text, unsigned flags,
				  anysock_acl **out, anysock_parse_error *err);
ANYSOCK_API int anysock_acl_parse_n(const char *text, size_t len, unsigned flags,
				    anysock_acl **out, anysock_parse_error *err);
ANYSOCK_API void anysock_acl_free(anysock_acl *acl);

/* ANYSOCK_ACL_ALLOW or ANYSOCK_ACL_DENY for an address, by the first rule
 * whose prefix contains it (mapped-aware), else the default; *line (may be
 * NULL) gets the line of the deciding rule. Negative for invalid input,
 * -EAFNOSUPPORT for AF_UNIX. Any number of threads may check one list. */
ANYSOCK_API int anysock_acl_check(const anysock_acl *acl, const anysock_addr *a,
				  unsigned *line);

/* The number of prefixes in the list (a rule with three has three). */
ANYSOCK_API int anysock_acl_count(const anysock_acl *acl);
/* Prefix i (0-based, in the order written) with its line; i == -1 is the
 * default rule. Returns its action, or -ERANGE. */
ANYSOCK_API int anysock_acl_rule(const anysock_acl *acl, int i,
				 anysock_prefix *prefix, unsigned *line);

/* ------------------------------------------------------------------------ */
/* Lookups that return in bounded time                                       */
/* ------------------------------------------------------------------------ */

/* getnameinfo() that waits at most timeout_ms milliseconds (UNIX Network
 * Programming, exercise 11.11). A drop-in: same arguments plus the time,
 * same return convention (0 or an EAI_* code, EAI_SYSTEM with errno).
 * When the time runs out, or the resolver answers EAI_AGAIN or EAI_FAIL,
 * the numeric host is returned instead, unless flags has NI_NAMEREQD:
 * then the result is EAI_AGAIN. ::ffff:a.b.c.d is looked up as a.b.c.d.
 * NI_NUMERICHOST requests and timeout_ms < 0 (no limit) run in the calling
 * thread. Thread-safe, uses no signals. See anysock_resolve(3). */
ANYSOCK_API int anysock_getnameinfo_timeo(const struct sockaddr *sa, socklen_t salen,
					  char *host, socklen_t hostlen, char *serv,
					  socklen_t servlen, int flags, int timeout_ms);

/* getaddrinfo() that waits at most timeout_ms milliseconds; EAI_AGAIN when
 * the time runs out. Free *res with freeaddrinfo(). Numeric hosts and
 * timeout_ms < 0 run in the calling thread. */
ANYSOCK_API int anysock_getaddrinfo_timeo(const char *node, const char *service,
					  const struct addrinfo *hints,
					  struct addrinfo **res, int timeout_ms);

#define ANYSOCK_RESOLVE_PASSIVE 0x1u    /* wildcard when host is NULL (bind) */
#define ANYSOCK_RESOLVE_NUMERIC 0x2u    /* numeric host and port only        */
#define ANYSOCK_RESOLVE_ADDRCONFIG 0x4u /* AI_ADDRCONFIG (see the man page)  */
#define ANYSOCK_RESOLVE_IPV4 0x8u       /* IPv4 only                         */
#define ANYSOCK_RESOLVE_IPV6 0x10u      /* IPv6 only                         */
#define ANYSOCK_RESOLVE_DEFAULT_PORT 0x20u /* service: for a host without one (0.9) */

/* Every address of host:service for socktype (0: any), in getaddrinfo's
 * order, canonical (never ::ffff:a.b.c.d) and without repeats, into
 * out[0..max). Both families unless a flag narrows it; never V4MAPPED.
 * host may be "[v6]:port", "v4:port" or "name:port" with service NULL,
 * or "[v6]" (anysock_resolve(3), "Host and port in one string").
 * host NULL: loopback, or the wildcard with ANYSOCK_RESOLVE_PASSIVE;
 * service NULL: port 0. Returns the number stored (>= 1) or a negative
 * code (resolver errors mapped by anysock_error_from_eai()). */
ANYSOCK_API int anysock_resolve(const char *host, const char *service, int socktype,
				unsigned flags, int timeout_ms, anysock_addr *out,
				size_t max);

/* The name of an address (a reverse lookup, NI_* flags) within timeout_ms,
 * or its numeric form as anysock_getnameinfo_timeo() explains. Returns the
 * length of the name, or a negative code (-ENOSPC when size is too small). */
ANYSOCK_API int anysock_nameinfo(const anysock_addr *a, char *host, size_t size,
				 int flags, int timeout_ms);

#ifdef ANYSOCK_UNP_COMPAT
/* The book's own name and signature (timeout in seconds), for code written
 * to UNIX Network Programming. Opt-in, because programs that solved the
 * exercise themselves already have a function of that name. */
static inline int getnameinfo_timeo(const struct sockaddr *sa, socklen_t salen,
				    char *host, socklen_t hostlen, char *serv,
				    socklen_t servlen, int flags, int timeout)
{
	int ms = timeout < 0 ? -1 : timeout > 2000000 ? 2000000000 : timeout * 1000;
	return anysock_getnameinfo_timeo(sa, salen, host, hostlen, serv, servlen,
					 flags, ms);
}
#endif

/* ------------------------------------------------------------------------ */
/* Listening on every family                                                 */
/* ------------------------------------------------------------------------ */

/*
 * A set of bound sockets that serves one service on every address family:
 * with no host, "::" (IPV6_V6ONLY on) and "0.0.0.0", so IPv4 clients are
 * AF_INET and IPv6 clients AF_INET6 whatever net.ipv6.bindv6only says.
 * Peers come out canonical (never ::ffff:a.b.c.d) in every mode. Every
 * socket it holds is non-blocking and close-on-exec. Use a listener from
 * one thread at a time (or one per thread, with ANYSOCK_LISTEN_REUSEPORT).
 */
typedef struct anysock_listener anysock_listener;

#define ANYSOCK_LISTEN_DUALSTACK 0x1u /* one "::" socket, V6ONLY off (Apache) */
#define ANYSOCK_LISTEN_REUSEPORT 0x2u /* SO_REUSEPORT: workers share the port */
#define ANYSOCK_LISTEN_NONBLOCK 0x4u  /* accepted sockets are non-blocking    */
#define ANYSOCK_LISTEN_IPV4 0x8u      /* IPv4 only                           */
#define ANYSOCK_LISTEN_IPV6 0x10u     /* IPv6 only                           */
#define ANYSOCK_LISTEN_NUMERIC 0x20u  /* host and service must be numeric    */
#define ANYSOCK_LISTEN_DEFAULT_PORT 0x40u /* service: for a host without one (0.9) */

/*
 * A setup hook: called with each socket the library makes to connect
 * (every attempt of anysock_connect's race) or to listen (every socket of
 * anysock_listen_with), after the library's own options and before bind()
 * or connect(), so that options which must come first reach the handshake
 * (SO_RCVBUF and the window scale a SYN announces, TCP_NODELAY, SO_MARK,
 * SO_BINDTODEVICE, IP_FREEBIND, IP_BIND_ADDRESS_NO_PORT; on a listener,
 * what accepted sockets inherit). fd is the new socket (non-blocking,
 * close-on-exec; still the library's: do not close it), family its family,
 * addr the address it is about to connect to, or to bind. Return 0 (or
 * more) to go on; a negative code fails that attempt (the race goes on
 * with the other addresses, and the code is reported like any attempt's
 * error) or that listen (nothing stays open, *failed names addr), and the
 * library closes the socket. Called in the calling thread (Go's
 * net.Dialer.Control and ListenConfig.Control, curl's
 * CURLOPT_SOCKOPTFUNCTION).
 */
typedef int anysock_socket_setup(void *arg, int fd, int family, const anysock_addr *addr);

/* Bind host:service (socktype SOCK_STREAM or SOCK_DGRAM; "*:8080" or
 * "[::1]:8080" with service NULL too) on every address
 * host has; host NULL or "*": the wildcard of every family. service NULL or
 * "0": one ephemeral port, the same in every family. A family the kernel
 * lacks or has switched off is skipped. Stream sockets listen with backlog
 * (0: the kernel's maximum, net.core.somaxconn). Returns the number of
 * sockets (>= 1) and *out, which anysock_listener_close() frees. When one
 * address cannot be bound, nothing stays open, and *failed (when not NULL)
 * says which address it was. */
ANYSOCK_API int anysock_listen(const char *host, const char *service, int socktype,
			       unsigned flags, int backlog, anysock_listener **out,
			       anysock_addr *failed);

/* Options for anysock_listen_with(). Start from ANYSOCK_LISTEN_OPTS_INIT
 * and change what you need (size tells the library which fields the
 * caller knows, as in anysock_connect_opts). */
typedef struct anysock_listen_opts {
	size_t size;                 /* sizeof(anysock_listen_opts)              */
	unsigned flags;              /* ANYSOCK_LISTEN_*                         */
	int backlog;                 /* stream sockets; 0: the default           */
	anysock_socket_setup *setup; /* each socket, before bind(); NULL: none   */
	void *setup_arg;
} anysock_listen_opts;

/* clang-format off */
#define ANYSOCK_LISTEN_OPTS_INIT { sizeof(anysock_listen_opts), 0, 0, NULL, NULL }
/* clang-format on */

/* anysock_listen() with options (opts NULL: the defaults): the same
 * arguments, results and errors, and the setup hook called with every
 * socket before it is bound, so that what accepted sockets inherit
 * (SO_RCVBUF, and with it the window scale their SYN-ACK announces) is
 * set in time. A hook's failure fails the listen: nothing stays open and
 * *failed names the address of that socket. (0.9) */
ANYSOCK_API int anysock_listen_with(const char *host, const char *service, int socktype,
				    const anysock_listen_opts *opts, anysock_listener **out,
				    anysock_addr *failed);

/* Take over already-bound sockets: listening stream sockets, or datagram
 * sockets, all of one type (flags: ANYSOCK_LISTEN_NONBLOCK). On success
 * the listener owns them; on failure the caller still does. */
ANYSOCK_API int anysock_listener_adopt(const int *fds, size_t n, unsigned flags,
				       anysock_listener **out);
/* Socket activation (the LISTEN_PID/LISTEN_FDS protocol of systemd and
 * others, no libsystemd needed): adopt the inherited sockets of socktype
 * (0: all, which must be of one type). Returns how many were adopted; 0,
 * with *out NULL, when the process was not started that way. */
ANYSOCK_API int anysock_listener_from_env(int socktype, unsigned flags,
					  anysock_listener **out);

/* How many sockets; the i-th descriptor (for epoll, libevent, libuv; still
 * owned by the listener); its local address; all of them as text, for a
 * log line: "[::]:8080, 0.0.0.0:8080" (-ENOSPC when size is too small). */
ANYSOCK_API int anysock_listener_count(const anysock_listener *l);
ANYSOCK_API int anysock_listener_fd(const anysock_listener *l, size_t i);
ANYSOCK_API int anysock_listener_addr(const anysock_listener *l, size_t i,
				      anysock_addr *out);
ANYSOCK_API int anysock_listener_ntop(const anysock_listener *l, char *buf, size_t size);

/* One descriptor for the whole listener, for code that keeps "the
 * listening socket" in an int and puts it in select() or poll(): readable
 * whenever one of the listener's sockets is (an epoll descriptor over them
 * all, made on the first call and the same afterwards; close-on-exec; the
 * listener owns and closes it). When it is readable, anysock_accept(l,
 * &peer, 0) or anysock_recvfrom(..., 0) takes what is there; accept(2)
 * on it is an error. (0.9) */
ANYSOCK_API int anysock_listener_pollfd(anysock_listener *l);

/* Accept a connection from whichever socket has one, taking turns so a busy
 * family cannot starve a quiet one; wait at most timeout_ms (-1: no limit,
 * 0: do not wait). Returns the new descriptor (close-on-exec; the caller
 * closes it) and the canonical peer. -ETIMEDOUT when the time ran out,
 * -EINTR when a signal arrived while waiting; EMFILE, ENFILE and the like
 * are returned at once, the connection staying queued. */
ANYSOCK_API int anysock_accept(anysock_listener *l, anysock_addr *peer, int timeout_ms);
/* The same for one listening descriptor an event loop reported ready:
 * -EAGAIN when nothing is pending. flags: ANYSOCK_LISTEN_NONBLOCK. */
ANYSOCK_API int anysock_accept_fd(int fd, anysock_addr *peer, unsigned flags);

/* Receive one datagram from whichever socket has one (taking turns), with
 * the canonical peer and the local address it was sent to (from
 * IP_PKTINFO/IPV6_PKTINFO; either pointer may be NULL). Returns its length;
 * -EMSGSIZE when it was longer than len (the first len bytes are in buf). */
ANYSOCK_API ssize_t anysock_recvfrom(anysock_listener *l, void *buf, size_t len,
				     anysock_addr *peer, anysock_addr *local,
				     int timeout_ms);
/* Send a datagram to peer from local (the address anysock_recvfrom gave;
 * NULL: the kernel chooses), through the socket of the right family, so a
 * multi-homed server answers from the address it was asked on. */
ANYSOCK_API ssize_t anysock_sendto(anysock_listener *l, const void *buf, size_t len,
				   const anysock_addr *peer, const anysock_addr *local);

/* Close every socket and free the listener. NULL is ignored. */
ANYSOCK_API void anysock_listener_close(anysock_listener *l);

/* ------------------------------------------------------------------------ */
/* Connecting by name                                                        */
/* ------------------------------------------------------------------------ */

#define ANYSOCK_CONNECT_IPV4 0x1u        /* IPv4 addresses only                  */
#define ANYSOCK_CONNECT_IPV6 0x2u        /* IPv6 addresses only                  */
#define ANYSOCK_CONNECT_NONBLOCK 0x4u    /* return a non-blocking descriptor     */
#define ANYSOCK_CONNECT_NUMERIC 0x8u     /* host and service must be numeric     */
#define ANYSOCK_CONNECT_UNCONNECTED 0x10u /* UDP: a socket for sendto to *peer  */
#define ANYSOCK_CONNECT_TRACE_LOOKUPS 0x20u /* trace hears ANYSOCK_ATTEMPT_RESOLVED */
/* service is the default port: "host" gets it, "host:port" keeps its own
 * (without the flag a port in both is ANYSOCK_E_PORTGIVEN). (0.9) */
#define ANYSOCK_CONNECT_DEFAULT_PORT 0x40u
#define ANYSOCK_CONNECT_TRACE_NAT64 0x80u /* trace hears ANYSOCK_ATTEMPT_SYNTHESIZED (0.9) */

/* What anysock_connect_opts.trace hears about each connection attempt
 * (stream sockets: a datagram "connect" is no attempt on the wire). */
enum anysock_attempt_event {
	ANYSOCK_ATTEMPT_START,     /* an attempt began (err 0)                   */
	ANYSOCK_ATTEMPT_CONNECTED, /* it won (err 0)                             */
	ANYSOCK_ATTEMPT_FAILED,    /* it failed with err (-ECONNREFUSED, ...)    */
	ANYSOCK_ATTEMPT_ABANDONED, /* another won, or time ran out, first (err 0) */
	ANYSOCK_ATTEMPT_RESOLVED,  /* with ANYSOCK_CONNECT_TRACE_LOOKUPS: a family's
				    * lookup answered; addr its first address, or
				    * with err < 0 the family's wildcard          */
	/* With ANYSOCK_CONNECT_TRACE_NAT64: addr, an IPv6 address made from an
	 * IPv4 one under a NAT64 prefix, joins the race; or, with err < 0
	 * (ANYSOCK_E_NONAT64), addr, an IPv4 address, found no prefix. */
	ANYSOCK_ATTEMPT_SYNTHESIZED
};
typedef void anysock_attempt_trace(void *arg, enum anysock_attempt_event event,
				   const anysock_addr *addr, int err, long elapsed_us);

/*
 * Options for anysock_connect(). Start from ANYSOCK_CONNECT_OPTS_INIT and
 * change what you need: size tells the library which fields the caller
 * knows, so later versions can add fields at the end without breaking
 * programs built against this one.
 */
typedef struct anysock_connect_opts {
	size_t size;              /* sizeof(anysock_connect_opts)                 */
	int timeout_ms;           /* the whole call, lookup included; -1: none    */
	int attempt_delay_ms;     /* RFC 8305 connection attempt delay; 0: 250 ms */
	unsigned flags;           /* ANYSOCK_CONNECT_*                            */
	const anysock_addr *local; /* bind to this first (its family only); NULL  */
	anysock_attempt_trace *trace; /* called in the caller's thread; NULL      */
	void *trace_arg;
	int hops;                 /* TTL / hop limit of every attempt; -1, 0: default */
	int tclass;               /* TOS / traffic class of every attempt; -1: default */
	int resolution_delay_ms;  /* RFC 8305 section 3: how long an A answer waits
				   * for the AAAA one; 0: 50 ms                 */
	anysock_socket_setup *setup; /* each attempt's socket before connect (0.9); NULL */
	void *setup_arg;
	/* SOCK_DGRAM (0.9): send this on every attempt, and let the first
	 * reply win (it waits in the socket for recv); refusals fail attempts
	 * at once. For a request a server answers, so that the family the
	 * server listens on wins. NULL: the first route wins. */
	const void *first_datagram;
	size_t first_datagram_len;
} anysock_connect_opts;

/* clang-format off */
#define ANYSOCK_CONNECT_OPTS_INIT \
	{ sizeof(anysock_connect_opts), -1, 0, 0, NULL, NULL, NULL, -1, -1, 0, NULL, NULL, NULL, 0 }
/* clang-format on */

/* Connect to host:service (socktype SOCK_STREAM or SOCK_DGRAM; the host
 * may carry the port as anysock_ntop writes it, "[::1]:80", service NULL)
 * over whichever family answers first: Happy Eyeballs v2 (RFC 8305). A name
 * the hosts file cannot answer is looked up twice at once, AAAA and A; an
 * A answer waits the resolution delay for AAAA, then the race starts with
 * what is there and later answers join it. Each family keeps getaddrinfo's
 * order, the families alternate (which goes first: RFC 6724's rules, see
 * anysock_connect(3)), a new attempt each attempt delay or as soon as one
 * fails; the first to connect wins, the rest are closed (at most 32
 * addresses of each family). On a host with no IPv4 route, IPv4 addresses
 * go through the network's NAT64 (see "IPv6-only networks" below). opts
 * NULL: the defaults. Returns the connected descriptor (close-on-exec,
 * blocking unless asked; the caller closes it) and, in *peer (may be
 * NULL), the canonical address it reached: the IPv4 host for an address
 * under a known NAT64 prefix (getpeername() gives the IPv6 one). On
 * failure: the most telling error (refused, then timed out, then
 * unreachable; ANYSOCK_E_NONAT64 for an IPv4 host with neither a route nor
 * a NAT64 prefix), and *peer says which address gave it; -EINTR when a
 * signal arrived while attempts were pending (anysock(3), "Signals"). */
ANYSOCK_API int anysock_connect(const char *host, const char *service, int socktype,
				const anysock_connect_opts *opts, anysock_addr *peer);

/* ------------------------------------------------------------------------ */
/* From an event loop                                                        */
/* ------------------------------------------------------------------------ */

/*
 * anysock_connect() and the lookups, as state machines for the caller's own
 * loop (epoll, poll, libuv, libevent): start, watch one descriptor for
 * readability, and call step or result when it is readable or the timeout
 * has passed. Nothing blocks: names are looked up on the library's worker
 * threads, which never call into the caller. One object belongs to one
 * thread at a time; distinct objects may be used from distinct threads.
 * Each watched descriptor stays open and valid until the object is freed.
 * See anysock_connector(3) and anysock_lookup(3).
 */
typedef struct anysock_connector anysock_connector;

/* Start connecting as anysock_connect() would (same arguments, options and
 * errors at start). 0 and *out, or a negative code (*out NULL). */
ANYSOCK_API int anysock_connector_start(const char *host, const char *service, int socktype,
					const anysock_connect_opts *opts,
					anysock_connector **out);
/* The descriptor to watch for readability (an epoll descriptor, made on
 * the first call: step first, and a race that is over by then needs none),
 * or on that call the errors of epoll_create1() and epoll_ctl() (since
 * 0.9: check for a negative value). */
ANYSOCK_API int anysock_connector_fd(const anysock_connector *c);
/* The longest the caller may wait before calling step even when the
 * descriptor stays quiet, in milliseconds (rounded up); -1: no limit. */
ANYSOCK_API int anysock_connector_timeout(const anysock_connector *c);
/* Progress without blocking: a connected descriptor (now the caller's, as
 * anysock_connect returns it; *peer may be NULL); -EINPROGRESS while the
 * race goes on; or the final error as anysock_connect reports it. Once it
 * returned a result, later calls return the same error, or -EALREADY
 * after a descriptor. */
ANYSOCK_API int anysock_connector_step(anysock_connector *c, anysock_addr *peer);
/* Cancel (closes every attempt) or release after completion; NULL ignored. */
ANYSOCK_API void anysock_connector_free(anysock_connector *c);

typedef struct anysock_lookup anysock_lookup;

/* anysock_resolve() and anysock_nameinfo() without waiting: the same
 * arguments, checks, fallbacks and results, given up at timeout_ms (-1:
 * never). 0 and *out, or a negative code for bad arguments (*out NULL). */
ANYSOCK_API int anysock_resolve_start(const char *host, const char *service, int socktype,
				      unsigned flags, int timeout_ms, anysock_lookup **out);
ANYSOCK_API int anysock_nameinfo_start(const anysock_addr *a, int flags, int timeout_ms,
				       anysock_lookup **out);
/* Readable once the answer is in or the time is up (a timerfd). */
ANYSOCK_API int anysock_lookup_fd(const anysock_lookup *q);
/* Milliseconds until the time is up (0: done; -1: no limit). */
ANYSOCK_API int anysock_lookup_timeout(const anysock_lookup *q);
/* The answer, as anysock_resolve() / anysock_nameinfo() return it; may be
 * asked again; -EINPROGRESS before it is in and the time is up. */
ANYSOCK_API int anysock_resolve_result(anysock_lookup *q, anysock_addr *out, size_t max);
ANYSOCK_API int anysock_nameinfo_result(anysock_lookup *q, char *host, size_t size);
/* Release; a lookup still running is abandoned (its worker finishes it,
 * its descriptor is closed now). NULL ignored. */
ANYSOCK_API void anysock_lookup_free(anysock_lookup *q);

/* ------------------------------------------------------------------------ */
/* IPv6-only networks: NAT64                                                 */
/* ------------------------------------------------------------------------ */

/*
 * On an IPv6-only network a translator (NAT64, RFC 6146) reaches IPv4
 * hosts through an IPv6 prefix: 64:ff9b::/96, or the network's own of 32,
 * 40, 48, 56, 64 or 96 bits (RFC 6052). When this host has no IPv4 route,
 * anysock_connect() and the connector find the prefix (RFC 7050) and use
 * it by themselves: an IPv4 literal, or an A answer with no AAAA one,
 * becomes the IPv6 address under it, and *peer is the IPv4 host. Once a
 * prefix is known, added or found, addresses under it are seen through as
 * 64:ff9b::a.b.c.d always were: classes, is_global, ANYSOCK_CANON_NAT64 and
 * access lists judge the IPv4 host inside. Those answers therefore depend
 * on what this process knows, which changes when the program adds a
 * prefix or a discovery ends (anysock_nat64(3)).
 */

/* The NAT64 prefixes of this host's network: those added by the program,
 * then those discovered (RFC 7050, at most timeout_ms the first time,
 * cached afterwards; -1: no limit; 0: do not wait, the discovery goes on).
 * Returns how many were written (0: no NAT64 here), or a negative code
 * (-EINTR when a signal arrived while waiting). */
ANYSOCK_API int anysock_nat64_prefixes(anysock_prefix *out, size_t max, int timeout_ms);
/* A prefix the operator knows (configuration); valid lengths 32, 40, 48,
 * 56, 64, 96. 0 (also when added before); ANYSOCK_E_NAT64LEN,
 * ANYSOCK_E_NAT64PREFIX (a special-purpose block such as ::ffff:0:0/96,
 * or bits 64-71 set), ANYSOCK_E_HOSTBITS, -ENOSPC past 8 prefixes. */
ANYSOCK_API int anysock_nat64_add(const anysock_prefix *p);
/* RFC 6052 both ways. synthesize: the IPv6 form of an IPv4 address (or
 * ::ffff:a.b.c.d) under p, port kept; p NULL: the first prefix the process
 * knows (ANYSOCK_E_NONAT64 when none). ANYSOCK_E_NAT64TARGET for an
 * address no translator serves. extract: the IPv4 host an IPv6 address
 * stands for under p, port kept (out may be NULL); p NULL: under
 * 64:ff9b::/96 or any prefix the process knows. -ENOENT when it is not
 * under it (or its bits 64-71 are set: RFC 6052 section 2.2). Both also
 * return the prefix checks of anysock_nat64_add, and 0 on success. */
ANYSOCK_API int anysock_nat64_synthesize(const anysock_addr *v4, const anysock_prefix *p,
					 anysock_addr *out);
ANYSOCK_API int anysock_nat64_extract(const anysock_addr *v6, const anysock_prefix *p,
				      anysock_addr *out);
/* Discovery from an event loop: a fresh RFC 7050 query, given up at
 * timeout_ms (-1: never), as a lookup (watch anysock_lookup_fd, free with
 * anysock_lookup_free). Its result: the prefixes as anysock_nat64_prefixes
 * gives them, once the answer is in or the time is up; -EINPROGRESS
 * before; -EINVAL for a lookup this did not start. */
ANYSOCK_API int anysock_nat64_start(int timeout_ms, anysock_lookup **out);
ANYSOCK_API int anysock_nat64_result(anysock_lookup *q, anysock_prefix *out, size_t max);

/* ------------------------------------------------------------------------ */
/* Options and multicast on every family                                     */
/* ------------------------------------------------------------------------ */

/*
 * Each setter acts on the packets the socket sends, whatever its family:
 * AF_INET at the IPv4 level, AF_INET6 with IPV6_V6ONLY at the IPv6 level,
 * a dual-stack AF_INET6 socket at every level that governs some of its
 * packets (measured on Linux: for its IPv4 packets the IPv4 options govern,
 * but multicast loop follows the socket's family). Getters report what
 * governs: on a dual-stack socket the IPv4 level once it is connected to an
 * IPv4 peer, else the IPv6 level. 0 (getters: the value), -EINVAL out of
 * range, -ENOTSOCK or -EBADF for no socket, -EAFNOSUPPORT for a socket that
 * is not IP, -ENODEV for an interface index that does not exist.
 */
ANYSOCK_API int anysock_set_hops(int fd, int hops);     /* unicast TTL / hop limit, 1..255 */
ANYSOCK_API int anysock_get_hops(int fd);
ANYSOCK_API int anysock_set_tclass(int fd, int tclass); /* TOS / traffic class, 0..255 */
ANYSOCK_API int anysock_get_tclass(int fd);
ANYSOCK_API int anysock_set_mcast_hops(int fd, int hops); /* 0..255 */
ANYSOCK_API int anysock_set_mcast_loop(int fd, bool on);
ANYSOCK_API int anysock_set_mcast_if(int fd, unsigned ifindex); /* 0: the kernel's choice */

/* Join or leave a group at its own family's level (RFC 3678), on interface
 * ifindex (0: the kernel's choice); source NULL: any-source, else that
 * source only (a source-specific group, RFC 4607). Block and unblock one
 * source of an any-source group. A mapped group is its IPv4 group. 0, or
 * ANYSOCK_E_NOTGROUP, ANYSOCK_E_NOTSSM (a source with a group outside
 * 232/8 and ff3x::/32), ANYSOCK_E_SOURCE (of the other family),
 * ANYSOCK_E_V6ONLY (an IPv4 group on an IPV6_V6ONLY socket: the kernel
 * would take it and deliver nothing), -EAFNOSUPPORT (an IPv6 group on an
 * AF_INET socket), -ENODEV, or the kernel's error. */
ANYSOCK_API int anysock_mcast_join(int fd, const anysock_addr *group,
				   const anysock_addr *source, unsigned ifindex);
ANYSOCK_API int anysock_mcast_leave(int fd, const anysock_addr *group,
				    const anysock_addr *source, unsigned ifindex);
ANYSOCK_API int anysock_mcast_block(int fd, const anysock_addr *group,
				    const anysock_addr *source, unsigned ifindex);
ANYSOCK_API int anysock_mcast_unblock(int fd, const anysock_addr *group,
				      const anysock_addr *source, unsigned ifindex);

/* The same on every socket of a listener; a join goes to the sockets that
 * can receive the group (its family's, and a dual-stack one for IPv4), so a
 * UDP server on every family joins 239.1.2.3 and ff12::1:2:3 with two calls
 * and anysock_recvfrom gives the group as the local address. The joins
 * return how many sockets joined (-EAFNOSUPPORT: none can; -EOPNOTSUPP for
 * a stream listener). */
ANYSOCK_API int anysock_listener_set_hops(anysock_listener *l, int hops);
ANYSOCK_API int anysock_listener_set_tclass(anysock_listener *l, int tclass);
ANYSOCK_API int anysock_listener_set_mcast_hops(anysock_listener *l, int hops);
ANYSOCK_API int anysock_listener_set_mcast_loop(anysock_listener *l, bool on);
ANYSOCK_API int anysock_listener_set_mcast_if(anysock_listener *l, unsigned ifindex);
ANYSOCK_API int anysock_listener_mcast_join(anysock_listener *l, const anysock_addr *group,
					    const anysock_addr *source, unsigned ifindex);
ANYSOCK_API int anysock_listener_mcast_leave(anysock_listener *l, const anysock_addr *group,
					     const anysock_addr *source, unsigned ifindex);
ANYSOCK_API int anysock_listener_mcast_block(anysock_listener *l, const anysock_addr *group,
					     const anysock_addr *source, unsigned ifindex);
ANYSOCK_API int anysock_listener_mcast_unblock(anysock_listener *l, const anysock_addr *group,
					       const anysock_addr *source, unsigned ifindex);

/* ------------------------------------------------------------------------ */
/* Interfaces                                                                */
/* ------------------------------------------------------------------------ */

#define ANYSOCK_IF_UP 0x1u
#define ANYSOCK_IF_LOOPBACK 0x2u
#define ANYSOCK_IF_MULTICAST 0x4u

/* One address of one interface. */
typedef struct anysock_interface {
	unsigned index;       /* if_nametoindex                           */
	char name[16];        /* IF_NAMESIZE, NUL-terminated              */
	unsigned flags;       /* ANYSOCK_IF_*                             */
	anysock_addr addr;    /* canonical; link-local ones carry the scope */
	unsigned prefix_len;  /* of its netmask                           */
	unsigned classes;     /* anysock_addr_class(addr)                 */
} anysock_interface;

/* Every IP address of every interface into out[0..max). Returns how many
 * there are (more than max: call again with room for them all). */
ANYSOCK_API int anysock_interfaces(anysock_interface *out, size_t max);
/* Does this host have a usable address of family (AF_INET, AF_INET6): not
 * loopback, not link-local, on an interface that is up? 1 or 0 (the
 * question AI_ADDRCONFIG gets wrong; see anysock_interfaces(3)). */
ANYSOCK_API int anysock_have_usable(int family);
/* Interface name <-> index: -ENODEV for none, -EINVAL for bad input;
 * the name as anysock_ntop writes ("" on failure), or -ENOSPC. */
ANYSOCK_API int anysock_interface_index(const char *name);
ANYSOCK_API int anysock_interface_name(unsigned index, char *buf, size_t size);

/* ------------------------------------------------------------------------ */
/* PROXY protocol                                                            */
/* ------------------------------------------------------------------------ */

/* Room for any header anysock_proxy_encode writes (v2 with AF_UNIX). */
#define ANYSOCK_PROXY_MAXLEN 232

/* What a PROXY protocol header says (HAProxy's proxy-protocol.txt). */
typedef struct anysock_proxy_info {
	int version;          /* 1 or 2                                          */
	bool local;           /* v2 LOCAL, "UNKNOWN" or an unspecified family: no
			       * addresses; use the connection's own            */
	int socktype;         /* SOCK_STREAM, SOCK_DGRAM, or 0 when not said     */
	anysock_addr src, dst; /* the client and the address it connected to,
				* canonical; AF_UNSPEC when local             */
	size_t tlv_offset;    /* v2: where the TLVs start in the header, and     */
	size_t tlv_len;       /*     how many bytes they take (checked to tile)  */
} anysock_proxy_info;

/* Parse a header at the start of buf (len bytes). Returns the header's
 * length (the data after it is the application's), -EAGAIN when buf holds
 * only the beginning of a header, or an ANYSOCK_E_PROXY_* code. */
ANYSOCK_API int anysock_proxy_parse(const void *buf, size_t len, anysock_proxy_info *out);
/* Read a header from a connected socket, exactly: not one byte past it is
 * consumed. Waits at most timeout_ms (-1: no limit). Returns its length,
 * -ETIMEDOUT, -ECONNRESET when the peer closed first, -EINTR when a signal
 * arrived while waiting, or a parse error. */
ANYSOCK_API int anysock_proxy_read(int fd, anysock_proxy_info *out, int timeout_ms);
/* Write a version 1 or 2 header for a connection from src to dst (both
 * NULL: v1 "UNKNOWN", v2 LOCAL) of socktype (0: unspecified) into buf.
 * IPv4-mapped ends are written as IPv4; mixed families as IPv6. v1 has no
 * AF_UNIX or datagrams: those become "UNKNOWN". Returns the length, or
 * -ENOSPC (ANYSOCK_PROXY_MAXLEN is always enough). */
ANYSOCK_API int anysock_proxy_encode(int version, int socktype, const anysock_addr *src,
				     const anysock_addr *dst, void *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* ANYSOCK_H */
