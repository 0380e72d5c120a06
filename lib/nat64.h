/*
 * nat64.h - what nat64.c gives the connector (synthesis.c): the checks of
 * a NAT64 prefix and of an IPv4 address to synthesize, and one discovery
 * of the network's prefix (RFC 7050) that any number of callers wait for.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_NAT64_H
#define ANYSOCK_NAT64_H

#include "pref64.h"

/* 0 when prefix/len may be a NAT64 prefix, else ANYSOCK_E_NAT64LEN,
 * ANYSOCK_E_NAT64PREFIX or ANYSOCK_E_HOSTBITS. */
int nat64_prefix_check(const unsigned char prefix[16], unsigned len);
/* 0 when a translator can serve v4 under prefix/len, else
 * ANYSOCK_E_NAT64TARGET (RFC 6052 section 3.1 and common sense: not
 * loopback, link-local, multicast, broadcast or "this network"; only
 * global ones under the well-known prefix). */
int nat64_target_check(const unsigned char prefix[16], unsigned len, const unsigned char v4[4]);

/* One discovery in flight, shared by whoever waits for it. */
struct discovery;
/* Begin one, or join the one under way: NULL when none could start (the
 * caller has nothing to wait for). Never blocks. */
struct discovery *discovery_join(void);
/* Readable once it ended (a timerfd: never read it, never close it). */
int discovery_fd(const struct discovery *d);
/* Whether it ended: pref64.c then holds its answer. */
bool discovery_done(const struct discovery *d);
/* Stop waiting (it goes on for the others, or alone). */
void discovery_leave(struct discovery *d);

#endif
