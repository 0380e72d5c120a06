/*
 * spawn_helpers.h - what the suites that drive a whole example program
 * share (check_echo.c, check_relay.c): start it, read its output, connect
 * to it over loopback, time round trips.
 * SPDX-License-Identifier: MIT
 */
#ifndef SPAWN_HELPERS_H
#define SPAWN_HELPERS_H

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "check_main.h"

struct server {
	pid_t pid;
	int out;       /* its stdout and stderr */
	int port;
	char log[65536];
	size_t len;
};

/* The program to test: $env, else path (examples/echo-server,
 * tools/anysock-relay) under top_builddir. */
static const char *program_path(const char *env, const char *path_in_tree)
{
	static char path[2][4096];
	static int k;
	const char *p = getenv(env);
	if (p != NULL)
		return p;
	const char *b = getenv("top_builddir");
	k = !k;
	snprintf(path[k], sizeof(path[k]), "%s/%s", b != NULL ? b : ".", path_in_tree);
	return path[k];
}

/* Read what the server printed, for up to ms; when the log is full its
 * older half goes, so a busy server never blocks on its output. */
static void slurp(struct server *s, int ms)
{
	struct pollfd p = { s->out, POLLIN, 0 };
	while (poll(&p, 1, ms) == 1) {
		if (s->len >= sizeof(s->log) - 1) {
			size_t half = s->len / 2;
			memmove(s->log, s->log + half, s->len - half);
			s->len -= half;
		}
		ssize_t n = read(s->out, s->log + s->len, sizeof(s->log) - 1 - s->len);
		if (n <= 0)
			break;
		s->len += (size_t)n;
		ms = 0;
	}
	s->log[s->len] = '\0';
}

/* Start program with args (NULL-ended) and nofile descriptors (0: as
 * is); wait for its "listening on" line and take the port from it. */
static void spawn(struct server *s, const char *path, int nofile, const char *const *args)
{
	int fds[2];
	ck_assert_int_eq(pipe(fds), 0);
	memset(s, 0, sizeof(*s));
	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (s->pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		if (nofile > 0)
			setrlimit(RLIMIT_NOFILE, &(struct rlimit){ (rlim_t)nofile, (rlim_t)nofile });
		const char *argv[32] = { path };
		int n = 1;
		for (int i = 0; args[i] != NULL && n < 31; i++)
			argv[n++] = args[i];
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	s->out = fds[0];
	for (int i = 0; i < 50 && strstr(s->log, "listening on") == NULL; i++)
		slurp(s, 100);
	const char *line = strstr(s->log, "listening on");
	ck_assert_msg(line != NULL, "no listening line: %s", s->log);
	const char *colon = line + strcspn(line, ",\n"); /* the first address's port */
	while (colon > line && colon[-1] != ':')
		colon--;
	s->port = atoi(colon);
	ck_assert_int_gt(s->port, 0);
}

static void stop(struct server *s)
{
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	close(s->out);
}

/* A blocking client connected to the server within 5 s: a connect that
 * waits longer (SYNs dropped from a full backlog retry for minutes) fails
 * the test instead of hanging it. */
static int client(const struct server *s)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)s->port) };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	int rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	ck_assert_msg(rc == 0 || errno == EINPROGRESS, "connect: %s", strerror(errno));
	struct pollfd p = { fd, POLLOUT, 0 };
	int err = 0;
	socklen_t len = sizeof(err);
	ck_assert_msg(rc == 0 || poll(&p, 1, 5000) == 1, "connect to port %d: no answer in 5 s",
		      s->port);
	ck_assert_int_eq(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len), 0);
	ck_assert_msg(err == 0, "connect to port %d: %s", s->port, strerror(err));
	ck_assert_int_eq(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK), 0);
	return fd;
}

#define NOTHING (-2)

/* Bytes read within ms: 0 at EOF, -1 for an error, NOTHING when nothing came. */
static ssize_t read_within(int fd, char *buf, size_t size, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	if (poll(&p, 1, ms) != 1)
		return NOTHING;
	return recv(fd, buf, size, 0);
}

/* Whether the server closed fd within ms (with unread data the close is a
 * reset: ECONNRESET), without an echo. */
static bool closed_within(int fd, int ms)
{
	char buf[64];
	ssize_t n = read_within(fd, buf, sizeof(buf), ms);
	return n == 0 || (n == -1 && errno == ECONNRESET);
}

static void send_text(int fd, const char *text)
{
	ck_assert_int_eq(send(fd, text, strlen(text), MSG_NOSIGNAL), (ssize_t)strlen(text));
}

/* An echo of hello, and how long it took. */
static double round_trip(int fd, const char *hello)
{
	char buf[64];
	double t0 = mono_seconds();
	send_text(fd, hello);
	ssize_t n = read_within(fd, buf, sizeof(buf), 5000);
	double took = mono_seconds() - t0;
	ck_assert_int_eq(n, (ssize_t)strlen(hello));
	ck_assert(memcmp(buf, hello, (size_t)n) == 0);
	return took;
}

/* A file holding text, for an option that takes one. */
static char *acl_file(const char *text, size_t len)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/anysock-acl-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* The CPU seconds process pid has used. */
static double cpu_seconds_of(pid_t pid)
{
	char path[64], text[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(text, sizeof(text), f));
	fclose(f);
	unsigned long ut = 0, st = 0;
	const char *p = strrchr(text, ')');
	ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
				&st),
			 2);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

#endif
