/*
 * pref64.h - the process's NAT64 prefixes (pref64.c): those the program
 * added and those discovery learned, read by addr.c's embedded-IPv4 table
 * on every classification, without a lock; and RFC 6052's address format.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_PREF64_H
#define ANYSOCK_PREF64_H

#include "key128.h"

/* At most this many of each kind: added by the program, learned. */
#define PREF64_MAX 8

/* One prefix: its bytes (zero past len) and length, 32..96. */
struct pref64 {
	unsigned char b[16];
	unsigned len;
};

/* RFC 6052 section 2.2: the IPv6 form of v4 under prefix (len one of 32,
 * 40, 48, 56, 64, 96), and the IPv4 address b carries at len (false when
 * its bits 64-71, the "u" octet, are not zero). */
void pref64_embed(const unsigned char prefix[16], unsigned len, const unsigned char v4[4],
		  unsigned char out[16]);
bool pref64_extract_at(const unsigned char b[16], unsigned len, unsigned char v4[4]);
/* Whether b lies inside prefix/len. */
bool pref64_contains(const unsigned char prefix[16], unsigned len, const unsigned char b[16]);

/* The IPv4 address inside b when b lies under a prefix the process knows
 * (added or learned, the well-known one excepted: addr.c has it). Lock-free
 * and safe in any thread, also while a writer changes the set. */
bool pref64_extract(const unsigned char b[16], unsigned char v4[4]);

/* What discovery knows: nothing yet (or its answer expired), NAT64
 * prefixes, or none. */
enum pref64_state { PREF64_UNKNOWN, PREF64_FOUND, PREF64_NONE };
struct pref64_status {
	enum pref64_state state; /* what the last discovery said */
	bool fresh;              /* ... and it has not expired */
	unsigned added, learned; /* how many of each */
};
/* The status at now (CLOCK_MONOTONIC microseconds). */
void pref64_status(int64_t now, struct pref64_status *st);
/* Added prefixes then learned ones into out[0..max); returns how many
 * were written. source[i] (may be NULL): 0 added, 1 learned. */
size_t pref64_list(struct pref64 *out, unsigned *source, size_t max);

/* A prefix the program adds: 0 (also when it is there already), -ENOSPC. */
int pref64_add(const struct pref64 *p);
/* A discovery's answer: the learned set becomes p[0..n) (n 0: no NAT64),
 * valid until expires. */
void pref64_learn(const struct pref64 *p, size_t n, int64_t expires);
/* A discovery ended without an answer to keep (out of memory): the state
 * stays, but waiters see that it ended. */
void pref64_ended(void);
/* Counts the discoveries that ended: a waiter notes it when one begins,
 * and a different value means an answer is in. */
unsigned pref64_generation(void);

#endif
