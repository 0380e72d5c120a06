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
 * after "files", a file that cannot be read) means "not known": the lookup
 * then takes the bounded path, which is always correct.
 *
 * SPDX-License-Identifier: MIT
 */
#include "internal.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <arpa/inet.h>
#include <time.h>
#include <sys/stat.h>

#define NSSWITCH "/etc/nsswitch.conf"
#define HOSTS "/etc/hosts"
#define RECHECK_MS 1000

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
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct stamp stamp_of(const char *path)
{
	struct stat st;
	struct stamp s = { 0 };
	if (stat(path, &st) == 0)
		s = (struct stamp){ st.st_dev, st.st_ino, st.st_size, st.st_mtim, true };
	return s;
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
	bool yes = false;
	while (fgets(line, sizeof(line), f) != NULL) {
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
	return yes;
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

static void drop_entries(void)
{
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
	bool ok = true;
	while (ok && fgets(line, sizeof(line), f) != NULL) {
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
	if (ok) {
		qsort(cache.addrs, cache.naddrs, sizeof(*cache.addrs), cmp_addr);
		qsort(cache.names, cache.nnames, sizeof(*cache.names), cmp_name);
	}
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
	cache.files_first = nss_files_first() && load_hosts();
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
	bool hit = refresh() &&
		   bsearch(&k, cache.addrs, cache.naddrs, sizeof(*cache.addrs), cmp_addr) != NULL;
	pthread_mutex_unlock(&cache.lock);
	return hit;
}

static bool has_name(char family, const char *name)
{
	char key[256];
	size_t n = strlen(name);
	if (n + 2 > sizeof(key))
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

/* Free the cache at exit, so leak checkers see nothing left. */
__attribute__((destructor)) static void hosts_exit(void)
{
	pthread_mutex_lock(&cache.lock);
	drop_entries();
	cache.valid = false;
	pthread_mutex_unlock(&cache.lock);
}
