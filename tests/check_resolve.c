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

/* ---- Host and port in one string ---------------------------------------- */

struct split_case {
	const char *text, *host, *port;
	int rc;
};

/* The one splitter every call uses, exported; and back. */
START_TEST(test_split_hostport)
{
	static const struct split_case good[] = {
		{ "[2001:db8::1]:443", "2001:db8::1", "443", 1 },
		{ "[fe80::1%1]:80", "fe80::1%1", "80", 1 },
		{ "192.0.2.1:80", "192.0.2.1", "80", 1 },
		{ "example.com:http", "example.com", "http", 1 },
		{ "example.com:08080", "example.com", "08080", 1 },
		{ "*:8080", "*", "8080", 1 },
		{ "example.com", "example.com", "", 0 },
		{ "[::1]", "::1", "", 0 },
		{ "::1", "::1", "", 0 },
		{ "2001:db8::1:80", "2001:db8::1:80", "", 0 }, /* an address, no port */
		{ "fe80::1%1", "fe80::1%1", "", 0 },
		{ "192.0.2.1", "192.0.2.1", "", 0 },
	};
	char host[64], port[16];
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct split_case *c = &good[i];
		int rc = anysock_split_hostport(c->text, host, sizeof(host), port, sizeof(port));
		ck_assert_msg(rc == c->rc, "%s: %s", c->text, anysock_strerror(rc));
		ck_assert_str_eq(host, c->host);
		ck_assert_str_eq(port, c->port);
		/* The library reads the text as the parts say. */
		anysock_addr whole[2], parts[2];
		if (strcmp(c->host, "*") == 0 || strcmp(c->host, "example.com") == 0)
			continue;
		int n = anysock_resolve(c->text, c->rc ? NULL : "7", SOCK_STREAM,
					ANYSOCK_RESOLVE_NUMERIC, 100, whole, 2);
		int m = anysock_resolve(c->host, c->rc ? c->port : "7", SOCK_STREAM,
					ANYSOCK_RESOLVE_NUMERIC, 100, parts, 2);
		ck_assert_int_eq(n, 1);
		ck_assert_int_eq(m, 1);
		ck_assert(anysock_addr_equal(&whole[0], &parts[0], 0));
		/* and joining the parts gives the text back (brackets added) */
		char joined[64];
		ck_assert_int_ge(anysock_join_hostport(c->host, c->port, joined, sizeof(joined)),
				 0);
		anysock_addr again;
		ck_assert_int_eq(anysock_pton(joined, &again, 0), 0);
		ck_assert(anysock_addr_equal(&again, &whole[0], c->rc ? 0 : ANYSOCK_CMP_NOPORT));
	}
	static const struct split_case bad[] = {
		{ "", "", "", ANYSOCK_E_EMPTY },
		{ ":80", "", "", ANYSOCK_E_EMPTY },
		{ "example.com:", "", "", ANYSOCK_E_PORT },
		{ "[::1]:", "", "", ANYSOCK_E_PORT },
		{ "[192.0.2.1]:80", "", "", ANYSOCK_E_BRACKET },
		{ "[::1", "", "", ANYSOCK_E_BRACKET },
		{ "a]b:80", "", "", ANYSOCK_E_BRACKET },
		{ "[::1]x", "", "", ANYSOCK_E_TRAILING },
		{ "[example.com]:80", "", "", ANYSOCK_E_ADDR },
		{ "example.com:65536", "", "", ANYSOCK_E_PORTRANGE },
		{ "[::1]:99999", "", "", ANYSOCK_E_PORTRANGE },
		{ "fe80::1%nope", "", "", ANYSOCK_E_SCOPE },
		{ "[fe80::1%nope]:80", "", "", ANYSOCK_E_SCOPE },
		{ "name%1:80", "", "", ANYSOCK_E_SCOPE },
		{ "192.0.2.1%1:80", "", "", ANYSOCK_E_SCOPE },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct split_case *c = &bad[i];
		strcpy(host, "x");
		strcpy(port, "x");
		int rc = anysock_split_hostport(c->text, host, sizeof(host), port, sizeof(port));
		ck_assert_msg(rc == c->rc, "%s: %s, not %s", c->text, anysock_strerror(rc),
			      anysock_strerror(c->rc));
		ck_assert_str_eq(host, "");
		ck_assert_str_eq(port, "");
	}
	char longname[300];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(anysock_split_hostport(longname, host, sizeof(host), NULL, 0),
			 ANYSOCK_E_HOSTLEN);
	/* Buffers: too small is -ENOSPC with "" in both; NULL with size 0 is
	 * "not wanted". */
	ck_assert_int_eq(anysock_split_hostport("example.com:80", host, 5, port, sizeof(port)),
			 -ENOSPC);
	ck_assert_str_eq(host, "");
	ck_assert_str_eq(port, "");
	ck_assert_int_eq(anysock_split_hostport("example.com:8080", host, sizeof(host), port, 4),
			 -ENOSPC);
	ck_assert_str_eq(host, "");
	ck_assert_int_eq(anysock_split_hostport("example.com:80", NULL, 0, port, sizeof(port)), 1);
	ck_assert_str_eq(port, "80");
	ck_assert_int_eq(anysock_split_hostport("[::1]", host, sizeof(host), NULL, 0), 0);
	ck_assert_str_eq(host, "::1");
	ck_assert_int_eq(anysock_split_hostport(NULL, host, sizeof(host), NULL, 0), -EINVAL);
	ck_assert_int_eq(anysock_split_hostport("x", NULL, 4, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(test_join_hostport)
{
	char buf[64];
	ck_assert_int_eq(anysock_join_hostport("2001:db8::1", "443", buf, sizeof(buf)), 17);
	ck_assert_str_eq(buf, "[2001:db8::1]:443");
	ck_assert_int_eq(anysock_join_hostport("192.0.2.1", "80", buf, sizeof(buf)), 12);
	ck_assert_str_eq(buf, "192.0.2.1:80");
	ck_assert_int_eq(anysock_join_hostport("example.com", NULL, buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "example.com");
	ck_assert_int_eq(anysock_join_hostport("::1", "", buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "[::1]"); /* a URL's host: bracketed, port or not */
	ck_assert_int_eq(anysock_join_hostport("fe80::1%1", "80", buf, sizeof(buf)), 14);
	ck_assert_str_eq(buf, "[fe80::1%1]:80");
	ck_assert_int_eq(anysock_join_hostport("[::1]", "80", buf, sizeof(buf)), ANYSOCK_E_BRACKET);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(anysock_join_hostport("", "80", buf, sizeof(buf)), ANYSOCK_E_EMPTY);
	ck_assert_int_eq(anysock_join_hostport("::1", "80", buf, 8), -ENOSPC); /* needs 9 */
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(anysock_join_hostport("::1", "80", buf, 9), 8);
	ck_assert_int_eq(anysock_join_hostport(NULL, "80", buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(anysock_join_hostport("::1", "80", NULL, 0), -EINVAL);
}
END_TEST

/* ANYSOCK_RESOLVE_DEFAULT_PORT: the service is what a host without a port
 * gets; a port in the host wins. */
START_TEST(test_resolve_default_port)
{
	static const struct {
		const char *host, *want;
	} cases[] = {
		{ "192.0.2.1", "192.0.2.1:80" },
		{ "192.0.2.1:443", "192.0.2.1:443" },
		{ "[2001:db8::1]", "[2001:db8::1]:80" },
		{ "[2001:db8::1]:8443", "[2001:db8::1]:8443" },
		{ "2001:db8::1", "[2001:db8::1]:80" },
	};
	anysock_addr out[2];
	char text[ANYSOCK_ADDRSTRLEN];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = anysock_resolve(cases[i].host, "80", SOCK_STREAM,
					ANYSOCK_RESOLVE_DEFAULT_PORT, 100, out, 2);
		ck_assert_msg(n == 1, "%s: %s", cases[i].host, anysock_strerror(n));
		anysock_ntop(&out[0], text, sizeof(text), 0);
		ck_assert_str_eq(text, cases[i].want);
		anysock_lookup *q;
		ck_assert_int_eq(anysock_resolve_start(cases[i].host, "80", SOCK_STREAM,
						       ANYSOCK_RESOLVE_DEFAULT_PORT, 100, &q),
				 0);
		ck_assert_int_eq(anysock_resolve_result(q, out, 2), 1);
		anysock_lookup_free(q);
		anysock_ntop(&out[0], text, sizeof(text), 0);
		ck_assert_str_eq(text, cases[i].want);
	}
	/* Without the flag, a port in both places is still an error. */
	ck_assert_int_eq(anysock_resolve("192.0.2.1:443", "80", SOCK_STREAM, 0, 100, out, 2),
			 ANYSOCK_E_PORTGIVEN);
	/* The default is checked like any service; the host's port too. */
	ck_assert_int_eq(anysock_resolve("192.0.2.1", "99999", SOCK_STREAM,
					 ANYSOCK_RESOLVE_DEFAULT_PORT, 100, out, 2),
			 ANYSOCK_E_PORTRANGE);
	ck_assert_int_eq(anysock_resolve("192.0.2.1:", "80", SOCK_STREAM,
					 ANYSOCK_RESOLVE_DEFAULT_PORT, 100, out, 2),
			 ANYSOCK_E_PORT);
}
END_TEST

/* host:port text: what anysock_pton takes, anysock_resolve takes alike,
 * and what one refuses the other refuses with the same code. (A 40-digit
 * port with leading zeros was port 80 to one and "bad port" to the other.) */
static const char *const endpoints[] = {
	"[::1]:0000000000000000000000000000000000000080",
	"127.0.0.1:0000000000000000000000000000000000000443",
	"[::1]:0000000000000000000000000000000000065536",
	"192.0.2.1:99999999999999999999999999999999",
	"[::1]:0",
	"[::1]:65535",
	"[::1]:65536",
	"[::1]:",
	"127.0.0.1:",
	"[::1]:+80",
	"127.0.0.1:+80",
	"[::1]:-1",
	"[::1]: 80",
	"127.0.0.1:80 ",
	"[fe80::1%1]:80",
	"[::ffff:192.0.2.1]:80",
};

START_TEST(test_split_agrees_with_pton)
{
	const char *text = endpoints[_i];
	anysock_addr a, out[4];
	int p = anysock_pton(text, &a, ANYSOCK_PTON_PORT);
	int r = anysock_resolve(text, NULL, SOCK_STREAM, ANYSOCK_RESOLVE_NUMERIC, 100, out, 4);
	ck_assert_msg(p == 0 ? r == 1 : r == p, "\"%s\": anysock_pton %s, anysock_resolve %s", text,
		      anysock_strerror(p), r > 0 ? "addresses" : anysock_strerror(r));
	if (p == 0) {
		anysock_addr_unmap(&a); /* the resolver's answers are canonical */
		ck_assert_msg(anysock_addr_equal(&a, &out[0], 0), "\"%s\": not the same endpoint",
			      text);
		ck_assert_int_eq(anysock_addr_port(&a), anysock_addr_port(&out[0]));
	}
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
	tcase_add_test(tc, test_split_hostport);
	tcase_add_test(tc, test_join_hostport);
	tcase_add_test(tc, test_resolve_default_port);
	tcase_add_loop_test(tc, test_split_agrees_with_pton, 0,
			    sizeof(endpoints) / sizeof(endpoints[0]));
	suite_add_tcase(s, tc);
	int failed = run_suite(s, true);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
