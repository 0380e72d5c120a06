/*
 * connect-epoll.c - connect to every host:port on the command line at
 * once, from one epoll loop, and say which family answered and when.
 *
 *   connect-epoll HOST:PORT...     e.g. connect-epoll example.org:443 [::1]:22
 *
 * Each connector hands the loop one descriptor and a timeout; the loop
 * steps a connector when its descriptor is readable or its timeout has
 * passed. Exit 0 when every one connected, 1 otherwise.
 *
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <anysock.h>

struct job {
	const char *name;
	anysock_connector *c; /* NULL once done */
	int timeout;          /* what it asked for at its last step, ms */
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Step one; 1 when it is done (and reported), 0 while it races. */
static int step(struct job *j, int ep, double t0, int *failed)
{
	anysock_addr peer;
	int fd = anysock_connector_step(j->c, &peer);
	if (fd == -EINPROGRESS) {
		j->timeout = anysock_connector_timeout(j->c);
		return 0;
	}
	char where[ANYSOCK_ADDRSTRLEN];
	if (anysock_ntop(&peer, where, sizeof(where), 0) < 0)
		where[0] = '\0';
	if (fd >= 0) {
		printf("%-28s IPv%d  %-28s %7.1f ms\n", j->name,
		       anysock_addr_family(&peer) == AF_INET6 ? 6 : 4, where, now_ms() - t0);
		close(fd);
	} else {
		printf("%-28s %s%s%s\n", j->name, anysock_strerror(fd), where[0] ? " at " : "",
		       where);
		(*failed)++;
	}
	epoll_ctl(ep, EPOLL_CTL_DEL, anysock_connector_fd(j->c), NULL);
	anysock_connector_free(j->c);
	j->c = NULL;
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s host:port...\n", argv[0]);
		return 2;
	}
	int n = argc - 1, left = 0, failed = 0;
	struct job *jobs = calloc((size_t)n, sizeof(*jobs));
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (jobs == NULL || ep < 0) {
		perror("connect-epoll");
		return 1;
	}
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 10000;
	o.flags = ANYSOCK_CONNECT_NONBLOCK; /* what a loop wants back */
	double t0 = now_ms();
	for (int i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		j->name = argv[i + 1];
		int rc = anysock_connector_start(j->name, NULL, SOCK_STREAM, &o, &j->c);
		if (rc < 0) {
			printf("%-28s %s\n", j->name, anysock_strerror(rc));
			failed++;
			continue;
		}
		int watched = anysock_connector_fd(j->c); /* or an error: no descriptors */
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = j };
		if (watched < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, watched, &ev) < 0) {
			printf("%-28s %s\n", j->name,
			       anysock_strerror(watched < 0 ? watched : -errno));
			anysock_connector_free(j->c);
			j->c = NULL;
			failed++;
			continue;
		}
		j->timeout = anysock_connector_timeout(j->c);
		left++;
	}
	while (left > 0) {
		int wait = -1; /* the earliest timeout asked for */
		for (int i = 0; i < n; i++)
			if (jobs[i].c != NULL && jobs[i].timeout >= 0 &&
			    (wait < 0 || jobs[i].timeout < wait))
				wait = jobs[i].timeout;
		double before = now_ms();
		struct epoll_event ev[16];
		int ready = epoll_wait(ep, ev, 16, wait);
		if (ready < 0) {
			perror("epoll_wait");
			return 1;
		}
		double waited = now_ms() - before;
		for (int k = 0; k < ready; k++)
			left -= step(ev[k].data.ptr, ep, t0, &failed);
		for (int i = 0; i < n; i++) /* the ones whose time has come */
			if (jobs[i].c != NULL && jobs[i].timeout >= 0 && jobs[i].timeout <= waited)
				left -= step(&jobs[i], ep, t0, &failed);
	}
	close(ep);
	free(jobs);
	return failed > 0;
}
