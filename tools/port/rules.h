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
	bool heuristic; /* judged from the function around it, not the token alone */
	const char *why; /* the warning */
	const char *fix; /* the note: the anysock call or idiom, and its page */
};

extern const struct rule rules[];
extern const size_t nrules;

/* One finding: rule index and the token it points at. */
struct finding {
	size_t rule;
	unsigned line, col;
};

/* Every finding in a lexed file, in order, suppressed ones left out;
 * enabled[r] says which rules run. Returns how many, or -1 when out of
 * memory; *out is the caller's to free. */
long find_all(const struct lexed *l, const bool *enabled, struct finding **out);

/* Whether the table of trigger words is sorted, as its search needs. */
bool rules_sorted(void);

#endif
