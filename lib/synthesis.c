/*
 * synthesis.c - the connector's NAT64 step: IPv4 hosts reached from a
 * host that has no IPv4 route (RFC 8305 section 7.1, RFC 6052, RFC 7050).
 *
 * On an IPv6-only network an IPv4 literal (from a configuration file, a
 * URL, a PROXY header) has no route, and neither has an A answer that the
 * network's DNS64 did not turn into a AAAA one. The connector tries IPv4
 * as always; only when an IPv4 attempt fails at once for want of a route
 * does this step act: it synthesizes the IPv6 form of every IPv4 address
 * of the race under the network's NAT64 prefixes, and those addresses join
 * the race like any other. A host with IPv4, natively or through a CLAT
 * (RFC 6877: an address in 192.0.0.0/29 and an IPv4 default route), never
 * gets here, so a dual-stack host pays no query and no system call.
 *
 * The prefixes are those the program added, else those discovered
 * (nat64.c): when none is known yet, the connector joins the discovery
 * under way (or starts one) and watches its descriptor in its own epoll
 * set, so it never blocks; meanwhile the other attempts go on. When the
 * network turns out to have no NAT64, the IPv4 addresses are passed over
 * and the race ends with ANYSOCK_E_NONAT64 (unless something else told
 * more). A known but expired answer is used at once while a new
 * discovery runs in the background.
 *
 * The peer. A winner under a known prefix is reported as the IPv4 host it
 * stands for (the caller's getpeername() still gives the IPv6 address). A
 * DNS64 answer is one too, but the first one a process meets comes before
 * any prefix is known: when an IPv6 winner carries one of the race's own
 * A answers at an RFC 6052 position, nothing is known of the network's
 * NAT64 yet, and this host has no route to that IPv4 address (one route
 * lookup: a UDP connect(), which sends nothing), the connector keeps the
 * winner for at most HOLD_MS while it discovers, then reports the peer for
 * what it is. A datagram socket for sendto (ANYSOCK_CONNECT_UNCONNECTED)
 * keeps the address it must send to.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "clock.h"
#include "connector.h"
#include "nat64.h"
#include "socket.h"

#include <errno.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>

#define HOLD_MS 1000

static void trace(const anysock_connector *c, const anysock_addr *a, int err)
{
	if (c->o.flags & ANYSOCK_CONNECT_TRACE_NAT64)
		connector_trace(c, ANYSOCK_ATTEMPT_SYNTHESIZED, a, err);
}

/* Not when the caller asked for IPv4 alone, or bound the attempts to an
 * IPv4 address. */
static bool may_translate(const anysock_connector *c)
{
	if (c->o.flags & ANYSOCK_CONNECT_IPV4)
		return false;
	if (c->o.local == NULL)
		return true;
	anysock_addr local = *c->o.local;
	anysock_addr_unmap(&local);
	return local.u.sa.sa_family == AF_INET6;
}

/* Add a to the IPv6 addresses unless it is there (or there is no room). */
static bool add_v6(anysock_connector *c, const anysock_addr *a)
{
	struct family *f = &c->fam[V6];
	for (size_t i = 0; i < f->n; i++)
		if (anysock_addr_equal(&f->addr[i], a, 0))
			return false;
	if (f->n >= MAX_ADDRS)
		return false;
	anysock_addr *grown = realloc(f->addr, (f->n + 1) * sizeof(*grown));
	if (grown == NULL)
		return false;
	f->addr = grown;
	f->addr[f->n++] = *a;
	return true;
}

/* Every IPv4 address not yet seen, under every prefix known. */
static void synthesize(anysock_connector *c)
{
	struct pref64 known[2 * PREF64_MAX];
	size_t np = pref64_list(known, NULL, ARRAY_SIZE(known));
	struct family *f4 = &c->fam[V4];
	for (; c->nat64.from < f4->n; c->nat64.from++) {
		anysock_addr v4 = f4->addr[c->nat64.from];
		const unsigned char *b = (const unsigned char *)&v4.u.sin.sin_addr;
		for (size_t i = 0; i < np; i++) {
			struct in6_addr ip;
			anysock_addr a;
			if (nat64_target_check(known[i].b, known[i].len, b) < 0)
				continue;
			pref64_embed(known[i].b, known[i].len, b, ip.s6_addr);
			anysock_addr_from_in6(&a, &ip, ntohs(v4.u.sin.sin_port), 0);
			if (add_v6(c, &a)) {
				c->nat64.synthesized = true;
				trace(c, &a, 0);
			}
		}
	}
}

/* No NAT64 here: the IPv4 addresses are passed over. */
static void give_up(anysock_connector *c)
{
	c->nat64.absent = true;
	for (; c->nat64.from < c->fam[V4].n; c->nat64.from++)
		trace(c, &c->fam[V4].addr[c->nat64.from], ANYSOCK_E_NONAT64);
}

/* Wait for the discovery under way (or a new one); false when none can. */
static bool await(anysock_connector *c)
{
	struct discovery *d = discovery_join();
	if (d == NULL)
		return false;
	if (connector_watch(c, discovery_fd(d), EPOLLIN, NAT64_TAG) < 0) {
		discovery_leave(d);
		return false;
	}
	c->nat64.wait = d;
	return true;
}

/* What the known prefixes allow now: synthesize, give up, or (when may
 * wait, before any discovery ended for this connector) wait. */
static void plan(anysock_connector *c, bool may_wait)
{
	struct pref64_status st;
	pref64_status(mono_us(), &st);
	if (st.added > 0 || st.state == PREF64_FOUND) {
		synthesize(c);
		if (st.state == PREF64_FOUND && !st.fresh)
			discovery_leave(discovery_join()); /* renewed in the background */
	} else if (!may_wait || (st.state == PREF64_NONE && st.fresh) || !await(c)) {
		give_up(c);
	}
}

void connector_nat64_failed(anysock_connector *c, const anysock_addr *a, int err)
{
	if (c->nat64.no_route || a->u.sa.sa_family != AF_INET || !may_translate(c) ||
	    (err != -ENETUNREACH && err != -EHOSTUNREACH && err != -EADDRNOTAVAIL))
		return;
	c->nat64.no_route = true;
	plan(c, true);
}

static void stop_waiting(anysock_connector *c)
{
	if (c->nat64.wait == NULL)
		return;
	if (c->epfd >= 0)
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, discovery_fd(c->nat64.wait), NULL);
	discovery_leave(c->nat64.wait);
	c->nat64.wait = NULL;
}

void connector_nat64_step(anysock_connector *c)
{
	struct nat64_step *s = &c->nat64;
	if (s->wait != NULL && discovery_done(s->wait)) {
		stop_waiting(c);
		if (s->no_route && s->held.fd < 0)
			plan(c, false);
	} else if (s->no_route && s->wait == NULL && s->from < c->fam[V4].n) {
		if (s->absent) /* late A answers */
			give_up(c);
		else
			synthesize(c);
	}
}

int connector_nat64_fd(const anysock_connector *c)
{
	return c->nat64.wait != NULL ? discovery_fd(c->nat64.wait) : -1;
}

bool connector_nat64_busy(const anysock_connector *c)
{
	return c->nat64.wait != NULL;
}

/* Whether b carries one of the race's IPv4 addresses where RFC 6052 puts
 * one (v4 gets it): how a DNS64 answer looks. */
static bool made_from_answer(const anysock_connector *c, const unsigned char b[16],
			     unsigned char v4[4])
{
	static const unsigned lengths[] = { 96, 64, 56, 48, 40, 32 };
	for (size_t i = 0; i < c->fam[V4].n; i++)
		for (size_t l = 0; l < ARRAY_SIZE(lengths); l++)
			if (pref64_extract_at(b, lengths[l], v4) &&
			    memcmp(v4, &c->fam[V4].addr[i].u.sin.sin_addr, 4) == 0)
				return true;
	return false;
}

/* Whether this host has a route to v4 (a UDP connect sends nothing). */
static bool routed(const unsigned char v4[4], int port)
{
	anysock_addr a;
	anysock_addr_from_in(&a, (const struct in_addr *)(const void *)v4, port);
	int fd = sock_open(AF_INET, SOCK_DGRAM);
	if (fd < 0)
		return true; /* cannot tell: as if it had */
	int rc = connect(fd, &a.u.sa, a.len) == 0 ? 0 : errno;
	close(fd);
	return rc != ENETUNREACH && rc != EHOSTUNREACH && rc != EADDRNOTAVAIL;
}

bool connector_nat64_hold(anysock_connector *c, const struct attempt *won)
{
	const anysock_addr *a = &c->fam[won->slot].addr[won->at];
	const unsigned char *b = a->u.sin6.sin6_addr.s6_addr;
	unsigned char v4[4];
	if (a->u.sa.sa_family != AF_INET6 || (c->o.flags & ANYSOCK_CONNECT_UNCONNECTED) ||
	    !may_translate(c) || embedded_v4(b, v4) == ANYSOCK_CLASS_NAT64 ||
	    !made_from_answer(c, b, v4))
		return false;
	struct pref64_status st;
	pref64_status(mono_us(), &st);
	if (st.added > 0 || st.fresh)
		return false; /* known, and this is not under it */
	if (c->nat64.wait == NULL &&
	    ((!c->nat64.no_route && routed(v4, ntohs(a->u.sin6.sin6_port))) || !await(c)))
		return false;
	c->nat64.held = *won;
	c->nat64.hold_until = earliest(c->deadline, mono_us() + HOLD_MS * 1000);
	return true;
}

void connector_nat64_peer(const anysock_connector *c, anysock_addr *peer)
{
	unsigned char v4[4];
	if (peer->u.sa.sa_family == AF_INET6 && !(c->o.flags & ANYSOCK_CONNECT_UNCONNECTED) &&
	    embedded_v4(peer->u.sin6.sin6_addr.s6_addr, v4) == ANYSOCK_CLASS_NAT64)
		anysock_addr_from_in(peer, (const struct in_addr *)(const void *)v4,
				     ntohs(peer->u.sin6.sin6_port));
}

int connector_nat64_error(const anysock_connector *c, int err)
{
	/* Unreachable, and no prefix found (or none in time): say why. */
	if (c->nat64.no_route && (c->nat64.absent || c->nat64.wait != NULL) &&
	    connect_error_rank(err) == 1)
		return ANYSOCK_E_NONAT64;
	return err;
}

void connector_nat64_free(anysock_connector *c)
{
	stop_waiting(c);
	if (c->nat64.held.fd >= 0)
		close(c->nat64.held.fd);
	c->nat64.held.fd = -1;
}
