/*
 * pool.c - the worker threads that run lookups for callers who cannot
 * wait for them.
 *
 * A resolver call cannot be interrupted safely: alarm() and siglongjmp()
 * leave the resolver's locks and sockets behind (and glibc restarts its
 * poll() after a handler returns anyway), and pthread_cancel() of a lookup
 * leaks. So a lookup runs on a worker thread and the caller waits for it on
 * a monotonic clock. A caller that runs out of time abandons the job, never
 * cancels it: the job has two references, the caller's and the pool's, and
 * whoever lets go last destroys it. The worker finishes in its own time,
 * writing only into the job.
 *
 * The pool starts lazily, holds at most MAX_WORKERS threads, and lets an
 * idle thread go after IDLE_EXIT_MS. Jobs that were abandoned while
 * running still hold a thread; once every thread is held so, new jobs are
 * refused at once instead of queueing behind a dead name server. (It was
 * half the threads; the connector abandons the other family's lookup
 * whenever it connects, and with a resolver that drops AAAA, 16 connects
 * within its timeout were enough to refuse every lookup after them.)
 * A job abandoned before a worker took it is simply taken off the queue.
 *
 * fork(): the child has none of the workers, so it starts with an empty
 * pool (whose workers start their resolver afresh), and each fork adds one
 * to the pool's generation. A job queued in
 * an older generation is lost in the child (its worker stayed in the
 * parent): it is never counted as stuck and never waited for, and letting
 * go of it frees it at once. (Counting such jobs as stuck once refused
 * every lookup in a child that freed 32 of them.)
 *
 * A caller waits for its job in one of two ways: pool_run() blocks on the
 * job's condition variable; pool_submit() returns at once, and the job's
 * notify hook tells the caller's event loop (lookup.c arms a timerfd). The
 * worker calls notify under the pool's lock and only for a job nobody has
 * abandoned, so once pool_abandon() returns, the caller may close whatever
 * descriptor notify writes to.
 *
 * SPDX-License-Identifier: MIT
 */
#include "clock.h"
#include "pool.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#ifdef HAVE_RES_INIT
#include <netinet/in.h>
#include <resolv.h>
#endif

#define MAX_WORKERS 32
#define IDLE_EXIT_MS 2000
#define WORKER_NAME "anysock-lookup"

static struct {
	pthread_mutex_t lock; /* everything here, and every job's pool fields */
	pthread_cond_t work;  /* a job was queued, or shutdown */
	pthread_cond_t gone;  /* a worker exited */
	pthread_condattr_t monotonic;
	struct job *head, *tail;
	int queued, workers, idle, stuck;
	unsigned generation; /* fork()s down to this process since the pool began */
	bool shutdown;
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER };

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

/* ------------------------------------------------------------------------ */
/* Jobs                                                                     */
/* ------------------------------------------------------------------------ */

/* Drop one reference; under pool.lock. */
static void release(struct job *job)
{
	if (--job->refs == 0) {
		pthread_cond_destroy(&job->cond);
		job->destroy(job);
	}
}

static void pool_init(void);

int job_init(struct job *job, void (*work)(struct job *), void (*destroy)(struct job *))
{
	pthread_once(&pool_once, pool_init);
	memset(job, 0, sizeof(*job));
	int rc = pthread_cond_init(&job->cond, &pool.monotonic);
	if (rc != 0)
		return -rc;
	job->refs = 1;
	job->work = work;
	job->destroy = destroy;
	return 0;
}

void job_put(struct job *job)
{
	pthread_mutex_lock(&pool.lock);
	release(job);
	pthread_mutex_unlock(&pool.lock);
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

/* Queued or running when this process was forked from the one whose pool
 * ran it: nobody here will finish it. Under pool.lock. */
static bool lost(const struct job *job)
{
	return !job->done && job->generation != pool.generation;
}

/* ------------------------------------------------------------------------ */
/* Workers                                                                  */
/* ------------------------------------------------------------------------ */

/* Wait for a job; NULL when it is time to exit. Under pool.lock. */
static struct job *next_job(void)
{
	while (pool.head == NULL) {
		if (pool.shutdown)
			return NULL;
		struct timespec idle_until = deadline_timespec(deadline_in(IDLE_EXIT_MS));
		pool.idle++;
		int rc = pthread_cond_timedwait(&pool.work, &pool.lock, &idle_until);
		pool.idle--;
		if (rc == ETIMEDOUT && pool.head == NULL)
			return NULL;
	}
	struct job *job = pool.head;
	unlink_job(job);
	job->started = true;
	return job;
}

static void *worker(void *after_fork)
{
#ifdef HAVE_PTHREAD_SETNAME_NP
	pthread_setname_np(pthread_self(), WORKER_NAME); /* for ps, top, gdb */
#endif
#ifdef HAVE_RES_INIT
	/* glibc may give a thread started after fork() the cached stack of a
	 * parent thread that was inside getaddrinfo, resolver state and all:
	 * its connected socket, shared with the parent, which then read the
	 * child's answer (the child's first lookup timed out in 2 to 14 of 20
	 * runs on two busy CPUs; resolve_ns). res_init() closes it and reads
	 * the configuration afresh. */
	if (after_fork != NULL)
		res_init();
#else
	(void)after_fork;
#endif
	pthread_mutex_lock(&pool.lock);
	struct job *job;
	while ((job = next_job()) != NULL) {
		pthread_mutex_unlock(&pool.lock);
		job->work(job);
		pthread_mutex_lock(&pool.lock);
		job->done = true;
		if (job->abandoned) {
			pool.stuck--;
		} else {
			pthread_cond_signal(&job->cond);
			if (job->notify != NULL)
				job->notify(job); /* under the lock: see pool_abandon */
		}
		release(job);
	}
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
	int rc = pthread_create(&t, &attr, worker, pool.generation != 0 ? &pool : NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		return -rc;
	pool.workers++;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* fork() and exit                                                          */
/* ------------------------------------------------------------------------ */

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
	pool.generation++; /* what was queued or running is lost() here */
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
		struct timespec until = deadline_timespec(deadline_in(100));
		while (pool.idle > 0 &&
		       pthread_cond_timedwait(&pool.gone, &pool.lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&pool.lock);
}

/* ------------------------------------------------------------------------ */
/* Running a job                                                            */
/* ------------------------------------------------------------------------ */

/* Queue the job and make sure a thread will take it; false when it cannot
 * be (too many stuck, or no thread at all). Under pool.lock. */
static bool enqueue(struct job *job)
{
	if (pool.stuck >= MAX_WORKERS)
		return false;
	job->generation = pool.generation;
	job->refs++; /* the pool's */
	if (pool.tail != NULL)
		pool.tail->next = job;
	else
		pool.head = job;
	pool.tail = job;
	pool.queued++;
	if (pool.queued > pool.idle && pool.workers < MAX_WORKERS && start_worker() < 0 &&
	    pool.workers == 0) {
		unlink_job(job);
		job->refs--;
		return false;
	}
	pthread_cond_signal(&pool.work);
	return true;
}

bool pool_submit(struct job *job)
{
	pthread_mutex_lock(&pool.lock);
	bool queued = enqueue(job);
	pthread_mutex_unlock(&pool.lock);
	return queued;
}

/* Let go of a submitted job; under pool.lock. */
static void abandon(struct job *job)
{
	if (lost(job)) {
		job->refs--; /* the pool's went with the parent's workers */
	} else if (!job->done) {
		job->abandoned = true;
		if (job->started) {
			pool.stuck++;
		} else { /* still queued: nobody will run it */
			unlink_job(job);
			job->refs--;
		}
	}
	release(job);
}

enum job_state job_state(struct job *job, bool or_abandon)
{
	pthread_mutex_lock(&pool.lock);
	enum job_state state = job->done ? JOB_DONE : lost(job) ? JOB_LOST : JOB_RUNNING;
	if (state == JOB_RUNNING && or_abandon)
		abandon(job);
	pthread_mutex_unlock(&pool.lock);
	return state;
}

void pool_abandon(struct job *job)
{
	pthread_mutex_lock(&pool.lock);
	abandon(job);
	pthread_mutex_unlock(&pool.lock);
}

enum pool_wait pool_run(struct job *job, int64_t deadline)
{
	struct timespec until = deadline_timespec(deadline);
	pthread_mutex_lock(&pool.lock);
	if (!enqueue(job)) {
		release(job);
		pthread_mutex_unlock(&pool.lock);
		return POOL_REFUSED;
	}
	while (!job->done && pthread_cond_timedwait(&job->cond, &pool.lock, &until) != ETIMEDOUT)
		;
	if (job->done) {
		pthread_mutex_unlock(&pool.lock);
		return POOL_FINISHED;
	}
	abandon(job);
	pthread_mutex_unlock(&pool.lock);
	return POOL_TIMED_OUT;
}
