/*
 * clock.c - the one clock, and the one rule for waiting.
 *
 * Every deadline in the library is a CLOCK_MONOTONIC time in microseconds
 * (-1: none), made by deadline_in() from a caller's timeout_ms: fine enough
 * that no wait ends before its time (poll's milliseconds are rounded up). Every wait
 * on descriptors goes through poll_until(), and a signal that arrives
 * during it ends the wait: the caller returns -EINTR, so a program's
 * SIGTERM handler can stop any blocking call (anysock(3), "Signals").
 * Waits on a condition variable (the lookup pool) use deadline_timespec().
 *
 * SPDX-License-Identifier: MIT
 */
#include "clock.h"

#include <errno.h>
#include <limits.h>

int64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t deadline_in(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : mono_us() + (int64_t)timeout_ms * 1000;
}

bool deadline_passed(int64_t deadline)
{
	return deadline >= 0 && mono_us() >= deadline;
}

int poll_ms(int64_t deadline)
{
	if (deadline < 0)
		return -1;
	int64_t left = deadline - mono_us();
	if (left <= 0)
		return 0;
	left = (left + 999) / 1000;
	return left > INT_MAX ? INT_MAX : (int)left;
}

struct timespec deadline_timespec(int64_t deadline)
{
	return (struct timespec){ (time_t)(deadline / 1000000), (long)(deadline % 1000000) * 1000L };
}

int poll_until(struct pollfd *fds, nfds_t n, int64_t until)
{
	int rc = poll(fds, n, poll_ms(until));
	return rc < 0 ? -errno : rc;
}
