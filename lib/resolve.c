/*
 * resolve.c - getaddrinfo and getnameinfo that return in bounded time.
 *
 * A resolver call cannot be interrupted safely: alarm() and siglongjmp()
 * leave the resolver's locks and sockets behind (and glibc restarts its
 * poll() after a handler returns anyway), and pthread_cancel() of a lookup
 * leaks. So a lookup runs on a worker thread and the caller waits for it on
 * a monotonic clock. A caller that runs out of time abandons the lookup,
 * never cancels it: the job has two references, the caller's and the
 * pool's, and whoever lets go last frees it. The worker finishes the
 * lookup in its own time, writing only into the job.
 *
 * The pool starts lazily, holds at most MAX_WORKERS threads, and lets an
 * idle thread go after IDLE_EXIT_MS. Lookups that were abandoned while
 * running still hold a thread; once MAX_STUCK of them do, new calls fail
 * at once (numeric fallback, or EAI_AGAIN) instead of piling up threads
 * behind a dead name server. A job abandoned before a worker took it is
 * simply taken off the queue.
 *
 * Numeric requests (NI_NUMERICHOST, numeric hosts for getaddrinfo), what
 * the hosts file answers (hosts.c) and calls with no time limit never
 * leave the calling thread.
 *
 * SPDX-License-Identifier: MIT
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <arpa/inet.h>

#define MAX_WORKERS 32
#define MAX_STUCK 16
#define IDLE_EXIT_MS 2000
#define WORKER_NAME "anysock-lookup"

enum job_kind { JOB_NAMEINFO, JOB_ADDRINFO };

struct job {
	struct job *next; /* in the queue */
	enum job_kind kind;
	int refs;         /* caller + pool, under pool.lock */
	bool started, done, abandoned;
	pthread_cond_t cond; /* done */
	int rc, err;         /* EAI_* result; errno for EAI_SYSTEM */

	/* JOB_NAMEINFO */
	anysock_addr addr;
	int flags;
	socklen_t hostlen, servlen;
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	/* JOB_ADDRINFO */
	char *node, *service;
	struct addrinfo hints;
	bool has_hints;
	struct addrinfo *res;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job was queued, or shutdown */
	pthread_cond_t gone; /* a worker exited */
	pthread_condattr_t monotonic;
	struct job *head, *tail;
	int queued, workers, idle, stuck;
	bool shutdown;
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER };

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

/* ------------------------------------------------------------------------ */
/* Time                                                                     */
/* ------------------------------------------------------------------------ */

static struct timespec deadline_after(int ms)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* ------------------------------------------------------------------------ */
/* The pool                                                                 */
/* ------------------------------------------------------------------------ */

static void job_free(struct job *job)
{
	pthread_cond_destroy(&job->cond);
	if (job->res != NULL)
		freeaddrinfo(job->res);
	free(job->node);
	free(job->service);
	free(job);
}

/* Drop one reference; under pool.lock. */
static void job_release(struct job *job)
{
	if (--job->refs == 0)
		job_free(job);
}

static void run(struct job *job)
{
	errno = 0;
	if (job->kind == JOB_NAMEINFO)
		job->rc = getnameinfo(&job->addr.u.sa, job->addr.len,
				      job->hostlen ? job->host : NULL, job->hostlen,
				      job->servlen ? job->serv : NULL, job->servlen, job->flags);
	else
		job->rc = getaddrinfo(job->node, job->service,
				      job->has_hints ? &job->hints : NULL, &job->res);
	job->err = errno;
}

static void unlink_job(struct job *job)
{
	struct job **p = &pool.head, *prev = NULL;
	for (; *p != NULL && *p != job; p = &(*p)->next)
		prev = *p;
	if (*p == NULL)
		return;
	*p = job->next;
	if (pool.tail == job)
		pool.tail = prev;
	pool.queued--;
}

static void *worker(void *unused)
{
	(void)unused;
#ifdef HAVE_PTHREAD_SETNAME_NP
	pthread_setname_np(pthread_self(), WORKER_NAME); /* for ps, top, gdb */
#endif
	pthread_mutex_lock(&pool.lock);
	for (;;) {
		while (pool.head == NULL) {
			if (pool.shutdown)
				goto out;
			struct timespec idle_until = deadline_after(IDLE_EXIT_MS);
			pool.idle++;
			int rc = pthread_cond_timedwait(&pool.work, &pool.lock, &idle_until);
			pool.idle--;
			if (rc == ETIMEDOUT && pool.head == NULL)
				goto out;
		}
		struct job *job = pool.head;
		unlink_job(job);
		job->started = true;
		pthread_mutex_unlock(&pool.lock);
		run(job);
		pthread_mutex_lock(&pool.lock);
		job->done = true;
		if (job->abandoned)
			pool.stuck--;
		else
			pthread_cond_signal(&job->cond);
		job_release(job);
	}
out:
	pool.workers--;
	pthread_cond_broadcast(&pool.gone);
	pthread_mutex_unlock(&pool.lock);
	return NULL;
}

/* Workers take no signals: those belong to the application's threads. */
static int start_worker(void)
{
	pthread_attr_t attr;
	sigset_t all, old;
	pthread_t t;
	if (pthread_attr_init(&attr) != 0)
		return -ENOMEM;
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&t, &attr, worker, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		return -rc;
	pool.workers++;
	return 0;
}

/* fork(): hold the lock across it so the child never sees it mid-change.
 * The child has none of the workers, and the callers of any queued job
 * are gone with them: start afresh (their jobs are left to the parent). */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&pool.lock);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&pool.lock);
}

static void atfork_child(void)
{
	pool.head = pool.tail = NULL;
	pool.queued = pool.workers = pool.idle = pool.stuck = 0;
	pool.shutdown = false;
	pthread_cond_init(&pool.work, &pool.monotonic);
	pthread_cond_init(&pool.gone, &pool.monotonic);
	pthread_mutex_unlock(&pool.lock);
}

static void pool_init(void)
{
	pthread_condattr_init(&pool.monotonic);
	pthread_condattr_setclock(&pool.monotonic, CLOCK_MONOTONIC);
	pthread_cond_init(&pool.work, &pool.monotonic);
	pthread_cond_init(&pool.gone, &pool.monotonic);
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

/* At exit, let idle workers go rather than leave them to be killed; a
 * worker inside a lookup cannot be stopped and is not waited for long. */
__attribute__((destructor)) static void pool_exit(void)
{
	pthread_mutex_lock(&pool.lock);
	if (pool.workers > 0) {
		pool.shutdown = true;
		pthread_cond_broadcast(&pool.work);
		struct timespec until = deadline_after(100);
		while (pool.idle > 0 &&
		       pthread_cond_timedwait(&pool.gone, &pool.lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&pool.lock);
}

enum wait_result { FINISHED, TIMED_OUT, REFUSED };

/* Queue a job (refs 1, the caller's) and wait for it until the deadline.
 * FINISHED: the job is done and the caller still owns it. TIMED_OUT or
 * REFUSED: the caller must not touch it again. */
static enum wait_result submit(struct job *job, const struct timespec *deadline)
{
	pthread_once(&pool_once, pool_init);
	pthread_condattr_t *ca = &pool.monotonic;
	if (pthread_cond_init(&job->cond, ca) != 0) {
		free(job->node);
		free(job->service);
		free(job);
		return REFUSED;
	}
	pthread_mutex_lock(&pool.lock);
	if (pool.stuck >= MAX_STUCK) {
		job_release(job);
		pthread_mutex_unlock(&pool.lock);
		return REFUSED;
	}
	job->refs = 2;
	if (pool.tail != NULL)
		pool.tail->next = job;
	else
		pool.head = job;
	pool.tail = job;
	pool.queued++;
	if (pool.queued > pool.idle && pool.workers < MAX_WORKERS &&
	    start_worker() < 0 && pool.workers == 0) {
		unlink_job(job);
		job->refs = 1;
		job_release(job);
		pthread_mutex_unlock(&pool.lock);
		return REFUSED;
	}
	pthread_cond_signal(&pool.work);
	while (!job->done &&
	       pthread_cond_timedwait(&job->cond, &pool.lock, deadline) != ETIMEDOUT)
		;
	if (job->done) {
		pthread_mutex_unlock(&pool.lock);
		return FINISHED;
	}
	job->abandoned = true;
	if (job->started) {
		pool.stuck++;
	} else { /* still queued: nobody will run it */
		unlink_job(job);
		job->refs--;
	}
	job_release(job);
	pthread_mutex_unlock(&pool.lock);
	return TIMED_OUT;
}

/* After FINISHED, once the caller took its results: hand on the lookup's
 * errno (for EAI_SYSTEM) and drop the caller's reference. */
static void job_done(struct job *job)
{
	int rc = job->rc, err = job->err;
	pthread_mutex_lock(&pool.lock);
	job_release(job);
	pthread_mutex_unlock(&pool.lock);
	if (rc == EAI_SYSTEM)
		errno = err;
}

static struct job *job_new(enum job_kind kind)
{
	struct job *job = calloc(1, sizeof(*job));
	if (job != NULL) {
		job->kind = kind;
		job->refs = 1;
	}
	return job;
}

/* ------------------------------------------------------------------------ */
/* Reverse                                                                  */
/* ------------------------------------------------------------------------ */

static bool is_retryable(int rc)
{
	return rc == EAI_AGAIN || rc == EAI_FAIL;
}

/* The numeric form, as getnameinfo gives it; the service as asked. */
static int numeric(const anysock_addr *a, char *host, socklen_t hostlen, char *serv,
		   socklen_t servlen, int flags)
{
	return getnameinfo(&a->u.sa, a->len, host, hostlen, serv, servlen,
			   flags | NI_NUMERICHOST);
}

int anysock_getnameinfo_timeo(const struct sockaddr *sa, socklen_t salen, char *host,
			      socklen_t hostlen, char *serv, socklen_t servlen, int flags,
			      int timeout_ms)
{
	if (host == NULL)
		hostlen = 0;
	if (serv == NULL)
		servlen = 0;
	/* The cheapest case first: numeric text needs no copy or thread. */
	if (sa != NULL && (flags & NI_NUMERICHOST) &&
	    ((sa->sa_family == AF_INET && salen == sizeof(struct sockaddr_in)) ||
	     (sa->sa_family == AF_INET6 && salen == sizeof(struct sockaddr_in6) &&
	      !in6_is_mapped(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr))))
		return getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
	anysock_addr a;
	if (anysock_addr_from_sockaddr(&a, sa, salen) < 0 || addr_check_ip(&a) < 0)
		return EAI_FAMILY;
	anysock_addr_unmap(&a); /* ::ffff:a.b.c.d is looked up as a.b.c.d */
	if (hostlen == 0 && servlen == 0)
		return EAI_NONAME;
	if (hostlen == 0 || (flags & NI_NUMERICHOST) || timeout_ms < 0 || hosts_has_addr(&a))
		return getnameinfo(&a.u.sa, a.len, host, hostlen, serv, servlen, flags);

	struct timespec deadline = deadline_after(timeout_ms);
	struct job *job = job_new(JOB_NAMEINFO);
	if (job == NULL)
		return EAI_MEMORY;
	job->addr = a;
	job->flags = flags;
	job->hostlen = hostlen < NI_MAXHOST ? hostlen : NI_MAXHOST;
	job->servlen = servlen < NI_MAXSERV ? servlen : NI_MAXSERV;
	int rc = EAI_AGAIN;
	if (submit(job, &deadline) == FINISHED) {
		rc = job->rc;
		if (rc == 0 && hostlen)
			memcpy(host, job->host, strlen(job->host) + 1);
		if (rc == 0 && servlen)
			memcpy(serv, job->serv, strlen(job->serv) + 1);
		job_done(job);
	}
	if (is_retryable(rc) && !(flags & NI_NAMEREQD))
		return numeric(&a, host, hostlen, serv, servlen, flags);
	return rc;
}

int anysock_nameinfo(const anysock_addr *a, char *host, size_t size, int flags,
		     int timeout_ms)
{
	int family = addr_check_ip(a);
	if (family < 0)
		return family;
	if (host == NULL || size == 0)
		return -EINVAL;
	socklen_t len = size > NI_MAXHOST ? NI_MAXHOST : (socklen_t)size;
	int rc = anysock_getnameinfo_timeo(&a->u.sa, a->len, host, len, NULL, 0, flags,
					   timeout_ms);
	if (rc == EAI_OVERFLOW)
		return -ENOSPC;
	if (rc != 0)
		return anysock_error_from_eai(rc);
	return (int)strlen(host);
}

/* ------------------------------------------------------------------------ */
/* Forward                                                                  */
/* ------------------------------------------------------------------------ */

/* A host getaddrinfo takes as numeric without asking anyone: inet_pton
 * text, IPv6 with a %scope (an interface name is looked up locally). Other
 * spellings glibc also takes ("1.2.3", "0x7f.1") go the bounded way. */
static bool is_numeric_host(const char *s)
{
	unsigned char bytes[16];
	char v6[INET6_ADDRSTRLEN];
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

/* Needs no name server: no host, a numeric one, or one the hosts file
 * answers (and no canonical name asked for, which could mean a lookup). */
static bool local_only(const char *node, const struct addrinfo *hints)
{
	int flags = hints != NULL ? hints->ai_flags : 0;
	if (node == NULL)
		return true;
	if (flags & AI_CANONNAME)
		return false;
	if ((flags & AI_NUMERICHOST) || is_numeric_host(node))
		return true;
	return hosts_has_name(node, hints != NULL ? hints->ai_family : AF_UNSPEC);
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

int anysock_getaddrinfo_timeo(const char *node, const char *service,
			      const struct addrinfo *hints, struct addrinfo **res,
			      int timeout_ms)
{
	if (res == NULL) {
		errno = EINVAL;
		return EAI_SYSTEM;
	}
	if (node == NULL && service == NULL)
		return EAI_NONAME;
	if (timeout_ms < 0 || local_only(node, hints))
		return getaddrinfo(node, service, hints, res);

	struct timespec deadline = deadline_after(timeout_ms);
	struct job *job = job_new(JOB_ADDRINFO);
	if (job == NULL)
		return EAI_MEMORY;
	bool failed = false;
	job->node = dup_or_null(node, &failed);
	job->service = dup_or_null(service, &failed);
	if (failed) {
		job_free(job);
		return EAI_MEMORY;
	}
	if (hints != NULL) { /* the four fields POSIX lets a caller set */
		job->has_hints = true;
		job->hints.ai_flags = hints->ai_flags;
		job->hints.ai_family = hints->ai_family;
		job->hints.ai_socktype = hints->ai_socktype;
		job->hints.ai_protocol = hints->ai_protocol;
	}
	int rc = EAI_AGAIN;
	if (submit(job, &deadline) == FINISHED) {
		rc = job->rc;
		if (rc == 0) {
			*res = job->res;
			job->res = NULL;
		}
		job_done(job);
	}
	return rc;
}

#define RESOLVE_FLAGS                                                      \
	(ANYSOCK_RESOLVE_PASSIVE | ANYSOCK_RESOLVE_NUMERIC |                \
	 ANYSOCK_RESOLVE_ADDRCONFIG | ANYSOCK_RESOLVE_IPV4 | ANYSOCK_RESOLVE_IPV6)

/* glibc takes "99999" as port 34463 (it keeps the low 16 bits); a decimal
 * service must be a port. Names and other text go to getaddrinfo. */
static bool numeric_service_ok(const char *service)
{
	unsigned long port = 0;
	for (const char *p = service; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return true;
		if ((port = port * 10 + (unsigned long)(*p - '0')) > 65535)
			return false;
	}
	return true;
}

int anysock_resolve(const char *host, const char *service, int socktype, unsigned flags,
		    int timeout_ms, anysock_addr *out, size_t max)
{
	if (out == NULL || max == 0 || (flags & ~RESOLVE_FLAGS) ||
	    (flags & ANYSOCK_RESOLVE_IPV4 && flags & ANYSOCK_RESOLVE_IPV6))
		return -EINVAL;
	if (host != NULL && host[0] == '\0')
		return ANYSOCK_E_EMPTY;
	if (service != NULL && service[0] == '\0')
		return ANYSOCK_E_PORT;
	if (service != NULL && !numeric_service_ok(service))
		return ANYSOCK_E_PORTRANGE;
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = flags & ANYSOCK_RESOLVE_IPV4	 ? AF_INET
			  : flags & ANYSOCK_RESOLVE_IPV6 ? AF_INET6
							 : AF_UNSPEC;
	hints.ai_socktype = socktype;
	if (flags & ANYSOCK_RESOLVE_PASSIVE)
		hints.ai_flags |= AI_PASSIVE;
	if (flags & ANYSOCK_RESOLVE_NUMERIC)
		hints.ai_flags |= AI_NUMERICHOST | AI_NUMERICSERV;
	if (flags & ANYSOCK_RESOLVE_ADDRCONFIG)
		hints.ai_flags |= AI_ADDRCONFIG;
	int rc = anysock_getaddrinfo_timeo(host, service != NULL ? service : "0", &hints, &res,
					   timeout_ms);
	if (rc != 0)
		return anysock_error_from_eai(rc);
	/* getaddrinfo's order (RFC 6724) is kept; a repeat (one per socket
	 * type when socktype is 0, or the same address twice in the hosts
	 * file and DNS) is dropped. */
	size_t n = 0;
	for (const struct addrinfo *ai = res; ai != NULL && n < max; ai = ai->ai_next) {
		anysock_addr a;
		if (anysock_addr_from_sockaddr(&a, ai->ai_addr, ai->ai_addrlen) < 0 ||
		    addr_check_ip(&a) < 0)
			continue;
		anysock_addr_unmap(&a);
		bool seen = false;
		for (size_t i = 0; i < n && !seen; i++)
			seen = anysock_addr_equal(&out[i], &a, 0);
		if (!seen)
			out[n++] = a;
	}
	freeaddrinfo(res);
	return n > 0 ? (int)n : anysock_error_from_eai(EAI_NONAME);
}
