/*
 * addrinfo.c - getaddrinfo and getnameinfo in anysock's terms: the question
 * (host:port text taken apart, anysock_resolve's flags as hints) and the
 * answer (addresses collected, EAI_* codes as anysock errors, a name or
 * the numeric form). Whoever asks the resolver, and however (resolve.c
 * blocking, lookup.c from an event loop, hosts.c from the hosts file), uses
 * these, so the same text and the same answer mean the same everywhere.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "addrinfo.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>

/* ------------------------------------------------------------------------ */
/* The question                                                             */
/* ------------------------------------------------------------------------ */

/* The longest host text anything takes: a DNS name is at most 253
 * characters (RFC 1035's 255 octets on the wire), 254 with its final dot,
 * and "[v6%scope]:port" is far shorter. */
#define MAX_HOST_TEXT 260

/* Copy s[0..n) into out (size bytes) with its NUL; false when too long. */
static bool copy_part(char *out, size_t size, const char *s, size_t n)
{
	if (n >= size)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/* The port of host:port text into buf->service: a number read by the one
 * port parser anysock_pton uses (text.c), so the two never disagree on it
 * (a 40-digit port with leading zeros was 80 to one and "bad port" to the
 * other), kept as written (written as the number when that does not fit a
 * service); or a service name (RFC 6335 5.1: letters, digits and hyphens,
 * at least one letter; '_' and '.' too, as some files have them), passed
 * on. Signs and blanks are neither: glibc would read "+80" or " 80" as 80
 * where anysock_pton refuses them. */
static int split_port(const char *port, struct endpoint_text *buf)
{
	static const char name_chars[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
	size_t n = strlen(port), digits = strspn(port, "0123456789");
	unsigned number;
	if (n > 0 && digits == n) {
		int rc = text_parse_port(port, n, &number);
		if (rc == 0 && !copy_part(buf->service, sizeof(buf->service), port, n))
			snprintf(buf->service, sizeof(buf->service), "%u", number);
		return rc;
	}
	bool letter = false;
	for (size_t i = 0; i < n; i++)
		letter = letter || isalpha((unsigned char)port[i]);
	if (n == 0 || !letter || strspn(port, name_chars) != n ||
	    !isalnum((unsigned char)port[0]) ||
	    !copy_part(buf->service, sizeof(buf->service), port, n))
		return ANYSOCK_E_PORT;
	return 0;
}

int endpoint_split(const char **host, const char **service, struct endpoint_text *buf)
{
	const char *h = *host;
	if (h == NULL)
		return 0;
	const char *port = NULL;
	size_t hlen = strlen(h);
	if (hlen > MAX_HOST_TEXT)
		return ANYSOCK_E_HOSTLEN; /* refused whole, never cut */
	if (h[0] == '[') {
		const char *close = strchr(h, ']');
		if (close == NULL)
			return ANYSOCK_E_BRACKET;
		anysock_addr a;
		int rc = anysock_pton_n(h, (size_t)(close - h) + 1, &a, ANYSOCK_PTON_NOPORT);
		if (rc < 0)
			return rc; /* "[1.2.3.4]", "[name]", "[fe80::1%nope]" */
		if (close[1] != '\0' && close[1] != ':')
			return ANYSOCK_E_TRAILING;
		port = close[1] == ':' ? close + 2 : NULL;
		h++;
		hlen = (size_t)(close - h);
	} else if (strchr(h, '[') != NULL || strchr(h, ']') != NULL) {
		return ANYSOCK_E_BRACKET;
	} else if (strchr(h, ':') != NULL && strchr(h, ':') == strrchr(h, ':')) {
		port = strchr(h, ':') + 1; /* one colon: not IPv6, so host:port */
		hlen = (size_t)(port - 1 - h);
		if (hlen == 0)
			return ANYSOCK_E_EMPTY;
		if (memchr(h, '%', hlen) != NULL)
			return ANYSOCK_E_SCOPE; /* only IPv6 has one, and it has brackets */
	} else if (strchr(h, '%') != NULL) {
		anysock_addr a; /* a scope belongs to a numeric IPv6 address only */
		int rc = anysock_pton(h, &a, ANYSOCK_PTON_NOPORT);
		if (rc < 0)
			return rc;
	}
	if (port != NULL && *service != NULL)
		return ANYSOCK_E_PORTGIVEN;
	if (h == *host && port == NULL)
		return 0;
	int rc = port != NULL ? split_port(port, buf) : 0;
	if (rc < 0)
		return rc;
	if (!copy_part(buf->host, sizeof(buf->host), h, hlen))
		return -ENAMETOOLONG;
	*host = buf->host;
	if (port != NULL)
		*service = buf->service;
	return 0;
}

int endpoint_split_default(const char **host, const char **service, struct endpoint_text *buf,
			   bool service_is_default)
{
	const char *fallback = *service;
	if (service_is_default)
		*service = NULL; /* a port in the host is then no conflict */
	int rc = endpoint_split(host, service, buf);
	if (rc == 0 && *service == NULL)
		*service = fallback;
	return rc;
}

#define RESOLVE_FLAGS                                                                     \
	(ANYSOCK_RESOLVE_PASSIVE | ANYSOCK_RESOLVE_NUMERIC | ANYSOCK_RESOLVE_ADDRCONFIG | \
	 ANYSOCK_RESOLVE_IPV4 | ANYSOCK_RESOLVE_IPV6 | ANYSOCK_RESOLVE_DEFAULT_PORT)

/* glibc takes "99999" as port 34463 (it keeps the low 16 bits): a decimal
 * service must be a port. Names and other text go to getaddrinfo. */
static bool numeric_service_ok(const char *service)
{
	uint64_t port;
	return parse_decimal(service, strlen(service), 65535, 0, &port) != DECIMAL_RANGE;
}

int anysock_split_hostport(const char *text, char *host, size_t host_size, char *port,
			   size_t port_size)
{
	if (text == NULL || (host == NULL && host_size > 0) || (port == NULL && port_size > 0))
		return -EINVAL;
	if (host_size > 0)
		host[0] = '\0';
	if (port_size > 0)
		port[0] = '\0';
	const char *h = text, *p = NULL;
	struct endpoint_text buf;
	int rc = endpoint_split(&h, &p, &buf); /* the one splitter every call uses */
	if (rc < 0)
		return rc;
	if (h[0] == '\0')
		return ANYSOCK_E_EMPTY;
	if (p != NULL && !numeric_service_ok(p))
		return ANYSOCK_E_PORTRANGE;
	if (host != NULL && (rc = text_out(host, host_size, h, strlen(h))) < 0)
		return rc;
	if (port != NULL &&
	    (rc = text_out(port, port_size, p != NULL ? p : "", p != NULL ? strlen(p) : 0)) < 0) {
		if (host_size > 0)
			host[0] = '\0';
		return rc;
	}
	return p != NULL;
}

int anysock_join_hostport(const char *host, const char *port, char *buf, size_t size)
{
	if (host == NULL || buf == NULL)
		return -EINVAL;
	if (size > 0)
		buf[0] = '\0';
	if (host[0] == '\0')
		return ANYSOCK_E_EMPTY;
	if (strpbrk(host, "[]") != NULL)
		return ANYSOCK_E_BRACKET;
	bool v6 = strchr(host, ':') != NULL; /* a name or IPv4 text has none */
	bool with_port = port != NULL && port[0] != '\0';
	int n = snprintf(buf, size, "%s%s%s%s%s", v6 ? "[" : "", host, v6 ? "]" : "",
			 with_port ? ":" : "", with_port ? port : "");
	if (n < 0 || (size_t)n >= size) {
		if (size > 0)
			buf[0] = '\0';
		return -ENOSPC;
	}
	return n;
}

int resolve_hints(const char *host, const char *service, int socktype, unsigned flags,
		  struct addrinfo *hints)
{
	if ((flags & ~RESOLVE_FLAGS) ||
	    (flags & ANYSOCK_RESOLVE_IPV4 && flags & ANYSOCK_RESOLVE_IPV6))
		return -EINVAL;
	if (host != NULL && host[0] == '\0')
		return ANYSOCK_E_EMPTY;
	if (service != NULL && service[0] == '\0')
		return ANYSOCK_E_PORT;
	if (service != NULL && !numeric_service_ok(service))
		return ANYSOCK_E_PORTRANGE;
	memset(hints, 0, sizeof(*hints));
	hints->ai_family = flags & ANYSOCK_RESOLVE_IPV4   ? AF_INET
			   : flags & ANYSOCK_RESOLVE_IPV6 ? AF_INET6
							  : AF_UNSPEC;
	hints->ai_socktype = socktype;
	if (flags & ANYSOCK_RESOLVE_PASSIVE)
		hints->ai_flags |= AI_PASSIVE;
	if (flags & ANYSOCK_RESOLVE_NUMERIC)
		hints->ai_flags |= AI_NUMERICHOST | AI_NUMERICSERV;
	if (flags & ANYSOCK_RESOLVE_ADDRCONFIG)
		hints->ai_flags |= AI_ADDRCONFIG;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The answer                                                               */
/* ------------------------------------------------------------------------ */

/* A getaddrinfo error as anysock_resolve() reports it. */
static int resolve_error(int rc)
{
	if (rc == EAI_SERVICE)
		return ANYSOCK_E_SERVICE; /* glibc's "Servname not supported for ai_socktype" */
	return anysock_error_from_eai(rc);
}

int resolve_collect(int rc, const struct addrinfo *res, anysock_addr *out, size_t max)
{
	if (rc != 0)
		return resolve_error(rc);
	/* getaddrinfo's order (RFC 6724) is kept; a repeat (one per socket
	 * type when socktype is 0, or the same address twice in the hosts
	 * file and DNS) is dropped. */
	size_t n = 0;
	for (const struct addrinfo *ai = res; ai != NULL && n < max; ai = ai->ai_next) {
		anysock_addr a;
		if (anysock_addr_from_sockaddr(&a, ai->ai_addr, ai->ai_addrlen) < 0 ||
		    addr_check_ip(&a) < 0)
			continue;
		anysock_addr_unmap(&a);
		bool seen = false;
		for (size_t i = 0; i < n && !seen; i++)
			seen = anysock_addr_equal(&out[i], &a, 0);
		if (!seen)
			out[n++] = a;
	}
	return n > 0 ? (int)n : anysock_error_from_eai(EAI_NONAME);
}

/* No name in time: the resolver timed out or failed (glibc's getnameinfo
 * says EAI_AGAIN on a DNS timeout, even without NI_NAMEREQD), or the
 * lookup was given up at its deadline. */
static bool is_retryable(int rc)
{
	return rc == EAI_AGAIN || rc == EAI_FAIL;
}

/* The numeric form, as getnameinfo gives it; the service as asked. */
static int numeric(const anysock_addr *a, char *host, socklen_t hostlen, char *serv,
		   socklen_t servlen, int flags)
{
	return getnameinfo(&a->u.sa, a->len, host, hostlen, serv, servlen, flags | NI_NUMERICHOST);
}

int nameinfo_or_numeric(int rc, const anysock_addr *a, char *host, socklen_t hostlen, char *serv,
			socklen_t servlen, int flags)
{
	if (is_retryable(rc) && !(flags & NI_NAMEREQD))
		return numeric(a, host, hostlen, serv, servlen, flags);
	return rc;
}

int nameinfo_finish(int rc, const char *name, const anysock_addr *a, int flags, char *host,
		    size_t size)
{
	if (rc == 0)
		return text_out(host, size, name, strlen(name));
	socklen_t len = size > NI_MAXHOST ? NI_MAXHOST : (socklen_t)size;
	rc = nameinfo_or_numeric(rc, a, host, len, NULL, 0, flags);
	if (rc == 0)
		return (int)strlen(host);
	return rc == EAI_OVERFLOW ? -ENOSPC : anysock_error_from_eai(rc);
}
