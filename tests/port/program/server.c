/* One program in two files (with log.c): a listener here, its clients
 * printed by functions there. anysock-port reads a directory as one
 * program, so the peers printed through log.c's wrappers are found here
 * (tests/port/program.expected). Written for the tests; no program's code. */
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

void log_client(const struct sockaddr *sa, socklen_t len);
const char *fmt_addr(const struct sockaddr *sa, socklen_t len);
void count_client(const char *tag, const struct sockaddr *sa);

int serve(const char *port)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE, .ai_socktype = SOCK_STREAM }, *res;
	if (getaddrinfo(NULL, port, &hints, &res) != 0)
		return -1;
	int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 8) < 0)
		return -1;
	freeaddrinfo(res);
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int c = accept(fd, (struct sockaddr *)&peer, &len);
		if (c < 0)
			continue;
		log_client((struct sockaddr *)&peer, len);
		(void)fmt_addr((struct sockaddr *)&peer, len);
		count_client("tcp", (struct sockaddr *)&peer);
		close(c);
	}
}
