/*
 * text.h - text out and decimal numbers in, as text.c does them for every
 * file that writes or reads text.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_TEXT_H
#define ANYSOCK_TEXT_H

#include "internal.h"

/* Copy text (len bytes) into buf with its NUL when it fits: its length;
 * else -ENOSPC, and buf holds "" when size > 0. Every *_ntop ends so. */
int text_out(char *buf, size_t size, const char *text, size_t len);

#define DECIMAL_NO_LEADING_ZERO 0x1u /* "0" is fine, "01" is not a number */

/* s[0..n) as a decimal number: digits only (no sign, no blanks), at most
 * max. 0 and *out; DECIMAL_BAD when it is empty or not all digits;
 * DECIMAL_RANGE when it is all digits and above max (never wraps). */
#define DECIMAL_BAD (-1)
#define DECIMAL_RANGE (-2)
int parse_decimal(const char *s, size_t n, uint64_t max, unsigned flags, uint64_t *out);

/* s[0..n) as the port of "[v6]:port" or "v4:port", for anysock_pton and
 * whatever else takes a port in text: 0 and *port, ANYSOCK_E_PORT or
 * ANYSOCK_E_PORTRANGE (all digits, above 65535; leading zeros allowed). */
int text_parse_port(const char *s, size_t n, unsigned *port);

#endif
