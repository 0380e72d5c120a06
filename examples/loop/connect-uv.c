/*
 * connect-uv.c - connect-epoll.c's program on libuv: connect to every
 * host:port on the command line at once, say which family answered and
 * when.
 *
 *   connect-uv HOST:PORT...
 *
 * Each connector gets a uv_poll_t on its descriptor and a uv_timer_t set
 * to the timeout it asks for after every step. Exit 0 when every one
 * connected, 1 otherwise.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <uv.h>

#include <anysock.h>

struct job {
	const char *name;
	anysock_connector *c;
	uv_poll_t poll;
	uv_timer_t timer;
	int closing; /* handles still to close */
};

static int failed;
static uint64_t t0;

static void closed(uv_handle_t *h)
{
	struct job *j = h->data;
	if (--j->closing == 0) {
		anysock_connector_free(j->c); /* after the poll handle let go of its fd */
		free(j);
	}
}

static void timer_fired(uv_timer_t *t);

static void step(struct job *j)
{
	anysock_addr peer;
	int fd = anysock_connector_step(j->c, &peer);
	if (fd == -EINPROGRESS) {
		int t = anysock_connector_timeout(j->c);
		if (t >= 0)
			uv_timer_start(&j->timer, timer_fired, (uint64_t)t, 0);
		else
			uv_timer_stop(&j->timer);
		return;
	}
	char where[ANYSOCK_ADDRSTRLEN];
	if (anysock_ntop(&peer, where, sizeof(where), 0) < 0)
		where[0] = '\0';
	double ms = (double)(uv_hrtime() - t0) / 1e6;
	if (fd >= 0) {
		printf("%-28s IPv%d  %-28s %7.1f ms\n", j->name,
		       anysock_addr_family(&peer) == AF_INET6 ? 6 : 4, where, ms);
		close(fd);
	} else {
		printf("%-28s %s%s%s\n", j->name, anysock_strerror(fd), where[0] ? " at " : "",
		       where);
		failed++;
	}
	j->closing = 2;
	uv_close((uv_handle_t *)&j->poll, closed);
	uv_close((uv_handle_t *)&j->timer, closed);
}

static void readable(uv_poll_t *p, int status, int events)
{
	(void)status;
	(void)events;
	step(p->data);
}

static void timer_fired(uv_timer_t *t)
{
	step(t->data);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s host:port...\n", argv[0]);
		return 2;
	}
	uv_loop_t *loop = uv_default_loop();
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = 10000;
	o.flags = ANYSOCK_CONNECT_NONBLOCK;
	t0 = uv_hrtime();
	for (int i = 1; i < argc; i++) {
		struct job *j = calloc(1, sizeof(*j));
		if (j == NULL) {
			perror("connect-uv");
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
		uv_poll_init(loop, &j->poll, watched);
		uv_timer_init(loop, &j->timer);
		j->poll.data = j->timer.data = j;
		uv_poll_start(&j->poll, UV_READABLE, readable);
		int t = anysock_connector_timeout(j->c);
		if (t >= 0)
			uv_timer_start(&j->timer, timer_fired, (uint64_t)t, 0);
	}
	uv_run(loop, UV_RUN_DEFAULT);
	uv_loop_close(loop);
	return failed > 0;
}
