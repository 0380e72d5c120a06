/*
 * hosts.c - will the system resolver answer this from /etc/hosts?
 *
 * A bounded lookup hops to a worker thread, which costs more than reading
 * the hosts file does. When nsswitch.conf consults "files" first (with the
 * default action, so a hit ends the lookup) and the hosts file lists the
 * address or name, glibc answers from the file without asking any name
 * server: the lookup cannot block, and runs in the calling thread.
 *
 * The file's addresses and names are kept sorted, rebuilt whenever either
 * file's identity or modification time changes, which is checked (one
 * stat() each) at most every RECHECK_MS: an entry removed less than that
 * long ago may still send one lookup down the unbounded path.
 * Anything unexpected (no nsswitch.conf, another source first, an action
 * after "files", a file that cannot be read or stat()ed, a line longer
 * than the reader's buffer) means "not known": the lookup then takes the
 * bounded path, which is always correct. (A hosts line cut at 1023 bytes
 * once made its first half a name the file answers, and a lookup of it ran
 * unbounded: 4.0 s against a 200 ms limit, in anysock_connector_start,
 * which must never block. A stat() that fails, as it does with EOVERFLOW
 * on a 32-bit build for a file dated past 2038, left the cache never
 * reloaded: a removed name still counted as answered by the file.)
 *
 * What glibc answered for such a name is kept too, for RECHECK_MS and
 * while neither file changes (hosts_resolve): glibc reads the whole file
 * and sorts the answer (RFC 6724, with a UDP connect() per address) on
 * every call, 65 us on the test VM, which was most of what starting a
 * connector cost. The sort depends on the routes, so an answer is kept no
 * longer than the file's own recheck.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addrinfo.h"
#include "hosts.h"
#include "key128.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <arpa/inet.h>
#include <time.h>
#include <sys/stat.h>

/* The files read: /etc's, unless a test or fuzz target chose others
 * (hosts_use_files). */
static const char *nsswitch_path = "/etc/nsswitch.conf", *hosts_path = "/etc/hosts";
#define NSSWITCH nsswitch_path
#define HOSTS hosts_path
#define RECHECK_MS 1000
#define ANSWERS 16 /* the names kept, least recently asked replaced */

/* One getaddrinfo answer: the question, and the addresses. */
struct answer {
	char *name, *service;
	int family, socktype, protocol, flags;
	struct timespec at, used; /* CLOCK_MONOTONIC_COARSE */
	anysock_addr *addr;
	int n;
};

struct stamp {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool present;
};

static struct {
	pthread_mutex_t lock;
	struct stamp nss, hosts;
	bool valid, files_first;
	struct timespec checked; /* CLOCK_MONOTONIC_COARSE */
	struct key128 *addrs;
	size_t naddrs;
	char **names;
	size_t nnames;
	struct answer answers[ANSWERS];
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* The file's identity and time; present is false when stat() fails, for
 * whatever reason: nothing about the file can be promised then. */
static struct stamp stamp_of(const char *path)
{
	struct stat st;
	struct stamp s = { 0 };
	if (stat(path, &st) == 0)
		s = (struct stamp){ st.st_dev, st.st_ino, st.st_size, st.st_mtim, true };
	return s;
}

/* The next whole line of f into line (size bytes, with its NUL); false at
 * the end of the file, or with *cut set when the line is longer than that
 * (or holds a NUL byte): what glibc makes of such a line is not known. */
static bool read_line(FILE *f, char *line, size_t size, bool *cut)
{
	if (fgets(line, (int)size, f) == NULL)
		return false;
	size_t n = strlen(line);
	if ((n > 0 && line[n - 1] == '\n') || (n + 1 < size && feof(f)))
		return true;
	*cut = true;
	return false;
}

static bool same_stamp(const struct stamp *a, const struct stamp *b)
{
	return a->present == b->present && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

/* "hosts: files ..." with nothing between "files" and the next source
 * that could change what a hit means ("[SUCCESS=continue]"). */
static bool nss_files_first(void)
{
	FILE *f = fopen(NSSWITCH, "re");
	if (f == NULL)
		return false; /* glibc's default puts dns first */
	char line[512];
	bool yes = false, cut = false;
	while (read_line(f, line, sizeof(line), &cut)) {
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "hosts:", 6) != 0)
			continue;
		p += 6;
		while (isspace((unsigned char)*p))
			p++;
		if (strncmp(p, "files", 5) == 0 && (p[5] == '\0' || isspace((unsigned char)p[5]))) {
			p += 5;
			while (*p == ' ' || *p == '\t')
				p++;
			yes = *p != '[';
		}
		break;
	}
	fclose(f);
	return yes && !cut;
}

static int cmp_addr(const void *pa, const void *pb)
{
	return key_cmp(*(const struct key128 *)pa, *(const struct key128 *)pb);
}

/* Names are kept as "4name" or "6name", by the family of their line: a
 * lookup for one family is answered by the file only if it lists that
 * family (glibc then stops; otherwise it goes on to DNS). */
static int cmp_name(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

static void drop_answer(struct answer *a)
{
	free(a->name);
	free(a->service);
	free(a->addr);
	memset(a, 0, sizeof(*a));
}

static void drop_entries(void)
{
	for (size_t i = 0; i < ANSWERS; i++)
		drop_answer(&cache.answers[i]);
	for (size_t i = 0; i < cache.nnames; i++)
		free(cache.names[i]);
	free(cache.names);
	free(cache.addrs);
	cache.names = NULL;
	cache.addrs = NULL;
	cache.nnames = cache.naddrs = 0;
}

/* One name of an address of family ('4' or '6'), stored as family + name. */
static bool add_name(size_t *cap, char family, const char *name)
{
	char **names = array_grow(cache.names, cap, cache.nnames, sizeof(*names));
	if (names == NULL)
		return false;
	cache.names = names;
	size_t n = strlen(name);
	char *e = malloc(n + 2);
	if (e == NULL)
		return false;
	e[0] = family;
	memcpy(e + 1, name, n + 1);
	cache.names[cache.nnames++] = e;
	return true;
}

/* Parse the hosts file: "address name [aliases...]", '#' comments. */
static bool load_hosts(void)
{
	FILE *f = fopen(HOSTS, "re");
	if (f == NULL)
		return false;
	size_t acap = 0, ncap = 0;
	char line[1024];
	bool ok = true, cut = false;
	while (ok && read_line(f, line, sizeof(line), &cut)) {
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		char *save = NULL, *tok = strtok_r(line, " \t\r\n", &save);
		anysock_addr a;
		if (tok == NULL || anysock_pton(tok, &a, ANYSOCK_PTON_NOPORT | ANYSOCK_PTON_NUMERIC_SCOPE) < 0)
			continue;
		struct key128 *addrs = array_grow(cache.addrs, &acap, cache.naddrs, sizeof(*addrs));
		if (addrs == NULL) {
			ok = false;
			break;
		}
		cache.addrs = addrs;
		cache.addrs[cache.naddrs++] = key_from_addr(&a);
		char family = a.u.sa.sa_family == AF_INET ? '4' : '6';
		while (ok && (tok = strtok_r(NULL, " \t\r\n", &save)) != NULL)
			ok = add_name(&ncap, family, tok);
	}
	fclose(f);
	ok = ok && !cut;
	/* (An empty array is NULL, which qsort and bsearch must not see.) */
	if (ok && cache.naddrs > 0)
		qsort(cache.addrs, cache.naddrs, sizeof(*cache.addrs), cmp_addr);
	if (ok && cache.nnames > 0)
		qsort(cache.names, cache.nnames, sizeof(*cache.names), cmp_name);
	return ok;
}

/* Under cache.lock: bring the cache up to date; false when nothing can be
 * promised. */
static bool refresh(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	long long since = (long long)(t.tv_sec - cache.checked.tv_sec) * 1000 +
			  (t.tv_nsec - cache.checked.tv_nsec) / 1000000;
	if (cache.valid && since >= 0 && since < RECHECK_MS)
		return cache.files_first;
	cache.checked = t;
	struct stamp nss = stamp_of(NSSWITCH), hosts = stamp_of(HOSTS);
	if (cache.valid && same_stamp(&nss, &cache.nss) && same_stamp(&hosts, &cache.hosts))
		return cache.files_first;
	drop_entries();
	cache.nss = nss;
	cache.hosts = hosts;
	cache.valid = true;
	cache.files_first = nss.present && hosts.present && nss_files_first() && load_hosts();
	if (!cache.files_first)
		drop_entries();
	return cache.files_first;
}

/* fork(): the child must not inherit the lock held by a thread it lacks. */
static void atfork_prepare(void)
{
	pthread_mutex_lock(&cache.lock);
}

static void atfork_release(void)
{
	pthread_mutex_unlock(&cache.lock);
}

static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void register_atfork(void)
{
	pthread_atfork(atfork_prepare, atfork_release, atfork_release);
}

static void cache_lock(void)
{
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&cache.lock);
}

bool hosts_has_addr(const anysock_addr *a)
{
	struct key128 k = key_from_addr(a);
	cache_lock();
	bool hit = refresh() && cache.naddrs > 0 &&
		   bsearch(&k, cache.addrs, cache.naddrs, sizeof(*cache.addrs), cmp_addr) != NULL;
	pthread_mutex_unlock(&cache.lock);
	return hit;
}

static bool has_name(char family, const char *name)
{
	char key[256];
	size_t n = strlen(name);
	if (n + 2 > sizeof(key) || cache.nnames == 0)
		return false;
	key[0] = family;
	memcpy(key + 1, name, n + 1);
	const char *k = key;
	return bsearch(&k, cache.names, cache.nnames, sizeof(*cache.names), cmp_name) != NULL;
}

bool hosts_has_name(const char *name, int family)
{
	cache_lock();
	bool hit = refresh() &&
		   ((family != AF_INET6 && has_name('4', name)) ||
		    (family != AF_INET && has_name('6', name)));
	pthread_mutex_unlock(&cache.lock);
	return hit;
}

static long long ms_between(struct timespec a, struct timespec b)
{
	return (long long)(b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

static bool same_question(const struct answer *a, const char *name, const char *service,
			  const struct addrinfo *h)
{
	return a->name != NULL && strcmp(a->name, name) == 0 &&
	       strcmp(a->service, service) == 0 && a->family == h->ai_family &&
	       a->socktype == h->ai_socktype && a->protocol == h->ai_protocol &&
	       a->flags == h->ai_flags;
}

/* Under cache.lock: the fresh answer to the question, or NULL. */
static struct answer *find_answer(const char *name, const char *service, const struct addrinfo *h,
				  struct timespec now)
{
	for (size_t i = 0; i < ANSWERS; i++) {
		struct answer *a = &cache.answers[i];
		if (a->name != NULL && ms_between(a->at, now) >= RECHECK_MS)
			drop_answer(a);
		else if (same_question(a, name, service, h))
			return a;
	}
	return NULL;
}

/* Under cache.lock: keep n addresses as the answer (best effort). */
static void keep_answer(const char *name, const char *service, const struct addrinfo *h,
			const anysock_addr *addr, int n, struct timespec now)
{
	struct answer *slot = &cache.answers[0];
	for (size_t i = 0; i < ANSWERS && slot->name != NULL; i++)
		if (cache.answers[i].name == NULL ||
		    ms_between(cache.answers[i].used, slot->used) > 0)
			slot = &cache.answers[i]; /* empty, or asked longer ago */
	drop_answer(slot);
	struct answer a = { strdup(name), strdup(service), h->ai_family, h->ai_socktype,
			    h->ai_protocol, h->ai_flags, now, now,
			    malloc((size_t)n * sizeof(*addr)), n };
	if (a.name == NULL || a.service == NULL || a.addr == NULL) {
		drop_answer(&a);
		return;
	}
	memcpy(a.addr, addr, (size_t)n * sizeof(*addr));
	*slot = a;
}

int hosts_resolve(const char *name, const char *service, const struct addrinfo *hints,
		  anysock_addr *out, size_t max)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	cache_lock();
	struct answer *a = refresh() ? find_answer(name, service, hints, now) : NULL;
	int n = -1;
	if (a != NULL) {
		n = a->n < (int)max ? a->n : (int)max;
		memcpy(out, a->addr, (size_t)n * sizeof(*out));
		a->used = now;
	}
	pthread_mutex_unlock(&cache.lock);
	if (n >= 0)
		return n;
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(name, service, hints, &res);
	n = resolve_collect(rc, res, out, max);
	if (res != NULL)
		freeaddrinfo(res);
	if (n > 0 && (size_t)n < max) { /* whole answers only */
		cache_lock();
		if (refresh() && find_answer(name, service, hints, now) == NULL)
			keep_answer(name, service, hints, out, n, now);
		pthread_mutex_unlock(&cache.lock);
	}
	return n;
}

void hosts_use_files(const char *nsswitch, const char *hosts)
{
	cache_lock();
	nsswitch_path = nsswitch != NULL ? nsswitch : "/etc/nsswitch.conf";
	hosts_path = hosts != NULL ? hosts : "/etc/hosts";
	drop_entries();
	cache.valid = false;
	pthread_mutex_unlock(&cache.lock);
}

void hosts_each_name(void (*fn)(char family, const char *name, void *arg), void *arg)
{
	cache_lock();
	if (refresh())
		for (size_t i = 0; i < cache.nnames; i++)
			fn(cache.names[i][0], cache.names[i] + 1, arg);
	pthread_mutex_unlock(&cache.lock);
}

/* Free the cache at exit, so leak checkers see nothing left. */
__attribute__((destructor)) static void hosts_exit(void)
{
	pthread_mutex_lock(&cache.lock);
	drop_entries();
	cache.valid = false;
	pthread_mutex_unlock(&cache.lock);
}
