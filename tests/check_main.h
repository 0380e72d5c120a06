/*
 * check_main.h - how every check suite runs.
 * SPDX-License-Identifier: MIT
 */
#ifndef CHECK_MAIN_H
#define CHECK_MAIN_H

#include <check.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <sys/time.h>

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

#endif
