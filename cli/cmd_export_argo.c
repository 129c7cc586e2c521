/* SPDX-License-Identifier: MIT */
/* cadence export argo: not built on this branch; this placeholder is
 * replaced by the Argo exporter's file (docs/export.md). */
#include "cli.h"

#include <stdio.h>

static const cli_opt argo_opts[] = {
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static int export_argo(const cli_cmd *cmd, int argc, char **argv)
{
	(void)cmd;
	(void)argc;
	(void)argv;
	fputs("cadence: export argo: not built yet\n", stderr);
	return CLI_EXIT_USAGE;
}

const cli_cmd cli_cmd_export_argo = {
	"export argo",
	"[OPTIONS] NAME|CADENCE_FILE",
	"Write a cadence as Argo Workflows manifests whose tasks run 'cadence step'.",
	"Not built yet.",
	argo_opts,
	export_argo,
};
