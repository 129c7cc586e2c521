/* SPDX-License-Identifier: MIT */
/* cadence enable NAME...: a schedule's state in the run registry (regcmd.c). */
#include "cli.h"
#include "regcmd.h"

static const cli_opt enable_opts[] = {
	REGCMD_STATE_DIR_ENTRY(1),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static int enable_cmd(const cli_cmd *cmd, int argc, char **argv)
{
	return regcmd_toggle(cmd, argc, argv, REGCMD_ENABLE);
}

const cli_cmd cli_cmd_enable = {
	"enable",
	"[OPTIONS] NAME...",
	"Enable the schedules of cadences that 'cadence disable' disabled.",
	"Each NAME is the name of a cadence of the project, one with a 'schedule:'.\n"
	"Undoes 'cadence disable NAME'. A schedule that is also paused runs again\n"
	"once resumed ('cadence resume NAME'), and one with 'enabled: false' in its\n"
	"file does not run on its schedule whatever the registry says.\n"
	"\n"
	"Exit status: 0 done, 1 a cadence has no schedule (nothing changed), 2 usage\n"
	"error or no cadence of that name (nothing changed), 3 the run registry\n"
	"cannot be used (damaged, read-only, made by a newer cadence).",
	enable_opts,
	enable_cmd,
};
