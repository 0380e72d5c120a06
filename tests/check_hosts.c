/*
 * check_hosts.c - the hosts-file fast path (lib/hosts.c) over files the
 * test writes: which names the library takes the system resolver to answer
 * from the hosts file without asking a name server, and that it sees the
 * file change. Linked with the static library, for the internal
 * hosts_use_files() and hosts_each_name() (lib/hosts.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../lib/hosts.h"
#include "check_main.h"

static char dir[64] = "/tmp/anysock-hosts-XXXXXX", nss[96], hosts[96];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* The file's modification time, set by touch(1): a 64-bit program, so the
 * test can make a time past 2038 even where it was built without 64-bit
 * time_t. */
static void set_mtime(const char *path, long long when)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "touch -m -d @%lld '%s'", when, path);
	ck_assert_int_eq(system(cmd), 0);
}

static bool has(const char *name)
{
	return hosts_has_name(name, AF_UNSPEC);
}

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(nss, sizeof(nss), "%s/nsswitch.conf", dir);
	snprintf(hosts, sizeof(hosts), "%s/hosts", dir);
	write_file(nss, "passwd: files\nhosts: files dns\n");
}

static void teardown(void)
{
	hosts_use_files(NULL, NULL);
	unlink(nss);
	unlink(hosts);
	rmdir(dir);
	strcpy(dir, "/tmp/anysock-hosts-XXXXXX");
}

START_TEST(test_files_first)
{
	write_file(hosts, "# a comment\n192.0.2.7 seven seven.example # an alias\n"
			  "2001:db8::8 eight\n");
	hosts_use_files(nss, hosts);
	ck_assert(has("seven") && has("seven.example") && has("eight"));
	ck_assert(hosts_has_name("eight", AF_INET6) && !hosts_has_name("eight", AF_INET));
	ck_assert(!has("an") && !has("alias") && !has("nine"));
}
END_TEST

/* A hosts file with no entry: nothing is answered from it, and nothing
 * empty reaches qsort or bsearch (UBSan: their arrays must not be NULL;
 * found by tests/fuzz/fuzz_hosts). */
START_TEST(test_no_entry)
{
	write_file(hosts, "# nothing here\n\nnot-an-address name\n");
	hosts_use_files(nss, hosts);
	ck_assert(!has("name") && !has("localhost"));
	anysock_addr a;
	ck_assert_int_eq(anysock_pton("127.0.0.1", &a, 0), 0);
	ck_assert(!hosts_has_addr(&a));
}
END_TEST

START_TEST(test_dns_first)
{
	write_file(hosts, "192.0.2.7 seven\n");
	write_file(nss, "hosts: dns files\n");
	hosts_use_files(nss, hosts);
	ck_assert(!has("seven")); /* a name server may answer first */
	write_file(nss, "hosts: files [SUCCESS=continue] dns\n");
	hosts_use_files(nss, hosts);
	ck_assert(!has("seven")); /* a hit does not end the lookup */
}
END_TEST

/* A file changed after 2038: a 32-bit build without 64-bit time_t cannot
 * stat() it (EOVERFLOW), so it could not see the change either, and a
 * removed name went on counting as one the file answers: its lookup ran
 * unbounded in the caller's thread (configure's 64-bit flags fix it;
 * tests/cross/run.sh runs this on i386). */
START_TEST(test_change_seen_past_2038)
{
	const long long y2040 = 2208988800LL;
	write_file(hosts, "192.0.2.7 farname\n");
	set_mtime(hosts, y2040);
	hosts_use_files(nss, hosts);
	ck_assert_msg(has("farname"), "a name in a hosts file dated 2040 is not seen");
	write_file(hosts, "192.0.2.8 othername\n");
	set_mtime(hosts, y2040 + 60);
	usleep(1200 * 1000); /* the file is looked at again after a second */
	ck_assert_msg(!has("farname"), "a name removed from a hosts file dated 2040 still counts");
	ck_assert(has("othername"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hosts");
	TCase *tc = tcase_create("files");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_files_first);
	tcase_add_test(tc, test_no_entry);
	tcase_add_test(tc, test_dns_first);
	tcase_add_test(tc, test_change_seen_past_2038);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
