/*
 * stats.c - the figures of anysock-relay: what HAProxy's stats socket and
 * Prometheus exporters give operators (connections now and in all, bytes
 * each way, why connections ended, why accepting paused, how long the
 * target took to answer and over which family), kept per worker and
 * summed when asked: as Prometheus text (--metrics, metrics.c) or as one
 * log line (SIGUSR1).
 *
 * Each worker writes its own struct stats and nothing else does, so a
 * counter moves with a plain load and store (count() in relay.h): the
 * data path takes no lock and no locked instruction for them. A reader
 * sums the workers' values; a sum taken while they move is a moment's
 * figure, never a torn one (each value is one aligned 64-bit word).
 *
 * SPDX-License-Identifier: MIT
 */
#include "relay.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stats *worker_stats;
_Atomic uint64_t reloads[2];

const char *const end_reason_name[END_REASONS] = {
	[END_CLOSED] = "closed",
	[END_RESET] = "reset",
	[END_IDLE] = "idle",
	[END_REFUSED] = "refused",
	[END_HEADER_TIMEOUT] = "header_timeout",
	[END_HEADER_BAD] = "header_bad",
	[END_UNTRUSTED] = "untrusted",
	[END_CAP] = "cap",
	[END_SOURCE_POOL] = "source_pool",
	[END_DRAIN] = "drain",
	[END_ERROR] = "error",
};

static const char *const pause_name[PAUSE_REASONS] = { "cap", "descriptors" };

const char *const drop_reason_name[DROP_REASONS] = {
	[DROP_CAP] = "cap",   [DROP_DESCRIPTORS] = "descriptors", [DROP_WAITING] = "waiting",
	[DROP_SEND] = "send", [DROP_DRAINING] = "draining",
};

/* The histogram's upper bounds: loopback answers in tens of microseconds,
 * a distant target in tens of milliseconds, a dead one at the timeout. */
static const int64_t bucket_us[CONNECT_BUCKETS] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 250000, 1000000, 5000000
};

void stats_connected(struct stats *s, int family, int64_t us)
{
	int b = 0;
	while (b < CONNECT_BUCKETS && us > bucket_us[b])
		b++;
	count(&s->connect_bucket[b], 1);
	count(&s->connect_us, (uint64_t)(us > 0 ? us : 0));
	count(&s->family[family == AF_INET6], 1);
}

/* Every worker's figures added up. */
static void sum(struct stats *t)
{
	memset(t, 0, sizeof(*t));
	const size_t n = offsetof(struct stats, pad) / sizeof(uint64_t);
	for (int w = 0; w < cfg.workers; w++) {
		const _Atomic uint64_t *from = (const _Atomic uint64_t *)&worker_stats[w];
		_Atomic uint64_t *to = (_Atomic uint64_t *)t;
		for (size_t i = 0; i < n; i++)
			to[i] += atomic_load_explicit(&from[i], memory_order_relaxed);
	}
}

/* A growing text buffer; on failure it stays failed and says so at the end. */
struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct text *t, const char *fmt, ...)
{
	for (int tries = 0; tries < 2 && !t->failed; tries++) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = 2 * t->cap + (size_t)(n > 0 ? n : 0);
		char *bigger = n < 0 ? NULL : realloc(t->buf, cap);
		if (bigger == NULL)
			t->failed = true;
		else
			t->buf = bigger, t->cap = cap;
	}
}

static void family_header(struct text *t, const char *name, const char *type, const char *help)
{
	put(t, "# HELP anysock_relay_%s %s\n# TYPE anysock_relay_%s %s\n", name, help, name, type);
}

static void histogram(struct text *t, const struct stats *s)
{
	family_header(t, "connect_seconds", "histogram",
		      "How long the target took to accept a connection (UDP: to be chosen).");
	uint64_t below = 0;
	for (int b = 0; b <= CONNECT_BUCKETS; b++) {
		below += s->connect_bucket[b];
		if (b < CONNECT_BUCKETS)
			put(t, "anysock_relay_connect_seconds_bucket{le=\"%g\"} %llu\n",
			    (double)bucket_us[b] / 1e6, (unsigned long long)below);
		else
			put(t, "anysock_relay_connect_seconds_bucket{le=\"+Inf\"} %llu\n",
			    (unsigned long long)below);
	}
	put(t, "anysock_relay_connect_seconds_sum %.6f\n", (double)s->connect_us / 1e6);
	put(t, "anysock_relay_connect_seconds_count %llu\n", (unsigned long long)below);
}

char *stats_prometheus(size_t *len)
{
	struct stats s;
	sum(&s);
	struct text t = { malloc(4096), 0, 4096, false };
	t.failed = t.buf == NULL;
	family_header(&t, "current_connections", "gauge",
		      "Connections open now (with --udp: flows).");
	put(&t, "anysock_relay_current_connections %llu\n", (unsigned long long)s.current);
	family_header(&t, "connections_total", "counter",
		      "Connections accepted (with --udp: flows begun).");
	put(&t, "anysock_relay_connections_total %llu\n", (unsigned long long)s.accepted);
	family_header(&t, "bytes_total", "counter",
		      "Bytes relayed: up from the clients to the target, down back.");
	for (int d = 0; d < 2; d++)
		put(&t, "anysock_relay_bytes_total{direction=\"%s\"} %llu\n", d ? "down" : "up",
		    (unsigned long long)s.bytes[d]);
	family_header(&t, "datagrams_total", "counter", "Datagrams relayed (--udp), up and down.");
	for (int d = 0; d < 2; d++)
		put(&t, "anysock_relay_datagrams_total{direction=\"%s\"} %llu\n", d ? "down" : "up",
		    (unsigned long long)s.datagrams[d]);
	family_header(&t, "datagrams_dropped_total", "counter",
		      "Datagrams (--udp) not passed on, by why.");
	for (int r = 0; r < DROP_REASONS; r++)
		put(&t, "anysock_relay_datagrams_dropped_total{reason=\"%s\"} %llu\n",
		    drop_reason_name[r], (unsigned long long)s.dropped[r]);
	family_header(&t, "connections_ended_total", "counter",
		      "Connections (with --udp: flows) ended, by why.");
	for (int r = 0; r < END_REASONS; r++)
		put(&t, "anysock_relay_connections_ended_total{reason=\"%s\"} %llu\n",
		    end_reason_name[r], (unsigned long long)s.ended[r]);
	family_header(&t, "accept_pauses_total", "counter",
		      "Times a worker stopped accepting: at its cap, or out of descriptors.");
	for (int r = 0; r < PAUSE_REASONS; r++)
		put(&t, "anysock_relay_accept_pauses_total{reason=\"%s\"} %llu\n", pause_name[r],
		    (unsigned long long)s.pauses[r]);
	family_header(&t, "target_connections_total", "counter",
		      "Connections made to the target, by the family it answered on.");
	put(&t, "anysock_relay_target_connections_total{family=\"ipv4\"} %llu\n",
	    (unsigned long long)s.family[0]);
	put(&t, "anysock_relay_target_connections_total{family=\"ipv6\"} %llu\n",
	    (unsigned long long)s.family[1]);
	histogram(&t, &s);
	if (sources_on()) {
		family_header(&t, "source_clients", "gauge",
			      "Clients holding an address of the --source-map pool now.");
		put(&t, "anysock_relay_source_clients %llu\n", (unsigned long long)sources_live());
	}
	family_header(&t, "reloads_total", "counter",
		      "SIGHUP reloads of --trusted-sources, by result.");
	put(&t, "anysock_relay_reloads_total{result=\"ok\"} %llu\n",
	    (unsigned long long)atomic_load(&reloads[0]));
	put(&t, "anysock_relay_reloads_total{result=\"failed\"} %llu\n",
	    (unsigned long long)atomic_load(&reloads[1]));
	if (t.failed) {
		free(t.buf);
		return NULL;
	}
	*len = t.len;
	return t.buf;
}

void stats_log(void)
{
	struct stats s;
	sum(&s);
	char ended[512] = "", pauses[128] = "";
	size_t n = 0, m = 0;
	bool json = cfg.log_format == LOG_JSON;
	for (int r = 0; r < END_REASONS && n < sizeof(ended); r++)
		n += (size_t)snprintf(ended + n, sizeof(ended) - n,
				      json ? "%s\"%s\":%llu" : "%s%s=%llu",
				      r ? json ? "," : " " : "", end_reason_name[r],
				      (unsigned long long)s.ended[r]);
	for (int r = 0; r < PAUSE_REASONS && m < sizeof(pauses); r++)
		m += (size_t)snprintf(pauses + m, sizeof(pauses) - m,
				      json ? "%s\"%s\":%llu" : "%s%s=%llu",
				      r ? json ? "," : " " : "", pause_name[r],
				      (unsigned long long)s.pauses[r]);
	uint64_t made = s.family[0] + s.family[1];
	unsigned long long avg_us = made ? (unsigned long long)(s.connect_us / made) : 0;
	if (json)
		printf("{\"event\":\"stats\",\"current\":%llu,\"total\":%llu,\"up\":%llu,\"down\":%llu,"
		       "\"datagrams_up\":%llu,\"datagrams_down\":%llu,\"ended\":{%s},\"pauses\":{%s},"
		       "\"ipv4\":%llu,\"ipv6\":%llu,\"connect_avg_us\":%llu}\n",
		       (unsigned long long)s.current, (unsigned long long)s.accepted,
		       (unsigned long long)s.bytes[0], (unsigned long long)s.bytes[1],
		       (unsigned long long)s.datagrams[0], (unsigned long long)s.datagrams[1],
		       ended, pauses, (unsigned long long)s.family[0],
		       (unsigned long long)s.family[1], avg_us);
	else
		printf("anysock-relay: stats: %llu open, %llu in all; up %llu down %llu bytes "
		       "(%llu/%llu datagrams); ended %s; paused %s; target over ipv4=%llu ipv6=%llu, "
		       "connect %llu us on average\n",
		       (unsigned long long)s.current, (unsigned long long)s.accepted,
		       (unsigned long long)s.bytes[0], (unsigned long long)s.bytes[1],
		       (unsigned long long)s.datagrams[0], (unsigned long long)s.datagrams[1],
		       ended, pauses, (unsigned long long)s.family[0],
		       (unsigned long long)s.family[1], avg_us);
}
