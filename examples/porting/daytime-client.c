/*
 * daytime-client.c - the daytime client on anysock: any family, every
 * address of the name, raced (Happy Eyeballs), in bounded time. Compare
 * with daytime-client-legacy.c.
 *
 *   daytime-client host [port]
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <unistd.h>

#include <anysock.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s host [port]\n", argv[0]);
		return 2;
	}
	anysock_connect_opts opts = ANYSOCK_CONNECT_OPTS_INIT;
	opts.timeout_ms = 10000;                             /* lookup included */
	anysock_addr servaddr;
	char text[ANYSOCK_ADDRSTRLEN];

	int sockfd = anysock_connect(argv[1], argc > 2 ? argv[2] : "13", SOCK_STREAM, &opts,
				     &servaddr);
	if (sockfd < 0) {
		/* servaddr holds an address only when one gave the error */
		if (anysock_ntop(&servaddr, text, sizeof(text), 0) > 0)
			fprintf(stderr, "connect %s: %s\n", text, anysock_strerror(sockfd));
		else
			fprintf(stderr, "%s: %s\n", argv[1], anysock_strerror(sockfd));
		return 1;
	}
	anysock_ntop(&servaddr, text, sizeof(text), ANYSOCK_NTOP_NOPORT);
	printf("connected to %s\n", text);
	char buf[64];
	ssize_t n;
	while ((n = read(sockfd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		fputs(buf, stdout);
	}
	close(sockfd);
	return 0;
}
