/*
 * relay.h - what the parts of anysock-relay share. The program is split by
 * concern, each file with its own head comment:
 *
 *   main.c     the command line, the listening sockets, the workers'
 *              threads, and the main thread: signals (SIGTERM drains,
 *              SIGHUP reloads, SIGUSR1 logs the figures) and the metrics
 *   stream.c   a TCP worker: one epoll loop relaying its connections
 *   datagram.c a UDP worker (--udp): one epoll loop relaying its flows
 *   stats.c    the figures each worker keeps, summed for the metrics
 *   metrics.c  the HTTP/1.0 server of --metrics, in the main thread
 *   log.c      the one line each connection leaves, as text or JSON
 *   sources.c  --source-map: an address of the pool per client
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

enum log_format { LOG_TEXT, LOG_JSON };

/* The command line, read once by main.c before any worker starts. */
struct relay_config {
	const char *listen_host, *listen_port;
	unsigned listen_flags;
	const char *host, *port; /* the target */
	anysock_connect_opts opts;
	int proxy_version; /* 0: no header to the target */
	bool accept_proxy;
	bool udp;                 /* --udp: datagrams, not streams */
	const char *trusted_path; /* --trusted-sources, read again on SIGHUP */
	int workers, max_conns, connect_ms, idle_ms, header_ms, drain_ms;
	const char *metrics; /* --metrics HOST:PORT; NULL: none */
	const char *user;    /* -u: who to be once listening; NULL: as started */
	enum log_format log_format;
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

/* main.c: whether peer may send a PROXY header (--trusted-sources, which
 * SIGHUP may replace at any time: the check holds a read lock). */
bool trusted_source(const anysock_addr *peer);

/* ---- Figures (stats.c) ---------------------------------------------------- */

/* Why a connection (or a UDP flow) ended: a label of the metrics and the
 * "end" field of a JSON line. */
enum end_reason {
	END_CLOSED,         /* both sides finished */
	END_RESET,          /* a side reset, or stopped taking data */
	END_IDLE,           /* --idle-timeout */
	END_REFUSED,        /* the target could not be reached */
	END_HEADER_TIMEOUT, /* --accept-proxy: no header in time */
	END_HEADER_BAD,     /* a header malformed, too long, or cut short */
	END_UNTRUSTED,      /* a header from outside --trusted-sources */
	END_CAP,            /* UDP: a new flow past --max-connections */
	END_SOURCE_POOL,    /* --source-map: no free address near the client's */
	END_DRAIN,          /* still open when --drain-timeout ran out */
	END_ERROR,          /* out of memory, a descriptor epoll refused */
	END_REASONS
};
extern const char *const end_reason_name[END_REASONS];

enum pause_reason { PAUSE_CAP, PAUSE_DESCRIPTORS, PAUSE_REASONS };

/* Why a datagram was not passed on (--udp). */
enum drop_reason {
	DROP_CAP,         /* a new client at the flow cap */
	DROP_DESCRIPTORS, /* a new client with no descriptor left for its flow */
	DROP_WAITING,     /* more than WAITING while the target was being chosen */
	DROP_SEND,        /* the kernel refused it (the target's port closed...) */
	DROP_DRAINING,    /* a new client during the drain */
	DROP_REASONS
};
extern const char *const drop_reason_name[DROP_REASONS];

/* Target connect time: upper bounds of the histogram's buckets, in us. */
#define CONNECT_BUCKETS 12

/* What one worker counts. Only that worker writes (count(), a relaxed
 * load and store, no locked instruction); the main thread reads any time. */
struct stats {
	_Atomic uint64_t current;  /* connections (UDP: flows) open now */
	_Atomic uint64_t accepted; /* connections accepted (UDP: flows begun) */
	_Atomic uint64_t bytes[2]; /* up (client to target), down */
	_Atomic uint64_t datagrams[2];
	_Atomic uint64_t ended[END_REASONS];
	_Atomic uint64_t pauses[PAUSE_REASONS];
	_Atomic uint64_t family[2];                           /* target reached over IPv4, IPv6 */
	_Atomic uint64_t connect_bucket[CONNECT_BUCKETS + 1]; /* the last: slower */
	_Atomic uint64_t connect_us;                          /* their sum */
	_Atomic uint64_t dropped[DROP_REASONS];               /* datagrams */
	char pad[64];                                         /* a line of its own */
};

static inline void count(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

static inline void set_gauge(_Atomic uint64_t *c, uint64_t v)
{
	atomic_store_explicit(c, v, memory_order_relaxed);
}

/* Every worker's, allocated by main.c before the workers start. */
extern struct stats *worker_stats;
/* SIGHUP reloads that worked and that failed (main thread only). */
extern _Atomic uint64_t reloads[2];

/* A target connection took us microseconds, over family (AF_INET...). */
void stats_connected(struct stats *s, int family, int64_t us);
/* The Prometheus text of every worker's figures summed, into a malloc'd
 * buffer (*len its length); NULL when out of memory. */
char *stats_prometheus(size_t *len);
/* The figures as one log line (SIGUSR1). */
void stats_log(void);

/* ---- Log lines (log.c) ---------------------------------------------------- */

/* What one connection leaves behind, as it ends. */
struct conn_report {
	const char *proto;                   /* "tcp", "udp" */
	const anysock_addr *client, *target; /* target: family 0 when never reached */
	const anysock_addr *source;          /* --source-map: the client's; NULL */
	uint64_t up, down;                   /* bytes */
	uint64_t datagrams[2];               /* UDP: up, down */
	int64_t ms;
	enum end_reason reason;
	const char *why; /* the detail, for people */
};
void log_connection(const struct conn_report *r);
/* A notice on standard output ("listening on ...", "draining"): the text as
 * it is, or {"event": event, "message": text} with --log-format json. */
void log_notice(const char *event, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string of text into buf (quotes included), cut to fit. */
size_t json_string(char *buf, size_t size, const char *text);

/* ---- The metrics server (metrics.c) --------------------------------------- */

/* Listen on cfg.metrics (exit 1 when it cannot), before privileges go;
 * then watch it from the main thread's epoll set ep. */
void metrics_open(void);
void metrics_watch(int ep);
/* An epoll event of ep: true when it was the metrics server's. */
bool metrics_event(void *tag, uint32_t events);
/* Milliseconds until its next deadline (-1: none); close what is past it. */
int metrics_next_wait(void);
void metrics_expire(void);
void metrics_close(void);

/* ---- The source pool (sources.c) ------------------------------------------ */

/* --source-map text: its family (AF_INET, AF_INET6), or -1 with why. */
int sources_init(const char *text, char *why, size_t size);
bool sources_on(void);
/* The pool address of client (its port aside), taken until given back
 * (once per take); -EADDRINUSE when every address near the client's is a
 * live client's, -ENOMEM. */
int source_take(const anysock_addr *client, anysock_addr *source);
void source_give(const anysock_addr *source);
uint64_t sources_live(void);
/* GET /sources/ADDR: who has (or last had) ADDR, as text into out; the
 * HTTP status (200, 404). GET /sources: every live one (malloc'd). */
int sources_who(const char *text, char *out, size_t size);
char *sources_list(size_t *len);

/* ---- Workers -------------------------------------------------------------- */

/* stream.c: a TCP worker taking its share (cap) of the connections. new:
 * NULL with errno set when it cannot be made; run: its thread, until the
 * drain is over; free: after run returned. */
struct stream_worker;
struct stream_worker *stream_worker_new(int id, int cap, struct stats *stats);
void *stream_worker_run(void *worker);
void stream_worker_free(struct stream_worker *w);

/* datagram.c: a UDP worker with its own listening sockets l (its flows
 * need no lock: the kernel keeps each client on one socket). */
struct datagram_worker;
struct datagram_worker *datagram_worker_new(int id, int cap, struct stats *stats,
					    anysock_listener *l);
void *datagram_worker_run(void *worker);
void datagram_worker_free(struct datagram_worker *w);

/* Workers still running: the main thread stops once none is. */
extern atomic_int workers_running;

#endif
