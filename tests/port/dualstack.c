/* Nothing here may be reported: deliberate per-family code (a branch on the
 * family, a case per family, a -4 option, the build without IPv6) and
 * correct dual-stack code that looks like the pitfalls. anysock-port 0.8.0
 * reported the ones marked "was". Written for the tests. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#if defined(AF_INET6) && defined(IN6_IS_ADDR_V4MAPPED) /* was: v4mapped-check */
#define USE_IPV6
#endif

#define GROUP "239.1.2.3" /* a multicast group is one family's by nature */

typedef union {
	struct sockaddr sa;
	struct sockaddr_in sin; /* was: sockaddr-in */
	struct sockaddr_in6 sin6;
} sockaddr_u;

static int inet6;

#ifdef USE_IPV6
static int lookup(const char *host, struct sockaddr_storage *ss)
{
	(void)host;
	(void)ss;
	return 0;
}
#else
static int lookup(const char *host, struct sockaddr_in *sin)
{
	struct hostent *he = gethostbyname(host); /* was: hostent, gethostbyname */
	if (he == NULL)
		return -1;
	memcpy(&sin->sin_addr, he->h_addr, sizeof(sin->sin_addr)); /* was: hostent */
	return 0;
}
#endif

#ifndef HAVE_INET_ATON
/* a compat definition is no call */
int inet_aton(const char *cp, struct in_addr *a)
{
	return inet_pton(AF_INET, cp, a) == 1; /* was: literal-af-inet */
}
#endif

#if 0
static int old(const char *s, struct in_addr *a)
{
	return inet_aton(s, a); /* was: inet-aton */
}
#endif

/* either family's text: IPv4 first, then IPv6 */
int valid_ip(const char *s)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, s, &a4) != 1 && inet_pton(AF_INET6, s, &a6) != 1) /* was */
		return 0;
	if (inet_pton(AF_INET, s, &a4) == 1) /* was: literal-af-inet */
		return AF_INET;
	else if (inet_pton(AF_INET6, s, &a6) == 1)
		return AF_INET6;
	return 0;
}

/* a case per family */
socklen_t addr_len(const struct sockaddr *sa, char *text, size_t n)
{
	switch (sa->sa_family) {
	case AF_INET:
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, text, (socklen_t)n);
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, text,
			  (socklen_t)n);
		return sizeof(struct sockaddr_in6);
	default: return 0;
	}
}

/* the IPv6 case returns: the rest is IPv4's */
const char *text_of(const struct sockaddr_storage *ss, char *buf, socklen_t n)
{
	const struct sockaddr_in *sin;
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		return inet_ntop(AF_INET6, &sin6->sin6_addr, buf, n);
	}
	sin = (const struct sockaddr_in *)ss;
	return inet_ntop(AF_INET, &sin->sin_addr, buf, n); /* was: literal-af-inet */
}

/* multicast per family, on a socket of that family */
int sender(int family, const char *group, int ttl)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	if (family == AF_INET) {
		struct ip_mreq m;
		inet_pton(AF_INET, group, &m.imr_multiaddr); /* was: literal-af-inet */
		m.imr_interface.s_addr = htonl(INADDR_ANY);  /* was: inaddr */
		setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)); /* was: ip-option */
		setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)); /* was */
	} else {
		setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl));
	}
	return fd;
}

/* --ipv6 on a client: one family on purpose, either arm */
int client(const char *addr, unsigned short port)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	int fd;
	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet6) {
		fd = socket(PF_INET6, SOCK_STREAM, 0);
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons(port);
		inet_pton(AF_INET6, addr, &sin6.sin6_addr);
		connect(fd, (struct sockaddr *)&sin6, sizeof(sin6));
	} else {
		fd = socket(PF_INET, SOCK_STREAM, 0); /* was: af-inet */
		sin.sin_family = AF_INET;
		sin.sin_port = htons(port);
		sin.sin_addr.s_addr = addr != NULL ? inet_addr(addr) : INADDR_ANY; /* was */
		connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	}
	return fd;
}

/* -4 and -6, every address of the name in turn */
int dial(int argc, char **argv)
{
	struct addrinfo hints, *res, *ai;
	int opt, fd = -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	while ((opt = getopt(argc, argv, "46")) != -1) {
		switch (opt) {
		case '4':
			hints.ai_family = AF_INET; /* was: af-inet */
			break;
		case '6': hints.ai_family = AF_INET6; break;
		}
	}
	if (getaddrinfo(argv[optind], "80", &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* a socket on every passive answer, IPv6 ones IPv6-only */
int listen_all(const char *port, int *fds, int max)
{
	struct addrinfo hints, *res, *ai;
	int n = 0, on = 1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(NULL, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL && n < max; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 16) < 0) {
			close(fd);
			continue;
		}
		fds[n++] = fd;
	}
	freeaddrinfo(res);
	return n;
}

/* one listener per family, from a helper the caller runs for each */
int open_listener(int family, unsigned short port)
{
	sockaddr_u u;
	int on = 1, fd = socket(family, SOCK_STREAM, 0);
	memset(&u, 0, sizeof(u));
	u.sa.sa_family = (sa_family_t)family;
	if (family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		u.sin6.sin6_port = htons(port);
		bind(fd, &u.sa, sizeof(u.sin6));
	} else {
		u.sin.sin_port = htons(port);
		bind(fd, &u.sa, sizeof(u.sin));
	}
	listen(fd, 16);
	return fd;
}

/* a socket per family, side by side */
int pair(int *s6)
{
	int s4 = socket(AF_INET, SOCK_DGRAM, 0); /* was: af-inet */
	*s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	return s4;
}

/* the peer's own length each time; printed from an IPv6-only socket */
void serve(int lfd)
{
	struct sockaddr_storage peer;
	socklen_t len;
	char host[NI_MAXHOST], buf[512];
	for (;;) {
		len = sizeof(peer);
		int c = accept(lfd, (struct sockaddr *)&peer, &len);
		getnameinfo((struct sockaddr *)&peer, len, host, sizeof(host), NULL, 0,
			    NI_NUMERICHOST);
		ssize_t n = recvfrom(c, buf, sizeof(buf), 0, (struct sockaddr *)&peer, &len);
		sendto(c, buf, (size_t)n, 0, (struct sockaddr *)&peer, len);
		printf("listening on http://%s:%d/\n", host, 80); /* a log line */
		close(c);
	}
}

/* tracepath's shape: a mapped target gets the IPv4-level options too */
void ttl_for(int fd, const struct sockaddr_storage *target, int ttl)
{
	int mapped = 0;
	switch (target->ss_family) {
	case AF_INET6:
		setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl));
		if (!IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)target)->sin6_addr))
			break;
		mapped = 1;
		/* fall through */
	case AF_INET:
		setsockopt(fd, SOL_IP, IP_TTL, &ttl, sizeof(ttl)); /* was: ip-option */
		break;
	}
	(void)mapped;
}

/* port:proto is no host:port; [v6]:port is split with its brackets */
int parse(char *arg, char *hostport, char *host, size_t n)
{
	char *ptr = strchr(arg, ':');
	int udp = 0;
	if (ptr != NULL) {
		*ptr++ = '\0';
		udp = strcmp(ptr, "udp") == 0;
	}
	char *end = hostport;
	if (*hostport == '[')
		end = strchr(hostport, ']');
	char *colon = strrchr(end, ':');
	if (colon != NULL) {
		*colon = '\0';
		snprintf(host, n, "%s", hostport);
		return atoi(colon + 1) + udp;
	}
	return udp;
}

/* digits and dots that are no address: seconds; a port number or name */
double seconds(const char *s)
{
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
	return atof(s);
}

int port_of(const char *port, const char *host, struct addrinfo **res)
{
	if (isdigit((unsigned char)*port))
		return atoi(port);
	return getaddrinfo(host, port, NULL, res);
}

/* a URL that brackets an IPv6 literal */
int url(char *buf, size_t n, const char *host, int port)
{
	return snprintf(buf, n, strchr(host, ':') != NULL ? "http://[%s]:%d/" : "http://%s:%d/",
			host, port);
}

/* literals that are no address to use: a placeholder, a match, loopback */
int literals(const char *line)
{
	char shown[16] = "0.0.0.0";
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	connect(fd, &unspec, sizeof(unspec));
	puts(shown);
	puts(GROUP);
	return strncmp(line, "0.0.0.0", 7) == 0 || strcmp(line, "127.0.0.1") == 0;
}

/* hh:mm is no host:port; a file URL names no host; a peer unmapped where
 * it enters */
int minutes(const char *t)
{
	const char *colon = strchr(t, ':');
	return colon != NULL ? atoi(colon + 1) : 0;
}

int file_url(char *buf, size_t n, const char *path)
{
	return snprintf(buf, n, "file://%s", path);
}

int canonical_peer(int lfd, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof(*ss);
	int c = accept(lfd, (struct sockaddr *)ss, &len);
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = sin6->sin6_port };
		memcpy(&sin.sin_addr, &sin6->sin6_addr.s6_addr[12], 4);
		memcpy(ss, &sin, sizeof(sin));
	}
	return c;
}

/* Look-alikes of the shapes in shapes.c, each correct as it stands. */

/* a user:password split (no host in any name) */
void credentials(char *auth, char **user, char **password)
{
	char *colon = strchr(auth, ':');
	*user = auth;
	*password = NULL;
	if (colon != NULL) {
		*colon = '\0';
		*password = colon + 1;
	}
}

/* a header split at ':' with strtok */
void header(char *line, char **name)
{
	*name = strtok(line, ":");
}

/* host:port text where the function brackets IPv6 literals, and one for
 * the terminal */
void endpoint_text(char *buf, size_t n, const char *host, int port)
{
	if (strchr(host, ':') != NULL)
		snprintf(buf, n, "[%s]:%d", host, port);
	else
		snprintf(buf, n, "%s:%d", host, port);
	fprintf(stderr, "%s:%d\n", host, port);
}

/* an IPv4 special case in code that handles every family (the rest of the
 * function is the general case) */
int scope_class(const struct sockaddr *sa, const unsigned char *bytes)
{
	if (sa->sa_family == AF_INET)
		return bytes[0] == 127 ? 2 : 14;
	return bytes[1] & 0x0f;
}

/* a helper given one answer: the caller's loop chooses (was: bind-first) */
int listen_one(int fd, const struct addrinfo *ai)
{
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		return -1;
	return listen(fd, 8);
}

/* one socket per family, a function each: this is the IPv4 one */
int open_v4(unsigned short port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		return -1;
	return fd;
}

int open_v6(unsigned short port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int on = 1, fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0)
		return -1;
	return fd;
}

/* an IPv4 option on the socket the program names for IPv4 */
void ttl_v4(int s4, int ttl)
{
	setsockopt(s4, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
}

/* a loop over the answers that goes on after a refusal */
int dial_each(struct addrinfo *res)
{
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
			close(fd);
			continue;
		}
		return fd;
	}
	return -1;
}

/* a connect wrapper given one answer the caller's loop chose */
int nb_connect(int fd, const struct sockaddr *sa, socklen_t len);

int try_answer(int fd, const struct addrinfo *ai)
{
	return nb_connect(fd, ai->ai_addr, ai->ai_addrlen);
}

/* FTP's PORT carries IPv4 by RFC 959; this server speaks EPRT too */
int handle_PORT(const char *arg, struct sockaddr_in *sin)
{
	int a, b, c, d, e, f;
	char text[INET_ADDRSTRLEN];
	if (sscanf(arg, "%d,%d,%d,%d,%d,%d", &a, &b, &c, &d, &e, &f) != 6)
		return -1;
	snprintf(text, sizeof(text), "%d.%d.%d.%d", a, b, c, d);
	sin->sin_port = htons((unsigned short)(e * 256 + f));
	return inet_aton(text, &sin->sin_addr) ? 0 : -1;
}

int handle_EPRT(const char *arg, struct sockaddr_storage *ss)
{
	(void)ss;
	return strncmp(arg, "|2|", 3) == 0 ? 0 : puts("522 EPRT: use |1| or |2|") & 0;
}

/* a multicast receiver of the group's family, joined the protocol-
 * independent way (RFC 3678) */
int join(const struct sockaddr_storage *group, socklen_t len, unsigned ifindex)
{
	struct group_req req = { .gr_interface = ifindex };
	int fd = socket(group->ss_family, SOCK_DGRAM, 0);
	memcpy(&req.gr_group, group, len);
	if (fd < 0 || bind(fd, (const struct sockaddr *)group, len) < 0 ||
	    setsockopt(fd, group->ss_family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP,
		       MCAST_JOIN_GROUP, &req, sizeof(req)) < 0)
		return -1;
	return fd;
}

/* a URI's scheme cut at its ':' (RFC 3986), in a URI parser */
char *uri_parse_scheme(char *text)
{
	char *colon = strchr(text, ':');
	if (colon == NULL)
		return NULL;
	*colon = '\0';
	return text;
}

/* text parsed as IPv6 first, then as IPv4 when that failed */
int parse_either(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1) {
		struct in_addr a;
		if (inet_aton(text, &a) == 0) /* was: inet-aton */
			return -1;
		return 4;
	}
	return 6;
}

/* text parsed as IPv4, then as IPv6: a statement each, no else */
int text_family(const char *text)
{
	unsigned char buf[16];
	if (inet_pton(AF_INET, text, buf) == 1) /* was: literal-af-inet */
		return AF_INET;
	if (inet_pton(AF_INET6, text, buf) == 1)
		return AF_INET6;
	return AF_UNSPEC;
}

/* an FTP client that asks for EPSV first and falls back to PASV */
int passive(FILE *ctl, int epsv_refused)
{
	if (!epsv_refused)
		return fprintf(ctl, "EPSV\r\n");
	return fprintf(ctl, "PASV\r\n");
}

/* an FTP server's command table compares, never sends */
int is_passive(const char *command)
{
	return strcmp(command, "PASV") == 0;
}

/* the server's address in a reply: two ifs in a row, one per family */
static struct sockaddr_storage reply_server;
static socklen_t reply_server_len;

void reply_address(const unsigned char *in, size_t len, int tries)
{
	for (int i = 0; i < tries; i++) {
		if (len == 5) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&reply_server; /* was */
			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, in + 1, 4);
			reply_server_len = sizeof(*sin);
			break;
		}
		if (len == 17) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&reply_server;
			sin6->sin6_family = AF_INET6;
			memcpy(&sin6->sin6_addr, in + 1, 16);
			reply_server_len = sizeof(*sin6);
			break;
		}
	}
}

/* a build without getaddrinfo, in a file whose other path speaks IPv6:
 * that build has no IPv6 at all */
#ifndef HAVE_GETADDRINFO
int resolve_fallback(const char *host, struct sockaddr_in *sin)
{
	struct hostent *he = gethostbyname(host); /* was: hostent, gethostbyname */
	if (he == NULL)
		return -1;
	memcpy(&sin->sin_addr, he->h_addr, sizeof(sin->sin_addr)); /* was: hostent */
	return 0;
}
#endif

/* a source address looked up in the server answer's family */
int bind_source(int fd, const char *local, const struct addrinfo *server)
{
	struct addrinfo hints, *res;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = server->ai_family;
	hints.ai_socktype = server->ai_socktype;
	if (getaddrinfo(local, NULL, &hints, &res) != 0)
		return -1;
	int rc = bind(fd, res->ai_addr, res->ai_addrlen); /* not bind-source */
	freeaddrinfo(res);
	if (rc < 0)
		return -1;
	return connect(fd, server->ai_addr, server->ai_addrlen);
}

/* AF_INET as the default of a -4/-6 choice, not the only family */
int lookup_family(const char *host, int want_v6, struct addrinfo **res)
{
	int family = AF_INET; /* not af-inet: set again below */
	struct addrinfo hints;
	if (want_v6)
		family = AF_INET6;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	return getaddrinfo(host, NULL, &hints, res);
}

/* a mapped client checked against IPv4 rules: the check the draft asks
 * for, where the address is used, not a text cut */
int allowed(const struct sockaddr_in6 *sin6, uint32_t net, uint32_t mask)
{
	uint32_t a;
	if (!IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) /* was: v4mapped-check */
		return 0;
	memcpy(&a, &sin6->sin6_addr.s6_addr[12], sizeof(a));
	return (ntohl(a) & mask) == net;
}
