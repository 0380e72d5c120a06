/* The options half of tests/port/program-v6only/listen.c's program. */
#include <netinet/in.h>
#include <sys/socket.h>

int v6only(int fd)
{
	int on = 1;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 || ss.ss_family != AF_INET6)
		return 0;
	return setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
}
