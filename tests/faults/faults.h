/*
 * faults.h - what the failing calls (inject.c) and the driver (faults.c)
 * of make check-faults share: the calls, and the plan of one run, in
 * memory the driver shares with the child that runs it.
 * SPDX-License-Identifier: MIT
 */
#ifndef FAULTS_H
#define FAULTS_H

#include <stdatomic.h>
#include <stdbool.h>

/* Every call the library makes that can fail: its name, and 'm' for an
 * allocation or 's' for a system call (or the C library's equivalent). */
/* clang-format off */
#define CALL_LIST \
	X(malloc, 'm') \
	X(calloc, 'm') \
	X(realloc, 'm') \
	X(strdup, 'm') \
	X(socket, 's') \
	X(bind, 's') \
	X(listen, 's') \
	X(accept4, 's') \
	X(connect, 's') \
	X(setsockopt, 's') \
	X(getsockopt, 's') \
	X(getsockname, 's') \
	X(getpeername, 's') \
	X(fcntl, 's') \
	X(ioctl, 's') \
	X(epoll_create1, 's') \
	X(epoll_ctl, 's') \
	X(epoll_wait, 's') \
	X(poll, 's') \
	X(timerfd_create, 's') \
	X(timerfd_settime, 's') \
	X(recv, 's') \
	X(recvmsg, 's') \
	X(sendmsg, 's') \
	X(getifaddrs, 's') \
	X(if_nametoindex, 's') \
	X(if_indextoname, 's') \
	X(fopen, 's') \
	X(stat, 's') \
	X(getaddrinfo, 's') \
	X(getnameinfo, 's') \
	X(pthread_create, 's') \
	X(pthread_cond_init, 's') \
	X(pthread_attr_init, 's')

enum call {
#define X(name, kind) CALL_##name,
	CALL_LIST
#undef X
	CALLS
};
/* clang-format on */

extern const char *const call_names[CALLS];
extern const char call_kinds[CALLS];

/* A call site in the library: the return address of its call. */
struct site {
	void *pc;
	enum call call;
};

#define MAX_SITES 1024

/* One run: set by the driver before it forks the child that runs it. */
struct plan {
	atomic_bool armed;       /* calls are counted (and fail) only meanwhile */
	bool counting;           /* just count, and note the sites */
	bool persistent;         /* fail every call from fail_at on */
	unsigned long fail_at;   /* the call that fails, numbered from 1 */
	atomic_ulong calls;      /* calls so far */
	atomic_int injected;     /* whether call fail_at came */
	struct site failed_site; /* and where */
	atomic_uint nsites;      /* counting: the distinct sites seen */
	struct site sites[MAX_SITES];
	char wrong[512]; /* the first wrong answer or unclean error */
};

extern struct plan *plan;

#endif
