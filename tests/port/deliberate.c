/* Correct code of the second round of issue 22: IPv4 by a protocol's
 * definition (PAC's dnsResolve, FTP's PORT beside EPRT), one half of a
 * parse of either family, unmapping, a program's own family names as
 * case labels, casts whose callers checked the family, a source address,
 * a multicast group's Host, sockets per answer, a family taken from the
 * connection. Nothing here is reported. Written for the tests; no
 * program's code. */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* PAC's dnsResolve() answers IPv4 by definition (dnsResolveEx does IPv6) */
int pac_dnsResolve(const char *host, char *out, size_t n)
{
	struct addrinfo hints = { .ai_family = AF_INET }, *res;
	char buf[INET_ADDRSTRLEN];
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return -1;
	inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, buf, sizeof(buf));
	freeaddrinfo(res);
	return snprintf(out, n, "%s", buf);
}

/* FTP: PORT and 227 are IPv4 by RFC 959, where EPRT and EPSV are handled */
static const char *const commands[] = { "PORT", "EPRT", "PASV", "EPSV" };

int ftp_pasv_reply(char *out, size_t n, const struct sockaddr_in *sin)
{
	unsigned char *a = (unsigned char *)&sin->sin_addr, *p = (unsigned char *)&sin->sin_port;
	return snprintf(out, n, "227 Entering Passive Mode (%u,%u,%u,%u,%u,%u)", a[0], a[1], a[2],
			a[3], p[0], p[1]);
}

/* an IPv4 literal parsed only where the IPv6 parse failed */
int parse_either(const char *text, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	if (inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return 0;
	}
	sin->sin_addr.s_addr = inet_addr(text);
	if (sin->sin_addr.s_addr == INADDR_NONE)
		return -1;
	sin->sin_family = AF_INET;
	return 0;
}

/* a mapped peer turned into its IPv4 form on purpose */
void unmap(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = sin6->sin6_port };
		memcpy(&sin.sin_addr, &sin6->sin6_addr.s6_addr[12], 4);
		memcpy(ss, &sin, sizeof(sin));
	}
}

/* the program's own address kinds as case labels: NA_IP6 names IPv6, so
 * NA_IP and NA_BROADCAST are IPv4's arms */
enum kind { NA_LOOPBACK, NA_BROADCAST, NA_IP, NA_IP6 };

void to_sockaddr(enum kind k, const unsigned char *ip, struct sockaddr_storage *ss)
{
	switch (k) {
	case NA_BROADCAST:
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_addr.s_addr = INADDR_BROADCAST;
		break;
	case NA_IP:
		((struct sockaddr_in *)ss)->sin_family = AF_INET;
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, ip, 4);
		break;
	case NA_IP6:
		((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, ip, 16);
		break;
	default: break;
	}
}

/* a cast whose every caller in the file has checked the family */
static unsigned long subnet_of(const struct sockaddr *sa)
{
	return ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 8;
}

unsigned long subnet_if_ipv4(const struct sockaddr *sa)
{
	if (sa->sa_family != AF_INET)
		return 0;
	return subnet_of(sa);
}

/* a source address: any answer of the name will do */
int source_address(const char *name, struct sockaddr_storage *laddr)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return -1;
	memcpy(laddr, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

/* SSDP's NOTIFY goes to the IPv4 group: its Host is that group */
int notify(char *buf, size_t n, const char *group, int port)
{
	return snprintf(buf, n, "NOTIFY * HTTP/1.1\r\nHost: %s:%d\r\n", group, port);
}

/* one socket per passive answer, kept in an array */
int listen_all(const char *port, int *fds, int max)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE, .ai_socktype = SOCK_STREAM }, *res, *ai;
	int n = 0, on = 1;
	if (getaddrinfo(NULL, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (n == max)
			break;
		fds[n] = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fds[n] < 0)
			continue;
		if (ai->ai_family == AF_INET6)
			setsockopt(fds[n], IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		if (bind(fds[n], ai->ai_addr, ai->ai_addrlen) == 0 && listen(fds[n], 5) == 0)
			n++;
		else
			close(fds[n]);
	}
	freeaddrinfo(res);
	return n;
}

/* a data listener of the control connection's family */
int data_listener(const struct sockaddr_storage *ctrl)
{
	int fd = socket(ctrl->ss_family, SOCK_STREAM, 0);
	if (fd >= 0)
		listen(fd, 1);
	return fd;
}

/* an AF_UNIX probe: no IP socket */
int probe_unix(void)
{
	int family = AF_UNIX;
	return socket(family, SOCK_STREAM, 0);
}

/* the IPv4 half of a pair: its name says so, the IPv6 half is beside it */
int ipv4_interfaces(const struct ifaddrs *all, struct in_addr *out, int max)
{
	int n = 0;
	for (const struct ifaddrs *ifa = all; ifa != NULL && n < max; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET)
			continue;
		out[n++] = ((const struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
	}
	return n;
}

int ipv6_interfaces(const struct ifaddrs *all, struct in6_addr *out, int max)
{
	int n = 0;
	for (const struct ifaddrs *ifa = all; ifa != NULL && n < max; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET6)
			continue;
		out[n++] = ((const struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;
	}
	return n;
}
