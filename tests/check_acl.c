/*
 * check_acl.c - access lists: the grammar, its errors and where they are,
 * first match, mapped clients.
 *
 * The random test builds lists of heavily nested rules and checks every
 * lookup against a first-match linear scan written here (with
 * anysock_prefix_contains, itself checked in check_prefix.c).
 * ANYSOCK_SEED=n replays a run.
 *
 * SPDX-License-Identifier: MIT
 */
#include "prefix_helpers.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static anysock_acl *acl_ok(const char *text, unsigned flags)
{
	anysock_acl *acl = NULL;
	anysock_parse_error e;
	int r = anysock_acl_parse(text, flags, &acl, &e);
	ck_assert_msg(r == 0, "acl: line %u col %u: %s", e.line, e.column, anysock_strerror(r));
	ck_assert_int_eq(e.code, 0);
	return acl;
}

static int check(const anysock_acl *acl, const char *text, unsigned *line)
{
	anysock_addr a = addr(text);
	return anysock_acl_check(acl, &a, line);
}

START_TEST(test_acl_first_match)
{
	anysock_acl *acl = acl_ok("# office networks\n"
				  "deny  10.66.0.0/16      # the lab\n"
				  "allow 10.0.0.0/8, 192.168.0.0/16\n"
				  "deny 10.1.0.0/16\n" /* shadowed by line 3: first match wins */
				  "allow ::1; allow 2001:db8::/32\n"
				  "\n"
				  "   default deny\n",
				  0);
	unsigned line;
	ck_assert_int_eq(check(acl, "10.66.1.1", &line), ANYSOCK_ACL_DENY);
	ck_assert_uint_eq(line, 2);
	ck_assert_int_eq(check(acl, "10.1.2.3", &line), ANYSOCK_ACL_ALLOW);
	ck_assert_uint_eq(line, 3);
	ck_assert_int_eq(check(acl, "192.168.7.7", &line), ANYSOCK_ACL_ALLOW);
	ck_assert_uint_eq(line, 3);
	ck_assert_int_eq(check(acl, "::1", &line), ANYSOCK_ACL_ALLOW);
	ck_assert_uint_eq(line, 5);
	ck_assert_int_eq(check(acl, "2001:db8::5", &line), ANYSOCK_ACL_ALLOW);
	ck_assert_uint_eq(line, 5);
	ck_assert_int_eq(check(acl, "203.0.113.1", &line), ANYSOCK_ACL_DENY);
	ck_assert_uint_eq(line, 7);
	ck_assert_int_eq(check(acl, "2001:db9::", NULL), ANYSOCK_ACL_DENY);
	/* The mapped spellings of the same clients get the same answers. */
	ck_assert_int_eq(check(acl, "::ffff:10.66.1.1", &line), ANYSOCK_ACL_DENY);
	ck_assert_uint_eq(line, 2);
	ck_assert_int_eq(check(acl, "::ffff:10.1.2.3", &line), ANYSOCK_ACL_ALLOW);
	ck_assert_int_eq(check(acl, "[::ffff:192.168.0.1]:5555", &line), ANYSOCK_ACL_ALLOW);
	ck_assert_int_eq(check(acl, "::ffff:203.0.113.1", &line), ANYSOCK_ACL_DENY);

	ck_assert_int_eq(anysock_acl_count(acl), 6);
	anysock_prefix p;
	ck_assert_int_eq(anysock_acl_rule(acl, 2, &p, &line), ANYSOCK_ACL_ALLOW);
	ck_assert_str_eq(ptext(&p), "192.168.0.0/16");
	ck_assert_uint_eq(line, 3);
	ck_assert_int_eq(anysock_acl_rule(acl, -1, NULL, &line), ANYSOCK_ACL_DENY);
	ck_assert_uint_eq(line, 7);
	ck_assert_int_eq(anysock_acl_rule(acl, 6, &p, &line), -ERANGE);
	ck_assert_int_eq(anysock_acl_rule(acl, -2, &p, &line), -ERANGE);

	anysock_addr u, zero;
	anysock_addr_from_unix(&u, "/tmp/s");
	memset(&zero, 0, sizeof(zero));
	ck_assert_int_eq(anysock_acl_check(acl, &u, NULL), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_acl_check(acl, &zero, NULL), -EINVAL);
	ck_assert_int_eq(anysock_acl_check(NULL, &u, NULL), -EINVAL);
	anysock_acl_free(acl);
	anysock_acl_free(NULL);
}
END_TEST

/* A rule written in the mapped form catches plain IPv4 clients too: the
 * bypass the mapped-address draft describes cannot happen. */
START_TEST(test_acl_mapped_rules)
{
	anysock_acl *acl = acl_ok("deny ::ffff:127.0.0.0/104; default allow", 0);
	ck_assert_int_eq(check(acl, "127.0.0.1", NULL), ANYSOCK_ACL_DENY);
	ck_assert_int_eq(check(acl, "::ffff:127.0.0.1", NULL), ANYSOCK_ACL_DENY);
	ck_assert_int_eq(check(acl, "::ffff:7f00:1", NULL), ANYSOCK_ACL_DENY);
	ck_assert_int_eq(check(acl, "::1", NULL), ANYSOCK_ACL_ALLOW);
	/* Compatible and NAT64 forms are other addresses, unless asked. */
	ck_assert_int_eq(check(acl, "::127.0.0.1", NULL), ANYSOCK_ACL_ALLOW);
	ck_assert_int_eq(check(acl, "64:ff9b::127.0.0.1", NULL), ANYSOCK_ACL_ALLOW);
	anysock_acl_free(acl);
	acl = acl_ok("deny 127.0.0.0/8\ndefault allow",
		     ANYSOCK_CANON_NAT64 | ANYSOCK_CANON_COMPATIBLE);
	ck_assert_int_eq(check(acl, "::127.0.0.1", NULL), ANYSOCK_ACL_DENY);
	ck_assert_int_eq(check(acl, "64:ff9b::127.0.0.1", NULL), ANYSOCK_ACL_DENY);
	ck_assert_int_eq(check(acl, "64:ff9b::8.8.8.8", NULL), ANYSOCK_ACL_ALLOW);
	ck_assert_int_eq(check(acl, "::1", NULL), ANYSOCK_ACL_ALLOW);
	anysock_acl_free(acl);
	/* Nested blocks, each side of every edge. */
	acl = acl_ok("allow 10.1.1.0/24\ndeny 10.1.0.0/16\nallow 10.0.0.0/8\n"
		     "deny 0.0.0.0/0\nallow ::/0\ndefault deny",
		     0);
	ck_assert_int_eq(check(acl, "10.1.1.255", NULL), ANYSOCK_ACL_ALLOW);
	ck_assert_int_eq(check(acl, "10.1.2.0", NULL), ANYSOCK_ACL_DENY);
	ck_assert_int_eq(check(acl, "10.1.0.255", NULL), ANYSOCK_ACL_DENY);
	ck_assert_int_eq(check(acl, "10.0.255.255", NULL), ANYSOCK_ACL_ALLOW);
	ck_assert_int_eq(check(acl, "10.2.0.0", NULL), ANYSOCK_ACL_ALLOW);
	ck_assert_int_eq(check(acl, "11.0.0.0", NULL), ANYSOCK_ACL_DENY);
	ck_assert_int_eq(check(acl, "::ffff:11.0.0.0", NULL), ANYSOCK_ACL_DENY);
	ck_assert_int_eq(check(acl, "2001:db8::", NULL), ANYSOCK_ACL_ALLOW);
	ck_assert_int_eq(check(acl, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL),
			 ANYSOCK_ACL_ALLOW);
	ck_assert_int_eq(check(acl, "::", NULL), ANYSOCK_ACL_ALLOW);
	anysock_acl_free(acl);
}
END_TEST

START_TEST(test_acl_errors)
{
	static const struct {
		const char *text;
		int code;
		unsigned line, column;
	} cases[] = {
		{ "", ANYSOCK_E_NODEFAULT, 0, 0 },
		{ "# nothing but a comment\nallow 10.0.0.0/8\n", ANYSOCK_E_NODEFAULT, 0, 0 },
		{ "default deny\nallow 10.0.0.0/8\ndefault allow", ANYSOCK_E_DUPDEFAULT, 3, 1 },
		{ "permit 10.0.0.0/8\ndefault deny", ANYSOCK_E_SYNTAX, 1, 1 },
		{ "Allow 10.0.0.0/8\ndefault deny", ANYSOCK_E_SYNTAX, 1, 1 },
		{ "default deny\nallow\n", ANYSOCK_E_SYNTAX, 2, 6 },
		{ "default deny\nallow # nothing\n", ANYSOCK_E_SYNTAX, 2, 7 },
		{ "default deny\n  allow 10.0.0.0/8,\n", ANYSOCK_E_SYNTAX, 2, 20 },
		{ "default deny\nallow ,10.0.0.0/8\n", ANYSOCK_E_SYNTAX, 2, 7 },
		{ "default deny\nallow 10.0.0.0/8,,10.0.0.0/8\n", ANYSOCK_E_SYNTAX, 2, 18 },
		{ "default maybe", ANYSOCK_E_SYNTAX, 1, 9 },
		{ "default", ANYSOCK_E_SYNTAX, 1, 8 },
		{ "default deny now", ANYSOCK_E_SYNTAX, 1, 14 },
		{ "default deny\n\n\tdeny 10.0.0.0/8 10.0.0.1/8\n", ANYSOCK_E_HOSTBITS, 3, 18 },
		{ "default deny\nallow 10.0.0.0/33\n", ANYSOCK_E_PREFIXLEN, 2, 16 },
		{ "default deny\nallow 300.0.0.0/8\n", ANYSOCK_E_ADDR, 2, 7 },
		{ "default deny\nallow 10.0.0.0/8; allow fe80::%1/64", ANYSOCK_E_SCOPE, 2, 25 },
		{ "default deny;;; allow ::1 ;deny ::2 junk", ANYSOCK_E_ADDR, 1, 37 },
		{ "default deny\r\nallow 10.0.0.0/8x\r\n", ANYSOCK_E_PREFIXLEN, 2, 16 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		anysock_acl *acl = (anysock_acl *)&cases; /* must stay untouched */
		anysock_parse_error e;
		int r = anysock_acl_parse(cases[i].text, 0, &acl, &e);
		ck_assert_msg(r == cases[i].code && e.code == r && e.line == cases[i].line &&
				      e.column == cases[i].column,
			      "case %zu: got %d (%s) at %u:%u, want %d at %u:%u", i, r,
			      anysock_strerror(r), e.line, e.column, cases[i].code,
			      cases[i].line, cases[i].column);
		ck_assert_ptr_eq(acl, (anysock_acl *)&cases);
	}
	anysock_acl *acl;
	ck_assert_int_eq(anysock_acl_parse(NULL, 0, &acl, NULL), -EINVAL);
	ck_assert_int_eq(anysock_acl_parse("default deny", 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(anysock_acl_parse("default deny", 0x8000, &acl, NULL), -EINVAL);
	/* An embedded NUL in length-delimited text is an error, not an end. */
	ck_assert_int_eq(anysock_acl_parse_n("default deny\n\0allow ::1", 23, 0, &acl, NULL),
			 ANYSOCK_E_SYNTAX);
	/* Host bits are fine when asked to mask them. */
	acl = acl_ok("allow 10.9.9.9/8\ndefault deny", ANYSOCK_PREFIX_MASK);
	ck_assert_int_eq(check(acl, "10.1.1.1", NULL), ANYSOCK_ACL_ALLOW);
	anysock_acl_free(acl);
	/* Only a default: every address gets it. */
	acl = acl_ok("default allow", 0);
	ck_assert_int_eq(anysock_acl_count(acl), 0);
	ck_assert_int_eq(check(acl, "::", NULL), ANYSOCK_ACL_ALLOW);
	ck_assert_int_eq(check(acl, "0.0.0.0", NULL), ANYSOCK_ACL_ALLOW);
	anysock_acl_free(acl);
}
END_TEST

/* ----- random lists against a linear scan ------------------------------------ */

/* Prefixes drawn from a small universe, so that they nest, repeat and sit
 * next to each other; addresses drawn at and around their edges. */
static void random_prefix(anysock_prefix *p)
{
	unsigned char b[16] = { 0 };
	int kind = (int)(rnd() % 3);
	if (kind == 0) { /* IPv4 */
		b[0] = (unsigned char)(10 + rnd() % 3);
		b[1] = (unsigned char)(rnd() % 4);
		b[2] = (unsigned char)(rnd() % 4 * 64);
		b[3] = (unsigned char)rnd();
		struct in_addr ip;
		memcpy(&ip, b, 4);
		anysock_addr a;
		anysock_addr_from_in(&a, &ip, 0);
		ck_assert_int_eq(anysock_prefix_from_addr(p, &a, (unsigned)(rnd() % 33)), 0);
	} else {
		b[0] = 0x20;
		b[1] = 0x01;
		b[2] = (unsigned char)(rnd() % 2);
		b[3] = (unsigned char)(0xb8 + rnd() % 2);
		b[7] = (unsigned char)(rnd() % 4);
		b[15] = (unsigned char)rnd();
		if (kind == 2 && rnd() % 2) /* some wide IPv6 blocks over everything */
			memset(b, 0, 16);
		struct in6_addr ip;
		memcpy(&ip, b, 16);
		anysock_addr a;
		anysock_addr_from_in6(&a, &ip, 0, 0);
		ck_assert_int_eq(anysock_prefix_from_addr(p, &a, (unsigned)(rnd() % 129)), 0);
	}
}

/* An address at the start, the end, or just outside p. */
static void edge_addr(const anysock_prefix *p, anysock_addr *a)
{
	unsigned char b[16];
	size_t nb = p->family == AF_INET ? 4 : 16;
	memcpy(b, p->family == AF_INET ? (const void *)&p->u.v4 : (const void *)&p->u.v6, nb);
	int where = (int)(rnd() % 4);
	if (where >= 1) /* the last address: every host bit set */
		for (size_t i = 0; i < nb; i++) {
			unsigned bit0 = 8 * (unsigned)i;
			for (unsigned k = 0; k < 8; k++)
				if (bit0 + k >= p->len)
					b[i] |= (unsigned char)(0x80 >> k);
		}
	if (where == 2) /* one past the end */
		for (size_t i = nb; i-- > 0 && ++b[i] == 0;)
			;
	if (where == 3) /* one before the start */
		for (size_t i = nb; i-- > 0 && b[i]-- == 0;)
			;
	if (p->family == AF_INET) {
		struct in_addr ip;
		memcpy(&ip, b, 4);
		anysock_addr_from_in(a, &ip, 0);
		if (rnd() % 2)
			anysock_addr_map(a);
	} else {
		struct in6_addr ip;
		memcpy(&ip, b, 16);
		anysock_addr_from_in6(a, &ip, 0, 0);
	}
}

START_TEST(test_acl_random_vs_linear)
{
	long lookups = 0, allowed = 0;
	for (int round = 0; round < 40; round++) {
		size_t nrules = 1 + rnd() % 600;
		anysock_prefix *rules = malloc(nrules * sizeof(*rules));
		int *actions = malloc(nrules * sizeof(*actions));
		size_t cap = nrules * (ANYSOCK_PREFIXSTRLEN + 8) + 32, len = 0;
		char *text = malloc(cap);
		for (size_t i = 0; i < nrules; i++) {
			random_prefix(&rules[i]);
			actions[i] = (int)(rnd() % 2);
			char pt[ANYSOCK_PREFIXSTRLEN];
			anysock_prefix_ntop(&rules[i], pt, sizeof(pt));
			len += (size_t)snprintf(text + len, cap - len, "%s %s%s",
						actions[i] ? "allow" : "deny", pt,
						rnd() % 2 ? "\n" : "; ");
		}
		int def = (int)(rnd() % 2);
		snprintf(text + len, cap - len, "default %s\n", def ? "allow" : "deny");
		anysock_acl *acl = acl_ok(text, 0);
		ck_assert_int_eq(anysock_acl_count(acl), (int)nrules);
		for (int k = 0; k < 4000; k++) {
			anysock_addr a;
			edge_addr(&rules[rnd() % nrules], &a);
			int want = def;
			for (size_t i = 0; i < nrules; i++)
				if (anysock_prefix_contains(&rules[i], &a)) {
					want = actions[i];
					break;
				}
			int got = anysock_acl_check(acl, &a, NULL);
			if (got != want) {
				char at[ANYSOCK_ADDRSTRLEN];
				anysock_ntop(&a, at, sizeof(at), 0);
				ck_abort_msg("round %d, %s: acl says %d, linear scan %d", round, at,
					     got, want);
			}
			lookups++;
			allowed += got;
		}
		anysock_acl_free(acl);
		free(text);
		free(rules);
		free(actions);
	}
	printf("acl: %ld lookups on random nested lists agree with a linear scan (%ld allowed)\n",
	       lookups, allowed);
	ck_assert_int_gt(allowed, lookups / 10);
	ck_assert_int_lt(allowed, lookups - lookups / 10);
}
END_TEST

int main(void)
{
	const char *seed = getenv("ANYSOCK_SEED");
	rng_state = seed ? strtoull(seed, NULL, 0) : (uint64_t)time(NULL);
	if (rng_state == 0)
		rng_state = 1;
	printf("check_acl: ANYSOCK_SEED=%llu\n", (unsigned long long)rng_state);
	Suite *s = suite_create("acl");
	TCase *acl = tcase_create("acl");
	tcase_set_timeout(acl, 120);
	tcase_add_test(acl, test_acl_first_match);
	tcase_add_test(acl, test_acl_mapped_rules);
	tcase_add_test(acl, test_acl_errors);
	tcase_add_test(acl, test_acl_random_vs_linear);
	suite_add_tcase(s, acl);
	int failed = run_suite(s, true);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
