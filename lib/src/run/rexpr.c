/* The engine's view of expressions: cadence/expr.h when it is built in. */
#include "run/rexpr.h"

#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include("cadence/expr.h")
#define HAVE_EXPR 1
#endif
#endif

struct rexpr {
	const char *src;
	void *compiled;
};

const char *rexpr_src(const rexpr *e)
{
	return e->src;
}

#ifndef HAVE_EXPR
int rexpr_compile(rexpr **out, const struct cadence_def *def, const cad_expr *e, strbuf *msg)
{
	(void)def;
	*out = NULL;
	strbuf_addf(msg, "expression '%s': this build has no expression support", e->src);
	return -1;
}

int rexpr_eval(const rexpr *e, const cJSON *score, cJSON **out, strbuf *msg)
{
	(void)e;
	(void)score;
	*out = NULL;
	strbuf_adds(msg, "this build has no expression support");
	return -1;
}

void rexpr_free(rexpr *e)
{
	free(e);
}
#endif
