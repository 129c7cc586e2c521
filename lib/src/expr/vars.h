/* SPDX-License-Identifier: MIT */
/* Expressions over named values besides the score: a webhook's `payload`
 * and `headers` (cli/serve/hook.c).  Compiling binds the names vars[0..n)
 * as a macro binds its variable (of type dyn: any JSON value); evaluating
 * gives their values in the same order.  The score is then {} (with a
 * NULL env, any `score.x` fails when evaluated; with an empty env, when
 * compiled).  Otherwise as cadence_expr_compile() and cadence_expr_eval():
 * same errors, same limits, thread-safe likewise. */
#ifndef CADENCE_SRC_EXPR_VARS_H
#define CADENCE_SRC_EXPR_VARS_H

#include "cadence/expr.h"

#define CAD_EXPR_MAX_VARS 8

/* CADENCE_EINVAL beyond CAD_EXPR_MAX_VARS names. */
int cad_expr_compile_vars(cadence_expr **out, const char *src, size_t len,
			  const cadence_expr_env *env, const char *const *vars, size_t nvars,
			  cadence_expr_error *err);
/* vals[i] is the value of vars[i]; beyond nvals, or NULL, a name is null.
 * vals are only read. */
int cad_expr_eval_vars(cJSON **result, const cadence_expr *e, const cJSON *const *vals,
		       size_t nvals, cadence_expr_error *err);

#endif
