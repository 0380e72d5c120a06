/*
 * check_resolve.c - bounded lookups: arguments, numeric fast paths, the
 * drop-in contract. Numeric addresses only: nothing here may reach the
 * machine's resolver. Timing against real (silent, slow, answering) name
 * servers is in tests/netns/resolve_ns.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#define ANYSOCK_UNP_COMPAT
#include "anysock.h"
#include "check_main.h"

/* Threads in this process, from /proc. */
static int threads(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	ck_assert_ptr_nonnull(f);
	char line[256];
	int n = -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

START_TEST(test_nameinfo_numeric_same_as_glibc)
{
	static const char *addrs[] = { "192.0.2.1", "2001:db8::1", "fe80::1", "::1" };
	int before = threads();
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		anysock_addr a;
		ck_assert_int_eq(anysock_pton(addrs[i], &a, 0), 0);
		anysock_addr_set_port(&a, 22);
		char h1[NI_MAXHOST], s1[NI_MAXSERV], h2[NI_MAXHOST], s2[NI_MAXSERV];
		int flags = NI_NUMERICHOST | NI_NUMERICSERV;
		ck_assert_int_eq(getnameinfo(&a.u.sa, a.len, h1, sizeof(h1), s1, sizeof(s1), flags), 0);
		ck_assert_int_eq(anysock_getnameinfo_timeo(&a.u.sa, a.len, h2, sizeof(h2), s2,
							   sizeof(s2), flags, 100),
				 0);
		ck_assert_str_eq(h1, h2);
		ck_assert_str_eq(s1, s2);
		/* The book's name, in seconds. */
		ck_assert_int_eq(getnameinfo_timeo(&a.u.sa, a.len, h2, sizeof(h2), NULL, 0, flags, 1),
				 0);
		ck_assert_str_eq(h1, h2);
	}
	/* Numeric requests never leave the calling thread. */
	ck_assert_int_eq(threads(), before);
}
END_TEST

START_TEST(test_nameinfo_mapped_is_unmapped)
{
	anysock_addr a;
	ck_assert_int_eq(anysock_pton("[::ffff:192.0.2.1]:80", &a, 0), 0);
	char host[NI_MAXHOST];
	ck_assert_int_eq(anysock_getnameinfo_timeo(&a.u.sa, a.len, host, sizeof(host), NULL, 0,
						   NI_NUMERICHOST, 100),
			 0);
	ck_assert_str_eq(host, "192.0.2.1");
	ck_assert_int_eq(anysock_nameinfo(&a, host, sizeof(host), NI_NUMERICHOST, 100), 9);
	ck_assert_str_eq(host, "192.0.2.1");
}
END_TEST

START_TEST(test_nameinfo_errors)
{
	anysock_addr a, u;
	char host[NI_MAXHOST];
	ck_assert_int_eq(anysock_pton("192.0.2.1", &a, 0), 0);
	ck_assert_int_eq(anysock_addr_from_unix(&u, "/tmp/x"), 0);
	/* The drop-in answers like getnameinfo: EAI_* codes. */
	ck_assert_int_eq(anysock_getnameinfo_timeo(NULL, 0, host, sizeof(host), NULL, 0, 0, 100),
			 EAI_FAMILY);
	ck_assert_int_eq(anysock_getnameinfo_timeo(&a.u.sa, 3, host, sizeof(host), NULL, 0, 0, 100),
			 EAI_FAMILY);
	ck_assert_int_eq(anysock_getnameinfo_timeo(&u.u.sa, u.len, host, sizeof(host), NULL, 0, 0,
						   100),
			 EAI_FAMILY);
	ck_assert_int_eq(anysock_getnameinfo_timeo(&a.u.sa, a.len, NULL, 0, NULL, 0, 0, 100),
			 EAI_NONAME);
	ck_assert_int_eq(anysock_getnameinfo_timeo(&a.u.sa, a.len, host, 4, NULL, 0,
						   NI_NUMERICHOST, 100),
			 EAI_OVERFLOW);
	/* The library form answers in the library's convention. */
	ck_assert_int_eq(anysock_nameinfo(&a, host, 4, NI_NUMERICHOST, 100), -ENOSPC);
	ck_assert_int_eq(anysock_nameinfo(&a, NULL, 10, 0, 100), -EINVAL);
	ck_assert_int_eq(anysock_nameinfo(&u, host, sizeof(host), 0, 100), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_nameinfo(NULL, host, sizeof(host), 0, 100), -EINVAL);
}
END_TEST

static void expect_addrs(int n, const anysock_addr *out, const char *const *want, int nwant)
{
	ck_assert_int_eq(n, nwant);
	for (int i = 0; i < nwant; i++) {
		char text[ANYSOCK_ADDRSTRLEN];
		anysock_ntop(&out[i], text, sizeof(text), 0);
		bool found = false;
		for (int k = 0; k < nwant; k++)
			found |= strcmp(text, want[k]) == 0;
		ck_assert_msg(found, "unexpected %s", text);
	}
}

START_TEST(test_resolve_numeric)
{
	int before = threads();
	anysock_addr out[8];
	/* socktype 0 gives one result per socket type from getaddrinfo; the
	 * wrapper keeps one. */
	int n = anysock_resolve("192.0.2.1", "80", 0, 0, 100, out, 8);
	expect_addrs(n, out, (const char *[]){ "192.0.2.1:80" }, 1);
	n = anysock_resolve("2001:db8::1", "443", SOCK_STREAM, 0, 100, out, 8);
	expect_addrs(n, out, (const char *[]){ "[2001:db8::1]:443" }, 1);
	n = anysock_resolve("fe80::1%1", "443", SOCK_STREAM, 0, 100, out, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(out[0].u.sin6.sin6_scope_id, 1);
	/* host NULL: the wildcard of each family, or loopback. */
	n = anysock_resolve(NULL, "8080", SOCK_STREAM, ANYSOCK_RESOLVE_PASSIVE, 100, out, 8);
	expect_addrs(n, out, (const char *[]){ "0.0.0.0:8080", "[::]:8080" }, 2);
	n = anysock_resolve(NULL, "8080", SOCK_STREAM, 0, 100, out, 8);
	expect_addrs(n, out, (const char *[]){ "127.0.0.1:8080", "[::1]:8080" }, 2);
	n = anysock_resolve(NULL, NULL, SOCK_DGRAM, ANYSOCK_RESOLVE_PASSIVE | ANYSOCK_RESOLVE_IPV6,
			    100, out, 8);
	expect_addrs(n, out, (const char *[]){ "[::]:0" }, 1);
	/* A mapped address comes back canonical. */
	n = anysock_resolve("::ffff:192.0.2.7", "1", SOCK_STREAM, 0, 100, out, 8);
	expect_addrs(n, out, (const char *[]){ "192.0.2.7:1" }, 1);
	ck_assert_int_eq(threads(), before);
}
END_TEST

START_TEST(test_resolve_errors)
{
	anysock_addr out[2];
	ck_assert_int_eq(anysock_resolve("192.0.2.1", "80", 0, 0, 100, NULL, 2), -EINVAL);
	ck_assert_int_eq(anysock_resolve("192.0.2.1", "80", 0, 0, 100, out, 0), -EINVAL);
	ck_assert_int_eq(anysock_resolve("192.0.2.1", "80", 0, 0x4000, 100, out, 2), -EINVAL);
	ck_assert_int_eq(anysock_resolve("192.0.2.1", "80", 0,
					 ANYSOCK_RESOLVE_IPV4 | ANYSOCK_RESOLVE_IPV6, 100, out, 2),
			 -EINVAL);
	ck_assert_int_eq(anysock_resolve("", "80", 0, 0, 100, out, 2), ANYSOCK_E_EMPTY);
	/* glibc keeps the low 16 bits of a decimal service; a port it must be. */
	ck_assert_int_eq(anysock_resolve("192.0.2.1", "65536", 0, 0, 100, out, 2),
			 ANYSOCK_E_PORTRANGE);
	ck_assert_int_eq(anysock_resolve("192.0.2.1", "", 0, 0, 100, out, 2), ANYSOCK_E_PORT);
	ck_assert_int_eq(anysock_resolve("192.0.2.1", "65535", 0, 0, 100, out, 2), 1);
	ck_assert_int_eq(anysock_addr_port(&out[0]), 65535);
	/* Numeric only: a name is refused without asking anyone. */
	int r = anysock_resolve("example.invalid", "80", 0, ANYSOCK_RESOLVE_NUMERIC, 100, out, 2);
	ck_assert_int_eq(r, anysock_error_from_eai(EAI_NONAME));
	ck_assert_int_eq(anysock_resolve("192.0.2.1", "http", 0, ANYSOCK_RESOLVE_NUMERIC, 100, out,
					 2),
			 anysock_error_from_eai(EAI_NONAME));
	/* Family mismatch. */
	r = anysock_resolve("192.0.2.1", "80", 0, ANYSOCK_RESOLVE_IPV6, 100, out, 2);
	ck_assert_int_lt(r, 0);
	ck_assert_int_ne(anysock_error_to_eai(r), 0);
	/* The forward drop-in. */
	struct addrinfo *res;
	ck_assert_int_eq(anysock_getaddrinfo_timeo(NULL, NULL, NULL, &res, 100), EAI_NONAME);
	ck_assert_int_eq(anysock_getaddrinfo_timeo("192.0.2.1", "80", NULL, NULL, 100), EAI_SYSTEM);
	ck_assert_int_eq(errno, EINVAL);
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	ck_assert_int_eq(anysock_getaddrinfo_timeo("192.0.2.1", "80", &hints, &res, 100), 0);
	ck_assert_int_eq(res->ai_family, AF_INET);
	ck_assert_ptr_null(res->ai_next);
	freeaddrinfo(res);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("resolve");
	TCase *tc = tcase_create("numeric");
	tcase_add_test(tc, test_nameinfo_numeric_same_as_glibc);
	tcase_add_test(tc, test_nameinfo_mapped_is_unmapped);
	tcase_add_test(tc, test_nameinfo_errors);
	tcase_add_test(tc, test_resolve_numeric);
	tcase_add_test(tc, test_resolve_errors);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, true);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
