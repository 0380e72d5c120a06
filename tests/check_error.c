/*
 * check_error.c - one convention, one anysock_strerror for every code.
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "anysock.h"
#include "check_main.h"

static const int library_codes[] = {
#define CODE(name, value, text) ANYSOCK_E_##name,
	ANYSOCK_ERRORS(CODE)
#undef CODE
};

/* Every library code is below every errno, distinct, and has its own text. */
START_TEST(test_library_codes)
{
	size_t n = sizeof(library_codes) / sizeof(library_codes[0]);
	for (size_t i = 0; i < n; i++) {
		int c = library_codes[i];
		ck_assert_int_lt(c, -4095);
		ck_assert_int_gt(c, ANYSOCK_E_EAI_BASE);
		const char *s = anysock_strerror(c);
		ck_assert_ptr_nonnull(s);
		ck_assert_str_ne(s, "Unknown anysock error");
		for (size_t j = 0; j < i; j++) {
			ck_assert_int_ne(c, library_codes[j]);
			ck_assert_str_ne(s, anysock_strerror(library_codes[j]));
		}
		ck_assert_int_eq(anysock_error_to_eai(c), 0);
	}
	ck_assert_str_eq(anysock_strerror(-4500), "Unknown anysock error");
	/* The codes run without gaps from -4101; the next one is unknown. */
	int last = library_codes[n - 1];
	ck_assert_int_eq((int)n, -4100 - last);
	ck_assert_str_eq(anysock_strerror(last - 1), "Unknown anysock error");
}
END_TEST

START_TEST(test_errno_codes)
{
	ck_assert_str_eq(anysock_strerror(0), "Success");
	ck_assert_str_eq(anysock_strerror(3), "Success");
	ck_assert_str_eq(anysock_strerror(-EADDRINUSE), strerror(EADDRINUSE));
	ck_assert_str_eq(anysock_strerror(-ECONNREFUSED), strerror(ECONNREFUSED));
	ck_assert_str_eq(anysock_strerror(-ENOSPC), strerror(ENOSPC));
	ck_assert_ptr_nonnull(anysock_strerror(-4095));
	ck_assert_ptr_nonnull(anysock_strerror(-4000));
}
END_TEST

static const int eai_codes[] = {
	EAI_AGAIN, EAI_BADFLAGS, EAI_FAIL, EAI_FAMILY, EAI_MEMORY, EAI_NONAME,
	EAI_SERVICE, EAI_SOCKTYPE, EAI_OVERFLOW,
#ifdef EAI_NODATA
	EAI_NODATA,
#endif
#ifdef EAI_ADDRFAMILY
	EAI_ADDRFAMILY,
#endif
};

START_TEST(test_eai_codes)
{
	int e = eai_codes[_i];
	int c = anysock_error_from_eai(e);
	ck_assert_int_lt(c, ANYSOCK_E_EAI_BASE);
	ck_assert_int_eq(anysock_error_to_eai(c), e);
	ck_assert_str_eq(anysock_strerror(c), gai_strerror(e));
	for (size_t i = 0; i < sizeof(library_codes) / sizeof(library_codes[0]); i++)
		ck_assert_int_ne(c, library_codes[i]);
}
END_TEST

START_TEST(test_eai_special)
{
	ck_assert_int_eq(anysock_error_from_eai(0), 0);
	errno = ETIMEDOUT;
	ck_assert_int_eq(anysock_error_from_eai(EAI_SYSTEM), -ETIMEDOUT);
	errno = 0;
	ck_assert_int_eq(anysock_error_from_eai(EAI_SYSTEM), -EIO);
	ck_assert_int_eq(anysock_error_to_eai(0), 0);
	ck_assert_int_eq(anysock_error_to_eai(-EAGAIN), 0);
	ck_assert_int_eq(anysock_error_to_eai(ANYSOCK_E_EAI_BASE), 0);
	ck_assert_int_eq(anysock_error_to_eai(-7000), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("error");
	TCase *tc = tcase_create("codes");
	tcase_add_test(tc, test_library_codes);
	tcase_add_test(tc, test_errno_codes);
	tcase_add_loop_test(tc, test_eai_codes, 0, sizeof(eai_codes) / sizeof(eai_codes[0]));
	tcase_add_test(tc, test_eai_special);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
