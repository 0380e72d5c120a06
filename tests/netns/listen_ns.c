/*
 * listen_ns.c - listeners on real hosts of every kind, each its own network
 * namespace (run through tests/netns/run.sh, as root):
 *
 *  - dual-stack hosts with net.ipv6.bindv6only 0 and 1, seen through ss(8);
 *  - a host with IPv6 switched off (net.ipv6.conf.all.disable_ipv6=1);
 *  - UNIX Network Programming's Figure 12.5 (IPv4 and IPv6 clients and
 *    servers on IPv4-only, IPv6-only and dual-stack hosts) with the legacy
 *    servers and clients next to the library's; and again with a NAT64
 *    (tayga) on the dual-stack host, where the library's IPv6-only client
 *    reaches the IPv4-only servers through it;
 *  - port 0 with a port range so small that families must collide;
 *  - UDP replies on a host with two addresses of each family.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE /* musl's struct tcp_info */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/tcp.h>

#include "anysock.h"
#include "../check_main.h"
#include "nat64lab.h"
#include "netns.h"

static anysock_addr addr(const char *text, int port)
{
	anysock_addr a;
	ck_assert_msg(anysock_pton(text, &a, 0) == 0, "address %s", text);
	anysock_addr_set_port(&a, port);
	return a;
}

static int port_of(const anysock_listener *l)
{
	anysock_addr a;
	ck_assert_int_eq(anysock_listener_addr(l, 0, &a), 0);
	return anysock_addr_port(&a);
}

/* A TCP connection from host to a, within a second: the descriptor, or
 * -errno (ECONNREFUSED, ENETUNREACH, ETIMEDOUT...). */
static int connect_from(int host, const anysock_addr *a)
{
	int fd = host_socket(host, a->u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (connect(fd, &a->u.sa, a->len) < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		return -e;
	}
	struct pollfd p = { fd, POLLOUT, 0 };
	int err = poll(&p, 1, 1000) == 1 ? 0 : ETIMEDOUT;
	socklen_t len = sizeof(err);
	if (err == 0)
		getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err != 0) {
		close(fd);
		return -err;
	}
	return fd;
}

/* Accept from a listener in host's namespace (sockets remember theirs). */
static int accept_one(anysock_listener *l, anysock_addr *peer)
{
	int fd = anysock_accept(l, peer, 1000);
	ck_assert_msg(fd >= 0, "accept: %s", anysock_strerror(fd));
	return fd;
}

/* Connect from host to text:port, accept, and check the listener saw the
 * client's own address, canonical. */
static void served(int host, anysock_listener *l, const char *text, int port)
{
	anysock_addr to = addr(text, port), self, peer;
	int c = connect_from(host, &to);
	ck_assert_msg(c >= 0, "connect %s: %s", text, anysock_strerror(c));
	self.len = sizeof(self.u);
	getsockname(c, &self.u.sa, &self.len);
	anysock_addr_unmap(&self);
	int s = accept_one(l, &peer);
	ck_assert(anysock_addr_equal(&peer, &self, 0));
	ck_assert_int_eq(anysock_addr_family(&peer), to.u.sa.sa_family);
	close(s);
	close(c);
}

/* ------------------------------------------------------------------------ */

static void bindv6only_case(int value)
{
	int h = host_new();
	host_must(h, "sysctl -qw net.ipv6.bindv6only=%d", value);
	host_enter(h);
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_STREAM, 0, 0, &l, NULL), 2);
	int port = port_of(l);
	/* What the kernel reports, not what the library believes. */
	ck_assert_int_eq(host_sh(h, "ss -ltnHe | grep -q '^LISTEN .* 0\\.0\\.0\\.0:%d '", port), 0);
	ck_assert_int_eq(host_sh(h, "ss -ltnHe | grep -q '^LISTEN .* \\[::\\]:%d .*v6only:1'", port),
			 0);
	served(h, l, "127.0.0.1", port);
	served(h, l, "::1", port);
	anysock_listener_close(l);

	/* Dual-stack mode: one socket, V6ONLY off (ss shows "*:port"), and
	 * IPv4 peers still AF_INET. */
	ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_STREAM, ANYSOCK_LISTEN_DUALSTACK, 0, &l,
					NULL),
			 1);
	port = port_of(l);
	ck_assert_int_eq(host_sh(h, "ss -ltnHe | grep -q '^LISTEN .* \\*:%d .*v6only:0'", port), 0);
	ck_assert_int_eq(host_sh(h, "test $(ss -ltnH | grep -c ':%d ') = 1", port), 0);
	served(h, l, "127.0.0.1", port);
	served(h, l, "::1", port);
	anysock_listener_close(l);
	host_enter(host_self());
	close(h);
}

START_TEST(test_bindv6only_0)
{
	bindv6only_case(0);
}
END_TEST

START_TEST(test_bindv6only_1)
{
	bindv6only_case(1);
}
END_TEST

/* ------------------------------------------------------------------------ */

static int host_no_ipv6(void)
{
	int h = host_new();
	host_must(h, "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
		     "net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.lo.disable_ipv6=1");
	return h;
}

START_TEST(test_ipv6_disabled)
{
	hosts_file("127.0.0.1 localhost\n::1 localhost\n");
	int h = host_no_ipv6();
	ck_assert_int_eq(host_sh(h, "test -z \"$(ip -6 addr)\""), 0);
	host_enter(h);
	anysock_listener *l;
	anysock_addr failed;
	ck_assert_int_ge(anysock_listen(NULL, NULL, SOCK_STREAM, 0, 0, &l, NULL), 1);
	served(h, l, "127.0.0.1", port_of(l));
	anysock_listener_close(l);
	/* "localhost" names ::1 too, which this host lacks: skipped. */
	ck_assert_int_eq(anysock_listen("localhost", NULL, SOCK_STREAM, 0, 0, &l, NULL), 1);
	anysock_addr a;
	anysock_listener_addr(l, 0, &a);
	ck_assert_int_eq(anysock_addr_family(&a), AF_INET);
	served(h, l, "127.0.0.1", port_of(l));
	anysock_listener_close(l);
	/* Nothing at all to bind is an error, and says where. */
	ck_assert_int_eq(anysock_listen("::1", "7", SOCK_STREAM, 0, 0, &l, &failed),
			 -EADDRNOTAVAIL);
	anysock_addr want = addr("::1", 7);
	ck_assert(anysock_addr_equal(&failed, &want, 0));
	/* Dual-stack mode on such a host still serves IPv4, as AF_INET. */
	ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_DGRAM, ANYSOCK_LISTEN_DUALSTACK, 0, &l,
					NULL),
			 1);
	anysock_listener_close(l);
	ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_STREAM, ANYSOCK_LISTEN_DUALSTACK, 0, &l,
					NULL),
			 1);
	served(h, l, "127.0.0.1", port_of(l));
	anysock_listener_close(l);
}
END_TEST

/* ------------------------------------------------------------------------ */
/* UNIX Network Programming, Figure 12.5                                    */
/* ------------------------------------------------------------------------ */

/*
 * Three hosts: h4 has IPv4 only (IPv6 switched off), h6 IPv6 only (not
 * even 127.0.0.1), hd both. hd sits between them on two links, so h4 and
 * h6 share no family: no client or server can bridge that, and the table
 * says "no" there for every program.
 */
enum { H4, H6, HD, HOSTS };
static const char *host_name[HOSTS] = { "h4", "h6", "hd" };
static int hosts[HOSTS];

static void build_figure_hosts(void)
{
	hosts_file("10.0.0.4 h4\nfd00::6 h6\n10.0.0.1 hd\nfd00::1 hd\n"
		   "127.0.0.1 localhost\n::1 localhost\n");
	hosts[H4] = host_no_ipv6();
	hosts[H6] = host_new();
	hosts[HD] = host_new();
	host_must(hosts[H6], "ip -4 addr flush dev lo");
	host_link(hosts[HD], "eth4", hosts[H4], "eth0");
	host_link(hosts[HD], "eth6", hosts[H6], "eth0");
	host_must(hosts[H4], "ip addr add 10.0.0.4/24 dev eth0");
	host_must(hosts[HD], "ip addr add 10.0.0.1/24 dev eth4");
	host_must(hosts[HD], "ip addr add fd00::1/64 dev eth6 nodad");
	host_must(hosts[H6], "ip addr add fd00::6/64 dev eth0 nodad");
}

/* Servers: the book's IPv4 server (AF_INET, INADDR_ANY), its IPv6 server
 * (AF_INET6, in6addr_any, IPv4 clients arriving mapped) and the library's. */
enum { S4, S6, SA, SERVER_KINDS };
static const char *server_name[SERVER_KINDS] = { "IPv4 server", "IPv6 server", "anysock server" };

struct server {
	int kind;
	int fd;              /* legacy servers */
	anysock_listener *l; /* the library's */
	int port;
};

static void server_start(struct server *s, int kind, int host)
{
	s->kind = kind;
	s->l = NULL;
	s->fd = -1;
	host_enter(hosts[host]);
	if (kind == SA) {
		ck_assert_int_ge(anysock_listen(NULL, NULL, SOCK_STREAM, 0, 0, &s->l, NULL), 1);
		s->port = port_of(s->l);
	} else {
		anysock_addr a;
		anysock_addr_any(&a, kind == S4 ? AF_INET : AF_INET6, 0);
		s->fd = socket(a.u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int off = 0;
		if (kind == S6)
			setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		ck_assert_int_eq(bind(s->fd, &a.u.sa, a.len), 0);
		ck_assert_int_eq(listen(s->fd, 8), 0);
		a.len = sizeof(a.u);
		getsockname(s->fd, &a.u.sa, &a.len);
		s->port = anysock_addr_port(&a);
	}
	host_enter(host_self());
}

static void server_stop(struct server *s)
{
	anysock_listener_close(s->l);
	if (s->fd >= 0)
		close(s->fd);
}

/* Take the connection; the peer as that server sees it. */
static void server_take(struct server *s, anysock_addr *peer)
{
	int fd;
	if (s->l != NULL) {
		fd = accept_one(s->l, peer);
	} else {
		peer->len = sizeof(peer->u);
		fd = accept(s->fd, &peer->u.sa, &peer->len);
	}
	ck_assert_int_ge(fd, 0);
	close(fd);
}

/* Clients: the book's IPv4 client (AF_INET lookups), its IPv6 client
 * (AF_INET6 with AI_V4MAPPED: the AAAA records when there are any, else
 * the A records mapped), both trying each address in turn as tcp_connect
 * does; and the library's (anysock_connect), which uses every address of
 * every family, and the network's NAT64 when its host has no IPv4 route. */
enum { C4, C6, CA, CLIENT_KINDS };
static const char *client_name[CLIENT_KINDS] = { "IPv4 client", "IPv6 client", "anysock client" };

static int client_connect(int kind, int host, const char *name, int port)
{
	if (kind == CA) {
		char serv[8];
		anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
		o.timeout_ms = 2000;
		snprintf(serv, sizeof(serv), "%d", port);
		host_enter(hosts[host]);
		int fd = anysock_connect(name, serv, SOCK_STREAM, &o, NULL);
		host_enter(host_self());
		return fd;
	}
	anysock_addr to[8];
	int n = 0;
	struct addrinfo hints = { .ai_family = kind == C4 ? AF_INET : AF_INET6,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = kind == C6 ? AI_V4MAPPED : 0 },
			*res;
	if (getaddrinfo(name, NULL, &hints, &res) == 0) {
		for (struct addrinfo *ai = res; ai != NULL && n < 8; ai = ai->ai_next)
			anysock_addr_from_sockaddr(&to[n++], ai->ai_addr, ai->ai_addrlen);
		freeaddrinfo(res);
	}
	int fd = -ENOENT;
	for (int i = 0; i < n && fd < 0; i++) {
		anysock_addr_set_port(&to[i], port);
		fd = connect_from(hosts[host], &to[i]);
	}
	return fd;
}

struct cell {
	int client, client_host, server, server_host;
	bool works;
};

/* The book's table (rows: client on host; columns: server on host). */
static const struct cell book[] = {
	{ C4, H4, S4, H4, true },  { C4, H4, S6, H6, false }, { C4, H4, S4, HD, true },
	{ C4, H4, S6, HD, true },  { C6, H6, S4, H4, false }, { C6, H6, S6, H6, true },
	{ C6, H6, S4, HD, false }, { C6, H6, S6, HD, true },  { C4, HD, S4, H4, true },
	{ C4, HD, S6, H6, false }, { C4, HD, S4, HD, true },  { C4, HD, S6, HD, true },
	{ C6, HD, S4, H4, true },  { C6, HD, S6, H6, true },
	{ C6, HD, S4, HD, false }, /* the book's "no*": the AAAA wins, nobody listens there */
	{ C6, HD, S6, HD, true },
};

/* Whether a client on ch reaches a server on sh that takes both families:
 * the two hosts must share one. */
static bool share_family(int ch, int sh)
{
	return ch == sh || ch == HD || sh == HD;
}

static bool run_cell(const struct cell *c, char *peer_text, size_t size)
{
	struct server s;
	server_start(&s, c->server, c->server_host);
	int fd = client_connect(c->client, c->client_host, host_name[c->server_host], s.port);
	bool works = fd >= 0;
	if (works) {
		anysock_addr peer, self, wire;
		server_take(&s, &peer);
		size_t n = (size_t)anysock_ntop(&peer, peer_text, size, ANYSOCK_NTOP_NOPORT);
		self.len = sizeof(self.u);
		getsockname(fd, &self.u.sa, &self.len);
		wire.len = sizeof(wire.u);
		getpeername(fd, &wire.u.sa, &wire.len);
		bool translated = anysock_nat64_extract(&wire, NULL, NULL) == 0;
		if (translated) /* the server sees the translator's IPv4 pool */
			snprintf(peer_text + n, size - n, " (IPv6, through NAT64)");
		/* The library's server always sees the client's real address. */
		if (c->server == SA && !translated) {
			anysock_addr_unmap(&self);
			ck_assert(anysock_addr_equal(&peer, &self, ANYSOCK_CMP_NOPORT));
			ck_assert_int_eq(anysock_addr_is_mapped(&peer), false);
		}
		close(fd);
	} else {
		snprintf(peer_text, size, "(%s)", anysock_strerror(fd));
	}
	server_stop(&s);
	return works;
}

/* The book's cells, as the book says; then the library's server in every
 * column and the library's client in every row. With a NAT64 on hd, the
 * library's client on h6 also reaches the IPv4-only servers (on h4 and
 * hd) through it: the book's "no" for an IPv6-only client of an IPv4-only
 * server, where a translator exists. */
static void replay_figure(bool nat64)
{
	struct cell cells[64];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(book) / sizeof(book[0]); i++)
		cells[n++] = book[i];
	for (int ch = 0; ch < HOSTS; ch++)
		for (int sh = 0; sh < HOSTS; sh++) {
			bool via = nat64 && ch == H6 && sh != H6; /* IPv4 servers through hd */
			/* the book's clients exist on hosts with their family */
			if (ch != H6)
				cells[n++] = (struct cell){ C4, ch, SA, sh, share_family(ch, sh) && sh != H6 };
			if (ch != H4)
				cells[n++] = (struct cell){ C6, ch, SA, sh,
							   share_family(ch, sh) && !(ch == H6 && sh == H4) };
			cells[n++] = (struct cell){ CA, ch, SA, sh, share_family(ch, sh) || via };
			cells[n++] = (struct cell){ CA, ch, S4, sh, (ch != H6 && sh != H6) || via };
		}
	int wrong = 0;
	for (size_t i = 0; i < n; i++) {
		char peer[ANYSOCK_ADDRSTRLEN + 64];
		bool works = run_cell(&cells[i], peer, sizeof(peer));
		fprintf(stderr, "%-14s on %s -> %-14s on %s: %-3s %s%s\n",
			client_name[cells[i].client], host_name[cells[i].client_host],
			server_name[cells[i].server], host_name[cells[i].server_host],
			works ? "yes" : "no", works ? "peer " : "", peer);
		if (works != cells[i].works) {
			fprintf(stderr, "  ^ expected %s\n", cells[i].works ? "yes" : "no");
			wrong++;
		}
	}
	ck_assert_int_eq(wrong, 0);
}

START_TEST(test_figure_12_5)
{
	build_figure_hosts();
	replay_figure(false);
}
END_TEST

START_TEST(test_figure_12_5_nat64)
{
	if (!tayga_installed()) {
		fprintf(stderr, "SKIP the NAT64 column: tayga is not installed\n");
		return;
	}
	build_figure_hosts();
	/* hd translates fd00:64::/96 to the pool 10.64.0.0/24 (RFC 6052's
	 * network-specific prefix, a unique local one); the operator's
	 * configuration tells the clients (no DNS64 here). */
	host_must(hosts[HD], "sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
	host_must(hosts[H6], "ip -6 route add fd00:64::/96 via fd00::1");
	host_must(hosts[H4], "ip route add 10.64.0.0/24 via 10.0.0.1");
	pid_t tayga = tayga_start(hosts[HD], "fd00:64::/96", "10.64.0.0/24", "10.64.0.1");
	anysock_prefix p;
	ck_assert_int_eq(anysock_prefix_parse("fd00:64::/96", &p, 0), 0);
	ck_assert_int_eq(anysock_nat64_add(&p), 0);
	fprintf(stderr, "With a NAT64 (tayga, fd00:64::/96) on hd:\n");
	replay_figure(true);
	tayga_stop(tayga);
}
END_TEST

/* ------------------------------------------------------------------------ */

START_TEST(test_port0_collisions)
{
	/* Four ephemeral ports, three of them taken in IPv4 only: the kernel
	 * offers them to the IPv6 socket, which does not conflict with IPv4
	 * ones, and only the fourth can serve both. */
	int h = host_new();
	host_must(h, "sysctl -qw net.ipv4.ip_local_port_range='40000 40003'");
	host_enter(h);
	int squat[3];
	for (int i = 0; i < 3; i++) {
		anysock_addr a = addr("0.0.0.0", 40000 + i);
		squat[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		ck_assert_int_eq(bind(squat[i], &a.u.sa, a.len), 0);
	}
	for (int round = 0; round < 20; round++) {
		anysock_listener *l;
		ck_assert_int_eq(anysock_listen(NULL, NULL, SOCK_STREAM, 0, 0, &l, NULL), 2);
		anysock_addr a;
		for (size_t i = 0; i < 2; i++) {
			anysock_listener_addr(l, i, &a);
			ck_assert_int_eq(anysock_addr_port(&a), 40003);
		}
		anysock_listener_close(l);
	}
	for (int i = 0; i < 3; i++)
		close(squat[i]);
	host_enter(host_self());
}
END_TEST

/* ------------------------------------------------------------------------ */

/* A request from client host c (bound to from) to to:port and the reply,
 * through a connected socket that drops replies from any other address. */
static void udp_exchange(anysock_listener *l, int c, const char *from, const char *to, int port)
{
	anysock_addr dst = addr(to, port), src = addr(from, 0), peer, local;
	int fd = host_socket(c, dst.u.sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC);
	ck_assert_int_eq(bind(fd, &src.u.sa, src.len), 0);
	ck_assert_int_eq(connect(fd, &dst.u.sa, dst.len), 0);
	ck_assert_int_eq(send(fd, "ask", 3, 0), 3);
	char buf[8];
	ck_assert_int_eq(anysock_recvfrom(l, buf, sizeof(buf), &peer, &local, 2000), 3);
	ck_assert(anysock_addr_equal(&local, &dst, 0));
	ck_assert_int_eq(anysock_sendto(l, "ans", 3, &peer, &local), 3);
	struct pollfd p = { fd, POLLIN, 0 };
	ck_assert_msg(poll(&p, 1, 1000) == 1, "no reply from %s (%s)", to,
		      anysock_listener_count(l) == 1 ? "dual-stack" : "per family");
	ck_assert_int_eq(recv(fd, buf, sizeof(buf), 0), 3);
	close(fd);
}

START_TEST(test_udp_replies_from_the_address_asked)
{
	/* The server host has two addresses of each family on one link; the
	 * route back to the client would pick the first of each. */
	int srv = host_new(), cli = host_new();
	host_link(srv, "eth0", cli, "eth0");
	host_must(srv, "ip addr add 10.0.0.1/24 dev eth0 && ip addr add 10.0.0.2/24 dev eth0");
	host_must(srv, "ip addr add fd00::1/64 dev eth0 nodad && "
		       "ip addr add fd00::2/64 dev eth0 nodad");
	host_must(cli, "ip addr add 10.0.0.9/24 dev eth0 && ip addr add fd00::9/64 dev eth0 nodad");
	static const char *targets[] = { "10.0.0.1", "10.0.0.2", "fd00::1", "fd00::2" };
	for (int mode = 0; mode < 2; mode++) {
		host_enter(srv);
		anysock_listener *l;
		ck_assert_int_ge(anysock_listen(NULL, NULL, SOCK_DGRAM,
						mode ? ANYSOCK_LISTEN_DUALSTACK : 0, 0, &l, NULL),
				 1);
		host_enter(host_self());
		int port = port_of(l);
		for (int round = 0; round < 3; round++)
			for (size_t i = 0; i < 4; i++)
				udp_exchange(l, cli, strchr(targets[i], ':') ? "fd00::9" : "10.0.0.9",
					     targets[i], port);
		anysock_listener_close(l);
	}
}
END_TEST

/* The accept queue the kernel gave a listening socket (TCP_INFO aliases
 * tcpi_sacked to sk_max_ack_backlog for a listener). */
static unsigned max_backlog(const anysock_listener *l)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	ck_assert_int_eq(getsockopt(anysock_listener_fd(l, 0), IPPROTO_TCP, TCP_INFO, &ti, &len),
			 0);
	return ti.tcpi_sacked;
}

static unsigned backlog_of(const char *service, int backlog)
{
	anysock_listener *l;
	ck_assert_int_eq(anysock_listen("127.0.0.1", service, SOCK_STREAM, 0, backlog, &l, NULL),
			 1);
	unsigned got = max_backlog(l);
	anysock_listener_close(l);
	return got;
}

/* Backlog 0 is the kernel's maximum (net.core.somaxconn of the namespace),
 * not the C library's SOMAXCONN: 128 in musl, so a burst of 1,000 clients
 * lost SYNs there and hung in connect. Linux cuts a larger backlog to the
 * maximum (listen(2)); a smaller one is kept. */
START_TEST(test_default_backlog_is_the_kernels)
{
	int h = host_new();
	host_must(h, "sysctl -qw net.core.somaxconn=12345");
	host_enter(h);
	ck_assert_uint_eq(backlog_of("0", 0), 12345);
	ck_assert_uint_eq(backlog_of("0", 77), 77);
	ck_assert_uint_eq(backlog_of("0", 100000), 12345);
	host_enter(host_self());
	close(h);
}
END_TEST

int main(void)
{
	if (getenv("ANYSOCK_NETNS") == NULL) {
		fprintf(stderr, "SKIP: run me through tests/netns/run.sh\n");
		return 77;
	}
	Suite *s = suite_create("listen_ns");
	TCase *tc = tcase_create("hosts");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_bindv6only_0);
	tcase_add_test(tc, test_bindv6only_1);
	tcase_add_test(tc, test_ipv6_disabled);
	tcase_add_test(tc, test_figure_12_5);
	tcase_add_test(tc, test_figure_12_5_nat64);
	tcase_add_test(tc, test_port0_collisions);
	tcase_add_test(tc, test_udp_replies_from_the_address_asked);
	tcase_add_test(tc, test_default_backlog_is_the_kernels);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
