/*
 * resolve.h - the blocking anysock_resolve() on text already taken apart
 * (resolve.c), for listen.c.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_RESOLVE_H
#define ANYSOCK_RESOLVE_H

#include "internal.h"

/* anysock_resolve() for a host and service endpoint_split() already took
 * apart (listen.c splits first, to tell "*" from a host). */
int resolve_split(const char *host, const char *service, int socktype, unsigned flags,
		  int timeout_ms, anysock_addr *out, size_t max);

#endif
