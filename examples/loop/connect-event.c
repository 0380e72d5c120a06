/*
 * connect-event.c - connect-epoll.c's program on libevent: connect to
 * every host:port on the command line at once, say which family answered
 * and when.
 *
 *   connect-event HOST:PORT...
 *
 * Each connector gets a persistent read event on its descriptor and a
 * timer event set to the timeout it asks for after every step. Exit 0
 * when every one connected, 1 otherwise.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include <anysock.h>

struct job {
	const char *name;
	anysock_connector *c;
	struct event *readable, *timer;
};

static int failed;
static struct timespec t0;

static double elapsed_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(ts.tv_sec - t0.tv_sec) * 1e3 + (double)(ts.tv_nsec - t0.tv_nsec) / 1e6;
}

/* Arm the timer for what the connector asks; none for -1. */
static void arm(struct job *j)
{
	int t = anysock_connector_timeout(j->c);
	if (t < 0) {
		evtimer_del(j->timer);
		return;
	}
	struct timeval tv = { t / 1000, (t % 1000) * 1000 };
	evtimer_add(j->timer, &tv);
}

static void step(evutil_socket_t fd_unused, short what, void *arg)
{
	(void)fd_unused;
	(void)what;
	struct job *j = arg;
	anysock_addr peer;
	int fd = anysock_connector_step(j->c, &peer);
	if (fd == -EINPROGRESS) {
		arm(j);
		return;
	}
	char where[ANYSOCK_ADDRSTRLEN];
	if (anysock_ntop(&peer, where, sizeof(where), 0) < 0)
		where[0] = '\0';
	if (fd >= 0) {
		printf("%-28s IPv%d  %-28s %7.1f ms\n", j->name,
		       anysock_addr_family(&peer) == AF_INET6 ? 6 : 4, where, elapsed_ms());
		close(fd);
	} else {
		printf("%-28s %s%s%s\n", j->name, anysock_strerror(fd), where[0] ? " at " : "",
		       where);
		failed++;
	}
	event_free(j->readable); /* before the connector closes the descriptor */
	event_free(j->timer);
	anysock_connector_free(j->c);
	free(j);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s host:port...\n", argv[0]);
		return 2;
	}
	struct event_base *base = event_base_new();
	if (base == NULL) {
		fprintf(stderr, "connect-event: no event base\n");
		return 1;
	}
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 10000;
	o.flags = ANYSOCK_CONNECT_NONBLOCK;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 1; i < argc; i++) {
		struct job *j = calloc(1, sizeof(*j));
		if (j == NULL) {
			perror("connect-event");
			return 1;
		}
		j->name = argv[i];
		int rc = anysock_connector_start(j->name, NULL, SOCK_STREAM, &o, &j->c);
		if (rc < 0) {
			printf("%-28s %s\n", j->name, anysock_strerror(rc));
			failed++;
			free(j);
			continue;
		}
		int watched = anysock_connector_fd(j->c); /* or an error: no descriptors */
		if (watched < 0) {
			printf("%-28s %s\n", j->name, anysock_strerror(watched));
			anysock_connector_free(j->c);
			failed++;
			free(j);
			continue;
		}
		j->readable = event_new(base, watched, EV_READ | EV_PERSIST, step, j);
		j->timer = evtimer_new(base, step, j);
		event_add(j->readable, NULL);
		arm(j);
	}
	event_base_dispatch(base);
	event_base_free(base);
	return failed > 0;
}
