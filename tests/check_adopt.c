/*
 * check_adopt.c - listeners over sockets made elsewhere: explicit
 * descriptors and socket activation (adopt.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include "listener_helpers.h"

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

int main(void)
{
	Suite *s = suite_create("adopt");
	TCase *tc = tcase_create("loopback");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_adopt);
	tcase_add_test(tc, test_socket_activation);
	suite_add_tcase(s, tc);
	int failed = run_suite(s, false);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
