/*
 * echo-server.c - a TCP and UDP echo server on every address family.
 *
 * It never mentions AF_INET or AF_INET6: anysock_listen() binds the
 * service on "::" and "0.0.0.0" (or on every address a host name has),
 * and every peer comes out canonical, so the log shows 192.0.2.7 for an
 * IPv4 client, never ::ffff:192.0.2.7, and an access list sees one form.
 * UDP answers leave from the address each request was sent to.
 *
 *   echo-server [-H host] [-p port] [-a acl-file] [-w workers] [-d] [-P]
 *
 *   -p port   service to serve (default 7; 0 picks a free port, printed)
 *   -H host   bind only the addresses of host (default: every family)
 *   -a file   access list (see anysock_acl(3)); denied clients are closed
 *   -w n      n worker processes sharing the port with SO_REUSEPORT
 *   -d        one dual-stack socket (IPV6_V6ONLY off) instead of one per family
 *   -P        TCP clients come through a relay that sends a PROXY protocol
 *             header (v1 or v2) first: log and judge the client it names
 *
 * Started by a service manager with sockets (LISTEN_FDS), it serves those.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <anysock.h>

#define MAX_CLIENTS 64

static anysock_acl *acl;
static bool proxied;

static void die(const char *what, int code)
{
	fprintf(stderr, "echo-server: %s: %s\n", what, anysock_strerror(code));
	exit(1);
}

static void log_peer(const char *proto, const anysock_addr *peer, const char *what)
{
	char text[ANYSOCK_ADDRSTRLEN];
	anysock_ntop(peer, text, sizeof(text), 0);
	printf("[%d] %s %s %s\n", (int)getpid(), proto, text, what);
}

static bool allowed(const anysock_addr *peer)
{
	return acl == NULL || anysock_acl_check(acl, peer, NULL) == ANYSOCK_ACL_ALLOW;
}

/* Behind a relay: the client is the one its PROXY header names (the
 * relay's own address when it says LOCAL, as for health checks). */
static bool from_relay(int fd, anysock_addr *peer)
{
	anysock_proxy_info info;
	int rc = anysock_proxy_read(fd, &info, 2000);
	if (rc < 0) {
		log_peer("tcp", peer, anysock_strerror(rc));
		return false;
	}
	if (!info.local)
		*peer = info.src;
	return true;
}

/* One datagram in, the same datagram back from the address it came to. */
static void serve_udp(anysock_listener *udp)
{
	char buf[65536];
	anysock_addr peer, local;
	ssize_t n = anysock_recvfrom(udp, buf, sizeof(buf), &peer, &local, 0);
	if (n < 0)
		return;
	bool ok = allowed(&peer);
	log_peer("udp", &peer, ok ? "datagram" : "denied");
	if (ok)
		anysock_sendto(udp, buf, (size_t)n, &peer, &local);
}

/* Echo what a client sent; false when it is done. */
static bool serve_tcp(int fd)
{
	char buf[16384];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n <= 0)
		return false;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(fd, buf + off, (size_t)(n - off));
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

static void serve(anysock_listener *tcp, anysock_listener *udp)
{
	struct pollfd p[2 * 32 + MAX_CLIENTS];
	int nl = 0, ntcp = tcp ? anysock_listener_count(tcp) : 0;
	for (int i = 0; i < ntcp; i++)
		p[nl++] = (struct pollfd){ anysock_listener_fd(tcp, (size_t)i), POLLIN, 0 };
	for (int i = 0; udp && i < anysock_listener_count(udp); i++)
		p[nl++] = (struct pollfd){ anysock_listener_fd(udp, (size_t)i), POLLIN, 0 };
	int n = nl;
	for (;;) {
		if (poll(p, (nfds_t)n, -1) < 0)
			continue;
		for (int i = 0; i < nl; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			if (i >= ntcp) {
				serve_udp(udp);
				continue;
			}
			anysock_addr peer;
			int fd = anysock_accept_fd(p[i].fd, &peer, 0);
			if (fd < 0)
				continue; /* taken by another worker, or out of descriptors */
			if (proxied && !from_relay(fd, &peer)) {
				close(fd);
				continue;
			}
			bool ok = allowed(&peer) && n < (int)(sizeof(p) / sizeof(p[0]));
			log_peer("tcp", &peer, ok ? "connected" : "denied");
			if (ok)
				p[n++] = (struct pollfd){ fd, POLLIN, 0 };
			else
				close(fd);
		}
		for (int i = nl; i < n; i++) {
			if (p[i].revents != 0 && !serve_tcp(p[i].fd)) {
				close(p[i].fd);
				p[i--] = p[--n];
			}
		}
	}
}

static anysock_acl *read_acl(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	char text[65536];
	size_t len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	anysock_acl *a;
	anysock_parse_error err;
	int rc = anysock_acl_parse(text, 0, &a, &err);
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

int main(int argc, char **argv)
{
	const char *host = NULL, *port = "7";
	unsigned flags = 0;
	int workers = 1, opt;
	while ((opt = getopt(argc, argv, "H:p:a:w:dP")) != -1) {
		switch (opt) {
		case 'H': host = optarg; break;
		case 'p': port = optarg; break;
		case 'a': acl = read_acl(optarg); break;
		case 'w': workers = atoi(optarg); flags |= ANYSOCK_LISTEN_REUSEPORT; break;
		case 'd': flags |= ANYSOCK_LISTEN_DUALSTACK; break;
		case 'P': proxied = true; break;
		default:
			fprintf(stderr, "usage: %s [-H host] [-p port] [-a acl] [-w n] [-d] [-P]\n",
				argv[0]);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	anysock_listener *tcp = NULL, *udp = NULL;
	int rc = anysock_listener_from_env(SOCK_STREAM, 0, &tcp);
	if (rc >= 0)
		rc = anysock_listener_from_env(SOCK_DGRAM, 0, &udp);
	if (rc < 0)
		die("inherited sockets", rc);
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
