/*
 * prefix_helpers.h - what check_prefix and check_acl share.
 * SPDX-License-Identifier: MIT
 */
#ifndef PREFIX_HELPERS_H
#define PREFIX_HELPERS_H

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "anysock.h"
#include "check_main.h"

static inline anysock_addr addr(const char *text)
{
	anysock_addr a;
	int r = anysock_pton(text, &a, 0);
	ck_assert_msg(r == 0, "pton(%s): %s", text, anysock_strerror(r));
	return a;
}

static inline anysock_prefix prefix(const char *text)
{
	anysock_prefix p;
	int r = anysock_prefix_parse(text, &p, 0);
	ck_assert_msg(r == 0, "prefix_parse(%s): %s", text, anysock_strerror(r));
	return p;
}

static inline const char *ptext(const anysock_prefix *p)
{
	static char buf[ANYSOCK_PREFIXSTRLEN];
	ck_assert_int_gt(anysock_prefix_ntop(p, buf, sizeof(buf)), 0);
	return buf;
}

#endif
