/*
 * connect.c - connecting by name to whichever family answers first, as a
 * state machine an event loop drives (anysock_connector(3)); the blocking
 * anysock_connect() is a poll() loop over the same machine.
 *
 * UNP's tcp_connect tries each address in turn, so one black-holed IPv6
 * route costs a whole TCP connect timeout (about 127 s with Linux's
 * defaults) before IPv4 gets its turn. Happy Eyeballs v2 (RFC 8305) races
 * the families instead, in two steps:
 *
 * Resolution (section 3, resolution.c): AAAA and A asked apart, the race
 * begun by the AAAA answer or 50 ms after the A one, late answers joining.
 *
 * On a host with no IPv4 route, IPv4 addresses go through the network's
 * NAT64 (section 7.1, synthesis.c): their IPv6 forms join the race.
 *
 * The race (sections 4 and 5). Each family keeps getaddrinfo's order; the
 * families take turns, the first one chosen by RFC 6724 (glibc's order
 * when one lookup answered both, order.c otherwise). A new attempt starts
 * each time the connection attempt delay passes, or at once when one
 * fails, leaving the earlier ones running; the first to connect wins and
 * the rest are closed.
 *
 * Every pending attempt and lookup is registered in one epoll descriptor,
 * the one the caller watches, made when the caller first asks for it: a
 * race that ends at its first step (a connection to a host near by)
 * never needs one, and anysock_connect() polls what is pending itself.
 * The timers (attempt delay, resolution delay, the overall timeout) are
 * the caller's, through anysock_connector_timeout.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addrinfo.h"
#include "clock.h"
#include "connector.h"
#include "order.h"
#include "socket.h"
#include "text.h"

#include <errno.h>
#include <unistd.h>
#include <sys/epoll.h>

#define DEFAULT_DELAY_MS 250 /* RFC 8305 section 8 */
#define MIN_DELAY_MS 10      /* RFC 8305 section 5: at least 10 ms, 100 ms recommended */
#define DEFAULT_RESOLUTION_DELAY_MS 50 /* RFC 8305 section 8 */

#define CONNECT_FLAGS                                                                            \
	(ANYSOCK_CONNECT_IPV4 | ANYSOCK_CONNECT_IPV6 | ANYSOCK_CONNECT_NONBLOCK |                \
	 ANYSOCK_CONNECT_NUMERIC | ANYSOCK_CONNECT_UNCONNECTED | ANYSOCK_CONNECT_TRACE_LOOKUPS | \
	 ANYSOCK_CONNECT_DEFAULT_PORT | ANYSOCK_CONNECT_TRACE_NAT64)

/* The options with defaults for what the caller's (maybe older, shorter)
 * struct does not have. */
static int read_opts(const anysock_connect_opts *in, anysock_connect_opts *o)
{
	*o = (anysock_connect_opts)ANYSOCK_CONNECT_OPTS_INIT;
	if (in != NULL) {
		if (in->size < offsetof(anysock_connect_opts, flags) + sizeof(in->flags) ||
		    in->size > sizeof(*o))
			return -EINVAL;
		memcpy(o, in, in->size);
		o->size = sizeof(*o);
	}
	if ((o->flags & ~CONNECT_FLAGS) ||
	    (o->flags & ANYSOCK_CONNECT_IPV4 && o->flags & ANYSOCK_CONNECT_IPV6) ||
	    o->attempt_delay_ms < 0 || o->hops < -1 || o->hops > 255 || o->tclass < -1 ||
	    o->tclass > 255 || o->resolution_delay_ms < 0)
		return -EINVAL;
	/* A race for a reply waits for one: only with a limit (a datagram can
	 * be lost), and never on an unconnected socket. */
	if ((o->first_datagram == NULL && o->first_datagram_len > 0) ||
	    (o->first_datagram != NULL &&
	     (o->timeout_ms < 0 || o->flags & ANYSOCK_CONNECT_UNCONNECTED)))
		return -EINVAL;
	if (o->attempt_delay_ms == 0)
		o->attempt_delay_ms = DEFAULT_DELAY_MS;
	if (o->attempt_delay_ms < MIN_DELAY_MS)
		o->attempt_delay_ms = MIN_DELAY_MS;
	if (o->resolution_delay_ms == 0)
		o->resolution_delay_ms = DEFAULT_RESOLUTION_DELAY_MS;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The connector                                                            */
/* ------------------------------------------------------------------------ */

/* A race for a reply: datagram attempts that send the first datagram. */
static bool racing_datagrams(const anysock_connector *c)
{
	return c->socktype == SOCK_DGRAM && c->o.first_datagram != NULL;
}

/* What a pending attempt waits for: to connect, or a reply to its first
 * datagram. (epoll's EPOLLIN and EPOLLOUT are poll's POLLIN and POLLOUT.) */
static uint32_t attempt_events(const anysock_connector *c)
{
	return c->socktype == SOCK_STREAM ? EPOLLOUT : EPOLLIN;
}

static void trace_attempt(const anysock_connector *c, enum anysock_attempt_event ev,
			  const struct attempt *t, int err)
{
	/* a datagram "connect" alone is no attempt: nothing is sent */
	if (c->socktype == SOCK_STREAM || racing_datagrams(c))
		connector_trace(c, ev, &c->fam[t->slot].addr[t->at], err);
}

static void failed(anysock_connector *c, const struct attempt *t, int err)
{
	trace_attempt(c, ANYSOCK_ATTEMPT_FAILED, t, err);
	if (c->err == 0 || connect_error_rank(err) > connect_error_rank(c->err)) {
		c->err = err;
		c->err_addr = c->fam[t->slot].addr[t->at];
	}
}

/* ---- Attempts ----------------------------------------------------------- */

/* The slot of the next address to try: the other family's turn if it has
 * one left, else this one's; -1 when none is left (yet). */
static int next_slot(const anysock_connector *c)
{
	int s = c->last < 0 ? c->first : !c->last;
	if (s >= 0 && c->fam[s].next < c->fam[s].n)
		return s;
	s = s < 0 ? V6 : !s;
	return c->fam[s].next < c->fam[s].n ? s : (c->fam[!s].next < c->fam[!s].n ? !s : -1);
}

/* The caller's setup hook, after our options: 0 or more goes on; its
 * -EINPROGRESS, which step says while the race goes on, is -EINVAL. */
static int call_setup(const anysock_connect_opts *o, int fd, int family, const anysock_addr *a)
{
	int rc = o->setup(o->setup_arg, fd, family, a);
	return rc >= 0 ? 0 : rc == -EINPROGRESS ? -EINVAL : rc;
}

/* A non-blocking socket for a, bound to the local address if one was
 * asked for; -EAFNOSUPPORT when the local address is of the other family. */
static int attempt_socket(const anysock_connector *c, const anysock_addr *a)
{
	anysock_addr local;
	int family = a->u.sa.sa_family;
	if (c->o.local != NULL) {
		local = *c->o.local;
		anysock_addr_unmap(&local);
		if (local.u.sa.sa_family != family)
			return -EAFNOSUPPORT;
	}
	int fd = sock_open(family, c->socktype);
	if (fd < 0)
		return fd;
	/* before connect(), so that the SYN carries them */
	int rc = c->o.hops > 0 ? anysock_set_hops(fd, c->o.hops) : 0;
	if (rc == 0 && c->o.tclass >= 0)
		rc = anysock_set_tclass(fd, c->o.tclass);
	if (rc == 0 && c->o.setup != NULL)
		rc = call_setup(&c->o, fd, family, a);
	if (rc == 0 && c->o.local != NULL && bind(fd, &local.u.sa, local.len) < 0)
		rc = -errno;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

/* A datagram socket's connect() succeeds at once: the winner (1); or,
 * racing a first datagram, -EINPROGRESS once it is sent (the attempt
 * waits for the reply, or a refusal), or the send's error. */
static int connected_at_once(const anysock_connector *c, int fd)
{
	if (racing_datagrams(c)) {
		ssize_t sent = send(fd, c->o.first_datagram, c->o.first_datagram_len, 0);
		return sent < 0 ? -errno : -EINPROGRESS;
	}
	if (c->socktype == SOCK_DGRAM && (c->o.flags & ANYSOCK_CONNECT_UNCONNECTED)) {
		/* the route is checked; dissolve the association again,
		 * leaving a socket of the right family for sendto */
		struct sockaddr unspec = { .sa_family = AF_UNSPEC };
		connect(fd, &unspec, sizeof(unspec));
	}
	return 1;
}

/* Start an attempt on the next address of slot s: 1 when it connected at
 * once (a datagram socket always does; *t is the winner), 0 when pending,
 * -1 when it failed (recorded). */
static int start_attempt(anysock_connector *c, int s, struct attempt *t)
{
	*t = (struct attempt){ -1, (unsigned char)s, (unsigned char)c->fam[s].next++ };
	const anysock_addr *a = &c->fam[s].addr[t->at];
	c->last = s;
	trace_attempt(c, ANYSOCK_ATTEMPT_START, t, 0);
	int err = 0;
	struct attempt *room = array_grow(c->att, &c->cap, c->pending, sizeof(*c->att));
	if (room == NULL)
		err = -ENOMEM;
	else
		c->att = room;
	if (err == 0 && (t->fd = attempt_socket(c, a)) < 0)
		err = t->fd;
	if (err == 0 && connect(t->fd, &a->u.sa, a->len) == 0 &&
	    (err = connected_at_once(c, t->fd)) == 1)
		return 1;
	if (err == 0)
		err = -errno;
	if (err == -EINPROGRESS &&
	    (err = connector_watch(c, t->fd, attempt_events(c), (uint64_t)t->fd)) == 0) {
		c->att[c->pending++] = *t;
		return 0;
	}
	if (t->fd >= 0)
		close(t->fd);
	failed(c, t, err);
	connector_nat64_failed(c, a, err);
	return -1;
}

static void drop_attempt(anysock_connector *c, size_t i)
{
	close(c->att[i].fd);
	c->att[i] = c->att[--c->pending];
}

/* Attempt i is ready (events: what poll or epoll said): 1 when it won
 * (*won, taken out), else 0 (the failure recorded, the socket closed).
 * Only an error asks SO_ERROR: POLLERR is set exactly while it is. */
static int settle_one(anysock_connector *c, size_t i, uint32_t events, struct attempt *won)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if ((events & (EPOLLERR | EPOLLHUP)) &&
	    getsockopt(c->att[i].fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0) {
		*won = c->att[i];
		if (c->epfd >= 0)
			epoll_ctl(c->epfd, EPOLL_CTL_DEL, won->fd, NULL);
		c->att[i] = c->att[--c->pending];
		return 1;
	}
	failed(c, &c->att[i], -err);
	drop_attempt(c, i);
	c->next_start = 0; /* a failure frees the next attempt to start at once */
	return 0;
}

/* Settle the attempts that are ready: 1 with the winner in *won, else 0.
 * Through the epoll set once there is one (its events are taken, so it
 * quiets down), else with one poll() of the attempts themselves. */
static int settle(anysock_connector *c, struct attempt *won)
{
	if (c->epfd < 0) {
		struct pollfd p[MAX_ATTEMPTS];
		size_t n = c->pending;
		for (size_t i = 0; i < n; i++)
			p[i] = (struct pollfd){ c->att[i].fd, (short)attempt_events(c), 0 };
		if (poll(p, (nfds_t)n, 0) <= 0)
			return 0;
		/* From the last: dropping attempt i moves the last one to i. */
		for (size_t i = n; i-- > 0;)
			if (p[i].revents != 0 && settle_one(c, i, (uint16_t)p[i].revents, won))
				return 1;
		return 0;
	}
	struct epoll_event ev[16];
	int n = epoll_wait(c->epfd, ev, (int)ARRAY_SIZE(ev), 0);
	for (int k = 0; k < n; k++) {
		if (ev[k].data.u64 & LOOKUP_TAG)
			continue; /* harvest() asks the lookups themselves */
		int fd = (int)ev[k].data.u64;
		size_t i = 0;
		while (i < c->pending && c->att[i].fd != fd)
			i++;
		if (i < c->pending && settle_one(c, i, ev[k].events, won))
			return 1;
	}
	return 0;
}

static void close_attempts(anysock_connector *c, bool report)
{
	while (c->pending > 0) {
		if (report)
			trace_attempt(c, ANYSOCK_ATTEMPT_ABANDONED, &c->att[0], 0);
		drop_attempt(c, 0);
	}
}

/* ---- Progress ----------------------------------------------------------- */

/* When the connector next needs a step although its descriptor is quiet. */
static int64_t wake_at(const anysock_connector *c)
{
	if (c->done)
		return -1;
	int64_t t = c->deadline;
	if (c->nat64.held.fd >= 0)
		return earliest(t, c->nat64.hold_until);
	if (!c->racing)
		return earliest(t, c->race_at);
	if (c->pending > 0 && next_slot(c) >= 0)
		t = earliest(t, c->next_start);
	return t;
}

/* The end: the winner (made blocking unless asked otherwise) or the
 * error, kept for step; everything else closed. */
static void finish(anysock_connector *c, int rc, const struct attempt *won)
{
	if (rc >= 0)
		trace_attempt(c, ANYSOCK_ATTEMPT_CONNECTED, won, 0);
	close_attempts(c, rc >= 0);
	connector_free_lookups(c);
	connector_nat64_free(c);
	c->done = true;
	if (rc >= 0) {
		c->peer = c->fam[won->slot].addr[won->at];
		/* sock_open() made it non-blocking: undone only if unwanted */
		rc = c->o.flags & ANYSOCK_CONNECT_NONBLOCK ? 0 : fd_set_nonblock(won->fd, false);
		if (rc < 0)
			close(won->fd);
		else
			rc = won->fd;
	} else if (c->err != 0 && (c->err == rc || rc == ANYSOCK_E_NONAT64)) {
		c->peer = c->err_addr;
	}
	connector_nat64_peer(c, &c->peer); /* the IPv4 host behind a NAT64 address */
	c->has_peer = c->peer.len > 0;
	c->outcome = rc;
}

/* Why it failed when nothing is left to try. */
static int final_error(const anysock_connector *c)
{
	if (c->err != 0)
		return connector_nat64_error(c, c->err);
	if (c->lookup_err == anysock_error_from_eai(EAI_AGAIN) && deadline_passed(c->deadline))
		return -ETIMEDOUT;
	return c->lookup_err != 0 ? c->lookup_err : -ETIMEDOUT;
}

/* A winner: finished, or held while the NAT64 step identifies its peer. */
static void win(anysock_connector *c, const struct attempt *won)
{
	if (connector_nat64_hold(c, won))
		close_attempts(c, true);
	else
		finish(c, 0, won);
}

static void progress(anysock_connector *c)
{
	struct attempt won;
	connector_harvest(c);
	connector_nat64_step(c);
	if (c->nat64.held.fd >= 0) {
		if (!connector_nat64_busy(c) || mono_us() >= c->nat64.hold_until) {
			won = c->nat64.held;
			c->nat64.held.fd = -1; /* the winner's now */
			finish(c, 0, &won);
		}
		return;
	}
	if (c->pending > 0 && settle(c, &won)) {
		win(c, &won);
		return;
	}
	int64_t now = mono_us();
	if (!c->racing && connector_may_race(c, now)) {
		c->racing = true;
		if (c->first < 0 && c->fam[V6].n > 0 && c->fam[V4].n > 0) {
			int f = order_first_family(&c->fam[V6].addr[0], &c->fam[V4].addr[0],
						   c->o.local);
			c->first = f == AF_INET6 ? V6 : V4;
		} else if (c->first < 0) {
			c->first = c->fam[V6].n > 0 ? V6 : V4;
		}
	}
	for (int s;
	     c->racing && (s = next_slot(c)) >= 0 && (c->pending == 0 || now >= c->next_start);) {
		int rc = start_attempt(c, s, &won);
		if (rc == 1) {
			win(c, &won);
			return;
		}
		now = mono_us();
		c->next_start = rc == 0 ? now + (int64_t)c->o.attempt_delay_ms * 1000 : 0;
	}
	if (deadline_passed(c->deadline)) {
		for (size_t i = 0; i < c->pending; i++)
			failed(c, &c->att[i], -ETIMEDOUT);
		finish(c, final_error(c), NULL);
	} else if (c->pending == 0 && next_slot(c) < 0 && c->fam[V6].answered &&
		   c->fam[V4].answered && !connector_nat64_busy(c)) {
		finish(c, final_error(c), NULL);
	}
}

int anysock_connector_start(const char *host, const char *service, int socktype,
			    const anysock_connect_opts *opts, anysock_connector **out)
{
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	int saved_errno = errno;
	anysock_connect_opts o;
	int rc = read_opts(opts, &o);
	if (rc < 0)
		return rc;
	if (socktype != SOCK_STREAM && socktype != SOCK_DGRAM)
		return -EINVAL;
	if ((o.flags & ANYSOCK_CONNECT_UNCONNECTED || o.first_datagram != NULL) &&
	    socktype != SOCK_DGRAM)
		return -EINVAL;
	if (host == NULL)
		return -EINVAL; /* connecting to "nowhere" is a mistake, not loopback */
	struct endpoint_text text; /* "[::1]:80" or "example.com:80" alone */
	if ((rc = endpoint_split_default(&host, &service, &text,
					 o.flags & ANYSOCK_CONNECT_DEFAULT_PORT)) < 0)
		return rc;
	if (service == NULL)
		return ANYSOCK_E_NOPORT;
	unsigned rflags = (o.flags & ANYSOCK_CONNECT_IPV4 ? ANYSOCK_RESOLVE_IPV4 : 0) |
			  (o.flags & ANYSOCK_CONNECT_IPV6 ? ANYSOCK_RESOLVE_IPV6 : 0) |
			  (o.flags & ANYSOCK_CONNECT_NUMERIC ? ANYSOCK_RESOLVE_NUMERIC : 0);
	struct addrinfo hints;
	if ((rc = resolve_hints(host, service, socktype, rflags, &hints)) < 0)
		return rc;
	uint64_t port;
	if (parse_decimal(service, strlen(service), 65535, 0, &port) == 0 && port == 0)
		return ANYSOCK_E_PORTZERO; /* UDP would "connect" and fail at send */

	anysock_connector *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->o = o;
	c->socktype = socktype;
	c->t0 = mono_us();
	c->deadline = o.timeout_ms < 0 ? -1 : c->t0 + (int64_t)o.timeout_ms * 1000;
	c->first = c->last = -1;
	c->race_at = -1;
	c->nat64.held.fd = -1;
	c->epfd = -1; /* made when the caller asks for it */
	rc = connector_begin_lookups(c, host, service, &hints);
	if (rc < 0) {
		anysock_connector_free(c);
		return rc;
	}
	progress(c); /* the first attempt leaves now; a result waits for step */
	*out = c;
	return errno_kept(saved_errno, 0);
}

/* What the connector waits for now: each pending attempt (connected, or
 * a reply to a racing datagram), lookup (answered) and NAT64 discovery
 * (ended), as poll() entries and the tags the epoll set gives them; how
 * many (at most MAX_WATCHED). */
static size_t watched(const anysock_connector *c, struct pollfd *p, uint64_t *tag)
{
	size_t n = 0;
	for (size_t i = 0; i < c->pending; i++, n++) {
		p[n] = (struct pollfd){ c->att[i].fd, (short)attempt_events(c), 0 };
		tag[n] = (uint64_t)c->att[i].fd;
	}
	for (unsigned s = 0; s < 2; s++) {
		if (c->fam[s].lookup == NULL)
			continue;
		p[n] = (struct pollfd){ anysock_lookup_fd(c->fam[s].lookup), POLLIN, 0 };
		tag[n++] = LOOKUP_TAG | s;
	}
	int discovery = connector_nat64_fd(c);
	if (discovery >= 0) {
		p[n] = (struct pollfd){ discovery, POLLIN, 0 };
		tag[n++] = NAT64_TAG;
	}
	return n;
}

/* The epoll set, made on the first call with what is pending in it (a
 * connector is always the caller's own malloc'd object, so filling in its
 * descriptor here does not write to a const object). */
int anysock_connector_fd(const anysock_connector *cc)
{
	if (cc == NULL)
		return -EINVAL;
	anysock_connector *c = (anysock_connector *)cc;
	if (c->epfd >= 0)
		return c->epfd;
	if ((c->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -errno;
	struct pollfd p[MAX_WATCHED];
	uint64_t tag[MAX_WATCHED];
	size_t n = watched(c, p, tag);
	for (size_t i = 0; i < n; i++) {
		int rc = connector_watch(c, p[i].fd, (uint16_t)p[i].events, tag[i]);
		if (rc < 0) {
			close(c->epfd);
			c->epfd = -1;
			return rc;
		}
	}
	return c->epfd;
}

int anysock_connector_timeout(const anysock_connector *c)
{
	return c != NULL ? poll_ms(wake_at(c)) : -1;
}

int anysock_connector_step(anysock_connector *c, anysock_addr *peer)
{
	if (c == NULL)
		return -EINVAL;
	int saved_errno = errno;
	if (!c->done)
		progress(c);
	if (!c->done)
		return -EINPROGRESS;
	int rc = c->outcome;
	if (peer != NULL && c->has_peer)
		*peer = c->peer;
	if (rc >= 0) { /* the descriptor is the caller's now */
		c->outcome = -EALREADY;
		c->has_peer = false;
	}
	return errno_kept(saved_errno, rc);
}

void anysock_connector_free(anysock_connector *c)
{
	if (c == NULL)
		return;
	close_attempts(c, true);
	connector_free_lookups(c);
	connector_nat64_free(c);
	for (int s = 0; s < 2; s++)
		free(c->fam[s].addr);
	free(c->att);
	if (c->epfd >= 0)
		close(c->epfd);
	free(c);
}

/* ------------------------------------------------------------------------ */
/* Blocking                                                                 */
/* ------------------------------------------------------------------------ */

int anysock_connect(const char *host, const char *service, int socktype,
		    const anysock_connect_opts *opts, anysock_addr *peer)
{
	if (peer != NULL)
		memset(peer, 0, sizeof(*peer));
	int saved_errno = errno;
	anysock_connector *c;
	int rc = anysock_connector_start(host, service, socktype, opts, &c);
	if (rc < 0)
		return rc;
	/* No epoll set: what is pending is polled itself. */
	struct pollfd p[MAX_WATCHED];
	uint64_t tag[MAX_WATCHED];
	while ((rc = anysock_connector_step(c, peer)) == -EINPROGRESS) {
		int w = poll_until(p, (nfds_t)watched(c, p, tag), wake_at(c));
		if (w < 0) {
			rc = w; /* -EINTR: a signal ends the wait (anysock(3)) */
			break;
		}
	}
	anysock_connector_free(c); /* on -EINTR the pending attempts are abandoned */
	return errno_kept(saved_errno, rc);
}
