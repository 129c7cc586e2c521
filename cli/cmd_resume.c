/* SPDX-License-Identifier: MIT */
/* cadence resume: go on with a run from its checkpoint (cmd_run.c does the
 * work; this file holds the command's options and help). */
#include "cli.h"
#include "run.h"

static const cli_opt resume_opts[] = {
	CLI_RUN_SHARED_OPTS,
	{ RUN_OPT_CHECKPOINT, 0, "checkpoint", "FILE",
	  "save the checkpoints of the resumed run to FILE (default: CHECKPOINT itself)", NULL },
	{ RUN_OPT_FORCE, 'f', "force", NULL,
	  "resume even though the cadence files changed since the checkpoint", NULL },
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static int resume_cmd(const cli_cmd *cmd, int argc, char **argv)
{
	return cli_run_main(cmd, argc, argv, 1);
}

const cli_cmd cli_cmd_resume = {
	"resume",
	"[OPTIONS] CHECKPOINT [CADENCE_FILE]",
	"Go on with a run from its checkpoint and print the final score.",
	"CHECKPOINT is a file written by 'cadence run --checkpoint'. The run goes on\n"
	"after the last measure that completed (inside child cadences too; in a dag,\n"
	"with the tasks that had not ended ok), with the scores saved then, and ends\n"
	"with the score an uninterrupted run would have printed. The cadence is the\n"
	"file the checkpoint names, or CADENCE_FILE.\n"
	"\n"
	"The checkpoint holds the SHA-256 of every cadence file the run loaded; if\n"
	"one changed, appeared or went away, nothing runs (--force resumes anyway,\n"
	"when the position still fits the cadence). The resumed run goes on saving\n"
	"checkpoints to CHECKPOINT, locked against other runs until it ends.\n"
	"Options are those of 'cadence run' without a score (docs/observability.md).\n"
	"\n"
	"Exit status: 0 the cadence succeeded, 1 it failed, 2 usage error, a\n"
	"checkpoint that is missing, unreadable, truncated or not a checkpoint, or\n"
	"one in use by another run (nothing ran), 3 internal failure, 4 the\n"
	"checkpoint does not belong to the cadence: another cadence's, the files\n"
	"changed since it was written, or another writer replaced it since it was\n"
	"read (nothing ran), 130 interrupted by SIGINT, SIGTERM or SIGHUP.",
	resume_opts,
	resume_cmd,
};
