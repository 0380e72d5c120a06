/*
 * fuzz_pton.c - libFuzzer target for the text parser.
 *
 * Beyond "does not crash": every accepted input must print and parse back
 * to the same address, the printed form must fit ANYSOCK_ADDRSTRLEN, a
 * failed parse must leave *out untouched, and for plain addresses the
 * verdict must agree with inet_pton.
 *
 * Build: ./configure CC=clang --enable-fuzzing && make fuzz-smoke
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "anysock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) do { if (!(cond)) abort(); } while (0)

static void roundtrip(const anysock_addr *a)
{
	char text[ANYSOCK_ADDRSTRLEN];
	int n = anysock_ntop(a, text, sizeof(text), ANYSOCK_NTOP_NUMERIC_SCOPE);
	require(n > 0 && (size_t)n == strlen(text));
	anysock_addr back;
	require(anysock_pton(text, &back, ANYSOCK_PTON_NUMERIC_SCOPE) == 0);
	require(anysock_addr_equal(a, &back, 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	static const unsigned flag_sets[] = {
		0, ANYSOCK_PTON_PORT, ANYSOCK_PTON_NOPORT, ANYSOCK_PTON_UNMAP,
		ANYSOCK_PTON_NUMERIC_SCOPE,
	};
	for (size_t i = 0; i < sizeof(flag_sets) / sizeof(flag_sets[0]); i++) {
		anysock_addr a, before;
		memset(&a, 0x5a, sizeof(a));
		before = a;
		int r = anysock_pton_n(text, size, &a, flag_sets[i]);
		if (r == 0)
			roundtrip(&a);
		else
			require(memcmp(&a, &before, sizeof(a)) == 0 && r < -4095);
	}

	/* Plain addresses: the same verdict and bytes as inet_pton. */
	char *s = malloc(size + 1);
	require(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	if (strlen(s) == size && !strpbrk(s, "[]%")) {
		unsigned char b[16];
		anysock_addr a;
		int v4 = inet_pton(AF_INET, s, b), v6 = v4 == 1 ? 0 : inet_pton(AF_INET6, s, b);
		int r = anysock_pton(s, &a, ANYSOCK_PTON_NOPORT);
		require((r == 0) == (v4 == 1 || v6 == 1));
		if (v4 == 1)
			require(memcmp(&a.u.sin.sin_addr, b, 4) == 0);
		if (v6 == 1)
			require(memcmp(&a.u.sin6.sin6_addr, b, 16) == 0);
	}
	free(s);
	return 0;
}
