// SPDX-License-Identifier: GPL-2.0
/*
 * privctl: the command-line options and the DEV operand the subcommands
 * share. cmd_getopt() is getopt_long() with -j/--json, -b/--bytes and
 * -h/--help (OPTION_JSON, OPTION_BYTES, OPTION_HELP in an option table)
 * handled in one place; a subcommand's switch sees only its own options.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include "privctl.h"

/*
 * The next option of a subcommand, as getopt_long() returns it, or -1 at
 * the end of the options. -j and -b are recorded in @o and not returned.
 * -h prints @o->usage and an option getopt complained about adds the
 * hint: both end privctl here, with the exit status the subcommand would
 * have returned (EXIT_OK, EXIT_USAGE).
 */
int cmd_getopt(int argc, char **argv, const char *optstring,
	       const struct option *opts, struct cmd_opts *o)
{
	int c;

	for (;;) {
		c = getopt_long(argc, argv, optstring, opts, NULL);
		switch (c) {
		case 'j':
			o->json = true;
			continue;
		case 'b':
			o->raw = true;
			continue;
		case 'h':
			fputs(o->usage, stdout);
			exit(EXIT_OK);
		case '?':
			exit(usage_hint());
		}
		return c;
	}
}

/* The options of a subcommand that has none but -h. */
void cmd_help_only(int argc, char **argv, const char *usage)
{
	static const struct option opts[] = {
		OPTION_HELP,
		{ }
	};
	struct cmd_opts o = { .usage = usage };

	/* -h and the options getopt refuses end privctl: -1 is all that returns. */
	cmd_getopt(argc, argv, "h", opts, &o);
}

/*
 * The single DEV operand (at optind) of a subcommand, loaded into @d.
 * Returns EXIT_OK, or the exit status with the reason printed: EXIT_USAGE
 * if it is missing or followed by more, EXIT_FAIL if there is no such
 * device.
 */
int cmd_dev_operand(int argc, char **argv, struct pm_dev *d)
{
	if (dev_operand_check(argc, argv))
		return EXIT_USAGE;
	if (dev_find(argv[optind], d))
		return EXIT_FAIL;
	return EXIT_OK;
}

/*
 * The argument of --watermarks (LOW,HIGH) into @low and @high. Returns 0,
 * or EXIT_USAGE with the usage error printed.
 */
int watermarks_option(const char *arg, unsigned int *low, unsigned int *high)
{
	int ret = watermarks_parse(arg, low, high);

	if (ret == -ERANGE)
		return usage_error("--watermarks %s: LOW must be below HIGH, and HIGH at most %d",
				   arg, PRIVMEM_PRESSURE_MAX);
	if (ret)
		return usage_error("--watermarks wants LOW,HIGH (e.g. 600,900), not '%s'",
				   arg);
	return 0;
}
