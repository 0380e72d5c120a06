/*
 * resolution.c - the connector's first step (RFC 8305 section 3): ask for
 * AAAA and A apart, take the answers as they come, and say when the race
 * may begin. connect.c runs the race itself.
 *
 * getaddrinfo(AF_UNSPEC) waits for both answers, so one resolver that
 * never answers AAAA held a connection for its whole timeout (6 s with
 * "timeout:2 attempts:2") although the A answer came at once. A name the
 * hosts file cannot answer is therefore asked twice, in parallel on the
 * worker pool; an AAAA answer starts the race at once, an A answer waits
 * the resolution delay for AAAA, and what arrives later joins the race.
 *
 * SPDX-License-Identifier: MIT
 */
#include "connector.h"
#include "hosts.h"
#include "lookup.h"

#include <errno.h>
#include <sys/epoll.h>

/* Which lookup failure to report: one that says why (no answer in time, a
 * failing server) over "no such name", which may only mean no address of
 * that family. */
static bool tells_more(int err, int than)
{
	return than == 0 || than == anysock_error_from_eai(EAI_NONAME) ||
	       than == anysock_error_from_eai(EAI_NODATA) || connect_error_rank(err) > connect_error_rank(than);
}

/* An answer (n addresses in a, or the error n < 0) for the family in slot,
 * or for both when both is set (one lookup asked for either family). */
static void take_answer(anysock_connector *c, int slot, bool both, const anysock_addr *a, int n)
{
	for (int s = 0; s < 2; s++) {
		if (!both && s != slot)
			continue;
		struct family *f = &c->fam[s];
		f->answered = true;
		int family = s == V6 ? AF_INET6 : AF_INET;
		size_t k = 0, first = f->n; /* after what the NAT64 step added */
		for (int i = 0; i < n; i++)
			k += a[i].u.sa.sa_family == family;
		k = k < MAX_ADDRS - first ? k : MAX_ADDRS - first;
		anysock_addr *grown = k > 0 ? realloc(f->addr, (first + k) * sizeof(*grown)) : NULL;
		if (grown != NULL) {
			f->addr = grown;
		} else if (k > 0) {
			n = -ENOMEM;
			k = 0;
		}
		for (int i = 0; i < n && f->n < first + k; i++)
			if (a[i].u.sa.sa_family == family)
				f->addr[f->n++] = a[i];
		if (f->n > first && (c->o.flags & ANYSOCK_CONNECT_TRACE_LOOKUPS))
			connector_trace(c, ANYSOCK_ATTEMPT_RESOLVED, &f->addr[first], 0);
	}
	if (both && n > 0 && c->first < 0)
		c->first = a[0].u.sa.sa_family == AF_INET6 ? V6 : V4; /* glibc's order */
	if (n < 0) {
		if (c->o.flags & ANYSOCK_CONNECT_TRACE_LOOKUPS) {
			anysock_addr any = { 0 };
			if (!both)
				anysock_addr_any(&any, slot == V6 ? AF_INET6 : AF_INET, 0);
			connector_trace(c, ANYSOCK_ATTEMPT_RESOLVED, &any, n);
		}
		if (tells_more(n, c->lookup_err))
			c->lookup_err = n;
	}
}

/* Collect the answers that came in since the last step. */
void connector_harvest(anysock_connector *c)
{
	for (int s = 0; s < 2; s++) {
		struct family *f = &c->fam[s];
		if (f->lookup == NULL || !lookup_settled(f->lookup))
			continue;
		anysock_addr a[MAX_ADDRS];
		int n = anysock_resolve_result(f->lookup, a, MAX_ADDRS);
		anysock_lookup_free(f->lookup); /* its descriptor leaves the epoll set */
		f->lookup = NULL;
		take_answer(c, s, false, a, n);
	}
}

/* Ask for host:service: in this thread when the hosts file or the text
 * itself answers (one getaddrinfo, glibc's order across families), else
 * AAAA and A apart on the pool (just one of them when a flag says so). */
int connector_begin_lookups(anysock_connector *c, const char *host, const char *service,
			 struct addrinfo *hints)
{
	if (lookup_is_local(host, hints)) {
		anysock_addr a[2 * MAX_ADDRS];
		int n = hosts_resolve(host, service, hints, a, ARRAY_SIZE(a));
		take_answer(c, V6, true, a, n);
		return 0;
	}
	for (int s = 0; s < 2; s++) {
		int family = s == V6 ? AF_INET6 : AF_INET;
		if (hints->ai_family != AF_UNSPEC && hints->ai_family != family) {
			c->fam[s].answered = true;
			continue;
		}
		struct addrinfo h = *hints;
		h.ai_family = family;
		int rc = lookup_start_addrinfo(host, service, &h, -1, &c->fam[s].lookup);
		if (rc < 0)
			return rc;
		rc = connector_watch(c, anysock_lookup_fd(c->fam[s].lookup), EPOLLIN,
				     LOOKUP_TAG | (unsigned)s);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Whether the race may begin (RFC 8305 section 3): AAAA is in; or A is in
 * and AAAA has failed or the resolution delay is over. */
bool connector_may_race(anysock_connector *c, int64_t now)
{
	if (c->fam[V6].n > 0)
		return true;
	if (c->fam[V4].n == 0)
		return false;
	if (c->fam[V6].answered)
		return true;
	if (c->race_at < 0)
		c->race_at = now + (int64_t)c->o.resolution_delay_ms * 1000;
	return now >= c->race_at;
}

void connector_free_lookups(anysock_connector *c)
{
	for (int s = 0; s < 2; s++) {
		anysock_lookup_free(c->fam[s].lookup);
		c->fam[s].lookup = NULL;
	}
}
