/*
 * tool.h - what anysock's installed programs (anysock-relay, anysock-probe,
 * anysock-port) share: options from one table (getopt_long, --help and
 * --version), strict option numbers, whole-file reads, access-list files.
 *
 * examples/echo-server.c keeps its own number() and read_acl(): readers copy
 * it whole. They follow tool_number() and tool_read_acl(); a fix to one is a
 * fix to the other.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef TOOL_H
#define TOOL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include <anysock.h>

/* The program's name in every message ("anysock-relay"); main sets it. */
extern const char *tool_name;

/* A program's options, one row each, in the order --help lists them;
 * the table ends with a row whose help is NULL. */
struct tool_option {
	const char *name; /* the long name; NULL: a short option only */
	int key;          /* the short letter, or a code from 256 (long only) */
	const char *arg;  /* what it takes, for --help ("MS"); NULL: nothing;
			   * "[=FORM]": optional, and only after "=" */
	const char *help; /* one line; "\n" starts another */
};

/* The next option of the command line, by the table: its key, with its
 * argument in optarg and how it was written ("--header-timeout" or "-e",
 * for messages) in *given; -1 after the last, optind at the first operand.
 * --help (the synopsis, then the table) and --version are answered here
 * and exit 0; an unknown option or a missing argument prints the usage on
 * standard error and exits 2. */
int tool_getopt(int argc, char **argv, const struct tool_option *options, const char *synopsis,
		const char **given);

/* text as a whole number from min to max, or exit 2 with a message that
 * names what it was given for (an option, "target port"). */
int tool_number(const char *what, const char *text, long min, long max);

/* The whole file at path, NUL-terminated (*len leaves the NUL out), at
 * most max bytes; NULL with *why set (a static text) when it cannot be
 * read. regular_only: refuse what is not a regular file (a FIFO would
 * block), without blocking on it. The caller frees the result. */
char *tool_read_file(const char *path, size_t max, bool regular_only, size_t *len,
		     const char **why);

/* The same into *buf, a buffer of *cap bytes reused from call to call
 * (NULL and 0 at first; grown as needed, the caller frees it at the end):
 * 0, or -1 with *why set. */
int tool_read_file_into(const char *path, size_t max, bool regular_only, char **buf, size_t *cap,
			size_t *len, const char **why);

/* The access list in the file at path (any size), read for option what;
 * exit 1 saying what is wrong and where. The caller frees it. */
anysock_acl *tool_read_acl(const char *what, const char *path);

/* The same without exiting: NULL with why (size bytes) saying what is
 * wrong and where ("file:line:col: ...", "file: ..."); a server reading
 * the file again (SIGHUP) keeps its old list then. */
anysock_acl *tool_load_acl(const char *path, char *why, size_t size);

/* The usage from the last tool_getopt() call on standard output and exit
 * 0 (--help), or on standard error and exit status (a bad command line). */
_Noreturn void tool_usage(int status);

/* --version: "NAME (anysock) VERSION" and exit 0. */
_Noreturn void tool_version(void);

#endif
