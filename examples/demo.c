/*
 * demo.c - what anysock sees in a few addresses.
 *
 * An IPv6 socket receives IPv4 peers as IPv4-mapped addresses
 * (::ffff:192.0.2.1). Logs, comparisons and access lists that see that form
 * treat one client as two. This demo parses a few endpoints, prints them in
 * RFC 5952 form, shows that unmapping makes the two spellings one, judges
 * addresses by the IPv4 they carry, and runs an access list that gives a
 * mapped client the answer its IPv4 address gets. Then it runs a small
 * echo server on an ephemeral port on every family, connects to it over
 * 127.0.0.1 and ::1, and prints the peers the server saw: plain AF_INET
 * and AF_INET6, never ::ffff:127.0.0.1, in both listening modes.
 *
 * Build and run: make demo
 * SPDX-License-Identifier: MIT
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <anysock.h>

static void show(const char *text)
{
	anysock_addr a;
	char out[ANYSOCK_ADDRSTRLEN];
	int err = anysock_pton(text, &a, 0);
	if (err < 0) {
		printf("  %-28s rejected: %s\n", text, anysock_strerror(err));
		return;
	}
	anysock_ntop(&a, out, sizeof(out), 0);
	printf("  %-28s -> %-26s %s%s%s\n", text, out,
	       anysock_addr_family(&a) == AF_INET ? "IPv4" : "IPv6",
	       anysock_addr_is_mapped(&a) ? ", IPv4-mapped" : "",
	       anysock_addr_is_loopback(&a) ? ", loopback" : "");
}

/* The server side: accept two connections, echo one line each, and
 * report who connected. */
static void *echo_twice(void *arg)
{
	anysock_listener *l = arg;
	for (int i = 0; i < 2; i++) {
		anysock_addr peer;
		char text[ANYSOCK_ADDRSTRLEN], buf[64];
		int fd = anysock_accept(l, &peer, 2000);
		if (fd < 0)
			break;
		anysock_ntop(&peer, text, sizeof(text), 0);
		printf("    server saw %-22s (%s)\n", text,
		       anysock_addr_family(&peer) == AF_INET ? "AF_INET" : "AF_INET6");
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0 && write(fd, buf, (size_t)n) != n)
			n = -1;
		close(fd);
	}
	return NULL;
}

/* The client side: connect by address with the library, send, read back. */
static void talk(const char *host, const char *port)
{
	anysock_addr peer;
	char buf[8];
	int fd = anysock_connect(host, port, SOCK_STREAM, NULL, &peer);
	if (fd < 0) {
		printf("    client to %-10s %s\n", host, anysock_strerror(fd));
		return;
	}
	bool ok = write(fd, "hello", 5) == 5 && read(fd, buf, sizeof(buf)) == 5;
	printf("    client to %-10s %s\n", host, ok ? "echoed" : "no echo");
	close(fd);
}

static int live(const char *mode, unsigned flags)
{
	anysock_listener *l;
	int rc = anysock_listen(NULL, NULL, SOCK_STREAM, flags, 0, &l, NULL);
	if (rc < 0) {
		printf("  listen: %s\n", anysock_strerror(rc));
		return rc;
	}
	char where[256], port[8];
	anysock_addr first;
	anysock_listener_ntop(l, where, sizeof(where));
	anysock_listener_addr(l, 0, &first);
	snprintf(port, sizeof(port), "%d", anysock_addr_port(&first));
	printf("  %s: listening on %s\n", mode, where);
	fflush(stdout);
	pthread_t server;
	pthread_create(&server, NULL, echo_twice, l);
	talk("127.0.0.1", port);
	talk("::1", port);
	pthread_join(server, NULL);
	anysock_listener_close(l);
	return 0;
}

int main(void)
{
	static const char *samples[] = {
		"192.0.2.1:80",
		"[2001:DB8:0:0:0:0:0:1]:443",
		"[::ffff:192.0.2.1]:80",
		"[::ffff:127.0.0.1]:22",
		"[fe80::1%1]:8080",
		"2001:db8::1:0:0:1",
		"010.0.0.1",
		"[::1]:65536",
	};
	printf("Parsing and printing (RFC 5952):\n");
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		show(samples[i]);

	anysock_addr v4, mapped;
	if (anysock_pton("192.0.2.1:80", &v4, 0) < 0 ||
	    anysock_pton("[::ffff:192.0.2.1]:80", &mapped, 0) < 0)
		return EXIT_FAILURE;
	printf("\nThe same client, seen through an IPv4 and an IPv6 socket:\n");
	printf("  equal as received:      %s\n",
	       anysock_addr_equal(&v4, &mapped, 0) ? "yes" : "no");
	printf("  equal with CMP_UNMAP:   %s\n",
	       anysock_addr_equal(&v4, &mapped, ANYSOCK_CMP_UNMAP) ? "yes" : "no");

	char before[ANYSOCK_ADDRSTRLEN], after[ANYSOCK_ADDRSTRLEN];
	anysock_ntop(&mapped, before, sizeof(before), 0);
	anysock_addr_unmap(&mapped);
	anysock_ntop(&mapped, after, sizeof(after), 0);
	printf("  unmapped:               %s -> %s\n", before, after);
	printf("  equal after unmap:      %s\n",
	       anysock_addr_equal(&v4, &mapped, 0) ? "yes" : "no");

	printf("\nJudged by the IPv4 inside (safe to connect to from a public service?):\n");
	static const char *judged[] = { "::ffff:127.0.0.1", "64:ff9b::10.0.0.1",
					"2002:7f00:1::", "::ffff:8.8.8.8", "2001:db8::1" };
	for (size_t i = 0; i < sizeof(judged) / sizeof(judged[0]); i++) {
		anysock_addr a;
		char names[256];
		if (anysock_pton(judged[i], &a, 0) < 0)
			return EXIT_FAILURE;
		anysock_class_str(anysock_addr_class(&a), names, sizeof(names));
		printf("  %-20s %-4s {%s}\n", judged[i],
		       anysock_addr_is_global(&a) ? "yes" : "no", names);
	}

	/* An access list written for IPv4 holds for mapped clients too. */
	static const char acl_text[] = "deny 10.66.0.0/16   # the lab\n"
				       "allow 10.0.0.0/8\n"
				       "default deny\n";
	anysock_acl *acl;
	anysock_parse_error perr;
	if (anysock_acl_parse(acl_text, 0, &acl, &perr) < 0) {
		printf("acl line %u, column %u: %s\n", perr.line, perr.column,
		       anysock_strerror(perr.code));
		return EXIT_FAILURE;
	}
	printf("\nAccess list \"deny 10.66.0.0/16; allow 10.0.0.0/8; default deny\":\n");
	static const char *clients[] = { "10.1.2.3", "::ffff:10.1.2.3", "10.66.0.9",
					 "::ffff:10.66.0.9", "::ffff:a42:9", "192.0.2.1" };
	for (size_t i = 0; i < sizeof(clients) / sizeof(clients[0]); i++) {
		anysock_addr a;
		unsigned line;
		if (anysock_pton(clients[i], &a, 0) < 0)
			return EXIT_FAILURE;
		int verdict = anysock_acl_check(acl, &a, &line);
		printf("  %-20s %-5s (line %u)\n", clients[i],
		       verdict == ANYSOCK_ACL_ALLOW ? "allow" : "deny", line);
	}
	anysock_acl_free(acl);

	printf("\nA live echo server on every family, and clients over both:\n");
	if (live("one socket per family (IPV6_V6ONLY on)", 0) < 0 ||
	    live("one dual-stack socket (IPV6_V6ONLY off)", ANYSOCK_LISTEN_DUALSTACK) < 0)
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}
