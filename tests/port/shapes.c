/* The shapes a second look at real half-ported code found: a host cut at
 * its first ':' without a port parsed on the spot, strsep/strtok at ':',
 * "host:port" and URL templates built from a bare host, a family test
 * that lets IPv4 through and nothing else, a receiver whose family the
 * caller picks, an interface's address asked of ioctl(), and FTP's PASV
 * with no EPSV. Each rule fires where tests/port/shapes.expected
 * says, once. Written for the tests; no program's code. */
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#define STATUS_URL "http://%s/status"

/* the target's host cut at the first ':' (the port read elsewhere) */
void target_host(char *target)
{
	char *colon;
	if ((colon = strchr(target, ':')) != NULL)
		*colon = '\0';
}

/* the host copied up to the first ':' */
void uri_host(char *host, const char *uri)
{
	const char *c = strchr(uri, ':');
	if (c != NULL) {
		memcpy(host, uri, (size_t)(c - uri));
		host[c - uri] = '\0';
	}
}

/* strsep and strtok at ':' */
void proxy_line(char *line, char **hostname, char **port)
{
	*hostname = strsep(&line, ":");
	*port = line;
}

void server_spec(char *spec, char **server)
{
	*server = strtok(spec, ":");
}

/* "host:port" from a bare host: [2001:db8::1]:80 needs its brackets */
void host_header(char *buf, size_t n, const char *host, int port)
{
	snprintf(buf, n, "%s:%d", host, port);
}

/* a URL template with a bare host */
void status_url(char *buf, size_t n, const char *addr)
{
	char fmt[] = "http://%s/";
	snprintf(buf, n, fmt, addr);
	snprintf(buf, n, STATUS_URL, addr);
}

/* interfaces and senders of one family let through */
int usable(const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	if (sa->sa_family != AF_INET)
		return 0;
	return sin->sin_addr.s_addr != 0;
}

int allowed(const struct sockaddr *peer, unsigned net, unsigned mask)
{
	if (AF_INET == peer->sa_family) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)peer;
		return (sin->sin_addr.s_addr & mask) == net;
	}
	return 1; /* IPv6 peers pass the ACL unchecked */
}

/* a receiver whose family the caller picks, IPV6_V6ONLY nowhere */
int receiver(int family, const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(family, SOCK_DGRAM, 0);
	if (fd >= 0 && bind(fd, sa, len) < 0)
		return -1;
	return fd;
}

/* the third field of user:from:mailhub, kept as the host */
void alias_line(char *line, char **mailhost)
{
	char *p = strtok(line, ":");
	p = strtok(NULL, ":");
	if ((p = strtok(NULL, " \t:")) != NULL)
		*mailhost = strdup(p);
}

/* a loop over the answers that stops at the first refusal */
int dial(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int fd = -1;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
			fd = -1;
			break;
		}
		break;
	}
	freeaddrinfo(res);
	return fd;
}

/* a connect wrapper given the first answer */
int timeout_connect(int fd, const struct sockaddr *sa, socklen_t len, int ms);

int dial_timeout(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	int fd = socket(res->ai_family, res->ai_socktype, 0);
	if (fd >= 0 && timeout_connect(fd, res->ai_addr, res->ai_addrlen, 1000) < 0)
		fd = -1;
	freeaddrinfo(res);
	return fd;
}

/* FTP's PORT in a server that knows no EPRT: IPv4 only */
int handle_PORT(const char *arg, unsigned char quad[4])
{
	int a, b, c, d, e, f;
	if (sscanf(arg, "%d,%d,%d,%d,%d,%d", &a, &b, &c, &d, &e, &f) != 6)
		return -1;
	quad[0] = (unsigned char)a, quad[1] = (unsigned char)b;
	quad[2] = (unsigned char)c, quad[3] = (unsigned char)d;
	return e * 256 + f;
}

/* a listener of the listen address's family ("::" makes it AF_INET6) */
int listen_on(const struct sockaddr_storage *laddr, socklen_t len)
{
	int fd = socket(laddr->ss_family, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (const struct sockaddr *)laddr, len) < 0 || listen(fd, 8) < 0)
		return -1;
	return fd;
}

/* a fallback for systems without getaddrinfo is IPv4-only code too */
#ifdef HAVE_GETADDRINFO
int lookup(const char *host, struct addrinfo **res)
{
	return getaddrinfo(host, NULL, NULL, res);
}
#else
int lookup(const char *host, struct hostent **res)
{
	*res = gethostbyname(host);
	return *res != NULL ? 0 : -1;
}
#endif

/* an interface's address through ioctl(): the IPv4 one only */
int interface_address(int fd, const char *name, struct sockaddr_in *out)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, SIOCGIFADDR, &ifr) < 0)
		return -1;
	memcpy(out, &ifr.ifr_addr, sizeof(*out));
	return 0;
}

/* an FTP client's passive mode: PASV only, so IPv4 only */
int passive_mode(FILE *ctl)
{
	return fprintf(ctl, "PASV\r\n") < 0 ? -1 : fflush(ctl);
}
