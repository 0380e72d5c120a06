/*
 * lex.c - tokens of a C or C++ file for anysock-port.
 *
 * One pass over the bytes, with backslash-newline splices skipped where
 * they stand (so a token's line and column are where an editor shows it).
 * Comments and literals are consumed whole; nothing in them becomes a
 * token but the literal itself, so no rule fires on text in a comment or
 * a string. Malformed input (an unterminated comment or literal, stray
 * bytes, NULs) never stops the scan: it is noted and the lexer goes on.
 *
 * SPDX-License-Identifier: MIT
 */
#include "lex.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cursor {
	const char *s;
	size_t n, i;
	unsigned line, col;
	struct lexed *out;
	bool line_start; /* only blanks so far on this line */
	bool directive, include_next;
};

/* Skip any backslash-newline splices at the cursor. */
static void splice(struct cursor *c)
{
	for (;;) {
		if (c->i + 1 < c->n && c->s[c->i] == '\\' && c->s[c->i + 1] == '\n') {
			c->i += 2;
		} else if (c->i + 2 < c->n && c->s[c->i] == '\\' && c->s[c->i + 1] == '\r' &&
			   c->s[c->i + 2] == '\n') {
			c->i += 3;
		} else {
			return;
		}
		c->line++;
		c->col = 1;
	}
}

static int peek(struct cursor *c)
{
	splice(c);
	return c->i < c->n ? (unsigned char)c->s[c->i] : -1;
}

/* The character after the current one (splices skipped), without moving. */
static int peek2(struct cursor *c)
{
	struct cursor save = *c;
	save.i++;
	save.col++;
	int ch = peek(&save);
	return ch;
}

static void advance(struct cursor *c)
{
	if (c->i >= c->n)
		return;
	if (c->s[c->i] == '\n') {
		c->line++;
		c->col = 1;
		c->line_start = true;
		c->directive = false;
	} else {
		c->col++;
	}
	c->i++;
}

static void problem(struct cursor *c, const char *what, unsigned line)
{
	if (c->out->problem == NULL) {
		c->out->problem = what;
		c->out->problem_line = line;
	}
}

static bool ident_start(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '$' ||
	       ch >= 0x80;
}

static bool ident_char(int ch)
{
	return ident_start(ch) || (ch >= '0' && ch <= '9');
}

static int emit(struct cursor *c, enum tok_kind kind, size_t from, unsigned line, unsigned col)
{
	struct lexed *l = c->out;
	struct token *t = grow(l->tok, &l->cap, l->n, sizeof(*t));
	if (t == NULL)
		return -1;
	l->tok = t;
	l->tok[l->n++] = (struct token){ kind, c->s + from, c->i - from, line, col, c->directive,
					 c->include_next && kind != TOK_IDENT, c->line != line };
	return 0;
}

/* "anysock-port: ignore a,b" in a comment's text: remember for its line. */
static int note_suppression(struct cursor *c, size_t from, size_t to, unsigned line)
{
	static const char key[] = "anysock-port: ignore";
	const char *p = c->s + from, *end = c->s + to;
	for (; p + sizeof(key) - 1 <= end; p++) {
		if (memcmp(p, key, sizeof(key) - 1) != 0)
			continue;
		p += sizeof(key) - 1;
		struct lexed *l = c->out;
		struct suppression *all = grow(l->sup, &l->capsup, l->nsup, sizeof(*all));
		if (all == NULL)
			return -1;
		l->sup = all;
		struct suppression *s = &l->sup[l->nsup++];
		s->line = line;
		size_t k = 0;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		while (p < end && k + 1 < sizeof(s->rules) &&
		       (ident_char((unsigned char)*p) || *p == '-' || *p == ','))
			s->rules[k++] = *p++;
		s->rules[k] = '\0';
		return 0;
	}
	return 0;
}

static int block_comment(struct cursor *c)
{
	unsigned line = c->line;
	size_t from = c->i;
	advance(c); /* '/' */
	advance(c); /* '*' */
	for (;;) {
		int ch = peek(c);
		if (ch < 0) {
			problem(c, "unterminated comment", line);
			return note_suppression(c, from, c->i, line);
		}
		if (ch == '*' && peek2(c) == '/') {
			advance(c);
			advance(c);
			return note_suppression(c, from, c->i, line);
		}
		advance(c);
	}
}

static int line_comment(struct cursor *c)
{
	unsigned line = c->line;
	size_t from = c->i;
	while (peek(c) >= 0 && peek(c) != '\n')
		advance(c);
	return note_suppression(c, from, c->i, line);
}

/* A string or character literal (the prefix, L u U u8, already read). */
static int literal(struct cursor *c, size_t from, unsigned line, unsigned col)
{
	int quote = peek(c);
	advance(c);
	for (;;) {
		int ch = peek(c);
		if (ch < 0 || ch == '\n') {
			problem(c, quote == '"' ? "unterminated string" : "unterminated character constant",
				line);
			break;
		}
		advance(c);
		if (ch == quote)
			break;
		if (ch == '\\' && peek(c) >= 0 && peek(c) != '\n')
			advance(c);
	}
	return emit(c, quote == '"' ? TOK_STRING : TOK_CHAR, from, line, col);
}

/* #include <header>: the name is one token, so nothing in it is lexed. */
static int header_name(struct cursor *c, unsigned line, unsigned col)
{
	size_t from = c->i;
	while (peek(c) >= 0 && peek(c) != '>' && peek(c) != '\n')
		advance(c);
	if (peek(c) == '>')
		advance(c);
	return emit(c, TOK_STRING, from, line, col);
}

static int punct(struct cursor *c, unsigned line, unsigned col)
{
	size_t from = c->i;
	int ch = peek(c);
	advance(c);
	int next = peek(c);
	if ((ch == '-' && next == '>') || (ch == '=' && next == '=') || (ch == '!' && next == '=') ||
	    (ch == '&' && next == '&') || (ch == '|' && next == '|') || (ch == ':' && next == ':'))
		advance(c);
	if (ch == '#' && c->line_start)
		c->directive = true;
	c->line_start = false;
	return emit(c, TOK_PUNCT, from, line, col);
}

static int token(struct cursor *c)
{
	int ch = peek(c);
	unsigned line = c->line, col = c->col;
	size_t from = c->i;
	if (ch == '/' && peek2(c) == '*')
		return block_comment(c);
	if (ch == '/' && peek2(c) == '/')
		return line_comment(c);
	if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v' || ch == '\n' ||
	    ch == 0) {
		advance(c);
		return 0;
	}
	if (ch == '"' || ch == '\'')
		return literal(c, from, line, col);
	if (ch == '<' && c->include_next) {
		c->include_next = false;
		return header_name(c, line, col);
	}
	if (ident_start(ch)) {
		while (ident_char(peek(c)))
			advance(c);
		if (peek(c) == '"' || peek(c) == '\'') { /* L"", u8"", U'' */
			size_t len = c->i - from;
			if ((len == 1 && strchr("LuU", c->s[from]) != NULL) ||
			    (len == 2 && memcmp(c->s + from, "u8", 2) == 0))
				return literal(c, from, line, col);
		}
		bool was_directive_start = c->directive && c->out->n > 0 &&
					   tok_is(&c->out->tok[c->out->n - 1], "#");
		c->line_start = false;
		int rc = emit(c, TOK_IDENT, from, line, col);
		if (rc == 0 && was_directive_start) {
			const struct token *t = &c->out->tok[c->out->n - 1];
			c->include_next = tok_is(t, "include") || tok_is(t, "include_next") ||
					  tok_is(t, "import");
		}
		return rc;
	}
	if (ch >= '0' && ch <= '9') {
		while (ident_char(peek(c)) || peek(c) == '.' || peek(c) == '\'' ||
		       ((peek(c) == '+' || peek(c) == '-') &&
			strchr("eEpP", c->s[c->i - 1]) != NULL))
			advance(c);
		c->line_start = false;
		return emit(c, TOK_NUMBER, from, line, col);
	}
	return punct(c, line, col);
}

void *grow(void *items, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return items;
	size_t ncap = *cap ? 2 * *cap : 64;
	if (ncap > SIZE_MAX / size)
		return NULL;
	void *p = realloc(items, ncap * size);
	if (p != NULL)
		*cap = ncap;
	return p;
}

int lex(const char *buf, size_t len, struct lexed *out)
{
	memset(out, 0, sizeof(*out));
	struct cursor c = { buf, len, 0, 1, 1, out, true, false, false };
	while (peek(&c) >= 0) {
		bool was_include = c.include_next;
		unsigned line = c.line;
		if (token(&c) < 0)
			return -1;
		if (was_include && c.line != line)
			c.include_next = false; /* #include MACRO, or a broken line */
	}
	return 0;
}

void lexed_free(struct lexed *l)
{
	free(l->tok);
	free(l->sup);
	memset(l, 0, sizeof(*l));
}

bool tok_is(const struct token *t, const char *s)
{
	if (t->len == 0 || t->text[0] != s[0])
		return false; /* most calls end here (a splice is never first) */
	size_t n = strlen(s);
	if (!t->spliced)
		return t->len == n && memcmp(t->text, s, n) == 0;
	/* A splice inside the token: compare without the backslash-newlines. */
	size_t k = 0;
	for (size_t i = 0; i < t->len; i++) {
		if (t->text[i] == '\\' && i + 1 < t->len && t->text[i + 1] == '\n') {
			i++;
			continue;
		}
		if (k >= n || t->text[i] != s[k])
			return false;
		k++;
	}
	return k == n;
}
