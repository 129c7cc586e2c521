/* SPDX-License-Identifier: MIT */
/* cadence prune: the run registry's retention (docs/registry.md). */
#include "cli.h"
#include "config.h"
#include "regcmd.h"

#include <string.h>
#include <time.h>

enum { OPT_STATE_DIR = 1, OPT_DRY_RUN };

static const cli_opt prune_opts[] = {
	{ OPT_DRY_RUN, 'n', "dry-run", NULL, "say what would be removed, and remove nothing", NULL },
	REGCMD_STATE_DIR_ENTRY(OPT_STATE_DIR),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct prune_ctx {
	const char *state_dir;
	int dry_run;
} prune_ctx;

static int on_opt(void *p, int id, const char *value)
{
	prune_ctx *c = p;
	if (id == OPT_STATE_DIR)
		c->state_dir = value;
	else if (id == OPT_DRY_RUN)
		c->dry_run = 1;
	return 0;
}

static int prune(const prune_ctx *c)
{
	cli_config *cfg = NULL;
	reg *r = NULL;
	int64_t runs = 0, missed = 0;
	int rc = cli_config_load(NULL, &cfg);
	if (rc)
		return rc;
	int64_t days = cli_config_retention_days(cfg), keep = cli_config_retention_runs(cfg);
	cli_config_free(cfg);
	if (days <= 0 && keep <= 0) {
		puts("retention is off (retention.days and retention.runs are 0): nothing removed");
		return 0;
	}
	if ((rc = regcmd_open(NULL, c->state_dir, &r)))
		return rc;
	/* more days than the epoch holds: no run is that old */
	int64_t now_ms = (int64_t)time(NULL) * 1000;
	int64_t before = days > 0 && days <= now_ms / 86400000 ? now_ms - days * 86400000 : -1;
	if (days > 0 && before < 0 && keep <= 0) {
		printf("no run ended more than %lld days ago: nothing removed\n", (long long)days);
		return 0;
	}
	if (reg_prune(r, before, keep, c->dry_run, &runs, &missed)) {
		rc = cli_error(CLI_EXIT_INTERNAL, "%s", reg_error(r));
	} else {
		char why[160] = "";
		if (days > 0)
			snprintf(why, sizeof(why), "ended more than %lld day%s ago", (long long)days,
				 days == 1 ? "" : "s");
		if (keep > 0)
			snprintf(why + strlen(why), sizeof(why) - strlen(why),
				 "%sbeyond the newest %lld of their cadence", days > 0 ? ", or " : "",
				 (long long)keep);
		cli_print_clean(stdout, "%s %lld run%s and %lld missed fire time%s from %s (%s)\n",
				c->dry_run ? "would remove" : "removed", (long long)runs,
				runs == 1 ? "" : "s", (long long)missed, missed == 1 ? "" : "s",
				reg_path(r), why);
	}
	reg_close(r);
	return rc;
}

static int prune_cmd(const cli_cmd *cmd, int argc, char **argv)
{
	prune_ctx c = { NULL, 0 };
	cli_args args;
	int rc = cli_parse(cmd, argc, argv, on_opt, &c, &args);
	if (rc)
		return rc;
	if (args.help)
		cli_print_help(cmd, stdout);
	else if (args.npos)
		rc = cli_usage_error("'cadence prune' takes no arguments, not '%s'", args.pos[0]);
	else
		rc = prune(&c);
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_prune = {
	"prune",
	"[OPTIONS]",
	"Remove old runs and missed fire times from the run registry.",
	"Applies the retention settings of the project configuration: runs that\n"
	"ended more than retention.days ago (CADENCE_RETENTION_DAYS, default 90),\n"
	"and those beyond the newest retention.runs of their cadence\n"
	"(CADENCE_RETENTION_RUNS, default 1000); the same for missed fire times.\n"
	"0 turns a bound off. A running run is never removed. Says how many it\n"
	"removed (with --dry-run, would remove). registry.md, \"Retention\".\n"
	"\n"
	"Exit status: 0 done, 2 usage error or a bad project configuration, 3 the\n"
	"run registry cannot be used (damaged, read-only, made by a newer cadence).",
	prune_opts,
	prune_cmd,
};
