/* SPDX-License-Identifier: MIT */
/*
 * The checker: the parsed tree (parse.c) to the typed tree the evaluator
 * runs.
 *
 * One walk, kids first, in the order of the source, so that the first
 * error is the leftmost one a reader would find: it resolves the names
 * (score's fields through the env's hash, macro variables in their
 * scopes, functions), types each node and checks its operands, so that a
 * type error points at the operator or operand that caused it.  Along the
 * way it compiles literal patterns, folds lists and maps of literals into
 * literals, and fills what the evaluator reads: fields, slots.  The
 * parser bounded the tree's depth, which bounds this walk's recursion.
 */
#include "expr/expr_int.h"
#include "expr/regex.h"
#include "expr/vars.h"
#include "util/grow.h"
#include "util/strbuf.h"
#include "util/suggest.h"

#include <stdarg.h>
#include <stddef.h>
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

/* A macro's variable in scope: a list through the checker's frames,
 * innermost first, so that no stack of them is allocated. */
typedef struct scope scope;
struct scope {
	const char *name;
	uint32_t n;
	unsigned slot;
	const scope *up;
};

typedef struct checker {
	cadence_expr *e;
	const char *src;
	size_t len;
	const cadence_expr_env *env;
	int hint;		/* 0: no did-you-mean over the env (expr/compile.h) */
	cadence_expr_error *err;
	int rc;
	const scope *vars;	/* innermost first */
	unsigned nvars;
	const char **fields;	/* malloc'd while checking */
	size_t nfields, capf;
} checker;

static int check(checker *c, node *n);

static const char *tname(unsigned t)
{
	return cadence_expr_type_name((cadence_expr_type)t);
}

/* ---- errors: each returns -1, for `return fail...` ---- */

static int vfail(checker *c, size_t off, size_t len, const char *fmt, va_list ap)
{
	if (c->rc)
		return -1;
	c->rc = CADENCE_EINVALID;
	cad_expr_verror_at(c->err, c->src, c->len, off, len, fmt, ap);
	return -1;
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fail_span(checker *c, size_t off, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(c, off, len, fmt, ap);
	va_end(ap);
	return -1;
}

#define fail_node(c, nd, ...) fail_span((c), (nd)->off, (nd)->len, __VA_ARGS__)

static void help(checker *c, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

static void help(checker *c, const char *fmt, ...)
{
	if (!c->err || c->rc != CADENCE_EINVALID)
		return;
	va_list ap;
	va_start(ap, fmt);
	cad_expr_verror_help(c->err, fmt, ap);
	va_end(ap);
}

static int oom(checker *c)
{
	if (!c->rc) {
		c->rc = CADENCE_ENOMEM;
		cad_expr_error_at(c->err, c->src, c->len, 0, 0, "out of memory");
	}
	return -1;
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

/* The declared type of a field node, for help texts. */
static void help_decl(checker *c, const node *n)
{
	if (n->op != N_FIELD || n->field == NO_FIELD)
		return;
	const char *decl = c->env->fields[n->field].decl;
	help(c, "score.%s is declared as %s %s", n->name,
	     decl[0] == 'a' || decl[0] == 'i' || decl[0] == 'o' ? "an" : "a", decl);
}

/* fail_span, with the help of the declared type of `about` when it is a
 * field. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static int fail_decl(checker *c, size_t off, size_t len, const node *about, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail(c, off, len, fmt, ap);
	va_end(ap);
	help_decl(c, about);
	return -1;
}

/* '<op>' cannot be applied to...: op is the operator's span. */
static int type_error(checker *c, size_t off, size_t len, const node *a, const node *b)
{
	const char *op = c->src + off;
	if (b)
		fail_span(c, off, len, "'%.*s' cannot be applied to %s and %s", (int)len, op,
			  tname(a->type), tname(b->type));
	else
		fail_span(c, off, len, "'%.*s' cannot be applied to %s", (int)len, op,
			  tname(a->type));
	/* for && and ||, the operand that is not a bool is the one to explain */
	int logic = b && len == 2 && (op[0] == '&' || op[0] == '|');
	if (logic && a->type == T_BOOL)
		a = b;
	if (a->op == N_FIELD && a->type != T_DYN)
		help_decl(c, a);
	else if (b && b->op == N_FIELD && b->type != T_DYN)
		help_decl(c, b);
	return -1;
}

/* The result type of +, or -1 when its operands do not add. */
static int add_type(unsigned x, unsigned y)
{
	if (x == T_DYN || y == T_DYN) {
		unsigned k = x == T_DYN ? y : x;
		if (k == T_DYN || num(k))
			return T_DYN;
		return k == T_STRING || k == T_LIST ? (int)k : -1;
	}
	if (num(x) && num(y))
		return x == T_INT && y == T_INT ? T_INT : T_DOUBLE;
	return x == y && (x == T_STRING || x == T_LIST) ? (int)x : -1;
}

/* The result type of op over x and y, or -1 (no error said). */
static int op_type(nop op, unsigned x, unsigned y)
{
	switch (op) {
	case N_ADD:
		return add_type(x, y);
	case N_SUB: case N_MUL: case N_DIV: case N_MOD:
		if (!(num(x) || x == T_DYN) || !(num(y) || y == T_DYN))
			return -1;
		if (x == T_INT && y == T_INT)
			return T_INT;
		return x == T_DOUBLE || y == T_DOUBLE ? T_DOUBLE : T_DYN;
	case N_LT: case N_LE: case N_GT: case N_GE:
		if (!ordered(x) || !ordered(y))
			return -1;
		return x == T_DYN || y == T_DYN || x == y || (num(x) && num(y)) ? T_BOOL : -1;
	case N_EQ: case N_NE:
		return x == T_DYN || y == T_DYN || x == T_NULL || y == T_NULL || x == y ||
		       (num(x) && num(y)) ? T_BOOL : -1;
	case N_IN:
		if (y == T_LIST || y == T_DYN || (y == T_MAP && (x == T_STRING || x == T_DYN)))
			return T_BOOL;
		return -1;
	default:	/* N_AND, N_OR */
		return (x == T_BOOL || x == T_DYN) && (y == T_BOOL || y == T_DYN) ? T_BOOL : -1;
	}
}

/* Checks the operands of a binary operator at off (2 bytes for && and ||);
 * returns the result type or -1. */
static int binary_type(checker *c, nop op, size_t off, size_t len, const node *a, const node *b)
{
	unsigned x = a->type, y = b->type;
	int t = op_type(op, x, y);
	if (t >= 0)
		return t;
	if (op == N_IN && y == T_MAP)
		return fail_span(c, off, len, "'in' looks up map keys, which are strings; this is %s",
				 tname(x));
	if (op == N_IN) {
		fail_span(c, off, len, "'in' needs a list or a map on its right, not %s", tname(y));
		if (y == T_STRING)
			help(c, "for a substring, use s.contains(x)");
		return -1;
	}
	type_error(c, off, len, a, b);
	if (op == N_ADD && ((x == T_STRING && num(y)) || (num(x) && y == T_STRING)))
		help(c, "convert the number with string(...) first");
	return -1;
}

/* ---- names ---- */

static int add_field(checker *c, const char *name)
{
	for (size_t i = 0; i < c->nfields; i++)
		if (!strcmp(c->fields[i], name))
			return 0;
	if (CAD_GROW(c->fields, c->capf, c->nfields + 1, 8))
		return oom(c);
	c->fields[c->nfields++] = name;
	return 0;
}

/* The help of an unknown field when no name is close: a short list of
 * what the score declares. */
static void help_declared(checker *c)
{
	strbuf sb = STRBUF_INIT;
	size_t n = c->env->n < 8 ? c->env->n : 8;
	for (size_t i = 0; i < n; i++)
		cad_strbuf_addf(&sb, "%s'%s'", i ? ", " : "", c->env->fields[i].name);
	help(c, "the score declares %s%s", cad_strbuf_cstr(&sb) ? sb.buf : "",
	     c->env->n > n ? ", ..." : "");
	cad_strbuf_free(&sb);
}

static int unknown_field(checker *c, const node *f)
{
	fail_node(c, f, "score has no field '%s'", f->name);
	if (!c->hint)
		return -1;
	const char *s = cad_suggest_pick_in(f->name, f->name_len, c->env->fields, c->env->n,
					    sizeof(env_field), offsetof(env_field, name));
	if (s)
		help(c, "did you mean '%s'?", s);
	else if (!c->env->n)
		help(c, "the score declares no fields");
	else
		help_declared(c);
	return -1;
}

/* score.name, declared or not: typed by the env. */
static int check_field(checker *c, node *f)
{
	f->type = T_DYN;
	if (c->env) {
		long at = cad_expr_env_find(c->env, f->name, f->name_len);
		if (at < 0)
			return unknown_field(c, f);
		const env_field *found = &c->env->fields[at];
		f->field = (uint32_t)at;
		f->type = found->type;
		if (found->as_double)
			f->flags |= NF_AS_DOUBLE;
	}
	return add_field(c, f->name);
}

/* The slot of the variable named name[0, n) in scope, innermost first;
 * -1 when none is. */
static long find_var(const checker *c, const char *name, size_t n)
{
	for (const scope *s = c->vars; s; s = s->up)
		if (s->n == n && !memcmp(s->name, name, n))
			return (long)s->slot;
	return -1;
}

/* An identifier that is neither score nor a variable. */
static int unknown_name(checker *c, const node *t)
{
	const char *w = c->src + t->off;
	size_t n = t->len;
	fail_node(c, t, "unknown name '%.*s'", (int)n, w);
	/* candidates: score and the variables in scope */
	size_t total = 0;
	for (const scope *v = c->vars; v; v = v->up)
		total += v->n + 1;
	const char **cands = malloc((c->nvars + 1) * sizeof(*cands));
	char *buf = malloc(total + 1);
	if (!cands || !buf) {
		free(cands);
		free(buf);
		return -1;
	}
	size_t k = 0, used = 0;
	cands[k++] = "score";
	for (const scope *v = c->vars; v; v = v->up) {
		memcpy(buf + used, v->name, v->n);
		buf[used + v->n] = '\0';
		cands[k++] = buf + used;
		used += v->n + 1;
	}
	const char *s = cad_suggest_pick(w, n, cands, k);
	int declared = c->env && cad_expr_env_find(c->env, w, n) >= 0;
	if (declared || (!c->env && !s))
		help(c, "fields of the score are read as score.%.*s", (int)n, w);
	else if (s)
		help(c, "did you mean '%s'?", s);
	free(cands);
	free(buf);
	return -1;
}

/* A name the parser found: a macro's variable, or an error. */
static int check_var(checker *c, node *v)
{
	long slot = find_var(c, c->src + v->off, v->len);
	if (slot < 0)
		return unknown_name(c, v);
	v->slot = (uint16_t)slot;
	v->type = T_DYN;
	v->name = cad_arena_strndup(&c->e->ar, c->src + v->off, v->len);
	v->name_len = v->len;
	return v->name ? 0 : oom(c);
}

/* ---- literals ---- */

static uint8_t lit_type(const val *v)
{
	static const uint8_t types[VK_JMAP + 1] = {
		[VK_NULL] = T_NULL, [VK_BOOL] = T_BOOL, [VK_INT] = T_INT, [VK_DBL] = T_DOUBLE,
		[VK_STR] = T_STRING, [VK_LIST] = T_LIST, [VK_MAP] = T_MAP,
	};
	return types[v->k];
}

/* A list of literals, checked: made once, here, in the room the parser
 * left in lit. */
static void fold_list(node *l)
{
	size_t n = l->nkids;
	val *vals = (val *)l->lit.u.items;	/* the room, not yet a literal */
	for (size_t i = 0; i < n; i++)
		vals[i] = l->kids[i]->lit;
	l->op = N_LIT;
	l->flags &= (uint8_t)~NF_CONST;
	l->lit.k = VK_LIST;
	l->lit.n = (uint32_t)n;
	l->nkids = 0;
}

static void fold_map(node *m)
{
	size_t n = m->nkids;
	vpair *pairs = (vpair *)m->lit.u.pairs;	/* likewise */
	for (size_t i = 0; i < n; i += 2) {
		pairs[i / 2].key = m->kids[i]->lit;
		pairs[i / 2].value = m->kids[i + 1]->lit;
	}
	m->op = N_LIT;
	m->flags &= (uint8_t)~NF_CONST;
	m->lit.k = VK_MAP;
	m->lit.n = (uint32_t)(n / 2);
	m->nkids = 0;
}

static int check_list(checker *c, node *l)
{
	for (uint32_t i = 0; i < l->nkids; i++)
		if (check(c, l->kids[i]))
			return -1;
	l->type = T_LIST;
	if (l->flags & NF_CONST)
		fold_list(l);
	return 0;
}

/* The key kids[i] of map m, checked: a string, given once. */
static int check_key(checker *c, const node *m, uint32_t i)
{
	const node *k = m->kids[i];
	if (k->type != T_STRING && k->type != T_DYN)
		return fail_node(c, k, "map keys must be strings, not %s", tname(k->type));
	return 0;
}

static int check_unique(checker *c, const node *m, uint32_t i)
{
	const node *k = m->kids[i];
	if (k->op != N_LIT)
		return 0;
	for (uint32_t j = 0; j < i; j += 2) {
		const node *o = m->kids[j];
		if (o->op == N_LIT && o->lit.n == k->lit.n &&
		    !memcmp(o->lit.u.s, k->lit.u.s, k->lit.n))
			return fail_node(c, k, "the key \"%s\" is given twice", k->lit.u.s);
	}
	return 0;
}

static int check_map(checker *c, node *m)
{
	int literal_keys = 1;
	for (uint32_t i = 0; i < m->nkids; i += 2) {
		if (check(c, m->kids[i]) || check_key(c, m, i) || check(c, m->kids[i + 1]) ||
		    check_unique(c, m, i))
			return -1;
		literal_keys &= m->kids[i]->op == N_LIT;
	}
	m->type = T_MAP;
	if (literal_keys)
		m->flags |= NF_KEYS_UNIQUE;	/* checked above */
	if (m->flags & NF_CONST)
		fold_map(m);
	return 0;
}

/* ---- function tables ---- */

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

const fdef *cad_expr_find_fn(const char *name, size_t n)
{
	for (size_t i = 0; i < NFDEFS; i++)
		if (strlen(fdefs[i].name) == n && !memcmp(fdefs[i].name, name, n))
			return &fdefs[i];
	return NULL;
}

/* The name of a macro (its fnid is its own). */
static const char *macro_name(fnid fn)
{
	for (size_t i = 0; i < NFDEFS; i++)
		if (fdefs[i].fn == fn)
			return fdefs[i].name;
	return "?";
}

static void suggest_fn(checker *c, const char *name, size_t n, int method)
{
	cad_suggest sg;
	cad_suggest_init(&sg, name, n);
	for (size_t i = 0; i < NFDEFS; i++)
		if (method ? fdefs[i].method : fdefs[i].global)
			cad_suggest_try(&sg, fdefs[i].name);
	const char *s = sg.best;
	if (s)
		help(c, "did you mean '%s'?", s);
}

/* ---- calls ---- */

static int arity(checker *c, const node *call, const char *fname, size_t want, int method)
{
	size_t got = call->nkids - (method ? 1 : 0);
	return fail_node(c, call, "%s() takes %zu argument%s, not %zu", fname, want,
			 want == 1 ? "" : "s", got);
}

static int arg_is(unsigned t, unsigned a, unsigned b, unsigned d)
{
	return t == T_DYN || t == a || t == b || t == d;
}

static int bad_arg(checker *c, const char *fname, const node *a, const char *want)
{
	return fail_decl(c, a->off, a->len, a, "%s() takes %s, not %s", fname, want,
			 tname(a->type));
}

/* Compiles the literal pattern of matches() now: an invalid one, or one
 * past the limits, is a compile error.  Its program is kept when it is
 * small for the pattern (4 instructions a byte and 32 more): a short
 * pattern that repetition makes large (a{9999}) is compiled again at each
 * evaluation instead, so that no expression holds much more memory than
 * its source takes. */
static int compile_pattern(checker *c, node *call, const node *pat)
{
	if (pat->op != N_LIT || pat->lit.k != VK_STR)
		return 0;
	arena tmp;
	cad_regex_error rerr;
	cad_arena_init_small(&tmp, NULL, 0, 0);
	int rc = cad_regex_compile(&tmp, &c->e->ar, pat->lit.u.s, pat->lit.n,
				   4 * (size_t)pat->lit.n + 32, &call->re, &rerr);
	cad_arena_free(&tmp);
	if (rc == CADENCE_ENOMEM)
		return oom(c);
	if (rc) {
		fail_node(c, pat, "invalid regular expression: %s", rerr.message);
		help(c, "%s", rerr.help[0] ? rerr.help
			       : "patterns are POSIX extended regular expressions "
				 "(docs/expressions.md, \"Regular expressions\")");
		return -1;
	}
	return 0;
}

/* min() and max() of two or more values: their type, or -1. */
static int minmax_type(checker *c, const node *call, const char *fname)
{
	node **k = call->kids;
	size_t n = call->nkids;
	unsigned t = k[0]->type;
	for (size_t i = 0; i < n; i++) {
		if (!ordered(k[i]->type))
			return bad_arg(c, fname, k[i], "numbers, strings or bools");
		if (k[i]->type != t)
			t = T_DYN;
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (k[i]->type != T_DYN && k[j]->type != T_DYN &&
			    k[i]->type != k[j]->type && !(num(k[i]->type) && num(k[j]->type)))
				return fail_node(c, k[j], "%s() cannot compare %s with %s", fname,
						 tname(k[j]->type), tname(k[i]->type));
	return (int)t;
}

/* The functions of one argument, by fnid: what they take, what they give. */
static const struct {
	unsigned a, b, d;	/* what arg_is() accepts */
	int also_bool;
	const char *want;
	uint8_t result;
} one_arg[] = {
	[FN_SIZE] = { T_STRING, T_LIST, T_MAP, 0, "a string, a list or a map", T_INT },
	[FN_INT] = { T_INT, T_DOUBLE, T_STRING, 0, "an int, a double or a string", T_INT },
	[FN_DOUBLE] = { T_INT, T_DOUBLE, T_STRING, 0, "an int, a double or a string", T_DOUBLE },
	[FN_STRING] = { T_INT, T_DOUBLE, T_STRING, 1, "a string, an int, a double or a bool",
			T_STRING },
	[FN_SUM] = { T_LIST, T_LIST, T_LIST, 0, "a list of numbers", T_DYN },
};

static int check_one_arg(checker *c, node *call, const char *fname, int method)
{
	fnid fn = (fnid)call->fn;
	if (call->nkids != 1)
		return arity(c, call, fname, fn == FN_SIZE ? 0 + !method : 1, method);
	unsigned t = call->kids[0]->type;
	if (!arg_is(t, one_arg[fn].a, one_arg[fn].b, one_arg[fn].d) &&
	    !(one_arg[fn].also_bool && t == T_BOOL))
		return bad_arg(c, fname, call->kids[0], one_arg[fn].want);
	call->type = one_arg[fn].result;
	return 0;
}

/* Types a call whose arguments are checked (a receiver first for methods). */
static int type_call(checker *c, node *call, const char *fname, int method)
{
	node **k = call->kids;
	size_t n = call->nkids;
	switch ((fnid)call->fn) {
	case FN_CONTAINS: case FN_STARTS: case FN_ENDS: case FN_MATCHES:
		if (n != 2)
			return arity(c, call, fname, 1 + !method, method);
		for (size_t i = 0; i < 2; i++)
			if (!arg_is(k[i]->type, T_STRING, T_STRING, T_STRING))
				return bad_arg(c, fname, k[i], "strings");
		call->type = T_BOOL;
		return call->fn == FN_MATCHES ? compile_pattern(c, call, k[1]) : 0;
	case FN_MIN: case FN_MAX: {
		if (n == 0)
			return arity(c, call, fname, 1, 0);
		if (n == 1 && !arg_is(k[0]->type, T_LIST, T_LIST, T_LIST))
			return bad_arg(c, fname, k[0], "a list, or two or more values");
		int t = n == 1 ? T_DYN : minmax_type(c, call, fname);
		call->type = (uint8_t)t;
		return t < 0 ? -1 : 0;
	}
	default:
		return check_one_arg(c, call, fname, method);
	}
}

/* The function a call names, or NULL (the error said). */
static const fdef *resolve_fn(checker *c, const node *call, int method)
{
	const char *w = c->src + call->off;
	size_t n = call->len;
	if (!method && find_var(c, w, n) >= 0) {
		fail_node(c, call, "'%.*s' is a variable, not a function", (int)n, w);
		return NULL;
	}
	const fdef *f = cad_expr_find_fn(w, n);
	if (f && (method ? f->method : f->global))
		return f;	/* not has(), nor a macro: the parser took those */
	fail_node(c, call, "unknown %s '%.*s'", method ? "method" : "function", (int)n, w);
	if (f && method)
		help(c, "call it as a function: %s(x)", f->name);
	else if (f)
		help(c, "call it as a method: x.%s(...)", f->name);
	else
		suggest_fn(c, w, n, method);
	return NULL;
}

static int check_call(checker *c, node *call)
{
	int method = (call->flags & NF_METHOD) != 0;
	if (method && check(c, call->kids[0]))
		return -1;
	const fdef *f = resolve_fn(c, call, method);
	if (!f)
		return -1;
	call->fn = (uint8_t)f->fn;
	for (uint32_t i = method ? 1 : 0; i < call->nkids; i++)
		if (check(c, call->kids[i]))
			return -1;
	return type_call(c, call, f->name, method);
}

/* has(): its selection checked; the field's kid becomes score. */
static int check_has(checker *c, node *h)
{
	static const size_t has_len = 3;	/* the name, where the span starts */
	if (find_var(c, c->src + h->off, has_len) >= 0)
		return fail_span(c, h->off, has_len, "'%.*s' is a variable, not a function",
				 (int)has_len, c->src + h->off);
	node *a = h->kids[0];
	if (check(c, a))
		return -1;
	h->type = T_BOOL;
	if (a->op != N_FIELD) {
		h->kids[0] = a->kids[0];
		return 0;
	}
	node *s = cad_arena_alloc(&c->e->ar, sizeof(*s));
	if (!s)
		return oom(c);
	s->op = N_SCORE;
	s->off = a->off;
	s->depth = 1;
	s->type = T_MAP;
	h->kids[0] = s;
	return 0;
}

/* x.all(v, pred) and the other macros: v is in scope in the kids after
 * the range. */
static int check_macro(checker *c, node *m)
{
	const char *fname = macro_name((fnid)m->fn);
	node *range = m->kids[0], *pred;
	if (check(c, range))
		return -1;
	if (range->type != T_DYN && range->type != T_LIST && range->type != T_MAP)
		return fail_decl(c, m->off, strlen(fname), range,
				 "%s() works on lists and maps, not on %s", fname, tname(range->type));
	scope v = { m->name, m->name_len, c->nvars, c->vars };
	m->slot = (uint16_t)c->nvars++;
	c->vars = &v;
	if (c->nvars > c->e->nslots)
		c->e->nslots = c->nvars;
	int rc = 0;
	for (uint32_t i = 1; !rc && i < m->nkids; i++)
		rc = check(c, m->kids[i]);
	c->vars = v.up;
	c->nvars--;
	if (rc)
		return -1;
	pred = m->fn == M_MAP && m->nkids == 2 ? NULL : m->kids[1];
	if (pred && pred->type != T_BOOL && pred->type != T_DYN)
		return fail_node(c, pred, "the condition of %s() must be a bool, not %s", fname,
				 tname(pred->type));
	m->type = m->fn == M_MAP || m->fn == M_FILTER ? T_LIST : T_BOOL;
	return 0;
}

/* ---- selections ---- */

static int check_select(checker *c, node *s)
{
	const node *base = s->kids[0];
	if (check(c, s->kids[0]))
		return -1;
	if (base->type != T_DYN && base->type != T_MAP)
		return fail_decl(c, s->off, s->len, base, "%s has no fields (selecting '%s')",
				 tname(base->type), s->name);
	s->type = T_DYN;
	return 0;
}

static int check_index(checker *c, node *x)
{
	if (check(c, x->kids[0]) || check(c, x->kids[1]))
		return -1;
	const node *base = x->kids[0];
	unsigned b = base->type, t = x->kids[1]->type;
	if (b == T_LIST && !(t == T_INT || t == T_DOUBLE || t == T_DYN))
		return fail_node(c, x, "a list index must be an int, not %s", tname(t));
	if (b == T_MAP && !(t == T_STRING || t == T_DYN))
		return fail_node(c, x, "a map key must be a string, not %s", tname(t));
	if (b != T_LIST && b != T_MAP && b != T_DYN)
		return fail_decl(c, x->off, x->len, base, "%s cannot be indexed", tname(b));
	if (b == T_DYN && !(num(t) || t == T_STRING || t == T_DYN))
		return fail_node(c, x, "an index must be an int or a string, not %s", tname(t));
	x->type = T_DYN;
	return 0;
}

/* ---- operators ---- */

static int check_unary(checker *c, node *n)
{
	const node *a = n->kids[0];
	if (check(c, n->kids[0]))
		return -1;
	if (n->op == N_NEG ? !num(a->type) && a->type != T_DYN
			   : a->type != T_BOOL && a->type != T_DYN)
		return type_error(c, n->off, n->len, a, NULL);
	n->type = n->op == N_NEG ? a->type : T_BOOL;
	return 0;
}

static int check_binary(checker *c, node *n)
{
	if (check(c, n->kids[0]) || check(c, n->kids[1]))
		return -1;
	int t = binary_type(c, (nop)n->op, n->off, n->len, n->kids[0], n->kids[1]);
	n->type = (uint8_t)t;
	return t < 0 ? -1 : 0;
}

/* && and ||: each operand checked with the one before it, at the operator
 * between them. */
static int check_logic(checker *c, node *n)
{
	if (check(c, n->kids[0]))
		return -1;
	for (uint32_t i = 1; i < n->nkids; i++) {
		size_t op = i == 1 ? n->off : n->ops[i - 2];
		if (check(c, n->kids[i]) ||
		    binary_type(c, (nop)n->op, op, 2, n->kids[i - 1], n->kids[i]) < 0)
			return -1;
	}
	n->type = T_BOOL;
	return 0;
}

static int check_cond(checker *c, node *n)
{
	const node *k = n->kids[0];
	if (check(c, n->kids[0]))
		return -1;
	if (k->type != T_BOOL && k->type != T_DYN)
		return fail_decl(c, n->off, n->len, k, "the condition before '?' must be a bool, not %s",
				 tname(k->type));
	if (check(c, n->kids[1]) || check(c, n->kids[2]))
		return -1;
	n->type = n->kids[1]->type == n->kids[2]->type ? n->kids[1]->type : T_DYN;
	return 0;
}

/* ---- the walk ---- */

static int check(checker *c, node *n)
{
	switch ((nop)n->op) {
	case N_LIT: n->type = lit_type(&n->lit); return 0;
	case N_SCORE: n->type = T_MAP; return 0;
	case N_FIELD: return check_field(c, n);
	case N_VAR: return check_var(c, n);
	case N_SELECT: return check_select(c, n);
	case N_INDEX: return check_index(c, n);
	case N_HAS: return check_has(c, n);
	case N_NOT: case N_NEG: return check_unary(c, n);
	case N_AND: case N_OR: return check_logic(c, n);
	case N_COND: return check_cond(c, n);
	case N_LIST: return check_list(c, n);
	case N_MAP: return check_map(c, n);
	case N_CALL: return check_call(c, n);
	case N_MACRO: return check_macro(c, n);
	default: return check_binary(c, n);
	}
}

/* e's fields, in the order they are first read, into its arena. */
static void keep_fields(checker *c)
{
	cadence_expr *e = c->e;
	if (c->rc || !c->nfields)
		return;
	e->fields = cad_arena_alloc(&e->ar, c->nfields * sizeof(*e->fields));
	if (!e->fields) {
		oom(c);
		return;
	}
	memcpy(e->fields, c->fields, c->nfields * sizeof(*e->fields));
	e->nfields = c->nfields;
}

int cad_expr_check_vars(cadence_expr *e, const cadence_expr_env *env, int hint,
			const char *const *vars, size_t nvars, cadence_expr_error *err)
{
	checker c = { .e = e, .src = e->src, .len = e->len, .env = env, .hint = hint,
		      .err = err };
	scope bound[CAD_EXPR_MAX_VARS];
	if (nvars > CAD_EXPR_MAX_VARS)
		return CADENCE_EINVAL;
	/* the caller's names are the outermost scope: a macro's variable of
	 * the same name hides one, as it would hide another macro's */
	for (size_t i = 0; i < nvars; i++) {
		bound[i] = (scope){ vars[i], (uint32_t)strlen(vars[i]), (unsigned)i,
				    i ? &bound[i - 1] : NULL };
		c.vars = &bound[i];
	}
	c.nvars = (unsigned)nvars;
	e->nvars = (unsigned)nvars;
	e->nslots = (unsigned)nvars;
	e->has_env = env != NULL;
	e->env_n = env ? env->n : 0;
	check(&c, e->root);
	keep_fields(&c);
	free(c.fields);
	return c.rc;
}

int cad_expr_check(cadence_expr *e, const cadence_expr_env *env, int hint,
		   cadence_expr_error *err)
{
	return cad_expr_check_vars(e, env, hint, NULL, 0, err);
}
