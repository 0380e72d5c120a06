/*
 * prefix.c - CIDR prefixes and access lists, blind to the mapped spelling.
 *
 * A prefix inside ::ffff:0:0/96 is the IPv4 prefix it spells, so
 * "::ffff:10.0.0.0/104" parses to exactly what "10.0.0.0/8" does, and every
 * containment test runs on 128-bit keys where a.b.c.d and ::ffff:a.b.c.d are
 * one key. A rule written for IPv4 therefore also catches the IPv4 client
 * that a dual-stack socket reports as ::ffff:a.b.c.d, and the other way
 * round: the bypass the "IPv4-Mapped Address API Considered Harmful" draft
 * warns about cannot happen here.
 *
 * SPDX-License-Identifier: MIT
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>

/* ------------------------------------------------------------------------ */
/* Prefixes                                                                 */
/* ------------------------------------------------------------------------ */

static unsigned max_len(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* Clear the bits of b (nbytes long) beyond len; true when any was set. */
static bool mask_bytes(unsigned char *b, size_t nbytes, unsigned len)
{
	bool had_host_bits = false;
	for (size_t i = 0; i < nbytes; i++) {
		unsigned keep = len >= 8 * (i + 1) ? 8 : len <= 8 * i ? 0 : len - 8 * (unsigned)i;
		unsigned char mask = (unsigned char)(0xff00u >> keep);
		if (b[i] & ~mask)
			had_host_bits = true;
		b[i] &= mask;
	}
	return had_host_bits;
}

/* The one stored form: mapped prefixes of length >= 96 become IPv4. */
static void canonical_prefix(anysock_prefix *p)
{
	if (p->family == AF_INET6 && p->len >= 96 && in6_is_mapped(&p->u.v6)) {
		struct in_addr v4;
		memcpy(&v4, p->u.v6.s6_addr + 12, 4);
		p->family = AF_INET;
		p->len -= 96;
		p->u.v4 = v4;
	}
}

void prefix_key(const anysock_prefix *p, struct key128 *start, int *len)
{
	if (p->family == AF_INET) {
		*start = key_from_v4((const unsigned char *)&p->u.v4);
		*len = (int)p->len + 96;
	} else {
		*start = key_from_bytes(p->u.v6.s6_addr);
		*len = (int)p->len;
	}
}

static bool key_in(struct key128 k, struct key128 start, int len)
{
	uint64_t mhi = len <= 0 ? 0 : len >= 64 ? UINT64_MAX : ~(UINT64_MAX >> len);
	uint64_t mlo = len <= 64 ? 0 : len >= 128 ? UINT64_MAX : ~(UINT64_MAX >> (len - 64));
	return (k.hi & mhi) == start.hi && (k.lo & mlo) == start.lo;
}

/* "/len": one to three decimal digits, no leading zero, at most max. */
static int parse_len(const char *s, size_t n, unsigned max, unsigned *len)
{
	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return ANYSOCK_E_PREFIXLEN;
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ANYSOCK_E_PREFIXLEN;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return ANYSOCK_E_PREFIXLEN;
	*len = v;
	return 0;
}

int anysock_prefix_parse_n(const char *text, size_t n, anysock_prefix *out, unsigned flags)
{
	if (text == NULL || out == NULL)
		return -EINVAL;
	if (n == 0)
		return ANYSOCK_E_EMPTY;
	const char *slash = memchr(text, '/', n);
	size_t alen = slash != NULL ? (size_t)(slash - text) : n;
	/* A prefix is a set of addresses: no port, no brackets, no zone. */
	if (memchr(text, '%', alen) != NULL)
		return ANYSOCK_E_SCOPE;
	if (memchr(text, '[', alen) != NULL || memchr(text, ']', alen) != NULL)
		return ANYSOCK_E_BRACKET;
	anysock_addr a;
	int err = anysock_pton_n(text, alen, &a, ANYSOCK_PTON_NOPORT);
	if (err < 0)
		return err;
	anysock_prefix p;
	memset(&p, 0, sizeof(p));
	p.family = a.u.sa.sa_family;
	if (p.family == AF_INET)
		p.u.v4 = a.u.sin.sin_addr;
	else
		p.u.v6 = a.u.sin6.sin6_addr;
	p.len = max_len(p.family);
	if (slash != NULL) {
		err = parse_len(slash + 1, n - alen - 1, max_len(p.family), &p.len);
		if (err < 0)
			return err;
	}
	unsigned char *bytes = p.family == AF_INET ? (unsigned char *)&p.u.v4 : p.u.v6.s6_addr;
	if (mask_bytes(bytes, p.family == AF_INET ? 4 : 16, p.len) &&
	    !(flags & ANYSOCK_PREFIX_MASK))
		return ANYSOCK_E_HOSTBITS;
	canonical_prefix(&p);
	*out = p;
	return 0;
}

int anysock_prefix_parse(const char *text, anysock_prefix *out, unsigned flags)
{
	if (text == NULL)
		return -EINVAL;
	return anysock_prefix_parse_n(text, strlen(text), out, flags);
}

int anysock_prefix_from_addr(anysock_prefix *out, const anysock_addr *a, unsigned len)
{
	if (out == NULL)
		return -EINVAL;
	int family = addr_check_ip(a);
	if (family < 0)
		return family;
	if (len > max_len(family))
		return -EINVAL;
	anysock_prefix p;
	memset(&p, 0, sizeof(p));
	p.family = family;
	p.len = len;
	if (family == AF_INET)
		p.u.v4 = a->u.sin.sin_addr;
	else
		p.u.v6 = a->u.sin6.sin6_addr;
	mask_bytes(family == AF_INET ? (unsigned char *)&p.u.v4 : p.u.v6.s6_addr,
		   family == AF_INET ? 4 : 16, len);
	canonical_prefix(&p);
	*out = p;
	return 0;
}

static bool prefix_ok(const anysock_prefix *p)
{
	return p != NULL && ((p->family == AF_INET && p->len <= 32) ||
			     (p->family == AF_INET6 && p->len <= 128));
}

bool anysock_prefix_contains(const anysock_prefix *p, const anysock_addr *a)
{
	int family = addr_check(a);
	if (!prefix_ok(p) || (family != AF_INET && family != AF_INET6))
		return false;
	struct key128 start;
	int len;
	prefix_key(p, &start, &len);
	return key_in(key_from_addr(a), start, len);
}

int anysock_prefix_ntop(const anysock_prefix *p, char *buf, size_t size)
{
	if (!prefix_ok(p) || buf == NULL)
		return -EINVAL;
	anysock_addr a;
	if (p->family == AF_INET)
		anysock_addr_from_in(&a, &p->u.v4, 0);
	else
		anysock_addr_from_in6(&a, &p->u.v6, 0, 0);
	char tmp[ANYSOCK_PREFIXSTRLEN];
	int n = anysock_ntop(&a, tmp, sizeof(tmp), ANYSOCK_NTOP_NOPORT);
	if (n < 0)
		return n;
	char *q = tmp + n;
	*q++ = '/';
	if (p->len >= 100)
		*q++ = (char)('0' + p->len / 100);
	if (p->len >= 10)
		*q++ = (char)('0' + p->len / 10 % 10);
	*q++ = (char)('0' + p->len % 10);
	size_t len = (size_t)(q - tmp);
	if (len >= size) {
		if (size > 0)
			buf[0] = '\0';
		return -ENOSPC;
	}
	memcpy(buf, tmp, len);
	buf[len] = '\0';
	return (int)len;
}

/* ------------------------------------------------------------------------ */
/* Access lists                                                             */
/* ------------------------------------------------------------------------ */

struct acl_rule {
	anysock_prefix prefix;
	unsigned line;
	int action;
};

struct anysock_acl {
	struct acl_rule *rules; /* one per prefix, in the order written */
	size_t n;
	int default_action;
	unsigned default_line;
	unsigned flags; /* ANYSOCK_CANON_* applied to every lookup */
	struct range_table table;
};

/* Limit on prefixes in one list: far above any real configuration, and
 * keeps rule indexes comfortably in 32 bits. */
#define ACL_MAX_RULES (1u << 24)

struct cursor {
	const char *s;
	size_t n, i, line_start;
	unsigned line;
	anysock_parse_error *err;
};

static int fail(struct cursor *c, size_t at, int code)
{
	if (c->err != NULL) {
		c->err->code = code;
		c->err->line = c->line;
		c->err->column = (unsigned)(at - c->line_start + 1);
	}
	return code;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static bool ends_statement(const struct cursor *c)
{
	return c->i == c->n || c->s[c->i] == '\n' || c->s[c->i] == ';' || c->s[c->i] == '#';
}

static void skip_blanks(struct cursor *c)
{
	while (c->i < c->n && is_blank(c->s[c->i]))
		c->i++;
}

/* A word: up to a blank, a comma or the end of the statement. */
static size_t word(struct cursor *c)
{
	size_t from = c->i;
	while (!ends_statement(c) && !is_blank(c->s[c->i]) && c->s[c->i] != ',')
		c->i++;
	return c->i - from;
}

static bool word_is(const struct cursor *c, size_t from, size_t len, const char *kw)
{
	return strlen(kw) == len && memcmp(c->s + from, kw, len) == 0;
}

/* "allow" / "deny" as an action, -1 for anything else. */
static int action_of(const struct cursor *c, size_t from, size_t len)
{
	if (word_is(c, from, len, "allow"))
		return ANYSOCK_ACL_ALLOW;
	if (word_is(c, from, len, "deny"))
		return ANYSOCK_ACL_DENY;
	return -1;
}

static int add_rule(anysock_acl *acl, size_t *cap, const anysock_prefix *p,
		    unsigned line, int action)
{
	if (acl->n == ACL_MAX_RULES)
		return -E2BIG;
	if (acl->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct acl_rule *r = realloc(acl->rules, ncap * sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
		acl->rules = r;
		*cap = ncap;
	}
	acl->rules[acl->n++] = (struct acl_rule){ *p, line, action };
	return 0;
}

/* "allow|deny PREFIX[[,] PREFIX...]", the action word already read. */
static int parse_rule(struct cursor *c, anysock_acl *acl, size_t *cap, int action,
		      unsigned flags)
{
	bool need = true; /* a prefix must come: at the start, after a comma */
	for (;;) {
		skip_blanks(c);
		if (ends_statement(c)) {
			if (need)
				return fail(c, c->i, ANYSOCK_E_SYNTAX);
			return 0;
		}
		if (c->s[c->i] == ',') {
			if (need)
				return fail(c, c->i, ANYSOCK_E_SYNTAX);
			c->i++;
			need = true;
			continue;
		}
		size_t from = c->i, len = word(c);
		anysock_prefix p;
		int err = anysock_prefix_parse_n(c->s + from, len, &p, flags & ANYSOCK_PREFIX_MASK);
		if (err < 0) {
			const char *slash = memchr(c->s + from, '/', len);
			size_t at = err == ANYSOCK_E_PREFIXLEN && slash != NULL
					    ? (size_t)(slash - c->s) + 1 : from;
			return fail(c, at, err);
		}
		err = add_rule(acl, cap, &p, c->line, action);
		if (err < 0)
			return fail(c, from, err);
		need = false;
	}
}

/* "default allow|deny", the word "default" already read. */
static int parse_default(struct cursor *c, anysock_acl *acl, size_t at)
{
	if (acl->default_line != 0)
		return fail(c, at, ANYSOCK_E_DUPDEFAULT);
	skip_blanks(c);
	size_t from = c->i, len = word(c);
	int action = action_of(c, from, len);
	if (action < 0)
		return fail(c, from, ANYSOCK_E_SYNTAX);
	skip_blanks(c);
	if (!ends_statement(c))
		return fail(c, c->i, ANYSOCK_E_SYNTAX);
	acl->default_action = action;
	acl->default_line = c->line;
	return 0;
}

static int parse_acl(struct cursor *c, anysock_acl *acl, unsigned flags)
{
	size_t cap = 0;
	while (c->i < c->n) {
		char ch = c->s[c->i];
		if (is_blank(ch) || ch == ';') {
			c->i++;
		} else if (ch == '\n') {
			c->i++;
			c->line++;
			c->line_start = c->i;
		} else if (ch == '#') {
			while (c->i < c->n && c->s[c->i] != '\n')
				c->i++;
		} else if (ch == '\0') {
			return fail(c, c->i, ANYSOCK_E_SYNTAX); /* only in _n text */
		} else {
			size_t from = c->i, len = word(c);
			int action = action_of(c, from, len);
			int err;
			if (action >= 0)
				err = parse_rule(c, acl, &cap, action, flags);
			else if (word_is(c, from, len, "default"))
				err = parse_default(c, acl, from);
			else
				err = fail(c, from, ANYSOCK_E_SYNTAX);
			if (err < 0)
				return err;
		}
	}
	if (acl->default_line == 0) {
		if (c->err != NULL)
			*c->err = (anysock_parse_error){ ANYSOCK_E_NODEFAULT, 0, 0 };
		return ANYSOCK_E_NODEFAULT;
	}
	return 0;
}

static int build_table(anysock_acl *acl)
{
	struct range_input *in = malloc((acl->n ? acl->n : 1) * sizeof(*in));
	if (in == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < acl->n; i++) {
		prefix_key(&acl->rules[i].prefix, &in[i].start, &in[i].len);
		in[i].value = (int32_t)i;
		in[i].rank = (uint32_t)i; /* first match wins */
	}
	int err = ranges_build(&acl->table, in, acl->n);
	free(in);
	return err;
}

#define ACL_FLAGS (ANYSOCK_PREFIX_MASK | ANYSOCK_CANON_COMPATIBLE | ANYSOCK_CANON_NAT64)

int anysock_acl_parse_n(const char *text, size_t len, unsigned flags, anysock_acl **out,
			anysock_parse_error *err)
{
	if (err != NULL)
		*err = (anysock_parse_error){ 0, 0, 0 };
	if (text == NULL || out == NULL || (flags & ~ACL_FLAGS)) {
		if (err != NULL)
			err->code = -EINVAL;
		return -EINVAL;
	}
	anysock_acl *acl = calloc(1, sizeof(*acl));
	if (acl == NULL) {
		if (err != NULL)
			err->code = -ENOMEM;
		return -ENOMEM;
	}
	acl->flags = flags & (ANYSOCK_CANON_COMPATIBLE | ANYSOCK_CANON_NAT64);
	struct cursor c = { text, len, 0, 0, 1, err };
	int rc = parse_acl(&c, acl, flags);
	if (rc == 0) {
		rc = build_table(acl);
		if (rc < 0 && err != NULL)
			err->code = rc;
	}
	if (rc < 0) {
		anysock_acl_free(acl);
		return rc;
	}
	*out = acl;
	return 0;
}

int anysock_acl_parse(const char *text, unsigned flags, anysock_acl **out,
		      anysock_parse_error *err)
{
	return anysock_acl_parse_n(text, text != NULL ? strlen(text) : 0, flags, out, err);
}

void anysock_acl_free(anysock_acl *acl)
{
	if (acl == NULL)
		return;
	ranges_free(&acl->table);
	free(acl->rules);
	free(acl);
}

int anysock_acl_check(const anysock_acl *acl, const anysock_addr *a, unsigned *line)
{
	if (acl == NULL)
		return -EINVAL;
	int family = addr_check_ip(a);
	if (family < 0)
		return family;
	unsigned char v4[4];
	struct key128 k = family == AF_INET6 && acl->flags != 0 &&
					  bytes_canonical_v4(a->u.sin6.sin6_addr.s6_addr, acl->flags, v4)
				  ? key_from_v4(v4)
				  : key_from_addr(a);
	int32_t r = ranges_lookup(&acl->table, k);
	if (line != NULL)
		*line = r < 0 ? acl->default_line : acl->rules[r].line;
	return r < 0 ? acl->default_action : acl->rules[r].action;
}

int anysock_acl_count(const anysock_acl *acl)
{
	return acl != NULL ? (int)acl->n : -EINVAL;
}

int anysock_acl_rule(const anysock_acl *acl, int i, anysock_prefix *prefix, unsigned *line)
{
	if (acl == NULL)
		return -EINVAL;
	if (i == -1) {
		if (line != NULL)
			*line = acl->default_line;
		return acl->default_action;
	}
	if (i < 0 || (size_t)i >= acl->n)
		return -ERANGE;
	if (prefix != NULL)
		*prefix = acl->rules[i].prefix;
	if (line != NULL)
		*line = acl->rules[i].line;
	return acl->rules[i].action;
}
