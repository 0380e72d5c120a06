/*
 * fuzz_options.c - libFuzzer target: the installed programs' command lines,
 * read as each program reads them (tools/tool.c's option table, strict
 * numbers, --help and --version; anysock-relay's whole parse_command_line,
 * the option loops of anysock-probe and anysock-port), never running them.
 *
 * The input: its first byte picks the program; the rest is its arguments,
 * split at NUL bytes (at most 24). The programs' exit() comes back here
 * (they are built with -Dexit=fuzz_exit) with its status; what they print
 * goes to a scratch file, emptied after each run.
 *
 * Oracles: no crash, no read out of bounds (ASan); a command line ends in
 * exit status 0 (--help, --version), 1 (a file that cannot be read) or 2
 * (a usage error), or is taken; a command line that names no file is never
 * refused for a file.
 *
 * SPDX-License-Identifier: MIT
 */
#include <fcntl.h>
#include <getopt.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
void fuzz_relay_options(int argc, char **argv);
void fuzz_relay_reset(void);
int fuzz_probe_options(int argc, char **argv);
int fuzz_port_options(int argc, char **argv);

static jmp_buf back;
static int exit_status;

/* exit() in the programs and tools/tool.c. */
_Noreturn void fuzz_exit(int status);
_Noreturn void fuzz_exit(int status)
{
	exit_status = status;
	longjmp(back, 1);
}

static int out_fd = -1, saved_out, saved_err;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char path[] = "/tmp/fuzz_options-XXXXXX";
	out_fd = mkstemp(path);
	require(out_fd >= 0, "mkstemp");
	unlink(path);
	int null = open("/dev/null", O_RDONLY);
	dup2(null, 0); /* a "file" named /dev/stdin reads nothing */
	close(null);
	return 0;
}

static void quiet(bool on)
{
	fflush(stdout);
	fflush(stderr);
	if (on) {
		saved_out = dup(1);
		saved_err = dup(2);
		dup2(out_fd, 1);
		dup2(out_fd, 2);
	} else {
		dup2(saved_out, 1);
		dup2(saved_err, 2);
		close(saved_out);
		close(saved_err);
		ftruncate(out_fd, 0);
		lseek(out_fd, 0, SEEK_SET);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *names[] = { "anysock-relay", "anysock-probe", "anysock-port" };
	if (size < 1 || size > 2000)
		return 0;
	int program = data[0] % 3;
	char *copy = malloc(size + 1);
	require(copy != NULL, "malloc");
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	char *argv[26] = { (char *)names[program] };
	int argc = 1;
	for (char *p = copy; p < copy + size - 1 && argc < 25; p += strlen(p) + 1)
		argv[argc++] = p;
	argv[argc] = NULL;
	/* No device or kernel file: /dev/zero as an access list never ends. */
	bool files = false;
	for (int i = 1; i < argc; i++) {
		if (strstr(argv[i], "/dev/") != NULL || strstr(argv[i], "/proc/") != NULL ||
		    strstr(argv[i], "/sys/") != NULL) {
			free(copy);
			return 0;
		}
		files = files || strchr(argv[i], '/') != NULL;
	}

	optind = 0; /* getopt_long from the start, as in a new process */
	opterr = 1;
	exit_status = -1;
	quiet(true);
	if (setjmp(back) == 0) {
		if (program == 0)
			fuzz_relay_options(argc, argv);
		else if (program == 1)
			fuzz_probe_options(argc, argv);
		else
			fuzz_port_options(argc, argv);
	}
	quiet(false);
	if (program == 0)
		fuzz_relay_reset();
	require(exit_status == -1 || exit_status == 0 || exit_status == 2 ||
			(exit_status == 1 && (files || program == 0)),
		"%s: exit status %d", names[program], exit_status);
	free(copy);
	return 0;
}
