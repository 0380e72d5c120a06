/*
 * options_port.c - anysock-port's command line for fuzz_options.c: the
 * program's source with its main renamed, and its option loop as its main
 * has it (not the scan of the files named). Built with -Dexit=fuzz_exit.
 * SPDX-License-Identifier: MIT
 */
#define main port_main
int port_main(int argc, char **argv);
#include "../../tools/port/main.c"
#undef main

int fuzz_port_options(int argc, char **argv);

/* 0, or 2 for a bad --rules list, or exits as the program does. */
int fuzz_port_options(int argc, char **argv)
{
	int opt;
	const char *given;
	tool_name = "anysock-port";
	for (size_t i = 0; i < nrules; i++)
		run.enabled[i] = true;
	run.json = false;
	while ((opt = tool_getopt(argc, argv, options, synopsis, &given)) != -1) {
		if (opt == JSON)
			run.json = true;
		else if (opt == LIST_RULES)
			return list_rules(optarg);
		else if (choose_rules(optarg) < 0)
			return 2;
	}
	if (optind == argc)
		usage("no file or directory to scan");
	return 0;
}
