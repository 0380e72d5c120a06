/*
 * check_text_diff.c - differential test against glibc.
 *
 * Millions of random addresses: anysock_ntop's address part must be
 * byte-identical to inet_ntop. Millions of random strings: anysock_pton must
 * accept exactly what inet_pton accepts, giving the same bytes.
 *
 * IPv6 text is also compared with RFC 5952 as written here (ref_ntop6), and
 * only with that when the C library is not glibc: musl's inet_ntop breaks
 * section 4.2.3's tie rule (0:0:1:0:0:2:: for 0:0:1::2:0:0, where the first
 * of two equal runs must be the one shortened), so it cannot be the oracle.
 * On glibc the reference is itself checked against inet_ntop.
 *
 * The one deliberate difference, ::/96 (not mapped), is excluded from the
 * byte comparison: glibc prints a dotted tail there (::1:0 as ::0.1.0.0),
 * anysock prints RFC 5952 hex (anysock_ntop(3)). That range gets its own
 * check: hex only, and it parses back to the same address.
 *
 * ANYSOCK_SEED=n reproduces a run; ANYSOCK_DIFF_N=n sets the count
 * (1,000,000 with ANYSOCK_TEST_FULL=1, as in CI; 100,000 otherwise).
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "anysock.h"
#include "check_main.h"

static uint64_t rng_state;
static long count;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

/* Addresses with the shapes that matter for text: runs of zero groups of
 * every length and position, small and large groups, mapped and ::/96. */
static void random_v6(unsigned char b[16])
{
	uint64_t shape = rnd();
	for (int i = 0; i < 8; i++) {
		unsigned w;
		switch ((shape >> (3 * i)) & 7) {
		case 0: case 1: case 2: w = 0; break;
		case 3: w = (unsigned)(rnd() & 0xf); break;
		case 4: w = (unsigned)(rnd() & 0xff); break;
		case 5: w = (unsigned)(rnd() & 0xfff); break;
		default: w = (unsigned)(rnd() & 0xffff); break;
		}
		b[2 * i] = (unsigned char)(w >> 8);
		b[2 * i + 1] = (unsigned char)w;
	}
	switch ((shape >> 40) & 15) {
	case 0: /* IPv4-mapped */
		memset(b, 0, 10);
		b[10] = b[11] = 0xff;
		break;
	case 1: /* ::/96 */
		memset(b, 0, 12);
		break;
	default:
		break;
	}
}

static bool in_zero96(const unsigned char b[16])
{
	static const unsigned char zero[12];
	return memcmp(b, zero, 12) == 0;
}

/* RFC 5952 section 4, written from the text: lowercase hex without leading
 * zeros (4.1, 4.3); "::" for the longest run of two or more zero groups,
 * the first of equal runs (4.2.1-4.2.3); mapped addresses end in dotted
 * IPv4 (section 5). Not for ::/96, which the caller checks apart. */
static void ref_ntop6(const unsigned char b[16], char *out)
{
	unsigned w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
	int best = -1, best_len = 1;
	for (int i = 0; i < 8;) {
		int j = i;
		while (j < 8 && w[j] == 0)
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		i = j > i ? j : i + 1;
	}
	bool mapped = w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 &&
		      w[5] == 0xffff;
	int groups = mapped ? 6 : 8;
	char *p = out;
	for (int i = 0; i < groups; i++) {
		if (i == best) {
			p += sprintf(p, "::");
			i += best_len - 1;
			continue;
		}
		p += sprintf(p, "%s%x", i > 0 && i != best + best_len ? ":" : "", w[i]);
	}
	if (mapped)
		sprintf(p, ":%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
}

/* Whether inet_ntop is an oracle for IPv6 text here (see the top). */
#ifdef __GLIBC__
#define LIBC_NTOP6 true
#else
#define LIBC_NTOP6 false
#endif

START_TEST(test_ntop_v6_matches_glibc)
{
	long compared = 0, zero96 = 0;
	for (long n = 0; n < count; n++) {
		anysock_addr a;
		struct in6_addr ip;
		random_v6(ip.s6_addr);
		anysock_addr_from_in6(&a, &ip, 0, 0);
		char ours[ANYSOCK_ADDRSTRLEN], theirs[INET6_ADDRSTRLEN];
		int len = anysock_ntop(&a, ours, sizeof(ours), ANYSOCK_NTOP_NOPORT);
		ck_assert_int_gt(len, 0);
		ck_assert_int_eq((size_t)len, strlen(ours));
		if (in_zero96(ip.s6_addr)) {
			struct in6_addr back;
			ck_assert_msg(strchr(ours, '.') == NULL, "dotted ::/96: %s", ours);
			ck_assert_int_eq(inet_pton(AF_INET6, ours, &back), 1);
			ck_assert(memcmp(&back, &ip, 16) == 0);
			zero96++;
			continue;
		}
		char ref[INET6_ADDRSTRLEN];
		ref_ntop6(ip.s6_addr, ref);
		ck_assert_msg(strcmp(ours, ref) == 0, "ours %s, RFC 5952 %s", ours, ref);
		if (LIBC_NTOP6) {
			ck_assert_ptr_nonnull(inet_ntop(AF_INET6, &ip, theirs, sizeof(theirs)));
			ck_assert_msg(strcmp(ours, theirs) == 0, "ours %s, glibc %s", ours, theirs);
		}
		compared++;
	}
	const char *also = LIBC_NTOP6 ? " and to glibc's inet_ntop"
				      : " (not glibc: its inet_ntop is not compared)";
	printf("ntop v6: %ld byte-identical to RFC 5952 as written here%s, %ld in ::/96 checked "
	       "apart\n",
	       compared, also, zero96);
	ck_assert_int_gt(zero96, 0);
}
END_TEST

START_TEST(test_ntop_v4_matches_glibc)
{
	for (long n = 0; n < count; n++) {
		uint64_t r = rnd();
		struct in_addr ip;
		/* Small octets often: one- and two-digit forms matter. */
		unsigned char *b = (unsigned char *)&ip;
		for (int i = 0; i < 4; i++) {
			unsigned v = (unsigned)(r >> (16 * i)) & 0xffff;
			b[i] = (unsigned char)((v >> 8) & 1 ? v & 0xff : v % 12);
		}
		anysock_addr a;
		anysock_addr_from_in(&a, &ip, 0);
		char ours[ANYSOCK_ADDRSTRLEN], theirs[INET_ADDRSTRLEN];
		anysock_ntop(&a, ours, sizeof(ours), ANYSOCK_NTOP_NOPORT);
		inet_ntop(AF_INET, &ip, theirs, sizeof(theirs));
		ck_assert_msg(strcmp(ours, theirs) == 0, "ours %s, glibc %s", ours, theirs);
	}
}
END_TEST

/* A random string near the address grammar: either a valid address with a
 * few random edits, or characters drawn from the address alphabet. */
static size_t random_text(char *s, size_t cap)
{
	static const char alphabet[] = "0123456789abcdefABCDEF:.:.::0019gx";
	size_t n;
	uint64_t r = rnd();
	if (r & 1) {
		unsigned char b[16];
		random_v6(b);
		if ((r >> 1) & 1)
			inet_ntop(AF_INET, b + 12, s, (socklen_t)cap);
		else
			inet_ntop(AF_INET6, b, s, (socklen_t)cap);
		n = strlen(s);
		int edits = (int)((r >> 2) % 4);
		for (int e = 0; e < edits; e++) {
			uint64_t q = rnd();
			size_t pos = n ? (size_t)(q % n) : 0;
			char c = alphabet[(q >> 16) % (sizeof(alphabet) - 1)];
			switch ((q >> 32) % 3) {
			case 0: /* replace */
				if (n)
					s[pos] = c;
				break;
			case 1: /* insert */
				if (n + 1 < cap) {
					memmove(s + pos + 1, s + pos, n - pos + 1);
					s[pos] = c;
					n++;
				}
				break;
			default: /* delete */
				if (n) {
					memmove(s + pos, s + pos + 1, n - pos);
					n--;
				}
				break;
			}
		}
	} else {
		n = (size_t)((r >> 1) % 48);
		for (size_t i = 0; i < n; i++)
			s[i] = alphabet[rnd() % (sizeof(alphabet) - 1)];
		s[n] = '\0';
	}
	return n;
}

START_TEST(test_pton_matches_glibc)
{
	long accepted = 0;
	for (long n = 0; n < count; n++) {
		char s[96];
		random_text(s, 64);
		unsigned char v4[4], v6[16];
		int glibc4 = inet_pton(AF_INET, s, v4);
		int glibc6 = inet_pton(AF_INET6, s, v6);
		anysock_addr a;
		int ours = anysock_pton(s, &a, ANYSOCK_PTON_NOPORT);
		ck_assert_msg((ours == 0) == (glibc4 == 1 || glibc6 == 1),
			      "\"%s\": anysock %d (%s), inet_pton v4 %d v6 %d", s, ours,
			      anysock_strerror(ours), glibc4, glibc6);
		if (ours != 0)
			continue;
		accepted++;
		if (glibc4 == 1) {
			ck_assert_int_eq(a.u.sa.sa_family, AF_INET);
			ck_assert(memcmp(&a.u.sin.sin_addr, v4, 4) == 0);
		} else {
			ck_assert_int_eq(a.u.sa.sa_family, AF_INET6);
			ck_assert(memcmp(&a.u.sin6.sin6_addr, v6, 16) == 0);
		}
		/* The bracketed form of an IPv6 address is accepted the same. */
		if (glibc6 == 1) {
			char br[100];
			snprintf(br, sizeof(br), "[%s]:1", s);
			ck_assert_int_eq(anysock_pton(br, &a, 0), 0);
			ck_assert(memcmp(&a.u.sin6.sin6_addr, v6, 16) == 0);
		}
	}
	printf("pton: %ld strings, %ld accepted, all agreeing with inet_pton\n", count, accepted);
	ck_assert_int_gt(accepted, count / 10);
}
END_TEST

int main(void)
{
	const char *seed = getenv("ANYSOCK_SEED");
	const char *n = getenv("ANYSOCK_DIFF_N");
	rng_state = seed ? strtoull(seed, NULL, 0) : (uint64_t)time(NULL);
	if (rng_state == 0)
		rng_state = 1;
	count = n ? strtol(n, NULL, 0) : test_full() ? 1000000 : 100000;
	printf("check_text_diff: ANYSOCK_SEED=%llu, %ld cases per test\n",
	       (unsigned long long)rng_state, count);

	Suite *s = suite_create("text_diff");
	TCase *tc = tcase_create("glibc");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_ntop_v6_matches_glibc);
	tcase_add_test(tc, test_ntop_v4_matches_glibc);
	tcase_add_test(tc, test_pton_matches_glibc);
	suite_add_tcase(s, tc);
	/* In-process: the figures printed above belong in the log. */
	int failed = run_suite(s, true);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
