/*
 * connect.c - connecting by name to whichever family answers first.
 *
 * UNP's tcp_connect tries each address in turn, so one black-holed IPv6
 * route costs a whole TCP connect timeout (about 127 s with Linux's
 * defaults) before IPv4 gets its turn. Happy Eyeballs v2 (RFC 8305) races
 * the families instead: keep getaddrinfo's RFC 6724 order, interleave the
 * families, and start the next attempt each time the connection attempt
 * delay passes (or at once when an attempt fails), leaving the earlier
 * ones running; the first to connect wins and the rest are closed.
 *
 * The lookup comes first and counts against the same time limit. RFC 8305
 * also starts connecting before the A answer arrives (section 3); with
 * getaddrinfo both families come back together, so that step is moot here.
 *
 * SPDX-License-Identifier: MIT
 */
#include "internal.h"

#include <errno.h>
#include <unistd.h>

#define MAX_ADDRS 32
#define DEFAULT_DELAY_MS 250 /* RFC 8305 section 8 */
#define MIN_DELAY_MS 10      /* RFC 8305 section 5: at least 10 ms, 100 ms recommended */

#define CONNECT_FLAGS                                                        \
	(ANYSOCK_CONNECT_IPV4 | ANYSOCK_CONNECT_IPV6 | ANYSOCK_CONNECT_NONBLOCK | \
	 ANYSOCK_CONNECT_NUMERIC | ANYSOCK_CONNECT_UNCONNECTED)

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
	    o->tclass > 255)
		return -EINVAL;
	if (o->attempt_delay_ms == 0)
		o->attempt_delay_ms = DEFAULT_DELAY_MS;
	if (o->attempt_delay_ms < MIN_DELAY_MS)
		o->attempt_delay_ms = MIN_DELAY_MS;
	return 0;
}

/*
 * RFC 8305 section 4: the first address, then alternate families, keeping
 * each family's own order ("First Address Family Count" of 1).
 */
static void interleave(anysock_addr *a, size_t n)
{
	anysock_addr first[MAX_ADDRS], other[MAX_ADDRS];
	size_t nf = 0, no = 0;
	int family = a[0].u.sa.sa_family;
	for (size_t i = 0; i < n; i++) {
		if (a[i].u.sa.sa_family == family)
			first[nf++] = a[i];
		else
			other[no++] = a[i];
	}
	size_t k = 0;
	for (size_t i = 0; k < n; i++) {
		if (i < nf)
			a[k++] = first[i];
		if (i < no)
			a[k++] = other[i];
	}
}

/*
 * Which failure to report when every attempt failed: a refusal means the
 * host is there and the port closed, the most useful thing to know; a
 * timeout means something ate the packets; "unreachable" only that this
 * host has no route. Anything else (EACCES from a firewall, ...) sits
 * between a timeout and unreachable.
 */
static int error_rank(int err)
{
	switch (err) {
	case -ECONNREFUSED:
		return 4;
	case -ETIMEDOUT:
		return 3;
	case -ENETUNREACH:
	case -EHOSTUNREACH:
	case -EADDRNOTAVAIL:
	case -EAFNOSUPPORT:
		return 1;
	default:
		return 2;
	}
}

struct race {
	int socktype;
	const anysock_connect_opts *o;
	const anysock_addr *addrs;
	int64_t t0_us;        /* when the call began, for the trace */
	struct pollfd pfd[MAX_ADDRS];
	int which[MAX_ADDRS]; /* address index of each pending attempt */
	size_t pending;
	int err;              /* the most informative failure so far */
	int err_at;           /* its address index */
};

static void trace(const struct race *r, enum anysock_attempt_event ev, int at, int err)
{
	if (r->o->trace != NULL)
		r->o->trace(r->o->trace_arg, ev, &r->addrs[at], err, (long)(mono_us() - r->t0_us));
}

static void failed(struct race *r, int err, int at)
{
	if (r->err == 0 || error_rank(err) > error_rank(r->err)) {
		r->err = err;
		r->err_at = at;
	}
}

/* A non-blocking socket for a, bound to the local address if one was
 * asked for; -EAFNOSUPPORT when the local address is of the other family. */
static int attempt_socket(const struct race *r, const anysock_addr *a)
{
	anysock_addr local;
	int family = a->u.sa.sa_family;
	if (r->o->local != NULL) {
		local = *r->o->local;
		anysock_addr_unmap(&local);
		if (local.u.sa.sa_family != family)
			return -EAFNOSUPPORT;
	}
	int fd = sock_open(family, r->socktype);
	if (fd < 0)
		return fd;
	/* before connect(), so that the SYN carries them */
	int rc = r->o->hops > 0 ? anysock_set_hops(fd, r->o->hops) : 0;
	if (rc == 0 && r->o->tclass >= 0)
		rc = anysock_set_tclass(fd, r->o->tclass);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	if (r->o->local != NULL && bind(fd, &local.u.sa, local.len) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	return fd;
}

/* Start an attempt: 1 with a connected fd in *won, 0 when pending, -1
 * when it failed at once (recorded). */
static int start(struct race *r, const anysock_addr *a, int at, int *won)
{
	trace(r, ANYSOCK_ATTEMPT_START, at, 0);
	int fd = attempt_socket(r, a);
	if (fd < 0) {
		trace(r, ANYSOCK_ATTEMPT_FAILED, at, fd);
		failed(r, fd, at);
		return -1;
	}
	if (connect(fd, &a->u.sa, a->len) == 0) {
		trace(r, ANYSOCK_ATTEMPT_CONNECTED, at, 0);
		*won = fd;
		return 1;
	}
	int err = -errno;
	if (err == -EINPROGRESS) {
		r->pfd[r->pending] = (struct pollfd){ fd, POLLOUT, 0 };
		r->which[r->pending++] = at;
		return 0;
	}
	close(fd);
	trace(r, ANYSOCK_ATTEMPT_FAILED, at, err);
	failed(r, err, at);
	return -1;
}

static void drop_pending(struct race *r, size_t i)
{
	close(r->pfd[i].fd);
	r->pfd[i] = r->pfd[--r->pending];
	r->which[i] = r->which[r->pending];
}

/* Settle the attempts poll() reported: 1 with the winner in *won and its
 * address index in *at, else 0; failures are recorded and closed. */
static int settle(struct race *r, int *won, int *at)
{
	for (size_t i = 0; i < r->pending;) {
		if (r->pfd[i].revents == 0) {
			i++;
			continue;
		}
		int err = 0;
		socklen_t len = sizeof(err);
		if (getsockopt(r->pfd[i].fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
			err = errno;
		if (err == 0) {
			trace(r, ANYSOCK_ATTEMPT_CONNECTED, r->which[i], 0);
			*won = r->pfd[i].fd;
			*at = r->which[i];
			r->pfd[i] = r->pfd[--r->pending];
			r->which[i] = r->which[r->pending];
			return 1;
		}
		trace(r, ANYSOCK_ATTEMPT_FAILED, r->which[i], -err);
		failed(r, -err, r->which[i]);
		drop_pending(r, i);
	}
	return 0;
}

/*
 * The race itself. Returns the connected descriptor and its address index
 * in *at, or the most informative failure with the address it came from.
 */
static int race(struct race *r, const anysock_addr *addrs, size_t n, int64_t deadline, int *at)
{
	size_t next = 0;
	int64_t next_start = 0; /* when the next attempt may start */
	int won = -1;
	for (;;) {
		/* Start attempts while it is their time, or nothing is pending. */
		while (next < n && (r->pending == 0 || mono_us() >= next_start)) {
			int rc = start(r, &addrs[next], (int)next, &won);
			next++;
			if (rc == 1) {
				*at = (int)next - 1;
				return won;
			}
			/* pending: the next one waits for the delay; failed: it
			 * need not wait at all */
			next_start = rc == 0 ? mono_us() + (int64_t)r->o->attempt_delay_ms * 1000 : 0;
		}
		if (r->pending == 0)
			break; /* every address failed */
		int64_t until = deadline;
		if (next < n && (until < 0 || next_start < until))
			until = next_start;
		int rc = poll_until(r->pfd, (nfds_t)r->pending, until);
		if (rc < 0) {
			*at = -1;
			return rc; /* -EINTR: a signal ends the wait (anysock(3)) */
		}
		if (rc > 0 && settle(r, &won, at))
			return won;
		if (deadline_passed(deadline)) {
			for (size_t i = 0; i < r->pending; i++) {
				trace(r, ANYSOCK_ATTEMPT_FAILED, r->which[i], -ETIMEDOUT);
				failed(r, -ETIMEDOUT, r->which[i]);
			}
			break;
		}
		/* A failure frees the next attempt to start at once. */
		if (rc > 0)
			next_start = 0;
	}
	*at = r->err_at;
	return r->err != 0 ? r->err : -ETIMEDOUT;
}

/* The attempts still running when the race ended: the loser(s), or all
 * of them when the deadline passed (already reported as failed then). */
static void close_pending(struct race *r, bool report)
{
	while (r->pending > 0) {
		if (report)
			trace(r, ANYSOCK_ATTEMPT_ABANDONED, r->which[0], 0);
		drop_pending(r, 0);
	}
}

/* Back to a blocking socket unless the caller wants it non-blocking. */
static int finish(int fd, unsigned flags)
{
	int rc = fd_set_nonblock(fd, flags & ANYSOCK_CONNECT_NONBLOCK);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

/* UDP has no handshake to race: connect() only checks there is a route.
 * The first address with one wins; ANYSOCK_CONNECT_UNCONNECTED dissolves
 * the association again, leaving a socket of the right family for sendto. */
static int connect_udp(struct race *r, const anysock_addr *addrs, size_t n, int *at)
{
	for (size_t i = 0; i < n; i++) {
		int fd = attempt_socket(r, &addrs[i]);
		if (fd >= 0 && connect(fd, &addrs[i].u.sa, addrs[i].len) < 0) {
			int e = -errno;
			close(fd);
			fd = e;
		}
		if (fd < 0) {
			failed(r, fd, (int)i);
			continue;
		}
		if (r->o->flags & ANYSOCK_CONNECT_UNCONNECTED) {
			struct sockaddr unspec = { .sa_family = AF_UNSPEC };
			connect(fd, &unspec, sizeof(unspec));
		}
		*at = (int)i;
		return fd;
	}
	*at = r->err_at;
	return r->err;
}

int anysock_connect(const char *host, const char *service, int socktype,
		    const anysock_connect_opts *opts, anysock_addr *peer)
{
	anysock_connect_opts o;
	int rc = read_opts(opts, &o);
	if (peer != NULL)
		memset(peer, 0, sizeof(*peer));
	if (rc < 0)
		return rc;
	if (socktype != SOCK_STREAM && socktype != SOCK_DGRAM)
		return -EINVAL;
	if ((o.flags & ANYSOCK_CONNECT_UNCONNECTED) && socktype != SOCK_DGRAM)
		return -EINVAL;
	if (host == NULL)
		return -EINVAL; /* connecting to "nowhere" is a mistake, not loopback */
	struct endpoint_text text; /* "[::1]:80" or "example.com:80" alone */
	if ((rc = endpoint_split(&host, &service, &text)) < 0)
		return rc;
	if (service == NULL)
		return ANYSOCK_E_NOPORT;
	int64_t t0_us = mono_us();
	int64_t deadline = o.timeout_ms < 0 ? -1 : t0_us + (int64_t)o.timeout_ms * 1000;
	unsigned rflags = (o.flags & ANYSOCK_CONNECT_IPV4 ? ANYSOCK_RESOLVE_IPV4 : 0) |
			  (o.flags & ANYSOCK_CONNECT_IPV6 ? ANYSOCK_RESOLVE_IPV6 : 0) |
			  (o.flags & ANYSOCK_CONNECT_NUMERIC ? ANYSOCK_RESOLVE_NUMERIC : 0);
	anysock_addr addrs[MAX_ADDRS];
	int n = resolve_split(host, service, socktype, rflags, o.timeout_ms, addrs, MAX_ADDRS);
	if (n < 0)
		return n == anysock_error_from_eai(EAI_AGAIN) && o.timeout_ms >= 0 &&
				       deadline_passed(deadline)
			       ? -ETIMEDOUT
			       : n;
	if (anysock_addr_port(&addrs[0]) == 0)
		return ANYSOCK_E_PORTZERO; /* UDP would "connect" and fail at send */
	interleave(addrs, (size_t)n);
	struct race r = { .socktype = socktype, .o = &o, .addrs = addrs, .t0_us = t0_us };
	int at = -1;
	int fd = socktype == SOCK_DGRAM ? connect_udp(&r, addrs, (size_t)n, &at)
					: race(&r, addrs, (size_t)n, deadline, &at);
	close_pending(&r, fd >= 0 || fd == -EINTR);
	if (fd >= 0)
		fd = finish(fd, o.flags);
	if (peer != NULL && at >= 0)
		*peer = addrs[at];
	return fd;
}
