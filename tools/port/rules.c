/*
 * rules.c - the IPv4-only idioms and dual-stack pitfalls anysock-port
 * reports, each a pattern over tokens.
 *
 * Most rules fire on one identifier in context (a call, a declaration, a
 * comparison). Three are heuristics and say so in --list-rules: whether a
 * struct sockaddr_in holds a peer, and the two that judge a whole function
 * (an AF_INET6 listener that never sets IPV6_V6ONLY; an IPv4-level option
 * on a socket the function does not make AF_INET). They look only inside
 * the function at hand, which keeps their false positives to functions
 * that really do both halves of the pattern.
 *
 * SPDX-License-Identifier: MIT
 */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

const struct rule rules[] = {
	{ "gethostbyname", false,
	  "gethostbyname() finds IPv4 addresses only, is not thread-safe and cannot be bounded",
	  "anysock_connect(host, service, ...) or anysock_resolve(): every family, a time limit "
	  "(anysock_connect(3), anysock_resolve(3))" },
	{ "gethostbyaddr", false,
	  "gethostbyaddr() takes an IPv4 address, is not thread-safe and may block for minutes",
	  "anysock_nameinfo(&peer, ...) with a timeout (anysock_resolve(3))" },
	{ "inet-ntoa", false, "inet_ntoa() prints IPv4 only, into a static buffer",
	  "anysock_ntop(&addr, buf, sizeof(buf), 0): either family, \"[v6]:port\" (anysock_ntop(3))" },
	{ "inet-addr", false,
	  "inet_addr() parses IPv4 only, and cannot tell 255.255.255.255 from an error",
	  "anysock_pton(text, &addr, 0): either family, strict, host:port (anysock_pton(3))" },
	{ "inet-aton", false, "inet_aton() parses IPv4 only, and takes octal and short forms",
	  "anysock_pton(text, &addr, 0), or pass the text to anysock_connect() (anysock_pton(3))" },
	{ "inet-network", false, "inet_network() parses classful IPv4 networks only",
	  "anysock_prefix_parse(\"10.0.0.0/8\", ...): CIDR of either family (anysock_prefix(3))" },
	{ "inet-classful", false,
	  "inet_makeaddr(), inet_lnaof() and inet_netof() split IPv4 addresses by class, "
	  "gone since CIDR (RFC 1519)",
	  "anysock_prefix_from_addr() and anysock_prefix_contains() (anysock_prefix(3))" },
	{ "hostent", false, "struct hostent and h_addr_list carry the answers of gethostbyname()",
	  "an anysock_addr array from anysock_resolve() (anysock_resolve(3))" },
	{ "sockaddr-in", true,
	  "a struct sockaddr_in variable holds IPv4 only: an IPv6 peer or bind address does not fit",
	  "anysock_addr, which holds either family (anysock_addr(3))" },
	{ "sockaddr-len", false,
	  "sizeof(struct sockaddr_in) or sizeof(struct sockaddr) as an address length truncates "
	  "IPv6 peers",
	  "an anysock_addr and its own size: a.len = sizeof(a.u) (anysock_addr(3)), or "
	  "anysock_accept() (anysock_listen(3))" },
	{ "af-inet", false, "AF_INET passed to socket() or set in addrinfo hints: IPv4 only",
	  "anysock_listen() or anysock_connect(), which use every family "
	  "(anysock_listen(3), anysock_connect(3))" },
	{ "inaddr", false,
	  "INADDR_ANY, INADDR_LOOPBACK and INADDR_BROADCAST are IPv4 addresses",
	  "anysock_listen(NULL, ...) for every family's wildcard, anysock_addr_loopback() "
	  "(anysock_listen(3), anysock_addr(3))" },
	{ "addrstrlen", false, "a buffer of INET_ADDRSTRLEN cannot hold IPv6 text",
	  "char text[ANYSOCK_ADDRSTRLEN] and anysock_ntop() (anysock_ntop(3))" },
	{ "literal-af-inet", false, "inet_pton() or inet_ntop() with AF_INET: IPv4 only",
	  "anysock_pton() and anysock_ntop(), which take either family (anysock_ntop(3))" },
	{ "s-addr-compare", false,
	  "comparing s_addr compares IPv4 only (and misses ::ffff:a.b.c.d clients)",
	  "anysock_addr_equal(a, b, ANYSOCK_CMP_UNMAP) or anysock_prefix_contains() "
	  "(anysock_addr_cmp(3), anysock_prefix(3))" },
	{ "v4mapped-check", false,
	  "IN6_IS_ADDR_V4MAPPED() handles mapped addresses ad hoc, after they have spread",
	  "anysock_addr_canonical() (or anysock_addr_unmap()) where addresses enter "
	  "(anysock_addr_canonical(3))" },
	{ "mapped-literal", false,
	  /* anysock-port: ignore mapped-literal -- the rule's own text */
	  "a string ending in \"::ffff:\" (or \"::ffff:%\"): mapped text built or matched by hand",
	  "keep addresses canonical with anysock_addr_unmap(); anysock_ntop() prints a.b.c.d "
	  "(anysock_addr(3))" },
	{ "ai-v4mapped", false, "AI_V4MAPPED makes IPv4 answers look like IPv6 ones",
	  "anysock_resolve(), whose answers are never mapped (anysock_resolve(3))" },
	{ "listen-v6only", true,
	  "an AF_INET6 socket listens in a function that never sets IPV6_V6ONLY: it takes IPv4 "
	  "clients as ::ffff:a.b.c.d, or not at all, as a sysctl says",
	  "anysock_listen(), one socket per family with IPV6_V6ONLY on (anysock_listen(3))" },
	{ "ip-option", true,
	  "an IPv4-level option on a socket this function does not make AF_INET: on an AF_INET6 "
	  "socket it governs IPv4 packets only, or nothing",
	  "anysock_set_hops(), anysock_set_tclass(), anysock_set_mcast_*(), which set every level "
	  "that governs the socket's packets (anysock_sockopt(3))" },
};
const size_t nrules = sizeof(rules) / sizeof(rules[0]);

enum rule_id {
	R_GETHOSTBYNAME, R_GETHOSTBYADDR, R_INET_NTOA, R_INET_ADDR, R_INET_ATON, R_INET_NETWORK,
	R_INET_CLASSFUL, R_HOSTENT, R_SOCKADDR_IN, R_SOCKADDR_LEN, R_AF_INET, R_INADDR,
	R_ADDRSTRLEN, R_LITERAL_AF_INET, R_S_ADDR_COMPARE, R_V4MAPPED_CHECK, R_MAPPED_LITERAL,
	R_AI_V4MAPPED, R_LISTEN_V6ONLY, R_IP_OPTION
};

/* ------------------------------------------------------------------------ */
/* Context                                                                  */
/* ------------------------------------------------------------------------ */

struct scan {
	const struct lexed *l;
	const bool *enabled;
	struct finding *out;
	size_t n, cap;
	/* the function the token is in: [fn_start, fn_end) of tokens */
	size_t fn_start, fn_end;
	bool fn_v6only, fn_inet_socket;
};

static const struct token *at(const struct scan *s, size_t i)
{
	static const struct token none = { TOK_PUNCT, "", 0, 0, 0, false, false, false };
	return i < s->l->n ? &s->l->tok[i] : &none;
}

static bool is(const struct scan *s, size_t i, const char *text)
{
	return i < s->l->n && tok_is(&s->l->tok[i], text);
}

static bool is_any(const struct scan *s, size_t i, const char *const *texts)
{
	for (; *texts != NULL; texts++)
		if (is(s, i, *texts))
			return true;
	return false;
}

/* Index just past the ')' matching the '(' at i (or the end). */
static size_t close_paren(const struct scan *s, size_t i)
{
	int depth = 0;
	for (; i < s->l->n; i++) {
		if (is(s, i, "("))
			depth++;
		else if (is(s, i, ")") && --depth == 0)
			return i + 1;
		else if (is(s, i, ";"))
			return i; /* broken code: stop at the statement */
	}
	return i;
}

static int add(struct scan *s, enum rule_id r, size_t i)
{
	if (!s->enabled[r])
		return 0;
	const struct token *t = at(s, i);
	for (size_t k = 0; k < s->l->nsup; k++) {
		const struct suppression *sup = &s->l->sup[k];
		if (sup->line != t->line && sup->line + 1 != t->line)
			continue;
		size_t idl = strlen(rules[r].id);
		for (const char *p = sup->rules; (p = strstr(p, rules[r].id)) != NULL; p += idl)
			if ((p == sup->rules || p[-1] == ',') && (p[idl] == '\0' || p[idl] == ','))
				return 0;
	}
	struct finding *f = grow(s->out, &s->cap, s->n, sizeof(*f));
	if (f == NULL)
		return -1;
	s->out = f;
	s->out[s->n++] = (struct finding){ (size_t)r, t->line, t->col };
	return 0;
}

static const char *const sock_calls[] = { "accept", "accept4", "recvfrom", "getpeername",
					   "getsockname", NULL };
static const char *const inet4[] = { "AF_INET", "PF_INET", NULL };
static const char *const inet6[] = { "AF_INET6", "PF_INET6", NULL };

/* "socket ( AF_INET" style: the identifier at i called with first
 * argument one of fams. */
static bool call_with(const struct scan *s, size_t i, const char *fn, const char *const *fams)
{
	return is(s, i, fn) && is(s, i + 1, "(") && is_any(s, i + 2, fams);
}

/* The function around token i: from a top-level '{' to its '}'. Found
 * once per function as the scan enters it. */
static void enter_functions(struct scan *s, size_t i, int *depth)
{
	if (!is(s, i, "{") || (*depth)++ != 0)
		return;
	s->fn_start = i;
	int d = 0;
	size_t j = i;
	for (; j < s->l->n; j++) {
		if (is(s, j, "{"))
			d++;
		else if (is(s, j, "}") && --d == 0)
			break;
	}
	s->fn_end = j;
	s->fn_v6only = s->fn_inet_socket = false;
	for (size_t k = i; k < j; k++) {
		if (is(s, k, "IPV6_V6ONLY"))
			s->fn_v6only = true;
		if (call_with(s, k, "socket", inet4))
			s->fn_inet_socket = true;
	}
}

/* ------------------------------------------------------------------------ */
/* The patterns                                                             */
/* ------------------------------------------------------------------------ */

static bool member_access(const struct scan *s, size_t i)
{
	return i > 0 && (is(s, i - 1, ".") || is(s, i - 1, "->"));
}

/* sizeof ( struct sockaddr[_in] ) starting at i. */
static bool sizeof_sockaddr(const struct scan *s, size_t i)
{
	return is(s, i, "sizeof") && is(s, i + 1, "(") && is(s, i + 2, "struct") &&
	       (is(s, i + 3, "sockaddr_in") || is(s, i + 3, "sockaddr")) && is(s, i + 4, ")");
}

/* An address length given as sizeof(struct sockaddr[_in]): inside a call
 * to accept() and friends, or as the value of a socklen_t. */
static int rule_sockaddr_len(struct scan *s, size_t i)
{
	if (is_any(s, i, sock_calls) && is(s, i + 1, "(")) {
		size_t end = close_paren(s, i + 1);
		for (size_t k = i + 2; k < end; k++)
			if (sizeof_sockaddr(s, k) && add(s, R_SOCKADDR_LEN, k) < 0)
				return -1;
	}
	if (is(s, i, "socklen_t") && at(s, i + 1)->kind == TOK_IDENT && is(s, i + 2, "=") &&
	    sizeof_sockaddr(s, i + 3))
		return add(s, R_SOCKADDR_LEN, i + 3);
	return 0;
}

/* == or != with s_addr on either side. */
static int rule_s_addr(struct scan *s, size_t i)
{
	if (!is(s, i, "s_addr") || !member_access(s, i))
		return 0;
	if (is(s, i + 1, "==") || is(s, i + 1, "!="))
		return add(s, R_S_ADDR_COMPARE, i);
	/* back over "x.sin_addr." to an operator */
	size_t k = i;
	while (k > 0 && (at(s, k - 1)->kind == TOK_IDENT || is(s, k - 1, ".") || is(s, k - 1, "->")))
		k--;
	if (k > 0 && (is(s, k - 1, "==") || is(s, k - 1, "!=")))
		return add(s, R_S_ADDR_COMPARE, i);
	return 0;
}

/* A string that builds or matches mapped text by hand: "::ffff:" (any
 * case) at its end or before a conversion ("::ffff:%s"). A whole mapped
 * address ("::ffff:192.0.2.1") is data, a test's or a demo's, and is left
 * alone. */
static bool mapped_text(const struct token *t)
{
	for (size_t k = 0; k + 8 <= t->len; k++)
		if (t->text[k] == ':' && t->text[k + 1] == ':' && strchr("fF", t->text[k + 2]) &&
		    strchr("fF", t->text[k + 3]) && strchr("fF", t->text[k + 4]) &&
		    strchr("fF", t->text[k + 5]) && t->text[k + 6] == ':' &&
		    (t->text[k + 7] == '"' || t->text[k + 7] == '%'))
			return true;
	return false;
}

static const char *const ip_options[] = { "IP_TTL", "IP_TOS", "IP_MULTICAST_TTL",
					   "IP_MULTICAST_IF", "IP_MULTICAST_LOOP",
					   "IP_ADD_MEMBERSHIP", "IP_DROP_MEMBERSHIP", NULL };

/* setsockopt(fd, IPPROTO_IP, IP_TTL, ...) in a function without an
 * AF_INET socket() call. */
static bool ip_option_call(const struct scan *s, size_t i)
{
	if (!is(s, i, "setsockopt") || !is(s, i + 1, "("))
		return false;
	size_t end = close_paren(s, i + 1), k = i + 2;
	while (k < end && !is(s, k, ","))
		k++;
	return (is(s, k + 1, "IPPROTO_IP") || is(s, k + 1, "SOL_IP")) && is(s, k + 2, ",") &&
	       is_any(s, k + 3, ip_options);
}

/* What an identifier may start: a rule of its own, or a pattern. */
enum trigger { T_RULE, T_STRUCT, T_H_ADDR, T_SOCKET, T_AI_FAMILY, T_PTON_NTOP, T_S_ADDR,
	       T_SETSOCKOPT, T_SOCKLEN_T, T_SOCK_CALL };

/* Every identifier a rule starts from, sorted (bsearch; checked at start):
 * the one lookup most identifiers, which start nothing, cost. */
static const struct {
	const char *ident;
	enum trigger trigger;
	enum rule_id rule; /* T_RULE */
	bool call;         /* T_RULE: only when called */
} triggers[] = {
	{ "AI_V4MAPPED", T_RULE, R_AI_V4MAPPED, false },
	{ "IN6_IS_ADDR_V4MAPPED", T_RULE, R_V4MAPPED_CHECK, false },
	{ "INADDR_ANY", T_RULE, R_INADDR, false },
	{ "INADDR_BROADCAST", T_RULE, R_INADDR, false },
	{ "INADDR_LOOPBACK", T_RULE, R_INADDR, false },
	{ "INET_ADDRSTRLEN", T_RULE, R_ADDRSTRLEN, false },
	{ "accept", T_SOCK_CALL, 0, false },
	{ "accept4", T_SOCK_CALL, 0, false },
	{ "ai_family", T_AI_FAMILY, 0, false },
	{ "gethostbyaddr", T_RULE, R_GETHOSTBYADDR, true },
	{ "gethostbyaddr_r", T_RULE, R_GETHOSTBYADDR, true },
	{ "gethostbyname", T_RULE, R_GETHOSTBYNAME, true },
	{ "gethostbyname2", T_RULE, R_GETHOSTBYNAME, true },
	{ "gethostbyname2_r", T_RULE, R_GETHOSTBYNAME, true },
	{ "gethostbyname_r", T_RULE, R_GETHOSTBYNAME, true },
	{ "getpeername", T_SOCK_CALL, 0, false },
	{ "getsockname", T_SOCK_CALL, 0, false },
	{ "h_addr", T_H_ADDR, 0, false },
	{ "h_addr_list", T_H_ADDR, 0, false },
	{ "inet_addr", T_RULE, R_INET_ADDR, true },
	{ "inet_aton", T_RULE, R_INET_ATON, true },
	{ "inet_lnaof", T_RULE, R_INET_CLASSFUL, true },
	{ "inet_makeaddr", T_RULE, R_INET_CLASSFUL, true },
	{ "inet_netof", T_RULE, R_INET_CLASSFUL, true },
	{ "inet_network", T_RULE, R_INET_NETWORK, true },
	{ "inet_ntoa", T_RULE, R_INET_NTOA, true },
	{ "inet_ntop", T_PTON_NTOP, 0, false },
	{ "inet_pton", T_PTON_NTOP, 0, false },
	{ "recvfrom", T_SOCK_CALL, 0, false },
	{ "s_addr", T_S_ADDR, 0, false },
	{ "setsockopt", T_SETSOCKOPT, 0, false },
	{ "socket", T_SOCKET, 0, false },
	{ "socklen_t", T_SOCKLEN_T, 0, false },
	{ "struct", T_STRUCT, 0, false },
};
#define NTRIGGERS (sizeof(triggers) / sizeof(triggers[0]))

bool rules_sorted(void)
{
	for (size_t i = 1; i < NTRIGGERS; i++)
		if (strcmp(triggers[i - 1].ident, triggers[i].ident) >= 0)
			return false;
	return true;
}

static int cmp_trigger(const void *key, const void *elem)
{
	const struct token *t = key;
	const char *id = *(const char *const *)elem;
	size_t n = strlen(id);
	int c = memcmp(t->text, id, t->len < n ? t->len : n);
	return c != 0 ? c : (t->len > n) - (t->len < n);
}

/* Every rule that can fire at identifier i. */
static int at_ident(struct scan *s, size_t i)
{
	const struct token *t = at(s, i);
	if (t->spliced)
		return 0; /* a name cut by backslash-newline: too odd to judge */
	const void *hit = bsearch(t, triggers, NTRIGGERS, sizeof(triggers[0]), cmp_trigger);
	if (hit == NULL)
		return 0;
	size_t k = (size_t)((const char *)hit - (const char *)triggers) / sizeof(triggers[0]);
	switch (triggers[k].trigger) {
	case T_RULE:
		return !triggers[k].call || is(s, i + 1, "(") ? add(s, triggers[k].rule, i) : 0;
	case T_STRUCT:
		if (is(s, i + 1, "hostent"))
			return add(s, R_HOSTENT, i + 1);
		/* storage, not a pointer or a cast: "struct sockaddr_in name" (a
		 * struct in_addr is as often an IPv4 value taken apart on
		 * purpose; the inet_* rules catch how it is filled and printed) */
		if (is(s, i + 1, "sockaddr_in") && at(s, i + 2)->kind == TOK_IDENT &&
		    !(i > 0 && is(s, i - 1, "(")))
			return add(s, R_SOCKADDR_IN, i + 1);
		return 0;
	case T_H_ADDR:
		return member_access(s, i) ? add(s, R_HOSTENT, i) : 0;
	case T_SOCKET:
		if (call_with(s, i, "socket", inet4))
			return add(s, R_AF_INET, i + 2);
		if (call_with(s, i, "socket", inet6) && s->fn_end > i && !s->fn_v6only)
			for (size_t j = s->fn_start; j < s->fn_end; j++)
				if (is(s, j, "listen") && is(s, j + 1, "("))
					return add(s, R_LISTEN_V6ONLY, i);
		return 0;
	case T_AI_FAMILY:
		return is(s, i + 1, "=") && is_any(s, i + 2, inet4) ? add(s, R_AF_INET, i + 2) : 0;
	case T_PTON_NTOP:
		return is(s, i + 1, "(") && is_any(s, i + 2, inet4) ? add(s, R_LITERAL_AF_INET, i + 2)
								     : 0;
	case T_S_ADDR:
		return rule_s_addr(s, i);
	case T_SETSOCKOPT:
		return s->fn_end > i && !s->fn_inet_socket && ip_option_call(s, i)
			       ? add(s, R_IP_OPTION, i) : 0;
	case T_SOCKLEN_T:
	case T_SOCK_CALL:
		return rule_sockaddr_len(s, i);
	}
	return 0;
}

long find_all(const struct lexed *l, const bool *enabled, struct finding **out)
{
	struct scan s = { l, enabled, NULL, 0, 0, 0, 0, false, false };
	int depth = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct token *t = &l->tok[i];
		if (t->include)
			continue;
		int rc = 0;
		if (t->kind == TOK_PUNCT) {
			enter_functions(&s, i, &depth);
			if (tok_is(t, "}") && depth > 0)
				depth--;
		} else if (t->kind == TOK_IDENT) {
			rc = at_ident(&s, i);
		} else if (t->kind == TOK_STRING && mapped_text(t)) {
			rc = add(&s, R_MAPPED_LITERAL, i);
		}
		if (rc < 0) {
			free(s.out);
			return -1;
		}
	}
	*out = s.out;
	return (long)s.n;
}
