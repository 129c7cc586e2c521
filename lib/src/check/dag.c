/* SPDX-License-Identifier: MIT */
/* The shape of each dag measure: task names unique, `after:` entries that
 * name tasks, no circle, no entry that the others imply.  The graph made
 * here (check_int.h, dag_graph) is the one cad_check_flow() follows.
 *
 * Every pass is a loop with its own stack or queue, never a recursion: a
 * chain of 10,000 tasks must not cost 10,000 frames.  Each costs the tasks
 * plus the entries (a heap makes the dag order n log n); the searches of
 * cad_dag_before(), when the labels of one walk do not answer, only go
 * through tasks between the two in dag order, from the end with fewer
 * entries. */
#include "check/check_int.h"
#include "util/grow.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/suggest.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNSEEN ((size_t)-1)

/* Names shown of a longer circle: the first ones, then the count. */
#define CYCLE_NAMES 8

static uint32_t next_gen(dag_graph *g)
{
	if (++g->gen == 0) {
		memset(g->seen, 0, g->n * sizeof(*g->seen));
		g->gen = 1;
	}
	return g->gen;
}

/* Whether `to` is reached from `from` through `at`/`next` (pred or succ),
 * going only through tasks whose place in dag order is between lo and hi:
 * one outside cannot lead to it. */
static int reaches(dag_graph *g, const size_t *at, const size_t *next, size_t from, size_t to,
		   size_t lo, size_t hi)
{
	uint32_t gen = next_gen(g);
	size_t sp = 0;
	g->stack[sp++] = from;
	g->seen[from] = gen;
	while (sp) {
		size_t x = g->stack[--sp];
		for (size_t j = at[x]; j < at[x + 1]; j++) {
			size_t p = next[j];
			if (p == to)
				return 1;
			if (g->seen[p] == gen || g->pos[p] < lo || g->pos[p] > hi)
				continue;
			g->seen[p] = gen;
			g->stack[sp++] = p;
		}
	}
	return 0;
}

int cad_dag_before(dag_graph *g, size_t a, size_t b)
{
	if (!g->pos || a == b || g->pos[a] >= g->pos[b])
		return 0;
	if (g->pre[a] <= g->pre[b] && g->pre[b] <= g->last[a])
		return 1;	/* below a in the walk's tree */
	if (g->low[b] < g->low[a] || g->post[b] > g->post[a])
		return 0;	/* what a reaches holds b's interval */
	/* from the end with fewer entries: a fan-in's last task is after
	 * thousands, each of them after one */
	if (g->succ_at[a + 1] - g->succ_at[a] <= g->pred_at[b + 1] - g->pred_at[b])
		return reaches(g, g->succ_at, g->succ, a, b, g->pos[a], g->pos[b]);
	return reaches(g, g->pred_at, g->pred, b, a, g->pos[a], g->pos[b]);
}

/* ---- labels ----------------------------------------------------------------
 * One depth-first walk, with its own stack, answers most questions of
 * cad_dag_before() without a search: b is below a in the walk's tree when
 * pre[a] <= pre[b] <= last[a] (a chain, a tree); and a cannot reach b
 * unless [low[b], post[b]] lies in [low[a], post[a]], low being the least
 * post number of what a task reaches (GRAIL).  So "every task reads what
 * the first one wrote", in a chain of 10,000, costs no search at all. */

static int label(dag_graph *g)
{
	size_t n = g->n, npre = 0, npost = 0, sp = 0;
	size_t *edge = malloc(n * sizeof(*edge));
	size_t *block = malloc(4 * n * sizeof(*block));
	if (!edge || !block) {
		free(edge);
		free(block);
		return -1;
	}
	g->pre = block;
	g->last = block + n;
	g->post = block + 2 * n;
	g->low = block + 3 * n;
	for (size_t i = 0; i < n; i++)
		g->pre[i] = UNSEEN;
	for (size_t r = 0; r < n; r++) {
		if (g->pre[g->order[r]] != UNSEEN)
			continue;
		g->stack[sp] = g->order[r];
		edge[sp++] = g->succ_at[g->order[r]];
		g->pre[g->order[r]] = npre++;
		while (sp) {
			size_t v = g->stack[sp - 1];
			if (edge[sp - 1] < g->succ_at[v + 1]) {
				size_t w = g->succ[edge[sp - 1]++];
				if (g->pre[w] == UNSEEN) {
					g->pre[w] = npre++;
					g->stack[sp] = w;
					edge[sp++] = g->succ_at[w];
				}
				continue;
			}
			/* every task v reaches is done: no circle */
			sp--;
			g->last[v] = npre - 1;
			g->post[v] = g->low[v] = npost++;
			for (size_t j = g->succ_at[v]; j < g->succ_at[v + 1]; j++)
				if (g->low[g->succ[j]] < g->low[v])
					g->low[v] = g->low[g->succ[j]];
		}
	}
	free(edge);
	return 0;
}

static void graph_free(dag_graph *g)
{
	free(g->pred_at);
	free(g->pred);
	free((void *)g->pred_ref);
	free(g->succ_at);
	free(g->succ);
	free(g->order);
	free(g->pos);
	free(g->seen);
	free(g->stack);
	free(g->pre);	/* the block of the four labels */
	memset(g, 0, sizeof(*g));
}

void cad_check_dags_free(check_ctx *c)
{
	for (size_t i = 0; c->dags && i < c->def->nmeasures; i++)
		graph_free(&c->dags[i]);
	free(c->dags);
	c->dags = NULL;
}

/* ---- names ---------------------------------------------------------------- */

static void duplicate_task(check_ctx *c, const cad_measure *m, const cad_task *first,
			   const cad_task *t)
{
	cad_check_at(c, CADENCE_SEVERITY_ERROR, "duplicate-task", t->name.loc,
		     "give each task its own name; set 'note:' to run the same note again",
		     "task '%s' is listed twice in dag '%s'", t->name.name, m->name.name);
	cad_check_relate(c, first->name.loc, "first listed");
}

static void undefined_after(check_ctx *c, const cad_measure *m, const cad_task *t,
			    const cad_ref *ref)
{
	const char *near = NULL;
	char help[200];

	if (!cad_report_capped(&c->r, "undefined-after"))
		near = cad_suggest_pick_in(ref->name, strlen(ref->name), m->tasks, m->ntasks,
					   sizeof(*m->tasks), offsetof(cad_task, name.name));
	if (near)
		snprintf(help, sizeof(help), "did you mean '%s'?", near);
	else
		snprintf(help, sizeof(help), "name a task listed under the 'tasks:' of dag '%.64s'",
			 m->name.name);
	cad_check_at(c, CADENCE_SEVERITY_ERROR, "undefined-after", ref->loc, help,
		     "task '%s' is after '%s', which is not a task of dag '%s'", t->name.name,
		     ref->name, m->name.name);
}

/* Indexes the task names (reporting the second of two) and resolves the
 * `after:` entries into pred, then succ.  -1 when out of memory. */
static int build_edges(check_ctx *c, const cad_measure *m, dag_graph *g)
{
	strmap names = STRMAP_INIT;
	size_t n = m->ntasks, ne = 0;

	for (size_t i = 0; i < n; i++)
		ne += m->tasks[i].nafter;
	if (cad_strmap_reserve(&names, n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t first = cad_strmap_add(&names, m->tasks[i].name.name, i);
		if (first != i) {
			duplicate_task(c, m, &m->tasks[first], &m->tasks[i]);
			g->dup = 1;
		}
	}
	g->pred_at = calloc(n + 1, sizeof(*g->pred_at));
	g->succ_at = calloc(n + 1, sizeof(*g->succ_at));
	g->pred = malloc((ne ? ne : 1) * sizeof(*g->pred));
	g->succ = malloc((ne ? ne : 1) * sizeof(*g->succ));
	g->pred_ref = malloc((ne ? ne : 1) * sizeof(*g->pred_ref));
	g->seen = calloc(n, sizeof(*g->seen));
	g->stack = malloc(n * sizeof(*g->stack));
	if (!g->pred_at || !g->succ_at || !g->pred || !g->succ || !g->pred_ref || !g->seen ||
	    !g->stack) {
		cad_strmap_free(&names);
		return -1;
	}
	ne = 0;
	for (size_t i = 0; i < n; i++) {
		const cad_task *t = &m->tasks[i];
		g->pred_at[i] = ne;
		for (size_t j = 0; j < t->nafter; j++) {
			size_t p = cad_strmap_get(&names, t->after[j].name);
			if (p == STRMAP_NONE) {
				undefined_after(c, m, t, &t->after[j]);
				continue;
			}
			g->pred_ref[ne] = &t->after[j];
			g->pred[ne++] = p;
			g->succ_at[p + 1]++;
		}
	}
	g->pred_at[n] = ne;
	cad_strmap_free(&names);
	/* successors by counting: each task's in task order */
	for (size_t i = 0; i < n; i++)
		g->succ_at[i + 1] += g->succ_at[i];
	size_t *fill = g->stack;	/* free until the searches */
	memcpy(fill, g->succ_at, n * sizeof(*fill));
	for (size_t i = 0; i < n; i++)
		for (size_t j = g->pred_at[i]; j < g->pred_at[i + 1]; j++)
			g->succ[fill[g->pred[j]]++] = i;
	return 0;
}

/* ---- the dag order ----------------------------------------------------------- */

/* A min-heap of task indexes: among the tasks ready at once, the one
 * listed first comes first. */
static void heap_push(size_t *h, size_t *len, size_t v)
{
	size_t i = (*len)++;
	while (i && h[(i - 1) / 2] > v) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = v;
}

static size_t heap_pop(size_t *h, size_t *len)
{
	size_t top = h[0], v = h[--*len], i = 0;
	for (;;) {
		size_t k = 2 * i + 1;
		if (k >= *len)
			break;
		if (k + 1 < *len && h[k + 1] < h[k])
			k++;
		if (h[k] >= v)
			break;
		h[i] = h[k];
		i = k;
	}
	h[i] = v;
	return top;
}

/* Kahn's algorithm.  Returns how many tasks it ordered: fewer than n when
 * some are on a circle or after one; *left then holds, per task, the
 * entries still unmet (nonzero for those). */
static size_t dag_order(dag_graph *g, size_t *left, size_t *heap)
{
	size_t n = g->n, len = 0, done = 0;
	for (size_t i = 0; i < n; i++) {
		left[i] = g->pred_at[i + 1] - g->pred_at[i];
		if (!left[i])
			heap_push(heap, &len, i);
	}
	while (len) {
		size_t t = heap_pop(heap, &len);
		g->pos[t] = done;
		g->order[done++] = t;
		for (size_t j = g->succ_at[t]; j < g->succ_at[t + 1]; j++)
			if (!--left[g->succ[j]])
				heap_push(heap, &len, g->succ[j]);
	}
	return done;
}

/* ---- circles ----------------------------------------------------------------- */

/* Tarjan's strongly connected components over the tasks Kahn left, with
 * an explicit stack; each component with a circle is reported once. */
typedef struct tarjan {
	size_t *idx, *low, *comp, *st, *cs_node, *cs_edge, *par, *queue;
	unsigned char *on;
	size_t nst, ncs, counter, ncomp;
} tarjan;

/* The pred slot of task s that names task p. */
static const cad_ref *entry_to(const dag_graph *g, size_t s, size_t p)
{
	for (size_t j = g->pred_at[s]; j < g->pred_at[s + 1]; j++)
		if (g->pred[j] == p)
			return g->pred_ref[j];
	return NULL;
}

/* The shortest circle through s, the component's first task: a search
 * back through `after:` entries inside the component until one names s. */
static void report_cycle(check_ctx *c, const cad_measure *m, dag_graph *g, tarjan *tj,
			 size_t cid, size_t s)
{
	size_t head = 0, tail = 0, u = s;
	uint32_t gen = next_gen(g);
	int found = 0;
	g->seen[s] = gen;
	tj->queue[tail++] = s;
	while (head < tail && !found) {
		u = tj->queue[head++];
		for (size_t j = g->pred_at[u]; j < g->pred_at[u + 1] && !found; j++) {
			size_t p = g->pred[j];
			if (p == s) {
				found = 1;
			} else if (tj->comp[p] == cid && g->seen[p] != gen) {
				g->seen[p] = gen;
				tj->par[p] = u;
				tj->queue[tail++] = p;
			}
		}
	}
	if (!found)
		return;
	/* s -> u -> par[u] -> ... -> s: each is after the one before */
	size_t len = 1, last = s;
	for (size_t x = u; x != s; x = tj->par[x], len++)
		last = x;
	strbuf path = STRBUF_INIT;
	cad_strbuf_adds(&path, m->tasks[s].name.name);
	size_t shown = 1;
	for (size_t x = u; x != s; x = tj->par[x], shown++) {
		if (len > CYCLE_NAMES + 2 && shown == CYCLE_NAMES) {
			cad_strbuf_addf(&path, " -> ... (%zu more)", len - shown - 1);
			x = last;
			shown = len - 1;
		}
		cad_strbuf_addf(&path, " -> %s", m->tasks[x].name.name);
	}
	cad_strbuf_addf(&path, " -> %s", m->tasks[s].name.name);
	const cad_ref *at = entry_to(g, s, last);
	if (!cad_strbuf_cstr(&path) || !at) {
		c->oom |= !cad_strbuf_cstr(&path);
		cad_strbuf_free(&path);
		return;
	}
	cad_check_at(c, CADENCE_SEVERITY_ERROR, "dag-cycle", at->loc,
		     "'a -> b' reads 'b is after a': remove one of these 'after:' entries",
		     "tasks of dag '%s' are after each other in a circle: %s", m->name.name,
		     cad_strbuf_cstr(&path));
	cad_strbuf_free(&path);
}

static void tarjan_push(tarjan *tj, const dag_graph *g, size_t v)
{
	tj->idx[v] = tj->low[v] = tj->counter++;
	tj->st[tj->nst++] = v;
	tj->on[v] = 1;
	tj->cs_node[tj->ncs] = v;
	tj->cs_edge[tj->ncs++] = g->succ_at[v];
}

/* Pops the component rooted at u; reports it when it holds a circle. */
static void tarjan_component(check_ctx *c, const cad_measure *m, dag_graph *g, tarjan *tj,
			     size_t u)
{
	size_t cid = tj->ncomp++, first = u, size = 0, x;
	do {
		x = tj->st[--tj->nst];
		tj->on[x] = 0;
		tj->comp[x] = cid;
		if (x < first)
			first = x;
		size++;
	} while (x != u);
	if (size > 1 || entry_to(g, u, u))
		report_cycle(c, m, g, tj, cid, first);
}

static void tarjan_from(check_ctx *c, const cad_measure *m, dag_graph *g, tarjan *tj,
			const size_t *left, size_t v)
{
	tarjan_push(tj, g, v);
	while (tj->ncs) {
		size_t u = tj->cs_node[tj->ncs - 1];
		size_t e = tj->cs_edge[tj->ncs - 1];
		if (e < g->succ_at[u + 1]) {
			size_t w = g->succ[e];
			tj->cs_edge[tj->ncs - 1]++;
			if (!left[w])
				continue;	/* ordered by Kahn: on no circle */
			if (tj->idx[w] == UNSEEN)
				tarjan_push(tj, g, w);
			else if (tj->on[w] && tj->idx[w] < tj->low[u])
				tj->low[u] = tj->idx[w];
			continue;
		}
		tj->ncs--;
		if (tj->ncs) {
			size_t p = tj->cs_node[tj->ncs - 1];
			if (tj->low[u] < tj->low[p])
				tj->low[p] = tj->low[u];
		}
		if (tj->low[u] == tj->idx[u])
			tarjan_component(c, m, g, tj, u);
	}
}

static int find_cycles(check_ctx *c, const cad_measure *m, dag_graph *g, const size_t *left)
{
	size_t n = g->n;
	tarjan tj;
	memset(&tj, 0, sizeof(tj));
	size_t *block = malloc(8 * n * sizeof(*block));
	tj.on = calloc(n, 1);
	if (!block || !tj.on) {
		free(block);
		free(tj.on);
		return -1;
	}
	tj.idx = block;
	tj.low = block + n;
	tj.comp = block + 2 * n;
	tj.st = block + 3 * n;
	tj.cs_node = block + 4 * n;
	tj.cs_edge = block + 5 * n;
	tj.par = block + 6 * n;
	tj.queue = block + 7 * n;
	for (size_t i = 0; i < n; i++)
		tj.idx[i] = tj.comp[i] = UNSEEN;
	for (size_t i = 0; i < n; i++)
		if (left[i] && tj.idx[i] == UNSEEN)
			tarjan_from(c, m, g, &tj, left, i);
	free(block);
	free(tj.on);
	return 0;
}

/* ---- redundant entries -------------------------------------------------------- */

typedef struct redundant {
	uint32_t *mark;		/* == gen: an entry of the task looked at */
	uint32_t gen;
	size_t *slot;		/* the pred slot of that entry */
	size_t *via;		/* the entry a search reached a task from */
} redundant;

static void report_twice(check_ctx *c, const cad_task *t, const cad_ref *first,
			 const cad_ref *again)
{
	cad_check_at(c, CADENCE_SEVERITY_WARNING, "dag-redundant-after", again->loc,
		     "remove the second one",
		     "task '%s' lists '%s' twice in 'after:'", t->name.name, again->name);
	cad_check_relate(c, first->loc, "first listed");
}

static void report_implied(check_ctx *c, const cad_task *t, const cad_ref *entry,
			   const cad_ref *through)
{
	cad_check_at(c, CADENCE_SEVERITY_WARNING, "dag-redundant-after", entry->loc,
		     "remove it: the order is the same without it",
		     "task '%s' is after '%s' already, through '%s'", t->name.name, entry->name,
		     through->name);
	cad_check_relate(c, through->loc, "the entry that implies it");
}

/* Task i's entries that another entry comes after: one search back from
 * all of them at once, through the tasks no earlier in dag order than
 * the first entry, labelled with the entry each task was reached from. */
static void redundant_entries(check_ctx *c, const cad_measure *m, dag_graph *g, redundant *rd,
			      size_t i)
{
	const cad_task *t = &m->tasks[i];
	size_t distinct = 0, found = 0, sp = 0, minpos = (size_t)-1;
	if (++rd->gen == 0) {
		memset(rd->mark, 0, g->n * sizeof(*rd->mark));
		rd->gen = 1;
	}
	for (size_t j = g->pred_at[i]; j < g->pred_at[i + 1]; j++) {
		size_t p = g->pred[j];
		if (rd->mark[p] == rd->gen) {
			report_twice(c, t, g->pred_ref[rd->slot[p]], g->pred_ref[j]);
			continue;
		}
		rd->mark[p] = rd->gen;
		rd->slot[p] = j;
		distinct++;
		if (g->pos[p] < minpos)
			minpos = g->pos[p];
	}
	if (distinct < 2)
		return;
	uint32_t gen = next_gen(g);
	for (size_t j = g->pred_at[i]; j < g->pred_at[i + 1]; j++) {
		size_t p = g->pred[j];
		if (rd->slot[p] != j)
			continue;	/* a second listing */
		for (size_t k = g->pred_at[p]; k < g->pred_at[p + 1]; k++) {
			size_t q = g->pred[k];
			if (g->pos[q] < minpos || g->seen[q] == gen)
				continue;
			g->seen[q] = gen;
			rd->via[q] = p;
			g->stack[sp++] = q;
		}
	}
	while (sp && found + 1 < distinct) {
		size_t x = g->stack[--sp];
		if (rd->mark[x] == rd->gen) {
			report_implied(c, t, g->pred_ref[rd->slot[x]], g->pred_ref[rd->slot[rd->via[x]]]);
			found++;
		}
		for (size_t k = g->pred_at[x]; k < g->pred_at[x + 1]; k++) {
			size_t q = g->pred[k];
			if (g->pos[q] < minpos || g->seen[q] == gen)
				continue;
			g->seen[q] = gen;
			rd->via[q] = rd->via[x];
			g->stack[sp++] = q;
		}
	}
}

static int check_redundant(check_ctx *c, const cad_measure *m, dag_graph *g)
{
	redundant rd = { NULL, 0, NULL, NULL };
	size_t n = g->n;
	int any = 0;
	for (size_t i = 0; i < n && !any; i++)
		any = g->pred_at[i + 1] - g->pred_at[i] >= 2;
	if (!any)
		return 0;
	rd.mark = calloc(n, sizeof(*rd.mark));
	rd.slot = malloc(n * sizeof(*rd.slot));
	rd.via = malloc(n * sizeof(*rd.via));
	int rc = rd.mark && rd.slot && rd.via ? 0 : -1;
	for (size_t i = 0; i < n && !rc; i++)
		if (g->pred_at[i + 1] - g->pred_at[i] >= 2)
			redundant_entries(c, m, g, &rd, i);
	free(rd.mark);
	free(rd.slot);
	free(rd.via);
	return rc;
}

/* ---- one dag ------------------------------------------------------------------ */

static int check_dag(check_ctx *c, const cad_measure *m, dag_graph *g)
{
	size_t n = m->ntasks;
	g->n = n;
	if (!n)
		return 0;	/* dag-empty, from the format */
	if (build_edges(c, m, g))
		return -1;
	size_t *left = malloc(n * sizeof(*left));
	size_t *heap = malloc(n * sizeof(*heap));
	g->order = malloc(n * sizeof(*g->order));
	g->pos = malloc(n * sizeof(*g->pos));
	int rc = left && heap && g->order && g->pos ? 0 : -1;
	if (!rc && dag_order(g, left, heap) < n) {
		free(g->order);
		free(g->pos);
		g->order = g->pos = NULL;
		rc = find_cycles(c, m, g, left);
	} else if (!rc) {
		rc = label(g) ? -1 : check_redundant(c, m, g);
	}
	free(left);
	free(heap);
	return rc;
}

void cad_check_dags(check_ctx *c)
{
	const struct cadence_def *d = c->def;
	c->dags = calloc(d->nmeasures ? d->nmeasures : 1, sizeof(*c->dags));
	if (!c->dags) {
		c->oom = 1;
		return;
	}
	for (size_t i = 0; i < d->nmeasures; i++) {
		if (d->measures[i].kind != CAD_M_DAG)
			continue;
		if (check_dag(c, &d->measures[i], &c->dags[i])) {
			c->oom = 1;
			graph_free(&c->dags[i]);
			return;
		}
	}
}
