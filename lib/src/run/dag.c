/* SPDX-License-Identifier: MIT */
/* The dag measure (docs/format.md, "dag"): tasks run as jobs of
 * cad_jobs_run_sched(), each as soon as the tasks it is after have ended;
 * each sees the score the dag started with plus its ancestors' changes,
 * and the changes are merged in dag order at the end, so the result does
 * not depend on timing.  Everything here runs on the run's thread. */
#include "run/run_int.h"
#include "util/api.h"
#include "util/grow.h"
#include "util/sort.h"
#include "util/strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void cad_heap_push(rheap *h, size_t x)
{
	size_t i = h->n++;
	while (i && h->v[(i - 1) / 2] > x) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

size_t cad_heap_pop(rheap *h)
{
	size_t top = h->v[0], x = h->v[--h->n], i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1] < h->v[c])
			c++;
		if (h->v[c] >= x)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = x;
	return top;
}

enum { T_WAITING, T_READY, T_RUNNING, T_ENDED };
enum { V_NONE, V_OWN, V_SHARED };
#define NO_CAUSE ((size_t)-1)

typedef struct dtask {
	unsigned char state;
	unsigned char outcome;	/* cadence_task_outcome, once ended */
	unsigned char has_input;
	unsigned char shared;	/* its input is the dag's start score itself */
	unsigned char vstate;	/* its view: V_NONE, V_OWN (view) or V_SHARED */
	unsigned char let_go;	/* it gave back its hold on its parent's view */
	unsigned char restored;	/* its outcome came from the checkpoint */
	unsigned char on_loop;	/* started by the jobs loop, not ended */
	const cJSON *record;	/* the checkpoint's record of it, till it is ready */
	size_t holds;		/* tasks starting from its view that have not made theirs */
	size_t base;		/* the task it starts from (base_of()), or NO_CAUSE */
	cJSON **view;		/* its input's pointers (make_view()), while held */
	size_t waiting;		/* tasks it is after that have not ended */
	size_t cause;		/* skipped: the failed task upstream; NO_CAUSE */
	rscore input;		/* from when it is next to start until it ends */
	/* smart_merge: per change of its job, a copy of the value its input
	 * held, what that change is measured against (seen_by()) */
	cJSON **seen;
	size_t nseen;		/* its length: the changes may be taken by then */
	int64_t t0;
} dtask;

typedef struct dag {
	rsched s;		/* first: the loop's view */
	rframe *fr;
	const rmeasure *ms;
	rjob *jobs;
	dtask *st;
	rheap ready;		/* by index: the task listed first starts first */
	uint64_t *anc;		/* per task, `words` words: a bit per dag position */
	size_t words;
	struct dwrites *fw;	/* per field: its writers so far, in dag order */
	size_t view_bytes;	/* of the views held (V_OWN) */
	unsigned char *flags;	/* a task's input's flags: the start score's, borrowed */
	struct dmerge *m;
	size_t who;		/* the later task of a conflict */
	cJSON **made;		/* values smart_merge made for views, till the end */
	size_t nmade, capmade;
	int failed;		/* a task failed for good */
	int stopped;		/* on_failure stop halted every job */
	int nomem;
	size_t nrunning;	/* tasks on_loop */
	int dirty;		/* a task ended ok since the last checkpoint */
	int ckrc;		/* saving a checkpoint failed: the run's error */
	int64_t save_after;	/* run clock: no checkpoint before then */
} dag;

static dag *of(rsched *s)
{
	return (dag *)s;
}

/* ---- events ---------------------------------------------------------------- */

static void task_event(dag *d, size_t i, cadence_event_kind kind, int status, int64_t dur,
		       const char *message)
{
	rrun *run = d->fr->run;
	if (!run->r->hooks.on_event)
		return;
	cadence_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	const rnote *note = d->ms->tasks[i].note;	/* NULL: a child task */
	ev.task = d->ms->tasks[i].t->name.name;
	ev.note = note ? note->name : NULL;
	ev.note_data = note ? note->hook_data : NULL;
	ev.status = status;
	ev.duration_ns = dur;
	ev.message = message;
	ev.attempts = note ? note->attempts : 0;
	ev.attempt = note ? d->jobs[i].attempt : 0;
	cad_run_emit(run, d->fr, &ev);
}

static int64_t now_if_timed(const dag *d)
{
	return d->fr->run->timed ? cad_run_now(d->fr->run) : 0;
}

/* ---- ancestors -------------------------------------------------------------
 * Each task's ancestors as a bit set over dag positions, made once when
 * the dag starts (a row of `words` words per task, 12.5 MB for the 10,000
 * tasks a dag may have): "is w above t" is one bit, and the ancestors of
 * t that its base (base_of()) does not have are its row less the base's.
 * Walks up the edges cost O(ancestors) per question, which made a wide
 * dag's inputs quadratic. */

static uint64_t *row(const dag *d, size_t t)
{
	return d->anc + t * d->words;
}

static int has_bit(const uint64_t *r, size_t pos)
{
	return (int)((r[pos / 64] >> (pos % 64)) & 1u);
}

/* Is w an ancestor of t? */
static int is_ancestor(const dag *d, size_t w, size_t t)
{
	return has_bit(row(d, t), d->ms->tasks[w].pos);
}

/* Fills every task's row, parents first (in dag order), and its base:
 * its parent with the most ancestors (the fewest left to merge), or
 * NO_CAUSE for a task after none.  `count`: room for a number per task.
 * A parent's row has no bit at or past its own position. */
static void fill_ancestors(dag *d, size_t *count)
{
	const rmeasure *ms = d->ms;
	for (size_t p = 0; p < ms->ntasks; p++) {
		size_t t = ms->order[p], best = NO_CAUSE;
		uint64_t *r = row(d, t);
		for (size_t e = 0; e < ms->tasks[t].nafter; e++) {
			size_t a = ms->tasks[t].after[e], pa = ms->tasks[a].pos;
			const uint64_t *ra = row(d, a);
			for (size_t w = 0; w <= pa / 64; w++)
				r[w] |= ra[w];
			r[pa / 64] |= (uint64_t)1 << (pa % 64);
			if (best == NO_CAUSE || count[a] > count[best])
				best = a;
		}
		count[t] = 0;
		for (size_t w = 0; w <= p / 64; w++)
			count[t] += (size_t)__builtin_popcountll(r[w]);
		d->st[t].base = best;
	}
}

/* The next dag position at or after `pos` set in r & ~less (less may be
 * NULL), or SIZE_MAX. */
static size_t next_bit(const dag *d, const uint64_t *r, const uint64_t *less, size_t pos)
{
	for (size_t w = pos / 64; w < d->words; w++) {
		uint64_t x = r[w] & (less ? ~less[w] : ~(uint64_t)0);
		if (w == pos / 64)
			x &= ~(uint64_t)0 << (pos % 64);
		if (x)
			return w * 64 + (size_t)__builtin_ctzll(x);
	}
	return SIZE_MAX;
}

/* ---- merging changes --------------------------------------------------------
 * The changes of a set of tasks, taken in dag order: a task's input (its
 * ancestors) and the dag's result (all of them).  A field written by a
 * task and one of its descendants takes the descendant's value; one
 * written by tasks with no order between them goes through `merge:`. */

/* Per field touched: the value so far, its task, what smart_merge made,
 * and every task that wrote it (with its value), in dag order. */
typedef struct dwrite {
	size_t task;
	cJSON *val;
} dwrite;

/* A field's writers: the tasks that ended ok having changed it. */
struct dwrites {
	dwrite *w;
	size_t n, cap;
};

typedef struct dfield {
	cJSON *val;		/* inside a task's changes, or made */
	cJSON *made;		/* owned */
	size_t owner;
	dwrite *w;
	size_t nw, capw;
	size_t front;		/* w[front..]: no later writer came after them */
} dfield;

struct dmerge {
	dfield *f;		/* per field of the score */
	size_t *touched;
	size_t ntouched, cap;
};

/* Empties the table for its next use: O(fields touched). */
static void dmerge_empty(struct dmerge *m)
{
	for (size_t k = 0; k < m->ntouched; k++) {
		dfield *e = &m->f[m->touched[k]];
		cJSON_Delete(e->made);
		free(e->w);
		memset(e, 0, sizeof(*e));
	}
	m->ntouched = 0;
}

/* What task t saw of field i, which it changed: its input's value, kept
 * when it ended (the merge of all its ancestors' changes, not the last
 * one's alone), else the dag's start value. */
static const cJSON *seen_by(dag *d, size_t t, size_t i)
{
	const rjob *j = &d->jobs[t];
	size_t c = 0;
	for (const cJSON *item = j->changes ? j->changes->child : NULL; item;
	     item = item->next, c++)
		if (j->fields[c] == i && d->st[t].seen)
			return d->st[t].seen[c];
	return d->fr->score.slot[i];
}

/* Keeps what task t's input held of each field it changed (smart_merge
 * measures a change against it); 0, or -1 when out of memory. */
static int keep_seen(dag *d, size_t t)
{
	const rjob *j = &d->jobs[t];
	size_t n = 0;
	if (d->ms->m->merge != CAD_MERGE_SMART || !j->changes)
		return 0;
	for (const cJSON *item = j->changes->child; item; item = item->next)
		n++;
	if (!n || !(d->st[t].seen = calloc(n, sizeof(*d->st[t].seen))))
		return n ? -1 : 0;
	d->st[t].nseen = n;
	rscore *in = d->st[t].shared ? &d->fr->score : &d->st[t].input;
	for (size_t c = 0; c < n; c++)
		if (!(d->st[t].seen[c] = cJSON_Duplicate(in->slot[j->fields[c]], 1)))
			return -1;
	return 0;
}

static void free_seen(dag *d, size_t t)
{
	for (size_t c = 0; c < d->st[t].nseen; c++)
		cJSON_Delete(d->st[t].seen[c]);
	free(d->st[t].seen);
	d->st[t].seen = NULL;
	d->st[t].nseen = 0;
}

/* One change of task t.  `input`: for an input, where a conflict is the
 * dag's to report at its end, the later task's value is taken.  0, or -1
 * with f set. */
static int merge_change(dag *d, size_t t, size_t i, cJSON *v, int input, rfail *f)
{
	struct dmerge *m = d->m;
	dfield *e = &m->f[i];
	const char *tname = d->ms->tasks[t].t->name.name;
	if (!e->val) {
		if (CAD_GROW(m->touched, m->cap, m->ntouched + 1, 16))
			goto oom;
		m->touched[m->ntouched++] = i;
	} else {
		/* a writer that is no ancestor of t: no order between them */
		size_t other = NO_CAUSE;
		for (size_t k = e->nw; k-- > e->front;)
			if (!is_ancestor(d, e->w[k].task, t)) {
				other = e->w[k].task;
				break;
			}
		if (other != NO_CAUSE) {
			cJSON *made = NULL;
			cad_merge how = d->ms->m->merge;
			const char *field = d->fr->plan->def->fields[i].name.name;
			if (input && how == CAD_MERGE_FAIL_ON_CONFLICT)
				how = CAD_MERGE_LAST_WRITE_WINS;
			if (cad_merge_two(f, how, field, d->ms->tasks[other].t->name.name, tname,
					  seen_by(d, t, i), e->val, v, &made)) {
				f->field = field;
				d->who = t;
				return -1;
			}
			if (made || how == CAD_MERGE_LAST_WRITE_WINS) {
				cJSON_Delete(e->made);
				e->made = made;
				e->val = made ? made : v;
				e->owner = t;
			}
			goto record;
		}
		e->front = e->nw;	/* every writer so far is t's ancestor */
	}
	cJSON_Delete(e->made);
	e->made = NULL;
	e->val = v;
	e->owner = t;
record:
	if (CAD_GROW(e->w, e->capw, e->nw + 1, 2))
		goto oom;
	e->w[e->nw++] = (dwrite){ t, v };
	return 0;
oom:
	cad_rfail_set(f, "out of memory");
	return -1;
}

/* The changes of task t, if it succeeded, into d->m. */
static int merge_task(dag *d, size_t t, int input, rfail *f)
{
	rjob *j = &d->jobs[t];
	if (d->st[t].outcome != CADENCE_TASK_OK || !j->changes)
		return 0;
	size_t c = 0;
	for (cJSON *item = j->changes->child; item; item = item->next, c++)
		if (merge_change(d, t, j->fields[c], item, input, f))
			return -1;
	return 0;
}

/* Field i as t's input has it, into d->m: the writers of i above t, in
 * dag order, as merge_task() would take them.  For an input, any merge
 * but smart_merge takes the last one's value (merge_change()). */
static int merge_field(dag *d, size_t t, size_t i, rfail *f)
{
	const struct dwrites *ws = &d->fw[i];
	const uint64_t *r = row(d, t);
	if (d->ms->m->merge != CAD_MERGE_SMART) {
		for (size_t k = ws->n; k--;)
			if (has_bit(r, d->ms->tasks[ws->w[k].task].pos))
				return merge_change(d, ws->w[k].task, i, ws->w[k].val, 1, f);
		return 0;
	}
	for (size_t k = 0; k < ws->n; k++)
		if (has_bit(r, d->ms->tasks[ws->w[k].task].pos) &&
		    merge_change(d, ws->w[k].task, i, ws->w[k].val, 1, f))
			return -1;
	return 0;
}

/* Task t ended ok: it is a writer of each field it changed, kept in dag
 * order (tasks end in any order, mostly close to it).  0, or -1. */
static int add_writes(dag *d, size_t t)
{
	const rjob *j = &d->jobs[t];
	size_t c = 0, pos = d->ms->tasks[t].pos;
	for (cJSON *item = j->changes ? j->changes->child : NULL; item; item = item->next, c++) {
		struct dwrites *ws = &d->fw[j->fields[c]];
		if (CAD_GROW(ws->w, ws->cap, ws->n + 1, 2))
			return -1;
		size_t k = ws->n++;
		for (; k && d->ms->tasks[ws->w[k - 1].task].pos > pos; k--)
			ws->w[k] = ws->w[k - 1];
		ws->w[k] = (dwrite){ t, item };
	}
	return 0;
}

/* ---- inputs ---------------------------------------------------------------- */

/* ---- views ----------------------------------------------------------------
 * A task's view is the array of its input's values before anything else
 * happens to the input (a C note's JSON object replaces its slots with
 * copies): only items that live until the dag ends (the start score's, the
 * tasks' changes, values smart_merge made, kept in d->made).  A task
 * starts from the view of its base (base_of(): its parent with the most
 * ancestors) plus the base's changes, and merges again only the fields
 * that its other ancestors changed, so a task costs O(fields + the
 * changes of the ancestors its base lacks), not O(ancestors).  A view is
 * kept while tasks based on it have not made theirs, and while the views
 * kept take less than VIEW_BYTES: past that a task merges all its
 * ancestors' changes instead, which gives the same input. */

#define VIEW_BYTES ((size_t)64 << 20)

static void drop_view(dag *d, size_t t)
{
	dtask *st = &d->st[t];
	if (st->vstate == V_OWN)
		d->view_bytes -= d->fr->score.n * sizeof(*st->view);
	free(st->view);
	st->view = NULL;
	st->vstate = V_NONE;
}

static void release_view(dag *d, size_t t)
{
	dtask *st = &d->st[t];
	if (st->holds && --st->holds)
		return;
	drop_view(d, t);
}

/* t does not need its base's view any more (it made its own, or never
 * will). */
static void let_parent_go(dag *d, size_t t)
{
	if (d->st[t].let_go || d->st[t].base == NO_CAUSE)
		return;
	d->st[t].let_go = 1;
	release_view(d, d->st[t].base);
}

/* Whether task a ended ok with changes. */
static int changed(const dag *d, size_t a)
{
	return d->st[a].outcome == CADENCE_TASK_OK && d->jobs[a].changes &&
	       d->jobs[a].changes->child;
}

/* The fields d->m touched, into view v (what smart_merge made kept till
 * the end); d->m emptied.  0, or -1 when out of memory. */
static int take_touched(dag *d, cJSON **v)
{
	int rc = 0;
	for (size_t k = 0; !rc && k < d->m->ntouched; k++) {
		dfield *e = &d->m->f[d->m->touched[k]];
		v[d->m->touched[k]] = e->val;
		if (e->made) {
			if (CAD_GROW(d->made, d->capmade, d->nmade + 1, 16))
				rc = -1;
			else
				d->made[d->nmade++] = e->made;	/* lives till the end */
			e->made = rc ? e->made : NULL;
		}
	}
	dmerge_empty(d->m);
	return rc;
}

/* A copy of the score's slots `from` (a view, or the start score's); NULL
 * when out of memory. */
static cJSON **copy_slots(const dag *d, cJSON *const *from)
{
	size_t n = d->fr->score.n;
	cJSON **v = malloc((n ? n : 1) * sizeof(*v));
	if (v)
		memcpy(v, from, n * sizeof(*v));
	return v;
}

/* The view of a task based on p with nothing else to merge: p's view (or
 * the start score) with p's changes; the last task based on p takes p's
 * view itself.  NULL: shared (*shared 1), or out of memory. */
static cJSON **view_after(dag *d, size_t p, int *shared)
{
	const rscore *start = &d->fr->score;
	size_t n = start->n;
	if (!changed(d, p) && d->st[p].vstate == V_SHARED) {
		*shared = 1;
		return NULL;
	}
	dtask *ps = &d->st[p];
	cJSON **v;
	if (ps->vstate == V_OWN && ps->holds == 1) {	/* the last task based on p: */
		v = ps->view;				/* its view taken, not copied */
		ps->view = NULL;
		ps->vstate = V_NONE;
		d->view_bytes -= n * sizeof(*v);
	} else if (!(v = copy_slots(d, ps->vstate == V_OWN ? ps->view : start->slot))) {
		return NULL;
	}
	if (changed(d, p)) {
		const rjob *j = &d->jobs[p];
		size_t c = 0;
		for (cJSON *item = j->changes->child; item; item = item->next, c++)
			v[j->fields[c]] = item;
	}
	return v;
}

/* The view of t from base b's: the fields changed by t's ancestors that
 * b does not have merged again from all their writers above t; the
 * others are as b's view after b has them (its ancestors' writers of
 * them are t's, and b comes after all of those).  NULL as view_after(). */
static cJSON **view_from(dag *d, size_t t, size_t b, int *shared)
{
	const uint64_t *rt = row(d, t), *rb = row(d, b);
	size_t pb = d->ms->tasks[b].pos;
	rfail f = RFAIL_INIT;
	int rc = 0;
	for (size_t p = next_bit(d, rt, rb, 0); !rc && p != SIZE_MAX; p = next_bit(d, rt, rb, p + 1)) {
		size_t a = d->ms->order[p];
		if (p == pb || !changed(d, a))
			continue;
		const rjob *j = &d->jobs[a];
		size_t c = 0;
		for (cJSON *item = j->changes->child; !rc && item; item = item->next, c++)
			if (!d->m->f[j->fields[c]].val)	/* not merged yet */
				rc = merge_field(d, t, j->fields[c], &f);
	}
	cad_rfail_free(&f);
	cJSON **v = NULL;
	if (!rc && !d->m->ntouched)
		return view_after(d, b, shared);
	if (!rc && (v = view_after(d, b, shared)) == NULL && *shared) {
		*shared = 0;
		v = copy_slots(d, d->fr->score.slot);
	}
	if (rc || !v || take_touched(d, v)) {
		dmerge_empty(d->m);
		free(v);
		return NULL;
	}
	return v;
}

/* The view of t from the merge of all its ancestors' changes, in dag
 * order: for a task without a base, or whose base's view is gone. */
static cJSON **view_merged(dag *d, size_t t, int *shared)
{
	const rscore *start = &d->fr->score;
	const uint64_t *r = row(d, t);
	size_t p;
	rfail f = RFAIL_INIT;
	for (p = next_bit(d, r, NULL, 0); p != SIZE_MAX; p = next_bit(d, r, NULL, p + 1))
		if (changed(d, d->ms->order[p]))
			break;
	if (p == SIZE_MAX) {
		*shared = 1;
		return NULL;
	}
	cJSON **v = copy_slots(d, start->slot);
	if (!v)
		return NULL;
	int rc = 0;
	for (; !rc && p != SIZE_MAX; p = next_bit(d, r, NULL, p + 1))
		rc = merge_task(d, d->ms->order[p], 1, &f);
	cad_rfail_free(&f);
	if (rc || take_touched(d, v)) {
		dmerge_empty(d->m);
		free(v);
		return NULL;
	}
	return v;
}

/* Task t's input: its view as a score whose slots it borrows, or, when
 * its ancestors changed nothing, the start score itself, shared as a
 * sync's notes share it (no copy, one JSON object for every C note). */
static int make_input(dag *d, size_t t)
{
	const rscore *src = &d->fr->score;
	dtask *st = &d->st[t];
	rscore *s = &st->input;
	size_t n = src->n, b = st->base;
	int shared = 0;
	cJSON **v = b != NO_CAUSE && d->st[b].vstate != V_NONE ? view_from(d, t, b, &shared)
		    : view_merged(d, t, &shared);
	if (!v && !shared)
		return -1;
	let_parent_go(d, t);
	memset(s, 0, sizeof(*s));
	st->shared = (unsigned char)shared;
	st->vstate = shared ? V_SHARED : V_NONE;
	if (!shared) {
		/* kept for the tasks based on it, within VIEW_BYTES; else the
		 * input's slots are the view's array itself */
		int keep = st->holds && d->view_bytes + n * sizeof(*v) <= VIEW_BYTES;
		s->slot = keep ? malloc((n ? n : 1) * sizeof(*s->slot)) : v;
		s->flags = malloc(n ? n : 1);
		if (!s->slot || !s->flags) {
			if (s->slot != v)
				free(v);
			cad_score_free(s);
			return -1;
		}
		if (keep) {
			memcpy(s->slot, v, n * sizeof(*v));
			st->view = v;
			st->vstate = V_OWN;
			d->view_bytes += n * sizeof(*v);
		}
		memcpy(s->flags, d->flags, n);
		s->plan = src->plan;
		s->n = n;
	}
	st->has_input = 1;
	if (!st->holds) {	/* no child will start from it */
		st->holds = 1;
		release_view(d, t);
	}
	return 0;
}

static void drop_input(dag *d, size_t t)
{
	if (d->st[t].has_input && !d->st[t].shared)
		cad_score_free(&d->st[t].input);
	d->st[t].has_input = d->st[t].shared = 0;
}

static rscore *input_of(dag *d, size_t t)
{
	return d->st[t].shared ? &d->fr->score : &d->st[t].input;
}

/* ---- outcomes -------------------------------------------------------------- */

static int bad(const dag *d, size_t a)
{
	return d->st[a].state == T_ENDED &&
	       (d->st[a].outcome == CADENCE_TASK_FAILED ||
		(d->st[a].outcome == CADENCE_TASK_SKIPPED && d->st[a].cause != NO_CAUSE));
}

/* The failed task upstream of t, through the tasks it is after (the first
 * in dag order), or NO_CAUSE. */
static size_t cause_of(const dag *d, size_t t)
{
	const rdtask *tk = &d->ms->tasks[t];
	size_t best = NO_CAUSE;
	for (size_t e = 0; e < tk->nafter; e++) {
		size_t a = tk->after[e];
		if (!bad(d, a))
			continue;
		size_t c = d->st[a].outcome == CADENCE_TASK_FAILED ? a : d->st[a].cause;
		if (best == NO_CAUSE || d->ms->tasks[c].pos < d->ms->tasks[best].pos)
			best = c;
	}
	return best;
}

static void released(dag *d, size_t t);

/* t did not run and never will: skipped, with its reason. */
static void skip(dag *d, size_t t, size_t cause)
{
	dtask *st = &d->st[t];
	strbuf why = STRBUF_INIT;
	let_parent_go(d, t);	/* made its view, or never will */
	st->state = T_ENDED;
	st->outcome = CADENCE_TASK_SKIPPED;
	st->cause = cause;
	if (cause == NO_CAUSE)
		cad_strbuf_addf(&why, "its condition '%s' gave false",
				d->ms->tasks[t].t->when.src ? d->ms->tasks[t].t->when.src : "");
	else
		cad_strbuf_addf(&why, "upstream task '%s' failed",
				d->ms->tasks[cause].t->name.name);
	task_event(d, t, CADENCE_EVENT_TASK_SKIPPED, CADENCE_TASK_SKIPPED, 0,
		   cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "");
	cad_strbuf_free(&why);
	released(d, t);
}

/* t has ended: the tasks after it that now have all theirs ended become
 * ready, or are skipped when one of those failed. */
static void released(dag *d, size_t t)
{
	const rdtask *tk = &d->ms->tasks[t];
	for (size_t e = 0; e < tk->nnext; e++) {
		size_t k = tk->next[e];
		if (--d->st[k].waiting)
			continue;
		size_t c = cause_of(d, k);
		if (c != NO_CAUSE) {
			skip(d, k, c);
		} else {
			d->st[k].state = T_READY;
			cad_heap_push(&d->ready, k);
		}
	}
}

/* ---- checkpoints -------------------------------------------------------------
 * With --checkpoint, the tasks that ended ok are saved with their changes
 * (ckframe.dag) once per turn of the jobs loop in which some did, and when
 * the dag fails or is interrupted.  A resumed dag takes a recorded task's
 * changes, checked against its input as its output was, instead of
 * running it, when it would start: its input is then the one it had. */

int cad_dag_record_tasks(const rmeasure *ms, const cJSON *rec, size_t *index, rfail *f)
{
	strmap names = STRMAP_INIT, seen = STRMAP_INIT;
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(rec, "tasks"), *it;
	size_t k = 0;
	int rc = 0;
	if (cad_strmap_reserve(&names, ms->ntasks))
		rc = CADENCE_ENOMEM;
	for (size_t t = 0; !rc && t < ms->ntasks; t++)
		if (cad_strmap_add(&names, ms->tasks[t].t->name.name, t) == STRMAP_NONE)
			rc = CADENCE_ENOMEM;
	cJSON_ArrayForEach(it, tasks) {
		if (rc)
			break;
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "task"));
		size_t t = cad_strmap_get(&names, name), first;
		if (t == STRMAP_NONE) {
			cad_rfail_set(f, "dag '%s' has no task '%s' any more", ms->m->name.name, name);
			rc = CADENCE_EINVALID;
		} else if ((first = cad_strmap_add(&seen, name, k)) == STRMAP_NONE) {
			rc = CADENCE_ENOMEM;
		} else if (first != k) {
			cad_rfail_set(f, "it lists task '%s' of dag '%s' twice", name, ms->m->name.name);
			rc = CADENCE_EINVALID;
		} else if (index) {
			index[k] = t;
		}
		k++;
	}
	if (rc == CADENCE_ENOMEM)
		cad_rfail_set(f, "out of memory");
	cad_strmap_free(&names);
	cad_strmap_free(&seen);
	return rc;
}

/* The record of the tasks that ended ok, in dag order: their changes are
 * referenced, not copied. */
static cJSON *record(dag *d)
{
	cJSON *rec = cJSON_CreateObject(), *tasks = NULL;
	if (!rec || !cJSON_AddStringToObject(rec, "measure", d->ms->m->name.name) ||
	    !(tasks = cJSON_AddArrayToObject(rec, "tasks")))
		goto oom;
	for (size_t p = 0; p < d->ms->ntasks; p++) {
		size_t t = d->ms->order[p];
		const rjob *j = &d->jobs[t];
		cJSON *o;
		if (d->st[t].state != T_ENDED || d->st[t].outcome != CADENCE_TASK_OK)
			continue;
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(tasks, o) ||
		    !cJSON_AddStringToObject(o, "task", d->ms->tasks[t].t->name.name) ||
		    (changed(d, t) && !cJSON_AddItemReferenceToObject(o, "changes", j->changes)) ||
		    (j->fell_back && !cJSON_AddTrueToObject(o, "fallback")) ||
		    (j->status == CADENCE_NOTE_STATUS_INTERRUPT && !cJSON_AddTrueToObject(o, "interrupt")))
			goto oom;
	}
	return rec;
oom:
	cJSON_Delete(rec);
	return NULL;
}

/* Saves the checkpoint; 0, or -1 when it could not be saved: the run's
 * error is set and every job stops. */
static int save(dag *d)
{
	cadence_run_error why = CADENCE_RUN_ERROR_INIT;
	cJSON *rec = record(d);
	int rc = rec ? cad_ckpt_in_dag(d->fr, rec, &why)
		 : cad_err_set(&why, CADENCE_ENOMEM, "out of memory");
	cJSON_Delete(rec);
	d->dirty = 0;
	if (!rc)
		return 0;
	rfail f = RFAIL_INIT;
	cad_rfail_set(&f, "the checkpoint after its tasks that ended could not be saved: %s",
		      why.message ? why.message : cadence_strerror(rc));
	cad_run_error(d->fr->run, d->fr, NULL, 0, rc, &f);
	cad_rfail_free(&f);
	cadence_run_error_clear(&why);
	d->ckrc = rc;
	d->stopped = d->s.stop = 1;	/* the running tasks are cancelled */
	return -1;
}

/* Saves the checkpoint unless the last one is too recent: a save that
 * took c waits 9c for the next, so that saving (O(tasks recorded) each)
 * takes at most a tenth of the run, and the loop comes back then.  0, or
 * -1 as save(). */
static int save_now(dag *d)
{
	rrun *run = d->fr->run;
	int64_t now = cad_run_now(run);
	if (now < d->save_after) {
		d->s.wake_at = d->save_after;
		return 0;
	}
	d->s.wake_at = -1;
	int rc = save(d);
	int64_t took = cad_run_now(run) - now;
	d->save_after = now + (took > 0 ? 10 * took : 0);
	return rc;
}

/* Task t, ready with its input, from its record: 1 when it ended so (its
 * job done), 0 when it must run (its recorded changes no longer fit). */
static int restore(dag *d, size_t t)
{
	rjob *j = &d->jobs[t];
	const cJSON *rec = d->st[t].record;
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(rec, "changes");
	d->st[t].record = NULL;
	if (ch && ch->child) {
		const rnote *n = d->ms->tasks[t].note;
		int fell_back = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "fallback"));
		if (!(j->changes = cJSON_Duplicate(ch, 1)) || cad_job_fields_room(j, j->changes)) {
			cJSON_Delete(j->changes);
			j->changes = NULL;
			d->nomem = 1;
			return 0;
		}
		/* as its output was checked: by its note's writes, unless it
		 * came from the fallback or a child's merge (checked by their
		 * own keys when they were made) */
		if (cad_score_check_changes(d->fr, j->base, n && !fell_back ? n->writes : NULL,
					    j->changes, NULL, j->fields, &j->fail)) {
			cJSON_Delete(j->changes);
			j->changes = NULL;
			cad_rfail_reset(&j->fail);
			return 0;
		}
	}
	cad_heap_pop(&d->ready);
	j->outcome = CADENCE_NOTE_OK;
	j->status = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(rec, "interrupt"))
		    ? CADENCE_NOTE_STATUS_INTERRUPT : CADENCE_NOTE_STATUS_OK;
	j->state = JOB_DONE;
	d->st[t].state = T_RUNNING;
	d->st[t].restored = 1;
	return 1;
}

/* Marks the tasks fr's resumed record holds; 0, or an error code with the
 * run's error filled. */
static int take_record(dag *d)
{
	const cJSON *rec = d->fr->resume_dag;
	const cJSON *tasks = cJSON_GetObjectItemCaseSensitive(rec, "tasks");
	size_t n = (size_t)cJSON_GetArraySize(tasks), k = 0;
	d->fr->resume_dag = NULL;
	if (!rec || !n)
		return 0;
	size_t *index = malloc(n * sizeof(*index));
	rfail f = RFAIL_INIT;
	int rc = index ? cad_dag_record_tasks(d->ms, rec, index, &f) : CADENCE_ENOMEM;
	const cJSON *it;
	cJSON_ArrayForEach(it, tasks) {
		if (rc)
			break;
		d->st[index[k++]].record = it;
	}
	free(index);
	if (rc) {	/* fitted before: out of memory */
		if (!f.msg.len)
			cad_rfail_set(&f, "out of memory");
		cad_run_error(d->fr->run, d->fr, NULL, 0, rc, &f);
	}
	cad_rfail_free(&f);
	return rc;
}

/* ---- child tasks ---------------------------------------------------------------
 * A task that runs a child cadence runs on the run's thread, as a child
 * measure does, when no other task of its dag is running (the child's own
 * measures run as usual); its changes are its child's merge, checked
 * against its input. */

/* The task's failure is the run's error, less the dag's own "path: dag
 * 'name': " where the error was the dag's frame's (a merge that failed):
 * the dag's error says it again. */
static void child_failed(dag *d, rjob *j, int rc)
{
	const cadence_run_error *e = d->fr->run->err;
	const char *msg = rc != CADENCE_ENOMEM && e && e->message ? e->message : cadence_strerror(rc);
	strbuf own = STRBUF_INIT;
	cad_strbuf_addf(&own, "%s: dag '%s': ", d->fr->path, d->ms->m->name.name);
	if (cad_strbuf_cstr(&own) && !strncmp(msg, own.buf, own.len))
		msg += own.len;
	cad_strbuf_free(&own);
	j->outcome = CADENCE_NOTE_FAILED;
	j->status = CADENCE_NOTE_STATUS_FAILED;
	cad_rfail_set(&j->fail, "%s", msg);
	j->fail.cancelled = rc == CADENCE_ECANCELED;
	d->nomem |= rc == CADENCE_ENOMEM;
}

/* Runs child task t, ready with its input (j->base): its job done. */
static void run_child_task(dag *d, size_t t)
{
	rjob *j = &d->jobs[t];
	cJSON *back = NULL;
	size_t *kept = NULL;
	cad_heap_pop(&d->ready);
	d->st[t].state = T_RUNNING;
	task_event(d, t, CADENCE_EVENT_TASK_START, 0, 0, NULL);
	d->st[t].t0 = now_if_timed(d);
	int rc = cad_engine_child(d->fr, j->base, d->ms->tasks[t].child, 1, &back, &kept);
	j->state = JOB_DONE;
	j->attempt = 1;
	if (!rc && back && back->child && cad_job_fields_room(j, back))
		rc = CADENCE_ENOMEM;
	if (rc) {
		child_failed(d, j, rc);
	} else {
		j->outcome = CADENCE_NOTE_OK;
		j->status = CADENCE_NOTE_STATUS_OK;
		if (back && back->child) {
			size_t n = 0;
			for (const cJSON *c = back->child; c; c = c->next)
				n++;
			memcpy(j->fields, kept, n * sizeof(*kept));
			j->changes = back;
			back = NULL;
		}
	}
	cJSON_Delete(back);
	free(kept);
}

/* ---- the scheduler ----------------------------------------------------------- */

/* What becomes of ready task t before it can start: 0, its input made and
 * its condition true; 1, it ended (restored, skipped, or its condition
 * failed it: ended() was called, *halt its answer); -1, out of memory. */
static int prepare(dag *d, size_t t, int *halt)
{
	rjob *j = &d->jobs[t];
	if (make_input(d, t))
		return -1;
	j->base = input_of(d, t);
	if (d->st[t].record && restore(d, t)) {
		*halt = d->s.ended(&d->s, j);
		return 1;
	}
	if (d->nomem)
		return -1;
	const rexpr *when = d->ms->tasks[t].when;
	int yes = 1;
	strbuf msg = STRBUF_INIT;
	if (when && cad_rexpr_eval_bool(when, j->base, &yes, &msg)) {
		/* a condition that cannot be evaluated fails the task */
		cad_heap_pop(&d->ready);
		cad_rfail_set(&j->fail, "its condition '%s' failed: %s", cad_rexpr_src(when),
			      cad_strbuf_cstr(&msg) ? cad_strbuf_cstr(&msg) : "out of memory");
		j->fail.type = "expression";
		j->state = JOB_DONE;
		j->outcome = CADENCE_NOTE_FAILED;
		cad_strbuf_free(&msg);
		d->st[t].state = T_RUNNING;
		task_event(d, t, CADENCE_EVENT_TASK_START, 0, 0, NULL);
		d->st[t].t0 = now_if_timed(d);
		*halt = d->s.ended(&d->s, j);
		return 1;
	}
	cad_strbuf_free(&msg);
	if (!yes) {
		cad_heap_pop(&d->ready);
		drop_input(d, t);
		j->base = NULL;
		skip(d, t, NO_CAUSE);
		return 1;
	}
	return 0;
}

static rjob *dag_next(rsched *s)
{
	dag *d = of(s);
	if (d->dirty && save_now(d))
		return NULL;
	while (d->ready.n && !d->nomem && !cad_run_cancelled(d->fr->run)) {
		size_t t = d->ready.v[0];
		rjob *j = &d->jobs[t];
		int halt = 0, p;
		if (d->failed && d->ms->m->on_failure != CAD_ON_FAILURE_CONTINUE)
			return NULL;	/* finish: no task starts any more */
		/* has_input: ready before, its condition true, but blocked */
		if (!d->st[t].has_input && (p = prepare(d, t, &halt))) {
			d->nomem |= p < 0;
			if (halt || p < 0)
				return NULL;
			continue;
		}
		if (!d->ms->tasks[t].child)
			return j;
		if (d->nrunning)
			return NULL;	/* a child task runs alone: after those */
		run_child_task(d, t);
		if (s->ended(s, j) || (d->dirty && save_now(d)))
			return NULL;
	}
	return NULL;
}

/* The loop's call when a held-back checkpoint is due, whether or not it
 * asks for a task (it does not while it stops, or is blocked). */
static void dag_tick(rsched *s)
{
	dag *d = of(s);
	if (d->dirty)
		save_now(d);
}

static void dag_started(rsched *s, rjob *j)
{
	dag *d = of(s);
	size_t t = (size_t)(j - d->jobs);
	size_t top = cad_heap_pop(&d->ready);
	(void)top;	/* t: dag_next() gave the top */
	d->st[t].state = T_RUNNING;
	d->st[t].on_loop = 1;
	d->nrunning++;
	task_event(d, t, CADENCE_EVENT_TASK_START, 0, 0, NULL);
	d->st[t].t0 = now_if_timed(d);
}

static int dag_ended(rsched *s, rjob *j)
{
	dag *d = of(s);
	size_t t = (size_t)(j - d->jobs);
	dtask *st = &d->st[t];
	if (st->on_loop) {
		st->on_loop = 0;
		d->nrunning--;
	}
	if (d->stopped || st->state != T_RUNNING)
		return 0;	/* stopped: every task still running is cancelled */
	int failed = j->outcome == CADENCE_NOTE_FAILED;
	int cancelled = failed && j->fail.cancelled && cad_run_cancelled(d->fr->run);
	st->state = T_ENDED;
	st->outcome = cancelled ? CADENCE_TASK_CANCELLED
		      : failed ? CADENCE_TASK_FAILED : CADENCE_TASK_OK;
	if (st->outcome == CADENCE_TASK_OK && (keep_seen(d, t) || add_writes(d, t)))
		d->nomem = 1;
	drop_input(d, t);	/* its changes stay, in the job */
	j->base = NULL;
	if (!st->restored)	/* it ran in an earlier run, which said so */
		task_event(d, t, CADENCE_EVENT_TASK_END, st->outcome, now_if_timed(d) - st->t0,
			   failed ? cad_strbuf_cstr(&j->fail.msg) : NULL);
	d->dirty |= st->outcome == CADENCE_TASK_OK && !st->restored && d->fr->run->ck &&
		    !d->fr->in_task;
	if (cancelled)
		return 0;	/* the loop stops the rest */
	if (failed) {
		d->failed = 1;
		if (d->ms->m->on_failure == CAD_ON_FAILURE_STOP) {
			d->stopped = d->s.stop = 1;
			return 1;
		}
	}
	released(d, t);
	return 0;
}

/* After the loop: the tasks that did not end, in dag order (each after
 * the tasks it is after): skipped below a failure, else cancelled. */
static void settle(dag *d)
{
	for (size_t p = 0; p < d->ms->ntasks; p++) {
		size_t t = d->ms->order[p];
		dtask *st = &d->st[t];
		if (st->state == T_ENDED)
			continue;
		size_t c = st->state == T_RUNNING ? NO_CAUSE : cause_of(d, t);
		if (c != NO_CAUSE) {
			st->state = T_ENDED;	/* skip() would release: nothing waits now */
			st->outcome = CADENCE_TASK_SKIPPED;
			st->cause = c;
			strbuf why = STRBUF_INIT;
			cad_strbuf_addf(&why, "upstream task '%s' failed", d->ms->tasks[c].t->name.name);
			task_event(d, t, CADENCE_EVENT_TASK_SKIPPED, CADENCE_TASK_SKIPPED, 0,
				   cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "");
			cad_strbuf_free(&why);
			continue;
		}
		int64_t dur = st->state == T_RUNNING ? now_if_timed(d) - st->t0 : 0;
		st->state = T_ENDED;
		st->outcome = CADENCE_TASK_CANCELLED;
		task_event(d, t, CADENCE_EVENT_TASK_END, CADENCE_TASK_CANCELLED, dur,
			   d->ckrc ? "the dag stopped: its checkpoint could not be saved"
			   : d->stopped ? "the dag stopped: another task failed (on_failure: stop)"
			   : d->failed ? "the dag stopped starting tasks: another task failed"
			   : "the run was interrupted");
	}
}

/* ---- the result ------------------------------------------------------------ */

/* The changes of the tasks that succeeded, merged in dag order and
 * applied to the frame's score; 0, or -1 with f set (a conflict: nothing
 * applied). */
static int apply_result(dag *d, rfail *f)
{
	rframe *fr = d->fr;
	struct dmerge *m = d->m;
	for (size_t p = 0; p < d->ms->ntasks; p++)
		if (merge_task(d, d->ms->order[p], 0, f)) {
			dmerge_empty(m);
			return -1;
		}
	if (m->ntouched > 1)
		qsort(m->touched, m->ntouched, sizeof(*m->touched), cad_cmp_size);
	for (size_t k = 0; k < m->ntouched; k++) {
		size_t i = m->touched[k];
		dfield *e = &m->f[i];
		cJSON *v = e->made;
		e->made = NULL;
		if (!v)
			v = cJSON_DetachItemViaPointer(d->jobs[e->owner].changes, e->val);
		cad_score_set(&fr->score, i, v);
	}
	dmerge_empty(m);
	return 0;
}

/* ---- the measure ------------------------------------------------------------- */

static int dag_init(dag *d, rframe *fr, const rmeasure *ms)
{
	size_t n = ms->ntasks;
	memset(d, 0, sizeof(*d));
	d->s = (rsched){ dag_next, dag_started, dag_ended, dag_tick, 0, -1 };
	d->fr = fr;
	d->ms = ms;
	d->jobs = calloc(n, sizeof(*d->jobs));
	d->st = calloc(n, sizeof(*d->st));
	d->ready.v = calloc(n, sizeof(size_t));
	d->words = (n + 63) / 64;
	size_t bits = n * d->words;
	d->anc = calloc(bits ? bits : 1, sizeof(*d->anc));
	size_t nf = fr->plan->def->nfields;
	d->fw = calloc(nf ? nf : 1, sizeof(*d->fw));
	if ((d->m = calloc(1, sizeof(*d->m))))
		d->m->f = calloc(nf ? nf : 1, sizeof(*d->m->f));
	d->flags = malloc(fr->score.n ? fr->score.n : 1);
	if (!d->jobs || !d->st || !d->ready.v || !d->anc || !d->fw || !d->flags || !d->m ||
	    !d->m->f)
		return -1;
	for (size_t i = 0; i < fr->score.n; i++)
		d->flags[i] = fr->score.flags[i] & (unsigned char)~SLOT_OWNED;
	size_t *count = malloc(n * sizeof(*count) + 1);
	if (!count)
		return -1;
	fill_ancestors(d, count);
	free(count);
	for (size_t i = 0; i < n; i++) {
		cad_job_init(&d->jobs[i], fr, ms->tasks[i].note, NULL);
		d->jobs[i].task_name = ms->tasks[i].t->name.name;
		d->st[i].cause = NO_CAUSE;
		if (d->st[i].base != NO_CAUSE)
			d->st[d->st[i].base].holds++;
		if (!(d->st[i].waiting = ms->tasks[i].nafter)) {
			d->st[i].state = T_READY;
			cad_heap_push(&d->ready, i);
		}
	}
	return 0;
}

static void dag_free(dag *d)
{
	for (size_t i = 0; d->jobs && d->st && i < d->ms->ntasks; i++) {
		drop_input(d, i);
		free(d->st[i].view);
		free_seen(d, i);
		cad_job_clear(&d->jobs[i]);
	}
	for (size_t k = 0; k < d->nmade; k++)
		cJSON_Delete(d->made[k]);
	free(d->made);
	free(d->jobs);
	free(d->st);
	free(d->ready.v);
	free(d->anc);
	free(d->flags);
	for (size_t i = 0; d->fw && i < d->fr->plan->def->nfields; i++)
		free(d->fw[i].w);
	free(d->fw);
	if (d->m) {
		dmerge_empty(d->m);
		free(d->m->f);
		free(d->m->touched);
		free(d->m);
	}
}

static unsigned dag_jobs(const rframe *fr, const rmeasure *ms)
{
	const cadence_runner *r = fr->run->r;
	unsigned jobs = ms->m->jobs > 0 ? (unsigned)ms->m->jobs : r->ncpu ? r->ncpu : 1;
	if (r->opts.jobs && r->opts.jobs < jobs)
		jobs = r->opts.jobs;
	return jobs;
}

/* The first failed task in dag order: the dag's error. */
static int first_failure(dag *d)
{
	for (size_t p = 0; p < d->ms->ntasks; p++) {
		size_t t = d->ms->order[p];
		if (d->st[t].outcome != CADENCE_TASK_FAILED)
			continue;
		rjob *j = &d->jobs[t];
		strbuf m = STRBUF_INIT;
		cad_strbuf_addf(&m, "task '%s': %s", d->ms->tasks[t].t->name.name,
				cad_strbuf_cstr(&j->fail.msg) ? cad_strbuf_cstr(&j->fail.msg) : "failed");
		cad_strbuf_free(&j->fail.msg);
		j->fail.msg = m;
		cad_run_error(d->fr->run, d->fr, j->note, j->attempt, CADENCE_EFAILED, &j->fail);
		return CADENCE_EFAILED;
	}
	return 0;
}

static int fail_simple(rframe *fr, int code, const char *msg)
{
	rfail f = RFAIL_INIT;
	cad_rfail_set(&f, "%s", msg);
	cad_run_error(fr->run, fr, NULL, 0, code, &f);
	cad_rfail_free(&f);
	return code;
}

int cad_dag_run(rframe *fr, const rmeasure *ms)
{
	dag d;
	int rc = 0;
	/* the start score's object made now: tasks' inputs borrow its items,
	 * and C notes on the pool read them, so it must not be remade (its
	 * items re-keyed, relinked) while they run, when a task that shares
	 * it needs it */
	if (dag_init(&d, fr, ms) || !cad_score_obj(&fr->score)) {
		fr->resume_dag = NULL;
		dag_free(&d);
		return fail_simple(fr, CADENCE_ENOMEM, "out of memory");
	}
	if ((rc = take_record(&d))) {
		dag_free(&d);
		return rc;
	}
	rjobs_end end = cad_jobs_run_sched(fr, d.jobs, ms->ntasks, dag_jobs(fr, ms), &d.s);
	settle(&d);
	/* what ended ok before a failure or an interrupt is not run again */
	if (d.dirty && !d.nomem && (end == RJOBS_CANCELLED || d.failed))
		save(&d);
	/* the inputs borrow the frame's score: gone before it changes */
	for (size_t i = 0; i < ms->ntasks; i++)
		drop_input(&d, i);
	if (d.ckrc) {	/* the run's error is set */
		rc = d.ckrc;
		goto out;
	}
	if (end == RJOBS_NOMEM || d.nomem) {
		rc = fail_simple(fr, CADENCE_ENOMEM, "out of memory");
		goto out;
	}
	if (end == RJOBS_CANCELLED) {	/* nothing of an interrupted dag counts */
		rc = fail_simple(fr, CADENCE_ECANCELED, "interrupted while the dag's tasks were "
				 "running; they were stopped");
		goto out;
	}
	rfail f = RFAIL_INIT;
	if (apply_result(&d, &f)) {
		if (fr->run->r->hooks.on_event && f.field) {
			cadence_event ev;
			memset(&ev, 0, sizeof(ev));
			ev.kind = CADENCE_EVENT_CONFLICT;
			ev.field = f.field;
			ev.task = ms->tasks[d.who].t->name.name;
			ev.note = ms->tasks[d.who].note ? ms->tasks[d.who].note->name : NULL;
			ev.message = cad_strbuf_cstr(&f.msg);
			cad_run_emit(fr->run, fr, &ev);
		}
		rc = CADENCE_EFAILED;
		cad_run_error(fr->run, fr, NULL, 0, rc, &f);
		cad_rfail_free(&f);
		goto out;
	}
	cad_rfail_free(&f);
	rc = first_failure(&d);
	for (size_t i = 0; !rc && i < ms->ntasks; i++)
		if (d.st[i].outcome == CADENCE_TASK_OK &&
		    d.jobs[i].status == CADENCE_NOTE_STATUS_INTERRUPT)
			fr->interrupt = 1;
out:
	dag_free(&d);
	return rc;
}
