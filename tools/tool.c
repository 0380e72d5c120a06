/*
 * tool.c - what anysock's installed programs share (see tool.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"
#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

const char *tool_name = "anysock";

/* --help and --version, which every program takes: codes no table uses. */
enum { SHOW_HELP = 0x10000, SHOW_VERSION };
static const struct tool_option common[] = {
	{ "help", SHOW_HELP, NULL, "this text, then exit" },
	{ "version", SHOW_VERSION, NULL, "the program's name and version, then exit" },
	{ NULL, 0, NULL, NULL },
};

/* The table and synopsis of the last tool_getopt() call, for the usage. */
static const struct tool_option *table;
static const char *usage_synopsis = "";

/* getopt_long()'s tables from ours and the common rows: a short option
 * with an argument takes the next word; a long one takes it after "=" or
 * as the next word, or only after "=" when its arg is written "[=...]". */
static void getopt_tables(const struct tool_option *options, struct option *longs, size_t nlongs,
			  char *shorts, size_t nshorts)
{
	const struct tool_option *rows[2] = { options, common };
	size_t l = 0, k = 0;
	for (int r = 0; r < 2; r++) {
		for (const struct tool_option *o = rows[r]; o->help != NULL; o++) {
			bool optional = o->arg != NULL && o->arg[0] == '[';
			if (o->name != NULL && l + 1 < nlongs)
				longs[l++] = (struct option){ o->name,
							      optional ? optional_argument
							      : o->arg ? required_argument
								       : no_argument,
							      NULL, o->key };
			if (o->key < 256 && k + 3 < nshorts) {
				shorts[k++] = (char)o->key;
				if (o->arg != NULL)
					shorts[k++] = ':';
			}
		}
	}
	longs[l] = (struct option){ NULL, 0, NULL, 0 };
	shorts[k] = '\0';
}

int tool_getopt(int argc, char **argv, const struct tool_option *options, const char *synopsis,
		const char **given)
{
	static struct option longs[48];
	static char shorts[96], text[64];
	if (table != options) {
		table = options;
		usage_synopsis = synopsis;
		getopt_tables(options, longs, sizeof(longs) / sizeof(longs[0]), shorts,
			      sizeof(shorts));
	}
	int index = -1;
	int key = getopt_long(argc, argv, shorts, longs, &index);
	if (index >= 0)
		snprintf(text, sizeof(text), "--%s", longs[index].name);
	else
		snprintf(text, sizeof(text), "-%c", key);
	*given = text;
	if (key == SHOW_HELP)
		tool_usage(0);
	if (key == SHOW_VERSION)
		tool_version();
	if (key == '?')
		tool_usage(2);
	return key;
}

/* One row of --help: "  -e, --header-timeout MS     how long ...". */
static void print_row(FILE *out, const struct tool_option *o)
{
	char letter[4] = "", left[80];
	if (o->key < 256)
		snprintf(letter, sizeof(letter), "-%c", o->key);
	snprintf(left, sizeof(left), "  %s%s%s%s%s%s", letter,
		 o->key >= 256     ? "    "
		 : o->name != NULL ? ", "
				   : "",
		 o->name != NULL ? "--" : "", o->name != NULL ? o->name : "",
		 o->arg != NULL && o->arg[0] != '[' ? " " : "", o->arg != NULL ? o->arg : "");
	fprintf(out, "%-30s ", left);
	for (const char *h = o->help; *h != '\0'; h++) {
		fputc(*h, out);
		if (*h == '\n')
			fprintf(out, "%31s", "");
	}
	fputc('\n', out);
}

int tool_number(const char *what, const char *text, long min, long max)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "%s: %s %s: not a number from %ld to %ld\n", tool_name, what, text,
			min, max);
		exit(2);
	}
	return (int)v;
}

static const char *too_large(size_t max)
{
	static char text[64];
	snprintf(text, sizeof(text), "larger than %zu MiB", max >> 20);
	return text;
}

/* Read fd to its end, at most max bytes, into *buf (of *cap bytes, grown
 * as needed: at least want at first); 0, or -1 with *why set. *buf stays
 * the caller's either way. */
static int read_all(int fd, char **buf, size_t *cap, size_t want, size_t max, size_t *len,
		    const char **why)
{
	*why = "out of memory";
	if (*cap < want) { /* nothing in it to keep */
		free(*buf);
		*buf = malloc(want);
		*cap = *buf != NULL ? want : 0;
		if (*buf == NULL)
			return -1;
	}
	size_t got = 0;
	while (got <= max) {
		if (got + 1 == *cap) {
			char *bigger = realloc(*buf, 2 * *cap);
			if (bigger == NULL)
				break;
			*buf = bigger;
			*cap *= 2;
		}
		ssize_t n = read(fd, *buf + got, *cap - 1 - got);
		if (n == 0) {
			(*buf)[got] = '\0';
			*len = got;
			return 0;
		}
		if (n < 0 && errno != EINTR) {
			*why = strerror(errno);
			break;
		}
		got += n > 0 ? (size_t)n : 0;
		if (got > max)
			*why = too_large(max);
	}
	return -1;
}

int tool_read_file_into(const char *path, size_t max, bool regular_only, char **buf, size_t *cap,
			size_t *len, const char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (regular_only ? O_NONBLOCK : 0));
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		*why = strerror(errno);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int rc = -1;
	bool regular = S_ISREG(st.st_mode);
	if (regular_only && !regular)
		*why = "not a regular file";
	else if (regular && (uintmax_t)st.st_size > max)
		*why = too_large(max);
	else /* a file that changes while it is read: what there is at its end;
	      * room for one byte more than its size, so the read that finds
	      * the end needs no larger buffer */
		rc = read_all(fd, buf, cap, regular ? (size_t)st.st_size + 2 : 65536, max, len,
			      why);
	close(fd);
	return rc;
}

char *tool_read_file(const char *path, size_t max, bool regular_only, size_t *len, const char **why)
{
	char *buf = NULL;
	size_t cap = 0;
	if (tool_read_file_into(path, max, regular_only, &buf, &cap, len, why) == 0)
		return buf;
	free(buf);
	return NULL;
}

anysock_acl *tool_load_acl(const char *path, char *why, size_t size)
{
	size_t len;
	const char *problem;
	char *text = tool_read_file(path, SIZE_MAX / 2, false, &len, &problem);
	if (text == NULL) {
		snprintf(why, size, "%s: %s", path, problem);
		return NULL;
	}
	const char *nul = memchr(text, '\0', len);
	if (nul != NULL) {
		snprintf(why, size, "%s: a NUL byte at offset %zu: not an access list", path,
			 (size_t)(nul - text));
		free(text);
		return NULL;
	}
	anysock_acl *a;
	anysock_parse_error err;
	int rc = anysock_acl_parse_n(text, len, 0, &a, &err);
	free(text);
	if (rc < 0) {
		snprintf(why, size, "%s:%u:%u: %s", path, err.line, err.column,
			 anysock_strerror(err.code));
		return NULL;
	}
	return a;
}

anysock_acl *tool_read_acl(const char *what, const char *path)
{
	char why[512];
	anysock_acl *a = tool_load_acl(path, why, sizeof(why));
	if (a == NULL) {
		/* where the file is wrong ("file:line:col: ...") or why it
		 * cannot be read ("tool: --acl file: ...") */
		if (strncmp(why, path, strlen(path)) == 0 && why[strlen(path)] == ':' &&
		    why[strlen(path) + 1] != ' ')
			fprintf(stderr, "%s\n", why);
		else
			fprintf(stderr, "%s: %s %s\n", tool_name, what, why);
		exit(1);
	}
	return a;
}

void tool_usage(int status)
{
	FILE *out = status == 0 ? stdout : stderr;
	fputs(usage_synopsis, out);
	for (const struct tool_option *o = table; o != NULL && o->help != NULL; o++)
		print_row(out, o);
	if (table != NULL)
		for (const struct tool_option *o = common; o->help != NULL; o++)
			print_row(out, o);
	fprintf(out, "See %s(1).\n", tool_name);
	exit(status);
}

void tool_version(void)
{
	printf("%s (anysock) %s\n", tool_name, PACKAGE_VERSION);
	exit(0);
}
