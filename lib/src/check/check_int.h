/* SPDX-License-Identifier: MIT */
/* Shared by the check passes in lib/src/check. */
#ifndef CADENCE_SRC_CHECK_CHECK_INT_H
#define CADENCE_SRC_CHECK_CHECK_INT_H

#include "cadence/check.h"
#include "diag/report.h"
#include "model/model.h"

#include <stdint.h>

/* A line with a `# cadence-ignore:` comment. */
typedef struct suppression {
	unsigned line;
	const char *start;		/* the line's text */
	const char *list, *end;		/* its rule list */
} suppression;

/* A score field that an expression needs set, since a null there fails
 * the evaluation (cadence_expr_field_uses): found by cad_check_exprs, for
 * cad_check_flow to follow along the paths. */
typedef struct xread {
	long field;		/* index in def->fields */
	const cad_expr *expr;	/* the expression, for the position */
	const char *target;	/* the field it computes, or NULL (a condition) */
	int needed;		/* a null there fails; else only read (a dag's
				 * order checks want every field read) */
} xread;

typedef struct xrange {
	size_t start, count;	/* in check_ctx.xr */
} xrange;

/* A dag measure's graph (dag.c), made once for the passes that need it.
 * Task i is after pred[pred_at[i] .. pred_at[i + 1]) (its `after:`
 * entries that name a task, as pred_ref), and before succ[succ_at[i] ..
 * succ_at[i + 1]).  Without a cycle, order holds the tasks in dag order
 * (docs/format.md, "dag") and pos[i] is task i's place in it. */
typedef struct dag_graph {
	size_t n;
	size_t *pred_at, *pred, *succ_at, *succ;
	const cad_ref **pred_ref;
	size_t *order, *pos;	/* NULL when the dag has a cycle */
	int dup;		/* a task is listed twice (duplicate-task) */
	/* labels of a depth-first walk (dag.c, "labels"), with order */
	size_t *pre, *last, *post, *low;
	/* searches: a node is seen when seen[node] == gen */
	uint32_t *seen;
	uint32_t gen;
	size_t *stack;
} dag_graph;

typedef struct check_ctx {
	cadence_project *project;
	const struct cadence_def *def;
	cadence_check_opts opts;
	report r;
	suppression *supp;	/* in line order */
	size_t nsupp;
	xread *xr;		/* by cad_check_exprs: the notes' in note order, ... */
	size_t nxr, capxr;
	xrange *note_xr;	/* per note of def (set notes) */
	xrange *measure_xr;	/* per measure (split's when, child's with) */
	xrange *task_xr;	/* per task of every dag, from task_base[measure] */
	size_t *task_base;	/* per measure */
	dag_graph *dags;	/* per measure; n 0 for all but dags (dag.c) */
	int last_suppressed;	/* cad_check_relate() then has nothing to relate */
	int oom;
} check_ctx;

/* Reports at a model location (the whole name or value underlined). */
#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
void cad_check_at(check_ctx *c, cadence_severity sev, const char *rule,
	      cad_loc loc, const char *help, const char *fmt, ...);

/* Where columns column .. column + width - 1 (code points, from 1) of the
 * text of e are in the file, when e is written on one line as it reads
 * (plain, or quoted without escapes), and then *exact is set; else e's
 * whole location. */
cad_loc cad_check_inside(check_ctx *c, const cad_expr *e, unsigned column, unsigned width,
			 int *exact);

/* Adds a related location to the diagnostic reported last. */
void cad_check_relate(check_ctx *c, cad_loc loc, const char *message);

/* The note a measure entry names, or NULL (reported by cad_check_refs). */
const cad_note *cad_check_note(const check_ctx *c, const cad_ref *ref);
/* Index of a field of the score of the cadence checked, or -1. */
long cad_check_field(const check_ctx *c, const char *name);

void cad_check_refs(check_ctx *c);
/* The dags' graphs (c->dags), and their shape: names, cycles, redundant
 * entries.  Before cad_check_flow, which follows the data through them. */
void cad_check_dags(check_ctx *c);
void cad_check_dags_free(check_ctx *c);
/* Whether task a of dag g comes before task b, directly or through
 * others (g without a cycle). */
int cad_dag_before(dag_graph *g, size_t a, size_t b);
void cad_check_score(check_ctx *c);
void cad_check_flow(check_ctx *c);
void cad_check_policies(check_ctx *c);
/* The schedule: its cron expression and time zone (check/schedule.c). */
void cad_check_schedule(check_ctx *c);
void cad_check_children(check_ctx *c);
/* cad_check_exprs before cad_check_flow: it finds the fields expressions need. */
void cad_check_exprs(check_ctx *c);

#endif
