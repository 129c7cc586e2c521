/* SPDX-License-Identifier: MIT */
/* cadence disable NAME...: a schedule's state in the run registry (regcmd.c). */
#include "cli.h"
#include "regcmd.h"

static const cli_opt disable_opts[] = {
	REGCMD_STATE_DIR_ENTRY(1),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static int disable_cmd(const cli_cmd *cmd, int argc, char **argv)
{
	return regcmd_toggle(cmd, argc, argv, REGCMD_DISABLE);
}

const cli_cmd cli_cmd_disable = {
	"disable",
	"[OPTIONS] NAME...",
	"Disable the schedules of cadences until 'cadence enable NAME'.",
	"Each NAME is the name of a cadence of the project, one with a 'schedule:'.\n"
	"A disabled schedule does not run on its fire times until 'cadence enable\n"
	"NAME'; its fire times are recorded as missed with reason 'disabled'. The\n"
	"state is kept in the run registry (registry.md) and lasts across\n"
	"restarts; it is separate from pause (a schedule may be both) and from\n"
	"'enabled: false' in the file. Manual runs ('cadence run') are not affected.\n"
	"\n"
	"Exit status: 0 done, 1 a cadence has no schedule (nothing changed), 2 usage\n"
	"error or no cadence of that name (nothing changed), 3 the run registry\n"
	"cannot be used (damaged, read-only, made by a newer cadence).",
	disable_opts,
	disable_cmd,
};
