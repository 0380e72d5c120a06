/*
 * fuzz_lex.c - libFuzzer target: anysock-port's C and C++ lexer
 * (tools/port/lex.c), which reads whatever file it is pointed at.
 *
 * The input is a file, copied to a buffer of exactly its size (ASan sees
 * any read past it). Oracles: every token lies inside the buffer, is not
 * empty, starts after the previous one ends, and is where its line and
 * column say (lines counted by newlines before it, columns by bytes since
 * the last one, as an editor counts); an identifier is identifier
 * characters, and tok_is() knows it by its text without the splices; a
 * suppression's line is a line of the file.
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/port/lex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond, ...)                                 \
	do {                                               \
		if (!(cond)) {                             \
			fprintf(stderr, __VA_ARGS__);      \
			fprintf(stderr, " (%s)\n", #cond); \
			abort();                           \
		}                                          \
	} while (0)

static bool ident_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '$' || c >= 0x80;
}

/* The token's text without backslash-newline splices, or NULL if too long. */
static const char *unspliced(const struct token *t, char *out, size_t size)
{
	size_t k = 0;
	for (size_t i = 0; i < t->len; i++) {
		if (t->text[i] == '\\' && i + 1 < t->len && t->text[i + 1] == '\n') {
			i++;
			continue;
		}
		if (t->text[i] == '\\' && i + 2 < t->len && t->text[i + 1] == '\r' &&
		    t->text[i + 2] == '\n') {
			i += 2;
			continue;
		}
		if (k + 1 >= size)
			return NULL;
		out[k++] = t->text[i];
	}
	out[k] = '\0';
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	require(buf != NULL, "malloc");
	memcpy(buf, data, size);
	struct lexed l;
	require(lex(buf, size, &l) == 0, "out of memory");
	const char *end_of_last = buf;
	unsigned lines = 1;
	const char *counted = buf, *line_start = buf;
	for (size_t i = 0; i < l.n; i++) {
		const struct token *t = &l.tok[i];
		require(t->len > 0 && t->text >= end_of_last && t->text + t->len <= buf + size,
			"token %zu at %td, length %zu", i, t->text - buf, t->len);
		end_of_last = t->text + t->len;
		for (; counted < t->text; counted++)
			if (*counted == '\n') {
				lines++;
				line_start = counted + 1;
			}
		require(t->line == lines && t->col == (unsigned)(t->text - line_start) + 1,
			"token %zu at %td says %u:%u, it is at %u:%td", i, t->text - buf, t->line,
			t->col, lines, t->text - line_start + 1);
		char text[256];
		if (t->kind == TOK_IDENT && unspliced(t, text, sizeof(text)) != NULL) {
			for (const char *p = text; *p != '\0'; p++)
				require(ident_char((unsigned char)*p), "identifier %zu: \"%s\"", i,
					text);
			require(tok_is(t, text), "tok_is does not know identifier \"%s\"", text);
		}
	}
	for (size_t i = 0; i < l.nsup; i++)
		require(l.sup[i].line >= 1 && l.sup[i].line <= lines + (unsigned)size,
			"suppression on line %u", l.sup[i].line);
	lexed_free(&l);
	free(buf);
	return 0;
}
