/*
 * resolve.c - getaddrinfo and getnameinfo that return in bounded time.
 *
 * A lookup with a time limit runs on the worker pool, and the caller waits
 * for it at most that long (lookup.c, where every lookup's deadline is
 * enforced); one that outlives its caller is finished and freed by its
 * worker. Numeric requests (NI_NUMERICHOST, numeric hosts for
 * getaddrinfo), what the hosts file answers (hosts.c) and calls with no
 * time limit never leave the calling thread. Host:port text, hints and
 * answers are addrinfo.c's.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "addrinfo.h"
#include "lookup.h"
#include "resolve.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <arpa/inet.h>

/* ------------------------------------------------------------------------ */
/* Reverse                                                                  */
/* ------------------------------------------------------------------------ */

static int getnameinfo_timeo(const struct sockaddr *sa, socklen_t salen, char *host,
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
	if (hostlen == 0 || timeout_ms < 0 || lookup_nameinfo_is_local(&a, flags))
		return getnameinfo(&a.u.sa, a.len, host, hostlen, serv, servlen, flags);
	int rc = lookup_wait_nameinfo(&a, host, hostlen, serv, servlen, flags, timeout_ms);
	return nameinfo_or_numeric(rc, &a, host, hostlen, serv, servlen, flags);
}

int anysock_getnameinfo_timeo(const struct sockaddr *sa, socklen_t salen, char *host,
			      socklen_t hostlen, char *serv, socklen_t servlen, int flags,
			      int timeout_ms)
{
	int saved_errno = errno;
	int rc = getnameinfo_timeo(sa, salen, host, hostlen, serv, servlen, flags, timeout_ms);
	if (rc == 0) /* EAI_SYSTEM keeps the errno that explains it */
		errno = saved_errno;
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
	return (int)strlen(host); /* errno as the caller left it */
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
	int saved_errno = errno, rc;
	if (timeout_ms < 0 || lookup_is_local(node, hints))
		rc = getaddrinfo(node, service, hints, res);
	else
		rc = lookup_wait_addrinfo(node, service, hints, timeout_ms, res);
	if (rc == 0) /* EAI_SYSTEM keeps the errno that explains it */
		errno = saved_errno;
	return rc;
}

int anysock_resolve(const char *host, const char *service, int socktype, unsigned flags,
		    int timeout_ms, anysock_addr *out, size_t max)
{
	struct endpoint_text text;
	int saved_errno = errno;
	int rc = endpoint_split_default(&host, &service, &text,
					flags & ANYSOCK_RESOLVE_DEFAULT_PORT);
	if (rc == 0)
		rc = resolve_split(host, service, socktype, flags, timeout_ms, out, max);
	return errno_kept(saved_errno, rc);
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
