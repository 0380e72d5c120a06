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

const char *tool_option(int opt, const struct option *longs, int index)
{
	static char text[64];
	if (index >= 0)
		snprintf(text, sizeof(text), "--%s", longs[index].name);
	else
		snprintf(text, sizeof(text), "-%c", opt);
	return text;
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

/* Read fd to its end, at most max bytes, into a buffer of cap bytes at
 * first (grown as needed); NULL with *why set. */
static char *read_all(int fd, size_t cap, size_t max, size_t *len, const char **why)
{
	char *buf = malloc(cap);
	size_t got = 0;
	*why = "out of memory";
	while (buf != NULL && got <= max) {
		if (got + 1 == cap) {
			char *bigger = realloc(buf, 2 * cap);
			if (bigger == NULL)
				break;
			buf = bigger;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + got, cap - 1 - got);
		if (n == 0) {
			buf[got] = '\0';
			*len = got;
			return buf;
		}
		if (n < 0 && errno != EINTR) {
			*why = strerror(errno);
			break;
		}
		got += n > 0 ? (size_t)n : 0;
		if (got > max)
			*why = too_large(max);
	}
	free(buf);
	return NULL;
}

char *tool_read_file(const char *path, size_t max, bool regular_only, size_t *len,
		     const char **why)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (regular_only ? O_NONBLOCK : 0));
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		*why = strerror(errno);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char *buf = NULL;
	bool regular = S_ISREG(st.st_mode);
	if (regular_only && !regular)
		*why = "not a regular file";
	else if (regular && (uintmax_t)st.st_size > max)
		*why = too_large(max);
	else /* a file that changes while it is read: what there is at its end */
		buf = read_all(fd, regular ? (size_t)st.st_size + 1 : 65536, max, len, why);
	close(fd);
	return buf;
}

anysock_acl *tool_read_acl(const char *what, const char *path)
{
	size_t len;
	const char *why;
	char *text = tool_read_file(path, SIZE_MAX / 2, false, &len, &why);
	if (text == NULL) {
		fprintf(stderr, "%s: %s %s: %s\n", tool_name, what, path, why);
		exit(1);
	}
	const char *nul = memchr(text, '\0', len);
	if (nul != NULL) {
		fprintf(stderr, "%s: %s %s: a NUL byte at offset %zu: not an access list\n",
			tool_name, what, path, (size_t)(nul - text));
		exit(1);
	}
	anysock_acl *a;
	anysock_parse_error err;
	int rc = anysock_acl_parse_n(text, len, 0, &a, &err);
	free(text);
	if (rc < 0) {
		fprintf(stderr, "%s:%u:%u: %s\n", path, err.line, err.column,
			anysock_strerror(err.code));
		exit(1);
	}
	return a;
}

void tool_usage(const char *usage, int status)
{
	fputs(usage, status == 0 ? stdout : stderr);
	exit(status);
}

void tool_version(void)
{
	printf("%s (anysock) %s\n", tool_name, PACKAGE_VERSION);
	exit(0);
}
