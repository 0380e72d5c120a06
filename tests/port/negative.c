/* Nothing here may be reported: the same words in comments, strings,
 * macro and identifier names that only contain them, suppressions, and
 * the right way of the heuristics' patterns.
 *
 * gethostbyname(x) inet_ntoa(a) AF_INET INADDR_ANY struct sockaddr_in s;
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

// inet_addr("1.2.3.4") in a line comment; INET_ADDRSTRLEN; IN6_IS_ADDR_V4MAPPED(p)
#define MY_INADDR_ANY 0
#define LOG(x) puts("gethostbyname(x) and inet_ntoa() and socket(AF_INET, ...)")
static int my_inet_addr(const char *s) { return s != NULL; }
static int gethostbyname_cached;
struct my_sockaddr_in { int x; };

int quiet(const struct sockaddr *sa)
{
	const char *doc = "call inet_ntoa(x) on AF_INET with INADDR_ANY and AI_V4MAPPED";
	const char *addr = "::ffff:192.0.2.1"; /* a whole mapped address is data */
	char c = '"';
	const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;
	struct my_sockaddr_in m = { 1 };
	socklen_t len = sizeof(struct sockaddr_storage);
	int v = my_inet_addr(doc) + gethostbyname_cached + MY_INADDR_ANY + m.x + (int)len;
	LOG(0);
	printf("%s %c %p\n", addr, c, (const void *)sin);
	/* anysock-port: ignore inet-ntoa -- the suppression on the line before */
	puts(inet_ntoa(sin->sin_addr));
	puts(inet_ntoa(sin->sin_addr)); /* anysock-port: ignore inet-ntoa,inaddr -- on the line */
	return v;
}

/* An AF_INET6 listener that sets IPV6_V6ONLY, and IPv4 options on an
 * AF_INET socket: the heuristics' patterns done right. */
int done_right(void)
{
	int fd = socket(AF_INET6, SOCK_STREAM, 0), on = 1;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	listen(fd, 5);
	int fd4 = socket(AF_INET, SOCK_DGRAM, 0); /* anysock-port: ignore af-inet -- IPv4 on purpose */
	setsockopt(fd4, IPPROTO_IP, IP_TTL, &on, sizeof(on));
	return fd + fd4;
}
