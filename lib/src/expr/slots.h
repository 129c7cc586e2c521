/* SPDX-License-Identifier: MIT */
/* Evaluating on the engine's score (run/rexpr.c): each field read from its
 * slot, in constant time, instead of by name from a cJSON object (a list:
 * O(fields) per read).  fields[0..n) are the score's values in the order
 * of the env the expression was compiled with (its declaration order),
 * each non-NULL; `score` is the same score as a cJSON object, for what
 * reads the whole score (`size(score)`, `score[k]`).  An expression
 * compiled without an env, or with an env of another size than n, reads
 * by name from `score`.  Otherwise as cadence_expr_eval() and
 * cadence_expr_eval_bool(): same results, same errors; thread-safe. */
#ifndef CADENCE_SRC_EXPR_SLOTS_H
#define CADENCE_SRC_EXPR_SLOTS_H

#include "cadence/expr.h"

int cad_expr_eval_slots(cJSON **result, const cadence_expr *e, const cJSON *const *fields,
			size_t n, const cJSON *score, cadence_expr_error *err);
int cad_expr_eval_bool_slots(int *result, const cadence_expr *e, const cJSON *const *fields,
			     size_t n, const cJSON *score, cadence_expr_error *err);

#endif
