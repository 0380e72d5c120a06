/*
 * version.c - which release of the library a program runs with.
 * SPDX-License-Identifier: MIT
 */
#include "anysock.h"

unsigned anysock_version(void)
{
	return ANYSOCK_VERSION_HEX;
}

const char *anysock_version_string(void)
{
	return ANYSOCK_VERSION_STRING;
}
