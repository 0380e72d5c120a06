/*
 * socket.h - the one socket opener and the one accept, and the flags of
 * a descriptor (socket.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_SOCKET_H
#define ANYSOCK_SOCKET_H

#include "internal.h"

/* A socket that is close-on-exec and non-blocking, or -errno. */
int sock_open(int family, int socktype);
/* accept() into *peer (as the kernel gave it), close-on-exec, non-blocking
 * when asked. The new descriptor, or -errno. */
int sock_accept(int fd, anysock_addr *peer, bool nonblock);
/* setsockopt() of an int: 0 or -errno. */
int sock_set_int(int fd, int level, int name, int value);
/* Whether interface ifindex exists where the socket is (its namespace). */
bool sock_has_interface(int fd, unsigned ifindex);
/* O_NONBLOCK on or off, FD_CLOEXEC on: 0 or -errno. */
int fd_set_nonblock(int fd, bool on);
int fd_set_cloexec(int fd);

#endif
