/* SPDX-License-Identifier: MIT */
/*
 * How an expression uses each score field it names, for the data-flow
 * check of `cadence validate`: an unset field is null, and whether a null
 * fails the evaluation depends on where the field stands.
 *
 *   operand   an operand of an operator, a function or a macro, or the base
 *             of a selection or an index: null makes the evaluation fail
 *             (`score.n + 1`, `size(score.items)`, `score.profile.tier`);
 *   result    the value of the whole expression, through `?:` branches
 *             (`score.a`, `c ? score.a : ""`): fine for a `set`, not for a
 *             condition, which must give a bool;
 *   tested    its presence is tested (`has(score.f)`, `score.f == null`,
 *             `score.f != null`): the expression is written for a null.
 *
 * A field in a list or map literal, or compared with `==`/`!=`, is none of
 * these: null there is a value like any other.
 */
#include "expr/expr_int.h"

#include <string.h>

typedef enum use_ctx { CTX_INERT, CTX_OPERAND, CTX_RESULT } use_ctx;

static void mark(cadence_expr *e, const char *name, unsigned char use)
{
	for (size_t i = 0; i < e->nfields; i++)
		if (!strcmp(e->fields[i], name)) {
			e->uses[i] |= use;
			return;
		}
}

static int is_null_lit(const node *n)
{
	return n->op == N_LIT && n->lit.k == VK_NULL;
}

static void walk(cadence_expr *e, const node *n, use_ctx ctx)
{
	switch (n->op) {
	case N_FIELD:
		if (ctx == CTX_OPERAND)
			mark(e, n->name, CADENCE_EXPR_USE_OPERAND);
		else if (ctx == CTX_RESULT)
			mark(e, n->name, CADENCE_EXPR_USE_RESULT);
		return;
	case N_HAS:
		if (n->kids[0]->op == N_SCORE)
			mark(e, n->name, CADENCE_EXPR_USE_TESTED);
		else
			walk(e, n->kids[0], CTX_INERT);
		return;
	case N_EQ:
	case N_NE:
		for (int k = 0; k < 2; k++)
			if (n->kids[k]->op == N_FIELD && is_null_lit(n->kids[!k]))
				mark(e, n->kids[k]->name, CADENCE_EXPR_USE_TESTED);
		walk(e, n->kids[0], CTX_INERT);
		walk(e, n->kids[1], CTX_INERT);
		return;
	case N_COND:
		walk(e, n->kids[0], CTX_OPERAND);
		walk(e, n->kids[1], ctx);
		walk(e, n->kids[2], ctx);
		return;
	case N_LIST:
		for (uint32_t k = 0; k < n->nkids; k++)
			walk(e, n->kids[k], CTX_INERT);
		return;
	case N_MAP:
		/* keys must be strings; values may be anything */
		for (uint32_t k = 0; k < n->nkids; k++)
			walk(e, n->kids[k], k % 2 ? CTX_INERT : CTX_OPERAND);
		return;
	case N_MACRO:
		/* the range is iterated; `map`'s transform gives list elements */
		walk(e, n->kids[0], CTX_OPERAND);
		for (uint32_t k = 1; k < n->nkids; k++)
			walk(e, n->kids[k], n->fn == M_MAP && k == n->nkids - 1 ? CTX_INERT
									     : CTX_OPERAND);
		return;
	default:
		for (uint32_t k = 0; k < n->nkids; k++)
			walk(e, n->kids[k], CTX_OPERAND);
		return;
	}
}

int cad_expr_uses(cadence_expr *e)
{
	if (!e->nfields)
		return 0;
	e->uses = cad_arena_alloc(&e->ar, e->nfields);
	if (!e->uses)
		return CADENCE_ENOMEM;
	memset(e->uses, 0, e->nfields);
	if (e->root)
		walk(e, e->root, CTX_RESULT);
	return 0;
}
