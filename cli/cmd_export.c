/* SPDX-License-Identifier: MIT */
/* cadence export: a cadence for another engine (docs/export.md). */
#include "cli.h"

#include <string.h>

const cli_cmd *const cli_export_commands[] = {
	&cli_cmd_export_argo,
	NULL,
};

static const cli_opt export_opts[] = {
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static int run_export(const cli_cmd *cmd, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_print_help(cmd, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	for (size_t i = 0; cli_export_commands[i]; i++)
		if (!strcmp(argv[1], cli_export_commands[i]->name + strlen("export ")))
			return cli_export_commands[i]->run(cli_export_commands[i], argc - 1, argv + 1);
	return cli_usage_error("'cadence export' has the subcommand 'argo', not '%s'; see "
			       "'cadence export --help'", argv[1]);
}

const cli_cmd cli_cmd_export = {
	"export",
	"argo [OPTIONS] FILE",
	"Write a cadence for another engine: an Argo Workflows manifest.",
	"  cadence export argo [--kind workflow|template|cron] [--image IMAGE] [-o OUT] FILE\n"
	"See 'cadence export argo --help' and docs/export.md.\n"
	"\n"
	"Exit status: as the subcommand's.",
	export_opts,
	run_export,
};
