/*
 * udp-echo-client.c - UNIX Network Programming's UDP echo client (dg_cli)
 * on anysock: each line of stdin to the server and back, any family.
 *
 *   udp-echo-client host [port]         (default 9877, the book's SERV_PORT)
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <anysock.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s host [port]\n", argv[0]);
		return 2;
	}
	char line[1024], reply[1025];
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	/* UDP has no handshake, so which family answers is learnt from a
	 * reply: the first line is sent to each address of the name in turn
	 * (IPv6 and IPv4 alternating, 250 ms apart, or at once after a
	 * refusal) and the first reply wins. A plain datagram connect would
	 * take the first address with a route (::1 for "localhost") even when
	 * the server listens on IPv4 only. */
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 2000; /* UDP loses datagrams: never wait forever */
	o.first_datagram = line;
	o.first_datagram_len = strlen(line);
	/* Connected, as anysock_connect always leaves a datagram socket: the
	 * kernel drops datagrams from anyone but the server, and a server
	 * that is down is reported (ECONNREFUSED). The book's unconnected
	 * socket, and its recvfrom(..., NULL, NULL), takes a reply from anyone
	 * and waits forever when the server is down. */
	anysock_addr server;
	int fd = anysock_connect(argv[1], argc > 2 ? argv[2] : "9877", SOCK_DGRAM, &o, &server);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], anysock_strerror(fd)); /* refused, no answer */
		return 1;
	}
	bool first = true; /* its reply is waiting already */
	do {
		if (!first && send(fd, line, strlen(line), 0) < 0) {
			fprintf(stderr, "send: %s\n", anysock_strerror(-errno));
			return 1;
		}
		first = false;
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 2000) == 0) {
			fprintf(stderr, "no answer within 2 s\n");
			return 1;
		}
		ssize_t n = recv(fd, reply, sizeof(reply) - 1, 0);
		if (n < 0) {
			fprintf(stderr, "recv: %s\n", anysock_strerror(-errno)); /* refused */
			return 1;
		}
		reply[n] = '\0';
		fputs(reply, stdout);
	} while (fgets(line, sizeof(line), stdin) != NULL);
	close(fd);
	return 0;
}
