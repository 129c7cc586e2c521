/* SPDX-License-Identifier: MIT */
/* cadence export: a cadence as a workflow of an external engine whose
 * nodes run `cadence step` (docs/export.md).  `export n8n` is here;
 * `export argo` is cmd_export_argo.c's. */
#include "cli.h"
#include "files.h"

#include <cadence/cadence.h>
#include <cadence/export.h>

#include <stdlib.h>
#include <string.h>

#include "util/afile.h"
#include "util/strbuf.h"

enum { OPT_OUTPUT = 1, OPT_SCORE, OPT_PLUGIN, OPT_STATE_DIR, OPT_BINARY, OPT_STRICT, OPT_ALLOW_OUTSIDE_ROOT };

static const cli_opt n8n_opts[] = {
	{ OPT_OUTPUT, 'o', "output", "OUT",
	  "write the workflow to OUT, atomically (default: standard output)", NULL },
	{ OPT_SCORE, 's', "score", "FILE",
	  "the input score: a JSON file on n8n's machine that the first node reads "
	  "(default: the declared defaults)", NULL },
	{ OPT_PLUGIN, 'p', "plugin", "PATH.so",
	  "every step loads C notes (symbol:) from this shared object, a path on n8n's "
	  "machine; repeatable", NULL },
	{ OPT_STATE_DIR, 0, "state-dir", "DIR",
	  "where the nodes keep the score, DIR/<execution id>/ on n8n's machine "
	  "(default: " CADENCE_EXPORT_N8N_STATE_DIR ")", NULL },
	{ OPT_BINARY, 0, "cadence-binary", "PATH",
	  "the cadence the nodes run (default: cadence, on n8n's PATH)", NULL },
	{ OPT_STRICT, 0, "strict", NULL,
	  "fail (status 1, nothing written) when anything is lost: a warning", NULL },
	CLI_OPT_ALLOW_OUTSIDE_ROOT_ENTRY(OPT_ALLOW_OUTSIDE_ROOT),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct n8n_ctx {
	const char *output;
	const char *score;
	const char **plugins;
	size_t nplugins;
	const char *state_dir;
	const char *binary;
	int strict;
	int allow_outside;
} n8n_ctx;

static int on_opt(void *p, int id, const char *value)
{
	n8n_ctx *c = p;
	switch (id) {
	case OPT_OUTPUT: c->output = value; break;
	case OPT_SCORE:
		if (!strcmp(value, "-"))
			return cli_usage_error("--score takes a file on n8n's machine, not '%s'", value);
		c->score = value;
		break;
	case OPT_PLUGIN: return cli_add_value(&c->plugins, &c->nplugins, value);
	case OPT_STATE_DIR: c->state_dir = value; break;
	case OPT_BINARY: c->binary = value; break;
	case OPT_STRICT: c->strict = 1; break;
	case OPT_ALLOW_OUTSIDE_ROOT: c->allow_outside = 1; break;
	}
	return 0;
}

/* -o OUT: writable, and not the cadence file. */
static int check_output(const n8n_ctx *c, const char *cadence_file)
{
	int rc = files_output_check(c->output, "workflow", "; nothing written");
	if (!rc && c->output && strcmp(c->output, "-") && files_same_output(c->output, cadence_file))
		rc = cli_usage_error("cannot write the workflow to '%s': it is the cadence file; "
				     "give another path; nothing written", c->output);
	return rc;
}

/* What running needs beyond what loading checked (the score, every
 * expression, the data flow), as run checks it: a workflow of a cadence
 * that cannot run would fail in n8n, at its first node. */
static int check_runs(const cadence_def *def, const char *path)
{
	cadence_diags *d = NULL;
	cadence_check_opts co = CADENCE_CHECK_OPTS_INIT;
	int rc = 0;
	co.check_executables = 0;	/* they are n8n's machine's */
	if (cadence_diags_new(&d))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	if (cadence_check(def, NULL, &co, d) == CADENCE_ENOMEM) {
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
	} else if (cadence_diags_errors(d)) {
		files_write_diags(d, stderr, CADENCE_DIAG_TEXT, NULL, 0);
		rc = cli_error(CLI_EXIT_PROBLEMS, "'%s' has problems; fix them (see above) for it "
			       "to run in n8n; nothing written", path);
	}
	cadence_diags_free(d);
	return rc;
}

/* The warnings, said; with --strict, status 1. */
static int said(const n8n_ctx *c, cadence_diags *diags)
{
	size_t n = cadence_diags_count(diags);
	if (!n)
		return 0;
	if (files_write_diags(diags, stderr, CADENCE_DIAG_TEXT, NULL, 0))
		return cli_error(CLI_EXIT_INTERNAL, "cannot write the warnings");
	if (c->strict)
		return cli_error(CLI_EXIT_PROBLEMS, "%zu warning%s: n8n cannot do all the cadence "
				 "says (see above); nothing written (--strict)", n, n == 1 ? "" : "s");
	return 0;
}

static int export_fn(void *ctx, const char *path, const cadence_def *def)
{
	n8n_ctx *c = ctx;
	cadence_export_n8n_opts o = CADENCE_EXPORT_N8N_OPTS_INIT;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cadence_diags *diags = NULL;
	char *abs = cad_afile_absolute(path), *text = NULL;
	size_t len = 0;
	int rc = check_output(c, path);
	if (rc || (rc = check_runs(def, path)))
		goto out;
	if (!abs || cadence_diags_new(&diags)) {
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	o.cadence_file = abs;
	o.state_dir = c->state_dir;
	o.cadence_binary = c->binary;
	o.score_file = c->score;
	o.plugins = c->plugins;
	o.nplugins = c->nplugins;
	int r = cadence_export_n8n(&text, &len, def, &o, diags, &err);
	if (r == CADENCE_EINVAL)
		rc = cli_usage_error("%s; nothing written", err.message ? err.message
				     : cadence_strerror(r));
	else if (r)
		rc = cli_error(CLI_EXIT_INTERNAL, "%s", cadence_strerror(r));
	else if (!(rc = said(c, diags)))
		rc = files_output_write(c->output, "workflow", text, len, "; nothing written");
out:
	free(text);
	free(abs);
	cadence_diags_free(diags);
	cadence_run_error_clear(&err);
	return rc;
}

static int export_n8n(const cli_cmd *cmd, int argc, char **argv)
{
	n8n_ctx c = { NULL, NULL, NULL, 0, NULL, NULL, 0, 0 };
	cli_args args;
	int rc = cli_parse(cmd, argc, argv, on_opt, &c, &args);
	if (rc) {
		free((void *)c.plugins);
		return rc;
	}
	if (args.help)
		cli_print_help(cmd, stdout);
	else if (args.npos != 1)
		rc = cli_usage_error("'cadence export n8n' takes one cadence (a name or a file), "
				     "not %zu arguments", args.npos);
	else if (!strcmp(args.pos[0], "-"))
		rc = cli_usage_error("'cadence export n8n' needs the cadence in a file, which its "
				     "nodes run, not standard input");
	else
		rc = files_with_cadence(args.pos[0], c.allow_outside, "export n8n",
					"for n8n", export_fn, &c);
	free((void *)c.plugins);
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_export_n8n = {
	"export n8n",
	"[OPTIONS] NAME|CADENCE_FILE",
	"Write a cadence as an n8n workflow whose nodes run 'cadence step'.",
	"The workflow (JSON, for n8n's import) starts with a Manual Trigger, or a\n"
	"Schedule Trigger with the cadence's schedule: cron and time zone. Each\n"
	"note is an Execute Command node running 'cadence step' on the cadence file\n"
	"(its absolute path); a sync's notes are parallel branches joined by a Merge\n"
	"node, then a node running the sync's merge; split, child, dag and the\n"
	"precheck are one node each. A note's retry becomes the node's retry\n"
	"(clamped to n8n's 2-5 tries, 0-5,000 ms), its fallback a node on the\n"
	"node's error output. The score goes through files in DIR/<execution id>/\n"
	"(--state-dir), never through a command line; every other text in a command\n"
	"is shell-quoted. --plugin gives every step a plugin (C notes). What n8n\n"
	"cannot do (a backoff, a timeout, a circuit breaker, on_error...) is a\n"
	"warning at its place in the file. n8n 2.x disables Execute Command: enable\n"
	"it with NODES_EXCLUDE=\"[]\" (export.md, \"n8n\").\n"
	"\n"
	"Exit status: 0 written, 1 the cadence has problems, or warnings with\n"
	"--strict (nothing written), 2 usage error (a path n8n would read as an\n"
	"expression, an -o that cannot be written), 3 internal failure.",
	n8n_opts,
	export_n8n,
};

const cli_cmd *const cli_export_commands[] = {
	&cli_cmd_export_argo,
	&cli_cmd_export_n8n,
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
			return cli_export_commands[i]->run(cli_export_commands[i], argc - 1,
							   argv + 1);
	return cli_usage_error("'cadence export' has the subcommands 'argo' and 'n8n', not '%s'; "
			       "see 'cadence export --help'", argv[1]);
}

const cli_cmd cli_cmd_export = {
	"export",
	"argo|n8n [OPTIONS] CADENCE_FILE",
	"Write a cadence for an external engine (Argo Workflows, n8n).",
	"  cadence export argo [--kind workflow|template|cron] [--image IMAGE] [-o OUT] CADENCE_FILE\n"
	"  cadence export n8n [-o OUT] [--state-dir DIR] [--strict] CADENCE_FILE\n"
	"Each node of the engine's workflow runs 'cadence step' (export.md).\n"
	"See 'cadence export argo --help' and 'cadence export n8n --help'.\n"
	"\n"
	"Exit status: as the subcommand's.",
	export_opts,
	run_export,
};
