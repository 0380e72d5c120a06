/*
 * echo-server.c - a TCP and UDP echo server on every address family, and
 * the library's model event-loop server: nothing one client does (send
 * half a PROXY header and stall, stop reading, go idle, or exhaust the
 * descriptors) holds up another.
 *
 * It never mentions AF_INET or AF_INET6: anysock_listen() binds the
 * service on "::" and "0.0.0.0" (or on every address a host name has),
 * and every peer comes out canonical, so the log shows 192.0.2.7 for an
 * IPv4 client, never ::ffff:192.0.2.7, and an access list sees one form.
 * UDP answers leave from the address each request was sent to.
 *
 *   echo-server [-H host] [-p port] [-a acl-file] [-w workers] [-d]
 *               [--accept-proxy [--trusted-sources file] [--header-timeout ms]]
 *               [-c max] [-i seconds]
 *
 *   -p, --port port         service to serve (default 7; 0 picks a free port,
 *                           printed)
 *   -H, --host host         bind only the addresses of host (default: every
 *                           family)
 *   -a, --acl file          access list of any size (anysock_acl(3)); denied
 *                           clients are closed
 *   -w, --workers n         n worker processes (1-64) sharing the port with
 *                           SO_REUSEPORT
 *   -d, --dual-stack        one dual-stack socket (IPV6_V6ONLY off) instead
 *                           of one per family
 *   --accept-proxy          TCP clients come through a relay that sends a
 *                           PROXY protocol header (v1 or v2) first: log and
 *                           judge the client it names
 *   --trusted-sources file  who may send that header (an access list;
 *                           default loopback only): anyone else is refused
 *                           and logged, since a header would let them claim
 *                           any address past --acl
 *   --header-timeout ms     how long a connection may take to send its
 *                           header (default 2000, 1-600000); it is read
 *                           without blocking
 *   -c, --max-connections n connections at once (default 1000, 1-100000); at
 *                           the cap the listeners are not watched, so new
 *                           clients wait in the kernel's backlog instead of
 *                           being accepted and dropped
 *   -i, --idle-timeout secs a client silent this long is closed (default 60,
 *                           1-86400)
 *   --help, --version
 *
 * The long names are anysock-relay's, in HAProxy's words: a PROXY header is
 * accepted here and sent by the relay's --send-proxy. The three PROXY
 * options have no short form: they were -P, -A and -t, letters that mean
 * something else to the relay (-P sends a header, -A is a flag, -t the
 * connect timeout); every short option left means the same in both.
 *
 * Out of descriptors (EMFILE, ENFILE) it stops accepting until a
 * connection closes or a second has passed, says so once, and never spins.
 * A client that does not read what it sent is not read from either, until
 * it catches up. Started by a service manager with sockets (LISTEN_FDS),
 * it serves those.
 *
 * This file stands alone so that it can be copied whole. anysock-relay
 * (tools/relay/stream.c, whose head comment lists the parts) follows its
 * timer lists, PROXY header reading, cap, number() and read_acl(): a fix
 * here belongs there too.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <anysock.h>

#ifdef HAVE_CONFIG_H
#include "config.h" /* built in anysock's tree: its PACKAGE_VERSION */
#endif
#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define MAX_HEADER 1024   /* a PROXY header longer than this is refused */
#define PAUSE_MS 1000     /* out of descriptors: try again after this */

static struct {
	anysock_acl *acl, *trusted;
	bool accept_proxy;
	int header_ms, max_clients, idle_ms;
} cfg = { .header_ms = 2000, .max_clients = 1000, .idle_ms = 60000 };

/* What epoll reports: a listening socket, the UDP sockets, or a client. */
enum kind { TCP_LISTENER, UDP_SOCKET, CLIENT };

struct source {
	enum kind kind;
	int fd;
	struct client *client; /* CLIENT: whose */
};

/* A client. Each waits in one of two lists by its deadline: the header
 * list (--accept-proxy, its header not in yet) or the idle list. Every entry of a list
 * has the same timeout, so appending keeps it sorted: the head is always
 * the next to expire. */
struct client {
	struct source src;
	anysock_addr peer;
	int64_t deadline;
	struct client *prev, *next;
	struct list *list;
	char *pending;            /* echo not yet written back (it stopped reading) */
	size_t pending_len, pending_off;
	char header[MAX_HEADER]; /* what has come of the PROXY header so far */
	size_t header_len;
};

struct list {
	struct client *head, *tail;
	int timeout_ms;
};

static struct list header_wait, idle;
static int ep, clients;
static struct source *listeners;
static int nlisteners;
static bool accepting = true;
static int64_t resume_at = -1; /* out of descriptors: listen again then */

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void log_peer(const char *proto, const anysock_addr *peer, const char *what)
{
	char text[ANYSOCK_ADDRSTRLEN];
	anysock_ntop(peer, text, sizeof(text), 0);
	printf("[%d] %s %s %s\n", (int)getpid(), proto, text, what);
}

static bool allowed(const anysock_acl *acl, const anysock_addr *peer)
{
	return acl == NULL || anysock_acl_check(acl, peer, NULL) == ANYSOCK_ACL_ALLOW;
}

/* ---- Timers ------------------------------------------------------------- */

static void unlink_client(struct client *c)
{
	struct list *l = c->list;
	if (l == NULL)
		return;
	*(c->prev ? &c->prev->next : &l->head) = c->next;
	*(c->next ? &c->next->prev : &l->tail) = c->prev;
	c->prev = c->next = NULL;
	c->list = NULL;
}

/* (Re)start c's timer in list l: now + l's timeout, at the tail. */
static void arm(struct client *c, struct list *l)
{
	unlink_client(c);
	c->deadline = now_ms() + l->timeout_ms;
	c->list = l;
	c->prev = l->tail;
	*(l->tail ? &l->tail->next : &l->head) = c;
	l->tail = c;
}

/* Milliseconds until the next deadline; -1 for none. */
static int next_wait(void)
{
	int64_t at = -1;
	if (header_wait.head != NULL)
		at = header_wait.head->deadline;
	if (idle.head != NULL && (at < 0 || idle.head->deadline < at))
		at = idle.head->deadline;
	if (!accepting && resume_at >= 0 && (at < 0 || resume_at < at))
		at = resume_at;
	if (at < 0)
		return -1;
	int64_t left = at - now_ms();
	return left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

/* ---- Accepting, with a cap and without spinning ------------------------ */

static void watch_listeners(bool on)
{
	if (on == accepting)
		return;
	accepting = on;
	for (int i = 0; i < nlisteners; i++) {
		struct epoll_event ev = { .events = on ? EPOLLIN : 0, .data.ptr = &listeners[i] };
		epoll_ctl(ep, EPOLL_CTL_MOD, listeners[i].fd, &ev);
	}
}

static void drop(struct client *c, const char *why)
{
	if (why != NULL)
		log_peer("tcp", &c->peer, why);
	unlink_client(c);
	close(c->src.fd); /* leaves the epoll set with it */
	free(c->pending);
	free(c);
	clients--;
	resume_at = -1;
	watch_listeners(true); /* a descriptor and a place are free again */
}

/* Echo mode: watch for input, or, while an echo is pending, for room. */
static void want(struct client *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = &c->src };
	epoll_ctl(ep, EPOLL_CTL_MOD, c->src.fd, &ev);
}

static bool admit(struct client *c);

static void accept_all(int fd)
{
	while (clients < cfg.max_clients) {
		anysock_addr peer;
		int cfd = anysock_accept_fd(fd, &peer, ANYSOCK_LISTEN_NONBLOCK);
		if (cfd == -EAGAIN)
			return;
		if (cfd == -EMFILE || cfd == -ENFILE) {
			printf("[%d] out of descriptors: not accepting for up to %d ms\n",
			       (int)getpid(), PAUSE_MS);
			watch_listeners(false);
			resume_at = now_ms() + PAUSE_MS;
			return;
		}
		if (cfd < 0)
			return; /* ENOBUFS and the like: the next readiness retries */
		struct client *c = calloc(1, sizeof(*c));
		if (c != NULL)
			c->src = (struct source){ CLIENT, cfd, c };
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c != NULL ? &c->src : NULL };
		if (c == NULL || epoll_ctl(ep, EPOLL_CTL_ADD, cfd, &ev) < 0) {
			free(c);
			close(cfd);
			return;
		}
		c->peer = peer;
		clients++;
		if (!cfg.accept_proxy) {
			(void)admit(c);
		} else if (!allowed(cfg.trusted, &peer)) {
			drop(c, "refused: a PROXY header is only believed from --trusted-sources");
		} else {
			arm(c, &header_wait);
		}
	}
	watch_listeners(false); /* at the cap: the rest wait in the backlog */
}

/* ---- Serving ------------------------------------------------------------ */

/* Write back what can be written; keep the rest and stop reading. */
static bool echo(struct client *c, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = send(c->src.fd, data, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN)
			return false;
		if (w < 0) {
			c->pending = malloc(len);
			if (c->pending == NULL)
				return false;
			memcpy(c->pending, data, len);
			c->pending_len = len;
			c->pending_off = 0;
			want(c, EPOLLOUT);
			return true;
		}
		data += w;
		len -= (size_t)w;
	}
	return true;
}

/* Past the access list: echo from now on (false: denied and gone). */
static bool admit(struct client *c)
{
	bool ok = allowed(cfg.acl, &c->peer);
	log_peer("tcp", &c->peer, ok ? "connected" : "denied");
	if (!ok) {
		drop(c, NULL);
		return false;
	}
	arm(c, &idle);
	return true;
}

/* --accept-proxy: what has come of the header; once whole, the client it
 * names. */
static void read_header(struct client *c)
{
	ssize_t n = recv(c->src.fd, c->header + c->header_len, MAX_HEADER - c->header_len, 0);
	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			drop(c, "closed before its PROXY header");
		return;
	}
	c->header_len += (size_t)n;
	anysock_proxy_info info;
	int len = anysock_proxy_parse(c->header, c->header_len, &info);
	if (len == -EAGAIN && c->header_len < MAX_HEADER)
		return; /* more to come, within its deadline */
	if (len < 0) {
		drop(c, len == -EAGAIN ? "PROXY header too long" : anysock_strerror(len));
		return;
	}
	if (!info.local) /* LOCAL (a health check): the relay itself */
		c->peer = info.src;
	size_t after = c->header_len - (size_t)len; /* data behind the header */
	if (admit(c) && after > 0 && !echo(c, c->header + len, after))
		drop(c, NULL);
}

static void serve_client(struct client *c, uint32_t events)
{
	if (c->list == &header_wait) {
		read_header(c);
		return;
	}
	if (c->pending != NULL) { /* it reads again: finish the echo first */
		ssize_t w = send(c->src.fd, c->pending + c->pending_off,
				 c->pending_len - c->pending_off, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EINTR) {
			drop(c, NULL);
			return;
		}
		c->pending_off += w > 0 ? (size_t)w : 0;
		if (c->pending_off == c->pending_len) {
			free(c->pending);
			c->pending = NULL;
			want(c, EPOLLIN);
		}
		arm(c, &idle);
		return;
	}
	(void)events;
	char buf[16384];
	ssize_t n = recv(c->src.fd, buf, sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || !echo(c, buf, (size_t)n)) {
		drop(c, NULL);
		return;
	}
	arm(c, &idle);
}

/* One datagram in, the same datagram back from the address it came to. */
static void serve_udp(anysock_listener *udp)
{
	char buf[65536];
	anysock_addr peer, local;
	ssize_t n = anysock_recvfrom(udp, buf, sizeof(buf), &peer, &local, 0);
	if (n < 0)
		return;
	bool ok = allowed(cfg.acl, &peer);
	log_peer("udp", &peer, ok ? "datagram" : "denied");
	if (ok)
		anysock_sendto(udp, buf, (size_t)n, &peer, &local);
}

static void expire(void)
{
	int64_t now = now_ms();
	while (header_wait.head != NULL && header_wait.head->deadline <= now)
		drop(header_wait.head, "no PROXY header in time");
	while (idle.head != NULL && idle.head->deadline <= now)
		drop(idle.head, "idle: closed");
	if (!accepting && resume_at >= 0 && resume_at <= now && clients < cfg.max_clients) {
		resume_at = -1;
		watch_listeners(true);
	}
}

static void serve(anysock_listener *tcp, anysock_listener *udp)
{
	int ntcp = tcp ? anysock_listener_count(tcp) : 0, nudp = udp ? anysock_listener_count(udp) : 0;
	static struct source udp_src = { UDP_SOCKET, -1, NULL };
	listeners = calloc((size_t)ntcp + 1, sizeof(*listeners));
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (listeners == NULL || ep < 0) {
		perror("echo-server");
		exit(1);
	}
	for (int i = 0; i < ntcp; i++) {
		listeners[nlisteners] = (struct source){ TCP_LISTENER, anysock_listener_fd(tcp, (size_t)i), NULL };
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &listeners[nlisteners] };
		epoll_ctl(ep, EPOLL_CTL_ADD, listeners[nlisteners++].fd, &ev);
	}
	for (int i = 0; i < nudp; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &udp_src };
		epoll_ctl(ep, EPOLL_CTL_ADD, anysock_listener_fd(udp, (size_t)i), &ev);
	}
	for (;;) {
		struct epoll_event ev[64];
		int n = epoll_wait(ep, ev, 64, next_wait());
		for (int k = 0; k < n; k++) {
			struct source *s = ev[k].data.ptr;
			if (s->kind == TCP_LISTENER)
				accept_all(s->fd);
			else if (s->kind == UDP_SOCKET)
				serve_udp(udp);
			else
				serve_client(s->client, ev[k].events);
		}
		expire();
	}
}

/* ---- Configuration ------------------------------------------------------ */

/* How option opt was written: "--idle-timeout" when getopt_long() matched
 * longs[index], else "-i". */
static const char *option_name(int opt, const struct option *longs, int index)
{
	static char text[64];
	if (index >= 0)
		snprintf(text, sizeof(text), "--%s", longs[index].name);
	else
		snprintf(text, sizeof(text), "-%c", opt);
	return text;
}

/* A whole number in [min, max] for option what, or exit 2 saying why. */
static int number(const char *what, const char *text, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "echo-server: %s %s: not a number from %ld to %ld\n", what, text,
			min, max);
		exit(2);
	}
	return (int)v;
}

/* The whole file as an access list, or exit 1 saying where it is wrong. */
static anysock_acl *read_acl(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t len = 0, cap = 0;
	for (size_t got = 1; f != NULL && got > 0; len += got) {
		if (len == cap && (text = realloc(text, cap = cap ? 2 * cap : 65536)) == NULL)
			break;
		got = fread(text + len, 1, cap - len, f);
	}
	if (f == NULL || text == NULL || ferror(f)) {
		perror(path);
		exit(1);
	}
	fclose(f);
	const char *nul = memchr(text, '\0', len);
	if (nul != NULL) {
		fprintf(stderr, "%s: a NUL byte at offset %zu: not an access list\n", path,
			(size_t)(nul - text));
		exit(1);
	}
	anysock_acl *a;
	anysock_parse_error err;
	int rc = anysock_acl_parse_n(text, len, 0, &a, &err);
	free(text);
	if (rc < 0) {
		fprintf(stderr, "%s:%u:%u: %s\n", path, err.line, err.column,
			anysock_strerror(err.code));
		exit(1);
	}
	return a;
}

/* TCP on host:port, then UDP on the same port, even one the kernel picked. */
static void listen_both(const char *host, const char *port, unsigned flags,
			anysock_listener **tcp, anysock_listener **udp)
{
	anysock_addr failed;
	int rc = anysock_listen(host, port, SOCK_STREAM, flags, 0, tcp, &failed);
	if (rc >= 0) {
		anysock_addr first;
		anysock_listener_addr(*tcp, 0, &first);
		char same[8];
		snprintf(same, sizeof(same), "%d", anysock_addr_port(&first));
		rc = anysock_listen(host, same, SOCK_DGRAM, flags, 0, udp, &failed);
	}
	if (rc < 0) {
		char where[ANYSOCK_ADDRSTRLEN] = "?";
		anysock_ntop(&failed, where, sizeof(where), 0);
		fprintf(stderr, "echo-server: %s: %s\n", where, anysock_strerror(rc));
		exit(1);
	}
}

static const char usage_text[] =
	"usage: echo-server [OPTION]...\n"
	"A TCP and UDP echo server on every address family.\n"
	"\n"
	"  -H, --host HOST             serve HOST's addresses (default: every family)\n"
	"  -p, --port PORT             the service (default 7; 0: one the kernel picks)\n"
	"  -a, --acl FILE              an access list: denied clients are closed\n"
	"  -w, --workers N             N processes sharing the port, 1-64\n"
	"  -d, --dual-stack            one dual-stack socket, not one per family\n"
	"      --accept-proxy          expect a PROXY header from each TCP client (it\n"
	"                              comes through a relay; the header names the client)\n"
	"      --trusted-sources FILE  the access list of who may send one (default:\n"
	"                              loopback); anyone else is refused\n"
	"      --header-timeout MS     how long that header may take (default 2000)\n"
	"  -c, --max-connections N     connections at once, 1-100000 (default 1000)\n"
	"  -i, --idle-timeout SECONDS  close a client silent this long (default 60)\n"
	"      --help                  this text\n"
	"      --version               the version\n"
	"(-P, -A and -t are gone: say --accept-proxy, --trusted-sources and\n"
	"--header-timeout; anysock-relay's -P sends a header.)\n";

enum { ACCEPT_PROXY = 256, TRUSTED_SOURCES, HEADER_TIMEOUT, SHOW_HELP, SHOW_VERSION };

/* The long names are anysock-relay's, in HAProxy's words. */
static const struct option long_options[] = {
	{ "host", required_argument, NULL, 'H' },
	{ "port", required_argument, NULL, 'p' },
	{ "acl", required_argument, NULL, 'a' },
	{ "workers", required_argument, NULL, 'w' },
	{ "dual-stack", no_argument, NULL, 'd' },
	{ "accept-proxy", no_argument, NULL, ACCEPT_PROXY },
	{ "trusted-sources", required_argument, NULL, TRUSTED_SOURCES },
	{ "header-timeout", required_argument, NULL, HEADER_TIMEOUT },
	{ "max-connections", required_argument, NULL, 'c' },
	{ "idle-timeout", required_argument, NULL, 'i' },
	{ "help", no_argument, NULL, SHOW_HELP },
	{ "version", no_argument, NULL, SHOW_VERSION },
	{ NULL, 0, NULL, 0 },
};

/* The command line into cfg and the listening arguments; exits for
 * --help, --version and a bad one. */
static void parse_options(int argc, char **argv, const char **host, const char **port,
			  unsigned *flags, int *workers)
{
	int opt, index = -1;
	while ((opt = getopt_long(argc, argv, "H:p:a:w:dc:i:", long_options, &index)) != -1) {
		const char *given = option_name(opt, long_options, index);
		index = -1;
		switch (opt) {
		case 'H': *host = optarg; break;
		case 'p': *port = optarg; break;
		case 'a': cfg.acl = read_acl(optarg); break;
		case 'w':
			*workers = number(given, optarg, 1, 64);
			*flags |= ANYSOCK_LISTEN_REUSEPORT;
			break;
		case 'd': *flags |= ANYSOCK_LISTEN_DUALSTACK; break;
		case ACCEPT_PROXY: cfg.accept_proxy = true; break;
		case TRUSTED_SOURCES: cfg.trusted = read_acl(optarg); break;
		case HEADER_TIMEOUT: cfg.header_ms = number(given, optarg, 1, 600000); break;
		case 'c': cfg.max_clients = number(given, optarg, 1, 100000); break;
		case 'i': cfg.idle_ms = number(given, optarg, 1, 86400) * 1000; break;
		case SHOW_HELP: fputs(usage_text, stdout); exit(0);
		case SHOW_VERSION: printf("echo-server (anysock) %s\n", PACKAGE_VERSION); exit(0);
		default: fputs(usage_text, stderr); exit(2);
		}
	}
}

int main(int argc, char **argv)
{
	const char *host = NULL, *port = "7";
	unsigned flags = 0;
	int workers = 1;
	parse_options(argc, argv, &host, &port, &flags, &workers);
	if (cfg.trusted == NULL &&
	    anysock_acl_parse("allow 127.0.0.0/8, ::1; default deny", 0, &cfg.trusted, NULL) < 0)
		return 1;
	header_wait.timeout_ms = cfg.header_ms;
	idle.timeout_ms = cfg.idle_ms;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	anysock_listener *tcp = NULL, *udp = NULL;
	int rc = anysock_listener_from_env(SOCK_STREAM, 0, &tcp);
	if (rc >= 0)
		rc = anysock_listener_from_env(SOCK_DGRAM, 0, &udp);
	if (rc < 0) {
		fprintf(stderr, "echo-server: inherited sockets: %s\n", anysock_strerror(rc));
		return 1;
	}
	if (tcp == NULL && udp == NULL) {
		listen_both(host, port, flags, &tcp, &udp);
		/* Workers: each its own sockets on the same port; with
		 * SO_REUSEPORT the kernel spreads the clients over them. */
		char same[8];
		anysock_addr first;
		anysock_listener_addr(tcp, 0, &first);
		snprintf(same, sizeof(same), "%d", anysock_addr_port(&first));
		signal(SIGCHLD, SIG_IGN);
		for (int i = 1; i < workers; i++) {
			if (fork() == 0) {
				anysock_listener_close(tcp);
				anysock_listener_close(udp);
				listen_both(host, same, flags, &tcp, &udp);
				break;
			}
		}
	}
	char where[512];
	anysock_listener_ntop(tcp != NULL ? tcp : udp, where, sizeof(where));
	printf("[%d] listening on %s\n", (int)getpid(), where);
	serve(tcp, udp);
}
