/*
 * fuzz_proxy.c - libFuzzer target for the PROXY protocol parser.
 *
 * Beyond "does not crash or read out of bounds" (the input is copied to a
 * buffer of exactly its size, so ASan sees any over-read): a header is
 * never longer than the input; every prefix of an accepted header asks
 * for more; addresses come out canonical; and what was parsed, encoded
 * again in the same version, parses back to the same addresses.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anysock.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	anysock_proxy_info p;
	int n = anysock_proxy_parse(copy, size, &p);
	if (n <= 0) {
		free(copy);
		return 0;
	}
	require((size_t)n <= size);
	require(p.version == 1 || p.version == 2);
	for (size_t cut = 0; cut < (size_t)n; cut += 1 + cut / 4) {
		anysock_proxy_info q;
		require(anysock_proxy_parse(copy, cut, &q) == -EAGAIN);
	}
	if (!p.local) {
		require(!anysock_addr_is_mapped(&p.src) && !anysock_addr_is_mapped(&p.dst));
		require(p.tlv_offset + p.tlv_len == (p.version == 2 ? (size_t)n : 0));
		char buf[ANYSOCK_PROXY_MAXLEN];
		int m = anysock_proxy_encode(p.version, p.socktype, &p.src, &p.dst, buf, sizeof(buf));
		require(m > 0);
		anysock_proxy_info back;
		require(anysock_proxy_parse(buf, (size_t)m, &back) == m);
		require(!back.local);
		require(anysock_addr_equal(&back.src, &p.src, ANYSOCK_CMP_NOSCOPE));
		require(anysock_addr_equal(&back.dst, &p.dst, ANYSOCK_CMP_NOSCOPE));
	}
	free(copy);
	return 0;
}
