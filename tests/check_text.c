/*
 * check_text.c - anysock_ntop / anysock_pton: every form, every malformation,
 * every boundary, every buffer size.
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "anysock.h"
#include "check_main.h"

/* ---- Round trips: text in, canonical text out ------------------------------ */

static const struct {
	const char *in;
	unsigned pton_flags;
	const char *out; /* anysock_ntop(..., 0) of the result */
} good[] = {
	/* IPv4, bare and with ports, at the boundaries */
	{ "0.0.0.0", 0, "0.0.0.0:0" },
	{ "255.255.255.255", 0, "255.255.255.255:0" },
	{ "192.0.2.1", 0, "192.0.2.1:0" },
	{ "192.0.2.1:0", 0, "192.0.2.1:0" },
	{ "192.0.2.1:1", 0, "192.0.2.1:1" },
	{ "192.0.2.1:80", 0, "192.0.2.1:80" },
	{ "192.0.2.1:65535", 0, "192.0.2.1:65535" },
	{ "192.0.2.1:00080", 0, "192.0.2.1:80" },
	{ "10.0.0.0:8080", 0, "10.0.0.0:8080" },
	{ "1.22.133.244", 0, "1.22.133.244:0" },
	{ "9.99.100.199", 0, "9.99.100.199:0" },
	{ "200.250.255.0", 0, "200.250.255.0:0" },
	/* IPv6, RFC 5952 section 4: compression, case, leading zeros */
	{ "::", 0, "[::]:0" },
	{ "::1", 0, "[::1]:0" },
	{ "2001:db8::1", 0, "[2001:db8::1]:0" },
	{ "2001:DB8::1", 0, "[2001:db8::1]:0" },
	{ "2001:0db8:0000:0000:0000:0000:0000:0001", 0, "[2001:db8::1]:0" },
	{ "2001:db8:0:0:1:0:0:1", 0, "[2001:db8::1:0:0:1]:0" },
	{ "2001:db8:0:0:0:1:0:0", 0, "[2001:db8::1:0:0]:0" },
	{ "2001:0:0:1:0:0:0:1", 0, "[2001:0:0:1::1]:0" },
	{ "2001:db8:0:1:1:1:1:1", 0, "[2001:db8:0:1:1:1:1:1]:0" },
	{ "2001:db8::", 0, "[2001:db8::]:0" },
	{ "1:2:3:4:5:6:7:8", 0, "[1:2:3:4:5:6:7:8]:0" },
	{ "1:2:3:4:5:6:7::", 0, "[1:2:3:4:5:6:7:0]:0" },
	{ "::2:3:4:5:6:7:8", 0, "[0:2:3:4:5:6:7:8]:0" },
	{ "1::8", 0, "[1::8]:0" },
	{ "fe80::", 0, "[fe80::]:0" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0,
	  "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:0" },
	{ "1:0:0:0:0:0:0:0", 0, "[1::]:0" },
	{ "0:0:0:0:0:0:0:1", 0, "[::1]:0" },
	{ "a:0:b:0:c:0:d:0", 0, "[a:0:b:0:c:0:d:0]:0" },
	/* mapped and ::/96: dotted only for mapped (RFC 5952 section 5) */
	{ "::ffff:192.0.2.1", 0, "[::ffff:192.0.2.1]:0" },
	{ "::ffff:c000:201", 0, "[::ffff:192.0.2.1]:0" },
	{ "::FFFF:0.0.0.0", 0, "[::ffff:0.0.0.0]:0" },
	{ "::ffff:255.255.255.255", 0, "[::ffff:255.255.255.255]:0" },
	{ "::1.2.3.4", 0, "[::102:304]:0" },
	{ "::1:0", 0, "[::1:0]:0" },
	{ "::ffff:0", 0, "[::ffff:0]:0" },
	{ "::2", 0, "[::2]:0" },
	{ "::ffff:0:0:0", 0, "[::ffff:0:0:0]:0" },
	{ "64:ff9b::192.0.2.33", 0, "[64:ff9b::c000:221]:0" },
	{ "1:2:3:4:5:6:1.2.3.4", 0, "[1:2:3:4:5:6:102:304]:0" },
	/* brackets, ports, scopes */
	{ "[::1]", 0, "[::1]:0" },
	{ "[::1]:0", 0, "[::1]:0" },
	{ "[::1]:65535", 0, "[::1]:65535" },
	{ "[2001:db8::1]:443", 0, "[2001:db8::1]:443" },
	{ "[::ffff:192.0.2.1]:80", 0, "[::ffff:192.0.2.1]:80" },
	{ "fe80::1%1", 0, "[fe80::1%lo]:0" },
	{ "[fe80::1%1]:80", 0, "[fe80::1%lo]:80" },
	{ "[fe80::1%lo]:80", 0, "[fe80::1%lo]:80" },
	{ "fe80::1%lo", 0, "[fe80::1%lo]:0" },
	{ "[fe80::1%4294967295]:1", 0, "[fe80::1%4294967295]:1" },
	{ "[fe80::1%0]:1", 0, "[fe80::1]:1" },
	{ "2001:db8::1%7777", 0, "[2001:db8::1%7777]:0" },
	/* canonicalization on the way in */
	{ "[::ffff:192.0.2.1]:80", ANYSOCK_PTON_UNMAP, "192.0.2.1:80" },
	{ "::ffff:127.0.0.1", ANYSOCK_PTON_UNMAP, "127.0.0.1:0" },
	{ "::1.2.3.4", ANYSOCK_PTON_UNMAP, "[::102:304]:0" },
	{ "[::1]:8", ANYSOCK_PTON_PORT, "[::1]:8" },
	{ "1.2.3.4:9", ANYSOCK_PTON_PORT, "1.2.3.4:9" },
	{ "1.2.3.4", ANYSOCK_PTON_NOPORT, "1.2.3.4:0" },
	{ "[::1]", ANYSOCK_PTON_NOPORT, "[::1]:0" },
	{ "[fe80::1%1]:80", ANYSOCK_PTON_NUMERIC_SCOPE, "[fe80::1%lo]:80" },
};

START_TEST(test_good)
{
	const char *in = good[_i].in;
	anysock_addr a;
	char buf[ANYSOCK_ADDRSTRLEN];
	int r = anysock_pton(in, &a, good[_i].pton_flags);
	ck_assert_msg(r == 0, "pton(%s) = %d (%s)", in, r, anysock_strerror(r));
	r = anysock_ntop(&a, buf, sizeof(buf), 0);
	ck_assert_int_eq(r, (int)strlen(good[_i].out));
	ck_assert_str_eq(buf, good[_i].out);

	/* What we print, we parse back to the same address. */
	anysock_addr back;
	ck_assert_int_eq(anysock_pton(buf, &back, 0), 0);
	ck_assert(anysock_addr_equal(&a, &back, 0));

	/* Length-delimited input agrees with NUL-terminated input. */
	anysock_addr n;
	char padded[128];
	snprintf(padded, sizeof(padded), "%sXYZ", in);
	ck_assert_int_eq(anysock_pton_n(padded, strlen(in), &n, good[_i].pton_flags), 0);
	ck_assert(anysock_addr_equal(&a, &n, 0));
}
END_TEST

/* ---- Every kind of malformation and its error code ---------------------- */

static const struct {
	const char *in;
	unsigned flags;
	int err;
} bad[] = {
	{ "", 0, ANYSOCK_E_EMPTY },
	/* IPv4 strictness, as inet_pton */
	{ "1.2.3", 0, ANYSOCK_E_ADDR },
	{ "1.2.3.4.5", 0, ANYSOCK_E_ADDR },
	{ "1.2.3.", 0, ANYSOCK_E_ADDR },
	{ "1.2.3.4.", 0, ANYSOCK_E_ADDR },
	{ ".1.2.3", 0, ANYSOCK_E_ADDR },
	{ "1..2.3", 0, ANYSOCK_E_ADDR },
	{ "256.1.1.1", 0, ANYSOCK_E_ADDR },
	{ "1.2.3.256", 0, ANYSOCK_E_ADDR },
	{ "1.2.3.1000", 0, ANYSOCK_E_ADDR },
	{ "01.2.3.4", 0, ANYSOCK_E_ADDR },
	{ "1.2.3.04", 0, ANYSOCK_E_ADDR },
	{ "00.0.0.0", 0, ANYSOCK_E_ADDR },
	{ "0x1.2.3.4", 0, ANYSOCK_E_ADDR },
	{ "0x7f000001", 0, ANYSOCK_E_ADDR },
	{ "127.1", 0, ANYSOCK_E_ADDR },
	{ "2130706433", 0, ANYSOCK_E_ADDR },
	{ " 1.2.3.4", 0, ANYSOCK_E_ADDR },
	{ "1.2.3.4 ", 0, ANYSOCK_E_TRAILING },
	{ "1.2.3.4\n", 0, ANYSOCK_E_TRAILING },
	{ "1.2.3.4/24", 0, ANYSOCK_E_TRAILING },
	{ "1.2.3.-4", 0, ANYSOCK_E_ADDR },
	{ "+1.2.3.4", 0, ANYSOCK_E_ADDR },
	{ "a.b.c.d", 0, ANYSOCK_E_ADDR },
	{ "localhost", 0, ANYSOCK_E_ADDR },
	{ "example.com:80", 0, ANYSOCK_E_ADDR },
	{ "1.2.3.4%eth0", 0, ANYSOCK_E_SCOPE },
	{ "1.2.3.4%1", 0, ANYSOCK_E_SCOPE },
	/* IPv6 strictness, as inet_pton */
	{ ":", 0, ANYSOCK_E_ADDR },
	{ ":::", 0, ANYSOCK_E_ADDR },
	{ ":1", 0, ANYSOCK_E_ADDR },
	{ "1:", 0, ANYSOCK_E_ADDR },
	{ "1::2::3", 0, ANYSOCK_E_ADDR },
	{ "1:::2", 0, ANYSOCK_E_ADDR },
	{ "::1:", 0, ANYSOCK_E_ADDR },
	{ "1:2:3:4:5:6:7", 0, ANYSOCK_E_ADDR },
	{ "1:2:3:4:5:6:7:8:9", 0, ANYSOCK_E_ADDR },
	{ "1:2:3:4:5:6:7:8::", 0, ANYSOCK_E_ADDR },
	{ "::1:2:3:4:5:6:7:8", 0, ANYSOCK_E_ADDR },
	{ "12345::", 0, ANYSOCK_E_ADDR },
	{ "::00000", 0, ANYSOCK_E_ADDR },
	{ "g::1", 0, ANYSOCK_E_ADDR },
	{ "::1.2.3", 0, ANYSOCK_E_ADDR },
	{ "::1.2.3.4.5", 0, ANYSOCK_E_ADDR },
	{ "::01.2.3.4", 0, ANYSOCK_E_ADDR },
	{ "::256.2.3.4", 0, ANYSOCK_E_ADDR },
	{ "::a.2.3.4", 0, ANYSOCK_E_ADDR },
	{ "1.2.3.4::", 0, ANYSOCK_E_ADDR },
	{ "::1.2.3.4:5", 0, ANYSOCK_E_ADDR },
	{ "1:2:3:4:5:6:7:1.2.3.4", 0, ANYSOCK_E_ADDR },
	{ "::1:2:3:4:5:6:1.2.3.4", 0, ANYSOCK_E_ADDR },
	{ "::1 ", 0, ANYSOCK_E_TRAILING },
	{ "::1/64", 0, ANYSOCK_E_TRAILING },
	{ "::1x", 0, ANYSOCK_E_ADDR },
	{ "1.2.3.4x", 0, ANYSOCK_E_ADDR },
	{ "1.2.3.4x:80", 0, ANYSOCK_E_ADDR },
	{ "1:80", 0, ANYSOCK_E_ADDR },
	{ "1.2.3.4 :80", 0, ANYSOCK_E_TRAILING },
	/* brackets */
	{ "[", 0, ANYSOCK_E_BRACKET },
	{ "[::1", 0, ANYSOCK_E_BRACKET },
	{ "[::1:80", 0, ANYSOCK_E_BRACKET },
	{ "::1]", 0, ANYSOCK_E_BRACKET },
	{ "::1]:80", 0, ANYSOCK_E_BRACKET },
	{ "[[::1]]", 0, ANYSOCK_E_BRACKET },
	{ "[1.2.3.4]", 0, ANYSOCK_E_BRACKET },
	{ "[1.2.3.4]:80", 0, ANYSOCK_E_BRACKET },
	{ "[]", 0, ANYSOCK_E_ADDR },
	{ "[]:80", 0, ANYSOCK_E_ADDR },
	{ "[::1]]", 0, ANYSOCK_E_TRAILING },
	{ "[::1]80", 0, ANYSOCK_E_TRAILING },
	{ "[::1] :80", 0, ANYSOCK_E_TRAILING },
	{ "[::g]:80", 0, ANYSOCK_E_ADDR },
	/* ports */
	{ "1.2.3.4:", 0, ANYSOCK_E_PORT },
	{ "[::1]:", 0, ANYSOCK_E_PORT },
	{ "1.2.3.4:http", 0, ANYSOCK_E_PORT },
	{ "1.2.3.4:-1", 0, ANYSOCK_E_PORT },
	{ "1.2.3.4:+80", 0, ANYSOCK_E_PORT },
	{ "1.2.3.4: 80", 0, ANYSOCK_E_PORT },
	{ "1.2.3.4:80 ", 0, ANYSOCK_E_PORT },
	{ "1.2.3.4:0x50", 0, ANYSOCK_E_PORT },
	{ "[::1]:80:81", 0, ANYSOCK_E_PORT },
	{ "[::1]:8a", 0, ANYSOCK_E_PORT },
	{ "1.2.3.4:65536", 0, ANYSOCK_E_PORTRANGE },
	{ "[::1]:65536", 0, ANYSOCK_E_PORTRANGE },
	{ "[::1]:99999", 0, ANYSOCK_E_PORTRANGE },
	{ "[::1]:4294967376", 0, ANYSOCK_E_PORTRANGE },
	{ "[::1]:99999999999999999999999", 0, ANYSOCK_E_PORTRANGE },
	{ "1.2.3.4", ANYSOCK_PTON_PORT, ANYSOCK_E_NOPORT },
	{ "[::1]", ANYSOCK_PTON_PORT, ANYSOCK_E_NOPORT },
	{ "::1", ANYSOCK_PTON_PORT, ANYSOCK_E_NOPORT },
	{ "1.2.3.4:1", ANYSOCK_PTON_NOPORT, ANYSOCK_E_PORTGIVEN },
	{ "[::1]:1", ANYSOCK_PTON_NOPORT, ANYSOCK_E_PORTGIVEN },
	/* scopes */
	{ "fe80::1%", 0, ANYSOCK_E_SCOPE },
	{ "[fe80::1%]:80", 0, ANYSOCK_E_SCOPE },
	{ "fe80::1%4294967296", 0, ANYSOCK_E_SCOPE },
	{ "fe80::1%12a", 0, ANYSOCK_E_SCOPE },
	{ "fe80::1%no-such-if0", 0, ANYSOCK_E_SCOPE },
	{ "fe80::1%averyveryverylongifname", 0, ANYSOCK_E_SCOPE },
	{ "fe80::1%lo", ANYSOCK_PTON_NUMERIC_SCOPE, ANYSOCK_E_SCOPE },
	{ "[fe80::1%lo:80", 0, ANYSOCK_E_BRACKET },
	{ "%lo", 0, ANYSOCK_E_ADDR },
	{ "zz%lo", 0, ANYSOCK_E_ADDR },
};

START_TEST(test_bad)
{
	anysock_addr a, before;
	memset(&a, 0xa5, sizeof(a));
	before = a;
	int r = anysock_pton(bad[_i].in, &a, bad[_i].flags);
	ck_assert_msg(r == bad[_i].err, "pton(\"%s\") = %d (%s), want %d (%s)",
		      bad[_i].in, r, anysock_strerror(r), bad[_i].err,
		      anysock_strerror(bad[_i].err));
	ck_assert_msg(memcmp(&a, &before, sizeof(a)) == 0,
		      "pton(\"%s\") wrote to *out on failure", bad[_i].in);
}
END_TEST

START_TEST(test_pton_args)
{
	anysock_addr a;
	ck_assert_int_eq(anysock_pton(NULL, &a, 0), -EINVAL);
	ck_assert_int_eq(anysock_pton("::1", NULL, 0), -EINVAL);
	ck_assert_int_eq(anysock_pton_n(NULL, 3, &a, 0), -EINVAL);
	ck_assert_int_eq(anysock_pton_n("::1", 0, &a, 0), ANYSOCK_E_EMPTY);
	/* An embedded NUL ends nothing: it is junk after a valid address. */
	ck_assert_int_eq(anysock_pton_n("1.2.3.4\0:80", 11, &a, 0), ANYSOCK_E_TRAILING);
	ck_assert_int_eq(anysock_pton_n("[::1]\0", 6, &a, 0), ANYSOCK_E_TRAILING);
	ck_assert_int_eq(anysock_pton_n("fe80::1%l\0", 10, &a, 0), ANYSOCK_E_SCOPE);
	/* Length-delimited: stops exactly at len. */
	ck_assert_int_eq(anysock_pton_n("10.0.0.12", 8, &a, 0), 0);
	ck_assert_int_eq(a.u.sin.sin_addr.s_addr, htonl(0x0a000001));
	ck_assert_int_eq(anysock_pton_n("[::1]:80", 5, &a, 0), 0);
	ck_assert_int_eq(anysock_addr_port(&a), 0);
	ck_assert_int_eq(anysock_pton_n("[::1]:80", 4, &a, 0), ANYSOCK_E_BRACKET);
}
END_TEST

/* ---- What pton stores --------------------------------------------------- */

START_TEST(test_pton_stores)
{
	anysock_addr a;
	ck_assert_int_eq(anysock_pton("[2001:db8::7%3]:4242", &a, 0), 0);
	ck_assert_int_eq(a.u.sa.sa_family, AF_INET6);
	ck_assert_uint_eq(a.len, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(ntohs(a.u.sin6.sin6_port), 4242);
	ck_assert_uint_eq(a.u.sin6.sin6_scope_id, 3);
	ck_assert_uint_eq(a.u.sin6.sin6_flowinfo, 0);
	ck_assert_int_eq(a.u.sin6.sin6_addr.s6_addr[15], 7);

	ck_assert_int_eq(anysock_pton("203.0.113.9:53", &a, 0), 0);
	ck_assert_int_eq(a.u.sa.sa_family, AF_INET);
	ck_assert_uint_eq(a.len, sizeof(struct sockaddr_in));
	ck_assert_int_eq(a.u.sin.sin_addr.s_addr, htonl(0xcb007109));
	ck_assert_int_eq(ntohs(a.u.sin.sin_port), 53);

	/* Unmapping drops the scope: it has no meaning for IPv4. */
	ck_assert_int_eq(anysock_pton("[::ffff:10.1.2.3%1]:7", &a, ANYSOCK_PTON_UNMAP), 0);
	ck_assert_int_eq(a.u.sa.sa_family, AF_INET);
	ck_assert_int_eq(anysock_addr_port(&a), 7);
}
END_TEST

/* ---- ntop flags, buffers and non-IP families --------------------------------- */

START_TEST(test_ntop_flags)
{
	anysock_addr a;
	char buf[ANYSOCK_ADDRSTRLEN];
	ck_assert_int_eq(anysock_pton("[fe80::1%1]:80", &a, 0), 0);
	anysock_ntop(&a, buf, sizeof(buf), ANYSOCK_NTOP_NOPORT);
	ck_assert_str_eq(buf, "fe80::1%lo");
	anysock_ntop(&a, buf, sizeof(buf), ANYSOCK_NTOP_NOSCOPE);
	ck_assert_str_eq(buf, "[fe80::1]:80");
	anysock_ntop(&a, buf, sizeof(buf), ANYSOCK_NTOP_NUMERIC_SCOPE);
	ck_assert_str_eq(buf, "[fe80::1%1]:80");
	anysock_ntop(&a, buf, sizeof(buf), ANYSOCK_NTOP_NOPORT | ANYSOCK_NTOP_NOSCOPE);
	ck_assert_str_eq(buf, "fe80::1");

	ck_assert_int_eq(anysock_pton("[::ffff:192.0.2.1]:80", &a, 0), 0);
	anysock_ntop(&a, buf, sizeof(buf), ANYSOCK_NTOP_UNMAP);
	ck_assert_str_eq(buf, "192.0.2.1:80");
	anysock_ntop(&a, buf, sizeof(buf), ANYSOCK_NTOP_UNMAP | ANYSOCK_NTOP_NOPORT);
	ck_assert_str_eq(buf, "192.0.2.1");
	anysock_ntop(&a, buf, sizeof(buf), ANYSOCK_NTOP_NOPORT);
	ck_assert_str_eq(buf, "::ffff:192.0.2.1");

	ck_assert_int_eq(anysock_pton("192.0.2.1:80", &a, 0), 0);
	ck_assert_int_eq(anysock_ntop(&a, buf, sizeof(buf), ANYSOCK_NTOP_NOPORT), 9);
	ck_assert_str_eq(buf, "192.0.2.1");
}
END_TEST

/* An index no interface has prints as a number. */
START_TEST(test_ntop_unknown_scope)
{
	unsigned idx = 7777;
	char name[IF_NAMESIZE];
	while (if_indextoname(idx, name) != NULL)
		idx++;
	struct in6_addr ip;
	inet_pton(AF_INET6, "fe80::2", &ip);
	anysock_addr a;
	ck_assert_int_eq(anysock_addr_from_in6(&a, &ip, 9, idx), 0);
	char buf[ANYSOCK_ADDRSTRLEN], want[64];
	snprintf(want, sizeof(want), "[fe80::2%%%u]:9", idx);
	anysock_ntop(&a, buf, sizeof(buf), 0);
	ck_assert_str_eq(buf, want);
}
END_TEST

/* The longest forms fit ANYSOCK_ADDRSTRLEN. */
START_TEST(test_ntop_longest)
{
	anysock_addr a;
	char buf[ANYSOCK_ADDRSTRLEN];
	ck_assert_int_eq(anysock_pton("[::ffff:255.255.255.255%4294967295]:65535", &a, 0), 0);
	int n = anysock_ntop(&a, buf, sizeof(buf), 0);
	ck_assert_str_eq(buf, "[::ffff:255.255.255.255%4294967295]:65535");
	ck_assert_int_lt(n, ANYSOCK_ADDRSTRLEN);
	ck_assert_int_eq(anysock_pton("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%4294967295]:65535",
				      &a, 0), 0);
	n = anysock_ntop(&a, buf, sizeof(buf), 0);
	ck_assert_int_eq(n, 58);

	char path[sizeof(a.u.un.sun_path) + 1];
	memset(path, 'p', sizeof(path) - 1);
	path[0] = '@';
	path[sizeof(path) - 1] = '\0';
	ck_assert_int_eq(anysock_addr_from_unix(&a, path), 0);
	n = anysock_ntop(&a, buf, sizeof(buf), 0);
	ck_assert_int_eq(n, (int)sizeof(a.u.un.sun_path));
	ck_assert_int_lt(n, ANYSOCK_ADDRSTRLEN);
}
END_TEST

/* Every buffer size from 0 to the exact fit: -ENOSPC and nothing written
 * past size, then success at exactly strlen + 1. */
static const char *sized[] = {
	"0.0.0.0:0", "255.255.255.255:65535", "[::]:0", "[::1]:80",
	"[2001:db8::1]:443", "[::ffff:192.0.2.1]:80", "[fe80::1%1]:8080",
	"[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535",
};

START_TEST(test_ntop_sizes)
{
	anysock_addr a;
	ck_assert_int_eq(anysock_pton(sized[_i], &a, 0), 0);
	char full[ANYSOCK_ADDRSTRLEN];
	int want = anysock_ntop(&a, full, sizeof(full), 0);
	ck_assert_int_gt(want, 0);
	for (unsigned noport = 0; noport <= 1; noport++) {
		unsigned flags = noport ? ANYSOCK_NTOP_NOPORT : 0;
		want = anysock_ntop(&a, full, sizeof(full), flags);
		for (size_t size = 0; size <= (size_t)want + 1; size++) {
			/* A heap block of exactly size bytes: ASan sees any overrun. */
			char *buf = malloc(size ? size : 1);
			ck_assert_ptr_nonnull(buf);
			memset(buf, 'X', size ? size : 1);
			int r = anysock_ntop(&a, buf, size, flags);
			if (size <= (size_t)want) {
				ck_assert_int_eq(r, -ENOSPC);
				if (size > 0)
					ck_assert_int_eq(buf[0], '\0');
				else
					ck_assert_int_eq(buf[0], 'X');
			} else {
				ck_assert_int_eq(r, want);
				ck_assert_str_eq(buf, full);
			}
			free(buf);
		}
	}
}
END_TEST

START_TEST(test_ntop_bad_input)
{
	anysock_addr a;
	char buf[ANYSOCK_ADDRSTRLEN];
	memset(&a, 0, sizeof(a));
	/* No address: -EINVAL, and a string to print all the same. */
	memset(buf, 0x02, sizeof(buf));
	ck_assert_int_eq(anysock_ntop(&a, buf, sizeof(buf), 0), -EINVAL);
	ck_assert_str_eq(buf, "");
	memset(buf, 0x02, sizeof(buf));
	ck_assert_int_eq(anysock_ntop(NULL, buf, sizeof(buf), 0), -EINVAL);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(anysock_ntop(NULL, buf, 0, 0), -EINVAL);
	anysock_addr_loopback(&a, AF_INET, 1);
	ck_assert_int_eq(anysock_ntop(&a, NULL, 10, 0), -EINVAL);
	a.u.sa.sa_family = AF_APPLETALK;
	ck_assert_int_eq(anysock_ntop(&a, buf, sizeof(buf), 0), -EAFNOSUPPORT);
	anysock_addr_loopback(&a, AF_INET6, 1);
	a.len = sizeof(struct sockaddr_in);
	ck_assert_int_eq(anysock_ntop(&a, buf, sizeof(buf), 0), -EINVAL);
}
END_TEST

START_TEST(test_ntop_unix)
{
	anysock_addr a;
	char buf[ANYSOCK_ADDRSTRLEN];
	ck_assert_int_eq(anysock_addr_from_unix(&a, "/run/echo.sock"), 0);
	ck_assert_int_eq(anysock_ntop(&a, buf, sizeof(buf), 0), 14);
	ck_assert_str_eq(buf, "/run/echo.sock");
	ck_assert_int_eq(anysock_addr_from_unix(&a, "@echo"), 0);
	anysock_ntop(&a, buf, sizeof(buf), 0);
	ck_assert_str_eq(buf, "@echo");
	a.u.un.sun_path[2] = '\n';
	anysock_ntop(&a, buf, sizeof(buf), 0);
	ck_assert_str_eq(buf, "@e?ho");
	a.len = (socklen_t)offsetof(struct sockaddr_un, sun_path);
	anysock_ntop(&a, buf, sizeof(buf), 0);
	ck_assert_str_eq(buf, "(unnamed)");
}
END_TEST

static Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("pton");
	tcase_add_loop_test(tc, test_good, 0, sizeof(good) / sizeof(good[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_pton_args);
	tcase_add_test(tc, test_pton_stores);
	suite_add_tcase(s, tc);
	tc = tcase_create("ntop");
	tcase_add_test(tc, test_ntop_flags);
	tcase_add_test(tc, test_ntop_unknown_scope);
	tcase_add_test(tc, test_ntop_longest);
	tcase_add_loop_test(tc, test_ntop_sizes, 0, sizeof(sized) / sizeof(sized[0]));
	tcase_add_test(tc, test_ntop_bad_input);
	tcase_add_test(tc, test_ntop_unix);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed = run_suite(text_suite(), false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
