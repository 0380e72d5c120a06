/*
 * check_relay.c - tools/anysock-relay in front of examples/echo-server,
 * on loopback, against load and hostile clients: 5,000 connections at
 * once (1,000 without ANYSOCK_TEST_FULL), a client that stops reading, 256 descriptors for 1,000 clients,
 * SIGTERM with a connection open, PROXY headers from trusted and untrusted
 * upstreams, bad arguments; TCP_NODELAY on every connection's sockets, a
 * connection per request (the answer and its FIN whole, with a header).
 * (tests/relay.sh covers half-close, 8 MiB and the PROXY versions with
 * netcat; tests/interop.sh HAProxy and nginx.)
 *
 * SPDX-License-Identifier: MIT
 */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <netinet/tcp.h>
#include <sys/syscall.h>

#include "spawn_helpers.h"

static const char *relay_bin(void)
{
	return program_path("ANYSOCK_RELAY", "tools/anysock-relay");
}

static struct server backend;
static char backend_port[8];

/* An echo server to relay to: many clients, long idle time. */
static void start_backend(const char *const *extra)
{
	const char *argv[16] = { "-H", "127.0.0.1", "-p", "0", "-c", "20000", "-i", "600" };
	int n = 8;
	for (int i = 0; extra != NULL && extra[i] != NULL; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	spawn(&backend, program_path("ECHO_SERVER", "examples/echo-server"), 0, argv);
	snprintf(backend_port, sizeof(backend_port), "%d", backend.port);
}

/* The relay on 127.0.0.1 with args, then the target. */
static void start_relay(struct server *r, int nofile, const char *const *args)
{
	const char *argv[32] = { "-H", "127.0.0.1", "-p", "0" };
	int n = 4;
	for (int i = 0; args[i] != NULL; i++)
		argv[n++] = args[i];
	argv[n++] = "127.0.0.1";
	argv[n++] = backend_port;
	argv[n] = NULL;
	spawn(r, relay_bin(), nofile, argv);
}

static long status_field(pid_t pid, const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long v = -1;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			v = atol(line + strlen(field) + 1);
	if (f != NULL)
		fclose(f);
	return v;
}

static void raise_nofile(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* 5,000 connections at once at full size (CI), 1,000 otherwise. */
#define MANY_FULL 5000

START_TEST(test_many_connections)
{
	raise_nofile(); /* the children inherit it: 5,000 each way fit in 20,000 */
	const int many = test_full() ? MANY_FULL : 1000;
	start_backend(NULL);
	struct server r;
	start_relay(&r, 0, (const char *const[]){ "-w", "2", "-c", "6000", NULL });
	long rss0 = status_field(r.pid, "VmRSS:");
	static int fd[MANY_FULL];
	int bad = 0;
	for (int i = 0; i < many; i++) {
		fd[i] = client(&r);
		bad += send(fd[i], "ping", 4, MSG_NOSIGNAL) != 4;
		if (i % 100 == 0)
			slurp(&backend, 0); /* it logs every client */
	}
	ck_assert_int_eq(bad, 0);
	int echoed = 0;
	for (int i = 0; i < many; i++) {
		char buf[8];
		echoed += read_within(fd[i], buf, sizeof(buf), 10000) == 4 && memcmp(buf, "ping", 4) == 0;
		if (i % 100 == 0)
			slurp(&backend, 0);
	}
	long threads = status_field(r.pid, "Threads:"), rss = status_field(r.pid, "VmRSS:");
	fprintf(stderr,
		"%d connections through the relay: %d echoed; %ld threads; RSS %ld kB "
		"(+%ld kB, %.2f kB a connection)\n",
		many, echoed, threads, rss, rss - rss0, (double)(rss - rss0) / many);
	ck_assert_int_eq(echoed, many);
	/* two workers and the main thread, none per connection */
	if (!emulator_lacks("a process's own thread count (qemu-user adds a thread)"))
		ck_assert_int_eq(threads, 3);
	for (int i = 0; i < many; i++)
		close(fd[i]);
	stop(&r);
	stop(&backend);
}
END_TEST

/* One stream: send n bytes of a generator seeded by seed through fd while
 * reading the echo back and checking every byte against the same sequence. */
struct stream {
	int fd;
	uint64_t seed;
	size_t n, ok;
};

static unsigned char next_byte(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (unsigned char)*x;
}

static void *run_stream(void *arg)
{
	struct stream *s = arg;
	uint64_t out = s->seed, in = s->seed;
	size_t sent = 0, got = 0;
	static __thread unsigned char buf[65536];
	fcntl(s->fd, F_SETFL, O_NONBLOCK);
	while (got < s->n) {
		struct pollfd p = { s->fd, POLLIN | (sent < s->n ? POLLOUT : 0), 0 };
		if (poll(&p, 1, 5000) != 1)
			break;
		if ((p.revents & POLLOUT) && sent < s->n) {
			size_t k = s->n - sent < sizeof(buf) ? s->n - sent : sizeof(buf);
			uint64_t save = out;
			for (size_t i = 0; i < k; i++)
				buf[i] = next_byte(&out);
			ssize_t w = send(s->fd, buf, k, MSG_NOSIGNAL);
			out = save; /* regenerate exactly what was taken */
			for (ssize_t i = 0; i < (w > 0 ? w : 0); i++)
				next_byte(&out);
			sent += w > 0 ? (size_t)w : 0;
			if (sent == s->n)
				shutdown(s->fd, SHUT_WR); /* the half-close goes through too */
		}
		if (p.revents & (POLLIN | POLLHUP)) {
			ssize_t r = recv(s->fd, buf, sizeof(buf), 0);
			if (r <= 0)
				break;
			for (ssize_t i = 0; i < r; i++)
				s->ok += buf[i] == next_byte(&in);
			got += (size_t)r;
		}
	}
	char c;
	if (got == s->n && read_within(s->fd, &c, 1, 5000) != 0)
		s->ok = 0; /* the end must come after the last byte */
	return NULL;
}

START_TEST(test_streams_intact)
{
	start_backend(NULL);
	struct server r;
	start_relay(&r, 0, (const char *const[]){ "-w", "2", NULL });
	struct stream s[4];
	pthread_t t[4];
	size_t mib = test_full() ? 256 : 32;
	double t0 = mono_seconds();
	for (int i = 0; i < 4; i++) {
		s[i] = (struct stream){ client(&r), 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1),
					mib << 20, 0 };
		pthread_create(&t[i], NULL, run_stream, &s[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_msg(s[i].ok == s[i].n, "stream %d: %zu of %zu bytes came back right", i,
			      s[i].ok, s[i].n);
		close(s[i].fd);
	}
	fprintf(stderr, "4 streams x %zu MiB both ways through the relay: intact, %.1f s\n", mib,
		mono_seconds() - t0);
	stop(&r);
	stop(&backend);
}
END_TEST

START_TEST(test_reader_that_stops)
{
	start_backend(NULL);
	struct server r;
	start_relay(&r, 0, (const char *const[]){ "-w", "1", NULL });
	/* A client sends and never reads: its echo backs up to the relay. */
	int slow = client(&r);
	fcntl(slow, F_SETFL, O_NONBLOCK);
	static char chunk[65536];
	long sent = 0;
	double until = mono_seconds() + 2;
	while (mono_seconds() < until) {
		ssize_t n = send(slow, chunk, sizeof(chunk), MSG_NOSIGNAL);
		if (n > 0)
			sent += n;
		else
			usleep(10000);
	}
	long rss0 = status_field(r.pid, "VmRSS:");
	/* Another client is not held up. */
	int fd = client(&r);
	double took = round_trip(fd, "hello");
	/* And the relay stops reading the slow one: its memory stays put. */
	until = mono_seconds() + 1;
	while (mono_seconds() < until)
		if (send(slow, chunk, sizeof(chunk), MSG_NOSIGNAL) < 0)
			usleep(10000);
	long rss = status_field(r.pid, "VmRSS:");
	fprintf(stderr, "a client that stopped reading (%.1f MiB sent): another echoed in %.1f ms; "
			"relay RSS %ld kB, +%ld kB while it kept sending\n",
		(double)sent / (1 << 20), took * 1e3, rss, rss - rss0);
	if (!emulator_lacks("a 50 ms bound on a round trip (emulated code is 5-50 times slower)"))
		ck_assert_msg(took < 0.05, "took %.3f s", took);
	ck_assert_msg(rss - rss0 < 2048, "RSS grew by %ld kB", rss - rss0);
	close(fd);
	close(slow);
	stop(&r);
	stop(&backend);
}
END_TEST

START_TEST(test_few_descriptors)
{
	raise_nofile();
	start_backend(NULL);
	struct server r;
	start_relay(&r, 256, (const char *const[]){ "-w", "1", NULL });
	static int fd[1000];
	for (int i = 0; i < 1000; i++) {
		fd[i] = client(&r); /* the kernel's backlog holds those not accepted */
		send_text(fd[i], "x");
	}
	usleep(300000);
	double cpu0 = cpu_seconds_of(r.pid);
	sleep(1);
	double cpu = cpu_seconds_of(r.pid) - cpu0;
	slurp(&r, 100); /* before any connection ends and logs */
	bool said = strstr(r.log, "out of descriptors") != NULL;
	int served = 0;
	for (int i = 0; i < 1000; i++) { /* each one, as descriptors free */
		char buf[4];
		served += read_within(fd[i], buf, sizeof(buf), 5000) == 1;
		close(fd[i]);
		slurp(&backend, 0);
		slurp(&r, 0);
	}
	slurp(&r, 200);
	fprintf(stderr, "ulimit -n 256, 1000 clients: %d served, %.2f s of CPU in 1 s waiting\n",
		served, cpu);
	ck_assert_msg(served == 1000, "%d served; relay log ends: %s", served,
		      r.len > 600 ? r.log + r.len - 600 : r.log);
	ck_assert_msg(cpu < 0.1, "spent %.2f s of CPU waiting", cpu);
	ck_assert_msg(said, "no word of running out of descriptors");
	ck_assert_msg(strstr(r.log, "cannot reach") == NULL, "dropped a client");
	stop(&r);
	stop(&backend);
}
END_TEST

START_TEST(test_sigterm_drains)
{
	start_backend(NULL);
	struct server r;
	start_relay(&r, 0, (const char *const[]){ "-w", "2", "-D", "5", NULL });
	int fd = client(&r);
	round_trip(fd, "before");
	kill(r.pid, SIGTERM);
	usleep(1200000); /* every worker has seen it */
	round_trip(fd, "during"); /* the open connection goes on */
	close(fd);
	int status;
	double t0 = mono_seconds();
	while (waitpid(r.pid, &status, WNOHANG) == 0 && mono_seconds() < t0 + 5)
		usleep(20000);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	slurp(&r, 200);
	ck_assert_msg(strstr(r.log, "draining") != NULL, "%s", r.log);
	/* one line for the connection: client, target and family, bytes, why */
	ck_assert_msg(strstr(r.log, "-> 127.0.0.1:") != NULL && strstr(r.log, "(IPv4) up 12 down 12 "
									  "bytes") != NULL &&
			      strstr(r.log, ": closed") != NULL,
		      "%s", r.log);
	close(r.out);
	stop(&backend);
}
END_TEST

START_TEST(test_proxy_upstreams)
{
	start_backend((const char *const[]){ "--accept-proxy", NULL });
	/* Trusted (loopback, the default): the original client goes on. */
	struct server r;
	start_relay(&r, 0, (const char *const[]){ "--accept-proxy", "--send-proxy-v2", NULL });
	int fd = client(&r);
	send_text(fd, "PROXY TCP6 2001:db8::7 ::1 41000 80\r\n");
	round_trip(fd, "hi");
	close(fd);
	slurp(&backend, 300);
	ck_assert_msg(strstr(backend.log, "tcp [2001:db8::7]:41000 connected") != NULL, "%s",
		      backend.log);
	stop(&r);
	/* Untrusted: refused, logged, never believed. */
	const char *only10 = "allow 10.0.0.0/8; default deny\n";
	char *path = acl_file(only10, strlen(only10));
	start_relay(&r, 0, (const char *const[]){ "-A", "-T", path, "-P", "2", NULL });
	fd = client(&r);
	send_text(fd, "PROXY TCP4 10.9.9.9 127.0.0.1 1111 80\r\nhi");
	ck_assert(closed_within(fd, 2000));
	slurp(&r, 300);
	ck_assert_msg(strstr(r.log, "refused") != NULL, "%s", r.log);
	slurp(&backend, 100);
	ck_assert_msg(strstr(backend.log, "10.9.9.9") == NULL, "%s", backend.log);
	close(fd);
	stop(&r);
	unlink(path);
	stop(&backend);
}
END_TEST

/* A listening socket on 127.0.0.1 as the relay's target: what the relay
 * sends first can be read as it is. */
static int raw_target(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(backend_port, sizeof(backend_port), "%d", ntohs(sin.sin_port));
	return fd;
}

START_TEST(test_send_proxy_versions)
{
	/* Each spelling sends the header it names: v1 is text, v2 starts
	 * with its 12-byte signature. */
	static const struct {
		const char *args[3];
		const char *starts;
		size_t len;
	} how[] = {
		{ { "-P", "1", NULL }, "PROXY TCP4 127.0.0.1 127.0.0.1 ", 31 },
		{ { "--send-proxy", NULL }, "PROXY TCP4 127.0.0.1 127.0.0.1 ", 31 },
		{ { "-P", "2", NULL }, "\r\n\r\n\0\r\nQUIT\n", 12 },
		{ { "--send-proxy-v2", NULL }, "\r\n\r\n\0\r\nQUIT\n", 12 },
	};
	for (size_t i = 0; i < sizeof(how) / sizeof(how[0]); i++) {
		int target = raw_target();
		struct server r;
		start_relay(&r, 0, how[i].args);
		int fd = client(&r);
		send_text(fd, "data");
		struct pollfd p = { target, POLLIN, 0 };
		ck_assert_int_eq(poll(&p, 1, 5000), 1);
		int conn = accept(target, NULL, NULL);
		char buf[256];
		ssize_t n = read_within(conn, buf, sizeof(buf), 5000);
		ck_assert_msg(n >= (ssize_t)how[i].len &&
				      memcmp(buf, how[i].starts, how[i].len) == 0,
			      "%s: the target got %zd bytes, not the header", how[i].args[0], n);
		close(conn);
		close(fd);
		close(target);
		stop(&r);
	}
}
END_TEST

/* The name in /proc/PID/task/TID/comm (tid 0: the process's own). */
static void comm_of(pid_t pid, const char *tid, char *name, size_t size)
{
	char path[128];
	if (tid == NULL)
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/%d/task/%s/comm", (int)pid, tid);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(name, (int)size, f));
	fclose(f);
	name[strcspn(name, "\n")] = '\0';
}

START_TEST(test_thread_names)
{
	/* The process keeps its name (pgrep anysock-relay, ps -C, ss -p find
	 * it); the workers are named threads. */
	if (emulator_lacks("thread names (qemu-user's threads and name are the process's)"))
		return;
	start_backend(NULL);
	struct server r;
	start_relay(&r, 0, (const char *const[]){ "-w", "2", NULL });
	char name[64], path[64], all[256];
	int workers = 0, main_thread = 0;
	int fd = client(&r);
	round_trip(fd, "up"); /* a worker answers: the threads are there */
	close(fd);
	for (int tries = 0; tries < 20 && (workers != 2 || main_thread != 1); tries++) {
		usleep(tries > 0 ? 50000 : 0); /* each thread names itself as it starts */
		snprintf(path, sizeof(path), "/proc/%d/task", (int)r.pid);
		DIR *d = opendir(path);
		ck_assert_ptr_nonnull(d);
		workers = main_thread = 0;
		all[0] = '\0';
		for (struct dirent *e; (e = readdir(d)) != NULL;) {
			if (e->d_name[0] == '.')
				continue;
			comm_of(r.pid, e->d_name, name, sizeof(name));
			workers += strcmp(name, "relay-0") == 0 || strcmp(name, "relay-1") == 0;
			main_thread += strcmp(name, "anysock-relay") == 0 &&
				       atoi(e->d_name) == r.pid;
			strncat(all, name, sizeof(all) - strlen(all) - 2);
			strcat(all, " ");
		}
		closedir(d);
	}
	ck_assert_msg(workers == 2 && main_thread == 1, "threads: %s", all);
	comm_of(r.pid, NULL, name, sizeof(name));
	ck_assert_str_eq(name, "anysock-relay");
	stop(&r);
	stop(&backend);
}
END_TEST

START_TEST(test_cap_states)
{
	/* At its cap a worker stops accepting (clients wait in the backlog)
	 * and says why once, though it turns READY and FULL again as each
	 * connection ends and the next client comes in; READY is said after
	 * a second of it. */
	start_backend(NULL);
	struct server r;
	start_relay(&r, 0, (const char *const[]){ "-w", "1", "-c", "2", NULL });
	int fd[4];
	for (int i = 0; i < 2; i++) {
		fd[i] = client(&r);
		round_trip(fd[i], "in");
	}
	fd[2] = client(&r); /* in the backlog */
	fd[3] = client(&r);
	send_text(fd[2], "wait");
	send_text(fd[3], "wait");
	char buf[16];
	ck_assert_int_eq(read_within(fd[2], buf, sizeof(buf), 300), NOTHING);
	close(fd[0]); /* fd[2] comes in, and the worker is full again */
	ck_assert_int_eq(read_within(fd[2], buf, sizeof(buf), 2000), 4);
	close(fd[1]);
	ck_assert_int_eq(read_within(fd[3], buf, sizeof(buf), 2000), 4);
	slurp(&r, 200);
	int full = 0;
	for (const char *p = r.log; (p = strstr(p, "worker 0 not accepting: full at its cap")); p++)
		full++;
	ck_assert_msg(full == 1, "%d lines saying full: %s", full, r.log);
	ck_assert_msg(strstr(r.log, "accepting again") == NULL, "%s", r.log);
	close(fd[2]);
	close(fd[3]);
	for (int i = 0; i < 30 && strstr(r.log, "worker 0 accepting again") == NULL; i++)
		slurp(&r, 100);
	ck_assert_msg(strstr(r.log, "worker 0 accepting again") != NULL, "%s", r.log);
	stop(&r);
	stop(&backend);
}
END_TEST

START_TEST(test_target_down)
{
	/* A target port nothing listens on: every client is closed with the
	 * cause logged, and the relay goes on. */
	start_backend(NULL);
	stop(&backend); /* its port is closed now */
	struct server r;
	start_relay(&r, 0, (const char *const[]){ "-w", "1", NULL });
	for (int i = 0; i < 3; i++) {
		int fd = client(&r);
		send_text(fd, "hello");
		ck_assert(closed_within(fd, 2000));
		close(fd);
	}
	slurp(&r, 300);
	int lines = 0;
	for (const char *p = r.log; (p = strstr(p, "cannot reach the target: Connection refused"));
	     p++)
		lines++;
	ck_assert_msg(lines == 3, "%d lines naming the cause", lines);
	ck_assert_int_eq(waitpid(r.pid, NULL, WNOHANG), 0); /* still serving */
	stop(&r);
}
END_TEST

/* ---- The metrics server ------------------------------------------------- */

/* The port of r's metrics server, from its "metrics on ADDR:PORT" line. */
static int metrics_port(struct server *r)
{
	for (int i = 0; i < 50 && strstr(r->log, "metrics on ") == NULL; i++)
		slurp(r, 100);
	const char *p = strstr(r->log, "metrics on ");
	ck_assert_msg(p != NULL, "no metrics line: %s", r->log);
	p += strlen("metrics on ");
	const char *end = p + strcspn(p, ", (\n");
	while (end > p && end[-1] != ':')
		end--;
	return atoi(end);
}

/* A connected TCP socket to 127.0.0.1:port. */
static int connect_port(int port)
{
	struct server s = { .port = port };
	return client(&s);
}

/* GET path from the metrics server on port: the whole reply (static). */
static const char *http_get(int port, const char *path)
{
	static char reply[65536];
	int fd = connect_port(port);
	char req[512];
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\n\r\n", path);
	send_text(fd, req);
	size_t len = 0;
	ssize_t n;
	while (len < sizeof(reply) - 1 &&
	       (n = read_within(fd, reply + len, sizeof(reply) - 1 - len, 5000)) > 0)
		len += (size_t)n;
	reply[len] = '\0';
	close(fd);
	return reply;
}

/* The value of the sample named name (labels included, as written), or
 * -1 when there is none. */
static double metric(const char *text, const char *name)
{
	for (const char *p = text; (p = strstr(p, name)) != NULL; p++)
		if ((p == text || p[-1] == '\n') && p[strlen(name)] == ' ')
			return atof(p + strlen(name) + 1);
	return -1;
}

/* The metrics once the sample named name reads want: a worker counts a
 * datagram just after sending it, so the client may see it first. Waits
 * up to 3 s, then gives what it has (the caller's assertion says). */
static const char *metrics_when(int port, const char *name, double want)
{
	const char *m = http_get(port, "/metrics");
	for (int i = 0; i < 150 && metric(m, name) != want; i++) {
		usleep(20000);
		m = http_get(port, "/metrics");
	}
	return m;
}

/* The metrics' datagram samples (counts each way, drops by reason) on
 * one line, for a failure message. */
static void datagram_counts(const char *m, char *out, size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (const char *line = m; *line != '\0' && len + 1 < size;) {
		const char *end = strchr(line, '\n');
		size_t n = end != NULL ? (size_t)(end - line) : strlen(line);
		if (strncmp(line, "anysock_relay_datagrams", 23) == 0) {
			int w = snprintf(out + len, size - len, "%.*s; ", (int)n, line);
			len += w > 0 ? (size_t)w : 0;
		}
		line += n + (end != NULL);
	}
}

/* How many times needle occurs in hay. */
static int occurrences(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

START_TEST(test_metrics_known_traffic)
{
	/* 20 connections of 5 bytes each way, one more that goes idle: the
	 * figures say exactly that, and SIGUSR1 says it in one line. */
	start_backend(NULL);
	struct server r;
	start_relay(&r, 0, (const char *const[]){ "-w", "2", "-i", "1", "--metrics", "0", NULL });
	int port = metrics_port(&r);
	for (int i = 0; i < 20; i++) {
		int fd = client(&r);
		round_trip(fd, "hello");
		close(fd);
	}
	int idle = client(&r);
	round_trip(idle, "x");
	ck_assert(closed_within(idle, 4000)); /* -i 1 */
	close(idle);
	for (int i = 0; i < 30 && occurrences(r.log, "ms: closed") < 20; i++)
		slurp(&r, 100);
	const char *m = http_get(port, "/metrics");
	ck_assert_msg(strncmp(m, "HTTP/1.0 200 OK\r\n", 17) == 0, "%s", m);
	ck_assert_msg(strstr(m, "Content-Type: text/plain; version=0.0.4") != NULL, "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_connections_total") == 21, "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_current_connections") == 0, "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_bytes_total{direction=\"up\"}") == 101, "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_bytes_total{direction=\"down\"}") == 101, "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_connections_ended_total{reason=\"closed\"}") == 20,
		      "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_connections_ended_total{reason=\"idle\"}") == 1,
		      "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_connections_ended_total{reason=\"refused\"}") == 0,
		      "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_target_connections_total{family=\"ipv4\"}") == 21,
		      "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_target_connections_total{family=\"ipv6\"}") == 0,
		      "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_connect_seconds_count") == 21, "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_connect_seconds_bucket{le=\"+Inf\"}") == 21, "%s",
		      m);
	ck_assert_msg(metric(m, "anysock_relay_connect_seconds_sum") < 21 * 1.0, "%s", m);
	kill(r.pid, SIGUSR1);
	for (int i = 0; i < 20 && strstr(r.log, "stats: ") == NULL; i++)
		slurp(&r, 100);
	ck_assert_msg(strstr(r.log, "stats: 0 open, 21 in all; up 101 down 101 bytes") != NULL,
		      "%s", r.log);
	ck_assert_msg(strstr(r.log, "closed=20 ") != NULL && strstr(r.log, "idle=1 ") != NULL, "%s",
		      r.log);
	/* What is not /metrics, or not GET */
	ck_assert(strncmp(http_get(port, "/nothing"), "HTTP/1.0 404 ", 13) == 0);
	int fd = connect_port(port);
	send_text(fd, "POST /metrics HTTP/1.0\r\n\r\n");
	char buf[64];
	ck_assert(read_within(fd, buf, sizeof(buf), 2000) > 13 &&
		  strncmp(buf, "HTTP/1.0 405 ", 13) == 0);
	close(fd);
	stop(&r);
	stop(&backend);
}
END_TEST

START_TEST(test_metrics_hostile_clients)
{
	/* 40 clients that say nothing (more than the server's 32 places),
	 * one that never ends its request line, one sending 64 KiB: a
	 * scraper is answered at once all the same, the relay's clients
	 * notice nothing, and the silent ones are closed at the deadline. */
	start_backend(NULL);
	struct server r;
	start_relay(&r, 0, (const char *const[]){ "-w", "1", "--metrics", "0", NULL });
	int port = metrics_port(&r);
	int silent[40];
	for (int i = 0; i < 40; i++)
		silent[i] = connect_port(port);
	int slow = connect_port(port);
	send_text(slow, "GET /metr");
	int big = connect_port(port);
	static char junk[65536];
	memset(junk, 'A', sizeof(junk));
	fcntl(big, F_SETFL, O_NONBLOCK);
	ssize_t pushed = send(big, junk, sizeof(junk), MSG_NOSIGNAL);
	ck_assert_int_gt(pushed, 0);
	char buf[256];
	ssize_t n = read_within(big, buf, sizeof(buf) - 1, 3000);
	ck_assert_msg(n > 13 && strncmp(buf, "HTTP/1.0 400 ", 13) == 0, "the flood got %zd", n);
	double t0 = mono_seconds();
	const char *m = http_get(port, "/metrics");
	double took = mono_seconds() - t0;
	ck_assert_msg(strncmp(m, "HTTP/1.0 200 OK", 15) == 0, "%s", m);
	ck_assert_msg(took < 1.0, "a scrape took %.2f s among hostile clients", took);
	int fd = client(&r);
	double rt = round_trip(fd, "still");
	ck_assert_msg(rt < 0.5, "a relayed round trip took %.3f s", rt);
	close(fd);
	/* Each silent client: its slot taken by a later one, or its deadline. */
	int closed = 0;
	for (int i = 0; i < 40; i++)
		closed += closed_within(silent[i], 7000);
	ck_assert_int_eq(closed, 40);
	ck_assert(closed_within(slow, 7000));
	for (int i = 0; i < 40; i++)
		close(silent[i]);
	close(slow);
	close(big);
	ck_assert_int_eq(waitpid(r.pid, NULL, WNOHANG), 0);
	stop(&r);
	stop(&backend);
}
END_TEST

START_TEST(test_json_log)
{
	/* --log-format json: every line on standard output is one object; a
	 * connection's has the text line's fields under names. */
	start_backend(NULL);
	struct server r;
	start_relay(&r, 0, (const char *const[]){ "-w", "1", "--log-format", "json", NULL });
	ck_assert_msg(strncmp(r.log,
			      "{\"event\":\"listening\",\"message\":\"listening on 127.0.0.1:",
			      55) == 0,
		      "%s", r.log);
	int fd = client(&r);
	round_trip(fd, "json!");
	close(fd);
	for (int i = 0; i < 30 && strstr(r.log, "\"event\":\"connection\"") == NULL; i++)
		slurp(&r, 100);
	char want[256];
	snprintf(want, sizeof(want), "\"target\":\"127.0.0.1:%s\",\"family\":\"ipv4\",\"up\":5,",
		 backend_port);
	const char *line =
		strstr(r.log,
		       "{\"event\":\"connection\",\"proto\":\"tcp\",\"client\":\"127.0.0.1:");
	ck_assert_msg(line != NULL && strstr(line, want) != NULL, "%s", r.log);
	ck_assert_msg(strstr(line, "\"down\":5,") != NULL &&
			      strstr(line, "\"end\":\"closed\",\"why\":\"closed\"}\n") != NULL,
		      "%s", line);
	kill(r.pid, SIGUSR1);
	for (int i = 0; i < 20 && strstr(r.log, "{\"event\":\"stats\"") == NULL; i++)
		slurp(&r, 100);
	ck_assert_msg(strstr(r.log, "{\"event\":\"stats\",\"current\":0,\"total\":1,\"up\":5,") !=
			      NULL,
		      "%s", r.log);
	for (const char *p = r.log; *p != '\0'; p = strchr(p, '\n') + 1)
		ck_assert_msg(*p == '{' || strncmp(p, "anysock-relay: worker", 21) == 0,
			      "not JSON: %.80s", p); /* the workers' states go to stderr */
	stop(&r);
	stop(&backend);
}
END_TEST

/* ---- SIGHUP --------------------------------------------------------------- */

/* Put text in path at once (a reader sees the old file or the new). */
static void replace_file(const char *path, const char *text)
{
	char tmp[128];
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	FILE *f = fopen(tmp, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(rename(tmp, path), 0);
}

struct load {
	int port, id;
	atomic_bool stop;
	int ok, failed;
};

/* Connections one after another, each with a PROXY header and one echo,
 * a millisecond apart. */
static void *proxied_load(void *arg)
{
	struct load *l = arg;
	for (int i = 0; !atomic_load(&l->stop); i++) {
		struct server s = { .port = l->port };
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_port = htons((uint16_t)s.port) };
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		char text[128], buf[16];
		int len = snprintf(text, sizeof(text),
				   "PROXY TCP4 192.0.2.%d 127.0.0.1 %d 80\r\nping", l->id,
				   1024 + i % 60000);
		bool ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
			  send(fd, text, (size_t)len, MSG_NOSIGNAL) == len &&
			  read_within(fd, buf, sizeof(buf), 5000) == 4;
		close(fd);
		ok ? l->ok++ : l->failed++;
		usleep(1000); /* steady load, not all of a CPU the suite's other tests need */
	}
	return NULL;
}

START_TEST(test_sighup_reload_under_load)
{
	/* SIGHUP 20 times while two clients connect as fast as they can and
	 * one connection stays open: not one is refused or dropped. Then a
	 * broken file keeps the list, and a list without loopback refuses
	 * new PROXY senders while the open connection goes on. */
	start_backend((const char *const[]){ "--accept-proxy", NULL });
	char path[64];
	snprintf(path, sizeof(path), "/tmp/anysock-trusted-%d", (int)getpid());
	replace_file(path, "allow 127.0.0.0/8; default deny\n");
	struct server r;
	start_relay(&r, 0,
		    (const char *const[]){ "-w", "2", "-A", "-T", path, "-P", "2", "--metrics", "0",
					   NULL });
	int port = metrics_port(&r);
	int open_one = client(&r);
	send_text(open_one, "PROXY TCP4 192.0.2.200 127.0.0.1 4000 80\r\n");
	round_trip(open_one, "before");
	struct load load[2] = { { .port = r.port, .id = 1 }, { .port = r.port, .id = 2 } };
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, proxied_load, &load[i]);
	for (int i = 0; i < 20; i++) {
		replace_file(path, i % 2 ? "allow 127.0.0.0/8; default deny\n"
					 : "allow 127.0.0.1, ::1, 10.0.0.0/8; default deny\n");
		kill(r.pid, SIGHUP);
		for (int k = 0; k < 5; k++) {
			slurp(&r, 20);
			slurp(&backend, 0);
		}
	}
	for (int i = 0; i < 2; i++) {
		atomic_store(&load[i].stop, true);
		pthread_join(t[i], NULL);
	}
	slurp(&r, 100);
	fprintf(stderr, "20 reloads under load: %d and %d connections served, %d and %d failed\n",
		load[0].ok, load[1].ok, load[0].failed, load[1].failed);
	ck_assert_int_eq(load[0].failed + load[1].failed, 0);
	ck_assert_int_gt(load[0].ok + load[1].ok, 10);
	ck_assert_msg(strstr(r.log, "refused") == NULL, "refused one");
	round_trip(open_one, "during");
	/* A broken file: the old list stays. */
	replace_file(path, "allow 300.1.2.3/8\n");
	kill(r.pid, SIGHUP);
	for (int i = 0; i < 20 && strstr(r.log, "kept the list as it was") == NULL; i++)
		slurp(&r, 100);
	ck_assert_msg(strstr(r.log, "kept the list as it was") != NULL, "%s", r.log);
	int fd = client(&r);
	send_text(fd, "PROXY TCP4 192.0.2.9 127.0.0.1 4000 80\r\n");
	round_trip(fd, "still trusted");
	close(fd);
	/* A list without loopback: new senders refused, the open one served. */
	replace_file(path, "allow 10.0.0.0/8; default deny\n");
	kill(r.pid, SIGHUP);
	for (int i = 0; i < 20 && occurrences(r.log, "read again") < 21; i++)
		slurp(&r, 100);
	fd = client(&r);
	send_text(fd, "PROXY TCP4 192.0.2.9 127.0.0.1 4000 80\r\nhi");
	ck_assert(closed_within(fd, 2000));
	close(fd);
	round_trip(open_one, "after");
	close(open_one);
	const char *m = http_get(port, "/metrics");
	ck_assert_msg(metric(m, "anysock_relay_reloads_total{result=\"ok\"}") == 21, "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_reloads_total{result=\"failed\"}") == 1, "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_connections_ended_total{reason=\"untrusted\"}") == 1,
		      "%s", m);
	unlink(path);
	stop(&r);
	stop(&backend);
}
END_TEST

/* A client socket to r bound first to 127.0.0.x (all of 127/8 is local). */
static int client_from(const struct server *r, int x)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in me = { .sin_family = AF_INET }, to = { .sin_family = AF_INET };
	me.sin_addr.s_addr = htonl(0x7f000000u | (uint32_t)x);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons((uint16_t)r->port);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	return fd;
}

START_TEST(test_source_pool_never_shared)
{
	/* A pool of two addresses (127.99.0.0/30 less its first and last):
	 * two clients take both, the same client again shares its own, a
	 * third client is refused (never given a live client's address),
	 * and gets in once one of the others has gone. */
	start_backend(NULL);
	struct server r;
	start_relay(&r, 0,
		    (const char *const[]){ "-w", "1", "--source-map", "127.99.0.0/30", NULL });
	int a = client_from(&r, 1), a2 = client_from(&r, 1), b = client_from(&r, 2);
	round_trip(a, "a");
	round_trip(a2, "a2");
	round_trip(b, "b");
	int c = client_from(&r, 3);
	send_text(c, "c");
	ck_assert(closed_within(c, 2000));
	close(c);
	slurp(&backend, 300);
	ck_assert_int_eq(occurrences(backend.log, " connected"), 3);
	bool one = strstr(backend.log, "tcp 127.99.0.1:") != NULL;
	bool two = strstr(backend.log, "tcp 127.99.0.2:") != NULL;
	ck_assert_msg(one && two, "%s", backend.log);
	for (int i = 0; i < 20 && strstr(r.log, "127.0.0.3") == NULL; i++)
		slurp(&r, 100);
	ck_assert_msg(strstr(r.log, "every --source-map address near the client's is another "
				    "client's") != NULL,
		      "%s", r.log);
	close(b); /* its address is free again: 127.0.0.3 may have it */
	for (int i = 0; i < 20 && occurrences(r.log, "as 127.99.0.") < 1; i++)
		slurp(&r, 100);
	c = client_from(&r, 3);
	round_trip(c, "c again");
	close(c);
	close(a);
	close(a2);
	for (int i = 0; i < 30 && occurrences(r.log, "ms: closed") < 4; i++)
		slurp(&r, 100);
	/* the relay's lines: a twice as one address, b and then c as the other */
	char a_as[32] = "", b_as[32] = "", c_as[32] = "";
	for (const char *p = r.log; (p = strstr(p, "anysock-relay: 127.0.0.")) != NULL; p++) {
		const char *as = strstr(p, " as ");
		if (as == NULL || strchr(p, '\n') < as)
			continue;
		char *which = p[23] == '1' ? a_as : p[23] == '2' ? b_as : c_as;
		snprintf(which, 32, "%.*s", (int)strcspn(as + 4, " "), as + 4);
	}
	ck_assert_msg(a_as[0] != '\0' && strcmp(a_as, b_as) != 0 && strcmp(b_as, c_as) == 0,
		      "a as %s, b as %s, c as %s: %s", a_as, b_as, c_as, r.log);
	stop(&r);
	stop(&backend);
}
END_TEST

/* ---- UDP ------------------------------------------------------------------ */

/* The relay with --udp on every family's wildcard, to the backend's port. */
static void start_udp_relay(struct server *r, const char *const *args)
{
	const char *argv[32] = { "--udp", "-p", "0" };
	int n = 3;
	for (int i = 0; args[i] != NULL; i++)
		argv[n++] = args[i];
	argv[n++] = "127.0.0.1";
	argv[n++] = backend_port;
	argv[n] = NULL;
	spawn(r, relay_bin(), 0, argv);
	ck_assert_msg(strstr(r->log, "(UDP)") != NULL, "%s", r->log);
}

/* An unconnected, non-blocking UDP socket of family. */
static int udp_socket(int family)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	ck_assert_int_ge(fd, 0);
	return fd;
}

/* The address to (text) port, as the kernel gives a datagram's source. */
static void udp_to(const char *to, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(to, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, to, &s6->sin6_addr);
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		inet_pton(AF_INET, to, &s4->sin_addr);
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
	}
}

#define UDP_FLOWS 1000

/* Flow i's client: IPv4 for even i (written to 127.0.0.1 or 127.0.0.2),
 * IPv6 for odd i (to ::1). */
static const char *udp_dest(int i)
{
	return i % 2 ? "::1" : i % 4 == 0 ? "127.0.0.1" : "127.0.0.2";
}

/* Send round's datagram of flows [from, to) and take every reply: each
 * must be its own text, from the address it was written to. Returns how
 * many came back right. */
static int udp_round(const int *fd, int from, int to, int port, int round, int *wrong_source,
		     int wait_ms)
{
	char text[64], buf[128];
	for (int i = from; i < to; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		udp_to(udp_dest(i), port, &ss, &len);
		int n = snprintf(text, sizeof(text), "flow %d round %d", i, round);
		ck_assert_int_eq(sendto(fd[i], text, (size_t)n, 0, (struct sockaddr *)&ss, len), n);
	}
	int right = 0;
	for (int i = from; i < to; i++) {
		struct pollfd p = { fd[i], POLLIN, 0 };
		if (poll(&p, 1, wait_ms) != 1)
			continue;
		struct sockaddr_storage src, want;
		socklen_t slen = sizeof(src), wlen;
		ssize_t n = recvfrom(fd[i], buf, sizeof(buf) - 1, 0, (struct sockaddr *)&src,
				     &slen);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		snprintf(text, sizeof(text), "flow %d round %d", i, round);
		udp_to(udp_dest(i), port, &want, &wlen);
		right += strcmp(buf, text) == 0;
		*wrong_source += slen != wlen || memcmp(&src, &want, wlen) != 0;
	}
	return right;
}

START_TEST(test_udp_thousand_flows)
{
	/* 1,000 clients, half over IPv4 (to 127.0.0.1 and to 127.0.0.2),
	 * half over IPv6, through the relay to an IPv4-only echo, twice:
	 * every datagram comes back to the socket that sent it, with its own
	 * text, from the address it was written to; the second round goes
	 * through the same 1,000 flows. (Sent 100 at a time, as clients
	 * would, so that no socket buffer overflows on the way.) */
	raise_nofile();
	start_backend(NULL);
	struct server r;
	start_udp_relay(&r, (const char *const[]){ "-w", "2", "--metrics", "0", NULL });
	int port = metrics_port(&r);
	static int fd[UDP_FLOWS];
	for (int i = 0; i < UDP_FLOWS; i++)
		fd[i] = udp_socket(i % 2 ? AF_INET6 : AF_INET);
	int right = 0, wrong_source = 0;
	for (int round = 1; round <= 2; round++) {
		for (int i = 0; i < UDP_FLOWS; i += 100) {
			right += udp_round(fd, i, i + 100, r.port, round, &wrong_source, 3000);
			slurp(&backend, 0);
			slurp(&r, 0);
		}
	}
	fprintf(stderr,
		"UDP: %d flows x 2 rounds through the relay: %d right, %d from a wrong "
		"address\n",
		UDP_FLOWS, right, wrong_source);
	if (right != 2 * UDP_FLOWS) { /* say where the missing ones went */
		char said[1024];
		datagram_counts(http_get(port, "/metrics"), said, sizeof(said));
		ck_abort_msg("%d of %d datagrams came back; the relay counted: %s", right,
			     2 * UDP_FLOWS, said);
	}
	ck_assert_int_eq(wrong_source, 0);
	const char *m = metrics_when(port, "anysock_relay_datagrams_total{direction=\"down\"}",
				     2 * UDP_FLOWS);
	ck_assert_msg(metric(m, "anysock_relay_connections_total") == UDP_FLOWS, "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_current_connections") == UDP_FLOWS, "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_datagrams_total{direction=\"up\"}") == 2 * UDP_FLOWS,
		      "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_datagrams_total{direction=\"down\"}") ==
			      2 * UDP_FLOWS,
		      "%s", m);
	for (int i = 0; i < UDP_FLOWS; i++)
		close(fd[i]);
	stop(&r);
	stop(&backend);
}
END_TEST

START_TEST(test_udp_idle_and_cap)
{
	/* -c 3: three flows; a fourth client's datagram is dropped, counted
	 * and said; -i 1: the three end as idle, and the fourth gets in. */
	start_backend(NULL);
	struct server r;
	start_udp_relay(&r, (const char *const[]){ "-w", "1", "-c", "3", "-i", "1", "--metrics",
						   "0", NULL });
	int port = metrics_port(&r);
	int fd[4], wrong = 0;
	for (int i = 0; i < 4; i++)
		fd[i] = udp_socket(i % 2 ? AF_INET6 : AF_INET);
	ck_assert_int_eq(udp_round(fd, 0, 3, r.port, 1, &wrong, 3000), 3);
	ck_assert_int_eq(udp_round(fd, 3, 4, r.port, 1, &wrong, 200), 0); /* past the cap */
	slurp(&r, 50);
	ck_assert_msg(strstr(r.log, "worker 0 at its cap of 3 flows: 1 datagram(s) from new "
				    "clients dropped") != NULL,
		      "%s", r.log);
	ck_assert_int_eq(udp_round(fd, 0, 3, r.port, 2, &wrong, 3000), 3); /* theirs go on */
	for (int i = 0; i < 40 && occurrences(r.log, "ms: idle") < 3; i++)
		slurp(&r, 100);
	ck_assert_int_eq(occurrences(r.log, "(1/1 datagrams)"), 0);
	ck_assert_msg(occurrences(r.log, "up 28 down 28 bytes (2/2 datagrams)") == 3, "%s", r.log);
	ck_assert_int_eq(udp_round(fd, 3, 4, r.port, 3, &wrong, 3000), 1); /* room again */
	ck_assert_int_eq(wrong, 0);
	const char *m = http_get(port, "/metrics");
	ck_assert_msg(metric(m, "anysock_relay_connections_ended_total{reason=\"idle\"}") == 3,
		      "%s", m);
	ck_assert_msg(metric(m, "anysock_relay_connections_ended_total{reason=\"cap\"}") == 1, "%s",
		      m);
	ck_assert_msg(metric(m, "anysock_relay_datagrams_dropped_total{reason=\"cap\"}") == 1, "%s",
		      m);
	ck_assert_msg(metric(m, "anysock_relay_current_connections") == 1, "%s", m);
	for (int i = 0; i < 4; i++)
		close(fd[i]);
	stop(&r);
	stop(&backend);
}
END_TEST

START_TEST(test_udp_drain_quiet)
{
	/* A datagram flow has no end to wait for: on SIGTERM it goes on while
	 * it has traffic and ends once quiet for a second, so the relay exits
	 * long before --drain-timeout (20 s here; it waited all of it). */
	start_backend(NULL);
	struct server r;
	start_udp_relay(&r, (const char *const[]){ "-w", "1", "-D", "20", NULL });
	int fd = udp_socket(AF_INET), wrong = 0; /* flow 0 writes to 127.0.0.1 */
	ck_assert_int_eq(udp_round(&fd, 0, 1, r.port, 1, &wrong, 3000), 1);
	kill(r.pid, SIGTERM);
	double t0 = mono_seconds();
	for (int i = 0; i < 50 && strstr(r.log, "draining") == NULL; i++)
		slurp(&r, 20);
	ck_assert_int_eq(udp_round(&fd, 0, 1, r.port, 2, &wrong, 3000), 1); /* it goes on */
	int status = 0;
	while (waitpid(r.pid, &status, WNOHANG) == 0 && mono_seconds() < t0 + 15)
		usleep(20000);
	double took = mono_seconds() - t0;
	slurp(&r, 200);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s", r.log);
	ck_assert_msg(took < 6, "exit %.1f s after SIGTERM with a quiet flow\n%s", took, r.log);
	ck_assert_msg(strstr(r.log, "(2/2 datagrams)") != NULL &&
			      strstr(r.log, "ms: quiet while draining") != NULL,
		      "%s", r.log);
	ck_assert_int_eq(wrong, 0);
	close(fd);
	close(r.out);
	stop(&backend);
}
END_TEST

START_TEST(test_worker_cannot_start)
{
	/* A worker thread that cannot be made ends the relay, saying which and
	 * why, rather than leaving it to run with fewer workers than asked.
	 * RLIMIT_NPROC counts a user's threads: as an unused uid with room for
	 * two, the main thread and worker 0 start and worker 1 cannot (setpriv
	 * and prlimit exec, never fork; the real binary, not libtool's
	 * wrapper script, which forks). */
	if (geteuid() != 0 || system("command -v setpriv prlimit >/dev/null") != 0) {
		fprintf(stderr,
			"worker that cannot start: skipped (needs root, setpriv, prlimit)\n");
		return;
	}
	if (emulator_lacks("RLIMIT_NPROC room for two threads (qemu-user adds one of its own)"))
		return;
	char real[4096], dir[2048];
	snprintf(dir, sizeof(dir), "%s", relay_bin());
	*strrchr(dir, '/') = '\0';
	snprintf(real, sizeof(real), "%s/.libs/anysock-relay", dir);
	if (access(real, X_OK) != 0)
		snprintf(real, sizeof(real), "%s", relay_bin()); /* a static build */
	const char *b = getenv("top_builddir");
	char cmd[16384];
	snprintf(cmd, sizeof(cmd),
		 "out=$(LD_LIBRARY_PATH='%s/lib/.libs' ASAN_OPTIONS=detect_leaks=0 timeout 10 "
		 "setpriv --reuid=64999 --regid=64999 --clear-groups prlimit --nproc=2 -- '%s' "
		 "-w 4 -H 127.0.0.1 -p 0 127.0.0.1 9 2>&1 </dev/null); rc=$?; echo \"$out\" >&2; "
		 "echo \"$out\" | grep -q '^anysock-relay: cannot start worker 1 of 4: ' && exit $rc; "
		 "exit 99",
		 b != NULL ? b : ".", real);
	int rc = system(cmd);
	ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 1, "exit %d, not 1 with the reason",
		      WEXITSTATUS(rc));
}
END_TEST

START_TEST(test_bad_arguments)
{
	static const char *bad[][3] = {
		{ "-P", "abc", "-P" },
		{ "-P", "1junk", "-P" },
		{ "-P", "3", "-P" },
		{ "-t", "abc", "-t" },
		{ "-w", "0", "-w" },
		{ "-c", "-1", "-c" },
		{ "-i", "", "-i" },
		{ "-D", "x", "-D" },
		{ "-e", "0", "-e" },
		{ "--header-timeout", "600001", "--header-timeout" },
		{ "--connect-timeout", "5s", "--connect-timeout" },
		{ "--workers", "65", "--workers" },
		{ "--max-connections", "0", "--max-connections" },
		{ "--idle-timeout", "-1", "--idle-timeout" },
		{ "--drain-timeout", "3601", "--drain-timeout" },
		{ "--log-format", "xml", "--log-format" },
		{ "--source-map", "127.64.0.1/10", "--source-map" },
		{ "--source-map", "127.0.0.1/32", "--source-map" },
		{ "--udp", "--send-proxy", "--udp" },
		{ "--udp", "--accept-proxy", "--udp" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char cmd[4300];
		snprintf(cmd, sizeof(cmd),
			 "out=$('%s' %s '%s' 127.0.0.1 80 2>&1 </dev/null); rc=$?; "
			 "echo \"$out\" | grep -q -- '^anysock-relay: %s ' && exit $rc; exit 99",
			 relay_bin(), bad[i][0], bad[i][1], bad[i][2]);
		int rc = system(cmd);
		ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "%s %s: exit %d", bad[i][0],
			      bad[i][1], WEXITSTATUS(rc));
	}
	/* A target port that cannot be, at start rather than at every client,
	 * and blamed on the argument it is, not on -p (the listening port). */
	char cmd[4300];
	snprintf(cmd, sizeof(cmd),
		 "out=$('%s' -p 8080 127.0.0.1 99999 2>&1 </dev/null); rc=$?; "
		 "echo \"$out\" | grep -q -- '^anysock-relay: target port 99999: ' && exit $rc; "
		 "echo \"$out\" >&2; exit 99",
		 relay_bin());
	int rc = system(cmd);
	ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "target port 99999: exit %d",
		      WEXITSTATUS(rc));
}
END_TEST

/* The relay's TCP sockets that carry a connection, each as a descriptor
 * of ours (pidfd_getfd(): the relay is our child, so we may): how many
 * there are, and how many have TCP_NODELAY set. false when the kernel
 * does not let us look. */
static bool relay_sockets(pid_t pid, int *sockets, int *nodelay)
{
	*sockets = *nodelay = 0;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	DIR *d = pidfd < 0 ? NULL : opendir(dir);
	bool looked = d != NULL;
	for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		int fd = (int)syscall(SYS_pidfd_getfd, pidfd, atoi(e->d_name), 0);
		if (fd < 0) {
			looked = looked && errno == EBADF; /* closed meanwhile */
			continue;
		}
		int type = 0, listening = 1, on = 0;
		socklen_t len = sizeof(int);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM &&
		    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 &&
		    !listening && getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) == 0) {
			(*sockets)++;
			*nodelay += on != 0;
		}
		close(fd);
	}
	if (d != NULL)
		closedir(d);
	if (pidfd >= 0)
		close(pidfd);
	return looked;
#else
	(void)pid;
	return false;
#endif
}

/* Nagle's algorithm holds a small write while an earlier one is not yet
 * acknowledged, and the client acknowledges late (delayed ACK, 40 ms):
 * wrk through the relay to nginx got 64 KiB responses at 1,600 a second,
 * HAProxy (which sets TCP_NODELAY on both sides) at 25,000. Both sides of
 * every connection go without it: the client's from the listening socket
 * (accepted sockets inherit it), the target's set once connected. */
START_TEST(test_nodelay)
{
	start_backend(NULL);
	struct server r;
	start_relay(&r, 0, (const char *const[]){ "-w", "1", NULL });
	int fd[2] = { client(&r), client(&r) };
	for (int i = 0; i < 2; i++)
		round_trip(fd[i], "hello"); /* both sides of both connections are up */
	int sockets, nodelay;
	if (!relay_sockets(r.pid, &sockets, &nodelay)) {
		fprintf(stderr, "pidfd_getfd not allowed here: TCP_NODELAY not checked\n");
	} else {
		ck_assert_int_eq(sockets, 4);
		ck_assert_int_eq(nodelay, 4);
	}
	close(fd[0]);
	close(fd[1]);
	stop(&r);
	stop(&backend);
}
END_TEST

/* The target's side of test_request_then_close: n bytes, then close. */
struct answer {
	int fd;
	size_t n;
};

static void *answer_and_close(void *arg)
{
	struct answer *a = arg;
	static char chunk[65536];
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)('a' + i % 26);
	for (size_t sent = 0; sent < a->n;) {
		size_t off = sent % 26, k = a->n - sent; /* byte j is 'a' + j % 26 */
		if (k > sizeof(chunk) - off)
			k = sizeof(chunk) - off;
		ssize_t w = send(a->fd, chunk + off, k, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		sent += (size_t)w;
	}
	close(a->fd);
	return NULL;
}

/* A connection per request, as HTTP without keep-alive: the client sends
 * its request at once (the relay reads it without waiting to be told),
 * the target answers and closes at once (its FIN right behind the data,
 * which the relay learns from EPOLLRDHUP and sends on with the data), for
 * sizes on both sides of the 16 KiB a recv() takes. The client gets every
 * byte, then the end, never a reset; with --send-proxy the header comes
 * first and the request whole after it. */
START_TEST(test_request_then_close)
{
	static const size_t sizes[] = { 16, 16383, 16384, 16385, 300000 };
	static const char request[] = "GET / HTTP/1.0\r\n\r\n";
	for (int proxy = 0; proxy < 2; proxy++) {
		int target = raw_target();
		struct server r;
		start_relay(&r, 0,
			    proxy ? (const char *const[]){ "--send-proxy", NULL }
				  : (const char *const[]){ NULL });
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
			int fd = client(&r);
			send_text(fd, request);
			struct pollfd p = { target, POLLIN, 0 };
			ck_assert_int_eq(poll(&p, 1, 5000), 1);
			int conn = accept(target, NULL, NULL);
			char got[256];
			size_t len = 0;
			while (len < sizeof(got) - 1 &&
			       (len < strlen(request) || memcmp(got + len - strlen(request),
								request, strlen(request)) != 0)) {
				ssize_t n = read_within(conn, got + len, sizeof(got) - 1 - len,
							5000);
				ck_assert_int_gt(n, 0);
				len += (size_t)n;
			}
			got[len] = '\0';
			ck_assert_msg(proxy ? strncmp(got, "PROXY TCP4 127.0.0.1 127.0.0.1 ", 31) ==
						      0
					    : len == strlen(request),
				      "the target got \"%s\"", got);
			struct answer a = { conn, sizes[k] };
			pthread_t t;
			pthread_create(&t, NULL, answer_and_close, &a);
			size_t total = 0, right = 0;
			ssize_t n;
			static char buf[65536];
			while ((n = read_within(fd, buf, sizeof(buf), 5000)) > 0) {
				for (ssize_t i = 0; i < n; i++)
					right += buf[i] == (char)('a' + (total + (size_t)i) % 26);
				total += (size_t)n;
			}
			pthread_join(t, NULL);
			ck_assert_msg(n == 0, "%zu bytes: the end was %zd (%s)", sizes[k], n,
				      n < 0 ? strerror(errno) : "nothing");
			ck_assert_msg(total == sizes[k] && right == total,
				      "%zu bytes sent, %zu came, %zu right", sizes[k], total,
				      right);
			close(fd);
		}
		close(target);
		stop(&r);
	}
}
END_TEST

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	Suite *s = suite_create("anysock-relay");
	TCase *tc = tcase_create("hostile");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_many_connections);
	tcase_add_test(tc, test_streams_intact);
	tcase_add_test(tc, test_reader_that_stops);
	tcase_add_test(tc, test_few_descriptors);
	tcase_add_test(tc, test_sigterm_drains);
	tcase_add_test(tc, test_proxy_upstreams);
	tcase_add_test(tc, test_send_proxy_versions);
	tcase_add_test(tc, test_thread_names);
	tcase_add_test(tc, test_cap_states);
	tcase_add_test(tc, test_target_down);
	tcase_add_test(tc, test_bad_arguments);
	tcase_add_test(tc, test_worker_cannot_start);
	suite_add_tcase(s, tc);
	tc = tcase_create("operations");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_metrics_known_traffic);
	tcase_add_test(tc, test_metrics_hostile_clients);
	tcase_add_test(tc, test_json_log);
	tcase_add_test(tc, test_sighup_reload_under_load);
	tcase_add_test(tc, test_source_pool_never_shared);
	tcase_add_test(tc, test_udp_thousand_flows);
	tcase_add_test(tc, test_udp_idle_and_cap);
	tcase_add_test(tc, test_udp_drain_quiet);
	suite_add_tcase(s, tc);
	tc = tcase_create("speed");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_nodelay);
	tcase_add_test(tc, test_request_then_close);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
