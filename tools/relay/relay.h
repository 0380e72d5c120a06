/*
 * relay.h - what the parts of anysock-relay share. The program is split by
 * concern, each file with its own head comment:
 *
 *   main.c     the command line, the listening sockets, the workers'
 *              threads, and the main thread, which waits for signals
 *   stream.c   a TCP worker: one epoll loop relaying its connections
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef RELAY_H
#define RELAY_H

#include "config.h" /* _GNU_SOURCE: EPOLLEXCLUSIVE, pthread_setname_np, splice */

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <anysock.h>

#include "../tool.h"

/* The command line, read once by main.c before any worker starts. */
struct relay_config {
	const char *listen_host, *listen_port;
	unsigned listen_flags;
	const char *host, *port; /* the target */
	anysock_connect_opts opts;
	int proxy_version; /* 0: no header to the target */
	bool accept_proxy;
	anysock_acl *trusted;
	int workers, max_conns, connect_ms, idle_ms, header_ms, drain_ms;
};
extern struct relay_config cfg;

/* The listening sockets every TCP worker shares. */
extern anysock_listener *listener;
/* SIGTERM or SIGINT came: the main thread sets draining and writes to
 * stop_fd, which every worker's epoll set watches. */
extern atomic_bool draining;
extern int stop_fd;
/* What RLIMIT_NOFILE leaves for connections: taken before accepting, so
 * that a client accepted is never dropped for want of a descriptor to
 * reach the target with. */
extern atomic_long fd_budget;

/* stream.c: a TCP worker taking its share (cap) of the connections. new:
 * NULL with errno set when it cannot be made; run: its thread, until the
 * drain is over; free: after run returned. */
struct stream_worker;
struct stream_worker *stream_worker_new(int id, int cap);
void *stream_worker_run(void *worker);
void stream_worker_free(struct stream_worker *w);

#endif
