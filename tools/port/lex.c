/*
 * lex.c - tokens of a C or C++ file for anysock-port.
 *
 * One pass over the bytes. Comments and literals are consumed whole;
 * nothing in them becomes a token but the literal itself, so no rule fires
 * on text in a comment or a string. Malformed input (an unterminated
 * comment or literal, stray bytes, NULs) never stops the scan: it is noted
 * and the lexer goes on.
 *
 * Besides the tokens, the pass keeps what the rules need and could not
 * find as cheaply afterwards:
 *  - the words of words.h, marked by one hash lookup per identifier, and
 *    the list of their tokens (the hits): the rules start from those only;
 *  - matching parentheses and braces, and the top-level blocks (function
 *    bodies); the tokens of a block without a hit are dropped when it
 *    closes, so most of a large file never reaches the rules;
 *  - conditional groups: #if 0 is dead, and the group a build without IPv6
 *    takes (#ifndef USE_IPV6, the #else of #ifdef AF_INET6) is quiet. The
 *    brace depth is restored at each #else and #elif and, at #endif, set to
 *    what the first live group left, so a group that opens a brace its
 *    #else opens again does not unbalance the rest.
 *
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE /* memmem, memrchr */
#include "lex.h"

#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------------ */
/* The words                                                                */
/* ------------------------------------------------------------------------ */

/* clang-format off */
const unsigned char word_class[W_COUNT] = {
	0,
#define PORT_WORD_CLASS(id, text, cls) cls,
	PORT_WORDS(PORT_WORD_CLASS)
#undef PORT_WORD_CLASS
};

const char *const word_text[W_COUNT] = {
	"",
#define PORT_WORD_TEXT(id, text, cls) text,
	PORT_WORDS(PORT_WORD_TEXT)
#undef PORT_WORD_TEXT
};
/* clang-format on */

#define HASH_BITS 11u
#define HASH_SLOTS (1u << HASH_BITS) /* well above twice the words */

static uint16_t slots[HASH_SLOTS];
static unsigned char word_len[W_COUNT];
static uint32_t word_lengths[256]; /* bit n: a word of n bytes starts with this byte */

/* The slot of a name of len bytes (2 or more) from four of its bytes and
 * its length, not all of them: every name that passes word_lengths[] is
 * hashed, and a slot's word is compared whole anyway. */
static inline unsigned word_hash(const unsigned char *s, size_t len)
{
	uint32_t v = (uint32_t)s[1] | (uint32_t)s[len >> 1] << 8 | (uint32_t)s[len - 2] << 16 |
		     (uint32_t)s[len - 1] << 24;
	return ((v ^ (uint32_t)len * 0x9e3779b9u) * 0x85ebca6bu) >> (32 - HASH_BITS);
}

static void words_init(void)
{
	for (unsigned w = 1; w < W_COUNT; w++) {
		const unsigned char *p = (const unsigned char *)word_text[w];
		size_t len = strlen(word_text[w]);
		word_len[w] = (unsigned char)len;
		word_lengths[p[0]] |= 1u << len;
		unsigned k = word_hash(p, len);
		while (slots[k] != 0)
			k = (k + 1) & (HASH_SLOTS - 1);
		slots[k] = (uint16_t)w;
	}
}

/* The word s[0..len) is, or W_NONE. */
static inline uint16_t word_of(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	if (len > 31 || !(word_lengths[u[0]] & (1u << len)))
		return W_NONE;
	for (unsigned k = word_hash(u, len);; k = (k + 1) & (HASH_SLOTS - 1)) {
		unsigned w = slots[k];
		if (w == 0)
			return W_NONE;
		if (word_len[w] == len && memcmp(word_text[w], s, len) == 0)
			return (uint16_t)w;
	}
}

/* ------------------------------------------------------------------------ */
/* Byte classes                                                             */
/* ------------------------------------------------------------------------ */

enum { C_PUNCT, C_BLANK, C_NL, C_ID, C_DIGIT, C_QUOTE, C_SLASH, C_BACKSLASH, C_DOT };

static unsigned char cls[256];
static bool ident_ch[256];
static bool plain_punct[256]; /* a punctuator that needs no more than emitting */
static bool pair_start[256];  /* the first of a two-character punctuator */

static void classes_init(void)
{
	for (unsigned c = 0; c < 256; c++) {
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			     c == '$' || c >= 0x80;
		bool digit = c >= '0' && c <= '9';
		ident_ch[c] = alpha || digit;
		cls[c] = alpha ? C_ID : digit ? C_DIGIT : C_PUNCT;
	}
	cls[' '] = cls['\t'] = cls['\r'] = cls['\f'] = cls['\v'] = cls[0] = C_BLANK;
	cls['\n'] = C_NL;
	cls['"'] = cls['\''] = C_QUOTE;
	cls['/'] = C_SLASH;
	cls['\\'] = C_BACKSLASH;
	cls['.'] = C_DOT;
	for (unsigned c = 0; c < 256; c++) {
		plain_punct[c] = cls[c] == C_PUNCT && strchr("#(){}<", (int)c) == NULL && c != 0;
		pair_start[c] = c != 0 && strchr("=!*/%^<>&|+-:", (int)c) != NULL;
	}
}

/* ------------------------------------------------------------------------ */
/* The lexer's state                                                        */
/* ------------------------------------------------------------------------ */

enum directive { D_NONE, D_OTHER, D_INCLUDE, D_IF, D_IFDEF, D_IFNDEF, D_ELIF, D_ELSE, D_ENDIF };

#define TRANSPARENT 0x80000000u /* a stack entry for extern "C" { or namespace x { */
#define PP_MAX 64

/* The structure as it stood at a point: the open brackets, the depth in
 * functions and where the current top-level block began. */
struct shape {
	size_t stack_at, stack_len; /* the open brackets, copied to the save area */
	unsigned depth;
	uint32_t open, hit0;
};

struct frame {
	struct shape before, after_first;
	bool have_after_first;
	bool live_seen; /* a group of this chain that is not #if 0 was met */
	int first_v6;   /* the chain's first condition: +1 IPv6 on, -1 off, 0 neither */
	int first_ai;   /* the same for getaddrinfo (HAVE_GETADDRINFO, HAVE_ADDRINFO) */
	unsigned flags; /* TF_QUIET, TF_DEAD of the current group */
};

struct state {
	const char *s;
	size_t n, i;
	struct lexed *l;
	size_t last_nl;       /* just past the last newline (or comment that held one) */
	bool directive;       /* on a preprocessing line */
	enum directive dkind; /* which one */
	size_t dtok;          /* index of its '#' */
	bool want_header;     /* after #include: <name> is one token */
	unsigned flags;       /* TF_QUIET | TF_DEAD for new tokens */
	/* structure */
	uint32_t *stack; /* open '(' and '{' (token indices, TRANSPARENT marks) */
	size_t sp, capstack;
	unsigned depth; /* open non-transparent braces */
	uint32_t open, hit0;
	/* conditional groups */
	struct frame pp[PP_MAX];
	int npp, lost; /* frames deeper than PP_MAX are counted, not kept */
	uint32_t *save;
	size_t nsave, capsave;
	/* suppressions: offsets of "anysock-port: ignore" in the buffer */
	const char *next_sup;
};

static void problem(struct state *st, const char *what, size_t off)
{
	if (st->l->problem == NULL) {
		st->l->problem = what;
		st->l->problem_off = off;
	}
}

void *grow(void *items, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return items;
	size_t ncap = *cap ? 2 * *cap : 256;
	if (ncap > SIZE_MAX / size)
		return NULL;
	void *p = realloc(items, ncap * size);
	if (p != NULL)
		*cap = ncap;
	return p;
}

#define PUSH(arr, n, cap, v)                                             \
	do {                                                             \
		void *grown_ = grow((arr), &(cap), (n), sizeof(*(arr))); \
		if (grown_ == NULL)                                      \
			return -1;                                       \
		(arr) = grown_;                                          \
		(arr)[(n)++] = (v);                                      \
	} while (0)

/* ------------------------------------------------------------------------ */
/* Structure: brackets, blocks                                              */
/* ------------------------------------------------------------------------ */

static bool text_is(const struct state *st, size_t t, const char *s)
{
	const struct token *k = &st->l->tok[t];
	size_t n = strlen(s);
	return k->len == n && memcmp(st->s + k->off, s, n) == 0;
}

/* A '{' at file scope that only wraps declarations: extern "C" {, and
 * namespace x { in C++. */
static bool transparent(const struct state *st, size_t t)
{
	const struct token *tok = st->l->tok;
	if (t >= 2 && tok[t - 1].kind == TOK_STRING && text_is(st, t - 2, "extern"))
		return true;
	if (t >= 1 && text_is(st, t - 1, "namespace"))
		return true;
	return t >= 2 && tok[t - 1].kind == TOK_IDENT && text_is(st, t - 2, "namespace");
}

static int open_block(struct state *st, uint32_t t)
{
	struct lexed *l = st->l;
	uint32_t entry = t;
	if (st->depth == 0 && transparent(st, t)) {
		entry |= TRANSPARENT;
	} else if (st->depth++ == 0) {
		st->open = t;
		st->hit0 = (uint32_t)l->nhit;
	}
	PUSH(st->stack, st->sp, st->capstack, entry);
	return 0;
}

static int close_block(struct state *st, uint32_t t)
{
	struct lexed *l = st->l;
	while (st->sp > 0 && l->tok[st->stack[st->sp - 1] & ~TRANSPARENT].len == 1 &&
	       st->s[l->tok[st->stack[st->sp - 1] & ~TRANSPARENT].off] == '(')
		st->sp--; /* parentheses left open: broken code or a macro */
	if (st->sp == 0)
		return 0; /* a '}' too many */
	uint32_t entry = st->stack[--st->sp], o = entry & ~TRANSPARENT;
	l->tok[o].aux = t;
	l->tok[t].aux = o;
	if ((entry & TRANSPARENT) || st->depth == 0 || --st->depth > 0)
		return 0;
	if (l->nhit == st->hit0) {
		l->n = st->open; /* nothing in it for any rule */
		return 0;
	}
	PUSH(l->blk, l->nblk, l->capblk,
	     ((struct block){ st->open, t, st->hit0, (uint32_t)l->nhit }));
	return 0;
}

static inline void close_paren(struct state *st, uint32_t t)
{
	struct lexed *l = st->l;
	if (st->sp == 0)
		return;
	uint32_t o = st->stack[st->sp - 1];
	if ((o & TRANSPARENT) || st->s[l->tok[o].off] != '(')
		return; /* a ')' too many: leave the braces alone */
	st->sp--;
	l->tok[o].aux = t;
	l->tok[t].aux = o;
}

/* ------------------------------------------------------------------------ */
/* Conditional groups                                                       */
/* ------------------------------------------------------------------------ */

static int save_shape(struct state *st, struct shape *sh)
{
	sh->stack_at = st->nsave;
	sh->stack_len = st->sp;
	sh->depth = st->depth;
	sh->open = st->open;
	sh->hit0 = st->hit0;
	for (size_t k = 0; k < st->sp; k++)
		PUSH(st->save, st->nsave, st->capsave, st->stack[k]);
	return 0;
}

static void restore_shape(struct state *st, const struct shape *sh)
{
	size_t n = st->l->n;
	st->sp = 0;
	for (size_t k = 0; k < sh->stack_len; k++) /* capstack >= every saved height */
		if ((st->save[sh->stack_at + k] & ~TRANSPARENT) < n)
			st->stack[st->sp++] = st->save[sh->stack_at + k];
	st->depth = sh->depth;
	st->open = sh->open;
	st->hit0 = sh->hit0;
	if (st->depth > 0 && st->open >= n) /* the block was dropped meanwhile */
		st->depth = 0;
}

static bool upper_has(const char *s, size_t n, const char *what)
{
	size_t w = strlen(what);
	for (size_t k = 0; k + w <= n; k++) {
		size_t j = 0;
		while (j < w && (s[k + j] & ~0x20) == (what[j] & ~0x20))
			j++;
		if (j == w)
			return true;
	}
	return false;
}

/* +1: a name that is defined where IPv6 is (USE_IPV6, AF_INET6,
 * HAVE_STRUCT_SOCKADDR_IN6); -1: one defined where it is not (NO_IPV6,
 * DISABLE_INET6, IPV4_ONLY); 0: anything else, HAVE_GETADDRINFO too
 * (ai_name's: whether a build without getaddrinfo is one without IPv6
 * depends on the rest of the file, which the rules know). */
static int v6_name(const char *s, size_t n)
{
	/* Every text looked for below holds "IP" or "IN" (as upper_has()
	 * folds case): most names, HAVE_CONFIG_H say, do not. */
	size_t k = 0;
	for (; k + 1 < n; k++) {
		char a = (char)(s[k] & ~0x20), b = (char)(s[k + 1] & ~0x20);
		if (a == 'I' && (b == 'P' || b == 'N'))
			break;
	}
	if (k + 1 >= n)
		return 0;
	if (upper_has(s, n, "IPV4_ONLY") || upper_has(s, n, "IPV4ONLY") ||
	    upper_has(s, n, "INET4_ONLY"))
		return -1;
	if (!upper_has(s, n, "IPV6") && !upper_has(s, n, "INET6") && !upper_has(s, n, "IP6") &&
	    !upper_has(s, n, "IN6"))
		return 0; /* HAVE_GETADDRINFO: a function there, not IPv6 */
	if ((n > 2 && (s[0] & ~0x20) == 'N' && (s[1] & ~0x20) == 'O') ||
	    upper_has(s, n, "DISABLE") || upper_has(s, n, "WITHOUT"))
		return -1;
	return 1;
}

/* +1: a name defined where getaddrinfo is (HAVE_GETADDRINFO,
 * HAS_GETADDRINFO, HAVE_ADDRINFO); 0: anything else. */
static int ai_name(const char *s, size_t n)
{
	for (size_t k = 0; k + 8 <= n; k++) /* the "DD" first: most names have none */
		if ((s[k + 1] & ~0x20) == 'D' && (s[k + 2] & ~0x20) == 'D')
			return upper_has(s + k, n - k, "ADDRINFO") ? 1 : 0;
	return 0;
}

/* What the condition on tokens [from, to) of an #if or #elif line says
 * about IPv6 (name_of: v6_name) or getaddrinfo (ai_name): +1, -1, 0; and
 * whether it is a plain 0. */
static int condition(const struct state *st, size_t from, size_t to, bool negate, bool *zero,
		     int (*name_of)(const char *, size_t))
{
	const struct token *tok = st->l->tok;
	*zero = from < to && tok[from].kind == TOK_NUMBER && text_is(st, from, "0") &&
		(from + 1 == to || text_is(st, from + 1, "&&"));
	int pos = 0, neg = 0;
	for (size_t k = from; k < to; k++) {
		if (tok[k].kind != TOK_IDENT)
			continue;
		int v = name_of(st->s + tok[k].off, tok[k].len);
		if (v == 0)
			continue;
		size_t b = k;
		if (b > from && text_is(st, b - 1, "("))
			b--;
		if (b > from && text_is(st, b - 1, "defined"))
			b--;
		if (b > from && text_is(st, b - 1, "!"))
			v = -v;
		if (negate)
			v = -v;
		if (v > 0)
			pos++;
		else
			neg++;
	}
	return pos > 0 && neg == 0 ? 1 : neg > 0 && pos == 0 ? -1 : 0;
}

static void pp_flags(struct state *st)
{
	st->flags = 0;
	for (int k = 0; k < st->npp; k++)
		st->flags |= st->pp[k].flags;
}

/* The directive on tokens [dtok, n) has ended: an #if, #elif, #else or
 * #endif changes the group. */
static int directive_end(struct state *st)
{
	struct lexed *l = st->l;
	size_t from = st->dtok + 2, to = l->n;
	bool zero = false;
	if (st->dkind == D_IF || st->dkind == D_IFDEF || st->dkind == D_IFNDEF ||
	    st->dkind == D_ELIF)
		for (size_t k = st->dtok; k < to; k++)
			l->tok[k].flags |= TF_TEST;
	switch (st->dkind) {
	case D_IF:
	case D_IFDEF:
	case D_IFNDEF: {
		if (st->npp == PP_MAX) {
			st->lost++;
			return 0;
		}
		bool ignored;
		int v6 = condition(st, from, to, st->dkind == D_IFNDEF, &zero, v6_name);
		int ai = condition(st, from, to, st->dkind == D_IFNDEF, &ignored, ai_name);
		if (st->dkind != D_IF)
			zero = false;
		struct frame *f = &st->pp[st->npp++];
		f->have_after_first = false;
		f->live_seen = !zero;
		f->first_v6 = zero ? 0 : v6;
		f->first_ai = zero ? 0 : ai;
		f->flags = zero ? TF_QUIET | TF_DEAD : v6 < 0 ? TF_QUIET : ai < 0 ? TF_NOAI : 0;
		if (save_shape(st, &f->before) < 0)
			return -1;
		break;
	}
	case D_ELIF:
	case D_ELSE: {
		if (st->lost > 0 || st->npp == 0)
			return 0;
		struct frame *f = &st->pp[st->npp - 1];
		if (!(f->flags & TF_DEAD) && !f->have_after_first) {
			if (save_shape(st, &f->after_first) < 0)
				return -1;
			f->have_after_first = true;
		}
		restore_shape(st, &f->before);
		bool ignored;
		int v6 = st->dkind == D_ELIF ? condition(st, from, to, false, &zero, v6_name) : 0;
		int ai = st->dkind == D_ELIF ? condition(st, from, to, false, &ignored, ai_name)
					     : 0;
		if (zero) {
			f->flags = TF_QUIET | TF_DEAD;
		} else {
			f->flags = f->first_v6 > 0 || v6 < 0   ? TF_QUIET
				   : f->first_ai > 0 || ai < 0 ? TF_NOAI
							       : 0;
			if (!f->live_seen) { /* #else of #if 0: the first live group */
				f->live_seen = true;
				f->first_v6 = v6;
				f->first_ai = ai;
			}
		}
		break;
	}
	case D_ENDIF:
		if (st->lost > 0) {
			st->lost--;
			return 0;
		}
		if (st->npp == 0)
			return 0;
		st->npp--;
		if (st->pp[st->npp].have_after_first)
			restore_shape(st, &st->pp[st->npp].after_first);
		st->nsave = st->pp[st->npp].before.stack_at;
		break;
	default: return 0;
	}
	pp_flags(st);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Tokens                                                                   */
/* ------------------------------------------------------------------------ */

static inline __attribute__((always_inline)) int
emit(struct state *st, enum tok_kind kind, size_t from, uint16_t word, uint32_t aux, bool spliced)
{
	struct lexed *l = st->l;
	unsigned flags = st->flags | (st->directive ? TF_DIRECTIVE : 0) |
			 (spliced ? TF_SPLICED : 0);
	if (l->n >= l->cap) {
		struct token *t = grow(l->tok, &l->cap, l->n, sizeof(*t));
		if (t == NULL)
			return -1;
		l->tok = t;
	}
	l->tok[l->n] = (struct token){
		(uint32_t)from, (uint32_t)(st->i - from), aux, word, (uint8_t)kind, (uint8_t)flags
	};
	if (word != W_NONE && !(flags & TF_DEAD))
		PUSH(l->hit, l->nhit, l->caphit, (uint32_t)l->n);
	l->n++;
	return 0;
}

/* The length of a backslash-newline at i (with "\r\n"), or 0. */
static size_t splice_at(const char *s, size_t n, size_t i)
{
	if (i + 1 < n && s[i] == '\\') {
		if (s[i + 1] == '\n')
			return 2;
		if (s[i + 1] == '\r' && i + 2 < n && s[i + 2] == '\n')
			return 3;
	}
	return 0;
}

/* The character at i after any splices, and where it is. */
static int peek_at(const struct state *st, size_t *i)
{
	size_t k;
	while ((k = splice_at(st->s, st->n, *i)) > 0)
		*i += k;
	return *i < st->n ? (unsigned char)st->s[*i] : -1;
}

static const char sup_key[] = "anysock-port: ignore";
#define SUP_KEY_LEN (sizeof(sup_key) - 1)

/* The next "anysock-port: ignore" in p[0..n), or NULL: memmem's work,
 * sixteen places at a time where SSE2 is, by the rare "k-p" in its middle
 * ("anysock-port"), each candidate then compared whole. */
static const char *find_sup(const char *p, size_t n)
{
	if (n < SUP_KEY_LEN)
		return NULL;
#if defined(__SSE2__)
	const __m128i k = _mm_set1_epi8('k'), dash = _mm_set1_epi8('-'), pp = _mm_set1_epi8('p');
	size_t i = 0, last = n - SUP_KEY_LEN; /* the key may start at 0..last */
	for (; i + 16 <= last; i += 16) {
		const char *q = p + i + 6; /* "anysock-port": 'k' at 6 */
		__m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const void *)q), k);
		__m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const void *)(q + 1)), dash);
		__m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const void *)(q + 2)), pp);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_and_si128(a, b), c));
		while (m != 0) {
			unsigned bit = (unsigned)__builtin_ctz(m);
			if (memcmp(p + i + bit, sup_key, SUP_KEY_LEN) == 0)
				return p + i + bit;
			m &= m - 1;
		}
	}
	return memmem(p + i, n - i, sup_key, SUP_KEY_LEN);
#else
	return memmem(p, n, sup_key, SUP_KEY_LEN);
#endif
}

static void note_suppressions(struct state *st, size_t from, size_t to)
{
	const char *end = st->s + to;
	while (st->next_sup != NULL && st->next_sup < end) {
		const char *p = st->next_sup;
		/* the next one, for the next comment */
		size_t rest = (size_t)(st->s + st->n - (p + 1));
		st->next_sup = find_sup(p + 1, rest);
		if (p < st->s + from)
			continue; /* in a string, or code */
		struct lexed *l = st->l;
		struct suppression *all = grow(l->sup, &l->capsup, l->nsup, sizeof(*all));
		if (all == NULL)
			return; /* out of memory: the finding stays */
		l->sup = all;
		struct suppression *s = &l->sup[l->nsup++];
		s->off = (uint32_t)from;
		p += SUP_KEY_LEN;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		size_t k = 0;
		while (p < end && k + 1 < sizeof(s->rules) &&
		       (ident_ch[(unsigned char)*p] || *p == '-' || *p == ','))
			s->rules[k++] = *p++;
		s->rules[k] = '\0';
	}
}

/* Whether the '/' at k ends a block comment opened at from: a '*' before
 * it, maybe across splices, that is not the opening one. */
static bool comment_end(const char *s, size_t from, size_t k)
{
	size_t j = k;
	for (;;) {
		if (j <= from + 2)
			return false;
		char c = s[j - 1];
		if (c == '*')
			return true;
		if (c == '\n' && s[j - 2] == '\\')
			j -= 2;
		else if (c == '\n' && s[j - 2] == '\r' && j >= from + 4 && s[j - 3] == '\\')
			j -= 3;
		else
			return false;
	}
}

static void block_comment(struct state *st)
{
	size_t from = st->i;
	const char *s = st->s;
	size_t i = st->i + 2;
	for (;;) {
		const char *slash = i < st->n ? memchr(s + i, '/', st->n - i) : NULL;
		if (slash == NULL) {
			problem(st, "unterminated comment", from);
			i = st->n;
			break;
		}
		i = (size_t)(slash - s) + 1;
		if (comment_end(s, from, i - 1))
			break;
	}
	st->i = i;
	if (!st->directive && memchr(s + from, '\n', i - from) != NULL)
		st->last_nl = i; /* a comment over lines: a '#' after it starts a directive */
	if (st->next_sup != NULL)
		note_suppressions(st, from, i);
}

static void line_comment(struct state *st)
{
	size_t from = st->i;
	const char *s = st->s;
	size_t i = st->i + 2;
	for (;;) {
		const char *nl = memchr(s + i, '\n', st->n - i);
		if (nl == NULL) {
			i = st->n;
			break;
		}
		i = (size_t)(nl - s);
		size_t b = i; /* a backslash before the newline continues the comment */
		if (b > from && s[b - 1] == '\r')
			b--;
		if (b > from && s[b - 1] == '\\') {
			i++;
			continue;
		}
		break; /* the newline itself ends the directive, if any */
	}
	st->i = i;
	if (st->next_sup != NULL)
		note_suppressions(st, from, i);
}

static unsigned dotted_octets(const char *p, const char *end, unsigned *first)
{
	unsigned parts = 0;
	while (p < end) {
		unsigned v = 0, digits = 0;
		while (p < end && *p >= '0' && *p <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return 0;
		if (parts++ == 0)
			*first = v;
		if (p == end)
			break;
		if (*p++ != '.' || p == end)
			return 0;
	}
	return parts;
}

/* Whether [p, end) is the start of an a.b.c.d cut after a dot ("127."):
 * text that matches a mapped prefix. */
static bool dotted_prefix(const char *p, const char *end)
{
	if (p == end || end[-1] != '.')
		return false;
	for (; p < end; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '.'))
			return false;
	return true;
}

/* n conversions (%d, %u, %i, with h or hh) separated by sep at p. */
static bool conversions(const char *p, const char *end, int n, char sep)
{
	for (int k = 0; k < n; k++) {
		if (p >= end || *p++ != '%')
			return false;
		while (p < end && *p == 'h')
			p++;
		if (p >= end || (*p != 'd' && *p != 'u' && *p != 'i'))
			return false;
		p++;
		if (k + 1 < n && (p >= end || *p++ != sep))
			return false;
	}
	return true;
}

static bool prefix_ci(const char *p, const char *end, const char *what)
{
	for (; *what != '\0'; what++, p++)
		if (p >= end || (*p | 0x20) != (*what | 0x20))
			return false;
	return true;
}

/* The first ':', '%', '[' or '\\' in [q, end), or end: the characters
 * string_class() looks at, sixteen bytes at a time where there are
 * sixteen (most strings are messages with none of them). */
static const char *next_special(const char *q, const char *end)
{
#if defined(__SSE2__)
	while (end - q >= 16) {
		__m128i v = _mm_loadu_si128((const void *)q);
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(':')),
						  _mm_cmpeq_epi8(v, _mm_set1_epi8('%'))),
				     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('[')),
						  _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')))));
		if (m != 0)
			return q + __builtin_ctz(m);
		q += 16;
	}
#endif
	while (q < end && *q != ':' && *q != '%' && *q != '[' && *q != '\\')
		q++;
	return q;
}

/* S_* bits of a string literal's text [p, end) (quotes left out). */
static unsigned string_class(const char *p, const char *end)
{
	unsigned bits = 0, first = 0;
	if (end - p >= 7 && end - p <= 15 && dotted_octets(p, end, &first) == 4 && first != 127 &&
	    (first < 224 || first > 239) && !(first == 255 && end - p == 15))
		bits |= S_IPV4;
	if (end - p == 11) { /* "0123456789.": a numeric test by hand */
		unsigned seen = 0;
		for (const char *q = p; q < end; q++)
			seen |= *q == '.'                ? 1u << 10
				: *q >= '0' && *q <= '9' ? 1u << (*q - '0')
							 : 1u << 11;
		if (seen == 0x7ff)
			bits |= S_DIGITS;
	}
	if (p[0] == 'P' && memcmp(p, "PASV", 4) == 0 &&
	    (end - p == 4 || p[4] == '\\' || p[4] == ' '))
		bits |= S_PASV; /* the command, not a word in a message */
	if (end - p >= 5 && p[0] == '%' && p[1] == 's' && p[2] == ':' && p[3] == '%' &&
	    memchr(p + 4, '%', (size_t)(end - p - 4)) == NULL && end[-1] != ':')
		bits |= S_HOSTPORT; /* "%s:%d", "%s:%hu", "%s:%s": nothing else */
	if ((*p | 0x20) == 'h' && prefix_ci(p, end, "host: %s"))
		bits |= S_URL;
	else if (*p == 'C' && prefix_ci(p, end, "CONNECT %s:"))
		bits |= S_URL;
	for (const char *q = next_special(p, end); q < end; q = next_special(q + 1, end)) {
		if (*q == ':') {
			if (q + 6 < end && q[1] == ':' && prefix_ci(q + 2, end, "ffff:") &&
			    (q + 7 == end || q[7] == '%' || dotted_prefix(q + 7, end)))
				bits |= S_MAPPED; /* "::ffff:", "::ffff:%s", "::ffff:127." */
			if (prefix_ci(q, end, "://%s") &&
			    !(q - p >= 4 && prefix_ci(q - 4, end, "file")))
				bits |= S_URL; /* file://%s names no host */
		} else if (*q == '%') {
			const char *w = q + 1; /* %[^: with a width or not */
			while (w < end && *w >= '0' && *w <= '9')
				w++;
			if (prefix_ci(w, end, "[^:"))
				bits |= S_SPLIT;
			if (conversions(q, end, 4, '.'))
				bits |= S_DOTTED;
			if (conversions(q, end, 6, ','))
				bits |= S_FTP;
		} else if (*q == '[') {
			if (prefix_ci(q, end, "[%s]"))
				bits |= S_BRACKET;
		} else if (q + 2 < end && q[1] == 'n' && prefix_ci(q + 2, end, "host: %s")) {
			bits |= S_URL; /* "...\r\nHost: %s" */
		}
	}
	return bits;
}

/* The first quote, backslash or newline in s[i..n): sixteen bytes at a
 * time where there are sixteen. */
static size_t literal_stop(const char *s, size_t i, size_t n, char quote)
{
#if defined(__SSE2__)
	const __m128i q = _mm_set1_epi8(quote), bs = _mm_set1_epi8('\\'), nl = _mm_set1_epi8('\n');
	while (i + 16 <= n) {
		__m128i v = _mm_loadu_si128((const void *)(s + i));
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
				     _mm_cmpeq_epi8(v, nl)));
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
		i += 16;
	}
#endif
	while (i < n && s[i] != quote && s[i] != '\\' && s[i] != '\n')
		i++;
	return i;
}

/* A string or character literal (the prefix, L u U u8, already read). */
static int literal(struct state *st, size_t from)
{
	const char *s = st->s;
	int quote = s[st->i];
	size_t i = st->i + 1, body = i;
	bool spliced = false;
	for (;;) {
		i = literal_stop(s, i, st->n, (char)quote);
		if (i >= st->n || s[i] == '\n') {
			problem(st,
				quote == '"' ? "unterminated string"
					     : "unterminated character constant",
				from);
			break;
		}
		char c = s[i];
		if (c == quote) {
			i++;
			break;
		}
		if (c == '\\') {
			size_t k = splice_at(s, st->n, i);
			if (k > 0) {
				spliced = true;
				i += k;
				continue;
			}
			i += i + 1 < st->n && s[i + 1] != '\n' ? 2 : 1;
			continue;
		}
		i++;
	}
	st->i = i;
	size_t end = i > body && s[i - 1] == quote ? i - 1 : i;
	if (st->want_header) { /* #include "name" */
		st->want_header = false;
		int rc = emit(st, TOK_STRING, from, W_NONE, 0, spliced);
		st->l->tok[st->l->n - 1].flags |= TF_INCLUDE;
		return rc;
	}
	if (quote == '\'') {
		bool colon = end == body + 1 && s[body] == ':';
		return emit(st, TOK_CHAR, from, colon ? W_CHAR_COLON : W_NONE, 0, spliced);
	}
	unsigned bits = end - body >= 4 && !spliced ? string_class(s + body, s + end) : 0;
	return emit(st, TOK_STRING, from, bits ? W_STRING : W_NONE, bits, spliced);
}

/* #include <header>: the name is one token, so nothing in it is lexed. */
static int header_name(struct state *st)
{
	size_t from = st->i;
	while (st->i < st->n && st->s[st->i] != '>' && st->s[st->i] != '\n')
		st->i++;
	if (st->i < st->n && st->s[st->i] == '>')
		st->i++;
	st->want_header = false;
	int rc = emit(st, TOK_STRING, from, W_NONE, 0, false);
	st->l->tok[st->l->n - 1].flags |= TF_INCLUDE;
	return rc;
}

static enum directive directive_kind(const char *p, size_t n)
{
	/* 67,000 directives over the tune corpus: told apart without strlen */
#define IS(lit) (n == sizeof(lit) - 1 && memcmp(p, lit, sizeof(lit) - 1) == 0)
	enum directive d = D_OTHER;
	if (p[0] == 'i') {
		if (IS("include") || IS("include_next") || IS("import"))
			d = D_INCLUDE;
		else if (IS("if"))
			d = D_IF;
		else if (IS("ifdef"))
			d = D_IFDEF;
		else if (IS("ifndef"))
			d = D_IFNDEF;
	} else if (p[0] == 'e') {
		if (IS("elif"))
			d = D_ELIF;
		else if (IS("else"))
			d = D_ELSE;
		else if (IS("endif"))
			d = D_ENDIF;
	}
	return d;
#undef IS
}

static int ident(struct state *st)
{
	const char *s = st->s;
	size_t from = st->i, i = st->i;
	bool spliced = false;
	for (;;) {
		while (i < st->n && ident_ch[(unsigned char)s[i]])
			i++;
		size_t k = i < st->n && s[i] == '\\' ? splice_at(s, st->n, i) : 0;
		if (k == 0 || i + k >= st->n || !ident_ch[(unsigned char)s[i + k]])
			break;
		spliced = true; /* a name cut by backslash-newline: too odd to judge */
		i += k;
	}
	st->i = i;
	size_t len = i - from;
	if (i < st->n && (s[i] == '"' || s[i] == '\'') &&
	    ((len == 1 && (s[from] == 'L' || s[from] == 'u' || s[from] == 'U')) ||
	     (len == 2 && s[from] == 'u' && s[from + 1] == '8')))
		return literal(st, from); /* L"", u8"", U'' */
	uint16_t word = spliced || len > 24 ? W_NONE : word_of(s + from, len);
	if (st->directive && st->l->n == st->dtok + 1) {
		st->dkind = directive_kind(s + from, len);
		st->want_header = st->dkind == D_INCLUDE;
	}
	return emit(st, TOK_IDENT, from, word, 0, spliced);
}

static int number(struct state *st)
{
	const char *s = st->s;
	size_t from = st->i, i = st->i + 1;
	for (;;) {
		unsigned char c = i < st->n ? (unsigned char)s[i] : 0;
		if (ident_ch[c] || c == '.' ||
		    (c == '\'' && i + 1 < st->n && ident_ch[(unsigned char)s[i + 1]]))
			i++;
		else if ((c == '+' || c == '-') && strchr("eEpP", s[i - 1]) != NULL)
			i++;
		else
			break;
	}
	st->i = i;
	return emit(st, TOK_NUMBER, from, W_NONE, 0, false);
}

/* Second characters that make a two-character punctuator with the first:
 * "==" "!=" "<=" ">=" "+=" ... "&&" "||" "::" "++" "--" "<<" ">>" "->". */
static inline __attribute__((always_inline)) bool two_char(char c, char d)
{
	switch (c) {
	case '=':
	case '!':
	case '*':
	case '/':
	case '%':
	case '^': return d == '=';
	case '<':
	case '>':
	case '&':
	case '|':
	case '+': return d == '=' || d == c;
	case '-': return d == '=' || d == '-' || d == '>';
	case ':': return d == ':';
	default: return false;
	}
}

/* Whether only blanks and comments precede offset at on its line: no
 * token since the last newline. */
static bool line_start(const struct state *st, size_t at)
{
	const struct lexed *l = st->l;
	(void)at;
	return l->n == 0 || l->tok[l->n - 1].off < st->last_nl;
}

static int punct(struct state *st)
{
	const char *s = st->s;
	size_t from = st->i;
	char c = s[st->i++];
	bool two = st->i < st->n && two_char(c, s[st->i]);
	if (two) {
		st->i++;
		if ((c == '<' || c == '>') && s[st->i - 1] == c && st->i < st->n && s[st->i] == '=')
			st->i++; /* <<= >>= */
	}
	if (c == '#' && !st->directive && line_start(st, from)) {
		st->directive = true;
		st->dkind = D_NONE;
		st->dtok = st->l->n;
	}
	uint32_t t = (uint32_t)st->l->n;
	if (emit(st, TOK_PUNCT, from, W_NONE, NO_MATCH, false) < 0)
		return -1;
	if (two || st->directive || (st->flags & TF_DEAD))
		return 0;
	switch (c) {
	case '(': PUSH(st->stack, st->sp, st->capstack, t); return 0;
	case ')': close_paren(st, t); return 0;
	case '{': return open_block(st, t);
	case '}': return close_block(st, t);
	default: return 0;
	}
}

static int newline(struct state *st)
{
	st->i++;
	st->last_nl = st->i;
	st->want_header = false;
	if (!st->directive)
		return 0;
	st->directive = false;
	return directive_end(st);
}

static int token(struct state *st)
{
	const char *s = st->s;
	unsigned char c = (unsigned char)s[st->i];
	switch (cls[c]) {
	case C_BLANK:
		do
			st->i++;
		while (st->i < st->n && cls[(unsigned char)s[st->i]] == C_BLANK);
		return 0;
	case C_NL: return newline(st);
	case C_ID: return ident(st);
	case C_DIGIT: return number(st);
	case C_QUOTE: return literal(st, st->i);
	case C_DOT:
		if (st->i + 1 < st->n && s[st->i + 1] >= '0' && s[st->i + 1] <= '9')
			return number(st);
		return punct(st);
	case C_BACKSLASH: {
		size_t k = splice_at(s, st->n, st->i);
		if (k > 0) {
			st->i += k;
			return 0;
		}
		return punct(st);
	}
	case C_SLASH: {
		size_t j = st->i + 1;
		int next = peek_at(st, &j);
		if (next == '*') {
			block_comment(st);
			return 0;
		}
		if (next == '/') {
			line_comment(st);
			return 0;
		}
		return punct(st);
	}
	default:
		if (c == '<' && st->want_header)
			return header_name(st);
		return punct(st);
	}
}

/* The end of the identifier that starts at i: sixteen bytes at a time
 * where the buffer has them (letters, digits, '_', '$' and bytes from 0x80
 * continue one), then byte by byte up to buf[len], which is '\0'. */
static inline size_t ident_end(const unsigned char *s, size_t i, size_t len)
{
#if defined(__SSE2__)
	const __m128i zero = _mm_setzero_si128();
	while (i + 16 <= len) {
		__m128i v = _mm_loadu_si128((const void *)(s + i));
		__m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
		__m128i letter = _mm_cmpeq_epi8(_mm_subs_epu8(_mm_sub_epi8(lower,
									   _mm_set1_epi8('a')),
							      _mm_set1_epi8(25)),
						zero);
		__m128i digit = _mm_cmpeq_epi8(_mm_subs_epu8(_mm_sub_epi8(v, _mm_set1_epi8('0')),
							     _mm_set1_epi8(9)),
					       zero);
		__m128i other = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')),
					     _mm_cmpeq_epi8(v, _mm_set1_epi8('$')));
		unsigned in = (unsigned)_mm_movemask_epi8(
				      _mm_or_si128(_mm_or_si128(letter, digit), other)) |
			      (unsigned)_mm_movemask_epi8(v);
		unsigned out = ~in & 0xffffu;
		if (out != 0)
			return i + (size_t)__builtin_ctz(out);
		i += 16;
	}
#else
	(void)len;
#endif
	while (ident_ch[s[i]])
		i++;
	return i;
}

/* Past the blanks from i (spaces and tabs sixteen at a time, the rarer
 * blanks byte by byte), at most to len. */
static inline size_t blanks_end(const unsigned char *s, size_t i, size_t len)
{
#if defined(__SSE2__)
	while (i + 16 <= len) {
		__m128i v = _mm_loadu_si128((const void *)(s + i));
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
				     _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));
		if (m != 0xffffu) {
			i += (size_t)__builtin_ctz(~m);
			break;
		}
		i += 16;
	}
#endif
	while (i < len && cls[s[i]] == C_BLANK)
		i++;
	return i;
}

static inline void put(struct token *t, size_t off, size_t len, uint32_t aux, uint16_t word,
		       uint8_t kind, uint8_t flags)
{
	*t = (struct token){ (uint32_t)off, (uint32_t)len, aux, word, kind, flags };
}

static inline uint16_t ident_word(const unsigned char *s, size_t from, size_t to)
{
	return word_of((const char *)s + from, to - from);
}

int lex(const char *buf, size_t len, struct lexed *l)
{
	static bool ready;
	if (!ready) {
		classes_init();
		words_init();
		ready = true;
	}
	struct state st = { .s = buf,
			    .n = len,
			    .l = l,

			    .stack = l->stack,
			    .capstack = l->capstack,
			    .save = l->save,
			    .capsave = l->capsave };
	l->buf = buf;
	l->len = len;
	l->n = l->nhit = l->nblk = l->nsup = 0;
	l->problem = NULL;
	l->problem_off = 0;
	st.next_sup = find_sup(buf, len);
	int rc = 0;
	/* The common tokens here, with the state in locals: blanks, plain
	 * newlines, identifiers (no splice, not a directive's name, not a
	 * literal's prefix), punctuators, and straight to their functions
	 * braces, comments, literals and numbers; the rest (directives, #if 0,
	 * splices) in token(), with the state written back first. */
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0, n = 0, cap = l->cap;
	struct token *tok = l->tok;
	uint8_t flags = 0;
	bool quick = true; /* not in a directive, not in #if 0 */
	while (i < len) {
		unsigned char c = s[i];
		unsigned k = cls[c];
		if (k == C_BLANK) {
			i = cls[s[i + 1]] != C_BLANK ? i + 1 : blanks_end(s, i + 1, len);
			continue;
		}
		if (!quick || n == cap) /* room for the one token a quick path adds */
			goto slow;
		if (k == C_ID) {
			size_t from = i;
			i = ident_end(s, i + 1, len);
			if (s[i] == '\\' || s[i] == '"' || s[i] == '\'') {
				i = from;
				goto slow;
			}
			uint16_t w = ident_word(s, from, i);
			put(&tok[n], from, i - from, 0, w, TOK_IDENT, flags);
			if (w != W_NONE) {
				uint32_t *hit = grow(l->hit, &l->caphit, l->nhit, sizeof(*hit));
				if (hit == NULL) {
					rc = -1;
					break;
				}
				l->hit = hit;
				l->hit[l->nhit++] = (uint32_t)n;
			}
			n++;
			continue;
		}
		if (k == C_NL) {
			st.last_nl = ++i;
			if (cls[s[i]] == C_BLANK) /* the next line's indentation */
				i = blanks_end(s, i, len);
			continue;
		}
		if (k == C_PUNCT && c != '#' && c != '{' && c != '}') {
			size_t from = i++;
			if (pair_start[c] && i < len && two_char((char)c, (char)s[i])) {
				i++;
				if ((c == '<' || c == '>') && s[i - 1] == c && i < len &&
				    s[i] == '=')
					i++; /* <<= >>= */
			} else if (c == '(') {
				uint32_t *stack = grow(st.stack, &st.capstack, st.sp,
						       sizeof(*stack));
				if (stack == NULL) {
					rc = -1;
					break;
				}
				st.stack = stack;
				st.stack[st.sp++] = (uint32_t)n;
			} else if (c == ')') {
				put(&tok[n], from, 1, NO_MATCH, W_NONE, TOK_PUNCT, flags);
				l->n = n + 1;
				close_paren(&st, (uint32_t)n);
				n++;
				continue;
			}
			put(&tok[n++], from, i - from, NO_MATCH, W_NONE, TOK_PUNCT, flags);
			continue;
		}
		if (c == '{' || c == '}') {
			put(&tok[n], i++, 1, NO_MATCH, W_NONE, TOK_PUNCT, flags);
			l->n = n + 1;
			rc = c == '{' ? open_block(&st, (uint32_t)n)
				      : close_block(&st, (uint32_t)n);
			n = l->n;
			if (rc < 0)
				break;
			continue;
		}
		if (k == C_SLASH && (s[i + 1] == '*' || s[i + 1] == '/')) {
			st.i = i;
			if (s[i + 1] == '*')
				block_comment(&st);
			else
				line_comment(&st);
			i = st.i;
			continue;
		}
		if (k == C_SLASH ? s[i + 1] != '\\'
				 : k == C_DOT && !(s[i + 1] >= '0' && s[i + 1] <= '9')) {
			size_t from = i++; /* '/', "/=", '.' */
			if (c == '/' && s[i] == '=')
				i++;
			put(&tok[n++], from, i - from, NO_MATCH, W_NONE, TOK_PUNCT, flags);
			continue;
		}
		if (k == C_QUOTE || k == C_DIGIT || k == C_DOT) { /* a literal, a number */
			st.i = i;
			l->n = n;
			rc = k == C_QUOTE ? literal(&st, i) : number(&st);
			i = st.i;
			n = l->n;
			if (rc < 0)
				break;
			continue;
		}
slow:
		st.i = i;
		l->n = n;
		rc = token(&st);
		i = st.i;
		n = l->n;
		tok = l->tok;
		cap = l->cap;
		flags = (uint8_t)(st.flags | (st.directive ? TF_DIRECTIVE : 0));
		quick = !st.directive && !(st.flags & TF_DEAD);
		if (rc < 0)
			break;
	}
	l->n = n;
	if (rc >= 0 && st.directive)
		rc = directive_end(&st);
	if (rc >= 0 && st.depth > 0 && l->nhit > st.hit0) { /* a block never closed */
		struct block *b = grow(l->blk, &l->capblk, l->nblk, sizeof(*b));
		if (b == NULL) {
			rc = -1;
		} else {
			l->blk = b;
			l->blk[l->nblk++] = (struct block){ st.open, NO_MATCH, st.hit0,
							    (uint32_t)l->nhit };
		}
	}
	l->stack = st.stack; /* kept for the next file */
	l->capstack = st.capstack;
	l->save = st.save;
	l->capsave = st.capsave;
	return rc < 0 ? -1 : 0;
}

void lexed_free(struct lexed *l)
{
	free(l->tok);
	free(l->hit);
	free(l->blk);
	free(l->sup);
	free(l->stack);
	free(l->save);
	memset(l, 0, sizeof(*l));
}

bool tok_is(const struct lexed *l, const struct token *t, const char *s)
{
	const char *p = l->buf + t->off;
	if (t->len == 0 || p[0] != s[0])
		return false; /* most calls end here (a splice is never first) */
	size_t n = strlen(s);
	if (!(t->flags & TF_SPLICED))
		return t->len == n && memcmp(p, s, n) == 0;
	/* A splice inside the token: compare without the backslash-newlines. */
	size_t k = 0;
	for (size_t i = 0; i < t->len; i++) {
		size_t sp = splice_at(p, t->len, i);
		if (sp > 0) {
			i += sp - 1;
			continue;
		}
		if (k >= n || p[i] != s[k])
			return false;
		k++;
	}
	return k == n;
}

#if defined(__SSE2__)
/* How many '\n' in p[0..n), sixteen bytes at a time: each compare adds one
 * per newline to a byte lane, summed every 255 rounds, before a lane can
 * overflow. */
static size_t newlines(const char *p, size_t n)
{
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
	size_t count = 0, k = 0;
	while (k + 16 <= n) {
		__m128i acc = zero;
		size_t stop = n - k > 16 * 255 ? k + 16 * 255 : n;
		for (; k + 16 <= stop; k += 16)
			acc = _mm_sub_epi8(acc,
					   _mm_cmpeq_epi8(_mm_loadu_si128((const void *)(p + k)),
							  nl));
		__m128i sum = _mm_sad_epu8(acc, zero);
		count += (size_t)_mm_cvtsi128_si32(sum) +
			 (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sum, 8));
	}
	for (; k < n; k++)
		count += p[k] == '\n';
	return count;
}
#else
/* How many '\n' in p[0..n), eight bytes at a time: a byte of v ^ "\n\n..."
 * is zero where v has a newline, and the zero bytes are the ones whose
 * high bit stays clear in ((x & 0x7f..) + 0x7f..) | x. */
static size_t newlines(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, low7 = ones * 0x7f, nl = ones * '\n';
	size_t count = 0, k = 0;
	for (; k + 8 <= n; k += 8) {
		uint64_t v;
		memcpy(&v, p + k, 8);
		uint64_t x = v ^ nl;
		uint64_t zero = (~(((x & low7) + low7) | x) & ~low7) >> 7; /* 1 per newline byte */
		count += (size_t)((zero * ones) >> 56);
	}
	for (; k < n; k++)
		count += p[k] == '\n';
	return count;
}
#endif

void line_of(const struct lexed *l, size_t off, struct linepos *pos, unsigned *line, unsigned *col)
{
	if (off < pos->off)
		*pos = (struct linepos){ 0, 1, 0 };
	const char *s = l->buf;
	if (pos->off < off) {
		size_t count = newlines(s + pos->off, off - pos->off);
		if (count > 0) {
			const char *nl = memrchr(s + pos->off, '\n', off - pos->off);
			pos->line += (unsigned)count;
			pos->line_start = (size_t)(nl - s) + 1;
		}
		pos->off = off;
	}
	*line = pos->line;
	*col = (unsigned)(off - pos->line_start + 1);
}
