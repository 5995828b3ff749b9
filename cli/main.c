/* umss: command dispatch and top-level help. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"

static const char usage[] =
	"usage: umss COMMAND [ARGS]\n"
	"\n"
	"Records every instruction a Linux x86-64 program executes.\n"
	"\n"
	"commands:\n"
	"  trace [-o FILE] [--engine=NAME] [--aslr] [-q] -- PROG ARGS...\n"
	"                  run PROG and record its instructions (default umss.trace)\n"
	"  show [--tid T] [--pid P] [--no-events] FILE\n"
	"                  list the instructions of a trace, one a line\n"
	"  stats [--top N] FILE\n"
	"                  instruction counts per process, thread, module, function\n"
	"  diff A B        compare the instruction streams of two traces\n"
	"\n"
	"`umss COMMAND --help` describes each command.\n";

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "trace", cmd_trace },
	{ "show", cmd_show },
	{ "stats", cmd_stats },
	{ "diff", cmd_diff },
};

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("umss 0.1");
		return 0;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "umss: unknown command '%s' (see umss --help)\n", argv[1]);
	return 2;
}
