/* SPDX-License-Identifier: MIT */
/* Expressions: every `set` value, `when` condition (a split's, a dag
 * task's, the precheck's) and child `with` and `merge` value compiles against the score it
 * reads, as `cadence run` compiles them before anything runs
 * (lib/src/run/plan.c), and a `when` whose type is known is a boolean.
 * A dag task with `cadence:` has its `with` and `merge` checked as a child
 * measure's.  When the project keeps expressions (project/kept.h), those
 * that compile are kept for its runners, which then do not compile them
 * again. */
#include "check/check_int.h"
#include "cadence/expr.h"
#include "expr/compile.h"
#include "project/project.h"
#include "util/grow.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The env of a cadence's score, and where to keep what compiles against
 * it: `kept` is NULL unless the project keeps the expressions of `def`
 * and the env took every field (a runner compiles against all of them). */
typedef struct xenv {
	const cadence_expr_env *env;
	cadence_expr_env *own;	/* env when made here: freed or kept */
	const struct cadence_def *def;
	cad_kept *kept;
} xenv;

/* d's env into *x, the one kept by an earlier check when there is one; -1
 * when out of memory (c->oom set). */
static int env_of(check_ctx *c, const struct cadence_def *d, xenv *x)
{
	int whole = 1;
	*x = (xenv){ NULL, NULL, d, cad_project_kept(c->project, d) };
	if (x->kept && (x->env = cad_kept_env(x->kept, d)))
		return 0;
	if (cadence_expr_env_new(&x->own)) {
		c->oom = 1;
		return -1;
	}
	for (size_t i = 0; i < d->nfields; i++) {
		const cad_field *f = &d->fields[i];
		int rc = cadence_expr_env_add_field(x->own, f->name.name, cad_vtype_names[f->type]);
		if (rc == CADENCE_ENOMEM) {
			c->oom = 1;
			cadence_expr_env_free(x->own);
			return -1;
		}
		whole &= !rc;
	}
	x->env = x->own;
	if (!whole)
		x->kept = NULL;
	return 0;
}

/* x's env kept for the runners when it keeps, else freed. */
static void env_done(check_ctx *c, xenv *x)
{
	if (x->kept && x->own && cad_kept_put_env(x->kept, x->def, x->own))
		c->oom = 1;
	else if (!x->kept)
		cadence_expr_env_free(x->own);
	x->own = NULL;
}

/* Where the problem is in the file (check_int.h, cad_check_inside()). */
static cad_loc where(check_ctx *c, const cad_expr *e, const cadence_expr_error *err,
		     int *exact)
{
	return cad_check_inside(c, e, err->column, err->width, exact);
}

/* Records the fields of the cadence's own score that x reads, marking as
 * needed those a null would fail (an operand; for a condition, its value
 * too), unless the expression tests them. */
static void needs(check_ctx *c, const cadence_expr *x, const cad_expr *e, const char *target)
{
	for (size_t i = 0; i < cadence_expr_field_count(x); i++) {
		unsigned u = cadence_expr_field_uses(x, i);
		unsigned fails = CADENCE_EXPR_USE_OPERAND | (target ? 0u : CADENCE_EXPR_USE_RESULT);
		long k = cad_check_field(c, cadence_expr_field_name(x, i));
		if (k < 0)
			continue;
		if (CAD_GROW(c->xr, c->capxr, c->nxr + 1, 64)) {
			c->oom = 1;
			return;
		}
		c->xr[c->nxr++] = (xread){ k, e, target,
					   (u & fails) && !(u & CADENCE_EXPR_USE_TESTED) };
	}
}

/* The expression of e, compiled (or kept from an earlier check) and kept
 * when env keeps; NULL with a problem reported.  *mine: what to free. */
static const cadence_expr *compiled(check_ctx *c, const cad_expr *e, const xenv *env,
				    const char *what, cadence_expr **mine)
{
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	const cadence_expr *x = env->kept ? cad_kept_get(env->kept, e, env->def) : NULL;
	*mine = NULL;
	if (x)
		return x;
	/* no did-you-mean sought for a diagnostic that is dropped */
	int hint = !cad_report_capped(&c->r, "bad-expression");
	int rc = cad_expr_compile_in(mine, env->kept ? cad_kept_home(env->kept) : NULL, e->src,
				     strlen(e->src), env->env, hint, &err);
	if (rc == CADENCE_ENOMEM) {
		c->oom = 1;
		cadence_expr_error_clear(&err);
		return NULL;
	}
	if (rc) {
		int exact;
		cad_loc loc = where(c, e, &err, &exact);
		const char *why = err.message ? err.message : cadence_strerror(rc);
		if (exact)
			cad_check_at(c, CADENCE_SEVERITY_ERROR, "bad-expression", loc, err.help,
				 "%s: %s", what, why);
		else
			cad_check_at(c, CADENCE_SEVERITY_ERROR, "bad-expression", loc, err.help,
				 "%s: column %u of the expression: %s", what, err.column, why);
		cadence_expr_error_clear(&err);
		return NULL;
	}
	return *mine;
}

/* Compiles e and reports a problem; returns the result type (DYN when it
 * does not compile).  With `own` (an expression over the cadence's own
 * score), records what it needs set for cad_check_flow; `target` is the field
 * it computes, NULL for a condition. */
static cadence_expr_type compile(check_ctx *c, const cad_expr *e, const xenv *env,
				 const char *what, int own, const char *target)
{
	cadence_expr *mine;
	const cadence_expr *x = compiled(c, e, env, what, &mine);
	if (!x)
		return CADENCE_EXPR_DYN;
	cadence_expr_type t = cadence_expr_result_type(x);
	if (own)
		needs(c, x, e, target);
	if (mine && env->kept) {
		if (cad_kept_put(env->kept, e, env->def, mine))
			c->oom = 1;
	} else {
		cadence_expr_free(mine);
	}
	return t;
}

/* Whether a value of static type t can never be one of field type ft, as
 * the run checks a write (cad_score_type_ok()): dyn and null may always
 * be; a double may be integral, so it may fit an integer. */
static int never_fits(cadence_expr_type t, cad_vtype ft)
{
	if (t == CADENCE_EXPR_DYN || t == CADENCE_EXPR_NULL)
		return 0;
	switch (ft) {
	case CAD_T_STRING: return t != CADENCE_EXPR_STRING;
	case CAD_T_INTEGER:
	case CAD_T_NUMBER: return t != CADENCE_EXPR_INT && t != CADENCE_EXPR_DOUBLE;
	case CAD_T_BOOLEAN: return t != CADENCE_EXPR_BOOL;
	case CAD_T_ARRAY: return t != CADENCE_EXPR_LIST;
	case CAD_T_OBJECT: return t != CADENCE_EXPR_MAP;
	case CAD_T_ANY: return 0;
	}
	return 0;
}

/* A note's `set:` value gives the type of the field it writes. */
static void set_type(check_ctx *c, const cad_assign *as, cadence_expr_type t, const char *owner)
{
	long k = cad_check_field(c, as->field.name);
	if (k < 0)
		return;		/* undeclared-field says so */
	cad_vtype ft = c->def->fields[k].type;
	if (!never_fits(t, ft))
		return;
	cad_check_at(c, CADENCE_SEVERITY_ERROR, "set-type", as->expr.loc,
		     "give the field a value of its type, convert it (string(x), int(x)), "
		     "or change the field's declared type",
		     "note '%s' sets '%s', %s %s field, to a value of type %s", owner, as->field.name,
		     ft == CAD_T_INTEGER || ft == CAD_T_OBJECT || ft == CAD_T_ARRAY ? "an" : "a",
		     cad_vtype_names[ft], cadence_expr_type_name(t));
}

static void assigns(check_ctx *c, const cad_assign *as, size_t n, const xenv *env,
		    const char *kind, const char *owner)
{
	char what[160];
	for (size_t i = 0; i < n && !c->oom; i++) {
		snprintf(what, sizeof(what), "%s '%s' %s '%s'", kind, owner,
			 !strcmp(kind, "note") ? "sets" : "passes", as[i].field.name);
		cadence_expr_type t = compile(c, &as[i].expr, env, what, 1, as[i].field.name);
		if (!strcmp(kind, "note"))
			set_type(c, &as[i], t, owner);
	}
}

/* A `when:` condition: it compiles, and gives a bool when its type is known. */
static void condition(check_ctx *c, const cad_expr *e, const xenv *env,
		      const char *what)
{
	cadence_expr_type t = compile(c, e, env, what, 1, NULL);
	if (t != CADENCE_EXPR_BOOL && t != CADENCE_EXPR_DYN)
		cad_check_at(c, CADENCE_SEVERITY_ERROR, "bad-expression", e->loc,
			     "a condition must give true or false: compare it "
			     "(score.count > 0) or test it (has(score.x))",
			     "%s gives %s, not a bool", what, cadence_expr_type_name(t));
}

/* The envs of the children whose merge expressions were compiled: one
 * per child, however many measures run it. */
typedef struct child_envs {
	xenv *env;
	size_t n, cap;
} child_envs;

/* The env of `child`'s score, made once; NULL when out of memory. */
static const xenv *child_env(check_ctx *c, child_envs *ce, const struct cadence_def *child)
{
	for (size_t i = 0; i < ce->n; i++)
		if (ce->env[i].def == child)
			return &ce->env[i];
	if (CAD_GROW(ce->env, ce->cap, ce->n + 1, 8)) {
		c->oom = 1;
		return NULL;
	}
	if (env_of(c, child, &ce->env[ce->n]))
		return NULL;
	return &ce->env[ce->n++];
}

/* A child measure's or child task's expressions: `with` over this score
 * (what it reads recorded for cad_check_flow), `merge` over the child's
 * final score when it loaded (else every field is dyn: syntax and
 * functions are checked).  `owner` names it in messages. */
static void child_exprs(check_ctx *c, child_envs *ce, const cad_measure *m,
			const xenv *env, const char *owner)
{
	char what[240];
	for (size_t i = 0; i < m->nwith && !c->oom; i++) {
		snprintf(what, sizeof(what), "%s passes '%s'", owner, m->with[i].field.name);
		compile(c, &m->with[i].expr, env, what, 1, m->with[i].field.name);
	}
	if (!m->nmerge_back || c->oom)
		return;
	const struct cadence_def *child = NULL;
	static const xenv none = { NULL, NULL, NULL, NULL };	/* the child did not load */
	const xenv *cenv = &none;
	int rc = c->project ? cad_project_child_of(&child, NULL, c->project, c->def, m, NULL)
			    : CADENCE_ENOTFOUND;
	if (rc == CADENCE_ENOMEM) {
		c->oom = 1;
		return;
	}
	if (!rc && child && !(cenv = child_env(c, ce, child)))
		return;
	for (size_t k = 0; k < m->nmerge_back && !c->oom; k++) {
		snprintf(what, sizeof(what), "%s merges '%s'", owner, m->merge_back[k].field.name);
		compile(c, &m->merge_back[k].expr, cenv, what, 0, NULL);
	}
}

/* The conditions of a dag's tasks and the `with` of its child tasks (over
 * the task's input: the same fields), each task with its range of c->xr. */
static void tasks_exprs(check_ctx *c, child_envs *ce, const cad_measure *m, size_t mi,
			const xenv *env)
{
	char what[200];
	for (size_t j = 0; j < m->ntasks && !c->oom; j++) {
		const cad_task *t = &m->tasks[j];
		xrange *r = &c->task_xr[c->task_base[mi] + j];
		r->start = c->nxr;
		if (t->when.src) {
			snprintf(what, sizeof(what), "the condition of task '%s' of dag '%s'",
				 t->name.name, m->name.name);
			condition(c, &t->when, env, what);
		}
		if (t->child) {
			snprintf(what, sizeof(what), "task '%s' of dag '%s'", t->name.name,
				 m->name.name);
			child_exprs(c, ce, t->child, env, what);
		}
		r->count = c->nxr - r->start;
	}
}

void cad_check_exprs(check_ctx *c)
{
	const struct cadence_def *d = c->def;
	xenv own;
	child_envs ce = { NULL, 0, 0 };
	char what[160];
	if (env_of(c, d, &own))
		return;
	const xenv *env = &own;
	size_t ntasks = 0;
	c->task_base = calloc(d->nmeasures ? d->nmeasures : 1, sizeof(*c->task_base));
	for (size_t i = 0; c->task_base && i < d->nmeasures; i++) {
		c->task_base[i] = ntasks;
		ntasks += d->measures[i].ntasks;
	}
	c->note_xr = calloc(d->nnotes ? d->nnotes : 1, sizeof(*c->note_xr));
	c->measure_xr = calloc(d->nmeasures ? d->nmeasures : 1, sizeof(*c->measure_xr));
	c->task_xr = calloc(ntasks ? ntasks : 1, sizeof(*c->task_xr));
	if (!c->note_xr || !c->measure_xr || !c->task_base || !c->task_xr) {
		c->oom = 1;
		env_done(c, &own);
		return;
	}
	for (size_t i = 0; i < d->nnotes && !c->oom; i++) {
		c->note_xr[i].start = c->nxr;
		if (d->notes[i].binding == CAD_BIND_SET)
			assigns(c, d->notes[i].set, d->notes[i].nset, env, "note",
				d->notes[i].name.name);
		c->note_xr[i].count = c->nxr - c->note_xr[i].start;
	}
	if (d->precheck_when.src && !c->oom) {
		size_t at = c->nxr;
		condition(c, &d->precheck_when, env, "the precheck");
		c->nxr = at;	/* it reads the input: no data flow to follow */
	}
	for (size_t i = 0; i < d->nmeasures && !c->oom; i++) {
		const cad_measure *m = &d->measures[i];
		if (m->kind == CAD_M_DAG)
			tasks_exprs(c, &ce, m, i, env);
		c->measure_xr[i].start = c->nxr;
		if (m->kind == CAD_M_SPLIT && m->when.src) {
			snprintf(what, sizeof(what), "the condition of split '%s'", m->name.name);
			condition(c, &m->when, env, what);
		}
		if (m->kind == CAD_M_CHILD) {
			snprintf(what, sizeof(what), "child '%s'", m->name.name);
			child_exprs(c, &ce, m, env, what);
		}
		c->measure_xr[i].count = c->nxr - c->measure_xr[i].start;
	}
	for (size_t i = 0; i < ce.n; i++)
		env_done(c, &ce.env[i]);
	free(ce.env);
	env_done(c, &own);
}
