/*
 * check_echo.c - examples/echo-server against hostile clients, on loopback:
 * clients that send half a PROXY header and stall, untrusted PROXY
 * senders, idle clients, more clients than the cap, too few descriptors,
 * a 1 MiB access list, bad arguments. The server is the real program,
 * started for each test (ECHO_SERVER names it; default
 * examples/echo-server under top_builddir).
 *
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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

static const char *program(void)
{
	static char path[4096];
	const char *p = getenv("ECHO_SERVER");
	if (p != NULL)
		return p;
	const char *b = getenv("top_builddir");
	snprintf(path, sizeof(path), "%s/examples/echo-server", b != NULL ? b : ".");
	return path;
}

/* Read what the server printed, for up to ms. */
static void slurp(struct server *s, int ms)
{
	struct pollfd p = { s->out, POLLIN, 0 };
	while (s->len < sizeof(s->log) - 1 && poll(&p, 1, ms) == 1) {
		ssize_t n = read(s->out, s->log + s->len, sizeof(s->log) - 1 - s->len);
		if (n <= 0)
			break;
		s->len += (size_t)n;
		ms = 0;
	}
	s->log[s->len] = '\0';
}

/* Start the server with args (NULL-ended) and nofile descriptors (0: as
 * is); wait for its "listening on" line. */
static void start(struct server *s, int nofile, const char *const *args)
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
		const char *argv[32] = { program(), "-H", "127.0.0.1", "-p", "0" };
		int n = 5;
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
	const char *colon = strchr(line, '\n');
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

static int client(const struct server *s)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)s->port) };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
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

START_TEST(test_stalled_proxy_headers)
{
	struct server s;
	start(&s, 0, (const char *const[]){ "-P", NULL });
	int stalled[20];
	for (int i = 0; i < 20; i++) {
		stalled[i] = client(&s);
		send_text(stalled[i], "PROX");
	}
	usleep(20000);
	int fd = client(&s);
	double t0 = mono_seconds();
	send_text(fd, "PROXY TCP4 192.0.2.9 127.0.0.1 1111 7\r\n");
	round_trip(fd, "hello");
	double took = mono_seconds() - t0; /* header, hello and its echo */
	fprintf(stderr, "20 stalled PROXY clients: a good one echoed in %.1f ms\n", took * 1e3);
	ck_assert_msg(took < 0.05, "took %.3f s", took);
	slurp(&s, 100);
	ck_assert_msg(strstr(s.log, "tcp 192.0.2.9:1111 connected") != NULL, "%s", s.log);
	/* The stalled ones are closed at their deadline (-t, 2 s). */
	ck_assert(closed_within(stalled[0], 3000));
	slurp(&s, 100);
	ck_assert_msg(strstr(s.log, "no PROXY header in time") != NULL, "%s", s.log);
	for (int i = 0; i < 20; i++)
		close(stalled[i]);
	close(fd);
	stop(&s);
}
END_TEST

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

START_TEST(test_untrusted_proxy_sender)
{
	const char *trusted = "allow 10.0.0.0/8; default deny\n";
	char *path = acl_file(trusted, strlen(trusted));
	struct server s;
	start(&s, 0, (const char *const[]){ "-P", "-A", path, NULL });
	int fd = client(&s);
	send_text(fd, "PROXY TCP4 10.1.2.3 127.0.0.1 1111 7\r\nhello");
	ck_assert(closed_within(fd, 2000)); /* no echo */
	slurp(&s, 200);
	ck_assert_msg(strstr(s.log, "127.0.0.1") != NULL && strstr(s.log, "refused") != NULL, "%s",
		      s.log);
	ck_assert_msg(strstr(s.log, "10.1.2.3") == NULL, "believed it: %s", s.log);
	close(fd);
	stop(&s);
	unlink(path);
}
END_TEST

START_TEST(test_idle_clients_closed)
{
	struct server s;
	start(&s, 0, (const char *const[]){ "-i", "1", NULL });
	int fd = client(&s);
	round_trip(fd, "hi");
	double t0 = mono_seconds();
	ck_assert(closed_within(fd, 3000));
	double took = mono_seconds() - t0;
	ck_assert_msg(took >= 0.9 && took < 1.5, "closed after %.3f s", took);
	close(fd);
	stop(&s);
}
END_TEST

START_TEST(test_cap_makes_clients_wait)
{
	struct server s;
	start(&s, 0, (const char *const[]){ "-c", "2", NULL });
	int a = client(&s), b = client(&s);
	round_trip(a, "a");
	round_trip(b, "b");
	int c = client(&s); /* the kernel completes it: it waits in the backlog */
	send_text(c, "c");
	char buf[8];
	ck_assert_int_eq(read_within(c, buf, sizeof(buf), 300), NOTHING);
	close(a);
	ck_assert_int_eq(read_within(c, buf, sizeof(buf), 1000), 1); /* served now */
	slurp(&s, 100);
	ck_assert_msg(strstr(s.log, "denied") == NULL, "%s", s.log);
	close(b);
	close(c);
	stop(&s);
}
END_TEST

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

START_TEST(test_out_of_descriptors_does_not_spin)
{
	struct server s;
	start(&s, 12, (const char *const[]){ NULL }); /* a few left after its listeners */
	int fds[20];
	for (int i = 0; i < 20; i++)
		fds[i] = client(&s);
	usleep(200000);
	double cpu0 = cpu_seconds_of(s.pid);
	sleep(1);
	double cpu = cpu_seconds_of(s.pid) - cpu0;
	fprintf(stderr, "out of descriptors: %.2f s of CPU in 1 s\n", cpu);
	ck_assert_msg(cpu < 0.1, "spent %.2f s of CPU waiting", cpu);
	slurp(&s, 100);
	ck_assert_msg(strstr(s.log, "out of descriptors") != NULL, "%s", s.log);
	/* Every client is served, in turn, as descriptors free. */
	for (int i = 0; i < 20; i++) {
		round_trip(fds[i], "x");
		close(fds[i]);
	}
	stop(&s);
}
END_TEST

START_TEST(test_large_access_list)
{
	/* 1 MiB of rules that do not match, the one that does at the end. */
	size_t size = 1 << 20, len = 0;
	char *text = malloc(size + 64);
	len += (size_t)sprintf(text, "default allow\n");
	for (int i = 0; len < size - 64; i++)
		len += (size_t)sprintf(text + len, "deny 10.%d.%d.0/24\n", (i >> 8) & 255, i & 255);
	len += (size_t)sprintf(text + len, "deny 127.0.0.1\n");
	char *path = acl_file(text, len);
	struct server s;
	start(&s, 0, (const char *const[]){ "-a", path, NULL });
	int fd = client(&s);
	send_text(fd, "x");
	ck_assert(closed_within(fd, 2000));
	slurp(&s, 100);
	ck_assert_msg(strstr(s.log, "tcp 127.0.0.1") != NULL && strstr(s.log, "denied") != NULL,
		      "%s", s.log);
	close(fd);
	stop(&s);
	unlink(path);

	/* A NUL byte is an error, not the end of the list. */
	memcpy(text + 100, "\0", 1);
	path = acl_file(text, len);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "'%s' -p 0 -a %s > %s.out 2>&1", program(), path, path);
	int rc = system(cmd);
	ck_assert(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);
	snprintf(cmd, sizeof(cmd), "grep -q 'NUL byte at offset 100' %s.out", path);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.out", path);
	unlink(cmd);
	unlink(path);
	free(text);
}
END_TEST

START_TEST(test_bad_arguments)
{
	static const char *bad[][2] = { { "-c", "abc" }, { "-c", "0" }, { "-i", "1junk" },
					{ "-t", "99999999" }, { "-w", "0" }, { "-w", "65" },
					{ "-i", "" } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char cmd[4200];
		snprintf(cmd, sizeof(cmd), "'%s' %s '%s' 2>&1 | grep -q -- '^echo-server: %s '; "
			 "exit $(( $? * 10 ))", program(), bad[i][0], bad[i][1], bad[i][0]);
		ck_assert_msg(system(cmd) == 0, "%s %s: no message naming the option", bad[i][0],
			      bad[i][1]);
		snprintf(cmd, sizeof(cmd), "'%s' %s '%s' >/dev/null 2>&1", program(), bad[i][0],
			 bad[i][1]);
		int rc = system(cmd);
		ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "%s %s: exit %d", bad[i][0],
			      bad[i][1], WEXITSTATUS(rc));
	}
}
END_TEST

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	Suite *s = suite_create("echo-server");
	TCase *tc = tcase_create("hostile");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_stalled_proxy_headers);
	tcase_add_test(tc, test_untrusted_proxy_sender);
	tcase_add_test(tc, test_idle_clients_closed);
	tcase_add_test(tc, test_cap_makes_clients_wait);
	tcase_add_test(tc, test_out_of_descriptors_does_not_spin);
	tcase_add_test(tc, test_large_access_list);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
