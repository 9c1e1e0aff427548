// SPDX-License-Identifier: GPL-2.0
/*
 * privctl: main, subcommand dispatch, --help and --version, and the
 * message helpers every subcommand uses.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 usage error.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "privctl.h"

const char *progname = "privctl";
const char *cmdname;

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fflush(stdout);
	if (cmdname)
		fprintf(stderr, "%s %s: %s", progname, cmdname, kind);
	else
		fprintf(stderr, "%s: %s", progname, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* error(), warning() and note(): vmsg() with their kind of message. */
#define DEFINE_MESSAGE(fn, kind)		\
void fn(const char *fmt, ...)			\
{						\
	va_list ap;				\
						\
	va_start(ap, fmt);			\
	vmsg(kind, fmt, ap);			\
	va_end(ap);				\
}

DEFINE_MESSAGE(error, "error: ")
DEFINE_MESSAGE(warning, "warning: ")
DEFINE_MESSAGE(note, "")

/* Report a usage error; returns EXIT_USAGE for the caller to return. */
int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	if (cmdname)
		fprintf(stderr, "Try '%s %s --help'.\n", progname, cmdname);
	else
		fprintf(stderr, "Try '%s --help'.\n", progname);
	return EXIT_USAGE;
}

/* After getopt printed what was wrong with an option. */
int usage_hint(void)
{
	fprintf(stderr, "Try '%s %s --help'.\n", progname, cmdname);
	return EXIT_USAGE;
}

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "list", cmd_list, "list private nodes and privmem devices" },
	{ "info", cmd_info, "show everything known about one device" },
	{ "create", cmd_create, "make a devdax device a private node" },
	{ "destroy", cmd_destroy, "remove a private node, give back its dax device" },
	{ "online", cmd_online, "hot-add a device's memory with its settings" },
	{ "offline", cmd_offline, "remove a device's memory, keep the device" },
	{ "set", cmd_set, "change the settings of an offline device" },
	{ "migrate", cmd_migrate, "move a process's pages to or from a private node" },
	{ "demotion", cmd_demotion, "show or set which nodes demote into a node" },
	{ "pressure", cmd_pressure, "show pressure and watermarks, or watch crossings" },
	{ "run", cmd_run, "run a command whose memory is bound to a private node" },
};

static void main_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: %s [--version] [--help] COMMAND [ARGS]\n\n", progname);
	fprintf(f, "Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nSee '%s COMMAND --help' or privctl(1).\n", progname);
	fprintf(f, "Exit status: 0 success, 1 operation failed, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return usage_error("no command given");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		main_usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("%s %s\n", progname, PRIVCTL_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		char argv0[64];

		cmdname = commands[i].name;
		/* getopt names the program in its messages: "privctl list". */
		snprintf(argv0, sizeof(argv0), "%s %s", progname, cmdname);
		argv[1] = argv0;
		return commands[i].fn(argc - 1, argv + 1);
	}
	if (argv[1][0] == '-')
		return usage_error("unknown option '%s'", argv[1]);
	return usage_error("unknown command '%s'", argv[1]);
}
