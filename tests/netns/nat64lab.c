/*
 * nat64lab.c - an IPv6-only network with a NAT64 (see nat64lab.h).
 * SPDX-License-Identifier: MIT
 */
#define _GNU_SOURCE
#include "nat64lab.h"
#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define TAYGA "/usr/sbin/tayga"

bool tayga_installed(void)
{
	return access(TAYGA, X_OK) == 0;
}

static void note_pid(pid_t pid)
{
	const char *file = getenv("ANYSOCK_TAYGA_PIDS");
	FILE *f = file != NULL ? fopen(file, "a") : NULL;
	if (f != NULL) {
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
}

/* A private directory for tayga's files: under run.sh's scratch
 * directory ($T), which goes when the test does. */
static void scratch_dir(char *dir, size_t size)
{
	const char *base = getenv("T");
	snprintf(dir, size, "%s/tayga-%d-XXXXXX", base != NULL ? base : "/tmp", (int)getpid());
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
}

/* Whether pid holds /dev/net/tun open: tayga then translates. */
static bool has_tun_open(pid_t pid)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	DIR *d = opendir(dir);
	bool found = false;
	for (struct dirent *e; d != NULL && !found && (e = readdir(d)) != NULL;) {
		char path[400], target[64];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		found = n > 0 && (target[n] = '\0', strcmp(target, "/dev/net/tun") == 0);
	}
	if (d != NULL)
		closedir(d);
	return found;
}

pid_t tayga_start(int host, const char *prefix, const char *pool, const char *self)
{
	char dir[256], conf[300];
	scratch_dir(dir, sizeof(dir));
	snprintf(conf, sizeof(conf), "%s/tayga.conf", dir);
	FILE *f = fopen(conf, "w");
	if (f == NULL) {
		perror(conf);
		abort();
	}
	fprintf(f, "tun-device nat64\nipv4-addr %s\nprefix %s\ndynamic-pool %s\ndata-dir %s\n",
		self, prefix, pool, dir);
	fclose(f);
	host_must(host,
		  TAYGA " -c %s --mktun >/dev/null && ip link set nat64 up && "
			"ip route add %s dev nat64 && ip route add %s dev nat64",
		  conf, pool, prefix);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		abort();
	}
	if (pid == 0) {
		/* Never outlive the test, whatever happens to it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || setns(host, CLONE_NEWNET) < 0)
			_exit(126);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1);
		dup2(null, 2);
		execl(TAYGA, "tayga", "-c", conf, "--nodetach", (char *)NULL);
		_exit(127);
	}
	note_pid(pid);
	for (int i = 0; i < 200 && !has_tun_open(pid); i++)
		usleep(10000);
	return pid;
}

void tayga_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

void nat64_lab_build(struct nat64_lab *lab, bool with_translator)
{
	lab->client = host_new();
	lab->router = host_new();
	lab->server = host_new();
	lab->tayga = -1;
	host_link(lab->client, "eth0", lab->router, "eth6");
	host_link(lab->server, "eth0", lab->router, "eth4");
	host_must(lab->client, "ip addr add 2001:db8:1::2/64 dev eth0 nodad && "
			       "ip -6 route add default via 2001:db8:1::1");
	host_must(lab->router, "ip addr add 2001:db8:1::1/64 dev eth6 nodad && "
			       "ip addr add 192.0.2.1/24 dev eth4 && "
			       "sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1");
	host_must(lab->server, "ip addr add " LAB_SERVER "/24 dev eth0 && "
			       "ip route add 198.18.255.0/24 via 192.0.2.1");
	if (with_translator)
		lab->tayga = tayga_start(lab->router, LAB_PREFIX, "198.18.255.0/24",
					 "198.18.255.1");
}

void nat64_lab_stop(struct nat64_lab *lab)
{
	tayga_stop(lab->tayga);
	lab->tayga = -1;
}
