/*
 * beacon.c - a multicast announcer and listener on both families at once
 * (the idea of UNIX Network Programming's chapter 21, without its
 * AF_INET-or-AF_INET6 choice): announce a line to an IPv4 and an IPv6
 * group, or listen to both and print who announced what.
 *
 *   beacon [-i interface] [-t hops] [-n count] -s TEXT   announce, once a second
 *   beacon [-i interface] [-n count] -l                  listen
 *   beacon --help | --version
 *
 * Groups 239.255.77.77 and ff12::77:77 (link-local scope: the announcements stay on the link), port 7777.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <anysock.h>

#ifdef HAVE_CONFIG_H
#include "config.h" /* built in anysock's tree: its PACKAGE_VERSION */
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define PORT "7777"
static const char *const groups[] = { "239.255.77.77", "ff12::77:77" };

static int announce(unsigned ifindex, int hops, int count, const char *text)
{
	anysock_addr to[2];
	int fd[2];
	for (int g = 0; g < 2; g++) {
		/* not connect(): a group needs no route once the interface is set */
		int rc = anysock_resolve(groups[g], PORT, SOCK_DGRAM, ANYSOCK_RESOLVE_NUMERIC, 0,
					 &to[g], 1);
		fd[g] = rc < 0 ? rc : socket(anysock_addr_family(&to[g]), SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd[g] < 0 && rc >= 0)
			rc = -errno;
		/* the same three calls whatever the family */
		if (rc >= 0)
			rc = anysock_set_mcast_hops(fd[g], hops);
		if (rc >= 0 && ifindex != 0)
			rc = anysock_set_mcast_if(fd[g], ifindex);
		if (rc >= 0)
			rc = anysock_set_mcast_loop(fd[g], true);
		if (rc < 0) {
			fprintf(stderr, "beacon: %s: %s\n", groups[g], anysock_strerror(rc));
			return 1;
		}
	}
	for (int i = 0; count == 0 || i < count; i++) {
		for (int g = 0; g < 2; g++)
			if (sendto(fd[g], text, strlen(text), 0, &to[g].u.sa, to[g].len) < 0)
				fprintf(stderr, "beacon: %s: %s\n", groups[g], anysock_strerror(-errno));
		if (count == 0 || i + 1 < count)
			sleep(1);
	}
	close(fd[0]);
	close(fd[1]);
	return 0;
}

static int listen_all(unsigned ifindex, int count)
{
	anysock_listener *l;
	int rc = anysock_listen(NULL, PORT, SOCK_DGRAM, ANYSOCK_LISTEN_REUSEPORT, 0, &l, NULL);
	if (rc < 0) {
		fprintf(stderr, "beacon: listen: %s\n", anysock_strerror(rc));
		return 1;
	}
	for (int g = 0; g < 2; g++) {
		anysock_addr group;
		anysock_pton(groups[g], &group, 0);
		rc = anysock_listener_mcast_join(l, &group, NULL, ifindex);
		if (rc < 0)
			fprintf(stderr, "beacon: join %s: %s\n", groups[g], anysock_strerror(rc));
	}
	printf("listening\n");
	fflush(stdout);
	for (int i = 0; count == 0 || i < count;) {
		char buf[512], from[ANYSOCK_ADDRSTRLEN], to[ANYSOCK_ADDRSTRLEN];
		anysock_addr peer, local;
		ssize_t n = anysock_recvfrom(l, buf, sizeof(buf) - 1, &peer, &local, 5000);
		if (n == -ETIMEDOUT)
			break;
		if (n < 0)
			continue; /* -EMSGSIZE: too long for a beacon */
		buf[n] = '\0';
		anysock_ntop(&peer, from, sizeof(from), ANYSOCK_NTOP_NOPORT);
		anysock_ntop(&local, to, sizeof(to), ANYSOCK_NTOP_NOPORT | ANYSOCK_NTOP_NOSCOPE);
		printf("%s -> %s: %s\n", from, to, buf);
		fflush(stdout);
		i++;
	}
	anysock_listener_close(l);
	return 0;
}

static const char usage_text[] =
	"usage: beacon [-i IF] [-t HOPS] [-n COUNT] -s TEXT   announce TEXT once a second\n"
	"       beacon [-i IF] [-n COUNT] -l                  listen, print who says what\n"
	"Groups 239.255.77.77 and ff12::77:77, port 7777.\n"
	"\n"
	"  -i IF      the interface (default: the system's choice)\n"
	"  -t HOPS    multicast hops, 0-255 (default 1)\n"
	"  -n COUNT   stop after COUNT announcements or messages (default: never)\n"
	"  --help     this text\n"
	"  --version  the version\n";

enum { SHOW_HELP = 256, SHOW_VERSION };

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "help", no_argument, NULL, SHOW_HELP },
		{ "version", no_argument, NULL, SHOW_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	unsigned ifindex = 0;
	int hops = 1, count = 0, opt;
	const char *text = NULL;
	bool listening = false;
	while ((opt = getopt_long(argc, argv, "i:t:n:s:l", long_options, NULL)) != -1) {
		int v;
		switch (opt) {
		case 'i':
			if ((v = anysock_interface_index(optarg)) < 0) {
				fprintf(stderr, "beacon: -i %s: %s\n", optarg, anysock_strerror(v));
				return 2;
			}
			ifindex = (unsigned)v;
			break;
		case 't': hops = atoi(optarg); break;
		case 'n': count = atoi(optarg); break;
		case 's': text = optarg; break;
		case 'l': listening = true; break;
		case SHOW_HELP: fputs(usage_text, stdout); return 0;
		case SHOW_VERSION: printf("beacon (anysock) %s\n", PACKAGE_VERSION); return 0;
		default: fputs(usage_text, stderr); return 2;
		}
	}
	if (listening == (text != NULL) || hops < 0 || hops > 255 || count < 0) {
		fputs(usage_text, stderr);
		return 2;
	}
	return listening ? listen_all(ifindex, count) : announce(ifindex, hops, count, text);
}
