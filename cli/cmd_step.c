/* SPDX-License-Identifier: MIT */
/* cadence step: one note, or one measure's merge, of a cadence, run alone
 * on a score read from a file: what an external engine (Argo Workflows,
 * n8n) runs for a node of the cadence's graph (docs/cli.md, "cadence
 * step").  The library does the work with the engine's own code
 * (cadence_runner_step(), cadence_runner_merge()). */
#include "cli.h"
#include "files.h"
#include "run.h"
#include "scheduled.h"

#include <cadence/cadence.h>
#include <cadence/run.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/afile.h"
#include "util/json.h"
#include "util/strbuf.h"

enum {
	OPT_SCORE = 1,
	OPT_PLUGIN,
	OPT_NO_POLICIES,
	OPT_MERGE,
	OPT_OUTPUT,
	OPT_COMPACT,
};

static const cli_opt step_opts[] = {
	{ OPT_SCORE, 's', "score", "FILE",
	  "read the input score from FILE ('-': standard input; default: the declared defaults)",
	  NULL },
	{ OPT_PLUGIN, 'p', "plugin", "PATH.so",
	  "load C notes (symbol:) from a shared object, functions it defines itself; repeatable",
	  NULL },
	{ OPT_NO_POLICIES, 0, "no-policies", NULL,
	  "run one attempt, with no timeout and no fallback: the engine that calls step "
	  "retries, times out and falls back itself", NULL },
	{ OPT_MERGE, 0, "merge", "INDEX",
	  "merge instead: the changes files of the notes of sync measure INDEX (0-based), or "
	  "the final score of child measure INDEX, into the score; print the whole score", NULL },
	{ OPT_OUTPUT, 'o', "output", "OUT",
	  "write the JSON to OUT, atomically, instead of standard output", NULL },
	{ OPT_COMPACT, 'c', "compact", NULL, "print the JSON on one line", NULL },
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct step_ctx {
	const char *score;	/* --score FILE */
	const char **plugins;
	size_t nplugins;
	int no_policies;
	long merge;		/* --merge INDEX, -1: a note */
	const char *output;
	int compact;
} step_ctx;

static int on_opt(void *p, int id, const char *value)
{
	step_ctx *c = p;
	switch (id) {
	case OPT_SCORE: c->score = value; break;
	case OPT_PLUGIN: return cli_add_value(&c->plugins, &c->nplugins, value);
	case OPT_NO_POLICIES: c->no_policies = 1; break;
	case OPT_MERGE: {
		char *end;
		errno = 0;
		long n = strtol(value, &end, 10);
		if (errno || end == value || *end || n < 0 || value[0] == '-' || value[0] == '+')
			return cli_usage_error("--merge takes the index of a measure (0 for the first, "
					       "as measure_index in the events), not '%s'", value);
		c->merge = n;
		break;
	}
	case OPT_OUTPUT: c->output = value; break;
	case OPT_COMPACT: c->compact = 1; break;
	}
	return 0;
}

/* A JSON object from a file ('-': standard input), as run reads a score:
 * 0 or an exit status, said. */
static int read_object(const char *path, const char *what, cJSON **out)
{
	*out = NULL;
	if (!*path)
		return cli_usage_error("the %s file is an empty path", what);
	return cli_run_read_object(path, what, out);
}

/* The log on stderr: what run's text log says of a note's stderr lines,
 * retries and fallback (the error is said once, at the end). */
static void on_event(void *ctx, const cadence_event *ev)
{
	(void)ctx;
	switch (ev->kind) {
	case CADENCE_EVENT_LOG:
		cli_print_clean(stderr, "[%s] %s\n", ev->note ? ev->note : ev->path, ev->message);
		break;
	case CADENCE_EVENT_RETRY:
		cli_print_clean(stderr, "cadence: note '%s' failed (attempt %u of %u): %s; retrying "
				"in %lld ms\n", ev->note, ev->attempt, ev->attempts, ev->message,
				(long long)ev->delay_ms);
		break;
	case CADENCE_EVENT_FALLBACK:
		cli_print_clean(stderr, "cadence: note '%s' failed for good: %s; its fallback "
				"applies\n", ev->note, ev->message);
		break;
	default:
		break;
	}
}

/* -o OUT: writable, and none of the files that make the program (the
 * cadence files, a plugin); the score and changes files may be replaced,
 * as they are read before anything is written. */
static int check_output(const step_ctx *c, const cadence_project *project)
{
	int rc = files_output_check(c->output, "output", "; nothing ran");
	if (rc || !c->output || !strcmp(c->output, "-"))
		return rc;
	for (size_t i = 0; i < cadence_project_count(project); i++) {
		const char *in = cadence_def_path(cadence_project_get(project, i));
		if (in && files_same_output(c->output, in))
			return cli_usage_error("cannot write the output to '%s': it is the cadence "
					       "file '%s'; give another path; nothing ran",
					       c->output, in);
	}
	for (size_t i = 0; i < c->nplugins; i++)
		if (files_same_output(c->output, c->plugins[i]))
			return cli_usage_error("cannot write the output to '%s': it is the plugin "
					       "'%s'; give another path; nothing ran", c->output,
					       c->plugins[i]);
	return 0;
}

static int write_json(const step_ctx *c, const cJSON *v)
{
	char *text = cad_json_print(v, !c->compact);
	strbuf sb = STRBUF_INIT;
	int rc = 0;
	if (!text)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	if (!c->output || !strcmp(c->output, "-")) {
		printf("%s\n", text);	/* main() checks stdout's errors */
		free(text);
		return 0;
	}
	cad_strbuf_adds(&sb, text);
	cad_strbuf_addc(&sb, '\n');
	free(text);
	if (!cad_strbuf_cstr(&sb))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	rc = files_output_write(c->output, "output", sb.buf, sb.len, "");
	cad_strbuf_free(&sb);
	return rc;
}

/* One call: what it read, made and ran. */
typedef struct step_call {
	step_ctx c;
	cli_args args;
	cadence_project *project;
	const cadence_def *def;
	cadence_runner *runner;
	cJSON *input, *out;
	cJSON **parts;
	size_t nparts;
	cadence_run_error err;
} step_call;

static int step_inputs(step_call *s)
{
	int rc;
	size_t want = s->c.merge < 0 ? 2 : 1;
	if (s->args.npos < want)
		return s->c.merge < 0 ? cli_usage_error("which %s? usage: cadence step [OPTIONS] "
							"FILE NOTE", s->args.npos ? "note" : "cadence")
			: cli_usage_error("which cadence? usage: cadence step [OPTIONS] --merge "
					  "INDEX FILE CHANGES...");
	if (s->c.merge < 0 && s->args.npos > 2)
		return cli_usage_error("unexpected argument '%s'; cadence step runs one note: "
				       "cadence step [OPTIONS] FILE NOTE", s->args.pos[2]);
	if (s->c.merge >= 0 && s->c.no_policies)
		return cli_usage_error("--no-policies is for a note; a merge has no policies");
	if (s->c.score && (rc = read_object(s->c.score, "score", &s->input)))
		return rc;
	s->nparts = s->c.merge < 0 ? 0 : s->args.npos - 1;
	if (s->nparts && !(s->parts = calloc(s->nparts, sizeof(*s->parts))))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	for (size_t k = 0; k < s->nparts; k++)
		if ((rc = read_object(s->args.pos[k + 1], "changes", &s->parts[k])))
			return rc;
	if ((rc = cli_run_load(s->args.pos[0], &s->project, &s->def)) ||
	    (rc = check_output(&s->c, s->project)))
		return rc;
	return 0;
}

static int step_runner(step_call *s, const cadence_run_hooks *hooks)
{
	cadence_run_opts opts = CADENCE_RUN_OPTS_INIT;
	opts.hooks = hooks;
	if (cadence_runner_new(&s->runner, s->project, s->def, &opts))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	for (size_t i = 0; i < s->c.nplugins; i++)
		if (cadence_runner_load_plugin(s->runner, s->c.plugins[i], &s->err))
			return cli_usage_error("%s", s->err.message ? s->err.message
					       : "cannot load a plugin");
	return 0;
}

/* The library's error as an exit status, said. */
static int step_failed(step_call *s, int r)
{
	int rc = r == CADENCE_EINVAL ? CLI_EXIT_USAGE : cli_run_exit_for(r);
	const char *why = s->err.message ? s->err.message : cadence_strerror(r);
	return cli_error(rc, "%s", why);
}

static int step_run(step_call *s)
{
	int r, status = CADENCE_NOTE_STATUS_OK;
	cli_run_signals_begin(s->runner);
	if (s->c.merge < 0)
		r = cadence_runner_step(&s->out, &status, s->runner, s->args.pos[1], s->input,
					s->c.no_policies ? CADENCE_STEP_NO_POLICIES : 0, &s->err);
	else
		r = cadence_runner_merge(&s->out, s->runner, (size_t)s->c.merge, s->input,
					 (const cJSON *const *)s->parts, s->nparts,
					 (const char *const *)s->args.pos + 1, &s->err);
	cli_run_signals_end();
	if (r)
		return step_failed(s, r);
	int rc = write_json(&s->c, s->out);
	if (!rc && status == CADENCE_NOTE_STATUS_INTERRUPT)
		rc = cli_say(CLI_EXIT_STOPPED, "stopped", "note '%s' ended the cadence "
			     "(\"$interrupt\"): its changes are written; run no later measure",
			     s->args.pos[1]);
	return rc;
}

static void step_free(step_call *s)
{
	for (size_t k = 0; k < s->nparts; k++)
		cJSON_Delete(s->parts ? s->parts[k] : NULL);
	free(s->parts);
	cJSON_Delete(s->input);
	cJSON_Delete(s->out);
	cadence_run_error_clear(&s->err);
	cadence_runner_free(s->runner);
	cadence_project_free(s->project);
	free((void *)s->c.plugins);
	cli_args_free(&s->args);
}

static int step(const cli_cmd *cmd, int argc, char **argv)
{
	step_call s;
	int rc;
	cadence_run_hooks hooks = { CADENCE_RUN_HOOKS_VERSION, NULL, on_event };

	memset(&s, 0, sizeof(s));
	s.c.merge = -1;
	s.err = (cadence_run_error)CADENCE_RUN_ERROR_INIT;
	if ((rc = cli_parse(cmd, argc, argv, on_opt, &s.c, &s.args))) {
		free((void *)s.c.plugins);
		return rc;
	}
	if (s.args.help)
		cli_print_help(cmd, stdout);
	else if (!(rc = step_inputs(&s)) && !(rc = step_runner(&s, &hooks)))
		rc = step_run(&s);
	step_free(&s);
	return rc;
}

const cli_cmd cli_cmd_step = {
	"step",
	"[OPTIONS] FILE NOTE|CHANGES...",
	"Run one note, or one merge, of a cadence: the unit an external engine runs.",
	"cadence step FILE NOTE runs the note NOTE of the cadence in FILE (any\n"
	"binding: run, set, symbol with --plugin) on the score read with --score\n"
	"FILE ('-': standard input; without it, the declared defaults), checked as\n"
	"'cadence run' checks a score, and prints the note's changes: one JSON\n"
	"object of the fields it changed, the changes a run would apply ({} for\n"
	"none, or when the note asks to be skipped). Its retry, timeout and\n"
	"fallback apply as in a run, unless --no-policies: then one attempt, no\n"
	"timeout, no fallback, for an engine (Argo Workflows, n8n) that does those\n"
	"itself. Circuit breakers never apply: their state belongs to one machine.\n"
	"\n"
	"cadence step --merge INDEX FILE CHANGES... merges into the score what the\n"
	"parts of measure INDEX (0-based, as measure_index in the events) gave: for\n"
	"a sync, one changes file per note, in the order of its notes:, merged by\n"
	"its merge: strategy; for a child, the child's final score, through the\n"
	"measure's merge: expressions. It prints the whole merged score.\n"
	"\n"
	"With -o the JSON goes to a temporary file beside OUT, renamed into place\n"
	"(never a partial file); OUT is checked before anything runs.\n"
	"\n"
	"Exit status: 0 done (the JSON written), 1 the note failed for good, or the\n"
	"merge failed (a conflict under fail_on_conflict: the message a run gives),\n"
	"2 usage error, a bad score or changes file, an unknown note or measure, a\n"
	"cadence with errors, an output that cannot be written (nothing ran), 3\n"
	"internal failure (out of memory, the output not written), 5 the note asked\n"
	"to end the cadence (\"$interrupt\"; its changes are written), 130\n"
	"interrupted by SIGINT, SIGTERM or SIGHUP (the note was stopped).",
	step_opts,
	step,
};
