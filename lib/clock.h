/*
 * clock.h - the one clock, and the one rule for waiting (clock.c): every
 * deadline is CLOCK_MONOTONIC microseconds, -1 for none.
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_CLOCK_H
#define ANYSOCK_CLOCK_H

#include "internal.h"

#include <poll.h>
#include <time.h>

/* CLOCK_MONOTONIC now, in microseconds: the unit of every deadline. */
int64_t mono_us(void);
/* The deadline timeout_ms from now; -1 (none) when timeout_ms < 0. */
int64_t deadline_in(int timeout_ms);
/* Whether a deadline (-1: none) has passed. */
bool deadline_passed(int64_t deadline);
/* What poll() wants until deadline: -1 for none, 0 once passed, else the
 * milliseconds left rounded up (a wait never ends early), at most INT_MAX. */
int poll_ms(int64_t deadline);
/* A deadline as a CLOCK_MONOTONIC timespec (deadline >= 0). */
struct timespec deadline_timespec(int64_t deadline);
/* poll() until the time until (-1: none). Returns how many descriptors are
 * ready (0: until came), -EINTR when a signal arrived (every blocking call
 * then returns -EINTR: anysock(3)), or another -errno. */
int poll_until(struct pollfd *fds, nfds_t n, int64_t until);

#endif
