/* One program in two files (with options.c): the listener here is an
 * AF_INET6 one whose IPV6_V6ONLY is set by options.c, so it takes no
 * mapped clients: nothing is reported for the program. Written for the
 * tests; no program's code. */
#include <netdb.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int v6only(int fd);

int serve(struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || v6only(fd) < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, 8) < 0)
		return -1;
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	char host[NI_MAXHOST];
	int c = accept(fd, (struct sockaddr *)&peer, &len);
	if (c >= 0 && getnameinfo((struct sockaddr *)&peer, len, host, sizeof(host), NULL, 0,
				  NI_NUMERICHOST) == 0)
		printf("client %s\n", host);
	return c;
}
