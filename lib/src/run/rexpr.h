/* Expressions as the engine uses them (set, when, with, merge): compiled
 * once when a runner is prepared, evaluated on a score.  A thin layer over
 * cadence/expr.h. */
#ifndef CADENCE_RUN_REXPR_H
#define CADENCE_RUN_REXPR_H

#include "model/model.h"
#include "util/strbuf.h"

#include <cjson/cJSON.h>

typedef struct rexpr rexpr;

/* Compiles `e` for cadence `def` (whose score the expression reads).
 * Returns 0, or -1 with the reason in msg. */
int rexpr_compile(rexpr **out, const struct cadence_def *def, const cad_expr *e, strbuf *msg);
/* Evaluates on `score`; the result is owned by the caller.  Returns 0 or
 * -1 with the reason in msg.  Thread-safe. */
int rexpr_eval(const rexpr *e, const cJSON *score, cJSON **out, strbuf *msg);
void rexpr_free(rexpr *e);
/* The source as written. */
const char *rexpr_src(const rexpr *e);

#endif
