/*
 * daytime-server.c - the daytime server on anysock: every family, canonical
 * peers, a clean stop on SIGTERM. Compare with daytime-server-legacy.c.
 *
 *   daytime-server [port]               (default 13; 0 picks one)
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* sigaction */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <anysock.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	anysock_listener *l;
	anysock_addr cliaddr, failed;
	char text[ANYSOCK_ADDRSTRLEN];

	int rc = anysock_listen(NULL, argc > 1 ? argv[1] : "13", SOCK_STREAM, 0, 0, &l, &failed);
	if (rc < 0) {
		/* failed names an address only when one was to blame */
		if (anysock_ntop(&failed, text, sizeof(text), 0) > 0)
			fprintf(stderr, "listen on %s: %s\n", text, anysock_strerror(rc));
		else
			fprintf(stderr, "listen: %s\n", anysock_strerror(rc));
		return 1;
	}
	char where[128];
	if (anysock_listener_ntop(l, where, sizeof(where)) < 0)   /* [::]:13, 0.0.0.0:13 */
		snprintf(where, sizeof(where), "%d sockets", rc); /* too many to print */
	printf("listening on %s\n", where);
	fflush(stdout);

	/* SA_RESTART or not, a signal ends anysock_accept's wait with -EINTR:
	 * test what it returns (not errno), then the flag. */
	struct sigaction sa = { .sa_handler = on_term, .sa_flags = SA_RESTART };
	sigaction(SIGTERM, &sa, NULL);
	while (!stop) {
		int connfd = anysock_accept(l, &cliaddr, -1);
		if (connfd == -EINTR)
			continue;                                /* the loop checks stop */
		if (connfd < 0) {
			fprintf(stderr, "accept: %s\n", anysock_strerror(connfd));
			sleep(1);                                /* EMFILE: let some close */
			continue;
		}
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
	anysock_listener_close(l);
	return 0;
}
