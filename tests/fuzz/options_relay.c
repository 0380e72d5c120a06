/*
 * options_relay.c - anysock-relay's command line for fuzz_options.c: the
 * program's source with its main renamed, so that its own
 * parse_command_line() is what runs. Built with -Dexit=fuzz_exit.
 * SPDX-License-Identifier: MIT
 */
#define main relay_main
int relay_main(int argc, char **argv);
#include "../../tools/anysock-relay.c"
#undef main

void fuzz_relay_options(int argc, char **argv);
void fuzz_relay_reset(void);

static __typeof__(cfg) pristine;
static bool saved;

void fuzz_relay_options(int argc, char **argv)
{
	if (!saved) {
		pristine = cfg;
		saved = true;
	}
	parse_command_line(argc, argv);
}

/* After a run, returned or exited: cfg as it was, nothing kept. */
void fuzz_relay_reset(void)
{
	if (saved) {
		anysock_acl_free(cfg.trusted);
		cfg = pristine;
	}
}
