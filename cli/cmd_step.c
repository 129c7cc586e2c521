/* SPDX-License-Identifier: MIT */
/* cadence step: one note, one measure, the precheck or one measure's
 * merge of a cadence, run alone on a score read from a file: what an
 * external engine (Argo Workflows, n8n) runs for a node of the cadence's
 * graph (docs/cli.md, "cadence step").  The library does the work with
 * the engine's own code (cadence_runner_step(), cadence_runner_merge()). */
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
	OPT_ONE_ATTEMPT,
	OPT_MERGE,
	OPT_MEASURE,
	OPT_PRECHECK,
	OPT_FALLBACK,
	OPT_APPLY,
	OPT_ERROR,
	OPT_ERROR_NOTE,
	OPT_OUTPUT,
	OPT_OUTCOME,
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
	{ OPT_ONE_ATTEMPT, 0, "one-attempt", NULL,
	  "run one attempt with the note's timeout, no fallback: the engine retries a step "
	  "whose note failed or timed out, and falls back itself", NULL },
	{ OPT_MERGE, 0, "merge", "INDEX",
	  "merge instead: the changes files of the notes of sync measure INDEX (0-based), or "
	  "the final score of child measure INDEX, into the score; print the whole score", NULL },
	{ OPT_MEASURE, 0, "measure", "INDEX",
	  "run the whole measure INDEX (0-based, any kind) with its notes' policies, no NOTE; "
	  "print the whole score after it", NULL },
	{ OPT_PRECHECK, 0, "precheck", NULL,
	  "decide the cadence's precheck, no NOTE; print the score (status 5: it stops the "
	  "cadence)", NULL },
	{ OPT_FALLBACK, 0, "fallback", NULL,
	  "do not run NOTE: print its fallback: values as its changes, as a run applies them "
	  "when it fails for good", NULL },
	{ OPT_APPLY, 0, "apply", NULL,
	  "print the whole score with the note's changes applied, instead of the changes", NULL },
	{ OPT_ERROR, 0, "error", "MESSAGE",
	  "run NOTE as the on_error handler runs, seeing the error MESSAGE (CADENCE_ERROR)",
	  NULL },
	{ OPT_ERROR_NOTE, 0, "error-note", "NAME",
	  "... and the note that failed, NAME (CADENCE_ERROR_NOTE)", NULL },
	{ OPT_OUTPUT, 'o', "output", "OUT",
	  "write the JSON to OUT, atomically, instead of standard output", NULL },
	{ OPT_OUTCOME, 0, "outcome", "FILE",
	  "write the outcome to FILE, atomically: ok, skipped, interrupt or stopped; status 5 "
	  "becomes 0", NULL },
	{ OPT_COMPACT, 'c', "compact", NULL, "print the JSON on one line", NULL },
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct step_ctx {
	const char *score;	/* --score FILE */
	const char **plugins;
	size_t nplugins;
	int no_policies;
	int one_attempt;
	long merge;		/* --merge INDEX, -1: none */
	long measure;		/* --measure INDEX, -1: none */
	int precheck;
	int fallback;
	int apply;
	const char *error;	/* --error MESSAGE */
	const char *error_note;
	const char *output;
	const char *outcome;	/* --outcome FILE */
	int compact;
} step_ctx;

/* --merge and --measure INDEX: 0, or the usage error. */
static int parse_index(const char *opt, const char *value, long *out)
{
	char *end;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (errno || end == value || *end || n < 0 || value[0] == '-' || value[0] == '+')
		return cli_usage_error("%s takes the index of a measure (0 for the first, as "
				       "measure_index in the events), not '%s'", opt, value);
	*out = n;
	return 0;
}

static int on_opt(void *p, int id, const char *value)
{
	step_ctx *c = p;
	switch (id) {
	case OPT_SCORE: c->score = value; break;
	case OPT_PLUGIN: return cli_add_value(&c->plugins, &c->nplugins, value);
	case OPT_NO_POLICIES: c->no_policies = 1; break;
	case OPT_ONE_ATTEMPT: c->one_attempt = 1; break;
	case OPT_MERGE: return parse_index("--merge", value, &c->merge);
	case OPT_MEASURE: return parse_index("--measure", value, &c->measure);
	case OPT_PRECHECK: c->precheck = 1; break;
	case OPT_FALLBACK: c->fallback = 1; break;
	case OPT_APPLY: c->apply = 1; break;
	case OPT_ERROR: c->error = value; break;
	case OPT_ERROR_NOTE: c->error_note = value; break;
	case OPT_OUTPUT: c->output = value; break;
	case OPT_OUTCOME: c->outcome = value; break;
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

/* An output, -o OUT or --outcome FILE: writable, and none of the files
 * that make the program (the cadence files, a plugin); the score and
 * changes files may be replaced, as they are read before anything is
 * written. */
static int check_path(const step_ctx *c, const cadence_project *project, const char *opt,
		      const char *what, const char *path)
{
	strbuf why = STRBUF_INIT;
	int e;
	if (!*path)
		return cli_usage_error("%s takes a file, not an empty path", opt);
	if ((e = cad_afile_check(path, 0, &why)))
		return files_output_error(CLI_EXIT_USAGE, what, path, e, &why, "; nothing ran");
	cad_strbuf_free(&why);
	for (size_t i = 0; i < cadence_project_count(project); i++) {
		const char *in = cadence_def_path(cadence_project_get(project, i));
		if (in && files_same_output(path, in))
			return cli_usage_error("cannot write the %s to '%s': it is the cadence "
					       "file '%s'; give another path; nothing ran",
					       what, path, in);
	}
	for (size_t i = 0; i < c->nplugins; i++)
		if (files_same_output(path, c->plugins[i]))
			return cli_usage_error("cannot write the %s to '%s': it is the plugin "
					       "'%s'; give another path; nothing ran", what, path,
					       c->plugins[i]);
	return 0;
}

static int check_output(const step_ctx *c, const cadence_project *project)
{
	int rc = 0;
	if (c->output && strcmp(c->output, "-"))
		rc = check_path(c, project, "-o", "output", c->output);
	if (rc || !c->outcome)
		return rc;
	if (!strcmp(c->outcome, "-"))
		return cli_usage_error("--outcome takes a file, not '-' (standard output is the "
				       "JSON's); nothing ran");
	if (c->output && files_same_output(c->outcome, c->output))
		return cli_usage_error("--outcome and -o both name '%s'; give two files; nothing "
				       "ran", c->outcome);
	return check_path(c, project, "--outcome", "outcome", c->outcome);
}

/* TEXT and a newline to PATH, atomically (NULL or '-': standard output). */
static int write_text(const char *path, const char *what, const char *text)
{
	strbuf sb = STRBUF_INIT;
	int rc = 0;
	if (!path || !strcmp(path, "-")) {
		printf("%s\n", text);	/* main() checks stdout's errors */
		return 0;
	}
	cad_strbuf_adds(&sb, text);
	cad_strbuf_addc(&sb, '\n');
	if (!cad_strbuf_cstr(&sb))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	rc = files_output_write(path, what, sb.buf, sb.len, "");
	cad_strbuf_free(&sb);
	return rc;
}

static int write_json(const step_ctx *c, const cJSON *v)
{
	char *text = cad_json_print(v, !c->compact);
	if (!text)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	int rc = write_text(c->output, "output", text);
	free(text);
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

/* The mode: --merge, --measure, --precheck, or NULL: a note. */
static const char *step_mode(const step_ctx *c)
{
	return c->merge >= 0 ? "--merge" : c->measure >= 0 ? "--measure"
	       : c->precheck ? "--precheck" : NULL;
}

/* Options that go together (docs/cli.md, "cadence step"). */
static int check_modes(const step_ctx *c)
{
	const char *mode = step_mode(c);
	const char *note_opt = c->fallback ? "--fallback" : c->error ? "--error"
			       : c->error_note ? "--error-note" : NULL;
	if ((c->merge >= 0) + (c->measure >= 0) + c->precheck > 1)
		return cli_usage_error("--merge, --measure and --precheck do not go together: a "
				       "step is one merge, one measure or the precheck");
	if (c->no_policies && c->one_attempt)
		return cli_usage_error("--no-policies and --one-attempt do not go together: one "
				       "drops the note's timeout, the other keeps it");
	if (mode && (c->no_policies || c->one_attempt))
		return cli_usage_error("%s is for a note; %s",
				       c->no_policies ? "--no-policies" : "--one-attempt",
				       c->merge >= 0
				       ? "a merge has no policies"
				       : "the notes of a measure and the precheck keep theirs");
	if (mode && c->apply)
		return cli_usage_error("--apply is for a note (cadence step --apply FILE NOTE); "
				       "%s writes the whole score already", mode);
	if (mode && note_opt)
		return cli_usage_error("%s is for a note (cadence step %s ... FILE NOTE), not "
				       "with %s", note_opt, note_opt, mode);
	if (c->fallback && (c->no_policies || c->one_attempt || c->error || c->error_note))
		return cli_usage_error("--fallback and %s do not go together: --fallback runs "
				       "no note, it gives the note's fallback: values",
				       c->no_policies ? "--no-policies" : c->one_attempt
				       ? "--one-attempt" : c->error ? "--error"
				       : "--error-note");
	return 0;
}

/* The arguments each mode takes. */
static int check_args(const step_call *s)
{
	const step_ctx *c = &s->c;
	size_t n = s->args.npos;
	if (c->merge >= 0)
		return n ? 0 : cli_usage_error("which cadence? usage: cadence step [OPTIONS] "
					       "--merge INDEX FILE CHANGES...");
	if (c->measure >= 0 || c->precheck) {
		const char *usage = c->precheck ? "--precheck FILE" : "--measure INDEX FILE";
		if (!n)
			return cli_usage_error("which cadence? usage: cadence step [OPTIONS] %s",
					       usage);
		if (n > 1)
			return cli_usage_error("unexpected argument '%s'; %s takes no note: "
					       "cadence step [OPTIONS] %s", s->args.pos[1],
					       step_mode(c), usage);
		return 0;
	}
	if (n < 2)
		return cli_usage_error("which %s? usage: cadence step [OPTIONS] FILE NOTE",
				       n ? "note" : "cadence");
	if (n > 2)
		return cli_usage_error("unexpected argument '%s'; cadence step runs one note: "
				       "cadence step [OPTIONS] FILE NOTE", s->args.pos[2]);
	return 0;
}

static int step_inputs(step_call *s)
{
	int rc;
	if ((rc = check_modes(&s->c)) || (rc = check_args(s)))
		return rc;
	if (s->c.score && (rc = read_object(s->c.score, "score", &s->input)))
		return rc;
	s->nparts = s->c.merge < 0 ? 0 : s->args.npos - 1;
	if (s->nparts && !(s->parts = calloc(s->nparts, sizeof(*s->parts))))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	for (size_t k = 0; k < s->nparts; k++)
		if ((rc = read_object(s->args.pos[k + 1], "changes", &s->parts[k])))
			return rc;
	if ((rc = cli_run_load(s->args.pos[0], NULL, &s->project, &s->def)) ||
	    (rc = check_output(&s->c, s->project)))
		return rc;
	return 0;
}

static int step_runner(step_call *s, const cadence_run_hooks *hooks)
{
	cadence_run_opts opts = CADENCE_RUN_OPTS_INIT;
	opts.hooks = hooks;
	opts.traceparent = cli_run_traceparent();	/* for a run note's TRACEPARENT */
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

/* cadence_runner_step() for a note, a measure or the precheck. */
static int step_lib(step_call *s, int *status)
{
	const step_ctx *c = &s->c;
	cadence_step_opts o = CADENCE_STEP_OPTS_INIT;
	int whole = c->measure >= 0 || c->precheck;
	o.flags = (c->no_policies ? CADENCE_STEP_NO_POLICIES : 0) |
		  (c->one_attempt ? CADENCE_STEP_ONE_ATTEMPT : 0) |
		  (c->apply ? CADENCE_STEP_APPLY : 0) | (c->fallback ? CADENCE_STEP_FALLBACK : 0) |
		  (c->measure >= 0 ? CADENCE_STEP_MEASURE : 0) |
		  (c->precheck ? CADENCE_STEP_PRECHECK : 0);
	o.measure = c->measure >= 0 ? (size_t)c->measure : 0;
	o.error = c->error;
	o.error_note = c->error_note;
	return cadence_runner_step(&s->out, status, s->runner, whole ? NULL : s->args.pos[1],
				   s->input, &o, &s->err);
}

/* The outcome, said: --outcome FILE's word, and status 5 (0 with
 * --outcome) when the cadence ends here. */
static int step_outcome(step_call *s, int r, int status)
{
	const char *word = r == CADENCE_ESTOPPED ? "stopped"
			   : status == CADENCE_NOTE_STATUS_INTERRUPT ? "interrupt"
			   : status == CADENCE_NOTE_STATUS_SKIPPED ? "skipped" : "ok";
	int rc, stop = s->c.outcome ? CLI_EXIT_OK : CLI_EXIT_STOPPED;
	if (s->c.outcome && (rc = write_text(s->c.outcome, "outcome", word)))
		return rc;
	if (r == CADENCE_ESTOPPED)
		return cli_say(stop, "stopped", "%s", s->err.message ? s->err.message
			       : cadence_strerror(r));
	if (status != CADENCE_NOTE_STATUS_INTERRUPT)
		return 0;
	if (s->c.measure >= 0)
		return cli_say(stop, "stopped", "a note of measure %ld ended the cadence "
			       "(\"$interrupt\"): the score is written; run no later measure",
			       s->c.measure);
	return cli_say(stop, "stopped", "note '%s' ended the cadence (\"$interrupt\"): %s "
		       "written; run no later measure", s->args.pos[1],
		       s->c.apply ? "the score with its changes is" : "its changes are");
}

static int step_run(step_call *s)
{
	int r, status = CADENCE_NOTE_STATUS_OK;
	cli_run_signals_begin(s->runner);
	if (s->c.merge < 0)
		r = step_lib(s, &status);
	else
		r = cadence_runner_merge(&s->out, s->runner, (size_t)s->c.merge, s->input,
					 (const cJSON *const *)s->parts, s->nparts,
					 (const char *const *)s->args.pos + 1, &s->err);
	cli_run_signals_end();
	if (r && r != CADENCE_ESTOPPED)
		return step_failed(s, r);
	int rc = write_json(&s->c, s->out);
	return rc ? rc : step_outcome(s, r, status);
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
	cadence_run_hooks hooks = { CADENCE_RUN_HOOKS_VERSION, NULL, on_event, NULL };

	memset(&s, 0, sizeof(s));
	s.c.merge = s.c.measure = -1;
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
	"[OPTIONS] FILE [NOTE|CHANGES...]",
	"Run one note, measure, precheck or merge of a cadence: a unit for an external engine.",
	"cadence step FILE NOTE runs the note NOTE of the cadence in FILE (any\n"
	"binding: run, set, symbol with --plugin) on the score read with --score\n"
	"FILE ('-': standard input; without it, the declared defaults), checked as\n"
	"'cadence run' checks a score, and prints the note's changes: one JSON\n"
	"object of the fields it changed, the changes a run would apply ({} for\n"
	"none, or when the note asks to be skipped); with --apply, the whole score\n"
	"with them applied. Its retry, timeout and fallback apply as in a run,\n"
	"unless --no-policies: then one attempt, no timeout, no fallback, for an\n"
	"engine (Argo Workflows, n8n) that does those itself. Circuit breakers\n"
	"never apply: their state belongs to one machine. --fallback does not run\n"
	"the note: it prints its fallback: values as its changes (a note without\n"
	"one: status 2). --error MESSAGE (and --error-note NAME) runs the note as\n"
	"the on_error handler runs, seeing that error (CADENCE_ERROR).\n"
	"\n"
	"cadence step --measure INDEX FILE runs the whole measure INDEX (0-based,\n"
	"any kind) with its notes' policies and prints the whole score after it;\n"
	"the cadence's on_error does not run. cadence step --precheck FILE decides\n"
	"the cadence's precheck as a run does and prints the score.\n"
	"\n"
	"cadence step --merge INDEX FILE CHANGES... merges into the score what the\n"
	"parts of measure INDEX (0-based, as measure_index in the events) gave: for\n"
	"a sync, one changes file per note, in the order of its notes:, merged by\n"
	"its merge: strategy; for a child, the child's final score, through the\n"
	"measure's merge: expressions. It prints the whole merged score.\n"
	"\n"
	"With -o the JSON goes to a temporary file beside OUT, renamed into place\n"
	"(never a partial file); OUT is checked before anything runs. --outcome\n"
	"FILE writes ok, skipped, interrupt or stopped to FILE the same way, and\n"
	"status 5 becomes 0.\n"
	"\n"
	"A W3C TRACEPARENT in the environment puts the run notes it runs in the\n"
	"caller's trace (their TRACEPARENT; observability.md).\n"
	"\n"
	"Exit status: 0 done (the JSON written), 1 the note failed for good, its\n"
	"fallback does not fit, the measure failed, the precheck's condition is\n"
	"not a boolean, or the merge failed (a conflict under fail_on_conflict:\n"
	"the message a run gives), 2 usage error (options that do not go\n"
	"together), a bad score or changes file, an unknown note or measure, a\n"
	"note without a fallback for --fallback, a cadence with errors, an output\n"
	"that cannot be written (nothing ran), 3 internal failure (out of memory,\n"
	"the output not written), 5 a note asked to end the cadence (\"$interrupt\";\n"
	"its changes, or the score, are written) or the precheck stopped it (0\n"
	"with --outcome), 130 interrupted by SIGINT, SIGTERM or SIGHUP (the note\n"
	"was stopped).",
	step_opts,
	step,
};
