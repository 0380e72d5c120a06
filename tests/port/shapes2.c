/* The shapes a fourth look at real half-ported code found: a source
 * address bound from the first answer of its own lookup, AF_INET handed
 * to the hints through a variable, a Host cut at its first ':' by a
 * hand-written loop, an IPv4-level option on a socket of either family,
 * and the program's own IPV6_V6ONLY wrapper given 0. Each rule fires
 * where tests/port/shapes2.expected says, once. Written for the tests;
 * no program's code. */
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* a client's source address: the first answer of its name, whatever
 * family the server's answer has (the else arm branches on the family
 * inside, so it is neither family's and the first arm is no IPv4 arm) */
int make_client_socket(const char *local, int local_port, const char *server, const char *port)
{
	struct addrinfo hints, *local_res = NULL, *server_res = NULL;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (local != NULL && getaddrinfo(local, NULL, &hints, &local_res) != 0)
		return -1;
	if (getaddrinfo(server, port, &hints, &server_res) != 0)
		return -1;
	int fd = socket(server_res->ai_family, SOCK_STREAM, 0);
	if (local != NULL) {
		struct sockaddr_in *sin = (struct sockaddr_in *)local_res->ai_addr;
		sin->sin_port = htons((unsigned short)local_port);
		if (bind(fd, local_res->ai_addr, local_res->ai_addrlen) < 0)
			return -1;
	} else if (local_port != 0) {
		struct sockaddr_storage ss;
		memset(&ss, 0, sizeof(ss));
		if (server_res->ai_family == AF_INET)
			((struct sockaddr_in *)&ss)->sin_port = htons((unsigned short)local_port);
		else if (server_res->ai_family == AF_INET6)
			((struct sockaddr_in6 *)&ss)->sin6_port = htons((unsigned short)local_port);
	}
	return fd;
}

/* the family chosen once, as IPv4, and handed to the hints */
int lookup_monitor(const char *host, const char *port, struct addrinfo **res)
{
	int family = AF_INET;
	struct addrinfo hints;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	return getaddrinfo(host, port, &hints, res);
}

/* the Host header's name: cut at its first ':' by hand */
void virtual_host(char *host)
{
	for (char ch, *ptr = host; (ch = *ptr) != '\0'; ptr++) {
		if (ch == ':') {
			*ptr = '\0';
			break;
		}
	}
}

#define IP_DONT_FRAGMENT IP_MTU_DISCOVER

/* don't-fragment asked at IPv4's level on a socket of either family */
int datagram_socket(const struct sockaddr_storage *ss, socklen_t len)
{
	int flag = 2, fd = socket(ss->ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_IP, IP_DONT_FRAGMENT, &flag, sizeof(flag));
	if (bind(fd, (const struct sockaddr *)ss, len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* the program's own IPV6_V6ONLY wrapper, and a listener that turns it off */
static int set_v6only(int fd, int on)
{
	return setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
}

int wildcard_listener(unsigned short port)
{
	struct sockaddr_in6 sin6;
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	set_v6only(fd, 0);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0 || listen(fd, 16) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}
