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
 * loop over its connections, stream.c) and then runs the main thread's
 * own loop: the signals, which every thread blocks and this one reads
 * from a signalfd (SIGTERM and SIGINT drain, SIGHUP reads
 * --trusted-sources again, SIGUSR1 logs the figures), and the --metrics
 * server (metrics.c). relay.h says which file holds what.
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
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>

struct relay_config cfg = { .listen_flags = ANYSOCK_LISTEN_NONBLOCK,
			    .workers = 0,
			    .max_conns = 10000,
			    .connect_ms = 5000,
			    .idle_ms = -1, /* 300 s, 30 s with --udp */
			    .header_ms = 2000,
			    .drain_ms = 10000 };

anysock_listener *listener;
atomic_bool draining;
int stop_fd = -1;
atomic_long fd_budget;
atomic_int workers_running;

/* ---- Who may send a PROXY header ---------------------------------------- */

/* --trusted-sources (or loopback): SIGHUP swaps in a new list while the
 * workers check theirs, so a check holds the read lock and the swap the
 * write lock, for as long as one pointer takes to change. */
static anysock_acl *trusted;
static pthread_rwlock_t trusted_lock = PTHREAD_RWLOCK_INITIALIZER;

bool trusted_source(const anysock_addr *peer)
{
	pthread_rwlock_rdlock(&trusted_lock);
	bool yes = anysock_acl_check(trusted, peer, NULL) == ANYSOCK_ACL_ALLOW;
	pthread_rwlock_unlock(&trusted_lock);
	return yes;
}

/* SIGHUP: the file again. A file that is gone or wrong keeps the old
 * list (and says so): a typo must not open the relay to anyone. Open
 * connections are not touched: each was judged when it came. */
static void reload(void)
{
	if (cfg.trusted_path == NULL) {
		log_notice("reload", "SIGHUP: no --trusted-sources file to read again");
		return;
	}
	char why[512];
	anysock_acl *fresh = tool_load_acl(cfg.trusted_path, why, sizeof(why));
	if (fresh == NULL) {
		atomic_fetch_add(&reloads[1], 1);
		log_notice("reload", "SIGHUP: %s: kept the list as it was", why);
		return;
	}
	pthread_rwlock_wrlock(&trusted_lock);
	anysock_acl *old = trusted;
	trusted = fresh;
	pthread_rwlock_unlock(&trusted_lock);
	anysock_acl_free(old);
	atomic_fetch_add(&reloads[0], 1);
	int rules = anysock_acl_count(fresh);
	log_notice("reload", "SIGHUP: --trusted-sources %s read again: %d rule%s", cfg.trusted_path,
		   rules, rules == 1 ? "" : "s");
}

/* ---- Configuration ------------------------------------------------------ */

static const char synopsis[] =
	"usage: anysock-relay [OPTION]... TARGET-HOST TARGET-PORT\n"
	"Forward TCP from every address family to TARGET-HOST port TARGET-PORT.\n\n";

enum { SEND_PROXY = 256, SEND_PROXY_V2, METRICS, LOG_FORMAT, SOURCE_MAP, UDP };

/* --source-map's family: the target is reached over it alone. */
static int source_family;

/* Set by the options that say where to listen: with inherited sockets
 * (socket activation) none of them may be given. */
static const char *listen_option;

/* The long names say which way a PROXY header goes, in HAProxy's words. */
static const struct tool_option options[] = {
	{ "host", 'H', "HOST", "listen on HOST's addresses (default: every family)" },
	{ "port", 'p', "PORT", "listen on PORT (default: one the kernel picks)" },
	{ "ipv4", '4', NULL, "listen on IPv4 only" },
	{ "ipv6", '6', NULL, "listen on IPv6 only" },
	{ "dual-stack", 'd', NULL, "one dual-stack socket, not one per family" },
	{ "udp", UDP, NULL,
	  "forward UDP datagrams, not TCP: a flow per client\n"
	  "address and port, replies from the address it wrote to" },
	{ "send-proxy", SEND_PROXY, NULL, "send the target a PROXY v1 header naming the client" },
	{ "send-proxy-v2", SEND_PROXY_V2, NULL, "send it a PROXY v2 header" },
	{ NULL, 'P', "1|2", "--send-proxy or --send-proxy-v2" },
	{ "accept-proxy", 'A', NULL,
	  "expect a PROXY header from each client (it comes\n"
	  "through a proxy; the header names the client)" },
	{ "trusted-sources", 'T', "FILE",
	  "the access list of who may send one (default:\n"
	  "loopback); anyone else is refused; SIGHUP reads\n"
	  "it again" },
	{ "header-timeout", 'e', "MS", "how long that header may take (default 2000)" },
	{ "connect-timeout", 't', "MS", "give up reaching the target after MS (default 5000)" },
	{ "workers", 'w', "N", "worker threads, 1-64 (default: one per CPU)" },
	{ "max-connections", 'c', "N", "connections (UDP: flows) at once (default 10000)" },
	{ "idle-timeout", 'i', "SECONDS",
	  "close a connection idle this long (default 300;\n"
	  "a UDP flow: 30)" },
	{ "drain-timeout", 'D', "SECONDS",
	  "on SIGTERM, wait this long for connections\n"
	  "(default 10)" },
	{ "metrics", METRICS, "HOST:PORT",
	  "serve the figures (Prometheus text) at GET /metrics\n"
	  "on HOST:PORT (PORT alone: on loopback)" },
	{ "source-map", SOURCE_MAP, "PREFIX",
	  "connect to the target from an address of PREFIX\n"
	  "chosen by the client (127.64.0.0/10: the backend\n"
	  "tells clients apart without PROXY)" },
	{ "user", 'u', "USER",
	  "once listening, run as USER (and USER's group, no\n"
	  "others); exit if that cannot be done" },
	{ "log-format", LOG_FORMAT, "text|json",
	  "a line per connection for people (default) or\n"
	  "one JSON object a line for programs" },
	{ NULL, 0, NULL, NULL },
};

/* --source-map: the pool, and its family the target's. */
static void source_map(const char *given, const char *arg)
{
	char why[160];
	int family = sources_init(arg, why, sizeof(why));
	if (family < 0) {
		fprintf(stderr, "anysock-relay: %s %s: %s\n", given, arg, why);
		exit(2);
	}
	source_family = family;
}

static enum log_format log_format_named(const char *given, const char *arg)
{
	if (strcmp(arg, "text") == 0)
		return LOG_TEXT;
	if (strcmp(arg, "json") == 0)
		return LOG_JSON;
	fprintf(stderr, "anysock-relay: %s %s: not text or json\n", given, arg);
	exit(2);
}

/* One option into cfg; given is how it was written, for messages. */
static void take_option(int opt, const char *given, const char *arg)
{
	/* (opt < 256: strchr() takes the long options' codes as a char, and
	 * 256 is the NUL it always finds.) */
	if (opt < 256 && strchr("Hp46d", opt) != NULL && listen_option == NULL)
		listen_option = strdup(given);
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
	case 'T':
		anysock_acl_free(trusted);
		trusted = tool_read_acl(given, arg);
		cfg.trusted_path = arg;
		break;
	case 'e': cfg.header_ms = tool_number(given, arg, 1, 600000); break;
	case 't': cfg.connect_ms = tool_number(given, arg, 1, 600000); break;
	case 'w': cfg.workers = tool_number(given, arg, 1, 64); break;
	case 'c': cfg.max_conns = tool_number(given, arg, 1, 1000000); break;
	case 'i': cfg.idle_ms = tool_number(given, arg, 1, 86400) * 1000; break;
	case 'D': cfg.drain_ms = tool_number(given, arg, 0, 3600) * 1000; break;
	case METRICS: cfg.metrics = arg; break;
	case UDP: cfg.udp = true; break;
	case 'u': cfg.user = arg; break;
	case SOURCE_MAP: source_map(given, arg); break;
	case LOG_FORMAT: cfg.log_format = log_format_named(given, arg); break;
	}
}

/* The target port, checked now rather than at the first client. */
static void check_port(const char *port)
{
	bool digits = port[0] != '\0' && strspn(port, "0123456789") == strlen(port);
	if (digits ? tool_number("target port", port, 1, 65535) > 0
		   : getservbyname(port, cfg.udp ? "udp" : "tcp") != NULL)
		return;
	fprintf(stderr, "anysock-relay: target port %s: no such %s service\n", port,
		cfg.udp ? "UDP" : "TCP");
	exit(2);
}

/* What --udp cannot be combined with, and its own defaults. */
static void check_udp(void)
{
	if (cfg.idle_ms < 0)
		cfg.idle_ms = cfg.udp ? 30000 : 300000;
	if (!cfg.udp)
		return;
	const char *no = cfg.accept_proxy         ? "--accept-proxy (datagrams carry no header in)"
			 : cfg.proxy_version == 1 ? "--send-proxy (version 1 has no datagram form: "
						    "--send-proxy-v2)"
			 : cfg.listen_flags & ANYSOCK_LISTEN_DUALSTACK ? "--dual-stack"
								       : NULL;
	if (no != NULL) {
		fprintf(stderr, "anysock-relay: --udp and %s\n", no);
		exit(2);
	}
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
	check_udp();
	check_port(cfg.port);
	if (trusted == NULL &&
	    anysock_acl_parse("allow 127.0.0.0/8, ::1; default deny", 0, &trusted, NULL) < 0)
		exit(1);
	if (cfg.workers == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		cfg.workers = cpus < 1 ? 1 : cpus > 64 ? 64 : (int)cpus;
	}
	cfg.opts = (anysock_connect_opts)ANYSOCK_CONNECT_OPTS_INIT;
	cfg.opts.timeout_ms = cfg.connect_ms;
	cfg.opts.flags = ANYSOCK_CONNECT_NONBLOCK;
	if (source_family != 0)
		cfg.opts.flags |= source_family == AF_INET ? ANYSOCK_CONNECT_IPV4
							   : ANYSOCK_CONNECT_IPV6;
}

/* Sockets handed over by a service manager (socket activation): true
 * when there are some, and then none of the listen options may be given. */
static bool inherited_listeners(void)
{
	int type = cfg.udp ? SOCK_DGRAM : SOCK_STREAM;
	int rc = anysock_listener_from_env(type, ANYSOCK_LISTEN_NONBLOCK, &listener);
	if (rc < 0) {
		fprintf(stderr, "anysock-relay: inherited sockets (LISTEN_FDS): %s\n",
			anysock_strerror(rc));
		exit(1);
	}
	if (rc == 0 && getenv("LISTEN_FDS") != NULL &&
	    atol(getenv("LISTEN_PID") ?: "0") == getpid()) {
		fprintf(stderr, "anysock-relay: inherited sockets (LISTEN_FDS): none is %s\n",
			type == SOCK_STREAM ? "a listening TCP socket" : "a UDP socket");
		exit(1);
	}
	if (rc > 0 && listen_option != NULL) {
		fprintf(stderr,
			"anysock-relay: %s: started with sockets to serve (LISTEN_FDS), "
			"there is nothing to listen on\n",
			listen_option);
		exit(2);
	}
	unsetenv("LISTEN_PID"); /* for no one else: sd_listen_fds(3)'s unset */
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return rc > 0;
}

/* The listening sockets, said on stdout; exit 1 when one cannot be had. */
/* --udp: each worker's own sockets, all on the first one's port. */
static anysock_listener **udp_listeners;

static anysock_listener *listen_on(const char *port, unsigned flags)
{
	anysock_addr failed;
	anysock_listener *l;
	int rc = anysock_listen(cfg.listen_host, port, cfg.udp ? SOCK_DGRAM : SOCK_STREAM, flags, 0,
				&l, &failed);
	if (rc < 0) {
		char where[ANYSOCK_ADDRSTRLEN] = "-";
		anysock_ntop(&failed, where, sizeof(where), 0);
		fprintf(stderr, "anysock-relay: cannot listen on %s: %s\n", where,
			anysock_strerror(rc));
		exit(1);
	}
	return l;
}

/* The listening sockets, said on stdout; exit 1 when one cannot be had. */
static void open_listeners(void)
{
	bool inherited = inherited_listeners();
	if (!inherited && !cfg.udp) {
		listener = listen_on(cfg.listen_port, cfg.listen_flags);
	} else if (!inherited) {
		if (cfg.workers > 1) /* the kernel keeps a client on one worker's socket */
			cfg.listen_flags |= ANYSOCK_LISTEN_REUSEPORT;
		listener = listen_on(cfg.listen_port, cfg.listen_flags);
		anysock_addr first;
		anysock_listener_addr(listener, 0, &first);
		char same[8];
		snprintf(same, sizeof(same), "%d", anysock_addr_port(&first));
		udp_listeners = calloc((size_t)cfg.workers, sizeof(*udp_listeners));
		if (udp_listeners == NULL)
			exit(1);
		udp_listeners[0] = listener;
		for (int i = 1; i < cfg.workers; i++)
			udp_listeners[i] = listen_on(same, cfg.listen_flags);
	} else if (cfg.udp) { /* one set of sockets: one worker reads them */
		cfg.workers = 1;
		udp_listeners = calloc(1, sizeof(*udp_listeners));
		if (udp_listeners == NULL)
			exit(1);
		udp_listeners[0] = listener;
	}
	int one = 1; /* TCP_NODELAY: every client accepted inherits it (Linux) */
	for (int i = 0; !cfg.udp && i < anysock_listener_count(listener); i++)
		setsockopt(anysock_listener_fd(listener, (size_t)i), IPPROTO_TCP, TCP_NODELAY, &one,
			   sizeof(one));
	char where[512];
	anysock_listener_ntop(listener, where, sizeof(where));
	log_notice("listening", "listening on %s%s%s, forwarding to %s port %s", where,
		   cfg.udp ? " (UDP)" : "", inherited ? " (inherited)" : "", cfg.host, cfg.port);
}

/* -u USER, once every socket is bound: USER's uid and group, and no
 * supplementary group (setgroups first, while still allowed). A relay
 * asked to drop root that is still root afterwards, or could get it back,
 * does not go on. */
static void drop_privileges(void)
{
	if (cfg.user == NULL)
		return;
	errno = 0;
	struct passwd *pw = getpwnam(cfg.user);
	if (pw == NULL) {
		fprintf(stderr, "anysock-relay: -u %s: %s\n", cfg.user,
			errno ? strerror(errno) : "no such user");
		exit(1);
	}
	if (pw->pw_uid == 0) {
		fprintf(stderr, "anysock-relay: -u %s: that is root, which drops nothing\n",
			cfg.user);
		exit(2);
	}
	bool already = getuid() == pw->pw_uid && geteuid() == pw->pw_uid;
	if ((!already && setgroups(0, NULL) < 0) || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		fprintf(stderr, "anysock-relay: -u %s: cannot become %s: %s\n", cfg.user, cfg.user,
			strerror(errno));
		exit(1);
	}
	if (getuid() == 0 || geteuid() == 0 || getgid() != pw->pw_gid || setuid(0) == 0 ||
	    (getgroups(0, NULL) > 0 && !already)) {
		fprintf(stderr,
			"anysock-relay: -u %s: still privileged after the drop; not going "
			"on\n",
			cfg.user);
		exit(1);
	}
	log_notice("user", "running as %s (uid %u, gid %u), no supplementary groups", cfg.user,
		   (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
}

/* What RLIMIT_NOFILE leaves for connections: less what is open now (stdio,
 * the listeners), each worker's epoll, stop_fd, the main thread's epoll
 * and signalfd, the metrics server's, and some for the resolver and the
 * C library. */
static void set_fd_budget(void)
{
	struct rlimit nofile;
	getrlimit(RLIMIT_NOFILE, &nofile);
	long spare = nofile.rlim_cur == RLIM_INFINITY ? 1L << 30 : (long)nofile.rlim_cur;
	atomic_store(&fd_budget,
		     spare - 3 - anysock_listener_count(listener) * (cfg.udp ? cfg.workers : 1) -
			     2L * cfg.workers - 16 - (cfg.metrics ? 40 : 0));
}

/* A worker: its thread, and what the thread runs. */
struct worker {
	pthread_t thread;
	struct stream_worker *tcp;
	struct datagram_worker *udp;
};

/* Every worker a thread of its own, each with its share of the cap, its
 * own epoll set and its own figures. */
static struct worker *start_workers(void)
{
	struct worker *w = calloc((size_t)cfg.workers, sizeof(*w));
	worker_stats = calloc((size_t)cfg.workers, sizeof(*worker_stats));
	stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w == NULL || worker_stats == NULL || stop_fd < 0) {
		perror("anysock-relay");
		exit(1);
	}
	for (int i = 0; i < cfg.workers; i++) {
		int cap = cfg.max_conns / cfg.workers + (i < cfg.max_conns % cfg.workers);
		cap = cap > 0 ? cap : 1;
		void *impl;
		if (cfg.udp)
			impl = w[i].udp = datagram_worker_new(i, cap, &worker_stats[i],
							      udp_listeners[i]);
		else
			impl = w[i].tcp = stream_worker_new(i, cap, &worker_stats[i]);
		atomic_fetch_add(&workers_running, 1);
		int rc = impl == NULL
				 ? -1
				 : pthread_create(&w[i].thread, NULL,
						  cfg.udp ? datagram_worker_run : stream_worker_run,
						  impl);
		if (rc != 0) {
			/* never on with fewer workers than asked */
			fprintf(stderr, "anysock-relay: cannot start worker %d of %d: %s\n", i,
				cfg.workers, strerror(rc < 0 ? errno : rc));
			exit(1);
		}
	}
	return w;
}

/* ---- The main thread ---------------------------------------------------- */

/* The signals the main thread reads; blocked in every thread. */
static void handled_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
}

/* One signal: SIGTERM and SIGINT start the drain (a second one changes
 * nothing), SIGHUP reloads, SIGUSR1 logs the figures. */
static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		reload();
	} else if (sig == SIGUSR1) {
		stats_log();
	} else if (!atomic_load(&draining)) {
		atomic_store(&draining, true);
		log_notice("draining", "signal %d: draining (up to %d s)", sig,
			   cfg.drain_ms / 1000);
		eventfd_write(stop_fd, 1);
	}
}

/* Signals and the metrics server until the drain is over (every worker
 * has stopped). */
static void main_loop(const sigset_t *signals)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int sfd = signalfd(-1, signals, SFD_CLOEXEC | SFD_NONBLOCK);
	static int signal_tag;
	struct epoll_event sev = { .events = EPOLLIN, .data.ptr = &signal_tag };
	if (ep < 0 || sfd < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &sev) < 0) {
		perror("anysock-relay: signals");
		exit(1);
	}
	metrics_watch(ep);
	while (!atomic_load(&draining) || atomic_load(&workers_running) > 0) {
		int wait = metrics_next_wait();
		if (atomic_load(&draining) && (wait < 0 || wait > 100))
			wait = 100; /* look at the workers now and then */
		struct epoll_event ev[16];
		int n = epoll_wait(ep, ev, 16, wait);
		for (int k = 0; k < n; k++) {
			if (ev[k].data.ptr != &signal_tag) {
				metrics_event(ev[k].data.ptr, ev[k].events);
				continue;
			}
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				on_signal((int)si.ssi_signo);
		}
		metrics_expire();
	}
	metrics_close();
	close(sfd);
	close(ep);
}

int main(int argc, char **argv)
{
	tool_name = "anysock-relay";
	setvbuf(stdout, NULL, _IOLBF, 0); /* one line per connection, as it ends */
	parse_command_line(argc, argv);
	/* Blocked before any thread exists, so in all of them: only the main
	 * thread's signalfd takes these. */
	sigset_t signals;
	handled_signals(&signals);
	pthread_sigmask(SIG_BLOCK, &signals, NULL);
	signal(SIGPIPE, SIG_IGN);
	open_listeners();
	metrics_open();
	drop_privileges();
	set_fd_budget();
	struct worker *w = start_workers();
	main_loop(&signals);
	for (int i = 0; i < cfg.workers; i++) {
		pthread_join(w[i].thread, NULL);
		stream_worker_free(w[i].tcp);
		datagram_worker_free(w[i].udp);
		if (udp_listeners != NULL && i > 0)
			anysock_listener_close(udp_listeners[i]);
	}
	free(udp_listeners);
	free(w);
	free(worker_stats);
	close(stop_fd);
	anysock_listener_close(listener);
	anysock_acl_free(trusted);
	log_notice("drained", "drained, exiting");
	return 0;
}
