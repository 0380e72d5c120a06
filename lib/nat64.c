/*
 * nat64.c - IPv6-only networks: the NAT64 prefix found (RFC 7050, RFC
 * 8880), checked, and used both ways (RFC 6052); anysock_nat64(3).
 *
 * Discovery asks the system resolver, through the bounded lookups
 * (lookup.c), for the AAAA records of ipv4only.arpa: a name that has only
 * A records (192.0.0.170 and 192.0.0.171), so any AAAA answer was made by
 * the network's DNS64 (RFC 6147), and where the well-known address sits in
 * it gives the prefix and its length (RFC 7050 section 3). The answer is
 * kept in pref64.c, where the embedded-IPv4 table reads it. An answer is
 * taken in the thread that got it (a hook of the lookup), so it is kept
 * even when every caller has given up waiting.
 *
 * The resolver says nothing of a record's TTL, so an answer is kept for a
 * fixed time: FOUND_MS, or NONE_MS when the network has no NAT64 (no
 * answer, NXDOMAIN, no AAAA record, a server that never answers, or
 * answers refused below). After that the next caller that needs it asks
 * again, and meanwhile the old answer still counts.
 *
 * One discovery runs at a time: every caller that needs an answer (the
 * blocking anysock_nat64_prefixes, each connector) joins the one under
 * way and watches its lookup's descriptor, so a thousand connections
 * started at once on an IPv6-only host ask the name server once. A child
 * of fork() starts with none under way: the parent's worker is not its.
 *
 * Refused, never guessed (RFC 7050 section 3, RFC 6052 section 2.2): an
 * answer that carries neither well-known address at a valid position,
 * one that carries it at several positions that the other answers do not
 * tell apart, a prefix with bits 64-71 set, and a prefix in a block that
 * has a meaning of its own (anything outside global unicast 2000::/3,
 * unique local fc00::/7 and the two NAT64 blocks 64:ff9b::/96 and
 * 64:ff9b:1::/48; the IETF protocol block 2001::/23, 6to4 2002::/16).
 *
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "clock.h"
#include "key128.h"
#include "lookup.h"
#include "nat64.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#define DISCOVERY_NAME "ipv4only.arpa" /* RFC 7050 section 2.2, RFC 8880 */
#define FOUND_MS (10 * 60 * 1000)
#define NONE_MS (30 * 1000)
#define STALE_MS (60 * 1000) /* a discovery this old is not joined */
#define ANSWERS 16           /* AAAA records read from one answer */

/* ------------------------------------------------------------------------ */
/* What may be a NAT64 prefix, and what may be translated                   */
/* ------------------------------------------------------------------------ */

struct block {
	uint64_t hi, lo;
	unsigned len;
};

/* A prefix lies inside one of these... */
static const struct block usable[] = {
	{ 0x2000000000000000u, 0, 3 },  /* RFC 4291: global unicast */
	{ 0xfc00000000000000u, 0, 7 },  /* RFC 4193: unique local */
	{ 0x0064ff9b00000000u, 0, 96 }, /* RFC 6052 2.1: the well-known prefix */
	{ 0x0064ff9b00010000u, 0, 48 }, /* RFC 8215: local-use translation */
};
/* ... and meets none of these, which carry meanings of their own. */
static const struct block reserved[] = {
	{ 0x2001000000000000u, 0, 23 }, /* RFC 2928: IETF protocol (Teredo, ...) */
	{ 0x2002000000000000u, 0, 16 }, /* RFC 3056: 6to4 */
};

/* Whether the first len bits of k and b agree. */
static bool agree(struct key128 k, const struct block *b, unsigned len)
{
	uint64_t mhi = len >= 64 ? UINT64_MAX : len == 0 ? 0 : ~(UINT64_MAX >> len);
	uint64_t mlo = len <= 64 ? 0 : ~(UINT64_MAX >> (len - 64));
	return (k.hi & mhi) == (b->hi & mhi) && (k.lo & mlo) == (b->lo & mlo);
}

int nat64_prefix_check(const unsigned char prefix[16], unsigned len)
{
	if (len != 32 && len != 40 && len != 48 && len != 56 && len != 64 && len != 96)
		return ANYSOCK_E_NAT64LEN;
	for (unsigned i = len / 8; i < 16; i++)
		if (prefix[i] != 0)
			return ANYSOCK_E_HOSTBITS;
	if (prefix[8] != 0) /* RFC 6052 2.2: a /96 prefix keeps bits 64-71 zero */
		return ANYSOCK_E_NAT64PREFIX;
	struct key128 k = key_from_bytes(prefix);
	bool inside = false;
	for (size_t i = 0; i < ARRAY_SIZE(usable) && !inside; i++)
		inside = len >= usable[i].len && agree(k, &usable[i], usable[i].len);
	for (size_t i = 0; i < ARRAY_SIZE(reserved) && inside; i++)
		inside = !agree(k, &reserved[i], len < reserved[i].len ? len : reserved[i].len);
	return inside ? 0 : ANYSOCK_E_NAT64PREFIX;
}

static bool is_well_known(const unsigned char prefix[16], unsigned len)
{
	return len == 96 && agree(key_from_bytes(prefix), &usable[2], 96);
}

int nat64_target_check(const unsigned char prefix[16], unsigned len, const unsigned char v4[4])
{
	anysock_addr a;
	anysock_addr_from_in(&a, (const struct in_addr *)(const void *)v4, 0);
	unsigned c = anysock_addr_class(&a);
	if (v4[0] == 0 ||
	    (c & (ANYSOCK_CLASS_UNSPECIFIED | ANYSOCK_CLASS_LOOPBACK | ANYSOCK_CLASS_LINK_LOCAL |
		  ANYSOCK_CLASS_MULTICAST | ANYSOCK_CLASS_BROADCAST)))
		return ANYSOCK_E_NAT64TARGET;
	/* RFC 6052 section 3.1: the well-known prefix MUST NOT carry
	 * non-global IPv4 addresses (and translators refuse them). */
	if (is_well_known(prefix, len) && !(c & ANYSOCK_CLASS_GLOBAL))
		return ANYSOCK_E_NAT64TARGET;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* RFC 7050: the prefix in the answers for ipv4only.arpa                    */
/* ------------------------------------------------------------------------ */

static const unsigned char well_known_v4[2][4] = { { 192, 0, 0, 170 }, { 192, 0, 0, 171 } };
static const unsigned lengths[] = { 96, 64, 56, 48, 40, 32 };

/* Which well-known address b carries at len: 0 or 1, -1 for neither. */
static int carries(const unsigned char b[16], unsigned len)
{
	unsigned char v4[4];
	if (!pref64_extract_at(b, len, v4))
		return -1;
	for (int w = 0; w < 2; w++)
		if (memcmp(v4, well_known_v4[w], 4) == 0)
			return w;
	return -1;
}

/* The prefix length answer i of a[0..n) shows, 0 for none. Where it
 * carries a well-known address at more than one length, the length at
 * which another answer under the same prefix carries the other address
 * decides (RFC 7050 section 3); with no such answer, or several, none. */
static unsigned length_of(const unsigned char (*a)[16], size_t n, size_t i)
{
	unsigned found = 0, seen = 0, confirmed = 0, agreeing = 0;
	for (size_t l = 0; l < ARRAY_SIZE(lengths); l++) {
		int w = carries(a[i], lengths[l]);
		if (w < 0)
			continue;
		seen++;
		found = lengths[l];
		bool other = false;
		for (size_t j = 0; j < n && !other; j++)
			other = j != i && pref64_contains(a[i], lengths[l], a[j]) &&
				carries(a[j], lengths[l]) == 1 - w;
		if (other) {
			agreeing++;
			confirmed = lengths[l];
		}
	}
	if (seen <= 1)
		return found;
	return agreeing == 1 ? confirmed : 0;
}

/* The prefixes the AAAA answers res show, at most PREF64_MAX, in order. */
static size_t prefixes_of(const struct addrinfo *res, struct pref64 *out)
{
	unsigned char a[ANSWERS][16];
	size_t n = 0, k = 0;
	for (const struct addrinfo *ai = res; ai != NULL && n < ANSWERS; ai = ai->ai_next)
		if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(struct sockaddr_in6))
			memcpy(a[n++],
			       ((const struct sockaddr_in6 *)(const void *)ai->ai_addr)
				       ->sin6_addr.s6_addr,
			       16);
	for (size_t i = 0; i < n && k < PREF64_MAX; i++) {
		struct pref64 p = { .len = length_of(a, n, i) };
		if (p.len == 0)
			continue;
		memcpy(p.b, a[i], p.len / 8);
		if (nat64_prefix_check(p.b, p.len) < 0)
			continue;
		bool dup = false;
		for (size_t j = 0; j < k && !dup; j++)
			dup = out[j].len == p.len && memcmp(out[j].b, p.b, 16) == 0;
		if (!dup)
			out[k++] = p;
	}
	return k;
}

static void retire_unwatched(void);

/* The lookup's hook, in the thread that got the answer: keep it. Any
 * answer is kept (none, a failure, a timeout: no NAT64 for a while) but
 * the resolver running out of memory or descriptors. */
static void discovery_answer(int rc, const struct addrinfo *res)
{
	struct pref64 found[PREF64_MAX];
	size_t n = rc == 0 ? prefixes_of(res, found) : 0;
	if (rc == EAI_MEMORY || rc == EAI_SYSTEM) {
		pref64_ended();
	} else {
		int64_t ms = n > 0 ? FOUND_MS : NONE_MS;
		pref64_learn(found, n, mono_us() + ms * 1000);
	}
	retire_unwatched();
}

/* AAAA only, one socket type: one answer per address. */
static int start_lookup(int timeout_ms, anysock_lookup **out)
{
	struct addrinfo hints = { .ai_family = AF_INET6, .ai_socktype = SOCK_STREAM };
	return lookup_start_addrinfo_then(DISCOVERY_NAME, NULL, &hints, timeout_ms,
					  discovery_answer, out);
}

/* ------------------------------------------------------------------------ */
/* One discovery at a time                                                  */
/* ------------------------------------------------------------------------ */

struct discovery {
	anysock_lookup *lookup; /* its descriptor is what waiters watch */
	unsigned generation;    /* pref64's when it began */
	int64_t started;
	bool refused; /* ended at once with no answer (the pool's cap) */
	int refs;     /* under disc.lock: each waiter's, and current's */
};

static struct {
	pthread_mutex_t lock;
	struct discovery *current; /* the one to join, holding a reference */
	struct discovery *parents; /* in a child: the parent's, never touched */
} disc = { PTHREAD_MUTEX_INITIALIZER, NULL, NULL };

static void disc_prepare(void)
{
	pthread_mutex_lock(&disc.lock);
}

static void disc_parent(void)
{
	pthread_mutex_unlock(&disc.lock);
}

/* The parent's discovery runs on a worker the child does not have: set
 * aside (its job is the parent pool's, not the child's to free). */
static void disc_child(void)
{
	if (disc.current != NULL)
		disc.parents = disc.current;
	disc.current = NULL;
	pthread_mutex_unlock(&disc.lock);
}

static pthread_once_t disc_once = PTHREAD_ONCE_INIT;

static void disc_init(void)
{
	pthread_atfork(disc_prepare, disc_parent, disc_child);
}

/* Every taker goes through here, so that fork() knows the lock first. */
static void disc_lock(void)
{
	pthread_once(&disc_once, disc_init);
	pthread_mutex_lock(&disc.lock);
}

bool discovery_done(const struct discovery *d)
{
	return d->refused || pref64_generation() != d->generation;
}

int discovery_fd(const struct discovery *d)
{
	return anysock_lookup_fd(d->lookup);
}

static void discovery_free(struct discovery *d)
{
	if (d == NULL)
		return;
	anysock_lookup_free(d->lookup); /* abandoned if still running */
	free(d);
}

/* Under disc.lock: stop offering the current discovery once it ended or
 * grew too old to join; what to free after unlocking, or NULL. */
static struct discovery *retire(bool when_unwatched)
{
	struct discovery *d = disc.current;
	if (d == NULL || (when_unwatched && d->refs > 1))
		return NULL;
	if (!discovery_done(d) && mono_us() - d->started < (int64_t)STALE_MS * 1000)
		return NULL;
	disc.current = NULL;
	return --d->refs == 0 ? d : NULL;
}

/* An ended discovery nobody waits for holds a descriptor: let it go. */
static void retire_unwatched(void)
{
	disc_lock();
	struct discovery *old = retire(true);
	pthread_mutex_unlock(&disc.lock);
	discovery_free(old);
}

static struct discovery *discovery_start(void)
{
	struct discovery *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->generation = pref64_generation();
	d->started = mono_us();
	d->refs = 1;
	if (start_lookup(-1, &d->lookup) < 0) {
		free(d);
		return NULL;
	}
	/* Answered here (the hosts file), or refused by the pool. */
	d->refused = lookup_settled(d->lookup) && pref64_generation() == d->generation;
	return d;
}

struct discovery *discovery_join(void)
{
	disc_lock();
	struct discovery *old = retire(false), *d = disc.current;
	if (d != NULL)
		d->refs++;
	pthread_mutex_unlock(&disc.lock);
	discovery_free(old);
	if (d != NULL || (d = discovery_start()) == NULL)
		return d;
	disc_lock();
	if (disc.current == NULL && !discovery_done(d)) { /* else one raced ahead */
		disc.current = d;
		d->refs++;
	}
	pthread_mutex_unlock(&disc.lock);
	return d;
}

void discovery_leave(struct discovery *d)
{
	if (d == NULL)
		return;
	disc_lock();
	bool last = --d->refs == 0;
	struct discovery *old = retire(true);
	pthread_mutex_unlock(&disc.lock);
	if (last)
		discovery_free(d);
	discovery_free(old);
}

/* At exit, so that leak checkers see nothing left. */
__attribute__((destructor)) static void disc_exit(void)
{
	disc_lock();
	struct discovery *d = disc.current;
	disc.current = NULL;
	bool last = d != NULL && --d->refs == 0;
	pthread_mutex_unlock(&disc.lock);
	if (last)
		discovery_free(d);
}

/* ------------------------------------------------------------------------ */
/* The API                                                                  */
/* ------------------------------------------------------------------------ */

static int prefix_in(const anysock_prefix *p, struct pref64 *out)
{
	if (p == NULL)
		return -EINVAL;
	if (p->family != AF_INET6) /* ::ffff:0:0/96 is stored as 0.0.0.0/0 */
		return p->family == AF_INET ? ANYSOCK_E_NAT64PREFIX : -EINVAL;
	memset(out, 0, sizeof(*out));
	memcpy(out->b, p->u.v6.s6_addr, 16);
	out->len = p->len;
	return nat64_prefix_check(out->b, out->len);
}

static int prefixes_out(anysock_prefix *out, size_t max)
{
	struct pref64 known[2 * PREF64_MAX];
	size_t n = pref64_list(known, NULL, max < ARRAY_SIZE(known) ? max : ARRAY_SIZE(known));
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].family = AF_INET6;
		out[i].len = known[i].len;
		memcpy(out[i].u.v6.s6_addr, known[i].b, 16);
	}
	return (int)n;
}

/* Wait for a discovery until deadline (0 ms: start one, do not wait). */
static int await_discovery(int timeout_ms)
{
	int64_t deadline = deadline_in(timeout_ms);
	struct discovery *d = discovery_join();
	if (d == NULL)
		return 0; /* nothing could start: what is known is the answer */
	struct pollfd p = { discovery_fd(d), POLLIN, 0 };
	int rc = 0;
	while (timeout_ms != 0 && !discovery_done(d) && (rc = poll_until(&p, 1, deadline)) > 0)
		;
	discovery_leave(d);
	return rc < 0 ? rc : 0;
}

int anysock_nat64_prefixes(anysock_prefix *out, size_t max, int timeout_ms)
{
	if (out == NULL && max > 0)
		return -EINVAL;
	struct pref64_status st;
	pref64_status(mono_us(), &st);
	if (!st.fresh) {
		int rc = await_discovery(timeout_ms);
		if (rc < 0)
			return rc;
	}
	return prefixes_out(out, max);
}

int anysock_nat64_add(const anysock_prefix *p)
{
	struct pref64 pp;
	int rc = prefix_in(p, &pp);
	return rc < 0 ? rc : pref64_add(&pp);
}

int anysock_nat64_synthesize(const anysock_addr *v4, const anysock_prefix *p, anysock_addr *out)
{
	if (out == NULL)
		return -EINVAL;
	int family = addr_check_ip(v4);
	if (family < 0)
		return family;
	anysock_addr a = *v4;
	anysock_addr_unmap(&a);
	if (a.u.sa.sa_family != AF_INET)
		return -EAFNOSUPPORT;
	struct pref64 pp;
	int rc = 0;
	if (p != NULL)
		rc = prefix_in(p, &pp);
	else if (pref64_list(&pp, NULL, 1) == 0)
		rc = ANYSOCK_E_NONAT64;
	const unsigned char *v4b = (const unsigned char *)&a.u.sin.sin_addr;
	if (rc == 0)
		rc = nat64_target_check(pp.b, pp.len, v4b);
	if (rc < 0)
		return rc;
	struct in6_addr ip;
	pref64_embed(pp.b, pp.len, v4b, ip.s6_addr);
	return anysock_addr_from_in6(out, &ip, ntohs(a.u.sin.sin_port), 0);
}

int anysock_nat64_extract(const anysock_addr *v6, const anysock_prefix *p, anysock_addr *out)
{
	int family = addr_check_ip(v6);
	if (family < 0)
		return family;
	if (family != AF_INET6)
		return -EAFNOSUPPORT;
	const unsigned char *b = v6->u.sin6.sin6_addr.s6_addr;
	unsigned char v4[4];
	if (p != NULL) {
		struct pref64 pp;
		int rc = prefix_in(p, &pp);
		if (rc < 0)
			return rc;
		if (!pref64_contains(pp.b, pp.len, b) || !pref64_extract_at(b, pp.len, v4))
			return -ENOENT;
	} else if (embedded_v4(b, v4) != ANYSOCK_CLASS_NAT64) {
		return -ENOENT;
	}
	if (out != NULL)
		anysock_addr_from_in(out, (const struct in_addr *)(const void *)v4,
				     ntohs(v6->u.sin6.sin6_port));
	return 0;
}

int anysock_nat64_start(int timeout_ms, anysock_lookup **out)
{
	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	return start_lookup(timeout_ms, out);
}

int anysock_nat64_result(anysock_lookup *q, anysock_prefix *out, size_t max)
{
	if (!lookup_has_hook(q, discovery_answer) || (out == NULL && max > 0))
		return -EINVAL;
	if (!lookup_settled(q))
		return -EINPROGRESS;
	return prefixes_out(out, max);
}
