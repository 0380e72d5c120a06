/*
 * internal.h - what nearly every lib/ file needs and nobody outside sees:
 * config.h, the public header, and two array helpers that have no module.
 *
 * What a file shares with a few others is declared in its own private
 * header, named for it (clock.h for clock.c, ...), which includes this
 * one; each .c includes the headers whose names it uses. Three are named
 * for what they hold instead: listener.h (the listener: listener.c,
 * datagram.c), connector.h (the connector connect.c and resolution.c
 * share) and key128.h (the 128-bit address key, all inline).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_INTERNAL_H
#define ANYSOCK_INTERNAL_H

#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "anysock.h"

#define ARRAY_SIZE(x) (sizeof(x) / sizeof((x)[0]))

/* Room for element n of an array of elements of size bytes and capacity
 * *cap (doubling, from 16): the array, maybe moved, or NULL when out of
 * memory (the old one is then still valid and still the caller's). */
static inline void *array_grow(void *items, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return items;
	size_t ncap = *cap ? 2 * *cap : 16;
	if (ncap > SIZE_MAX / size)
		return NULL;
	void *p = realloc(items, ncap * size);
	if (p != NULL)
		*cap = ncap;
	return p;
}

/* What a public call that may wait returns, with errno put back as the
 * caller had it when the call succeeded: the library's own retries leave
 * EAGAIN or EINPROGRESS behind, and legacy code that tests errno after a
 * call that worked would take that for a failure (anysock(3), "errno"). */
static inline int errno_kept(int saved, int rc)
{
	if (rc >= 0)
		errno = saved;
	return rc;
}

static inline ssize_t errno_kept_ss(int saved, ssize_t rc)
{
	if (rc >= 0)
		errno = saved;
	return rc;
}

#endif
