/*
 * fuzz_acl.c - libFuzzer target for the access-list parser and lookup.
 *
 * Oracles: a rejected text reports a code, and a line and column that lie
 * inside the text; an accepted one is checked on addresses taken from its
 * own rules (each rule's first address, in both spellings when IPv4, and
 * the address just before it): the ranged lookup must agree with a
 * first-match linear scan over anysock_acl_rule() and
 * anysock_prefix_contains().
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "anysock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) do { if (!(cond)) abort(); } while (0)

static int linear(const anysock_acl *acl, const anysock_addr *a)
{
	int n = anysock_acl_count(acl);
	for (int i = 0; i < n; i++) {
		anysock_prefix p;
		int action = anysock_acl_rule(acl, i, &p, NULL);
		if (anysock_prefix_contains(&p, a))
			return action;
	}
	return anysock_acl_rule(acl, -1, NULL, NULL);
}

static void probe(const anysock_acl *acl, const anysock_addr *a)
{
	unsigned line;
	int got = anysock_acl_check(acl, a, &line);
	require(got == linear(acl, a));
	require(line >= 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	anysock_acl *acl = NULL;
	anysock_parse_error err;
	int r = anysock_acl_parse_n((const char *)data, size, 0, &acl, &err);
	if (r < 0) {
		require(acl == NULL && err.code == r && r < -4095);
		if (r == ANYSOCK_E_NODEFAULT) {
			require(err.line == 0 && err.column == 0);
		} else {
			size_t lines = 1;
			for (size_t i = 0; i < size; i++)
				lines += data[i] == '\n';
			require(err.line >= 1 && err.line <= lines && err.column >= 1 &&
				err.column <= size + 1);
		}
		return 0;
	}
	int n = anysock_acl_count(acl);
	require(n >= 0);
	for (int i = 0; i < n && i < 64; i++) {
		anysock_prefix p;
		anysock_acl_rule(acl, i, &p, NULL);
		anysock_addr a;
		if (p.family == AF_INET) {
			anysock_addr_from_in(&a, &p.u.v4, 0);
			probe(acl, &a);
			anysock_addr_map(&a);
			probe(acl, &a);
			struct in_addr before = { htonl(ntohl(p.u.v4.s_addr) - 1) };
			anysock_addr_from_in(&a, &before, 0);
			probe(acl, &a);
		} else {
			anysock_addr_from_in6(&a, &p.u.v6, 0, 0);
			probe(acl, &a);
			struct in6_addr before = p.u.v6;
			for (int k = 15; k >= 0 && before.s6_addr[k]-- == 0; k--)
				;
			anysock_addr_from_in6(&a, &before, 0, 0);
			probe(acl, &a);
		}
	}
	anysock_acl_free(acl);
	return 0;
}
