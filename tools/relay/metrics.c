/*
 * metrics.c - the --metrics server: the figures in the Prometheus text
 * format at GET /metrics over plain HTTP/1.0 (what a Prometheus server,
 * curl or a shell's nc needs), on loopback unless the operator names
 * another address.
 *
 * It runs in the main thread, never in a worker: a scrape reads the
 * workers' counters (stats.c) without stopping them. Anything may
 * connect to it, so nothing a client does costs more than a slot for a
 * while: at most MAX_CLIENTS at once (the next takes the slot of the one
 * that has waited longest), a request of at most MAX_REQUEST bytes,
 * DEADLINE_MS for the whole exchange, reads and writes that never block,
 * and no spin when descriptors run out (the listener is left alone for
 * PAUSE_MS).
 *
 * SPDX-License-Identifier: MIT
 */
#include "relay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define MAX_CLIENTS 32
#define MAX_REQUEST 2048
#define DEADLINE_MS 5000
#define PAUSE_MS 1000

struct client {
	int fd; /* -1: a free slot */
	int64_t deadline;
	char request[MAX_REQUEST];
	size_t got;
	char *reply; /* once the request is whole */
	size_t len, sent;
};

static struct {
	anysock_listener *l;
	int ep;
	int listen_tag; /* its address tags the listening sockets' events */
	bool watching;
	int64_t resume_at; /* out of descriptors: watch again then; -1 */
	struct client clients[MAX_CLIENTS];
} m = { .resume_at = -1 };

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void watch_listener(bool on)
{
	if (m.l == NULL || on == m.watching)
		return;
	for (int i = 0; i < anysock_listener_count(m.l); i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &m.listen_tag };
		epoll_ctl(m.ep, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
			  anysock_listener_fd(m.l, (size_t)i), &ev);
	}
	m.watching = on;
}

void metrics_open(void)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		m.clients[i].fd = -1;
	if (cfg.metrics == NULL)
		return;
	/* "PORT" alone: loopback, both families; "HOST:PORT", "[V6]:PORT" */
	bool port_only = strspn(cfg.metrics, "0123456789") == strlen(cfg.metrics);
	anysock_addr failed;
	int rc = anysock_listen(port_only ? "localhost" : cfg.metrics,
				port_only ? cfg.metrics : NULL, SOCK_STREAM,
				ANYSOCK_LISTEN_NONBLOCK, 64, &m.l, &failed);
	if (rc < 0) {
		char where[ANYSOCK_ADDRSTRLEN] = "-";
		anysock_ntop(&failed, where, sizeof(where), 0);
		fprintf(stderr, "anysock-relay: --metrics %s: cannot listen on %s: %s\n",
			cfg.metrics, where, anysock_strerror(rc));
		exit(1);
	}
	char where[512];
	anysock_listener_ntop(m.l, where, sizeof(where));
	log_notice("metrics", "metrics on %s (GET /metrics%s)", where,
		   sources_on() ? ", /sources, /sources/ADDRESS" : "");
}

void metrics_watch(int ep)
{
	m.ep = ep;
	watch_listener(true);
}

static void drop(struct client *c)
{
	close(c->fd); /* leaves the epoll set with it */
	free(c->reply);
	c->fd = -1;
	c->reply = NULL;
	c->got = c->len = c->sent = 0;
	if (m.resume_at < 0)
		watch_listener(true);
}

/* A free slot, or the oldest client's: a crowd of silent clients pushes
 * out the longest waiting, never the one that just came (a scraper sends
 * its request at once and is answered in the same turn). */
static struct client *slot(void)
{
	struct client *oldest = &m.clients[0];
	for (int k = 0; k < MAX_CLIENTS; k++) {
		if (m.clients[k].fd < 0)
			return &m.clients[k];
		if (m.clients[k].deadline < oldest->deadline)
			oldest = &m.clients[k];
	}
	drop(oldest);
	return oldest;
}

static void accept_clients(void)
{
	for (int i = 0; i < anysock_listener_count(m.l); i++) {
		for (;;) {
			anysock_addr peer;
			int fd = anysock_accept_fd(anysock_listener_fd(m.l, (size_t)i), &peer,
						   ANYSOCK_LISTEN_NONBLOCK);
			if (fd == -EMFILE || fd == -ENFILE) {
				watch_listener(false);
				m.resume_at = now_ms() + PAUSE_MS;
				return;
			}
			if (fd < 0)
				break;
			struct client *c = slot();
			struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
			if (epoll_ctl(m.ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
				close(fd);
				continue;
			}
			c->fd = fd;
			c->deadline = now_ms() + DEADLINE_MS;
		}
	}
}

/* The reply to "GET path": status line, headers, body. */
static void answer(struct client *c, int status, const char *type, char *body, size_t len)
{
	static const char *const reason[] = { [0] = "OK",
					      [1] = "Bad Request",
					      [2] = "Not Found",
					      [3] = "Method Not Allowed",
					      [4] = "Internal Server Error" };
	int r = status == 200 ? 0 : status == 400 ? 1 : status == 404 ? 2 : status == 405 ? 3 : 4;
	char head[256];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			 "Connection: close\r\n\r\n",
			 status, reason[r], type, len);
	c->reply = body == NULL && len > 0 ? NULL : malloc((size_t)n + len);
	if (c->reply != NULL) {
		memcpy(c->reply, head, (size_t)n);
		if (len > 0)
			memcpy(c->reply + n, body, len);
		c->len = (size_t)n + len;
	}
	free(body);
}

/* A short text reply. */
static void answer_text(struct client *c, int status, const char *text)
{
	answer(c, status, "text/plain", strdup(text), strlen(text));
}

static void route(struct client *c, const char *method, const char *path)
{
	if (strcmp(method, "GET") != 0) {
		answer_text(c, 405, "only GET\n");
	} else if (strcmp(path, "/metrics") == 0) {
		size_t len;
		char *body = stats_prometheus(&len);
		if (body == NULL)
			answer_text(c, 500, "out of memory\n");
		else
			answer(c, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
	} else if (strcmp(path, "/sources") == 0 && sources_on()) {
		size_t len;
		char *body = sources_list(&len);
		if (body == NULL)
			answer_text(c, 500, "out of memory\n");
		else
			answer(c, 200, "text/plain; charset=utf-8", body, len);
	} else if (strncmp(path, "/sources/", 9) == 0) {
		char who[512];
		answer_text(c, sources_who(path + 9, who, sizeof(who)), who);
	} else {
		answer_text(c, 404, "not here: GET /metrics, /sources, /sources/ADDRESS\n");
	}
}

/* The request line of a whole request: "GET /metrics HTTP/1.0". */
static void request(struct client *c)
{
	char method[16], path[256], version[16];
	if (sscanf(c->request, "%15s %255s %15s", method, path, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) != 0)
		answer_text(c, 400, "not an HTTP/1 request\n");
	else
		route(c, method, path);
}

/* Send what is left of the reply; true when it is all gone. */
static bool send_reply(struct client *c)
{
	while (c->sent < c->len) {
		ssize_t n = send(c->fd, c->reply + c->sent, c->len - c->sent, MSG_NOSIGNAL);
		if (n < 0)
			return false;
		c->sent += (size_t)n;
	}
	return true;
}

static void serve(struct client *c, uint32_t events)
{
	if (c->reply == NULL) {
		ssize_t n = recv(c->fd, c->request + c->got, MAX_REQUEST - 1 - c->got, 0);
		if (n <= 0) {
			if (n == 0 || (errno != EAGAIN && errno != EINTR))
				drop(c);
			return;
		}
		c->got += (size_t)n;
		c->request[c->got] = '\0';
		bool whole = strstr(c->request, "\r\n\r\n") != NULL || strstr(c->request, "\n\n");
		if (!whole && c->got < MAX_REQUEST - 1)
			return; /* more to come, within the deadline */
		if (!whole)
			answer_text(c, 400, "request too long\n");
		else
			request(c);
		if (c->reply == NULL) {
			drop(c);
			return;
		}
	} else if (!(events & (EPOLLOUT | EPOLLHUP | EPOLLERR))) {
		return;
	}
	if (send_reply(c)) {
		drop(c);
		return;
	}
	if (errno != EAGAIN && errno != EINTR) {
		drop(c);
		return;
	}
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
	epoll_ctl(m.ep, EPOLL_CTL_MOD, c->fd, &ev);
}

bool metrics_event(void *tag, uint32_t events)
{
	if (tag == &m.listen_tag) {
		accept_clients();
		return true;
	}
	struct client *c = tag;
	if (c < m.clients || c >= m.clients + MAX_CLIENTS)
		return false;
	if (c->fd >= 0)
		serve(c, events);
	return true;
}

int metrics_next_wait(void)
{
	int64_t at = m.resume_at;
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (m.clients[i].fd >= 0 && (at < 0 || m.clients[i].deadline < at))
			at = m.clients[i].deadline;
	if (at < 0)
		return -1;
	int64_t left = at - now_ms();
	return left <= 0 ? 0 : (int)left;
}

void metrics_expire(void)
{
	int64_t now = now_ms();
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (m.clients[i].fd >= 0 && m.clients[i].deadline <= now)
			drop(&m.clients[i]);
	if (m.resume_at >= 0 && m.resume_at <= now) {
		m.resume_at = -1;
		watch_listener(true);
	}
}

void metrics_close(void)
{
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (m.clients[i].fd >= 0)
			drop(&m.clients[i]);
	anysock_listener_close(m.l);
	m.l = NULL;
}
