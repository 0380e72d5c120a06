/*
 * pref64.c - the NAT64 prefixes this process knows, and RFC 6052's format.
 *
 * A network-specific NAT64 prefix (RFC 6052 section 2.2) is the
 * operator's choice, so nothing in an address says that it carries an
 * IPv4 one. The process learns the prefixes, from the program
 * (anysock_nat64_add) or from discovery (nat64.c, RFC 7050), and from then
 * on the embedded-IPv4 table (addr.c) sees through addresses under them:
 * canonical forms, comparisons, classes, access lists and the connector's
 * peers all change with this state. It changes only when the program adds
 * a prefix or a discovery ends; never because time passed (an expired
 * answer is still used until a new discovery replaces it).
 *
 * Readers are every classification of an IPv6 address, from any thread,
 * so they take no lock: the set is a seqlock (Boehm, "Can Seqlocks Get
 * Along With Programming Language Memory Models?", 2012), every word read
 * and written atomically, and a reader retries when a writer ran while it
 * read. With no prefix known a reader costs one load. Writers hold a
 * mutex, which fork() takes first (pthread_atfork), so a child never finds
 * it held by a thread it does not have, nor the set half written. This
 * file calls no other: addr.c, at the bottom of the library, reads it.
 *
 * SPDX-License-Identifier: MIT
 */
#include "pref64.h"

#include <errno.h>
#include <pthread.h>

/* One prefix as readers see it: masked key halves and the length. */
struct slot {
	uint64_t hi, lo;
	unsigned len;
};

static struct {
	pthread_mutex_t lock; /* writers */
	unsigned seq;         /* odd while a writer changes table and n */
	unsigned n;           /* entries in table: added, then learned */
	struct slot table[2 * PREF64_MAX];
	/* the writers' side, under lock */
	struct pref64 added[PREF64_MAX], learned[PREF64_MAX];
	unsigned nadded, nlearned;
	enum pref64_state state;
	int64_t expires;
	unsigned generation; /* read without the lock too */
} store = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* ------------------------------------------------------------------------ */
/* RFC 6052                                                                 */
/* ------------------------------------------------------------------------ */

/* RFC 6052 section 2.2: the IPv4 address starts right after the prefix and
 * steps over byte 8 (bits 64-71, which must stay zero). */
void pref64_embed(const unsigned char prefix[16], unsigned len, const unsigned char v4[4],
		  unsigned char out[16])
{
	unsigned at = len / 8;
	memset(out, 0, 16);
	memcpy(out, prefix, at);
	for (int i = 0; i < 4; i++, at++) {
		if (at == 8)
			at++;
		out[at] = v4[i];
	}
}

bool pref64_extract_at(const unsigned char b[16], unsigned len, unsigned char v4[4])
{
	if (b[8] != 0) /* "These bits MUST be set to zero", the /96 prefix's too */
		return false;
	unsigned at = len / 8;
	for (int i = 0; i < 4; i++, at++) {
		if (at == 8)
			at++;
		v4[i] = b[at];
	}
	return true;
}

static void masks(unsigned len, uint64_t *hi, uint64_t *lo)
{
	*hi = len >= 64 ? UINT64_MAX : ~(UINT64_MAX >> len);
	*lo = len <= 64 ? 0 : ~(UINT64_MAX >> (len - 64));
}

bool pref64_contains(const unsigned char prefix[16], unsigned len, const unsigned char b[16])
{
	uint64_t mhi, mlo;
	masks(len, &mhi, &mlo);
	struct key128 p = key_from_bytes(prefix), k = key_from_bytes(b);
	return (k.hi & mhi) == (p.hi & mhi) && (k.lo & mlo) == (p.lo & mlo);
}

/* ------------------------------------------------------------------------ */
/* Readers                                                                  */
/* ------------------------------------------------------------------------ */

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

bool pref64_extract(const unsigned char b[16], unsigned char v4[4])
{
	if (LOAD(store.n) == 0)
		return false; /* what every host without NAT64 pays */
	struct key128 k = key_from_bytes(b);
	for (;;) {
		unsigned seq = __atomic_load_n(&store.seq, __ATOMIC_ACQUIRE);
		unsigned len = 0, n = LOAD(store.n);
		for (unsigned i = 0; i < n && i < ARRAY_SIZE(store.table) && len == 0; i++) {
			unsigned l = LOAD(store.table[i].len);
			uint64_t mhi, mlo;
			masks(l, &mhi, &mlo);
			if ((k.hi & mhi) == LOAD(store.table[i].hi) &&
			    (k.lo & mlo) == LOAD(store.table[i].lo))
				len = l;
		}
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if ((seq & 1) == 0 && __atomic_load_n(&store.seq, __ATOMIC_RELAXED) == seq)
			return len != 0 && pref64_extract_at(b, len, v4);
	}
}

unsigned pref64_generation(void)
{
	return __atomic_load_n(&store.generation, __ATOMIC_ACQUIRE);
}

/* ------------------------------------------------------------------------ */
/* Writers                                                                  */
/* ------------------------------------------------------------------------ */

static void atfork_prepare(void)
{
	pthread_mutex_lock(&store.lock);
}

static void atfork_release(void)
{
	pthread_mutex_unlock(&store.lock);
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void register_atfork(void)
{
	pthread_atfork(atfork_prepare, atfork_release, atfork_release);
}

static void store_lock(void)
{
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&store.lock);
}

static void put_slot(unsigned i, const struct pref64 *p)
{
	struct key128 k = key_from_bytes(p->b);
	uint64_t mhi, mlo;
	masks(p->len, &mhi, &mlo);
	STORE(store.table[i].hi, k.hi & mhi);
	STORE(store.table[i].lo, k.lo & mlo);
	STORE(store.table[i].len, p->len);
}

/* Under store.lock: what readers see becomes added + learned. */
static void publish(void)
{
	unsigned seq = store.seq;
	STORE(store.seq, seq + 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	unsigned n = 0;
	for (unsigned i = 0; i < store.nadded; i++)
		put_slot(n++, &store.added[i]);
	for (unsigned i = 0; i < store.nlearned; i++)
		put_slot(n++, &store.learned[i]);
	STORE(store.n, n);
	__atomic_store_n(&store.seq, seq + 2, __ATOMIC_RELEASE);
}

static bool same(const struct pref64 *a, const struct pref64 *b)
{
	return a->len == b->len && memcmp(a->b, b->b, 16) == 0;
}

int pref64_add(const struct pref64 *p)
{
	store_lock();
	int rc = 0;
	bool known = false;
	for (unsigned i = 0; i < store.nadded && !known; i++)
		known = same(&store.added[i], p);
	if (!known && store.nadded == PREF64_MAX)
		rc = -ENOSPC;
	else if (!known) {
		store.added[store.nadded++] = *p;
		publish();
	}
	pthread_mutex_unlock(&store.lock);
	return rc;
}

void pref64_learn(const struct pref64 *p, size_t n, int64_t expires)
{
	store_lock();
	store.nlearned = 0;
	for (size_t i = 0; i < n && i < PREF64_MAX; i++)
		store.learned[store.nlearned++] = p[i];
	store.state = n > 0 ? PREF64_FOUND : PREF64_NONE;
	store.expires = expires;
	publish();
	__atomic_store_n(&store.generation, store.generation + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&store.lock);
}

void pref64_ended(void)
{
	store_lock();
	__atomic_store_n(&store.generation, store.generation + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&store.lock);
}

void pref64_status(int64_t now, struct pref64_status *st)
{
	store_lock();
	*st = (struct pref64_status){ store.state,
				      store.state != PREF64_UNKNOWN && now < store.expires,
				      store.nadded, store.nlearned };
	pthread_mutex_unlock(&store.lock);
}

size_t pref64_list(struct pref64 *out, unsigned *source, size_t max)
{
	store_lock();
	size_t n = 0;
	for (unsigned i = 0; i < store.nadded && n < max; i++, n++) {
		out[n] = store.added[i];
		if (source != NULL)
			source[n] = 0;
	}
	for (unsigned i = 0; i < store.nlearned && n < max; i++, n++) {
		out[n] = store.learned[i];
		if (source != NULL)
			source[n] = 1;
	}
	pthread_mutex_unlock(&store.lock);
	return n;
}
