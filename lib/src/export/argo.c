/* SPDX-License-Identifier: MIT */
/* A cadence as an Argo Workflows manifest (docs/export.md): DAG tasks that
 * run `cadence step` in a container, the score passed between them as
 * artifacts.  The manifest is built as JSON, then written as YAML by
 * libyaml's emitter (or as JSON), so no user text can become syntax.
 *
 * The shape: the entrypoint `main` runs `input` (the input score checked,
 * the precheck decided: `cadence step --precheck`) and then, when it says
 * `ok`, the DAG `measures`, one link of a chain per note or measure.  A
 * `then` or `sequence` is a task per note (`--apply`: the score after
 * it; `--one-attempt`: its timeout kept), its retry as the template's
 * retryStrategy, its fallback a task that depends on its failure (the two
 * in a DAG of their own, which gives the artifact of the one that ran); a
 * `sync` is a task per note giving its changes, then a merge task; a
 * `split`, `child` or `dag` is one task running the whole measure
 * (`--measure`), its notes' policies applied by cadence.  Every score a
 * task writes is also the workflow's output artifact `score`, so the exit
 * handler (`on_error`) gets the score as the failure left it. */
#include "cadence/export.h"

#include "diag/report.h"
#include "model/model.h"
#include "util/api.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/sha256.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "yaml/emit.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AX_DIR "/tmp/cadence"
#define AX_IN AX_DIR "/in.json"
#define AX_OUT AX_DIR "/out.json"
#define AX_OUTCOME AX_DIR "/outcome"
/* the longest task or template name made, before a "-N" that keeps it
 * unique: Argo's limit is 128 */
#define AX_NAME_MAX 120
/* seconds past a note's timeout before Argo's deadline stops its step */
#define AX_DEADLINE_GRACE 30

typedef struct ax {
	const struct cadence_def *def;
	const cadence_argo_opts *o;
	report rep;
	const char *file;	/* the cadence file, as the steps name it */
	cJSON *templates;	/* spec.templates */
	strmap made;		/* what a template does -> its name */
	strmap tnames;		/* the templates' names */
	arena keys;		/* the maps' keys */
	int invalid;		/* an error reported: nothing is written */
	int oom;
} ax;

/* Where the score is after a link of the chain: what the next task
 * depends on, the artifact it takes, and its condition (a note that ended
 * the cadence, `$interrupt`, skips the rest: its step's outcome says so). */
typedef struct link {
	strbuf depends;		/* empty: the first task */
	strbuf from;
	strbuf when;		/* empty: none */
} link;

/* ---- JSON with an out-of-memory flag ----------------------------------------- */

static cJSON *put(ax *x, cJSON *obj, const char *key, cJSON *v)
{
	if (!v || !obj || (cJSON_IsArray(obj) ? !cJSON_AddItemToArray(obj, v)
					      : !cJSON_AddItemToObject(obj, key, v))) {
		cJSON_Delete(v);
		x->oom = 1;
		return NULL;
	}
	return v;
}

static cJSON *put_str(ax *x, cJSON *obj, const char *key, const char *s)
{
	return put(x, obj, key, s ? cJSON_CreateString(s) : NULL);
}

static cJSON *put_obj(ax *x, cJSON *obj, const char *key)
{
	return put(x, obj, key, cJSON_CreateObject());
}

static cJSON *put_arr(ax *x, cJSON *obj, const char *key)
{
	return put(x, obj, key, cJSON_CreateArray());
}

static const char *cstr(ax *x, strbuf *sb)
{
	const char *s = cad_strbuf_cstr(sb);
	if (!s)
		x->oom = 1;
	return s;
}

/* ---- names ------------------------------------------------------------------ */

/* Argo's names are `^[a-zA-Z0-9][-a-zA-Z0-9]*$`; cadence's are
 * `[A-Za-z_][A-Za-z0-9_]*`, so `_` becomes `-` (one for one: no cadence
 * name holds `-`, so two names cannot meet) and a leading `_` "u-".  The
 * names this file adds to them (note-, -fallback, ...) could still meet
 * another's mapping: unique() settles that. */
static void argo_name(strbuf *sb, const char *s)
{
	if (*s == '_')
		cad_strbuf_adds(sb, "u");
	for (const char *p = s; *p; p++)
		cad_strbuf_addc(sb, *p == '_' ? '-' : *p);
}

/* A Kubernetes object's name (RFC 1123: lower case, alphanumerics and
 * `-`, starting and ending alphanumeric), at most 52 characters so that a
 * CronWorkflow's can take its suffixes.  A name that changed more than
 * `_` to `-` (case, a `_` at an end, `__`, length) keeps a hash of the
 * original: `Checkout` and `checkout` do not meet. */
static void k8s_name(strbuf *sb, const char *s)
{
	size_t start = sb->len, n = strlen(s);
	int lossy = n > 45;
	for (const char *p = s; *p && sb->len - start < 45; p++) {
		char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p == '_' ? '-' : *p;
		lossy |= *p >= 'A' && *p <= 'Z';
		if (c != '-' || (sb->len > start && sb->buf[sb->len - 1] != '-'))
			cad_strbuf_addc(sb, c);
		else
			lossy = 1;
	}
	while (cad_strbuf_cstr(sb) && sb->len > start && sb->buf[sb->len - 1] == '-') {
		cad_strbuf_setlen(sb, sb->len - 1);
		lossy = 1;
	}
	if (lossy || sb->len == start) {
		char hex[65];
		cad_sha256_hex(s, n, hex);
		cad_strbuf_addf(sb, "%s%.6s", sb->len == start ? "c" : "-", hex);
	}
}

/* Makes the name in sb unique in `used` ("-2", "-3", ...) and records it;
 * a name over AX_NAME_MAX keeps a hash of its end (Argo refuses names of
 * more than 128 characters). */
static void unique(ax *x, strmap *used, strbuf *sb)
{
	if (cad_strbuf_cstr(sb) && sb->len > AX_NAME_MAX) {
		char hex[65];
		cad_sha256_hex(sb->buf, sb->len, hex);
		cad_strbuf_setlen(sb, AX_NAME_MAX - 7);
		cad_strbuf_addf(sb, "-%.6s", hex);
	}
	size_t base = sb->len;
	for (unsigned k = 2; cad_strbuf_cstr(sb) && cad_strmap_find(used, sb->buf, sb->len); k++) {
		cad_strbuf_setlen(sb, base);
		cad_strbuf_addf(sb, "-%u", k);
	}
	char *key = cad_strbuf_cstr(sb) ? cad_arena_strndup(&x->keys, sb->buf, sb->len) : NULL;
	if (!key || !cad_strmap_put(used, key, sb->len, NULL))
		x->oom = 1;
}

/* ---- warnings ----------------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void warn(ax *x, const char *rule, cad_loc at, const char *fmt, ...)
{
	strbuf msg = STRBUF_INIT;
	va_list ap;
	if (!x->rep.diags)
		return;
	va_start(ap, fmt);
	cad_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (!cad_strbuf_cstr(&msg) ||
	    cad_report_at(&x->rep, CADENCE_SEVERITY_WARNING, rule, at.line, at.col, at.len, NULL,
			  "%s", msg.buf))
		x->oom = 1;
	cad_strbuf_free(&msg);
}

/* What Argo cannot carry of the cadence as a whole. */
static void warn_cadence(ax *x)
{
	const struct cadence_def *d = x->def;
	for (size_t i = 0; i < d->nnotes; i++) {
		const cad_note *n = &d->notes[i];
		if (n->breaker.present)
			warn(x, "export-breaker", n->breaker.loc, "note '%s': Argo has no circuit "
			     "breaker; each step runs the note without one", n->name.name);
		if (n->binding == CAD_BIND_SYMBOL && !x->o->nplugins)
			warn(x, "export-plugin", n->binding_loc, "note '%s' is a C function ('%s'): "
			     "give --plugin with the plugin's path in the image, or its steps fail",
			     n->name.name, n->symbol);
	}
	if (d->has_on_error && !d->on_error_stop)
		warn(x, "export-on-error", d->on_error_note.loc, "on_error with stop: false: Argo "
		     "runs the handler when the workflow has failed (onExit), so the workflow "
		     "ends failed after it instead of going on");
}

/* ---- the steps' command lines ------------------------------------------------- */

/* `cadence step [--plugin P]... ARGS... --score IN -o OUT FILE`, with the
 * words of `args` (NULL-terminated) after the plugins. */
static cJSON *step_cmd(ax *x, const char *const *args)
{
	cJSON *cmd = cJSON_CreateArray();
	put_str(x, cmd, NULL, "cadence");
	put_str(x, cmd, NULL, "step");
	for (size_t i = 0; i < x->o->nplugins; i++) {
		put_str(x, cmd, NULL, "--plugin");
		put_str(x, cmd, NULL, x->o->plugins[i]);
	}
	for (size_t i = 0; args[i]; i++)
		put_str(x, cmd, NULL, args[i]);
	static const char *const io[] = { "--score", AX_IN, "-o", AX_OUT };
	for (size_t i = 0; i < 4; i++)
		put_str(x, cmd, NULL, io[i]);
	put_str(x, cmd, NULL, x->file);
	if (!cmd)
		x->oom = 1;
	return cmd;
}

/* ---- templates ------------------------------------------------------------------- */

/* A container template `name` running `cmd` (taken), its input artifact
 * `score` at AX_IN, plus `nextra` artifacts changes-1... at AX_DIR/cK.json;
 * its output artifact `out` at AX_OUT, the workflow's `score` too when
 * `global`; with `outcome`, the parameter `outcome` from AX_OUTCOME. */
static cJSON *container(ax *x, const char *name, cJSON *cmd, size_t nextra, const char *out,
			int global, int outcome)
{
	cJSON *t = put_obj(x, x->templates, NULL);
	put_str(x, t, "name", name);
	cJSON *ins = put_arr(x, put_obj(x, t, "inputs"), "artifacts");
	cJSON *a = put_obj(x, ins, NULL);
	put_str(x, a, "name", "score");
	put_str(x, a, "path", AX_IN);
	for (size_t k = 0; k < nextra; k++) {
		strbuf n = STRBUF_INIT, p = STRBUF_INIT;
		cad_strbuf_addf(&n, "changes-%zu", k + 1);
		cad_strbuf_addf(&p, AX_DIR "/c%zu.json", k + 1);
		a = put_obj(x, ins, NULL);
		put_str(x, a, "name", cstr(x, &n));
		put_str(x, a, "path", cstr(x, &p));
		put_str(x, cmd, NULL, cstr(x, &p));
		cad_strbuf_free(&n);
		cad_strbuf_free(&p);
	}
	cJSON *outs = put_obj(x, t, "outputs");
	a = put_obj(x, put_arr(x, outs, "artifacts"), NULL);
	put_str(x, a, "name", out);
	put_str(x, a, "path", AX_OUT);
	if (global)
		put_str(x, a, "globalName", "score");
	if (outcome) {
		cJSON *p = put_obj(x, put_arr(x, outs, "parameters"), NULL);
		put_str(x, p, "name", "outcome");
		put_str(x, put_obj(x, p, "valueFrom"), "path", AX_OUTCOME);
	}
	cJSON *c = put_obj(x, t, "container");
	put_str(x, c, "image", x->o->image ? x->o->image : "cadence:latest");
	put(x, c, "command", cmd);
	if (x->o->workdir)
		put_str(x, c, "workingDir", x->o->workdir);
	return t;
}

/* A duration as Go writes one ("1500ms", "2s"): what Argo parses. */
static void go_duration(strbuf *sb, int64_t ms)
{
	cad_strbuf_setlen(sb, 0);
	if (ms % 1000)
		cad_strbuf_addf(sb, "%lldms", (long long)ms);
	else
		cad_strbuf_addf(sb, "%llds", (long long)(ms / 1000));
}

/* The note's retry, for Argo to apply (its IntOrString fields are
 * strings, as Argo's schema has them): the step runs one attempt
 * (--one-attempt).  Only status 1 (the note failed, or timed out) is
 * retried: 2 (bad input) would fail again. */
static void policies(ax *x, cJSON *t, const cad_note *n)
{
	const cad_retry *r = &n->retry;
	strbuf d = STRBUF_INIT;
	if (r->present && r->attempts > 1) {
		cJSON *rs = put_obj(x, t, "retryStrategy");
		cad_strbuf_addf(&d, "%lld", (long long)(r->attempts - 1));
		put_str(x, rs, "limit", cstr(x, &d));
		put_str(x, rs, "retryPolicy", "OnFailure");
		put_str(x, rs, "expression", "asInt(lastRetry.exitCode) == 1");
		if (r->delay_ms > 0) {
			cJSON *b = put_obj(x, rs, "backoff");
			go_duration(&d, r->delay_ms);
			put_str(x, b, "duration", cstr(x, &d));
			double f = r->backoff < 1 ? 1 : r->backoff;
			long long fi = (long long)(f + 0.5);
			if ((double)fi != f)
				warn(x, "export-backoff", r->backoff_loc, "note '%s': Argo's backoff "
				     "factor is an integer; %g is written as %lld", n->name.name, f, fi);
			cad_strbuf_setlen(&d, 0);
			cad_strbuf_addf(&d, "%lld", fi);
			put_str(x, b, "factor", cstr(x, &d));
			if (r->max_delay_ms >= 0) {
				go_duration(&d, r->max_delay_ms);
				put_str(x, b, "cap", cstr(x, &d));
			}
		}
		if (r->jitter > 0)
			warn(x, "export-jitter", r->jitter_loc, "note '%s': Argo's backoff has no "
			     "jitter; its retries wait exactly", n->name.name);
	}
	if (n->timeout_ms > 0) {
		/* the step keeps the timeout (--one-attempt): a note that times
		 * out fails, status 1, and is retried; the deadline only stops a
		 * step that hangs past it and the kill's grace */
		int64_t s = n->timeout_ms / 1000 + (n->timeout_ms % 1000 != 0) + AX_DEADLINE_GRACE;
		cad_strbuf_setlen(&d, 0);
		cad_strbuf_addf(&d, "%lld", (long long)s);
		put_str(x, t, "activeDeadlineSeconds", cstr(x, &d));
	}
	cad_strbuf_free(&d);
}

/* The template for `key` (what it does: "note:NAME", ...): 1 with its
 * name in `name` when it was made before; else 0 with `name` made
 * unique among the templates, for the caller to make it. */
static int made(ax *x, const char *key, strbuf *name)
{
	int added = 0;
	char *k = key ? cad_arena_strdup(&x->keys, key) : NULL;
	strmap_entry *e = k ? cad_strmap_put(&x->made, k, strlen(k), &added) : NULL;
	if (!e) {
		x->oom = 1;
		return 1;
	}
	if (!added) {
		cad_strbuf_setlen(name, 0);
		if (e->v.p)
			cad_strbuf_adds(name, e->v.p);
		else
			x->oom = 1;	/* its name was not kept */
		return 1;
	}
	unique(x, &x->tnames, name);
	if (!(e->v.p = cad_strbuf_cstr(name) ? cad_arena_strdup(&x->keys, name->buf) : NULL))
		x->oom = 1;
	return !e->v.p;
}

/* The template running note `n` (or giving its fallback), writing the
 * score after it (apply) or its changes; its name in `name`. */
static void note_template(ax *x, const cad_note *n, int fallback, int apply, strbuf *name)
{
	strbuf key = STRBUF_INIT;
	cad_strbuf_addf(&key, "%s%s:%s", fallback ? "fallback" : "note", apply ? "" : "-changes",
			n->name.name);
	cad_strbuf_adds(name, fallback ? "fallback-" : "note-");
	argo_name(name, n->name.name);
	if (!apply)
		cad_strbuf_adds(name, "-changes");
	int old = made(x, cstr(x, &key), name);
	cad_strbuf_free(&key);
	if (old)
		return;
	/* a note whose score goes on says whether it ended the cadence; a
	 * sync's note cannot (its merge runs first): its status 5 fails */
	const char *args[] = { fallback ? "--fallback" : "--one-attempt", "--apply", "--outcome",
			       AX_OUTCOME, NULL };
	if (!apply)
		args[1] = NULL;
	cJSON *cmd = step_cmd(x, args);
	put_str(x, cmd, NULL, n->name.name);
	cJSON *t = container(x, cstr(x, name), cmd, 0, apply ? "score" : "changes", apply, apply);
	if (!fallback)
		policies(x, t, n);
}

/* ---- the chain of tasks --------------------------------------------------------- */

#define LINK_INIT { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT }

static void link_free(link *l)
{
	cad_strbuf_free(&l->depends);
	cad_strbuf_free(&l->from);
	cad_strbuf_free(&l->when);
}

/* Adds artifact `name` taken from link `l` to a task's arguments. */
static void arg_from(ax *x, cJSON *task, const char *name, link *l)
{
	cJSON *args = cJSON_GetObjectItemCaseSensitive(task, "arguments");
	if (!args)
		args = put_obj(x, task, "arguments");
	cJSON *arts = cJSON_GetObjectItemCaseSensitive(args, "artifacts");
	if (!arts)
		arts = put_arr(x, args, "artifacts");
	cJSON *a = put_obj(x, arts, NULL);
	put_str(x, a, "name", name);
	put_str(x, a, "from", cstr(x, &l->from));
}

/* A task of the DAG `tasks` named `name` (made unique in `used`) running
 * template `tmpl` on the score of link `in`, which it depends on. */
static cJSON *task(ax *x, cJSON *tasks, strmap *used, strbuf *name, const char *tmpl, link *in)
{
	/* a link that could not be written (out of memory) must not become
	 * a task without its depends or when */
	if (in->depends.failed || in->when.failed || in->from.failed)
		x->oom = 1;
	unique(x, used, name);
	cJSON *t = put_obj(x, tasks, NULL);
	put_str(x, t, "name", cstr(x, name));
	put_str(x, t, "template", tmpl);
	if (in->depends.len)
		put_str(x, t, "depends", cstr(x, &in->depends));
	if (in->when.len)
		put_str(x, t, "when", cstr(x, &in->when));
	arg_from(x, t, "score", in);
	return t;
}

/* The link after task `tn`, whose artifact `art` the next task takes;
 * with `outcome`, only when tn's step did not end the cadence. */
static void link_after(link *out, const char *tn, const char *art, int outcome)
{
	cad_strbuf_setlen(&out->depends, 0);
	cad_strbuf_setlen(&out->from, 0);
	cad_strbuf_setlen(&out->when, 0);
	cad_strbuf_addf(&out->depends, "%s.Succeeded", tn);
	cad_strbuf_addf(&out->from, "{{tasks.%s.outputs.artifacts.%s}}", tn, art);
	if (outcome)
		cad_strbuf_addf(&out->when, "{{tasks.%s.outputs.parameters.outcome}} != interrupt",
				tn);
}

static cJSON *dag_template(ax *x, const char *name, int input);

/* A note with a fallback: a DAG of the note's task and the fallback's,
 * which depends on its failure, giving the artifact of the one that ran
 * (Argo takes a `fromExpression` in a template's outputs, not in a task's
 * arguments).  It fails only when the fallback does; its name in `name`. */
static void guarded_template(ax *x, const cad_note *n, int apply, strbuf *name)
{
	const char *art = apply ? "score" : "changes";
	strbuf key = STRBUF_INIT, note = STRBUF_INIT, fb = STRBUF_INIT, e = STRBUF_INIT;
	cad_strbuf_addf(&key, "guarded%s:%s", apply ? "" : "-changes", n->name.name);
	cad_strbuf_adds(name, "note-");
	argo_name(name, n->name.name);
	cad_strbuf_adds(name, apply ? "-or-fallback" : "-changes-or-fallback");
	if (!made(x, cstr(x, &key), name)) {
		note_template(x, n, 0, apply, &note);
		note_template(x, n, 1, apply, &fb);
		cJSON *tasks = dag_template(x, cstr(x, name), 1);
		link in = LINK_INIT;
		cad_strbuf_adds(&in.from, "{{inputs.artifacts.score}}");
		cJSON *t = put_obj(x, tasks, NULL);
		put_str(x, t, "name", "note");
		put_str(x, t, "template", cstr(x, &note));
		arg_from(x, t, "score", &in);
		t = put_obj(x, tasks, NULL);
		put_str(x, t, "name", "fallback");
		put_str(x, t, "template", cstr(x, &fb));
		put_str(x, t, "depends", "note.Failed");
		arg_from(x, t, "score", &in);
		link_free(&in);
		cJSON *tmpl = cJSON_GetArrayItem(x->templates, cJSON_GetArraySize(x->templates) - 1);
		cJSON *a = put_obj(x, put_arr(x, put_obj(x, tmpl, "outputs"), "artifacts"), NULL);
		put_str(x, a, "name", art);
		cad_strbuf_addf(&e, "tasks.note.status == 'Succeeded' ? tasks.note.outputs.artifacts."
				"%s : tasks.fallback.outputs.artifacts.%s", art, art);
		put_str(x, a, "fromExpression", cstr(x, &e));
		if (apply) {
			a = put_obj(x, put_arr(x, cJSON_GetObjectItemCaseSensitive(tmpl, "outputs"),
					       "parameters"), NULL);
			put_str(x, a, "name", "outcome");
			put_str(x, put_obj(x, a, "valueFrom"), "expression",
				"tasks.note.status == 'Succeeded' ? tasks.note.outputs.parameters."
				"outcome : tasks.fallback.outputs.parameters.outcome");
		}
	}
	cad_strbuf_free(&key);
	cad_strbuf_free(&note);
	cad_strbuf_free(&fb);
	cad_strbuf_free(&e);
}

/* Note `ref` as a task named `base` (with the note's name added when
 * `named`) after link `in`; `out` becomes the link after it. */
static void note_task(ax *x, cJSON *tasks, strmap *used, const char *base, int named,
		      const cad_ref *ref, int apply, link *in, link *out)
{
	const cad_note *n = cad_find_note(x->def, ref->name);
	strbuf tmpl = STRBUF_INIT, tn = STRBUF_INIT;
	if (!n)
		return;		/* a loaded cadence names declared notes only */
	if (n->nfallback)
		guarded_template(x, n, apply, &tmpl);
	else
		note_template(x, n, 0, apply, &tmpl);
	cad_strbuf_adds(&tn, base);
	if (named) {
		cad_strbuf_addc(&tn, '-');
		argo_name(&tn, ref->name);
	}
	task(x, tasks, used, &tn, cstr(x, &tmpl), in);
	if (cstr(x, &tn))
		link_after(out, tn.buf, apply ? "score" : "changes", apply);
	cad_strbuf_free(&tmpl);
	cad_strbuf_free(&tn);
}

/* A sync: a task per note giving its changes, all after `in`, then the
 * merge task after all of them. */
static void sync_tasks(ax *x, cJSON *tasks, strmap *used, size_t index, const cad_measure *m,
		       const char *base, link *in)
{
	link *parts = calloc(m->nnotes, sizeof(*parts));
	strbuf tmpl = STRBUF_INIT, tn = STRBUF_INIT, idx = STRBUF_INIT;
	link out = LINK_INIT;
	if (!parts) {
		x->oom = 1;
		return;
	}
	for (size_t k = 0; k < m->nnotes; k++)
		note_task(x, tasks, used, base, 1, &m->notes[k], 0, in, &parts[k]);
	cad_strbuf_adds(&tmpl, "merge-");
	argo_name(&tmpl, m->name.name);
	cad_strbuf_addf(&idx, "%zu", index);
	const char *args[] = { "--merge", cstr(x, &idx), NULL };
	if (!made(x, cstr(x, &idx), &tmpl))
		container(x, cstr(x, &tmpl), step_cmd(x, args), m->nnotes, "score", 1, 0);
	for (size_t k = 0; k < m->nnotes; k++)
		if (cstr(x, &parts[k].depends))
			cad_strbuf_addf(&out.depends, "%s%s", k ? " && " : "", parts[k].depends.buf);
	cad_strbuf_addf(&tn, "%s-merge", base);
	/* the merge depends on the notes, and takes the score as they did */
	if (cstr(x, &in->from))
		cad_strbuf_adds(&out.from, in->from.buf);
	cJSON *t = task(x, tasks, used, &tn, cstr(x, &tmpl), &out);
	for (size_t k = 0; k < m->nnotes; k++) {
		strbuf an = STRBUF_INIT;
		cad_strbuf_addf(&an, "changes-%zu", k + 1);
		arg_from(x, t, cstr(x, &an), &parts[k]);
		cad_strbuf_free(&an);
		link_free(&parts[k]);
	}
	free(parts);
	if (cstr(x, &tn))
		link_after(in, tn.buf, "score", 0);
	link_free(&out);
	cad_strbuf_free(&tmpl);
	cad_strbuf_free(&tn);
	cad_strbuf_free(&idx);
}

/* A split, child or dag: one task running the whole measure, its notes'
 * policies applied by cadence. */
static void measure_task(ax *x, cJSON *tasks, strmap *used, size_t index, const cad_measure *m,
			 const char *base, link *in)
{
	strbuf tmpl = STRBUF_INIT, tn = STRBUF_INIT, idx = STRBUF_INIT;
	cad_strbuf_adds(&tmpl, "measure-");
	argo_name(&tmpl, m->name.name);
	cad_strbuf_addf(&idx, "%zu", index);
	const char *args[] = { "--measure", cstr(x, &idx), "--outcome", AX_OUTCOME, NULL };
	if (!made(x, cstr(x, &idx), &tmpl))
		container(x, cstr(x, &tmpl), step_cmd(x, args), 0, "score", 1, 1);
	cad_strbuf_adds(&tn, base);
	task(x, tasks, used, &tn, cstr(x, &tmpl), in);
	if (cstr(x, &tn))
		link_after(in, tn.buf, "score", 1);
	cad_strbuf_free(&tmpl);
	cad_strbuf_free(&tn);
	cad_strbuf_free(&idx);
}

static void measure(ax *x, cJSON *tasks, strmap *used, size_t index, link *in)
{
	const cad_measure *m = &x->def->measures[index];
	strbuf base = STRBUF_INIT;
	argo_name(&base, m->name.name);
	const char *b = cstr(x, &base);
	if (!b)
		return;
	switch (m->kind) {
	case CAD_M_THEN:
	case CAD_M_SEQUENCE:
		for (size_t k = 0; k < m->nnotes; k++) {
			link out = LINK_INIT;
			/* a `then` is one task, named after the measure */
			note_task(x, tasks, used, b, m->kind != CAD_M_THEN, &m->notes[k], 1, in,
				  &out);
			link_free(in);
			*in = out;
		}
		break;
	case CAD_M_SYNC:
		sync_tasks(x, tasks, used, index, m, b, in);
		break;
	default:
		measure_task(x, tasks, used, index, m, b, in);
		break;
	}
	cad_strbuf_free(&base);
}

/* ---- the workflow ------------------------------------------------------------- */

/* A DAG template `name`, taking the artifact `score` when `input`; its
 * tasks array. */
static cJSON *dag_template(ax *x, const char *name, int input)
{
	cJSON *t = put_obj(x, x->templates, NULL);
	put_str(x, t, "name", name);
	if (input) {
		cJSON *a = put_obj(x, put_arr(x, put_obj(x, t, "inputs"), "artifacts"), NULL);
		put_str(x, a, "name", "score");
	}
	return put_arr(x, put_obj(x, t, "dag"), "tasks");
}

static void measures_template(ax *x)
{
	/* Argo evaluates `depends` with expr-lang: a task named after one of
	 * its words would not parse there */
	static const char *const words[] = {
		"not", "and", "or", "in", "matches", "contains", "startsWith", "endsWith", "nil",
	};
	cJSON *tasks = dag_template(x, "measures", 1);
	strmap used = STRMAP_INIT;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!cad_strmap_put(&used, words[i], strlen(words[i]), NULL))
			x->oom = 1;
	link in = LINK_INIT;
	cad_strbuf_adds(&in.from, "{{inputs.artifacts.score}}");
	for (size_t i = 0; i < x->def->nmeasures && !x->oom; i++)
		measure(x, tasks, &used, i, &in);
	link_free(&in);
	cad_strmap_free(&used);
}

/* `main`: the input checked and the precheck decided, then the measures
 * when it says ok. */
static void main_template(ax *x)
{
	static const char *const args[] = { "--precheck", "--outcome", AX_OUTCOME, NULL };
	cJSON *tasks = dag_template(x, "main", 1);
	link in = LINK_INIT;
	cad_strbuf_adds(&in.from, "{{inputs.artifacts.score}}");
	cJSON *t = put_obj(x, tasks, NULL);
	put_str(x, t, "name", "input");
	put_str(x, t, "template", "input");
	arg_from(x, t, "score", &in);
	container(x, "input", step_cmd(x, args), 0, "score", 1, 1);
	if (x->def->nmeasures) {
		link_after(&in, "input", "score", 0);
		t = put_obj(x, tasks, NULL);
		put_str(x, t, "name", "measures");
		put_str(x, t, "template", "measures");
		put_str(x, t, "depends", cstr(x, &in.depends));
		put_str(x, t, "when", "{{tasks.input.outputs.parameters.outcome}} == ok");
		arg_from(x, t, "score", &in);
		measures_template(x);
	}
	link_free(&in);
}

/* on_error: the exit handler runs the note, with its own policies, on the
 * score as the failure left it, when the workflow did not succeed. */
static void exit_template(ax *x, cJSON *spec)
{
	const cad_note *n = cad_find_note(x->def, x->def->on_error_note.name);
	if (!n)
		return;
	static const char *const args[] = { "--apply", "--error", "{{workflow.failures}}", NULL };
	cJSON *cmd = step_cmd(x, args);
	put_str(x, cmd, NULL, n->name.name);
	container(x, "on-error", cmd, 0, "score", 1, 0);
	put_str(x, spec, "onExit", "on-exit");
	cJSON *tasks = dag_template(x, "on-exit", 0);
	cJSON *t = put_obj(x, tasks, NULL);
	put_str(x, t, "name", "on-error");
	put_str(x, t, "template", "on-error");
	put_str(x, t, "when", "{{workflow.status}} != Succeeded");
	link in = LINK_INIT;
	cad_strbuf_adds(&in.from, "{{workflow.outputs.artifacts.score}}");
	arg_from(x, t, "score", &in);
	link_free(&in);
}

/* The workflow's spec: its input score is `input` (JSON text). */
static cJSON *workflow_spec(ax *x, const char *input)
{
	cJSON *spec = cJSON_CreateObject();
	if (!spec) {
		x->oom = 1;
		return NULL;
	}
	put_str(x, spec, "entrypoint", "main");
	cJSON *a = put_obj(x, put_arr(x, put_obj(x, spec, "arguments"), "artifacts"), NULL);
	put_str(x, a, "name", "score");
	put_str(x, put_obj(x, a, "raw"), "data", input);
	x->templates = put_arr(x, spec, "templates");
	main_template(x);
	if (x->def->has_on_error)
		exit_template(x, spec);
	return spec;
}

/* cadence, as Vixie cron, counts a day field that starts with `*` (a step of it)
 * as `*`, so the other field alone decides; Argo's cron library
 * (robfig/cron v3) counts `*` with a step as a restriction, and a day then
 * fires when either field matches. */
static void cron_days(ax *x, const cad_schedule *s)
{
	char f[5][32];
	if (sscanf(s->cron.src, "%31s %31s %31s %31s %31s", f[0], f[1], f[2], f[3], f[4]) != 5)
		return;		/* a macro */
	int dom_step = f[2][0] == '*' && f[2][1], dow_step = f[4][0] == '*' && f[4][1];
	int dom_any = !strcmp(f[2], "*"), dow_any = !strcmp(f[4], "*");
	if ((dom_step && !dow_any) || (dow_step && !dom_any))
		warn(x, "export-cron", s->cron.loc, "schedule: with '%s' for the day of month and "
		     "'%s' for the day of week, cadence fires on days that match both (a field "
		     "that starts with '*' counts as '*'); Argo's cron on days that match either",
		     f[2], f[4]);
}

/* A CronWorkflow's spec from the cadence's schedule. */
static cJSON *cron_spec(ax *x, cJSON *workflow)
{
	static const char *const policy[] = {
		[CAD_OVERLAP_SKIP] = "Forbid", [CAD_OVERLAP_QUEUE_ONE] = "Forbid",
		[CAD_OVERLAP_REPLACE] = "Replace", [CAD_OVERLAP_ALLOW] = "Allow",
	};
	const cad_schedule *s = &x->def->schedule;
	cJSON *spec = cJSON_CreateObject();
	put_str(x, put_arr(x, spec, "schedules"), NULL, s->cron.src);
	put_str(x, spec, "timezone", s->timezone ? s->timezone : "UTC");
	put_str(x, spec, "concurrencyPolicy", policy[s->overlap]);
	if (s->overlap == CAD_OVERLAP_QUEUE_ONE)
		warn(x, "export-overlap", s->loc, "schedule: Argo cannot queue one run behind a "
		     "running one (overlap: queue_one); the CronWorkflow skips it (Forbid)");
	if (s->jitter_ms)
		warn(x, "export-jitter", s->loc, "schedule: Argo has no jitter; runs start on "
		     "the cron times");
	cron_days(x, s);
	if (s->catch_up != CAD_CATCH_UP_NONE)
		warn(x, "export-catch-up", s->loc, "schedule: catch_up: %s: Argo runs at most the "
		     "latest missed time, within startingDeadlineSeconds (set it to allow one)",
		     cad_catch_up_names[s->catch_up]);
	if (!s->enabled)
		put(x, spec, "suspend", cJSON_CreateTrue());
	put(x, spec, "workflowSpec", workflow);
	if (!spec)
		x->oom = 1;
	return spec;
}

static cJSON *metadata(ax *x, cJSON *doc, int generate)
{
	strbuf name = STRBUF_INIT;
	cJSON *md = put_obj(x, doc, "metadata");
	k8s_name(&name, x->def->name.name);
	if (generate)
		cad_strbuf_addc(&name, '-');
	put_str(x, md, generate ? "generateName" : "name", cstr(x, &name));
	if (x->def->description)
		put_str(x, put_obj(x, md, "annotations"), "workflows.argoproj.io/description",
			x->def->description);
	cad_strbuf_free(&name);
	return md;
}

static cJSON *manifest(ax *x)
{
	static const char *const kinds[] = { "Workflow", "WorkflowTemplate", "CronWorkflow" };
	cadence_argo_kind kind = x->o->kind;
	const cad_schedule *s = &x->def->schedule;
	char *input = kind == CADENCE_ARGO_CRON && s->score ? cad_json_print(s->score, 0) : NULL;
	if (input && strstr(input, "{{")) {
		/* Argo would take it for one of its {{variables}}: it has no escape */
		if (x->rep.diags && cad_report_at(&x->rep, CADENCE_SEVERITY_ERROR, "export-braces",
						     s->score_loc.line, s->score_loc.col,
						     s->score_loc.len, "write the value another way, "
						     "such as '{ {' or a field the notes assemble",
						     "schedule: a value of score: holds '{{', which Argo "
						     "replaces as one of its variables"))
			x->oom = 1;
		x->invalid = 1;
	}
	cJSON *doc = cJSON_CreateObject();
	put_str(x, doc, "apiVersion", "argoproj.io/v1alpha1");
	put_str(x, doc, "kind", kinds[kind]);
	metadata(x, doc, kind == CADENCE_ARGO_WORKFLOW);
	if (kind == CADENCE_ARGO_CRON && s->score && !input)
		x->oom = 1;
	cJSON *spec = workflow_spec(x, input ? input : "{}");
	put(x, doc, "spec", kind == CADENCE_ARGO_CRON ? cron_spec(x, spec) : spec);
	free(input);
	if (!doc)
		x->oom = 1;
	return doc;
}

int cadence_argo_kind_parse(cadence_argo_kind *out, const char *name)
{
	static const char *const names[] = { "workflow", "template", "cron" };
	for (size_t i = 0; name && i < 3; i++)
		if (!strcmp(name, names[i])) {
			if (out)
				*out = (cadence_argo_kind)i;
			return 0;
		}
	return CADENCE_EINVAL;
}

static int render(ax *x, cJSON *doc, char **out, size_t *out_len)
{
	char *json = cJSON_PrintUnformatted(doc);
	if (!json)
		return CADENCE_ENOMEM;
	size_t jlen = strlen(json);
	if (jlen >= CADENCE_ARGO_MAX_BYTES) {
		free(json);
		return CADENCE_ELIMIT;
	}
	if (x->o->json) {
		free(json);
		strbuf sb = STRBUF_INIT;
		if (cad_json_add(&sb, doc, 1) || !cad_strbuf_cstr(&sb)) {
			cad_strbuf_free(&sb);
			return CADENCE_ENOMEM;
		}
		cad_strbuf_addc(&sb, '\n');
		*out_len = sb.len;
		return (*out = cad_strbuf_detach(&sb)) ? 0 : CADENCE_ENOMEM;
	}
	free(json);
	strbuf sb = STRBUF_INIT;
	if (cad_yaml_emit_json(&sb, doc)) {
		cad_strbuf_free(&sb);
		return CADENCE_ENOMEM;
	}
	*out_len = sb.len;
	return (*out = cad_strbuf_detach(&sb)) ? 0 : CADENCE_ENOMEM;
}

static int check_args(const cadence_def *def, const cadence_argo_opts *o, const char **file)
{
	if ((unsigned)o->kind > CADENCE_ARGO_CRON)
		return CADENCE_EINVAL;
	if (o->kind == CADENCE_ARGO_CRON && !def->schedule.present)
		return CADENCE_ENOTFOUND;
	*file = o->path ? o->path : def->path;
	if (!*file || !**file || (!o->path && **file == '/'))
		return CADENCE_EINVAL;
	/* Argo replaces {{...}} everywhere in a spec, and has no escape */
	if (strstr(*file, "{{") || (o->image && strstr(o->image, "{{")) ||
	    (o->workdir && strstr(o->workdir, "{{")))
		return CADENCE_EINVAL;
	for (size_t i = 0; i < o->nplugins; i++)
		if (!o->plugins || !o->plugins[i] || strstr(o->plugins[i], "{{"))
			return CADENCE_EINVAL;
	return 0;
}

int cadence_export_argo(char **out, size_t *out_len, const cadence_def *def,
			const cadence_argo_opts *opts, cadence_diags *diags)
{
	cadence_argo_opts dflt = CADENCE_ARGO_OPTS_INIT;
	ax x = { 0 };
	int rc;

	if (out)
		*out = NULL;
	if (!out || !out_len || !def)
		return CADENCE_EINVAL;
	if (!CAD_VERSION_OK(opts, CADENCE_ARGO_OPTS_VERSION))
		return CADENCE_EVERSION;
	x.def = def;
	x.o = opts ? opts : &dflt;
	if ((rc = check_args(def, x.o, &x.file)))
		return rc;
	cad_arena_init(&x.keys);
	cad_report_init(&x.rep, diags, cad_def_file(def), def->text, def->text_len);
	static const char *const fixed[] = { "main", "input", "measures", "on-exit", "on-error" };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		strbuf n = STRBUF_INIT;
		cad_strbuf_adds(&n, fixed[i]);
		unique(&x, &x.tnames, &n);
		cad_strbuf_free(&n);
	}
	warn_cadence(&x);
	cJSON *doc = manifest(&x);
	rc = x.oom || x.rep.oom ? CADENCE_ENOMEM
	     : x.invalid ? CADENCE_EINVALID : render(&x, doc, out, out_len);
	cJSON_Delete(doc);
	cad_strmap_free(&x.made);
	cad_strmap_free(&x.tnames);
	cad_arena_free(&x.keys);
	cad_report_release(&x.rep);
	return rc;
}
