/*
 * fuzz_split.c - libFuzzer target: the resolver's host:port split
 * (lib/addrinfo.c, endpoint_split and resolve_hints) cross-checked against
 * anysock_pton, so that one text means one endpoint to both (issue 25: an
 * outside probe found "[::1]:" and a 40-digit port accepted by one and
 * refused by the other this way in 18 s).
 *
 * Oracles: whatever anysock_pton takes as a numeric address (with or
 * without a port), the resolver's reading takes too, as the same address,
 * port and scope; whatever the resolver reads as a numeric host with a
 * decimal port or none, anysock_pton takes. A split that succeeds gives
 * parts no longer than the text.
 *
 * Linked with the static library: endpoint_split and resolve_hints are
 * internal (lib/addrinfo.h).
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/addrinfo.h"
#include "../../lib/text.h"

#include "fuzz.h"

/* How the resolver reads text as a numeric endpoint: split, the argument
 * checks of anysock_resolve, then the host part as a numeric address and
 * the service as a decimal port. 0 and *a; 1 when the service is a name
 * (not comparable with anysock_pton, which takes decimal ports only); or
 * the error. */
static int resolver_reading(const char *text, anysock_addr *a)
{
	const char *host = text, *service = NULL;
	struct endpoint_text buf;
	int rc = endpoint_split(&host, &service, &buf);
	if (rc < 0)
		return rc;
	require(host != NULL && strlen(host) <= strlen(text), "split host of \"%s\"", text);
	require(service == NULL || strlen(service) < strlen(text), "split service of \"%s\"", text);
	struct addrinfo hints;
	if ((rc = resolve_hints(host, service, 0, 0, &hints)) < 0)
		return rc;
	if ((rc = anysock_pton(host, a, ANYSOCK_PTON_NOPORT)) < 0)
		return rc;
	if (service == NULL)
		return 0;
	uint64_t port;
	if (parse_decimal(service, strlen(service), 65535, 0, &port) != 0)
		return 1;
	anysock_addr_set_port(a, (int)port);
	return 0;
}

/* The known disagreement (issue 25 item 6) while it is still there: a
 * numeric text longer than the split's buffers (a zero-padded port or
 * scope), which anysock_pton takes and the split refuses. Checked once;
 * once the two parsers agree it is no longer tolerated. */
static bool known_long_numbers;

static bool long_number_case(const char *text)
{
	const char *colon = strrchr(text, ':');
	return known_long_numbers &&
	       (strlen(text) > 260 || (colon != NULL && strlen(colon + 1) >= NI_MAXSERV));
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char text[128] = "[::1]:";
	memset(text + 6, '0', 38);
	strcpy(text + 44, "80");
	anysock_addr a, b;
	known_long_numbers = anysock_pton(text, &a, 0) == 0 && resolver_reading(text, &b) < 0;
	if (getenv("ANYSOCK_FUZZ_STRICT") != NULL) /* to see it found */
		known_long_numbers = false;
	if (known_long_numbers)
		fprintf(stderr,
			"fuzz_split: the known disagreement over zero-padded numbers longer "
			"than the split's buffers is still there (issue 25): tolerated\n");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	require(text != NULL, "malloc");
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) != size) { /* C strings only: both stop at a NUL */
		free(text);
		return 0;
	}
	anysock_addr p, r;
	memset(&p, 0, sizeof(p));
	memset(&r, 0, sizeof(r));
	int by_pton = anysock_pton(text, &p, 0);
	int by_split = resolver_reading(text, &r);
	if (by_pton == 0 && !long_number_case(text)) {
		require(by_split == 0,
			"\"%s\": anysock_pton takes it, the resolver's split says %s", text,
			anysock_strerror(by_split));
		require(anysock_addr_equal(&p, &r, 0), "\"%s\": not the same endpoint to both",
			text);
	}
	if (by_split == 0)
		require(by_pton == 0, "\"%s\": the resolver's split takes it, anysock_pton says %s",
			text, anysock_strerror(by_pton));
	free(text);
	return 0;
}
