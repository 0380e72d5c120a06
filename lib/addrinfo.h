/*
 * addrinfo.h - getaddrinfo and getnameinfo in anysock's terms (addrinfo.c):
 * the question taken apart and made into hints, the answer collected.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_ADDRINFO_H
#define ANYSOCK_ADDRINFO_H

#include "internal.h"

#include <netdb.h>

/* Room for any host and service endpoint_split() may copy out. */
struct endpoint_text {
	char host[NI_MAXHOST], service[NI_MAXSERV];
};

/* Take apart the host:port forms anysock_ntop writes, given as the host:
 * "[v6]:port", "[v6%scope]:port", "v4:port" and "name:port" (service NULL
 * then), and "[v6]" or "[v6%scope]" with or without a service. *host and
 * *service are left alone, or pointed into buf. 0, or the parse error (a
 * port twice, brackets around what is not IPv6, a bad scope), so text with
 * brackets or a scope never reaches the system resolver as a name. */
int endpoint_split(const char **host, const char **service, struct endpoint_text *buf);
/* The same, where a service given with service_is_default is what a host
 * without a port gets, and a port in the host wins over it (the
 * ANYSOCK_*_DEFAULT_PORT flags). */
int endpoint_split_default(const char **host, const char **service, struct endpoint_text *buf,
			   bool service_is_default);
/* anysock_resolve()'s checks of its arguments, and the hints they make. */
int resolve_hints(const char *host, const char *service, int socktype, unsigned flags,
		  struct addrinfo *hints);

/* getaddrinfo's answer (rc, res) as anysock_resolve() returns it. */
int resolve_collect(int rc, const struct addrinfo *res, anysock_addr *out, size_t max);
/* getnameinfo's answer rc for a, or a's numeric form (and the service as
 * asked) when the resolver had no name to give in time and flags lack
 * NI_NAMEREQD: getnameinfo_timeo(3)'s rule. An EAI_* code. */
int nameinfo_or_numeric(int rc, const anysock_addr *a, char *host, socklen_t hostlen, char *serv,
			socklen_t servlen, int flags);
/* getnameinfo's answer (rc, name) as anysock_nameinfo() returns it: the
 * name, or a's numeric form when the resolver had none to give in time. */
int nameinfo_finish(int rc, const char *name, const anysock_addr *a, int flags, char *host,
		    size_t size);

#endif
