/*
 * anysock-relay - forward TCP connections from every address family to a
 * target reached by name, telling it who the clients are.
 *
 *   anysock-relay [--host H] [--port P] [--ipv4|--ipv6|--dual-stack]
 *                 [--send-proxy|--send-proxy-v2]
 *                 [--accept-proxy [--trusted-sources FILE] [--header-timeout MS]]
 *                 [--connect-timeout MS] [--workers N] [--max-connections N]
 *                 [--idle-timeout S] [--drain-timeout S] target-host target-port
 *
 * (short forms: -H -p -4 -6 -d, -P 1|2, -A -T -e, -t -w -c -i -D)
 *
 * The socat way (socat TCP6-LISTEN:80,fork TCP4:backend:80) works, but the
 * backend then sees every client as the relay. This relay listens on every
 * family (anysock_listen), connects to the target over whichever family
 * answers first (a connector: Happy Eyeballs with RFC 8305's resolution
 * step), and with --send-proxy sends a PROXY protocol header first, so
 * the backend logs and filters the real client: [2001:db8::7]:41000 even
 * though it only speaks IPv4.
 *
 * This file reads the command line, opens the listening sockets, starts
 * the workers (--workers, one per CPU by default: threads, each one epoll
 * loop over its connections, stream.c) and waits for SIGTERM to drain.
 * relay.h says which file holds what.
 *
 * SPDX-License-Identifier: MIT
 */
#include "relay.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netdb.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

struct relay_config cfg = { .listen_flags = ANYSOCK_LISTEN_NONBLOCK,
			    .workers = 0,
			    .max_conns = 10000,
			    .connect_ms = 5000,
			    .idle_ms = 300000,
			    .header_ms = 2000,
			    .drain_ms = 10000 };

anysock_listener *listener;
atomic_bool draining;
int stop_fd = -1;
atomic_long fd_budget;

/* ---- Configuration ------------------------------------------------------ */

static const char synopsis[] =
	"usage: anysock-relay [OPTION]... TARGET-HOST TARGET-PORT\n"
	"Forward TCP from every address family to TARGET-HOST port TARGET-PORT.\n\n";

enum { SEND_PROXY = 256, SEND_PROXY_V2 };

/* The long names say which way a PROXY header goes, in HAProxy's words. */
static const struct tool_option options[] = {
	{ "host", 'H', "HOST", "listen on HOST's addresses (default: every family)" },
	{ "port", 'p', "PORT", "listen on PORT (default: one the kernel picks)" },
	{ "ipv4", '4', NULL, "listen on IPv4 only" },
	{ "ipv6", '6', NULL, "listen on IPv6 only" },
	{ "dual-stack", 'd', NULL, "one dual-stack socket, not one per family" },
	{ "send-proxy", SEND_PROXY, NULL, "send the target a PROXY v1 header naming the client" },
	{ "send-proxy-v2", SEND_PROXY_V2, NULL, "send it a PROXY v2 header" },
	{ NULL, 'P', "1|2", "--send-proxy or --send-proxy-v2" },
	{ "accept-proxy", 'A', NULL,
	  "expect a PROXY header from each client (it comes\n"
	  "through a proxy; the header names the client)" },
	{ "trusted-sources", 'T', "FILE",
	  "the access list of who may send one (default:\n"
	  "loopback); anyone else is refused" },
	{ "header-timeout", 'e', "MS", "how long that header may take (default 2000)" },
	{ "connect-timeout", 't', "MS", "give up reaching the target after MS (default 5000)" },
	{ "workers", 'w', "N", "worker threads, 1-64 (default: one per CPU)" },
	{ "max-connections", 'c', "N", "connections at once (default 10000)" },
	{ "idle-timeout", 'i', "SECONDS", "close a connection idle this long (default 300)" },
	{ "drain-timeout", 'D', "SECONDS",
	  "on SIGTERM, wait this long for connections\n"
	  "(default 10)" },
	{ NULL, 0, NULL, NULL },
};

/* One option into cfg; given is how it was written, for messages. */
static void take_option(int opt, const char *given, const char *arg)
{
	switch (opt) {
	case 'H': cfg.listen_host = arg; break;
	case 'p': cfg.listen_port = arg; break;
	case '4': cfg.listen_flags |= ANYSOCK_LISTEN_IPV4; break;
	case '6': cfg.listen_flags |= ANYSOCK_LISTEN_IPV6; break;
	case 'd': cfg.listen_flags |= ANYSOCK_LISTEN_DUALSTACK; break;
	case 'P': cfg.proxy_version = tool_number(given, arg, 1, 2); break;
	case SEND_PROXY: cfg.proxy_version = 1; break;
	case SEND_PROXY_V2: cfg.proxy_version = 2; break;
	case 'A': cfg.accept_proxy = true; break;
	case 'T': cfg.trusted = tool_read_acl(given, arg); break;
	case 'e': cfg.header_ms = tool_number(given, arg, 1, 600000); break;
	case 't': cfg.connect_ms = tool_number(given, arg, 1, 600000); break;
	case 'w': cfg.workers = tool_number(given, arg, 1, 64); break;
	case 'c': cfg.max_conns = tool_number(given, arg, 1, 1000000); break;
	case 'i': cfg.idle_ms = tool_number(given, arg, 1, 86400) * 1000; break;
	case 'D': cfg.drain_ms = tool_number(given, arg, 0, 3600) * 1000; break;
	}
}

/* The target port, checked now rather than at the first client. */
static void check_port(const char *port)
{
	bool digits = port[0] != '\0' && strspn(port, "0123456789") == strlen(port);
	if (digits ? tool_number("target port", port, 1, 65535) > 0
		   : getservbyname(port, "tcp") != NULL)
		return;
	fprintf(stderr, "anysock-relay: target port %s: no such TCP service\n", port);
	exit(2);
}

/* The command line into cfg, every value checked; exits for --help,
 * --version and anything wrong. */
static void parse_command_line(int argc, char **argv)
{
	int opt;
	const char *given;
	while ((opt = tool_getopt(argc, argv, options, synopsis, &given)) != -1)
		take_option(opt, given, optarg);
	if (argc - optind != 2)
		tool_usage(2);
	cfg.host = argv[optind];
	cfg.port = argv[optind + 1];
	check_port(cfg.port);
	if (cfg.trusted == NULL &&
	    anysock_acl_parse("allow 127.0.0.0/8, ::1; default deny", 0, &cfg.trusted, NULL) < 0)
		exit(1);
	if (cfg.workers == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		cfg.workers = cpus < 1 ? 1 : cpus > 64 ? 64 : (int)cpus;
	}
	cfg.opts = (anysock_connect_opts)ANYSOCK_CONNECT_OPTS_INIT;
	cfg.opts.timeout_ms = cfg.connect_ms;
	cfg.opts.flags = ANYSOCK_CONNECT_NONBLOCK;
}

/* The listening sockets, said on stdout; exit 1 when one cannot be had. */
static void open_listeners(void)
{
	anysock_addr failed;
	int rc = anysock_listen(cfg.listen_host, cfg.listen_port, SOCK_STREAM, cfg.listen_flags, 0,
				&listener, &failed);
	if (rc < 0) {
		char where[ANYSOCK_ADDRSTRLEN] = "-";
		anysock_ntop(&failed, where, sizeof(where), 0);
		fprintf(stderr, "anysock-relay: cannot listen on %s: %s\n", where,
			anysock_strerror(rc));
		exit(1);
	}
	char where[512];
	anysock_listener_ntop(listener, where, sizeof(where));
	setvbuf(stdout, NULL, _IOLBF, 0); /* one line per connection, as it ends */
	printf("anysock-relay: listening on %s, forwarding to %s port %s\n", where, cfg.host,
	       cfg.port);
}

/* What RLIMIT_NOFILE leaves for connections: less what is open now (stdio,
 * the listeners), each worker's epoll, stop_fd, and some for the resolver
 * and the C library. */
static void set_fd_budget(void)
{
	struct rlimit nofile;
	getrlimit(RLIMIT_NOFILE, &nofile);
	long spare = nofile.rlim_cur == RLIM_INFINITY ? 1L << 30 : (long)nofile.rlim_cur;
	atomic_store(&fd_budget,
		     spare - 3 - anysock_listener_count(listener) - 2L * cfg.workers - 16);
}

/* A worker: its thread, and what the thread runs. */
struct worker {
	pthread_t thread;
	struct stream_worker *impl;
};

/* Every worker a thread of its own (the main thread waits for signals),
 * each with its share of the cap and its own epoll set. */
static struct worker *start_workers(void)
{
	struct worker *w = calloc((size_t)cfg.workers, sizeof(*w));
	stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w == NULL || stop_fd < 0) {
		perror("anysock-relay");
		exit(1);
	}
	for (int i = 0; i < cfg.workers; i++) {
		int cap = cfg.max_conns / cfg.workers + (i < cfg.max_conns % cfg.workers);
		w[i].impl = stream_worker_new(i, cap > 0 ? cap : 1);
		int rc = w[i].impl == NULL
				 ? -1
				 : pthread_create(&w[i].thread, NULL, stream_worker_run, w[i].impl);
		if (rc != 0) {
			/* never on with fewer workers than asked */
			fprintf(stderr, "anysock-relay: cannot start worker %d of %d: %s\n", i,
				cfg.workers, strerror(rc < 0 ? errno : rc));
			exit(1);
		}
	}
	return w;
}

/* Until SIGTERM or SIGINT (blocked in every thread): then every worker
 * stops accepting and drains. */
static void wait_for_stop(const sigset_t *stop)
{
	siginfo_t si;
	while (sigwaitinfo(stop, &si) < 0)
		;
	atomic_store(&draining, true);
	printf("anysock-relay: signal %d: draining (up to %d s)\n", si.si_signo,
	       cfg.drain_ms / 1000);
	eventfd_write(stop_fd, 1);
}

int main(int argc, char **argv)
{
	tool_name = "anysock-relay";
	parse_command_line(argc, argv);
	/* Blocked before any thread exists, so in all of them: only
	 * wait_for_stop() takes these. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	open_listeners();
	set_fd_budget();
	struct worker *w = start_workers();
	wait_for_stop(&stop);
	for (int i = 0; i < cfg.workers; i++) {
		pthread_join(w[i].thread, NULL);
		stream_worker_free(w[i].impl);
	}
	free(w);
	close(stop_fd);
	anysock_listener_close(listener);
	anysock_acl_free(cfg.trusted);
	printf("anysock-relay: drained, exiting\n");
	return 0;
}
