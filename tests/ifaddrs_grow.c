/*
 * ifaddrs_grow.c - an LD_PRELOAD stand-in for getifaddrs(), for
 * tests/probe.sh: 4 addresses on the first call, 8 on every later one, as
 * when addresses come up between a program's two calls (one to count,
 * one to fill). Built by the test with $CC.
 * SPDX-License-Identifier: MIT
 */
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#define MOST 8

static struct ifaddrs items[MOST];
static struct sockaddr_in addrs[MOST], masks[MOST];
static char names[MOST][IF_NAMESIZE];
static int calls;

int getifaddrs(struct ifaddrs **out)
{
	int n = calls++ == 0 ? MOST / 2 : MOST;
	for (int i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "fake%d", i);
		addrs[i] = (struct sockaddr_in){ .sin_family = AF_INET };
		addrs[i].sin_addr.s_addr = htonl(0xc0000200u + (unsigned)i + 1); /* 192.0.2.i+1 */
		masks[i] = (struct sockaddr_in){ .sin_family = AF_INET };
		masks[i].sin_addr.s_addr = htonl(0xffffff00u);
		items[i] = (struct ifaddrs){ .ifa_next = i + 1 < n ? &items[i + 1] : NULL,
					     .ifa_name = names[i],
					     .ifa_flags = IFF_UP,
					     .ifa_addr = (struct sockaddr *)&addrs[i],
					     .ifa_netmask = (struct sockaddr *)&masks[i] };
	}
	*out = items;
	return 0;
}

void freeifaddrs(struct ifaddrs *ifa)
{
	(void)ifa; /* static: nothing to free */
}
