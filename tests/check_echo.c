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

#include "spawn_helpers.h"

static const char *program(void)
{
	return program_path("ECHO_SERVER", "examples/echo-server");
}

/* The echo server on 127.0.0.1, a port the kernel picks, and args. */
static void start(struct server *s, int nofile, const char *const *args)
{
	const char *argv[32] = { "-H", "127.0.0.1", "-p", "0" };
	int n = 4;
	for (int i = 0; args[i] != NULL && n < 31; i++)
		argv[n++] = args[i];
	spawn(s, program(), nofile, argv);
}

START_TEST(test_stalled_proxy_headers)
{
	struct server s;
	start(&s, 0, (const char *const[]){ "--accept-proxy", "--header-timeout", "500", NULL });
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
	/* The stalled ones are closed at their deadline (0.5 s, not the
	 * default 2 s). */
	ck_assert(closed_within(stalled[0], 1500));
	slurp(&s, 100);
	ck_assert_msg(strstr(s.log, "no PROXY header in time") != NULL, "%s", s.log);
	for (int i = 0; i < 20; i++)
		close(stalled[i]);
	close(fd);
	stop(&s);
}
END_TEST

START_TEST(test_untrusted_proxy_sender)
{
	const char *trusted = "allow 10.0.0.0/8; default deny\n";
	char *path = acl_file(trusted, strlen(trusted));
	struct server s;
	start(&s, 0, (const char *const[]){ "--accept-proxy", "--trusted-sources", path, NULL });
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
	static const char *bad[][2] = {
		{ "-c", "abc" },
		{ "-c", "0" },
		{ "-i", "1junk" },
		{ "--header-timeout", "99999999" },
		{ "-w", "0" },
		{ "-w", "65" },
		{ "-i", "" },
		{ "--max-connections", "100001" },
		{ "--idle-timeout", "x" },
		{ "--workers", "-1" },
	};
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
	/* The PROXY options' old letters (anysock-relay's -P sends a header)
	 * are refused, not taken for something else, and the usage names the
	 * long options that replace them. */
	static const char *retired[] = { "-P", "-A /dev/null", "-t 500" };
	for (size_t i = 0; i < sizeof(retired) / sizeof(retired[0]); i++) {
		char cmd[4200];
		snprintf(cmd, sizeof(cmd),
			 "out=$(timeout 5 '%s' -p 0 %s 2>&1 >/dev/null </dev/null); rc=$?; "
			 "echo \"$out\" | grep -q -- '--accept-proxy, --trusted-sources' && exit $rc; "
			 "exit 99",
			 program(), retired[i]);
		int rc = system(cmd);
		ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "%s: exit %d", retired[i],
			      WEXITSTATUS(rc));
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
