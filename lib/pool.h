/*
 * pool.h - the worker threads for lookups a caller may abandon (pool.c),
 * and the job lookup.c hands them.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_POOL_H
#define ANYSOCK_POOL_H

#include "internal.h"

#include <pthread.h>

/* The pool's part of a job; a lookup embeds it first. The fields are the
 * pool's, under its lock. */
struct job {
	struct job *next; /* in the queue */
	int refs;         /* the caller's, and the pool's while queued or running */
	bool started, done, abandoned;
	unsigned generation;           /* the pool's fork generation when queued */
	pthread_cond_t cond;           /* done */
	void (*work)(struct job *);    /* runs on a worker */
	void (*destroy)(struct job *); /* frees it all, when the last reference goes */
	void (*notify)(struct job *);  /* NULL, or called by the worker when done */
};

/* Make a job whole (its condition variable too), holding the caller's
 * reference. 0, or -errno with nothing to undo. */
int job_init(struct job *job, void (*work)(struct job *), void (*destroy)(struct job *));
/* Drop the caller's reference: the one way a job ends. */
void job_put(struct job *job);

enum pool_wait {
	POOL_FINISHED,  /* done; the caller still holds its reference      */
	POOL_TIMED_OUT, /* abandoned at the deadline; the reference is gone */
	POOL_REFUSED    /* too many stuck, or no thread; the reference is gone */
};
/* Run the job on a worker and wait for it until deadline (>= 0). */
enum pool_wait pool_run(struct job *job, int64_t deadline);
/* Queue the job and return at once: true, the pool holding a reference of
 * its own until the worker is done (notify is called then, under the
 * pool's lock, unless the job was abandoned); false when refused, the
 * caller's reference untouched. */
bool pool_submit(struct job *job);
enum job_state {
	JOB_RUNNING, /* queued or running */
	JOB_DONE,    /* its results may be read */
	JOB_LOST     /* submitted before this process was forked: its worker
		      * stayed in the parent, and it never ends here */
};
/* Where a submitted job is; when it is running and or_abandon is set,
 * pool_abandon() it under the same lock. */
enum job_state job_state(struct job *job, bool or_abandon);
/* Drop the caller's reference to a submitted job, done or not: a queued
 * job is taken off the queue, a running one finishes on its own, and its
 * notify is never called after this returns. A lost job is freed. */
void pool_abandon(struct job *job);

#endif
