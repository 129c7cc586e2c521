/* SPDX-License-Identifier: MIT */
/* The builder (cadence/builder.h): the model of model/model.h made by
 * calls instead of from a file.  Strings and fixed lists go straight into
 * the cadence's arena; lists that grow (fields, notes, measures, set and
 * fallback assignments) grow in malloc'd arrays and are copied into the
 * arena by finish(), so the result is freed by cadence_def_free() like a
 * loaded cadence. */
#include "cadence/builder.h"
#include "cadence/common.h"
#include "format/scalar.h"
#include "model/model.h"
#include "util/api.h"
#include "util/grow.h"
#include "util/strbuf.h"
#include "util/strmap.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct bnote {
	cad_note n;
	size_t capset, capfb;	/* n.set, n.fallback(_values): malloc'd */
} bnote;

struct cadence_builder {
	struct cadence_def *def;
	cad_field *fields;
	size_t nfields, capfields;
	bnote *notes;
	size_t nnotes, capnotes;
	cad_measure *measures;
	size_t nmeasures, capmeasures;
	size_t captasks;	/* of the last measure, a dag: its tasks malloc'd */
	strmap tasknames;	/* its tasks' names (borrowed from the arena) */
	int err;
	strbuf msg;
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(cadence_builder *b, int code, const char *fmt, ...)
{
	va_list ap;
	if (b->err)
		return b->err;
	b->err = code;
	va_start(ap, fmt);
	cad_strbuf_vaddf(&b->msg, fmt, ap);
	va_end(ap);
	return code;
}

static int oom(cadence_builder *b)
{
	return fail(b, CADENCE_ENOMEM, "out of memory");
}

/* Grows a malloc'd array to hold one more element, the new part zeroed. */
static int grow(cadence_builder *b, void **arr, size_t n, size_t *cap, size_t size)
{
	size_t old = *cap;
	if (cad_grow(arr, cap, n + 1, size, 8))
		return oom(b);
	memset((char *)*arr + old * size, 0, (*cap - old) * size);
	return 0;
}

static const char *str(cadence_builder *b, const char *s)
{
	char *c = cad_arena_strdup(&b->def->arena, s);
	if (!c)
		oom(b);
	return c;
}

static cad_ref ref(cadence_builder *b, const char *s)
{
	cad_ref r = { str(b, s), { 0, 0, 0 } };
	return r;
}

static int name_ok(cadence_builder *b, const char *what, const char *name)
{
	size_t bad;
	const char *why;
	if (!name)
		return fail(b, CADENCE_EINVAL, "a %s needs a name", what);
	if ((why = cad_scalar_name(name, strlen(name), &bad)))
		return fail(b, CADENCE_EINVAL, "%s name '%s': %s", what, name, why);
	return 0;
}

int cadence_builder_new(cadence_builder **out, const char *name)
{
	cadence_builder *b = calloc(1, sizeof(*b));
	*out = NULL;
	if (!b || !(b->def = calloc(1, sizeof(*b->def)))) {
		free(b);
		return CADENCE_ENOMEM;
	}
	cad_arena_init(&b->def->arena);
	if (!name_ok(b, "cadence", name))
		b->def->name = ref(b, name);
	*out = b;
	return b->err == CADENCE_ENOMEM ? CADENCE_ENOMEM : 0;
}

static void free_parts(cadence_builder *b)
{
	for (size_t i = 0; i < b->nfields; i++)
		cJSON_Delete(b->fields[i].def);
	for (size_t i = 0; i < b->nnotes; i++) {
		for (size_t j = 0; j < b->notes[i].n.nfallback; j++)
			cJSON_Delete(b->notes[i].n.fallback_values[j]);
		free(b->notes[i].n.set);
		free(b->notes[i].n.fallback);
		free(b->notes[i].n.fallback_values);
	}
	for (size_t i = 0; i < b->nmeasures; i++)
		free(b->measures[i].tasks);
	cad_strmap_free(&b->tasknames);
	free(b->fields);
	free(b->notes);
	free(b->measures);
	b->fields = NULL;
	b->notes = NULL;
	b->measures = NULL;
	b->nfields = b->nnotes = b->nmeasures = 0;
	b->capfields = b->capnotes = b->capmeasures = 0;
}

void cadence_builder_free(cadence_builder *b)
{
	if (!b)
		return;
	free_parts(b);
	if (b->def) {
		cad_model_index_free(b->def);
		cad_arena_free(&b->def->arena);
		free(b->def);
	}
	cad_strbuf_free(&b->msg);
	free(b);
}

/* ---- the score ------------------------------------------------------------- */

int cadence_builder_field(cadence_builder *b, const char *name, const char *type,
			  const cJSON *def, unsigned flags)
{
	int t = -1;
	if (b->err || name_ok(b, "field", name))
		return b->err;
	for (int i = CAD_T_STRING; i <= CAD_T_ANY && type; i++)
		if (!strcmp(type, cad_vtype_names[i]))
			t = i;
	if (t < 0)
		return fail(b, CADENCE_EINVAL, "field '%s': unknown type '%s' (string, integer, "
			    "number, boolean, array, object or any)", name, type ? type : "");
	if (cad_model_field_index(b->def, name) >= 0)
		return fail(b, CADENCE_EINVAL, "field '%s' is declared twice", name);
	if (grow(b, (void **)&b->fields, b->nfields, &b->capfields, sizeof(*b->fields)))
		return b->err;
	cad_field *f = &b->fields[b->nfields];
	memset(f, 0, sizeof(*f));
	f->name = ref(b, name);
	f->type = (cad_vtype)t;
	f->required = !!(flags & CADENCE_FIELD_REQUIRED);
	f->immutable = !!(flags & CADENCE_FIELD_IMMUTABLE);
	if (!f->name.name || (def && !(f->def = cJSON_Duplicate(def, 1))))
		return oom(b);
	/* the names are indexed as they come: the cadence keeps the index */
	if (cad_strmap_add(&b->def->field_index, f->name.name, b->nfields) == STRMAP_NONE) {
		cJSON_Delete(f->def);
		f->def = NULL;
		return oom(b);
	}
	b->nfields++;
	return b->err;
}

/* ---- notes --------------------------------------------------------------------- */

static bnote *find_note(cadence_builder *b, const char *name)
{
	long i = name && b->def ? cad_model_note_index(b->def, name) : -1;
	return i < 0 ? NULL : &b->notes[i];
}

/* A note to declare, or (set) to extend. */
static bnote *new_note(cadence_builder *b, const char *name, cad_binding binding)
{
	bnote *n = find_note(b, name);
	if (b->err || name_ok(b, "note", name))
		return NULL;
	if (n) {
		if (binding == CAD_BIND_SET && n->n.binding == CAD_BIND_SET)
			return n;
		fail(b, CADENCE_EINVAL, "note '%s' is declared twice", name);
		return NULL;
	}
	if (grow(b, (void **)&b->notes, b->nnotes, &b->capnotes, sizeof(*b->notes)))
		return NULL;
	n = &b->notes[b->nnotes];
	memset(n, 0, sizeof(*n));
	n->n.name = ref(b, name);
	n->n.binding = binding;
	if (!b->err && cad_strmap_add(&b->def->note_index, n->n.name.name, b->nnotes) == STRMAP_NONE)
		oom(b);
	if (b->err)
		return NULL;
	b->nnotes++;
	return n;
}

/* A declared note, for its policies. */
static bnote *note(cadence_builder *b, const char *name)
{
	bnote *n = b->err ? NULL : find_note(b, name);
	if (!n && !b->err)
		fail(b, CADENCE_EINVAL, "note '%s' is not declared: declare it with "
		     "cadence_builder_symbol, _run or _set first", name ? name : "");
	return n;
}

int cadence_builder_symbol(cadence_builder *b, const char *name, const char *function)
{
	bnote *n = new_note(b, name, CAD_BIND_SYMBOL);
	if (n && (!function || !*function))
		return fail(b, CADENCE_EINVAL, "note '%s': no function name", name);
	if (n)
		n->n.symbol = str(b, function);
	return b->err;
}

static size_t count(const char *const *list)
{
	size_t n = 0;
	while (list && list[n])
		n++;
	return n;
}

int cadence_builder_run(cadence_builder *b, const char *name, const char *const *argv)
{
	bnote *n = new_note(b, name, CAD_BIND_RUN);
	size_t argc = count(argv);
	if (!n)
		return b->err;
	if (!argc)
		return fail(b, CADENCE_EINVAL, "note '%s': run needs a command", name);
	const char **a = cad_arena_alloc(&b->def->arena, (argc + 1) * sizeof(*a));
	if (!a)
		return oom(b);
	for (size_t i = 0; i < argc; i++)
		a[i] = str(b, argv[i]);
	n->n.argv = a;
	n->n.argc = argc;
	return b->err;
}

static cad_assign assign(cadence_builder *b, const char *field, const char *expr)
{
	cad_assign a;
	memset(&a, 0, sizeof(a));
	a.field = ref(b, field);
	a.expr.src = str(b, expr);
	return a;
}

int cadence_builder_set(cadence_builder *b, const char *name, const char *field,
			const char *expression)
{
	bnote *n = new_note(b, name, CAD_BIND_SET);
	if (!n || name_ok(b, "field", field))
		return b->err;
	if (!expression)
		return fail(b, CADENCE_EINVAL, "note '%s' sets '%s' to no expression", name, field);
	if (grow(b, (void **)&n->n.set, n->n.nset, &n->capset, sizeof(*n->n.set)))
		return b->err;
	n->n.set[n->n.nset++] = assign(b, field, expression);
	return b->err;
}

static cad_ref *refs(cadence_builder *b, const char *const *names, size_t *n)
{
	*n = count(names);
	if (!*n)
		return NULL;
	cad_ref *r = cad_arena_alloc(&b->def->arena, *n * sizeof(*r));
	if (!r) {
		oom(b);
		return NULL;
	}
	for (size_t i = 0; i < *n; i++)
		r[i] = ref(b, names[i]);
	return r;
}

int cadence_builder_reads(cadence_builder *b, const char *name, const char *const *fields)
{
	bnote *n = note(b, name);
	if (n)
		n->n.reads = refs(b, fields, &n->n.nreads);
	return b->err;
}

int cadence_builder_writes(cadence_builder *b, const char *name, const char *const *fields)
{
	bnote *n = note(b, name);
	if (n)
		n->n.writes = refs(b, fields, &n->n.nwrites);
	return b->err;
}

int cadence_builder_env(cadence_builder *b, const char *name, const char *const *variables)
{
	bnote *n = note(b, name);
	if (!n)
		return b->err;
	if (n->n.binding != CAD_BIND_RUN)
		return fail(b, CADENCE_EINVAL, "note '%s': only a run note has an environment "
			    "of its own", name);
	for (size_t i = 0; variables && variables[i]; i++) {
		size_t bad;
		const char *why = cad_scalar_env_name(variables[i], strlen(variables[i]), &bad);
		if (why)
			return fail(b, CADENCE_EINVAL, "note '%s': env '%s': %s", name,
				    variables[i], why);
	}
	n->n.has_env = 1;
	n->n.env = refs(b, variables, &n->n.nenv);
	return b->err;
}

int cadence_builder_retry(cadence_builder *b, const char *name, unsigned attempts,
			  int64_t delay_ms, double backoff, int64_t max_delay_ms, double jitter)
{
	bnote *n = note(b, name);
	if (!n)
		return b->err;
	if (attempts < 1 || delay_ms < 0 || backoff < 1 || jitter < 0 || jitter > 1 ||
	    (max_delay_ms >= 0 && max_delay_ms < delay_ms))
		return fail(b, CADENCE_EINVAL, "note '%s': retry needs attempts >= 1, delay >= 0, "
			    "backoff >= 1, jitter from 0 to 1 and max_delay >= delay (or -1)", name);
	cad_retry *r = &n->n.retry;
	r->present = 1;
	r->attempts = attempts;
	r->delay_ms = delay_ms;
	r->backoff = backoff;
	r->max_delay_ms = max_delay_ms < 0 ? -1 : max_delay_ms;
	r->jitter = jitter;
	return 0;
}

int cadence_builder_timeout(cadence_builder *b, const char *name, int64_t ms)
{
	bnote *n = note(b, name);
	if (n && ms <= 0)
		return fail(b, CADENCE_EINVAL, "note '%s': a timeout must be longer than 0", name);
	if (n)
		n->n.timeout_ms = ms;
	return b->err;
}

int cadence_builder_fallback(cadence_builder *b, const char *name, const char *field,
			     const cJSON *value)
{
	bnote *n = note(b, name);
	if (!n || name_ok(b, "field", field))
		return b->err;
	if (!value)
		return fail(b, CADENCE_EINVAL, "note '%s': fallback '%s' has no value", name, field);
	size_t cap = n->capfb;
	if (grow(b, (void **)&n->n.fallback, n->n.nfallback, &n->capfb, sizeof(*n->n.fallback)))
		return b->err;
	if (cap != n->capfb) {
		cJSON **v = cad_realloc_array(n->n.fallback_values, n->capfb, sizeof(*v));
		if (!v)
			return oom(b);
		n->n.fallback_values = v;
	}
	cJSON *copy = cJSON_Duplicate(value, 1);
	if (!copy)
		return oom(b);
	n->n.fallback[n->n.nfallback] = assign(b, field, "");
	n->n.fallback_values[n->n.nfallback++] = copy;
	return b->err;
}

int cadence_builder_breaker(cadence_builder *b, const char *name, int64_t failure_threshold,
			    int64_t recovery_ms, int64_t half_open_max)
{
	bnote *n = note(b, name);
	if (!n)
		return b->err;
	if (failure_threshold < 1 || recovery_ms <= 0 || half_open_max < 1)
		return fail(b, CADENCE_EINVAL, "note '%s': a circuit breaker needs "
			    "failure_threshold >= 1, recovery > 0 and half_open_max >= 1", name);
	cad_breaker *br = &n->n.breaker;
	br->present = 1;
	br->failure_threshold = failure_threshold;
	br->recovery_ms = recovery_ms;
	br->half_open_max = half_open_max;
	return 0;
}

/* ---- measures -------------------------------------------------------------------- */

static cad_measure *measure(cadence_builder *b, const char *name, cad_measure_kind kind)
{
	if (b->err || name_ok(b, "measure", name))
		return NULL;
	if (cad_model_measure_index(b->def, name) >= 0) {
		fail(b, CADENCE_EINVAL, "measure '%s' is declared twice", name);
		return NULL;
	}
	if (grow(b, (void **)&b->measures, b->nmeasures, &b->capmeasures, sizeof(*b->measures)))
		return NULL;
	cad_measure *m = &b->measures[b->nmeasures];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->name = ref(b, name);
	if (!b->err && cad_strmap_add(&b->def->measure_index, m->name.name, b->nmeasures) == STRMAP_NONE)
		oom(b);
	if (b->err)
		return NULL;
	b->nmeasures++;
	return m;
}

static int some_notes(cadence_builder *b, const char *measure_name, const char *const *notes)
{
	if (!count(notes))
		return fail(b, CADENCE_EINVAL, "measure '%s' has no notes", measure_name);
	return 0;
}

int cadence_builder_then(cadence_builder *b, const char *name, const char *note_name)
{
	cad_measure *m = measure(b, name, CAD_M_THEN);
	const char *list[] = { note_name ? note_name : name, NULL };
	if (m)
		m->notes = refs(b, list, &m->nnotes);
	return b->err;
}

int cadence_builder_sequence(cadence_builder *b, const char *name, const char *const *notes)
{
	cad_measure *m = measure(b, name, CAD_M_SEQUENCE);
	if (m && !some_notes(b, name, notes))
		m->notes = refs(b, notes, &m->nnotes);
	return b->err;
}

int cadence_builder_sync(cadence_builder *b, const char *name, const char *merge,
			 const char *const *notes)
{
	int strategy = merge ? -1 : CAD_MERGE_FAIL_ON_CONFLICT;
	for (int i = CAD_MERGE_FAIL_ON_CONFLICT; i <= CAD_MERGE_SMART && merge; i++)
		if (!strcmp(merge, cad_merge_names[i]))
			strategy = i;
	if (strategy < 0 && !b->err)
		return fail(b, CADENCE_EINVAL, "sync '%s': unknown merge '%s' (fail_on_conflict, "
			    "last_write_wins or smart_merge)", name ? name : "", merge);
	cad_measure *m = measure(b, name, CAD_M_SYNC);
	if (m && !some_notes(b, name, notes)) {
		m->notes = refs(b, notes, &m->nnotes);
		m->merge = (cad_merge)strategy;
	}
	return b->err;
}

int cadence_builder_split(cadence_builder *b, const char *name, const char *when,
			  const char *const *if_true, const char *const *if_false)
{
	cad_measure *m = measure(b, name, CAD_M_SPLIT);
	if (m && !when)
		return fail(b, CADENCE_EINVAL, "split '%s' has no condition", name);
	if (m) {
		m->when.src = str(b, when);
		m->notes = refs(b, if_true, &m->nnotes);
		m->else_notes = refs(b, if_false, &m->nelse);
	}
	return b->err;
}

static cad_assign *pairs(cadence_builder *b, const char *measure_name, const char *const *kv,
			 size_t *n)
{
	size_t k = count(kv);
	*n = 0;
	if (k % 2) {
		fail(b, CADENCE_EINVAL, "child '%s': with and merge take FIELD, EXPRESSION pairs",
		     measure_name);
		return NULL;
	}
	if (!k)
		return NULL;
	cad_assign *a = cad_arena_alloc(&b->def->arena, k / 2 * sizeof(*a));
	if (!a) {
		oom(b);
		return NULL;
	}
	for (size_t i = 0; i < k / 2; i++) {
		if (name_ok(b, "field", kv[2 * i]))
			return NULL;
		a[i] = assign(b, kv[2 * i], kv[2 * i + 1]);
	}
	*n = k / 2;
	return a;
}

int cadence_builder_child(cadence_builder *b, const char *name, const char *cadence,
			  const char *const *with, const char *const *merge)
{
	cad_measure *m = measure(b, name, CAD_M_CHILD);
	if (m) {
		m->cadence = ref(b, cadence ? cadence : name);
		m->with = pairs(b, name, with, &m->nwith);
		m->merge_back = pairs(b, name, merge, &m->nmerge_back);
	}
	return b->err;
}

int cadence_builder_on_error(cadence_builder *b, const char *name, int stop)
{
	if (b->err || name_ok(b, "note", name))
		return b->err;
	b->def->has_on_error = 1;
	b->def->on_error_note = ref(b, name);
	b->def->on_error_stop = !!stop;
	return b->err;
}

int cadence_builder_dag(cadence_builder *b, const char *name, const char *merge,
			const char *on_failure, unsigned jobs)
{
	int strategy = merge ? -1 : CAD_MERGE_FAIL_ON_CONFLICT;
	int mode = on_failure ? -1 : CAD_ON_FAILURE_FINISH;
	for (int i = CAD_MERGE_FAIL_ON_CONFLICT; i <= CAD_MERGE_SMART && merge; i++)
		if (!strcmp(merge, cad_merge_names[i]))
			strategy = i;
	for (int i = CAD_ON_FAILURE_FINISH; i <= CAD_ON_FAILURE_CONTINUE && on_failure; i++)
		if (!strcmp(on_failure, cad_on_failure_names[i]))
			mode = i;
	if (b->err)
		return b->err;
	if (strategy < 0)
		return fail(b, CADENCE_EINVAL, "dag '%s': unknown merge '%s' (fail_on_conflict, "
			    "last_write_wins or smart_merge)", name ? name : "", merge);
	if (mode < 0)
		return fail(b, CADENCE_EINVAL, "dag '%s': unknown on_failure '%s' (finish, stop or "
			    "continue)", name ? name : "", on_failure);
	if (jobs > CADENCE_MAX_DAG_JOBS)
		return fail(b, CADENCE_EINVAL, "dag '%s': jobs %u is more than %d", name ? name : "",
			    jobs, CADENCE_MAX_DAG_JOBS);
	cad_measure *m = measure(b, name, CAD_M_DAG);
	if (m) {
		m->merge = (cad_merge)strategy;
		m->on_failure = (cad_on_failure)mode;
		m->jobs = jobs;
		b->captasks = 0;
		cad_strmap_free(&b->tasknames);
	}
	return b->err;
}

/* A new task of the dag just added, its name, after and when set; NULL
 * with b->err set. */
static cad_task *add_task(cadence_builder *b, const char *task, const char *const *after,
			  const char *when)
{
	if (b->err || name_ok(b, "task", task))
		return NULL;
	cad_measure *m = b->nmeasures ? &b->measures[b->nmeasures - 1] : NULL;
	if (!m || m->kind != CAD_M_DAG) {
		fail(b, CADENCE_EINVAL, "task '%s' needs a dag measure before it "
		     "(cadence_builder_dag())", task);
		return NULL;
	}
	if (cad_strmap_get(&b->tasknames, task) != STRMAP_NONE) {
		fail(b, CADENCE_EINVAL, "dag '%s': task '%s' is declared twice", m->name.name, task);
		return NULL;
	}
	if (m->ntasks >= CADENCE_MAX_TASKS) {
		fail(b, CADENCE_EINVAL, "dag '%s': more than %d tasks", m->name.name,
		     CADENCE_MAX_TASKS);
		return NULL;
	}
	if (grow(b, (void **)&m->tasks, m->ntasks, &b->captasks, sizeof(*m->tasks)))
		return NULL;
	cad_task *t = &m->tasks[m->ntasks];
	t->name = ref(b, task);
	t->after = refs(b, after, &t->nafter);
	if (when)
		t->when.src = str(b, when);
	if (!b->err && cad_strmap_add(&b->tasknames, t->name.name, m->ntasks) == STRMAP_NONE)
		oom(b);
	if (b->err)
		return NULL;
	m->ntasks++;
	return t;
}

int cadence_builder_task(cadence_builder *b, const char *task, const char *note_name,
			 const char *const *after, const char *when)
{
	if (b->err || (note_name && name_ok(b, "note", note_name)))
		return b->err;
	cad_task *t = add_task(b, task, after, when);
	if (t)
		t->note = note_name ? ref(b, note_name) : t->name;
	return b->err;
}

int cadence_builder_child_task(cadence_builder *b, const char *task, const char *cadence,
			       const char *const *with, const char *const *merge,
			       const char *const *after, const char *when)
{
	if (b->err || name_ok(b, "task", task))
		return b->err;
	cad_measure *c = cad_arena_alloc(&b->def->arena, sizeof(*c));
	if (!c)
		return oom(b);
	memset(c, 0, sizeof(*c));
	c->kind = CAD_M_CHILD;
	c->cadence = ref(b, cadence ? cadence : task);
	c->with = pairs(b, task, with, &c->nwith);
	c->merge_back = pairs(b, task, merge, &c->nmerge_back);
	cad_task *t = b->err ? NULL : add_task(b, task, after, when);
	if (t) {
		c->name = t->name;
		t->child = c;
	}
	return b->err;
}

/* The index of `word` in names[0, n), or -1. */
static int enum_index(const char *const *names, int n, const char *word)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], word))
			return i;
	return -1;
}

int cadence_builder_schedule(cadence_builder *b, const char *cron, const char *timezone,
			     const char *overlap, const char *catch_up, unsigned catch_up_max,
			     int64_t jitter_ms, const cJSON *score)
{
	cad_schedule *s = b->def ? &b->def->schedule : NULL;
	int ov = overlap ? enum_index(cad_overlap_names, 4, overlap) : CAD_OVERLAP_SKIP;
	int cu = catch_up ? enum_index(cad_catch_up_names, 3, catch_up) : CAD_CATCH_UP_NONE;
	if (b->err)
		return b->err;
	if (!cron || !*cron)
		return fail(b, CADENCE_EINVAL, "a schedule needs a cron expression");
	if (s->present)
		return fail(b, CADENCE_EINVAL, "the cadence has a schedule already");
	if (ov < 0)
		return fail(b, CADENCE_EINVAL, "unknown overlap '%s' (skip, queue_one, replace or "
			    "allow)", overlap);
	if (cu < 0)
		return fail(b, CADENCE_EINVAL, "unknown catch_up '%s' (none, latest or all)",
			    catch_up);
	if (jitter_ms < 0)
		return fail(b, CADENCE_EINVAL, "jitter %lld ms is negative", (long long)jitter_ms);
	if (catch_up_max > CAD_MAX_CATCH_UP)
		return fail(b, CADENCE_EINVAL, "catch_up_max %u is more than %d", catch_up_max,
			    CAD_MAX_CATCH_UP);
	if (score && !cJSON_IsObject(score))
		return fail(b, CADENCE_EINVAL, "a schedule's score is a JSON object");
	if (score && !(s->score = cJSON_Duplicate(score, 1)))
		return oom(b);
	s->present = 1;
	s->cron.src = str(b, cron);
	s->timezone = timezone ? str(b, timezone) : NULL;
	s->overlap = (cad_overlap)ov;
	s->catch_up = (cad_catch_up)cu;
	s->catch_up_max = catch_up_max ? catch_up_max : CAD_DEFAULT_CATCH_UP_MAX;
	s->jitter_ms = jitter_ms;
	s->enabled = 1;
	return b->err;
}

int cadence_builder_precheck(cadence_builder *b, const char *when, const char *note_name)
{
	if (b->err)
		return b->err;
	if (!when == !note_name)
		return fail(b, CADENCE_EINVAL, "a precheck takes exactly one of an expression and "
			    "a note");
	if (b->def->has_precheck)
		return fail(b, CADENCE_EINVAL, "the cadence has a precheck already");
	if (note_name && name_ok(b, "note", note_name))
		return b->err;
	b->def->has_precheck = 1;
	if (when)
		b->def->precheck_when.src = str(b, when);
	else
		b->def->precheck_note = ref(b, note_name);
	return b->err;
}

/* ---- finish ---------------------------------------------------------------------- */

static int declared(cadence_builder *b, const char *what, const cad_ref *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!find_note(b, r[i].name))
			return fail(b, CADENCE_EINVAL, "%s runs note '%s', which is not declared",
				    what, r[i].name);
	return 0;
}

/* Copies n elements of size into the arena. */
static void *keep(cadence_builder *b, const void *p, size_t n, size_t size)
{
	if (!n)
		return NULL;
	void *c = cad_arena_alloc(&b->def->arena, n * size);
	if (!c)
		oom(b);
	else
		memcpy(c, p, n * size);
	return c;
}

static int finish(cadence_def **out, cadence_builder *b)
{
	struct cadence_def *def = b->def;
	if (b->err)
		return b->err;
	if (!b->nmeasures)
		return fail(b, CADENCE_EINVAL, "cadence '%s' has no measure: a cadence needs at "
			    "least one", def->name.name);
	for (size_t i = 0; i < b->nmeasures; i++) {
		const cad_measure *m = &b->measures[i];
		strbuf what = STRBUF_INIT;
		cad_strbuf_addf(&what, "%s '%s'", cad_measure_kind_names[m->kind], m->name.name);
		declared(b, cad_strbuf_cstr(&what) ? cad_strbuf_cstr(&what) : "a measure", m->notes, m->nnotes);
		declared(b, cad_strbuf_cstr(&what) ? cad_strbuf_cstr(&what) : "a measure", m->else_notes, m->nelse);
		for (size_t t = 0; t < m->ntasks; t++)
			if (!m->tasks[t].child)
				declared(b, cad_strbuf_cstr(&what) ? cad_strbuf_cstr(&what)
					 : "a measure", &m->tasks[t].note, 1);
		if (m->kind == CAD_M_DAG && !m->ntasks)
			fail(b, CADENCE_EINVAL, "dag '%s' has no task: add one with "
			     "cadence_builder_task()", m->name.name);
		cad_strbuf_free(&what);
	}
	if (def->has_on_error)
		declared(b, "on_error", &def->on_error_note, 1);
	if (def->precheck_note.name)
		declared(b, "the precheck", &def->precheck_note, 1);
	if (b->err)
		return b->err;
	/* into the arena: the result owns everything */
	cad_note *notes = b->nnotes ? cad_arena_alloc(&def->arena, b->nnotes * sizeof(*notes)) : NULL;
	if (b->nnotes && !notes)
		return oom(b);
	for (size_t i = 0; i < b->nnotes; i++) {
		cad_note *n = &notes[i];
		*n = b->notes[i].n;
		n->set = keep(b, b->notes[i].n.set, n->nset, sizeof(*n->set));
		n->fallback = keep(b, b->notes[i].n.fallback, n->nfallback, sizeof(*n->fallback));
		n->fallback_values = keep(b, b->notes[i].n.fallback_values, n->nfallback,
					  sizeof(*n->fallback_values));
	}
	def->fields = keep(b, b->fields, b->nfields, sizeof(*b->fields));
	def->measures = keep(b, b->measures, b->nmeasures, sizeof(*b->measures));
	for (size_t i = 0; def->measures && i < b->nmeasures; i++)
		def->measures[i].tasks = keep(b, b->measures[i].tasks, b->measures[i].ntasks,
					      sizeof(*b->measures[i].tasks));
	if (b->err)
		return b->err;
	def->notes = notes;
	def->nnotes = b->nnotes;
	def->nfields = b->nfields;
	def->nmeasures = b->nmeasures;
	/* the values now belong to the cadence */
	for (size_t i = 0; i < b->nnotes; i++)
		b->notes[i].n.nfallback = 0;
	b->nfields = 0;
	free_parts(b);
	b->def = NULL;
	*out = def;
	/* any later call fails, sticky, rather than touch the cadence it made */
	fail(b, CADENCE_EINVAL, "the builder was finished already");
	return 0;
}

int cadence_builder_finish(cadence_def **out, cadence_builder *b, cadence_run_error *err)
{
	if (out)
		*out = NULL;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	if (!out || !b)
		return cad_err_set(err, CADENCE_EINVAL, "cadence_builder_finish: out and b must not be NULL");
	int rc = finish(out, b);
	if (rc)
		cad_err_set(err, rc, "%s", cad_strbuf_cstr(&b->msg) ? b->msg.buf : cadence_strerror(rc));
	return rc;
}
