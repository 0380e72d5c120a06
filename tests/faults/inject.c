/*
 * inject.c - the failing calls of make check-faults.
 *
 * The library is linked here from a copy of its static archive in which
 * every call to the functions below was renamed to fault_NAME (objcopy
 * --redefine-syms=tests/faults/calls). So only the library's own calls
 * come here; the C library's calls to malloc, and the driver's, do not.
 * Each one is counted (in the order they come, from every thread); call
 * number fail_at fails, or every call from it on (persistent), with the
 * error the real call gives when it cannot: NULL and ENOMEM for memory,
 * EMFILE for a new descriptor, and so on. Each call site (the return
 * address) is remembered for the report.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include "faults.h"

struct plan *plan;

/* Every call, numbered; a failure when its number says so. */
static bool fails(enum call which, void *site)
{
	if (plan == NULL || !atomic_load(&plan->armed))
		return false;
	unsigned long n = atomic_fetch_add(&plan->calls, 1) + 1;
	if (plan->counting) {
		unsigned k = atomic_load(&plan->nsites);
		for (unsigned i = 0; i < k && i < MAX_SITES; i++)
			if (plan->sites[i].pc == site)
				return false;
		k = atomic_fetch_add(&plan->nsites, 1);
		if (k < MAX_SITES)
			plan->sites[k] = (struct site){ site, which };
		return false;
	}
	if (n != plan->fail_at && !(plan->persistent && n > plan->fail_at))
		return false;
	if (n == plan->fail_at) {
		plan->failed_site = (struct site){ site, which };
		atomic_store(&plan->injected, 1);
	}
	return true;
}

#define SITE __builtin_return_address(0)
#define FAIL_WITH(which, err, value)      \
	do {                              \
		if (fails(which, SITE)) { \
			errno = (err);    \
			return value;     \
		}                         \
	} while (0)

void *fault_malloc(size_t n);
void *fault_malloc(size_t n)
{
	FAIL_WITH(CALL_malloc, ENOMEM, NULL);
	return malloc(n);
}

void *fault_calloc(size_t n, size_t size);
void *fault_calloc(size_t n, size_t size)
{
	FAIL_WITH(CALL_calloc, ENOMEM, NULL);
	return calloc(n, size);
}

void *fault_realloc(void *p, size_t n);
void *fault_realloc(void *p, size_t n)
{
	FAIL_WITH(CALL_realloc, ENOMEM, NULL);
	return realloc(p, n);
}

char *fault_strdup(const char *s);
char *fault_strdup(const char *s)
{
	FAIL_WITH(CALL_strdup, ENOMEM, NULL);
	return strdup(s);
}

int fault_socket(int domain, int type, int protocol);
int fault_socket(int domain, int type, int protocol)
{
	FAIL_WITH(CALL_socket, EMFILE, -1);
	return socket(domain, type, protocol);
}

int fault_bind(int fd, const struct sockaddr *a, socklen_t len);
int fault_bind(int fd, const struct sockaddr *a, socklen_t len)
{
	FAIL_WITH(CALL_bind, EADDRINUSE, -1);
	return bind(fd, a, len);
}

int fault_listen(int fd, int backlog);
int fault_listen(int fd, int backlog)
{
	FAIL_WITH(CALL_listen, EADDRINUSE, -1);
	return listen(fd, backlog);
}

int fault_accept4(int fd, struct sockaddr *a, socklen_t *len, int flags);
int fault_accept4(int fd, struct sockaddr *a, socklen_t *len, int flags)
{
	FAIL_WITH(CALL_accept4, EMFILE, -1);
	return accept4(fd, a, len, flags);
}

int fault_connect(int fd, const struct sockaddr *a, socklen_t len);
int fault_connect(int fd, const struct sockaddr *a, socklen_t len)
{
	FAIL_WITH(CALL_connect, ENETUNREACH, -1);
	return connect(fd, a, len);
}

int fault_setsockopt(int fd, int level, int name, const void *v, socklen_t len);
int fault_setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	FAIL_WITH(CALL_setsockopt, ENOMEM, -1);
	return setsockopt(fd, level, name, v, len);
}

int fault_getsockopt(int fd, int level, int name, void *v, socklen_t *len);
int fault_getsockopt(int fd, int level, int name, void *v, socklen_t *len)
{
	FAIL_WITH(CALL_getsockopt, ENOBUFS, -1);
	return getsockopt(fd, level, name, v, len);
}

int fault_getsockname(int fd, struct sockaddr *a, socklen_t *len);
int fault_getsockname(int fd, struct sockaddr *a, socklen_t *len)
{
	FAIL_WITH(CALL_getsockname, ENOBUFS, -1);
	return getsockname(fd, a, len);
}

int fault_getpeername(int fd, struct sockaddr *a, socklen_t *len);
int fault_getpeername(int fd, struct sockaddr *a, socklen_t *len)
{
	FAIL_WITH(CALL_getpeername, ENOBUFS, -1);
	return getpeername(fd, a, len);
}

int fault_fcntl(int fd, int cmd, ...);
int fault_fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	long arg = va_arg(ap, long); /* as glibc's own fcntl reads it */
	va_end(ap);
	FAIL_WITH(CALL_fcntl, EINVAL, -1);
	return fcntl(fd, cmd, arg);
}

int fault_ioctl(int fd, unsigned long request, ...);
int fault_ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	FAIL_WITH(CALL_ioctl, ENOMEM, -1);
	return ioctl(fd, request, arg);
}

int fault_epoll_create1(int flags);
int fault_epoll_create1(int flags)
{
	FAIL_WITH(CALL_epoll_create1, EMFILE, -1);
	return epoll_create1(flags);
}

int fault_epoll_ctl(int ep, int op, int fd, struct epoll_event *ev);
int fault_epoll_ctl(int ep, int op, int fd, struct epoll_event *ev)
{
	FAIL_WITH(CALL_epoll_ctl, ENOMEM, -1);
	return epoll_ctl(ep, op, fd, ev);
}

int fault_epoll_wait(int ep, struct epoll_event *ev, int n, int ms);
int fault_epoll_wait(int ep, struct epoll_event *ev, int n, int ms)
{
	FAIL_WITH(CALL_epoll_wait, EINTR, -1);
	return epoll_wait(ep, ev, n, ms);
}

int fault_poll(struct pollfd *p, nfds_t n, int ms);
int fault_poll(struct pollfd *p, nfds_t n, int ms)
{
	FAIL_WITH(CALL_poll, ENOMEM, -1);
	return poll(p, n, ms);
}

int fault_timerfd_create(int clock, int flags);
int fault_timerfd_create(int clock, int flags)
{
	FAIL_WITH(CALL_timerfd_create, EMFILE, -1);
	return timerfd_create(clock, flags);
}

int fault_timerfd_settime(int fd, int flags, const struct itimerspec *v, struct itimerspec *old);
int fault_timerfd_settime(int fd, int flags, const struct itimerspec *v, struct itimerspec *old)
{
	FAIL_WITH(CALL_timerfd_settime, ENOMEM, -1);
	return timerfd_settime(fd, flags, v, old);
}

ssize_t fault_recv(int fd, void *buf, size_t len, int flags);
ssize_t fault_recv(int fd, void *buf, size_t len, int flags)
{
	FAIL_WITH(CALL_recv, ECONNRESET, -1);
	return recv(fd, buf, len, flags);
}

ssize_t fault_recvmsg(int fd, struct msghdr *m, int flags);
ssize_t fault_recvmsg(int fd, struct msghdr *m, int flags)
{
	FAIL_WITH(CALL_recvmsg, ENOMEM, -1);
	return recvmsg(fd, m, flags);
}

ssize_t fault_sendmsg(int fd, const struct msghdr *m, int flags);
ssize_t fault_sendmsg(int fd, const struct msghdr *m, int flags)
{
	FAIL_WITH(CALL_sendmsg, ENOBUFS, -1);
	return sendmsg(fd, m, flags);
}

int fault_getifaddrs(struct ifaddrs **out);
int fault_getifaddrs(struct ifaddrs **out)
{
	FAIL_WITH(CALL_getifaddrs, ENOMEM, -1);
	return getifaddrs(out);
}

unsigned fault_if_nametoindex(const char *name);
unsigned fault_if_nametoindex(const char *name)
{
	FAIL_WITH(CALL_if_nametoindex, ENOMEM, 0);
	return if_nametoindex(name);
}

char *fault_if_indextoname(unsigned index, char *name);
char *fault_if_indextoname(unsigned index, char *name)
{
	FAIL_WITH(CALL_if_indextoname, ENOMEM, NULL);
	return if_indextoname(index, name);
}

FILE *fault_fopen(const char *path, const char *mode);
FILE *fault_fopen(const char *path, const char *mode)
{
	FAIL_WITH(CALL_fopen, EMFILE, NULL);
	return fopen(path, mode);
}

int fault_stat(const char *path, struct stat *st);
int fault_stat(const char *path, struct stat *st)
{
	FAIL_WITH(CALL_stat, EOVERFLOW, -1); /* a 32-bit stat() of a file past 2038 */
	return stat(path, st);
}

int fault_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		      struct addrinfo **res);
int fault_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		      struct addrinfo **res)
{
	FAIL_WITH(CALL_getaddrinfo, ENOMEM, EAI_MEMORY);
	return getaddrinfo(node, service, hints, res);
}

int fault_getnameinfo(const struct sockaddr *sa, socklen_t len, char *host, socklen_t hostlen,
		      char *serv, socklen_t servlen, int flags);
int fault_getnameinfo(const struct sockaddr *sa, socklen_t len, char *host, socklen_t hostlen,
		      char *serv, socklen_t servlen, int flags)
{
	FAIL_WITH(CALL_getnameinfo, ENOMEM, EAI_MEMORY);
	return getnameinfo(sa, len, host, hostlen, serv, servlen, flags);
}

/* pthread functions report their error as the return value. */
int fault_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
int fault_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	FAIL_WITH(CALL_pthread_create, EAGAIN, EAGAIN);
	return pthread_create(t, attr, fn, arg);
}

int fault_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr);
int fault_pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
	FAIL_WITH(CALL_pthread_cond_init, ENOMEM, ENOMEM);
	return pthread_cond_init(c, attr);
}

int fault_pthread_attr_init(pthread_attr_t *attr);
int fault_pthread_attr_init(pthread_attr_t *attr)
{
	FAIL_WITH(CALL_pthread_attr_init, ENOMEM, ENOMEM);
	return pthread_attr_init(attr);
}

const char *const call_names[CALLS] = {
#define X(name, kind) #name,
	CALL_LIST
#undef X
};
const char call_kinds[CALLS] = {
#define X(name, kind) kind,
	CALL_LIST
#undef X
};
