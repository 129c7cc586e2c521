/* The tree as an S-expression, for the tests of the parser. */
#include "expr/expr_int.h"
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
	strbuf_addc(sb, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			strbuf_addf(sb, "\\%c", c);
		else if (c == '\n')
			strbuf_adds(sb, "\\n");
		else if (c < 0x20)
			strbuf_addf(sb, "\\x%02x", c);
		else
			strbuf_addc(sb, (char)c);
	}
	strbuf_addc(sb, '"');
}

static void dump_val(strbuf *sb, const val *v)
{
	char buf[40];
	switch (v->k) {
	case VK_NULL: strbuf_adds(sb, "null"); break;
	case VK_BOOL: strbuf_adds(sb, v->u.b ? "true" : "false"); break;
	case VK_INT: strbuf_addf(sb, "%" PRId64, v->u.i); break;
	case VK_DBL:
		fmt_double(buf, sizeof(buf), v->u.d);
		strbuf_adds(sb, buf);
		/* a double reads as one */
		if (!strpbrk(buf, ".eEn"))
			strbuf_adds(sb, ".0");
		break;
	case VK_STR: dump_str(sb, v->u.s, v->n); break;
	case VK_LIST:
		strbuf_addc(sb, '[');
		for (uint32_t i = 0; i < v->n; i++) {
			if (i)
				strbuf_addc(sb, ' ');
			dump_val(sb, &v->u.items[i]);
		}
		strbuf_addc(sb, ']');
		break;
	case VK_MAP:
		strbuf_addc(sb, '{');
		for (uint32_t i = 0; i < v->n; i++) {
			if (i)
				strbuf_adds(sb, ", ");
			dump_val(sb, &v->u.pairs[i].key);
			strbuf_adds(sb, ": ");
			dump_val(sb, &v->u.pairs[i].value);
		}
		strbuf_addc(sb, '}');
		break;
	default:
		strbuf_adds(sb, "?");
		break;
	}
}

static void dump(strbuf *sb, const node *n)
{
	uint32_t i;
	switch ((nop)n->op) {
	case N_LIT: dump_val(sb, &n->lit); return;
	case N_SCORE: strbuf_adds(sb, "score"); return;
	case N_FIELD: strbuf_addf(sb, "score.%s", n->name); return;
	case N_VAR: strbuf_adds(sb, n->name); return;
	case N_SELECT:
		strbuf_adds(sb, "(. ");
		dump(sb, n->kids[0]);
		strbuf_addf(sb, " %s)", n->name);
		return;
	case N_HAS:
		strbuf_adds(sb, "(has ");
		dump(sb, n->kids[0]);
		strbuf_addf(sb, " %s)", n->name);
		return;
	case N_INDEX: strbuf_adds(sb, "([] "); break;
	case N_NOT: strbuf_adds(sb, "(! "); break;
	case N_NEG: strbuf_adds(sb, "(- "); break;
	case N_COND: strbuf_adds(sb, "(? "); break;
	case N_LIST:
		strbuf_addc(sb, '[');
		for (i = 0; i < n->nkids; i++) {
			if (i)
				strbuf_addc(sb, ' ');
			dump(sb, n->kids[i]);
		}
		strbuf_addc(sb, ']');
		return;
	case N_MAP:
		strbuf_addc(sb, '{');
		for (i = 0; i < n->nkids; i += 2) {
			if (i)
				strbuf_adds(sb, ", ");
			dump(sb, n->kids[i]);
			strbuf_adds(sb, ": ");
			dump(sb, n->kids[i + 1]);
		}
		strbuf_addc(sb, '}');
		return;
	case N_CALL: strbuf_addf(sb, "(%s ", fn_names[n->fn]); break;
	case N_MACRO:
		strbuf_addf(sb, "(%s ", fn_names[n->fn]);
		dump(sb, n->kids[0]);
		strbuf_addf(sb, " %s", n->name);
		for (i = 1; i < n->nkids; i++) {
			strbuf_addc(sb, ' ');
			dump(sb, n->kids[i]);
		}
		strbuf_addc(sb, ')');
		return;
	default: strbuf_addf(sb, "(%s ", op_names[n->op]); break;
	}
	for (i = 0; i < n->nkids; i++) {
		if (i)
			strbuf_addc(sb, ' ');
		dump(sb, n->kids[i]);
	}
	strbuf_addc(sb, ')');
}

char *expr_dump(const cadence_expr *e)
{
	strbuf sb = STRBUF_INIT;
	dump(&sb, e->root);
	return strbuf_detach(&sb);
}
