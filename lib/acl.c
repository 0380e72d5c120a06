/*
 * acl.c - allow/deny access lists: the grammar, and first-match lookups.
 *
 *     deny  10.66.0.0/16            # first match wins
 *     allow 10.0.0.0/8, ::1; deny fe80::/10
 *     default deny                  # required, exactly once
 *
 * Every prefix is stored canonical (prefix.c), so a rule written for IPv4
 * also catches the IPv4 client that a dual-stack socket reports as
 * ::ffff:a.b.c.d, and the other way round. The rules are flattened into
 * disjoint ranges (ranges.c) with the first rule as the winner where they
 * nest, so a check is one binary search whatever the number of rules.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "key128.h"
#include "prefix.h"
#include "ranges.h"

#include <errno.h>
#include <stdlib.h>

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
	struct acl_rule *r = array_grow(acl->rules, cap, acl->n, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	acl->rules = r;
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
