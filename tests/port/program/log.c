/* The printing half of tests/port/program/server.c's program. */
#include <netdb.h>
#include <stdio.h>
#include <sys/socket.h>

struct tally {
	struct sockaddr_storage last;
	unsigned long n;
};
static struct tally tally;

void log_client(const struct sockaddr *sa, socklen_t len)
{
	char host[NI_MAXHOST];
	if (getnameinfo(sa, len, host, sizeof(host), NULL, 0, NI_NUMERICHOST) == 0)
		printf("client %s\n", host);
}

const char *fmt_addr(const struct sockaddr *sa, socklen_t len)
{
	(void)sa;
	(void)len;
	return "?";
}

/* prints an address of its own, not the one it is given */
void count_client(const char *tag, const struct sockaddr *sa)
{
	char host[NI_MAXHOST];
	(void)sa;
	tally.n++;
	getnameinfo((struct sockaddr *)&tally.last, sizeof(tally.last), host, sizeof(host), NULL, 0,
		    NI_NUMERICHOST);
	printf("%s %lu %s\n", tag, tally.n, host);
}
