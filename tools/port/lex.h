/*
 * lex.h - a C and C++ lexer for anysock-port: just enough of translation
 * phases 1-4 (line splices, comments, literals, preprocessing lines and
 * conditional groups) that a rule sees tokens, never raw text.
 *
 * It is the part of the checker that reads every byte, so it is built for
 * speed: one pass, a table per byte class, splices handled only where a
 * backslash appears, no line counting (a finding's line is counted from
 * its offset at the end), the words of words.h marked as they are read,
 * and the tokens of a function with none of them dropped when it ends.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef PORT_LEX_H
#define PORT_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "words.h"

enum tok_kind { TOK_IDENT, TOK_NUMBER, TOK_STRING, TOK_CHAR, TOK_PUNCT };

#define TF_DIRECTIVE 0x01u /* on a preprocessing line (#define, #if, ...) */
#define TF_INCLUDE 0x02u   /* the header name of an #include */
#define TF_SPLICED 0x04u   /* a backslash-newline inside it */
#define TF_QUIET 0x08u     /* in #if 0, or in the group a build without IPv6 takes */
#define TF_DEAD 0x10u      /* in #if 0: not code at all */
#define TF_TEST 0x20u      /* on an #if, #ifdef, #ifndef or #elif line: a feature test */
#define TF_NOAI 0x40u      /* in the group a build without getaddrinfo takes */

#define NO_MATCH UINT32_MAX

struct token {
	uint32_t off, len; /* bytes of the buffer (a splice may sit inside) */
	/* '(' '{' ')' '}': the index of the matching one (NO_MATCH if none);
	 * a W_STRING: its S_* bits */
	uint32_t aux;
	uint16_t word; /* enum word, W_NONE for most */
	uint8_t kind, flags;
};

/* A top-level brace block (a function body, a struct's members, an
 * initializer): tokens [open, close], close NO_MATCH at the end of a
 * file that never closes it; its marked tokens are hits [hit0, hit1). */
struct block {
	uint32_t open, close;
	uint32_t hit0, hit1;
};

/* A comment that says "anysock-port: ignore RULE[,RULE...]". */
struct suppression {
	uint32_t off;
	char rules[128];
};

struct lexed {
	const char *buf;
	size_t len;
	struct token *tok;
	size_t n, cap;
	uint32_t *hit; /* indices of the tokens with a word, in order */
	size_t nhit, caphit;
	struct block *blk;
	size_t nblk, capblk;
	struct suppression *sup;
	size_t nsup, capsup;
	/* what the lexer could not finish (an unterminated comment, say): the
	 * first such problem, reported once per file, at offset problem_off */
	const char *problem;
	size_t problem_off;
	/* the lexer's own scratch, kept for the next file */
	uint32_t *stack, *save;
	size_t capstack, capsave;
};

/* Room for element n of an array of capacity *cap (doubling): the array,
 * maybe moved, or NULL when out of memory (the old one still valid). */
void *grow(void *items, size_t *cap, size_t n, size_t size);

/* Tokens of buf[0..len) into l, whose arrays are reused from the last
 * call (zero it before the first; lexed_free at the end). buf[len] must be
 * '\0' (tool_read_file() ends its buffers so), and buf stay valid while l
 * is used. 0, or -1 when out of memory. */
int lex(const char *buf, size_t len, struct lexed *l);
void lexed_free(struct lexed *l);

/* Whether token t is the identifier or punctuator s. Identifiers are
 * compared whole: "my_inet_addr" is not "inet_addr". */
bool tok_is(const struct lexed *l, const struct token *t, const char *s);

/* Line and column (1-based, bytes, as an editor counts) of offset off:
 * counted from *pos, which the next call with a larger offset continues
 * from (start with { 0, 1, 0 }). */
struct linepos {
	size_t off;
	unsigned line;
	size_t line_start;
};
void line_of(const struct lexed *l, size_t off, struct linepos *pos, unsigned *line, unsigned *col);

#endif
