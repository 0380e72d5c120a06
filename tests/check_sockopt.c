/*
 * check_sockopt.c - options and multicast calls on loopback: what each
 * kind of socket gets set, what the getters report, every bad input its
 * own error, interfaces. What actually arrives on the wire is measured in
 * tests/netns/sockopt_ns.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>

#include "anysock.h"
#include "check_main.h"

static int raw_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);
	ck_assert_int_eq(getsockopt(fd, level, name, &v, &len), 0);
	return len == 1 ? *(unsigned char *)&v : v;
}

/* An AF_INET6 UDP socket, V6ONLY as asked, or -1 without IPv6. */
static int socket6(int v6only)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		ck_assert_int_eq(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)), 0);
	return fd;
}

static anysock_addr addr(const char *text)
{
	anysock_addr a;
	ck_assert_int_eq(anysock_pton(text, &a, 0), 0);
	return a;
}

START_TEST(test_levels_by_kind)
{
	int v4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(anysock_set_hops(v4, 7), 0);
	ck_assert_int_eq(raw_int(v4, IPPROTO_IP, IP_TTL), 7);
	ck_assert_int_eq(anysock_get_hops(v4), 7);
	ck_assert_int_eq(anysock_set_tclass(v4, 0x20), 0);
	ck_assert_int_eq(raw_int(v4, IPPROTO_IP, IP_TOS), 0x20);
	ck_assert_int_eq(anysock_get_tclass(v4), 0x20);
	ck_assert_int_eq(anysock_set_mcast_hops(v4, 3), 0);
	ck_assert_int_eq(raw_int(v4, IPPROTO_IP, IP_MULTICAST_TTL), 3);
	ck_assert_int_eq(anysock_set_mcast_loop(v4, false), 0);
	ck_assert_int_eq(raw_int(v4, IPPROTO_IP, IP_MULTICAST_LOOP), 0);
	close(v4);

	int only = socket6(1), dual = socket6(0);
	if (only < 0)
		return; /* no IPv6 here */
	ck_assert_int_eq(anysock_set_hops(only, 9), 0);
	ck_assert_int_eq(raw_int(only, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 9);
	ck_assert_int_eq(anysock_get_hops(only), 9);
	/* dual-stack: both levels, so IPv4 packets get it too */
	ck_assert_int_eq(anysock_set_hops(dual, 5), 0);
	ck_assert_int_eq(raw_int(dual, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 5);
	ck_assert_int_eq(raw_int(dual, IPPROTO_IP, IP_TTL), 5);
	ck_assert_int_eq(anysock_set_tclass(dual, 0x48), 0);
	ck_assert_int_eq(raw_int(dual, IPPROTO_IPV6, IPV6_TCLASS), 0x48);
	ck_assert_int_eq(raw_int(dual, IPPROTO_IP, IP_TOS), 0x48);
	ck_assert_int_eq(anysock_set_mcast_hops(dual, 4), 0);
	ck_assert_int_eq(raw_int(dual, IPPROTO_IP, IP_MULTICAST_TTL), 4);
	ck_assert_int_eq(raw_int(dual, IPPROTO_IPV6, IPV6_MULTICAST_HOPS), 4);
	ck_assert_int_eq(anysock_set_mcast_loop(dual, false), 0);
	ck_assert_int_eq(raw_int(dual, IPPROTO_IPV6, IPV6_MULTICAST_LOOP), 0);
	/* the getter reports the IPv4 level once the peer is IPv4 */
	ck_assert_int_eq(setsockopt(dual, IPPROTO_IP, IP_TTL, &(int){ 11 }, sizeof(int)), 0);
	ck_assert_int_eq(anysock_get_hops(dual), 5);
	anysock_addr peer = addr("::ffff:127.0.0.1");
	anysock_addr_set_port(&peer, 9);
	ck_assert_int_eq(connect(dual, &peer.u.sa, peer.len), 0);
	ck_assert_int_eq(anysock_get_hops(dual), 11);
	close(only);
	close(dual);
}
END_TEST

START_TEST(test_bad_input)
{
	int v4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(anysock_set_hops(v4, 0), -EINVAL);
	ck_assert_int_eq(anysock_set_hops(v4, 256), -EINVAL);
	ck_assert_int_eq(anysock_set_tclass(v4, -1), -EINVAL);
	ck_assert_int_eq(anysock_set_tclass(v4, 256), -EINVAL);
	ck_assert_int_eq(anysock_set_mcast_hops(v4, 256), -EINVAL);
	ck_assert_int_eq(anysock_set_hops(-1, 7), -EBADF);
	int p[2];
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(anysock_set_hops(p[0], 7), -ENOTSOCK);
	ck_assert_int_eq(anysock_get_tclass(p[0]), -ENOTSOCK);
	int u = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(anysock_set_hops(u, 7), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_set_mcast_if(v4, 999999), -ENODEV);
	if (!emulator_lacks("IP_MULTICAST_IF (ENOPROTOOPT)"))
		ck_assert_int_eq(anysock_set_mcast_if(v4, 0), 0);

	anysock_addr g4 = addr("239.1.2.3"), g6 = addr("ff12::1:2:3"), u4 = addr("192.0.2.1");
	anysock_addr ssm4 = addr("232.1.1.1"), s4 = addr("10.0.0.1"), s6 = addr("2001:db8::1");
	ck_assert_int_eq(anysock_mcast_join(v4, &u4, NULL, 0), ANYSOCK_E_NOTGROUP);
	ck_assert_int_eq(anysock_mcast_join(v4, &g4, &s4, 0), ANYSOCK_E_NOTSSM);
	ck_assert_int_eq(anysock_mcast_join(v4, &ssm4, &s6, 0), ANYSOCK_E_SOURCE);
	ck_assert_int_eq(anysock_mcast_join(v4, &g6, NULL, 0), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_mcast_join(v4, &g4, NULL, 999999), -ENODEV);
	ck_assert_int_eq(anysock_mcast_block(v4, &g4, NULL, 0), -EINVAL);
	ck_assert_int_eq(anysock_mcast_join(v4, NULL, NULL, 0), -EINVAL);
	ck_assert_int_eq(anysock_mcast_join(p[0], &g4, NULL, 0), -ENOTSOCK);
	int lo = anysock_interface_index("lo");
	ck_assert_int_gt(lo, 0);
	if (emulator_lacks("MCAST_JOIN_GROUP (ENOPROTOOPT)"))
		goto out;
	ck_assert_int_eq(anysock_mcast_join(v4, &g4, NULL, (unsigned)lo), 0);
	ck_assert_int_eq(anysock_mcast_block(v4, &g4, &s4, (unsigned)lo), 0);
	ck_assert_int_eq(anysock_mcast_unblock(v4, &g4, &s4, (unsigned)lo), 0);
	ck_assert_int_eq(anysock_mcast_leave(v4, &g4, NULL, (unsigned)lo), 0);
	int only = socket6(1);
	if (only >= 0) {
		/* the kernel would take it and deliver nothing */
		ck_assert_int_eq(anysock_mcast_join(only, &g4, NULL, (unsigned)lo), ANYSOCK_E_V6ONLY);
		anysock_addr mapped = addr("::ffff:239.1.2.3");
		ck_assert_int_eq(anysock_mcast_join(only, &mapped, NULL, (unsigned)lo), ANYSOCK_E_V6ONLY);
		int dual = socket6(0);
		ck_assert_int_eq(anysock_mcast_join(dual, &mapped, NULL, (unsigned)lo), 0);
		close(dual);
		close(only);
	}
out:
	close(u);
	close(p[0]);
	close(p[1]);
	close(v4);
}
END_TEST

START_TEST(test_listener_level)
{
	anysock_listener *l;
	int n = anysock_listen("127.0.0.1", NULL, SOCK_DGRAM, 0, 0, &l, NULL);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(anysock_listener_set_hops(l, 6), 0);
	ck_assert_int_eq(anysock_get_hops(anysock_listener_fd(l, 0)), 6);
	ck_assert_int_eq(anysock_listener_set_tclass(l, 300), -EINVAL);
	anysock_addr g4 = addr("239.1.2.3"), g6 = addr("ff12::1:2:3");
	unsigned lo = (unsigned)anysock_interface_index("lo");
	if (emulator_lacks("MCAST_JOIN_GROUP (ENOPROTOOPT)")) {
		anysock_listener_close(l);
		return;
	}
	ck_assert_int_eq(anysock_listener_mcast_join(l, &g4, NULL, lo), 1);
	ck_assert_int_eq(anysock_listener_mcast_join(l, &g6, NULL, lo), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_listener_mcast_leave(l, &g4, NULL, lo), 1);
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_listen("127.0.0.1", NULL, SOCK_STREAM, 0, 0, &l, NULL), 1);
	ck_assert_int_eq(anysock_listener_mcast_join(l, &g4, NULL, lo), -EOPNOTSUPP);
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_listener_set_hops(NULL, 6), -EINVAL);

	/* A join that fails on one socket is undone on the others. */
	int fds[2];
	for (int i = 0; i < 2; i++) {
		fds[i] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		anysock_addr a = addr(i == 0 ? "127.0.0.1" : "127.0.0.2");
		ck_assert_int_eq(bind(fds[i], &a.u.sa, a.len), 0);
	}
	ck_assert_int_eq(anysock_mcast_join(fds[1], &g4, NULL, lo), 0); /* the second will fail */
	ck_assert_int_eq(anysock_listener_adopt(fds, 2, 0, &l), 2);
	ck_assert_int_eq(anysock_listener_mcast_join(l, &g4, NULL, lo), -EADDRINUSE);
	ck_assert_int_eq(anysock_mcast_join(fds[0], &g4, NULL, lo), 0); /* not left joined */
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_interfaces)
{
	int n = anysock_interfaces(NULL, 0);
	ck_assert_int_gt(n, 0);
	anysock_interface *v = calloc((size_t)n, sizeof(*v));
	ck_assert_int_eq(anysock_interfaces(v, (size_t)n), n);
	bool lo4 = false;
	for (int i = 0; i < n; i++) {
		char text[ANYSOCK_ADDRSTRLEN], name[IF_NAMESIZE];
		ck_assert_int_gt(anysock_ntop(&v[i].addr, text, sizeof(text), ANYSOCK_NTOP_NOPORT), 0);
		ck_assert_int_eq(anysock_interface_name(v[i].index, name, sizeof(name)),
				 (int)strlen(v[i].name));
		ck_assert_str_eq(name, v[i].name);
		ck_assert_uint_eq(v[i].classes, anysock_addr_class(&v[i].addr));
		if (strcmp(text, "127.0.0.1") == 0) {
			lo4 = true;
			ck_assert(v[i].flags & ANYSOCK_IF_LOOPBACK);
			ck_assert_uint_eq(v[i].prefix_len, 8);
		}
	}
	ck_assert(lo4);
	free(v);
	ck_assert_int_eq(anysock_interface_index("no-such-if"), -ENODEV);
	ck_assert_int_eq(anysock_interface_index(""), -EINVAL);
	char buf[4];
	ck_assert_int_eq(anysock_interface_name(0, buf, sizeof(buf)), -ENODEV);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(anysock_interface_name((unsigned)anysock_interface_index("lo"), buf, 2),
			 -ENOSPC);
	ck_assert_int_eq(anysock_have_usable(AF_UNIX), -EAFNOSUPPORT);
	int u4 = anysock_have_usable(AF_INET);
	ck_assert(u4 == 0 || u4 == 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sockopt");
	TCase *tc = tcase_create("loopback");
	tcase_add_test(tc, test_levels_by_kind);
	tcase_add_test(tc, test_bad_input);
	tcase_add_test(tc, test_listener_level);
	tcase_add_test(tc, test_interfaces);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
