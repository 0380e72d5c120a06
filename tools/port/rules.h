/*
 * rules.h - what anysock-port looks for: one table, which the scanner,
 * --list-rules and the man page's list (checked by tests/port.sh) share.
 * SPDX-License-Identifier: MIT
 */
#ifndef PORT_RULES_H
#define PORT_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "lex.h"

struct rule {
	const char *id;
	bool heuristic;   /* judged from the code around it, not the token alone */
	const char *why;  /* the warning */
	const char *fix;  /* the note: the anysock call that replaces the shape */
	const char *when; /* NULL, or the shape where the note is alt instead */
	const char *alt;
};

extern const struct rule rules[];
extern const size_t nrules;

/* One finding: the rule, where (1-based, bytes), and which note. */
struct finding {
	size_t rule;
	unsigned line, col;
	bool alt;
	size_t off, seq, tok; /* for sorting */
};

/* Every finding in a lexed file, in order, suppressed ones left out;
 * enabled[r] says which rules run. Returns how many, or -1 when out of
 * memory; *out is the caller's to free. */
long find_all(const struct lexed *l, const bool *enabled, struct finding **out);

#endif
