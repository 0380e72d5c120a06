/*
 * options_probe.c - anysock-probe's command line for fuzz_options.c: the
 * program's source with its main renamed, and its option loop and operand
 * checks as its main has them (not what it then does: lookups, connects).
 * Built with -Dexit=fuzz_exit.
 * SPDX-License-Identifier: MIT
 */
#define main probe_main
int probe_main(int argc, char **argv);
#include "../../tools/anysock-probe.c"
#undef main

int fuzz_probe_options(int argc, char **argv);

/* The mode chosen (0: probe each operand), or exits as the program does. */
int fuzz_probe_options(int argc, char **argv)
{
	int mode = 0, opt;
	const char *given;
	tool_name = "anysock-probe";
	while ((opt = tool_getopt(argc, argv, options, synopsis, &given)) != -1) {
		if (opt == 't')
			timeout_ms = tool_number(given, optarg, 1, 600000);
		else if (opt != 'n')
			mode = opt;
	}
	int left = argc - optind;
	if ((mode == LISTEN && (left == 1 || left == 2)) || (mode == CONNECT && left == 2) ||
	    (mode == INTERFACES && left == 0) || (mode == 0 && left > 0))
		return mode;
	tool_usage(2);
}
