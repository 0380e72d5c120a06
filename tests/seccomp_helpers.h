/*
 * seccomp_helpers.h - make chosen system calls fail in this process, for
 * tests of what the library does when a call fails that never fails here
 * (stat() with EOVERFLOW on a 32-bit build, a socket option a kernel or an
 * emulator lacks). A seccomp filter cannot be taken back: install it in a
 * child of fork(), before it starts any thread (threads and processes
 * started after inherit it).
 * SPDX-License-Identifier: MIT
 */
#ifndef SECCOMP_HELPERS_H
#define SECCOMP_HELPERS_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#if defined(__linux__) && defined(__x86_64__) && __has_include(<linux/seccomp.h>)
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#define HAVE_FAIL_SYSCALL 1
#endif

/* One system call to fail: nr with errno err, when its argument arg (0-5)
 * equals value, or always (arg < 0); a second argument may be matched too
 * (arg2 < 0: not). */
struct fail_rule {
	long nr;
	int err;
	int arg;
	uint32_t value;
	int arg2;
	uint32_t value2;
};

#define FAIL_ALWAYS(nr, err)              \
	{                                 \
		(nr), (err), -1, 0, -1, 0 \
	}

#ifdef HAVE_FAIL_SYSCALL
/* The low 32 bits of argument i (x86-64 is little-endian). */
#define FAIL_ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (unsigned)(i))

/* Install the rules: 0, or -errno (-ENOSYS where this helper cannot: a
 * test then skips). */
static inline int fail_syscalls(const struct fail_rule *rules, size_t n)
{
	struct sock_filter prog[4 + 6 * 8];
	size_t k = 0;
	if (n > 8)
		return -E2BIG;
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, arch));
	prog[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1,
						 0);
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	for (size_t i = 0; i < n; i++) {
		const struct fail_rule *r = &rules[i];
		/* Each rule: load nr, test, [load arg, test], [load arg2, test],
		 * return the error; a failed test skips to the next rule. */
		unsigned len = 3 + (r->arg >= 0 ? 2u : 0u) + (r->arg2 >= 0 ? 2u : 0u);
		unsigned left = len - 2; /* instructions after the first test */
		prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
							 offsetof(struct seccomp_data, nr));
		prog[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)r->nr,
							 0, (uint8_t)left);
		left -= 2;
		if (r->arg >= 0) {
			prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
								 FAIL_ARG_LO(r->arg));
			prog[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
								 r->value, 0, (uint8_t)left);
			left -= 2;
		}
		if (r->arg2 >= 0) {
			prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
								 FAIL_ARG_LO(r->arg2));
			prog[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
								 r->value2, 0, (uint8_t)left);
		}
		prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
							 SECCOMP_RET_ERRNO | ((uint32_t)r->err &
									      SECCOMP_RET_DATA));
	}
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog fprog = { (unsigned short)k, prog };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) < 0)
		return -errno;
	return 0;
}
#else
static inline int fail_syscalls(const struct fail_rule *rules, size_t n)
{
	(void)rules;
	(void)n;
	return -ENOSYS;
}
#endif

#endif
