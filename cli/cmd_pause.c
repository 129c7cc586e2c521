/* SPDX-License-Identifier: MIT */
/* cadence pause NAME...: a schedule's state in the run registry (regcmd.c). */
#include "cli.h"
#include "regcmd.h"

static const cli_opt pause_opts[] = {
	REGCMD_STATE_DIR_ENTRY(1),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static int pause_cmd(const cli_cmd *cmd, int argc, char **argv)
{
	return regcmd_toggle(cmd, argc, argv, REGCMD_PAUSE);
}

const cli_cmd cli_cmd_pause = {
	"pause",
	"[OPTIONS] NAME...",
	"Pause the schedules of cadences until 'cadence resume NAME'.",
	"Each NAME is the name of a cadence of the project (its 'cadence:' key),\n"
	"one with a 'schedule:'. A paused schedule does not run: each fire time\n"
	"it passes is recorded as missed, with reason 'paused' ('cadence history\n"
	"--missed'), until 'cadence resume NAME'. The state is kept in the run\n"
	"registry (registry.md), so it lasts across restarts; pausing a paused\n"
	"schedule changes nothing. Every NAME is checked before any is changed.\n"
	"\n"
	"Exit status: 0 done, 1 a cadence has no schedule (nothing changed), 2 usage\n"
	"error or no cadence of that name (nothing changed), 3 the run registry\n"
	"cannot be used (damaged, read-only, made by a newer cadence).",
	pause_opts,
	pause_cmd,
};
