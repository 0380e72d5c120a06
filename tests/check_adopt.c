/*
 * check_adopt.c - listeners over sockets made elsewhere: explicit
 * descriptors and socket activation (adopt.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include "listener_helpers.h"
#include "seccomp_helpers.h"

#include <netinet/in.h>

START_TEST(test_adopt)
{
	int fds[2] = { squat("127.0.0.1", 0), -1 };
	anysock_listener *l;
	ck_assert_int_eq(anysock_listener_adopt(fds, 1, 0, &l), 1);
	ck_assert(fcntl(fds[0], F_GETFL) & O_NONBLOCK);
	ck_assert(fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
	accept_from(l, "127.0.0.1", listener_port(l, 0));
	anysock_listener_close(l);
	ck_assert_int_eq(fcntl(fds[0], F_GETFD), -1); /* the listener closed it */

	/* Refusals leave the descriptors with the caller, untouched. */
	int pipefd[2];
	ck_assert_int_eq(pipe(pipefd), 0);
	fds[0] = squat("127.0.0.1", 0);
	fds[1] = pipefd[0];
	ck_assert_int_eq(anysock_listener_adopt(fds, 2, 0, &l), -ENOTSOCK);
	ck_assert_ptr_null(l);
	fds[1] = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_eq(anysock_listener_adopt(fds, 2, 0, &l), -EPROTOTYPE);
	close(fds[1]);
	fds[1] = socket(AF_INET, SOCK_STREAM, 0); /* not listening */
	ck_assert_int_eq(anysock_listener_adopt(fds, 2, 0, &l), -EINVAL);
	ck_assert_int_eq(fcntl(fds[0], F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(anysock_listener_adopt(fds, 0, 0, &l), -EINVAL);
	int many[33];
	for (int i = 0; i < 33; i++)
		many[i] = fds[0];
	ck_assert_int_eq(anysock_listener_adopt(many, 33, 0, &l), -E2BIG);
	ck_assert_int_eq(anysock_listener_adopt(fds, 1, ANYSOCK_LISTEN_DUALSTACK, &l), -EINVAL);
	close(fds[0]);
	close(fds[1]);
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

/* In a child: sockets at 3 and 4 (stream, datagram), LISTEN_* set as
 * pid says; the exit status is what from_env(socktype) returned + 10,
 * or 1 when the adopted listener does not hold what it should. */
static int activated_child(long pid_delta, int socktype)
{
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		int s = squat("127.0.0.1", 0);
		int d = socket(AF_INET, SOCK_DGRAM, 0);
		if (dup2(s, 3) != 3 || dup2(d, 4) != 4)
			_exit(1);
		char v[32];
		snprintf(v, sizeof(v), "%ld", (long)getpid() + pid_delta);
		setenv("LISTEN_PID", v, 1);
		setenv("LISTEN_FDS", "2", 1);
		anysock_listener *l;
		int n = anysock_listener_from_env(socktype, 0, &l);
		if (n > 0 && socktype != 0 &&
		    (anysock_listener_fd(l, 0) != (socktype == SOCK_STREAM ? 3 : 4)))
			_exit(1);
		if (n == 0 && l != NULL)
			_exit(1);
		anysock_listener_close(l);
		_exit(n < 0 ? 2 : 10 + n);
	}
	int status;
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_socket_activation)
{
	ck_assert_int_eq(activated_child(0, SOCK_STREAM), 11);
	ck_assert_int_eq(activated_child(0, SOCK_DGRAM), 11);
	ck_assert_int_eq(activated_child(0, 0), 2);  /* two types: -EPROTOTYPE */
	ck_assert_int_eq(activated_child(1, SOCK_STREAM), 10); /* another process's */
	unsetenv("LISTEN_PID");
	anysock_listener *l;
	ck_assert_int_eq(anysock_listener_from_env(0, 0, &l), 0);
	ck_assert_ptr_null(l);
}
END_TEST

/* What went wrong in a failed adopt, bit by bit (0: nothing). */
enum {
	WRONG_CODE = 1,        /* not the error of the call that failed */
	LEFT_NONBLOCKING = 2,  /* the caller's descriptor left non-blocking */
	LEFT_CLOEXEC = 4,      /* ... or close-on-exec */
	LEFT_PKTINFO = 8,      /* ... or asking for packet information */
	ACCEPTCONN_EINVAL = 16 /* a failed SO_ACCEPTCONN check said "not listening" */
};

/* In a child where asking for IPv4 packet information fails, and asking
 * whether a socket listens fails too (a kernel or an emulator without those
 * options): 0, or the WRONG_* bits; 77 when such a child cannot be made. */
static int adopt_where_options_fail(void)
{
	int fds[2] = { socket(AF_INET6, SOCK_DGRAM, 0), socket(AF_INET, SOCK_DGRAM, 0) };
	int lfd = squat("127.0.0.1", 0);
	if (fds[0] < 0 || fds[1] < 0)
		return 77;
	struct fail_rule rules[] = {
		{ SYS_setsockopt, ENOPROTOOPT, 1, IPPROTO_IP, 2, IP_PKTINFO },
		{ SYS_getsockopt, ENOPROTOOPT, 1, SOL_SOCKET, 2, SO_ACCEPTCONN },
	};
	if (fail_syscalls(rules, 2) < 0)
		return 77;
	int wrong = 0;
	anysock_listener *l;
	/* The IPv6 socket is taken over first; the IPv4 one fails. */
	if (anysock_listener_adopt(fds, 2, 0, &l) != -ENOPROTOOPT || l != NULL)
		wrong |= WRONG_CODE;
	for (int i = 0; i < 2; i++) {
		if (fcntl(fds[i], F_GETFL) & O_NONBLOCK)
			wrong |= LEFT_NONBLOCKING;
		if (fcntl(fds[i], F_GETFD) & FD_CLOEXEC)
			wrong |= LEFT_CLOEXEC;
	}
	int on = 0;
	socklen_t len = sizeof(on);
	if (getsockopt(fds[0], IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, &len) < 0 || on)
		wrong |= LEFT_PKTINFO;
	if (anysock_listener_adopt(&lfd, 1, 0, &l) == -EINVAL)
		wrong |= ACCEPTCONN_EINVAL;
	return wrong;
}

/* A failed adopt leaves the descriptors as the caller gave them, and
 * says which call failed. */
START_TEST(test_adopt_fails_cleanly)
{
	fflush(stdout);
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(adopt_where_options_fail());
	int status;
	ck_assert_int_eq(waitpid(child, &status, 0), child);
	ck_assert(WIFEXITED(status));
	int wrong = WEXITSTATUS(status);
	if (wrong == 77) {
		printf("skipped: no seccomp filter here (it makes the options fail)\n");
		return;
	}
	ck_assert_msg(wrong == 0, "%s%s%s%s%s", wrong & WRONG_CODE ? "wrong code; " : "",
		      wrong & LEFT_NONBLOCKING ? "left non-blocking; " : "",
		      wrong & LEFT_CLOEXEC ? "left close-on-exec; " : "",
		      wrong & LEFT_PKTINFO ? "left asking for packet information; " : "",
		      wrong & ACCEPTCONN_EINVAL ? "SO_ACCEPTCONN failing reported as -EINVAL" : "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("adopt");
	TCase *tc = tcase_create("loopback");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_adopt);
	tcase_add_test(tc, test_socket_activation);
	tcase_add_test(tc, test_adopt_fails_cleanly);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
