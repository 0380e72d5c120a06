/*
 * anysock-relay - forward TCP connections from every address family to a
 * target reached by name, telling it who the clients are.
 *
 *   anysock-relay [-H host] [-p port] [-4|-6|-d] [-P 1|2] [-t ms] target-host target-port
 *
 * The socat way (socat TCP6-LISTEN:80,fork TCP4:backend:80) works, but the
 * backend then sees every client as the relay. This relay listens on every
 * family (anysock_listen), connects to the target over whichever family
 * answers first (anysock_connect, Happy Eyeballs), and with -P sends a
 * PROXY protocol header first, so the backend logs and filters the real
 * client: [2001:db8::7]:41000 even though it only speaks IPv4.
 *
 * Each connection gets a thread that copies both ways through 128 KiB
 * buffers and passes a half-close on (a client that shuts down its sending
 * side still gets the rest of the answer).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <anysock.h>

#define BUF_SIZE (128 * 1024)

static const char *target_host, *target_port;
static anysock_connect_opts connect_opts = ANYSOCK_CONNECT_OPTS_INIT;
static int proxy_version; /* 0: no PROXY header */

struct conn {
	int client;
	anysock_addr peer;
};

/* One direction of a connection: bytes read from 'from' wait in buf
 * until 'to' takes them. */
struct pipe {
	int from, to;
	char *buf;
	size_t start, end;
	bool eof;      /* 'from' sent FIN */
	bool shut;     /* and we passed it on */
};

static void log_line(const char *what, const anysock_addr *a, const char *more)
{
	char text[ANYSOCK_ADDRSTRLEN] = "-";
	if (a != NULL)
		anysock_ntop(a, text, sizeof(text), 0);
	fprintf(stderr, "anysock-relay: %s %s%s\n", what, text, more);
}

/* Move what can move without blocking. Returns false on a hard error. */
static bool pump(struct pipe *p, short revents_from, short revents_to)
{
	if ((revents_from & (POLLIN | POLLHUP | POLLERR)) && !p->eof && p->end < BUF_SIZE) {
		ssize_t n = read(p->from, p->buf + p->end, BUF_SIZE - p->end);
		if (n > 0)
			p->end += (size_t)n;
		else if (n == 0)
			p->eof = true;
		else if (errno != EAGAIN && errno != EINTR)
			return false;
	}
	if ((revents_to & POLLOUT) && p->end > p->start) {
		ssize_t n = send(p->to, p->buf + p->start, p->end - p->start, MSG_NOSIGNAL);
		if (n > 0)
			p->start += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			return false;
		if (p->start == p->end)
			p->start = p->end = 0;
	}
	if (p->eof && p->start == p->end && !p->shut) {
		shutdown(p->to, SHUT_WR); /* pass the half-close on */
		p->shut = true;
	}
	return true;
}

static short want_from(const struct pipe *p)
{
	return !p->eof && p->end < BUF_SIZE ? POLLIN : 0;
}

static short want_to(const struct pipe *p)
{
	return p->end > p->start ? POLLOUT : 0;
}

/* Copy both ways until both sides have finished sending. */
static void copy_both_ways(int a, int b)
{
	struct pipe up = { a, b, malloc(BUF_SIZE), 0, 0, false, false };
	struct pipe down = { b, a, malloc(BUF_SIZE), 0, 0, false, false };
	bool ok = up.buf != NULL && down.buf != NULL;
	while (ok && !(up.shut && down.shut)) {
		short ea = (short)(want_from(&up) | want_to(&down));
		short eb = (short)(want_from(&down) | want_to(&up));
		/* A side we want nothing from is left out: once it has hung up,
		 * its POLLHUP would otherwise wake the loop again and again. */
		struct pollfd p[2] = { { ea ? a : -1, ea, 0 }, { eb ? b : -1, eb, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		ok = pump(&up, p[0].revents, p[1].revents) && pump(&down, p[1].revents, p[0].revents);
	}
	free(up.buf);
	free(down.buf);
}

static bool send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

static void *serve(void *arg)
{
	struct conn *c = arg;
	anysock_addr target;
	int t = anysock_connect(target_host, target_port, SOCK_STREAM, &connect_opts, &target);
	if (t < 0) {
		log_line("cannot reach target", &target, "");
		fprintf(stderr, "anysock-relay:   %s\n", anysock_strerror(t));
		close(c->client);
		free(c);
		return NULL;
	}
	bool ok = true;
	if (proxy_version != 0) {
		/* Who the client is, and which of our addresses it came to. */
		anysock_addr local = { .len = sizeof(local.u) };
		getsockname(c->client, &local.u.sa, &local.len);
		char hdr[ANYSOCK_PROXY_MAXLEN];
		int n = anysock_proxy_encode(proxy_version, SOCK_STREAM, &c->peer, &local, hdr,
					     sizeof(hdr));
		ok = n > 0 && send_all(t, hdr, (size_t)n);
	}
	if (ok)
		copy_both_ways(c->client, t);
	close(t);
	close(c->client);
	free(c);
	return NULL;
}

static void usage(const char *me)
{
	fprintf(stderr,
		"usage: %s [-H host] [-p port] [-4|-6|-d] [-P 1|2] [-t ms] target-host target-port\n",
		me);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *host = NULL, *port = NULL;
	unsigned flags = ANYSOCK_LISTEN_NONBLOCK;
	int opt;
	while ((opt = getopt(argc, argv, "H:p:46dP:t:")) != -1) {
		switch (opt) {
		case 'H': host = optarg; break;
		case 'p': port = optarg; break;
		case '4': flags |= ANYSOCK_LISTEN_IPV4; break;
		case '6': flags |= ANYSOCK_LISTEN_IPV6; break;
		case 'd': flags |= ANYSOCK_LISTEN_DUALSTACK; break;
		case 'P': proxy_version = atoi(optarg); break;
		case 't': connect_opts.timeout_ms = atoi(optarg); break;
		default: usage(argv[0]);
		}
	}
	if (argc - optind != 2 || (proxy_version != 0 && proxy_version != 1 && proxy_version != 2))
		usage(argv[0]);
	target_host = argv[optind];
	target_port = argv[optind + 1];
	connect_opts.flags = ANYSOCK_CONNECT_NONBLOCK;
	signal(SIGPIPE, SIG_IGN);

	anysock_listener *l;
	anysock_addr failed;
	int rc = anysock_listen(host, port, SOCK_STREAM, flags, 0, &l, &failed);
	if (rc < 0) {
		log_line("cannot listen on", &failed, "");
		fprintf(stderr, "anysock-relay:   %s\n", anysock_strerror(rc));
		return 1;
	}
	char where[512];
	anysock_listener_ntop(l, where, sizeof(where));
	printf("anysock-relay: listening on %s, forwarding to %s port %s\n", where, target_host,
	       target_port);
	fflush(stdout);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (;;) {
		struct conn *c = malloc(sizeof(*c));
		if (c == NULL) {
			sleep(1);
			continue;
		}
		c->client = anysock_accept(l, &c->peer, -1);
		pthread_t t;
		if (c->client < 0 || pthread_create(&t, &attr, serve, c) != 0) {
			if (c->client == -EMFILE || c->client == -ENFILE)
				usleep(100000); /* let connections finish */
			if (c->client >= 0)
				close(c->client);
			free(c);
		}
	}
}
