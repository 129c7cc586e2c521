/* SPDX-License-Identifier: MIT */
/*
 * cadence/export.h, n8n: a cadence as an n8n 2.x workflow whose Execute
 * Command nodes run `cadence step` (docs/export.md, "n8n").
 *
 * Facts of n8n the layout answers to: with executionOrder v1, branches run
 * one after another in the order of their nodes on the canvas (top first),
 * so positions are given by depth (x) and branch (y); a node with two
 * incoming connections runs once per arrival, so every join is a Merge
 * node, which waits for each input that will get data; an Execute Command
 * node runs once per item unless executeOnce; its retries are 2-5 tries,
 * 0-5,000 ms apart.  The score goes through files under the state
 * directory, one directory per execution ({{ $execution.id }}).
 */
#include "cadence/export.h"

#include "diag/report.h"
#include "export/export_int.h"
#include "model/model.h"
#include "util/api.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/strmap.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#define COL_W 240		/* canvas units between depths */
#define ROW_H 160		/* ... and between branches */
#define MERGE_INPUTS 10		/* the most inputs a Merge node (v3) takes */
#define TRIES_MIN 2		/* n8n's retry ranges */
#define TRIES_MAX 5
#define WAIT_MAX_MS 5000

typedef struct wf {
	const cadence_def *def;
	const char *file, *state, *binary, *input;
	const char *const *plugins;
	size_t nplugins;
	cJSON *root, *nodes, *conns;
	cad_export_names names;
	report rep;
	int has_rep;
	strmap warned;		/* notes whose policies were said (note names: def's) */
	int quiet;		/* a note said before: its warnings are not repeated */
	int oom;
} wf;

/* Where the graph goes on from: a node and its output. */
typedef struct tail {
	const char *node;
	int output;
} tail;

/* ---- warnings ---- */

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void warn(wf *w, const char *rule, cad_loc at, const char *help, const char *fmt, ...)
{
	va_list ap;
	if (!w->has_rep || w->quiet)
		return;
	va_start(ap, fmt);
	cad_report_vat(&w->rep, CADENCE_SEVERITY_WARNING, rule, at.line, at.col, at.len, help,
		       fmt, ap);
	va_end(ap);
}

/* ---- nodes and connections ---- */

/* An addition that must have worked (cJSON returns NULL or false when out
 * of memory): the export fails with CADENCE_ENOMEM, never half made. */
static void need(wf *w, const void *made)
{
	if (!made)
		w->oom = 1;
}

static cJSON *add_node(wf *w, const char *want, const char *type, double version, int col,
		       int row, const char **name)
{
	char id[37];
	cJSON *n = cJSON_CreateObject(), *pos;
	*name = cad_export_name(&w->names, want, NULL, 0, 0, " #");
	if (!n || !*name) {
		cJSON_Delete(n);
		w->oom = 1;
		return NULL;
	}
	cad_export_uuid(w->def->name.name, *name, id);
	cJSON_AddItemToArray(w->nodes, n);	/* a list: nothing to allocate */
	need(w, cJSON_AddObjectToObject(n, "parameters"));
	need(w, cJSON_AddStringToObject(n, "id", id));
	need(w, cJSON_AddStringToObject(n, "name", *name));
	need(w, cJSON_AddStringToObject(n, "type", type));
	need(w, cJSON_AddNumberToObject(n, "typeVersion", version));
	need(w, (pos = cJSON_AddArrayToObject(n, "position")));
	if (!cJSON_AddItemToArray(pos, cJSON_CreateNumber(col * COL_W)) ||
	    !cJSON_AddItemToArray(pos, cJSON_CreateNumber(row * ROW_H / 2)))
		w->oom = 1;
	return n;
}

/* from's output `out` to to's input `in`. */
static void connect(wf *w, tail from, const char *to, int in)
{
	cJSON *src = cJSON_GetObjectItemCaseSensitive(w->conns, from.node), *main, *bucket, *c;
	if (!src && !(src = cJSON_AddObjectToObject(w->conns, from.node))) {
		w->oom = 1;
		return;
	}
	if (!(main = cJSON_GetObjectItemCaseSensitive(src, "main")) &&
	    !(main = cJSON_AddArrayToObject(src, "main"))) {
		w->oom = 1;
		return;
	}
	while (cJSON_GetArraySize(main) <= from.output)
		if (!cJSON_AddItemToArray(main, cJSON_CreateArray())) {
			w->oom = 1;
			return;
		}
	bucket = cJSON_GetArrayItem(main, from.output);
	if (!bucket || !(c = cJSON_CreateObject())) {
		w->oom = 1;
		return;
	}
	cJSON_AddItemToArray(bucket, c);	/* a list: nothing to allocate */
	need(w, cJSON_AddStringToObject(c, "node", to));
	need(w, cJSON_AddStringToObject(c, "type", "main"));
	need(w, cJSON_AddNumberToObject(c, "index", in));
}

/* ---- commands ---- */

/* A word for sh: single-quoted unless it is plain. */
static void add_sh_word(strbuf *sb, const char *s)
{
	if (*s && !s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			       "0123456789/._-+:,=@%")]) {
		cad_strbuf_adds(sb, s);
		return;
	}
	cad_strbuf_addc(sb, '\'');
	for (; *s; s++)
		if (*s == '\'')
			cad_strbuf_adds(sb, "'\\''");
		else
			cad_strbuf_addc(sb, *s);
	cad_strbuf_addc(sb, '\'');
}

static void add_arg(void *ctx, const char *text, int state)
{
	strbuf *sb = ctx;
	cad_strbuf_addc(sb, ' ');
	if (state)
		cad_strbuf_adds(sb, "\"$d\"/");	/* the execution's directory */
	add_sh_word(sb, text);
}

/* The command of a node: an n8n expression ('=') whose one expression is
 * the execution's id; no other text of it can hold "{{" (checked first). */
static char *command(const wf *w, const cad_step_call *c)
{
	strbuf sb = STRBUF_INIT;
	cad_strbuf_adds(&sb, "=d=");
	add_sh_word(&sb, w->state);
	cad_strbuf_adds(&sb, "/\"{{ $execution.id }}\" && mkdir -p -- \"$d\" && ");
	add_sh_word(&sb, w->binary);
	cad_export_step_args(c, w->file, add_arg, &sb);
	return cad_strbuf_detach(&sb);
}

/* A note's retry as n8n's node settings, clamped to its ranges; what n8n
 * cannot do, said. */
static void retry_settings(wf *w, cJSON *n, const cad_note *note)
{
	const cad_retry *r = &note->retry;
	const char *name = note->name.name;
	if (!r->present || r->attempts < 2)
		return;
	long long tries = r->attempts, wait = r->delay_ms;
	if (tries > TRIES_MAX) {
		warn(w, "export-retry-clamped", r->attempts_loc, "n8n tries a node 2 to 5 times",
		     "note '%s': n8n retries at most %d times in all: attempts %lld becomes %d",
		     name, TRIES_MAX, tries, TRIES_MAX);
		tries = TRIES_MAX;
	}
	if (wait > WAIT_MAX_MS) {
		warn(w, "export-retry-clamped", r->delay_loc,
		     "n8n waits 0 to 5,000 ms between tries",
		     "note '%s': n8n waits at most %d ms between tries: delay %lld ms becomes %d",
		     name, WAIT_MAX_MS, wait, WAIT_MAX_MS);
		wait = WAIT_MAX_MS;
	}
	if (r->backoff != 1)
		warn(w, "export-retry-backoff", r->backoff_loc, "n8n waits the same time between tries",
		     "note '%s': n8n has no backoff: every retry waits %lld ms", name, wait);
	if (r->max_delay_ms >= 0 && r->backoff != 1)
		warn(w, "export-retry-backoff", r->max_delay_loc, NULL,
		     "note '%s': n8n has no max_delay (its waits do not grow)", name);
	if (r->jitter > 0)
		warn(w, "export-retry-backoff", r->jitter_loc, NULL,
		     "note '%s': n8n has no jitter: every retry waits exactly %lld ms", name, wait);
	need(w, cJSON_AddBoolToObject(n, "retryOnFail", 1));
	need(w, cJSON_AddNumberToObject(n, "maxTries", (double)tries));
	need(w, cJSON_AddNumberToObject(n, "waitBetweenTries", (double)wait));
}

/* The policies of `note` that no node setting holds, said. */
static void lost_policies(wf *w, const cad_note *note)
{
	if (note->breaker.present)
		warn(w, "export-circuit-breaker", note->breaker.loc,
		     "a breaker's state belongs to one machine; cadence step never applies it",
		     "note '%s': its circuit_breaker does not apply in n8n", note->name.name);
	if (note->binding == CAD_BIND_SYMBOL && !w->nplugins)
		warn(w, "export-c-note", note->binding_loc,
		     "give the plugin that defines it (--plugin PATH.so), or bind the note to an "
		     "executable (run:)", "note '%s' is a C note (symbol:): cadence step runs it "
		     "only with its plugin, and the commands load none", note->name.name);
}

static const char *exec_node(wf *w, const char *want, const cad_step_call *c, int col, int row,
			     const char *description)
{
	const char *name;
	cJSON *n = add_node(w, want, "n8n-nodes-base.executeCommand", 1, col, row, &name);
	char *cmd = n ? command(w, c) : NULL;
	if (!cmd) {
		w->oom = 1;
		return NULL;
	}
	cJSON *p = cJSON_GetObjectItemCaseSensitive(n, "parameters");
	/* the node's own parameter and n8n's setting of every node: once per
	 * call, not once per item (a Merge node passes an item per input) */
	need(w, cJSON_AddBoolToObject(p, "executeOnce", 1));
	need(w, cJSON_AddStringToObject(p, "command", cmd));
	need(w, cJSON_AddBoolToObject(n, "executeOnce", 1));
	free(cmd);
	if (description && !cad_json_add_text(n, "notes", description))
		w->oom = 1;
	return name;
}

/* A Merge node that waits for every input that gets data (append). */
static const char *merge_node(wf *w, const char *want, int inputs, int col, int row)
{
	const char *name;
	cJSON *n = add_node(w, want, "n8n-nodes-base.merge", 3.2, col, row, &name);
	if (!n)
		return NULL;
	cJSON *p = cJSON_GetObjectItemCaseSensitive(n, "parameters");
	need(w, cJSON_AddStringToObject(p, "mode", "append"));
	need(w, cJSON_AddNumberToObject(p, "numberInputs", inputs));
	return name;
}

/* The tails joined by Merge nodes at `col` (each after the first, for more
 * than MERGE_INPUTS, one column on, its first input the one before); one
 * tail needs none. */
static tail join(wf *w, const char *want, const tail *in, size_t n, int *col, int row)
{
	tail t = in[0];
	size_t i = n == 1 ? 1 : 0;
	while (i < n && !w->oom) {
		size_t first = i ? 1 : 0;
		size_t take = n - i < MERGE_INPUTS - first ? n - i : MERGE_INPUTS - first;
		const char *m = merge_node(w, want, (int)(take + first), (*col)++, row);
		if (!m)
			break;
		if (first)
			connect(w, t, m, 0);
		for (size_t k = 0; k < take; k++)
			connect(w, in[i + k], m, (int)(k + first));
		i += take;
		t = (tail){ m, 0 };
	}
	return t;
}

/* ---- measures ---- */

typedef struct flow {
	const wf *w;
	tail t;			/* the node the next one follows */
	const char *score;	/* the state file of the score; NULL: the defaults */
	int given;		/* score is still the user's input file */
	int col;		/* the next node's depth */
} flow;

/* A call of `mode` on the score where `f` is. */
static cad_step_call call_at(const flow *f, cad_step_mode mode)
{
	cad_step_call c;
	memset(&c, 0, sizeof(c));
	c.mode = mode;
	c.score = f->score;
	c.score_given = f->given;
	c.plugins = f->w->plugins;
	c.nplugins = f->w->nplugins;
	return c;
}

/* A state file's name: what the arena of the names keeps. */
static const char *state_file(wf *w, size_t measure, long part, const char *note)
{
	strbuf sb = STRBUF_INIT;
	cad_strbuf_addf(&sb, "m%zu", measure);
	if (part >= 0)
		cad_strbuf_addf(&sb, "-%ld-%s", part, note);
	cad_strbuf_adds(&sb, ".json");
	const char *r = cad_strbuf_cstr(&sb) ? cad_arena_strdup(&w->names.arena, sb.buf) : NULL;
	cad_strbuf_free(&sb);
	if (!r)
		w->oom = 1;
	return r;
}

/* One note: its node (retried as the note says) and, with a fallback, the
 * node giving its fallback values on the node's error output, joined back.
 * `c` is the note's call; its fallback writes the same file. */
static tail note_nodes(wf *w, const char *label, const cad_note *note, cad_step_call c,
		       tail from, int *col, int row)
{
	strbuf want = STRBUF_INIT;
	cad_strbuf_addf(&want, "%s: %s", label, note->name.name);
	const char *n = cad_strbuf_cstr(&want) ? exec_node(w, want.buf, &c, *col, row,
							    note->description) : NULL;
	cJSON *node = n ? cJSON_GetArrayItem(w->nodes, cJSON_GetArraySize(w->nodes) - 1) : NULL;
	tail t = { n, 0 };
	if (!node)
		goto out;
	connect(w, from, n, 0);
	/* a note that runs in several measures is said once */
	int added = 0;
	if (!cad_strmap_put(&w->warned, note->name.name, strlen(note->name.name), &added))
		w->oom = 1;
	w->quiet = !added;
	retry_settings(w, node, note);
	lost_policies(w, note);
	w->quiet = 0;
	if (note->nfallback) {
		need(w, cJSON_AddStringToObject(node, "onError", "continueErrorOutput"));
		cad_step_call f = c;
		f.mode = CAD_STEP_FALLBACK;
		cad_strbuf_adds(&want, " (fallback)");
		const char *fb = cad_strbuf_cstr(&want) ? exec_node(w, want.buf, &f, *col + 1, row + 1,
								     NULL) : NULL;
		if (!fb)
			goto out;
		connect(w, (tail){ n, 1 }, fb, 0);
		tail both[2] = { { n, 0 }, { fb, 0 } };
		cad_strbuf_reset(&want);
		cad_strbuf_addf(&want, "%s: %s (join)", label, note->name.name);
		*col += 2;
		t = cad_strbuf_cstr(&want) ? join(w, want.buf, both, 2, col, row) : (tail){ NULL, 0 };
		*col -= 1;
	}
out:
	if (!t.node)
		w->oom = 1;
	cad_strbuf_free(&want);
	return t;
}

static const cad_note *note_of(const wf *w, const cad_ref *r)
{
	return cad_find_note(w->def, r->name);
}

/* A node whose call writes the score (c->output) after f's node. */
static void score_node(wf *w, flow *f, const char *label, const cad_step_call *c,
		       const char *description)
{
	const char *n = c->output ? exec_node(w, label, c, f->col++, 0, description) : NULL;
	if (n)
		connect(w, f->t, n, 0);
	f->t = (tail){ n, 0 };
	f->score = c->output;
	f->given = 0;
}

/* then, sequence: each note's node applies its changes to the score. */
static void chain(wf *w, flow *f, size_t i, const cad_measure *m)
{
	char label[64];
	snprintf(label, sizeof(label), "%zu %s", i, cad_measure_kind_names[m->kind]);
	for (size_t k = 0; k < m->nnotes && !w->oom; k++) {
		const cad_note *note = note_of(w, &m->notes[k]);
		cad_step_call c = call_at(f, CAD_STEP_NOTE);
		c.apply = 1;
		c.note = m->notes[k].name;
		c.output = state_file(w, i, m->nnotes > 1 ? (long)k : -1, m->notes[k].name);
		if (!note || !c.output)
			return;
		f->t = note_nodes(w, label, note, c, f->t, &f->col, 0);
		f->score = c.output;
		f->given = 0;
		f->col++;
	}
}

/* sync: a branch per note, each writing its changes; a Merge node joins
 * them; then the sync's merge. */
static void sync_nodes(wf *w, flow *f, size_t i, const cad_measure *m)
{
	char label[64];
	tail *ends = calloc(m->nnotes, sizeof(*ends));
	const char **parts = calloc(m->nnotes, sizeof(*parts));
	int end_col = f->col;
	snprintf(label, sizeof(label), "%zu sync", i);
	for (size_t k = 0; ends && parts && k < m->nnotes && !w->oom; k++) {
		const cad_note *note = note_of(w, &m->notes[k]);
		cad_step_call c = call_at(f, CAD_STEP_NOTE);
		c.note = m->notes[k].name;
		int col = f->col;
		c.output = parts[k] = state_file(w, i, (long)k, m->notes[k].name);
		if (!note || !c.output)
			break;
		ends[k] = note_nodes(w, label, note, c, f->t, &col, (int)k * 2);
		if (col + 1 > end_col)
			end_col = col + 1;
	}
	if (!ends || !parts)
		w->oom = 1;
	if (!w->oom) {
		f->col = end_col;
		snprintf(label, sizeof(label), "%zu sync (join)", i);
		f->t = join(w, label, ends, m->nnotes, &f->col, 0);
		cad_step_call c = call_at(f, CAD_STEP_MERGE);
		c.index = i;
		c.parts = parts;
		c.nparts = m->nnotes;
		c.output = state_file(w, i, -1, NULL);
		snprintf(label, sizeof(label), "%zu sync (merge)", i);
		score_node(w, f, label, &c, m->description);
	}
	free(ends);
	free((void *)parts);
}

/* split, child, dag: the measure in one node, which runs it whole. */
static void whole(wf *w, flow *f, size_t i, const cad_measure *m)
{
	char label[96];
	cad_step_call c = call_at(f, CAD_STEP_MEASURE);
	c.index = i;
	c.output = state_file(w, i, -1, NULL);
	snprintf(label, sizeof(label), "%zu %s", i, cad_measure_kind_names[m->kind]);
	if (m->name.name) {
		size_t len = strlen(label);
		snprintf(label + len, sizeof(label) - len, ": %s", m->name.name);
	}
	score_node(w, f, label, &c, m->description);
}

static void measure(wf *w, flow *f, size_t i)
{
	const cad_measure *m = &w->def->measures[i];
	switch (m->kind) {
	case CAD_M_THEN:
	case CAD_M_SEQUENCE:
		chain(w, f, i, m);
		break;
	case CAD_M_SYNC:
		sync_nodes(w, f, i, m);
		break;
	default:
		whole(w, f, i, m);
		break;
	}
	if (!f->t.node)
		w->oom = 1;
}

/* ---- the trigger, the settings, the ends ---- */

static void trigger(wf *w, flow *f)
{
	const cad_schedule *s = &w->def->schedule;
	const char *name;
	cJSON *settings = cJSON_AddObjectToObject(w->root, "settings");
	if (!settings || !cJSON_AddStringToObject(settings, "executionOrder", "v1")) {
		w->oom = 1;
		return;
	}
	if (!s->present) {
		add_node(w, "Start", "n8n-nodes-base.manualTrigger", 1, f->col++, 0, &name);
		f->t = (tail){ name, 0 };
		return;
	}
	cJSON *n = add_node(w, "Schedule", "n8n-nodes-base.scheduleTrigger", 1.2, f->col++, 0, &name);
	cJSON *p = cJSON_GetObjectItemCaseSensitive(n, "parameters");
	cJSON *iv = cJSON_AddArrayToObject(cJSON_AddObjectToObject(p, "rule"), "interval");
	cJSON *one = cJSON_CreateObject();
	f->t = (tail){ name, 0 };
	if (!iv || !cJSON_AddItemToArray(iv, one)) {
		cJSON_Delete(one);
		w->oom = 1;
		return;
	}
	need(w, cJSON_AddStringToObject(one, "field", "cronExpression"));
	need(w, cad_json_add_text(one, "expression", s->cron.src));
	need(w, cad_json_add_text(settings, "timezone", s->timezone ? s->timezone : "UTC"));
	if (s->jitter_ms)
		warn(w, "export-schedule", s->loc, NULL, "n8n's Schedule Trigger has no jitter");
	if (s->overlap != CAD_OVERLAP_ALLOW)
		warn(w, "export-schedule", s->loc, "n8n starts every fire time's execution",
		     "n8n has no overlap rule: 'overlap: %s' does not apply",
		     cad_overlap_names[s->overlap]);
	if (s->catch_up != CAD_CATCH_UP_NONE)
		warn(w, "export-schedule", s->loc, NULL,
		     "n8n runs no missed fire times: 'catch_up: %s' does not apply",
		     cad_catch_up_names[s->catch_up]);
	if (s->score)
		warn(w, "export-schedule", s->score_loc, "give the values as the fields' defaults",
		     "the schedule's score does not apply: each execution starts from the "
		     "declared defaults");
	if (!s->enabled)
		warn(w, "export-schedule", s->loc, NULL,
		     "the schedule has 'enabled: false': do not activate the workflow");
}

static void precheck(wf *w, flow *f)
{
	if (!w->def->has_precheck)
		return;
	cad_step_call c = call_at(f, CAD_STEP_PRECHECK);
	const char *n = exec_node(w, "precheck", &c, f->col++, 0, NULL);
	if (n)
		connect(w, f->t, n, 0);
	f->t = (tail){ n, 0 };
	if (!n)
		w->oom = 1;
}

/* The last node prints the final score: n8n shows it as the execution's
 * output. */
static void final_score(wf *w, flow *f)
{
	const char *name;
	strbuf sb = STRBUF_INIT;
	if (!f->score)
		return;
	cad_strbuf_adds(&sb, "=cat -- ");
	add_sh_word(&sb, w->state);
	cad_strbuf_adds(&sb, "/\"{{ $execution.id }}\"/");
	add_sh_word(&sb, f->score);
	cJSON *n = cad_strbuf_cstr(&sb) ? add_node(w, "score", "n8n-nodes-base.executeCommand", 1,
						   f->col++, 0, &name) : NULL;
	if (n) {
		cJSON *p = cJSON_GetObjectItemCaseSensitive(n, "parameters");
		need(w, cJSON_AddBoolToObject(p, "executeOnce", 1));
		need(w, cJSON_AddStringToObject(p, "command", sb.buf));
		need(w, cJSON_AddBoolToObject(n, "executeOnce", 1));
		connect(w, f->t, name, 0);
	} else {
		w->oom = 1;
	}
	cad_strbuf_free(&sb);
}

/* Without an input score, the first node starts from the declared
 * defaults: a required field without one fails it. */
static void no_input(wf *w)
{
	for (size_t i = 0; !w->input && i < w->def->nfields; i++) {
		const cad_field *f = &w->def->fields[i];
		if (f->required && !f->def)
			warn(w, "export-input", f->name.loc, "give an input score file (--score)",
			     "field '%s' is required and has no default: without an input score, "
			     "the workflow's first node fails", f->name.name);
	}
}

static void whole_cadence(wf *w)
{
	const cadence_def *def = w->def;
	flow f = { w, { NULL, 0 }, w->input, w->input != NULL, 0 };
	trigger(w, &f);
	no_input(w);
	precheck(w, &f);
	for (size_t i = 0; i < def->nmeasures && !w->oom; i++)
		measure(w, &f, i);
	if (!w->oom)
		final_score(w, &f);
	if (def->has_on_error)
		warn(w, "export-on-error", def->on_error_note.loc,
		     "in n8n, name an error workflow in the workflow's settings",
		     "the cadence's on_error handler '%s' does not run in n8n",
		     def->on_error_note.name ? def->on_error_note.name : "stop");
}

/* ---- the entry point ---- */

/* Text n8n would read as an expression inside a command ('=...'): a
 * brace pair (or one escaped), or what n8n refuses anywhere in one
 * (".constructor", a dot and spaces before it too). */
static const char *expression_in(const char *s)
{
	static const char *const marks[] = { "{{", "}}", "\\{", "\\}" };
	for (size_t i = 0; s && i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strstr(s, marks[i]))
			return marks[i];
	for (const char *dot = s ? strchr(s, '.') : NULL; dot; dot = strchr(dot + 1, '.'))
		if (!strncmp(dot + 1 + strspn(dot + 1, " \t\n\r\f\v"), "constructor", 11))
			return ".constructor";
	return NULL;
}

static int check_texts(const wf *w, cadence_run_error *err)
{
	const char *what[] = { "cadence file", "state directory", "cadence binary", "score file" };
	const char *text[] = { w->file, w->state, w->binary, w->input };
	for (size_t i = 0; i < 4 + w->nplugins; i++) {
		const char *t = i < 4 ? text[i] : w->plugins[i - 4];
		const char *mark = expression_in(t);
		if (mark)
			return cad_err_set(err, CADENCE_EINVAL,
					   "the %s '%s' holds '%s', which n8n reads as an "
					   "expression in a command; use a path without it",
					   i < 4 ? what[i] : "plugin", t, mark);
	}
	return 0;
}

static int build(wf *w, char **out, size_t *out_len)
{
	w->root = cJSON_CreateObject();
	/* an id of n8n's form (16 letters and digits): `n8n import:workflow`
	 * refuses a workflow without one; a hash, so the same every time */
	char uuid[37], id[17];
	cad_export_uuid(w->def->name.name, "workflow", uuid);
	size_t k = 0;
	for (const char *p = uuid; *p && k < 16; p++)
		if (*p != '-')
			id[k++] = *p;
	id[k] = '\0';
	if (!w->root || !cad_json_add_text(w->root, "id", id) ||
	    !cad_json_add_text(w->root, "name", w->def->name.name) ||
	    !(w->nodes = cJSON_AddArrayToObject(w->root, "nodes")) ||
	    !(w->conns = cJSON_AddObjectToObject(w->root, "connections")))
		return CADENCE_ENOMEM;
	whole_cadence(w);
	need(w, cJSON_AddObjectToObject(w->root, "pinData"));
	need(w, cJSON_AddBoolToObject(w->root, "active", 0));
	strbuf sb = STRBUF_INIT;
	if (w->oom || cad_json_add(&sb, w->root, 1) || (cad_strbuf_addc(&sb, '\n'),
							 !cad_strbuf_cstr(&sb))) {
		cad_strbuf_free(&sb);
		return CADENCE_ENOMEM;
	}
	*out_len = sb.len;
	*out = cad_strbuf_detach(&sb);
	return 0;
}

int cadence_export_n8n(char **out, size_t *out_len, const cadence_def *def,
		       const cadence_export_n8n_opts *opts, cadence_diags *diags,
		       cadence_run_error *err)
{
	if (!CAD_RUN_ERR_OK(err) || !CAD_VERSION_OK(opts, CADENCE_EXPORT_N8N_OPTS_VERSION))
		return CADENCE_EVERSION;
	if (!out || !out_len || !def)
		return cad_err_set(err, CADENCE_EINVAL, "cadence_export_n8n: a NULL argument");
	*out = NULL;
	*out_len = 0;
	wf w;
	memset(&w, 0, sizeof(w));
	w.def = def;
	w.file = opts && opts->cadence_file ? opts->cadence_file : def->path;
	w.state = opts && opts->state_dir ? opts->state_dir : CADENCE_EXPORT_N8N_STATE_DIR;
	w.binary = opts && opts->cadence_binary ? opts->cadence_binary : "cadence";
	w.input = opts ? opts->score_file : NULL;
	w.plugins = opts ? opts->plugins : NULL;
	w.nplugins = w.plugins ? opts->nplugins : 0;
	if (!w.file)
		return cad_err_set(err, CADENCE_EINVAL, "cadence '%s' has no file for the commands "
				   "to name: give one (cadence_file)", def->name.name);
	int rc = check_texts(&w, err);
	if (rc)
		return rc;
	cad_export_names_init(&w.names);
	if (diags) {
		cad_report_init(&w.rep, diags, cad_def_file(def), def->text, def->text_len);
		w.has_rep = 1;
	}
	rc = build(&w, out, out_len);
	if (w.has_rep)
		cad_report_release(&w.rep);
	cJSON_Delete(w.root);
	cad_export_names_free(&w.names);
	cad_strmap_free(&w.warned);
	if (rc)
		return cad_err_set(err, rc, "out of memory");
	return 0;
}
