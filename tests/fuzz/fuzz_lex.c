/*
 * fuzz_lex.c - libFuzzer target: anysock-port's C and C++ lexer
 * (tools/port/lex.c), which reads whatever file it is pointed at.
 *
 * The input is a file, copied to a buffer of exactly its size and the NUL
 * lex() wants after it (ASan sees any read past them). Oracles: every
 * token lies inside the file, is not empty, starts after the previous one
 * ends, and is where line_of() says (lines counted by newlines before it,
 * columns by bytes since the last one, as an editor counts); an
 * identifier is identifier characters, and tok_is() knows it by its text
 * without the splices; an opening bracket's match is its closing one, and
 * says so back; a suppression lies inside the file.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/port/lex.h"

#include "fuzz.h"

static bool ident_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || c >= 0x80;
}

/* The token's text without backslash-newline splices, or NULL if too long. */
static const char *unspliced(const char *text, size_t len, char *out, size_t size)
{
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\\' && i + 1 < len && text[i + 1] == '\n') {
			i++;
			continue;
		}
		if (text[i] == '\\' && i + 2 < len && text[i + 1] == '\r' && text[i + 2] == '\n') {
			i += 2;
			continue;
		}
		if (k + 1 >= size)
			return NULL;
		out[k++] = text[i];
	}
	out[k] = '\0';
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1); /* lex() wants a NUL after the text */
	require(buf != NULL, "malloc");
	memcpy(buf, data, size);
	buf[size] = '\0';
	struct lexed l;
	memset(&l, 0, sizeof(l));
	require(lex(buf, size, &l) == 0, "out of memory");
	size_t end_of_last = 0, counted = 0, line_start = 0;
	unsigned lines = 1;
	struct linepos pos = { 0, 1, 0 };
	for (size_t i = 0; i < l.n; i++) {
		const struct token *t = &l.tok[i];
		require(t->len > 0 && t->off >= end_of_last && (size_t)t->off + t->len <= size,
			"token %zu at %u, length %u", i, t->off, t->len);
		end_of_last = (size_t)t->off + t->len;
		for (; counted < t->off; counted++)
			if (buf[counted] == '\n') {
				lines++;
				line_start = counted + 1;
			}
		unsigned line, col;
		line_of(&l, t->off, &pos, &line, &col);
		require(line == lines && col == t->off - line_start + 1,
			"token %zu at %u is at %u:%zu, it says %u:%u", i, t->off, lines,
			t->off - line_start + 1, line, col);
		char text[256];
		if (t->kind == TOK_IDENT &&
		    unspliced(buf + t->off, t->len, text, sizeof(text)) != NULL) {
			for (const char *p = text; *p != '\0'; p++)
				require(ident_char((unsigned char)*p), "identifier %zu: \"%s\"", i,
					text);
			require(tok_is(&l, t, text), "tok_is does not know identifier \"%s\"",
				text);
		}
		char c = buf[t->off];
		if (t->kind == TOK_PUNCT && t->len == 1 && (c == '(' || c == '{') &&
		    t->aux != NO_MATCH) {
			require(t->aux > i && t->aux < l.n, "token %zu: its match %u", i, t->aux);
			const struct token *m = &l.tok[t->aux];
			require(m->kind == TOK_PUNCT && buf[m->off] == (c == '(' ? ')' : '}') &&
					m->aux == i,
				"token %zu '%c': its match %u is not its closing one", i, c,
				t->aux);
		}
	}
	for (size_t i = 0; i < l.nsup; i++)
		require(l.sup[i].off <= size, "suppression at %u", l.sup[i].off);
	lexed_free(&l);
	free(buf);
	return 0;
}
