/*
 * hosts.h - the hosts-file fast path (hosts.c): what the system resolver
 * answers from /etc/hosts, and those answers kept for a second.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_HOSTS_H
#define ANYSOCK_HOSTS_H

#include "internal.h"

#include <netdb.h>

/* Whether the system resolver answers from /etc/hosts without asking a
 * name server: an address (AF_INET/AF_INET6, canonical), or a name with an
 * entry of the family asked for (AF_UNSPEC: either). */
bool hosts_has_addr(const anysock_addr *a);
bool hosts_has_name(const char *name, int family);
/* getaddrinfo(name, service, hints) for a name the hosts file answers, as
 * resolve_collect() gives it: what glibc answered less than a second ago
 * (and both files unchanged), else asked now and kept. */
int hosts_resolve(const char *name, const char *service, const struct addrinfo *hints,
		  anysock_addr *out, size_t max);

#endif
