/*
 * check_main.h - how every check suite runs.
 * SPDX-License-Identifier: MIT
 */
#ifndef CHECK_MAIN_H
#define CHECK_MAIN_H

#include <check.h>
#include <stdbool.h>

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

#endif
