/* SPDX-License-Identifier: MIT */
/* cadence export argo: not built yet (this file is a placeholder that the
 * Argo exporter replaces; docs/export.md). */
#include "cli.h"

#include <stdio.h>

int cli_export_argo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("cadence: export argo: not built yet\n", stderr);
	return CLI_EXIT_USAGE;
}
