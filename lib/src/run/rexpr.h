/* SPDX-License-Identifier: MIT */
/* Expressions as the engine uses them (set, when, with, merge): compiled
 * once when a runner is prepared, against the declaration of the score
 * they read, and evaluated on a score.  A thin layer over cadence/expr.h
 * that words errors for run messages. */
#ifndef CADENCE_SRC_RUN_REXPR_H
#define CADENCE_SRC_RUN_REXPR_H

#include "cadence/expr.h"
#include "model/model.h"
#include "util/strbuf.h"

#include <cjson/cJSON.h>

typedef struct rexpr rexpr;
typedef struct rexpr_env rexpr_env;
struct rscore;
struct arena;

/* The declaration of def's score, for compiling.  Returns 0 or -1 (out of
 * memory, or a declaration the expression module refuses, in msg). */
int cad_rexpr_env_new(rexpr_env **out, const struct cadence_def *def, strbuf *msg);
/* As cad_rexpr_env_new(), with `env`, the env the check made of the same
 * declaration, kept by the project (project/kept.h): borrowed.  Returns 0
 * or -1 (out of memory, in msg). */
int cad_rexpr_env_borrow(rexpr_env **out, const cadence_expr_env *env, strbuf *msg);
void cad_rexpr_env_free(rexpr_env *env);

/* Compiles `e` against `env` into `home` (a big arena that outlives the
 * rexpr, freed after cad_rexpr_free(); expr/compile.h) or, when NULL,
 * with malloc.  Returns 0, or -1 with the reason in msg. */
int cad_rexpr_compile(rexpr **out, const rexpr_env *env, const cad_expr *e, struct arena *home,
		      strbuf *msg);
/* As cad_rexpr_compile(), for `x`, compiled from `e` already against
 * the same declaration and kept by the project (project/kept.h): borrowed,
 * never freed by cad_rexpr_free().  Returns 0, or -1 (out of memory, in
 * msg). */
int cad_rexpr_borrow(rexpr **out, const cadence_expr *x, const cad_expr *e, struct arena *home,
		     strbuf *msg);
/* 1 when the expression can only give something else than a boolean. */
int cad_rexpr_not_bool(const rexpr *e, const char **type);
/* Evaluates on `score`, a score of the declaration the expression was
 * compiled with (its fields read from their slots; an expression reading
 * the whole score makes its object, cad_score_obj()); the result is owned
 * by the caller.  Returns 0 or -1 with the reason in msg.  On the run's
 * thread. */
int cad_rexpr_eval(const rexpr *e, struct rscore *score, cJSON **out, strbuf *msg);
/* As cad_rexpr_eval() for a condition: *out is 1 or 0. */
int cad_rexpr_eval_bool(const rexpr *e, struct rscore *score, int *out, strbuf *msg);
void cad_rexpr_free(rexpr *e);
/* The source as written. */
const char *cad_rexpr_src(const rexpr *e);

#endif
