/*
 * error.c - one error convention and one anysock_strerror for all of it.
 *
 * Codes: >= 0 success; [-4095, -1] is -errno; ANYSOCK_E_* in [-4999, -4096];
 * resolver (EAI_*) codes in [-5999, -5001] as ANYSOCK_E_EAI_BASE - |eai|.
 *
 * SPDX-License-Identifier: MIT
 */
#include "internal.h"

#include <errno.h>
#include <netdb.h>

#define ERRNO_MAX 4095
#define EAI_SPAN 999

/* EAI_* values are negative on glibc and positive on the BSDs. */
#define EAI_SIGN (EAI_AGAIN < 0 ? -1 : 1)

static const struct {
	int code;
	const char *text;
} messages[] = {
#define MESSAGE(name, value, text) { value, text },
	ANYSOCK_ERRORS(MESSAGE)
#undef MESSAGE
};

static const char *errno_text(int err)
{
#ifdef HAVE_STRERRORDESC_NP
	const char *s = strerrordesc_np(err);
	return s != NULL ? s : "Unknown system error";
#else
	/* strerror() of a known errno is a static string on every libc we
	 * target; strerrordesc_np() just promises it. */
	return strerror(err);
#endif
}

const char *(anysock_strerror)(int code) /* the name in parentheses: not the macro */
{
	if (code >= 0)
		return "Success";
	if (code >= -ERRNO_MAX)
		return errno_text(-code);
	int eai = anysock_error_to_eai(code);
	if (eai != 0)
		return gai_strerror(eai);
	for (size_t i = 0; i < ARRAY_SIZE(messages); i++)
		if (messages[i].code == code)
			return messages[i].text;
	return "Unknown anysock error";
}

int anysock_error_from_eai(int eai)
{
	if (eai == 0)
		return 0;
#ifdef EAI_SYSTEM
	if (eai == EAI_SYSTEM)
		return errno > 0 ? -errno : -EIO;
#endif
	int magnitude = eai < 0 ? -eai : eai;
	if (magnitude > EAI_SPAN)
		return ANYSOCK_E_EAI_BASE - EAI_SPAN;
	return ANYSOCK_E_EAI_BASE - magnitude;
}

int anysock_error_to_eai(int code)
{
	if (code >= ANYSOCK_E_EAI_BASE || code < ANYSOCK_E_EAI_BASE - EAI_SPAN)
		return 0;
	return EAI_SIGN * (ANYSOCK_E_EAI_BASE - code);
}
