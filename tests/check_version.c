/*
 * check_version.c - one version, told the same way by the header, the
 * library and the package.
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "anysock.h"
#include "check_main.h"

/* The library a test runs with is the one built beside this header. */
START_TEST(test_runtime_is_header)
{
	ck_assert_uint_eq(anysock_version(), ANYSOCK_VERSION_HEX);
	ck_assert_str_eq(anysock_version_string(), ANYSOCK_VERSION_STRING);
}
END_TEST

/* The text, the numbers and the hex form are one version. */
START_TEST(test_forms_agree)
{
	char text[32];
	snprintf(text, sizeof(text), "%d.%d.%d", ANYSOCK_VERSION_MAJOR, ANYSOCK_VERSION_MINOR,
		 ANYSOCK_VERSION_PATCH);
	ck_assert_str_eq(text, ANYSOCK_VERSION_STRING);
	ck_assert_uint_eq((anysock_version() >> 16) & 0xff, ANYSOCK_VERSION_MAJOR);
	ck_assert_uint_eq((anysock_version() >> 8) & 0xff, ANYSOCK_VERSION_MINOR);
	ck_assert_uint_eq(anysock_version() & 0xff, ANYSOCK_VERSION_PATCH);
}
END_TEST

/* configure took the package's version from the header. */
START_TEST(test_package_is_header)
{
	ck_assert_str_eq(PACKAGE_VERSION, ANYSOCK_VERSION_STRING);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("version");
	TCase *tc = tcase_create("version");
	tcase_add_test(tc, test_runtime_is_header);
	tcase_add_test(tc, test_forms_agree);
	tcase_add_test(tc, test_package_is_header);
	suite_add_tcase(s, tc);
	return run_suite(s, false) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
