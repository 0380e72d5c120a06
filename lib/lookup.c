/*
 * lookup.c - one getaddrinfo or getnameinfo as a job on the worker pool,
 * and where every lookup's deadline is enforced: the blocking calls'
 * (resolve.c) and those an event loop drives (anysock_lookup(3)).
 *
 * Deadlines. A lookup's timeout becomes its deadline here (deadline_in),
 * and here it is given up when the deadline passes: a blocking caller
 * waits for its job at most until then (lookup_wait_*: the pool's timed
 * wait, pool_run), and an event loop's lookup is settled by settle()
 * below, its timerfd armed at the deadline. Either way the answer is then
 * EAI_AGAIN, the job is abandoned (never cancelled) and its worker
 * finishes and frees it (pool.c). What EAI_AGAIN then means (the numeric
 * form for a reverse lookup, unless NI_NAMEREQD) is addrinfo.c's. The
 * connector's lookups get no deadline of their own: its one timeout
 * covers lookups and attempts together (connect.c), and it lets go of
 * lookups still running when it ends.
 *
 * An event loop cannot wait, so anysock_resolve_start() and
 * anysock_nameinfo_start() submit the job and hand back a timerfd: armed
 * at the lookup's deadline, and fired at once by the worker when the
 * answer is in (a timerfd set to an absolute time already past expires
 * immediately). One descriptor thus becomes readable for either reason,
 * and the caller's loop needs no timer of its own. The worker fires it
 * under the pool's lock and never after the job was abandoned (pool.c), so
 * freeing a lookup may close the descriptor while its worker is still
 * inside the resolver.
 *
 * What needs no name server (numeric text, the hosts file) is answered in
 * the caller's thread, as in the blocking calls: such a lookup is done when
 * its start returns.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "addrinfo.h"
#include "clock.h"
#include "hosts.h"
#include "lookup.h"
#include "pool.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/timerfd.h>

/* ------------------------------------------------------------------------ */
/* The job                                                                  */
/* ------------------------------------------------------------------------ */

/* A lookup as the pool runs it: the job first, then what it asks and what
 * it answers. Written by the worker only while it runs, read by the
 * caller only once the job is done. */
struct lookup {
	struct job job;
	enum lookup_kind { NAMEINFO, ADDRINFO } kind;
	int rc, err;   /* EAI_* result; errno for EAI_SYSTEM */
	int notify_fd; /* the timerfd an anysock_lookup fires when done; -1 */

	/* NAMEINFO: host and serv point into text (hostlen, servlen bytes) */
	anysock_addr addr;
	int flags;
	socklen_t hostlen, servlen;
	char *host, *serv;

	/* ADDRINFO */
	char *node, *service;
	struct addrinfo hints;
	bool has_hints; /* else NULL, getaddrinfo's own defaults */
	struct addrinfo *res;
	lookup_hook *then; /* NULL, or told the answer where it is had */

	char text[];
};

static void lookup_work(struct job *job)
{
	struct lookup *q = (struct lookup *)job;
	errno = 0;
	if (q->kind == NAMEINFO)
		q->rc = getnameinfo(&q->addr.u.sa, q->addr.len, q->hostlen ? q->host : NULL,
				    q->hostlen, q->servlen ? q->serv : NULL, q->servlen, q->flags);
	else
		q->rc = getaddrinfo(q->node, q->service, q->has_hints ? &q->hints : NULL, &q->res);
	q->err = errno;
	if (q->kind == ADDRINFO && q->then != NULL)
		q->then(q->rc, q->res); /* before anyone hears that it is done */
	errno = q->err;
}

static void lookup_destroy(struct job *job)
{
	struct lookup *q = (struct lookup *)job;
	if (q->res != NULL)
		freeaddrinfo(q->res);
	free(q->node);
	free(q->service);
	free(q);
}

/* Fire the caller's descriptor: an absolute time long past expires now. */
static void lookup_notify(struct job *job)
{
	struct lookup *q = (struct lookup *)job;
	struct itimerspec now = { .it_value = { 0, 1 } };
	timerfd_settime(q->notify_fd, TFD_TIMER_ABSTIME, &now, NULL);
}

/* A lookup of kind with text room for the host and service names
 * getnameinfo may write (none for getaddrinfo), or NULL. */
static struct lookup *lookup_alloc(enum lookup_kind kind, socklen_t hostlen, socklen_t servlen)
{
	struct lookup *q = calloc(1, sizeof(*q) + hostlen + servlen);
	if (q == NULL)
		return NULL;
	if (job_init(&q->job, lookup_work, lookup_destroy) < 0) {
		free(q);
		return NULL;
	}
	q->kind = kind;
	q->notify_fd = -1;
	q->host = q->text;
	q->serv = q->text + hostlen;
	q->hostlen = hostlen;
	q->servlen = servlen;
	return q;
}

/* A job ready for pool_run() or pool_submit(), holding the caller's
 * reference; NULL when out of memory. hints NULL: getaddrinfo's defaults. */
static struct lookup *lookup_nameinfo(const anysock_addr *a, int flags, socklen_t hostlen,
				      socklen_t servlen)
{
	struct lookup *q = lookup_alloc(NAMEINFO, hostlen, servlen);
	if (q != NULL) {
		q->addr = *a;
		q->flags = flags;
	}
	return q;
}

static char *dup_or_null(const char *s, bool *failed)
{
	if (s == NULL)
		return NULL;
	char *d = strdup(s);
	if (d == NULL)
		*failed = true;
	return d;
}

static struct lookup *lookup_addrinfo(const char *node, const char *service,
				      const struct addrinfo *hints)
{
	struct lookup *q = lookup_alloc(ADDRINFO, 0, 0);
	if (q == NULL)
		return NULL;
	bool failed = false;
	q->node = dup_or_null(node, &failed);
	q->service = dup_or_null(service, &failed);
	if (failed) {
		job_put(&q->job);
		return NULL;
	}
	if (hints != NULL) { /* the four fields POSIX lets a caller set */
		q->has_hints = true;
		q->hints.ai_flags = hints->ai_flags;
		q->hints.ai_family = hints->ai_family;
		q->hints.ai_socktype = hints->ai_socktype;
		q->hints.ai_protocol = hints->ai_protocol;
	}
	return q;
}

/* Once the caller took its results: drop its reference, and hand on the
 * lookup's errno for EAI_SYSTEM. */
static void lookup_done(struct lookup *q)
{
	int rc = q->rc, err = q->err;
	job_put(&q->job);
	if (rc == EAI_SYSTEM)
		errno = err;
}

/* ------------------------------------------------------------------------ */
/* What needs no name server                                                */
/* ------------------------------------------------------------------------ */

/* A host getaddrinfo takes as numeric without asking anyone: inet_pton
 * text, IPv6 with a %scope (an interface name is looked up locally). Other
 * spellings glibc also takes ("1.2.3", "0x7f.1") go the bounded way. */
static bool is_numeric_host(const char *s)
{
	unsigned char bytes[16];
	char v6[INET6_ADDRSTRLEN];
	/* anysock-port: ignore literal-af-inet -- telling IPv4 text from a name */
	if (inet_pton(AF_INET, s, bytes) == 1)
		return true;
	const char *pct = strchr(s, '%');
	size_t n = pct != NULL ? (size_t)(pct - s) : strlen(s);
	if (n >= sizeof(v6))
		return false;
	memcpy(v6, s, n);
	v6[n] = '\0';
	return inet_pton(AF_INET6, v6, bytes) == 1;
}

bool lookup_is_local(const char *node, const struct addrinfo *hints)
{
	int flags = hints != NULL ? hints->ai_flags : 0;
	if (node == NULL)
		return true;
	if (flags & AI_CANONNAME)
		return false; /* a canonical name could mean a lookup */
	if ((flags & AI_NUMERICHOST) || is_numeric_host(node))
		return true;
	return hosts_has_name(node, hints != NULL ? hints->ai_family : AF_UNSPEC);
}

bool lookup_nameinfo_is_local(const anysock_addr *a, int flags)
{
	return (flags & NI_NUMERICHOST) || hosts_has_addr(a);
}

/* ------------------------------------------------------------------------ */
/* Lookups a blocking call waits for                                        */
/* ------------------------------------------------------------------------ */

int lookup_wait_addrinfo(const char *node, const char *service, const struct addrinfo *hints,
			 int timeout_ms, struct addrinfo **res)
{
	int64_t deadline = deadline_in(timeout_ms);
	struct lookup *q = lookup_addrinfo(node, service, hints);
	if (q == NULL)
		return EAI_MEMORY;
	int rc = EAI_AGAIN;
	if (pool_run(&q->job, deadline) == POOL_FINISHED) {
		rc = q->rc;
		if (rc == 0) {
			*res = q->res;
			q->res = NULL;
		}
		lookup_done(q);
	}
	return rc;
}

int lookup_wait_nameinfo(const anysock_addr *a, char *host, socklen_t hostlen, char *serv,
			 socklen_t servlen, int flags, int timeout_ms)
{
	int64_t deadline = deadline_in(timeout_ms);
	struct lookup *q = lookup_nameinfo(a, flags, hostlen < NI_MAXHOST ? hostlen : NI_MAXHOST,
					   servlen < NI_MAXSERV ? servlen : NI_MAXSERV);
	if (q == NULL)
		return EAI_MEMORY;
	int rc = EAI_AGAIN;
	if (pool_run(&q->job, deadline) == POOL_FINISHED) {
		rc = q->rc;
		if (rc == 0 && hostlen)
			memcpy(host, q->host, strlen(q->host) + 1);
		if (rc == 0 && servlen)
			memcpy(serv, q->serv, strlen(q->serv) + 1);
		lookup_done(q);
	}
	return rc;
}

/* ------------------------------------------------------------------------ */
/* Lookups an event loop drives                                             */
/* ------------------------------------------------------------------------ */

struct anysock_lookup {
	struct lookup *q;    /* the job while this handle holds it, else NULL */
	int fd;              /* timerfd: the deadline, or at once when done   */
	int64_t deadline;    /* -1: none */
	bool submitted;      /* on the pool (else answered in start)          */
	bool settled;        /* rc is final                                   */
	int rc, err;         /* EAI_* (EAI_AGAIN when the time ran out); errno */
	enum lookup_kind kind;
	anysock_addr addr;   /* NAMEINFO: for the numeric answer               */
	int flags;
	lookup_hook *then; /* ADDRINFO: the job's hook, NULL                 */
};

/* Wrap job q (the caller's reference passes to the handle) and start it:
 * in this thread when local, else on the pool. 0, or -errno with q gone. */
static int begin(struct lookup *q, bool local, int64_t deadline, anysock_lookup **out)
{
	anysock_lookup *h = calloc(1, sizeof(*h));
	int fd = h != NULL ? timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK) : -1;
	if (fd < 0) {
		int err = h != NULL ? -errno : -ENOMEM;
		free(h);
		job_put(&q->job);
		return err;
	}
	*h = (anysock_lookup){ .q = q,
			       .fd = fd,
			       .deadline = deadline,
			       .kind = q->kind,
			       .addr = q->addr,
			       .flags = q->flags,
			       .then = q->then };
	q->notify_fd = fd;
	/* Armed before the worker can see the job: arming later would undo a
	 * worker's "done" (timerfd_settime clears what has expired). The
	 * deadline is rounded up to a whole millisecond, so lookups started
	 * together expire in one timer interrupt: 1,000 of them expiring
	 * apart cost the loop 13 us each in interrupts on this VM (the last
	 * answered 7 ms late), coalesced 5 us (1.3 ms late; loop_ns). */
	if (!local && deadline >= 0) {
		int64_t whole_ms = (deadline + 999) / 1000 * 1000;
		struct itimerspec at = { .it_value = deadline_timespec(whole_ms) };
		timerfd_settime(fd, TFD_TIMER_ABSTIME, &at, NULL);
	}
	q->job.notify = lookup_notify;
	if (local) {
		q->job.work(&q->job);
		h->settled = true;
		h->rc = q->rc;
		h->err = q->err;
	} else if (pool_submit(&q->job)) {
		h->submitted = true;
	} else {
		h->settled = true; /* refused (too many stuck): as if timed out */
		h->rc = EAI_AGAIN;
	}
	if (h->settled)
		lookup_notify(&q->job);
	*out = h;
	return 0;
}

int lookup_start_addrinfo(const char *node, const char *service, const struct addrinfo *hints,
			  int timeout_ms, anysock_lookup **out)
{
	return lookup_start_addrinfo_then(node, service, hints, timeout_ms, NULL, out);
}

int lookup_start_addrinfo_then(const char *node, const char *service, const struct addrinfo *hints,
			       int timeout_ms, lookup_hook *then, anysock_lookup **out)
{
	int64_t deadline = deadline_in(timeout_ms);
	struct lookup *q = lookup_addrinfo(node, service, hints);
	if (q == NULL)
		return -ENOMEM;
	q->then = then;
	return begin(q, lookup_is_local(node, hints), deadline, out);
}

bool lookup_has_hook(const anysock_lookup *h, lookup_hook *then)
{
	return h != NULL && h->kind == ADDRINFO && h->then == then;
}

/* Whether the answer is final, taking it from the worker or giving up on
 * it at the deadline. A lookup started before fork() cannot end in the
 * child (its worker is the parent's): there it ends at once, cancelled,
 * rather than leave the caller's loop waiting on a descriptor the parent's
 * worker may fire (a child once spun on it 1.6 million times in 1.9 s). */
static bool settle(anysock_lookup *h)
{
	if (h->settled)
		return true;
	bool give_up = deadline_passed(h->deadline);
	switch (job_state(&h->q->job, give_up)) {
	case JOB_DONE:
		h->rc = h->q->rc;
		h->err = h->q->err;
		break;
	case JOB_LOST: /* freed with the handle */
		h->rc = EAI_SYSTEM;
		h->err = ECANCELED;
		break;
	case JOB_RUNNING:
		if (!give_up)
			return false;
		h->q = NULL; /* abandoned by job_state */
		h->submitted = false;
		h->rc = EAI_AGAIN;
		break;
	}
	h->settled = true;
	return true;
}

bool lookup_settled(anysock_lookup *h)
{
	return settle(h);
}

int anysock_resolve_start(const char *host, const char *service, int socktype,
			  unsigned flags, int timeout_ms, anysock_lookup **out)
{
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	struct endpoint_text text;
	struct addrinfo hints;
	int rc = endpoint_split_default(&host, &service, &text,
					flags & ANYSOCK_RESOLVE_DEFAULT_PORT);
	if (rc == 0)
		rc = resolve_hints(host, service, socktype, flags, &hints);
	if (rc < 0)
		return rc;
	int saved_errno = errno;
	rc = lookup_start_addrinfo(host, service != NULL ? service : "0", &hints, timeout_ms, out);
	return errno_kept(saved_errno, rc);
}

int anysock_nameinfo_start(const anysock_addr *a, int flags, int timeout_ms,
			   anysock_lookup **out)
{
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	int family = addr_check_ip(a);
	if (family < 0)
		return family;
	anysock_addr addr = *a;
	anysock_addr_unmap(&addr); /* ::ffff:a.b.c.d is looked up as a.b.c.d */
	struct lookup *q = lookup_nameinfo(&addr, flags, NI_MAXHOST, 0);
	if (q == NULL)
		return -ENOMEM;
	int saved_errno = errno;
	bool local = lookup_nameinfo_is_local(&addr, flags);
	return errno_kept(saved_errno, begin(q, local, deadline_in(timeout_ms), out));
}

int anysock_lookup_fd(const anysock_lookup *h)
{
	return h != NULL ? h->fd : -EINVAL;
}

int anysock_lookup_timeout(const anysock_lookup *h)
{
	if (h == NULL)
		return -1;
	if (h->settled || job_state(&h->q->job, false) != JOB_RUNNING)
		return 0;
	return poll_ms(h->deadline);
}

int anysock_resolve_result(anysock_lookup *h, anysock_addr *out, size_t max)
{
	if (h == NULL || h->kind != ADDRINFO || out == NULL || max == 0)
		return -EINVAL;
	if (!settle(h))
		return -EINPROGRESS;
	int saved_errno = errno;
	errno = h->err; /* what EAI_SYSTEM means */
	return errno_kept(saved_errno,
			  resolve_collect(h->rc, h->q != NULL ? h->q->res : NULL, out, max));
}

int anysock_nameinfo_result(anysock_lookup *h, char *host, size_t size)
{
	if (h == NULL || h->kind != NAMEINFO || host == NULL || size == 0)
		return -EINVAL;
	if (!settle(h))
		return -EINPROGRESS;
	int saved_errno = errno;
	errno = h->err; /* what EAI_SYSTEM means */
	return errno_kept(saved_errno, nameinfo_finish(h->rc, h->q != NULL ? h->q->host : NULL,
						       &h->addr, h->flags, host, size));
}

void anysock_lookup_free(anysock_lookup *h)
{
	if (h == NULL)
		return;
	if (h->q != NULL) {
		if (h->submitted)
			pool_abandon(&h->q->job); /* done or not: notify is over */
		else
			job_put(&h->q->job);
	}
	close(h->fd);
	free(h);
}
