/*
 * netns.h - throw-away hosts for tests: network namespaces joined by veth
 * pairs. Run inside tests/netns/run.sh, whose mount namespace keeps the
 * hosts file and resolver configuration private.
 *
 * A host is a descriptor of a network namespace. A socket belongs to the
 * namespace it was created in, so a test can create a server's socket in
 * one host and a client's in another from the same thread, then talk
 * between them; nothing else changes namespace.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef NETNS_H
#define NETNS_H

#include <stdbool.h>

/* A new host with only loopback, up (fails the test when that cannot be). */
int host_new(void);
/* The host this process started in. */
int host_self(void);
/* Make this thread's new sockets belong to host. */
void host_enter(int host);
/* socket(domain, type, 0) in host; the thread stays where it was. */
int host_socket(int host, int domain, int type);
/* Run a shell command in host; its exit status (aborts on fork failure).
 * printf-style. The command is echoed to stderr when it fails. */
int host_sh(int host, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, failing the test unless the command succeeds. */
void host_must(int host, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Join a and b with a veth pair named ifa (in a) and ifb (in b). */
void host_link(int a, const char *ifa, int b, const char *ifb);
/* Replace /etc/hosts, in a mount namespace of this process's own. */
void hosts_file(const char *text);

#endif
