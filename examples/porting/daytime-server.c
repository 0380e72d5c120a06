/*
 * daytime-server.c - the same daytime server on anysock: every family,
 * canonical peers. Compare with daytime-server-legacy.c.
 *
 *   daytime-server [port]               (default 13; 0 picks one)
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <anysock.h>

int main(int argc, char **argv)
{
	anysock_listener *l;
	anysock_addr cliaddr, failed;
	char text[ANYSOCK_ADDRSTRLEN];

	int rc = anysock_listen(NULL, argc > 1 ? argv[1] : "13", SOCK_STREAM, 0, 0, &l, &failed);
	if (rc < 0) {                                        /* says which address */
		anysock_ntop(&failed, text, sizeof(text), 0);
		fprintf(stderr, "listen %s: %s\n", text, anysock_strerror(rc));
		return 1;
	}
	char where[128];
	anysock_listener_ntop(l, where, sizeof(where));      /* [::]:13, 0.0.0.0:13 */
	printf("listening on %s\n", where);
	fflush(stdout);

	for (;;) {
		int connfd = anysock_accept(l, &cliaddr, -1);
		if (connfd < 0)
			continue;
		char buf[64];
		time_t now = time(NULL);
		snprintf(buf, sizeof(buf), "%.24s\r\n", ctime(&now));
		if (write(connfd, buf, strlen(buf)) < 0)
			perror("write");
		anysock_ntop(&cliaddr, text, sizeof(text), 0);   /* 192.0.2.7:5000, [::1]:5000 */
		printf("connection from %s\n", text);
		fflush(stdout);
		close(connfd);
	}
}
