/*
 * daytime-server-legacy.c - a daytime server written the IPv4-only way.
 * Compare with daytime-server.c; doc/porting.md walks the difference.
 *
 *   daytime-server-legacy [port]        (default 13; 0 picks one)
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in servaddr, cliaddr;
	socklen_t len = sizeof(servaddr);
	int on = 1;

	int listenfd = socket(AF_INET, SOCK_STREAM, 0);      /* IPv4 only */
	memset(&servaddr, 0, sizeof(servaddr));
	servaddr.sin_family = AF_INET;
	servaddr.sin_addr.s_addr = htonl(INADDR_ANY);        /* 0.0.0.0 */
	servaddr.sin_port = htons(argc > 1 ? atoi(argv[1]) : 13);
	setsockopt(listenfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(listenfd, (struct sockaddr *)&servaddr, sizeof(servaddr)) < 0 ||
	    listen(listenfd, 5) < 0) {
		perror("bind/listen");
		return 1;
	}
	getsockname(listenfd, (struct sockaddr *)&servaddr, &len);
	printf("listening on 0.0.0.0:%d\n", ntohs(servaddr.sin_port));
	fflush(stdout);

	for (;;) {
		len = sizeof(cliaddr);
		int connfd = accept(listenfd, (struct sockaddr *)&cliaddr, &len);
		if (connfd < 0)
			continue;
		char buf[64];
		time_t now = time(NULL);
		snprintf(buf, sizeof(buf), "%.24s\r\n", ctime(&now));
		if (write(connfd, buf, strlen(buf)) < 0)
			perror("write");
		printf("connection from %s:%d\n", inet_ntoa(cliaddr.sin_addr),
		       ntohs(cliaddr.sin_port));
		fflush(stdout);
		close(connfd);
	}
}
