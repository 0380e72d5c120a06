/*
 * dns.h - a tiny DNS responder for tests, on 127.0.0.1:53 of a namespace.
 *
 * It answers from a table: each name either gets its records at once, gets
 * them after a delay, or gets no answer at all (a silent server, the case
 * that makes getnameinfo block for timeout x attempts). Names not in the
 * table are NXDOMAIN. Only what glibc's stub resolver sends is understood:
 * one question, class IN, types A, AAAA and PTR. It can also act as a
 * DNS64, synthesizing AAAA answers from A ones (dns_set_dns64).
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef ANYSOCK_TEST_DNS_H
#define ANYSOCK_TEST_DNS_H

#include <limits.h>

struct dns_record {
	const char *name;  /* lower case, no trailing dot; "*.x" any name under x */
	int type;          /* 1 A, 28 AAAA, 12 PTR */
	const char *value; /* address text, the PTR target name, or NULL (a row
			    * that only sets the delay of its type) */
	int delay_ms;      /* 0: at once; < 0: never answer; DNS_HELD: once
			    * dns_release() is called. The first row of the
			    * type asked decides, else the name's first */
};

/* A delay that ends when the test says so, not after a time. */
#define DNS_HELD INT_MAX

/* Serve records (terminated by a NULL name) on 127.0.0.1:53 from a
 * thread of its own. Returns 0, or -errno. */
int dns_start(const struct dns_record *records);

/* Stop serving and wait for the server thread (delayed replies still in
 * flight are dropped with their thread). */
void dns_stop(void);

/* Queries seen so far. */
unsigned long dns_queries(void);

/* Answers DNS_HELD rows hold back now. */
int dns_held(void);

/* Send the answers held by DNS_HELD rows, and answer such rows at once
 * from now on (until the next dns_start). */
void dns_release(void);

/* Act as a DNS64 (RFC 6147 section 5.1) under prefix ("2001:db8:64::/96",
 * any RFC 6052 length; NULL: stop): a AAAA question for a name with A
 * rows and no AAAA row with a value is answered with those A addresses
 * synthesized under the prefix (RFC 6052 section 2.2). With rows for
 * ipv4only.arpa's A records (192.0.0.170, 192.0.0.171) this is what an
 * RFC 7050 discovery asks. 0, or -EINVAL for a prefix it cannot use. */
int dns_set_dns64(const char *prefix);

#endif
