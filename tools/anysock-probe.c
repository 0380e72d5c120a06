/*
 * anysock-probe - see an address the way anysock sees it.
 *
 *   anysock-probe [-n] [-t ms] ARG...             what each ARG is
 *   anysock-probe [-t ms] --listen SERVICE [HOST] what would be bound
 *   anysock-probe [-t ms] --connect HOST PORT     the Happy Eyeballs race
 *   anysock-probe --interfaces                    this host's addresses
 *   anysock-probe [-t ms] --nat64 [IPV4]          NAT64 here, and IPV4 through it
 *   anysock-probe --help | --version
 *
 * ARG is a name, an address, host:port ([v6]:port for IPv6) or a CIDR
 * prefix. For each address it resolves to: the canonical text, the family,
 * the special-purpose classes, whether it is globally reachable, and the
 * reverse name (at most -t ms, default 2000; -n: no reverse lookups).
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <anysock.h>

#include "tool.h"

static int timeout_ms = 2000;

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
static bool reverse = true;

static const char *family_name(const anysock_addr *a)
{
	return anysock_addr_family(a) == AF_INET ? "IPv4" : "IPv6";
}

static void show_addr(const anysock_addr *given)
{
	anysock_addr a = *given;
	char text[ANYSOCK_ADDRSTRLEN], classes[512], name[NI_MAXHOST];
	bool mapped = anysock_addr_unmap(&a) == 1;
	anysock_ntop(&a, text, sizeof(text),
		     anysock_addr_port(&a) == 0 ? ANYSOCK_NTOP_NOPORT : 0);
	unsigned c = anysock_addr_class(given);
	if (anysock_class_str(c & ~ANYSOCK_CLASS_GLOBAL, classes, sizeof(classes)) < 0 ||
	    classes[0] == '\0')
		snprintf(classes, sizeof(classes), "-");
	printf("  %s\n", text);
	printf("    family     %s%s\n", family_name(&a), mapped ? " (written IPv4-mapped)" : "");
	printf("    classes    %s\n", classes);
	printf("    global     %s\n", anysock_addr_is_global(given) ? "yes" : "no");
	if (reverse) {
		int rc = anysock_nameinfo(&a, name, sizeof(name), NI_NAMEREQD, timeout_ms);
		printf("    name       %s\n", rc >= 0 ? name : "(none)");
	}
}

static int probe(const char *arg)
{
	printf("%s\n", arg);
	anysock_prefix p;
	if (strchr(arg, '/') != NULL) {
		int rc = anysock_prefix_parse(arg, &p, ANYSOCK_PREFIX_MASK);
		if (rc < 0) {
			printf("  not a prefix: %s\n", anysock_strerror(rc));
			return 1;
		}
		char text[ANYSOCK_PREFIXSTRLEN];
		anysock_prefix_ntop(&p, text, sizeof(text));
		printf("  prefix %s (%s); its first address:\n", text,
		       p.family == AF_INET ? "IPv4" : "IPv6");
		anysock_addr first;
		if (p.family == AF_INET)
			anysock_addr_from_in(&first, &p.u.v4, 0);
		else
			anysock_addr_from_in6(&first, &p.u.v6, 0, 0);
		show_addr(&first);
		return 0;
	}
	anysock_addr a[32];
	if (anysock_pton(arg, &a[0], 0) == 0) {
		show_addr(&a[0]);
		return 0;
	}
	/* host:port, [v6]:port, a name: anysock_resolve takes them all, and
	 * gives the parse error for what is clearly meant as an address */
	int n = anysock_resolve(arg, NULL, SOCK_STREAM, 0, timeout_ms, a, 32);
	if (n < 0) {
		printf("  %s\n", anysock_strerror(n));
		return 1;
	}
	for (int i = 0; i < n; i++)
		show_addr(&a[i]);
	return 0;
}

static int show_listen(const char *service, const char *host)
{
	anysock_listener *l;
	anysock_addr failed;
	int rc = anysock_listen(host, service, SOCK_STREAM, 0, 0, &l, &failed);
	if (rc < 0) {
		char where[ANYSOCK_ADDRSTRLEN] = "-";
		anysock_ntop(&failed, where, sizeof(where), 0);
		printf("cannot listen: %s: %s\n", where, anysock_strerror(rc));
		return 1;
	}
	printf("anysock_listen(%s, \"%s\") binds %d socket%s:\n", host ? host : "NULL", service, rc,
	       rc == 1 ? "" : "s");
	for (int i = 0; i < rc; i++) {
		anysock_addr a;
		char text[ANYSOCK_ADDRSTRLEN];
		anysock_listener_addr(l, (size_t)i, &a);
		anysock_ntop(&a, text, sizeof(text), 0);
		int fd = anysock_listener_fd(l, (size_t)i), on = 0;
		socklen_t len = sizeof(on);
		bool v6 = anysock_addr_family(&a) == AF_INET6;
		if (v6)
			getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, &len);
		printf("  %-28s %s\n", text,
		       !v6 ? "IPv4" : on ? "IPv6 only (IPV6_V6ONLY=1)" : "IPv6 and IPv4 (V6ONLY=0)");
	}
	anysock_listener_close(l);
	return 0;
}

static void print_attempt(void *arg, enum anysock_attempt_event event, const anysock_addr *a,
			  int err, long us)
{
	(void)arg;
	static const char *what[] = { "start",     "connected", "failed",
				      "abandoned", "resolved",  "synthesized" };
	char text[ANYSOCK_ADDRSTRLEN];
	if (event == ANYSOCK_ATTEMPT_RESOLVED) { /* a family's lookup answered */
		const char *family = anysock_addr_family(a) == AF_INET6 ? "AAAA"
				     : anysock_addr_family(a) == AF_INET ? "A"
									  : "A+AAAA";
		anysock_ntop(a, text, sizeof(text), ANYSOCK_NTOP_NOPORT);
		printf("  %8.1f ms  %-10s %-6s %s\n", us / 1000.0, what[event], family,
		       err ? anysock_strerror(err) : text);
		return;
	}
	anysock_ntop(a, text, sizeof(text), 0);
	printf("  %8.1f ms  %-10s %s%s%s\n", us / 1000.0, what[event], text, err ? ": " : "",
	       err ? anysock_strerror(err) : "");
}

/* Through NAT64: the IPv4 peer, and the IPv6 address it went to. */
static void print_peer(int fd, const anysock_addr *peer)
{
	char text[ANYSOCK_ADDRSTRLEN], wire_text[ANYSOCK_ADDRSTRLEN];
	anysock_addr wire;
	anysock_ntop(peer, text, sizeof(text), 0);
	wire.len = sizeof(wire.u);
	if (getpeername(fd, &wire.u.sa, &wire.len) == 0 &&
	    anysock_nat64_extract(&wire, NULL, NULL) == 0) {
		anysock_ntop(&wire, wire_text, sizeof(wire_text), 0);
		printf("connected to %s through NAT64 (%s)\n", text, wire_text);
	} else {
		printf("connected to %s\n", text);
	}
}

/* The race, driven from a poll() loop through a connector, as an event
 * loop would: the timeline shows when each family's answer came and when
 * each attempt started and ended. */
static int show_connect(const char *host, const char *port)
{
	anysock_connect_opts o = ANYSOCK_CONNECT_OPTS_INIT;
	o.timeout_ms = timeout_ms;
	o.trace = print_attempt;
	o.flags = ANYSOCK_CONNECT_TRACE_LOOKUPS | ANYSOCK_CONNECT_TRACE_NAT64;
	printf("connecting to \"%s\" port \"%s\", timeout %d ms:\n", host, port, timeout_ms);
	anysock_connector *c;
	anysock_addr peer;
	memset(&peer, 0, sizeof(peer));
	int fd = anysock_connector_start(host, port, SOCK_STREAM, &o, &c);
	while (c != NULL && (fd = anysock_connector_step(c, &peer)) == -EINPROGRESS) {
		struct pollfd p = { anysock_connector_fd(c), POLLIN, 0 };
		if (p.fd < 0) {
			fd = p.fd; /* no epoll set to watch */
			break;
		}
		if (poll(&p, 1, anysock_connector_timeout(c)) < 0) {
			fd = -errno;
			break;
		}
	}
	anysock_connector_free(c); /* NULL when start failed */
	char text[ANYSOCK_ADDRSTRLEN] = "-";
	anysock_ntop(&peer, text, sizeof(text), 0);
	if (fd < 0) {
		printf("failed: %s (%s)\n", anysock_strerror(fd), text);
		return 1;
	}
	print_peer(fd, &peer);
	close(fd);
	return 0;
}

/* Every address of every interface, classified, and the answer to the
 * question AI_ADDRCONFIG gets wrong. */
static int show_interfaces(void)
{
	anysock_interface *v = NULL;
	int n = anysock_interfaces(NULL, 0);
	/* Addresses may come up between two calls: ask again until they fit
	 * (the count once outgrew the room and was printed past it). */
	for (size_t room = 0; n > 0 && (size_t)n > room;) {
		room = (size_t)n;
		anysock_interface *more = realloc(v, room * sizeof(*v));
		if (more == NULL) {
			n = -ENOMEM;
			break;
		}
		v = more;
		n = anysock_interfaces(v, room);
	}
	if (n < 0) {
		fprintf(stderr, "interfaces: %s\n", anysock_strerror(n));
		free(v);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		char text[ANYSOCK_ADDRSTRLEN], classes[256];
		anysock_ntop(&v[i].addr, text, sizeof(text), ANYSOCK_NTOP_NOPORT);
		anysock_class_str(v[i].classes, classes, sizeof(classes));
		printf("%u %-10s %s/%u %s%s%s (%s)\n", v[i].index, v[i].name, text, v[i].prefix_len,
		       v[i].flags & ANYSOCK_IF_UP ? "up" : "down",
		       v[i].flags & ANYSOCK_IF_LOOPBACK ? ",loopback" : "",
		       v[i].flags & ANYSOCK_IF_MULTICAST ? ",multicast" : "", classes);
	}
	free(v);
	printf("usable IPv4 (not loopback, not link-local): %s\n",
	       anysock_have_usable(AF_INET) == 1 ? "yes" : "no");
	printf("usable IPv6 (not loopback, not link-local): %s\n",
	       anysock_have_usable(AF_INET6) == 1 ? "yes" : "no");
	return 0;
}

/* The route this host has to v4 (a UDP connect sends nothing): 0 and the
 * source address it would use, or -errno. */
static int ipv4_route(const anysock_addr *v4, anysock_addr *source)
{
	/* anysock-port: ignore af-inet -- the IPv4 route is the question */
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int rc = connect(fd, &v4->u.sa, v4->len) == 0 ? 0 : -errno;
	source->len = sizeof(source->u);
	if (rc == 0 && getsockname(fd, &source->u.sa, &source->len) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* An address of this host in 192.0.0.0/29, the CLAT's (RFC 6877), into
 * name; false when there is none. */
static bool clat_address(char *text, size_t size)
{
	anysock_interface v[64];
	anysock_prefix clat;
	anysock_prefix_parse("192.0.0.0/29", &clat, 0);
	int n = anysock_interfaces(v, 64);
	for (int i = 0; i < n && i < 64; i++) {
		if (anysock_prefix_contains(&clat, &v[i].addr)) {
			char a[ANYSOCK_ADDRSTRLEN];
			anysock_ntop(&v[i].addr, a, sizeof(a), ANYSOCK_NTOP_NOPORT);
			snprintf(text, size, "%s on %s", a, v[i].name);
			return true;
		}
	}
	return false;
}

/* NAT64 here: the prefixes discovery finds, whether a CLAT translates,
 * and what anysock_connect would do with the IPv4 literal. */
static int show_nat64(const char *literal)
{
	anysock_addr v4, source, v6;
	if (anysock_pton(literal, &v4, ANYSOCK_PTON_NOPORT | ANYSOCK_PTON_UNMAP) < 0 ||
	    anysock_addr_family(&v4) != AF_INET) {
		printf("not an IPv4 address: %s\n", literal);
		return 1;
	}
	anysock_addr_set_port(&v4, 443);
	anysock_prefix p[16];
	double t0 = now_ms();
	int n = anysock_nat64_prefixes(p, 16, timeout_ms);
	printf("NAT64 prefixes (RFC 7050: AAAA of ipv4only.arpa, %.1f ms):\n", now_ms() - t0);
	if (n <= 0)
		printf("  %s\n", n < 0 ? anysock_strerror(n) : "none: no DNS64 answer");
	for (int i = 0; i < n; i++) {
		char text[ANYSOCK_PREFIXSTRLEN];
		anysock_prefix_ntop(&p[i], text, sizeof(text));
		printf("  %s (from DNS64)\n", text);
	}
	char clat[128], src[ANYSOCK_ADDRSTRLEN];
	bool has_clat = clat_address(clat, sizeof(clat));
	printf("CLAT (RFC 6877): %s\n", has_clat ? clat : "none (no address in 192.0.0.0/29)");
	int route = ipv4_route(&v4, &source);
	anysock_ntop(&source, src, sizeof(src), ANYSOCK_NTOP_NOPORT);
	if (route == 0)
		printf("IPv4 route to %s: yes, from %s\n", literal, src);
	else
		printf("IPv4 route to %s: none (%s)\n", literal, anysock_strerror(route));
	printf("a connect to %s here: ", literal);
	int rc = route == 0 ? 0 : anysock_nat64_synthesize(&v4, NULL, &v6);
	if (route == 0 && has_clat)
		printf("IPv4, through the CLAT\n");
	else if (route == 0)
		printf("IPv4, directly\n");
	else if (rc == 0 && anysock_ntop(&v6, src, sizeof(src), ANYSOCK_NTOP_NOPORT) > 0)
		printf("IPv6 to %s, through NAT64\n", src);
	else
		printf("fails: %s\n", anysock_strerror(rc));
	return 0;
}

static const char synopsis[] =
	"usage: anysock-probe [-n] [-t MS] ARG...\n"
	"       anysock-probe [-t MS] --listen SERVICE [HOST]\n"
	"       anysock-probe [-t MS] --connect HOST PORT\n"
	"       anysock-probe --interfaces\n"
	"       anysock-probe [-t MS] --nat64 [IPV4]\n"
	"What anysock sees in each ARG (a name, an address, host:port, a prefix),\n"
	"what --listen would bind, how a --connect race goes, this host's addresses,\n"
	"its network's NAT64 and what a connect to IPV4 (192.0.2.1) would do.\n\n";

enum { LISTEN = 256, CONNECT, INTERFACES, NAT64 };

static const struct tool_option options[] = {
	{ "numeric", 'n', NULL, "no reverse lookups" },
	{ "timeout", 't', "MS",
	  "the limit for each lookup and connection, 1-600000\n"
	  "(default 2000)" },
	{ "listen", LISTEN, NULL, "bind SERVICE [on HOST] as anysock_listen would" },
	{ "connect", CONNECT, NULL, "connect to HOST PORT, and show the race" },
	{ "interfaces", INTERFACES, NULL, "this host's addresses, and which are usable" },
	{ "nat64", NAT64, NULL, "NAT64 prefixes, CLAT, and a connect to [IPV4] here" },
	{ NULL, 0, NULL, NULL },
};

int main(int argc, char **argv)
{
	int mode = 0, opt;
	const char *given;
	tool_name = "anysock-probe";
	while ((opt = tool_getopt(argc, argv, options, synopsis, &given)) != -1) {
		if (opt == 'n')
			reverse = false;
		else if (opt == 't')
			timeout_ms = tool_number(given, optarg, 1, 600000);
		else
			mode = opt;
	}
	int left = argc - optind;
	if (mode == LISTEN && (left == 1 || left == 2))
		return show_listen(argv[optind], left == 2 ? argv[optind + 1] : NULL);
	if (mode == CONNECT && left == 2)
		return show_connect(argv[optind], argv[optind + 1]);
	if (mode == INTERFACES && left == 0)
		return show_interfaces();
	if (mode == NAT64 && left <= 1)
		return show_nat64(left == 1 ? argv[optind] : "192.0.2.1");
	if (mode != 0 || left == 0)
		tool_usage(2);
	int rc = 0;
	for (int i = optind; i < argc; i++)
		rc |= probe(argv[i]);
	return rc;
}
