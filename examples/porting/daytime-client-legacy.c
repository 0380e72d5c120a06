/*
 * daytime-client-legacy.c - a daytime client written the IPv4-only way.
 * Compare with daytime-client.c; doc/porting.md walks the difference.
 *
 *   daytime-client-legacy host [port]
 *
 * SPDX-License-Identifier: MIT
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s host [port]\n", argv[0]);
		return 2;
	}
	struct hostent *hp = gethostbyname(argv[1]);         /* A records only */
	if (hp == NULL || hp->h_addrtype != AF_INET) {
		fprintf(stderr, "%s: no IPv4 address\n", argv[1]);
		return 1;
	}
	struct sockaddr_in servaddr;
	memset(&servaddr, 0, sizeof(servaddr));
	servaddr.sin_family = AF_INET;
	servaddr.sin_port = htons(argc > 2 ? atoi(argv[2]) : 13);
	memcpy(&servaddr.sin_addr, hp->h_addr_list[0], sizeof(servaddr.sin_addr));

	int sockfd = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(sockfd, (struct sockaddr *)&servaddr, sizeof(servaddr)) < 0) {
		perror("connect");                           /* the first address only */
		return 1;
	}
	printf("connected to %s\n", inet_ntoa(servaddr.sin_addr));
	char buf[64];
	ssize_t n;
	while ((n = read(sockfd, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		fputs(buf, stdout);
	}
	close(sockfd);
	return 0;
}
