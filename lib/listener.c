/*
 * listener.c - the listener object, whichever way it was made (bound by
 * name in listen.c, adopted in adopt.c): its sockets, what it tells about
 * them, closing it, and the one wait that anysock_accept (listen.c) and
 * anysock_recvfrom (datagram.c) share.
 *
 * Every socket the listener holds is non-blocking. accept and recvfrom
 * first try each socket in turn, starting after the one that was served
 * last, and only poll() when none has anything: under load that is one
 * system call per connection, as in a plain blocking accept loop, and a
 * busy family cannot starve a quiet one.
 *
 * SPDX-License-Identifier: MIT
 */
#include "clock.h"
#include "listener.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/epoll.h>

/* ------------------------------------------------------------------------ */
/* Its sockets                                                              */
/* ------------------------------------------------------------------------ */

void listener_fill_pollfds(anysock_listener *l)
{
	for (size_t i = 0; i < l->n; i++) {
		l->pfd[i].fd = l->s[i].fd;
		l->pfd[i].events = POLLIN;
	}
	l->epfd = -1;
}

void listener_close_sockets(anysock_listener *l)
{
	for (size_t i = 0; i < l->n; i++)
		close(l->s[i].fd);
	l->n = 0;
}

/* ------------------------------------------------------------------------ */
/* Introspection                                                            */
/* ------------------------------------------------------------------------ */

int anysock_listener_count(const anysock_listener *l)
{
	return l == NULL ? -EINVAL : (int)l->n;
}

int anysock_listener_fd(const anysock_listener *l, size_t i)
{
	if (l == NULL)
		return -EINVAL;
	return i < l->n ? l->s[i].fd : -ERANGE;
}

/* Made on first use: most programs watch the sockets themselves, or not
 * at all, and need no extra descriptor. Level-triggered, so the epoll
 * descriptor stays readable while any socket has something waiting. */
int anysock_listener_pollfd(anysock_listener *l)
{
	if (l == NULL)
		return -EINVAL;
	if (l->epfd >= 0)
		return l->epfd;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		return -errno;
	for (size_t i = 0; i < l->n; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = i };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, l->s[i].fd, &ev) < 0) {
			int err = -errno;
			close(ep);
			return err;
		}
	}
	l->epfd = ep;
	return ep;
}

int anysock_listener_addr(const anysock_listener *l, size_t i, anysock_addr *out)
{
	if (l == NULL || out == NULL)
		return -EINVAL;
	if (i >= l->n)
		return -ERANGE;
	*out = l->s[i].local;
	return 0;
}

int anysock_listener_ntop(const anysock_listener *l, char *buf, size_t size)
{
	if (l == NULL || buf == NULL)
		return -EINVAL;
	size_t used = 0;
	for (size_t i = 0; i < l->n; i++) {
		char one[ANYSOCK_ADDRSTRLEN];
		int len = anysock_ntop(&l->s[i].local, one, sizeof(one), 0);
		if (len < 0)
			return len;
		int w = snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "", one);
		if (w < 0 || (size_t)w >= size - used) {
			if (size > 0)
				buf[0] = '\0';
			return -ENOSPC;
		}
		used += (size_t)w;
	}
	if (l->n == 0 && size == 0)
		return -ENOSPC;
	if (l->n == 0)
		buf[0] = '\0';
	return (int)used;
}

void anysock_listener_close(anysock_listener *l)
{
	if (l == NULL)
		return;
	listener_close_sockets(l);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l);
}

/* ------------------------------------------------------------------------ */
/* Waiting                                                                  */
/* ------------------------------------------------------------------------ */

/* Wait until a socket has something, or the deadline (-1: none) passes. */
static int wait_any(anysock_listener *l, int64_t deadline)
{
	if (deadline_passed(deadline))
		return -ETIMEDOUT;
	int rc = poll_until(l->pfd, (nfds_t)l->n, deadline);
	if (rc < 0)
		return rc; /* -EINTR: a signal ends the wait (anysock(3)) */
	for (size_t i = 0; i < l->n && rc > 0; i++)
		if (l->pfd[i].revents & POLLNVAL)
			return -EBADF; /* somebody closed one of our descriptors */
	return rc == 0 && deadline_passed(deadline) ? -ETIMEDOUT : 0;
}

int listener_serve(anysock_listener *l, int timeout_ms,
		   int (*op)(anysock_listener *, struct sock *, void *), void *arg)
{
	int64_t deadline = deadline_in(timeout_ms);
	for (;;) {
		for (size_t k = 0; k < l->n; k++) {
			size_t i = (l->next + k) % l->n;
			int rc = op(l, &l->s[i], arg);
			if (rc != -EAGAIN) {
				l->next = (i + 1) % l->n;
				return rc;
			}
		}
		if (timeout_ms == 0)
			return -ETIMEDOUT;
		int rc = wait_any(l, deadline);
		if (rc < 0)
			return rc;
	}
}
