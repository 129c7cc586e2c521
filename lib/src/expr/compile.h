/* SPDX-License-Identifier: MIT */
/* Compiling for the engine and the checker. */
#ifndef CADENCE_SRC_EXPR_COMPILE_H
#define CADENCE_SRC_EXPR_COMPILE_H

#include "cadence/expr.h"

struct arena;

/* As cadence_expr_compile(), with the expression and the first
 * CAD_EXPR_HOME_BYTES of its memory taken from `home` (a big arena,
 * util/arena.h, that outlives it; NULL: malloc): the runner's thousands of
 * compiled expressions then sit in a few blocks on huge pages instead of two
 * mallocs each, whose fresh pages were most of what a run of 10,000 `set`
 * notes cost beyond validating them.  cadence_expr_free() frees only what
 * the expression took beyond that.
 *
 * For the checker (check/expr.c), which drops the diagnostics of a rule
 * past CAD_REPORT_MAX_PER_RULE: with `hint` 0, a failure is not given the
 * help that only words it, the did-you-mean for an unknown field, a search
 * over every field of the env.  Without it, a file with as many unknown
 * fields as declared ones would cost fields x fields to check.  A success
 * is the same with either. */
#define CAD_EXPR_HOME_BYTES 512
int cad_expr_compile_in(cadence_expr **out, struct arena *home, const char *src, size_t len,
			const cadence_expr_env *env, int hint, cadence_expr_error *err);

#endif
