/*
 * check_addr.c - the anysock_addr value type.
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "anysock.h"
#include "check_main.h"

static anysock_addr parse(const char *text)
{
	anysock_addr a;
	int r = anysock_pton(text, &a, 0);
	ck_assert_msg(r == 0, "pton(%s): %s", text, anysock_strerror(r));
	return a;
}

/* ---- Import from struct sockaddr ----------------------------------------- */

START_TEST(test_from_sockaddr_inet)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(80) };
	sin.sin_addr.s_addr = htonl(0xc0000201);
	anysock_addr a;
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(anysock_addr_family(&a), AF_INET);
	ck_assert_int_eq(anysock_addr_port(&a), 80);
	ck_assert_uint_eq(a.len, sizeof(sin));
	ck_assert(anysock_addr_equal(&a, &(anysock_addr){ 0 }, 0) == false);
	anysock_addr b = parse("192.0.2.1:80");
	ck_assert(anysock_addr_equal(&a, &b, 0));

	/* A larger length (sizeof storage, as accept() callers pass) is fine and
	 * stored as the family's own length. */
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &sin, sizeof(sin));
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&ss, sizeof(ss)), 0);
	ck_assert_uint_eq(a.len, sizeof(sin));
	/* One byte short is not. */
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&sin, sizeof(sin) - 1),
			 -EINVAL);
}
END_TEST

START_TEST(test_from_sockaddr_inet6)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(443),
				     .sin6_scope_id = 2, .sin6_flowinfo = htonl(0x12345) };
	inet_pton(AF_INET6, "fe80::1", &sin6.sin6_addr);
	anysock_addr a;
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&sin6, sizeof(sin6)), 0);
	ck_assert_int_eq(anysock_addr_family(&a), AF_INET6);
	ck_assert_int_eq(anysock_addr_port(&a), 443);
	ck_assert_uint_eq(a.u.sin6.sin6_scope_id, 2);
	ck_assert_uint_eq(a.len, sizeof(sin6));
	/* The flow label is kept but never compared. */
	anysock_addr b = parse("[fe80::1%2]:443");
	ck_assert(anysock_addr_equal(&a, &b, 0));
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&sin6, 24), -EINVAL);
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&sin6,
						    sizeof(struct sockaddr_in)), -EINVAL);
}
END_TEST

START_TEST(test_from_sockaddr_bad)
{
	struct sockaddr_storage ss;
	anysock_addr a, before;
	memset(&ss, 0, sizeof(ss));
	memset(&a, 0x5a, sizeof(a));
	before = a;
	ck_assert_int_eq(anysock_addr_from_sockaddr(NULL, (struct sockaddr *)&ss, sizeof(ss)), -EINVAL);
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, NULL, sizeof(ss)), -EINVAL);
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&ss, 0), -EINVAL);
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&ss, 1), -EINVAL);
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&ss, sizeof(ss) + 1), -EINVAL);
	ss.ss_family = AF_UNSPEC;
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&ss, sizeof(ss)), -EAFNOSUPPORT);
	ss.ss_family = AF_PACKET;
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&ss, sizeof(ss)), -EAFNOSUPPORT);
	ss.ss_family = AF_UNIX;
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&ss, 1), -EINVAL);
	ck_assert_msg(memcmp(&a, &before, sizeof(a)) == 0, "failed import wrote to *out");
}
END_TEST

START_TEST(test_from_sockaddr_unix)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "/tmp/x.sock" };
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(un.sun_path) + 1);
	anysock_addr a, b;
	ck_assert_int_eq(anysock_addr_from_sockaddr(&a, (struct sockaddr *)&un, len), 0);
	ck_assert_int_eq(anysock_addr_family(&a), AF_UNIX);
	ck_assert_int_eq(anysock_addr_port(&a), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_addr_set_port(&a, 1), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_addr_from_unix(&b, "/tmp/x.sock"), 0);
	ck_assert(anysock_addr_equal(&a, &b, 0));
	ck_assert_int_eq(anysock_addr_from_unix(&b, "/tmp/y.sock"), 0);
	ck_assert(!anysock_addr_equal(&a, &b, 0));
	/* Abstract names: length-delimited, not NUL-terminated. */
	ck_assert_int_eq(anysock_addr_from_unix(&a, "@svc"), 0);
	ck_assert_uint_eq(a.len, offsetof(struct sockaddr_un, sun_path) + 4);
	ck_assert_int_eq(a.u.un.sun_path[0], '\0');
	ck_assert_int_eq(anysock_addr_from_unix(&b, "@svc2"), 0);
	ck_assert(!anysock_addr_equal(&a, &b, 0));
	ck_assert_int_lt(anysock_addr_cmp(&a, &b, 0), 0);
	ck_assert_int_eq(anysock_addr_map(&a), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_addr_unmap(&a), 0);
}
END_TEST

START_TEST(test_from_unix_lengths)
{
	anysock_addr a;
	char path[sizeof(a.u.un.sun_path) + 2];
	/* A filesystem path needs room for its NUL: 107 chars fit, 108 do not. */
	memset(path, 'a', sizeof(path));
	path[0] = '/';
	path[sizeof(a.u.un.sun_path) - 1] = '\0';
	ck_assert_int_eq(anysock_addr_from_unix(&a, path), 0);
	path[sizeof(a.u.un.sun_path) - 1] = 'a';
	path[sizeof(a.u.un.sun_path)] = '\0';
	ck_assert_int_eq(anysock_addr_from_unix(&a, path), -ENAMETOOLONG);
	/* An abstract name has no NUL: '@' + 107 fit. */
	path[0] = '@';
	ck_assert_int_eq(anysock_addr_from_unix(&a, path), 0);
	ck_assert_uint_eq(a.len, sizeof(struct sockaddr_un));
	path[sizeof(a.u.un.sun_path)] = 'a';
	path[sizeof(a.u.un.sun_path) + 1] = '\0';
	ck_assert_int_eq(anysock_addr_from_unix(&a, path), -ENAMETOOLONG);
	ck_assert_int_eq(anysock_addr_from_unix(NULL, "/x"), -EINVAL);
	ck_assert_int_eq(anysock_addr_from_unix(&a, NULL), -EINVAL);
}
END_TEST

/* ---- Builders, accessors and predicates -------------------------------- */

START_TEST(test_any_loopback)
{
	anysock_addr a;
	char buf[ANYSOCK_ADDRSTRLEN];
	ck_assert_int_eq(anysock_addr_any(&a, AF_INET, 80), 0);
	anysock_ntop(&a, buf, sizeof(buf), 0);
	ck_assert_str_eq(buf, "0.0.0.0:80");
	ck_assert(anysock_addr_is_any(&a));
	ck_assert(!anysock_addr_is_loopback(&a));
	ck_assert_int_eq(anysock_addr_any(&a, AF_INET6, 80), 0);
	anysock_ntop(&a, buf, sizeof(buf), 0);
	ck_assert_str_eq(buf, "[::]:80");
	ck_assert(anysock_addr_is_any(&a));
	ck_assert_int_eq(anysock_addr_loopback(&a, AF_INET, 0), 0);
	anysock_ntop(&a, buf, sizeof(buf), 0);
	ck_assert_str_eq(buf, "127.0.0.1:0");
	ck_assert(anysock_addr_is_loopback(&a));
	ck_assert(!anysock_addr_is_any(&a));
	ck_assert_int_eq(anysock_addr_loopback(&a, AF_INET6, 65535), 0);
	anysock_ntop(&a, buf, sizeof(buf), 0);
	ck_assert_str_eq(buf, "[::1]:65535");
	ck_assert(anysock_addr_is_loopback(&a));

	ck_assert_int_eq(anysock_addr_any(&a, AF_UNIX, 0), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_addr_loopback(&a, AF_UNSPEC, 0), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_addr_any(&a, AF_INET, 65536), -ERANGE);
	ck_assert_int_eq(anysock_addr_loopback(&a, AF_INET6, -1), -ERANGE);
	ck_assert_int_eq(anysock_addr_any(NULL, AF_INET, 1), -EINVAL);
}
END_TEST

static const struct {
	const char *text;
	bool any, loopback, mapped;
} predicates[] = {
	{ "0.0.0.0", true, false, false },
	{ "::", true, false, false },
	{ "::ffff:0.0.0.0", true, false, true },
	{ "127.0.0.1", false, true, false },
	{ "127.255.255.254", false, true, false },
	{ "126.255.255.255", false, false, false },
	{ "128.0.0.1", false, false, false },
	{ "::1", false, true, false },
	{ "::2", false, false, false },
	{ "::ffff:127.0.0.1", false, true, true },
	{ "::ffff:127.1.2.3", false, true, true },
	/* is_any and is_loopback are anysock_addr_class()'s bits: every form
	 * that carries a loopback IPv4 is loopback, mapped or not */
	{ "::127.0.0.1", false, true, false },
	{ "::ffff:0:127.0.0.1", false, true, false },
	{ "64:ff9b::7f00:1", false, true, false },
	{ "::ffff:0:0.0.0.0", false, false, false }, /* "unspecified" is not inherited */
	{ "::ffff:192.0.2.1", false, false, true },
	{ "::fffe:192.0.2.1", false, false, false },
	{ "0:0:0:0:1:ffff:192.0.2.1", false, false, false },
	{ "2001:db8::1", false, false, false },
};

START_TEST(test_predicates)
{
	anysock_addr a = parse(predicates[_i].text);
	ck_assert_msg(anysock_addr_is_any(&a) == predicates[_i].any, "is_any(%s)", predicates[_i].text);
	ck_assert_msg(anysock_addr_is_loopback(&a) == predicates[_i].loopback, "is_loopback(%s)",
		      predicates[_i].text);
	ck_assert_msg(anysock_addr_is_mapped(&a) == predicates[_i].mapped, "is_mapped(%s)",
		      predicates[_i].text);
}
END_TEST

START_TEST(test_predicates_invalid)
{
	anysock_addr z;
	memset(&z, 0, sizeof(z));
	ck_assert(!anysock_addr_is_any(&z));
	ck_assert(!anysock_addr_is_loopback(&z));
	ck_assert(!anysock_addr_is_mapped(&z));
	ck_assert(!anysock_addr_is_any(NULL));
	ck_assert(!anysock_addr_is_loopback(NULL));
	ck_assert(!anysock_addr_is_mapped(NULL));
	ck_assert_int_eq(anysock_addr_family(&z), -EINVAL);
	ck_assert_int_eq(anysock_addr_family(NULL), -EINVAL);
	ck_assert_int_eq(anysock_addr_port(&z), -EINVAL);
	ck_assert_int_eq(anysock_addr_set_port(&z, 1), -EINVAL);
	ck_assert_int_eq(anysock_addr_unmap(&z), -EINVAL);
	ck_assert_int_eq(anysock_addr_map(NULL), -EINVAL);
	/* A length that disagrees with the family. */
	anysock_addr a = parse("::1");
	a.len = sizeof(struct sockaddr_in);
	ck_assert_int_eq(anysock_addr_family(&a), -EINVAL);
	a = parse("1.2.3.4");
	a.len = sizeof(struct sockaddr_in6);
	ck_assert_int_eq(anysock_addr_port(&a), -EINVAL);
	a.u.sa.sa_family = AF_NETLINK;
	ck_assert_int_eq(anysock_addr_family(&a), -EAFNOSUPPORT);
}
END_TEST

/* ---- Ports --------------------------------------------------------------- */

static const int ports[] = { 0, 1, 80, 1023, 1024, 8080, 32768, 65534, 65535 };

START_TEST(test_port_roundtrip)
{
	for (int fam = 0; fam < 2; fam++) {
		anysock_addr a = parse(fam ? "[2001:db8::1]:9" : "192.0.2.1:9");
		ck_assert_int_eq(anysock_addr_set_port(&a, ports[_i]), 0);
		ck_assert_int_eq(anysock_addr_port(&a), ports[_i]);
		/* Stored in network byte order where the kernel expects it. */
		uint16_t raw = fam ? a.u.sin6.sin6_port : a.u.sin.sin_port;
		ck_assert_uint_eq(raw, htons((uint16_t)ports[_i]));
	}
}
END_TEST

START_TEST(test_port_range)
{
	anysock_addr a = parse("[::1]:7");
	ck_assert_int_eq(anysock_addr_set_port(&a, 65536), -ERANGE);
	ck_assert_int_eq(anysock_addr_set_port(&a, -1), -ERANGE);
	ck_assert_int_eq(anysock_addr_set_port(&a, 1 << 20), -ERANGE);
	ck_assert_int_eq(anysock_addr_port(&a), 7);
	struct in_addr ip = { htonl(1) };
	ck_assert_int_eq(anysock_addr_from_in(&a, &ip, 65536), -ERANGE);
	ck_assert_int_eq(anysock_addr_from_in(&a, NULL, 1), -EINVAL);
	ck_assert_int_eq(anysock_addr_from_in6(&a, &in6addr_any, -5, 0), -ERANGE);
	ck_assert_int_eq(anysock_addr_from_in6(NULL, &in6addr_any, 5, 0), -EINVAL);
}
END_TEST

/* ---- Map and unmap ---------------------------------------------------------- */

START_TEST(test_unmap)
{
	anysock_addr a = parse("[::ffff:198.51.100.7]:8443"), want = parse("198.51.100.7:8443");
	ck_assert_int_eq(anysock_addr_unmap(&a), 1);
	ck_assert_int_eq(anysock_addr_family(&a), AF_INET);
	ck_assert_uint_eq(a.len, sizeof(struct sockaddr_in));
	ck_assert(anysock_addr_equal(&a, &want, 0));
	/* Idempotent, and a no-op on everything that is not mapped. */
	ck_assert_int_eq(anysock_addr_unmap(&a), 0);
	ck_assert(anysock_addr_equal(&a, &want, 0));
	static const char *not_mapped[] = { "[::198.51.100.7]:1", "[64:ff9b::c633:6407]:1",
					    "[::fffe:c633:6407]:1", "[2001:db8::1]:1",
					    "10.0.0.1:1" };
	for (size_t i = 0; i < sizeof(not_mapped) / sizeof(not_mapped[0]); i++) {
		anysock_addr b = parse(not_mapped[i]), copy = b;
		ck_assert_int_eq(anysock_addr_unmap(&b), 0);
		ck_assert(b.len == copy.len && memcmp(&b.u, &copy.u, b.len) == 0); /* pton writes only len bytes */
	}
}
END_TEST

START_TEST(test_map)
{
	anysock_addr a = parse("203.0.113.5:53"), want = parse("[::ffff:203.0.113.5]:53");
	ck_assert_int_eq(anysock_addr_map(&a), 1);
	ck_assert(anysock_addr_equal(&a, &want, 0));
	ck_assert_int_eq(anysock_addr_map(&a), 0);
	ck_assert_int_eq(anysock_addr_unmap(&a), 1);
	anysock_addr plain = parse("203.0.113.5:53");
	ck_assert(anysock_addr_equal(&a, &plain, 0));
}
END_TEST

/* ---- Compare, equal, hash ---------------------------------------------------- */

/* Sorted ascending under flags 0. */
static const char *ordered[] = {
	"0.0.0.0:0", "0.0.0.0:1", "1.2.3.4:80", "1.2.3.5:0", "127.0.0.1:1",
	"255.255.255.255:65535", "[::]:0", "[::1]:0", "[::1]:1", "[::ffff:1.2.3.4]:80",
	"[fe80::1]:0", "[fe80::1%1]:0", "[fe80::1%2]:0", "[ffff::]:0",
};

START_TEST(test_cmp_order)
{
	size_t n = sizeof(ordered) / sizeof(ordered[0]);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			anysock_addr a = parse(ordered[i]), b = parse(ordered[j]);
			int c = anysock_addr_cmp(&a, &b, 0);
			int want = (i > j) - (i < j);
			ck_assert_msg((c > 0) - (c < 0) == want, "cmp(%s, %s) = %d",
				      ordered[i], ordered[j], c);
			ck_assert(anysock_addr_equal(&a, &b, 0) == (i == j));
		}
	/* Invalid addresses sort first and are all alike. */
	anysock_addr z1, z2, v = parse("0.0.0.0:0");
	memset(&z1, 0, sizeof(z1));
	memset(&z2, 0xff, sizeof(z2));
	ck_assert_int_lt(anysock_addr_cmp(&z1, &v, 0), 0);
	ck_assert_int_gt(anysock_addr_cmp(&v, NULL, 0), 0);
	ck_assert_int_eq(anysock_addr_cmp(&z1, &z2, 0), 0);
	ck_assert_int_eq(anysock_addr_cmp(NULL, NULL, 0), 0);
	anysock_addr u;
	anysock_addr_from_unix(&u, "/a");
	ck_assert_int_gt(anysock_addr_cmp(&u, &v, 0), 0);
}
END_TEST

static const struct {
	const char *a, *b;
	unsigned flags;
	bool equal;
} pairs[] = {
	{ "192.0.2.1:80", "[::ffff:192.0.2.1]:80", 0, false },
	{ "192.0.2.1:80", "[::ffff:192.0.2.1]:80", ANYSOCK_CMP_UNMAP, true },
	{ "192.0.2.1:80", "[::ffff:192.0.2.1]:81", ANYSOCK_CMP_UNMAP, false },
	{ "192.0.2.1:80", "[::ffff:192.0.2.1]:81", ANYSOCK_CMP_UNMAP | ANYSOCK_CMP_NOPORT, true },
	{ "[::ffff:192.0.2.1%3]:80", "192.0.2.1:80", ANYSOCK_CMP_UNMAP, true },
	{ "192.0.2.1:80", "[::192.0.2.1]:80", ANYSOCK_CMP_UNMAP, false },
	{ "192.0.2.1:80", "[64:ff9b::192.0.2.1]:80", ANYSOCK_CMP_UNMAP, false },
	{ "192.0.2.1:80", "192.0.2.1:81", 0, false },
	{ "192.0.2.1:80", "192.0.2.1:81", ANYSOCK_CMP_NOPORT, true },
	{ "192.0.2.1:80", "192.0.2.2:80", ANYSOCK_CMP_NOPORT, false },
	{ "[fe80::1%1]:80", "[fe80::1%2]:80", 0, false },
	{ "[fe80::1%1]:80", "[fe80::1%2]:80", ANYSOCK_CMP_NOSCOPE, true },
	{ "[fe80::1%1]:80", "[fe80::1]:80", ANYSOCK_CMP_NOSCOPE, true },
	{ "[fe80::1%1]:80", "[fe80::2%1]:80", ANYSOCK_CMP_NOSCOPE, false },
	{ "[2001:db8::1]:1", "[2001:db8::1]:1", 0, true },
	{ "0.0.0.0:0", "[::]:0", ANYSOCK_CMP_UNMAP | ANYSOCK_CMP_NOPORT, false },
};

START_TEST(test_equal_hash)
{
	anysock_addr a = parse(pairs[_i].a), b = parse(pairs[_i].b);
	unsigned f = pairs[_i].flags;
	ck_assert_msg(anysock_addr_equal(&a, &b, f) == pairs[_i].equal, "equal(%s, %s, %#x)",
		      pairs[_i].a, pairs[_i].b, f);
	ck_assert(anysock_addr_equal(&b, &a, f) == pairs[_i].equal);
	ck_assert((anysock_addr_cmp(&a, &b, f) == 0) == pairs[_i].equal);
	ck_assert((anysock_addr_cmp(&a, &b, f) > 0) == (anysock_addr_cmp(&b, &a, f) < 0));
	for (uint64_t seed = 0; seed < 4; seed++) {
		uint64_t ha = anysock_addr_hash(&a, f, seed), hb = anysock_addr_hash(&b, f, seed);
		if (pairs[_i].equal)
			ck_assert_msg(ha == hb, "equal addresses hash apart: %s %s", pairs[_i].a,
				      pairs[_i].b);
		else
			/* 2^-64 odds of a false failure. */
			ck_assert_msg(ha != hb, "distinct addresses collide: %s %s", pairs[_i].a,
				      pairs[_i].b);
	}
}
END_TEST

/* The seed changes the hash, and the hash spreads: 65536 ports of one
 * address land in a 4096-bucket table with no bucket far above the mean. */
START_TEST(test_hash_spread)
{
	anysock_addr a = parse("[2001:db8::1]:0");
	ck_assert(anysock_addr_hash(&a, 0, 1) != anysock_addr_hash(&a, 0, 2));
	static unsigned buckets[4096];
	memset(buckets, 0, sizeof(buckets));
	for (int p = 0; p < 65536; p++) {
		anysock_addr_set_port(&a, p);
		buckets[anysock_addr_hash(&a, 0, 0x1234) % 4096]++;
	}
	unsigned max = 0;
	for (int i = 0; i < 4096; i++)
		max = buckets[i] > max ? buckets[i] : max;
	ck_assert_uint_lt(max, 40); /* mean 16, sd 4: 40 is six sigma */
}
END_TEST

/* Flags change what is hashed exactly as they change what is equal, and
 * every invalid address hashes alike, as it compares alike. */
START_TEST(test_hash_flags)
{
	anysock_addr a = parse("192.0.2.1:80");
	uint64_t h1 = anysock_addr_hash(&a, 0, 0);
	anysock_addr b = parse("[::ffff:192.0.2.1]:80");
	ck_assert(anysock_addr_hash(&b, ANYSOCK_CMP_UNMAP, 0) == h1);
	ck_assert(anysock_addr_hash(&b, 0, 0) != h1);
	ck_assert(anysock_addr_hash(&a, ANYSOCK_CMP_NOPORT, 0) != h1);
	anysock_addr z;
	memset(&z, 0, sizeof(z));
	ck_assert(anysock_addr_hash(&z, 0, 7) == anysock_addr_hash(NULL, 0, 7));
}
END_TEST

static Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("import");
	tcase_add_test(tc, test_from_sockaddr_inet);
	tcase_add_test(tc, test_from_sockaddr_inet6);
	tcase_add_test(tc, test_from_sockaddr_bad);
	tcase_add_test(tc, test_from_sockaddr_unix);
	tcase_add_test(tc, test_from_unix_lengths);
	suite_add_tcase(s, tc);
	tc = tcase_create("accessors");
	tcase_add_test(tc, test_any_loopback);
	tcase_add_loop_test(tc, test_predicates, 0, sizeof(predicates) / sizeof(predicates[0]));
	tcase_add_test(tc, test_predicates_invalid);
	tcase_add_loop_test(tc, test_port_roundtrip, 0, sizeof(ports) / sizeof(ports[0]));
	tcase_add_test(tc, test_port_range);
	tcase_add_test(tc, test_unmap);
	tcase_add_test(tc, test_map);
	suite_add_tcase(s, tc);
	tc = tcase_create("compare");
	tcase_add_test(tc, test_cmp_order);
	tcase_add_loop_test(tc, test_equal_hash, 0, sizeof(pairs) / sizeof(pairs[0]));
	tcase_add_test(tc, test_hash_spread);
	tcase_add_test(tc, test_hash_flags);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	int failed = run_suite(addr_suite(), false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
