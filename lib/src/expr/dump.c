/* SPDX-License-Identifier: MIT */
/* The tree as an S-expression, for the tests of the parser. */
#include "expr/expr_int.h"
#include "util/json.h"
#include "util/strbuf.h"

#include <inttypes.h>
#include <string.h>

static const char *const op_names[] = {
	[N_ADD] = "+", [N_SUB] = "-", [N_MUL] = "*", [N_DIV] = "/", [N_MOD] = "%",
	[N_LT] = "<", [N_LE] = "<=", [N_GT] = ">", [N_GE] = ">=", [N_EQ] = "==",
	[N_NE] = "!=", [N_IN] = "in", [N_AND] = "&&", [N_OR] = "||",
};

static const char *const fn_names[] = {
	[FN_SIZE] = "size", [FN_INT] = "int", [FN_DOUBLE] = "double", [FN_STRING] = "string",
	[FN_CONTAINS] = "contains", [FN_STARTS] = "startsWith", [FN_ENDS] = "endsWith",
	[FN_MATCHES] = "matches", [FN_MIN] = "min", [FN_MAX] = "max", [FN_SUM] = "sum",
	[M_ALL] = "all", [M_EXISTS] = "exists", [M_EXISTS_ONE] = "exists_one",
	[M_MAP] = "map", [M_FILTER] = "filter",
};

static void dump_str(strbuf *sb, const char *s, size_t n)
{
	cad_strbuf_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			cad_strbuf_addf(sb, "\\%c", c);
		else if (c == '\n')
			cad_strbuf_adds(sb, "\\n");
		else if (c < 0x20)
			cad_strbuf_addf(sb, "\\x%02x", c);
		else
			cad_strbuf_addc(sb, (char)c);
	}
	cad_strbuf_addc(sb, '"');
}

static void dump_val(strbuf *sb, const val *v)
{
	char buf[40];
	switch (v->k) {
	case VK_NULL: cad_strbuf_adds(sb, "null"); break;
	case VK_BOOL: cad_strbuf_adds(sb, v->u.b ? "true" : "false"); break;
	case VK_INT: cad_strbuf_addf(sb, "%" PRId64, v->u.i); break;
	case VK_DBL:
		cad_fmt_double(buf, sizeof(buf), v->u.d);
		cad_strbuf_adds(sb, buf);
		/* a double reads as one */
		if (!strpbrk(buf, ".eEn"))
			cad_strbuf_adds(sb, ".0");
		break;
	case VK_STR: dump_str(sb, v->u.s, v->n); break;
	case VK_LIST:
		cad_strbuf_addc(sb, '[');
		for (uint32_t i = 0; i < v->n; i++) {
			if (i)
				cad_strbuf_addc(sb, ' ');
			dump_val(sb, &v->u.items[i]);
		}
		cad_strbuf_addc(sb, ']');
		break;
	case VK_MAP:
		cad_strbuf_addc(sb, '{');
		for (uint32_t i = 0; i < v->n; i++) {
			if (i)
				cad_strbuf_adds(sb, ", ");
			dump_val(sb, &v->u.pairs[i].key);
			cad_strbuf_adds(sb, ": ");
			dump_val(sb, &v->u.pairs[i].value);
		}
		cad_strbuf_addc(sb, '}');
		break;
	default:
		cad_strbuf_adds(sb, "?");
		break;
	}
}

static void dump(strbuf *sb, const node *n)
{
	uint32_t i;
	switch ((nop)n->op) {
	case N_LIT: dump_val(sb, &n->lit); return;
	case N_SCORE: cad_strbuf_adds(sb, "score"); return;
	case N_FIELD: cad_strbuf_addf(sb, "score.%s", n->name); return;
	case N_VAR: cad_strbuf_adds(sb, n->name); return;
	case N_SELECT:
		cad_strbuf_adds(sb, "(. ");
		dump(sb, n->kids[0]);
		cad_strbuf_addf(sb, " %s)", n->name);
		return;
	case N_HAS:
		cad_strbuf_adds(sb, "(has ");
		dump(sb, n->kids[0]);
		cad_strbuf_addf(sb, " %s)", n->name);
		return;
	case N_INDEX: cad_strbuf_adds(sb, "([] "); break;
	case N_NOT: cad_strbuf_adds(sb, "(! "); break;
	case N_NEG: cad_strbuf_adds(sb, "(- "); break;
	case N_COND: cad_strbuf_adds(sb, "(? "); break;
	case N_LIST:
		cad_strbuf_addc(sb, '[');
		for (i = 0; i < n->nkids; i++) {
			if (i)
				cad_strbuf_addc(sb, ' ');
			dump(sb, n->kids[i]);
		}
		cad_strbuf_addc(sb, ']');
		return;
	case N_MAP:
		cad_strbuf_addc(sb, '{');
		for (i = 0; i < n->nkids; i += 2) {
			if (i)
				cad_strbuf_adds(sb, ", ");
			dump(sb, n->kids[i]);
			cad_strbuf_adds(sb, ": ");
			dump(sb, n->kids[i + 1]);
		}
		cad_strbuf_addc(sb, '}');
		return;
	case N_CALL: cad_strbuf_addf(sb, "(%s ", fn_names[n->fn]); break;
	case N_MACRO:
		cad_strbuf_addf(sb, "(%s ", fn_names[n->fn]);
		dump(sb, n->kids[0]);
		cad_strbuf_addf(sb, " %s", n->name);
		for (i = 1; i < n->nkids; i++) {
			cad_strbuf_addc(sb, ' ');
			dump(sb, n->kids[i]);
		}
		cad_strbuf_addc(sb, ')');
		return;
	default: cad_strbuf_addf(sb, "(%s ", op_names[n->op]); break;
	}
	for (i = 0; i < n->nkids; i++) {
		if (i)
			cad_strbuf_addc(sb, ' ');
		dump(sb, n->kids[i]);
	}
	cad_strbuf_addc(sb, ')');
}

char *cad_expr_dump(const cadence_expr *e)
{
	strbuf sb = STRBUF_INIT;
	dump(&sb, e->root);
	return cad_strbuf_detach(&sb);
}
