/* Every rule of anysock-port fires here, each where tests/port/positive.expected says. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

void lookups(const char *name, struct in_addr a)
{
	struct hostent *h = gethostbyname(name);
	h = gethostbyname2(name, AF_INET6);
	h = gethostbyaddr(&a, sizeof(a), AF_INET);
	printf("%s %s\n", h->h_addr_list[0], h->h_addr);
	printf("%s\n", inet_ntoa(a));
	a.s_addr = inet_addr("192.0.2.1");
	inet_aton("192.0.2.1", &a);
	unsigned long net = inet_network("10.0.0.0");
	a = inet_makeaddr(10, 1);
	net = inet_lnaof(a) + inet_netof(a);
	(void)net;
}

int server(void)
{
	struct sockaddr_in self, peer;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int fd2 = socket(PF_INET, SOCK_DGRAM, 0);
	self.sin_addr.s_addr = htonl(INADDR_ANY);
	bind(fd, (struct sockaddr *)&self, sizeof(self));
	socklen_t len = sizeof(struct sockaddr_in);
	int c = accept(fd, (struct sockaddr *)&peer, &(socklen_t){ sizeof(struct sockaddr) });
	char text[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &peer.sin_addr, text, sizeof(text));
	if (peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK) || INADDR_BROADCAST != self.sin_addr.s_addr)
		return c + fd2 + (int)len;
	return 0;
}

int hints(const char *host, struct addrinfo **res)
{
	struct addrinfo h = { .ai_family = AF_INET, .ai_flags = AI_V4MAPPED };
	char buf[64];
	snprintf(buf, sizeof(buf), "::ffff:%s", host);
	if (strncmp(host, "::FFFF:", 7) == 0)
		return -1;
	return getaddrinfo(buf, NULL, &h, res);
}

const char *mapped(const struct sockaddr_in6 *p, const char *text)
{
	return IN6_IS_ADDR_V4MAPPED(&p->sin6_addr) ? text + 7 : text;
}

int listener6(void)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	listen(fd, 5);
	int ttl = 7;
	setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ttl, sizeof(ttl));
	return fd;
}
