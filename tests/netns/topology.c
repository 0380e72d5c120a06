/*
 * topology.c - the hosts of the Happy Eyeballs tests (see topology.h).
 * SPDX-License-Identifier: MIT
 */
#include "topology.h"
#include "netns.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

double he_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *accept_and_close(void *arg)
{
	anysock_listener *l = arg;
	for (;;) {
		int fd = anysock_accept(l, NULL, -1);
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

void he_serve(const struct he_net *net, anysock_listener **l, char port[8])
{
	host_enter(net->server);
	int rc = anysock_listen(NULL, NULL, SOCK_STREAM, ANYSOCK_LISTEN_IPV4, 0, l, NULL);
	host_enter(host_self());
	if (rc != 1) {
		fprintf(stderr, "he_serve: %s\n", anysock_strerror(rc));
		abort();
	}
	anysock_addr a;
	anysock_listener_addr(*l, 0, &a);
	snprintf(port, 8, "%d", anysock_addr_port(&a));
	pthread_t t;
	pthread_create(&t, NULL, accept_and_close, *l);
	pthread_detach(t);
}

void he_build(struct he_net *net)
{
	hosts_file("2001:db8:1::2 both.test\n10.0.0.2 both.test\n"
		   "2001:db8:2::2 refused.test\n10.0.0.2 refused.test\n"
		   "2001:db8:1::2 hole.test\n10.9.0.2 hole.test\n"
		   "2001:db8:6::2 dual.test\n10.0.4.2 dual.test\n"
		   "127.0.0.1 localhost\n::1 localhost\n");
	net->client = host_new();
	net->server = host_new();
	net->sink = host_new();
	net->client4 = host_new();
	net->client6 = host_new();
	host_must(net->client4, "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
				"net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.lo.disable_ipv6=1");
	host_must(net->client6, "ip -4 addr flush dev lo");
	host_must(net->client, "sysctl -qw net.ipv4.tcp_syn_retries=1");

	host_link(net->client, "eth0", net->server, "eth0");
	host_must(net->client, "ip addr add 10.0.0.1/24 dev eth0 && "
			       "ip addr add 2001:db8:2::1/64 dev eth0 nodad");
	host_must(net->server, "ip addr add 10.0.0.2/24 dev eth0 && "
			       "ip addr add 2001:db8:2::2/64 dev eth0 nodad");

	host_link(net->client, "sink0", net->sink, "eth0");
	host_must(net->client, "ip addr add 2001:db8:1::1/64 dev sink0 nodad && "
			       "ip addr add 10.9.0.1/24 dev sink0 && "
			       "ip -6 neigh replace 2001:db8:1::2 lladdr 02:00:00:00:00:99 "
			       "dev sink0 nud permanent && "
			       "ip neigh replace 10.9.0.2 lladdr 02:00:00:00:00:99 "
			       "dev sink0 nud permanent");

	host_link(net->server, "eth4", net->client4, "eth0");
	host_must(net->server, "ip addr add 10.0.4.2/24 dev eth4");
	host_must(net->client4, "ip addr add 10.0.4.1/24 dev eth0");
	host_link(net->server, "eth6", net->client6, "eth0");
	host_must(net->server, "ip addr add 2001:db8:6::2/64 dev eth6 nodad");
	host_must(net->client6, "ip addr add 2001:db8:6::1/64 dev eth0 nodad");
}
