/* A directory inside tests/port/program: a program of its own, read
 * between server.c and log.c when tests/port.sh names the files in that
 * order; server.c and log.c stay one program around it. */
#include <netdb.h>
#include <stdio.h>
#include <sys/socket.h>

void log_client(const struct sockaddr *sa, socklen_t len);
int dial_one(const struct addrinfo *ai);

int sub_client(int fd)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(peer);
	if (getpeername(fd, (struct sockaddr *)&peer, &len) < 0)
		return -1;
	log_client((struct sockaddr *)&peer, len); /* no listener here */
	return 0;
}

/* dial_one is no function of this program's: nothing known of it */
int sub_fetch(const char *host)
{
	struct addrinfo *res;
	if (getaddrinfo(host, "80", NULL, &res) != 0)
		return -1;
	int fd = dial_one(res);
	freeaddrinfo(res);
	return fd;
}
