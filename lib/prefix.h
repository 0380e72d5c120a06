/*
 * prefix.h - what prefix.c gives the other users of 128-bit keys (acl.c,
 * classify.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_PREFIX_H
#define ANYSOCK_PREFIX_H

#include "key128.h"

/* A valid prefix as its first key and its length in key bits (prefix.c). */
void prefix_key(const anysock_prefix *p, struct key128 *start, int *len);

#endif
