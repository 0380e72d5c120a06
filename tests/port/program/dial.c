/* The program's own connect wrapper, in a file of its own: it connects
 * the one answer it is given, so its callers must loop over the answers
 * (dial_any does; fetch.c does not). */
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

int dial_one(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int dial_any(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		fd = dial_one(ai);
	freeaddrinfo(res);
	return fd;
}
