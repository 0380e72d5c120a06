/* The dual-stack pitfalls and hand-made IPv4 idioms of issue 22: each rule
 * fires here where tests/port/pitfalls.expected says, once. Written for
 * the tests; no program's code. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_BIND "0.0.0.0"

static int family = AF_INET;

/* the UNP shape: the first passive answer that binds wins (0.0.0.0) */
int listen_first(const char *port)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE, .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1;
	if (getaddrinfo(NULL, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0)
			continue;
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
	}
	freeaddrinfo(res);
	listen(fd, 5);
	return fd;
}

/* one family, from a variable */
int listen_one(unsigned short port)
{
	struct sockaddr_storage ss = { 0 };
	int fd = socket(family, SOCK_STREAM, 0);
	ss.ss_family = (sa_family_t)family;
	bind(fd, (struct sockaddr *)&ss, sizeof(ss));
	listen(fd, (int)port);
	return fd;
}

/* the IPv6 socket takes IPv4 clients as ::ffff:a.b.c.d, said so */
int listen_dual(void)
{
	int off = 0, fd = socket(AF_INET6, SOCK_STREAM, 0);
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	listen(fd, 5);
	return fd;
}

/* IPv6 only, and no IPv4 listener beside it */
int listen_six(void)
{
	int on = 1, fd = socket(AF_INET6, SOCK_STREAM, 0);
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	listen(fd, 5);
	return fd;
}

/* a length set once; the peer printed as it came; families compared */
void serve(int lfd, const struct sockaddr *allowed)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	char host[NI_MAXHOST];
	for (;;) {
		int c = accept(lfd, (struct sockaddr *)&peer, &len);
		getnameinfo((struct sockaddr *)&peer, len, host, sizeof(host), NULL, 0,
			    NI_NUMERICHOST);
		if (((struct sockaddr *)&peer)->sa_family != allowed->sa_family)
			close(c);
	}
}

/* the first answer only, TCP and UDP */
int dial(const char *host, const char *port)
{
	struct addrinfo *res;
	if (getaddrinfo(host, port, NULL, &res) != 0)
		return -1;
	int fd = socket(res->ai_family, res->ai_socktype, 0);
	connect(fd, res->ai_addr, res->ai_addrlen);
	sendto(fd, "x", 1, 0, res->ai_addr, res->ai_addrlen);
	return fd;
}

/* a resolve helper that keeps the first answer */
int resolve(const char *host, struct sockaddr_storage *out)
{
	struct addrinfo *res;
	if (getaddrinfo(host, NULL, NULL, &res) != 0)
		return -1;
	memcpy(out, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

/* the whole storage's size to connect (EINVAL on the BSDs) */
int reconnect(int fd, const struct sockaddr_storage *to)
{
	return connect(fd, (const struct sockaddr *)to, sizeof(struct sockaddr_storage));
}

/* host:port split by hand, three ways */
int split_hostport(char *arg, char *url, char *line)
{
	char host[256];
	int port;
	char *colon = strrchr(arg, ':');
	if (colon != NULL)
		port = atoi(colon + 1);
	if (sscanf(url, "http://%255[^:/]:%d", host, &port) == 2)
		return port;
	char *p = line;
	while (*p != '\0' && *p != ':')
		p++;
	return (int)strtol(p + 1, NULL, 10);
}

/* a Host header and a URL from a bare host */
void request(int fd, const char *host, int port)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "GET http://%s:%d/ HTTP/1.0\r\n", host, port);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "Host: %s\r\n\r\n", host);
	write(fd, buf, (size_t)n);
}

/* "numeric?" by hand before a lookup */
int numeric(const char *host, struct in_addr *a)
{
	if (atoi(host) > 0)
		return inet_aton(host, a);
	for (const char *p = host; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return gethostbyname(host) != NULL;
	return strspn(host, "0123456789.") == strlen(host);
}

/* the same tests in the other usual shapes */
static int is_ip(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && *s != '.')
			return 0;
	return 1;
}

in_addr_t by_first_digit(const char *host)
{
	if (isdigit((unsigned char)host[0]))
		return inet_addr(host);
	struct hostent *hp = gethostbyname(host);
	return hp != NULL && is_ip(host) ? 0 : INADDR_NONE;
}

/* an access pattern of digits, dots and wildcards */
int pattern_ok(const char *pat)
{
	for (; *pat; pat++)
		if (!(isdigit((unsigned char)*pat) || *pat == '.' || *pat == '*' || *pat == '?'))
			return 0;
	return 1;
}

/* dotted quads by hand, a literal, 16-byte storage, a cast with no check */
void by_hand(int fd, char *out, size_t n)
{
	struct sockaddr any;
	socklen_t len = sizeof(any);
	getpeername(fd, &any, &len);
	struct sockaddr_in *sin = (struct sockaddr_in *)&any;
	unsigned char *b = (unsigned char *)&sin->sin_port;
	snprintf(out, n, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	dprintf(fd, "PORT %d,%d,%d,%d,%d,%d\r\n", b[0], b[1], b[2], b[3], b[4], b[5]);
	const char *bind_to = "192.0.2.10";
	strncpy(out, DEFAULT_BIND, n);
	(void)bind_to;
}

/* IPv4 lengths where a peer is written */
void lengths(int fd)
{
	struct msghdr m = { 0 };
	int len;
	m.msg_name = malloc(sizeof(struct sockaddr_in));
	m.msg_namelen = sizeof(struct sockaddr_in);
	len = sizeof(struct sockaddr);
	recvfrom(fd, NULL, 0, 0, m.msg_name, (socklen_t *)&len);
}

/* port 0 on each answer: each socket gets its own */
void ephemeral(int *fds)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE }, *res, *ai;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int n = 0, on = 1;
	getaddrinfo(NULL, "0", &hints, &res);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fds[n] = socket(ai->ai_family, SOCK_STREAM, 0);
		if (ai->ai_family == AF_INET6)
			setsockopt(fds[n], IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		bind(fds[n], ai->ai_addr, ai->ai_addrlen);
		getsockname(fds[n], (struct sockaddr *)&ss, &len);
		listen(fds[n++], 5);
	}
}

/* IPV6_V6ONLY may be 0: the if's arm sets it, the else's does not */
void v6only_maybe(int fd, int any)
{
	int opt;
	if (any)
		opt = 0;
	else
		opt = 1;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, (char *)&opt, sizeof(opt));
}
