/* SPDX-License-Identifier: MIT */
/* Compiling cadences for running: every name resolved to a pointer or an
 * index once (notes, fields, children, symbols, breakers), every
 * expression compiled once, so a run does no lookups by name. */
#include "run/run_int.h"
#include "project/project.h"
#include "note/call.h"
#include "util/sort.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct pctx {
	cadence_runner *r;
	strbuf msg;		/* the first problem */
	const char *cadence;
	const char *measure;
	const char *note;
	int code;
	unsigned depth;		/* plans being compiled, one inside the other */
} pctx;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void problem(pctx *c, const char *fmt, ...)
{
	va_list ap;
	if (c->code)
		return;
	c->code = CADENCE_EINVALID;
	va_start(ap, fmt);
	cad_strbuf_vaddf(&c->msg, fmt, ap);
	va_end(ap);
}

static void oom(pctx *c)
{
	if (!c->code) {
		c->code = CADENCE_ENOMEM;
		cad_strbuf_adds(&c->msg, "out of memory");
	}
}

static void *zalloc(pctx *c, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		oom(c);
	return p;
}

/* e over p's score, compiled into `home`: the arena of the plan that owns
 * (and frees) the result, which for a child's `with` and `merge` is not
 * the plan whose score it reads.  What the check compiled and the project
 * kept is borrowed instead (project/kept.h).  What e is, in a message, is
 * a format formatted only for a problem (here and in field_index()): the
 * 10,000 `set` notes of a wide cadence formatted 10,000 texts no one read. */
/* what_fmt with ap, into `what`: its text, or "out of memory". */
static const char *what_text(strbuf *what, const char *what_fmt, va_list ap)
{
	cad_strbuf_vaddf(what, what_fmt, ap);
	return cad_strbuf_cstr(what) ? cad_strbuf_cstr(what) : "out of memory";
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static rexpr *compile(pctx *c, const rplan *p, arena *home, const cad_expr *e,
		      const char *what_fmt, ...)
{
	rexpr *x = NULL;
	strbuf msg = STRBUF_INIT;
	if (c->code)
		return NULL;
	const cadence_expr *kept = p->kept ? cad_kept_get(p->kept, e, p->def) : NULL;
	if (kept ? cad_rexpr_borrow(&x, kept, e, home, &msg)
		 : cad_rexpr_compile(&x, p->env, e, home, &msg)) {
		strbuf what = STRBUF_INIT;
		va_list ap;
		va_start(ap, what_fmt);
		problem(c, "%s: %s", what_text(&what, what_fmt, ap),
			cad_strbuf_cstr(&msg) ? cad_strbuf_cstr(&msg) : "out of memory");
		va_end(ap);
		cad_strbuf_free(&what);
		x = NULL;
	}
	cad_strbuf_free(&msg);
	return x;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static long field_index(pctx *c, const rplan *p, const char *name, const char *what_fmt, ...)
{
	long i = cad_model_field_index(p->def, name);
	if (i < 0) {
		strbuf what = STRBUF_INIT;
		va_list ap;
		va_start(ap, what_fmt);
		problem(c, "%s names field '%s', which cadence '%s' does not declare",
			what_text(&what, what_fmt, ap), name, p->name);
		va_end(ap);
		cad_strbuf_free(&what);
	}
	return i;
}

/* `fields` as a change's known fields (cad_score_check_changes()): NULL
 * when one is there twice.  (An unknown one, -1, is a problem already:
 * such a plan never runs.) */
static const long *distinct(pctx *c, const long *fields, size_t n)
{
	if (!fields || n < 2)
		return fields;
	long *sorted = zalloc(c, n, sizeof(*sorted));
	if (!sorted)
		return NULL;
	memcpy(sorted, fields, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cad_cmp_long);
	size_t i = 1;
	while (i < n && sorted[i] != sorted[i - 1])
		i++;
	free(sorted);
	return i == n ? fields : NULL;
}

/* argv with argv[0] made relative to the cadence file's directory. */
static char **resolve_argv(pctx *c, const rplan *p, const cad_note *n)
{
	char **argv = zalloc(c, n->argc + 1, sizeof(*argv));
	if (!argv)
		return NULL;
	for (size_t i = 0; i < n->argc; i++) {
		strbuf s = STRBUF_INIT;
		if (i == 0 && strchr(n->argv[0], '/') && n->argv[0][0] != '/')
			cad_strbuf_adds(&s, p->dir);
		cad_strbuf_adds(&s, n->argv[i]);
		if (!(argv[i] = cad_strbuf_detach(&s))) {
			oom(c);
			break;
		}
	}
	return argv;
}

/* The note's writes as sorted, distinct field indexes (names the cadence
 * does not declare were reported by the checker; they allow nothing). */
static rwrites *writes_of(pctx *c, const rplan *p, const cad_note *n)
{
	rwrites *w = zalloc(c, 1, sizeof(*w));
	if (!w || !(w->field = zalloc(c, n->nwrites, sizeof(*w->field))))
		return w;
	for (size_t i = 0; i < n->nwrites; i++) {
		long f = cad_model_field_index(p->def, n->writes[i].name);
		if (f >= 0)
			w->field[w->n++] = (size_t)f;
	}
	if (w->n > 1)
		qsort(w->field, w->n, sizeof(*w->field), cad_cmp_size);
	size_t k = 0;
	for (size_t i = 0; i < w->n; i++)
		if (!k || w->field[k - 1] != w->field[i])
			w->field[k++] = w->field[i];
	w->n = k;
	return w;
}

/* rnote.declared: a C note's declared fields, as many as fit. */
static void declared_of(const rplan *p, rnote *rn, const cad_note *n)
{
	size_t used = 0;
	for (size_t i = 0; i < n->nreads + n->nwrites && rn->ndeclared < RNOTE_DECLARED; i++) {
		const char *name = i < n->nreads ? n->reads[i].name : n->writes[i - n->nreads].name;
		long f = cad_model_field_index(p->def, name);
		size_t len = strlen(name);
		if (f < 0 || (uint64_t)f > UINT32_MAX || len >= sizeof(rn->declared) - used)
			break;	/* the hash finds the rest */
		memcpy(rn->declared + used, name, len + 1);
		used += len + 1;
		rn->declared_field[rn->ndeclared++] = (uint32_t)f;
	}
}

static void compile_note(pctx *c, rplan *p, rnote *rn, const cad_note *n)
{
	cadence_runner *r = c->r;
	rn->n = n;
	rn->name = n->name.name;
	rn->plan = p;
	if (r->hooks.on_note)	/* what the hooks keep per note, found once */
		rn->hook_data = r->hooks.on_note(r->hooks.ctx, p->name, rn->name);
	/* attempts has no upper bound in the format: beyond UINT_MAX (which no
	 * run reaches) it is UINT_MAX, not what is left of it in 32 bits */
	rn->attempts = !n->retry.present || n->retry.attempts <= 1 ? 1
		       : n->retry.attempts > UINT_MAX ? UINT_MAX
		       : (unsigned)n->retry.attempts;
	c->note = rn->name;
	switch (n->binding) {
	case CAD_BIND_RUN:
		rn->argv = resolve_argv(c, p, n);
		break;
	case CAD_BIND_SET:
		rn->set = zalloc(c, n->nset, sizeof(*rn->set));
		rn->set_field = zalloc(c, n->nset, sizeof(*rn->set_field));
		for (size_t i = 0; rn->set && rn->set_field && i < n->nset; i++) {
			const char *field = n->set[i].field.name;
			rn->set_field[i] = field_index(c, p, field, "note '%s' sets '%s'", rn->name,
						       field);
			rn->set[i] = compile(c, p, &p->exprs, &n->set[i].expr,
					     "note '%s' sets '%s'", rn->name, field);
		}
		rn->set_known = distinct(c, rn->set_field, n->nset);
		break;
	case CAD_BIND_SYMBOL: {
		/* a function the program registered, else one of a plugin's */
		size_t i = cad_strmap_get(&r->symbol_index, n->symbol);
		if (i != STRMAP_NONE) {
			rn->fn = r->symbols[i].fn;
			rn->userdata = r->symbols[i].userdata;
		} else {
			rn->fn = cad_plugin_find(r, n->symbol);
		}
		declared_of(p, rn, n);
		break;
	}
	}
	if (n->nwrites)
		rn->writes = writes_of(c, p, n);
	if (n->nfallback) {
		rn->fallback_field = zalloc(c, n->nfallback, sizeof(*rn->fallback_field));
		for (size_t i = 0; rn->fallback_field && i < n->nfallback; i++)
			rn->fallback_field[i] = field_index(c, p, n->fallback[i].field.name,
							    "the fallback");
		rn->fallback_known = distinct(c, rn->fallback_field, n->nfallback);
	}
	if (n->breaker.present) {
		int e = cad_rbreakers_ready(r->breakers);
		if (e) {
			strbuf reason = STRBUF_INIT;
			cad_rproc_strerror(e, &reason);
			problem(c, "note '%s' has a circuit breaker, and its state directory %s "
				"cannot be used: %s", rn->name, r->state_dir,
				cad_strbuf_cstr(&reason) ? cad_strbuf_cstr(&reason) : "");
			cad_strbuf_free(&reason);
		}
		rn->breaker = cad_rbreakers_get(r->breakers, p->def->path, p->name, rn->name,
						&n->breaker);
		strbuf why = STRBUF_INIT;
		if (!rn->breaker)
			oom(c);
		else if (!c->code && cad_rbreaker_check(rn->breaker, &why))
			problem(c, "note '%s' has a circuit breaker, and its state file %s", rn->name,
				cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "cannot be used");
		cad_strbuf_free(&why);
	}
	c->note = NULL;
}

static rnote *note_ref(pctx *c, rplan *p, const cad_ref *ref, const char *measure)
{
	long i = cad_model_note_index(p->def, ref->name);
	if (i < 0) {
		problem(c, "measure '%s' runs note '%s', which cadence '%s' does not declare",
			measure, ref->name, p->name);
		return NULL;
	}
	return &p->notes[i];
}

static rnote **note_refs(pctx *c, rplan *p, const cad_ref *refs, size_t n, const char *measure)
{
	rnote **out = zalloc(c, n, sizeof(*out));
	for (size_t i = 0; out && i < n; i++)
		out[i] = note_ref(c, p, &refs[i], measure);
	return out;
}

static rplan *plan_for(pctx *c, const cadence_def *def);

/* "child measure" or, for a dag's child task, "task": in messages. */
static const char *child_kind(const rplan *p, const rmeasure *rm)
{
	return p->def->measures[rm->index].kind == CAD_M_DAG ? "task" : "child measure";
}

static const cadence_def *find_child(pctx *c, rplan *p, const rmeasure *rm)
{
	cadence_runner *r = c->r;
	const cad_measure *m = rm->m;
	const char *kind = child_kind(p, rm);
	const char *ref = m->cadence.name;
	const strmap_entry *e = cad_strmap_find(&r->extra, ref, strlen(ref));
	if (e)
		return e->v.p;
	if (!r->project) {
		problem(c, "%s '%s' runs cadence '%s', which the runner does not know "
			"(add it with cadence_runner_add_cadence())", kind, m->name.name, ref);
		return NULL;
	}
	const cadence_def *child = NULL;
	const char *path = NULL;
	cadence_diags *diags = NULL;
	if (cadence_diags_new(&diags)) {
		oom(c);
		return NULL;
	}
	int rc = cad_project_child_of(&child, &path, r->project, p->def, m, diags);
	if (rc == CADENCE_ENOTFOUND)
		problem(c, "%s '%s': cadence '%s' not found (looked for %s)",
			kind, m->name.name, ref, path ? path : ref);
	else if (rc == CADENCE_EINVALID)
		problem(c, "%s '%s': cadence file %s has errors "
			"(see 'cadence validate %s')", kind, m->name.name, path ? path : ref,
			path ? path : ref);
	else if (rc == CADENCE_EOUTSIDE)
		problem(c, "%s '%s': cadence %s is outside the project root",
			kind, m->name.name, path ? path : ref);
	else if (rc)
		oom(c);
	cadence_diags_free(diags);
	return rc ? NULL : child;
}

/* A child's `with` or `merge`: fields of `target`, expressions over the
 * score of `source`. */
static rexpr **assigns(pctx *c, const char *kind, const char *measure, const char *what,
		       const cad_assign *as,
		       size_t n, const rplan *target, const rplan *source, arena *home,
		       long **fields)
{
	rexpr **exprs = zalloc(c, n, sizeof(*exprs));
	*fields = zalloc(c, n, sizeof(**fields));
	for (size_t i = 0; exprs && *fields && i < n; i++) {
		const char *field = as[i].field.name;
		(*fields)[i] = field_index(c, target, field, "%s '%s' %s '%s'", kind, measure,
					   what, field);
		exprs[i] = compile(c, source, home, &as[i].expr, "%s '%s' %s '%s'", kind, measure,
				   what, field);
	}
	return exprs;
}

/* ---- dags ---------------------------------------------------------------
 * The checker reports what is wrong with a dag (undefined-after,
 * duplicate-task, dag-cycle); a cadence built in code is not checked, so
 * the plan refuses the same, with one message. */

/* The index of each task's name; a task listed twice is a problem. */
static void dag_names(pctx *c, const cad_measure *m, strmap *names)
{
	if (cad_strmap_reserve(names, m->ntasks)) {
		oom(c);
		return;
	}
	for (size_t i = 0; i < m->ntasks && !c->code; i++) {
		size_t at = cad_strmap_add(names, m->tasks[i].name.name, i);
		if (at == STRMAP_NONE)
			oom(c);
		else if (at != i)
			problem(c, "dag '%s' lists task '%s' twice: give each task a name of its own",
				m->name.name, m->tasks[i].name.name);
	}
}

/* The after and next lists, in one block of 2 x the edges. */
static void dag_edges(pctx *c, rmeasure *rm, const strmap *names)
{
	const cad_measure *m = rm->m;
	size_t ne = 0, used = 0;
	for (size_t i = 0; i < m->ntasks; i++)
		ne += m->tasks[i].nafter;
	if (!(rm->edges = zalloc(c, 2 * ne, sizeof(*rm->edges))))
		return;
	for (size_t i = 0; i < m->ntasks && !c->code; i++) {
		rdtask *t = &rm->tasks[i];
		t->after = rm->edges + used;
		for (size_t k = 0; k < t->t->nafter; k++) {
			const char *a = t->t->after[k].name;
			size_t j = cad_strmap_get(names, a);
			if (j == STRMAP_NONE)
				problem(c, "dag '%s': task '%s' is after '%s', which is no task of the dag",
					m->name.name, t->t->name.name, a);
			else if (j == i)
				problem(c, "dag '%s': task '%s' is after itself", m->name.name, a);
			else
				rm->tasks[j].nnext++;
			t->after[t->nafter++] = j;
		}
		used += t->nafter;
	}
	for (size_t i = 0; i < m->ntasks && !c->code; i++) {
		rm->tasks[i].next = rm->edges + used;
		used += rm->tasks[i].nnext;
		rm->tasks[i].nnext = 0;
	}
	for (size_t i = 0; i < m->ntasks && !c->code; i++)
		for (size_t k = 0; k < rm->tasks[i].nafter; k++) {
			rdtask *a = &rm->tasks[rm->tasks[i].after[k]];
			a->next[a->nnext++] = i;
		}
}

/* A circle among the tasks Kahn's algorithm left (`left`: 1 each), as
 * "a -> b -> a": walking `after` from one of them must come back. */
static void dag_cycle(pctx *c, const rmeasure *rm, unsigned char *left)
{
	size_t at = 0, n = rm->ntasks;
	while (!left[at])
		at++;
	/* n steps reach the circle; marking then finds where it closes */
	for (size_t step = 0; step < n; step++)
		for (size_t k = 0; k < rm->tasks[at].nafter; k++)
			if (left[rm->tasks[at].after[k]]) {
				at = rm->tasks[at].after[k];
				break;
			}
	strbuf path = STRBUF_INIT;
	size_t start = at;
	do {
		cad_strbuf_addf(&path, "%s -> ", rm->tasks[at].t->name.name);
		for (size_t k = 0; k < rm->tasks[at].nafter; k++)
			if (left[rm->tasks[at].after[k]]) {
				at = rm->tasks[at].after[k];
				break;
			}
	} while (at != start);
	cad_strbuf_adds(&path, rm->tasks[at].t->name.name);
	/* the walk went against `after`: the circle reads the other way */
	problem(c, "dag '%s': tasks depend on each other in a circle (each is after the "
		"next): %s", rm->m->name.name, cad_strbuf_cstr(&path) ? cad_strbuf_cstr(&path) : "");
	cad_strbuf_free(&path);
}

/* The dag order: Kahn's algorithm, the ready task listed first next. */
static void dag_order(pctx *c, rmeasure *rm)
{
	size_t n = rm->ntasks, done = 0;
	size_t *waiting = zalloc(c, n, sizeof(*waiting));
	rheap h = { zalloc(c, n, sizeof(size_t)), 0 };
	rm->order = zalloc(c, n, sizeof(*rm->order));
	if (!waiting || !h.v || !rm->order)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!(waiting[i] = rm->tasks[i].nafter))
			cad_heap_push(&h, i);
	while (h.n) {
		size_t i = cad_heap_pop(&h);
		rm->tasks[i].pos = done;
		rm->order[done++] = i;
		for (size_t k = 0; k < rm->tasks[i].nnext; k++)
			if (!--waiting[rm->tasks[i].next[k]])
				cad_heap_push(&h, rm->tasks[i].next[k]);
	}
	if (done < n) {
		unsigned char *left = (unsigned char *)waiting;	/* reused: a byte each */
		for (size_t i = 0; i < n; i++)
			left[i] = waiting[i] != 0;
		dag_cycle(c, rm, left);
	}
out:
	free(waiting);
	free(h.v);
}

/* rm->m, a child measure or a dag's child task: its child's plan and its
 * with and merge. */
static void compile_child(pctx *c, rplan *p, rmeasure *rm)
{
	const cad_measure *m = rm->m;
	const char *name = m->name.name, *measure = c->measure;
	const cadence_def *cd = find_child(c, p, rm);
	rplan *child = cd ? plan_for(c, cd) : NULL;
	if (!child)
		return;
	rm->child = child;
	c->measure = name;
	c->cadence = p->name;
	rm->with = assigns(c, child_kind(p, rm), name, "with", m->with, m->nwith, child, p,
			   &p->exprs, &rm->with_field);
	/* merge expressions read the child's final score */
	rm->merge = assigns(c, child_kind(p, rm), name, "merge", m->merge_back, m->nmerge_back, p,
			    child, &p->exprs, &rm->merge_field);
	rm->merge_known = distinct(c, rm->merge_field, m->nmerge_back);
	c->measure = measure;
}

static void compile_dag(pctx *c, rplan *p, rmeasure *rm)
{
	const cad_measure *m = rm->m;
	strmap names = STRMAP_INIT;
	if (!m->ntasks) {
		problem(c, "dag '%s' has no tasks: give it a list of tasks", m->name.name);
		return;
	}
	if (!(rm->tasks = zalloc(c, m->ntasks, sizeof(*rm->tasks))))
		return;
	rm->ntasks = m->ntasks;
	for (size_t i = 0; i < m->ntasks && !c->code; i++) {
		rdtask *t = &rm->tasks[i];
		t->t = &m->tasks[i];
		if (t->t->child) {
			if ((t->child = zalloc(c, 1, sizeof(*t->child)))) {
				t->child->m = t->t->child;
				t->child->index = rm->index;
				compile_child(c, p, t->child);
			}
		} else {
			t->note = note_ref(c, p, &t->t->note, m->name.name);
		}
		if (t->t->when.src) {
			strbuf what = STRBUF_INIT;
			const char *type;
			cad_strbuf_addf(&what, "dag '%s' task '%s' when", m->name.name,
					t->t->name.name);
			t->when = compile(c, p, &p->exprs, &t->t->when, "%s", cad_strbuf_cstr(&what));
			if (t->when && cad_rexpr_not_bool(t->when, &type))
				problem(c, "%s: its condition '%s' gives %s %s, not a bool",
					cad_strbuf_cstr(&what), t->t->when.src,
					strchr("aeiou", type[0]) ? "an" : "a", type);
			cad_strbuf_free(&what);
		}
	}
	if (!c->code)
		dag_names(c, m, &names);
	if (!c->code)
		dag_edges(c, rm, &names);
	if (!c->code)
		dag_order(c, rm);
	cad_strmap_free(&names);
}

static void compile_measure(pctx *c, rplan *p, rmeasure *rm, size_t index)
{
	const cad_measure *m = &p->def->measures[index];
	const char *name = m->name.name;
	rm->m = m;
	rm->index = index;
	c->measure = name;
	rm->notes = note_refs(c, p, m->notes, m->nnotes, name);
	rm->nnotes = m->nnotes;
	if (m->kind == CAD_M_SPLIT) {
		rm->else_notes = note_refs(c, p, m->else_notes, m->nelse, name);
		rm->nelse = m->nelse;
		strbuf what = STRBUF_INIT;
		cad_strbuf_addf(&what, "split '%s' when", name);
		rm->when = compile(c, p, &p->exprs, &m->when, "%s", cad_strbuf_cstr(&what));
		const char *type;
		if (rm->when && cad_rexpr_not_bool(rm->when, &type))
			problem(c, "split '%s': its condition '%s' gives %s %s, not a bool", name,
				m->when.src, strchr("aeiou", type[0]) ? "an" : "a", type);
		cad_strbuf_free(&what);
	}
	if (m->kind == CAD_M_DAG)
		compile_dag(c, p, rm);
	if (m->kind == CAD_M_CHILD)
		compile_child(c, p, rm);
	c->measure = NULL;
}

/* rplan.cells: a copy of each default's top item, keyless and unlinked
 * (a copy is never freed item by item, nor given a key: a score that
 * owns its values duplicates it first, cad_score_obj()). */
static cJSON *default_cells(pctx *c, const cadence_def *def)
{
	enum { LINE = 64 };
	size_t n = def->nfields ? def->nfields : 1;
	cJSON *cells = n <= (SIZE_MAX - LINE) / sizeof(cJSON)
		       ? aligned_alloc(LINE, (n * sizeof(cJSON) + LINE - 1) / LINE * LINE) : NULL;
	if (!cells) {
		oom(c);
		return NULL;
	}
	memset(cells, 0, n * sizeof(cJSON));
	for (size_t i = 0; i < def->nfields; i++) {
		const cJSON *d = def->fields[i].def;
		if (d) {
			cells[i] = *d;
			cells[i].next = cells[i].prev = NULL;
			cells[i].string = NULL;
			cells[i].type &= ~cJSON_StringIsConst;
		} else {
			cells[i].type = cJSON_NULL;
		}
	}
	return cells;
}

/* What a run's score starts from (run_int.h, rscore): each field's
 * default (a null without one), and the fields an input must give. */
static void score_start(pctx *c, rplan *p)
{
	const cadence_def *def = p->def;
	p->defaults = zalloc(c, def->nfields, sizeof(*p->defaults));
	p->required = zalloc(c, def->nfields, sizeof(*p->required));
	p->kind = zalloc(c, def->nfields, 1);
	p->cells = default_cells(c, def);
	for (size_t i = 0; p->cells && p->defaults && p->required && p->kind && i < def->nfields; i++) {
		const cad_field *fd = &def->fields[i];
		p->defaults[i] = &p->cells[i];
		if (fd->required)
			p->required[p->nrequired++] = i;
		p->kind[i] = (unsigned char)(fd->type | (fd->immutable ? KIND_IMMUTABLE : 0));
	}
}

static rplan *plan_for(pctx *c, const cadence_def *def)
{
	cadence_runner *r = c->r;
	const char *outer = c->cadence;
	rplan *p;
	for (p = r->plans; p; p = p->next) {
		if (p->def != def)
			continue;
		if (p->compiling)
			problem(c, "cadence '%s' runs itself through its children", p->name);
		return p->compiling ? NULL : p;
	}
	/* children nest at most CADENCE_MAX_CHILD_DEPTH cadences when they
	 * run: a deeper chain is refused here, before anything runs, rather
	 * than after the notes of its first 64 levels ran (issue 14, probe);
	 * this also bounds the recursion */
	if (c->depth >= CADENCE_MAX_CHILD_DEPTH) {
		problem(c, "children nest deeper than %d cadences (cadence '%s' would run at "
			"level %u); nothing ran: make the chain of children shorter",
			CADENCE_MAX_CHILD_DEPTH, def->name.name, c->depth + 1);
		return NULL;
	}
	p = zalloc(c, 1, sizeof(*p));
	if (!p)
		return NULL;
	cad_arena_init(&p->exprs);
	p->def = def;
	p->name = def->name.name;
	p->next = r->plans;
	r->plans = p;
	p->compiling = 1;
	c->cadence = p->name;
	strbuf dir = STRBUF_INIT;
	cad_def_dir(def, &dir);
	p->dir = cad_strbuf_detach(&dir);
	if (!p->dir)
		oom(c);
	unsigned long long h = CAD_NOTE_DECL_INIT;
	for (size_t i = 0; i < def->nfields; i++)
		h = cad_note_declaration_add(h, def->fields[i].name.name);
	p->declaration = cad_note_declaration_end(h);
	score_start(c, p);
	p->kept = cad_project_kept(r->project, def);
	strbuf emsg = STRBUF_INIT;
	const cadence_expr_env *kept_env = p->kept ? cad_kept_env(p->kept, def) : NULL;
	if (!c->code && (kept_env ? cad_rexpr_env_borrow(&p->env, kept_env, &emsg)
				  : cad_rexpr_env_new(&p->env, def, &emsg)))
		problem(c, "%s", cad_strbuf_cstr(&emsg) ? cad_strbuf_cstr(&emsg) : "out of memory");
	cad_strbuf_free(&emsg);
	p->notes = zalloc(c, def->nnotes, sizeof(*p->notes));
	p->nnotes = p->notes ? def->nnotes : 0;
	for (size_t i = 0; i < p->nnotes && !c->code; i++)
		compile_note(c, p, &p->notes[i], &def->notes[i]);
	p->measures = zalloc(c, def->nmeasures, sizeof(*p->measures));
	p->nmeasures = p->measures ? def->nmeasures : 0;
	c->depth++;
	for (size_t i = 0; i < p->nmeasures && !c->code; i++)
		compile_measure(c, p, &p->measures[i], i);
	c->depth--;
	p->height = 1;
	for (size_t i = 0; i < p->nmeasures; i++)
		if (p->measures[i].child && p->measures[i].child->height + 1 > p->height)
			p->height = p->measures[i].child->height + 1;
	/* a child compiled before, higher up, can make a chain too deep
	 * here */
	if (c->depth + p->height > CADENCE_MAX_CHILD_DEPTH)
		problem(c, "children nest deeper than %d cadences (cadence '%s' runs at level "
			"%u, and its children %u levels more); nothing ran: make the chain of "
			"children shorter", CADENCE_MAX_CHILD_DEPTH, p->name, c->depth + 1,
			p->height - 1);
	if (def->has_on_error && !c->code) {
		long n = cad_model_note_index(def, def->on_error_note.name);
		if (n < 0)
			problem(c, "on_error runs note '%s', which cadence '%s' does not declare",
				def->on_error_note.name, p->name);
		else
			p->on_error = &p->notes[n];
	}
	if (def->precheck_when.src)
		p->precheck_when = compile(c, p, &p->exprs, &def->precheck_when, "the precheck");
	if (def->precheck_note.name && !c->code) {
		long n = cad_model_note_index(def, def->precheck_note.name);
		if (n < 0)
			problem(c, "the precheck runs note '%s', which cadence '%s' does not declare",
				def->precheck_note.name, p->name);
		else
			p->precheck_note = &p->notes[n];
	}
	p->compiling = 0;
	if (!c->code)
		c->cadence = outer;
	return c->code ? NULL : p;
}

/* A note bound to a symbol that no one provides. */
static const rnote *missing_symbol(const cadence_runner *r)
{
	for (const rplan *p = r->plans; p; p = p->next)
		for (size_t i = 0; i < p->nnotes; i++)
			if (p->notes[i].n->binding == CAD_BIND_SYMBOL && !p->notes[i].fn)
				return &p->notes[i];
	return NULL;
}

static void set_error(cadence_run_error *err, int code, const char *cadence, const char *measure,
		      const char *note, const char *msg)
{
	if (!err)
		return;
	cadence_run_error_clear(err);
	err->code = code;
	err->message = strdup(msg ? msg : cadence_strerror(code));
	err->cadence = cadence ? strdup(cadence) : NULL;
	err->path = cadence ? strdup(cadence) : NULL;
	err->measure = measure ? strdup(measure) : NULL;
	err->note = note ? strdup(note) : NULL;
}

static void copy_error(cadence_run_error *to, const cadence_run_error *from)
{
	set_error(to, from->code, from->cadence, from->measure, from->note, from->message);
}

int cad_plan_prepare(cadence_runner *r, int allow_missing_symbols, cadence_run_error *err)
{
	int rc = 0;
	pthread_mutex_lock(&r->lock);
	if (r->prepared == 0) {
		pctx c = { r, STRBUF_INIT, NULL, NULL, NULL, 0, 0 };
		if (!r->breakers && cad_rbreakers_new(&r->breakers, r->state_dir))
			oom(&c);
		if (!c.code)
			r->root_plan = plan_for(&c, r->root);
		if (c.code) {
			strbuf full = STRBUF_INIT;
			cad_strbuf_addf(&full, "%s: %s", c.cadence ? c.cadence : cadence_def_name(r->root),
				    cad_strbuf_cstr(&c.msg) ? cad_strbuf_cstr(&c.msg) : "out of memory");
			set_error(&r->prepare_err, c.code, c.cadence ? c.cadence : cadence_def_name(r->root),
				  c.measure, c.note, cad_strbuf_cstr(&full));
			cad_strbuf_free(&full);
			r->prepared = -1;
		} else {
			r->prepared = 1;
		}
		cad_strbuf_free(&c.msg);
	}
	if (r->prepared < 0) {
		copy_error(err, &r->prepare_err);
		rc = r->prepare_err.code;
	} else if (!allow_missing_symbols && r->prepared == 1) {
		const rnote *n = missing_symbol(r);
		if (n) {
			strbuf m = STRBUF_INIT;
			cad_strbuf_addf(&m, "%s: note '%s' calls C function '%s', which no plugin provides "
				    "and the program did not register", n->plan->name, n->name,
				    n->n->symbol);
			if (!r->nplugins)
				cad_strbuf_adds(&m, "; load the plugin that has it with --plugin PATH.so");
			else
				cad_plugin_explain(r, n->n->symbol, &m);
			set_error(err, CADENCE_EINVALID, n->plan->name, NULL, n->name, cad_strbuf_cstr(&m));
			cad_strbuf_free(&m);
			rc = CADENCE_EINVALID;
		} else {
			r->prepared = 2;	/* checked: no need to look again */
		}
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static void free_exprs(rexpr **x, long *fields, size_t n)
{
	for (size_t i = 0; x && i < n; i++)
		cad_rexpr_free(x[i]);
	free(x);
	free(fields);
}

static void free_note(rnote *n)
{
	for (size_t i = 0; n->argv && n->argv[i]; i++)
		free(n->argv[i]);
	free(n->argv);
	free_exprs(n->set, n->set_field, n->n ? n->n->nset : 0);
	if (n->writes)
		free(n->writes->field);
	free(n->writes);
	free(n->fallback_field);
}

static void free_measure(rmeasure *m)
{
	free(m->notes);
	free(m->else_notes);
	cad_rexpr_free(m->when);
	free_exprs(m->with, m->with_field, m->m ? m->m->nwith : 0);
	free_exprs(m->merge, m->merge_field, m->m ? m->m->nmerge_back : 0);
	for (size_t i = 0; i < m->ntasks; i++) {
		cad_rexpr_free(m->tasks[i].when);
		if (m->tasks[i].child)
			free_measure(m->tasks[i].child);
		free(m->tasks[i].child);
	}
	free(m->tasks);
	free(m->order);
	free(m->edges);
}

void cad_plan_free_all(cadence_runner *r)
{
	for (rplan *p = r->plans, *next; p; p = next) {
		next = p->next;
		for (size_t i = 0; i < p->nnotes; i++)
			free_note(&p->notes[i]);
		for (size_t i = 0; i < p->nmeasures; i++)
			free_measure(&p->measures[i]);
		free(p->notes);
		free(p->measures);
		free(p->defaults);
		free(p->required);
		free(p->kind);
		free(p->cells);
		cad_rexpr_env_free(p->env);
		cad_arena_free(&p->exprs);	/* after the expressions in it */
		free(p->dir);
		free(p);
	}
	r->plans = NULL;
	r->root_plan = NULL;
}
