/*
 * resolve.c - getaddrinfo and getnameinfo that return in bounded time.
 *
 * A lookup with a time limit runs on the worker pool (pool.c), and the
 * caller waits for it at most that long; one that outlives its caller is
 * finished and freed by its worker. Numeric requests (NI_NUMERICHOST,
 * numeric hosts for getaddrinfo), what the hosts file answers (hosts.c)
 * and calls with no time limit never leave the calling thread.
 *
 * SPDX-License-Identifier: MIT
 */
#include "internal.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <arpa/inet.h>

/* ------------------------------------------------------------------------ */
/* Reverse                                                                  */
/* ------------------------------------------------------------------------ */

static bool is_retryable(int rc)
{
	return rc == EAI_AGAIN || rc == EAI_FAIL;
}

/* The numeric form, as getnameinfo gives it; the service as asked. */
static int numeric(const anysock_addr *a, char *host, socklen_t hostlen, char *serv,
		   socklen_t servlen, int flags)
{
	return getnameinfo(&a->u.sa, a->len, host, hostlen, serv, servlen,
			   flags | NI_NUMERICHOST);
}

int anysock_getnameinfo_timeo(const struct sockaddr *sa, socklen_t salen, char *host,
			      socklen_t hostlen, char *serv, socklen_t servlen, int flags,
			      int timeout_ms)
{
	if (host == NULL)
		hostlen = 0;
	if (serv == NULL)
		servlen = 0;
	/* The cheapest case first: numeric text needs no copy or thread. */
	if (sa != NULL && (flags & NI_NUMERICHOST) &&
	    ((sa->sa_family == AF_INET && salen == sizeof(struct sockaddr_in)) ||
	     (sa->sa_family == AF_INET6 && salen == sizeof(struct sockaddr_in6) &&
	      !in6_is_mapped(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr))))
		return getnameinfo(sa, salen, host, hostlen, serv, servlen, flags);
	anysock_addr a;
	if (anysock_addr_from_sockaddr(&a, sa, salen) < 0 || addr_check_ip(&a) < 0)
		return EAI_FAMILY;
	anysock_addr_unmap(&a); /* ::ffff:a.b.c.d is looked up as a.b.c.d */
	if (hostlen == 0 && servlen == 0)
		return EAI_NONAME;
	if (hostlen == 0 || (flags & NI_NUMERICHOST) || timeout_ms < 0 || hosts_has_addr(&a))
		return getnameinfo(&a.u.sa, a.len, host, hostlen, serv, servlen, flags);

	int64_t deadline = deadline_in(timeout_ms);
	struct lookup *q = lookup_nameinfo(&a, flags, hostlen < NI_MAXHOST ? hostlen : NI_MAXHOST,
					   servlen < NI_MAXSERV ? servlen : NI_MAXSERV);
	if (q == NULL)
		return EAI_MEMORY;
	int rc = EAI_AGAIN;
	if (pool_run(&q->job, deadline) == POOL_FINISHED) {
		rc = q->rc;
		if (rc == 0 && hostlen)
			memcpy(host, q->host, strlen(q->host) + 1);
		if (rc == 0 && servlen)
			memcpy(serv, q->serv, strlen(q->serv) + 1);
		lookup_done(q);
	}
	if (is_retryable(rc) && !(flags & NI_NAMEREQD))
		return numeric(&a, host, hostlen, serv, servlen, flags);
	return rc;
}

int anysock_nameinfo(const anysock_addr *a, char *host, size_t size, int flags,
		     int timeout_ms)
{
	int family = addr_check_ip(a);
	if (family < 0)
		return family;
	if (host == NULL || size == 0)
		return -EINVAL;
	socklen_t len = size > NI_MAXHOST ? NI_MAXHOST : (socklen_t)size;
	int rc = anysock_getnameinfo_timeo(&a->u.sa, a->len, host, len, NULL, 0, flags,
					   timeout_ms);
	if (rc == EAI_OVERFLOW)
		return -ENOSPC;
	if (rc != 0)
		return anysock_error_from_eai(rc);
	return (int)strlen(host);
}

int nameinfo_finish(int rc, const char *name, const anysock_addr *a, int flags, char *host,
		    size_t size)
{
	if (rc == 0)
		return text_out(host, size, name, strlen(name));
	socklen_t len = size > NI_MAXHOST ? NI_MAXHOST : (socklen_t)size;
	if (is_retryable(rc) && !(flags & NI_NAMEREQD))
		rc = numeric(a, host, len, NULL, 0, flags);
	if (rc == 0)
		return (int)strlen(host);
	return rc == EAI_OVERFLOW ? -ENOSPC : anysock_error_from_eai(rc);
}

/* ------------------------------------------------------------------------ */
/* Forward                                                                  */
/* ------------------------------------------------------------------------ */

int anysock_getaddrinfo_timeo(const char *node, const char *service,
			      const struct addrinfo *hints, struct addrinfo **res,
			      int timeout_ms)
{
	if (res == NULL) {
		errno = EINVAL;
		return EAI_SYSTEM;
	}
	if (node == NULL && service == NULL)
		return EAI_NONAME;
	if (timeout_ms < 0 || lookup_is_local(node, hints))
		return getaddrinfo(node, service, hints, res);

	int64_t deadline = deadline_in(timeout_ms);
	struct lookup *q = lookup_addrinfo(node, service, hints);
	if (q == NULL)
		return EAI_MEMORY;
	int rc = EAI_AGAIN;
	if (pool_run(&q->job, deadline) == POOL_FINISHED) {
		rc = q->rc;
		if (rc == 0) {
			*res = q->res;
			q->res = NULL;
		}
		lookup_done(q);
	}
	return rc;
}

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
	} else if (strchr(h, '%') != NULL) {
		anysock_addr a; /* a scope belongs to a numeric IPv6 address only */
		int rc = anysock_pton(h, &a, ANYSOCK_PTON_NOPORT);
		if (rc < 0)
			return rc;
	}
	if (port != NULL && *service != NULL)
		return ANYSOCK_E_PORTGIVEN;
	if (port != NULL && *port == '\0')
		return ANYSOCK_E_PORT;
	if (h == *host && port == NULL)
		return 0;
	if (!copy_part(buf->host, sizeof(buf->host), h, hlen) ||
	    (port != NULL && !copy_part(buf->service, sizeof(buf->service), port, strlen(port))))
		return port != NULL ? ANYSOCK_E_PORT : -ENAMETOOLONG;
	*host = buf->host;
	if (port != NULL)
		*service = buf->service;
	return 0;
}

#define RESOLVE_FLAGS                                                      \
	(ANYSOCK_RESOLVE_PASSIVE | ANYSOCK_RESOLVE_NUMERIC |                \
	 ANYSOCK_RESOLVE_ADDRCONFIG | ANYSOCK_RESOLVE_IPV4 | ANYSOCK_RESOLVE_IPV6)

/* glibc takes "99999" as port 34463 (it keeps the low 16 bits): a decimal
 * service must be a port. Names and other text go to getaddrinfo. */
static bool numeric_service_ok(const char *service)
{
	uint64_t port;
	return parse_decimal(service, strlen(service), 65535, 0, &port) != DECIMAL_RANGE;
}

int anysock_resolve(const char *host, const char *service, int socktype, unsigned flags,
		    int timeout_ms, anysock_addr *out, size_t max)
{
	struct endpoint_text text;
	int rc = endpoint_split(&host, &service, &text);
	return rc < 0 ? rc : resolve_split(host, service, socktype, flags, timeout_ms, out, max);
}

int resolve_hints(const char *host, const char *service, int socktype, unsigned flags,
		  struct addrinfo *hints)
{
	if ((flags & ~RESOLVE_FLAGS) || (flags & ANYSOCK_RESOLVE_IPV4 && flags & ANYSOCK_RESOLVE_IPV6))
		return -EINVAL;
	if (host != NULL && host[0] == '\0')
		return ANYSOCK_E_EMPTY;
	if (service != NULL && service[0] == '\0')
		return ANYSOCK_E_PORT;
	if (service != NULL && !numeric_service_ok(service))
		return ANYSOCK_E_PORTRANGE;
	memset(hints, 0, sizeof(*hints));
	hints->ai_family = flags & ANYSOCK_RESOLVE_IPV4	  ? AF_INET
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

int resolve_error(int rc)
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

int resolve_split(const char *host, const char *service, int socktype, unsigned flags,
		  int timeout_ms, anysock_addr *out, size_t max)
{
	struct addrinfo hints, *res = NULL;
	if (out == NULL || max == 0)
		return -EINVAL;
	int rc = resolve_hints(host, service, socktype, flags, &hints);
	if (rc < 0)
		return rc;
	rc = anysock_getaddrinfo_timeo(host, service != NULL ? service : "0", &hints, &res,
				       timeout_ms);
	int n = resolve_collect(rc, res, out, max);
	if (res != NULL)
		freeaddrinfo(res);
	return n;
}
