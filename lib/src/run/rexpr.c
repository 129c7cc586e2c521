/* SPDX-License-Identifier: MIT */
/* The engine's view of expressions: cadence/expr.h, with errors worded
 * for run messages. */
#include "run/rexpr.h"
#include "cadence/expr.h"
#include "expr/compile.h"
#include "expr/slots.h"
#include "run/run_int.h"

#include <stdlib.h>
#include <string.h>

struct rexpr {
	const char *src;
	const cadence_expr *x;
	cadence_expr *own;	/* x when compiled here; NULL when borrowed */
	int whole;		/* reads the whole score: needs its object */
	int homed;		/* in the caller's arena */
};

struct rexpr_env {
	const cadence_expr_env *env;
	cadence_expr_env *own;	/* env when made here; NULL when borrowed */
};

int cad_rexpr_env_new(rexpr_env **out, const struct cadence_def *def, strbuf *msg)
{
	rexpr_env *e = calloc(1, sizeof(*e));
	*out = NULL;
	if (!e || cadence_expr_env_new(&e->own)) {
		free(e);
		cad_strbuf_adds(msg, "out of memory");
		return -1;
	}
	e->env = e->own;
	for (size_t i = 0; i < def->nfields; i++) {
		const cad_field *f = &def->fields[i];
		int rc = cadence_expr_env_add_field(e->own, f->name.name, cad_vtype_names[f->type]);
		if (rc) {
			cad_strbuf_addf(msg, "score field '%s': %s", f->name.name, cadence_strerror(rc));
			cad_rexpr_env_free(e);
			return -1;
		}
	}
	*out = e;
	return 0;
}

int cad_rexpr_env_borrow(rexpr_env **out, const cadence_expr_env *env, strbuf *msg)
{
	rexpr_env *e = calloc(1, sizeof(*e));
	*out = e;
	if (!e) {
		cad_strbuf_adds(msg, "out of memory");
		return -1;
	}
	e->env = env;
	return 0;
}

void cad_rexpr_env_free(rexpr_env *env)
{
	if (!env)
		return;
	cadence_expr_env_free(env->own);
	free(env);
}

const char *cad_rexpr_src(const rexpr *e)
{
	return e->src;
}

/* "column 7: unknown field 'totl'; did you mean 'total'?" */
static void describe(const cadence_expr_error *err, int rc, strbuf *msg)
{
	if (rc == CADENCE_ENOMEM || !err->message) {
		cad_strbuf_adds(msg, cadence_strerror(rc));
		return;
	}
	cad_strbuf_addf(msg, "column %u: %s", err->column, err->message);
	if (err->help)
		cad_strbuf_addf(msg, "; %s", err->help);
}

/* A rexpr of e, without its expression yet; NULL when out of memory. */
static rexpr *rexpr_new(const cad_expr *e, arena *home, strbuf *msg)
{
	rexpr *r = home ? cad_arena_alloc(home, sizeof(*r)) : calloc(1, sizeof(*r));
	if (!r) {
		cad_strbuf_adds(msg, "out of memory");
		return NULL;
	}
	r->src = e->src;
	r->homed = home != NULL;
	return r;
}

int cad_rexpr_borrow(rexpr **out, const cadence_expr *x, const cad_expr *e, arena *home,
		     strbuf *msg)
{
	rexpr *r = rexpr_new(e, home, msg);
	*out = r;
	if (!r)
		return -1;
	r->x = x;
	r->whole = cadence_expr_reads_whole_score(x);
	return 0;
}

int cad_rexpr_compile(rexpr **out, const rexpr_env *env, const cad_expr *e, arena *home,
		      strbuf *msg)
{
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	rexpr *r = rexpr_new(e, home, msg);
	cadence_expr *x = NULL;
	*out = NULL;
	if (!r)
		return -1;
	size_t len = strlen(e->src);
	int rc = cad_expr_compile_in(&x, home, e->src, len, env ? env->env : NULL, 1, &err);
	if (rc) {
		/* a long expression (up to the 64 KiB limit, or past it) is cut
		 * in the message */
		if (len > 80)
			cad_strbuf_addf(msg, "expression '%.72s...' (%zu bytes): ", e->src, len);
		else
			cad_strbuf_addf(msg, "expression '%s': ", e->src);
		describe(&err, rc, msg);
		cadence_expr_error_clear(&err);
		if (!home)
			free(r);
		return -1;
	}
	r->x = r->own = x;
	r->whole = cadence_expr_reads_whole_score(x);
	*out = r;
	return 0;
}

int cad_rexpr_not_bool(const rexpr *e, const char **type)
{
	cadence_expr_type t = cadence_expr_result_type(e->x);
	*type = cadence_expr_type_name(t);
	return t != CADENCE_EXPR_BOOL && t != CADENCE_EXPR_DYN;
}

/* The score's object when e needs it; 0, or -1 when out of memory. */
static int whole(const rexpr *e, rscore *score, strbuf *msg)
{
	if (!e->whole || cad_score_obj(score))
		return 0;
	cad_strbuf_adds(msg, "out of memory");
	return -1;
}

int cad_rexpr_eval(const rexpr *e, rscore *score, cJSON **out, strbuf *msg)
{
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	*out = NULL;
	if (whole(e, score, msg))
		return -1;
	int rc = cad_expr_eval_slots(out, e->x, (const cJSON *const *)score->slot, score->n,
				     score->obj, &err);
	if (rc) {
		describe(&err, rc, msg);
		cadence_expr_error_clear(&err);
	}
	return rc ? -1 : 0;
}

int cad_rexpr_eval_bool(const rexpr *e, rscore *score, int *out, strbuf *msg)
{
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	*out = 0;
	if (whole(e, score, msg))
		return -1;
	int rc = cad_expr_eval_bool_slots(out, e->x, (const cJSON *const *)score->slot, score->n,
					  score->obj, &err);
	if (rc) {
		describe(&err, rc, msg);
		cadence_expr_error_clear(&err);
	}
	return rc ? -1 : 0;
}

void cad_rexpr_free(rexpr *e)
{
	if (!e)
		return;
	cadence_expr_free(e->own);
	if (!e->homed)
		free(e);
}
