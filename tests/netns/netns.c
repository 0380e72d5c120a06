/*
 * netns.c - throw-away hosts for tests (see netns.h).
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>

static void die(const char *what)
{
	fprintf(stderr, "netns: %s: %s\n", what, strerror(errno));
	abort();
}

static int current(void)
{
	/* No O_CLOEXEC: "ip ... netns /proc/PID/fd/N" opens it by path. */
	int fd = open("/proc/thread-self/ns/net", O_RDONLY);
	if (fd < 0)
		die("open /proc/thread-self/ns/net");
	return fd;
}

static int self_host = -1;

int host_self(void)
{
	if (self_host < 0)
		self_host = current();
	return self_host;
}

void host_enter(int host)
{
	if (setns(host, CLONE_NEWNET) < 0)
		die("setns");
}

int host_socket(int host, int domain, int type)
{
	int back = current();
	host_enter(host);
	int fd = socket(domain, type, 0);
	int e = errno;
	host_enter(back);
	close(back);
	errno = e;
	return fd;
}

int host_new(void)
{
	int back = host_self();
	if (unshare(CLONE_NEWNET) < 0)
		die("unshare(CLONE_NEWNET)");
	int host = current();
	host_enter(back);
	host_must(host, "ip link set lo up");
	return host;
}

__attribute__((format(printf, 2, 0))) static int vsh(int host, const char *fmt, va_list ap)
{
	char cmd[1024];
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (setns(host, CLONE_NEWNET) < 0)
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
	if (rc != 0)
		fprintf(stderr, "netns: '%s' exited %d\n", cmd, rc);
	return rc;
}

int host_sh(int host, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vsh(host, fmt, ap);
	va_end(ap);
	return rc;
}

void host_must(int host, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vsh(host, fmt, ap);
	va_end(ap);
	if (rc != 0) {
		errno = 0;
		die("a setup command failed (see above)");
	}
}

void host_link(int a, const char *ifa, int b, const char *ifb)
{
	host_must(a, "ip link add %s type veth peer name %s netns /proc/%d/fd/%d", ifa, ifb,
		  (int)getpid(), b);
	host_must(a, "ip link set %s up", ifa);
	host_must(b, "ip link set %s up", ifb);
}

void hosts_file(const char *text)
{
	char path[] = "/tmp/anysock-hosts-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die("hosts file");
	close(fd);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount(path, "/etc/hosts", NULL, MS_BIND, NULL) < 0)
		die("bind-mount /etc/hosts");
	unlink(path); /* the mount keeps it */
}
