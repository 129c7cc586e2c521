/* SPDX-License-Identifier: MIT */
#include "format/build.h"
#include "format/scalar.h"

#include <string.h>

typedef struct builder {
	struct cadence_def *def;
	arena *a;
	report *r;
	size_t errors;
	int oom;
} builder;

static cad_loc loc_of(const ynode *n)
{
	cad_loc l = { n->line, n->col, n->width };
	return l;
}

static const char *str(builder *b, const ynode *n)
{
	/* a scalar's text is in the model's arena (format/load.c): the tree's
	 * nodes are freed once the model is built, their texts are not */
	(void)b;
	return n ? n->text : NULL;
}

static cad_ref ref_of(const ynode *n)
{
	cad_ref r = { n->text, loc_of(n) };
	return r;
}

static void *alloc_array(builder *b, size_t n, size_t size)
{
	if (!n)
		return NULL;
	void *p = cad_arena_alloc(b->a, n * size);
	if (!p)
		b->oom = 1;
	return p;
}

static cad_ref *refs(builder *b, const ynode *seq, size_t *count)
{
	*count = 0;
	if (!seq || seq->kind != YNODE_SEQ)
		return NULL;
	cad_ref *out = alloc_array(b, seq->count, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < seq->count; i++)
		out[i] = ref_of(seq->items[i]);
	*count = seq->count;
	return out;
}

static cad_assign *assigns(builder *b, const ynode *map, size_t *count)
{
	*count = 0;
	if (!map || map->kind != YNODE_MAP)
		return NULL;
	cad_assign *out = alloc_array(b, map->count, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < map->count; i++) {
		const ynode *v = map->items[2 * i + 1];
		out[i].field = ref_of(map->items[2 * i]);
		out[i].expr.src = v->text;
		out[i].expr.loc = loc_of(v);
		out[i].expr.quoted = v->style == YSTYLE_QUOTED;
	}
	*count = map->count;
	return out;
}

/* ---- free-form values ---------------------------------------------- */

/* YAML 1.2 core schema, strictly: plain null/true/false/numbers, else a
 * string.  Ambiguous plain scalars were refused by the structure check. */
static cJSON *to_json(builder *b, const ynode *n, int *is_int)
{
	*is_int = 0;
	if (n->kind == YNODE_SCALAR) {
		if (n->style != YSTYLE_PLAIN)
			return cJSON_CreateString(n->text);
		if (cad_scalar_is_null(n->text, n->len))
			return cJSON_CreateNull();
		if (!strcmp(n->text, "true"))
			return cJSON_CreateTrue();
		if (!strcmp(n->text, "false"))
			return cJSON_CreateFalse();
		int64_t i;
		double d;
		const char *help;
		if (!cad_scalar_int(n->text, n->len, &i, &help)) {
			*is_int = 1;
			return cJSON_CreateNumber((double)i);
		}
		if (!cad_scalar_number(n->text, n->len, &d, &help))
			return cJSON_CreateNumber(d);
		return cJSON_CreateString(n->text);
	}
	if (n->kind == YNODE_SEQ) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; arr && i < n->count; i++) {
			int sub;
			cJSON *item = to_json(b, n->items[i], &sub);
			if (!item || !cJSON_AddItemToArray(arr, item)) {
				cJSON_Delete(item);
				cJSON_Delete(arr);
				return NULL;
			}
		}
		return arr;
	}
	if (n->kind == YNODE_MAP) {
		cJSON *obj = cJSON_CreateObject();
		for (size_t i = 0; obj && i < n->count; i++) {
			int sub;
			const ynode *k = n->items[2 * i];
			cJSON *item = to_json(b, n->items[2 * i + 1], &sub);
			if (!item || k->kind != YNODE_SCALAR ||
			    !cJSON_AddItemToObject(obj, k->text, item)) {
				cJSON_Delete(item);
				cJSON_Delete(obj);
				return NULL;
			}
		}
		return obj;
	}
	return cJSON_CreateNull();
}

/* The value of n as JSON; its type was checked by cad_structure_check(). */
static cJSON *value(builder *b, const ynode *n)
{
	int is_int;
	cJSON *v = to_json(b, n, &is_int);
	if (!v)
		b->oom = 1;
	return v;
}

/* ---- parts ------------------------------------------------------------ */

static void build_fields(builder *b, const ynode *score)
{
	struct cadence_def *def = b->def;
	if (!score || score->kind != YNODE_MAP)
		return;
	def->fields = alloc_array(b, score->count, sizeof(*def->fields));
	if (!def->fields)
		return;
	for (size_t i = 0; i < score->count; i++) {
		const ynode *decl = score->items[2 * i + 1];
		cad_field *f = &def->fields[def->nfields++];
		const ynode *n;
		f->name = ref_of(score->items[2 * i]);
		n = cad_ymap_get(decl, "type");
		f->type = (cad_vtype)n->v.i;
		f->type_loc = loc_of(n);
		if ((n = cad_ymap_get(decl, "required")))
			f->required = n->v.b;
		if ((n = cad_ymap_get(decl, "immutable")))
			f->immutable = n->v.b;
		f->description = str(b, cad_ymap_get(decl, "description"));
		if ((n = cad_ymap_get(decl, "default"))) {
			f->def_loc = loc_of(n);
			f->def = value(b, n);
		}
	}
}

static void build_note(builder *b, cad_note *note, const ynode *key, const ynode *m)
{
	const ynode *n;
	note->name = ref_of(key);
	if ((n = cad_ymap_get(m, "run"))) {
		note->binding = CAD_BIND_RUN;
		note->binding_loc = loc_of(n);
		size_t argc = n->kind == YNODE_SEQ ? n->count : 1;
		note->argv = alloc_array(b, argc + 1, sizeof(*note->argv));
		if (!note->argv)
			return;
		for (size_t i = 0; i < argc; i++)
			note->argv[i] = n->kind == YNODE_SEQ ? n->items[i]->text : n->text;
		note->argc = argc;
	} else if ((n = cad_ymap_get(m, "set"))) {
		note->binding = CAD_BIND_SET;
		note->binding_loc = loc_of(n);
		note->set = assigns(b, n, &note->nset);
	} else if ((n = cad_ymap_get(m, "symbol"))) {
		note->binding = CAD_BIND_SYMBOL;
		note->binding_loc = loc_of(n);
		note->symbol = n->text;
	}
	note->description = str(b, cad_ymap_get(m, "description"));
	note->reads = refs(b, cad_ymap_get(m, "reads"), &note->nreads);
	note->writes = refs(b, cad_ymap_get(m, "writes"), &note->nwrites);
	if ((n = cad_ymap_get(m, "env"))) {
		note->has_env = 1;
		note->env = refs(b, n, &note->nenv);
	}
	if ((n = cad_ymap_get(m, "timeout"))) {
		note->timeout_ms = n->v.i;
		note->timeout_loc = loc_of(n);
	}
	if ((n = cad_ymap_get(m, "retry")) && n->kind == YNODE_MAP) {
		const ynode *v = cad_ymap_get(n, "attempts");
		cad_retry *rt = &note->retry;
		rt->present = 1;
		rt->loc = loc_of(n);
		rt->attempts = v->v.i;
		rt->attempts_loc = loc_of(v);
		rt->backoff = 1;
		rt->max_delay_ms = -1;
		if ((v = cad_ymap_get(n, "delay"))) {
			rt->delay_ms = v->v.i;
			rt->delay_loc = loc_of(v);
		}
		if ((v = cad_ymap_get(n, "backoff"))) {
			rt->backoff = v->v.d;
			rt->backoff_loc = loc_of(v);
		}
		if ((v = cad_ymap_get(n, "max_delay"))) {
			rt->max_delay_ms = v->v.i;
			rt->max_delay_loc = loc_of(v);
		}
		if ((v = cad_ymap_get(n, "jitter"))) {
			rt->jitter = v->v.d;
			rt->jitter_loc = loc_of(v);
		}
	}
	if ((n = cad_ymap_get(m, "circuit_breaker")) && n->kind == YNODE_MAP) {
		const ynode *v = cad_ymap_get(n, "failure_threshold");
		cad_breaker *br = &note->breaker;
		br->present = 1;
		br->loc = loc_of(n);
		br->failure_threshold = v->v.i;
		br->threshold_loc = loc_of(v);
		v = cad_ymap_get(n, "recovery_timeout");
		br->recovery_ms = v->v.i;
		br->recovery_loc = loc_of(v);
		br->half_open_max = 1;
		if ((v = cad_ymap_get(n, "half_open_max"))) {
			br->half_open_max = v->v.i;
			br->half_open_loc = loc_of(v);
		}
	}
	if ((n = cad_ymap_get(m, "fallback")) && n->kind == YNODE_MAP) {
		note->fallback_loc = loc_of(n);
		note->fallback = assigns(b, n, &note->nfallback);
		note->fallback_values = alloc_array(b, n->count, sizeof(cJSON *));
		for (size_t i = 0; note->fallback_values && i < n->count; i++)
			note->fallback_values[i] = value(b, n->items[2 * i + 1]);
	}
}

static void build_notes(builder *b, const ynode *notes)
{
	struct cadence_def *def = b->def;
	if (!notes || notes->kind != YNODE_MAP)
		return;
	def->notes = alloc_array(b, notes->count, sizeof(*def->notes));
	if (!def->notes)
		return;
	for (size_t i = 0; i < notes->count && !b->oom; i++)
		build_note(b, &def->notes[def->nnotes++], notes->items[2 * i],
			   notes->items[2 * i + 1]);
}

static cad_expr expr_of(const ynode *n)
{
	cad_expr e = { n->text, loc_of(n), n->style == YSTYLE_QUOTED };
	return e;
}

static void build_tasks(builder *b, cad_measure *ms, const ynode *list)
{
	const ynode *n;
	if (!list || list->kind != YNODE_SEQ)
		return;
	ms->tasks = alloc_array(b, list->count, sizeof(*ms->tasks));
	for (size_t i = 0; ms->tasks && i < list->count; i++) {
		const ynode *t = list->items[i];
		cad_task *task = &ms->tasks[ms->ntasks++];
		memset(task, 0, sizeof(*task));
		task->name = ref_of(cad_ymap_get(t, "task"));
		n = cad_ymap_get(t, "note");
		task->note = n ? ref_of(n) : task->name;
		if ((n = cad_ymap_get(t, "cadence")) && !cad_ymap_get(t, "note")) {
			cad_measure *c = alloc_array(b, 1, sizeof(*c));
			if (!c)
				return;
			memset(c, 0, sizeof(*c));
			c->kind = CAD_M_CHILD;
			c->name = task->name;
			c->cadence = ref_of(n);
			c->with = assigns(b, cad_ymap_get(t, "with"), &c->nwith);
			c->merge_back = assigns(b, cad_ymap_get(t, "merge"), &c->nmerge_back);
			task->child = c;
			task->note = (cad_ref){ 0 };
		}
		task->after = refs(b, cad_ymap_get(t, "after"), &task->nafter);
		if ((n = cad_ymap_get(t, "when")))
			task->when = expr_of(n);
		task->description = str(b, cad_ymap_get(t, "description"));
	}
}

static void build_dag(builder *b, cad_measure *ms, const ynode *m)
{
	const ynode *n;
	build_tasks(b, ms, cad_ymap_get(m, "tasks"));
	if ((n = cad_ymap_get(m, "jobs"))) {
		ms->jobs = n->v.i;
		ms->jobs_loc = loc_of(n);
	}
	if ((n = cad_ymap_get(m, "on_failure")))
		ms->on_failure = (cad_on_failure)n->v.i;
	if ((n = cad_ymap_get(m, "merge")))
		ms->merge = (cad_merge)n->v.i;
}

static void build_schedule(builder *b, cad_schedule *s, const ynode *m)
{
	const ynode *n;
	s->present = 1;
	s->loc = loc_of(m);
	s->overlap = CAD_OVERLAP_SKIP;
	s->catch_up = CAD_CATCH_UP_NONE;
	s->catch_up_max = CAD_DEFAULT_CATCH_UP_MAX;
	s->enabled = 1;
	if ((n = cad_ymap_get(m, "cron")))
		s->cron = expr_of(n);
	if ((n = cad_ymap_get(m, "timezone"))) {
		s->timezone = n->text;
		s->timezone_loc = loc_of(n);
	}
	if ((n = cad_ymap_get(m, "jitter")))
		s->jitter_ms = n->v.i;
	if ((n = cad_ymap_get(m, "overlap")))
		s->overlap = (cad_overlap)n->v.i;
	if ((n = cad_ymap_get(m, "catch_up")))
		s->catch_up = (cad_catch_up)n->v.i;
	if ((n = cad_ymap_get(m, "catch_up_max"))) {
		s->catch_up_max = n->v.i;
		s->catch_up_max_loc = loc_of(n);
	}
	if ((n = cad_ymap_get(m, "score"))) {
		s->score = value(b, n);
		s->score_loc = loc_of(n);
	}
	if ((n = cad_ymap_get(m, "enabled")))
		s->enabled = n->v.b;
}

static void build_measure(builder *b, cad_measure *ms, const ynode *m)
{
	const ynode *kind = m->items[0];
	const ynode *n;
	/* the kind key may not come first in the mapping */
	for (size_t i = 0; i < m->count; i++) {
		const char *k = m->items[2 * i]->text;
		for (int j = CAD_M_THEN; j <= CAD_M_DAG; j++) {
			if (!strcmp(k, cad_measure_kind_names[j])) {
				ms->kind = (cad_measure_kind)j;
				kind = m->items[2 * i + 1];
			}
		}
	}
	ms->name = ref_of(kind);
	ms->description = str(b, cad_ymap_get(m, "description"));
	switch (ms->kind) {
	case CAD_M_THEN:
		ms->notes = alloc_array(b, 1, sizeof(*ms->notes));
		if (!ms->notes)
			return;
		n = cad_ymap_get(m, "note");
		ms->notes[0] = ref_of(n ? n : kind);
		ms->nnotes = 1;
		break;
	case CAD_M_SYNC:
		ms->notes = refs(b, cad_ymap_get(m, "notes"), &ms->nnotes);
		if ((n = cad_ymap_get(m, "merge")))
			ms->merge = (cad_merge)n->v.i;
		break;
	case CAD_M_SEQUENCE:
		ms->notes = refs(b, cad_ymap_get(m, "notes"), &ms->nnotes);
		break;
	case CAD_M_SPLIT:
		ms->when = expr_of(cad_ymap_get(m, "when"));
		ms->notes = refs(b, cad_ymap_get(m, "if_true"), &ms->nnotes);
		ms->else_notes = refs(b, cad_ymap_get(m, "if_false"), &ms->nelse);
		break;
	case CAD_M_CHILD:
		n = cad_ymap_get(m, "cadence");
		ms->cadence = ref_of(n ? n : kind);
		ms->with = assigns(b, cad_ymap_get(m, "with"), &ms->nwith);
		ms->merge_back = assigns(b, cad_ymap_get(m, "merge"), &ms->nmerge_back);
		break;
	case CAD_M_DAG:
		build_dag(b, ms, m);
		break;
	}
}

size_t cad_build_model(struct cadence_def *def, report *r, const ynode *root)
{
	builder b = { def, &def->arena, r, 0, 0 };
	const ynode *n;

	def->name = ref_of(cad_ymap_get(root, "cadence"));
	def->description = str(&b, cad_ymap_get(root, "description"));
	build_fields(&b, cad_ymap_get(root, "score"));
	build_notes(&b, cad_ymap_get(root, "notes"));
	n = cad_ymap_get(root, "measures");
	def->measures = alloc_array(&b, n->count, sizeof(*def->measures));
	for (size_t i = 0; def->measures && i < n->count; i++)
		build_measure(&b, &def->measures[def->nmeasures++], n->items[i]);
	if ((n = cad_ymap_get(root, "on_error")) && n->kind == YNODE_MAP) {
		const ynode *stop = cad_ymap_get(n, "stop");
		def->has_on_error = 1;
		def->on_error_note = ref_of(cad_ymap_get(n, "note"));
		def->on_error_stop = stop ? stop->v.b : 1;
	}
	if ((n = cad_ymap_get(root, "precheck")) && n->kind == YNODE_MAP) {
		const ynode *w = cad_ymap_get(n, "when"), *note = cad_ymap_get(n, "note");
		def->has_precheck = 1;
		def->precheck_loc = loc_of(n);
		if (w)
			def->precheck_when = expr_of(w);
		if (note)
			def->precheck_note = ref_of(note);
	}
	if ((n = cad_ymap_get(root, "schedule")) && n->kind == YNODE_MAP)
		build_schedule(&b, &def->schedule, n);
	if (b.oom || r->oom || cad_model_index(def))
		return (size_t)-1;
	return b.errors;
}
