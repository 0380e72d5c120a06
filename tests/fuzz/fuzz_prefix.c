/*
 * fuzz_prefix.c - libFuzzer target for the CIDR parser.
 *
 * Oracles: an accepted prefix is canonical (no host bits, no mapped IPv6
 * form of length >= 96), prints within ANYSOCK_PREFIXSTRLEN and parses back
 * to itself, contains its own first address in both spellings when IPv4,
 * and the masking flag accepts a superset of what the strict parse does.
 * A failed parse leaves *out untouched.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anysock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) do { if (!(cond)) abort(); } while (0)

static bool same(const anysock_prefix *a, const anysock_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       memcmp(&a->u, &b->u, a->family == AF_INET ? 4 : 16) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	anysock_prefix strict, masked, before;
	memset(&strict, 0x5a, sizeof(strict));
	before = strict;
	int r = anysock_prefix_parse_n(text, size, &strict, 0);
	int rm = anysock_prefix_parse_n(text, size, &masked, ANYSOCK_PREFIX_MASK);
	if (r < 0) {
		require(r < -4095 && memcmp(&strict, &before, sizeof(strict)) == 0);
		require(rm < 0 ? rm == r : r == ANYSOCK_E_HOSTBITS);
		return 0;
	}
	require(rm == 0 && same(&strict, &masked));
	require((strict.family == AF_INET && strict.len <= 32) ||
		(strict.family == AF_INET6 && strict.len <= 128));

	char out[ANYSOCK_PREFIXSTRLEN];
	int n = anysock_prefix_ntop(&strict, out, sizeof(out));
	require(n > 0 && (size_t)n == strlen(out));
	anysock_prefix back;
	require(anysock_prefix_parse(out, &back, 0) == 0 && same(&back, &strict));

	anysock_addr first;
	if (strict.family == AF_INET) {
		anysock_addr_from_in(&first, &strict.u.v4, 0);
		require(anysock_prefix_contains(&strict, &first));
		anysock_addr_map(&first);
		require(anysock_prefix_contains(&strict, &first));
	} else {
		require(!(strict.len >= 96 && strict.u.v6.s6_addr[10] == 0xff &&
			  strict.u.v6.s6_addr[11] == 0xff &&
			  memcmp(strict.u.v6.s6_addr, "\0\0\0\0\0\0\0\0\0\0", 10) == 0));
		anysock_addr_from_in6(&first, &strict.u.v6, 0, 0);
		require(anysock_prefix_contains(&strict, &first));
	}
	/* Rebuilt from its own first address and length: the same prefix. */
	anysock_prefix again;
	require(anysock_prefix_from_addr(&again, &first,
					 strict.family == AF_INET && first.u.sa.sa_family == AF_INET6
						 ? strict.len + 96 : strict.len) == 0);
	require(same(&again, &strict));
	return 0;
}
