/*
 * lookup.h - lookups on the worker pool, bounded by their deadline
 * (lookup.c): waited for by the blocking calls, or driven by the connector.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_LOOKUP_H
#define ANYSOCK_LOOKUP_H

#include "internal.h"

#include <netdb.h>

/* Whether getaddrinfo answers without a name server: no host, a numeric
 * one, or one the hosts file answers (and no canonical name asked for). */
bool lookup_is_local(const char *node, const struct addrinfo *hints);
/* Whether getnameinfo answers a without a name server: NI_NUMERICHOST, or
 * an address the hosts file lists. */
bool lookup_nameinfo_is_local(const anysock_addr *a, int flags);

/* getaddrinfo(node, service, hints) on the pool, waited for at most
 * timeout_ms (>= 0): its EAI_* code, *res set on 0; EAI_AGAIN when the
 * time ran out or the pool refused (too many lookups stuck). */
int lookup_wait_addrinfo(const char *node, const char *service, const struct addrinfo *hints,
			 int timeout_ms, struct addrinfo **res);
/* getnameinfo(a, host, hostlen, serv, servlen, flags) on the pool, waited
 * for at most timeout_ms (>= 0), hostlen or servlen > 0; the same codes. */
int lookup_wait_nameinfo(const anysock_addr *a, char *host, socklen_t hostlen, char *serv,
			 socklen_t servlen, int flags, int timeout_ms);

/* An anysock_lookup for getaddrinfo(node, service, hints), given up
 * timeout_ms from now (-1: never); what the connector uses for each family. */
int lookup_start_addrinfo(const char *node, const char *service, const struct addrinfo *hints,
			  int timeout_ms, anysock_lookup **out);
/* Whether its answer is final (taking it, or giving up at the deadline). */
bool lookup_settled(anysock_lookup *q);

/* Told getaddrinfo's answer (rc, and res when rc is 0; not to keep) in the
 * thread that got it, before the lookup counts as done: what must be kept
 * even when every caller has given up on the lookup (NAT64 discovery). */
typedef void lookup_hook(int rc, const struct addrinfo *res);
/* lookup_start_addrinfo with a hook. */
int lookup_start_addrinfo_then(const char *node, const char *service, const struct addrinfo *hints,
			       int timeout_ms, lookup_hook *then, anysock_lookup **out);
/* Whether q is an addrinfo lookup started with hook then. */
bool lookup_has_hook(const anysock_lookup *q, lookup_hook *then);

#endif
