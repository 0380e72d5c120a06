/* Each note names the call that replaces the whole shape it sees
 * (tests/port.sh checks the notes of these lines). Written for the tests. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* the "numeric?" half of inet_addr-else-gethostbyname: anysock_connect */
int lookup(const char *host, struct in_addr *out)
{
	out->s_addr = inet_addr(host);
	if (out->s_addr != (in_addr_t)-1)
		return 0;
	struct hostent *h = gethostbyname(host);
	if (h == NULL)
		return -1;
	memcpy(out, h->h_addr, sizeof(*out));
	return 0;
}

/* a bind address looked up: anysock_listen */
int bind_name(int fd, const char *host)
{
	struct hostent *h = gethostbyname(host);
	struct sockaddr_in sin = { .sin_family = AF_INET };
	memcpy(&sin.sin_addr, h->h_addr_list[0], sizeof(sin.sin_addr));
	return bind(fd, (struct sockaddr *)&sin, sizeof(sin));
}

/* inet_ntoa's drop-in prints the address alone */
void show(struct in_addr a)
{
	printf("%s\n", inet_ntoa(a));
}

/* inet_addr alone: anysock_pton */
in_addr_t parse(const char *text)
{
	return inet_addr(text);
}
