/*
 * anysock.h - protocol-independent socket programming, one API over IPv4 and IPv6.
 *
 * This is the whole public interface. It reads top to bottom in the order a
 * learner meets the concepts: errors, the address type, its text forms.
 * Every function has a man page of the same name (section 3).
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
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define ANYSOCK_API __attribute__((visibility("default")))
#else
#define ANYSOCK_API
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */
/* ------------------------------------------------------------------------ */

/* Library error codes (negative, below every -errno). */
enum anysock_error {
	ANYSOCK_E_ADDR = -4101,      /* text is not a numeric IPv4 or IPv6 address  */
	ANYSOCK_E_PORT = -4102,      /* port is empty or not a decimal number       */
	ANYSOCK_E_PORTRANGE = -4103, /* port is a number above 65535                */
	ANYSOCK_E_BRACKET = -4104,   /* '[' without ']', or brackets around IPv4    */
	ANYSOCK_E_TRAILING = -4105,  /* junk after a complete address               */
	ANYSOCK_E_SCOPE = -4106,     /* bad or unknown scope id (after '%')         */
	ANYSOCK_E_NOPORT = -4107,    /* a port was required and none was given      */
	ANYSOCK_E_PORTGIVEN = -4108, /* a port was given where none is allowed      */
	ANYSOCK_E_EMPTY = -4109,     /* empty text                                  */
	ANYSOCK_E_EAI_BASE = -5000   /* resolver codes: see anysock_error_from_eai  */
};

/* A static, thread-safe description of any code this library returns:
 * 0 and positive values, -errno, ANYSOCK_E_* and mapped resolver codes. */
ANYSOCK_API const char *anysock_strerror(int code);

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

/* Predicates; false for invalid input. Mapped-aware: ::ffff:127.0.0.1 is
 * loopback and ::ffff:0.0.0.0 is the wildcard, as the IPv4 inside is. */
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

/* Flags for compare, equal and hash. */
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
 * -ENOSPC when size is too small (buf then holds "" when size > 0). Never
 * writes more than size bytes. */
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

#ifdef __cplusplus
}
#endif
#endif /* ANYSOCK_H */
