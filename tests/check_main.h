/*
 * check_main.h - how every check suite runs.
 * SPDX-License-Identifier: MIT
 */
#ifndef CHECK_MAIN_H
#define CHECK_MAIN_H

#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

/* Whether the suite runs at full size (CI sets ANYSOCK_TEST_FULL=1): the
 * README's `make check` runs the same tests with smaller counts, so a
 * developer waits less; every assertion is the same at both sizes. */
static inline bool test_full(void)
{
	const char *s = getenv("ANYSOCK_TEST_FULL");
	return s != NULL && s[0] != '\0' && strcmp(s, "0") != 0;
}

/* Run a suite and return its number of failures. in_process: all tests in
 * this process (their output in the log, shared state between them);
 * otherwise each test forks, unless CK_FORK=no says otherwise (valgrind). */
static inline int run_suite(Suite *s, bool in_process)
{
	SRunner *sr = srunner_create(s);
	if (in_process)
		srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed;
}

/* Whether the test runs under an emulator (tests/cross/run.sh sets
 * ANYSOCK_TEST_EMULATOR, "qemu-user 7.2") that cannot do what it needs: if
 * so, say what on standard error as "SKIP: emulator: what" (the runner
 * counts those lines) and the caller returns. Use it only for what the
 * emulator is known to lack, at the exact point, so that everything else
 * in the test still runs. */
static inline bool emulator_lacks(const char *what)
{
	const char *emu = getenv("ANYSOCK_TEST_EMULATOR");
	if (emu == NULL || emu[0] == '\0')
		return false;
	fprintf(stderr, "SKIP: %s: %s\n", emu, what);
	return true;
}

static inline void ignore_signal(int sig)
{
	(void)sig;
}

/* SIGALRM in ms milliseconds, to a handler that returns (SA_RESTART set, as
 * a server's would be: the library's waits must end all the same). */
static inline void signal_in_ms(int ms)
{
	struct sigaction sa = { .sa_handler = ignore_signal, .sa_flags = SA_RESTART };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

static inline double mono_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A loopback listener whose queue is full, so that a connect to it waits
 * (its SYNs are dropped): the listening descriptor, its port in serv, and
 * the two connections that fill it in fill (a backlog of 0 holds one; be
 * sure). The caller closes all three. */
static inline int full_backlog_listener(char serv[8], int fill[2])
{
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	ck_assert_int_eq(bind(lfd, (struct sockaddr *)&sin, len), 0);
	ck_assert_int_eq(listen(lfd, 0), 0);
	ck_assert_int_eq(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	snprintf(serv, 8, "%d", ntohs(sin.sin_port));
	for (int i = 0; i < 2; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		connect(fill[i], (struct sockaddr *)&sin, len);
	}
	usleep(50000);
	return lfd;
}


/* Whether /etc/hosts lists name: only then may a test look it up here,
 * where a miss would go to the machine's real resolver (and a machine
 * without "localhost" in its hosts file is one the suite must still pass
 * on: tests/netns/no-localhost.sh). */
static inline bool in_hosts_file(const char *name)
{
	FILE *f = fopen("/etc/hosts", "r");
	char line[512];
	bool found = false;
	while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL) {
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		for (char *w = strtok(line, " \t\n"); w != NULL && !found; w = strtok(NULL, " \t\n"))
			found = w != line && strcmp(w, name) == 0;
	}
	if (f != NULL)
		fclose(f);
	return found;
}

#endif
