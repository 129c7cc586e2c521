/* SPDX-License-Identifier: MIT */
/* cadence resume: go on with a run from its checkpoint (cmd_run.c does the
 * work; this file holds the command's options and help). */
#include "cli.h"
#include "regcmd.h"
#include "run.h"

#include <string.h>
#include <sys/stat.h>

static const cli_opt resume_opts[] = {
	CLI_RUN_SHARED_OPTS,
	{ RUN_OPT_CHECKPOINT, 0, "checkpoint", "FILE",
	  "save the checkpoints of the resumed run to FILE (default: CHECKPOINT itself)", NULL },
	{ RUN_OPT_FORCE, 0, "force", NULL,
	  "resume even though the cadence files changed since the checkpoint", NULL },
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

/* The positional arguments of argv, read by the option table without
 * saying anything (cli_parse() says it, in cli_run_main()); the values of
 * --state-dir and --config in *state_dir and *config.  Returns how many,
 * the first in *first. */
static size_t positionals(const cli_cmd *cmd, int argc, char **argv, const char **first,
			  const char **state_dir, const char **config)
{
	size_t n = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const cli_opt *o = NULL;
		if (!strcmp(a, "--")) {
			n += (size_t)(argc - i - 1);
			if (i + 1 < argc && !*first)
				*first = argv[i + 1];
			break;
		}
		if (a[0] != '-' || !a[1]) {
			if (!n++)
				*first = a;
			continue;
		}
		size_t len = a[1] == '-' ? strcspn(a + 2, "=") : 1;
		for (const cli_opt *p = cmd->opts; p->id && !o; p++)
			if (a[1] == '-' ? p->long_name && strlen(p->long_name) == len &&
					  !strncmp(p->long_name, a + 2, len)
					: p->short_name == a[1])
				o = p;
		if (!o || !o->arg)
			continue;
		const char *v = a[1] == '-' ? (a[2 + len] ? a + 3 + len : NULL) : (a[2] ? a + 2 : NULL);
		if (!v && i + 1 < argc)
			v = argv[++i];
		if (o->id == RUN_OPT_STATE_DIR)
			*state_dir = v;
		else if (o->id == RUN_OPT_CONFIG)
			*config = v;
	}
	return n;
}

/* `cadence resume NAME`: an argument that is not a regular file (nor a
 * path) and names a cadence of the project resumes its paused schedule. */
static int resume_cmd(const cli_cmd *cmd, int argc, char **argv)
{
	const char *first = NULL, *state_dir = NULL, *config = NULL;
	struct stat sb;
	if (positionals(cmd, argc, argv, &first, &state_dir, &config) != 1 ||
	    strchr(first, '/') || (!stat(first, &sb) && S_ISREG(sb.st_mode)))
		return cli_run_main(cmd, argc, argv, 1);
	regcmd_cadence *all = NULL;
	size_t n = 0;
	int rc = regcmd_cadences(config, &all, &n);
	if (rc)
		return rc;
	int known = regcmd_find(all, n, first, 1) != NULL;
	regcmd_cadences_free(all, n);
	if (known)
		return regcmd_toggle_names((char **)&first, 1, config, state_dir, REGCMD_RESUME);
	return cli_usage_error("'%s' is neither a checkpoint file (there is no such regular file) "
			       "nor the name of a cadence of this project; 'cadence resume CHECKPOINT' "
			       "goes on with a checkpointed run, 'cadence resume NAME' resumes a "
			       "paused schedule ('cadence list' lists the cadences); nothing ran",
			       first);
}

const cli_cmd cli_cmd_resume = {
	"resume",
	"[OPTIONS] CHECKPOINT [CADENCE_FILE] | NAME",
	"Go on with a run from its checkpoint, or resume a paused schedule.",
	"Two commands in one, told apart by the argument: an existing file (or a\n"
	"path with a '/') is a CHECKPOINT; otherwise NAME, a cadence of the project\n"
	"whose schedule 'cadence pause NAME' paused, resumes that schedule (the\n"
	"state in the run registry, registry.md; --state-dir applies; exit\n"
	"status as 'cadence pause'). An argument that is neither is an error that\n"
	"says so.\n"
	"\n"
	"CHECKPOINT is a file written by 'cadence run --checkpoint'. The run goes on\n"
	"after the last measure that completed (inside child cadences too; in a dag,\n"
	"with the tasks that had not ended ok), with the scores saved then, and ends\n"
	"with the score an uninterrupted run would have printed; the log says where\n"
	"it goes on. A checkpoint whose run had completed runs nothing (no --plugin\n"
	"needed) and prints its final score. The cadence is the file the checkpoint\n"
	"names, or CADENCE_FILE.\n"
	"\n"
	"The checkpoint holds the SHA-256 of every cadence file the run loaded; if\n"
	"one changed, appeared or went away, nothing runs (--force resumes anyway,\n"
	"when the position still fits the cadence). The resumed run goes on saving\n"
	"checkpoints to CHECKPOINT, locked against other runs until it ends.\n"
	"Options are those of 'cadence run' without a score (observability.md).\n"
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
