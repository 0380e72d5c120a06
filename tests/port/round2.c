/* The second round of issue 22's shapes: access rules kept as 32-bit
 * numbers, address types, family filters, host:port split and joined by
 * hand in more spellings. Each fires where tests/port/round2.expected
 * says. Written for the tests; no program's code. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct rule {
	unsigned long net, bits;
};

/* an access rule: the network as a number, its length up to 32 */
int rule_parse(struct rule *r, const char *text, int masklen)
{
	struct sockaddr_in sin;
	if (masklen < 0 || masklen > 32)
		return -1;
	memset(&sin, 0, sizeof(sin));
	if (inet_pton(AF_INET, text, &sin.sin_addr) != 1)
		return -1;
	r->net = sin.sin_addr.s_addr;
	r->bits = (unsigned long)masklen;
	return 0;
}

/* the peer's number kept in a local, compared with the rule's */
int rule_match(const struct rule *r, const struct sockaddr_in *peer)
{
	unsigned long a = peer->sin_addr.s_addr;
	return (a & r->bits) == r->net;
}

/* a SOCKS5 request: ATYP 1 (four bytes) or 3 (a name), nothing else */
int socks5_target(const unsigned char *req, char *host, size_t n)
{
	if (req[3] != 1 && req[3] != 3)
		return -1; /* ATYP 4 refused */
	if (req[3] == 1)
		return snprintf(host, n, "%u.%u.%u.%u", req[4], req[5], req[6], req[7]);
	return snprintf(host, n, "%.*s", req[4], (const char *)req + 5);
}

/* the interfaces' addresses: the IPv4 ones only */
int local_addresses(struct in_addr *out, int max)
{
	struct ifaddrs *all, *ifa;
	int n = 0;
	if (getifaddrs(&all) != 0)
		return -1;
	for (ifa = all; ifa != NULL && n < max; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET)
			continue;
		out[n++] = ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
	}
	freeifaddrs(all);
	return n;
}

/* a datagram from anywhere but IPv4 dropped */
int receive(int fd, char *buf, size_t n, struct in_addr *from)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	ssize_t got = recvfrom(fd, buf, n, 0, (struct sockaddr *)&ss, &len);
	if (got < 0 || ss.ss_family != AF_INET)
		return -1;
	*from = ((struct sockaddr_in *)&ss)->sin_addr;
	return (int)got;
}

/* the answers of one family kept: -6 or IPv4, never the other */
int dial(const char *host, const char *port, int want6)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (ai->ai_family != (want6 ? AF_INET6 : AF_INET))
			continue;
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* a name given to getnameinfo with the IPv4 length */
int peer_name(const struct sockaddr_storage *ss, char *host, size_t n)
{
	return getnameinfo((const struct sockaddr *)ss, sizeof(struct sockaddr_in), host,
			   (socklen_t)n, NULL, 0, NI_NUMERICHOST);
}

/* host:port cut at the ':' in place, the host used alone */
int proxy_target(char *spec, char **host)
{
	char *colon = strchr(spec, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	*host = spec;
	return 0;
}

/* host:port split with strsep */
int split_target(char *line, char **host, char **port)
{
	char *p = line;
	*host = strsep(&p, ":");
	*port = p;
	return *port != NULL ? 0 : -1;
}

/* host and port joined by hand: strcat, and "%s:%d" */
void join_target(char *buf, size_t n, const char *host, int port)
{
	char remote_host[256];
	snprintf(remote_host, sizeof(remote_host), "%s", host);
	strcat(remote_host, ":");
	snprintf(buf, n, "%s:%d", host, port);
}

/* the family of an option: AF_INET6 with no IPV6_V6ONLY */
int open_listener(int use6, unsigned short port)
{
	int family = AF_INET;
	if (use6)
		family = AF_INET6;
	int fd = socket(family, SOCK_STREAM, 0);
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	(void)port;
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sizeof(ss)) != 0 || listen(fd, 5) != 0)
		return -1;
	return fd;
}

/* "is it numeric?" by inet_addr's failure, then a lookup */
int target(const char *name, struct in_addr *out)
{
	struct hostent *h;
	out->s_addr = inet_addr(name);
	if (out->s_addr == INADDR_NONE) {
		if ((h = gethostbyname(name)) == NULL)
			return -1;
		memcpy(out, h->h_addr_list[0], sizeof(*out));
	}
	return 0;
}
