/*
 * tool.h - what anysock's installed programs (anysock-relay, anysock-probe,
 * anysock-port) share: strict option numbers, whole-file reads, access-list
 * files, --help and --version.
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

/* How option opt was written on the command line: "--header-timeout" when
 * getopt_long() matched longs[index], else "-e". Pass index = -1 before
 * each getopt_long() call (it sets it only for long options). */
const char *tool_option(int opt, const struct option *longs, int index);

/* text as a whole number from min to max, or exit 2 with a message that
 * names what it was given for (an option, "target port"). */
int tool_number(const char *what, const char *text, long min, long max);

/* The whole file at path, NUL-terminated (*len leaves the NUL out), at
 * most max bytes; NULL with *why set (a static text) when it cannot be
 * read. regular_only: refuse what is not a regular file (a FIFO would
 * block), without blocking on it. The caller frees the result. */
char *tool_read_file(const char *path, size_t max, bool regular_only, size_t *len,
		     const char **why);

/* The access list in the file at path (any size), read for option what;
 * exit 1 saying what is wrong and where. The caller frees it. */
anysock_acl *tool_read_acl(const char *what, const char *path);

/* usage on standard output and exit 0 (--help), or on standard error and
 * exit status (a bad command line). */
_Noreturn void tool_usage(const char *usage, int status);

/* --version: "NAME (anysock) VERSION" and exit 0. */
_Noreturn void tool_version(void);

#endif
