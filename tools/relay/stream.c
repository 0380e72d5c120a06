/*
 * stream.c - a TCP worker of anysock-relay: one epoll loop over its
 * connections. The workers share the listening sockets with
 * EPOLLEXCLUSIVE, so one worker, not all, wakes for a new client, and a
 * worker at its cap simply stops watching them. An idle connection holds
 * two descriptors and about 700 bytes: data moves with recv() and send()
 * through the worker's one buffer, and once a transfer is large (a read
 * fills FIRST_READ) with splice() through a pipe from the worker's pool
 * (given back when empty), as HAProxy's splice-auto does; only what the
 * other side cannot take yet is held, the source unread until it is gone
 * (never read more than the other side can take). Half-closes are passed
 * on; every wait has a deadline; SIGTERM drains. See anysock-relay(1).
 *
 * One connection per request is the common case (issue 24: wrk through
 * the relay to nginx), so a connection costs as few system calls as it
 * can: the target reached at the connector's first step when it is near
 * (no epoll set of the connector's), what the client sent read at once,
 * each side added to the epoll set once and changed at the end of a batch
 * only when it wants more (what it no longer wants lapses until an event
 * says so), the FIN that follows data sent with it (MSG_MORE) and known
 * from EPOLLRDHUP without a read for the 0, and no shutdown() before the
 * close() that passes the last FIN on anyway: 16 system calls against
 * HAProxy's 18 (bench/bench_relay_http.sh --profile).
 *
 * examples/echo-server.c is the model server readers copy whole, so it
 * cannot share code with this file; these parts follow it, and a fix to
 * one belongs in the other:
 *   - now_ms() and the timer lists (struct list, unlink_conn(), arm():
 *     one timeout per list, so appending keeps it sorted);
 *   - read_header(): the PROXY header read without blocking, parsed with
 *     anysock_proxy_parse() until whole, within MAX_HEADER and its list's
 *     deadline, and only from --trusted-sources (checked on accept);
 *   - the cap and EMFILE: the listeners unwatched (clients wait in the
 *     backlog) and a pause of PAUSE_MS, never a spin;
 *   - in tools/tool.c, tool_number() and tool_read_acl() (echo-server's
 *     number() and read_acl()), and the option as written for messages
 *     (its option_name());
 *   - the long option names (main.c): --accept-proxy, --trusted-sources,
 *     --header-timeout, --max-connections, --idle-timeout, --workers.
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
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>

#define BUF_SIZE (64 * 1024) /* one per worker */
#define MAX_HEADER 1024      /* --accept-proxy: a longer header is refused */
#define PAUSE_MS 1000        /* EMFILE all the same: LIMITED this long */
#define BUDGET_MS 50         /* descriptor budget spent: LIMITED this long */
/* Descriptors a connection may hold while it connects (client, the
 * connector's epoll, two attempts, two lookups) and once it relays. */
#define CONNECTING_FDS 6
#define RELAYING_FDS 2
#define PIPE_FDS 2 /* a pipe per direction while data moves (splice) */
/* recv() takes at most this much at a time: a read that fills it marks
 * the transfer as large, moved with splice() from then on while splice()
 * keeps finding SPLICE_MIN or more (16 KiB is HAProxy's buffer; a 64 KiB
 * first read cost 10% more CPU a 64 KiB response). */
#define FIRST_READ (16 * 1024)
#define SPLICE_MIN 4096
#define IN_EVENTS (EPOLLIN | EPOLLRDHUP)

/* ---- Connections -------------------------------------------------------- */

enum state { HEADER, CONNECTING, RELAYING, DEAD };

/* One direction: bytes from 'from' that 'to' has not taken yet. */
struct flow {
	char *pending; /* what recv() read and send() could not pass on */
	size_t len, off;
	int pipe[2];    /* splice()'s pipe while data moves; -1 */
	size_t in_pipe; /* bytes in it */
	bool eof, shut; /* 'from' sent FIN; we passed it on to 'to' */
	bool bulk;      /* a large transfer: splice() it */
	uint64_t bytes;
	uint64_t ours;             /* of the bytes still to send, the relay's header */
	_Atomic uint64_t *counter; /* the worker's figure for this direction */
};

struct conn;
struct tag { /* what an epoll event is about */
	struct conn *c;
	int which; /* 0 client, 1 target, 2 connector */
};

struct conn {
	struct tag tags[3];
	enum state state;
	int fd[2];          /* client, target (-1 until connected) */
	uint32_t events[2]; /* what epoll watches on each now */
	uint32_t wanted[2]; /* and what it is to watch (see want()) */
	bool added[2];      /* in the epoll set */
	bool dirty;         /* on the worker's list of registrations to change */
	bool have_local;    /* local is known (getsockname() only for a header) */
	anysock_connector *connector;
	anysock_addr peer, local, target;
	anysock_addr *source; /* --source-map: the client's pool address; NULL */
	struct flow up, down; /* client to target, target to client */
	int64_t started, deadline;
	int64_t connect_us;       /* when connecting began, for the figures */
	struct conn *prev, *next; /* in the worker's list for its state */
	struct list *list;
	char *header; /* --accept-proxy: what has come of the header */
	size_t header_len;
	uint64_t header_bytes;  /* --send-proxy: ours, not the client's, in up.bytes */
	bool gone[2];           /* that side hung up and left the epoll set */
	long fd_share;          /* of fd_budget */
	struct conn *dead_next; /* finished: freed after the current batch */
	struct conn *dirty_next;
};

struct list {
	struct conn *head, *tail;
	int timeout_ms;
};

/* Whether a worker takes new clients, and if not, why: HAProxy's names
 * for a listener's states (LI_READY, LI_FULL, LI_LIMITED), and one for the
 * drain. review() alone moves a worker between them; the listening
 * sockets are in its epoll set exactly while it is READY, so a worker that
 * cannot take a client leaves it in the kernel's backlog for another
 * worker or for later, instead of accepting it and dropping it. */
enum listen_state {
	READY,    /* watching the listeners: a new client is accepted */
	FULL,     /* at its share of --max-connections, until one ends */
	LIMITED,  /* out of descriptors, until one ends or resume_at */
	DRAINING, /* SIGTERM or SIGINT: never again */
};

struct stream_worker {
	int id, ep, conns, cap;
	struct stats *stats; /* its figures: only this worker writes them */
	struct list header, connecting, idle;
	enum listen_state state;
	enum listen_state said; /* the state its last log line gave */
	int64_t ready_since;    /* when it last became READY */
	int64_t resume_at;      /* LIMITED: look again then; -1 */
	int64_t drain_until;    /* DRAINING: close what is left then; -1 */
	struct conn *dead;      /* finished in this batch, freed after it */
	struct conn *dirty;     /* whose registrations change before the next wait */
	int pipes[64][2];       /* empty pipes for splice(), kept for the next flow */
	int npipes;
	char buf[BUF_SIZE];
};

/* What stop_fd's events carry: the drain began. */
static struct tag stop_tag;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void unlink_conn(struct conn *c)
{
	struct list *l = c->list;
	if (l == NULL)
		return;
	*(c->prev ? &c->prev->next : &l->head) = c->next;
	*(c->next ? &c->next->prev : &l->tail) = c->prev;
	c->prev = c->next = NULL;
	c->list = NULL;
}

/* (Re)start c's deadline in list l; every entry of a list has the same
 * timeout, so the tail is the latest and the head the next to expire. */
static void arm(struct conn *c, struct list *l)
{
	unlink_conn(c);
	c->deadline = now_ms() + l->timeout_ms;
	c->list = l;
	c->prev = l->tail;
	*(l->tail ? &l->tail->next : &l->head) = c;
	l->tail = c;
}

/* The one line a connection leaves behind. */
static void log_end(const struct conn *c, enum end_reason reason, const char *why)
{
	struct conn_report r = { .proto = "tcp",
				 .client = &c->peer,
				 .target = &c->target,
				 .source = c->source,
				 .up = c->up.bytes - c->header_bytes,
				 .down = c->down.bytes,
				 .ms = now_ms() - c->started,
				 .reason = reason,
				 .why = why };
	log_connection(&r);
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* n bytes of f went out: the client's, less any of the relay's header. */
static void passed(struct flow *f, size_t n)
{
	uint64_t ours = f->ours < n ? f->ours : n;
	f->ours -= ours;
	f->bytes += n;
	count(f->counter, n - ours);
}

static void review(struct stream_worker *w);
static void give_pipe(struct stream_worker *w, struct flow *f);

/* The end of a connection: logged, closed, and freed once the current
 * batch of events (which may still name it) is done. */
static void finish(struct stream_worker *w, struct conn *c, enum end_reason reason, const char *why)
{
	w->conns--;
	set_gauge(&w->stats->current, (uint64_t)w->conns);
	count(&w->stats->ended[reason], 1); /* before the line: it may be read */
	log_end(c, reason, why);
	unlink_conn(c);
	anysock_connector_free(c->connector);
	c->connector = NULL;
	for (int i = 0; i < 2; i++)
		if (c->fd[i] >= 0)
			close(c->fd[i]);
	if (c->source != NULL) /* after the close: the address is free for another */
		source_give(c->source);
	free(c->source);
	c->source = NULL;
	give_pipe(w, &c->up);
	give_pipe(w, &c->down);
	c->fd[0] = c->fd[1] = -1;
	c->state = DEAD;
	c->dead_next = w->dead;
	w->dead = c;
	atomic_fetch_add(&fd_budget, c->fd_share);
	w->resume_at = -1; /* a place and descriptors are free again */
	review(w);
}

static void bury(struct stream_worker *w)
{
	while (w->dead != NULL) {
		struct conn *c = w->dead;
		w->dead = c->dead_next;
		free(c->up.pending);
		free(c->down.pending);
		free(c->header);
		free(c);
	}
}

static void mark_dirty(struct stream_worker *w, struct conn *c)
{
	if (c->dirty)
		return;
	c->dirty = true;
	c->dirty_next = w->dirty;
	w->dirty = c;
}

/* Register side i of c for what it wants, now; false when epoll refuses. */
static bool watch_now(struct stream_worker *w, struct conn *c, int i)
{
	if (c->fd[i] < 0 || c->gone[i] || (c->added[i] && c->events[i] == c->wanted[i]))
		return true;
	struct epoll_event ev = { .events = c->wanted[i], .data.ptr = &c->tags[i] };
	if (epoll_ctl(w->ep, c->added[i] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, c->fd[i], &ev) < 0)
		return false;
	c->added[i] = true;
	c->events[i] = c->wanted[i];
	return true;
}

/* Watch side i of c for these events. The epoll set learns it before the
 * next wait, once however often it changed, and only when the side wants
 * something it is not watched for: what it no longer wants stays until
 * an event comes that it did not want (relay_event()), which most
 * connections never see, ending first. */
static void want(struct stream_worker *w, struct conn *c, int i, uint32_t events)
{
	c->wanted[i] = events;
	if (!c->added[i] || (events & ~c->events[i]))
		mark_dirty(w, c);
}

/* Before the wait: the epoll set as each connection wants it. */
static void apply_wants(struct stream_worker *w)
{
	while (w->dirty != NULL) {
		struct conn *c = w->dirty;
		w->dirty = c->dirty_next;
		c->dirty = false;
		for (int i = 0; i < 2 && c->state != DEAD; i++)
			if (!watch_now(w, c, i))
				finish(w, c, END_ERROR,
				       i == 0 ? "cannot watch the client"
					      : "cannot watch the target connection");
	}
}

/* What f holds that the other side has not taken: in the buffer or the pipe. */
static size_t held(const struct flow *f)
{
	return f->len + f->in_pipe;
}

/* A pipe for f from the worker's pool or a new one (when the descriptor
 * budget allows); false: move this one with recv and send. */
static bool take_pipe(struct stream_worker *w, struct flow *f)
{
	if (f->pipe[0] >= 0)
		return true;
	if (w->npipes > 0) {
		w->npipes--;
		f->pipe[0] = w->pipes[w->npipes][0];
		f->pipe[1] = w->pipes[w->npipes][1];
		return true;
	}
	if (atomic_fetch_sub(&fd_budget, PIPE_FDS) < PIPE_FDS + CONNECTING_FDS ||
	    pipe2(f->pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
		atomic_fetch_add(&fd_budget, PIPE_FDS);
		f->pipe[0] = f->pipe[1] = -1;
		return false;
	}
	return true;
}

/* An empty pipe goes back to the pool (a connection that goes idle holds
 * none); one with data in it, or beyond the pool, is closed. */
static void give_pipe(struct stream_worker *w, struct flow *f)
{
	if (f->pipe[0] < 0)
		return;
	if (f->in_pipe == 0 && w->npipes < (int)(sizeof(w->pipes) / sizeof(w->pipes[0]))) {
		w->pipes[w->npipes][0] = f->pipe[0];
		w->pipes[w->npipes][1] = f->pipe[1];
		w->npipes++;
	} else {
		close(f->pipe[0]);
		close(f->pipe[1]);
		atomic_fetch_add(&fd_budget, PIPE_FDS);
	}
	f->pipe[0] = f->pipe[1] = -1;
	f->in_pipe = 0;
}

/* What each side is watched for: input while nothing of it is pending
 * (so no more is read than the other side takes), output while something
 * for it is. */
static void update(struct stream_worker *w, struct conn *c)
{
	struct flow *to[2] = { &c->down, &c->up }; /* what goes to side i */
	struct flow *from[2] = { &c->up, &c->down };
	for (int i = 0; i < 2; i++)
		want(w, c, i,
		     (from[i]->eof || held(from[i]) ? 0u : (uint32_t)IN_EVENTS) |
			     (held(to[i]) ? (uint32_t)EPOLLOUT : 0u));
}

/* Send what f holds to fd, the buffer first, then the pipe; false on a
 * hard error. */
static bool flush(struct stream_worker *w, struct flow *f, int fd)
{
	while (f->off < f->len) {
		ssize_t n = send(fd, f->pending + f->off, f->len - f->off, MSG_NOSIGNAL);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		f->off += (size_t)n;
		passed(f, (size_t)n);
	}
	free(f->pending);
	f->pending = NULL;
	f->len = f->off = 0;
	while (f->in_pipe > 0) {
		ssize_t n = splice(f->pipe[0], NULL, fd, NULL, f->in_pipe,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		f->in_pipe -= (size_t)n;
		passed(f, (size_t)n);
	}
	give_pipe(w, f);
	return true;
}

/* Keep data for f (the other side could not take it now); false: no memory. */
static bool keep(struct flow *f, const char *data, size_t len)
{
	char *p = realloc(f->pending, f->len + len);
	if (p == NULL)
		return false;
	memcpy(p + f->len, data, len);
	f->pending = p;
	f->len += len;
	return true;
}

/* Side i is readable (events: what epoll said of it; 0 when it was not
 * asked): move what it sent to the other side. */
static bool pump(struct stream_worker *w, struct conn *c, int i, uint32_t events)
{
	struct flow *f = i == 0 ? &c->up : &c->down;
	int to = c->fd[!i];
	if (f->bulk && take_pipe(w, f)) { /* kernel to kernel: no copy through this process */
		ssize_t n = splice(c->fd[i], NULL, f->pipe[1], NULL, BUF_SIZE,
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			give_pipe(w, f);
			return true;
		}
		if (n <= 0) {
			give_pipe(w, f);
			f->eof = n == 0;
			return n == 0;
		}
		f->bulk = n >= SPLICE_MIN;
		f->in_pipe += (size_t)n;
		return flush(w, f, to);
	}
	ssize_t n = recv(c->fd[i], w->buf, FIRST_READ, 0);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0) {
		f->eof = true;
		return true;
	}
	f->bulk = n == FIRST_READ;
	/* The FIN had come (EPOLLRDHUP) and this read, short of what it
	 * could take, took all before it: the 0 a next read would give is
	 * known, and the FIN leaves with the data (MSG_MORE holds the data
	 * for the shutdown() or close() that follows at once). */
	if (!f->bulk && (events & EPOLLRDHUP))
		f->eof = true;
	ssize_t sent = send(to, w->buf, (size_t)n, MSG_NOSIGNAL | (f->eof ? MSG_MORE : 0));
	if (sent < 0 && errno != EAGAIN && errno != EINTR)
		return false;
	sent = sent < 0 ? 0 : sent;
	passed(f, (size_t)sent);
	return sent == n || keep(f, w->buf + sent, (size_t)(n - sent));
}

/* Pass half-closes on; true when both directions are over: the close()
 * that follows passes the last FIN on (nothing is left unread, so it is
 * a FIN, not a reset), no shutdown() needed for it. */
static bool settle_closes(struct conn *c)
{
	struct flow *f[2] = { &c->up, &c->down };
	bool over[2];
	for (int i = 0; i < 2; i++)
		over[i] = f[i]->eof && held(f[i]) == 0;
	if (over[0] && over[1])
		return true;
	for (int i = 0; i < 2; i++) {
		if (over[i] && !f[i]->shut) {
			shutdown(c->fd[!i], SHUT_WR); /* what came, all went */
			f[i]->shut = true;
		}
	}
	return false;
}

static void relay_event(struct stream_worker *w, struct conn *c, int i, uint32_t events)
{
	struct flow *to_me = i == 0 ? &c->down : &c->up, *from_me = i == 0 ? &c->up : &c->down;
	const char *side = i == 0 ? "client" : "target";
	uint32_t unwanted = events & (EPOLLIN | EPOLLOUT) & ~c->wanted[i];
	char why[64];
	if (events & EPOLLERR) {
		snprintf(why, sizeof(why), "%s reset", side);
		finish(w, c, END_RESET, why);
		return;
	}
	if ((events & (EPOLLOUT | EPOLLHUP)) && held(to_me) > 0 && !flush(w, to_me, c->fd[i])) {
		snprintf(why, sizeof(why), "%s stopped taking data", side);
		finish(w, c, END_RESET, why);
		return;
	}
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLRDHUP)) && (c->wanted[i] & EPOLLIN) &&
	    !pump(w, c, i, events)) {
		snprintf(why, sizeof(why), "%s reset", side);
		finish(w, c, END_RESET, why);
		return;
	}
	if (settle_closes(c)) {
		finish(w, c, END_CLOSED, "closed");
		return;
	}
	if ((events & EPOLLHUP) && from_me->eof && held(to_me) == 0 && !c->gone[i]) {
		/* Both ways shut on this side: epoll would report the hang-up
		 * on every wait while the other side finishes. */
		epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd[i], NULL);
		c->gone[i] = true;
	}
	update(w, c);
	if (unwanted & ~c->wanted[i])
		mark_dirty(w, c); /* it came, so it is time to stop it */
	arm(c, &w->idle);
}

/* ---- Connecting to the target ------------------------------------------- */

static void connected(struct stream_worker *w, struct conn *c, int fd)
{
	anysock_connector_free(c->connector);
	c->connector = NULL;
	c->fd[1] = fd;
	int one = 1; /* what comes is passed on at once, never held for an ACK (Nagle) */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	stats_connected(w->stats, anysock_addr_family(&c->target), now_us() - c->connect_us);
	atomic_fetch_add(&fd_budget, c->fd_share - RELAYING_FDS);
	c->fd_share = RELAYING_FDS;
	/* The PROXY header goes before any client byte (those already read
	 * behind an upstream header included). */
	if (cfg.proxy_version != 0) {
		if (!c->have_local) { /* the address the client came to */
			c->local.len = sizeof(c->local.u);
			getsockname(c->fd[0], &c->local.u.sa, &c->local.len);
			anysock_addr_unmap(&c->local);
		}
		char hdr[ANYSOCK_PROXY_MAXLEN];
		int n = anysock_proxy_encode(cfg.proxy_version, SOCK_STREAM, &c->peer, &c->local,
					     hdr, sizeof(hdr));
		struct flow early = c->up; /* nothing in a pipe yet: not relaying */
		c->up = (struct flow){ .pipe = { -1, -1 }, .counter = early.counter };
		if (n < 0 || !keep(&c->up, hdr, (size_t)n) ||
		    (early.len > 0 && !keep(&c->up, early.pending, early.len))) {
			free(early.pending);
			finish(w, c, END_ERROR, "out of memory");
			return;
		}
		free(early.pending);
		c->header_bytes = (uint64_t)n; /* the header is not the client's */
		c->up.ours = (uint64_t)n;
	}
	c->state = RELAYING;
	/* The header goes now, and what the client has sent by now (its
	 * request, most often) with it: no wait to be told it is there. */
	if (held(&c->up) > 0 && !flush(w, &c->up, fd)) {
		finish(w, c, END_RESET, "target stopped taking data");
		return;
	}
	if (held(&c->up) == 0 && !pump(w, c, 0, 0)) {
		finish(w, c, END_RESET, "client reset");
		return;
	}
	if (settle_closes(c)) {
		finish(w, c, END_CLOSED, "closed");
		return;
	}
	update(w, c); /* both sides enter the epoll set at the end of the batch */
	arm(c, &w->idle);
}

/* The connector's result: connected on fd, or the error fd. */
static void reached(struct stream_worker *w, struct conn *c, int fd)
{
	if (fd >= 0) {
		connected(w, c, fd);
		return;
	}
	char why[160];
	snprintf(why, sizeof(why), "cannot reach the target: %s", anysock_strerror(fd));
	finish(w, c, END_REFUSED, why);
}

static void step_connector(struct stream_worker *w, struct conn *c)
{
	int fd = anysock_connector_step(c->connector, &c->target);
	if (fd != -EINPROGRESS)
		reached(w, c, fd);
}

static void start_connecting(struct stream_worker *w, struct conn *c)
{
	c->connect_us = now_us();
	anysock_connect_opts opts = cfg.opts;
	if (sources_on()) { /* bound to the client's pool address before connect() */
		anysock_addr source;
		int rc = source_take(&c->peer, &source);
		if (rc == 0 && (c->source = malloc(sizeof(source))) == NULL) {
			source_give(&source);
			rc = -ENOMEM;
		}
		if (rc < 0) {
			finish(w, c, END_SOURCE_POOL,
			       rc == -EADDRINUSE ? "every --source-map address near the client's "
						   "is another client's"
						 : anysock_strerror(rc));
			return;
		}
		*c->source = source;
		opts.local = c->source; /* read at each attempt: c outlives them */
	}
	int rc = anysock_connector_start(cfg.host, cfg.port, SOCK_STREAM, &opts, &c->connector);
	if (rc < 0) {
		char why[160];
		snprintf(why, sizeof(why), "cannot reach the target: %s", anysock_strerror(rc));
		finish(w, c, END_REFUSED, why);
		return;
	}
	c->state = CONNECTING;
	/* A target near by has answered by the first step: the connector
	 * needs no epoll set, this loop no wait. */
	int fd = anysock_connector_step(c->connector, &c->target);
	if (fd != -EINPROGRESS) {
		reached(w, c, fd);
		return;
	}
	/* It takes longer: watch the connector, and the client (unread until
	 * the target is there) for a hang-up. */
	int watched = anysock_connector_fd(c->connector);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &c->tags[2] };
	if (watched < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, watched, &ev) < 0) {
		finish(w, c, END_ERROR, "cannot watch the connection attempts");
		return;
	}
	c->wanted[0] = 0;
	if (!watch_now(w, c, 0)) {
		finish(w, c, END_ERROR, "cannot watch the client");
		return;
	}
	arm(c, &w->connecting);
}

/* --accept-proxy: what has come of the upstream proxy's header. */
static void read_header(struct stream_worker *w, struct conn *c)
{
	ssize_t n = recv(c->fd[0], c->header + c->header_len, MAX_HEADER - c->header_len, 0);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			finish(w, c, END_HEADER_BAD, "closed before its PROXY header");
		return;
	}
	c->header_len += (size_t)n;
	anysock_proxy_info info;
	int len = anysock_proxy_parse(c->header, c->header_len, &info);
	if (len == -EAGAIN && c->header_len < MAX_HEADER)
		return;
	if (len < 0) {
		finish(w, c, END_HEADER_BAD,
		       len == -EAGAIN ? "PROXY header too long" : anysock_strerror(len));
		return;
	}
	if (!info.local) { /* the original client, and the address it came to */
		c->peer = info.src;
		c->local = info.dst;
		c->have_local = true;
	}
	size_t after = c->header_len - (size_t)len;
	if (after > 0 && !keep(&c->up, c->header + len, after)) {
		finish(w, c, END_ERROR, "out of memory");
		return;
	}
	free(c->header);
	c->header = NULL;
	start_connecting(w, c);
}

/* ---- Accepting ---------------------------------------------------------- */

static const char *const state_reason[] = {
	[READY] = "accepting again",
	[FULL] = "full at its cap",
	[LIMITED] = "out of descriptors until connections end",
	[DRAINING] = "draining",
};

/* The state w is due: the first reason not to accept that holds, else READY. */
static enum listen_state due_state(const struct stream_worker *w)
{
	if (atomic_load(&draining))
		return DRAINING;
	if (w->conns >= w->cap)
		return FULL;
	if (w->resume_at >= 0)
		return LIMITED;
	return READY;
}

static void watch_listeners(struct stream_worker *w, int op)
{
	for (int i = 0; i < anysock_listener_count(listener); i++) {
		int fd = anysock_listener_fd(listener, (size_t)i);
		struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL };
		epoll_ctl(w->ep, op, fd, &ev);
	}
}

/* Move w to the state it is due, watching the listeners only when READY.
 * Called wherever a reason may have come or gone: a connection accepted or
 * finished, descriptors short or back, the drain. */
static void review(struct stream_worker *w)
{
	enum listen_state next = due_state(w);
	if (next == w->state)
		return;
	if (next == READY || w->state == READY)
		watch_listeners(w, next == READY ? EPOLL_CTL_ADD : EPOLL_CTL_DEL);
	if (next == READY)
		w->ready_since = now_ms();
	if (next == FULL || next == LIMITED)
		count(&w->stats->pauses[next == FULL ? PAUSE_CAP : PAUSE_DESCRIPTORS], 1);
	if (next == DRAINING)
		w->drain_until = now_ms() + cfg.drain_ms;
	w->state = next;
}

/* One log line when the state changes, with the reason. A worker at its
 * cap turns READY and FULL again with every connection that ends and the
 * next client from the backlog: it says FULL once, and READY only after a
 * second of it. */
static void announce(struct stream_worker *w)
{
	if (w->state == w->said || (w->state == READY && now_ms() - w->ready_since < 1000))
		return;
	fprintf(stderr, "anysock-relay: worker %d %s%s%s\n", w->id,
		w->state == READY ? "" : "not accepting: ", state_reason[w->state],
		w->state == FULL || w->state == LIMITED ? " (clients wait in the backlog)" : "");
	w->said = w->state;
}

/* Descriptors ran out: LIMITED until a connection ends or pause_ms pass. */
static void out_of_descriptors(struct stream_worker *w, int pause_ms)
{
	w->resume_at = now_ms() + pause_ms;
	review(w);
}

/* Client fd as a connection of w: watched, then on its way (its PROXY
 * header to read, or the target to reach). */
static void take_client(struct stream_worker *w, int fd, const anysock_addr *peer)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		close(fd);
		atomic_fetch_add(&fd_budget, CONNECTING_FDS);
		return;
	}
	c->fd_share = CONNECTING_FDS;
	c->up.pipe[0] = c->up.pipe[1] = c->down.pipe[0] = c->down.pipe[1] = -1;
	for (int i = 0; i < 3; i++)
		c->tags[i] = (struct tag){ c, i };
	c->fd[0] = fd;
	c->fd[1] = -1;
	c->peer = *peer;
	c->started = now_ms();
	c->up.counter = &w->stats->bytes[0];
	c->down.counter = &w->stats->bytes[1];
	w->conns++;
	count(&w->stats->accepted, 1);
	set_gauge(&w->stats->current, (uint64_t)w->conns);
	review(w); /* at the cap: FULL, and the rest wait in the backlog */
	if (!cfg.accept_proxy) {
		start_connecting(w, c);
	} else if (!trusted_source(peer)) {
		finish(w, c, END_UNTRUSTED,
		       "refused: a PROXY header is only taken from --trusted-sources");
	} else if ((c->header = malloc(MAX_HEADER)) == NULL) {
		finish(w, c, END_ERROR, "out of memory");
	} else {
		c->state = HEADER;
		want(w, c, 0, EPOLLIN);
		arm(c, &w->header);
	}
}

/* Accept one client from lfd, its descriptors taken from the budget
 * first; false when there is none (or no room for one). */
static bool accept_one(struct stream_worker *w, int lfd)
{
	if (atomic_fetch_sub(&fd_budget, CONNECTING_FDS) < CONNECTING_FDS) {
		atomic_fetch_add(&fd_budget, CONNECTING_FDS);
		out_of_descriptors(w, BUDGET_MS);
		return false;
	}
	anysock_addr peer;
	int fd = anysock_accept_fd(lfd, &peer, ANYSOCK_LISTEN_NONBLOCK);
	if (fd < 0)
		atomic_fetch_add(&fd_budget, CONNECTING_FDS);
	if (fd == -EMFILE || fd == -ENFILE) { /* the system's, or someone else's */
		out_of_descriptors(w, PAUSE_MS);
		return false;
	}
	if (fd < 0)
		return false; /* none left (-EAGAIN: another worker took it), or gone */
	take_client(w, fd, &peer);
	return true;
}

/* A listener is readable: take a few clients from each while READY. */
static void accept_clients(struct stream_worker *w)
{
	for (int i = 0; i < anysock_listener_count(listener); i++)
		for (int k = 0; k < 16 && w->state == READY; k++)
			if (!accept_one(w, anysock_listener_fd(listener, (size_t)i)))
				break;
}

/* ---- The loop ----------------------------------------------------------- */

static int next_wait(struct stream_worker *w)
{
	int64_t at = -1;
	struct list *lists[3] = { &w->header, &w->connecting, &w->idle };
	for (int i = 0; i < 3; i++)
		if (lists[i]->head != NULL && (at < 0 || lists[i]->head->deadline < at))
			at = lists[i]->head->deadline;
	if (w->resume_at >= 0 && (at < 0 || w->resume_at < at))
		at = w->resume_at;
	if (w->drain_until >= 0 && (at < 0 || w->drain_until < at))
		at = w->drain_until;
	int wait = at < 0 ? -1 : at <= now_ms() ? 0 : (int)(at - now_ms());
	/* the connectors' own timers: the attempt and resolution delays */
	for (struct conn *c = w->connecting.head; c != NULL; c = c->next) {
		int t = anysock_connector_timeout(c->connector);
		if (t >= 0 && (wait < 0 || t < wait))
			wait = t;
	}
	return wait < 0 || wait > 1000 ? 1000 : wait; /* and announce() once a second */
}

static void expire(struct stream_worker *w)
{
	int64_t now = now_ms();
	while (w->header.head != NULL && w->header.head->deadline <= now)
		finish(w, w->header.head, END_HEADER_TIMEOUT, "no PROXY header in time");
	while (w->idle.head != NULL && w->idle.head->deadline <= now)
		finish(w, w->idle.head, END_IDLE, "idle");
	for (struct conn *c = w->connecting.head, *next; c != NULL; c = next) {
		next = c->next;
		if (anysock_connector_timeout(c->connector) == 0)
			step_connector(w, c); /* the connector enforces --connect-timeout */
	}
	if (w->resume_at >= 0 && w->resume_at <= now) {
		w->resume_at = -1;
		review(w);
	}
}

static void handle(struct stream_worker *w, const struct epoll_event *ev)
{
	struct tag *t = ev->data.ptr;
	if (t == NULL) { /* a listener: new clients */
		accept_clients(w);
		return;
	}
	if (t == &stop_tag) { /* the drain began: nothing more to hear */
		epoll_ctl(w->ep, EPOLL_CTL_DEL, stop_fd, NULL);
		review(w);
		return;
	}
	struct conn *c = t->c;
	if (c->state == DEAD)
		return; /* finished earlier in this batch, freed after it */
	if (t->which == 2)
		step_connector(w, c);
	else if (c->state == CONNECTING && (ev->events & (EPOLLHUP | EPOLLERR)))
		finish(w, c, END_RESET, "client left before the target answered");
	else if (c->state == HEADER)
		read_header(w, c);
	else if (c->state == RELAYING)
		relay_event(w, c, t->which, ev->events);
}

/* The drain is over: what is left is closed, the pipes too. */
static void close_all(struct stream_worker *w)
{
	struct list *lists[3] = { &w->connecting, &w->idle, &w->header };
	for (int i = 0; i < 3; i++)
		while (lists[i]->head != NULL)
			finish(w, lists[i]->head, END_DRAIN, "drain timeout");
	apply_wants(w);
	bury(w);
	while (w->npipes > 0) {
		w->npipes--;
		close(w->pipes[w->npipes][0]);
		close(w->pipes[w->npipes][1]);
	}
}

void *stream_worker_run(void *arg)
{
	struct stream_worker *w = arg;
	char name[16]; /* the thread's, not the process's: pgrep anysock-relay */
	snprintf(name, sizeof(name), "relay-%d", w->id);
	pthread_setname_np(pthread_self(), name);
	watch_listeners(w, EPOLL_CTL_ADD); /* it starts READY */
	for (;;) {
		review(w); /* the drain may have begun in another thread */
		announce(w);
		if (w->state == DRAINING && (w->conns == 0 || now_ms() >= w->drain_until))
			break;
		struct epoll_event ev[64];
		int n = epoll_wait(w->ep, ev, 64, next_wait(w));
		for (int k = 0; k < n; k++)
			handle(w, &ev[k]);
		expire(w);
		apply_wants(w);
		bury(w);
	}
	close_all(w);
	atomic_fetch_sub(&workers_running, 1);
	return NULL;
}

struct stream_worker *stream_worker_new(int id, int cap, struct stats *stats)
{
	struct stream_worker *w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->id = id;
	w->cap = cap;
	w->stats = stats;
	w->resume_at = -1;
	w->drain_until = -1;
	w->header.timeout_ms = cfg.header_ms;
	w->connecting.timeout_ms = cfg.connect_ms + 1000; /* the connector's own, first */
	w->idle.timeout_ms = cfg.idle_ms;
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &stop_tag };
	if (w->ep < 0 || epoll_ctl(w->ep, EPOLL_CTL_ADD, stop_fd, &ev) < 0) {
		int err = errno;
		stream_worker_free(w);
		errno = err;
		return NULL;
	}
	return w;
}

void stream_worker_free(struct stream_worker *w)
{
	if (w == NULL)
		return;
	if (w->ep >= 0)
		close(w->ep);
	free(w);
}
