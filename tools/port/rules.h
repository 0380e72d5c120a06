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

/* What a finding still needs from the other files of its program (the
 * files of one directory): a listener in one file and its peers printed
 * in another are one program's shape. */
#define NEED_NO_V6ONLY 0x1u /* no file sets IPV6_V6ONLY */
#define NEED_MAPPED 0x2u    /* a listener takes IPv4 clients as mapped */
#define NEED_PRINTER 0x4u   /* callee prints an address (inet_ntop inside) */
#define NEED_CONNECTER 0x8u /* callee connects the address it is given */

/* One finding: the rule, where (1-based, bytes), and which note. */
struct finding {
	size_t rule;
	unsigned line, col;
	bool alt;
	size_t off, seq, tok; /* for sorting */
	unsigned need;        /* NEED_* */
	char callee[32];      /* NEED_PRINTER, NEED_CONNECTER: the function called */
};

/* Names of the program's own functions. */
struct functions {
	char (*name)[32];
	size_t n, cap;
};

/* What the files of one program said about themselves so far. */
struct program {
	bool v6only_any, v6only_on, v6only_off, v6_listener;
	struct functions printers;   /* whose body prints an address it is given */
	struct functions connecters; /* whose body connects an address it is given */
};

/* Every finding in a lexed file, in order, suppressed ones left out;
 * enabled[r] says which rules run; the file's facts are added to *p.
 * Returns how many, or -1 when out of memory; *out is the caller's to
 * free. */
long find_all(const struct lexed *l, const bool *enabled, struct program *p, struct finding **out);

/* Whether finding f holds once the whole program p is known. */
bool program_keeps(const struct program *p, const struct finding *f);

/* Forget the program's facts (its arrays kept for the next). */
void program_reset(struct program *p);
void program_free(struct program *p);

#endif
