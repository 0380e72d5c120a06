/*
 * check_proxy.c - PROXY protocol v1 and v2: the spec's forms, every prefix
 * of a header, one error per malformation, round trips, reading a header
 * off a socket without touching the data behind it.
 *
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "anysock.h"
#include "check_main.h"

static const unsigned char sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
				       0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

static void text_is(const anysock_addr *a, const char *want)
{
	char buf[ANYSOCK_ADDRSTRLEN];
	ck_assert_int_ge(anysock_ntop(a, buf, sizeof(buf), 0), 0);
	ck_assert_str_eq(buf, want);
}

static int parse(const char *text, anysock_proxy_info *info)
{
	return anysock_proxy_parse(text, strlen(text), info);
}

START_TEST(test_v1)
{
	anysock_proxy_info p;
	const char *h = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\nGET / HTTP/1.0\r\n";
	int len = (int)(strstr(h, "GET") - h);
	ck_assert_int_eq(parse(h, &p), len);
	ck_assert_int_eq(p.version, 1);
	ck_assert(!p.local);
	ck_assert_int_eq(p.socktype, SOCK_STREAM);
	text_is(&p.src, "192.0.2.1:56324");
	text_is(&p.dst, "198.51.100.2:443");
	/* IPv6, and a mapped client that comes out as IPv4. */
	ck_assert_int_gt(parse("PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n", &p), 0);
	text_is(&p.src, "[2001:db8::1]:1");
	text_is(&p.dst, "[2001:db8::2]:65535");
	ck_assert_int_gt(parse("PROXY TCP6 ::ffff:192.0.2.9 2001:db8::2 0 80\r\n", &p), 0);
	text_is(&p.src, "192.0.2.9:0");
	/* UNKNOWN: whatever follows is ignored, up to 107 bytes. */
	ck_assert_int_eq(parse("PROXY UNKNOWN\r\n", &p), 15);
	ck_assert(p.local);
	ck_assert_int_eq(anysock_addr_family(&p.src), -EINVAL);
	char longest[128];
	memset(longest, 'x', sizeof(longest));
	memcpy(longest, "PROXY UNKNOWN ", 14);
	memcpy(longest + 105, "\r\n", 3);
	ck_assert_int_eq(parse(longest, &p), 107);
	memcpy(longest + 105, "xx\r\n", 5);
	ck_assert_int_eq(parse(longest, &p), ANYSOCK_E_PROXY_LENGTH);
}
END_TEST

START_TEST(test_v1_malformed)
{
	static const struct {
		const char *text;
		int code;
	} bad[] = {
		{ "GET / HTTP/1.0\r\n", ANYSOCK_E_PROXY_SIGNATURE },
		{ "proxy TCP4 192.0.2.1 192.0.2.2 1 2\r\n", ANYSOCK_E_PROXY_SIGNATURE },
		{ "PROXY TCP5 192.0.2.1 192.0.2.2 1 2\r\n", ANYSOCK_E_PROXY_FAMILY },
		{ "PROXY UDP4 192.0.2.1 192.0.2.2 1 2\r\n", ANYSOCK_E_PROXY_FAMILY },
		{ "PROXY TCP4 192.0.2.1 192.0.2.2 01 2\r\n", ANYSOCK_E_PROXY_PORT },
		{ "PROXY TCP4 192.0.2.1 192.0.2.2 1 65536\r\n", ANYSOCK_E_PROXY_PORT },
		{ "PROXY TCP4 192.0.2.1 192.0.2.2 1 -2\r\n", ANYSOCK_E_PROXY_PORT },
		{ "PROXY TCP4 2001:db8::1 192.0.2.2 1 2\r\n", ANYSOCK_E_PROXY_ADDRESS },
		{ "PROXY TCP6 192.0.2.1 2001:db8::2 1 2\r\n", ANYSOCK_E_PROXY_ADDRESS },
		{ "PROXY TCP6 [2001:db8::1] 2001:db8::2 1 2\r\n", ANYSOCK_E_PROXY_ADDRESS },
		{ "PROXY TCP6 fe80::1%1 2001:db8::2 1 2\r\n", ANYSOCK_E_PROXY_ADDRESS },
		{ "PROXY TCP4 192.0.2.01 192.0.2.2 1 2\r\n", ANYSOCK_E_PROXY_ADDRESS },
		{ "PROXY TCP4  192.0.2.1 192.0.2.2 1 2\r\n", ANYSOCK_E_PROXY_SYNTAX },
		{ "PROXY TCP4 192.0.2.1 192.0.2.2 1 2 \r\n", ANYSOCK_E_PROXY_SYNTAX },
		{ "PROXY TCP4 192.0.2.1 192.0.2.2 1\r\n", ANYSOCK_E_PROXY_SYNTAX },
		{ "PROXY TCP4 192.0.2.1 192.0.2.2 1 2 3\r\n", ANYSOCK_E_PROXY_SYNTAX },
		{ "PROXY TCP4 192.0.2.1 192.0.2.2 1 2\n\r\n", ANYSOCK_E_PROXY_PORT },
		{ "PROXY UNKNOWNX\r\n", ANYSOCK_E_PROXY_SYNTAX },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		anysock_proxy_info p;
		int rc = parse(bad[i].text, &p);
		ck_assert_msg(rc == bad[i].code, "'%s': %d (%s), want %d", bad[i].text, rc,
			      anysock_strerror(rc), bad[i].code);
	}
}
END_TEST

/* A v2 header by hand, as the spec lays it out. */
static size_t v2(unsigned char *b, unsigned ver_cmd, unsigned fam, const void *body, size_t len)
{
	memcpy(b, sig, 12);
	b[12] = (unsigned char)ver_cmd;
	b[13] = (unsigned char)fam;
	b[14] = (unsigned char)(len >> 8);
	b[15] = (unsigned char)len;
	memcpy(b + 16, body, len);
	return 16 + len;
}

START_TEST(test_v2)
{
	unsigned char b[512];
	anysock_proxy_info p;
	/* TCP over IPv4: 192.0.2.1:56324 -> 198.51.100.2:443, one NOOP TLV. */
	unsigned char inet[] = { 192, 0, 2, 1, 198, 51, 100, 2, 0xdc, 0x04, 0x01, 0xbb,
				 0x04, 0x00, 0x03, 'a', 'b', 'c' };
	size_t n = v2(b, 0x21, 0x11, inet, sizeof(inet));
	b[n] = 'D'; /* data after the header */
	ck_assert_int_eq(anysock_proxy_parse(b, n + 1, &p), (int)n);
	ck_assert_int_eq(p.version, 2);
	ck_assert_int_eq(p.socktype, SOCK_STREAM);
	text_is(&p.src, "192.0.2.1:56324");
	text_is(&p.dst, "198.51.100.2:443");
	ck_assert_uint_eq(p.tlv_offset, 28);
	ck_assert_uint_eq(p.tlv_len, 6);
	/* Every shorter prefix asks for more. */
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(anysock_proxy_parse(b, i, &p), -EAGAIN);
	/* UDP over IPv6 with a mapped source. */
	unsigned char inet6[36] = { 0 };
	inet6[10] = inet6[11] = 0xff;
	inet6[12] = 192, inet6[13] = 0, inet6[14] = 2, inet6[15] = 7;
	inet6[16] = 0x20, inet6[17] = 0x01, inet6[18] = 0x0d, inet6[19] = 0xb8, inet6[31] = 1;
	inet6[33] = 53, inet6[35] = 53;
	n = v2(b, 0x21, 0x22, inet6, sizeof(inet6));
	ck_assert_int_eq(anysock_proxy_parse(b, n, &p), (int)n);
	ck_assert_int_eq(p.socktype, SOCK_DGRAM);
	text_is(&p.src, "192.0.2.7:53");
	text_is(&p.dst, "[2001:db8::1]:53");
	/* LOCAL (a health check): the block is skipped, whatever it holds. */
	n = v2(b, 0x20, 0x11, inet, 5);
	ck_assert_int_eq(anysock_proxy_parse(b, n, &p), (int)n);
	ck_assert(p.local);
	/* PROXY with an unspecified family: no addresses either. */
	n = v2(b, 0x21, 0x00, inet, 0);
	ck_assert_int_eq(anysock_proxy_parse(b, n, &p), 16);
	ck_assert(p.local);
}
END_TEST

START_TEST(test_v2_malformed)
{
	unsigned char b[512], inet[12] = { 192, 0, 2, 1, 192, 0, 2, 2, 0, 1, 0, 2 };
	unsigned char tlv[15] = { 192, 0, 2, 1, 192, 0, 2, 2, 0, 1, 0, 2, 0x04, 0x00, 0x01 };
	anysock_proxy_info p;
	size_t n = v2(b, 0x11, 0x11, inet, sizeof(inet));
	ck_assert_int_eq(anysock_proxy_parse(b, n, &p), ANYSOCK_E_PROXY_VERSION);
	n = v2(b, 0x22, 0x11, inet, sizeof(inet));
	ck_assert_int_eq(anysock_proxy_parse(b, n, &p), ANYSOCK_E_PROXY_VERSION);
	n = v2(b, 0x21, 0x41, inet, sizeof(inet));
	ck_assert_int_eq(anysock_proxy_parse(b, n, &p), ANYSOCK_E_PROXY_FAMILY);
	n = v2(b, 0x21, 0x13, inet, sizeof(inet));
	ck_assert_int_eq(anysock_proxy_parse(b, n, &p), ANYSOCK_E_PROXY_FAMILY);
	n = v2(b, 0x21, 0x11, inet, 11);
	ck_assert_int_eq(anysock_proxy_parse(b, n, &p), ANYSOCK_E_PROXY_LENGTH);
	n = v2(b, 0x21, 0x21, inet, 12); /* IPv6 needs 36 */
	ck_assert_int_eq(anysock_proxy_parse(b, n, &p), ANYSOCK_E_PROXY_LENGTH);
	n = v2(b, 0x21, 0x11, tlv, sizeof(tlv)); /* TLV says 1 byte, none left */
	ck_assert_int_eq(anysock_proxy_parse(b, n, &p), ANYSOCK_E_PROXY_TLV);
	n = v2(b, 0x21, 0x11, tlv, 14); /* two bytes of a TLV header */
	ck_assert_int_eq(anysock_proxy_parse(b, n, &p), ANYSOCK_E_PROXY_TLV);
	ck_assert_int_eq(anysock_proxy_parse(NULL, 0, &p), -EAGAIN);
	ck_assert_int_eq(anysock_proxy_parse(b, 5, NULL), -EINVAL);
}
END_TEST

static anysock_addr ad(const char *text)
{
	anysock_addr a;
	ck_assert_int_eq(anysock_pton(text, &a, 0), 0);
	return a;
}

START_TEST(test_round_trips)
{
	static const char *pairs[][4] = {
		/* src, dst, as parsed back */
		{ "192.0.2.1:5", "192.0.2.2:6", "192.0.2.1:5", "192.0.2.2:6" },
		{ "[2001:db8::1]:5", "[2001:db8::2]:6", "[2001:db8::1]:5", "[2001:db8::2]:6" },
		{ "[::ffff:192.0.2.1]:5", "192.0.2.2:6", "192.0.2.1:5", "192.0.2.2:6" },
		{ "192.0.2.1:5", "[2001:db8::2]:6", "192.0.2.1:5", "[2001:db8::2]:6" },
		{ "[fe80::1%1]:5", "[fe80::2%1]:6", "[fe80::1]:5", "[fe80::2]:6" },
	};
	for (int version = 1; version <= 2; version++) {
		for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
			anysock_addr s = ad(pairs[i][0]), d = ad(pairs[i][1]);
			char buf[ANYSOCK_PROXY_MAXLEN];
			int n = anysock_proxy_encode(version, SOCK_STREAM, &s, &d, buf, sizeof(buf));
			ck_assert_int_gt(n, 0);
			anysock_proxy_info p;
			ck_assert_int_eq(anysock_proxy_parse(buf, (size_t)n, &p), n);
			ck_assert_int_eq(p.version, version);
			text_is(&p.src, pairs[i][2]);
			text_is(&p.dst, pairs[i][3]);
		}
	}
	/* v1 text is exactly the spec's. */
	anysock_addr s = ad("192.0.2.1:56324"), d = ad("198.51.100.2:443");
	char buf[ANYSOCK_PROXY_MAXLEN];
	ck_assert_int_eq(anysock_proxy_encode(1, SOCK_STREAM, &s, &d, buf, sizeof(buf)), 45);
	ck_assert_str_eq(buf, "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n");
	ck_assert_int_eq(anysock_proxy_encode(1, SOCK_STREAM, &s, &d, buf, 45), -ENOSPC);
	/* LOCAL / UNKNOWN, and what v1 cannot say. */
	ck_assert_int_eq(anysock_proxy_encode(1, 0, NULL, NULL, buf, sizeof(buf)), 15);
	ck_assert_int_eq(anysock_proxy_encode(1, SOCK_DGRAM, &s, &d, buf, sizeof(buf)), 15);
	ck_assert_int_eq(anysock_proxy_encode(2, SOCK_STREAM, NULL, NULL, buf, sizeof(buf)), 16);
	ck_assert_int_eq((unsigned char)buf[12], 0x20);
	anysock_addr u1, u2;
	anysock_addr_from_unix(&u1, "/run/a.sock");
	anysock_addr_from_unix(&u2, "/run/b.sock");
	int n = anysock_proxy_encode(2, SOCK_STREAM, &u1, &u2, buf, sizeof(buf));
	ck_assert_int_eq(n, 232);
	anysock_proxy_info p;
	ck_assert_int_eq(anysock_proxy_parse(buf, (size_t)n, &p), n);
	ck_assert_str_eq(p.src.u.un.sun_path, "/run/a.sock");
	ck_assert_str_eq(p.dst.u.un.sun_path, "/run/b.sock");
	ck_assert_int_eq(anysock_proxy_encode(1, SOCK_STREAM, &u1, &u2, buf, sizeof(buf)), 15);
	/* Bad arguments. */
	ck_assert_int_eq(anysock_proxy_encode(3, SOCK_STREAM, &s, &d, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(anysock_proxy_encode(2, SOCK_STREAM, &s, NULL, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(anysock_proxy_encode(2, SOCK_STREAM, &s, &u2, buf, sizeof(buf)),
			 -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_proxy_encode(2, SOCK_RAW, &s, &d, buf, sizeof(buf)), -EINVAL);
}
END_TEST

START_TEST(test_read_from_socket)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	anysock_addr s = ad("[2001:db8::1]:5"), d = ad("[2001:db8::2]:6");
	char buf[ANYSOCK_PROXY_MAXLEN + 8];
	for (int version = 1; version <= 2; version++) {
		int n = anysock_proxy_encode(version, SOCK_STREAM, &s, &d, buf, sizeof(buf));
		memcpy(buf + n, "data", 4);
		/* In two pieces, the data right behind the header. */
		ck_assert_int_eq(write(sv[0], buf, 10), 10);
		ck_assert_int_eq(write(sv[0], buf + 10, (size_t)n - 10 + 4), n - 10 + 4);
		anysock_proxy_info p;
		ck_assert_int_eq(anysock_proxy_read(sv[1], &p, 1000), n);
		text_is(&p.src, "[2001:db8::1]:5");
		char rest[8];
		ck_assert_int_eq(recv(sv[1], rest, sizeof(rest), 0), 4);
		ck_assert_int_eq(memcmp(rest, "data", 4), 0);
	}
	/* The shortest header, then data: not one byte of it taken. */
	ck_assert_int_eq(write(sv[0], "PROXY UNKNOWN\r\nHELLO", 20), 20);
	anysock_proxy_info p;
	ck_assert_int_eq(anysock_proxy_read(sv[1], &p, 1000), 15);
	char rest[8];
	ck_assert_int_eq(recv(sv[1], rest, sizeof(rest), 0), 5);
	/* Not a header; half a header and silence; half and gone. */
	ck_assert_int_eq(write(sv[0], "GET / HTTP/1.0\r\n", 16), 16);
	ck_assert_int_eq(anysock_proxy_read(sv[1], &p, 1000), ANYSOCK_E_PROXY_SIGNATURE);
	while (recv(sv[1], rest, sizeof(rest), MSG_DONTWAIT) > 0)
		;
	ck_assert_int_eq(write(sv[0], "PROXY TCP4 192", 14), 14);
	ck_assert_int_eq(anysock_proxy_read(sv[1], &p, 50), -ETIMEDOUT);
	close(sv[0]);
	ck_assert_int_eq(anysock_proxy_read(sv[1], &p, 1000), -ECONNRESET);
	close(sv[1]);
}
END_TEST

/* A v1 line is 107 bytes at most, CRLF included, whether parsed from a
 * buffer or read from a socket: 107 passes, 108 does not. */
START_TEST(test_v1_length_bound)
{
	for (size_t total = 107; total <= 108; total++) {
		char line[128];
		memset(line, 'x', sizeof(line));
		memcpy(line, "PROXY UNKNOWN ", 14);
		memcpy(line + total - 2, "\r\n", 2);
		int want = total == 107 ? 107 : ANYSOCK_E_PROXY_LENGTH;
		anysock_proxy_info p;
		ck_assert_int_eq(anysock_proxy_parse(line, total, &p), want);
		ck_assert_int_eq(anysock_proxy_parse(line, sizeof(line), &p), want);
		int sv[2];
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		ck_assert_int_eq(write(sv[0], line, total), (ssize_t)total);
		ck_assert_int_eq(anysock_proxy_read(sv[1], &p, 1000), want);
		close(sv[0]);
		close(sv[1]);
	}
}
END_TEST

/* A signal ends the wait for a header, as every wait (anysock(3)). */
START_TEST(test_read_signal)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(write(sv[0], "PROXY TCP4", 10), 10); /* half a header */
	anysock_proxy_info info;
	double t0 = mono_seconds();
	signal_in_ms(100);
	int rc = anysock_proxy_read(sv[1], &info, 5000);
	double took = mono_seconds() - t0;
	ck_assert_msg(rc == -EINTR, "got %s after %.3f s", anysock_strerror(rc), took);
	ck_assert_msg(took < 1.0, "a signal at 100 ms ended the wait after %.3f s", took);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("proxy");
	TCase *tc = tcase_create("proxy");
	tcase_add_test(tc, test_v1);
	tcase_add_test(tc, test_v1_malformed);
	tcase_add_test(tc, test_v2);
	tcase_add_test(tc, test_v2_malformed);
	tcase_add_test(tc, test_round_trips);
	tcase_add_test(tc, test_read_from_socket);
	tcase_add_test(tc, test_read_signal);
	tcase_add_test(tc, test_v1_length_bound);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
