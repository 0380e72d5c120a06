/*
 * sources.c - --source-map PREFIX: the relay connects to the target from
 * an address of PREFIX chosen by the client, so a backend that cannot
 * read a PROXY header still tells its clients apart (in its logs, rate
 * limits and bans), IPv6 clients included.
 *
 * All of 127.0.0.0/8 is local on Linux, so for a backend on the same host
 * a pool such as 127.64.0.0/10 needs no setup at all; for a backend on
 * another host the pool is routed back to the relay (anysock-relay(1),
 * "Clients visible without PROXY").
 *
 * The choice: a client's address (its port left out) is hashed with a
 * fixed key, so the same client gets the same address after a restart;
 * that address, or the next free one after it (at most MAX_PROBES on),
 * becomes the client's for as long as it has a connection (or a UDP
 * flow) open, and no other live client is given it. A client with several
 * connections keeps one address. When every address near a client's is
 * taken by live ones, its connection is refused (and counted): two
 * clients never share an address.
 *
 * Two hash tables of the live mappings find them by client and by pool
 * address; RECENT ended mappings are remembered for "who was it?". One
 * mutex guards it all: each use is a few lookups.
 *
 * SPDX-License-Identifier: MIT
 */
#include "relay.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#define MAX_PROBES 64
#define RECENT 4096
#define LIST_MAX 10000            /* GET /sources: the lock is held while it is written */
#define KEY 0x616e79736f636b21ULL /* fixed: the same choice after a restart */
#define CMP (ANYSOCK_CMP_NOPORT | ANYSOCK_CMP_UNMAP | ANYSOCK_CMP_NOSCOPE)

struct mapping {
	anysock_addr client; /* its address, port 0 */
	uint32_t index;      /* in the pool */
	uint32_t refs;       /* connections and flows open */
	time_t since;
};

/* A linear-probing table of mappings; removal shifts back (no tombstones). */
struct table {
	struct mapping **slot;
	size_t mask;
	uint64_t (*hash)(const struct mapping *);
};

static struct {
	bool on;
	anysock_prefix prefix;
	uint32_t offset, size; /* pool address i is prefix + offset + i */
	pthread_mutex_t lock;
	struct table by_client, by_index;
	size_t live;
	struct {
		anysock_addr client;
		uint32_t index;
		time_t ended;
	} recent[RECENT];
	size_t recent_next;
} pool = { .lock = PTHREAD_MUTEX_INITIALIZER };

static uint64_t client_hash(const struct mapping *m)
{
	return anysock_addr_hash(&m->client, CMP, KEY);
}

static uint64_t index_hash(const struct mapping *m)
{
	uint64_t x = m->index * 0x9e3779b97f4a7c15ULL; /* Fibonacci hashing */
	return x ^ (x >> 29);
}

static bool table_init(struct table *t, size_t cap, uint64_t (*hash)(const struct mapping *))
{
	t->slot = calloc(cap, sizeof(*t->slot));
	t->mask = cap - 1;
	t->hash = hash;
	return t->slot != NULL;
}

static void table_put(struct table *t, struct mapping *m)
{
	size_t i = t->hash(m) & t->mask;
	while (t->slot[i] != NULL)
		i = (i + 1) & t->mask;
	t->slot[i] = m;
}

/* The slot holding m, which is in t. */
static size_t table_where(const struct table *t, const struct mapping *m)
{
	size_t i = t->hash(m) & t->mask;
	while (t->slot[i] != m)
		i = (i + 1) & t->mask;
	return i;
}

static void table_remove(struct table *t, const struct mapping *m)
{
	size_t i = table_where(t, m), j = i;
	t->slot[i] = NULL;
	for (;;) { /* move back what probed past the hole */
		j = (j + 1) & t->mask;
		if (t->slot[j] == NULL)
			return;
		size_t home = t->hash(t->slot[j]) & t->mask;
		if (((j - home) & t->mask) >= ((j - i) & t->mask)) {
			t->slot[i] = t->slot[j];
			t->slot[j] = NULL;
			i = j;
		}
	}
}

/* Twice the size once half full: probes stay short. */
static bool table_grow(struct table *t)
{
	struct table bigger;
	if (!table_init(&bigger, 2 * (t->mask + 1), t->hash))
		return false;
	for (size_t i = 0; i <= t->mask; i++)
		if (t->slot[i] != NULL)
			table_put(&bigger, t->slot[i]);
	free(t->slot);
	*t = bigger;
	return true;
}

static struct mapping *by_client(const anysock_addr *client)
{
	struct mapping key = { .client = *client };
	struct table *t = &pool.by_client;
	for (size_t i = t->hash(&key) & t->mask; t->slot[i] != NULL; i = (i + 1) & t->mask)
		if (anysock_addr_equal(&t->slot[i]->client, client, CMP))
			return t->slot[i];
	return NULL;
}

static struct mapping *by_index(uint32_t index)
{
	struct mapping key = { .index = index };
	struct table *t = &pool.by_index;
	for (size_t i = t->hash(&key) & t->mask; t->slot[i] != NULL; i = (i + 1) & t->mask)
		if (t->slot[i]->index == index)
			return t->slot[i];
	return NULL;
}

/* ---- Pool addresses ------------------------------------------------------ */

/* The low bits of a that the pool numbers (at most 32). */
static uint32_t low_bits(const anysock_addr *a)
{
	if (a->u.sa.sa_family == AF_INET)
		return ntohl(a->u.sin.sin_addr.s_addr);
	uint32_t v;
	memcpy(&v, &a->u.sin6.sin6_addr.s6_addr[12], 4);
	return ntohl(v);
}

static void address_of(uint32_t index, anysock_addr *out)
{
	uint32_t host_bits = (pool.prefix.family == AF_INET ? 32 : 128) - pool.prefix.len;
	uint32_t mask = host_bits >= 32 ? 0xffffffffu : (1u << host_bits) - 1;
	uint32_t v = pool.offset + index;
	if (pool.prefix.family == AF_INET) {
		struct in_addr in = { htonl((ntohl(pool.prefix.u.v4.s_addr) & ~mask) | v) };
		anysock_addr_from_in(out, &in, 0);
	} else {
		struct in6_addr in6 = pool.prefix.u.v6;
		uint32_t low;
		memcpy(&low, &in6.s6_addr[12], 4);
		low = htonl((ntohl(low) & ~mask) | v);
		memcpy(&in6.s6_addr[12], &low, 4);
		anysock_addr_from_in6(out, &in6, 0, 0);
	}
}

/* The pool index of a; false when a is not one of the pool's. */
static bool index_of(const anysock_addr *a, uint32_t *index)
{
	anysock_addr u = *a;
	anysock_addr_unmap(&u);
	if (!anysock_prefix_contains(&pool.prefix, &u) || u.u.sa.sa_family != pool.prefix.family)
		return false;
	uint32_t host_bits = (pool.prefix.family == AF_INET ? 32 : 128) - pool.prefix.len;
	uint32_t mask = host_bits >= 32 ? 0xffffffffu : (1u << host_bits) - 1;
	uint32_t v = low_bits(&u) & mask;
	if (host_bits > 32 && (u.u.sa.sa_family == AF_INET6)) {
		anysock_addr first;
		address_of(0, &first); /* the pool numbers only the low 32 bits */
		if (memcmp(&u.u.sin6.sin6_addr, &first.u.sin6.sin6_addr, 12) != 0)
			return false;
	}
	if (v < pool.offset || v - pool.offset >= pool.size)
		return false;
	*index = v - pool.offset;
	return true;
}

int sources_init(const char *text, char *why, size_t size)
{
	if (anysock_prefix_parse(text, &pool.prefix, 0) < 0) {
		snprintf(why, size, "not a prefix (an address/length, host bits zero)");
		return -1;
	}
	uint32_t host_bits = (pool.prefix.family == AF_INET ? 32 : 128) - pool.prefix.len;
	/* Leave out the prefix's own address (and IPv4's broadcast). */
	uint64_t n = host_bits >= 32 ? 1ULL << 32 : 1ULL << host_bits;
	pool.offset = n > 2 ? 1 : 0;
	n -= pool.offset + (pool.prefix.family == AF_INET && n > 2 ? 1 : 0);
	pool.size = n > 0xffffffffu ? 0xffffffffu : (uint32_t)n;
	if (pool.size < 2) {
		snprintf(why, size, "a pool of %u address: give it room (127.64.0.0/10)",
			 (unsigned)pool.size);
		return -1;
	}
	if (!table_init(&pool.by_client, 1024, client_hash) ||
	    !table_init(&pool.by_index, 1024, index_hash)) {
		snprintf(why, size, "out of memory");
		return -1;
	}
	pool.on = true;
	return pool.prefix.family;
}

bool sources_on(void)
{
	return pool.on;
}

/* ---- Taking and giving back -------------------------------------------- */

static int take_locked(const anysock_addr *client, anysock_addr *source)
{
	struct mapping *m = by_client(client);
	if (m != NULL) {
		m->refs++;
		address_of(m->index, source);
		return 0;
	}
	uint64_t home = anysock_addr_hash(client, CMP, KEY) % pool.size;
	uint32_t probes = pool.size < MAX_PROBES ? pool.size : MAX_PROBES;
	for (uint32_t k = 0; k < probes; k++) {
		uint32_t index = (uint32_t)((home + k) % pool.size);
		if (by_index(index) != NULL)
			continue; /* a live client's */
		if (2 * (pool.live + 1) > pool.by_client.mask &&
		    (!table_grow(&pool.by_client) || !table_grow(&pool.by_index)))
			return -ENOMEM;
		m = calloc(1, sizeof(*m));
		if (m == NULL)
			return -ENOMEM;
		m->client = *client;
		anysock_addr_set_port(&m->client, 0);
		anysock_addr_unmap(&m->client);
		m->index = index;
		m->refs = 1;
		m->since = time(NULL);
		table_put(&pool.by_client, m);
		table_put(&pool.by_index, m);
		pool.live++;
		address_of(index, source);
		return 0;
	}
	return -EADDRINUSE;
}

int source_take(const anysock_addr *client, anysock_addr *source)
{
	pthread_mutex_lock(&pool.lock);
	int rc = take_locked(client, source);
	pthread_mutex_unlock(&pool.lock);
	return rc;
}

void source_give(const anysock_addr *source)
{
	uint32_t index;
	if (!index_of(source, &index))
		return;
	pthread_mutex_lock(&pool.lock);
	struct mapping *m = by_index(index);
	if (m != NULL && --m->refs == 0) {
		table_remove(&pool.by_client, m);
		table_remove(&pool.by_index, m);
		pool.live--;
		size_t r = pool.recent_next++ % RECENT;
		pool.recent[r].client = m->client;
		pool.recent[r].index = m->index;
		pool.recent[r].ended = time(NULL);
		free(m);
	}
	pthread_mutex_unlock(&pool.lock);
}

uint64_t sources_live(void)
{
	pthread_mutex_lock(&pool.lock);
	uint64_t n = pool.live;
	pthread_mutex_unlock(&pool.lock);
	return n;
}

/* ---- Who is it? ---------------------------------------------------------- */

static void utc(time_t t, char *buf, size_t size)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int sources_who(const char *text, char *out, size_t size)
{
	anysock_addr a;
	uint32_t index;
	char pool_text[ANYSOCK_PREFIXSTRLEN];
	anysock_prefix_ntop(&pool.prefix, pool_text, sizeof(pool_text));
	if (!pool.on) {
		snprintf(out, size,
			 "no --source-map: every client comes from the relay's address\n");
		return 404;
	}
	if (anysock_pton(text, &a, 0) < 0 || !index_of(&a, &index)) {
		snprintf(out, size, "%s: not an address of the pool %s\n", text, pool_text);
		return 404;
	}
	char client[ANYSOCK_ADDRSTRLEN], when[32];
	pthread_mutex_lock(&pool.lock);
	struct mapping *m = by_index(index);
	int status = 200;
	if (m != NULL) {
		anysock_ntop(&m->client, client, sizeof(client), ANYSOCK_NTOP_NOPORT);
		utc(m->since, when, sizeof(when));
		snprintf(out, size, "%s %s open %u since %s\n", text, client, m->refs, when);
	} else {
		size_t n = pool.recent_next < RECENT ? pool.recent_next : RECENT, k = 0;
		while (k < n && pool.recent[(pool.recent_next - 1 - k) % RECENT].index != index)
			k++;
		if (k < n) {
			size_t r = (pool.recent_next - 1 - k) % RECENT;
			anysock_ntop(&pool.recent[r].client, client, sizeof(client),
				     ANYSOCK_NTOP_NOPORT);
			utc(pool.recent[r].ended, when, sizeof(when));
			snprintf(out, size, "%s %s open 0 ended %s\n", text, client, when);
		} else {
			snprintf(out, size, "%s: no client now, nor among the last %d to leave\n",
				 text, RECENT);
			status = 404;
		}
	}
	pthread_mutex_unlock(&pool.lock);
	return status;
}

char *sources_list(size_t *len)
{
	pthread_mutex_lock(&pool.lock);
	size_t shown = pool.live < LIST_MAX ? pool.live : LIST_MAX, listed = 0;
	size_t cap = 128 + shown * 192, n = 0;
	char *buf = malloc(cap);
	for (size_t i = 0; buf != NULL && i <= pool.by_index.mask && listed < shown; i++) {
		const struct mapping *m = pool.by_index.slot[i];
		if (m == NULL)
			continue;
		listed++;
		char source[ANYSOCK_ADDRSTRLEN], client[ANYSOCK_ADDRSTRLEN], when[32];
		anysock_addr a;
		address_of(m->index, &a);
		anysock_ntop(&a, source, sizeof(source), ANYSOCK_NTOP_NOPORT);
		anysock_ntop(&m->client, client, sizeof(client), ANYSOCK_NTOP_NOPORT);
		utc(m->since, when, sizeof(when));
		n += (size_t)snprintf(buf + n, cap - n, "%s %s open %u since %s\n", source, client,
				      m->refs, when);
	}
	if (buf != NULL && pool.live > shown)
		n += (size_t)snprintf(buf + n, cap - n, "and %zu more\n", pool.live - shown);
	pthread_mutex_unlock(&pool.lock);
	*len = n;
	return buf;
}
