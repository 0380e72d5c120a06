/*
 * check_classify.c - classification against the special-purpose registries,
 * embedded IPv4 forms and the classic SSRF bypass spellings.
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "anysock.h"
#include "check_main.h"

#define C(x) ANYSOCK_CLASS_##x

static anysock_addr parse(const char *text)
{
	anysock_addr a;
	int r = anysock_pton(text, &a, 0);
	ck_assert_msg(r == 0, "pton(%s): %s", text, anysock_strerror(r));
	return a;
}

/* The expected table, written from the registries independently of
 * lib/classify.c. 'global' is the registry's Globally Reachable column.
 * 'nested' rows sit inside or next to a block with the same bit, so their
 * outside neighbours are not checked for it. */
static const struct {
	const char *prefix;
	int len;
	unsigned bit;
	bool global, nested;
} blocks[] = {
	{ "0.0.0.0", 8, C(RESERVED), false, false },
	{ "10.0.0.0", 8, C(PRIVATE), false, false },
	{ "100.64.0.0", 10, C(SHARED), false, false },
	{ "127.0.0.0", 8, C(LOOPBACK), false, false },
	{ "169.254.0.0", 16, C(LINK_LOCAL), false, false },
	{ "172.16.0.0", 12, C(PRIVATE), false, false },
	{ "192.0.0.0", 24, C(PROTOCOL), false, false },
	{ "192.0.0.8", 32, C(DUMMY), false, false },
	{ "192.0.0.9", 32, C(ANYCAST), true, true },
	{ "192.0.0.10", 32, C(ANYCAST), true, true },
	{ "192.0.0.170", 32, C(NAT64), false, true },
	{ "192.0.2.0", 24, C(DOCUMENTATION), false, false },
	{ "192.31.196.0", 24, C(AS112), true, false },
	{ "192.52.193.0", 24, C(AMT), true, false },
	{ "192.168.0.0", 16, C(PRIVATE), false, false },
	{ "192.175.48.0", 24, C(AS112), true, false },
	{ "198.18.0.0", 15, C(BENCHMARKING), false, false },
	{ "198.51.100.0", 24, C(DOCUMENTATION), false, false },
	{ "203.0.113.0", 24, C(DOCUMENTATION), false, false },
	{ "224.0.0.0", 4, C(MULTICAST), false, false },
	{ "240.0.0.0", 4, C(RESERVED), false, false },
	{ "255.255.255.255", 32, C(BROADCAST), false, false },
	{ "::1", 128, C(LOOPBACK), false, false },
	{ "::", 128, C(UNSPECIFIED), false, false },
	{ "64:ff9b::", 96, C(NAT64), false /* judged by the IPv4 inside */, false },
	{ "64:ff9b:1::", 48, C(NAT64), false, false },
	{ "100::", 64, C(DISCARD), false, false },
	{ "100:0:0:1::", 64, C(DUMMY), false, false },
	{ "2001::", 32, C(TEREDO), false, false },
	{ "2001:1::1", 128, C(ANYCAST), true, true },
	{ "2001:1::3", 128, C(ANYCAST), true, true },
	{ "2001:2::", 48, C(BENCHMARKING), false, false },
	{ "2001:3::", 32, C(AMT), true, false },
	{ "2001:4:112::", 48, C(AS112), true, false },
	{ "2001:20::", 28, C(ORCHID), true, false },
	{ "2001:db8::", 32, C(DOCUMENTATION), false, false },
	{ "2002::", 16, C(6TO4), false, false },
	{ "2620:4f:8000::", 48, C(AS112), true, false },
	{ "3fff::", 20, C(DOCUMENTATION), false, false },
	{ "5f00::", 16, C(SRV6), false, false },
	{ "fc00::", 7, C(PRIVATE), false, false },
	{ "fe80::", 10, C(LINK_LOCAL), false, false },
	{ "fec0::", 10, C(SITE_LOCAL), false, false },
	{ "ff00::", 8, C(MULTICAST), false, false },
	{ "::ffff:0:0:0", 96, C(TRANSLATED), false /* judged by the IPv4 inside */, false },
	{ "4000::", 2, C(RESERVED), false, true },
	{ "1000::", 4, C(RESERVED), false, true },
};

/* b += delta over the whole 128 (or 32) bits, with carry. */
static void add(unsigned char *b, int nbytes, int delta)
{
	for (int i = nbytes - 1; i >= 0; i--) {
		int v = b[i] + delta;
		b[i] = (unsigned char)(v & 0xff);
		if (v >= 0 && v <= 0xff)
			return;
		delta = v < 0 ? -1 : 1;
	}
}

static anysock_addr from_bytes(const unsigned char *b, int nbytes)
{
	anysock_addr a;
	if (nbytes == 4)
		anysock_addr_from_in(&a, (const struct in_addr *)(const void *)b, 0);
	else
		anysock_addr_from_in6(&a, (const struct in6_addr *)(const void *)b, 0, 0);
	return a;
}

static void expect(const anysock_addr *a, unsigned bit, bool present, bool global)
{
	char text[ANYSOCK_ADDRSTRLEN], names[256];
	anysock_ntop(a, text, sizeof(text), ANYSOCK_NTOP_NOPORT);
	unsigned c = anysock_addr_class(a);
	anysock_class_str(c, names, sizeof(names));
	ck_assert_msg(((c & bit) != 0) == present, "%s: classes {%s}, want bit %#x %s", text,
		      names, bit, present ? "set" : "clear");
	if (present)
		ck_assert_msg(anysock_addr_is_global(a) == global, "%s: {%s}, want %sglobal", text,
			      names, global ? "" : "not ");
}

START_TEST(test_blocks)
{
	anysock_addr base = parse(blocks[_i].prefix);
	bool v4 = anysock_addr_family(&base) == AF_INET;
	int nbytes = v4 ? 4 : 16, bits = nbytes * 8, len = blocks[_i].len;
	unsigned char first[16], last[16];
	memcpy(first, v4 ? (void *)&base.u.sin.sin_addr : (void *)&base.u.sin6.sin6_addr, nbytes);
	memcpy(last, first, 16);
	for (int i = len; i < bits; i++)
		last[i / 8] |= (unsigned char)(0x80 >> (i % 8));
	unsigned bit = blocks[_i].bit;
	bool global = blocks[_i].global;

	anysock_addr a = from_bytes(first, nbytes), z = from_bytes(last, nbytes);
	expect(&a, bit, true, global);
	expect(&z, bit, true, global);
	if (v4) { /* the mapped form is the same host */
		anysock_addr_map(&a);
		anysock_addr_map(&z);
		expect(&a, bit | C(MAPPED), true, global);
		expect(&z, bit, true, global);
	}
	if (blocks[_i].nested)
		return;
	unsigned char before[16], after[16];
	memcpy(before, first, 16);
	memcpy(after, last, 16);
	static const unsigned char zero[16], ones[16] = { 255, 255, 255, 255, 255, 255, 255, 255,
							  255, 255, 255, 255, 255, 255, 255, 255 };
	if (memcmp(first, zero, nbytes) != 0) {
		add(before, nbytes, -1);
		anysock_addr b = from_bytes(before, nbytes);
		expect(&b, bit, false, false);
	}
	if (memcmp(last, ones, nbytes) != 0) {
		add(after, nbytes, 1);
		anysock_addr b = from_bytes(after, nbytes);
		expect(&b, bit, false, false);
	}
}
END_TEST

/* Spellings that have slipped past SSRF filters: none is global, and the
 * loopback ones are loopback. */
static const struct {
	const char *text;
	unsigned must; /* bits that must be set */
} bypasses[] = {
	{ "::ffff:127.0.0.1", C(LOOPBACK) | C(MAPPED) },
	{ "::ffff:7f00:1", C(LOOPBACK) | C(MAPPED) },
	{ "::127.0.0.1", C(LOOPBACK) | C(COMPATIBLE) },
	{ "0.0.0.0", C(UNSPECIFIED) },
	{ "::", C(UNSPECIFIED) },
	{ "::ffff:0.0.0.0", C(UNSPECIFIED) | C(MAPPED) },
	{ "64:ff9b::7f00:1", C(LOOPBACK) | C(NAT64) },
	{ "64:ff9b::10.0.0.1", C(PRIVATE) | C(NAT64) },
	{ "64:ff9b::169.254.169.254", C(LINK_LOCAL) | C(NAT64) },
	{ "2002:7f00:1::", C(LOOPBACK) | C(6TO4) },
	{ "2002:a9fe:a9fe::1", C(LINK_LOCAL) | C(6TO4) },
	{ "2001:0:4136:e378:8000:63bf:80ff:fffe", C(LOOPBACK) | C(TEREDO) }, /* client 127.0.0.1 */
	{ "::ffff:169.254.169.254", C(LINK_LOCAL) | C(MAPPED) },
	{ "::ffff:10.1.2.3", C(PRIVATE) | C(MAPPED) },
	{ "::ffff:192.168.0.1", C(PRIVATE) | C(MAPPED) },
	{ "::ffff:100.64.0.1", C(SHARED) | C(MAPPED) },
	{ "fd00::1", C(PRIVATE) },
	{ "fe80::1", C(LINK_LOCAL) },
	{ "fec0::1", C(SITE_LOCAL) },
	{ "::1", C(LOOPBACK) },
	{ "127.1.2.3", C(LOOPBACK) },
	/* SIIT's IPv4-translated form, ::ffff:0:a.b.c.d (RFC 2765, 6145) */
	{ "::ffff:0:127.0.0.1", C(LOOPBACK) | C(TRANSLATED) },
	{ "::ffff:0:10.0.0.1", C(PRIVATE) | C(TRANSLATED) },
	{ "::ffff:0:169.254.169.254", C(LINK_LOCAL) | C(TRANSLATED) },
	{ "::ffff:0:0.0.0.0", C(RESERVED) | C(TRANSLATED) },
	{ "::ffff:0:172.16.0.1", C(PRIVATE) | C(TRANSLATED) },
	{ "::ffff:0:100.64.0.1", C(SHARED) | C(TRANSLATED) },
	/* IPv6 space IANA has not allocated */
	{ "4000::1", C(RESERVED) },
	{ "8000::1", C(RESERVED) },
	{ "1000::1", C(RESERVED) },
	{ "fe00::1", C(RESERVED) },
};

START_TEST(test_bypasses)
{
	anysock_addr a = parse(bypasses[_i].text);
	unsigned c = anysock_addr_class(&a);
	char names[256];
	anysock_class_str(c, names, sizeof(names));
	ck_assert_msg((c & bypasses[_i].must) == bypasses[_i].must, "%s: {%s}", bypasses[_i].text,
		      names);
	ck_assert_msg(!anysock_addr_is_global(&a), "%s judged global: {%s}", bypasses[_i].text,
		      names);
}
END_TEST

static const struct {
	const char *text;
	bool global;
} reach[] = {
	{ "8.8.8.8", true },
	{ "1.1.1.1", true },
	{ "::ffff:8.8.8.8", true },
	{ "64:ff9b::8.8.8.8", true },
	/* 6to4 and Teredo: the registry says N/A and 6to4 relays are
	 * deprecated (RFC 7526), so never global, whatever is inside. */
	{ "2002:808:808::1", false },
	{ "2001:0:4136:e378:8000:63bf:f7f7:f7f7", false },
	{ "2606:4700::1111", true },
	{ "2001:4860:4860::8888", true },
	{ "2001:db8::1", false },
	{ "ff02::1", false },
	{ "224.0.0.1", false },
	{ "::8.8.8.8", false }, /* compatible: deprecated, not routed */
	{ "64:ff9b:1::808:808", false },
	{ "11.0.0.0", true },
	{ "9.255.255.255", true },
	{ "::ffff:0:8.8.8.8", true }, /* SIIT: judged by the IPv4 inside */
	{ "2000::1", true },          /* the edges of 2000::/3 */
	{ "3fff:ffff::1", true },     /* (3fff::/20 is documentation) */
	{ "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false },
	{ "4000::", false },
};

START_TEST(test_reach)
{
	anysock_addr a = parse(reach[_i].text);
	ck_assert_msg(anysock_addr_is_global(&a) == reach[_i].global, "%s", reach[_i].text);
}
END_TEST

static const struct {
	const char *text;
	int scope;
} scopes[] = {
	{ "ff01::1", ANYSOCK_SCOPE_INTERFACE }, { "ff02::1", ANYSOCK_SCOPE_LINK },
	{ "ff03::1", ANYSOCK_SCOPE_REALM },     { "ff04::1", ANYSOCK_SCOPE_ADMIN },
	{ "ff05::2", ANYSOCK_SCOPE_SITE },      { "ff08::1", ANYSOCK_SCOPE_ORGANIZATION },
	{ "ff0e::1", ANYSOCK_SCOPE_GLOBAL },    { "ff12::1", ANYSOCK_SCOPE_LINK },
	{ "224.0.0.1", ANYSOCK_SCOPE_LINK },    { "224.0.0.255", ANYSOCK_SCOPE_LINK },
	{ "224.0.1.1", ANYSOCK_SCOPE_GLOBAL },  { "232.1.1.1", ANYSOCK_SCOPE_GLOBAL },
	{ "239.255.255.250", ANYSOCK_SCOPE_SITE }, { "239.192.0.1", ANYSOCK_SCOPE_ORGANIZATION },
	{ "239.195.255.255", ANYSOCK_SCOPE_ORGANIZATION }, { "239.196.0.0", ANYSOCK_SCOPE_ADMIN },
	{ "239.0.0.1", ANYSOCK_SCOPE_ADMIN },   { "::ffff:224.0.0.251", ANYSOCK_SCOPE_LINK },
	{ "192.0.2.1", 0 }, { "2001:db8::1", 0 }, { "223.255.255.255", 0 }, { "240.0.0.0", 0 },
};

START_TEST(test_multicast_scope)
{
	anysock_addr a = parse(scopes[_i].text);
	ck_assert_msg(anysock_addr_multicast_scope(&a) == scopes[_i].scope, "%s: %d", scopes[_i].text,
		      anysock_addr_multicast_scope(&a));
	ck_assert(((anysock_addr_class(&a) & C(MULTICAST)) != 0) == (scopes[_i].scope != 0));
}
END_TEST

START_TEST(test_embedded)
{
	static const struct {
		const char *text, *v4;
		int form;
	} cases[] = {
		{ "192.0.2.1", "192.0.2.1", 0 },
		{ "::ffff:192.0.2.1", "192.0.2.1", (int)C(MAPPED) },
		{ "::192.0.2.1", "192.0.2.1", (int)C(COMPATIBLE) },
		{ "64:ff9b::192.0.2.1", "192.0.2.1", (int)C(NAT64) },
		{ "2002:c000:201::5", "192.0.2.1", (int)C(6TO4) },
		{ "2001:0:4136:e378:8000:63bf:3fff:fdfe", "192.0.2.1", (int)C(TEREDO) },
		{ "::ffff:0:192.0.2.1", "192.0.2.1", (int)C(TRANSLATED) },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		anysock_addr a = parse(cases[i].text);
		struct in_addr v4, want;
		inet_pton(AF_INET, cases[i].v4, &want);
		ck_assert_int_eq(anysock_addr_embedded_ipv4(&a, &v4), cases[i].form);
		ck_assert_msg(v4.s_addr == want.s_addr, "%s", cases[i].text);
		ck_assert_int_eq(anysock_addr_embedded_ipv4(&a, NULL), cases[i].form);
	}
	static const char *none[] = { "::", "::1", "2001:db8::1", "64:ff9b:1::1", "fe80::1" };
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		anysock_addr a = parse(none[i]);
		ck_assert_int_eq(anysock_addr_embedded_ipv4(&a, NULL), -ENOENT);
	}
	anysock_addr u, z;
	anysock_addr_from_unix(&u, "/x");
	memset(&z, 0, sizeof(z));
	ck_assert_int_eq(anysock_addr_embedded_ipv4(&u, NULL), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_addr_embedded_ipv4(&z, NULL), -EINVAL);
	ck_assert_uint_eq(anysock_addr_class(&u), 0);
	ck_assert_uint_eq(anysock_addr_class(&z), 0);
	ck_assert_uint_eq(anysock_addr_class(NULL), 0);
	ck_assert(!anysock_addr_is_global(NULL));
	ck_assert_int_eq(anysock_addr_multicast_scope(&z), -EINVAL);
	ck_assert_int_eq(anysock_addr_multicast_scope(&u), 0);
}
END_TEST

/* The predicates are the classes' bits, whatever the form. */
START_TEST(test_predicates_agree)
{
	static const char *texts[] = {
		"127.0.0.1", "::1", "::127.0.0.1", "::ffff:127.0.0.1", "::ffff:0:127.0.0.1",
		"64:ff9b::7f00:1", "2002:7f00:1::", "0.0.0.0", "::", "::ffff:0.0.0.0",
		"::ffff:0:0.0.0.0", "64:ff9b::", "8.8.8.8", "2001:db8::1", "4000::1",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		anysock_addr a = parse(texts[i]);
		unsigned c = anysock_addr_class(&a);
		ck_assert_msg(anysock_addr_is_loopback(&a) == ((c & C(LOOPBACK)) != 0), "%s", texts[i]);
		ck_assert_msg(anysock_addr_is_any(&a) == ((c & C(UNSPECIFIED)) != 0), "%s", texts[i]);
		ck_assert_msg(anysock_addr_is_global(&a) == ((c & C(GLOBAL)) != 0), "%s", texts[i]);
	}
}
END_TEST

START_TEST(test_class_str)
{
	char buf[256];
	ck_assert_int_eq(anysock_class_str(0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(anysock_class_str(C(LOOPBACK) | C(MAPPED), buf, sizeof(buf)), 20);
	ck_assert_str_eq(buf, "loopback,ipv4-mapped");
	ck_assert_int_eq(anysock_class_str(C(LOOPBACK) | C(MAPPED), buf, 20), -ENOSPC);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(anysock_class_str(C(LOOPBACK), buf, 9), 8);
	ck_assert_int_eq(anysock_class_str(C(LOOPBACK), NULL, 9), -EINVAL);
	ck_assert_int_eq(anysock_class_str(0, buf, 0), -ENOSPC);
	/* Every bit has a name, and all of them fit 256 bytes. */
	ck_assert_int_gt(anysock_class_str(~0u, buf, sizeof(buf)), 0);
	for (int i = 0; i < 32; i++) {
		unsigned bit = 1u << i;
		if (i >= 24 && i < 31)
			continue; /* unassigned */
		ck_assert_int_gt(anysock_class_str(bit, buf, sizeof(buf)), 0);
	}
}
END_TEST

/* RESERVED is what the header and the man page say it is: space reserved by
 * the IETF or by protocol (the registries' Reserved-by-Protocol column), so
 * loopback and the broadcast address carry it too. */
START_TEST(test_reserved_by_protocol)
{
	static const struct {
		const char *addr, *names;
	} want[] = {
		{ "127.0.0.1", "loopback,reserved" },
		{ "0.1.2.3", "reserved" },
		{ "0.0.0.0", "unspecified,reserved" },
		{ "240.0.0.1", "reserved" },
		{ "255.255.255.255", "broadcast,reserved" },
		{ "::1.2.3.4", "reserved,ipv4-compatible" },
		{ "4000::1", "reserved" },
		{ "::1", "loopback" },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		anysock_addr a = parse(want[i].addr);
		char names[256];
		anysock_class_str(anysock_addr_class(&a), names, sizeof(names));
		ck_assert_msg(strcmp(names, want[i].names) == 0, "%s: {%s}, want {%s}",
			      want[i].addr, names, want[i].names);
	}
}
END_TEST

/* The answers that went wrong when the table could not be built. */
struct first_answers {
	unsigned loopback4; /* 127.0.0.1's classes */
	bool any6, loopback6, multicast4;
};

/* No check assertion in here: check allocates for every one. */
static struct first_answers first_answers(void)
{
	anysock_addr lo4, any6, lo6, group;
	anysock_pton("127.0.0.1", &lo4, 0);
	anysock_pton("::", &any6, 0);
	anysock_pton("::1", &lo6, 0);
	anysock_pton("239.1.2.3", &group, 0);
	return (struct first_answers){ anysock_addr_class(&lo4), anysock_addr_is_any(&any6),
				       anysock_addr_is_loopback(&lo6),
				       (anysock_addr_class(&group) & C(MULTICAST)) != 0 };
}

static void expect_first_answers(struct first_answers got)
{
	ck_assert_uint_eq(got.loopback4, C(LOOPBACK) | C(RESERVED));
	ck_assert(got.any6);
	ck_assert(got.loopback6);
	ck_assert(got.multicast4);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#endif

#ifndef UNDER_SANITIZER
/* The process's size now, from /proc/self/statm (pages). */
static unsigned long long vm_bytes(void)
{
	unsigned long long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f != NULL) {
		if (fscanf(f, "%llu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}
#endif

/* Classification never allocates: with no memory left at its first use,
 * the answers are still right. (The table was once built at first use;
 * out of memory then, 127.0.0.1 had no classes, :: was not "any", and a
 * dual-stack listen became two sockets, loopback counted as usable.) A
 * fresh process (check forks each test) is out of memory when its address
 * space is capped near its size and every byte under the cap is taken. */
START_TEST(test_first_use_out_of_memory)
{
#ifdef UNDER_SANITIZER
	printf("no memory cap under a sanitizer, which reserves its own address space\n");
	expect_first_answers(first_answers());
#else
	if (emulator_lacks("RLIMIT_AS (qemu-user takes it and does not apply it)")) {
		expect_first_answers(first_answers());
		return;
	}
	struct rlimit old, cap;
	ck_assert_int_eq(getrlimit(RLIMIT_AS, &old), 0);
	unsigned long long vm = vm_bytes();
	ck_assert_uint_gt(vm, 0);
	cap = (struct rlimit){ (rlim_t)(vm + (8u << 20)), old.rlim_max };
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &cap), 0);
	void *hoard = NULL;
	size_t taken = 0;
	for (size_t size = 1u << 20; size >= sizeof(void *); size /= 2)
		for (void **p; (p = malloc(size)) != NULL; taken += size) {
			*p = hoard;
			hoard = p;
		}
	bool still = malloc(1) != NULL;
	struct first_answers got = first_answers();
	while (hoard != NULL) {
		void *next = *(void **)hoard;
		free(hoard);
		hoard = next;
	}
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &old), 0);
	printf("first classification with no memory left (%zu bytes taken): 127.0.0.1 %#x\n", taken,
	       got.loopback4);
	fflush(stdout);
	ck_assert(!still);
	expect_first_answers(got);
#endif
}
END_TEST

static atomic_bool classifying;

static void *classify_first(void *unused)
{
	(void)unused;
	atomic_store(&classifying, true);
	return (void *)(uintptr_t)first_answers().loopback4;
}

/* fork() in the middle of a first classification in another thread: the
 * child classifies too. (The table was once built at first use under a
 * lock with no fork handler: 4 children of 1,200 hung on it.) Each round
 * is a fresh process, in which one thread starts classifying and another
 * forks at that moment; the grandchild gets two seconds. */
#define FORK_ROUNDS 40

static int fork_during_first_use(void)
{
	pthread_t t;
	if (pthread_create(&t, NULL, classify_first, NULL) != 0)
		return 2;
	while (!atomic_load(&classifying))
		;
	pid_t child = fork();
	if (child == 0) {
		signal(SIGALRM, SIG_DFL); /* not check's handler: it kills the test */
		alarm(2);
		struct first_answers got = first_answers();
		_exit(got.loopback4 == (C(LOOPBACK) | C(RESERVED)) && got.any6 ? 0 : 1);
	}
	void *parent_answer;
	pthread_join(t, &parent_answer);
	int status;
	if (child < 0 || waitpid(child, &status, 0) != child)
		return 2;
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		return 3; /* hung */
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
			       (uintptr_t)parent_answer == (C(LOOPBACK) | C(RESERVED))
		       ? 0
		       : 1;
}

START_TEST(test_fork_during_first_use)
{
	int verdicts[4] = { 0 };
	for (int i = 0; i < FORK_ROUNDS; i++) {
		fflush(stdout);
		pid_t round = fork();
		ck_assert_int_ge(round, 0);
		if (round == 0)
			_exit(fork_during_first_use());
		int status;
		ck_assert_int_eq(waitpid(round, &status, 0), round);
		verdicts[WIFEXITED(status) && WEXITSTATUS(status) < 4 ? WEXITSTATUS(status) : 2]++;
	}
	printf("fork during the first classification, %d rounds: %d fine, %d wrong, %d failed, "
	       "%d hung\n",
	       FORK_ROUNDS, verdicts[0], verdicts[1], verdicts[2], verdicts[3]);
	fflush(stdout);
	ck_assert_int_eq(verdicts[0], FORK_ROUNDS);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("classify");
	TCase *tc = tcase_create("registry");
	tcase_add_loop_test(tc, test_blocks, 0, sizeof(blocks) / sizeof(blocks[0]));
	tcase_add_loop_test(tc, test_bypasses, 0, sizeof(bypasses) / sizeof(bypasses[0]));
	tcase_add_loop_test(tc, test_reach, 0, sizeof(reach) / sizeof(reach[0]));
	tcase_add_loop_test(tc, test_multicast_scope, 0, sizeof(scopes) / sizeof(scopes[0]));
	tcase_add_test(tc, test_embedded);
	tcase_add_test(tc, test_class_str);
	tcase_add_test(tc, test_predicates_agree);
	tcase_add_test(tc, test_reserved_by_protocol);
	suite_add_tcase(s, tc);
	/* Each in a fresh process, where the table was never used. */
	TCase *first = tcase_create("first use");
	tcase_set_timeout(first, 60);
	tcase_add_test(first, test_first_use_out_of_memory);
	tcase_add_test(first, test_fork_during_first_use);
	suite_add_tcase(s, first);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
