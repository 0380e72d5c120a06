/*
 * activate.c - start a program the way a service manager does with socket
 * activation (the LISTEN_FDS protocol): bind TCP on 127.0.0.1 and ::1 and
 * UDP on 127.0.0.1, all on one free port, put them at descriptors 3, 4, 5,
 * set LISTEN_PID and LISTEN_FDS, print "port N" and exec the program.
 *
 *   tests/activate PROGRAM [ARGS...]
 *
 * SPDX-License-Identifier: MIT
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "anysock.h"

static int bound(const char *text, int type, int port)
{
	anysock_addr a;
	if (anysock_pton(text, &a, 0) < 0 || anysock_addr_set_port(&a, port) < 0)
		exit(1);
	int fd = socket(a.u.sa.sa_family, type, 0), on = 1;
	if (a.u.sa.sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (fd < 0 || bind(fd, &a.u.sa, a.len) < 0 || (type == SOCK_STREAM && listen(fd, 16) < 0)) {
		perror(text);
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PROGRAM [ARGS...]\n", argv[0]);
		return 2;
	}
	int fds[3];
	fds[0] = bound("127.0.0.1", SOCK_STREAM, 0);
	anysock_addr a = { .len = sizeof(a.u) };
	getsockname(fds[0], &a.u.sa, &a.len);
	int port = anysock_addr_port(&a);
	fds[1] = bound("::1", SOCK_STREAM, port);
	fds[2] = bound("127.0.0.1", SOCK_DGRAM, port);
	/* To 3, 4, 5: first out of the way (>= 10), so that no dup2 closes
	 * a socket not yet moved. */
	for (int i = 0; i < 3; i++) {
		int high = fcntl(fds[i], F_DUPFD, 10);
		close(fds[i]);
		fds[i] = high;
	}
	for (int i = 0; i < 3; i++) {
		if (dup2(fds[i], 3 + i) < 0)
			return 1;
		close(fds[i]);
	}
	char pid[32];
	snprintf(pid, sizeof(pid), "%d", (int)getpid()); /* exec keeps the pid */
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "3", 1);
	printf("port %d\n", port);
	fflush(stdout);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
