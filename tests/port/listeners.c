/* Listeners on one family, or on IPv6 with the system's default for IPv4
 * clients: nothing in this file sets IPV6_V6ONLY. Each finding is where
 * tests/port/listeners.expected says. Written for the tests. */
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int use_ipv6;

/* the first answer of a name or of the wildcard, its family as it came */
int tcp_listen(const char *host, const char *port)
{
	struct addrinfo hints, *res;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	bind(fd, res->ai_addr, res->ai_addrlen);
	listen(fd, 5);
	freeaddrinfo(res);
	return fd;
}

/* --ipv6 picks the family: never both */
int option_listen(unsigned short port)
{
	struct sockaddr_in6 a6;
	int fd;
	memset(&a6, 0, sizeof(a6));
	if (use_ipv6) {
		fd = socket(PF_INET6, SOCK_STREAM, 0);
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons(port);
		bind(fd, (struct sockaddr *)&a6, sizeof(a6));
	} else {
		fd = socket(PF_INET, SOCK_STREAM, 0);
	}
	listen(fd, 5);
	return fd;
}

/* IPv6 only, or IPv4 too: as a sysctl says */
int any6(void)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	bind(fd, (struct sockaddr *)&a, sizeof(a));
	listen(fd, 5);
	return fd;
}
