/* SPDX-License-Identifier: MIT */
/* Expressions compiled once for both cadence_check() and a runner's
 * preparation on the same project (issue 15: `cadence run` compiled every
 * expression a second time, 17 % of its instructions on a file of 10,000
 * `set` notes).  When the project keeps expressions
 * (cad_project_keep_exprs()), the check keeps each one that compiles,
 * keyed by where it is in the model (its cad_expr) and the cadence whose
 * score it was compiled against; a runner's preparation then borrows it
 * instead of compiling it again, and compiles what is not kept.  The env
 * of each cadence's score (its declaration, cadence/expr.h) is kept too.
 *
 * - Ownership: the store owns the expressions, in one big arena (huge
 *   pages, as the runner's own: expr/compile.h); they live until the
 *   project is freed, which outlives its runners (cadence/run.h).  An
 *   expression, once kept, is never replaced or freed before then.
 * - Threads: only cadence_check() adds, and only preparations read; the
 *   project's rules (cadence/run.h) already keep those from overlapping.
 *   A kept expression is immutable: evaluating it from several threads is
 *   as safe as any compiled expression (cadence/expr.h).
 * - Only expressions compiled against a cadence's whole declaration are
 *   kept (cad_kept_put()'s caller checks that the env took every field),
 *   so what a runner borrows is what it would have compiled. */
#ifndef CADENCE_SRC_PROJECT_KEPT_H
#define CADENCE_SRC_PROJECT_KEPT_H

#include "cadence/expr.h"
#include "model/model.h"

typedef struct cad_kept cad_kept;
struct arena;

int cad_kept_new(cad_kept **out);
void cad_kept_free(cad_kept *k);
/* Where an expression to keep is compiled (cad_expr_compile_in()). */
struct arena *cad_kept_home(cad_kept *k);
/* Keeps x, compiled from e against the score of `def`, unless one is kept
 * already (then x is freed).  0, or -1 when out of memory (x freed). */
int cad_kept_put(cad_kept *k, const cad_expr *e, const struct cadence_def *def, cadence_expr *x);
/* The expression kept for e over the score of `def`, or NULL; borrowed. */
const cadence_expr *cad_kept_get(const cad_kept *k, const cad_expr *e, const struct cadence_def *def);
/* Keeps env, the env of every field of def's score, unless one is kept
 * already (then env is freed).  0, or -1 when out of memory (env freed). */
int cad_kept_put_env(cad_kept *k, const struct cadence_def *def, cadence_expr_env *env);
/* The env kept for def's score, or NULL; borrowed. */
const cadence_expr_env *cad_kept_env(const cad_kept *k, const struct cadence_def *def);

#endif
