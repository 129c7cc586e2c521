/* SPDX-License-Identifier: MIT */
/*
 * From a cadence to the diagram graph: one walk over the measures, in
 * order, each measure drawn as a piece with one way in and one way out.
 *
 * Ids (stable, from names; docs/diagram.md):
 *   c_<p>start, c_<p>end          the cadence's start and end
 *   m_<p><measure>                a then step, a child, a placeholder
 *   m_<p><measure>__<note>        a note inside a sync, split or sequence
 *   m_<p><measure>__<task>        a task of a dag (a child task too)
 *   f_<p><measure>, j_<p><measure> fork and join (sync), rejoin (split),
 *                                 entry and exit (dag)
 *   d_<p><measure>                the decision of a split
 *   g_<p><measure>, g_<p>scope    groups
 *   h_<p>on_error                 the on_error handler
 *   g_<p><measure>__<task>        an expanded child task
 * where <p> is empty for the cadence drawn, and `<child>__` for each
 * expanded child measure on the way down (`<dag>__<task>__` for a child
 * task).
 */
#include "diagram/diagram_int.h"
#include "project/project.h"
#include "util/grow.h"
#include "util/utf8.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Children expanded inside each other at most; deeper ones stay shapes. */
#define MAX_DEPTH 32
/* A description is shown by its first line, cut at this many code points. */
#define DESC_MAX 60

#define TIMES "\xC3\x97"	/* U+00D7 */
#define DOT_SEP " \xC2\xB7 "	/* U+00B7 */
#define ELLIPSIS "\xE2\x80\xA6"	/* U+2026 */

typedef struct builder {
	dg_graph *g;
	cadence_project *project;
	int expand;
	const struct cadence_def *stack[MAX_DEPTH];
	size_t depth;
} builder;

/* ---- the graph ---- */

static void *grow_array(dg_graph *g, void *arr, size_t *cap, size_t count, size_t size)
{
	if (cad_grow(&arr, cap, count + 1, size, 16)) {
		g->oom = 1;
		return NULL;
	}
	return arr;
}

/* A label or an id from sb, copied into the arena; sb is emptied (its
 * memory kept for the next one). */
static const char *keep(dg_graph *g, strbuf *sb)
{
	const char *s = cad_strbuf_cstr(sb);
	char *copy = s ? cad_arena_strndup(&g->arena, s, sb->len) : NULL;
	cad_strbuf_reset(sb);
	if (!copy) {
		g->oom = 1;
		return "";
	}
	return copy;
}

static void add_item(dg_graph *g, size_t group, size_t index, int is_group)
{
	dg_group *gr = &g->groups[group];
	dg_item *items = grow_array(g, gr->items, &gr->capitems, gr->nitems, sizeof(*items));
	if (!items)
		return;
	gr->items = items;
	gr->items[gr->nitems].index = index;
	gr->items[gr->nitems].is_group = is_group;
	gr->nitems++;
}

/* `want` (copied into the arena) or, when it is taken, the first free of
 * `want_2`, `want_3`, ...; "x" when out of memory. */
static const char *claim_id(dg_graph *g, const char *want)
{
	size_t len = strlen(want);
	char *id;
	if (!cad_strmap_find(&g->ids, want, len)) {
		id = cad_arena_strndup(&g->arena, want, len);
	} else {
		id = cad_arena_alloc(&g->arena, len + 24);
		for (unsigned long n = 2; id; n++) {
			snprintf(id, len + 24, "%s_%lu", want, n);
			if (!cad_strmap_find(&g->ids, id, strlen(id)))
				break;
		}
	}
	if (!id || !cad_strmap_put(&g->ids, id, strlen(id), NULL)) {
		g->oom = 1;
		return "x";
	}
	return id;
}

/* An id: kind_prefix + a (+ "__" + b), made unique. */
static const char *make_id(dg_graph *g, char kind, const char *prefix, const char *a,
			   const char *b)
{
	strbuf *sb = &g->scratch;
	cad_strbuf_reset(sb);
	cad_strbuf_addc(sb, kind);
	cad_strbuf_addc(sb, '_');
	cad_strbuf_adds(sb, prefix);
	cad_dg_id_part(sb, a);
	if (b) {
		cad_strbuf_adds(sb, "__");
		cad_dg_id_part(sb, b);
	}
	const char *want = cad_strbuf_cstr(sb);
	const char *id = want ? claim_id(g, want) : "x";
	if (!want)
		g->oom = 1;
	return id;
}

static size_t add_group(dg_graph *g, size_t parent, dg_group_kind kind, const char *id,
			const char *label)
{
	dg_group *groups = grow_array(g, g->groups, &g->capgroups, g->ngroups, sizeof(*groups));
	if (!groups)
		return parent;
	g->groups = groups;
	size_t i = g->ngroups++;
	memset(&g->groups[i], 0, sizeof(g->groups[i]));
	g->groups[i].id = id;
	g->groups[i].label = label;
	g->groups[i].kind = kind;
	g->groups[i].parent = parent;
	g->groups[i].first_node = DG_NONE;
	if (parent != DG_NONE)
		add_item(g, parent, i, 1);
	return i;
}

static size_t add_node(dg_graph *g, size_t group, dg_shape shape, const char *id,
		       const char *label)
{
	dg_node *nodes = grow_array(g, g->nodes, &g->capnodes, g->nnodes, sizeof(*nodes));
	if (!nodes)
		return 0;
	g->nodes = nodes;
	size_t i = g->nnodes++;
	g->nodes[i].id = id;
	g->nodes[i].shape = shape;
	g->nodes[i].label = label;
	add_item(g, group, i, 0);
	for (size_t p = group; p != DG_NONE && g->groups[p].first_node == DG_NONE;
	     p = g->groups[p].parent)
		g->groups[p].first_node = i;
	return i;
}

static void add_edge(dg_graph *g, size_t from, size_t to, dg_edge_kind kind, const char *label)
{
	dg_edge *edges = grow_array(g, g->edges, &g->capedges, g->nedges, sizeof(*edges));
	if (!edges)
		return;
	g->edges = edges;
	dg_edge *e = &g->edges[g->nedges++];
	e->from = from;
	e->to = to;
	e->from_group = DG_NONE;
	e->kind = kind;
	e->label = label;
}

/* ---- labels ---- */

static void add_duration(strbuf *sb, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms < 1000) {
		cad_strbuf_addu(sb, (uint64_t)ms);
		cad_strbuf_adds(sb, "ms");
		return;
	}
	if (ms < 60000 && ms % 1000) {
		/* 1.5s, 2.25s */
		char num[32];
		int n = snprintf(num, sizeof(num), "%" PRId64 ".%03" PRId64, ms / 1000, ms % 1000);
		while (n > 0 && num[n - 1] == '0')
			num[--n] = '\0';
		cad_strbuf_addf(sb, "%ss", num);
		return;
	}
	int64_t h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, rest = ms % 1000;
	/* cad_strbuf_addu, not printf: a large cadence has thousands of these */
	static const char *const units[] = { "h", "m", "s", "ms" };
	const int64_t parts[] = { h, m, s, rest };
	for (int i = 0; i < 4; i++)
		if (parts[i]) {
			cad_strbuf_addu(sb, (uint64_t)parts[i]);
			cad_strbuf_adds(sb, units[i]);
		}
}

/* "retry ×3 · timeout 10s · fallback · breaker" on a line of its own. */
static void add_policies(strbuf *sb, const cad_note *n)
{
	int any = 0;
	if (!n)
		return;
	if (n->retry.present) {
		cad_strbuf_adds(sb, "\nretry " TIMES);
		cad_strbuf_addu(sb, n->retry.attempts > 0 ? (uint64_t)n->retry.attempts : 0);
		any = 1;
	}
	if (n->timeout_ms > 0) {
		cad_strbuf_adds(sb, any ? DOT_SEP : "\n");
		cad_strbuf_adds(sb, "timeout ");
		add_duration(sb, n->timeout_ms);
		any = 1;
	}
	if (n->nfallback) {
		cad_strbuf_adds(sb, any ? DOT_SEP "fallback" : "\nfallback");
		any = 1;
	}
	if (n->breaker.present)
		cad_strbuf_adds(sb, any ? DOT_SEP "breaker" : "\nbreaker");
}

/* The first line of a description, at most DESC_MAX code points. */
static void add_description(strbuf *sb, const char *d)
{
	size_t i = 0, cps = 0, len;
	if (!d)
		return;
	while (*d == ' ' || *d == '\n' || *d == '\r' || *d == '\t')
		d++;
	len = strcspn(d, "\r\n");
	if (!len)
		return;
	while (i < len && cps < DESC_MAX) {
		uint32_t cp;
		size_t n = cad_utf8_decode((const unsigned char *)d + i, len - i, &cp);
		i += n ? n : 1;
		cps++;
	}
	cad_strbuf_addc(sb, '\n');
	cad_strbuf_add(sb, d, i);
	if (i < len)
		cad_strbuf_adds(sb, ELLIPSIS);
}

/* ---- cadences and measures ---- */

typedef struct scope {
	const struct cadence_def *def;
	const char *prefix;
} scope;

static const cad_note *note_of(const scope *s, const char *name)
{
	return cad_find_note(s->def, name);
}

static const char *note_label(dg_graph *g, const scope *s, const char *name)
{
	strbuf *sb = &g->label;
	cad_strbuf_adds(sb, name);
	add_policies(sb, note_of(s, name));
	return keep(g, sb);
}

/* A node for note `name` of measure m inside `group`. */
static size_t note_node(builder *b, const scope *s, const cad_measure *m, size_t group,
			const char *name)
{
	return add_node(b->g, group, DG_STEP, make_id(b->g, 'm', s->prefix, m->name.name, name),
			note_label(b->g, s, name));
}

/* Notes one after the other from `from`; returns the last node, or `from`
 * when there are none.  The first edge carries `label`. */
static size_t chain(builder *b, const scope *s, const cad_measure *m, size_t group,
		    const cad_ref *notes, size_t n, size_t from, const char *label)
{
	size_t cur = from;
	for (size_t i = 0; i < n; i++) {
		size_t nd = note_node(b, s, m, group, notes[i].name);
		add_edge(b->g, cur, nd, DG_E_FLOW, i ? NULL : label);
		cur = nd;
	}
	return cur;
}

static void draw_cadence(builder *b, const struct cadence_def *def, size_t group,
			 const char *prefix, size_t *in, size_t *out);

/* Where a child is drawn: a child measure (task NULL) or a dag's child
 * task, whose ids are the dag's name and the task's. */
typedef struct child_site {
	const cad_measure *m;	/* the child measure, or the task's (cad_task.child) */
	const cad_measure *dag;
	const cad_task *task;
} child_site;

/* The child cadence to draw inside, or NULL with *why saying why not
 * (NULL too when expanding is off). */
static const struct cadence_def *child_to_expand(builder *b, const scope *s,
						 const cad_measure *m, const char **why)
{
	dg_graph *g = b->g;
	const struct cadence_def *child = NULL;
	cadence_diags *none = NULL;
	int rc = CADENCE_ENOMEM;

	*why = NULL;
	if (!b->expand || !b->project)
		return NULL;
	/* the child's problems belong to validate, not to the picture */
	if (!cadence_diags_new(&none))
		rc = cad_project_child_of(&child, NULL, b->project, s->def, m, none);
	cadence_diags_free(none);
	if (rc == CADENCE_ENOMEM)
		g->oom = 1;
	if (rc) {
		*why = rc == CADENCE_EINVALID ? "(has errors: not expanded)"
		       : rc == CADENCE_EOUTSIDE ? "(outside the project root: not expanded)"
						: "(not found: not expanded)";
		return NULL;
	}
	for (size_t i = 0; i < b->depth; i++)
		if (b->stack[i] == child) {
			*why = "(cycle: not expanded)";
			return NULL;
		}
	if (b->depth == MAX_DEPTH || g->expanded >= CADENCE_DIAGRAM_MAX_EXPANSIONS) {
		*why = "(limit: not expanded)";
		return NULL;
	}
	return child;
}

/* A child measure or child task: the child's cadence inside a group when
 * expanded, else one sub-process node naming it. */
static void draw_child(builder *b, const scope *s, const child_site *at, size_t group,
		       size_t *in, size_t *out)
{
	dg_graph *g = b->g;
	const cad_measure *m = at->m;
	/* ids: m_<p><measure> for a measure, m_<p><dag>__<task> for a task */
	const char *a = at->task ? at->dag->name.name : m->name.name;
	const char *bn = at->task ? (at->task->name.name ? at->task->name.name : "?") : NULL;
	const char *when = at->task ? at->task->when.src : NULL;
	const char *desc = at->task ? at->task->description : m->description;
	const char *why;
	const struct cadence_def *child = child_to_expand(b, s, m, &why);
	strbuf *sb = &g->label;

	if (child) {
		/* the condition on the title's line: Mermaid makes no room for
		 * more than one line of a subgraph's title */
		cad_strbuf_addf(sb, "child %s (cadence %s)", bn ? bn : a, m->cadence.name);
		if (when)
			cad_strbuf_addf(sb, DOT_SEP "when %s", when);
		add_description(sb, desc);
		size_t grp = add_group(g, group, DG_G_CHILD, make_id(g, 'g', s->prefix, a, bn),
				       keep(g, sb));
		strbuf pre = STRBUF_INIT;
		cad_strbuf_adds(&pre, s->prefix);
		cad_dg_id_part(&pre, a);
		if (bn) {
			cad_strbuf_adds(&pre, "__");
			cad_dg_id_part(&pre, bn);
		}
		cad_strbuf_adds(&pre, "__");
		const char *prefix = keep(g, &pre);
		cad_strbuf_free(&pre);
		g->expanded++;
		draw_cadence(b, child, grp, prefix, in, out);
		return;
	}
	cad_strbuf_addf(sb, "%s\nchild cadence %s", bn ? bn : a, m->cadence.name);
	if (when)
		cad_strbuf_addf(sb, "\nwhen %s", when);
	if (why)
		cad_strbuf_addf(sb, "\n%s", why);
	add_description(sb, desc);
	*in = *out = add_node(g, group, DG_CHILD, make_id(g, 'm', s->prefix, a, bn), keep(g, sb));
}

/* A task: its name (and note), its condition, description, policies. */
static const char *task_label(dg_graph *g, const scope *s, const cad_task *t)
{
	strbuf *sb = &g->label;
	const char *name = t->name.name ? t->name.name : "?";
	const char *note = t->note.name ? t->note.name : name;
	cad_strbuf_adds(sb, name);
	if (strcmp(note, name))
		cad_strbuf_addf(sb, " (%s)", note);
	if (t->when.src)
		cad_strbuf_addf(sb, "\nwhen %s", t->when.src);
	add_description(sb, t->description);
	add_policies(sb, note_of(s, note));
	return keep(g, sb);
}

/* "dag NAME (jobs N · on_failure F · merge M)", jobs when set, on one
 * line: Mermaid makes no room for a second line of a subgraph's title. */
static const char *dag_label(dg_graph *g, const cad_measure *m)
{
	strbuf *sb = &g->label;
	unsigned merge = (unsigned)m->merge, fail = (unsigned)m->on_failure;
	cad_strbuf_addf(sb, "dag %s (", m->name.name);
	if (m->jobs > 0) {
		cad_strbuf_adds(sb, "jobs ");
		cad_strbuf_addu(sb, (uint64_t)m->jobs);
		cad_strbuf_adds(sb, DOT_SEP);
	}
	cad_strbuf_addf(sb, "on_failure %s" DOT_SEP "merge %s)",
			fail < 3 ? cad_on_failure_names[fail] : "?",
			merge < 3 ? cad_merge_names[merge] : "?");
	add_description(sb, m->description);
	return keep(g, sb);
}

/* The edges into task i: one from each task of its `after` that names a
 * task of the dag (the first of a name; each once), else one from the
 * entry.  seen[k] == i + 1 marks task k as met in this list already.
 * Names of no task are validate's to report: they draw nothing. */
static int dag_edges_in(dg_graph *g, const cad_task *t, size_t i, const strmap *index,
			const size_t *in, const size_t *out, size_t entry, size_t *seen,
			unsigned char *has_next)
{
	int any = 0;
	for (size_t j = 0; j < t->nafter; j++) {
		size_t k = t->after[j].name ? cad_strmap_get(index, t->after[j].name) : STRMAP_NONE;
		if (k == STRMAP_NONE || seen[k] == i + 1)
			continue;
		seen[k] = i + 1;
		add_edge(g, out[k], in[i], DG_E_FLOW, NULL);
		has_next[k] = 1;
		any = 1;
	}
	if (!any)
		add_edge(g, entry, in[i], DG_E_FLOW, NULL);
	return !any;
}

/* A dag: a group from an entry bar to an exit bar; the tasks with no
 * `after` start from the entry, the tasks nothing comes after lead to the
 * exit, an edge for each `after` between.  When no task starts from the
 * entry or none leads to the exit (no tasks, or tasks that wait on each
 * other in a circle: an error validate reports), an edge from entry to
 * exit keeps the flow drawn through the measure. */
static void draw_dag(builder *b, const scope *s, const cad_measure *m, size_t group,
		     size_t *in, size_t *out)
{
	dg_graph *g = b->g;
	const char *name = m->name.name;
	size_t n = m->ntasks;
	size_t grp = add_group(g, group, DG_G_DAG, make_id(g, 'g', s->prefix, name, NULL),
			       dag_label(g, m));
	size_t entry = add_node(g, grp, DG_FORK, make_id(g, 'f', s->prefix, name, NULL), "");
	/* each task's way in and way out (one node, or an expanded child's
	 * start and end), then seen[] */
	size_t *node = calloc(n ? 3 * n : 1, sizeof(*node));
	unsigned char *has_next = calloc(n ? n : 1, 1);
	strmap index = STRMAP_INIT;

	*in = *out = entry;
	if (!node || !has_next || cad_strmap_reserve(&index, n)) {
		g->oom = 1;
		goto out;
	}
	size_t *t_in = node, *t_out = node + n, *seen = node + 2 * n, roots = 0, sinks = 0;
	for (size_t i = 0; i < n && !g->oom; i++) {
		const cad_task *t = &m->tasks[i];
		const char *tn = t->name.name ? t->name.name : "?";
		if (t->child) {
			child_site at = { t->child, m, t };
			draw_child(b, s, &at, grp, &t_in[i], &t_out[i]);
		} else {
			t_in[i] = t_out[i] = add_node(g, grp, DG_STEP,
						      make_id(g, 'm', s->prefix, name, tn),
						      task_label(g, s, t));
		}
		if (t->name.name && cad_strmap_add(&index, t->name.name, i) == STRMAP_NONE)
			g->oom = 1;
	}
	for (size_t i = 0; i < n && !g->oom; i++)
		roots += (size_t)dag_edges_in(g, &m->tasks[i], i, &index, t_in, t_out, entry, seen,
					      has_next);
	*out = add_node(g, grp, DG_JOIN, make_id(g, 'j', s->prefix, name, NULL), "");
	for (size_t i = 0; i < n && !g->oom; i++)
		if (!has_next[i]) {
			add_edge(g, t_out[i], *out, DG_E_FLOW, NULL);
			sinks++;
		}
	if (!roots || !sinks)
		add_edge(g, entry, *out, DG_E_FLOW, NULL);
out:
	cad_strmap_free(&index);
	free(node);
	free(has_next);
}

static void draw_measure(builder *b, const scope *s, size_t mi, size_t group, size_t *in,
			 size_t *out)
{
	dg_graph *g = b->g;
	const cad_measure *m = &s->def->measures[mi];
	const char *name = m->name.name;
	strbuf *sb = &g->label;

	switch (m->kind) {
	case CAD_M_THEN: {
		const char *note = m->nnotes ? m->notes[0].name : name;
		cad_strbuf_adds(sb, name);
		if (strcmp(note, name))
			cad_strbuf_addf(sb, " (%s)", note);
		add_description(sb, m->description);
		add_policies(sb, note_of(s, note));
		*in = *out = add_node(g, group, DG_STEP, make_id(g, 'm', s->prefix, name, NULL),
				      keep(g, sb));
		return;
	}
	case CAD_M_SYNC: {
		unsigned merge = (unsigned)m->merge;
		cad_strbuf_addf(sb, "sync %s (merge %s)", name,
			    merge < 3 ? cad_merge_names[merge] : "?");
		add_description(sb, m->description);
		size_t grp = add_group(g, group, DG_G_SYNC, make_id(g, 'g', s->prefix, name, NULL),
				       keep(g, sb));
		size_t fork = add_node(g, grp, DG_FORK, make_id(g, 'f', s->prefix, name, NULL), "");
		size_t *branch = calloc(m->nnotes ? m->nnotes : 1, sizeof(*branch));
		if (!branch) {
			g->oom = 1;
			*in = *out = fork;
			return;
		}
		for (size_t i = 0; i < m->nnotes; i++) {
			branch[i] = note_node(b, s, m, grp, m->notes[i].name);
			add_edge(g, fork, branch[i], DG_E_FLOW, NULL);
		}
		size_t join = add_node(g, grp, DG_JOIN, make_id(g, 'j', s->prefix, name, NULL), "");
		for (size_t i = 0; i < m->nnotes; i++)
			add_edge(g, branch[i], join, DG_E_FLOW, NULL);
		if (!m->nnotes)
			add_edge(g, fork, join, DG_E_FLOW, NULL);
		free(branch);
		*in = fork;
		*out = join;
		return;
	}
	case CAD_M_SPLIT: {
		cad_strbuf_adds(sb, name);
		if (m->when.src)
			cad_strbuf_addf(sb, "\n%s", m->when.src);
		size_t dec = add_node(g, group, DG_DECISION, make_id(g, 'd', s->prefix, name, NULL),
				      keep(g, sb));
		/* the rejoin is made last, after both branches */
		size_t nt = m->nnotes, nf = m->nelse;
		size_t t_end = chain(b, s, m, group, m->notes, nt, dec, "true");
		size_t f_end = chain(b, s, m, group, m->else_notes, nf, dec, "false");
		size_t join = add_node(g, group, DG_MERGE, make_id(g, 'j', s->prefix, name, NULL), "");
		add_edge(g, t_end, join, DG_E_FLOW, nt ? NULL : "true");
		add_edge(g, f_end, join, DG_E_FLOW, nf ? NULL : "false");
		*in = dec;
		*out = join;
		return;
	}
	case CAD_M_SEQUENCE: {
		cad_strbuf_addf(sb, "sequence %s", name);
		add_description(sb, m->description);
		size_t grp = add_group(g, group, DG_G_SEQUENCE, make_id(g, 'g', s->prefix, name, NULL),
				       keep(g, sb));
		if (!m->nnotes) {
			*in = *out = add_node(g, grp, DG_STEP, make_id(g, 'm', s->prefix, name, NULL),
					      "(no notes)");
			return;
		}
		*in = note_node(b, s, m, grp, m->notes[0].name);
		*out = chain(b, s, m, grp, m->notes + 1, m->nnotes - 1, *in, NULL);
		return;
	}
	case CAD_M_CHILD: {
		child_site at = { m, NULL, NULL };
		draw_child(b, s, &at, group, in, out);
		return;
	}
	case CAD_M_DAG:
		draw_dag(b, s, m, group, in, out);
		return;
	}
	/* an unknown kind (a newer model): a plain step keeps the flow drawn */
	*in = *out = add_node(g, group, DG_STEP, make_id(g, 'm', s->prefix, name, NULL), name);
}

static void draw_cadence(builder *b, const struct cadence_def *def, size_t group,
			 const char *prefix, size_t *in, size_t *out)
{
	dg_graph *g = b->g;
	scope s = { def, prefix };
	strbuf *sb = &g->label;
	const char *name = def->name.name ? def->name.name : "cadence";

	b->stack[b->depth++] = def;
	cad_strbuf_adds(sb, name);
	add_description(sb, def->description);
	size_t start = add_node(g, group, DG_START, make_id(g, 'c', prefix, "start", NULL),
				keep(g, sb));
	size_t body = group;
	if (def->has_on_error && def->nmeasures)
		body = add_group(g, group, DG_G_SCOPE, make_id(g, 'g', prefix, "scope", NULL),
				 "on_error scope");

	size_t cur = start;
	for (size_t i = 0; i < def->nmeasures && !g->oom; i++) {
		size_t m_in = cur, m_out = cur, mark = g->nedges;
		draw_measure(b, &s, i, body, &m_in, &m_out);
		/* the edge into the measure goes before the measure's own, so
		 * the text reads in the order things run */
		add_edge(g, cur, m_in, DG_E_FLOW, NULL);
		if (!g->oom && g->nedges - 1 > mark) {
			dg_edge e = g->edges[g->nedges - 1];
			memmove(&g->edges[mark + 1], &g->edges[mark],
				(g->nedges - 1 - mark) * sizeof(e));
			g->edges[mark] = e;
		}
		cur = m_out;
	}
	size_t end = add_node(g, group, DG_END, make_id(g, 'c', prefix, "end", NULL), "end");
	add_edge(g, cur, end, DG_E_FLOW, NULL);

	if (def->has_on_error) {
		const char *hn = def->on_error_note.name ? def->on_error_note.name : "?";
		cad_strbuf_addf(sb, "%s\non_error, then %s", hn, def->on_error_stop ? "stop" : "continue");
		add_policies(sb, note_of(&s, hn));
		size_t h = add_node(g, group, DG_HANDLER, make_id(g, 'h', prefix, "on_error", NULL),
				    keep(g, sb));
		if (body != group) {
			add_edge(g, g->groups[body].first_node, h, DG_E_ERROR, "on error");
			if (g->nedges && !g->oom)
				g->edges[g->nedges - 1].from_group = body;
		} else {
			add_edge(g, start, h, DG_E_ERROR, "on error");
		}
		if (def->on_error_stop)
			add_edge(g, h, end, DG_E_ERROR, "stop");
	}
	b->depth--;
	*in = start;
	*out = end;
}

int cad_dg_build(dg_graph *g, const struct cadence_def *def, cadence_project *project,
	     const cadence_diagram_opts *opts)
{
	builder b;
	size_t in, out;

	memset(g, 0, sizeof(*g));
	cad_arena_init(&g->arena);
	g->direction = opts->direction;
	memset(&b, 0, sizeof(b));
	b.g = g;
	b.project = project;
	b.expand = opts->expand;
	add_group(g, DG_NONE, DG_G_ROOT, "", "");
	if (g->oom)
		return CADENCE_ENOMEM;
	draw_cadence(&b, def, 0, "", &in, &out);
	return g->oom ? CADENCE_ENOMEM : 0;
}

static void walk(strbuf *out, const dg_graph *g, const dg_visitor *v, size_t gi, size_t depth)
{
	const dg_group *gr = &g->groups[gi];
	for (size_t i = 0; i < gr->nitems; i++) {
		const dg_item *it = &gr->items[i];
		if (!it->is_group) {
			v->node(out, g, &g->nodes[it->index], depth);
			continue;
		}
		v->open(out, g, &g->groups[it->index], depth);
		walk(out, g, v, it->index, depth + 1);
		v->close(out, g, &g->groups[it->index], depth);
	}
}

void cad_dg_walk(strbuf *out, const dg_graph *g, const dg_visitor *v)
{
	if (g->ngroups)
		walk(out, g, v, 0, 0);
}

void cad_dg_free(dg_graph *g)
{
	for (size_t i = 0; i < g->ngroups; i++)
		free(g->groups[i].items);
	free(g->groups);
	free(g->nodes);
	free(g->edges);
	cad_strmap_free(&g->ids);
	cad_strbuf_free(&g->scratch);
	cad_strbuf_free(&g->label);
	cad_arena_free(&g->arena);
	memset(g, 0, sizeof(*g));
}
