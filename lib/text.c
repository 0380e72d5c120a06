/*
 * text.c - addresses and host:port as text, both ways.
 *
 * Out: RFC 5952 text, byte-identical to glibc inet_ntop() except in ::/96
 * (see anysock_ntop(3)), with "[v6%scope]:port" and "v4:port" forms.
 * In: exactly the addresses inet_pton() accepts, plus brackets, ports and
 * scope ids, with one error code per kind of malformation.
 *
 * Neither direction allocates; output is formed in a local buffer and copied
 * only when it fits, so nothing is ever written past the caller's buffer.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "text.h"

#include <ctype.h>
#include <errno.h>
#include <arpa/inet.h>
#include <net/if.h>

/* ------------------------------------------------------------------------ */
/* Output                                                                    */
/* ------------------------------------------------------------------------ */

static const char hex_digits[16] = "0123456789abcdef";

/* "00" "01" ... "99": two decimal digits per lookup. */
static const char dec_pairs[200] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536"
	"37383940414243444546474849505152535455565758596061626364656667686970717273"
	"7475767778798081828384858687888990919293949596979899";

static char *put_u8(char *p, unsigned v)
{
	if (v >= 100) {
		*p++ = (char)('0' + v / 100);
		v %= 100;
		memcpy(p, dec_pairs + 2 * v, 2);
		return p + 2;
	}
	if (v >= 10) {
		memcpy(p, dec_pairs + 2 * v, 2);
		return p + 2;
	}
	*p++ = (char)('0' + v);
	return p;
}

/* Decimal, no leading zeros; fits any uint32_t. */
static char *put_u32(char *p, uint32_t v)
{
	char tmp[10];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *put_v4(char *p, const unsigned char b[4])
{
	p = put_u8(p, b[0]);
	*p++ = '.';
	p = put_u8(p, b[1]);
	*p++ = '.';
	p = put_u8(p, b[2]);
	*p++ = '.';
	return put_u8(p, b[3]);
}

/* One 16-bit group in lowercase hex without leading zeros (RFC 5952 4.1, 4.3). */
static char *put_hex16(char *p, unsigned w)
{
	if (w >= 0x1000)
		*p++ = hex_digits[w >> 12];
	if (w >= 0x100)
		*p++ = hex_digits[(w >> 8) & 15];
	if (w >= 0x10)
		*p++ = hex_digits[(w >> 4) & 15];
	*p++ = hex_digits[w & 15];
	return p;
}

/*
 * RFC 5952 section 4.2: "::" replaces the longest run of two or more zero
 * groups, the first such run on a tie. Section 5: an IPv4-mapped address ends
 * in dotted decimal. glibc also prints a dotted tail for the rest of ::/96
 * (::1:0 as ::0.1.0.0); we print hex there, as RFC 5952 and musl, Go and
 * Python do, so that no IPv6 address reads like an IPv4 one.
 */
static char *put_v6(char *p, const struct in6_addr *ip)
{
	const unsigned char *b = ip->s6_addr;
	if (in6_is_mapped(ip)) {
		/* anysock-port: ignore mapped-literal -- RFC 5952 section 5's printed form */
		memcpy(p, "::ffff:", 7);
		return put_v4(p + 7, b + 12);
	}
	unsigned w[8];
	int best = -1, best_len = 1, run = 0;
	for (int i = 0; i < 8; i++) {
		w[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
		run = w[i] == 0 ? run + 1 : 0;
		if (run > best_len) {
			best_len = run;
			best = i + 1 - run;
		}
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			*p++ = ':';
			*p++ = ':';
			i += best_len - 1;
			continue;
		}
		if (i != 0 && i != best + best_len)
			*p++ = ':';
		p = put_hex16(p, w[i]);
	}
	return p;
}

/* "%eth0", or "%7" when asked or when no interface has that index. */
static char *put_scope(char *p, uint32_t scope, unsigned flags)
{
	*p++ = '%';
	if (!(flags & ANYSOCK_NTOP_NUMERIC_SCOPE) && if_indextoname(scope, p) != NULL)
		return p + strlen(p);
	return put_u32(p, scope);
}

/* An AF_UNIX path, "@name" for an abstract socket (unprintable bytes shown
 * as '?'), or "(unnamed)". */
static char *put_unix(char *p, const anysock_addr *a)
{
	size_t n = a->len - UNIX_MIN_LEN;
	const char *path = a->u.un.sun_path;
	if (n == 0) {
		memcpy(p, "(unnamed)", 9);
		return p + 9;
	}
	if (path[0] != '\0') {
		size_t k = strnlen(path, n);
		memcpy(p, path, k);
		return p + k;
	}
	*p++ = '@';
	for (size_t i = 1; i < n; i++) {
		unsigned char c = (unsigned char)path[i];
		*p++ = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	return p;
}

static char *put_ip_endpoint(char *p, const anysock_addr *a, int family,
			     unsigned flags)
{
	bool port = !(flags & ANYSOCK_NTOP_NOPORT);
	unsigned port_no;
	if (family == AF_INET ||
	    ((flags & ANYSOCK_NTOP_UNMAP) && in6_is_mapped(&a->u.sin6.sin6_addr))) {
		const unsigned char *v4 = family == AF_INET
			? (const unsigned char *)&a->u.sin.sin_addr
			: a->u.sin6.sin6_addr.s6_addr + 12;
		p = put_v4(p, v4);
		port_no = ntohs(a->u.sin.sin_port); /* same offset in sin6 */
	} else {
		if (port)
			*p++ = '[';
		p = put_v6(p, &a->u.sin6.sin6_addr);
		uint32_t scope = a->u.sin6.sin6_scope_id;
		if (scope != 0 && !(flags & ANYSOCK_NTOP_NOSCOPE))
			p = put_scope(p, scope, flags);
		if (port)
			*p++ = ']';
		port_no = ntohs(a->u.sin6.sin6_port);
	}
	if (port) {
		*p++ = ':';
		p = put_u32(p, port_no);
	}
	return p;
}

int text_out(char *buf, size_t size, const char *text, size_t len)
{
	if (len >= size) {
		if (size > 0)
			buf[0] = '\0';
		return -ENOSPC;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	return (int)len;
}

int anysock_ntop(const anysock_addr *a, char *buf, size_t size, unsigned flags)
{
	int family = addr_check(a);
	if (buf == NULL)
		return -EINVAL;
	if (family < 0) { /* no address (what a failed call leaves): "" */
		if (size > 0)
			buf[0] = '\0';
		return family;
	}
	char tmp[ANYSOCK_ADDRSTRLEN];
	char *end = family == AF_UNIX ? put_unix(tmp, a)
				      : put_ip_endpoint(tmp, a, family, flags);
	return text_out(buf, size, tmp, (size_t)(end - tmp));
}

/* ------------------------------------------------------------------------ */
/* Input                                                                     */
/* ------------------------------------------------------------------------ */

/* Hex digit value + 1; 0 for anything that is not a hex digit. */
static const unsigned char hex_table[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int hex_value(char c)
{
	return (int)hex_table[(unsigned char)c] - 1;
}

/* Dotted decimal exactly as inet_pton(AF_INET) takes it: four decimal
 * octets of at most 255, no leading zeros (so nothing reads as octal). */
static bool parse_v4(const char *s, size_t n, unsigned char out[4])
{
	/* Not parse_decimal(): this is the hottest loop of anysock_pton, and
	 * one pass that stops at the dot beats finding the digits first. The
	 * rules are the same as DECIMAL_NO_LEADING_ZERO with max 255. */
	size_t i = 0;
	for (int octet = 0; octet < 4; octet++) {
		if (octet > 0) {
			if (i == n || s[i] != '.')
				return false;
			i++;
		}
		if (i == n || s[i] < '0' || s[i] > '9')
			return false;
		unsigned v = (unsigned)(s[i++] - '0');
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (v == 0) /* leading zero */
				return false;
			v = v * 10 + (unsigned)(s[i] - '0');
			if (v > 255)
				return false;
		}
		out[octet] = (unsigned char)v;
	}
	return i == n;
}

/* RFC 4291 section 2.2 text, exactly as inet_pton(AF_INET6) takes it: up to
 * four hex digits a group, one "::" standing for at least one zero group,
 * an optional dotted-decimal tail in place of the last two groups. */
static bool parse_v6(const char *s, size_t n, unsigned char out[16])
{
	unsigned char b[16];
	int nb = 0, gap = -1; /* bytes written; where "::" stands */
	size_t i = 0;
	if (n >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
	}
	while (i < n) {
		size_t start = i;
		unsigned v = 0;
		int h, digits = 0;
		while (i < n && (h = hex_value(s[i])) >= 0) {
			if (++digits > 4)
				return false;
			v = v << 4 | (unsigned)h;
			i++;
		}
		if (i < n && s[i] == '.') {
			if (nb > 12 || !parse_v4(s + start, n - start, b + nb))
				return false;
			nb += 4;
			break;
		}
		if (digits == 0 || nb == 16)
			return false;
		b[nb++] = (unsigned char)(v >> 8);
		b[nb++] = (unsigned char)v;
		if (i == n)
			break;
		if (s[i] != ':' || ++i == n)
			return false;
		if (s[i] == ':') {
			if (gap >= 0)
				return false;
			gap = nb;
			i++;
		}
	}
	if (gap < 0) {
		if (nb != 16)
			return false;
		memcpy(out, b, 16);
		return true;
	}
	if (nb == 16) /* "::" must stand for at least one group */
		return false;
	int tail = nb - gap;
	memcpy(out, b, (size_t)gap);
	memset(out + gap, 0, (size_t)(16 - nb));
	memcpy(out + 16 - tail, b + gap, (size_t)tail);
	return true;
}

int parse_decimal(const char *s, size_t n, uint64_t max, unsigned flags, uint64_t *out)
{
	if (n == 0 || ((flags & DECIMAL_NO_LEADING_ZERO) && n > 1 && s[0] == '0'))
		return DECIMAL_BAD;
	uint64_t v = 0;
	bool big = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return DECIMAL_BAD;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > max / 10 || v * 10 + d > max)
			big = true; /* keep reading: junk later still makes it BAD */
		else
			v = v * 10 + d;
	}
	if (big)
		return DECIMAL_RANGE;
	*out = v;
	return 0;
}

/* A port: decimal 0..65535, leading zeros allowed (as getaddrinfo takes
 * a numeric service). Out of range only when every character is a digit. */
int text_parse_port(const char *s, size_t n, unsigned *port)
{
	uint64_t v;
	int rc = parse_decimal(s, n, 65535, 0, &v);
	if (rc != 0)
		return rc == DECIMAL_RANGE ? ANYSOCK_E_PORTRANGE : ANYSOCK_E_PORT;
	*port = (unsigned)v;
	return 0;
}

/* An interface name or a decimal index (RFC 4007 section 11). */
static int parse_scope(const char *s, size_t n, unsigned flags, uint32_t *scope)
{
	if (n == 0)
		return ANYSOCK_E_SCOPE;
	if (s[0] >= '0' && s[0] <= '9') { /* an index: any 32-bit number */
		uint64_t v;
		if (parse_decimal(s, n, UINT32_MAX, 0, &v) != 0)
			return ANYSOCK_E_SCOPE;
		*scope = (uint32_t)v;
		return 0;
	}
	if ((flags & ANYSOCK_PTON_NUMERIC_SCOPE) || n >= IF_NAMESIZE ||
	    memchr(s, '\0', n) != NULL)
		return ANYSOCK_E_SCOPE;
	char name[IF_NAMESIZE];
	memcpy(name, s, n);
	name[n] = '\0';
	unsigned index = if_nametoindex(name);
	if (index == 0)
		return ANYSOCK_E_SCOPE;
	*scope = index;
	return 0;
}

/* What a parse found, before it is stored. */
struct parsed {
	int family;
	unsigned char ip[16];
	uint32_t scope;
	unsigned port;
	bool has_port;
};

/* Why s[0..n) is not an address of the family: a stray bracket, a separator
 * and junk after a valid address, a scope on IPv4, or just a bad address. */
static int why_not(const char *s, size_t n, int family)
{
	if (memchr(s, ']', n) != NULL || memchr(s, '[', n) != NULL)
		return ANYSOCK_E_BRACKET;
	const char *allowed = family == AF_INET ? "0123456789." : "0123456789abcdefABCDEF:.";
	size_t span = 0;
	while (span < n && s[span] != '\0' && strchr(allowed, s[span]) != NULL)
		span++;
	unsigned char tmp[16];
	bool prefix_ok = family == AF_INET ? parse_v4(s, span, tmp) : parse_v6(s, span, tmp);
	if (span == n || !prefix_ok)
		return ANYSOCK_E_ADDR;
	if (s[span] == '%') /* only IPv4 gets here with a scope */
		return ANYSOCK_E_SCOPE;
	/* "::1/64", "1.2.3.4 " end a good address; "::1x", "0x1.2.3.4" do not. */
	return isalnum((unsigned char)s[span]) ? ANYSOCK_E_ADDR : ANYSOCK_E_TRAILING;
}

/* "v6" or "v6%scope", the whole of s[0..n). */
static int parse_v6_scoped(const char *s, size_t n, unsigned flags, struct parsed *p)
{
	const char *pct = memchr(s, '%', n);
	size_t addr_len = pct != NULL ? (size_t)(pct - s) : n;
	if (!parse_v6(s, addr_len, p->ip))
		return why_not(s, n, AF_INET6);
	p->family = AF_INET6;
	if (pct == NULL)
		return 0;
	return parse_scope(pct + 1, n - addr_len - 1, flags, &p->scope);
}

/* "[v6]", "[v6]:port", "[v6%scope]:port". */
static int parse_bracketed(const char *s, size_t n, unsigned flags, struct parsed *p)
{
	const char *close = memchr(s, ']', n);
	if (close == NULL)
		return ANYSOCK_E_BRACKET;
	size_t inner = (size_t)(close - s) - 1;
	unsigned char v4[4];
	if (parse_v4(s + 1, inner, v4)) /* brackets are for IPv6 (RFC 3986 3.2.2) */
		return ANYSOCK_E_BRACKET;
	int err = parse_v6_scoped(s + 1, inner, flags, p);
	if (err < 0)
		return err;
	size_t rest = n - inner - 2;
	if (rest == 0)
		return 0;
	if (close[1] != ':')
		return ANYSOCK_E_TRAILING;
	p->has_port = true;
	return text_parse_port(close + 2, rest - 1, &p->port);
}

/* "a.b.c.d", "a.b.c.d:port" or a bare IPv6 address with optional scope. */
static int parse_bare(const char *s, size_t n, unsigned flags, struct parsed *p)
{
	const char *colon = memchr(s, ':', n);
	size_t v4_len = colon != NULL ? (size_t)(colon - s) : n;
	int err = 0;
	if (parse_v4(s, v4_len, p->ip)) {
		p->family = AF_INET;
		if (colon == NULL)
			return 0;
		p->has_port = true;
		/* A good port has no ':', so success means there was one colon. */
		err = text_parse_port(colon + 1, n - v4_len - 1, &p->port);
		if (err == 0)
			return 0;
	}
	/* Valid IPv6 text has at least two colons, so a one-colon text is
	 * judged as "v4:port". */
	if (colon == NULL || memchr(colon + 1, ':', n - v4_len - 1) == NULL)
		return err < 0 ? err : why_not(s, v4_len, AF_INET);
	p->has_port = false;
	return parse_v6_scoped(s, n, flags, p);
}

/* Only the family's own bytes are written; the rest of *out is not ours
 * to care about (len says where the address ends). */
static void store(const struct parsed *p, anysock_addr *out, unsigned flags)
{
	bool unmap = (flags & ANYSOCK_PTON_UNMAP) && p->family == AF_INET6 &&
		     bytes_are_mapped(p->ip);
	if (p->family == AF_INET || unmap) {
		struct sockaddr_in *sin = &out->u.sin;
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p->port);
		memcpy(&sin->sin_addr, p->family == AF_INET ? p->ip : p->ip + 12, 4);
		out->len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = &out->u.sin6;
		memset(sin6, 0, sizeof(*sin6));
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p->port);
		memcpy(sin6->sin6_addr.s6_addr, p->ip, 16);
		sin6->sin6_scope_id = p->scope;
		out->len = sizeof(*sin6);
	}
}

int anysock_pton_n(const char *text, size_t len, anysock_addr *out, unsigned flags)
{
	if (text == NULL || out == NULL)
		return -EINVAL;
	if (len == 0)
		return ANYSOCK_E_EMPTY;
	struct parsed p = { .family = AF_UNSPEC };
	int err = text[0] == '[' ? parse_bracketed(text, len, flags, &p)
				 : parse_bare(text, len, flags, &p);
	if (err < 0)
		return err;
	if (p.has_port && (flags & ANYSOCK_PTON_NOPORT))
		return ANYSOCK_E_PORTGIVEN;
	if (!p.has_port && (flags & ANYSOCK_PTON_PORT))
		return ANYSOCK_E_NOPORT;
	store(&p, out, flags);
	return 0;
}

int anysock_pton(const char *text, anysock_addr *out, unsigned flags)
{
	if (text == NULL)
		return -EINVAL;
	return anysock_pton_n(text, strlen(text), out, flags);
}
