/*
 * datagram.c - a UDP worker of anysock-relay (--udp): what socat's
 * UDP6-LISTEN:...,fork UDP4:... does for DNS, syslog, NTP and game
 * traffic, in one epoll loop and without losing the client.
 *
 * A flow is one client address and port: its first datagram makes a
 * socket connected to the target (a connector, so the target may be a
 * name, raced over both families; with --source-map bound first to the
 * client's pool address, so the backend sees distinct clients), and every
 * datagram of that client goes through it. Replies come back on it (the
 * kernel lets only the target's through) and leave through the listener
 * from the very address the client wrote to (anysock_recvfrom's local
 * address, given back to anysock_sendto: the library's pktinfo), as a
 * client that connect()ed its socket demands.
 *
 * Limits, each with a documented behaviour (anysock-relay(1)):
 *   - a flow with no datagram either way for --idle-timeout (30 s by
 *     default with --udp, the kernel's own conntrack figure) ends;
 *   - at --max-connections flows (the worker's share) a datagram from a
 *     new client is dropped and counted (reason "cap"); flows already
 *     there go on, and the next new client gets in once one has ended;
 *   - while a flow's target is being chosen (a name being looked up), at
 *     most WAITING datagrams wait; more are dropped and counted;
 *   - on SIGTERM no new flow starts, and a flow ends once it has been
 *     quiet for DRAIN_QUIET_MS (a reply still on its way gets through),
 *     or when --drain-timeout runs out. A datagram flow has no end of its
 *     own to wait for: kept to its idle timeout, one live flow held the
 *     exit for the whole drain (10 s).
 *
 * With --send-proxy-v2 each datagram to the target starts with a PROXY
 * v2 header naming the client (transport DGRAM), as dnsdist sends and
 * PowerDNS and Knot Resolver read it; replies carry none. Version 1 has no
 * datagram form.
 *
 * Workers each have their own listening sockets on the port (SO_REUSEPORT:
 * the kernel sends a client's datagrams to one socket, so each flow is one
 * worker's and the flows need no lock); started with sockets (LISTEN_FDS)
 * there is one set, and one worker.
 *
 * SPDX-License-Identifier: MIT
 */
#include "relay.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define WAITING 8        /* datagrams held while the target is being chosen */
#define BATCH 64         /* datagrams read from one socket per event */
#define CONNECTING_FDS 6 /* the flow's socket, the connector's epoll, attempts, lookups */

struct flow;
struct tag {
	struct flow *f; /* NULL: the worker's listener, or stop_fd */
	int which;      /* 0 the flow's socket, 1 its connector */
};

struct datagram {
	size_t len;
	char data[];
};

struct flow {
	struct tag tags[2];
	anysock_addr client, local; /* who wrote, and to which of our addresses */
	anysock_addr target, source;
	bool has_source, dead;
	int fd; /* connected to the target; -1 until chosen */
	anysock_connector *connector;
	struct datagram *waiting[WAITING];
	int nwaiting;
	uint64_t bytes[2], datagrams[2];
	int64_t started, deadline, connect_us;
	long fd_share;
	struct flow *prev, *next; /* the worker's idle order: the head ends first */
	struct flow *chain;       /* the worker's table, by client */
	struct flow *dead_next;
};

struct datagram_worker {
	int id, ep, cap, flows;
	struct stats *stats;
	anysock_listener *l;
	struct flow **table;
	size_t mask;
	uint64_t seed;
	struct flow *head, *tail, *dead;
	int64_t drain_until;
	int64_t said_cap; /* when "at its cap" was last said; a line a second at most */
	uint64_t refused; /* since then */
	bool stopping;
	char buf[65536];
};

static struct tag listener_tag, stop_tag;

/* How long a flow may be quiet during the drain. */
#define DRAIN_QUIET_MS 1000

/* The idle timeout in force: the drain's shorter one once it began. */
static int idle_ms(const struct datagram_worker *w)
{
	return w->stopping && cfg.idle_ms > DRAIN_QUIET_MS ? DRAIN_QUIET_MS : cfg.idle_ms;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- The flows: a table by client, a list by deadline -------------------- */

static size_t bucket(const struct datagram_worker *w, const anysock_addr *client)
{
	return (size_t)anysock_addr_hash(client, 0, w->seed) & w->mask;
}

static struct flow *find(const struct datagram_worker *w, const anysock_addr *client)
{
	for (struct flow *f = w->table[bucket(w, client)]; f != NULL; f = f->chain)
		if (anysock_addr_equal(&f->client, client, 0))
			return f;
	return NULL;
}

/* Twice the buckets once there are as many flows: chains stay short. */
static void grow(struct datagram_worker *w)
{
	size_t n = 2 * (w->mask + 1);
	struct flow **t = calloc(n, sizeof(*t));
	if (t == NULL)
		return; /* longer chains, still right */
	struct flow **old = w->table;
	size_t old_n = w->mask + 1;
	w->table = t;
	w->mask = n - 1;
	for (size_t i = 0; i < old_n; i++) {
		for (struct flow *f = old[i], *next; f != NULL; f = next) {
			next = f->chain;
			size_t b = bucket(w, &f->client);
			f->chain = t[b];
			t[b] = f;
		}
	}
	free(old);
}

static void unlink_flow(struct datagram_worker *w, struct flow *f)
{
	*(f->prev ? &f->prev->next : &w->head) = f->next;
	*(f->next ? &f->next->prev : &w->tail) = f->prev;
	f->prev = f->next = NULL;
}

static void append_flow(struct datagram_worker *w, struct flow *f)
{
	f->prev = w->tail;
	f->next = NULL;
	*(w->tail ? &w->tail->next : &w->head) = f;
	w->tail = f;
}

/* Its deadline again from now, at the tail (one timeout: the list stays sorted). */
static void touch(struct datagram_worker *w, struct flow *f)
{
	if (w->tail != f) {
		unlink_flow(w, f);
		append_flow(w, f);
	}
	f->deadline = now_ms() + idle_ms(w);
}

/* The end of a flow: counted, logged, closed; freed after this batch. */
static void finish(struct datagram_worker *w, struct flow *f, enum end_reason reason,
		   const char *why)
{
	w->flows--;
	set_gauge(&w->stats->current, (uint64_t)w->flows);
	count(&w->stats->ended[reason], 1);
	struct conn_report r = { .proto = "udp",
				 .client = &f->client,
				 .target = &f->target,
				 .source = f->has_source ? &f->source : NULL,
				 .up = f->bytes[0],
				 .down = f->bytes[1],
				 .datagrams = { f->datagrams[0], f->datagrams[1] },
				 .ms = now_ms() - f->started,
				 .reason = reason,
				 .why = why };
	log_connection(&r);
	unlink_flow(w, f);
	struct flow **p = &w->table[bucket(w, &f->client)];
	while (*p != f)
		p = &(*p)->chain;
	*p = f->chain;
	anysock_connector_free(f->connector);
	f->connector = NULL;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->has_source)
		source_give(&f->source);
	f->has_source = false;
	atomic_fetch_add(&fd_budget, f->fd_share);
	f->dead = true;
	f->dead_next = w->dead;
	w->dead = f;
}

static void bury(struct datagram_worker *w)
{
	while (w->dead != NULL) {
		struct flow *f = w->dead;
		w->dead = f->dead_next;
		for (int i = 0; i < f->nwaiting; i++)
			free(f->waiting[i]);
		free(f);
	}
}

/* ---- Up: client to target ------------------------------------------------ */

/* One datagram to the target, behind a PROXY v2 header with
 * --send-proxy-v2. A send that fails (the target's port closed: ICMP) is
 * counted and forgotten, as the network would. */
static void send_up(struct datagram_worker *w, struct flow *f, const char *data, size_t len)
{
	char hdr[ANYSOCK_PROXY_MAXLEN];
	struct iovec iov[2];
	int n = 0;
	if (cfg.proxy_version == 2) {
		int h = anysock_proxy_encode(2, SOCK_DGRAM, &f->client, &f->local, hdr,
					     sizeof(hdr));
		if (h > 0)
			iov[n++] = (struct iovec){ hdr, (size_t)h };
	}
	iov[n++] = (struct iovec){ (void *)data, len };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = (size_t)n };
	if (sendmsg(f->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		count(&w->stats->dropped[DROP_SEND], 1);
		return;
	}
	f->bytes[0] += len;
	f->datagrams[0]++;
	count(&w->stats->bytes[0], len);
	count(&w->stats->datagrams[0], 1);
}

static void wait_with(struct datagram_worker *w, struct flow *f, const char *data, size_t len)
{
	struct datagram *d = f->nwaiting < WAITING ? malloc(sizeof(*d) + len) : NULL;
	if (d == NULL) {
		count(&w->stats->dropped[DROP_WAITING], 1);
		return;
	}
	d->len = len;
	memcpy(d->data, data, len);
	f->waiting[f->nwaiting++] = d;
}

/* The target is chosen: fd, connected to it. */
static void connected(struct datagram_worker *w, struct flow *f, int fd)
{
	anysock_connector_free(f->connector);
	f->connector = NULL;
	f->fd = fd;
	stats_connected(w->stats, anysock_addr_family(&f->target), now_us() - f->connect_us);
	atomic_fetch_add(&fd_budget, f->fd_share - 1);
	f->fd_share = 1;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &f->tags[0] };
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		finish(w, f, END_ERROR, "cannot watch the flow's socket");
		return;
	}
	for (int i = 0; i < f->nwaiting; i++) {
		send_up(w, f, f->waiting[i]->data, f->waiting[i]->len);
		free(f->waiting[i]);
	}
	f->nwaiting = 0;
}

static void step_connector(struct datagram_worker *w, struct flow *f)
{
	int fd = anysock_connector_step(f->connector, &f->target);
	if (fd == -EINPROGRESS)
		return;
	if (fd >= 0) {
		connected(w, f, fd);
		return;
	}
	char why[160];
	snprintf(why, sizeof(why), "cannot reach the target: %s", anysock_strerror(fd));
	finish(w, f, END_REFUSED, why);
}

/* A datagram from a client with no flow at the cap: dropped, and said
 * once a second at most (with how many went since). */
static void refuse_at_cap(struct datagram_worker *w, const anysock_addr *client)
{
	count(&w->stats->ended[END_CAP], 1);
	count(&w->stats->dropped[DROP_CAP], 1);
	w->refused++;
	if (now_ms() - w->said_cap < 1000)
		return;
	char text[ANYSOCK_ADDRSTRLEN];
	anysock_ntop(client, text, sizeof(text), 0);
	fprintf(stderr,
		"anysock-relay: worker %d at its cap of %d flows: %llu datagram(s) from new "
		"clients dropped (the last from %s)\n",
		w->id, w->cap, (unsigned long long)w->refused, text);
	w->said_cap = now_ms();
	w->refused = 0;
}

/* A new flow for client, its first datagram in hand; NULL when it cannot be. */
static struct flow *new_flow(struct datagram_worker *w, const anysock_addr *client,
			     const anysock_addr *local)
{
	if (w->stopping) {
		count(&w->stats->dropped[DROP_DRAINING], 1);
		return NULL;
	}
	if (w->flows >= w->cap) {
		refuse_at_cap(w, client);
		return NULL;
	}
	if (atomic_fetch_sub(&fd_budget, CONNECTING_FDS) < CONNECTING_FDS) {
		atomic_fetch_add(&fd_budget, CONNECTING_FDS);
		count(&w->stats->dropped[DROP_DESCRIPTORS], 1);
		return NULL;
	}
	struct flow *f = calloc(1, sizeof(*f));
	if (f == NULL) {
		atomic_fetch_add(&fd_budget, CONNECTING_FDS);
		return NULL;
	}
	f->fd_share = CONNECTING_FDS;
	f->fd = -1;
	f->tags[0] = (struct tag){ f, 0 };
	f->tags[1] = (struct tag){ f, 1 };
	f->client = *client;
	f->local = *local;
	f->started = now_ms();
	f->connect_us = now_us();
	if (w->flows + 1 > (int)(w->mask + 1))
		grow(w);
	size_t b = bucket(w, client);
	f->chain = w->table[b];
	w->table[b] = f;
	w->flows++;
	set_gauge(&w->stats->current, (uint64_t)w->flows);
	count(&w->stats->accepted, 1);
	append_flow(w, f);
	f->deadline = now_ms() + idle_ms(w);
	return f;
}

/* Its socket to the target: from the client's pool address with
 * --source-map; at once for an address, through a lookup for a name. */
static void start_connecting(struct datagram_worker *w, struct flow *f)
{
	anysock_connect_opts opts = cfg.opts;
	if (sources_on()) {
		int rc = source_take(&f->client, &f->source);
		if (rc < 0) {
			finish(w, f, END_SOURCE_POOL,
			       rc == -EADDRINUSE ? "every --source-map address near the client's "
						   "is another client's"
						 : anysock_strerror(rc));
			return;
		}
		f->has_source = true;
		opts.local = &f->source;
	}
	int rc = anysock_connector_start(cfg.host, cfg.port, SOCK_DGRAM, &opts, &f->connector);
	if (rc < 0) {
		char why[160];
		snprintf(why, sizeof(why), "cannot reach the target: %s", anysock_strerror(rc));
		finish(w, f, END_REFUSED, why);
		return;
	}
	int watched = anysock_connector_fd(f->connector);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &f->tags[1] };
	if (watched < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, watched, &ev) < 0) {
		finish(w, f, END_ERROR, "cannot watch the connection attempts");
		return;
	}
	step_connector(w, f);
}

/* Datagrams from clients: each to its flow, a new flow for a new client. */
static void from_clients(struct datagram_worker *w)
{
	for (int k = 0; k < BATCH; k++) {
		anysock_addr client, local;
		ssize_t n = anysock_recvfrom(w->l, w->buf, sizeof(w->buf), &client, &local, 0);
		if (n == -ETIMEDOUT || n == -EAGAIN)
			return;
		if (n < 0)
			continue; /* -EMSGSIZE: cut; an error queued on one socket */
		struct flow *f = find(w, &client);
		if (f == NULL) {
			if ((f = new_flow(w, &client, &local)) == NULL)
				continue;
			wait_with(w, f, w->buf, (size_t)n);
			start_connecting(w, f);
			continue;
		}
		touch(w, f);
		if (f->fd < 0)
			wait_with(w, f, w->buf, (size_t)n);
		else
			send_up(w, f, w->buf, (size_t)n);
	}
}

/* ---- Down: target to client ---------------------------------------------- */

static void from_target(struct datagram_worker *w, struct flow *f)
{
	for (int k = 0; k < BATCH && !f->dead; k++) {
		ssize_t n = recv(f->fd, w->buf, sizeof(w->buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				continue; /* ECONNREFUSED: the port was closed once; it may open */
			return;
		}
		if (anysock_sendto(w->l, w->buf, (size_t)n, &f->client, &f->local) < 0) {
			count(&w->stats->dropped[DROP_SEND], 1);
			continue;
		}
		f->bytes[1] += (uint64_t)n;
		f->datagrams[1]++;
		count(&w->stats->bytes[1], (uint64_t)n);
		count(&w->stats->datagrams[1], 1);
		touch(w, f);
	}
}

/* ---- The loop ------------------------------------------------------------ */

static void watch_listener(struct datagram_worker *w, int op)
{
	for (int i = 0; i < anysock_listener_count(w->l); i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &listener_tag };
		epoll_ctl(w->ep, op, anysock_listener_fd(w->l, (size_t)i), &ev);
	}
}

static int next_wait(struct datagram_worker *w)
{
	int64_t at = w->head != NULL ? w->head->deadline : -1;
	if (w->drain_until >= 0 && (at < 0 || w->drain_until < at))
		at = w->drain_until;
	int wait = at < 0 ? 1000 : at <= now_ms() ? 0 : (int)(at - now_ms());
	return wait > 1000 ? 1000 : wait;
}

static void expire(struct datagram_worker *w)
{
	int64_t now = now_ms();
	while (w->head != NULL && w->head->deadline <= now)
		finish(w, w->head, w->stopping ? END_DRAIN : END_IDLE,
		       w->stopping ? "quiet while draining" : "idle");
	/* the connectors' own timers: resolution and attempt delays, timeout */
	for (struct flow *f = w->head, *next; f != NULL; f = next) {
		next = f->next;
		if (f->connector != NULL && anysock_connector_timeout(f->connector) == 0)
			step_connector(w, f);
	}
}

static void handle(struct datagram_worker *w, const struct epoll_event *ev)
{
	struct tag *t = ev->data.ptr;
	if (t == &listener_tag) {
		from_clients(w);
	} else if (t == &stop_tag) { /* the drain: no new flow; quiet ones end */
		epoll_ctl(w->ep, EPOLL_CTL_DEL, stop_fd, NULL);
		w->drain_until = now_ms() + cfg.drain_ms;
		/* Every deadline moves back by the same amount: still in order. */
		w->stopping = true;
		int shorter = cfg.idle_ms - idle_ms(w);
		for (struct flow *f = w->head; f != NULL; f = f->next)
			f->deadline -= shorter;
	} else if (!t->f->dead) {
		if (t->which == 1)
			step_connector(w, t->f);
		else
			from_target(w, t->f);
	}
}

void *datagram_worker_run(void *arg)
{
	struct datagram_worker *w = arg;
	char name[16];
	snprintf(name, sizeof(name), "relay-%d", w->id);
	pthread_setname_np(pthread_self(), name);
	watch_listener(w, EPOLL_CTL_ADD);
	for (;;) {
		if (w->stopping && (w->flows == 0 || now_ms() >= w->drain_until))
			break;
		struct epoll_event ev[64];
		int n = epoll_wait(w->ep, ev, 64, next_wait(w));
		for (int k = 0; k < n; k++)
			handle(w, &ev[k]);
		expire(w);
		bury(w);
	}
	while (w->head != NULL)
		finish(w, w->head, END_DRAIN, "drain timeout");
	bury(w);
	atomic_fetch_sub(&workers_running, 1);
	return NULL;
}

struct datagram_worker *datagram_worker_new(int id, int cap, struct stats *stats,
					    anysock_listener *l)
{
	struct datagram_worker *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->id = id;
	w->cap = cap;
	w->stats = stats;
	w->l = l;
	w->drain_until = -1;
	w->said_cap = -1000;
	w->mask = 255;
	w->seed = (uint64_t)now_us() * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)w;
	w->table = calloc(w->mask + 1, sizeof(*w->table));
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &stop_tag };
	if (w->table == NULL || w->ep < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, stop_fd, &ev) < 0) {
		int err = errno;
		datagram_worker_free(w);
		errno = err;
		return NULL;
	}
	return w;
}

void datagram_worker_free(struct datagram_worker *w)
{
	if (w == NULL)
		return;
	if (w->ep >= 0)
		close(w->ep);
	free(w->table);
	free(w);
}
