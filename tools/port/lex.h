/*
 * lex.h - a C and C++ lexer for anysock-port: just enough of translation
 * phases 1-3 (line splices, comments, literals, preprocessing lines) that
 * a rule sees tokens, never raw text.
 * SPDX-License-Identifier: MIT
 */
#ifndef PORT_LEX_H
#define PORT_LEX_H

#include <stdbool.h>
#include <stddef.h>

enum tok_kind { TOK_IDENT, TOK_NUMBER, TOK_STRING, TOK_CHAR, TOK_PUNCT };

struct token {
	enum tok_kind kind;
	const char *text; /* into the file's buffer (a splice may sit inside) */
	size_t len;
	unsigned line, col; /* where it starts, 1-based, as an editor counts */
	bool directive;     /* on a preprocessing line (#define, #if, ...) */
	bool include;       /* the header name of an #include */
	bool spliced;       /* a backslash-newline inside it */
};

/* A comment that says "anysock-port: ignore RULE[,RULE...]". */
struct suppression {
	unsigned line;
	char rules[128];
};

struct lexed {
	struct token *tok;
	size_t n, cap;
	struct suppression *sup;
	size_t nsup, capsup;
	/* what the lexer could not finish (an unterminated comment, say): the
	 * first such problem, reported once per file */
	const char *problem;
	unsigned problem_line;
};

/* Room for element n of an array of capacity *cap (doubling): the array,
 * maybe moved, or NULL when out of memory (the old one still valid). */
void *grow(void *items, size_t *cap, size_t n, size_t size);

/* Tokens of buf[0..len). 0, or -1 when out of memory. */
int lex(const char *buf, size_t len, struct lexed *out);
void lexed_free(struct lexed *l);

/* Whether token t is the identifier or punctuator s. Identifiers are
 * compared whole: "my_inet_addr" is not "inet_addr". */
bool tok_is(const struct token *t, const char *s);

#endif
