/* SPDX-License-Identifier: MIT */
/*
 * The parser and checker: tokens to a typed tree, in one pass.
 *
 * Recursive descent, one function per precedence level (CEL's grammar):
 *
 *     expr  = or ["?" or ":" expr]
 *     or    = and {"||" and}
 *     and   = rel {"&&" rel}
 *     rel   = add {("<" | "<=" | ">" | ">=" | "==" | "!=" | "in") add}
 *     add   = mul {("+" | "-") mul}
 *     mul   = unary {("*" | "/" | "%") unary}
 *     unary = ("!" | "-") unary | member
 *     member = primary {"." IDENT ["(" args ")"] | "[" expr "]"}
 *     primary = literal | IDENT ["(" args ")"] | "(" expr ")"
 *             | "[" [expr {"," expr} [","]] "]"
 *             | "{" [expr ":" expr {"," expr ":" expr} [","]] "}"
 *
 * Each node is typed as it is made, so a type error points at the operator
 * or operand that caused it.  Recursion is bounded twice: the parser counts
 * its nesting, and every node knows the depth of its tree, so neither
 * parsing nor evaluating can go deeper than CADENCE_EXPR_MAX_DEPTH levels.
 */
#include "expr/expr_int.h"
#include "expr/regex.h"
#include "util/grow.h"
#include "util/strbuf.h"
#include "util/suggest.h"
#include "util/utf8.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T_DYN CADENCE_EXPR_DYN
#define T_NULL CADENCE_EXPR_NULL
#define T_BOOL CADENCE_EXPR_BOOL
#define T_INT CADENCE_EXPR_INT
#define T_DOUBLE CADENCE_EXPR_DOUBLE
#define T_STRING CADENCE_EXPR_STRING
#define T_LIST CADENCE_EXPR_LIST
#define T_MAP CADENCE_EXPR_MAP

#define INT_MIN_MAG (UINT64_C(1) << 63)

enum {
	NF_MIN_MAG = 0x80	/* an int literal of 2^63: valid only negated */
};

typedef struct var {
	const char *name;
	uint32_t n;
} var;

typedef struct parser {
	cadence_expr *e;
	const char *src;
	size_t len;
	const token *t;
	size_t ntok, pos;
	const cadence_expr_env *env;
	int hint;		/* 0: no did-you-mean over the env (expr/compile.h) */
	cadence_expr_error *err;
	int rc;
	unsigned nest;
	unsigned nvars;
	const char **fields;	/* malloc'd while parsing */
	size_t nfields, capf;
	/* last: not zeroed (only vars[0..nvars) are read), so that starting
	 * a parse does not clear 4 KB */
	var vars[CADENCE_EXPR_MAX_DEPTH + 1];
} parser;

static const char *tname(unsigned t)
{
	return cadence_expr_type_name((cadence_expr_type)t);
}

static const token *peek(const parser *p)
{
	return &p->t[p->pos];
}

static const token *next(parser *p)
{
	const token *t = &p->t[p->pos];
	if (t->kind != TK_EOF)
		p->pos++;
	return t;
}

static int accept(parser *p, tkind kind)
{
	if (peek(p)->kind != kind)
		return 0;
	next(p);
	return 1;
}

/* ---- errors ---- */

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static node *fail_span(parser *p, size_t off, size_t len, const char *fmt, ...)
{
	if (p->rc)
		return NULL;
	p->rc = CADENCE_EINVALID;
	va_list ap;
	va_start(ap, fmt);
	cad_expr_verror_at(p->err, p->src, p->len, off, len, fmt, ap);
	va_end(ap);
	return NULL;
}

#define fail_tok(p, tok, ...) fail_span((p), (tok)->off, (tok)->len, __VA_ARGS__)
#define fail_node(p, nd, ...) fail_span((p), (nd)->off, (nd)->len, __VA_ARGS__)

static void help(parser *p, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void help(parser *p, const char *fmt, ...)
{
	if (!p->err || p->rc != CADENCE_EINVALID)
		return;
	va_list ap;
	va_start(ap, fmt);
	cad_expr_verror_help(p->err, fmt, ap);
	va_end(ap);
}

static node *oom(parser *p)
{
	if (!p->rc) {
		p->rc = CADENCE_ENOMEM;
		cad_expr_error_at(p->err, p->src, p->len, 0, 0, "out of memory");
	}
	return NULL;
}

/* How a token reads in a message: 'text' (cut), or the end. */
static void describe(const parser *p, const token *t, char *buf, size_t size)
{
	if (t->kind == TK_EOF) {
		snprintf(buf, size, "the end of the expression");
		return;
	}
	size_t n = t->len;
	if (n > 40) {
		n = cad_utf8_cut(p->src + t->off, 40);
		snprintf(buf, size, "'%.*s...'", (int)n, p->src + t->off);
		return;
	}
	snprintf(buf, size, "'%.*s'", (int)n, p->src + t->off);
}

static node *expected(parser *p, const char *what)
{
	const token *t = peek(p);
	char d[64];
	describe(p, t, d, sizeof(d));
	fail_tok(p, t, "expected %s, found %s", what, d);
	if (t->kind == TK_IDENT && t->len == 3 && !memcmp(p->src + t->off, "and", 3))
		help(p, "use '&&' for \"and\"");
	else if (t->kind == TK_IDENT && t->len == 2 && !memcmp(p->src + t->off, "or", 2))
		help(p, "use '||' for \"or\"");
	else if (t->kind == TK_IDENT && t->len == 3 && !memcmp(p->src + t->off, "not", 3))
		help(p, "use '!' for \"not\"");
	return NULL;
}

static int expect(parser *p, tkind kind, const char *what)
{
	if (accept(p, kind))
		return 1;
	expected(p, what);
	return 0;
}

/* ---- nodes ---- */

static node *mk(parser *p, nop op, size_t off, size_t len, size_t nkids)
{
	node *n = cad_arena_alloc(&p->e->ar, sizeof(*n));
	if (!n)
		return oom(p);
	n->op = (uint8_t)op;
	n->off = (uint32_t)off;
	n->len = (uint32_t)len;
	n->depth = 1;
	if (nkids) {
		n->kids = cad_arena_alloc(&p->e->ar, nkids * sizeof(*n->kids));
		if (!n->kids)
			return oom(p);
		n->nkids = (uint32_t)nkids;
	}
	return n;
}

static node *mk_tok(parser *p, nop op, const token *t, size_t nkids)
{
	return mk(p, op, t->off, t->len, nkids);
}

/* Sets the depth of n from its kids; refuses a tree too deep. */
static node *finish(parser *p, node *n)
{
	unsigned d = 0;
	for (uint32_t i = 0; i < n->nkids; i++)
		if (n->kids[i]->depth > d)
			d = n->kids[i]->depth;
	if (d + 1 > CADENCE_EXPR_MAX_DEPTH)
		return fail_node(p, n, "the expression is nested too deeply (more than %d levels)",
				 CADENCE_EXPR_MAX_DEPTH);
	n->depth = (uint16_t)(d + 1);
	return n;
}

static int enter(parser *p)
{
	if (++p->nest > CADENCE_EXPR_MAX_DEPTH) {
		fail_tok(p, peek(p), "the expression is nested too deeply (more than %d levels)",
			 CADENCE_EXPR_MAX_DEPTH);
		return 0;
	}
	return 1;
}

static void leave(parser *p)
{
	p->nest--;
}

/* ---- what the checker knows ---- */

static int num(unsigned t)
{
	return t == T_INT || t == T_DOUBLE;
}

static int ordered(unsigned t)
{
	return num(t) || t == T_STRING || t == T_BOOL || t == T_DYN;
}

static void add_field(parser *p, const char *name)
{
	for (size_t i = 0; i < p->nfields; i++)
		if (!strcmp(p->fields[i], name))
			return;
	if (CAD_GROW(p->fields, p->capf, p->nfields + 1, 8)) {
		oom(p);
		return;
	}
	p->fields[p->nfields++] = name;
}

/* The help of an unknown field when no name is close: a short list of
 * what the score declares. */
static void help_declared(parser *p)
{
	strbuf sb = STRBUF_INIT;
	size_t n = p->env->n < 8 ? p->env->n : 8;
	for (size_t i = 0; i < n; i++)
		cad_strbuf_addf(&sb, "%s'%s'", i ? ", " : "", p->env->fields[i].name);
	help(p, "the score declares %s%s", cad_strbuf_cstr(&sb) ? sb.buf : "",
	     p->env->n > n ? ", ..." : "");
	cad_strbuf_free(&sb);
}

/* score.name, declared or not: a N_FIELD node, typed by the env. */
static node *score_field(parser *p, const char *name, uint32_t n, size_t off, size_t len)
{
	node *f = mk(p, N_FIELD, off, len, 0);
	if (!f)
		return NULL;
	f->name = cad_arena_strndup(&p->e->ar, name, n);
	f->name_len = n;
	if (!f->name)
		return oom(p);
	f->type = T_DYN;
	f->field = NO_FIELD;
	if (p->env) {
		long at = cad_expr_env_find(p->env, name, n);
		if (at < 0) {
			fail_span(p, off, len, "score has no field '%s'", f->name);
			if (!p->hint)
				return NULL;
			const char *s = cad_suggest_pick_in(f->name, n, p->env->fields, p->env->n,
							    sizeof(env_field),
							    offsetof(env_field, name));
			if (s)
				help(p, "did you mean '%s'?", s);
			else if (!p->env->n)
				help(p, "the score declares no fields");
			else
				help_declared(p);
			return NULL;
		}
		const env_field *found = &p->env->fields[at];
		f->field = (uint32_t)at;
		f->type = found->type;
		if (found->as_double)
			f->flags |= NF_AS_DOUBLE;
	}
	add_field(p, f->name);
	return f;
}

/* The declared type of a field node, for help texts. */
static void help_decl(parser *p, const node *n)
{
	if (n->op != N_FIELD || n->field == NO_FIELD)
		return;
	const char *decl = p->env->fields[n->field].decl;
	help(p, "score.%s is declared as %s %s", n->name,
	     decl[0] == 'a' || decl[0] == 'i' || decl[0] == 'o' ? "an" : "a", decl);
}

static node *type_error(parser *p, const token *op, const node *a, const node *b,
			const char *what)
{
	if (b)
		fail_tok(p, op, "'%.*s' cannot be applied to %s and %s%s", (int)op->len,
			 p->src + op->off, tname(a->type), tname(b->type), what);
	else
		fail_tok(p, op, "'%.*s' cannot be applied to %s%s", (int)op->len,
			 p->src + op->off, tname(a->type), what);
	/* for && and ||, the operand that is not a bool is the one to explain */
	int logic = b && op->len == 2 && (p->src[op->off] == '&' || p->src[op->off] == '|');
	if (logic && a->type == T_BOOL)
		a = b;
	if (a->op == N_FIELD && a->type != T_DYN)
		help_decl(p, a);
	else if (b && b->op == N_FIELD && b->type != T_DYN)
		help_decl(p, b);
	return NULL;
}

/* Checks the operands of a binary operator; returns the result type or -1. */
static int binary_type(parser *p, nop op, const token *tok, const node *a, const node *b)
{
	unsigned x = a->type, y = b->type;
	switch (op) {
	case N_ADD:
		if (x == T_DYN || y == T_DYN) {
			unsigned k = x == T_DYN ? y : x;
			if (k == T_DYN || num(k))
				return T_DYN;
			if (k == T_STRING || k == T_LIST)
				return (int)k;
			break;
		}
		if (num(x) && num(y))
			return x == T_INT && y == T_INT ? T_INT : T_DOUBLE;
		if (x == y && (x == T_STRING || x == T_LIST))
			return (int)x;
		type_error(p, tok, a, b, "");
		if ((x == T_STRING && num(y)) || (num(x) && y == T_STRING))
			help(p, "convert the number with string(...) first");
		return -1;
	case N_SUB: case N_MUL: case N_DIV: case N_MOD:
		if ((num(x) || x == T_DYN) && (num(y) || y == T_DYN)) {
			if (x == T_INT && y == T_INT)
				return T_INT;
			if (x == T_DOUBLE || y == T_DOUBLE)
				return T_DOUBLE;
			return T_DYN;
		}
		break;
	case N_LT: case N_LE: case N_GT: case N_GE:
		if (!ordered(x) || !ordered(y))
			break;
		if (x == T_DYN || y == T_DYN || x == y || (num(x) && num(y)))
			return T_BOOL;
		break;
	case N_EQ: case N_NE:
		if (x == T_DYN || y == T_DYN || x == T_NULL || y == T_NULL || x == y ||
		    (num(x) && num(y)))
			return T_BOOL;
		break;
	case N_IN:
		if (y == T_LIST || y == T_DYN)
			return T_BOOL;
		if (y == T_MAP && (x == T_STRING || x == T_DYN))
			return T_BOOL;
		if (y == T_MAP) {
			fail_tok(p, tok, "'in' looks up map keys, which are strings; this is %s",
				 tname(x));
			return -1;
		}
		fail_tok(p, tok, "'in' needs a list or a map on its right, not %s", tname(y));
		if (y == T_STRING)
			help(p, "for a substring, use s.contains(x)");
		return -1;
	case N_AND: case N_OR:
		if ((x == T_BOOL || x == T_DYN) && (y == T_BOOL || y == T_DYN))
			return T_BOOL;
		break;
	default:
		break;
	}
	type_error(p, tok, a, b, "");
	return -1;
}

/* ---- literals ---- */

static node *lit(parser *p, const token *t)
{
	node *n = mk_tok(p, N_LIT, t, 0);
	if (!n)
		return NULL;
	switch (t->kind) {
	case TK_NULL:
		n->lit.k = VK_NULL;
		n->type = T_NULL;
		break;
	case TK_TRUE: case TK_FALSE:
		n->lit.k = VK_BOOL;
		n->lit.u.b = t->kind == TK_TRUE;
		n->type = T_BOOL;
		break;
	case TK_INT:
		n->lit.k = VK_INT;
		n->type = T_INT;
		if (t->u.mag == INT_MIN_MAG) {
			n->flags |= NF_MIN_MAG;
			n->lit.u.i = INT64_MIN;
		} else {
			n->lit.u.i = (int64_t)t->u.mag;
		}
		break;
	case TK_DOUBLE:
		n->lit.k = VK_DBL;
		n->lit.u.d = t->u.d;
		n->type = T_DOUBLE;
		break;
	default:	/* TK_STRING */
		n->lit.k = VK_STR;
		n->lit.u.s = t->u.str.s;
		n->lit.n = t->u.str.n;
		n->type = T_STRING;
		break;
	}
	return n;
}

static node *no_min_mag(parser *p, node *n)
{
	if (n && (n->flags & NF_MIN_MAG))
		return fail_node(p, n, "integer literal out of range (integers are 64-bit)");
	return n;
}

/* ---- function tables ---- */

typedef struct fdef {
	const char *name;
	fnid fn;
	int global;	/* f(x) */
	int method;	/* x.f() */
} fdef;

static const fdef fdefs[] = {
	{ "size", FN_SIZE, 1, 1 },	     { "int", FN_INT, 1, 0 },
	{ "double", FN_DOUBLE, 1, 0 },	     { "string", FN_STRING, 1, 0 },
	{ "contains", FN_CONTAINS, 0, 1 },  { "startsWith", FN_STARTS, 0, 1 },
	{ "endsWith", FN_ENDS, 0, 1 },	     { "matches", FN_MATCHES, 1, 1 },
	{ "min", FN_MIN, 1, 0 },	     { "max", FN_MAX, 1, 0 },
	{ "sum", FN_SUM, 1, 0 },	     { "has", FN_SIZE, 1, 0 },
	{ "all", M_ALL, 0, 1 },		     { "exists", M_EXISTS, 0, 1 },
	{ "exists_one", M_EXISTS_ONE, 0, 1 }, { "map", M_MAP, 0, 1 },
	{ "filter", M_FILTER, 0, 1 },
};

#define NFDEFS (sizeof(fdefs) / sizeof(fdefs[0]))

static const fdef *find_fn(const char *name, size_t n)
{
	for (size_t i = 0; i < NFDEFS; i++)
		if (strlen(fdefs[i].name) == n && !memcmp(fdefs[i].name, name, n))
			return &fdefs[i];
	return NULL;
}

static void suggest_fn(parser *p, const char *name, size_t n, int method)
{
	cad_suggest sg;
	cad_suggest_init(&sg, name, n);
	for (size_t i = 0; i < NFDEFS; i++)
		if (method ? fdefs[i].method : fdefs[i].global)
			cad_suggest_try(&sg, fdefs[i].name);
	const char *s = sg.best;
	if (s)
		help(p, "did you mean '%s'?", s);
}

/* ---- calls ---- */

static node *parse_expr(parser *p);

/* Arguments up to ")" (the "(" read), after the receiver if any. */
static node *call_node(parser *p, const token *name, fnid fn, node *recv)
{
	node **args = NULL, *c = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (CAD_GROW(args, cap, n + 1, 4)) {
			oom(p);
			goto out;
		}
		if (recv && !n) {
			args[n++] = recv;
			continue;
		}
		if (peek(p)->kind == TK_RPAREN)
			break;	/* none, or a trailing comma */
		node *a = parse_expr(p);
		if (!a)
			goto out;
		args[n++] = a;
		if (!accept(p, TK_COMMA))
			break;
	}
	const token *close = peek(p);
	if (!expect(p, TK_RPAREN, "',' or ')'"))
		goto out;
	c = mk(p, N_CALL, name->off, close->off + close->len - name->off, n);
	if (!c)
		goto out;
	c->fn = (uint8_t)fn;
	if (n)
		memcpy(c->kids, args, n * sizeof(*args));
out:
	free(args);
	return c;
}

static node *arity(parser *p, node *c, const char *fname, size_t want, int method)
{
	size_t got = c->nkids - (method ? 1 : 0);
	return fail_node(p, c, "%s() takes %zu argument%s, not %zu", fname, want,
			 want == 1 ? "" : "s", got);
}

static int arg_is(unsigned t, unsigned a, unsigned b, unsigned c)
{
	return t == T_DYN || t == a || t == b || t == c;
}

static node *bad_arg(parser *p, node *c, const char *fname, const node *a, const char *want)
{
	fail_node(p, a, "%s() takes %s, not %s", fname, want, tname(a->type));
	(void)c;
	help_decl(p, a);
	return NULL;
}

/* Compiles the literal pattern of matches() now: an invalid one, or one
 * past the limits, is a compile error.  Its program is kept when it is
 * small for the pattern (4 instructions a byte and 32 more): a short
 * pattern that repetition makes large (a{9999}) is compiled again at each
 * evaluation instead, so that no expression holds much more memory than
 * its source takes. */
static node *compile_pattern(parser *p, node *c, node *pat)
{
	if (pat->op != N_LIT || pat->lit.k != VK_STR)
		return c;
	arena tmp;
	cad_regex_error rerr;
	cad_arena_init_small(&tmp, NULL, 0, 0);
	int rc = cad_regex_compile(&tmp, &p->e->ar, pat->lit.u.s, pat->lit.n,
				   4 * (size_t)pat->lit.n + 32, &c->re, &rerr);
	cad_arena_free(&tmp);
	if (rc == CADENCE_ENOMEM)
		return oom(p);
	if (rc) {
		fail_node(p, pat, "invalid regular expression: %s", rerr.message);
		help(p, "%s", rerr.help[0] ? rerr.help
			       : "patterns are POSIX extended regular expressions "
				 "(docs/expressions.md, \"Regular expressions\")");
		return NULL;
	}
	return c;
}

/* Types a call (N_CALL with its kids, a receiver first for methods). */
static node *check_call(parser *p, node *c, const char *fname, int method)
{
	node **k = c->kids;
	size_t n = c->nkids;
	switch ((fnid)c->fn) {
	case FN_SIZE:
		if (n != 1)
			return arity(p, c, fname, 0 + !method, method);
		if (!arg_is(k[0]->type, T_STRING, T_LIST, T_MAP))
			return bad_arg(p, c, fname, k[0], "a string, a list or a map");
		c->type = T_INT;
		break;
	case FN_INT:
		if (n != 1)
			return arity(p, c, fname, 1, 0);
		if (!arg_is(k[0]->type, T_INT, T_DOUBLE, T_STRING))
			return bad_arg(p, c, fname, k[0], "an int, a double or a string");
		c->type = T_INT;
		break;
	case FN_DOUBLE:
		if (n != 1)
			return arity(p, c, fname, 1, 0);
		if (!arg_is(k[0]->type, T_INT, T_DOUBLE, T_STRING))
			return bad_arg(p, c, fname, k[0], "an int, a double or a string");
		c->type = T_DOUBLE;
		break;
	case FN_STRING:
		if (n != 1)
			return arity(p, c, fname, 1, 0);
		if (!arg_is(k[0]->type, T_INT, T_DOUBLE, T_STRING) && k[0]->type != T_BOOL)
			return bad_arg(p, c, fname, k[0], "a string, an int, a double or a bool");
		c->type = T_STRING;
		break;
	case FN_CONTAINS: case FN_STARTS: case FN_ENDS: case FN_MATCHES:
		if (n != 2)
			return arity(p, c, fname, 1 + !method, method);
		for (size_t i = 0; i < 2; i++)
			if (!arg_is(k[i]->type, T_STRING, T_STRING, T_STRING))
				return bad_arg(p, c, fname, k[i], "strings");
		c->type = T_BOOL;
		if (c->fn == FN_MATCHES)
			return compile_pattern(p, c, k[1]);
		break;
	case FN_MIN: case FN_MAX:
		if (n == 0)
			return arity(p, c, fname, 1, 0);
		if (n == 1) {
			if (!arg_is(k[0]->type, T_LIST, T_LIST, T_LIST))
				return bad_arg(p, c, fname, k[0],
					       "a list, or two or more values");
			c->type = T_DYN;
			break;
		}
		c->type = k[0]->type;
		for (size_t i = 0; i < n; i++) {
			if (!ordered(k[i]->type))
				return bad_arg(p, c, fname, k[i], "numbers, strings or bools");
			if (k[i]->type != c->type)
				c->type = T_DYN;
		}
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (k[i]->type != T_DYN && k[j]->type != T_DYN &&
				    k[i]->type != k[j]->type && !(num(k[i]->type) && num(k[j]->type)))
					return fail_node(p, k[j], "%s() cannot compare %s with %s",
							 fname, tname(k[j]->type),
							 tname(k[i]->type));
		break;
	case FN_SUM:
		if (n != 1)
			return arity(p, c, fname, 1, 0);
		if (!arg_is(k[0]->type, T_LIST, T_LIST, T_LIST))
			return bad_arg(p, c, fname, k[0], "a list of numbers");
		c->type = T_DYN;
		break;
	default:
		break;
	}
	return c;
}

/* has(score.f), has(x.a.b): the argument must be a field selection. */
static node *parse_has(parser *p, const token *name)
{
	node *a = parse_expr(p);
	if (!a)
		return NULL;
	const token *close = peek(p);
	if (!expect(p, TK_RPAREN, "')'"))
		return NULL;
	if (a->op != N_FIELD && a->op != N_SELECT) {
		fail_node(p, a, "has() takes a field selection, such as has(score.name)");
		return NULL;
	}
	node *h = mk(p, N_HAS, name->off, close->off + close->len - name->off, 1);
	if (!h)
		return NULL;
	h->type = T_BOOL;
	h->name = a->name;
	h->name_len = a->name_len;
	if (a->op == N_FIELD) {
		node *s = mk(p, N_SCORE, a->off, 0, 0);
		if (!s)
			return NULL;
		s->type = T_MAP;
		h->kids[0] = s;
	} else {
		h->kids[0] = a->kids[0];
	}
	return finish(p, h);
}

/* x.all(v, pred) and the other macros, after "(". */
static node *parse_macro(parser *p, const token *name, fnid fn, node *range)
{
	if (range->type != T_DYN && range->type != T_LIST && range->type != T_MAP) {
		fail_tok(p, name, "%.*s() works on lists and maps, not on %s", (int)name->len,
			 p->src + name->off, tname(range->type));
		help_decl(p, range);
		return NULL;
	}
	const token *v = peek(p);
	if (v->kind != TK_IDENT)
		return expected(p, "a variable name");
	next(p);
	if (v->len == 5 && !memcmp(p->src + v->off, "score", 5))
		return fail_tok(p, v, "the variable of %.*s() cannot be named 'score'",
				(int)name->len, p->src + name->off);
	if (!expect(p, TK_COMMA, "','"))
		return NULL;
	if (p->nvars >= CADENCE_EXPR_MAX_DEPTH)
		return fail_tok(p, v, "too many nested macros");
	p->vars[p->nvars].name = p->src + v->off;
	p->vars[p->nvars].n = v->len;
	unsigned slot = p->nvars++;
	if (p->nvars > p->e->nslots)
		p->e->nslots = p->nvars;
	node *a = parse_expr(p), *b = NULL;
	if (a && fn == M_MAP && accept(p, TK_COMMA))
		b = parse_expr(p);
	p->nvars--;
	if (p->rc)
		return NULL;
	const token *close = peek(p);
	if (!expect(p, TK_RPAREN, fn == M_MAP && !b ? "',' or ')'" : "')'"))
		return NULL;
	node *m = mk(p, N_MACRO, name->off, close->off + close->len - name->off, b ? 3 : 2);
	if (!m)
		return NULL;
	m->fn = (uint8_t)fn;
	m->slot = (uint16_t)slot;
	m->name = cad_arena_strndup(&p->e->ar, p->src + v->off, v->len);
	m->name_len = v->len;
	if (!m->name)
		return oom(p);
	m->kids[0] = range;
	m->kids[1] = a;
	if (b)
		m->kids[2] = b;
	node *pred = fn == M_MAP && !b ? NULL : a;
	if (pred && pred->type != T_BOOL && pred->type != T_DYN) {
		fail_node(p, pred, "the condition of %.*s() must be a bool, not %s",
			  (int)name->len, p->src + name->off, tname(pred->type));
		return NULL;
	}
	m->type = fn == M_MAP || fn == M_FILTER ? T_LIST : T_BOOL;
	return finish(p, m);
}

/* ---- primaries ---- */

static node *parse_list(parser *p, const token *open)
{
	node **items = NULL;
	size_t n = 0, cap = 0;
	node *res = NULL;
	while (peek(p)->kind != TK_RBRACK) {
		node *it = parse_expr(p);
		if (!it)
			goto out;
		if (CAD_GROW(items, cap, n + 1, 8)) {
			oom(p);
			goto out;
		}
		items[n++] = it;
		if (!accept(p, TK_COMMA))
			break;
	}
	const token *close = peek(p);
	if (!expect(p, TK_RBRACK, "',' or ']'"))
		goto out;
	node *l = mk(p, N_LIST, open->off, close->off + close->len - open->off, n);
	if (!l)
		goto out;
	l->type = T_LIST;
	int constant = 1;
	for (size_t i = 0; i < n; i++) {
		l->kids[i] = items[i];
		constant &= items[i]->op == N_LIT;
	}
	if (constant) {
		/* a constant list: made once, here */
		val *vals = cad_arena_alloc(&p->e->ar, (n ? n : 1) * sizeof(*vals));
		if (!vals) {
			oom(p);
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			vals[i] = items[i]->lit;
		l->op = N_LIT;
		l->lit.k = VK_LIST;
		l->lit.n = (uint32_t)n;
		l->lit.u.items = vals;
		l->nkids = 0;
	}
	res = finish(p, l);
out:
	free(items);
	return res;
}

static node *parse_map(parser *p, const token *open)
{
	node **kv = NULL;
	size_t n = 0, cap = 0;
	node *res = NULL;
	while (peek(p)->kind != TK_RBRACE) {
		node *k = parse_expr(p);
		if (!k)
			goto out;
		if (k->type != T_STRING && k->type != T_DYN) {
			fail_node(p, k, "map keys must be strings, not %s", tname(k->type));
			goto out;
		}
		if (!expect(p, TK_COLON, "':'"))
			goto out;
		node *v = parse_expr(p);
		if (!v)
			goto out;
		if (CAD_GROW(kv, cap, n + 2, 8)) {
			oom(p);
			goto out;
		}
		if (k->op == N_LIT)
			for (size_t i = 0; i < n; i += 2)
				if (kv[i]->op == N_LIT && kv[i]->lit.n == k->lit.n &&
				    !memcmp(kv[i]->lit.u.s, k->lit.u.s, k->lit.n)) {
					fail_node(p, k, "the key \"%s\" is given twice", k->lit.u.s);
					goto out;
				}
		kv[n++] = k;
		kv[n++] = v;
		if (!accept(p, TK_COMMA))
			break;
	}
	const token *close = peek(p);
	if (!expect(p, TK_RBRACE, "',' or '}'"))
		goto out;
	node *m = mk(p, N_MAP, open->off, close->off + close->len - open->off, n);
	if (!m)
		goto out;
	m->type = T_MAP;
	int constant = 1, literal_keys = 1;
	for (size_t i = 0; i < n; i++) {
		m->kids[i] = kv[i];
		constant &= kv[i]->op == N_LIT;
		if (i % 2 == 0)
			literal_keys &= kv[i]->op == N_LIT;
	}
	if (literal_keys)
		m->flags |= NF_KEYS_UNIQUE;	/* checked above */
	if (constant) {
		vpair *pairs = cad_arena_alloc(&p->e->ar, (n ? n / 2 : 1) * sizeof(*pairs));
		if (!pairs) {
			oom(p);
			goto out;
		}
		for (size_t i = 0; i < n; i += 2) {
			pairs[i / 2].key = kv[i]->lit;
			pairs[i / 2].value = kv[i + 1]->lit;
		}
		m->op = N_LIT;
		m->lit.k = VK_MAP;
		m->lit.n = (uint32_t)(n / 2);
		m->lit.u.pairs = pairs;
		m->nkids = 0;
	}
	res = finish(p, m);
out:
	free(kv);
	return res;
}

/* An identifier that is neither score, a variable nor a call. */
static node *unknown_name(parser *p, const token *t)
{
	const char *w = p->src + t->off;
	size_t n = t->len;
	fail_tok(p, t, "unknown name '%.*s'", (int)n, w);
	/* candidates: score and the variables in scope */
	size_t total = 0;
	for (unsigned i = 0; i < p->nvars; i++)
		total += p->vars[i].n + 1;
	const char **cands = malloc((p->nvars + 1) * sizeof(*cands));
	char *buf = malloc(total + 1);
	if (!cands || !buf) {
		free(cands);
		free(buf);
		return NULL;
	}
	size_t k = 0, used = 0;
	cands[k++] = "score";
	for (unsigned i = p->nvars; i-- > 0;) {
		memcpy(buf + used, p->vars[i].name, p->vars[i].n);
		buf[used + p->vars[i].n] = '\0';
		cands[k++] = buf + used;
		used += p->vars[i].n + 1;
	}
	const char *s = cad_suggest_pick(w, n, cands, k);
	int declared = p->env && cad_expr_env_find(p->env, w, n) >= 0;
	if (declared || (!p->env && !s))
		help(p, "fields of the score are read as score.%.*s", (int)n, w);
	else if (s)
		help(p, "did you mean '%s'?", s);
	free(cands);
	free(buf);
	return NULL;
}

static node *parse_ident(parser *p, const token *t)
{
	const char *w = p->src + t->off;
	size_t n = t->len;

	if (peek(p)->kind == TK_LPAREN) {
		next(p);
		for (unsigned i = p->nvars; i-- > 0;)
			if (p->vars[i].n == n && !memcmp(p->vars[i].name, w, n))
				return fail_tok(p, t, "'%.*s' is a variable, not a function", (int)n, w);
		const fdef *f = find_fn(w, n);
		if (f && !strcmp(f->name, "has"))
			return parse_has(p, t);
		if (!f || !f->global) {
			fail_tok(p, t, "unknown function '%.*s'", (int)n, w);
			if (f)
				help(p, "call it as a method: x.%s(...)", f->name);
			else
				suggest_fn(p, w, n, 0);
			return NULL;
		}
		node *c = call_node(p, t, f->fn, NULL);
		if (!c)
			return NULL;
		c->off = t->off;
		c->len = t->len;
		if (!check_call(p, c, f->name, 0))
			return NULL;
		return finish(p, c);
	}
	for (unsigned i = p->nvars; i-- > 0;) {
		if (p->vars[i].n == n && !memcmp(p->vars[i].name, w, n)) {
			node *v = mk_tok(p, N_VAR, t, 0);
			if (!v)
				return NULL;
			v->slot = (uint16_t)i;
			v->type = T_DYN;
			v->name = cad_arena_strndup(&p->e->ar, w, n);
			v->name_len = (uint32_t)n;
			return v->name ? v : oom(p);
		}
	}
	if (n == 5 && !memcmp(w, "score", 5)) {
		node *s = mk_tok(p, N_SCORE, t, 0);
		if (s)
			s->type = T_MAP;
		return s;
	}
	return unknown_name(p, t);
}

static node *parse_primary(parser *p)
{
	const token *t = peek(p);
	switch (t->kind) {
	case TK_NULL: case TK_TRUE: case TK_FALSE: case TK_INT: case TK_DOUBLE: case TK_STRING:
		next(p);
		return lit(p, t);
	case TK_IDENT:
		next(p);
		return parse_ident(p, t);
	case TK_LPAREN: {
		next(p);
		node *n = parse_expr(p);
		if (n && !expect(p, TK_RPAREN, "')'"))
			return NULL;
		return no_min_mag(p, n);
	}
	case TK_LBRACK:
		next(p);
		return parse_list(p, t);
	case TK_LBRACE:
		next(p);
		return parse_map(p, t);
	case TK_DOT:
		if (p->t[p->pos + 1].kind == TK_IDENT)
			return fail_tok(p, t, "a leading '.' (the root namespace) is not supported");
		return expected(p, "an operand");
	default:
		return expected(p, "an operand");
	}
}

/* ---- postfix: selection, methods, index ---- */

static node *select_node(parser *p, node *base, const token *name)
{
	if (base->op == N_SCORE)
		return score_field(p, p->src + name->off, name->len, name->off, name->len);
	if (base->type != T_DYN && base->type != T_MAP) {
		fail_tok(p, name, "%s has no fields (selecting '%.*s')", tname(base->type),
			 (int)name->len, p->src + name->off);
		help_decl(p, base);
		return NULL;
	}
	node *s = mk_tok(p, N_SELECT, name, 1);
	if (!s)
		return NULL;
	s->kids[0] = base;
	s->name = cad_arena_strndup(&p->e->ar, p->src + name->off, name->len);
	if (!s->name)
		return oom(p);
	s->name_len = name->len;
	s->type = T_DYN;
	return finish(p, s);
}

static node *index_node(parser *p, node *base, const token *open)
{
	node *i = parse_expr(p);
	if (!i)
		return NULL;
	const token *close = peek(p);
	if (!expect(p, TK_RBRACK, "']'"))
		return NULL;
	size_t off = open->off, len = close->off + close->len - open->off;
	if (base->op == N_SCORE && i->op == N_LIT && i->lit.k == VK_STR)
		return score_field(p, i->lit.u.s, i->lit.n, i->off, i->len);
	unsigned b = base->type, t = i->type;
	if (b == T_LIST && !(t == T_INT || t == T_DOUBLE || t == T_DYN)) {
		fail_span(p, off, len, "a list index must be an int, not %s", tname(t));
		return NULL;
	}
	if (b == T_MAP && !(t == T_STRING || t == T_DYN)) {
		fail_span(p, off, len, "a map key must be a string, not %s", tname(t));
		return NULL;
	}
	if (b != T_LIST && b != T_MAP && b != T_DYN) {
		fail_span(p, off, len, "%s cannot be indexed", tname(b));
		help_decl(p, base);
		return NULL;
	}
	if (b == T_DYN && !(num(t) || t == T_STRING || t == T_DYN)) {
		fail_span(p, off, len, "an index must be an int or a string, not %s", tname(t));
		return NULL;
	}
	if (base->op == N_SCORE)
		p->e->reads_all = 1;
	node *x = mk(p, N_INDEX, off, len, 2);
	if (!x)
		return NULL;
	x->kids[0] = base;
	x->kids[1] = i;
	x->type = T_DYN;
	return finish(p, x);
}

static node *method_node(parser *p, node *recv, const token *name)
{
	const char *w = p->src + name->off;
	size_t n = name->len;
	const fdef *f = find_fn(w, n);
	if (!f || !f->method) {
		fail_tok(p, name, "unknown method '%.*s'", (int)n, w);
		if (f)
			help(p, "call it as a function: %s(x)", f->name);
		else
			suggest_fn(p, w, n, 1);
		return NULL;
	}
	if (recv->op == N_SCORE)
		p->e->reads_all = 1;
	if (f->fn >= M_ALL)
		return parse_macro(p, name, f->fn, recv);
	node *c = call_node(p, name, f->fn, recv);
	if (!c)
		return NULL;
	c->off = name->off;
	c->len = name->len;
	if (!check_call(p, c, f->name, 1))
		return NULL;
	return finish(p, c);
}

static node *parse_member(parser *p)
{
	node *n = parse_primary(p);
	while (n) {
		const token *t = peek(p);
		if (t->kind == TK_DOT) {
			n = no_min_mag(p, n);
			if (!n)
				break;
			next(p);
			const token *name = peek(p);
			if (name->kind != TK_IDENT) {
				if (name->kind == TK_NULL || name->kind == TK_TRUE ||
				    name->kind == TK_FALSE || name->kind == TK_IN)
					return fail_tok(p, name, "'%.*s' is a keyword; write "
							"[\"%.*s\"] to select it",
							(int)name->len, p->src + name->off,
							(int)name->len, p->src + name->off);
				return expected(p, "a field name");
			}
			next(p);
			if (accept(p, TK_LPAREN))
				n = method_node(p, n, name);
			else
				n = select_node(p, n, name);
		} else if (t->kind == TK_LBRACK) {
			n = no_min_mag(p, n);
			if (!n)
				break;
			next(p);
			if (!enter(p))
				return NULL;
			n = index_node(p, n, t);
			leave(p);
		} else {
			break;
		}
	}
	return n;
}

/* ---- operators ---- */

static node *parse_unary(parser *p, int negated)
{
	const token *t = peek(p);
	if (t->kind != TK_BANG && t->kind != TK_MINUS) {
		node *n = parse_member(p);
		if (n && n->op == N_SCORE)
			p->e->reads_all = 1;
		return negated ? n : no_min_mag(p, n);
	}
	next(p);
	if (!enter(p))
		return NULL;
	node *a = parse_unary(p, t->kind == TK_MINUS);
	leave(p);
	if (!a)
		return NULL;
	if (t->kind == TK_MINUS) {
		if (a->op == N_LIT && a->lit.k == VK_INT) {
			if (a->flags & NF_MIN_MAG) {
				a->flags &= (uint8_t)~NF_MIN_MAG;
			} else if (a->lit.u.i == INT64_MIN) {
				return fail_tok(p, t, "integer overflow");
			} else {
				a->lit.u.i = -a->lit.u.i;
			}
			a->len = a->off + a->len - t->off;
			a->off = t->off;
			return a;
		}
		if (a->op == N_LIT && a->lit.k == VK_DBL) {
			a->lit.u.d = -a->lit.u.d;
			a->len = a->off + a->len - t->off;
			a->off = t->off;
			return a;
		}
		if (!num(a->type) && a->type != T_DYN)
			return type_error(p, t, a, NULL, "");
	} else if (a->type != T_BOOL && a->type != T_DYN) {
		return type_error(p, t, a, NULL, "");
	}
	node *n = mk_tok(p, t->kind == TK_MINUS ? N_NEG : N_NOT, t, 1);
	if (!n)
		return NULL;
	n->kids[0] = a;
	n->type = t->kind == TK_MINUS ? a->type : T_BOOL;
	return finish(p, n);
}

typedef node *(*level_fn)(parser *p);

static node *binary(parser *p, nop op, const token *tok, node *a, node *b)
{
	int type = binary_type(p, op, tok, a, b);
	if (type < 0)
		return NULL;
	node *n = mk_tok(p, op, tok, 2);
	if (!n)
		return NULL;
	n->kids[0] = a;
	n->kids[1] = b;
	n->type = (uint8_t)type;
	return finish(p, n);
}

static node *parse_mul(parser *p)
{
	node *a = parse_unary(p, 0);
	for (;;) {
		const token *t = peek(p);
		nop op = t->kind == TK_STAR ? N_MUL : t->kind == TK_SLASH ? N_DIV
			: t->kind == TK_PERCENT ? N_MOD : N_LIT;
		if (!a || op == N_LIT)
			return a;
		next(p);
		node *b = parse_unary(p, 0);
		a = b ? binary(p, op, t, a, b) : NULL;
	}
}

static node *parse_add(parser *p)
{
	node *a = parse_mul(p);
	for (;;) {
		const token *t = peek(p);
		nop op = t->kind == TK_PLUS ? N_ADD : t->kind == TK_MINUS ? N_SUB : N_LIT;
		if (!a || op == N_LIT)
			return a;
		next(p);
		node *b = parse_mul(p);
		a = b ? binary(p, op, t, a, b) : NULL;
	}
}

static nop rel_op(tkind k)
{
	switch (k) {
	case TK_LT: return N_LT;
	case TK_LE: return N_LE;
	case TK_GT: return N_GT;
	case TK_GE: return N_GE;
	case TK_EQ: return N_EQ;
	case TK_NE: return N_NE;
	case TK_IN: return N_IN;
	default: return N_LIT;
	}
}

static node *parse_rel(parser *p)
{
	node *a = parse_add(p);
	for (;;) {
		const token *t = peek(p);
		nop op = rel_op(t->kind);
		if (!a || op == N_LIT)
			return a;
		next(p);
		node *b = parse_add(p);
		a = b ? binary(p, op, t, a, b) : NULL;
	}
}

/* && and ||: one node with all the operands of a chain. */
static node *parse_logic(parser *p, tkind kind, nop op, level_fn sub)
{
	node *first = sub(p);
	if (!first || peek(p)->kind != kind)
		return first;
	node **kids = NULL;
	size_t n = 0, cap = 0;
	node *res = NULL;
	const token *optok = peek(p);
	node *prev = first;
	while (peek(p)->kind == kind) {
		const token *t = next(p);
		node *b = sub(p);
		if (!b)
			goto out;
		if (binary_type(p, op, t, prev, b) < 0)
			goto out;
		if (CAD_GROW(kids, cap, n + 2, 8)) {
			oom(p);
			goto out;
		}
		if (!n)
			kids[n++] = first;
		kids[n++] = b;
		prev = b;
	}
	node *l = mk_tok(p, op, optok, n);
	if (!l)
		goto out;
	memcpy(l->kids, kids, n * sizeof(*kids));
	l->type = T_BOOL;
	res = finish(p, l);
out:
	free(kids);
	return res;
}

static node *parse_and(parser *p)
{
	return parse_logic(p, TK_AND, N_AND, parse_rel);
}

static node *parse_or(parser *p)
{
	return parse_logic(p, TK_OR, N_OR, parse_and);
}

static node *parse_expr(parser *p)
{
	if (!enter(p))
		return NULL;
	node *c = parse_or(p), *res = NULL;
	const token *q = peek(p);
	if (!c || q->kind != TK_QUESTION) {
		res = c;
		goto out;
	}
	next(p);
	if (c->type != T_BOOL && c->type != T_DYN) {
		fail_tok(p, q, "the condition before '?' must be a bool, not %s", tname(c->type));
		help_decl(p, c);
		goto out;
	}
	node *a = parse_or(p);
	if (!a || !expect(p, TK_COLON, "':'"))
		goto out;
	node *b = parse_expr(p);
	if (!b)
		goto out;
	node *n = mk_tok(p, N_COND, q, 3);
	if (!n)
		goto out;
	n->kids[0] = c;
	n->kids[1] = a;
	n->kids[2] = b;
	n->type = a->type == b->type ? a->type : T_DYN;
	res = finish(p, n);
out:
	leave(p);
	return res;
}

int cad_expr_parse(cadence_expr *e, const token *toks, size_t ntok, const cadence_expr_env *env,
		   int hint, cadence_expr_error *err)
{
	parser *p = malloc(sizeof(*p));
	if (!p)
		return CADENCE_ENOMEM;
	memset(p, 0, offsetof(parser, vars));
	p->e = e;
	p->src = e->src;
	p->len = e->len;
	p->t = toks;
	p->ntok = ntok;
	p->env = env;
	p->hint = hint;
	p->err = err;
	e->has_env = env != NULL;
	e->env_n = env ? env->n : 0;

	if (toks[0].kind == TK_EOF) {
		fail_span(p, 0, 0, "the expression is empty");
	} else {
		node *root = parse_expr(p);
		if (root && peek(p)->kind != TK_EOF) {
			char d[64];
			describe(p, peek(p), d, sizeof(d));
			fail_tok(p, peek(p), "unexpected %s after a complete expression", d);
			const token *t = peek(p);
			if (t->kind == TK_IDENT && t->len == 3 && !memcmp(p->src + t->off, "and", 3))
				help(p, "use '&&' for \"and\"");
			else if (t->kind == TK_IDENT && t->len == 2 && !memcmp(p->src + t->off, "or", 2))
				help(p, "use '||' for \"or\"");
			else
				help(p, "an operator may be missing before it");
		}
		e->root = root;
	}
	if (!p->rc && p->nfields) {
		e->fields = cad_arena_alloc(&e->ar, p->nfields * sizeof(*e->fields));
		if (!e->fields)
			oom(p);
		else
			memcpy(e->fields, p->fields, p->nfields * sizeof(*e->fields));
		e->nfields = p->nfields;
	}
	int rc = p->rc;
	free(p->fields);
	free(p);
	return rc;
}
