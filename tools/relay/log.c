/*
 * log.c - the line each connection leaves on standard output as it ends,
 * and the program's notices, as text for people (the default) or, with
 * --log-format json, one JSON object a line for programs (jq, journald's
 * and log shippers' JSON parsers): the same fields, never two lines for
 * one connection.
 *
 * Standard output is line-buffered and every line is one printf() call,
 * which stdio's lock keeps whole among the workers' threads.
 *
 * SPDX-License-Identifier: MIT
 */
#include "relay.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

size_t json_string(char *buf, size_t size, const char *text)
{
	size_t n = 0;
	if (size < 3)
		return 0;
	buf[n++] = '"';
	for (const unsigned char *p = (const unsigned char *)text; *p != '\0' && n + 8 < size;
	     p++) {
		if (*p == '"' || *p == '\\')
			n += (size_t)snprintf(buf + n, size - n, "\\%c", *p);
		else if (*p < 0x20)
			n += (size_t)snprintf(buf + n, size - n, "\\u%04x", *p);
		else
			buf[n++] = (char)*p;
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return n;
}

static const char *family_word(int family, bool json)
{
	if (family == AF_INET6)
		return json ? "ipv6" : " (IPv6)";
	if (family == AF_INET)
		return json ? "ipv4" : " (IPv4)";
	return "";
}

static void log_text(const struct conn_report *r, const char *client, const char *target)
{
	int family = anysock_addr_family(r->target);
	bool tcp = strcmp(r->proto, "tcp") == 0;
	char datagrams[64] = "", as[ANYSOCK_ADDRSTRLEN + 4] = "";
	if (!tcp)
		snprintf(datagrams, sizeof(datagrams), " (%llu/%llu datagrams)",
			 (unsigned long long)r->datagrams[0], (unsigned long long)r->datagrams[1]);
	if (r->source != NULL) {
		strcpy(as, " as ");
		anysock_ntop(r->source, as + 4, sizeof(as) - 4, ANYSOCK_NTOP_NOPORT);
	}
	printf("anysock-relay: %s%s%s -> %s%s%s up %llu down %llu bytes%s %lld ms: %s\n",
	       tcp ? "" : r->proto, tcp ? "" : " ", client, target, family_word(family, false), as,
	       (unsigned long long)r->up, (unsigned long long)r->down, datagrams, (long long)r->ms,
	       r->why);
}

static void log_json(const struct conn_report *r, const char *client, const char *target)
{
	char why[512], family[16] = "null", to[ANYSOCK_ADDRSTRLEN + 2] = "null",
		       source[ANYSOCK_ADDRSTRLEN + 16] = "";
	json_string(why, sizeof(why), r->why);
	if (anysock_addr_family(r->target) > 0) {
		snprintf(family, sizeof(family), "\"%s\"",
			 family_word(anysock_addr_family(r->target), true));
		snprintf(to, sizeof(to), "\"%s\"", target);
	}
	if (r->source != NULL) {
		char text[ANYSOCK_ADDRSTRLEN];
		anysock_ntop(r->source, text, sizeof(text), ANYSOCK_NTOP_NOPORT);
		snprintf(source, sizeof(source), ",\"source\":\"%s\"", text);
	}
	printf("{\"event\":\"connection\",\"proto\":\"%s\",\"client\":\"%s\",\"target\":%s,"
	       "\"family\":%s%s,\"up\":%llu,\"down\":%llu,\"datagrams_up\":%llu,"
	       "\"datagrams_down\":%llu,\"ms\":%lld,\"end\":\"%s\",\"why\":%s}\n",
	       r->proto, client, to, family, source, (unsigned long long)r->up,
	       (unsigned long long)r->down, (unsigned long long)r->datagrams[0],
	       (unsigned long long)r->datagrams[1], (long long)r->ms, end_reason_name[r->reason],
	       why);
}

void log_connection(const struct conn_report *r)
{
	char client[ANYSOCK_ADDRSTRLEN], target[ANYSOCK_ADDRSTRLEN] = "-";
	anysock_ntop(r->client, client, sizeof(client), 0);
	if (anysock_addr_family(r->target) > 0)
		anysock_ntop(r->target, target, sizeof(target), 0);
	if (cfg.log_format == LOG_JSON)
		log_json(r, client, target);
	else
		log_text(r, client, target);
}

void log_notice(const char *event, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (cfg.log_format == LOG_JSON) {
		char message[2048];
		json_string(message, sizeof(message), text);
		printf("{\"event\":\"%s\",\"message\":%s}\n", event, message);
	} else {
		printf("anysock-relay: %s\n", text);
	}
}
