/*
 * fuzz_activation.c - libFuzzer target: socket activation's environment,
 * LISTEN_PID and LISTEN_FDS, as anysock_listener_from_env reads it.
 *
 * The input: its first byte picks the socket type asked for (0,
 * SOCK_STREAM, SOCK_DGRAM, or a wrong one); then LISTEN_PID up to a
 * newline, where "PID" stands for this process's id; then LISTEN_FDS (a
 * missing line leaves the variable unset). Descriptors 3 and 4 are a
 * listening TCP socket and a bound UDP socket of this process, as a
 * service manager would pass them, made again after every run.
 *
 * Oracles, from the protocol (sd_listen_fds(3)): unless LISTEN_PID is this
 * process's id in decimal and LISTEN_FDS a decimal count from 1, the call
 * returns 0 and no listener; a listener holds only descriptors from 3 to
 * 3 + count, of the type asked for; a failure leaves no listener.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "anysock.h"

#include "fuzz.h"

/* The sockets put at 3 and 4 before every run, kept at these. */
static int stream_tpl = -1, dgram_tpl = -1;

static int bound(int type)
{
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	require(fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0, "socket");
	require(type != SOCK_STREAM || listen(fd, 1) == 0, "listen");
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	close(fd);
	return high;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (fcntl(3, F_GETFD) != -1 || fcntl(4, F_GETFD) != -1) {
		fprintf(stderr,
			"fuzz_activation: descriptors 3 and 4 are taken: nothing to adopt\n");
		return 0;
	}
	stream_tpl = bound(SOCK_STREAM);
	dgram_tpl = bound(SOCK_DGRAM);
	return 0;
}

/* s[0..n) as the protocol's decimal number, or -1. */
static long long decimal(const char *s, size_t n)
{
	long long v = 0;
	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
		if (v > INT_MAX)
			return -1;
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[] = { 0, SOCK_STREAM, SOCK_DGRAM, SOCK_RAW };
	if (size < 1 || size > 200 || memchr(data, '\0', size) != NULL)
		return 0;
	int type = types[data[0] & 3];
	const char *text = (const char *)data + 1, *end = (const char *)data + size;
	const char *nl = memchr(text, '\n', (size_t)(end - text));
	char pid[300], fds[300];
	/* LISTEN_PID, with "PID" made this process's id. */
	size_t plen = (size_t)((nl != NULL ? nl : end) - text), k = 0;
	for (size_t i = 0; i < plen && k + 12 < sizeof(pid); i++) {
		if (i + 3 <= plen && memcmp(text + i, "PID", 3) == 0) {
			k += (size_t)snprintf(pid + k, sizeof(pid) - k, "%d", (int)getpid());
			i += 2;
		} else {
			pid[k++] = text[i];
		}
	}
	pid[k] = '\0';
	setenv("LISTEN_PID", pid, 1);
	bool have_fds = nl != NULL;
	if (have_fds) {
		size_t flen = (size_t)(end - nl - 1);
		memcpy(fds, nl + 1, flen);
		fds[flen] = '\0';
		setenv("LISTEN_FDS", fds, 1);
	} else {
		unsetenv("LISTEN_FDS");
	}
	if (stream_tpl >= 0) {
		dup2(stream_tpl, 3);
		dup2(dgram_tpl, 4);
	}

	anysock_listener *l = (anysock_listener *)&l;
	int rc = anysock_listener_from_env(type, 0, &l);
	long long want_pid = decimal(pid, strlen(pid));
	long long count = have_fds ? decimal(fds, strlen(fds)) : -1;
	bool for_us = want_pid == (long long)getpid() && count >= 1;
	if (type == SOCK_RAW)
		require(rc == -EINVAL && l == NULL, "a raw socket type: %d", rc);
	else if (!for_us)
		require(rc == 0 && l == NULL,
			"LISTEN_PID=%s LISTEN_FDS=%s: not for this process, "
			"yet %d",
			pid, have_fds ? fds : "(unset)", rc);
	if (rc > 0) {
		require(l != NULL && anysock_listener_count(l) == rc, "a listener of %d", rc);
		for (int i = 0; i < rc; i++) {
			int fd = anysock_listener_fd(l, (size_t)i), t;
			socklen_t len = sizeof(t);
			require(fd >= 3 && fd < 3 + count, "descriptor %d of LISTEN_FDS=%lld", fd,
				count);
			require(getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &len) == 0 &&
					(type == 0 || t == type),
				"descriptor %d: not of the type asked for", fd);
		}
		anysock_listener_close(l); /* closes 3 and 4: made again next time */
	} else {
		require(l == NULL, "a failure (%d) with a listener", rc);
	}
	return 0;
}
