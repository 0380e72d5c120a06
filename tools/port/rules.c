/*
 * rules.c - the IPv4-only idioms and dual-stack pitfalls anysock-port
 * reports, each a pattern over tokens.
 *
 * Most rules fire on one word in context (a call, a declaration, a
 * comparison). The heuristics, marked so in --list-rules, judge the code
 * around it, within the top-level block (the function) it is in, and a few
 * facts about the whole file (does it ever set IPV6_V6ONLY, which
 * variables it fills from a getaddrinfo answer).
 *
 * Deliberate per-family code is not reported: a token in the IPv4 arm of a
 * branch on the family (if (family == AF_INET), case AF_INET:, the else of
 * if (inet6), the rest of a block after the IPv6 case returned, the arm
 * opposite to one that uses IPv6 words), in a statement that uses both
 * families' words, or in the group a build without IPv6 takes (#ifndef
 * USE_IPV6, #if 0) is left alone. The walk that finds the arms runs only
 * for the blocks that hold a word the rules look at.
 *
 * SPDX-License-Identifier: MIT
 */
#include "rules.h"

#include <stdlib.h>
#include <string.h>

/* clang-format off */
const struct rule rules[] = {
	{ "gethostbyname", false,
	  "gethostbyname() finds IPv4 addresses only, is not thread-safe and cannot be bounded",
	  "anysock_connect(host, service, ...): the lookup and the connect in one call, every "
	  "address of the name, both families, a time limit (anysock_connect(3)); "
	  "anysock_resolve() where the addresses themselves are wanted (anysock_resolve(3))",
	  "the function binds what it looked up",
	  "anysock_listen(host, service, ...): a socket on every address of the name "
	  "(anysock_listen(3))" },
	{ "gethostbyaddr", false,
	  "gethostbyaddr() takes an IPv4 address, is not thread-safe and may block for minutes",
	  "anysock_nameinfo(&peer, ...) with a timeout (anysock_resolve(3))", NULL, NULL },
	{ "inet-ntoa", false, "inet_ntoa() prints IPv4 only, into a static buffer",
	  "anysock_ntop(&addr, buf, sizeof(buf), ANYSOCK_NTOP_NOPORT): the address alone, as "
	  "inet_ntoa() printed it, of either family (anysock_ntop(3))", NULL, NULL },
	{ "inet-addr", false,
	  "inet_addr() parses IPv4 only, and cannot tell 255.255.255.255 from an error",
	  "anysock_pton(text, &addr, ANYSOCK_PTON_NOPORT): either family, strict; or pass the "
	  "text to anysock_connect() or anysock_listen() (anysock_pton(3))",
	  "it is the \"numeric?\" half of a numeric-else-lookup pair",
	  "anysock_connect(text, service, ...): numeric text of either family is taken as it is "
	  "and names are looked up, so the test goes (anysock_connect(3))" },
	{ "inet-aton", false, "inet_aton() parses IPv4 only, and takes octal and short forms",
	  "anysock_pton(text, &addr, ANYSOCK_PTON_NOPORT): either family, strict; or pass the "
	  "text to anysock_connect() or anysock_listen() (anysock_pton(3))",
	  "it is the \"numeric?\" half of a numeric-else-lookup pair",
	  "anysock_connect(text, service, ...): numeric text of either family is taken as it is "
	  "and names are looked up, so the test goes (anysock_connect(3))" },
	{ "inet-network", false, "inet_network() parses classful IPv4 networks only",
	  "anysock_prefix_parse(\"10.0.0.0/8\", ...): CIDR of either family (anysock_prefix(3))",
	  NULL, NULL },
	{ "inet-classful", false,
	  "inet_makeaddr(), inet_lnaof() and inet_netof() split IPv4 addresses by class, "
	  "gone since CIDR (RFC 1519)",
	  "anysock_prefix_from_addr() and anysock_prefix_contains() (anysock_prefix(3))", NULL,
	  NULL },
	{ "hostent", false,
	  "struct hostent and h_addr_list carry the IPv4 answers of gethostbyname(); h_addr is "
	  "the first only",
	  "anysock_connect(host, service, ...): the lookup and the connect in one call, every "
	  "address of the name, not the first only (anysock_connect(3))",
	  "the function binds what it looked up",
	  "anysock_listen(host, service, ...): a socket on every address of the name "
	  "(anysock_listen(3))" },
	{ "sockaddr-in", true,
	  "a struct sockaddr_in variable holds IPv4 only: an IPv6 peer or bind address does not fit",
	  "anysock_addr, which holds either family (anysock_addr(3)); anysock_listen() or "
	  "anysock_connect() where it only feeds bind() or connect()", NULL, NULL },
	{ "sockaddr-len", false,
	  "sizeof(struct sockaddr_in) or sizeof(struct sockaddr) as an address length or "
	  "storage truncates IPv6 peers",
	  "an anysock_addr and its own size: a.len = sizeof(a.u) (anysock_addr(3)), or "
	  "anysock_accept() (anysock_listen(3))", NULL, NULL },
	{ "af-inet", false, "AF_INET passed to socket() or set in addrinfo hints: IPv4 only",
	  "anysock_listen() or anysock_connect(), which use every family "
	  "(anysock_listen(3), anysock_connect(3))", NULL, NULL },
	{ "inaddr", false,
	  "INADDR_ANY, INADDR_LOOPBACK and INADDR_BROADCAST are IPv4 addresses",
	  "anysock_listen(NULL, ...) for every family's wildcard, anysock_addr_loopback() "
	  "(anysock_listen(3), anysock_addr(3))", NULL, NULL },
	{ "addrstrlen", false, "a buffer of INET_ADDRSTRLEN cannot hold IPv6 text",
	  "char text[ANYSOCK_ADDRSTRLEN] and anysock_ntop() (anysock_ntop(3))", NULL, NULL },
	{ "literal-af-inet", false, "inet_pton() or inet_ntop() with AF_INET: IPv4 only",
	  "anysock_pton(text, &addr, ANYSOCK_PTON_NOPORT) and anysock_ntop(&addr, buf, "
	  "sizeof(buf), ANYSOCK_NTOP_NOPORT), which take either family (anysock_ntop(3))", NULL,
	  NULL },
	{ "s-addr-compare", false,
	  "comparing s_addr or sin_addr compares IPv4 only (and misses ::ffff:a.b.c.d clients)",
	  "anysock_addr_equal(a, b, ANYSOCK_CMP_UNMAP) or anysock_prefix_contains() "
	  "(anysock_addr_cmp(3), anysock_prefix(3))", NULL, NULL },
	{ "v4mapped-check", false,
	  "IN6_IS_ADDR_V4MAPPED() decides to cut \"::ffff:\" off the text (+ 7): mapped "
	  "addresses handled ad hoc, after they were printed",
	  "anysock_addr_canonical() (or anysock_addr_unmap()) where addresses enter, then "
	  "anysock_ntop() (anysock_addr_canonical(3))", NULL, NULL },
	{ "mapped-literal", false,
	  /* anysock-port: ignore mapped-literal -- the rule's own text */
	  "a string ending in \"::ffff:\" (or \"::ffff:%\", \"::ffff:127.\"): mapped text built "
	  "or matched by hand",
	  "keep addresses canonical with anysock_addr_unmap(); anysock_ntop() prints a.b.c.d "
	  "(anysock_addr(3))", NULL, NULL },
	{ "ai-v4mapped", false, "AI_V4MAPPED makes IPv4 answers look like IPv6 ones",
	  "anysock_resolve(), whose answers are never mapped (anysock_resolve(3))", NULL, NULL },
	{ "listen-v6only", true,
	  "a listener or receiver whose family is AF_INET6 or may be (a getaddrinfo answer, the "
	  "caller's choice) in a program that never sets IPV6_V6ONLY: it takes IPv4 clients as "
	  "::ffff:a.b.c.d, or not at all, as a sysctl says",
	  "anysock_listen(), one socket per family with IPV6_V6ONLY on (anysock_listen(3))", NULL,
	  NULL },
	{ "ip-option", true,
	  "an IPv4-level option on a socket this function does not make AF_INET: on an AF_INET6 "
	  "socket it governs IPv4 packets only, or nothing",
	  "anysock_set_hops(), anysock_set_tclass(), anysock_set_mcast_*(), which set every level "
	  "that governs the socket's packets (anysock_sockopt(3))", NULL, NULL },
	{ "small-sockaddr", false,
	  "a struct sockaddr variable holds 16 bytes: an IPv6 address (28) does not fit",
	  "anysock_addr and its length (anysock_addr(3)); anysock_accept() for a peer "
	  "(anysock_listen(3))", NULL, NULL },
	{ "cast-v4", true,
	  "an address that may be IPv6 cast to struct sockaddr_in with no family check",
	  "anysock_addr_from_sockaddr(), then anysock_ntop() or anysock_addr_port(), which read "
	  "either family (anysock_addr(3))", NULL, NULL },
	{ "dotted-quad", false,
	  /* anysock-port: ignore dotted-quad -- the rule's own text */
	  "an address printed or parsed as \"%d.%d.%d.%d\" (or FTP's h1,h2,h3,h4,p1,p2) by "
	  "hand: IPv4 only",
	  "anysock_ntop(&addr, buf, sizeof(buf), ANYSOCK_NTOP_NOPORT) and anysock_pton(); FTP's "
	  "EPRT and EPSV (RFC 2428) carry either family (anysock_ntop(3))", NULL, NULL },
	{ "numeric-check", true,
	  "\"is it numeric?\" decided by hand (atoi(host) > 0, a scan for digits and dots) "
	  "before a lookup: IPv6 text is neither",
	  "anysock_connect(host, service, ...): numeric text of either family is taken as it is "
	  "and names are looked up, so the test goes (anysock_connect(3))", NULL, NULL },
	{ "ipv4-pattern", true,
	  "an address pattern checked for digits, dots and wildcards: IPv4 text only",
	  "anysock_acl_parse() and anysock_acl_check(): prefixes of either family, a.b.c.d and "
	  "::ffff:a.b.c.d alike (anysock_acl(3))", NULL, NULL },
	{ "ipv4-literal", false,
	  "a hard-coded IPv4 address (not loopback, not multicast) as a host or a bind address",
	  "anysock_listen(NULL, service, ...) for every family's wildcard; text of either family "
	  "or a name for anysock_connect() and anysock_listen() (anysock_listen(3), "
	  "anysock_connect(3))", NULL, NULL },
	{ "host-port-split", true,
	  "host:port split at a ':' by hand: an IPv6 address is made of them ([2001:db8::1]:80)",
	  "pass \"host[:port]\" whole to anysock_connect() (ANYSOCK_CONNECT_DEFAULT_PORT makes the "
	  "service the default), or take it apart with anysock_split_hostport(): [v6]:port and "
	  "host:port alike (anysock_connect(3), anysock_split_hostport(3))", NULL, NULL },
	{ "url-brackets", false,
	  "a URL, Host header or CONNECT line built from a bare host: an IPv6 literal needs "
	  "brackets ([2001:db8::1]:80)",
	  "anysock_join_hostport(host, port, buf, sizeof(buf)), which brackets a host that holds "
	  "':'; anysock_ntop(&addr, buf, sizeof(buf), 0) for an address (anysock_join_hostport(3))",
	  NULL, NULL },
	{ "first-answer", true,
	  "a connect or sendto to one getaddrinfo answer only: when it fails (::1 first, the "
	  "server on 127.0.0.1 only) the other addresses are never tried",
	  "anysock_connect(host, service, type, &opts, &peer): every address of the name, "
	  "raced, one time limit; for a datagram request, opts.first_datagram lets the first "
	  "reply choose (anysock_connect(3))", NULL, NULL },
	{ "bind-first", true,
	  "a listener binds the first getaddrinfo answer only: with AF_UNSPEC that is 0.0.0.0, "
	  "and IPv6 clients are refused",
	  "anysock_listen(host, service, ...): a socket on every answer, one port for all "
	  "(anysock_listen(3))", NULL, NULL },
	{ "bind-source", true,
	  "a client binds its source address to the first getaddrinfo answer of a name: when "
	  "that family is not the server answer's, bind() or connect() fails",
	  "anysock_connect_opts.local: the source address, and only answers of its family are "
	  "tried (anysock_connect(3)); or look the source up with hints.ai_family set to the "
	  "server answer's family", NULL, NULL },
	{ "one-family", true,
	  "a listener opens one family only (chosen by a variable or an option, or IPv6 with "
	  "IPV6_V6ONLY and no IPv4 socket beside it): the other family's clients are refused",
	  "anysock_listen(NULL, service, ...): one socket per family; ANYSOCK_LISTEN_IPV4 or "
	  "ANYSOCK_LISTEN_IPV6 keep a -4 or -6 option (anysock_listen(3))", NULL, NULL },
	{ "v6only-off", true,
	  "IPV6_V6ONLY set to 0: IPv4 clients arrive as ::ffff:a.b.c.d, and systems that fix the "
	  "option refuse the setting",
	  "anysock_listen(): one socket per family with IPV6_V6ONLY on, IPv4 peers as a.b.c.d; "
	  "ANYSOCK_LISTEN_DUALSTACK where one socket must do (anysock_listen(3))", NULL, NULL },
	{ "mapped-print", true,
	  "a peer printed as it came from a socket that takes IPv4 clients as ::ffff:a.b.c.d: "
	  "logs and access lists see two forms of each client",
	  "anysock_accept() and anysock_recvfrom(), whose peers are canonical; or "
	  "anysock_addr_unmap() where the address enters (anysock_listen(3), "
	  "anysock_addr_canonical(3))", NULL, NULL },
	{ "mapped-compare", true,
	  "the families of two addresses compared as they came: ::ffff:a.b.c.d and a.b.c.d are "
	  "one client, yet the families differ",
	  "anysock_addr_equal(a, b, ANYSOCK_CMP_UNMAP), or anysock_addr_canonical() where "
	  "addresses enter (anysock_addr_cmp(3))", NULL, NULL },
	{ "storage-len", true,
	  "the size of a whole sockaddr_storage (or union of families) given to bind, connect or "
	  "sendto: the BSDs and macOS want the family's own length (EINVAL)",
	  "the length of the address's own family: an anysock_addr's len (anysock_addr(3)), or "
	  "the length recvfrom() or accept() returned", NULL, NULL },
	{ "accept-len", true,
	  "the address length is set once before an accept loop: a short IPv4 peer shrinks it, "
	  "and the next IPv6 one is cut",
	  "anysock_accept(l, &peer, ...) (anysock_listen(3)); or set the length before each "
	  "accept()", NULL, NULL },
	{ "port-zero", true,
	  "port 0 learnt with getsockname on one socket of several: each family's socket gets a "
	  "port of its own",
	  "anysock_listen(NULL, \"0\", ...) binds one port on every family; "
	  "anysock_listener_addr() says which (anysock_listen(3))", NULL, NULL },
	{ "family-filter", true,
	  "an address's family tested against AF_INET in a function that never handles "
	  "AF_INET6: IPv6 peers, interfaces or answers are skipped, refused or let past the check",
	  "anysock_addr_from_sockaddr(), which takes either family, then anysock_addr_unmap() "
	  "(IPv4 clients of an IPv6 socket) and anysock_prefix_contains() or anysock_ntop(), "
	  "which work on both (anysock_addr(3), anysock_prefix(3))", NULL, NULL },
	{ "ftp-pasv", true,
	  "FTP's PASV sent where EPSV never is: the 227 reply carries an IPv4 address only "
	  "(RFC 959)",
	  "send EPSV first (RFC 2428: the server's own address, either family) and keep PASV "
	  "for servers that refuse it; an IPv6 control connection needs EPSV", NULL, NULL },
	{ "if-ioctl", false,
	  "ioctl() SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFCONF and their kin give an interface's "
	  "IPv4 address only",
	  "anysock_interfaces(out, max): every address of every interface, either family, with "
	  "its prefix length and flags (anysock_interfaces(3))", NULL, NULL },
};
/* clang-format on */
const size_t nrules = sizeof(rules) / sizeof(rules[0]);

enum rule_id {
	R_GETHOSTBYNAME,
	R_GETHOSTBYADDR,
	R_INET_NTOA,
	R_INET_ADDR,
	R_INET_ATON,
	R_INET_NETWORK,
	R_INET_CLASSFUL,
	R_HOSTENT,
	R_SOCKADDR_IN,
	R_SOCKADDR_LEN,
	R_AF_INET,
	R_INADDR,
	R_ADDRSTRLEN,
	R_LITERAL_AF_INET,
	R_S_ADDR_COMPARE,
	R_V4MAPPED_CHECK,
	R_MAPPED_LITERAL,
	R_AI_V4MAPPED,
	R_LISTEN_V6ONLY,
	R_IP_OPTION,
	R_SMALL_SOCKADDR,
	R_CAST_V4,
	R_DOTTED_QUAD,
	R_NUMERIC_CHECK,
	R_IPV4_PATTERN,
	R_IPV4_LITERAL,
	R_HOST_PORT_SPLIT,
	R_URL_BRACKETS,
	R_FIRST_ANSWER,
	R_BIND_FIRST,
	R_BIND_SOURCE,
	R_ONE_FAMILY,
	R_V6ONLY_OFF,
	R_MAPPED_PRINT,
	R_MAPPED_COMPARE,
	R_STORAGE_LEN,
	R_ACCEPT_LEN,
	R_PORT_ZERO,
	R_FAMILY_FILTER,
	R_FTP_PASV,
	R_IF_IOCTL,
	R_COUNT
};

/* ------------------------------------------------------------------------ */
/* What a block is: its arms, loops and conditions                         */
/* ------------------------------------------------------------------------ */

#define TAG_V4 1u /* deliberate IPv4 code: an IPv4 arm, a both-family statement */
#define TAG_V6 2u /* an IPv6 arm */

struct loop {
	uint32_t kw, body0, body1; /* the keyword; the body [body0, body1) */
	uint32_t ai;               /* X of X = X->ai_next in it, or NO_MATCH */
	bool leaves;               /* a break, goto or return of a value in it */
};

struct cond {
	uint32_t from, to; /* an if's, while's or for's parenthesised tokens */
	uint32_t chain;    /* the first if of an if-else-if chain (NO_MATCH: a loop's) */
};

/* Hints' ai_family values set in a block. */
#define H_V4 1u
#define H_V6 2u
#define H_ANY 4u
#define H_COPY 8u /* another answer's family: one family, whichever it is */

struct summary {
	bool listen, bind, connect, socket, resolver, inet_socket, inet6_socket, sol_ip, v4mapped,
		family_check, passive, peer_in;
	unsigned hints;
};

struct analysis {
	bool walked, summed;
	int brackets;       /* the block bracketing hosts: 1, 0, -1 not known yet */
	int knows_v6;       /* it says something of IPv6: 1, -1, 0 not known yet */
	int v4_work;        /* it uses IPv4's types or calls: 1, -1, 0 not known yet */
	int ftp;            /* named for FTP's PORT or PASV: 1, -1, 0 not known yet */
	uint32_t open, end; /* tokens [open, end) */
	uint8_t *tag;       /* per token, from open */
	struct loop *loop;
	size_t nloop, caploop;
	struct cond *cond;
	size_t ncond, capcond;
	struct summary sum;
};

struct name {
	uint32_t off, len;
};

struct scan {
	const struct lexed *l;
	const struct token *tok;
	const char *s;
	size_t n;
	const bool *enabled;
	struct finding *out;
	size_t nout, capout;
	bool oom;
	/* the block of the current hit */
	size_t blk; /* SIZE_MAX at file scope */
	struct analysis *an;
	/* the file */
	bool v6only_any, v6only_on, v6only_off, mapped_listener, ai_v4mapped;
	bool v6_socket;       /* a socket() whose family is AF_INET6 or a variable */
	bool raw;             /* SOCK_RAW: ping and traceroute aim at one address */
	bool inet_socket;     /* a socket(AF_INET, ...) */
	bool multicast;       /* a group joined */
	bool v6_listener;     /* a listener whose family can be AF_INET6 */
	bool v6_binder;       /* a function that binds a socket(AF_INET6, ...) */
	int ftp_v6;           /* names EPRT or EPSV: 1, -1, 0 not known yet */
	bool names_v6;        /* a word of IPv6's, or AF_UNSPEC, outside #if 0 */
	struct program *prog; /* what the other files of the program said */
	struct name *fill;    /* variables filled from one getaddrinfo answer */
	size_t nfill, capfill;
	/* one host-port-split per condition chain and per pointer */
	struct name split_seen[16];
	size_t nsplit;
	uint32_t split_chain;
	size_t split_blk;
};

/* ------------------------------------------------------------------------ */
/* Tokens                                                                   */
/* ------------------------------------------------------------------------ */

static bool is_n(const struct scan *s, size_t i, const char *text, size_t n)
{
	if (i >= s->n)
		return false;
	const struct token *t = &s->tok[i];
	if (t->flags & TF_SPLICED)
		return tok_is(s->l, t, text);
	if (t->len != n)
		return false;
	const char *p = s->s + t->off;
	for (size_t k = 0; k < n; k++) /* short words: no call to memcmp */
		if (p[k] != text[k])
			return false;
	return true;
}

/* Whether token i is the identifier or punctuator lit (a string literal). */
#define is(s, i, lit) is_n((s), (i), "" lit, sizeof(lit) - 1)

static bool is_str(const struct scan *s, size_t i, const char *text)
{
	if (i >= s->n || s->s[s->tok[i].off] != text[0])
		return false; /* most names end here, before strlen */
	return is_n(s, i, text, strlen(text));
}

static bool punct(const struct scan *s, size_t i, char c)
{
	return i < s->n && s->tok[i].kind == TOK_PUNCT && s->tok[i].len == 1 &&
	       s->s[s->tok[i].off] == c;
}

static unsigned word(const struct scan *s, size_t i)
{
	return i < s->n && !(s->tok[i].flags & TF_SPLICED) ? s->tok[i].word : W_NONE;
}

static bool ident(const struct scan *s, size_t i)
{
	return i < s->n && s->tok[i].kind == TOK_IDENT;
}

static bool same_text(const struct scan *s, size_t i, struct name nm)
{
	return s->tok[i].len == nm.len && memcmp(s->s + s->tok[i].off, s->s + nm.off, nm.len) == 0;
}

static struct name name_of(const struct scan *s, size_t i)
{
	return (struct name){ s->tok[i].off, s->tok[i].len };
}

static bool text_has(const struct scan *s, size_t i, const char *what);

/* Whether identifier k holds any of parts (a NULL-ended list, case
 * folded). */
static bool text_has_any(const struct scan *s, size_t k, const char *const *parts)
{
	if (k == NO_MATCH || !ident(s, k))
		return false;
	for (const char *const *p = parts; *p != NULL; p++)
		if (text_has(s, k, *p))
			return true;
	return false;
}

static bool text_has(const struct scan *s, size_t i, const char *what)
{
	size_t n = strlen(what), len = s->tok[i].len;
	const char *p = s->s + s->tok[i].off;
	for (size_t k = 0; k + n <= len; k++) {
		size_t j = 0;
		while (j < n && (p[k + j] | 0x20) == what[j])
			j++;
		if (j == n)
			return true;
	}
	return false;
}

static bool member_access(const struct scan *s, size_t i)
{
	return i > 0 && (is(s, i - 1, ".") || is(s, i - 1, "->"));
}

static bool family4(unsigned w)
{
	return w == W_AF_INET || w == W_PF_INET;
}

static bool family6(unsigned w)
{
	return w == W_AF_INET6 || w == W_PF_INET6;
}

static unsigned wclass(const struct scan *s, size_t i)
{
	unsigned w = s->tok[i].word;
	return w < W_COUNT ? word_class[w] : 0;
}

static bool skipped(const struct scan *s, size_t i)
{
	return (s->tok[i].flags & (TF_DIRECTIVE | TF_DEAD)) != 0;
}

/* The ')' or '}' matching the bracket at i, or end when it has none
 * before end. */
static size_t match(const struct scan *s, size_t i, size_t end)
{
	uint32_t m = s->tok[i].aux;
	return m == NO_MATCH || m <= i || m >= end ? end : m;
}

/* The next token from i that is code (not a directive's, not dead). */
static size_t nx(const struct scan *s, size_t i, size_t end)
{
	while (i < end && skipped(s, i))
		i++;
	return i;
}

/* Token i called: "name (". */
static bool called(const struct scan *s, size_t i)
{
	return punct(s, i + 1, '(');
}

/* The arguments of the call whose '(' is at open: start[k] is the first
 * token of argument k, start[k + 1] - 1 its end (the ',' or ')'). Returns
 * how many (at most max). */
static size_t args(const struct scan *s, size_t open, size_t *start, size_t max)
{
	size_t close = match(s, open, s->n), count = 0;
	if (open + 1 >= close || max < 2)
		return 0;
	start[count++] = open + 1;
	int depth = 0;
	for (size_t k = open + 1; k < close && count < max; k++) {
		const struct token *t = &s->tok[k];
		if (t->kind != TOK_PUNCT || t->len != 1)
			continue;
		char c = s->s[t->off];
		if (c == '(' && t->aux != NO_MATCH && t->aux < close)
			k = t->aux;
		else if (c == '[' || c == '{' || c == '(')
			depth++;
		else if (c == ']' || c == '}' || c == ')')
			depth--;
		else if (c == ',' && depth == 0)
			start[count++] = k + 1;
	}
	start[count] = close + 1;
	return count;
}

/* The last identifier in [from, to): the variable or member an argument
 * names ("&conn[i].sa" is sa). */
static size_t last_ident(const struct scan *s, size_t from, size_t to)
{
	size_t found = NO_MATCH;
	for (size_t k = from; k < to; k++)
		if (ident(s, k) && !is(s, k, "struct") && !is(s, k, "sizeof") &&
		    !is(s, k, "const") && s->tok[k].word != W_SOCKADDR)
			found = k;
	return found;
}

/* Whether [from, to) holds the identifier named nm. */
static bool mentions(const struct scan *s, size_t from, size_t to, struct name nm)
{
	for (size_t k = from; k < to; k++)
		if (ident(s, k) && same_text(s, k, nm))
			return true;
	return false;
}

/* The call that token i is an argument of: the callee's index, and which
 * argument in *argn; NO_MATCH when i is in no call of its statement. */
static size_t enclosing_call(const struct scan *s, size_t i, size_t *argn)
{
	size_t commas = 0;
	for (size_t k = i, steps = 0; k-- > 0 && steps < 256; steps++) {
		const struct token *t = &s->tok[k];
		if (t->kind != TOK_PUNCT || t->len != 1)
			continue;
		char c = s->s[t->off];
		if (c == ')' || c == '}') {
			if (t->aux == NO_MATCH || t->aux >= k)
				return NO_MATCH;
			k = t->aux;
		} else if (c == '(') {
			if (t->aux != NO_MATCH && t->aux < i)
				continue; /* closed before i */
			*argn = commas;
			return k > 0 && ident(s, k - 1) ? k - 1 : NO_MATCH;
		} else if (c == ',') {
			commas++;
		} else if (c == '{') {
			/* (type){ ... }: a compound literal goes on; a block ends it */
			size_t p = k - 1;
			if (k == 0 || !punct(s, p, ')') || s->tok[p].aux == NO_MATCH ||
			    s->tok[p].aux == 0 || ident(s, s->tok[p].aux - 1))
				return NO_MATCH;
			k = s->tok[p].aux;
		} else if (c == ';') {
			return NO_MATCH;
		}
	}
	return NO_MATCH;
}

static bool callee_in(const struct scan *s, size_t callee, const char *const *names)
{
	if (callee == NO_MATCH)
		return false;
	for (; *names != NULL; names++)
		if (is_str(s, callee, *names))
			return true;
	return false;
}

/* ------------------------------------------------------------------------ */
/* The walk over a block                                                    */
/* ------------------------------------------------------------------------ */

struct walk {
	struct scan *s;
	struct analysis *a;
	bool dry;         /* only find where statements end */
	size_t inner[64]; /* the loops (index) and switches (SIZE_MAX) around */
	size_t ninner;
	unsigned depth; /* of statements: deeper ones are skipped whole */
};

#define MAX_DEPTH 200

static void set_tag(struct walk *w, size_t from, size_t to, unsigned tag)
{
	if (w->dry || from >= to)
		return;
	memset(w->a->tag + (from - w->a->open), (int)tag, to - from);
}

static unsigned class_of(const struct scan *s, size_t from, size_t to)
{
	unsigned c = 0;
	for (size_t k = from; k < to; k++)
		if (!skipped(s, k))
			c |= wclass(s, k);
	return c;
}

/* A name that says IPv6 (+1) or IPv4 (-1) is meant: inet6, use_ipv6,
 * inet_ip6(), ipv4; 0 for anything else (v4mapped and v6only are about
 * something else). */
static int flag_name(const struct scan *s, size_t i)
{
	const struct token *t = &s->tok[i];
	if (t->word != W_NONE || t->len < 2 || t->len > 40)
		return 0;
	const char *text = s->s + t->off;
	if (memchr(text, '6', t->len) == NULL && memchr(text, '4', t->len) == NULL)
		return 0; /* every such name has its family's digit */
	char low[41];
	for (size_t k = 0; k < t->len; k++)
		low[k] = (char)(s->s[t->off + k] | 0x20);
	low[t->len] = '\0';
	if (strstr(low, "mapped") != NULL || strstr(low, "v6only") != NULL)
		return 0;
	if (strstr(low, "inet6") || strstr(low, "ipv6") || strstr(low, "ip6") ||
	    strstr(low, "_v6") || (low[0] == 'v' && low[1] == '6'))
		return 1;
	if (strstr(low, "inet4") || strstr(low, "ipv4") || strstr(low, "ip4") ||
	    strstr(low, "_v4") || (low[0] == 'v' && low[1] == '4'))
		return -1;
	return 0;
}

enum { THEN_NONE, THEN_V4, THEN_V6 };

/* What a condition on [from, to) says about its then-arm: the IPv4 one
 * (family == AF_INET, !inet6, opt == '4'), the IPv6 one, or neither. */
static int cond_tag(const struct scan *s, size_t from, size_t to)
{
	bool v4 = false, v6 = false;
	for (size_t k = from; k < to; k++) {
		if (skipped(s, k))
			continue;
		unsigned w = word(s, k);
		bool eq = is(s, k - 1, "==") || is(s, k + 1, "=="),
		     ne = is(s, k - 1, "!=") || is(s, k + 1, "!=");
		if (w == W_AF_INET || w == W_PF_INET || w == W_IPPROTO_IP || w == W_SOL_IP) {
			v4 |= eq;
			v6 |= ne;
		} else if (family6(w) || w == W_IPPROTO_IPV6 || w == W_SOL_IPV6) {
			v6 |= eq;
			v4 |= ne;
		} else if (w == W_IN6_IS_ADDR_V4MAPPED) {
			if (punct(s, k - 1, '!'))
				v6 = true;
			else
				v4 = true;
		} else if (s->tok[k].kind == TOK_CHAR && s->tok[k].len == 3 && (eq || ne)) {
			char c = s->s[s->tok[k].off + 1];
			if (c == '4' || c == '6')
				(c == '4') == eq ? (v4 = true) : (v6 = true);
		} else if (ident(s, k) && !punct(s, k + 1, '=')) {
			int f = flag_name(s, k);
			if (f == 0)
				continue;
			bool neg = punct(s, k - 1, '!') ||
				   ((is(s, k + 1, "==") && is(s, k + 2, "0")) ||
				    (is(s, k + 1, "!=") && is(s, k + 2, "1")));
			if ((f > 0) != neg)
				v6 = true;
			else
				v4 = true;
		}
	}
	return v4 && !v6 ? THEN_V4 : v6 && !v4 ? THEN_V6 : THEN_NONE;
}

/* Whether the statement [from, to) ends in a return, break, continue,
 * goto or exit(): code after it runs only when it was not taken. */
static bool exits(const struct scan *s, size_t from, size_t to)
{
	size_t last = to;
	while (last > from && skipped(s, last - 1))
		last--;
	if (last > from && punct(s, last - 1, '}'))
		last--;
	if (last <= from || !punct(s, last - 1, ';'))
		return false;
	size_t k = last - 1;
	while (k > from && !punct(s, k - 1, ';') && !punct(s, k - 1, '{') && !punct(s, k - 1, '}'))
		k--;
	return is(s, k, "return") || is(s, k, "break") || is(s, k, "continue") ||
	       is(s, k, "goto") || is(s, k, "exit") || is(s, k, "err") || is(s, k, "errx") ||
	       is(s, k, "abort");
}

/* X of "X = Y->ai_next" in [from, to), or NO_MATCH. */
static uint32_t ai_var(const struct scan *s, size_t from, size_t to)
{
	for (size_t k = from + 4; k < to; k++)
		if (word(s, k) == W_AI_NEXT && (is(s, k - 1, "->") || punct(s, k - 1, '.')) &&
		    ident(s, k - 2) && punct(s, k - 3, '=') && ident(s, k - 4))
			return (uint32_t)(k - 4);
	return NO_MATCH;
}

static size_t stmt(struct walk *w, size_t i, size_t end, unsigned tag, uint32_t chain);

/* Where the statement at i ends, without walking it: a block's end is its
 * matching brace, anything else is walked dry. */
static size_t skip(struct walk *w, size_t i, size_t end)
{
	size_t k = nx(w->s, i, end);
	if (k < end && punct(w->s, k, '{')) {
		size_t m = match(w->s, k, end);
		if (m < end)
			return m + 1;
	}
	bool dry = w->dry;
	size_t ninner = w->ninner;
	w->dry = true;
	size_t r = stmt(w, i, end, 0, NO_MATCH);
	w->dry = dry;
	w->ninner = ninner;
	return r;
}

static void add_cond(struct walk *w, size_t from, size_t to, uint32_t chain)
{
	struct analysis *a = w->a;
	if (w->dry)
		return;
	struct cond *c = grow(a->cond, &a->capcond, a->ncond, sizeof(*c));
	if (c == NULL) {
		w->s->oom = true;
		return;
	}
	a->cond = c;
	a->cond[a->ncond++] = (struct cond){ (uint32_t)from, (uint32_t)to, chain };
}

static size_t add_loop(struct walk *w, size_t kw, size_t body0, size_t body1, uint32_t ai)
{
	struct analysis *a = w->a;
	if (w->dry)
		return SIZE_MAX;
	struct loop *l = grow(a->loop, &a->caploop, a->nloop, sizeof(*l));
	if (l == NULL) {
		w->s->oom = true;
		return SIZE_MAX;
	}
	a->loop = l;
	a->loop[a->nloop] = (struct loop){ (uint32_t)kw, (uint32_t)body0, (uint32_t)body1, ai,
					   false };
	return a->nloop++;
}

static void enter(struct walk *w, size_t what)
{
	if (w->ninner < sizeof(w->inner) / sizeof(w->inner[0]))
		w->inner[w->ninner] = what;
	w->ninner++;
}

static void leave(struct walk *w)
{
	w->ninner--;
}

/* break, goto and return: which loops they leave early. */
static void leaving(struct walk *w, size_t i, size_t end)
{
	struct scan *s = w->s;
	if (w->dry)
		return;
	size_t n = w->ninner < 64 ? w->ninner : 64;
	if (is(s, i, "break")) {
		if (n > 0 && w->inner[n - 1] != SIZE_MAX)
			w->a->loop[w->inner[n - 1]].leaves = true;
		return;
	}
	if (is(s, i, "return")) {
		size_t v = nx(s, i + 1, end);
		if (v >= end || punct(s, v, ';') || punct(s, v, '-') || is(s, v, "NULL") ||
		    is(s, v, "0") || is(s, v, "false"))
			return; /* a failure or nothing */
	} else if (!is(s, i, "goto")) {
		return;
	}
	for (size_t k = 0; k < n; k++)
		if (w->inner[k] != SIZE_MAX)
			w->a->loop[w->inner[k]].leaves = true;
}

/* An expression or declaration: to its ';' (or the '}' that ends the
 * block). Tagged IPv4-deliberate when it names both families. */
static size_t expr(struct walk *w, size_t i, size_t end, unsigned tag)
{
	struct scan *s = w->s;
	size_t k = i;
	int depth = 0;
	unsigned c = 0;
	bool assigns = false;
	for (; k < end; k++) {
		if (skipped(s, k))
			continue;
		c |= wclass(s, k);
		const struct token *t = &s->tok[k];
		if (t->kind != TOK_PUNCT || t->len != 1)
			continue;
		char ch = s->s[t->off];
		assigns |= depth == 0 && ch == '=' && k < s->n; /* punct(s, k, '=') */
		if (ch == ';' && depth <= 0) {
			k++;
			break;
		}
		if (ch == '(' || ch == '[')
			depth++;
		else if (ch == ')' || ch == ']')
			depth--;
		else if (ch == '{') {
			size_t p = k;
			while (p > i && skipped(s, p - 1))
				p--;
			if (depth == 0 && !assigns && p > i && punct(s, p - 1, ')') &&
			    ident(s, i)) {
				/* FOREACH(...) { }: a macro's loop */
				size_t m = match(s, k, end);
				set_tag(w, i, k, tag);
				size_t lp = add_loop(w, i, k, m + 1 < end ? m + 1 : end,
						     ai_var(s, i, m));
				enter(w, lp);
				stmt(w, k, m + 1 < end ? m + 1 : end, tag, NO_MATCH);
				leave(w);
				return m + 1 < end ? m + 1 : end;
			}
			depth++;
		} else if (ch == '}') {
			if (--depth < 0)
				break; /* the end of the block around */
		}
	}
	set_tag(w, i, k, (c & WC_V4) && (c & WC_V6) ? TAG_V4 : tag);
	return k;
}

/* Whether an arm of the else [from, to), or of the else-if chain it
 * starts, names both families: a branch on the family inside it, so the
 * arm is neither family's and says nothing of the if's other arm. */
static bool mixed_arm(struct walk *w, size_t from, size_t to)
{
	struct scan *s = w->s;
	for (unsigned arms = 0; arms < 64; arms++) {
		size_t i = nx(s, from, to), p = nx(s, i + 1, to);
		if (i >= to || !is(s, i, "if") || p >= to || !punct(s, p, '(')) {
			unsigned c = class_of(s, from, to);
			return (c & WC_V4) && (c & WC_V6);
		}
		size_t c = match(s, p, to);
		if (c >= to)
			return false;
		size_t t1 = skip(w, c + 1, to), e = nx(s, t1, to);
		unsigned cl = class_of(s, p + 1, c) | class_of(s, c + 1, t1);
		if ((cl & WC_V4) && (cl & WC_V6))
			return true;
		if (e >= to || !is(s, e, "else"))
			return false;
		from = e + 1;
	}
	return false;
}

/* The arm [t0, t1) of an if without else names IPv4 only and leaves
 * (break, return...), and the next statement is an if whose arm names
 * IPv6 only and leaves too: two ifs in a row, one per family. */
static bool next_arm_v6(struct walk *w, size_t t0, size_t t1, size_t end)
{
	struct scan *s = w->s;
	size_t i = nx(s, t1, end), p = nx(s, i + 1, end);
	if (i >= end || !is(s, i, "if") || p >= end || !punct(s, p, '(') || !exits(s, t0, t1) ||
	    class_of(s, t0, t1) != WC_V4)
		return false;
	size_t close = match(s, p, end);
	if (close >= end)
		return false;
	size_t a1 = skip(w, close + 1, end);
	return class_of(s, p + 1, a1) == WC_V6 && exits(s, close + 1, a1);
}

static size_t if_stmt(struct walk *w, size_t i, size_t end, unsigned tag, uint32_t chain,
		      bool *rest_v4)
{
	struct scan *s = w->s;
	size_t p = nx(s, i + 1, end);
	if (p >= end || !punct(s, p, '('))
		return expr(w, i, end, tag);
	size_t c = match(s, p, end);
	if (c >= end)
		return end;
	size_t t0 = c + 1, t1 = skip(w, t0, end), e = nx(s, t1, end), e0 = 0, e1 = 0;
	bool has_else = e < end && is(s, e, "else");
	if (has_else) {
		e0 = e + 1;
		e1 = skip(w, e0, end);
	}
	if (w->dry)
		return has_else ? e1 : t1;
	unsigned then_tag = tag, else_tag = tag, ctag = tag;
	int ct = cond_tag(s, p + 1, c);
	unsigned cc = class_of(s, p + 1, c);
	if (ct == THEN_NONE && has_else) { /* without an else the arms say nothing */
		unsigned ct4 = cc | class_of(s, t0, t1), ce = class_of(s, e0, e1);
		if ((ct4 & WC_V6) && !(ce & WC_V6) && (ce & WC_V4))
			ct = THEN_V6;
		else if ((ce & WC_V6) && !(ct4 & WC_V6) && (ct4 & WC_V4) && !mixed_arm(w, e0, e1))
			ct = THEN_V4;
	}
	if (ct == THEN_NONE && !has_else && next_arm_v6(w, t0, t1, end))
		ct = THEN_V4; /* if (v4) { ...; break; } if (v6) { ...; break; } */
	if (ct == THEN_V4) {
		then_tag = TAG_V4;
		if (cc & WC_V4)
			ctag = TAG_V4; /* family == AF_INET && sin->sin_addr... */
		if (has_else)
			else_tag = TAG_V6;
	} else if (ct == THEN_V6) {
		then_tag = TAG_V6;
		if (has_else)
			else_tag = TAG_V4;
		else if ((class_of(s, t0, t1) & WC_V6) && exits(s, t0, t1))
			*rest_v4 = true; /* the IPv6 case returned: the rest is IPv4's */
	}
	if ((cc & WC_V4) && (cc & WC_V6))
		ctag = TAG_V4;
	set_tag(w, i, p, tag);
	set_tag(w, p, c + 1, ctag);
	add_cond(w, p + 1, c, chain);
	stmt(w, t0, t1, then_tag, NO_MATCH);
	if (has_else) {
		set_tag(w, e, e0, tag);
		size_t ei = nx(s, e0, e1);
		if (ei < e1 && is(s, ei, "if") && w->depth < MAX_DEPTH) {
			bool ignored = false;
			set_tag(w, e0, ei, tag);
			w->depth++; /* else if, else if, ...: as deep as any nesting */
			if_stmt(w, ei, e1, else_tag, chain, &ignored);
			w->depth--;
		} else {
			stmt(w, e0, e1, else_tag, NO_MATCH);
		}
	}
	return has_else ? e1 : t1;
}

/* The tag a case label gives what follows it. */
static unsigned label_tag(const struct scan *s, size_t from, size_t to)
{
	for (size_t k = from; k < to; k++) {
		unsigned wd = word(s, k);
		if (family4(wd))
			return TAG_V4;
		if (family6(wd))
			return TAG_V6;
		if (s->tok[k].kind == TOK_CHAR && s->tok[k].len == 3) {
			char c = s->s[s->tok[k].off + 1];
			if (c == '4' || c == '6')
				return c == '4' ? TAG_V4 : TAG_V6;
		}
	}
	return 0;
}

/* The statements of a block [open, close]; a switch's body tags what
 * follows each case label by the label. */
static size_t block(struct walk *w, size_t open, size_t end, unsigned tag, bool sw)
{
	struct scan *s = w->s;
	size_t close = match(s, open, end);
	set_tag(w, open, open + 1, tag);
	unsigned cur = tag, last_label = 0;
	bool after_label = false, rest_v4 = false;
	for (size_t k = open + 1; k < close;) {
		k = nx(s, k, close);
		if (k >= close)
			break;
		if (sw && (is(s, k, "case") || is(s, k, "default"))) {
			size_t c = k + 1;
			while (c < close && !punct(s, c, ':') && !punct(s, c, ';'))
				c++;
			unsigned lt = is(s, k, "case") ? label_tag(s, k + 1, c) : 0;
			if (after_label && lt != last_label)
				lt = 0; /* case AF_INET: case AF_INET6: */
			last_label = lt;
			after_label = true;
			cur = lt != 0 ? lt : tag;
			set_tag(w, k, c + 1, tag);
			k = c + 1;
			continue;
		}
		after_label = false;
		size_t next;
		if (is(s, k, "if"))
			next = if_stmt(w, k, close, cur, (uint32_t)k, &rest_v4);
		else
			next = stmt(w, k, close, cur, NO_MATCH);
		if (rest_v4 && !w->dry) {
			set_tag(w, next, close, TAG_V4);
			cur = TAG_V4;
		}
		rest_v4 = false;
		k = next > k ? next : k + 1;
	}
	return close < end ? close + 1 : end;
}

static size_t loop_stmt(struct walk *w, size_t i, size_t end, unsigned tag)
{
	struct scan *s = w->s;
	size_t p = nx(s, i + 1, end);
	if (p >= end || !punct(s, p, '('))
		return expr(w, i, end, tag);
	size_t c = match(s, p, end);
	if (c >= end)
		return end;
	size_t b0 = c + 1, b1 = skip(w, b0, end);
	set_tag(w, i, b0, tag);
	add_cond(w, p + 1, c, NO_MATCH);
	uint32_t ai = ai_var(s, p, c);
	size_t lp = add_loop(w, i, b0, b1, ai != NO_MATCH ? ai : ai_var(s, b0, b1));
	enter(w, lp);
	stmt(w, b0, b1, tag, NO_MATCH);
	leave(w);
	return b1;
}

static size_t do_stmt(struct walk *w, size_t i, size_t end, unsigned tag)
{
	struct scan *s = w->s;
	size_t b0 = i + 1, b1 = skip(w, b0, end), wh = nx(s, b1, end), stop = b1;
	uint32_t ai = NO_MATCH;
	if (wh < end && is(s, wh, "while")) {
		size_t p = nx(s, wh + 1, end);
		if (p < end && punct(s, p, '(')) {
			size_t c = match(s, p, end);
			ai = ai_var(s, p, c);
			add_cond(w, p + 1, c, NO_MATCH);
			stop = nx(s, c + 1, end);
			stop = stop < end && punct(s, stop, ';') ? stop + 1 : stop;
		}
	}
	set_tag(w, i, b0, tag);
	set_tag(w, b1, stop, tag);
	size_t lp = add_loop(w, i, b0, stop, ai != NO_MATCH ? ai : ai_var(s, b0, b1));
	enter(w, lp);
	stmt(w, b0, b1, tag, NO_MATCH);
	leave(w);
	return stop;
}

static size_t stmt_at(struct walk *w, size_t i, size_t end, unsigned tag, uint32_t chain);

/* A statement from i; as deep as hostile input nests them, no deeper. */
static size_t stmt(struct walk *w, size_t i, size_t end, unsigned tag, uint32_t chain)
{
	struct scan *s = w->s;
	i = nx(s, i, end);
	if (i >= end)
		return end;
	if (w->depth >= MAX_DEPTH) {
		size_t m = punct(s, i, '{') ? match(s, i, end) : end;
		if (m < end)
			return m + 1;
		while (i < end && !punct(s, i, ';'))
			i++;
		return i < end ? i + 1 : end;
	}
	w->depth++;
	size_t r = stmt_at(w, i, end, tag, chain);
	w->depth--;
	return r;
}

static size_t stmt_at(struct walk *w, size_t i, size_t end, unsigned tag, uint32_t chain)
{
	struct scan *s = w->s;
	if (punct(s, i, '{'))
		return block(w, i, end, tag, false);
	if (punct(s, i, ';')) {
		set_tag(w, i, i + 1, tag);
		return i + 1;
	}
	if (!ident(s, i))
		return expr(w, i, end, tag);
	if (is(s, i, "if")) {
		bool rest_v4 = false;
		return if_stmt(w, i, end, tag, chain != NO_MATCH ? chain : (uint32_t)i, &rest_v4);
	}
	if (is(s, i, "for") || is(s, i, "while"))
		return loop_stmt(w, i, end, tag);
	if (is(s, i, "do"))
		return do_stmt(w, i, end, tag);
	if (is(s, i, "switch")) {
		size_t p = nx(s, i + 1, end);
		if (p >= end || !punct(s, p, '('))
			return expr(w, i, end, tag);
		size_t c = match(s, p, end), b = nx(s, c + 1, end);
		set_tag(w, i, b, tag);
		if (b >= end || !punct(s, b, '{'))
			return stmt(w, b, end, tag, NO_MATCH);
		enter(w, SIZE_MAX);
		size_t r = block(w, b, end, tag, true);
		leave(w);
		return r;
	}
	if (is(s, i, "else")) {
		set_tag(w, i, i + 1, tag);
		return i + 1; /* stray: an if cut by the preprocessor */
	}
	if (punct(s, i + 1, ':') && !is(s, i, "default")) {
		set_tag(w, i, i + 2, tag); /* a label */
		return i + 2;
	}
	leaving(w, i, end);
	return expr(w, i, end, tag);
}

/* One pass over a block's hits for what its rules ask of it. */
static void summarize(struct scan *s, const struct block *b, struct summary *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (uint32_t h = b->hit0; h < b->hit1; h++) {
		size_t i = s->l->hit[h];
		if (s->tok[i].flags & (TF_TEST | TF_DEAD))
			continue;
		unsigned w = word(s, i);
		bool call = called(s, i);
		switch (w) {
		case W_LISTEN: sum->listen |= call; break;
		case W_BIND: sum->bind |= call; break;
		case W_CONNECT: sum->connect |= call; break;
		case W_GETADDRINFO: sum->resolver |= call; break;
		case W_GETHOSTBYNAME:
		case W_GETHOSTBYNAME_R:
		case W_GETHOSTBYNAME2:
		case W_GETHOSTBYNAME2_R: sum->resolver |= call; break;
		case W_SOCKET:
			sum->socket |= call;
			sum->inet_socket |= call && family4(word(s, i + 2));
			sum->inet6_socket |= call && family6(word(s, i + 2));
			break;
		case W_SETSOCKOPT: {
			size_t a[6];
			if (call && args(s, i + 1, a, 5) >= 3 &&
			    (word(s, a[1]) == W_IPPROTO_IP || word(s, a[1]) == W_SOL_IP))
				sum->sol_ip = true;
			break;
		}
		case W_IN6_IS_ADDR_V4MAPPED: sum->v4mapped = true; break;
		case W_AI_PASSIVE: sum->passive = true; break;
		case W_ACCEPT:
		case W_ACCEPT4:
		case W_RECVFROM:
		case W_GETPEERNAME: sum->peer_in |= call; break;
		case W_AI_FAMILY:
			if (punct(s, i + 1, '=')) {
				unsigned v = word(s, i + 2);
				bool copied = word(s, i + 4) == W_AI_FAMILY; /* = g->ai_family */
				sum->hints |= family4(v)   ? H_V4
					      : family6(v) ? H_V6
					      : copied     ? H_COPY
							   : H_ANY;
			}
			break;
		case W_SA_FAMILY:
		case W_SS_FAMILY: sum->family_check = true; break;
		default:
			if ((family4(w) || family6(w)) &&
			    (is(s, i - 1, "==") || is(s, i + 1, "==") || is(s, i - 1, "!=") ||
			     is(s, i + 1, "!=") || is(s, i - 1, "case")))
				sum->family_check = true;
			break;
		}
	}
}

static size_t function_name(const struct scan *s);

/* Block b walked: its arms, loops and conditions. */
static struct analysis *analyze(struct scan *s, size_t b)
{
	struct analysis *a = &s->an[b];
	if (a->walked)
		return a;
	const struct block *blk = &s->l->blk[b];
	a->walked = true;
	a->open = blk->open;
	a->end = blk->close == NO_MATCH ? (uint32_t)s->n : blk->close + 1;
	a->tag = calloc(a->end - a->open, 1);
	if (a->tag == NULL) {
		s->oom = true;
		a->end = a->open; /* nothing known: every token untagged */
		return a;
	}
	struct walk w = { s, a, false, { 0 }, 0, 0 };
	block(&w, a->open, a->end, 0, false);
	size_t around = s->blk, name;
	s->blk = b;
	name = function_name(s);
	s->blk = around;
	if (name != NO_MATCH && (wclass(s, name) & WC_V4)) /* a compat inet_aton() */
		memset(a->tag, TAG_V4, a->end - a->open);
	return a;
}

/* The tag of token i in the current block (0 at file scope). */
static unsigned tag_of(struct scan *s, size_t i)
{
	if (s->blk == SIZE_MAX)
		return 0;
	struct analysis *a = analyze(s, s->blk);
	return i >= a->open && i < a->end ? a->tag[i - a->open] : 0;
}

static const struct summary *sum_of(struct scan *s)
{
	static const struct summary none;
	if (s->blk == SIZE_MAX)
		return &none;
	struct analysis *a = &s->an[s->blk];
	if (!a->summed) {
		summarize(s, &s->l->blk[s->blk], &a->sum);
		a->summed = true;
	}
	return &a->sum;
}

/* Whether the current block puts hosts in brackets (a '[' character,
 * a "[%s]" format): it knows about IPv6 literals. */
static bool brackets(struct scan *s)
{
	if (s->blk == SIZE_MAX)
		return false;
	struct analysis *a = &s->an[s->blk];
	if (a->brackets < 0) {
		const struct block *b = &s->l->blk[s->blk];
		a->brackets = 0;
		for (size_t k = b->open; k < (b->close == NO_MATCH ? s->n : b->close); k++)
			if ((s->tok[k].kind == TOK_CHAR && s->tok[k].len == 3 &&
			     s->s[s->tok[k].off + 1] == '[') ||
			    (s->tok[k].word == W_STRING && (s->tok[k].aux & S_BRACKET)))
				a->brackets = 1;
	}
	return a->brackets > 0;
}

/* The innermost loop of the current block around token i that iterates
 * the variable named nm over ai_next (nm.len 0: any loop). */
static const struct loop *loop_around(struct scan *s, size_t i, struct name nm)
{
	if (s->blk == SIZE_MAX)
		return NULL;
	struct analysis *a = analyze(s, s->blk);
	const struct loop *best = NULL;
	for (size_t k = 0; k < a->nloop; k++) {
		const struct loop *l = &a->loop[k];
		if (i < l->kw || i >= l->body1)
			continue;
		if (nm.len > 0 && (l->ai == NO_MATCH || !same_text(s, l->ai, nm)))
			continue;
		if (best == NULL || l->kw > best->kw)
			best = l;
	}
	return best;
}

/* The condition around token i (if, while, for), or NULL. */
static const struct cond *cond_around(struct scan *s, size_t i)
{
	if (s->blk == SIZE_MAX)
		return NULL;
	struct analysis *a = analyze(s, s->blk);
	const struct cond *best = NULL;
	for (size_t k = 0; k < a->ncond; k++)
		if (i >= a->cond[k].from && i < a->cond[k].to &&
		    (best == NULL || a->cond[k].from > best->from))
			best = &a->cond[k];
	return best;
}

/* ------------------------------------------------------------------------ */
/* Declarations                                                             */
/* ------------------------------------------------------------------------ */

enum kind { K_NONE, K_IN, K_IN6, K_STORAGE, K_UNION, K_PLAIN, K_POINTER };

/* The innermost '{' around token i (from lo on), or NO_MATCH. */
static size_t brace_around(const struct scan *s, size_t i, size_t lo)
{
	for (size_t k = i; k-- > lo;) {
		if (punct(s, k, '}') && s->tok[k].aux != NO_MATCH && s->tok[k].aux < k)
			k = s->tok[k].aux;
		else if (punct(s, k, '{'))
			return k;
	}
	return NO_MATCH;
}

/* Whether [from, to) declares storage of a struct sockaddr_in6 (or, with
 * storage, a sockaddr_storage): the other half of per-family storage. */
static bool declares_v6(const struct scan *s, size_t from, size_t to, bool storage)
{
	if (to - from > 8192)
		to = from + 8192; /* declarations come first */
	for (size_t k = from + 1; k + 1 < to; k++) {
		unsigned w = s->tok[k].word;
		if ((w == W_SOCKADDR_IN6 || (storage && w == W_SOCKADDR_STORAGE)) &&
		    is(s, k - 1, "struct") && ident(s, k + 1))
			return true;
	}
	return false;
}

/* The kind of the braces at open: a union of families (K_UNION), a
 * struct or block that also declares IPv6 storage (K_IN6), or K_NONE. */
static enum kind braces_kind(const struct scan *s, size_t open)
{
	size_t close = match(s, open, s->n), k = open;
	if (k > 0 && ident(s, k - 1) && !is(s, k - 1, "union"))
		k--;
	if (k > 0 && is(s, k - 1, "union"))
		return declares_v6(s, open, close, true) ? K_UNION : K_NONE;
	return declares_v6(s, open, close, false) ? K_IN6 : K_NONE;
}

static const char *const not_types[] = { "int",      "char",   "short",  "long",      "unsigned",
					 "signed",   "void",   "const",  "volatile",  "static",
					 "register", "extern", "size_t", "socklen_t", "return",
					 "struct",   "union",  "enum",   "float",     "double",
					 "bool",     "_Bool",  "inline", NULL };

static enum kind find_file(const struct scan *s, size_t to, struct name nm, int depth);

/* If token k (named as the variable looked for) declares it, its kind. */
static enum kind declared(const struct scan *s, size_t k, int depth)
{
	if (k == 0 || member_access(s, k) ||
	    !(punct(s, k + 1, ';') || punct(s, k + 1, ',') || punct(s, k + 1, '=') ||
	      punct(s, k + 1, '[') || punct(s, k + 1, ')')))
		return K_NONE;
	size_t p = k - 1;
	unsigned w = s->tok[p].word;
	if (punct(s, p, '*'))
		return K_POINTER;
	if ((w == W_SOCKADDR_IN || w == W_SOCKADDR_IN6 || w == W_SOCKADDR_STORAGE ||
	     w == W_SOCKADDR) &&
	    is(s, p - 1, "struct"))
		return w == W_SOCKADDR_IN    ? K_IN
		       : w == W_SOCKADDR_IN6 ? K_IN6
		       : w == W_SOCKADDR     ? K_PLAIN
					     : K_STORAGE;
	if (punct(s, p, '}') && s->tok[p].aux != NO_MATCH)
		return braces_kind(s, s->tok[p].aux) == K_UNION ? K_UNION : K_NONE;
	if (ident(s, p) && w == W_NONE && depth == 0 && !callee_in(s, p, not_types)) {
		/* a typedef name: what does it stand for? */
		enum kind t = find_file(s, s->n, name_of(s, p), depth + 1);
		return t == K_POINTER ? K_NONE : t;
	}
	return K_NONE;
}

static enum kind find_in(const struct scan *s, size_t from, size_t to, struct name nm, int depth)
{
	const struct token *tok = s->tok;
	char first = s->s[nm.off];
	if (to > s->n)
		to = s->n; /* ident() is false past the end */
	for (size_t k = from; k < to; k++) {
		/* ident() and same_text(), the length and first byte first:
		 * this runs over whole files, once per name looked up */
		if (tok[k].len != nm.len || tok[k].kind != TOK_IDENT || s->s[tok[k].off] != first ||
		    !same_text(s, k, nm))
			continue;
		enum kind kd = declared(s, k, depth);
		if (kd != K_NONE)
			return kd;
	}
	return K_NONE;
}

/* A declaration at file scope, before token to (function bodies left out). */
static enum kind find_file(const struct scan *s, size_t to, struct name nm, int depth)
{
	const struct lexed *l = s->l;
	size_t from = 0;
	for (size_t b = 0; b < l->nblk && l->blk[b].open < to; b++) {
		enum kind kd = find_in(s, from, l->blk[b].open, nm, depth);
		if (kd != K_NONE)
			return kd;
		if (l->blk[b].close == NO_MATCH)
			return K_NONE;
		from = l->blk[b].close;
	}
	return from < to ? find_in(s, from, to, nm, depth) : K_NONE;
}

/* Where the current block's declarations start. */
static size_t scope_start(const struct scan *s)
{
	return s->blk == SIZE_MAX ? 0 : s->l->blk[s->blk].open;
}

/* The kind of the variable (or member) named at token use. */
static enum kind kind_of(struct scan *s, size_t use)
{
	struct name nm = name_of(s, use);
	if (member_access(s, use))
		return find_in(s, 0, s->n, nm, 0);
	enum kind k = s->blk == SIZE_MAX ? K_NONE : find_in(s, scope_start(s), use, nm, 0);
	return k != K_NONE ? k : find_file(s, scope_start(s), nm, 0);
}

/* Whether nm is a parameter of the function whose body is the current
 * block. */
static bool parameter(const struct scan *s, struct name nm)
{
	if (s->blk == SIZE_MAX)
		return false;
	size_t open = s->l->blk[s->blk].open, k = open;
	while (k > 0 && !punct(s, k - 1, ')') && open - k < 16)
		k--; /* attributes, K&R declarations */
	if (k == 0 || !punct(s, k - 1, ')'))
		return false;
	size_t close = k - 1, lo = s->tok[close].aux;
	return lo != NO_MATCH && lo < close && mentions(s, lo, close, nm);
}

/* ------------------------------------------------------------------------ */
/* Findings                                                                 */
/* ------------------------------------------------------------------------ */

/* Whether a ';', '{' or '}' lies between tokens a and b: one finding per
 * rule per statement is enough. */
static bool same_statement(const struct scan *s, size_t a, size_t b)
{
	for (size_t k = a + 1; k < b; k++)
		if (punct(s, k, ';') || punct(s, k, '{') || punct(s, k, '}'))
			return false;
	return true;
}

/* Whether the current function says anything of IPv6: a word of it, a
 * name (handle_v6(), in6, ip6) that the other family's code goes to, or a
 * message ("Use EPSV for IPv6"). */
static bool knows_v6(struct scan *s)
{
	struct analysis *a = &s->an[s->blk];
	if (a->knows_v6 == 0) {
		const struct block *b = &s->l->blk[s->blk];
		size_t end = b->close == NO_MATCH ? s->n : b->close;
		a->knows_v6 = -1;
		for (uint32_t h = b->hit0; h < b->hit1 && a->knows_v6 < 0; h++)
			if (wclass(s, s->l->hit[h]) & WC_V6)
				a->knows_v6 = 1;
		for (size_t k = b->open; k < end && a->knows_v6 < 0; k++) {
			const struct token *t = &s->tok[k];
			if ((t->kind == TOK_IDENT || t->kind == TOK_STRING) &&
			    memchr(s->s + t->off, '6', t->len) != NULL &&
			    (text_has(s, k, "v6") || text_has(s, k, "in6") ||
			     text_has(s, k, "ip6")))
				a->knows_v6 = 1;
		}
	}
	return a->knows_v6 > 0;
}

/* Whether token k's text holds what (case as given). */
static bool text_has_exact(const struct scan *s, size_t k, const char *what)
{
	size_t n = strlen(what), len = s->tok[k].len;
	const char *p = s->s + s->tok[k].off;
	for (size_t j = 0; j + n <= len; j++)
		if (memcmp(p + j, what, n) == 0)
			return true;
	return false;
}

/* The token the lexer kept at offset off, or NO_MATCH (a comment, a
 * blank, a block without a hit). */
static size_t token_at(const struct scan *s, size_t off)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) { /* the first token that ends after off */
		size_t mid = lo + (hi - lo) / 2;
		if ((size_t)s->tok[mid].off + s->tok[mid].len <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->tok[lo].off <= off ? lo : NO_MATCH;
}

/* Offset off is in a name or a string the lexer kept (not a comment). */
static bool in_code(const struct scan *s, size_t off)
{
	size_t k = token_at(s, off);
	return k != NO_MATCH && (s->tok[k].kind == TOK_IDENT || s->tok[k].kind == TOK_STRING);
}

/* Whether the file names EPRT or EPSV (RFC 2428) in its code: it speaks
 * FTP to IPv6 peers. Asked only of FTP code, once per file. */
static bool ftp_v6(struct scan *s)
{
	if (s->ftp_v6 == 0) {
		s->ftp_v6 = -1;
		const char *p = s->s, *end = s->s + s->l->len;
		while (end - p >= 4 && (p = memchr(p, 'E', (size_t)(end - p - 3))) != NULL) {
			if (p[1] == 'P' &&
			    ((p[2] == 'S' && p[3] == 'V') || (p[2] == 'R' && p[3] == 'T')) &&
			    in_code(s, (size_t)(p - s->s))) {
				s->ftp_v6 = 1;
				break;
			}
			p++;
		}
	}
	return s->ftp_v6 > 0;
}

/* FTP's PORT command and 227 reply carry IPv4 only by RFC 959; a program
 * that also speaks EPRT and EPSV (RFC 2428) keeps them as its IPv4 path:
 * the current function is named for PORT or PASV, in a file that names
 * EPRT or EPSV. */
static bool ftp_v4_path(struct scan *s)
{
	if (s->blk == SIZE_MAX)
		return false;
	struct analysis *a = &s->an[s->blk];
	if (a->ftp == 0) {
		size_t fn = function_name(s);
		a->ftp = fn != NO_MATCH && (text_has_exact(s, fn, "PORT") ||
					    text_has_exact(s, fn, "PASV"))
				 ? 1
				 : -1;
	}
	return a->ftp > 0 && ftp_v6(s);
}

/* A function that binds a socket(AF_INET, ...) in a file whose other
 * function binds a socket(AF_INET6, ...): one socket per family, a
 * function each, and this is the IPv4 one. */
static bool v4_half(struct scan *s)
{
	if (!s->v6_binder || s->blk == SIZE_MAX)
		return false;
	const struct summary *sum = sum_of(s);
	return sum->inet_socket && !sum->inet6_socket && sum->bind && !sum->connect;
}

/* A finding that holds if the other files of the program agree (need):
 * callee names the function NEED_PRINTER asks about. */
static void add_if(struct scan *s, enum rule_id r, size_t i, bool alt, unsigned need, size_t callee)
{
	if (!s->enabled[r])
		return;
	if (r != R_ONE_FAMILY && r != R_MAPPED_LITERAL && r != R_FAMILY_FILTER &&
	    (tag_of(s, i) == TAG_V4 || v4_half(s) || ftp_v4_path(s)))
		return; /* deliberate IPv4 code */
	if ((s->tok[i].flags & TF_NOAI) && s->names_v6)
		return; /* a build without getaddrinfo beside a path with IPv6: no IPv6 there */
	struct finding *f = grow(s->out, &s->capout, s->nout, sizeof(*f));
	if (f == NULL) {
		s->oom = true;
		return;
	}
	s->out = f;
	f = &s->out[s->nout];
	*f = (struct finding){ (size_t)r, 0, 0, alt, s->tok[i].off, s->nout, i, need, "" };
	if (callee != NO_MATCH) {
		size_t n = s->tok[callee].len < sizeof(f->callee) - 1 ? s->tok[callee].len
								      : sizeof(f->callee) - 1;
		memcpy(f->callee, s->s + s->tok[callee].off, n);
		f->callee[n] = '\0';
	}
	s->nout++;
}

static void add(struct scan *s, enum rule_id r, size_t i, bool alt)
{
	add_if(s, r, i, alt, 0, NO_MATCH);
}

/* ------------------------------------------------------------------------ */
/* The rules                                                                */
/* ------------------------------------------------------------------------ */

/* == or != with s_addr on either side, or in a condition that compares
 * ((ntohl(a.s_addr) & mask) == net). */
static void rule_s_addr(struct scan *s, size_t i)
{
	if (!member_access(s, i))
		return;
	if (is(s, i + 1, "==") || is(s, i + 1, "!=")) {
		add(s, R_S_ADDR_COMPARE, i, false);
		return;
	}
	size_t k = i; /* back over "x.sin_addr." to an operator */
	while (k > 0 && (ident(s, k - 1) || is(s, k - 1, ".") || is(s, k - 1, "->")))
		k--;
	if (k > 0 && (is(s, k - 1, "==") || is(s, k - 1, "!="))) {
		add(s, R_S_ADDR_COMPARE, i, false);
		return;
	}
	const struct cond *c = cond_around(s, i);
	if (c != NULL)
		for (size_t j = c->from; j < c->to; j++)
			if (is(s, j, "==") || is(s, j, "!=")) {
				add(s, R_S_ADDR_COMPARE, i, false);
				return;
			}
}

/* memcmp(&a.sin_addr, &b.sin_addr, 4): IPv4 addresses compared. */
static void rule_sin_addr(struct scan *s, size_t i)
{
	size_t argn, callee = enclosing_call(s, i, &argn);
	if (member_access(s, i) && is(s, callee, "memcmp") && argn < 2)
		add(s, R_S_ADDR_COMPARE, i, false);
}

static const char *const len_calls[] = { "accept",      "accept4", "recvfrom", "getpeername",
					 "getsockname", "malloc",  "calloc",   "realloc",
					 "alloca",      NULL };

/* sizeof(struct sockaddr_in) or sizeof(struct sockaddr) at i (the word):
 * an address length where a peer is written (accept and friends, a
 * socklen_t, msg_namelen, a length passed by pointer) or the size of
 * storage. */
static void rule_sizeof(struct scan *s, size_t i)
{
	if (i < 3 || !is(s, i - 1, "struct") || !punct(s, i - 2, '(') || !is(s, i - 3, "sizeof") ||
	    !punct(s, i + 1, ')'))
		return;
	size_t z = i - 3, argn;
	if (callee_in(s, enclosing_call(s, z, &argn), len_calls)) {
		add(s, R_SOCKADDR_LEN, z, false);
		return;
	}
	if (z < 2 || !punct(s, z - 1, '=') || !ident(s, z - 2))
		return;
	size_t lhs = z - 2;
	bool lenvar = is(s, lhs, "msg_namelen") || (lhs > 0 && is(s, lhs - 1, "socklen_t"));
	if (!lenvar && s->blk != SIZE_MAX) {
		const struct block *b = &s->l->blk[s->blk];
		size_t end = b->close == NO_MATCH ? s->n : b->close;
		for (size_t k = b->open; k + 1 < end && !lenvar; k++)
			lenvar = punct(s, k, '&') && same_text(s, k + 1, name_of(s, lhs));
	}
	if (lenvar)
		add(s, R_SOCKADDR_LEN, z, false);
}

/* A declaration "struct T name" at i (T's word): storage, not a pointer,
 * a cast or a parameter. */
static bool declaration(const struct scan *s, size_t i)
{
	return is(s, i - 1, "struct") && ident(s, i + 1) && !punct(s, i - 2, '(') &&
	       (punct(s, i + 2, ';') || punct(s, i + 2, ',') || punct(s, i + 2, '=') ||
		punct(s, i + 2, '['));
}

/* Whether the braces around a declaration at i also hold IPv6 storage:
 * a union of families, or a block that declares both. */
static bool paired(const struct scan *s, size_t i)
{
	size_t lo = s->blk == SIZE_MAX ? 0 : s->l->blk[s->blk].open;
	size_t open = brace_around(s, i, lo);
	return open != NO_MATCH && braces_kind(s, open) != K_NONE;
}

static void rule_cast(struct scan *s, size_t i)
{
	/* ( [const] struct sockaddr_in * ) operand */
	if (!is(s, i - 1, "struct") || !punct(s, i + 1, '*') || !punct(s, i + 2, ')'))
		return;
	size_t o = i + 3;
	while (o < s->n && (punct(s, o, '&') || punct(s, o, '(')))
		o++;
	size_t e = o;
	while (e < s->n && (ident(s, e) || is(s, e, "->") || punct(s, e, '.')))
		e++;
	if (e == o || !ident(s, o))
		return;
	const struct summary *sum = sum_of(s);
	if (sum->family_check)
		return;
	bool may_be_v6 = false;
	for (size_t k = o; k < e; k++)
		if (word(s, k) == W_AI_ADDR)
			may_be_v6 = sum->hints != H_V4;
		else if (is(s, k, "ifa_addr"))
			may_be_v6 = true;
	if (!may_be_v6) {
		enum kind k = kind_of(s, e - 1);
		may_be_v6 = k == K_PLAIN || k == K_STORAGE || k == K_UNION;
	}
	if (!may_be_v6 && e == o + 1 && parameter(s, name_of(s, o))) {
		/* a struct sockaddr * parameter */
		size_t open = s->l->blk[s->blk].open;
		for (size_t k = open; k-- > 0 && open - k < 64;) {
			if (same_text(s, k, name_of(s, o)))
				may_be_v6 = k >= 3 && punct(s, k - 1, '*') &&
					    word(s, k - 2) == W_SOCKADDR;
			if (punct(s, k, ';') || punct(s, k, '}'))
				break;
		}
	}
	if (may_be_v6)
		add(s, R_CAST_V4, i, false);
}

static void rule_sockaddr_in(struct scan *s, size_t i)
{
	if (is(s, i - 1, "struct") && punct(s, i - 2, '(') && punct(s, i + 1, '*'))
		rule_cast(s, i);
	else if (is(s, i - 1, "const") && is(s, i - 2, "struct") && punct(s, i - 3, '('))
		return;
	else if (declaration(s, i) && !paired(s, i))
		add(s, R_SOCKADDR_IN, i, false);
	else
		rule_sizeof(s, i);
}

static void rule_sockaddr(struct scan *s, size_t i)
{
	if (declaration(s, i) && !paired(s, i)) {
		/* struct sockaddr unspec = { .sa_family = AF_UNSPEC }: no address */
		if (punct(s, i + 2, '='))
			for (size_t k = i + 3; k < s->n && !punct(s, k, ';'); k++)
				if (word(s, k) == W_AF_UNSPEC)
					return;
		add(s, R_SMALL_SOCKADDR, i, false);
		return;
	}
	rule_sizeof(s, i);
}

/* The value setsockopt(..., IPV6_V6ONLY, &v, ...) sets: 0, 1, or -1 when
 * it cannot be told. */
static int v6only_value(const struct scan *s, size_t call, const size_t *a)
{
	size_t v = a[3], end = a[4] - 1;
	if (punct(s, v, '(') && s->tok[v].aux != NO_MATCH && s->tok[v].aux + 1 < end &&
	    punct(s, s->tok[v].aux + 1, '&'))
		v = s->tok[v].aux + 1;                  /* (char *)&opt */
	if (punct(s, v, '&') && punct(s, v + 1, '(')) { /* &(int){ 0 } */
		for (size_t k = v; k < end; k++)
			if (punct(s, k, '{'))
				return is(s, k + 1, "0") ? 0 : 1;
		return -1;
	}
	if (!punct(s, v, '&') || !ident(s, v + 1))
		return -1;
	struct name nm = name_of(s, v + 1);
	for (size_t k = call; k-- > 0 && call - k < 4096;) {
		if (punct(s, k, '}') && s->tok[k].aux == NO_MATCH)
			break;
		if (!ident(s, k) || !same_text(s, k, nm) || !punct(s, k + 1, '=') ||
		    member_access(s, k))
			continue;
		if (is(s, k + 2, "0"))
			return 0;
		/* "else opt = 1" (or "else { opt = 1; }"): the if's arm may set 0 */
		if (!is(s, k - 1, "else") && !(punct(s, k - 1, '{') && is(s, k - 2, "else")))
			return 1;
	}
	if (text_has(s, v + 1, "zero") || text_has(s, v + 1, "off"))
		return 0;
	return -1;
}

/* A socket named for IPv4 (s4, fd4, sock_v4, ip4_sock): one family's by
 * the program's own naming. */
static bool named_v4(const struct scan *s, size_t k)
{
	if (k == NO_MATCH || !ident(s, k))
		return false;
	const char *p = s->s + s->tok[k].off;
	size_t n = s->tok[k].len;
	return (n >= 2 && p[n - 1] == '4' && p[n - 2] != '6') || text_has(s, k, "v4") ||
	       text_has(s, k, "ip4") || text_has(s, k, "inet4");
}

/* An option named IP_... (IP_MTU_DISCOVER, IP_PKTINFO, a program's
 * IP_DONT_FRAG macro) alone in [k, end): IPv4's level only, not one of
 * the few Linux also takes on IPv6 sockets at that level. */
static bool ip_only_option(const struct scan *s, size_t k, size_t end)
{
	static const char *const both[] = { "IP_FREEBIND", "IP_TRANSPARENT",
					    "IP_BIND_ADDRESS_NO_PORT", NULL };
	return end == k + 1 && ident(s, k) && s->tok[k].len > 3 &&
	       memcmp(s->s + s->tok[k].off, "IP_", 3) == 0 && !callee_in(s, k, both);
}

static void rule_setsockopt(struct scan *s, size_t i)
{
	size_t a[6];
	if (!called(s, i) || args(s, i + 1, a, 5) < 4)
		return;
	unsigned level = word(s, a[1]), opt = word(s, a[2]);
	if (opt == W_IPV6_V6ONLY) {
		if (v6only_value(s, i, a) == 0)
			add(s, R_V6ONLY_OFF, i, false);
		return;
	}
	if (level != W_IPPROTO_IP && level != W_SOL_IP)
		return;
	if (opt == W_IP_TTL || opt == W_IP_TOS || opt == W_IP_MULTICAST_TTL ||
	    opt == W_IP_MULTICAST_IF || opt == W_IP_MULTICAST_LOOP || opt == W_IP_ADD_MEMBERSHIP ||
	    opt == W_IP_DROP_MEMBERSHIP || ip_only_option(s, a[2], a[3] - 1))
		if (!sum_of(s)->inet_socket && s->blk != SIZE_MAX && s->v6_socket &&
		    !named_v4(s, last_ident(s, a[0], a[1] - 1)))
			add(s, R_IP_OPTION, i,
			    false); /* a file of AF_INET sockets only is IPv4's */
}

/* The hints of the block allow more than one family. */
static bool hints_mixed(const struct summary *sum)
{
	return sum->hints != H_V4 && sum->hints != H_V6 && sum->hints != H_COPY;
}

/* A block that waits for clients: it listens, or binds a passive answer
 * for datagrams (a multicast receiver joins a group of one family). */
static bool listener(const struct scan *s, const struct summary *sum)
{
	return sum->listen || (sum->passive && sum->bind && !s->multicast);
}

/* A block that binds a socket it does not connect: a listener, or a
 * receiver whose listen() (or recvfrom loop) is the caller's. */
static bool receiver(const struct scan *s, const struct summary *sum)
{
	return listener(s, sum) || (sum->bind && !sum->connect && !s->multicast);
}

/* The identifier of the socket a socket() call at i is assigned to. */
static size_t assigned_to(const struct scan *s, size_t i)
{
	size_t k = i;
	if (k > 0 && punct(s, k - 1, '('))
		k--;
	return k >= 2 && punct(s, k - 1, '=') && ident(s, k - 2) ? k - 2 : NO_MATCH;
}

/* What the current block sets IPV6_V6ONLY to: 1 on, 0 off, -1 neither. */
static int v6only_here(struct scan *s)
{
	const struct block *b = &s->l->blk[s->blk];
	int v = -1;
	for (uint32_t h = b->hit0; h < b->hit1; h++) {
		size_t k = s->l->hit[h], a[6];
		if (word(s, k) == W_SETSOCKOPT && called(s, k) && args(s, k + 1, a, 5) >= 4 &&
		    word(s, a[2]) == W_IPV6_V6ONLY)
			v = v6only_value(s, k, a) == 0 ? 0 : v < 0 ? 1 : v;
	}
	return v;
}

static void rule_socket(struct scan *s, size_t i)
{
	size_t a[4];
	if (!called(s, i) || args(s, i + 1, a, 3) < 2)
		return;
	unsigned fam = word(s, a[0]);
	const struct summary *sum = sum_of(s);
	if (family4(fam)) {
		if (tag_of(s, i) != TAG_V4) {
			if (!sum->inet6_socket) /* else one socket per family, here */
				add(s, R_AF_INET, a[0], false);
			return;
		}
		/* the IPv4 arm of a listener whose IPv6 arm opens the same socket */
		size_t lhs = assigned_to(s, i);
		if (!listener(s, sum) || lhs == NO_MATCH ||
		    loop_around(s, i, (struct name){ 0, 0 }))
			return;
		const struct block *b = &s->l->blk[s->blk];
		for (uint32_t h = b->hit0; h < b->hit1; h++) {
			size_t k = s->l->hit[h], o = assigned_to(s, k);
			if (word(s, k) == W_SOCKET && called(s, k) && family6(word(s, k + 2)) &&
			    tag_of(s, k) == TAG_V6 && o != NO_MATCH &&
			    same_text(s, o, name_of(s, lhs))) {
				add(s, R_ONE_FAMILY, i, false);
				return;
			}
		}
		return;
	}
	bool listens = listener(s, sum);
	if (!listens && !receiver(s, sum))
		return;
	if (family6(fam)) {
		if (!s->v6only_any)
			add_if(s, R_LISTEN_V6ONLY, i, false, NEED_NO_V6ONLY, NO_MATCH);
		else if (listens && !s->inet_socket && v6only_here(s) > 0 && tag_of(s, i) != TAG_V6)
			add(s, R_ONE_FAMILY, i, false); /* IPv6 only: the IPv4 listener left out */
		return;
	}
	bool from_answer = false;
	for (size_t k = a[0]; k < a[1] - 1; k++)
		from_answer |= word(s, k) == W_AI_FAMILY;
	const struct loop *around = loop_around(s, i, (struct name){ 0, 0 });
	from_answer |= around != NULL && around->ai != NO_MATCH;
	if (from_answer) {
		if (!s->v6only_any && sum->hints != H_V4)
			add_if(s, R_LISTEN_V6ONLY, i, false, NEED_NO_V6ONLY, NO_MATCH);
		return;
	}
	if (ident(s, a[0]) && a[1] - 1 == a[0] + 1 && parameter(s, name_of(s, a[0]))) {
		/* the caller chooses, maybe every family in turn: AF_INET6 among
		 * them, with nothing setting IPV6_V6ONLY */
		if (!s->v6only_any && sum->hints != H_V4)
			add_if(s, R_LISTEN_V6ONLY, i, false, NEED_NO_V6ONLY, NO_MATCH);
		return;
	}
	for (size_t k = a[0]; k < a[1] - 1; k++)
		if ((word(s, k) == W_SS_FAMILY || word(s, k) == W_SA_FAMILY) &&
		    member_access(s, k)) {
			/* the family of an address at hand (the listen address, the
			 * control connection's): one socket for it, AF_INET6 maybe */
			if (!s->v6only_any)
				add_if(s, R_LISTEN_V6ONLY, i, false, NEED_NO_V6ONLY, NO_MATCH);
			return;
		}
	if (listens)
		add(s, R_ONE_FAMILY, i, false);
}

/* The address argument of bind/connect/sendto at i names X->ai_addr:
 * X's index, or NO_MATCH. */
static size_t answer_in(const struct scan *s, size_t from, size_t to)
{
	for (size_t k = from + 2; k < to; k++)
		if (word(s, k) == W_AI_ADDR && (is(s, k - 1, "->") || punct(s, k - 1, '.')) &&
		    ident(s, k - 2))
			return k - 2;
	return NO_MATCH;
}

static bool filled(const struct scan *s, struct name nm)
{
	for (size_t k = 0; k < s->nfill; k++)
		if (nm.len == s->fill[k].len &&
		    memcmp(s->s + nm.off, s->s + s->fill[k].off, nm.len) == 0)
			return true;
	return false;
}

/* The length argument [from, to) is the size of a whole storage. */
static size_t storage_size(struct scan *s, size_t from, size_t to)
{
	for (size_t k = from; k < to; k++) {
		if (!is(s, k, "sizeof"))
			continue;
		size_t o = k + 1;
		if (punct(s, o, '('))
			o++;
		if (is(s, o, "struct"))
			return word(s, o + 1) == W_SOCKADDR_STORAGE ? k : NO_MATCH;
		if (!ident(s, o))
			return NO_MATCH;
		size_t e = o;
		while (e + 2 < to && (is(s, e + 1, ".") || is(s, e + 1, "->")) && ident(s, e + 2))
			e += 2;
		enum kind kd = kind_of(s, e);
		return kd == K_STORAGE || kd == K_UNION ? k : NO_MATCH;
	}
	return NO_MATCH;
}

/* Whether the current function fills nm with getaddrinfo(..., &nm) and
 * also looks up (or connects to) a server: nm is a source address. */
static bool source_lookup(struct scan *s, struct name nm)
{
	const struct block *b = &s->l->blk[s->blk];
	bool filled_here = false;
	unsigned lookups = 0;
	for (uint32_t h = b->hit0; h < b->hit1; h++) {
		size_t k = s->l->hit[h], a[6];
		if (word(s, k) != W_GETADDRINFO || !called(s, k))
			continue;
		lookups++;
		if (args(s, k + 1, a, 5) >= 4 && punct(s, a[3], '&') && a[4] - 1 == a[3] + 2 &&
		    same_text(s, a[3] + 1, nm))
			filled_here = true;
	}
	return filled_here && (lookups >= 2 || sum_of(s)->connect);
}

/* if (connect(...) == -1) { ... break; }: a loop over the answers that
 * leaves at the first failure (break, goto, return) and never goes on to
 * the next answer (continue). */
static bool gives_up(struct scan *s, size_t i)
{
	const struct cond *c = cond_around(s, i);
	if (c == NULL || c->chain == NO_MATCH)
		return false;
	size_t close = match(s, i + 1, c->to), k = close + 1;
	bool fails = (is(s, k, "==") && ((punct(s, k + 1, '-') && is(s, k + 2, "1")) ||
					 is(s, k + 1, "SOCKET_ERROR"))) ||
		     (is(s, k, "<") && is(s, k + 1, "0")) || (is(s, k, "!=") && is(s, k + 1, "0"));
	if (close >= c->to || !fails || k + 2 < c->to - 1)
		return false; /* connect(...) == -1 alone: not && errno != EINPROGRESS */
	size_t t0 = c->to + 1, t1 = t0;
	if (punct(s, t0, '{'))
		t1 = match(s, t0, s->n);
	else
		while (t1 < s->n && !punct(s, t1, ';'))
			t1++;
	bool leaves = false;
	for (size_t j = t0; j < t1 && j < s->n; j++) {
		if (is(s, j, "continue"))
			return false;
		leaves |= is(s, j, "break") || is(s, j, "goto") || is(s, j, "return");
	}
	return leaves;
}

static void rule_bind_connect(struct scan *s, size_t i)
{
	size_t a[8];
	unsigned w = word(s, i);
	size_t addr = w == W_SENDTO ? 4 : 1, want = w == W_SENDTO ? 6 : 3;
	if (!called(s, i) || args(s, i + 1, a, 7) < want)
		return;
	size_t from = a[addr], to = a[addr + 1] - 1;
	size_t lfrom = a[addr + 1], lto = a[addr + 2] - 1;
	size_t z = storage_size(s, lfrom, lto);
	if (z != NO_MATCH)
		add(s, R_STORAGE_LEN, z, false);
	size_t x = answer_in(s, from, to);
	if (x != NO_MATCH && parameter(s, name_of(s, x)))
		return; /* one answer given: the caller's loop chooses it */
	const struct summary *sum = sum_of(s);
	if (w == W_BIND) {
		if (x == NO_MATCH || !hints_mixed(sum))
			return;
		const struct loop *l = loop_around(s, i, name_of(s, x));
		if (!listener(s, sum)) {
			/* a client's source address: of the server answer's
			 * family when the hints copy it */
			if (l == NULL && !(sum->hints & H_COPY) && source_lookup(s, name_of(s, x)))
				add(s, R_BIND_SOURCE, i, false);
			return;
		}
		if (l == NULL || l->leaves)
			add(s, R_BIND_FIRST, i, false);
		return;
	}
	if (x != NO_MATCH) {
		const struct loop *l = loop_around(s, i, name_of(s, x));
		if ((l == NULL && !(w == W_SENDTO && s->raw)) ||
		    (l != NULL && w == W_CONNECT && gives_up(s, i)))
			add(s, R_FIRST_ANSWER, i, false);
		return;
	}
	size_t v = last_ident(s, from, to);
	if (v != NO_MATCH && sum->socket && filled(s, name_of(s, v)))
		add(s, R_FIRST_ANSWER, i, false); /* where the socket is made and connected */
}

static void rule_accept(struct scan *s, size_t i)
{
	size_t a[5];
	if (!called(s, i) || args(s, i + 1, a, 4) < 3)
		return;
	size_t len = a[2];
	if (!punct(s, len, '&') || !ident(s, len + 1) || a[3] - 1 != len + 2)
		return;
	const struct loop *l = loop_around(s, i, (struct name){ 0, 0 });
	if (l == NULL)
		return;
	struct name nm = name_of(s, len + 1);
	for (size_t k = l->kw; k < l->body1; k++)
		if (ident(s, k) && same_text(s, k, nm) && punct(s, k + 1, '=') &&
		    !member_access(s, k))
			return; /* set in the loop */
	size_t v = last_ident(s, a[1], a[2] - 1);
	if (v == NO_MATCH)
		return;
	enum kind kd = kind_of(s, v);
	if (kd == K_STORAGE || kd == K_UNION || kd == K_IN6)
		add(s, R_ACCEPT_LEN, i, false);
}

/* The variables that hold a peer in the current block: what accept,
 * getpeername and recvfrom write. */
/* The variable that accept, accept4, getpeername or recvfrom called at k
 * writes the peer into, or NO_MATCH. */
static size_t peer_var(const struct scan *s, size_t k)
{
	size_t a[7];
	unsigned w = word(s, k);
	if (w != W_ACCEPT && w != W_ACCEPT4 && w != W_GETPEERNAME && w != W_RECVFROM)
		return NO_MATCH;
	size_t argn = w == W_RECVFROM ? 4 : 1;
	if (!called(s, k) || args(s, k + 1, a, 6) <= argn)
		return NO_MATCH;
	return last_ident(s, a[argn], a[argn + 1] - 1);
}

static bool names_peer(struct scan *s, size_t from, size_t to)
{
	const struct block *b = &s->l->blk[s->blk];
	for (uint32_t h = b->hit0; h < b->hit1; h++) {
		size_t v = peer_var(s, s->l->hit[h]);
		if (v != NO_MATCH && mentions(s, from, to, name_of(s, v)))
			return true;
	}
	return false;
}

static void rule_print(struct scan *s, size_t i)
{
	size_t a[9];
	if (!called(s, i) || s->blk == SIZE_MAX)
		return;
	size_t n = args(s, i + 1, a, 8);
	if (word(s, i) == W_INET_NTOP && n > 0 && family4(word(s, a[0]))) {
		add(s, R_LITERAL_AF_INET, a[0], false);
		return;
	}
	if (n == 0 || sum_of(s)->v4mapped || (s->v6only_on && !s->v6only_off) ||
	    !names_peer(s, a[0], a[n] - 1))
		return;
	add_if(s, R_MAPPED_PRINT, i, false, NEED_MAPPED, NO_MATCH); /* the program decides */
}

/* A function that turns an address into text, by its name: xntop(),
 * print_addr_port(), sockaddr_to_str(), addr_fmt(). */
static bool printer_name(const struct scan *s, size_t k)
{
	static const char *const parts[] = { "ntop",    "ntoa",     "print",    "fmt",
					     "format",  "tostr",    "to_str",   "2str",
					     "addrstr", "addr_str", "str_addr", "straddr",
					     "text",    "toname",   "to_name",  NULL };
	return text_has_any(s, k, parts);
}

/* A peer that accept, getpeername or recvfrom at i wrote, handed to a
 * function of the program's own that prints it: mapped-print through a
 * wrapper (the function may live in another file: NEED_PRINTER asks the
 * program whether it calls inet_ntop or getnameinfo). */
static void rule_peer_use(struct scan *s, size_t i)
{
	if (s->blk == SIZE_MAX || (s->v6only_on && !s->v6only_off) || sum_of(s)->v4mapped)
		return;
	size_t v = peer_var(s, i);
	if (v == NO_MATCH)
		return;
	struct name nm = name_of(s, v);
	const struct block *b = &s->l->blk[s->blk];
	size_t end = b->close == NO_MATCH ? s->n : b->close;
	size_t last = NO_MATCH;
	if (end - i > 1024)
		end = i + 1024; /* the peer is printed where it came, if at all */
	for (size_t k = match(s, i + 1, end); k < end; k++) {
		if (!ident(s, k) || !same_text(s, k, nm) || member_access(s, k))
			continue;
		size_t at, callee = enclosing_call(s, k, &at);
		if (callee == NO_MATCH || callee == last || !ident(s, callee) ||
		    word(s, callee) != W_NONE || (s->tok[callee].flags & (TF_QUIET | TF_DIRECTIVE)))
			continue;
		last = callee;
		unsigned need = NEED_MAPPED; /* the program's listeners decide */
		if (!printer_name(s, callee))
			need |= NEED_PRINTER;
		add_if(s, R_MAPPED_PRINT, callee, false, need, callee);
	}
}

static const char *const not_connecters[] = { "freeaddrinfo", "memcpy", "memmove", "bcopy", NULL };

/* getaddrinfo() at i: its answer list handed whole, or its first
 * answer's address, to a function of the program's own that connects
 * what it is given, with no loop over the answers around the call. The
 * function may live in another file: NEED_CONNECTER asks the program. */
static void rule_answer_use(struct scan *s, size_t i)
{
	size_t a[6];
	if (s->blk == SIZE_MAX || args(s, i + 1, a, 5) < 4)
		return;
	size_t v = last_ident(s, a[3], a[4] - 1);
	if (v == NO_MATCH || !punct(s, a[3], '&'))
		return;
	struct name nm = name_of(s, v);
	const struct block *b = &s->l->blk[s->blk];
	size_t end = b->close == NO_MATCH ? s->n : b->close, last = NO_MATCH;
	if (end - i > 2048)
		end = i + 2048;
	for (size_t k = a[4]; k < end; k++) {
		if (!ident(s, k) || !same_text(s, k, nm) || member_access(s, k) ||
		    punct(s, k - 1, '&'))
			continue;
		size_t after = is(s, k + 1, "->") && word(s, k + 2) == W_AI_ADDR ? k + 3 : k + 1;
		if (!punct(s, after, ',') && !punct(s, after, ')'))
			continue; /* an argument: res, or res->ai_addr */
		size_t at, callee = enclosing_call(s, k, &at);
		if (callee == NO_MATCH || callee == last || !ident(s, callee) ||
		    word(s, callee) != W_NONE ||
		    (s->tok[callee].flags & (TF_QUIET | TF_DIRECTIVE)) ||
		    callee_in(s, callee, not_connecters) || loop_around(s, k, nm) != NULL)
			continue;
		last = callee;
		add_if(s, R_FIRST_ANSWER, callee, false, NEED_CONNECTER, callee);
	}
}

static const char *const conversions[] = { "atoi",        "atol",          "strtol",
					   "strtoul",     "strtoll",       "strtoull",
					   "getaddrinfo", "getservbyname", NULL };

/* The call after token from that converts pointer nm as a port
 * (atoi(p + 1), strtol(p, ...), getaddrinfo(host, p, ...)), or NO_MATCH. */
static size_t converted(struct scan *s, size_t from, struct name nm)
{
	if (s->blk == SIZE_MAX)
		return NO_MATCH;
	const struct block *b = &s->l->blk[s->blk];
	size_t end = b->close == NO_MATCH ? s->n : b->close;
	if (end - from > 2048)
		end = from + 2048; /* the port is taken a few lines on, if at all */
	for (size_t k = from; k < end; k++) {
		if (!ident(s, k) || !called(s, k) || !callee_in(s, k, conversions))
			continue;
		size_t a[4], n = args(s, k + 1, a, 3);
		size_t which = is(s, k, "getaddrinfo") ? 1 : 0;
		if (n > which && mentions(s, a[which], a[which + 1] - 1, nm))
			return k;
	}
	return NO_MATCH;
}

/* An identifier that names a host or a port: what a host:port split
 * splits (a time's hh:mm or a user:password is no such thing). */
static bool hostish(const struct scan *s, size_t k)
{
	static const char *const parts[] = { "host",   "addr",  "port",   "server",   "proxy",
					     "peer",   "dest",  "target", "listen",   "bind",
					     "remote", "local", "url",    "uri",      "src",
					     "dst",    "ip",    "conn",   "endpoint", NULL };
	return text_has_any(s, k, parts);
}

static size_t function_name(const struct scan *s);

/* A split at ':' converted at conv is of host:port: the names around say
 * so (the pointer, what it points into, the variable the port goes to,
 * the function). */
static bool host_port(const struct scan *s, size_t p, size_t from, size_t to, size_t conv)
{
	if (hostish(s, p) || hostish(s, function_name(s)))
		return true;
	for (size_t k = from; k < to; k++)
		if (hostish(s, k))
			return true;
	size_t k = conv; /* port = atoi(...), x.port = (unsigned short)atoi(...) */
	while (k > 0 && !punct(s, k - 1, '=') && !punct(s, k - 1, ';') && !punct(s, k - 1, '{') &&
	       conv - k < 8)
		k--;
	return k >= 2 && punct(s, k - 1, '=') && hostish(s, k - 2);
}

/* A name that can only be of a host or an address (no "port", "ip" or
 * "proxy": a user:password is split at ':' too). */
static bool host_named(const struct scan *s, size_t k)
{
	static const char *const parts[] = { "host",   "addr",   "server", "peer", "dest",
					     "target", "remote", "url",    "uri",  "endpoint",
					     "listen", "bind",   NULL };
	return text_has_any(s, k, parts);
}

/* A function named for hosts (parse_host, split_hostport), not for URIs:
 * a URI parser cuts its scheme at ':' too. */
static bool host_function(const struct scan *s)
{
	size_t fn = function_name(s);
	return host_named(s, fn) && !text_has(s, fn, "uri") && !text_has(s, fn, "url");
}

/* Whether [from, to) names a host (host_named). */
static bool names_host(const struct scan *s, size_t from, size_t to)
{
	for (size_t k = from; k < to; k++)
		if (host_named(s, k))
			return true;
	return false;
}

/* After p = strchr(str, ':') at i: the text is cut there (*p = '\0',
 * p[0] = 0, *p++ = 0) or its first part taken by length (p - str), so
 * what is before the first ':' is the host. */
static bool cut_at(const struct scan *s, size_t i, struct name p, struct name str)
{
	const struct block *b = &s->l->blk[s->blk];
	size_t end = b->close == NO_MATCH ? s->n : b->close;
	if (end - i > 300)
		end = i + 300;
	for (size_t k = i + 1; k + 3 < end; k++) {
		if (!ident(s, k) || !same_text(s, k, p) || member_access(s, k))
			continue;
		size_t v = k + 1;
		if (punct(s, k - 1, '*')) { /* "a * p = 0" is no C: a store through p */
			if (is(s, v, "++"))
				v++;
		} else if (punct(s, v, '[') && is(s, v + 1, "0") && punct(s, v + 2, ']')) {
			v += 3;
		} else if (punct(s, v, '-') && ident(s, v + 1) && same_text(s, v + 1, str)) {
			return true; /* p - str: the length of the host */
		} else {
			continue;
		}
		if (punct(s, v, '=') && (is(s, v + 1, "0") || is(s, v + 1, "'\\0'")))
			return true;
	}
	return false;
}

/* One finding per pointer in a block. */
static bool split_once(struct scan *s, struct name nm)
{
	if (s->split_blk != s->blk) {
		s->split_blk = s->blk;
		s->nsplit = 0;
		s->split_chain = NO_MATCH;
	}
	for (size_t k = 0; k < s->nsplit; k++)
		if (s->split_seen[k].len == nm.len &&
		    memcmp(s->s + s->split_seen[k].off, s->s + nm.off, nm.len) == 0)
			return false;
	if (s->nsplit < sizeof(s->split_seen) / sizeof(s->split_seen[0]))
		s->split_seen[s->nsplit++] = nm;
	return true;
}

/* p = strchr(s, ':') and then atoi(p + 1). */
static void rule_strchr(struct scan *s, size_t i)
{
	size_t a[4];
	if (!called(s, i) || args(s, i + 1, a, 3) != 2 || word(s, a[1]) != W_CHAR_COLON)
		return;
	size_t k = i;
	if (k > 0 && punct(s, k - 1, '('))
		k--;
	if (k < 2 || !punct(s, k - 1, '=') || !ident(s, k - 2) || brackets(s))
		return;
	struct name p = name_of(s, k - 2);
	size_t conv = converted(s, i, p), str = last_ident(s, a[0], a[1] - 1);
	bool split = conv != NO_MATCH ? host_port(s, k - 2, a[0], a[1] - 1, conv)
				      : str != NO_MATCH && cut_at(s, i, p, name_of(s, str)) &&
						(host_named(s, k - 2) ||
						 names_host(s, a[0], a[1] - 1) || host_function(s));
	if (split && split_once(s, p))
		add(s, R_HOST_PORT_SPLIT, i, false);
}

/* The piece p cut at i is kept as a host a few statements on:
 * host = p, mailhost = strdup(p). */
static bool kept_as_host(const struct scan *s, size_t i, struct name p)
{
	size_t end = s->n < i + 96 ? s->n : i + 96;
	for (size_t k = i + 1; k + 2 < end; k++) {
		if (!punct(s, k, '='))
			continue;
		if (ident(s, k - 1) && same_text(s, k - 1, p) && !member_access(s, k - 1))
			return false; /* p is another piece from here on */
		if (!host_named(s, k - 1))
			continue;
		size_t v = k + 1;
		if (is(s, v, "strdup") && punct(s, v + 1, '('))
			v += 2;
		if (ident(s, v) && same_text(s, v, p) && !is(s, v + 1, "->") &&
		    !punct(s, v + 1, '.'))
			return true;
	}
	return false;
}

/* host = strsep(&spec, ":") or strtok(spec, ":"): the host is what comes
 * before the first ':'. */
static void rule_strtok(struct scan *s, size_t i)
{
	size_t a[4];
	if (!called(s, i) || args(s, i + 1, a, 3) < 2 || brackets(s))
		return;
	const struct token *d = &s->tok[a[1]];
	if (d->kind != TOK_STRING || a[2] - 1 != a[1] + 1 || d->len > 16 ||
	    memchr(s->s + d->off, ':', d->len) == NULL)
		return;
	size_t lhs = assigned_to(s, i);
	if (lhs == NO_MATCH || !(host_named(s, lhs) || names_host(s, a[0], a[1] - 1) ||
				 host_function(s) || kept_as_host(s, i, name_of(s, lhs))))
		return;
	if (split_once(s, name_of(s, lhs)))
		add(s, R_HOST_PORT_SPLIT, i, false);
}

/* A character compared with ':' at i, in a loop over a host's text, and
 * the text cut right there (*ptr = '\0'): the host is what comes before
 * the first ':'. */
static bool cut_in_loop(struct scan *s, size_t i)
{
	bool cut = false; /* looked for first: it is cheap, the block's walk is not */
	for (size_t k = i + 1; k + 3 < s->n && k < i + 14 && !cut; k++)
		cut = punct(s, k, '*') && ident(s, k + 1) && punct(s, k + 2, '=') &&
		      (is(s, k + 3, "0") || is(s, k + 3, "'\\0'") || is(s, k + 3, "'\\000'"));
	if (!cut)
		return false;
	const struct cond *c = cond_around(s, i);
	const struct loop *l = loop_around(s, i, (struct name){ 0, 0 });
	return c != NULL && l != NULL && c->chain != NO_MATCH &&
	       (names_host(s, l->kw, l->body0) || host_function(s));
}

/* *p != ':' (a scan that stops at ':'), then atoi(++p). */
static void rule_colon(struct scan *s, size_t i)
{
	size_t p = NO_MATCH;
	if (is(s, i - 1, "==") || is(s, i - 1, "!=")) {
		size_t k = i - 2; /* *p, (*p), p[n] before the operator */
		if (punct(s, k, ')') && s->tok[k].aux != NO_MATCH && s->tok[k].aux + 3 == k)
			k--;
		if (ident(s, k) && punct(s, k - 1, '*')) {
			p = k;
		} else if (punct(s, k, ']')) {
			size_t o = k;
			while (o > 0 && k - o < 16 && !punct(s, o, '['))
				o--;
			p = o > 0 && ident(s, o - 1) ? o - 1 : NO_MATCH;
		}
	} else if ((is(s, i + 1, "==") || is(s, i + 1, "!=")) && punct(s, i + 2, '*') &&
		   ident(s, i + 3)) {
		p = i + 3;
	}
	if (p == NO_MATCH) {
		/* for (...; (ch = *ptr) != 0; ptr++) if (ch == ':') { *ptr = 0; ... } */
		if ((is(s, i - 1, "==") || is(s, i - 1, "!=")) && ident(s, i - 2) &&
		    !punct(s, i - 3, '*') && cut_in_loop(s, i) && !brackets(s))
			add(s, R_HOST_PORT_SPLIT, i, false);
		return;
	}
	if (brackets(s))
		return;
	size_t conv = converted(s, i, name_of(s, p));
	if (conv != NO_MATCH && host_port(s, p, p, p, conv) && split_once(s, name_of(s, p)))
		add(s, R_HOST_PORT_SPLIT, i, false);
}

static const char *const printers[] = { "sprintf",  "snprintf", "asprintf", "vsnprintf",
					"vsprintf", "fprintf",  "dprintf",  NULL };
static const char *const buffer_printers[] = { "sprintf", "snprintf", "asprintf", NULL };
static const char *const copies[] = { "strcpy",        "strncpy",        "strlcpy",
				      "strdup",        "strndup",        "getaddrinfo",
				      "gethostbyname", "gethostbyname2", NULL };

static void rule_string(struct scan *s, size_t i)
{
	unsigned bits = s->tok[i].aux;
	if (bits & S_MAPPED)
		add(s, R_MAPPED_LITERAL, i, false);
	if (bits & (S_DOTTED | S_FTP))
		add(s, R_DOTTED_QUAD, i, false);
	size_t argn, callee = enclosing_call(s, i, &argn);
	if ((bits & S_PASV) && callee != NO_MATCH && !text_has(s, callee, "cmp") &&
	    !text_has(s, callee, "match") && !ftp_v6(s))
		add(s, R_FTP_PASV, i, false); /* sent, not compared with a command */
	if ((bits & S_SPLIT) && is(s, callee, "sscanf") && !brackets(s)) {
		const struct cond *c = cond_around(s, i);
		uint32_t chain = c != NULL ? c->chain : NO_MATCH;
		if (s->split_blk != s->blk || chain == NO_MATCH || chain != s->split_chain) {
			split_once(s, name_of(s, i));
			s->split_chain = chain;
			add(s, R_HOST_PORT_SPLIT, i, false);
		}
	}
	if ((bits & S_URL) && !(bits & S_BRACKET) && !brackets(s) &&
	    callee_in(s, callee, printers)) {
		bool to_terminal = (is(s, callee, "fprintf") || is(s, callee, "dprintf")) &&
				   (is(s, callee + 2, "stderr") || is(s, callee + 2, "stdout") ||
				    is(s, callee + 2, "2") || is(s, callee + 2, "1"));
		if (!to_terminal)
			add(s, R_URL_BRACKETS, i, false);
	}
	if ((bits & S_HOSTPORT) && !brackets(s) && callee_in(s, callee, buffer_printers)) {
		/* snprintf(buf, n, "%s:%d", host, port): the host the first %s */
		size_t a[10], n = args(s, callee + 1, a, 9);
		size_t host = n > argn + 1 ? last_ident(s, a[argn + 1], a[argn + 2] - 1) : NO_MATCH;
		if (host_named(s, host) && !text_has(s, host, "uri"))
			add(s, R_URL_BRACKETS, i, false);
	}
	if ((bits & S_URL) && !(bits & S_BRACKET) && !brackets(s) && callee == NO_MATCH &&
	    ((punct(s, i - 1, '=') && ident(s, i - 2)) ||
	     (punct(s, i - 1, '=') && punct(s, i - 2, ']')) ||
	     (ident(s, i - 1) && is(s, i - 2, "define"))))
		add(s, R_URL_BRACKETS, i, false); /* a URL template: char url[] = "http://%s/" */
	if ((bits & S_DIGITS) && sum_of(s)->resolver)
		add(s, R_NUMERIC_CHECK, i, false); /* strspn(host, "0123456789.") */
	if (!(bits & S_IPV4))
		return;
	size_t named = punct(s, i - 1, '=') && ident(s, i - 2)     ? i - 2
		       : ident(s, i - 1) && is(s, i - 2, "define") ? i - 1
								   : NO_MATCH;
	if (named != NO_MATCH && (text_has(s, named, "version") || text_has(s, named, "vers")))
		return; /* "1.2.3.4" as a version */
	if (callee_in(s, callee, copies) || is(s, i - 1, "return") || named != NO_MATCH)
		add(s, R_IPV4_LITERAL, i, false);
}

/* Whether the text in tokens [from, to) is also given to
 * inet_pton(AF_INET6, ...) in the current function: the IPv4 parse is one
 * half of a parse per family (IPv4 first, or after IPv6 failed). */
static bool parsed_as_v6(const struct scan *s, size_t from, size_t to)
{
	if (s->blk == SIZE_MAX || to <= from)
		return false;
	const struct block *b = &s->l->blk[s->blk];
	for (uint32_t h = b->hit0; h < b->hit1; h++) {
		size_t k = s->l->hit[h], a[4];
		if (word(s, k) != W_INET_PTON || !family6(word(s, k + 2)) || !called(s, k) ||
		    args(s, k + 1, a, 3) < 2 || a[2] - 1 - a[1] != to - from)
			continue;
		size_t j = 0;
		while (j < to - from && same_text(s, a[1] + j, name_of(s, from + j)))
			j++;
		if (j == to - from)
			return true;
	}
	return false;
}

/* Whether the IPv4 parse called at i (inet_addr, inet_aton or
 * inet_pton(AF_INET, ...)) has its text parsed as IPv6 too. */
static bool parse_per_family(const struct scan *s, size_t i)
{
	size_t a[4], text = word(s, i) == W_INET_PTON ? 1 : 0;
	if (args(s, i + 1, a, 3) <= text)
		return false;
	return parsed_as_v6(s, a[text], a[text + 1] - 1);
}

/* int family = AF_INET; at i, and the variable never set again but given
 * as the hints' family or socket()'s: IPv4 only, one step removed. */
static bool family_variable(struct scan *s, size_t i)
{
	if (s->blk == SIZE_MAX || !punct(s, i - 1, '=') || !ident(s, i - 2) || !ident(s, i - 3) ||
	    !punct(s, i + 1, ';') || member_access(s, i - 2))
		return false; /* a declaration: a type before the name */
	struct name v = name_of(s, i - 2);
	const struct block *b = &s->l->blk[s->blk];
	size_t end = b->close == NO_MATCH ? s->n : b->close;
	bool used = false;
	for (size_t k = i + 2; k < end; k++) {
		if (!ident(s, k) || !same_text(s, k, v) || member_access(s, k))
			continue;
		if (punct(s, k + 1, '=') || is(s, k + 1, "?") || punct(s, k - 1, '&'))
			return false; /* set again, or by a callee */
		used |= (punct(s, k - 1, '=') && word(s, k - 2) == W_AI_FAMILY) ||
			(punct(s, k - 1, '(') && word(s, k - 2) == W_SOCKET);
	}
	return used;
}

/* IN6_IS_ADDR_V4MAPPED(...) at i, then within a few tokens text + 7:
 * "::ffff:" cut off an address already printed. */
static bool mapped_text_cut(const struct scan *s, size_t i)
{
	size_t close = match(s, i + 1, s->n);
	for (size_t k = close + 1; k + 1 < s->n && k < close + 12; k++)
		if (punct(s, k, '+') && is(s, k + 1, "7"))
			return true;
	return false;
}

/* Whether an IPv4 parse follows a condition closely: the test chose the
 * numeric way (the lookup is the other). */
static bool decides(const struct scan *s, const struct cond *c)
{
	for (size_t k = c->to; k < s->n && k < c->to + 40; k++) {
		unsigned w = word(s, k);
		if (w == W_INET_ADDR || w == W_INET_ATON ||
		    (w == W_INET_PTON && family4(word(s, k + 2))))
			return true;
	}
	return false;
}

/* The name of the function whose body is the current block, or NO_MATCH. */
static size_t function_name(const struct scan *s)
{
	if (s->blk == SIZE_MAX)
		return NO_MATCH;
	size_t open = s->l->blk[s->blk].open, k = open;
	while (k > 0 && !punct(s, k - 1, ')') && open - k < 16)
		k--;
	if (k == 0 || s->tok[k - 1].aux == NO_MATCH || s->tok[k - 1].aux == 0)
		return NO_MATCH;
	size_t name = s->tok[k - 1].aux - 1;
	return ident(s, name) ? name : NO_MATCH;
}

/* The function is about addresses: is_ip(), valid_addr(), numeric_host(). */
static bool about_addresses(const struct scan *s)
{
	static const char *const parts[] = { "ip",     "addr", "host", "numeric",
					     "dotted", "quad", "inet", NULL };
	return text_has_any(s, function_name(s), parts);
}

/* atoi(host) > 0 or isdigit(host[0]) deciding between an address and a
 * lookup; a scan for digits and dots; one for digits, dots and wildcards. */
/* A '.' character constant within 256 tokens of i: a condition that
 * tests for dots can hold one. */
static bool dot_near(const struct scan *s, size_t i)
{
	size_t from = i > 256 ? i - 256 : 0, to = i + 256 < s->n ? i + 256 : s->n;
	for (size_t k = from; k < to; k++)
		if (s->tok[k].kind == TOK_CHAR && s->tok[k].len == 3 &&
		    s->s[s->tok[k].off + 1] == '.')
			return true;
	return false;
}

static void rule_numeric(struct scan *s, size_t i)
{
	if (!called(s, i))
		return;
	/* what each shape needs, before the block's walk that cond_around()
	 * asks for: atoi(...) compared; a '.' near an isdigit() or a lookup
	 * in the function */
	size_t close = match(s, i + 1, s->n);
	if (word(s, i) == W_ATOI ? !(is(s, close + 1, ">") || is(s, close + 1, "!="))
				 : !sum_of(s)->resolver && !dot_near(s, i))
		return;
	const struct cond *c = cond_around(s, i);
	if (c == NULL)
		return;
	const struct summary *sum = sum_of(s);
	if (word(s, i) == W_ATOI) {
		if ((sum->resolver || decides(s, c)) && close < c->to)
			add(s, R_NUMERIC_CHECK, i, false);
		return;
	}
	bool dot = false, wild = false;
	for (size_t k = c->from; k < c->to; k++) {
		if (s->tok[k].kind != TOK_CHAR || s->tok[k].len != 3)
			continue;
		char ch = s->s[s->tok[k].off + 1];
		dot |= ch == '.';
		wild |= ch == '*' || ch == '?';
	}
	if (dot && wild)
		add(s, R_IPV4_PATTERN, i, false);
	else if (dot && (sum->resolver || about_addresses(s)))
		add(s, R_NUMERIC_CHECK, i, false);
	else if (!dot && c->chain != NO_MATCH && sum->resolver && decides(s, c))
		add(s, R_NUMERIC_CHECK, i, false); /* if (isdigit(*host)) inet_addr else lookup */
}

/* getsockname after binding port 0 on each answer in turn: the sockets
 * got a port each. */
static void rule_port_zero(struct scan *s, size_t i)
{
	if (s->blk == SIZE_MAX)
		return;
	struct analysis *a = analyze(s, s->blk);
	bool each = false;
	for (size_t k = 0; k < a->nloop && !each; k++)
		for (size_t j = a->loop[k].body0; a->loop[k].ai != NO_MATCH && j < a->loop[k].body1;
		     j++)
			if (word(s, j) == W_BIND && called(s, j)) {
				each = true;
				break;
			}
	if (!each)
		return;
	/* port 0 asked for: the service "0", or a port compared with 0 */
	for (size_t k = a->open; k + 2 < a->end; k++)
		if ((s->tok[k].kind == TOK_STRING && is(s, k, "\"0\"")) ||
		    (ident(s, k) && text_has(s, k, "port") && is(s, k + 1, "==") &&
		     is(s, k + 2, "0"))) {
			add(s, R_PORT_ZERO, i, false);
			return;
		}
}

/* Whether the current function does IPv4's own work: sockaddr_in,
 * s_addr, inet_ntoa... (AF_INET alone is no work). */
static bool v4_work(struct scan *s)
{
	struct analysis *a = &s->an[s->blk];
	if (a->v4_work == 0) {
		const struct block *b = &s->l->blk[s->blk];
		a->v4_work = -1;
		for (uint32_t h = b->hit0; h < b->hit1 && a->v4_work < 0; h++) {
			size_t k = s->l->hit[h];
			if ((wclass(s, k) & WC_V4) && !family4(word(s, k)))
				a->v4_work = 1;
		}
	}
	return a->v4_work > 0;
}

/* sa->sa_family != AF_INET (then continue or return), or == AF_INET
 * around the only code there is, in a function that does IPv4's work and
 * never IPv6's: only IPv4 gets through. */
static void rule_family_filter(struct scan *s, size_t i)
{
	size_t other;
	if (is(s, i - 1, "==") || is(s, i - 1, "!="))
		other = i - 2;
	else if (is(s, i + 1, "==") || is(s, i + 1, "!="))
		for (other = i + 2;
		     (is(s, other + 1, "->") || punct(s, other + 1, '.')) && ident(s, other + 2);
		     other += 2)
			; /* AF_INET == sa->sa_family */
	else
		return;
	unsigned w = word(s, other);
	if (!(w == W_SA_FAMILY || w == W_SS_FAMILY || w == W_AI_FAMILY || w == W_SIN_FAMILY ||
	      (ident(s, other) && text_has(s, other, "family"))) ||
	    s->blk == SIZE_MAX || !v4_work(s) || knows_v6(s) || cond_around(s, i) == NULL)
		return;
	add(s, R_FAMILY_FILTER, i, false);
}

/* a->sa_family == b->sa_family: two addresses' families as they came. */
static void rule_family_compare(struct scan *s, size_t i)
{
	if (!member_access(s, i) || !(is(s, i + 1, "==") || is(s, i + 1, "!=")) ||
	    !(s->mapped_listener || s->ai_v4mapped))
		return;
	for (size_t k = i + 2; k < s->n && k < i + 16; k++) {
		if (is(s, k, "&&") || is(s, k, "||") || punct(s, k, ';') || punct(s, k, ')'))
			break;
		unsigned w = word(s, k);
		if ((w == W_SA_FAMILY || w == W_SS_FAMILY || w == W_SIN6_FAMILY ||
		     w == W_SIN_FAMILY) &&
		    member_access(s, k)) {
			add(s, R_MAPPED_COMPARE, i, false);
			return;
		}
	}
}

/* memcpy(out, ai->ai_addr, ...) into a parameter, outside a loop over the
 * answers: a resolve helper that keeps the first one. */
static void rule_fill(struct scan *s, size_t i)
{
	if (i < 2 || !member_access(s, i) || !ident(s, i - 2) || s->blk == SIZE_MAX)
		return;
	size_t argn0, wrapper = enclosing_call(s, i, &argn0);
	if (wrapper != NO_MATCH && ident(s, wrapper) && word(s, wrapper) == W_NONE &&
	    text_has(s, wrapper, "connect")) {
		/* timeout_connect(fd, res->ai_addr, ...): a connect all the same */
		struct name x = name_of(s, i - 2);
		if (loop_around(s, i, x) == NULL && !parameter(s, x))
			add(s, R_FIRST_ANSWER, wrapper, false);
		return;
	}
	const struct summary *sum = sum_of(s);
	if (sum->connect || loop_around(s, i, name_of(s, i - 2)) != NULL)
		return; /* connected here (first-answer says so there), or chosen by a loop */
	size_t argn, callee = enclosing_call(s, i, &argn), a[4];
	size_t dest = is(s, callee, "bcopy") ? 1 : 0;
	if (!(is(s, callee, "memcpy") || is(s, callee, "memmove") || is(s, callee, "bcopy")) ||
	    argn != 1 - dest || args(s, callee + 1, a, 3) < 2)
		return;
	size_t v = a[dest];
	while (v < a[dest + 1] && (punct(s, v, '&') || punct(s, v, '*') || punct(s, v, '(')))
		v++;
	if (ident(s, v) && parameter(s, name_of(s, v)))
		add(s, R_FIRST_ANSWER, callee, false);
}

/* ------------------------------------------------------------------------ */
/* One file                                                                 */
/* ------------------------------------------------------------------------ */

/* A rule starts at hit i. */
static void at_hit(struct scan *s, size_t i)
{
	const struct token *t = &s->tok[i];
	if (t->flags & (TF_QUIET | TF_TEST | TF_SPLICED))
		return;
	unsigned w = t->word;
	bool call = called(s, i);
	if (call && s->blk == SIZE_MAX) {
		/* int inet_aton(const char *cp, struct in_addr *a) { ...: a
		 * definition (a compat one), no call */
		size_t close = match(s, i + 1, s->n);
		if (close < s->n && punct(s, close + 1, '{'))
			return;
	}
	switch (w) {
	case W_GETHOSTBYNAME:
	case W_GETHOSTBYNAME_R:
	case W_GETHOSTBYNAME2:
	case W_GETHOSTBYNAME2_R:
		if (call)
			add(s, R_GETHOSTBYNAME, i, sum_of(s)->bind && !sum_of(s)->connect);
		break;
	case W_GETHOSTBYADDR:
	case W_GETHOSTBYADDR_R:
		if (call)
			add(s, R_GETHOSTBYADDR, i, false);
		break;
	case W_INET_NTOA:
		if (call)
			add(s, R_INET_NTOA, i, false);
		break;
	case W_INET_ADDR:
	case W_INET_ATON:
		if (call && !parse_per_family(s, i))
			add(s, w == W_INET_ADDR ? R_INET_ADDR : R_INET_ATON, i,
			    sum_of(s)->resolver);
		break;
	case W_INET_NETWORK:
		if (call)
			add(s, R_INET_NETWORK, i, false);
		break;
	case W_INET_MAKEADDR:
	case W_INET_LNAOF:
	case W_INET_NETOF:
		if (call)
			add(s, R_INET_CLASSFUL, i, false);
		break;
	case W_HOSTENT:
		if (is(s, i - 1, "struct") && !punct(s, i - 2, '('))
			add(s, R_HOSTENT, i, sum_of(s)->bind && !sum_of(s)->connect);
		break;
	case W_H_ADDR:
	case W_H_ADDR_LIST:
		if (member_access(s, i))
			add(s, R_HOSTENT, i, sum_of(s)->bind && !sum_of(s)->connect);
		break;
	case W_SOCKADDR_IN: rule_sockaddr_in(s, i); break;
	case W_SOCKADDR: rule_sockaddr(s, i); break;
	case W_SOCKET: rule_socket(s, i); break;
	case W_AF_INET:
	case W_PF_INET:
		/* hints for IPv4 beside hints for IPv6: a lookup per family */
		if (punct(s, i - 1, '=') && word(s, i - 2) == W_AI_FAMILY &&
		    !(sum_of(s)->hints & H_V6))
			add(s, R_AF_INET, i, false);
		else if (family_variable(s, i))
			add(s, R_AF_INET, i, false);
		else
			rule_family_filter(s, i);
		break;
	case W_INADDR_ANY:
	case W_INADDR_LOOPBACK:
	case W_INADDR_BROADCAST:
		if (!is(s, i - 1, "define") && !is(s, i - 1, "undef"))
			add(s, R_INADDR, i, false);
		break;
	case W_SIOCGIFADDR:
	case W_SIOCSIFADDR:
	case W_SIOCGIFNETMASK:
	case W_SIOCSIFNETMASK:
	case W_SIOCGIFBRDADDR:
	case W_SIOCSIFBRDADDR:
	case W_SIOCGIFDSTADDR:
	case W_SIOCSIFDSTADDR:
	case W_SIOCGIFCONF:
		/* an argument: ioctl(fd, SIOCGIFADDR, &ifr), not #ifdef or a case */
		if (punct(s, i - 1, ',') || (punct(s, i - 1, '(') && !is(s, i - 2, "defined")))
			add(s, R_IF_IOCTL, i, false);
		break;
	case W_INET_ADDRSTRLEN:
		if (!is(s, i - 1, "define") && !is(s, i - 1, "undef"))
			add(s, R_ADDRSTRLEN, i, false);
		break;
	case W_INET_PTON:
		if (call && family4(word(s, i + 2)) && !parse_per_family(s, i))
			add(s, R_LITERAL_AF_INET, i + 2, false);
		break;
	case W_INET_NTOP:
	case W_GETNAMEINFO: rule_print(s, i); break;
	case W_S_ADDR: rule_s_addr(s, i); break;
	case W_SIN_ADDR: rule_sin_addr(s, i); break;
	case W_IN6_IS_ADDR_V4MAPPED:
		/* the check itself is what the draft asks for (deciding options,
		 * unmapping a peer); cutting the text it was printed to is not */
		if (call && mapped_text_cut(s, i))
			add(s, R_V4MAPPED_CHECK, i, false);
		break;
	case W_AI_V4MAPPED: add(s, R_AI_V4MAPPED, i, false); break;
	case W_SETSOCKOPT: rule_setsockopt(s, i); break;
	case W_GETADDRINFO:
		if (called(s, i))
			rule_answer_use(s, i);
		break;
	case W_BIND:
	case W_CONNECT:
	case W_SENDTO: rule_bind_connect(s, i); break;
	case W_ACCEPT:
	case W_ACCEPT4:
		rule_accept(s, i);
		rule_peer_use(s, i);
		break;
	case W_RECVFROM:
	case W_GETPEERNAME: rule_peer_use(s, i); break;
	case W_GETSOCKNAME:
		if (call)
			rule_port_zero(s, i);
		break;
	case W_SA_FAMILY:
	case W_SS_FAMILY: rule_family_compare(s, i); break;
	case W_AI_ADDR: rule_fill(s, i); break;
	case W_ATOI:
	case W_ISDIGIT: rule_numeric(s, i); break;
	case W_STRCHR:
	case W_STRRCHR: rule_strchr(s, i); break;
	case W_STRSEP:
	case W_STRTOK:
	case W_STRTOK_R: rule_strtok(s, i); break;
	case W_STRING: rule_string(s, i); break;
	case W_CHAR_COLON: rule_colon(s, i); break;
	default: break;
	}
}

/* Sets s->blk to the block around token i (the blocks are in order, and
 * so are the hits). */
static void find_block(struct scan *s, size_t i, size_t *cursor)
{
	const struct lexed *l = s->l;
	while (*cursor < l->nblk && l->blk[*cursor].close != NO_MATCH && l->blk[*cursor].close < i)
		(*cursor)++;
	if (*cursor < l->nblk && l->blk[*cursor].open <= i)
		s->blk = *cursor;
	else
		s->blk = SIZE_MAX;
}

/* set_v6only(fd, 0), setV6only(fd, 0) in the current block, an IPv6
 * listener's: the program's own wrapper for IPV6_V6ONLY given 0. */
static void v6only_wrappers(struct scan *s)
{
	const struct block *b = &s->l->blk[s->blk];
	size_t end = b->close == NO_MATCH ? s->n : b->close;
	for (size_t k = b->open; k < end; k++) {
		size_t a[4], n;
		if (!ident(s, k) || s->tok[k].len < 6 || word(s, k) != W_NONE ||
		    !punct(s, k + 1, '(') ||
		    memchr(s->s + s->tok[k].off, '6', s->tok[k].len) == NULL ||
		    !(text_has(s, k, "6only") || text_has(s, k, "6_only")) || !called(s, k) ||
		    (s->tok[k].flags & (TF_QUIET | TF_DIRECTIVE)) ||
		    (n = args(s, k + 1, a, 3)) < 2 || a[n] - 2 != a[n - 1] || !is(s, a[n - 1], "0"))
			continue;
		s->v6only_off = true;
		add(s, R_V6ONLY_OFF, k, false);
	}
}

/* inet_ntop or getnameinfo at i prints an address the function was given. */
static bool prints_parameter(const struct scan *s, size_t i)
{
	size_t a[4], which = word(s, i) == W_INET_NTOP ? 1 : 0;
	if (args(s, i + 1, a, 3) <= which)
		return false;
	for (size_t k = a[which]; k < a[which + 1] - 1; k++)
		if (ident(s, k) && !member_access(s, k) && !is(s, k - 1, "struct") &&
		    !is(s, k, "struct") && !is(s, k + 1, "->") && !punct(s, k + 1, '.') &&
		    parameter(s, name_of(s, k)))
			return true; /* sa, ((struct sockaddr_in6 *)sa)->sin6_addr; not p->addr */
	return false;
}

/* Whether the program's list fs names the function fn. */
static bool known(const struct functions *fs, const struct scan *s, size_t fn)
{
	for (size_t k = 0; k < fs->n; k++)
		if (strlen(fs->name[k]) == s->tok[fn].len &&
		    memcmp(fs->name[k], s->s + s->tok[fn].off, s->tok[fn].len) == 0)
			return true;
	return false;
}

/* Adds the function fn to the program's list fs; false when out of
 * memory. */
static bool add_function(struct scan *s, struct functions *fs, size_t fn)
{
	if (s->tok[fn].len >= sizeof(fs->name[0]) || known(fs, s, fn))
		return true; /* a name that long is no wrapper anyone calls */
	char(*n)[32] = grow(fs->name, &fs->cap, fs->n, sizeof(*n));
	if (n == NULL) {
		s->oom = true;
		return false;
	}
	fs->name = n;
	memcpy(n[fs->n], s->s + s->tok[fn].off, s->tok[fn].len);
	n[fs->n++][s->tok[fn].len] = '\0';
	return true;
}

/* connect() at i is given an address the function was handed (sa,
 * ai->ai_addr), outside a loop over that parameter's answers: the
 * function connects one address, the one its caller chose. */
static bool connects_parameter(struct scan *s, size_t i)
{
	size_t a[5];
	if (args(s, i + 1, a, 4) < 3)
		return false;
	for (size_t k = a[1]; k < a[2] - 1; k++)
		if (ident(s, k) && !member_access(s, k) && !is(s, k, "struct") &&
		    !is(s, k - 1, "struct") && parameter(s, name_of(s, k)))
			return loop_around(s, i, name_of(s, k)) == NULL;
	return false;
}

/* The file's facts, before any rule: IPV6_V6ONLY, the variables filled
 * from one getaddrinfo answer, whether a listener takes mapped clients. */
static void facts(struct scan *s)
{
	const struct lexed *l = s->l;
	size_t cursor = 0;
	for (size_t h = 0; h < l->nhit; h++) {
		size_t i = l->hit[h];
		if (s->tok[i].flags & (TF_QUIET | TF_TEST))
			continue;
		find_block(s, i, &cursor);
		unsigned w = word(s, i);
		s->names_v6 |= (wclass(s, i) & WC_V6) || w == W_AF_UNSPEC || w == W_PF_UNSPEC;
		if (w == W_IPV6_V6ONLY) {
			s->v6only_any = true;
		} else if (w == W_AI_V4MAPPED) {
			s->ai_v4mapped = true;
		} else if (w == W_SOCK_RAW) {
			s->raw = true;
		} else if (w == W_IP_ADD_MEMBERSHIP || w == W_IPV6_JOIN_GROUP ||
			   w == W_IPV6_ADD_MEMBERSHIP || w == W_IP_MREQ || w == W_IP_MREQN ||
			   w == W_IPV6_MREQ || w == W_MCAST_JOIN_GROUP ||
			   w == W_MCAST_JOIN_SOURCE_GROUP) {
			s->multicast = true;
		} else if ((w == W_INET_NTOP || w == W_GETNAMEINFO) && called(s, i) &&
			   !family4(word(s, i + 2)) && s->prog != NULL) {
			size_t fn = function_name(s);
			if (fn != NO_MATCH && prints_parameter(s, i) &&
			    !add_function(s, &s->prog->printers, fn))
				return;
		} else if (w == W_CONNECT && called(s, i) && s->prog != NULL) {
			size_t fn = function_name(s);
			if (fn != NO_MATCH && connects_parameter(s, i) &&
			    !add_function(s, &s->prog->connecters, fn))
				return;
		} else if (w == W_SOCKET && called(s, i)) {
			s->v6_binder |= family6(word(s, i + 2)) && s->blk != SIZE_MAX &&
					sum_of(s)->bind && !sum_of(s)->connect;
			s->v6_socket |= !family4(word(s, i + 2));
			s->inet_socket |= family4(word(s, i + 2));
		} else if (w == W_SETSOCKOPT && called(s, i)) {
			size_t a[6];
			if (args(s, i + 1, a, 5) >= 4 && word(s, a[2]) == W_IPV6_V6ONLY) {
				if (v6only_value(s, i, a) == 0)
					s->v6only_off = true;
				else
					s->v6only_on = true;
			}
		} else if (w == W_AI_ADDR && i >= 2 && ident(s, i - 2) && s->blk != SIZE_MAX) {
			size_t argn, callee = enclosing_call(s, i, &argn);
			size_t dest = is(s, callee, "bcopy") ? 1 : 0;
			if (!(is(s, callee, "memcpy") || is(s, callee, "memmove") ||
			      is(s, callee, "bcopy")) ||
			    argn != 1 - dest)
				continue;
			if (loop_around(s, i, name_of(s, i - 2)) != NULL)
				continue; /* a loop chose it among the answers */
			size_t a[4];
			if (args(s, callee + 1, a, 3) < 2)
				continue;
			size_t v = last_ident(s, a[dest], a[dest + 1] - 1);
			if (v == NO_MATCH)
				continue;
			struct name *f = grow(s->fill, &s->capfill, s->nfill, sizeof(*f));
			if (f == NULL) {
				s->oom = true;
				return;
			}
			s->fill = f;
			s->fill[s->nfill++] = name_of(s, v);
		}
	}
	cursor = 0;
	size_t scanned = SIZE_MAX;
	for (size_t h = 0; h < l->nhit; h++) {
		size_t i = l->hit[h], a[4];
		if ((s->tok[i].flags & (TF_QUIET | TF_TEST)) || word(s, i) != W_SOCKET ||
		    !called(s, i))
			continue;
		find_block(s, i, &cursor);
		if (s->blk == SIZE_MAX || !receiver(s, sum_of(s)) || args(s, i + 1, a, 3) < 1)
			continue;
		unsigned fam = word(s, a[0]);
		if (!family6(fam) && (family4(fam) || sum_of(s)->hints == H_V4))
			continue;
		s->v6_listener = true;
		if (scanned != s->blk) /* once per listener function */
			v6only_wrappers(s);
		scanned = s->blk;
	}
	s->blk = SIZE_MAX;
	s->mapped_listener = s->v6only_off || (!s->v6only_on && s->v6_listener);
}

static int by_place(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static bool suppressed(const struct lexed *l, const struct finding *f, const unsigned *sup_line)
{
	for (size_t k = 0; k < l->nsup; k++) {
		if (sup_line[k] != f->line && sup_line[k] + 1 != f->line)
			continue;
		const char *id = rules[f->rule].id, *list = l->sup[k].rules;
		size_t idl = strlen(id);
		for (const char *p = list; (p = strstr(p, id)) != NULL; p += idl)
			if ((p == list || p[-1] == ',') && (p[idl] == '\0' || p[idl] == ','))
				return true;
	}
	return false;
}

/* Sort the findings, give them lines, drop the suppressed. */
static long finish(struct scan *s, struct finding **out)
{
	const struct lexed *l = s->l;
	if (s->nout > 1) /* qsort wants an array, even of none */
		qsort(s->out, s->nout, sizeof(s->out[0]), by_place);
	unsigned *sup_line = NULL;
	if (l->nsup > 0) {
		sup_line = malloc(l->nsup * sizeof(*sup_line));
		if (sup_line == NULL)
			return -1;
		struct linepos pos = { 0, 1, 0 };
		unsigned col;
		for (size_t k = 0; k < l->nsup; k++) /* in order of offset */
			line_of(l, l->sup[k].off, &pos, &sup_line[k], &col);
	}
	struct linepos pos = { 0, 1, 0 };
	size_t kept = 0, last[R_COUNT];
	for (size_t r = 0; r < R_COUNT; r++)
		last[r] = SIZE_MAX;
	for (size_t k = 0; k < s->nout; k++) {
		struct finding *f = &s->out[k];
		line_of(l, f->off, &pos, &f->line, &f->col);
		if (sup_line != NULL && suppressed(l, f, sup_line))
			continue;
		/* a statement that repeats a rule's token on a line or the next is
		 * one fix: one finding (one the program may still drop keeps no
		 * other out) */
		const struct finding *p = last[f->rule] == SIZE_MAX ? NULL : &s->out[last[f->rule]];
		if (p != NULL && f->line - p->line <= 1 && f->tok - p->tok < 4096 &&
		    p->need == f->need && same_statement(s, p->tok, f->tok))
			continue;
		last[f->rule] = kept;
		s->out[kept++] = *f;
	}
	free(sup_line);
	*out = s->out;
	return (long)kept;
}

bool program_keeps(const struct program *p, const struct finding *f)
{
	if ((f->need & NEED_NO_V6ONLY) && p->v6only_any)
		return false;
	if ((f->need & NEED_MAPPED) && !(p->v6only_off || (!p->v6only_on && p->v6_listener)))
		return false;
	if (f->need & (NEED_PRINTER | NEED_CONNECTER)) {
		const struct functions *fs = f->need & NEED_PRINTER ? &p->printers : &p->connecters;
		for (size_t k = 0; k < fs->n; k++)
			if (strcmp(fs->name[k], f->callee) == 0)
				return true;
		return false;
	}
	return true;
}

void program_reset(struct program *p)
{
	p->v6only_any = p->v6only_on = p->v6only_off = p->v6_listener = false;
	p->printers.n = p->connecters.n = 0;
}

void program_free(struct program *p)
{
	free(p->printers.name);
	free(p->connecters.name);
	*p = (struct program){ 0 };
}

long find_all(const struct lexed *l, const bool *enabled, struct program *p, struct finding **out)
{
	struct scan s = { .l = l,
			  .prog = p,
			  .tok = l->tok,
			  .s = l->buf,
			  .n = l->n,
			  .enabled = enabled,
			  .blk = SIZE_MAX,
			  .split_blk = SIZE_MAX,
			  .split_chain = NO_MATCH };
	*out = NULL;
	if (l->nblk > 0) {
		s.an = calloc(l->nblk, sizeof(*s.an));
		if (s.an == NULL)
			return -1;
		for (size_t b = 0; b < l->nblk; b++)
			s.an[b].brackets = -1;
	}
	facts(&s);
	p->v6only_any |= s.v6only_any;
	p->v6only_on |= s.v6only_on;
	p->v6only_off |= s.v6only_off;
	p->v6_listener |= s.v6_listener;
	size_t cursor = 0;
	for (size_t h = 0; h < l->nhit && !s.oom; h++) {
		size_t i = l->hit[h];
		find_block(&s, i, &cursor);
		at_hit(&s, i);
	}
	for (size_t b = 0; b < l->nblk; b++) {
		free(s.an[b].tag);
		free(s.an[b].loop);
		free(s.an[b].cond);
	}
	free(s.an);
	free(s.fill);
	if (s.oom) {
		free(s.out);
		return -1;
	}
	long n = finish(&s, out);
	if (n < 0)
		free(s.out);
	return n;
}
