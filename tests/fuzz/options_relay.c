/*
 * options_relay.c - anysock-relay's command line for fuzz_options.c: the
 * program's main.c with its main renamed, so that its own
 * parse_command_line() is what runs (the relay's other files are linked
 * as they are). Built with -Dexit=fuzz_exit.
 * SPDX-License-Identifier: MIT
 */
#define main relay_main
int relay_main(int argc, char **argv);
#include "../../tools/relay/main.c"
#undef main

void fuzz_relay_options(int argc, char **argv);
void fuzz_relay_reset(void);

static struct relay_config pristine;
static bool saved;

void fuzz_relay_options(int argc, char **argv)
{
	if (!saved) {
		pristine = cfg;
		saved = true;
	}
	parse_command_line(argc, argv);
}

/* After a run, returned or exited: the configuration as it was, nothing
 * kept. */
void fuzz_relay_reset(void)
{
	if (!saved)
		return;
	anysock_acl_free(trusted);
	trusted = NULL;
	cfg = pristine;
	source_family = 0;
	free((char *)listen_option); /* the program's own, kept to its end */
	listen_option = NULL;
}
