/*
 * check_prefix.c - CIDR prefixes and canonical forms (access lists:
 * check_acl.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include "prefix_helpers.h"

/* ----- parsing ----------------------------------------------------------- */

START_TEST(test_parse_forms)
{
	static const struct {
		const char *in, *out;
		int family;
		unsigned len;
	} cases[] = {
		{ "10.0.0.0/8", "10.0.0.0/8", AF_INET, 8 },
		{ "0.0.0.0/0", "0.0.0.0/0", AF_INET, 0 },
		{ "192.0.2.1", "192.0.2.1/32", AF_INET, 32 },
		{ "192.0.2.1/32", "192.0.2.1/32", AF_INET, 32 },
		{ "2001:db8::/32", "2001:db8::/32", AF_INET6, 32 },
		{ "2001:DB8:0::/48", "2001:db8::/48", AF_INET6, 48 },
		{ "::/0", "::/0", AF_INET6, 0 },
		{ "::1", "::1/128", AF_INET6, 128 },
		{ "fe80::/10", "fe80::/10", AF_INET6, 10 },
		/* The mapped spelling of an IPv4 block is that block. */
		{ "::ffff:10.0.0.0/104", "10.0.0.0/8", AF_INET, 8 },
		{ "::ffff:0:0/96", "0.0.0.0/0", AF_INET, 0 },
		{ "::ffff:192.0.2.1", "192.0.2.1/32", AF_INET, 32 },
		{ "::ffff:c000:200/120", "192.0.2.0/24", AF_INET, 24 },
		/* ... but a block wider than ::ffff:0:0/96 stays IPv6. */
		{ "::ffff:0:0/95", "::fffe:0:0/95", AF_INET6, 95 },
		{ "::/80", "::/80", AF_INET6, 80 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		anysock_prefix p;
		int r = anysock_prefix_parse(cases[i].in, &p,
					     i == 13 ? ANYSOCK_PREFIX_MASK : 0);
		ck_assert_msg(r == 0, "%s: %s", cases[i].in, anysock_strerror(r));
		ck_assert_int_eq(p.family, cases[i].family);
		ck_assert_uint_eq(p.len, cases[i].len);
		ck_assert_str_eq(ptext(&p), cases[i].out);
		/* The text form parses back to the same prefix. */
		anysock_prefix q = prefix(cases[i].out);
		ck_assert_int_eq(q.family, p.family);
		ck_assert_uint_eq(q.len, p.len);
		ck_assert(memcmp(&q.u, &p.u, p.family == AF_INET ? 4 : 16) == 0);
	}
}
END_TEST

START_TEST(test_parse_errors)
{
	static const struct {
		const char *in;
		int code;
	} cases[] = {
		{ "", ANYSOCK_E_EMPTY },
		{ "/8", ANYSOCK_E_EMPTY },
		{ "10.0.0.0/", ANYSOCK_E_PREFIXLEN },
		{ "10.0.0.0/33", ANYSOCK_E_PREFIXLEN },
		{ "10.0.0.0/08", ANYSOCK_E_PREFIXLEN },
		{ "10.0.0.0/-1", ANYSOCK_E_PREFIXLEN },
		{ "10.0.0.0/+8", ANYSOCK_E_PREFIXLEN },
		{ "10.0.0.0/8/8", ANYSOCK_E_PREFIXLEN },
		{ "10.0.0.0/1000", ANYSOCK_E_PREFIXLEN },
		{ "10.0.0.0/8 ", ANYSOCK_E_PREFIXLEN },
		{ "::/129", ANYSOCK_E_PREFIXLEN },
		{ "10.0.0.1/8", ANYSOCK_E_HOSTBITS },
		{ "10.128.0.0/8", ANYSOCK_E_HOSTBITS },
		{ "2001:db8::1/32", ANYSOCK_E_HOSTBITS },
		{ "::ffff:10.0.0.1/104", ANYSOCK_E_HOSTBITS },
		{ "10.0.0/8", ANYSOCK_E_ADDR },
		{ "010.0.0.0/8", ANYSOCK_E_ADDR },
		{ "example.com/8", ANYSOCK_E_ADDR },
		{ "10.0.0.0:80/8", ANYSOCK_E_PORTGIVEN },
		{ "fe80::%1/64", ANYSOCK_E_SCOPE },
		{ "fe80::%eth0", ANYSOCK_E_SCOPE },
		{ "[2001:db8::]/32", ANYSOCK_E_BRACKET },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		anysock_prefix p = { .family = 12345 };
		int r = anysock_prefix_parse(cases[i].in, &p, 0);
		ck_assert_msg(r == cases[i].code, "%s: got %d (%s), want %d", cases[i].in, r,
			      anysock_strerror(r), cases[i].code);
		ck_assert_int_eq(p.family, 12345); /* untouched */
		ck_assert_str_ne(anysock_strerror(r), "Unknown anysock error");
	}
	anysock_prefix p;
	ck_assert_int_eq(anysock_prefix_parse(NULL, &p, 0), -EINVAL);
	ck_assert_int_eq(anysock_prefix_parse("10.0.0.0/8", NULL, 0), -EINVAL);
	/* The length-delimited form stops where it is told. */
	ck_assert_int_eq(anysock_prefix_parse_n("10.0.0.0/8junk", 10, &p, 0), 0);
	ck_assert_str_eq(ptext(&p), "10.0.0.0/8");
}
END_TEST

START_TEST(test_parse_mask)
{
	anysock_prefix p;
	ck_assert_int_eq(anysock_prefix_parse("10.1.2.3/8", &p, ANYSOCK_PREFIX_MASK), 0);
	ck_assert_str_eq(ptext(&p), "10.0.0.0/8");
	ck_assert_int_eq(anysock_prefix_parse("2001:db8:ffff::1/33", &p, ANYSOCK_PREFIX_MASK), 0);
	ck_assert_str_eq(ptext(&p), "2001:db8:8000::/33");
	ck_assert_int_eq(anysock_prefix_parse("::ffff:10.9.9.9/104", &p, ANYSOCK_PREFIX_MASK), 0);
	ck_assert_str_eq(ptext(&p), "10.0.0.0/8");
	ck_assert_int_eq(anysock_prefix_parse("255.255.255.255/0", &p, ANYSOCK_PREFIX_MASK), 0);
	ck_assert_str_eq(ptext(&p), "0.0.0.0/0");
}
END_TEST

START_TEST(test_ntop_sizes)
{
	anysock_prefix p = prefix("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	char buf[ANYSOCK_PREFIXSTRLEN];
	int n = anysock_prefix_ntop(&p, buf, sizeof(buf));
	ck_assert_int_eq(n, 43);
	for (size_t size = 0; size <= (size_t)n; size++) {
		char *heap = malloc(size ? size : 1);
		ck_assert_int_eq(anysock_prefix_ntop(&p, heap, size), -ENOSPC);
		if (size > 0)
			ck_assert_int_eq(heap[0], '\0');
		free(heap);
	}
	char *exact = malloc((size_t)n + 1);
	ck_assert_int_eq(anysock_prefix_ntop(&p, exact, (size_t)n + 1), n);
	free(exact);
	anysock_prefix bad = { .family = AF_INET, .len = 33 };
	ck_assert_int_eq(anysock_prefix_ntop(&bad, buf, sizeof(buf)), -EINVAL);
}
END_TEST

/* ----- containment ------------------------------------------------------- */

START_TEST(test_contains)
{
	static const struct {
		const char *prefix, *addr;
		bool in;
	} cases[] = {
		{ "10.0.0.0/8", "10.0.0.0", true },
		{ "10.0.0.0/8", "10.255.255.255", true },
		{ "10.0.0.0/8", "11.0.0.0", false },
		{ "10.0.0.0/8", "9.255.255.255", false },
		{ "10.0.0.0/8", "10.1.2.3:8080", true },
		/* mapped-aware both ways */
		{ "10.0.0.0/8", "::ffff:10.1.2.3", true },
		{ "10.0.0.0/8", "[::ffff:10.1.2.3]:443", true },
		{ "10.0.0.0/8", "::ffff:11.1.2.3", false },
		{ "::ffff:10.0.0.0/104", "10.1.2.3", true },
		{ "::ffff:0:0/96", "203.0.113.9", true },
		{ "::ffff:0:0/96", "2001:db8::1", false },
		{ "127.0.0.0/8", "::ffff:7f00:1", true },
		/* not the other embedded forms: those are distinct addresses */
		{ "10.0.0.0/8", "::10.1.2.3", false },
		{ "10.0.0.0/8", "64:ff9b::10.1.2.3", false },
		{ "0.0.0.0/0", "2001:db8::1", false },
		{ "0.0.0.0/0", "::", false },
		{ "::/0", "2001:db8::1", true },
		{ "::/0", "192.0.2.1", true }, /* every address */
		{ "2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true },
		{ "2001:db8::/32", "2001:db9::", false },
		{ "2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", false },
		{ "fe80::/10", "fe80::1%1", true },
		{ "fe80::/10", "febf::1", true },
		{ "fe80::/10", "fec0::1", false },
		{ "2001:db8::1", "2001:db8::1", true },
		{ "2001:db8::1", "2001:db8::2", false },
		{ "2001:db8::/127", "2001:db8::1", true },
		{ "2001:db8::/127", "2001:db8::2", false },
		{ "2001:db8::/64", "2001:db8:0:1::", false },
		{ "2001:db8::/64", "2001:db8::ffff:ffff:ffff:ffff", true },
		{ "2001:db8::/65", "2001:db8::7fff:ffff:ffff:ffff", true },
		{ "2001:db8::/65", "2001:db8::8000:0:0:0", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		anysock_prefix p = prefix(cases[i].prefix);
		anysock_addr a = addr(cases[i].addr);
		ck_assert_msg(anysock_prefix_contains(&p, &a) == cases[i].in, "%s in %s",
			      cases[i].addr, cases[i].prefix);
	}
	anysock_prefix p = prefix("0.0.0.0/0");
	anysock_addr u;
	ck_assert_int_eq(anysock_addr_from_unix(&u, "/tmp/x"), 0);
	ck_assert(!anysock_prefix_contains(&p, &u));
	ck_assert(!anysock_prefix_contains(NULL, &u));
	ck_assert(!anysock_prefix_contains(&p, NULL));
	anysock_addr zero;
	memset(&zero, 0, sizeof(zero));
	ck_assert(!anysock_prefix_contains(&p, &zero));
}
END_TEST

START_TEST(test_from_addr)
{
	anysock_prefix p;
	anysock_addr a = addr("192.0.2.77:80");
	ck_assert_int_eq(anysock_prefix_from_addr(&p, &a, 24), 0);
	ck_assert_str_eq(ptext(&p), "192.0.2.0/24");
	ck_assert(anysock_prefix_contains(&p, &a));
	ck_assert_int_eq(anysock_prefix_from_addr(&p, &a, 33), -EINVAL);
	a = addr("[2001:db8:1:2:3:4:5:6]:80");
	ck_assert_int_eq(anysock_prefix_from_addr(&p, &a, 48), 0);
	ck_assert_str_eq(ptext(&p), "2001:db8:1::/48");
	ck_assert_int_eq(anysock_prefix_from_addr(&p, &a, 129), -EINVAL);
	a = addr("::ffff:198.51.100.9");
	ck_assert_int_eq(anysock_prefix_from_addr(&p, &a, 120), 0);
	ck_assert_str_eq(ptext(&p), "198.51.100.0/24");
	anysock_addr u;
	anysock_addr_from_unix(&u, "/tmp/x");
	ck_assert_int_eq(anysock_prefix_from_addr(&p, &u, 0), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_prefix_from_addr(NULL, &a, 0), -EINVAL);
}
END_TEST

/* ----- canonical forms ----------------------------------------------------- */

START_TEST(test_canonical)
{
	static const struct {
		const char *in;
		unsigned flags;
		int ret;
		const char *out;
	} cases[] = {
		{ "[::ffff:192.0.2.1]:80", 0, 1, "192.0.2.1:80" },
		{ "192.0.2.1:80", 0, 0, "192.0.2.1:80" },
		{ "[::192.0.2.1]:80", 0, 0, "[::c000:201]:80" },
		{ "[::192.0.2.1]:80", ANYSOCK_CANON_COMPATIBLE, 1, "192.0.2.1:80" },
		{ "::", ANYSOCK_CANON_COMPATIBLE, 0, "[::]:0" },
		{ "::1", ANYSOCK_CANON_COMPATIBLE, 0, "[::1]:0" },
		{ "::2", ANYSOCK_CANON_COMPATIBLE, 1, "0.0.0.2:0" },
		{ "::1:0", ANYSOCK_CANON_COMPATIBLE, 1, "0.1.0.0:0" },
		{ "[64:ff9b::7f00:1]:8", 0, 0, "[64:ff9b::7f00:1]:8" },
		{ "[64:ff9b::7f00:1]:8", ANYSOCK_CANON_NAT64, 1, "127.0.0.1:8" },
		{ "[64:ff9b::7f00:1]:8", ANYSOCK_CANON_COMPATIBLE, 0, "[64:ff9b::7f00:1]:8" },
		{ "64:ff9b:1::7f00:1", ANYSOCK_CANON_NAT64, 0, "[64:ff9b:1::7f00:1]:0" },
		{ "2001:db8::1", ANYSOCK_CANON_NAT64 | ANYSOCK_CANON_COMPATIBLE, 0, "[2001:db8::1]:0" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		anysock_addr a = addr(cases[i].in);
		ck_assert_int_eq(anysock_addr_canonical(&a, cases[i].flags), cases[i].ret);
		char buf[ANYSOCK_ADDRSTRLEN];
		anysock_ntop(&a, buf, sizeof(buf), 0);
		ck_assert_str_eq(buf, cases[i].out);
	}
	anysock_addr a = addr("::1");
	ck_assert_int_eq(anysock_addr_canonical(&a, 0x1000), -EINVAL);
	ck_assert_int_eq(anysock_addr_canonical(NULL, 0), -EINVAL);
}
END_TEST

/* Equality and hashing agree with the canonical forms they are asked for. */
START_TEST(test_canonical_cmp_hash)
{
	anysock_addr v4 = addr("127.0.0.1:80"), nat = addr("[64:ff9b::7f00:1]:80"),
		     compat = addr("[::127.0.0.1]:80"), mapped = addr("[::ffff:127.0.0.1]:80");
	unsigned f = ANYSOCK_CMP_UNMAP;
	ck_assert(anysock_addr_equal(&v4, &mapped, f));
	ck_assert(!anysock_addr_equal(&v4, &nat, f));
	ck_assert(!anysock_addr_equal(&v4, &compat, f));
	f |= ANYSOCK_CANON_NAT64;
	ck_assert(anysock_addr_equal(&v4, &nat, f));
	ck_assert(!anysock_addr_equal(&v4, &compat, f));
	ck_assert_uint_eq(anysock_addr_hash(&v4, f, 7), anysock_addr_hash(&nat, f, 7));
	f |= ANYSOCK_CANON_COMPATIBLE;
	ck_assert(anysock_addr_equal(&compat, &nat, f));
	ck_assert_uint_eq(anysock_addr_hash(&compat, f, 7), anysock_addr_hash(&mapped, f, 7));
	/* Canonicalizing first gives the same answer as comparing with flags. */
	anysock_addr c = nat;
	anysock_addr_canonical(&c, ANYSOCK_CANON_NAT64);
	ck_assert(anysock_addr_equal(&c, &v4, 0));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("prefix");
	TCase *tc = tcase_create("prefix");
	tcase_add_test(tc, test_parse_forms);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_parse_mask);
	tcase_add_test(tc, test_ntop_sizes);
	tcase_add_test(tc, test_contains);
	tcase_add_test(tc, test_from_addr);
	tcase_add_test(tc, test_canonical);
	tcase_add_test(tc, test_canonical_cmp_hash);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, true);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
