/*
 * socket.c - the one socket opener and the one accept.
 *
 * Every descriptor the library makes is close-on-exec from its first
 * instant (a fork+exec in another thread must not inherit it) and starts
 * non-blocking (a listening socket would hang in accept() after poll()
 * when another process took the connection; a connect attempt must not
 * block the race). Where the kernel lacks SOCK_CLOEXEC or accept4() the
 * flags are set right after, here and nowhere else.
 *
 * SPDX-License-Identifier: MIT
 */
#include "socket.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/ioctl.h>

int sock_set_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value)) == 0 ? 0 : -errno;
}

int fd_set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return -errno;
	int want = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return want == fl || fcntl(fd, F_SETFL, want) == 0 ? 0 : -errno;
}

int fd_set_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);
	if (fl < 0)
		return -errno;
	return fl & FD_CLOEXEC || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == 0 ? 0 : -errno;
}

#if !HAVE_DECL_SOCK_CLOEXEC || !defined(HAVE_ACCEPT4)
/* Flags on a descriptor made without them; closes it on failure. */
static int finish_fd(int fd, bool nonblock)
{
	int rc = fd_set_cloexec(fd);
	if (rc == 0 && nonblock)
		rc = fd_set_nonblock(fd, true);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}
#endif

int sock_open(int family, int socktype)
{
#if HAVE_DECL_SOCK_CLOEXEC
	int fd = socket(family, socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	return fd >= 0 ? fd : -errno;
#else
	int fd = socket(family, socktype, 0);
	return fd >= 0 ? finish_fd(fd, true) : -errno;
#endif
}

int sock_accept(int fd, anysock_addr *peer, bool nonblock)
{
	memset(peer, 0, sizeof(*peer));
	peer->len = sizeof(peer->u);
#ifdef HAVE_ACCEPT4
	int c = accept4(fd, &peer->u.sa, &peer->len,
			SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0));
	return c >= 0 ? c : -errno;
#else
	int c = accept(fd, &peer->u.sa, &peer->len);
	return c >= 0 ? finish_fd(c, nonblock) : -errno;
#endif
}

bool sock_has_interface(int fd, unsigned ifindex)
{
	/* Asked through the socket, so in its own network namespace, which
	 * need not be the calling thread's. */
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	if (ifindex > INT32_MAX)
		return false;
	ifr.ifr_ifindex = (int)ifindex;
	return ioctl(fd, SIOCGIFNAME, &ifr) == 0;
}
