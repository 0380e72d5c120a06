/*
 * proxy.c - the PROXY protocol (HAProxy's proxy-protocol.txt), versions 1
 * and 2: a relay that accepted a client tells the server behind it who the
 * client really was, in a header sent before any data.
 *
 * Parsing is strict and bounded: every length is checked against the
 * bytes present before anything is read, every malformation has its own
 * error code, and nothing past the header is ever consumed, so the data
 * that follows stays in the socket for the application.
 *
 * SPDX-License-Identifier: MIT
 */
#include "addr.h"
#include "clock.h"
#include "text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <arpa/inet.h>

static const unsigned char v2_sig[12] = { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
					  0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a };

#define V1_MAX 107    /* the longest v1 line, CRLF included */
#define V2_FIXED 16   /* signature, version/command, family, length */
#define V2_UNIX_PATH 108

enum { V2_LOCAL = 0, V2_PROXY = 1 };
enum { V2_UNSPEC = 0, V2_INET = 1, V2_INET6 = 2, V2_UNIX = 3 };
enum { V2_STREAM = 1, V2_DGRAM = 2 };

/* ------------------------------------------------------------------------ */
/* Version 1: "PROXY TCP4 192.0.2.1 192.0.2.2 56324 443\r\n"                */
/* ------------------------------------------------------------------------ */

/* A decimal port without leading zeros (the specification's form, on
 * purpose stricter than a port in anysock_pton), or -1. */
static int v1_port(const char *s, size_t len)
{
	uint64_t port;
	return parse_decimal(s, len, 65535, DECIMAL_NO_LEADING_ZERO, &port) == 0 ? (int)port : -1;
}

/* Split the line (without CRLF) at single spaces into at most max fields. */
static int v1_fields(const char *line, size_t len, const char *f[], size_t flen[], int max)
{
	int n = 0;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != ' ')
			continue;
		if (i == start || n == max)
			return -1; /* two spaces in a row, a space at an end, too many */
		f[n] = line + start;
		flen[n++] = i - start;
		start = i + 1;
	}
	return n;
}

static int v1_parse(const char *buf, size_t len, anysock_proxy_info *out)
{
	/* The CRLF may start at V1_MAX - 2 at the latest: 107 bytes in all. */
	size_t end = 0;
	while (end + 1 < len && end + 2 < V1_MAX && !(buf[end] == '\r' && buf[end + 1] == '\n'))
		end++;
	if (end + 1 >= len || buf[end] != '\r' || buf[end + 1] != '\n')
		return len >= V1_MAX ? ANYSOCK_E_PROXY_LENGTH : -EAGAIN;
	out->version = 1;
	size_t header = end + 2;
	/* "PROXY UNKNOWN" may carry anything up to CRLF; it is ignored. */
	if (end >= 13 && memcmp(buf, "PROXY UNKNOWN", 13) == 0 && (end == 13 || buf[13] == ' ')) {
		out->local = true;
		return (int)header;
	}
	const char *f[6];
	size_t flen[6];
	if (v1_fields(buf, end, f, flen, 6) != 6)
		return ANYSOCK_E_PROXY_SYNTAX;
	int family = flen[1] == 4 && memcmp(f[1], "TCP4", 4) == 0   ? AF_INET
		     : flen[1] == 4 && memcmp(f[1], "TCP6", 4) == 0 ? AF_INET6
								    : 0;
	if (family == 0)
		return ANYSOCK_E_PROXY_FAMILY;
	anysock_addr *a[2] = { &out->src, &out->dst };
	for (int i = 0; i < 2; i++) {
		int port = v1_port(f[4 + i], flen[4 + i]);
		if (port < 0)
			return ANYSOCK_E_PROXY_PORT;
		if (memchr(f[2 + i], '[', flen[2 + i]) || memchr(f[2 + i], '%', flen[2 + i]) ||
		    anysock_pton_n(f[2 + i], flen[2 + i], a[i], ANYSOCK_PTON_NOPORT) < 0 ||
		    a[i]->u.sa.sa_family != family ||
		    (family == AF_INET6 && a[i]->u.sin6.sin6_scope_id != 0))
			return ANYSOCK_E_PROXY_ADDRESS;
		anysock_addr_set_port(a[i], port);
		anysock_addr_unmap(a[i]);
	}
	out->socktype = SOCK_STREAM;
	return (int)header;
}

static int v1_encode(const anysock_addr *src, const anysock_addr *dst, char *buf, size_t size)
{
	char s[ANYSOCK_ADDRSTRLEN], d[ANYSOCK_ADDRSTRLEN];
	int n;
	if (src == NULL) {
		n = snprintf(buf, size, "PROXY UNKNOWN\r\n");
	} else {
		anysock_ntop(src, s, sizeof(s), ANYSOCK_NTOP_NOPORT | ANYSOCK_NTOP_NOSCOPE);
		anysock_ntop(dst, d, sizeof(d), ANYSOCK_NTOP_NOPORT | ANYSOCK_NTOP_NOSCOPE);
		n = snprintf(buf, size, "PROXY %s %s %s %d %d\r\n",
			     src->u.sa.sa_family == AF_INET ? "TCP4" : "TCP6", s, d,
			     anysock_addr_port(src), anysock_addr_port(dst));
	}
	return n >= 0 && (size_t)n < size ? n : -ENOSPC;
}

/* ------------------------------------------------------------------------ */
/* Version 2: binary                                                        */
/* ------------------------------------------------------------------------ */

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/* The TLVs after the addresses must tile the rest of the header exactly. */
static int v2_tlvs(const unsigned char *p, size_t len)
{
	while (len > 0) {
		if (len < 3 || (size_t)get16(p + 1) > len - 3)
			return ANYSOCK_E_PROXY_TLV;
		size_t one = 3 + (size_t)get16(p + 1);
		p += one;
		len -= one;
	}
	return 0;
}

static void unix_from(anysock_addr *a, const unsigned char *path)
{
	memset(a, 0, sizeof(*a));
	a->u.un.sun_family = AF_UNIX;
	memcpy(a->u.un.sun_path, path, V2_UNIX_PATH);
	size_t n = strnlen(a->u.un.sun_path, V2_UNIX_PATH);
	if (path[0] == '\0') /* abstract: the whole field is the name */
		n = V2_UNIX_PATH;
	a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
}

/* The address block of a PROXY command; returns its size or an error. */
static int v2_addresses(const unsigned char *p, size_t len, int family, anysock_proxy_info *out)
{
	if (family == V2_INET) {
		if (len < 12)
			return ANYSOCK_E_PROXY_LENGTH;
		struct in_addr s, d; /* p need not be aligned */
		memcpy(&s, p, 4);
		memcpy(&d, p + 4, 4);
		anysock_addr_from_in(&out->src, &s, get16(p + 8));
		anysock_addr_from_in(&out->dst, &d, get16(p + 10));
		return 12;
	}
	if (family == V2_INET6) {
		if (len < 36)
			return ANYSOCK_E_PROXY_LENGTH;
		struct in6_addr s, d;
		memcpy(&s, p, 16);
		memcpy(&d, p + 16, 16);
		anysock_addr_from_in6(&out->src, &s, get16(p + 32), 0);
		anysock_addr_from_in6(&out->dst, &d, get16(p + 34), 0);
		anysock_addr_unmap(&out->src);
		anysock_addr_unmap(&out->dst);
		return 36;
	}
	if (family == V2_UNIX) {
		if (len < 2 * V2_UNIX_PATH)
			return ANYSOCK_E_PROXY_LENGTH;
		unix_from(&out->src, p);
		unix_from(&out->dst, p + V2_UNIX_PATH);
		return 2 * V2_UNIX_PATH;
	}
	return 0; /* UNSPEC: no addresses, whatever follows is TLVs */
}

static int v2_parse(const unsigned char *buf, size_t len, anysock_proxy_info *out)
{
	if (len < V2_FIXED)
		return -EAGAIN;
	unsigned version = buf[12] >> 4, command = buf[12] & 0xf;
	unsigned family = buf[13] >> 4, transport = buf[13] & 0xf;
	size_t body = get16(buf + 14);
	if (version != 2 || command > V2_PROXY)
		return ANYSOCK_E_PROXY_VERSION;
	if (family > V2_UNIX || transport > V2_DGRAM)
		return ANYSOCK_E_PROXY_FAMILY;
	if (len < V2_FIXED + body)
		return -EAGAIN;
	out->version = 2;
	out->socktype = transport == V2_STREAM ? SOCK_STREAM : transport == V2_DGRAM ? SOCK_DGRAM : 0;
	const unsigned char *p = buf + V2_FIXED;
	int used = 0;
	if (command == V2_LOCAL || family == V2_UNSPEC) {
		/* Health checks and the like: the receiver keeps the real
		 * endpoints and skips the block, whatever it holds. */
		out->local = true;
		out->socktype = command == V2_LOCAL ? out->socktype : 0;
		return (int)(V2_FIXED + body);
	}
	used = v2_addresses(p, body, (int)family, out);
	if (used < 0)
		return used;
	int rc = v2_tlvs(p + used, body - (size_t)used);
	if (rc < 0)
		return rc;
	out->tlv_offset = V2_FIXED + (size_t)used;
	out->tlv_len = body - (size_t)used;
	return (int)(V2_FIXED + body);
}

static int v2_encode(int socktype, const anysock_addr *src, const anysock_addr *dst,
		     unsigned char *buf, size_t size)
{
	size_t body = 0;
	int family = V2_UNSPEC;
	if (src != NULL) {
		family = src->u.sa.sa_family == AF_INET	   ? V2_INET
			 : src->u.sa.sa_family == AF_INET6 ? V2_INET6
							   : V2_UNIX;
		body = family == V2_INET ? 12 : family == V2_INET6 ? 36 : 2 * V2_UNIX_PATH;
	}
	if (size < V2_FIXED + body)
		return -ENOSPC;
	memset(buf, 0, V2_FIXED + body);
	memcpy(buf, v2_sig, sizeof(v2_sig));
	buf[12] = (unsigned char)(0x20 | (src != NULL ? V2_PROXY : V2_LOCAL));
	buf[13] = (unsigned char)(family << 4 |
				  (socktype == SOCK_STREAM ? V2_STREAM
				   : socktype == SOCK_DGRAM ? V2_DGRAM
							    : 0));
	put16(buf + 14, (unsigned)body);
	unsigned char *p = buf + V2_FIXED;
	if (family == V2_INET) {
		memcpy(p, &src->u.sin.sin_addr, 4);
		memcpy(p + 4, &dst->u.sin.sin_addr, 4);
		put16(p + 8, (unsigned)anysock_addr_port(src));
		put16(p + 10, (unsigned)anysock_addr_port(dst));
	} else if (family == V2_INET6) {
		memcpy(p, &src->u.sin6.sin6_addr, 16);
		memcpy(p + 16, &dst->u.sin6.sin6_addr, 16);
		put16(p + 32, (unsigned)anysock_addr_port(src));
		put16(p + 34, (unsigned)anysock_addr_port(dst));
	} else if (family == V2_UNIX) {
		const anysock_addr *a[2] = { src, dst };
		for (int i = 0; i < 2; i++)
			memcpy(p + i * V2_UNIX_PATH, a[i]->u.un.sun_path,
			       a[i]->len - offsetof(struct sockaddr_un, sun_path));
	}
	return (int)(V2_FIXED + body);
}

/* ------------------------------------------------------------------------ */
/* Public                                                                   */
/* ------------------------------------------------------------------------ */

int anysock_proxy_parse(const void *buf, size_t len, anysock_proxy_info *out)
{
	if ((buf == NULL && len > 0) || out == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len == 0)
		return -EAGAIN;
	const unsigned char *b = buf;
	/* Enough bytes to tell the versions apart, or a prefix of either. */
	size_t sig = len < sizeof(v2_sig) ? len : sizeof(v2_sig);
	if (memcmp(b, v2_sig, sig) == 0)
		return sig < sizeof(v2_sig) ? -EAGAIN : v2_parse(b, len, out);
	size_t v1 = len < 6 ? len : 6;
	if (memcmp(b, "PROXY ", v1) == 0)
		return v1 < 6 ? -EAGAIN : v1_parse(buf, len, out);
	return ANYSOCK_E_PROXY_SIGNATURE;
}

int anysock_proxy_encode(int version, int socktype, const anysock_addr *src,
			 const anysock_addr *dst, void *buf, size_t size)
{
	if (buf == NULL || (version != 1 && version != 2) ||
	    (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM) ||
	    ((src == NULL) != (dst == NULL)))
		return -EINVAL;
	anysock_addr s, d;
	if (src != NULL) {
		int fs = addr_check(src), fd = addr_check(dst);
		if (fs < 0 || fd < 0)
			return fs < 0 ? fs : fd;
		s = *src;
		d = *dst;
		/* Both of one family: canonical IPv4 when both are, else IPv6
		 * (an IPv4 end is then written mapped, as the spec allows). */
		anysock_addr_unmap(&s);
		anysock_addr_unmap(&d);
		if ((fs == AF_UNIX) != (fd == AF_UNIX))
			return -EAFNOSUPPORT;
		if (s.u.sa.sa_family != d.u.sa.sa_family) {
			anysock_addr_map(&s);
			anysock_addr_map(&d);
		}
		src = &s;
		dst = &d;
		/* v1 speaks TCP only; anything else is "UNKNOWN". */
		if (version == 1 && (fs == AF_UNIX || socktype == SOCK_DGRAM))
			src = dst = NULL;
	}
	return version == 1 ? v1_encode(src, dst, buf, size) : v2_encode(socktype, src, dst, buf, size);
}

/* Read exactly n bytes, waiting at most until the deadline (-1: none). */
static int read_exact(int fd, unsigned char *buf, size_t n, int64_t deadline)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = recv(fd, buf + got, n - got, MSG_DONTWAIT);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0)
			return -ECONNRESET; /* closed before the header was complete */
		if (errno == EINTR)
			continue; /* MSG_DONTWAIT: nothing was being waited for */
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		if (deadline_passed(deadline))
			return -ETIMEDOUT;
		struct pollfd p = { fd, POLLIN, 0 };
		int rc = poll_until(&p, 1, deadline);
		if (rc < 0)
			return rc; /* -EINTR: a signal ends the wait (anysock(3)) */
	}
	return 0;
}

/*
 * Take the header off a socket without reading one byte past it: the
 * first 8 bytes tell the versions apart (the shortest v1 line,
 * "PROXY UNKNOWN\r\n", is 15); v2 then says its length, and v1 is read a
 * byte at a time up to its CRLF, at most 107 bytes.
 */
static int proxy_read(int fd, anysock_proxy_info *out, int timeout_ms)
{
	unsigned char head[V1_MAX];
	int64_t deadline = deadline_in(timeout_ms);
	int rc = read_exact(fd, head, 8, deadline);
	if (rc < 0)
		return rc;
	if (memcmp(head, v2_sig, 8) == 0) {
		if ((rc = read_exact(fd, head + 8, V2_FIXED - 8, deadline)) < 0)
			return rc;
		size_t body = get16(head + 14);
		unsigned char *all = malloc(V2_FIXED + body);
		if (all == NULL)
			return -ENOMEM;
		memcpy(all, head, V2_FIXED);
		rc = read_exact(fd, all + V2_FIXED, body, deadline);
		if (rc == 0)
			rc = anysock_proxy_parse(all, V2_FIXED + body, out);
		free(all);
		return rc;
	}
	size_t have = 8;
	for (;;) {
		rc = anysock_proxy_parse(head, have, out);
		if (rc != -EAGAIN || have == sizeof(head))
			return rc == -EAGAIN ? ANYSOCK_E_PROXY_LENGTH : rc;
		if ((rc = read_exact(fd, head + have, 1, deadline)) < 0)
			return rc;
		have++;
	}
}

int anysock_proxy_read(int fd, anysock_proxy_info *out, int timeout_ms)
{
	if (fd < 0 || out == NULL)
		return -EINVAL;
	int saved_errno = errno;
	return errno_kept(saved_errno, proxy_read(fd, out, timeout_ms));
}
