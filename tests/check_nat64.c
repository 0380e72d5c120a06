/*
 * check_nat64.c - RFC 6052 both ways at every prefix length, the prefix
 * checks, and what a known prefix changes: classes, is_global, canonical
 * forms, comparisons and access lists seeing the IPv4 host inside. No
 * name is looked up here (discovery: tests/netns/nat64_ns.c); each test
 * runs in a process of its own, so the prefixes one adds stay its own.
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "anysock.h"
#include "check_main.h"
#include "prefix_helpers.h"

#define C(x) ANYSOCK_CLASS_##x

static const char *ntop(const anysock_addr *a)
{
	static char buf[2][ANYSOCK_ADDRSTRLEN];
	static int k;
	k = !k;
	anysock_ntop(a, buf[k], sizeof(buf[k]), 0);
	return buf[k];
}

/* RFC 6052 section 2.4, Table 1: 192.0.2.33 under each prefix length,
 * written out from the RFC (the bytes of the IPv4 address step over
 * bits 64-71 below /96). */
static const struct {
	const char *prefix, *embedded;
} table1[] = {
	{ "2001:db8::/32", "2001:db8:c000:221::" },
	{ "2001:db8:100::/40", "2001:db8:1c0:2:21::" },
	{ "2001:db8:122::/48", "2001:db8:122:c000:2:2100::" },
	{ "2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::" },
	{ "2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0" },
	{ "2001:db8:122:344::/96", "2001:db8:122:344::c000:221" },
};

START_TEST(test_rfc6052_table)
{
	anysock_prefix p = prefix(table1[_i].prefix);
	anysock_addr v4 = addr("192.0.2.33:8080"), v6, back;
	ck_assert_int_eq(anysock_nat64_synthesize(&v4, &p, &v6), 0);
	anysock_addr want = addr(table1[_i].embedded);
	anysock_addr_set_port(&want, 8080);
	ck_assert_msg(anysock_addr_equal(&v6, &want, 0), "%s: %s, not %s", table1[_i].prefix,
		      ntop(&v6), ntop(&want));
	ck_assert_int_eq(anysock_nat64_extract(&v6, &p, &back), 0);
	ck_assert_str_eq(ntop(&back), "192.0.2.33:8080");
	/* Unknown to the process until added: not seen through without p. */
	ck_assert_int_eq(anysock_nat64_extract(&v6, NULL, NULL), -ENOENT);
	ck_assert_int_eq(anysock_nat64_add(&p), 0);
	ck_assert_int_eq(anysock_nat64_extract(&v6, NULL, &back), 0);
	ck_assert_str_eq(ntop(&back), "192.0.2.33:8080");
	ck_assert_uint_eq(anysock_addr_class(&v6) & (C(NAT64) | C(DOCUMENTATION)),
			  C(NAT64) | C(DOCUMENTATION));
}
END_TEST

START_TEST(test_every_address_every_length)
{
	/* Both ways for many addresses at each length, the u octet (byte 8)
	 * always zero. */
	static const char *prefixes[] = { "2001:db8::/32",         "2001:db8:100::/40",
					  "2001:db8:122::/48",     "2001:db8:122:300::/56",
					  "2001:db8:122:344::/64", "2001:db8:122:344::/96" };
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		anysock_prefix p = prefix(prefixes[i]);
		for (uint32_t x = 0x01000001; x < 0xdf000000; x += 0x00f1e3d7) {
			struct in_addr ip = { htonl(x) };
			anysock_addr v4, v6, back;
			anysock_addr_from_in(&v4, &ip, 443);
			int rc = anysock_nat64_synthesize(&v4, &p, &v6);
			if (rc == ANYSOCK_E_NAT64TARGET)
				continue; /* loopback, link-local: checked below */
			ck_assert_int_eq(rc, 0);
			ck_assert(anysock_prefix_contains(&p, &v6));
			ck_assert_int_eq(v6.u.sin6.sin6_addr.s6_addr[8], 0);
			ck_assert_int_eq(anysock_nat64_extract(&v6, &p, &back), 0);
			ck_assert(anysock_addr_equal(&v4, &back, 0));
		}
	}
}
END_TEST

START_TEST(test_well_known_prefix)
{
	anysock_prefix wkp = prefix("64:ff9b::/96");
	anysock_addr v6, back;
	/* RFC 6052 section 3.1: not for non-global IPv4 addresses (the table's
	 * own 192.0.2.33 is documentation space), but for global ones. */
	anysock_addr doc = addr("192.0.2.33"), global = addr("8.8.4.4:53");
	ck_assert_int_eq(anysock_nat64_synthesize(&doc, &wkp, &v6), ANYSOCK_E_NAT64TARGET);
	ck_assert_int_eq(anysock_nat64_synthesize(&global, &wkp, &v6), 0);
	ck_assert_str_eq(ntop(&v6), "[64:ff9b::808:404]:53");
	/* Seen through without asking: the one prefix everybody knows. */
	anysock_addr table = addr("64:ff9b::192.0.2.33");
	ck_assert_int_eq(anysock_nat64_extract(&table, NULL, &back), 0);
	ck_assert_str_eq(ntop(&back), "192.0.2.33:0");
	ck_assert_int_eq(anysock_nat64_extract(&table, &wkp, NULL), 0);
	/* A mapped IPv4 address is an IPv4 address to synthesize. */
	anysock_addr mapped = addr("[::ffff:8.8.4.4]:53");
	ck_assert_int_eq(anysock_nat64_synthesize(&mapped, &wkp, &v6), 0);
	ck_assert_str_eq(ntop(&v6), "[64:ff9b::808:404]:53");
}
END_TEST

START_TEST(test_targets_refused)
{
	/* No translator serves these, under any prefix. */
	static const char *bad[] = { "127.0.0.1", "0.0.0.0",   "0.1.2.3",        "169.254.1.1",
				     "224.0.0.1", "239.1.2.3", "255.255.255.255" };
	anysock_prefix nsp = prefix("2001:db8:64::/96");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		anysock_addr v4 = addr(bad[i]), v6;
		ck_assert_msg(anysock_nat64_synthesize(&v4, &nsp, &v6) == ANYSOCK_E_NAT64TARGET,
			      "%s", bad[i]);
	}
	/* A network-specific prefix may carry private and documentation ones. */
	anysock_addr priv = addr("10.0.0.1"), v6;
	ck_assert_int_eq(anysock_nat64_synthesize(&priv, &nsp, &v6), 0);
	ck_assert_str_eq(ntop(&v6), "[2001:db8:64::a00:1]:0");
}
END_TEST

START_TEST(test_prefixes_refused)
{
	static const struct {
		const char *text;
		int code;
	} cases[] = {
		{ "2001:d00::/24", ANYSOCK_E_NAT64LEN },
		{ "2001:db8::/33", ANYSOCK_E_NAT64LEN },
		{ "2001:db8::/72", ANYSOCK_E_NAT64LEN },
		{ "2001:db8::/128", ANYSOCK_E_NAT64LEN },
		{ "::/0", ANYSOCK_E_NAT64LEN },
		/* stored as the IPv4 prefix 0.0.0.0/0: not an IPv6 prefix */
		{ "::ffff:0:0/96", ANYSOCK_E_NAT64PREFIX },
		{ "::/96", ANYSOCK_E_NAT64PREFIX },              /* IPv4-compatible */
		{ "::ffff:0:0:0/96", ANYSOCK_E_NAT64PREFIX },    /* SIIT */
		{ "2001::/32", ANYSOCK_E_NAT64PREFIX },          /* Teredo */
		{ "2001:2::/48", ANYSOCK_E_NAT64PREFIX },        /* benchmarking, IETF block */
		{ "2002:c000:200::/40", ANYSOCK_E_NAT64PREFIX }, /* 6to4 */
		{ "fe80::/64", ANYSOCK_E_NAT64PREFIX },          /* link-local */
		{ "ff0e::/96", ANYSOCK_E_NAT64PREFIX },          /* multicast */
		{ "100::/64", ANYSOCK_E_NAT64PREFIX },           /* discard-only */
		{ "5f00::/32", ANYSOCK_E_NAT64PREFIX },          /* SRv6 */
		{ "64:ff9b::/64", ANYSOCK_E_NAT64PREFIX },       /* the well-known one is /96 */
		/* RFC 6052 2.2: a /96 prefix keeps bits 64-71 zero */
		{ "2001:db8:0:0:100::/96", ANYSOCK_E_NAT64PREFIX },
		{ "10.0.0.0/8", ANYSOCK_E_NAT64PREFIX },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		anysock_prefix p = prefix(cases[i].text);
		anysock_addr v4 = addr("192.0.2.1"), v6 = addr("2001:db8::1");
		ck_assert_msg(anysock_nat64_add(&p) == cases[i].code, "%s: %s", cases[i].text,
			      anysock_strerror(anysock_nat64_add(&p)));
		ck_assert_int_eq(anysock_nat64_synthesize(&v4, &p, &v6), cases[i].code);
		ck_assert_int_eq(anysock_nat64_extract(&v6, &p, &v4), cases[i].code);
	}
	/* Bits past the length, in a prefix built by hand. */
	anysock_prefix p = prefix("2001:db8:64::/96");
	p.u.v6.s6_addr[15] = 1;
	ck_assert_int_eq(anysock_nat64_add(&p), ANYSOCK_E_HOSTBITS);
	p.family = AF_UNIX;
	ck_assert_int_eq(anysock_nat64_add(&p), -EINVAL);
	ck_assert_int_eq(anysock_nat64_add(NULL), -EINVAL);
	/* These are fine: global, unique local, local-use, well-known. */
	static const char *good[] = { "2001:db8:64::/96", "fd00:64::/64",      "64:ff9b:1:2::/64",
				      "64:ff9b::/96",     "2a00:1098:2c::/48", "3fff:64::/40",
				      "2001:db8::/32" };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		p = prefix(good[i]);
		ck_assert_msg(anysock_nat64_add(&p) == 0, "%s", good[i]);
		ck_assert_int_eq(anysock_nat64_add(&p), 0); /* again: still 0 */
	}
	p = prefix("2001:db8:1::/48");
	ck_assert_int_eq(anysock_nat64_add(&p), 0); /* the eighth */
	p = prefix("2001:db8:2::/48");
	ck_assert_int_eq(anysock_nat64_add(&p), -ENOSPC);
}
END_TEST

START_TEST(test_bad_arguments)
{
	anysock_prefix p = prefix("2001:db8:64::/96");
	anysock_addr v4 = addr("192.0.2.1"), v6 = addr("2001:db8:64::c000:201"), out, none;
	memset(&none, 0, sizeof(none));
	ck_assert_int_eq(anysock_nat64_synthesize(&v4, &p, NULL), -EINVAL);
	ck_assert_int_eq(anysock_nat64_synthesize(&none, &p, &out), -EINVAL);
	ck_assert_int_eq(anysock_nat64_synthesize(&v6, &p, &out), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_nat64_extract(&v4, &p, &out), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_nat64_extract(&none, &p, &out), -EINVAL);
	anysock_addr un;
	anysock_addr_from_unix(&un, "/tmp/x");
	ck_assert_int_eq(anysock_nat64_synthesize(&un, &p, &out), -EAFNOSUPPORT);
	/* No prefix known in this process: nothing to synthesize with. */
	ck_assert_int_eq(anysock_nat64_synthesize(&v4, NULL, &out), ANYSOCK_E_NONAT64);
	/* Outside the prefix, or with the u octet set: not a translation. */
	anysock_addr outside = addr("2001:db8:65::c000:201");
	ck_assert_int_eq(anysock_nat64_extract(&outside, &p, &out), -ENOENT);
	anysock_prefix p64 = prefix("2001:db8:64::/64");
	anysock_addr u = addr("2001:db8:64:0:1c0:0:201:0");
	ck_assert_int_eq(anysock_nat64_extract(&u, &p64, &out), -ENOENT);
	/* The lookup form takes only its own lookups. */
	anysock_lookup *q;
	ck_assert_int_eq(anysock_resolve_start("127.0.0.1", "80", SOCK_STREAM, 0, 100, &q), 0);
	anysock_prefix got[2];
	ck_assert_int_eq(anysock_nat64_result(q, got, 2), -EINVAL);
	ck_assert_int_eq(anysock_nat64_result(NULL, got, 2), -EINVAL);
	anysock_lookup_free(q);
	ck_assert_int_eq(anysock_nat64_start(100, NULL), -EINVAL);
	ck_assert_int_eq(anysock_nat64_prefixes(NULL, 1, 0), -EINVAL);
}
END_TEST

/* A global-space prefix, so that is_global has something to say. */
#define NSP "2a00:1098:2c::/96"

START_TEST(test_seen_through_once_known)
{
	anysock_addr priv = addr("[2a00:1098:2c::10.0.0.1]:443");
	anysock_addr pub = addr("[2a00:1098:2c::8.8.4.4]:443");
	anysock_addr v4 = addr("10.0.0.1:443");
	/* Before: an address like any other, and "safe to reach". */
	ck_assert(anysock_addr_is_global(&priv));
	ck_assert_uint_eq(anysock_addr_class(&priv) & (C(NAT64) | C(PRIVATE)), 0);
	ck_assert_int_eq(anysock_addr_embedded_ipv4(&priv, NULL), -ENOENT);
	anysock_addr canon = priv;
	ck_assert_int_eq(anysock_addr_canonical(&canon, ANYSOCK_CANON_NAT64), 0);
	ck_assert(!anysock_addr_equal(&priv, &v4, ANYSOCK_CANON_NAT64));
	anysock_acl *acl;
	ck_assert_int_eq(anysock_acl_parse("deny 10.0.0.0/8; default allow", ANYSOCK_CANON_NAT64,
					   &acl, NULL),
			 0);
	ck_assert_int_eq(anysock_acl_check(acl, &priv, NULL), ANYSOCK_ACL_ALLOW);

	anysock_prefix p = prefix(NSP);
	ck_assert_int_eq(anysock_nat64_add(&p), 0);

	/* After: the IPv4 host inside decides. */
	ck_assert(!anysock_addr_is_global(&priv));
	ck_assert(anysock_addr_is_global(&pub));
	ck_assert_uint_eq(anysock_addr_class(&priv) & (C(NAT64) | C(PRIVATE) | C(GLOBAL)),
			  C(NAT64) | C(PRIVATE));
	struct in_addr inside;
	ck_assert_int_eq(anysock_addr_embedded_ipv4(&priv, &inside), (int)C(NAT64));
	ck_assert_uint_eq(ntohl(inside.s_addr), 0x0a000001);
	ck_assert_int_eq(anysock_addr_canonical(&canon, ANYSOCK_CANON_NAT64), 1);
	ck_assert_str_eq(ntop(&canon), "10.0.0.1:443");
	ck_assert(anysock_addr_equal(&priv, &v4, ANYSOCK_CANON_NAT64));
	ck_assert(!anysock_addr_equal(&priv, &v4, 0));
	ck_assert_uint_eq(anysock_addr_hash(&priv, ANYSOCK_CANON_NAT64, 7),
			  anysock_addr_hash(&v4, ANYSOCK_CANON_NAT64, 7));
	ck_assert_int_eq(anysock_acl_check(acl, &priv, NULL), ANYSOCK_ACL_DENY);
	ck_assert_int_eq(anysock_acl_check(acl, &pub, NULL), ANYSOCK_ACL_ALLOW);
	anysock_acl_free(acl);
	/* Without ANYSOCK_CANON_NAT64 an access list matches the IPv6 text. */
	ck_assert_int_eq(anysock_acl_parse("deny 10.0.0.0/8; default allow", 0, &acl, NULL), 0);
	ck_assert_int_eq(anysock_acl_check(acl, &priv, NULL), ANYSOCK_ACL_ALLOW);
	anysock_acl_free(acl);
	/* Loopback inside is loopback. */
	anysock_addr lo = addr("2a00:1098:2c::127.0.0.1");
	ck_assert(anysock_addr_is_loopback(&lo));
	/* Not a translation: outside the prefix. */
	anysock_addr near = addr("2a00:1098:2d::10.0.0.1");
	ck_assert(anysock_addr_is_global(&near));
	/* The first prefix known is the one synthesize uses by default. */
	anysock_addr v6;
	ck_assert_int_eq(anysock_nat64_synthesize(&v4, NULL, &v6), 0);
	ck_assert_str_eq(ntop(&v6), "[2a00:1098:2c::a00:1]:443");
}
END_TEST

START_TEST(test_u_octet_not_seen_through)
{
	/* Under a /64 prefix, an address with bits 64-71 set is no
	 * translation (RFC 6052 section 2.2): a DNS64 did not make it. */
	anysock_prefix p = prefix("2a00:1098:2c:64::/64");
	ck_assert_int_eq(anysock_nat64_add(&p), 0);
	anysock_addr made = addr("2a00:1098:2c:64:a:0:1:0"),
		     host = addr("2a00:1098:2c:64:10a:0:1:0");
	ck_assert_int_eq(anysock_addr_embedded_ipv4(&made, NULL), (int)C(NAT64));
	ck_assert(!anysock_addr_is_global(&made));
	ck_assert_int_eq(anysock_addr_embedded_ipv4(&host, NULL), -ENOENT);
	ck_assert(anysock_addr_is_global(&host));
}
END_TEST

/* Readers on every thread while prefixes arrive: an address under the
 * prefix is either not yet seen through or carries exactly its IPv4.
 * (No ck_assert in the threads or the children: check's own lock is not
 * safe across fork.) */
static volatile bool stop;

static void *reader(void *arg)
{
	anysock_addr a;
	anysock_pton(arg, &a, 0);
	uintptr_t n = 0;
	while (!stop) {
		struct in_addr in;
		int form = anysock_addr_embedded_ipv4(&a, &in);
		if (form != -ENOENT && (form != (int)C(NAT64) || ntohl(in.s_addr) != 0x0a010203))
			return NULL;
		n++;
	}
	return (void *)n;
}

START_TEST(test_threads_and_fork)
{
	pthread_t t[3];
	stop = false;
	static char under[] = "2a00:1098:2c:7::10.1.2.3";
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, reader, under);
	for (int i = 0; i < 8; i++) {
		char text[64];
		snprintf(text, sizeof(text), "2a00:1098:2c:%x::/96", i + 1);
		anysock_prefix p = prefix(text);
		ck_assert_int_eq(anysock_nat64_add(&p), 0);
		/* A child forked meanwhile neither hangs nor finds it half
		 * written, and adds on its own. */
		pid_t pid = fork();
		if (pid == 0) {
			alarm(5);
			anysock_addr a;
			anysock_prefix q;
			anysock_pton("2a00:1098:2c:7::10.1.2.3", &a, 0);
			anysock_prefix_parse("2a00:1098:2c:7::/96", &q, 0);
			int form = anysock_addr_embedded_ipv4(&a, NULL);
			_exit(anysock_nat64_add(&q) == 0 && (i >= 6 ? form > 0 : form == -ENOENT)
				      ? 0
				      : 1);
		}
		int status;
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d: %#x", i,
			      status);
	}
	stop = true;
	for (int i = 0; i < 3; i++) {
		void *n;
		pthread_join(t[i], &n);
		ck_assert_ptr_nonnull(n);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("nat64");
	TCase *tc = tcase_create("rfc6052");
	tcase_add_loop_test(tc, test_rfc6052_table, 0, (int)(sizeof(table1) / sizeof(table1[0])));
	tcase_add_test(tc, test_every_address_every_length);
	tcase_add_test(tc, test_well_known_prefix);
	tcase_add_test(tc, test_targets_refused);
	tcase_add_test(tc, test_prefixes_refused);
	tcase_add_test(tc, test_bad_arguments);
	suite_add_tcase(s, tc);
	tc = tcase_create("known");
	tcase_add_test(tc, test_seen_through_once_known);
	tcase_add_test(tc, test_u_octet_not_seen_through);
	tcase_add_test(tc, test_threads_and_fork);
	suite_add_tcase(s, tc);
	/* Every test in a process of its own, whatever CK_FORK says: the
	 * prefixes are process state. */
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
