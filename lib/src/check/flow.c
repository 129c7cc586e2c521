/* SPDX-License-Identifier: MIT */
/* The score and data flow: every field a note reads is set on every path
 * before it; writes go to declared, mutable fields; notes in a sync, and
 * tasks of a dag with no order between them, do not write the same field
 * unless the merge strategy allows it. */
#include "check/check_int.h"
#include "util/grow.h"
#include "util/sort.h"
#include "util/strbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void undeclared(check_ctx *c, const cad_ref *ref, const char *what)
{
	const char *near = NULL;
	char help[200];

	/* none sought for a diagnostic that is dropped */
	if (!cad_report_capped(&c->r, "undeclared-field"))
		near = cad_model_near_field(c->def, ref->name, strlen(ref->name));
	if (near)
		snprintf(help, sizeof(help), "did you mean '%s'?", near);
	else
		snprintf(help, sizeof(help), "declare it under 'score:', for example '%.64s: {type: string}'",
			 ref->name);
	cad_check_at(c, CADENCE_SEVERITY_ERROR, "undeclared-field", ref->loc, help,
		 "%s '%s', which is not declared in the score", what, ref->name);
}

/* A field that a note, fallback or merge sets: declared and mutable. */
static void check_target(check_ctx *c, const cad_ref *ref, const char *what)
{
	long i = cad_check_field(c, ref->name);
	const cad_field *f = i < 0 ? NULL : &c->def->fields[i];
	if (!f) {
		undeclared(c, ref, what);
		return;
	}
	if (f->immutable) {
		cad_check_at(c, CADENCE_SEVERITY_ERROR, "immutable-write", ref->loc,
			 "remove the write, or drop 'immutable: true' from the field",
			 "%s '%s', which is immutable", what, ref->name);
		cad_check_relate(c, f->name.loc, "declared immutable");
	}
}

void cad_check_score(check_ctx *c)
{
	const struct cadence_def *d = c->def;

	for (size_t i = 0; i < d->nfields; i++) {
		const cad_field *f = &d->fields[i];
		if (f->required && f->def)
			cad_check_at(c, CADENCE_SEVERITY_ERROR, "required-default", f->def_loc,
				 "remove 'default:' (the caller must supply the field) or 'required: true' (the default applies)",
				 "field '%s' is required and has a default", f->name.name);
	}
	for (size_t i = 0; i < d->nnotes; i++) {
		const cad_note *n = &d->notes[i];
		for (size_t j = 0; j < n->nreads; j++)
			if (cad_check_field(c, n->reads[j].name) < 0)
				undeclared(c, &n->reads[j], "reads");
		for (size_t j = 0; j < n->nwrites; j++)
			check_target(c, &n->writes[j], "writes");
		for (size_t j = 0; j < n->nset; j++)
			check_target(c, &n->set[j].field, "sets");
		for (size_t j = 0; j < n->nfallback; j++)
			check_target(c, &n->fallback[j].field, "falls back to");
	}
	for (size_t i = 0; i < d->nmeasures; i++) {
		const cad_measure *m = &d->measures[i];
		for (size_t j = 0; j < m->nmerge_back; j++)
			check_target(c, &m->merge_back[j].field, "merges into");
		for (size_t t = 0; t < m->ntasks; t++) {
			const cad_measure *ch = m->tasks[t].child;
			for (size_t j = 0; ch && j < ch->nmerge_back; j++)
				check_target(c, &ch->merge_back[j].field, "merges into");
		}
	}
}

/* --- data flow -----------------------------------------------------------
 * One walk over the measures with one set of the fields set so far: a
 * note's reads are checked against it and its writes added to it, so the
 * walk costs the names the notes list, not notes x fields.  A sync adds
 * its notes' writes after all of them are checked (each sees the score as
 * it was before the sync); a split takes back what its first branch set
 * to run the second, then keeps what both set. */

/* Names listed in a write-conflict message: the count says the rest. */
#define CONFLICT_NAMES 4

/* Per field, the notes of a sync that write it, as much as a write-conflict
 * names: the first few, the last, how many.  A note counts once, at its
 * first write of the field (`writes:` before `set:`).  Valid when gen is
 * the sync's. */
typedef struct fwriter {
	const cad_note *note[CONFLICT_NAMES];
	const cad_ref *at[2];	/* the first two notes' writes */
	const cad_note *last;
	size_t last_pos;	/* of the last in the sync's list */
	size_t count;
	uint32_t gen;
} fwriter;

typedef struct flow {
	check_ctx *c;
	size_t n;		/* fields */
	unsigned char *avail;	/* per field: set on every path so far */
	unsigned char *in_true;	/* per field: set by a split's first branch */
	uint32_t *mark;		/* per field: == gen when marked for one note */
	uint32_t gen;
	size_t *set;		/* fields set since `logging` began, or (sync) to set */
	size_t nset, capset;
	int logging;
	fwriter *writer;	/* per field, for sync_conflicts */
	uint32_t sync_gen;
	size_t *conflicts;	/* fields written by two notes or more */
	size_t nconf, capconf;
	/* dags: per field, its id among the fields of the dag looked at when
	 * lmark == lgen, and the task that wrote it last */
	size_t *lid, *lastw;
	uint32_t *lmark;
	uint32_t lgen;
	int oom;
} flow;

/* Room for one more element in a growing array; 0, or -1 (f->oom). */
static int room(flow *f, void **arr, size_t n, size_t *cap, size_t size)
{
	if (cad_grow(arr, cap, n + 1, size, 64)) {
		f->oom = 1;
		return -1;
	}
	return 0;
}

/* A new generation of marks: every field unmarked. */
static uint32_t next_mark(flow *f)
{
	if (++f->gen == 0) {
		memset(f->mark, 0, f->n * sizeof(*f->mark));
		f->gen = 1;
	}
	return f->gen;
}

static void mark_field(flow *f, const char *name, uint32_t gen)
{
	long k = cad_check_field(f->c, name);
	if (k >= 0)
		f->mark[k] = gen;
}

/* Field k is set from now on (on this path). */
static void set_field(flow *f, long k)
{
	if (k < 0 || f->avail[k])
		return;
	if (f->logging && room(f, (void **)&f->set, f->nset, &f->capset, sizeof(*f->set)))
		return;
	f->avail[k] = 1;
	if (f->logging)
		f->set[f->nset++] = (size_t)k;
}

/* Field k of a sync, set once the sync is over. */
static void defer_field(flow *f, long k)
{
	if (k >= 0 && !f->avail[k] &&
	    !room(f, (void **)&f->set, f->nset, &f->capset, sizeof(*f->set)))
		f->set[f->nset++] = (size_t)k;
}

/* The fields a note is sure to have set once it is over, whatever
 * happened, given to `add`: when it can fail and the cadence goes on,
 * only those its fallback sets too. */
/* The mark of the fields note n's fallback sets (0 without one). */
static uint32_t fallback_mark(flow *f, const cad_note *n)
{
	if (!n->nfallback)
		return 0;
	uint32_t fb = next_mark(f);
	for (size_t i = 0; i < n->nfallback; i++)
		mark_field(f, n->fallback[i].field.name, fb);
	return fb;
}

static void assured_writes(flow *f, const cad_note *n, void (*add)(flow *, long))
{
	const struct cadence_def *d = f->c->def;
	if (!n->nfallback && d->has_on_error && !d->on_error_stop)
		return;
	uint32_t fb = fallback_mark(f, n);
	for (size_t i = 0; i < n->nwrites + n->nset; i++) {
		const char *name = i < n->nwrites ? n->writes[i].name : n->set[i - n->nwrites].field.name;
		long k = cad_check_field(f->c, name);
		if (k >= 0 && (!fb || f->mark[k] == fb))
			add(f, k);
	}
}

static void check_reads(const flow *f, const cad_note *n, const cad_ref *at)
{
	for (size_t i = 0; i < n->nreads; i++) {
		long k = cad_check_field(f->c, n->reads[i].name);
		if (k < 0 || f->avail[k])
			continue;
		cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "read-before-write", n->reads[i].loc,
			 "give the field a default, make it required, or write it in an earlier note (listed in that note's 'writes:')",
			 "note '%s' reads '%s', which is not set on every path to measure '%s'",
			 n->name.name, n->reads[i].name, at->name);
	}
}

/* The fields expressions need set (cad_check_exprs found them): a null there
 * fails the evaluation at run time.  `note` is the set note they belong
 * to, or NULL for a measure's condition or child inputs. */
static void check_xreads(flow *f, xrange r, const cad_note *note, const cad_measure *m)
{
	const check_ctx *c = f->c;
	const struct cadence_def *d = c->def;
	uint32_t listed = 0;	/* the note's reads: it says it handles them */
	if (!r.count)
		return;
	if (note) {
		listed = next_mark(f);
		for (size_t i = 0; i < note->nreads; i++)
			mark_field(f, note->reads[i].name, listed);
	}
	for (size_t i = r.start; i < r.start + r.count; i++) {
		const xread *x = &c->xr[i];
		const char *name = d->fields[x->field].name.name;
		char help[240];
		if (!x->needed || f->avail[x->field] || (listed && f->mark[x->field] == listed))
			continue;
		snprintf(help, sizeof(help),
			 "give the field a default, make it required, write it in an earlier note, "
			 "or test it in the expression (has(score.%.40s) ? ... : ...)", name);
		if (note)
			cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "read-before-write", x->expr->loc, help,
				 "note '%s' computes '%s' from '%s', which is not set on every path to measure '%s'",
				 note->name.name, x->target, name, m->name.name);
		else if (x->target)
			cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "read-before-write", x->expr->loc, help,
				 "child '%s' passes '%s' from '%s', which is not set on every path to it",
				 m->name.name, x->target, name);
		else
			cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "read-before-write", x->expr->loc, help,
				 "the condition of split '%s' reads '%s', which is not set on every path to it",
				 m->name.name, name);
	}
}

/* Checks a note's reads against the fields set so far, then gives the
 * fields it sets to `add`. */
static void run_note(flow *f, const cad_ref *ref, const cad_measure *m,
		     void (*add)(flow *, long))
{
	const cad_note *note = cad_check_note(f->c, ref);
	if (!note)
		return;
	check_reads(f, note, &m->name);
	if (f->c->note_xr)
		check_xreads(f, f->c->note_xr[note - f->c->def->notes], note, m);
	assured_writes(f, note, add);
}

static void run_notes(flow *f, const cad_ref *refs, size_t n, const cad_measure *m)
{
	for (size_t i = 0; i < n && !f->oom; i++)
		run_note(f, &refs[i], m, set_field);
}

static void run_sync(flow *f, const cad_measure *m)
{
	f->nset = 0;
	for (size_t j = 0; j < m->nnotes && !f->oom; j++)
		run_note(f, &m->notes[j], m, defer_field);
	for (size_t i = 0; i < f->nset; i++)
		f->avail[f->set[i]] = 1;
}

/* After the split, a field is set when both branches set it. */
static void run_split(flow *f, const cad_measure *m)
{
	f->logging = 1;
	f->nset = 0;
	run_notes(f, m->notes, m->nnotes, m);
	size_t ntrue = f->nset;
	for (size_t i = 0; i < ntrue; i++) {
		f->avail[f->set[i]] = 0;	/* the second branch starts as the first did */
		f->in_true[f->set[i]] = 1;
	}
	run_notes(f, m->else_notes, m->nelse, m);
	for (size_t i = ntrue; i < f->nset; i++)
		f->avail[f->set[i]] = f->in_true[f->set[i]];
	for (size_t i = 0; i < ntrue; i++)
		f->in_true[f->set[i]] = 0;
	f->logging = 0;
}

static int is_scalar(cad_vtype t)
{
	return t == CAD_T_STRING || t == CAD_T_INTEGER || t == CAD_T_NUMBER ||
	       t == CAD_T_BOOLEAN;
}

/* One write-conflict for field k, which `wr->count` notes of the sync
 * write (two or more), at the second note's write, related to the first. */
static void report_conflict(flow *f, const cad_measure *m, size_t k)
{
	check_ctx *c = f->c;
	const fwriter *wr = &f->writer[k];
	const cad_field *fld = &c->def->fields[k];
	size_t n = wr->count;
	strbuf who = STRBUF_INIT;
	const char *help;

	if (m->merge == CAD_MERGE_FAIL_ON_CONFLICT)
		help = "let one note write the field, or choose 'merge: last_write_wins' or 'smart_merge'";
	else if (is_scalar(fld->type))
		help = "smart_merge only combines arrays and objects; let one note write it, or choose 'merge: last_write_wins'";
	else
		return;
	if (n == 2) {
		cad_strbuf_addf(&who, "notes '%s' and '%s' both write", wr->note[0]->name.name,
				wr->note[1]->name.name);
	} else {
		size_t shown = n > CONFLICT_NAMES ? CONFLICT_NAMES : n - 1;
		cad_strbuf_adds(&who, "notes");
		for (size_t i = 0; i < shown; i++)
			cad_strbuf_addf(&who, "%s '%s'", i ? "," : "", wr->note[i]->name.name);
		if (shown < n - 1)
			cad_strbuf_addf(&who, " and %zu more", n - shown);
		else
			cad_strbuf_addf(&who, " and '%s'", wr->last->name.name);
		cad_strbuf_adds(&who, " all write");
	}
	if (!cad_strbuf_cstr(&who)) {
		c->oom = 1;
		return;
	}
	if (m->merge == CAD_MERGE_FAIL_ON_CONFLICT)
		cad_check_at(c, CADENCE_SEVERITY_ERROR, "write-conflict", wr->at[1]->loc, help,
			 "%s '%s' in sync '%s' (merge: fail_on_conflict)",
			 cad_strbuf_cstr(&who), fld->name.name, m->name.name);
	else
		cad_check_at(c, CADENCE_SEVERITY_ERROR, "write-conflict", wr->at[1]->loc, help,
			 "%s the %s field '%s' in sync '%s' (merge: smart_merge)",
			 cad_strbuf_cstr(&who), cad_vtype_names[fld->type], fld->name.name,
			 m->name.name);
	cad_check_relate(c, wr->at[0]->loc, "also written here");
	cad_strbuf_free(&who);
}

/* The write `at` of field k by the note at `pos` of the sync: counted
 * unless that note wrote the field before. */
static void add_write(flow *f, const cad_note *note, const cad_ref *at, size_t pos, long k)
{
	fwriter *wr = &f->writer[k];
	if (wr->gen != f->sync_gen) {
		wr->gen = f->sync_gen;
		wr->count = 0;
	} else if (wr->last_pos == pos) {
		return;
	}
	if (wr->count < CONFLICT_NAMES)
		wr->note[wr->count] = note;
	if (wr->count < 2)
		wr->at[wr->count] = at;
	wr->last = note;
	wr->last_pos = pos;
	if (++wr->count == 2 &&
	    !room(f, (void **)&f->conflicts, f->nconf, &f->capconf, sizeof(*f->conflicts)))
		f->conflicts[f->nconf++] = (size_t)k;
}

/* One write-conflict per field that two or more notes of the sync write,
 * in field order: one pass over the declared writes (`writes:`, then the
 * keys of `set:`) of each note in turn, counted per field. */
static void sync_conflicts(flow *f, const cad_measure *m)
{
	check_ctx *c = f->c;

	if (m->merge == CAD_MERGE_LAST_WRITE_WINS || !f->n)
		return;
	if (++f->sync_gen == 0) {
		for (size_t k = 0; k < f->n; k++)
			f->writer[k].gen = 0;
		f->sync_gen = 1;
	}
	f->nconf = 0;
	for (size_t j = 0; j < m->nnotes && !f->oom; j++) {
		const cad_note *note = cad_check_note(c, &m->notes[j]);
		size_t nw = note ? note->nwrites + note->nset : 0;
		for (size_t i = 0; i < nw; i++) {
			const cad_ref *at = i < note->nwrites ? &note->writes[i]
							      : &note->set[i - note->nwrites].field;
			long k = cad_check_field(c, at->name);
			if (k >= 0)
				add_write(f, note, at, j, k);
		}
	}
	if (f->oom)
		return;
	if (f->nconf)
		qsort(f->conflicts, f->nconf, sizeof(*f->conflicts), cad_cmp_size);
	for (size_t i = 0; i < f->nconf; i++)
		report_conflict(f, m, f->conflicts[i]);
}

/* --- dags ----------------------------------------------------------------
 * Inside a dag a task sees the score from before the dag plus its
 * ancestors' changes (docs/format.md, "dag").  Per field the dag writes,
 * its writers in dag order: when each is before the next (a chain), a
 * task's place among them says all, with two searches: the writer just
 * before it must be an ancestor and the one just after a descendant (else
 * dag-missing-after), and then every writer before it is an ancestor.
 * Writers that are no chain race: two consecutive ones have no order
 * (dag-race, as a sync's write-conflict). */

/* One task's declared write of a field, in dag order. */
typedef struct dwrite {
	size_t lid, task;
	const cad_ref *at;
	int sure;	/* its descendants see it whatever happens */
} dwrite;

typedef struct dag_flow {
	const cad_measure *m;
	dag_graph *g;
	const cad_note **note;	/* per task; NULL: undefined, or a child task */
	size_t nl;		/* fields the dag writes, by local id */
	dwrite *w;		/* the writes sorted by field, each in dag order */
	size_t nw, capw;
	size_t *wat;		/* field l's writes: w[wat[l] .. wat[l + 1]) */
	unsigned char *chain;	/* per field: its writers are a chain */
	size_t *first_sure;	/* per field: its first sure write, or wat[l + 1] */
	int oom;
} dag_flow;

/* What a read of a task is, for read-before-write. */
typedef enum dread_kind { DREAD_LISTED, DREAD_SET, DREAD_WHEN, DREAD_WITH } dread_kind;

typedef struct dread {
	dread_kind kind;
	long field;
	cad_loc loc;
	const char *target;	/* DREAD_SET, DREAD_WITH: the field it computes */
	int needed;		/* a null there fails */
} dread;

static uint32_t next_lgen(flow *f)
{
	if (++f->lgen == 0) {
		memset(f->lmark, 0, f->n * sizeof(*f->lmark));
		f->lgen = 1;
	}
	return f->lgen;
}

/* The local id of field k, new ones numbered as they come. */
static size_t local_id(flow *f, dag_flow *df, long k)
{
	if (f->lmark[k] != f->lgen) {
		f->lmark[k] = f->lgen;
		f->lid[k] = df->nl++;
		f->lastw[k] = (size_t)-1;
	}
	return f->lid[k];
}

/* Task t's write `at` of field k, once per field; `sure`: its descendants
 * see it whatever happens. */
static void task_write(flow *f, dag_flow *df, size_t t, const cad_ref *at, int sure)
{
	long k = cad_check_field(f->c, at->name);
	if (k < 0)
		return;
	size_t l = local_id(f, df, k);
	if (f->lastw[k] == t)
		return;
	f->lastw[k] = t;
	if (cad_grow((void **)&df->w, &df->capw, df->nw + 1, sizeof(*df->w), 64)) {
		df->oom = 1;
		return;
	}
	df->w[df->nw++] = (dwrite){ l, t, at, sure };
}

/* Task t's writes (`writes:`, then the keys of `set:`; a child task's
 * `merge:` keys), once per field. */
static void task_writes(flow *f, dag_flow *df, size_t t)
{
	const cad_task *task = &df->m->tasks[t];
	const cad_note *n = df->note[t];
	if (task->child) {
		/* a child that fails skips the descendants: they see every merge */
		for (size_t i = 0; i < task->child->nmerge_back && !df->oom; i++)
			task_write(f, df, t, &task->child->merge_back[i].field, !task->when.src);
		return;
	}
	if (!n)
		return;
	uint32_t fb = fallback_mark(f, n);
	for (size_t i = 0; i < n->nwrites + n->nset && !df->oom; i++) {
		const cad_ref *at = i < n->nwrites ? &n->writes[i] : &n->set[i - n->nwrites].field;
		long k = cad_check_field(f->c, at->name);
		/* a failure without fallback skips the descendants: they see
		 * every write; with one, those the fallback makes too */
		if (k >= 0)
			task_write(f, df, t, at, !task->when.src && (!fb || f->mark[k] == fb));
	}
}

/* Sorts the writes by field (stable: each field's in dag order). */
static int sort_writes(dag_flow *df)
{
	size_t nl = df->nl;
	dwrite *sorted = malloc((df->nw ? df->nw : 1) * sizeof(*sorted));
	df->wat = calloc(nl + 2, sizeof(*df->wat));
	df->chain = malloc(nl ? nl : 1);
	df->first_sure = malloc((nl ? nl : 1) * sizeof(*df->first_sure));
	if (!sorted || !df->wat || !df->chain || !df->first_sure) {
		free(sorted);
		return -1;
	}
	for (size_t i = 0; i < df->nw; i++)
		df->wat[df->w[i].lid + 2]++;
	for (size_t l = 0; l < nl; l++)
		df->wat[l + 2] += df->wat[l + 1];
	for (size_t i = 0; i < df->nw; i++)
		sorted[df->wat[df->w[i].lid + 1]++] = df->w[i];
	free(df->w);
	df->w = sorted;
	return 0;
}

static void report_race(flow *f, dag_flow *df, const dwrite *a, const dwrite *b, long k)
{
	const cad_measure *m = df->m;
	const cad_field *fld = &f->c->def->fields[k];
	const char *ta = m->tasks[a->task].name.name, *tb = m->tasks[b->task].name.name;
	char help[512];
	if (m->merge == CAD_MERGE_FAIL_ON_CONFLICT) {
		snprintf(help, sizeof(help), "put one after the other (add '%.64s' to the 'after:' of "
			 "task '%.64s'), let one write the field, or choose 'merge: last_write_wins' "
			 "or 'smart_merge'", ta, tb);
		cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "dag-race", m->tasks[b->task].name.loc, help,
			     "tasks '%s' and '%s' of dag '%s' both write '%s' with no order between "
			     "them (merge: fail_on_conflict)", ta, tb, m->name.name, fld->name.name);
	} else {
		snprintf(help, sizeof(help), "smart_merge only combines arrays and objects; put one "
			 "after the other (add '%.64s' to the 'after:' of task '%.64s'), let one write "
			 "it, or choose 'merge: last_write_wins'", ta, tb);
		cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "dag-race", m->tasks[b->task].name.loc, help,
			     "tasks '%s' and '%s' of dag '%s' both write the %s field '%s' with no "
			     "order between them (merge: smart_merge)", ta, tb, m->name.name,
			     cad_vtype_names[fld->type], fld->name.name);
	}
	cad_check_relate(f->c, m->tasks[a->task].name.loc, "the other task");
}

/* Per field: whether its writers are a chain, reporting the first two
 * with no order between them when the merge would fail on them. */
static void check_writers(flow *f, dag_flow *df, long k)
{
	size_t l = f->lid[k], a = df->wat[l], b = df->wat[l + 1];
	const cad_measure *m = df->m;
	int races = m->merge == CAD_MERGE_FAIL_ON_CONFLICT ||
		    (m->merge == CAD_MERGE_SMART && is_scalar(f->c->def->fields[k].type));
	df->chain[l] = 1;
	df->first_sure[l] = b;
	for (size_t i = a; i < b; i++) {
		if (df->w[i].sure && df->first_sure[l] == b)
			df->first_sure[l] = i;
		if (i + 1 < b && df->chain[l] && !cad_dag_before(df->g, df->w[i].task, df->w[i + 1].task)) {
			df->chain[l] = 0;
			if (races)
				report_race(f, df, &df->w[i], &df->w[i + 1], k);
		}
	}
}

static void missing_after(flow *f, dag_flow *df, size_t t, long k, size_t w)
{
	const cad_measure *m = df->m;
	const char *tn = m->tasks[t].name.name, *wn = m->tasks[w].name.name;
	char help[512];
	snprintf(help, sizeof(help), "add '%.64s' to the 'after:' of task '%.64s' to read its value, "
		 "or '%.64s' to that of '%.64s' to read the value from before", wn, tn, tn, wn);
	cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "dag-missing-after", m->tasks[t].name.loc, help,
		     "task '%s' reads '%s', which task '%s' of dag '%s' writes, but neither is after "
		     "the other", tn, f->c->def->fields[k].name.name, wn, m->name.name);
	cad_check_relate(f->c, m->tasks[w].name.loc, "the task that writes it");
}

static void dag_read_unset(flow *f, dag_flow *df, size_t t, const dread *r)
{
	const cad_measure *m = df->m;
	const char *tn = m->tasks[t].name.name, *fn = f->c->def->fields[r->field].name.name;
	char help[240];
	snprintf(help, sizeof(help), "give the field a default, make it required, or write it "
		 "before the dag or in a task that '%.64s' is after (one without 'when:')", tn);
	if (r->kind == DREAD_LISTED)
		cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "read-before-write", r->loc, help,
			     "note '%s' reads '%s', which is not set on every path to task '%s' of dag '%s'",
			     df->note[t]->name.name, fn, tn, m->name.name);
	else if (r->kind == DREAD_SET)
		cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "read-before-write", r->loc, help,
			     "note '%s' computes '%s' from '%s', which is not set on every path to task "
			     "'%s' of dag '%s'", df->note[t]->name.name, r->target, fn, tn, m->name.name);
	else if (r->kind == DREAD_WITH)
		cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "read-before-write", r->loc, help,
			     "task '%s' of dag '%s' passes '%s' from '%s', which is not set on every "
			     "path to it", tn, m->name.name, r->target, fn);
	else
		cad_check_at(f->c, CADENCE_SEVERITY_ERROR, "read-before-write", r->loc, help,
			     "the condition of task '%s' of dag '%s' reads '%s', which is not set on "
			     "every path to it", tn, m->name.name, fn);
}

/* A writer of field l (sorted in dag order in df->w) that has no order to
 * task t, or SIZE_MAX: lo is the first writer not before t in dag order,
 * `after` the first after t.  When the writers form a chain, the nearest
 * on each side decide for the rest; else each is asked (readers x writers
 * of such a field at worst). */
static size_t unordered_writer(dag_flow *df, size_t l, size_t t, size_t lo, size_t after)
{
	dag_graph *g = df->g;
	size_t a = df->wat[l], b = df->wat[l + 1];
	size_t first = df->chain[l] && lo > a ? lo - 1 : a;
	size_t last = df->chain[l] && after < b ? after + 1 : b;
	for (size_t i = lo; i-- > first;)
		if (!cad_dag_before(g, df->w[i].task, t))
			return df->w[i].task;
	for (size_t i = after; i < last; i++)
		if (df->w[i].task != t && !cad_dag_before(g, t, df->w[i].task))
			return df->w[i].task;
	return SIZE_MAX;
}

/* One read of task t: the writers of its field that have no order to t,
 * then whether the field is set for t. */
static void dag_read(flow *f, dag_flow *df, size_t t, const dread *r)
{
	dag_graph *g = df->g;
	long k = r->field;
	if (f->lmark[k] != f->lgen) {	/* no task of the dag writes it */
		if (r->needed && !f->avail[k])
			dag_read_unset(f, df, t, r);
		return;
	}
	size_t l = f->lid[k], a = df->wat[l], b = df->wat[l + 1], lo = a, hi = b;
	while (lo < hi) {	/* the first writer not before t in dag order */
		size_t mid = lo + (hi - lo) / 2;
		if (g->pos[df->w[mid].task] < g->pos[t])
			lo = mid + 1;
		else
			hi = mid;
	}
	int self = lo < b && df->w[lo].task == t;
	size_t after = self ? lo + 1 : lo;
	/* under smart_merge, a task that writes the array or object it reads
	 * (appending to a list) merges with the other writers, as the notes of
	 * a sync do: it needs no order to them */
	int merges = self && df->m->merge == CAD_MERGE_SMART &&
		     !is_scalar(f->c->def->fields[k].type);
	size_t w = merges ? SIZE_MAX : unordered_writer(df, l, t, lo, after);
	if (w != SIZE_MAX) {
		missing_after(f, df, t, k, w);
		return;
	}
	if (!r->needed || f->avail[k])
		return;
	if (df->chain[l]) {
		if (df->first_sure[l] < lo)
			return;
	} else {
		for (size_t i = lo; i-- > a;)
			if (df->w[i].sure && cad_dag_before(g, df->w[i].task, t))
				return;
	}
	dag_read_unset(f, df, t, r);
}

/* The reads of task t's `when` and child `with` (a read with a target) or
 * note's set expressions, in range r: those a null fails first, so that a
 * field counts as needed if one of its uses is. */
static void task_xreads(flow *f, dag_flow *df, size_t t, xrange xr, dread_kind kind,
			uint32_t done)
{
	const check_ctx *c = f->c;
	for (int pass = 1; pass >= 0; pass--) {
		for (size_t i = xr.start; i < xr.start + xr.count; i++) {
			const xread *x = &c->xr[i];
			if (x->needed != pass || f->mark[x->field] == done)
				continue;
			f->mark[x->field] = done;
			dread_kind k = kind == DREAD_WHEN && x->target ? DREAD_WITH : kind;
			dread r = { k, x->field, x->expr->loc, x->target, x->needed };
			dag_read(f, df, t, &r);
		}
	}
}

static void task_reads(flow *f, dag_flow *df, size_t t, size_t mi)
{
	const check_ctx *c = f->c;
	const cad_note *n = df->note[t];
	uint32_t done = next_mark(f);	/* fields looked at for t */
	if (n) {
		for (size_t i = 0; i < n->nreads; i++) {
			long k = cad_check_field(c, n->reads[i].name);
			if (k < 0 || f->mark[k] == done)
				continue;
			f->mark[k] = done;
			dread r = { DREAD_LISTED, k, n->reads[i].loc, NULL, 1 };
			dag_read(f, df, t, &r);
		}
		if (c->note_xr)
			task_xreads(f, df, t, c->note_xr[n - c->def->notes], DREAD_SET, done);
	}
	if (c->task_xr && c->task_base)
		task_xreads(f, df, t, c->task_xr[c->task_base[mi] + t], DREAD_WHEN, done);
}

/* The order checks and the reads of a dag without a circle. */
static void dag_inside(flow *f, dag_flow *df, size_t mi)
{
	dag_graph *g = df->g;
	next_lgen(f);
	for (size_t i = 0; i < g->n && !df->oom; i++)
		task_writes(f, df, g->order[i]);
	if (df->oom || sort_writes(df)) {
		df->oom = 1;
		return;
	}
	/* each field once, at its first write in dag order */
	for (size_t l = 0; l < df->nl; l++) {
		long k = cad_check_field(f->c, df->w[df->wat[l]].at->name);
		check_writers(f, df, k);
	}
	for (size_t i = 0; i < g->n; i++)
		task_reads(f, df, g->order[i], mi);
}

/* Whether task t can fail with nothing to stand in: a child task, or a
 * note without a fallback (an undefined one is reported, not followed). */
static int may_fail(const dag_flow *df, size_t t)
{
	return df->m->tasks[t].child || (df->note[t] && !df->note[t]->nfallback);
}

/* After the dag, a field is set when a task sure to have run writes it:
 * one without `when`, whose writes count as a note's in a sync
 * (assured_writes); when the cadence goes on after a failure, also one
 * that no failure can skip or cancel: no ancestor (on_failure: continue),
 * no task of the dag (finish, stop) fails without a fallback. */
static void dag_after(flow *f, dag_flow *df)
{
	const struct cadence_def *d = f->c->def;
	const cad_measure *m = df->m;
	dag_graph *g = df->g;
	int goes_on = d->has_on_error && !d->on_error_stop;
	int any_fails = 0;
	unsigned char *anc = NULL;	/* per task: an ancestor may fail */

	for (size_t t = 0; t < m->ntasks; t++)
		any_fails |= may_fail(df, t);
	if (goes_on && m->on_failure == CAD_ON_FAILURE_CONTINUE && g->order) {
		if (!(anc = calloc(m->ntasks, 1))) {
			df->oom = 1;
			return;
		}
		for (size_t i = 0; i < g->n; i++) {
			size_t t = g->order[i];
			for (size_t j = g->pred_at[t]; j < g->pred_at[t + 1] && !anc[t]; j++) {
				size_t p = g->pred[j];
				anc[t] = anc[p] || may_fail(df, p);
			}
		}
	}
	f->nset = 0;
	for (size_t t = 0; t < m->ntasks && !f->oom; t++) {
		const cad_measure *ch = m->tasks[t].child;
		if ((!df->note[t] && !ch) || m->tasks[t].when.src)
			continue;
		if (goes_on && (anc ? anc[t] : any_fails))
			continue;
		if (!ch) {
			assured_writes(f, df->note[t], defer_field);
			continue;
		}
		/* a child has no fallback: a note without one, as assured_writes sees it */
		for (size_t j = 0; j < ch->nmerge_back && !goes_on; j++)
			defer_field(f, cad_check_field(f->c, ch->merge_back[j].field.name));
	}
	for (size_t i = 0; i < f->nset; i++)
		f->avail[f->set[i]] = 1;
	free(anc);
}

static void run_dag(flow *f, const cad_measure *m, dag_graph *g, size_t mi)
{
	dag_flow df;
	if (!g || g->n != m->ntasks)
		return;	/* out of memory making it */
	memset(&df, 0, sizeof(df));
	df.m = m;
	df.g = g;
	df.note = malloc((m->ntasks ? m->ntasks : 1) * sizeof(*df.note));
	if (!df.note) {
		f->oom = 1;
		return;
	}
	for (size_t t = 0; t < m->ntasks; t++)
		df.note[t] = m->tasks[t].child ? NULL : cad_check_note(f->c, &m->tasks[t].note);
	/* a task listed twice would be reported racing and reading itself:
	 * its races and reads wait until the names are fixed, as a cycle's */
	if (g->order && !g->dup)
		dag_inside(f, &df, mi);
	if (!df.oom)
		dag_after(f, &df);
	if (df.oom)
		f->oom = 1;
	free(df.note);
	free(df.w);
	free(df.wat);
	free(df.chain);
	free(df.first_sure);
}

void cad_check_flow(check_ctx *c)
{
	const struct cadence_def *d = c->def;
	size_t sz = d->nfields ? d->nfields : 1;
	flow f;

	memset(&f, 0, sizeof(f));
	f.c = c;
	f.n = d->nfields;
	f.avail = calloc(sz, 1);
	f.in_true = calloc(sz, 1);
	f.mark = calloc(sz, sizeof(*f.mark));
	f.writer = calloc(sz, sizeof(*f.writer));
	f.lid = calloc(sz, sizeof(*f.lid));
	f.lastw = calloc(sz, sizeof(*f.lastw));
	f.lmark = calloc(sz, sizeof(*f.lmark));
	if (!f.avail || !f.in_true || !f.mark || !f.writer || !f.lid || !f.lastw || !f.lmark)
		f.oom = 1;
	for (size_t i = 0; i < d->nfields && !f.oom; i++)
		f.avail[i] = d->fields[i].required || d->fields[i].def;
	/* a precheck note that failed stopped the cadence: when the measures
	 * run, its writes happened */
	const cad_note *pre = d->precheck_note.name ? cad_check_note(c, &d->precheck_note) : NULL;
	if (pre && !f.oom)
		assured_writes(&f, pre, set_field);

	for (size_t i = 0; i < d->nmeasures && !f.oom; i++) {
		const cad_measure *m = &d->measures[i];
		switch (m->kind) {
		case CAD_M_THEN:
		case CAD_M_SEQUENCE:
			run_notes(&f, m->notes, m->nnotes, m);
			break;
		case CAD_M_SYNC:
			run_sync(&f, m);
			sync_conflicts(&f, m);
			break;
		case CAD_M_SPLIT:
			if (c->measure_xr)
				check_xreads(&f, c->measure_xr[i], NULL, m);
			run_split(&f, m);
			break;
		case CAD_M_CHILD:
			if (c->measure_xr)
				check_xreads(&f, c->measure_xr[i], NULL, m);
			for (size_t j = 0; j < m->nmerge_back; j++)
				set_field(&f, cad_check_field(c, m->merge_back[j].field.name));
			break;
		case CAD_M_DAG:
			run_dag(&f, m, c->dags ? &c->dags[i] : NULL, i);
			break;
		}
	}
	if (f.oom)
		c->oom = 1;
	free(f.avail);
	free(f.in_true);
	free(f.mark);
	free(f.set);
	free(f.writer);
	free(f.conflicts);
	free(f.lid);
	free(f.lastw);
	free(f.lmark);
}
