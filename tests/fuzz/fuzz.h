/*
 * fuzz.h - what every libFuzzer target here shares: the entry point's
 * prototype and require(), which stops the run (abort: libFuzzer keeps
 * the input) with the broken condition and a message saying why.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_FUZZ_H
#define ANYSOCK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define require(cond, ...)                                 \
	do {                                               \
		if (!(cond)) {                             \
			fprintf(stderr, __VA_ARGS__);      \
			fprintf(stderr, " (%s)\n", #cond); \
			abort();                           \
		}                                          \
	} while (0)

#endif
