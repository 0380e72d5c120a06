/*
 * fuzz_proxy_read.c - libFuzzer target: the PROXY protocol header read
 * off a socket (anysock_proxy_read), which reads a v1 header a byte at a
 * time up to its CRLF and a v2 header by its length, so as never to take
 * a byte of what follows.
 *
 * The input is what a client sends before closing its side; it goes
 * through a socket pair. Oracles, against anysock_proxy_parse of the same
 * bytes in one buffer: a header parse accepts is read as the same header
 * (version, command, addresses, length), and exactly the bytes after it
 * are left on the socket; a header parse refuses is refused on the socket
 * too; whatever the read accepts, parse accepts.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "anysock.h"

#include "fuzz.h"

static bool same(const anysock_proxy_info *a, const anysock_proxy_info *b)
{
	return a->version == b->version && a->local == b->local && a->socktype == b->socktype &&
	       a->tlv_offset == b->tlv_offset && a->tlv_len == b->tlv_len &&
	       (a->local || (anysock_addr_equal(&a->src, &b->src, 0) &&
			     anysock_addr_equal(&a->dst, &b->dst, 0)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 60000)
		return 0; /* within a socket pair's buffer */
	int sv[2];
	require(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0, "socketpair");
	require(size == 0 || write(sv[1], data, size) == (ssize_t)size, "write");
	shutdown(sv[1], SHUT_WR);

	anysock_proxy_info parsed, read;
	memset(&parsed, 0, sizeof(parsed));
	memset(&read, 0, sizeof(read));
	int p = anysock_proxy_parse(data, size, &parsed);
	int r = anysock_proxy_read(sv[0], &read, 1000);
	if (p > 0) {
		require(r == p, "parse takes %d bytes, the read says %d (%s)", p, r,
			anysock_strerror(r));
		require(same(&parsed, &read), "the read's header is not parse's");
		/* What follows the header is still there, all of it. */
		size_t rest = size - (size_t)p;
		uint8_t *after = malloc(rest + 1);
		require(after != NULL, "malloc");
		ssize_t got = recv(sv[0], after, rest + 1, MSG_DONTWAIT);
		require(got == (ssize_t)rest && memcmp(after, data + p, rest) == 0,
			"%zd bytes left after the header, not %zu", got, rest);
		free(after);
	} else if (p != -EAGAIN) {
		require(r < 0, "parse refuses it (%s), the read takes %d", anysock_strerror(p), r);
	}
	if (r > 0)
		require(p == r, "the read takes %d bytes, parse says %d", r, p);
	else
		require(r < 0 && anysock_strerror(r) != NULL, "the read returned %d", r);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
