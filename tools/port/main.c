/*
 * anysock-port - find the IPv4-only idioms and dual-stack pitfalls in C and
 * C++ code, with the anysock call or idiom that replaces each.
 *
 *   anysock-port [--json] [--rules LIST] [--list-rules] [--] FILE|DIR...
 *   anysock-port --help | --version
 *
 * The files of one directory are taken as one program: a finding that
 * depends on another file (a listener there, its peers printed here) is
 * held until the directory, and every directory in it, has been read.
 *
 * Findings come out in GCC's diagnostic form (path:line:col: warning: ...
 * [rule], then a note with the fix), so editors and CI pick them up; a
 * count per rule goes to stderr. Exit status: 0 clean, 1 findings, 2 a
 * usage error or a file that could not be read (the scan goes on).
 *
 * SPDX-License-Identifier: MIT
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../tool.h"
#include "lex.h"
#include "rules.h"

#define MAX_FILE (256u << 20) /* larger is not source code */

static struct {
	bool json, read_error;
	struct lexed lexed; /* its arrays reused from file to file */
	char *buf;          /* the file read, reused too */
	size_t cap;
	bool enabled[64];
	unsigned long count[64];
	unsigned long findings, files;
	/* the programs being read, a directory each, the innermost last:
	 * their facts and held findings */
	struct open_program {
		char *dir;
		struct program prog;
		struct held {
			size_t path; /* index in paths */
			struct finding f;
		} * held;
		size_t nheld, capheld;
		char **paths;
		size_t npaths, cappaths;
	} * open;
	size_t nopen, capopen;
} run;

static void json_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static char *put_text(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static char *put_number(char *p, unsigned v)
{
	char digits[16];
	size_t k = 0;
	do
		digits[k++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (k > 0)
		*p++ = digits[--k];
	return p;
}

/* "path:line:col: warning: why [id]\npath:line:col: note: fix\n", as
 * printf would write it, in one fwrite: there are a million of them. */
static bool report_text(const char *path, size_t plen, const struct finding *f,
			const struct rule *r, const char *fix)
{
	static char line[8192];
	size_t why = strlen(r->why), id = strlen(r->id), fixn = strlen(fix);
	if (2 * plen + why + id + fixn + 100 > sizeof(line))
		return false;
	char *p = put_text(line, path, plen), *at = p;
	*p++ = ':';
	p = put_number(p, f->line);
	*p++ = ':';
	p = put_number(p, f->col);
	size_t atn = (size_t)(p - at);
	p = put_text(p, ": warning: ", 11);
	p = put_text(p, r->why, why);
	p = put_text(p, " [", 2);
	p = put_text(p, r->id, id);
	p = put_text(p, "]\n", 2);
	p = put_text(p, path, plen);
	p = put_text(p, at, atn);
	p = put_text(p, ": note: ", 8);
	p = put_text(p, fix, fixn);
	*p++ = '\n';
	fwrite(line, 1, (size_t)(p - line), stdout);
	return true;
}

static void report(const char *path, size_t plen, const struct finding *f)
{
	const struct rule *r = &rules[f->rule];
	const char *fix = f->alt ? r->alt : r->fix;
	run.count[f->rule]++;
	run.findings++;
	if (!run.json) {
		if (report_text(path, plen, f, r, fix))
			return;
		printf("%s:%u:%u: warning: %s [%s]\n", path, f->line, f->col, r->why, r->id);
		printf("%s:%u:%u: note: %s\n", path, f->line, f->col, fix);
		return;
	}
	printf("%s{\"file\": ", run.findings > 1 ? ",\n " : "[");
	json_string(path);
	printf(", \"line\": %u, \"column\": %u, \"rule\": ", f->line, f->col);
	json_string(r->id);
	printf(", \"heuristic\": %s, \"message\": ", r->heuristic ? "true" : "false");
	json_string(r->why);
	printf(", \"fix\": ");
	json_string(fix);
	putchar('}');
}

/* The innermost program ends: the held findings its files bear out are
 * reported, in order. */
static void close_program(void)
{
	struct open_program *o = &run.open[--run.nopen];
	for (size_t i = 0; i < o->nheld; i++)
		if (program_keeps(&o->prog, &o->held[i].f))
			report(o->paths[o->held[i].path], strlen(o->paths[o->held[i].path]),
			       &o->held[i].f);
	for (size_t i = 0; i < o->npaths; i++)
		free(o->paths[i]);
	free(o->paths);
	free(o->held);
	free(o->dir);
	program_free(&o->prog);
}

/* Whether path is directory dir (its first n bytes) or lies inside it. */
static bool within(const char *path, const char *dir, size_t n)
{
	return strncmp(dir, path, n) == 0 && (path[n] == '\0' || path[n] == '/' || n == 0);
}

/* Directory dir is done (nftw's FTW_DP): so are its programs. */
static void leave_dir(const char *dir)
{
	size_t n = strlen(dir);
	while (run.nopen > 0 && within(run.open[run.nopen - 1].dir, dir, n))
		close_program();
}

/* A file of path's directory begins: its program, opened when it is not
 * the innermost (the programs of directories that do not hold it are
 * done). NULL when out of memory. */
static struct open_program *enter_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash == NULL ? 0 : (size_t)(slash - path);
	while (run.nopen > 0) {
		const char *top = run.open[run.nopen - 1].dir;
		size_t tn = strlen(top);
		if (tn == n && memcmp(top, path, n) == 0)
			return &run.open[run.nopen - 1];
		if (tn < n && within(path, top, tn))
			break; /* an enclosing directory's: it stays open */
		close_program();
	}
	struct open_program *o = grow(run.open, &run.capopen, run.nopen, sizeof(*o));
	if (o == NULL)
		return NULL;
	run.open = o;
	o = &run.open[run.nopen];
	*o = (struct open_program){ .dir = strndup(path, n) };
	if (o->dir == NULL)
		return NULL;
	run.nopen++;
	return o;
}

/* Findings f[0..n) of path, in program o: reported now, or held. */
static bool hold(struct open_program *o, const char *path, const struct finding *f, long n)
{
	long i = 0;
	if (o->nheld == 0) { /* nothing waits before them */
		size_t plen = strlen(path);
		for (; i < n && f[i].need == 0; i++)
			report(path, plen, &f[i]);
	}
	if (i == n)
		return true; /* f may be NULL when there are none */
	char **pp = grow(o->paths, &o->cappaths, o->npaths, sizeof(*pp));
	if (pp == NULL)
		return false;
	o->paths = pp;
	if ((pp[o->npaths] = strdup(path)) == NULL)
		return false;
	size_t at = o->npaths++;
	for (; i < n; i++) {
		struct held *h = grow(o->held, &o->capheld, o->nheld, sizeof(*h));
		if (h == NULL)
			return false;
		o->held = h;
		o->held[o->nheld++] = (struct held){ at, f[i] };
	}
	return true;
}

static void read_failed(const char *path, const char *why)
{
	fprintf(stderr, "%s: error: %s\n", path, why);
	run.read_error = true;
}

/* The whole file, in run.buf, or NULL (reported). */
static char *slurp(const char *path, size_t *len)
{
	const char *why;
	if (tool_read_file_into(path, MAX_FILE, true, &run.buf, &run.cap, len, &why) == 0)
		return run.buf;
	read_failed(path, why);
	return NULL;
}

static void scan_file(const char *path)
{
	size_t len;
	char *buf = slurp(path, &len);
	if (buf == NULL)
		return;
	run.files++;
	if (memchr(buf, '\0', len < 4096 ? len : 4096) != NULL) {
		fprintf(stderr, "%s: note: binary file (NUL bytes), not scanned\n", path);
		return;
	}
	struct lexed *l = &run.lexed;
	struct finding *f = NULL;
	struct open_program *o = enter_dir(path);
	long n = o == NULL || lex(buf, len, l) < 0 ? -1 : find_all(l, run.enabled, &o->prog, &f);
	if (n < 0 || !hold(o, path, f, n))
		read_failed(path, "out of memory");
	if (n >= 0 && l->problem != NULL) {
		struct linepos pos = { 0, 1, 0 };
		unsigned line, col;
		line_of(l, l->problem_off, &pos, &line, &col);
		fprintf(stderr, "%s:%u: note: %s; scanned as far as it goes\n", path, line,
			l->problem);
	}
	free(f);
}

static const char synopsis[] =
	"usage: anysock-port [--json] [--rules LIST] [--] FILE|DIR...\n"
	"       anysock-port --list-rules[=man|=markdown]\n"
	"Find the IPv4-only idioms and dual-stack pitfalls in C and C++ code.\n"
	"Exit status: 0 clean, 1 findings, 2 a usage error or an unreadable file.\n\n";

enum { JSON = 256, RULES, LIST_RULES };

static const struct tool_option options[] = {
	{ "json", JSON, NULL, "the findings as a JSON array" },
	{ "rules", RULES, "LIST", "only these rules (comma-separated ids)" },
	{ "list-rules", LIST_RULES, "[=FORM]",
	  "every rule, what it finds and the fix; FORM man or\n"
	  "markdown: as the man page and porting.md hold them" },
	{ NULL, 0, NULL, NULL },
};

_Noreturn static void usage(const char *why)
{
	fprintf(stderr, "anysock-port: %s\n", why);
	tool_usage(2);
}

static bool source_name(const char *path)
{
	static const char *const ext[] = { ".c", ".h", ".cc", ".cpp", ".cxx", ".hpp" };
	const char *dot = strrchr(path, '.');
	if (dot == NULL || strchr(dot, '/') != NULL)
		return false;
	for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (strcmp(dot, ext[i]) == 0)
			return true;
	return false;
}

/* nftw with FTW_PHYS: a symbolic link is never followed, so no loop;
 * FTW_DEPTH: a directory is reported after its files and directories, so
 * its program ends there. */
static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DNR)
		read_failed(path, "directory cannot be read");
	else if (type == FTW_F && source_name(path))
		scan_file(path);
	else if (type == FTW_DP)
		leave_dir(path); /* after all it holds (FTW_DEPTH) */
	return 0;
}

static void scan_arg(const char *arg)
{
	struct stat st;
	if (stat(arg, &st) < 0) {
		read_failed(arg, strerror(errno));
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		scan_file(arg); /* named on the command line: whatever its name */
		return;
	}
	if (nftw(arg, visit, 32, FTW_PHYS | FTW_DEPTH) < 0)
		read_failed(arg, strerror(errno));
}

/* Text with roff's special characters escaped. */
static void roff(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
}

/* The rules as text, or in the form the man page and doc/porting.md hold
 * them (tests/port.sh checks that those still say what this table does). */
static int list_rules(const char *form)
{
	if (form == NULL) {
		for (size_t i = 0; i < nrules; i++) {
			printf("%s%s\n  why: %s\n  fix: %s\n", rules[i].id,
			       rules[i].heuristic ? " (heuristic)" : "", rules[i].why,
			       rules[i].fix);
			if (rules[i].when != NULL)
				printf("  when %s: %s\n", rules[i].when, rules[i].alt);
		}
	} else if (strcmp(form, "man") == 0) {
		for (size_t i = 0; i < nrules; i++) {
			printf(".TP\n.B ");
			roff(rules[i].id);
			printf("%s\n", rules[i].heuristic ? " (heuristic)" : "");
			roff(rules[i].why);
			printf(".\n.br\nFix: ");
			roff(rules[i].fix);
			printf(".\n");
			if (rules[i].when != NULL) {
				printf(".br\nWhen ");
				roff(rules[i].when);
				printf(": ");
				roff(rules[i].alt);
				printf(".\n");
			}
		}
	} else if (strcmp(form, "markdown") == 0) {
		printf("| rule | what is wrong | the fix |\n|---|---|---|\n");
		for (size_t i = 0; i < nrules; i++)
			printf("| `%s`%s | %s | %s%s%s%s%s |\n", rules[i].id,
			       rules[i].heuristic ? " (heuristic)" : "", rules[i].why, rules[i].fix,
			       rules[i].when != NULL ? "; when " : "",
			       rules[i].when != NULL ? rules[i].when : "",
			       rules[i].when != NULL ? ": " : "",
			       rules[i].alt != NULL ? rules[i].alt : "");
	} else {
		usage("--list-rules takes man or markdown");
	}
	return 0;
}

/* --rules a,b,c: only those; an unknown id is a usage error. */
static int choose_rules(const char *list)
{
	memset(run.enabled, 0, sizeof(run.enabled));
	char *copy = strdup(list), *save = NULL;
	if (copy == NULL)
		return -1;
	int rc = 0;
	for (char *id = strtok_r(copy, ",", &save); id != NULL; id = strtok_r(NULL, ",", &save)) {
		size_t i = 0;
		while (i < nrules && strcmp(rules[i].id, id) != 0)
			i++;
		if (i == nrules) {
			fprintf(stderr, "anysock-port: no rule \"%s\" (see --list-rules)\n", id);
			rc = -1;
		} else {
			run.enabled[i] = true;
		}
	}
	free(copy);
	return rc;
}

int main(int argc, char **argv)
{
	tool_name = "anysock-port";
	if (nrules > sizeof(run.enabled) / sizeof(run.enabled[0])) {
		fprintf(stderr, "anysock-port: internal: the rule tables are broken\n");
		return 2;
	}
	for (size_t i = 0; i < nrules; i++)
		run.enabled[i] = true;
	int opt;
	const char *given;
	while ((opt = tool_getopt(argc, argv, options, synopsis, &given)) != -1) {
		if (opt == JSON)
			run.json = true;
		else if (opt == LIST_RULES)
			return list_rules(optarg);
		else if (choose_rules(optarg) < 0)
			return 2;
	}
	int i = optind;
	if (i == argc)
		usage("no file or directory to scan");
	/* Findings by the megabyte into a pipe or a file: in large writes,
	 * not glibc's 4 kB ones (a terminal keeps its line buffering). */
	static char out[1 << 16];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, out, _IOFBF, sizeof(out));
	for (; i < argc; i++)
		scan_arg(argv[i]);
	while (run.nopen > 0)
		close_program();
	free(run.open);
	if (run.json)
		printf("%s]\n", run.findings > 0 ? "" : "[");
	fflush(stdout);
	fprintf(stderr, "anysock-port: %lu finding%s in %lu file%s", run.findings,
		run.findings == 1 ? "" : "s", run.files, run.files == 1 ? "" : "s");
	const char *sep = ":";
	for (size_t r = 0; r < nrules; r++) {
		if (run.count[r] > 0) {
			fprintf(stderr, "%s %s %lu", sep, rules[r].id, run.count[r]);
			sep = ",";
		}
	}
	fputc('\n', stderr);
	lexed_free(&run.lexed);
	free(run.buf);
	return run.read_error ? 2 : run.findings > 0 ? 1 : 0;
}
