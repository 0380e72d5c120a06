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

/* For tests and fuzz targets only (tests/check_hosts.c,
 * tests/fuzz/fuzz_hosts.c, linked with the static library: like every
 * internal name, these are not exported). Read these files instead of
 * /etc/nsswitch.conf and /etc/hosts (NULL: /etc's again), afresh at the
 * next call; and every name the hosts file is taken to answer now, with
 * its family ('4' or '6'): none when nsswitch.conf does not put "files"
 * first. Not to be called while lookups run. */
void hosts_use_files(const char *nsswitch, const char *hosts);
void hosts_each_name(void (*fn)(char family, const char *name, void *arg), void *arg);

#endif
