/*
 * check_datagram.c - UDP through a listener on loopback: the peer and the local
 * address of each datagram, replies from that address, truncation, the
 * socket each reply leaves by (datagram.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include "listener_helpers.h"

/* One request and its reply through a connected client socket, which
 * drops any reply that does not come from the address it sent to. */
static void udp_round_trip(anysock_listener *l, const char *to, int port, const char *from)
{
	anysock_addr self, peer, local;
	int c = client(SOCK_DGRAM, to, port, from, &self);
	ck_assert_int_eq(send(c, "ping", 4, 0), 4);
	char buf[16];
	ck_assert_int_eq(anysock_recvfrom(l, buf, sizeof(buf), &peer, &local, 1000), 4);
	anysock_addr_unmap(&self);
	ck_assert(anysock_addr_equal(&peer, &self, 0));
	anysock_addr want = addr(to, port);
	anysock_addr_unmap(&want);
	ck_assert_msg(anysock_addr_equal(&local, &want, 0), "local address of a datagram to %s",
		      to);
	ck_assert_int_eq(anysock_sendto(l, "pong", 4, &peer, &local), 4);
	struct timeval tv = { 1, 0 };
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ck_assert_int_eq(recv(c, buf, sizeof(buf), 0), 4);
	ck_assert_int_eq(memcmp(buf, "pong", 4), 0);
	close(c);
}

START_TEST(test_udp_every_family)
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_DGRAM, 0, 0, &l, NULL), 2);
	int port = listener_port(l, 0);
	ck_assert_int_eq(listener_port(l, 1), port);
	udp_round_trip(l, "127.0.0.1", port, NULL);
	/* A request to another loopback address, from 127.0.0.1: the reply
	 * must come from 127.0.0.2, not from what the route would choose. */
	udp_round_trip(l, "127.0.0.2", port, "127.0.0.1");
	if (have_ipv6())
		udp_round_trip(l, "::1", port, NULL);
	char buf[2];
	ck_assert_int_eq(anysock_recvfrom(l, buf, sizeof(buf), NULL, NULL, 50), -ETIMEDOUT);
	/* Truncation is reported, the start of the datagram kept. */
	int c = client(SOCK_DGRAM, "127.0.0.1", port, NULL, NULL);
	send(c, "longer", 6, 0);
	ck_assert_int_eq(anysock_recvfrom(l, buf, sizeof(buf), NULL, NULL, 1000), -EMSGSIZE);
	ck_assert_int_eq(memcmp(buf, "lo", 2), 0);
	close(c);
	/* No socket of the family, or none with that address. */
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_listen("127.0.0.1", NULL, SOCK_DGRAM, 0, 0, &l, NULL), 1);
	anysock_addr v6 = addr("::1", 9), v4 = addr("127.0.0.1", 9), other = addr("127.0.0.3", 0);
	ck_assert_int_eq(anysock_sendto(l, "x", 1, &v6, NULL), -EAFNOSUPPORT);
	ck_assert_int_eq(anysock_sendto(l, "x", 1, &v4, &other), -EADDRNOTAVAIL);
	ck_assert_int_eq(anysock_sendto(l, "x", 1, &v4, &v6), -EAFNOSUPPORT);
	anysock_listener_close(l);
}
END_TEST

START_TEST(test_udp_dual_stack)
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_DGRAM, ANYSOCK_LISTEN_DUALSTACK, 0, &l,
					NULL),
			 1);
	int port = listener_port(l, 0);
	/* The IPv4 peer and local address come out plain, and the reply goes
	 * back mapped through the one AF_INET6 socket, from 127.0.0.2. */
	udp_round_trip(l, "127.0.0.1", port, NULL);
	udp_round_trip(l, "127.0.0.2", port, "127.0.0.1");
	if (have_ipv6())
		udp_round_trip(l, "::1", port, NULL);
	anysock_listener_close(l);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("datagram");
	TCase *tc = tcase_create("loopback");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_udp_every_family);
	tcase_add_test(tc, test_udp_dual_stack);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
