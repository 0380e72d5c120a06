/*
 * order.h - which family the connector tries first (order.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_ORDER_H
#define ANYSOCK_ORDER_H

#include "internal.h"

/* Which family a connection should try first (RFC 6724 on the two
 * families' first addresses): AF_INET6 or AF_INET. local: the address
 * the attempts bind to, or NULL. */
int order_first_family(const anysock_addr *v6, const anysock_addr *v4, const anysock_addr *local);

#endif
