/*
 * dns.c - the test DNS responder (see dns.h). Written for these tests from
 * RFC 1035 section 4: header, question, answers with a name pointer.
 *
 * A delayed answer waits in a thread of its own, in poll() on an eventfd
 * that dns_stop() makes readable (a held one on a second, which
 * dns_release() makes readable). What the threads share (the socket,
 * stopping, the count of answers waiting) is under one lock, and
 * dns_stop() waits for the answers to go before it closes the socket: they
 * once sent on it after it was closed (or on whatever descriptor took its
 * number), and read "stopping" unlocked (ThreadSanitizer: data races).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdbool.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "dns.h"

static const struct dns_record *table;
static unsigned char dns64_prefix[16];
static unsigned dns64_len; /* 0: no DNS64 */
static int server_fd = -1;
static pthread_t server_thread;
static int stop_fd = -1;    /* an eventfd, readable once stopping */
static int release_fd = -1; /* an eventfd, readable once released */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gone = PTHREAD_COND_INITIALIZER; /* waiting went down */
static bool stopping;                                  /* under lock, like those below */
static bool released;                                  /* DNS_HELD rows answer at once */
static unsigned long queries;
static int waiting; /* delayed answers not yet sent or dropped */
static int held;    /* of which DNS_HELD ones */

static bool is_stopping(void)
{
	pthread_mutex_lock(&lock);
	bool stop = stopping;
	pthread_mutex_unlock(&lock);
	return stop;
}

int dns_held(void)
{
	pthread_mutex_lock(&lock);
	int n = held;
	pthread_mutex_unlock(&lock);
	return n;
}

unsigned long dns_queries(void)
{
	pthread_mutex_lock(&lock);
	unsigned long n = queries;
	pthread_mutex_unlock(&lock);
	return n;
}

/* The question's name as dotted lower-case text; the offset past it. */
static size_t read_name(const unsigned char *p, size_t n, size_t at, char *out, size_t size)
{
	size_t len = 0;
	while (at < n && p[at] != 0) {
		size_t label = p[at++];
		if (label > 63 || at + label > n || len + label + 2 > size)
			return 0;
		if (len > 0)
			out[len++] = '.';
		for (size_t i = 0; i < label; i++) {
			unsigned char c = p[at + i];
			out[len++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		at += label;
	}
	out[len] = '\0';
	return at < n ? at + 1 : 0;
}

static size_t put_name(unsigned char *p, const char *name)
{
	size_t n = 0;
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t label = dot ? (size_t)(dot - name) : strlen(name);
		p[n++] = (unsigned char)label;
		memcpy(p + n, name, label);
		n += label;
		name += label + (dot != NULL);
	}
	p[n++] = 0;
	return n;
}

int dns_set_dns64(const char *prefix)
{
	char text[64];
	const char *slash = prefix != NULL ? strchr(prefix, '/') : NULL;
	if (prefix == NULL) {
		dns64_len = 0;
		return 0;
	}
	if (slash == NULL || (size_t)(slash - prefix) >= sizeof(text))
		return -EINVAL;
	memcpy(text, prefix, (size_t)(slash - prefix));
	text[slash - prefix] = '\0';
	int len = atoi(slash + 1);
	if (inet_pton(AF_INET6, text, dns64_prefix) != 1 || len % 8 != 0 || len < 32 || len > 96 ||
	    len == 72 || len == 80 || len == 88)
		return -EINVAL;
	pthread_mutex_lock(&lock);
	dns64_len = (unsigned)len;
	pthread_mutex_unlock(&lock);
	return 0;
}

/* RFC 6052 section 2.2, Figure 1: the prefix, then the IPv4 address from
 * bit len on, bits 64-71 left zero (written here apart from the library's
 * own, so each checks the other). */
static void synthesize(const unsigned char v4[4], unsigned char out[16])
{
	memset(out, 0, 16);
	memcpy(out, dns64_prefix, dns64_len / 8);
	unsigned bit = dns64_len;
	for (int i = 0; i < 32; i++, bit++) {
		if (bit == 64)
			bit = 72;
		if (v4[i / 8] & (0x80 >> (i % 8)))
			out[bit / 8] |= (unsigned char)(0x80 >> (bit % 8));
	}
}

struct reply {
	unsigned char buf[512];
	size_t len;
	struct sockaddr_in to;
	int delay_ms;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A delayed answer: sent when its time comes (a held one: once released),
 * unless the server stops first; either way it is counted out, under the
 * lock the socket is closed under. */
static void *send_later(void *arg)
{
	struct reply *r = arg;
	bool is_held = r->delay_ms == DNS_HELD;
	double due = now_ms() + (is_held ? 0 : r->delay_ms);
	struct pollfd wake[2] = { { .fd = stop_fd, .events = POLLIN },
				  { .fd = release_fd, .events = POLLIN } };
	if (is_held)
		while (poll(wake, 2, -1) < 0 && errno == EINTR)
			;
	for (double left; (left = due - now_ms()) > 0;)
		if (poll(wake, 1, (int)left + 1) > 0)
			break;
	pthread_mutex_lock(&lock);
	if (!stopping)
		sendto(server_fd, r->buf, r->len, 0, (struct sockaddr *)&r->to, sizeof(r->to));
	held -= is_held;
	if (--waiting == 0)
		pthread_cond_signal(&gone);
	pthread_mutex_unlock(&lock);
	free(r);
	return NULL;
}

/* A row's name is the name, or "*.suffix" for every name under suffix. */
static bool name_matches(const char *pattern, const char *name)
{
	if (strncmp(pattern, "*.", 2) != 0)
		return strcmp(pattern, name) == 0;
	size_t n = strlen(name), p = strlen(pattern + 1);
	return n > p && strcmp(name + n - p, pattern + 1) == 0;
}

/* One answer record (rdlen bytes of type type) for the question's name. */
static bool add_answer(struct reply *r, int type, const unsigned char *rdata, size_t rdlen)
{
	if (r->len + 12 + rdlen > sizeof(r->buf))
		return false;
	unsigned char *a = r->buf + r->len;
	a[0] = 0xc0, a[1] = 12; /* the question's name */
	a[2] = (unsigned char)(type >> 8), a[3] = (unsigned char)type;
	a[4] = 0, a[5] = 1;                      /* class IN */
	a[6] = 0, a[7] = 0, a[8] = 0, a[9] = 60; /* TTL */
	a[10] = (unsigned char)(rdlen >> 8), a[11] = (unsigned char)rdlen;
	memcpy(a + 12, rdata, rdlen);
	r->len += 12 + rdlen;
	return true;
}

static void answer(const unsigned char *q, size_t n, const struct sockaddr_in *from)
{
	char name[256];
	size_t qend = read_name(q, n, 12, name, sizeof(name));
	if (n < 12 || qend == 0 || qend + 4 > n)
		return;
	int qtype = q[qend] << 8 | q[qend + 1];
	struct reply *r = calloc(1, sizeof(*r));
	if (r == NULL)
		return;
	r->to = *from;
	memcpy(r->buf, q, qend + 4); /* header and question */
	r->len = qend + 4;
	r->buf[2] = (unsigned char)(0x80 | (q[2] & 0x01)); /* QR, RD as asked */
	r->buf[3] = 0x80;                                  /* RA */
	memset(r->buf + 6, 0, 6);                          /* AN, NS, AR */
	bool known = false, typed = false;
	int answers = 0, delay = 0;
	pthread_mutex_lock(&lock);
	unsigned dns64 = qtype == 28 ? dns64_len : 0;
	bool now_released = released;
	pthread_mutex_unlock(&lock);
	for (const struct dns_record *rec = table; rec->name != NULL; rec++) {
		if (!name_matches(rec->name, name))
			continue;
		if (!known || (rec->type == qtype && !typed))
			delay = rec->delay_ms; /* the first row of the type asked decides */
		known = true;
		if (rec->type != qtype)
			continue;
		typed = true;
		unsigned char rdata[256];
		size_t rdlen = 0;
		if (rec->value == NULL)
			continue; /* a row that only sets the delay (-1: drop) */
		if (qtype == 1 && inet_pton(AF_INET, rec->value, rdata) == 1)
			rdlen = 4;
		else if (qtype == 28 && inet_pton(AF_INET6, rec->value, rdata) == 1)
			rdlen = 16;
		else if (qtype == 12)
			rdlen = put_name(rdata, rec->value);
		if (rdlen > 0 && add_answer(r, qtype, rdata, rdlen))
			answers++;
		dns64 = 0; /* a real AAAA record: nothing to synthesize */
	}
	/* DNS64: the name's A records under the prefix. */
	for (const struct dns_record *rec = table; dns64 && rec->name != NULL; rec++) {
		unsigned char v4[4], v6[16];
		if (!name_matches(rec->name, name) || rec->type != 1 || rec->value == NULL ||
		    inet_pton(AF_INET, rec->value, v4) != 1)
			continue;
		synthesize(v4, v6);
		if (add_answer(r, 28, v6, 16))
			answers++;
	}
	if (known && delay < 0) { /* the silent server */
		free(r);
		return;
	}
	if (delay == DNS_HELD && now_released)
		delay = 0;
	if (!known)
		r->buf[3] |= 3; /* NXDOMAIN */
	r->buf[7] = (unsigned char)answers;
	if (delay == 0) {
		sendto(server_fd, r->buf, r->len, 0, (const struct sockaddr *)from, sizeof(*from));
		free(r);
		return;
	}
	r->delay_ms = delay;
	pthread_t t;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&lock);
	bool started = !stopping && pthread_create(&t, &attr, send_later, r) == 0;
	waiting += started;
	held += started && delay == DNS_HELD;
	pthread_mutex_unlock(&lock);
	if (!started)
		free(r);
	pthread_attr_destroy(&attr);
}

static void *serve(void *unused)
{
	(void)unused;
	for (;;) {
		unsigned char q[512];
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(server_fd, q, sizeof(q), 0, (struct sockaddr *)&from, &flen);
		if (is_stopping())
			return NULL;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		pthread_mutex_lock(&lock);
		queries++;
		pthread_mutex_unlock(&lock);
		answer(q, (size_t)n, &from);
	}
}

static void close_all(void)
{
	int *fds[] = { &server_fd, &stop_fd, &release_fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int dns_start(const struct dns_record *records)
{
	table = records;
	stopping = released = false;
	stop_fd = eventfd(0, EFD_CLOEXEC);
	release_fd = eventfd(0, EFD_CLOEXEC);
	server_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (stop_fd < 0 || release_fd < 0 || server_fd < 0) {
		int err = -errno;
		close_all();
		return err;
	}
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(53) };
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int rc = bind(server_fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ? errno : 0;
	if (rc == 0)
		rc = pthread_create(&server_thread, NULL, serve, NULL);
	if (rc != 0) {
		close_all();
		return -rc;
	}
	return 0;
}

void dns_release(void)
{
	pthread_mutex_lock(&lock);
	released = true;
	pthread_mutex_unlock(&lock);
	eventfd_write(release_fd, 1);
}

/* shutdown() wakes a reader even on an unconnected UDP socket (Linux);
 * the delayed answers are woken and dropped, and gone before the socket
 * is closed. */
void dns_stop(void)
{
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_mutex_unlock(&lock);
	eventfd_write(stop_fd, 1);
	shutdown(server_fd, SHUT_RDWR);
	pthread_join(server_thread, NULL);
	pthread_mutex_lock(&lock);
	while (waiting > 0)
		pthread_cond_wait(&gone, &lock);
	close_all();
	pthread_mutex_unlock(&lock);
}
