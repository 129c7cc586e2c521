/* SPDX-License-Identifier: MIT */
/*
 * The parser: tokens to a tree, from the syntax alone (check.c then
 * resolves the names and types the tree).
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
 * What the syntax decides is decided here: literals (a negated one folded,
 * 2^63 valid only negated), score.name and score["name"] as fields, the
 * macros by their names (their variable is syntax), has()'s argument, and
 * which uses read the whole score.  Recursion is bounded twice: the parser
 * counts its nesting, and every node knows the depth of its tree, so
 * neither parsing, checking nor evaluating can go deeper than
 * CADENCE_EXPR_MAX_DEPTH levels.
 */
#include "expr/expr_int.h"
#include "util/grow.h"
#include "util/utf8.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INT_MIN_MAG (UINT64_C(1) << 63)

enum {
	NF_MIN_MAG = 0x80	/* an int literal of 2^63: valid only negated */
};

typedef struct parser {
	cadence_expr *e;
	const char *src;
	size_t len;
	const token *t;
	size_t pos;
	cadence_expr_error *err;
	int rc;
	unsigned nest;
	unsigned nmacros;	/* macro bodies open */
} parser;

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

static int is_word(const parser *p, const token *t, const char *w)
{
	size_t n = strlen(w);
	return t->kind == TK_IDENT && t->len == n && !memcmp(p->src + t->off, w, n);
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

static void help(parser *p, const char *text)
{
	if (p->rc == CADENCE_EINVALID)
		cad_expr_error_help(p->err, "%s", text);
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

/* The help for a word of another language where an operator was due;
 * 0 when t is none. */
static int help_word(parser *p, const token *t, int with_not)
{
	if (is_word(p, t, "and"))
		help(p, "use '&&' for \"and\"");
	else if (is_word(p, t, "or"))
		help(p, "use '||' for \"or\"");
	else if (with_not && is_word(p, t, "not"))
		help(p, "use '!' for \"not\"");
	else
		return 0;
	return 1;
}

static node *expected(parser *p, const char *what)
{
	const token *t = peek(p);
	char d[64];
	describe(p, t, d, sizeof(d));
	fail_tok(p, t, "expected %s, found %s", what, d);
	help_word(p, t, 1);
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

/* A node that ends at the token `close`, from `off`. */
static node *mk_to(parser *p, nop op, size_t off, const token *close, size_t nkids)
{
	return mk(p, op, off, close->off + close->len - off, nkids);
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

static const char *dup_tok(parser *p, const token *t)
{
	const char *s = cad_arena_strndup(&p->e->ar, p->src + t->off, t->len);
	if (!s)
		oom(p);
	return s;
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
		break;
	case TK_TRUE: case TK_FALSE:
		n->lit.k = VK_BOOL;
		n->lit.u.b = t->kind == TK_TRUE;
		break;
	case TK_INT:
		n->lit.k = VK_INT;
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
		break;
	default:	/* TK_STRING */
		n->lit.k = VK_STR;
		n->lit.u.s = t->u.str.s;
		n->lit.n = t->u.str.n;
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

/* A literal, or a list or map of them (folded by the checker). */
static int constant(const node *n)
{
	return n->op == N_LIT || (n->flags & NF_CONST);
}

/* ---- lists of nodes being read ---- */

typedef struct nodes {
	node **v;
	uint32_t *ops;	/* when pushed with one: the operator before each */
	size_t n, cap, capo;
} nodes;

static int push(parser *p, nodes *l, node *n, const token *op)
{
	if (CAD_GROW(l->v, l->cap, l->n + 1, 8) ||
	    (op && CAD_GROW(l->ops, l->capo, l->n + 1, 8))) {
		oom(p);
		return 0;
	}
	if (op)
		l->ops[l->n] = op->off;
	l->v[l->n++] = n;
	return 1;
}

static void nodes_free(nodes *l)
{
	free(l->v);
	free(l->ops);
}

/* A node of op ending at `close` with the kids of l.  When they are all
 * constant: NF_CONST, which makes its depth one, and the room of the
 * literal it becomes, which the checker fills. */
static node *mk_coll(parser *p, nop op, const token *open, const token *close, const nodes *l)
{
	node *c = mk_to(p, op, open->off, close, l->n);
	if (!c)
		return NULL;
	int all = 1;
	for (size_t i = 0; i < l->n; i++) {
		c->kids[i] = l->v[i];
		all &= constant(l->v[i]);
	}
	if (!all)
		return finish(p, c);
	size_t n = op == N_LIST ? l->n : l->n / 2, size = op == N_LIST ? sizeof(val) : sizeof(vpair);
	void *room = cad_arena_alloc(&p->e->ar, (n ? n : 1) * size);
	if (!room)
		return oom(p);
	if (op == N_LIST)
		c->lit.u.items = room;
	else
		c->lit.u.pairs = room;
	c->flags |= NF_CONST;
	return c;
}

/* ---- calls ---- */

static node *parse_expr(parser *p);

/* Arguments up to ")" (the "(" read), after the receiver if any: a call
 * whose span is its name, for the checker to resolve. */
static node *parse_call(parser *p, const token *name, node *recv)
{
	nodes args = { 0 };
	node *c = NULL;
	if (recv && !push(p, &args, recv, NULL))
		goto out;
	while (peek(p)->kind != TK_RPAREN) {	/* none, or a trailing comma */
		node *a = parse_expr(p);
		if (!a || !push(p, &args, a, NULL))
			goto out;
		if (!accept(p, TK_COMMA))
			break;
	}
	if (!expect(p, TK_RPAREN, "',' or ')'"))
		goto out;
	c = mk_tok(p, N_CALL, name, args.n);
	if (!c)
		goto out;
	if (recv)
		c->flags |= NF_METHOD;
	if (args.n)
		memcpy(c->kids, args.v, args.n * sizeof(*args.v));
	c = finish(p, c);
out:
	nodes_free(&args);
	return c;
}

/* has(score.f), has(x.a.b): the argument must be a field selection; it
 * stays the kid until the checker has checked it.  The depth is the one of
 * has() over the selection's base. */
static node *parse_has(parser *p, const token *name)
{
	node *a = parse_expr(p);
	if (!a)
		return NULL;
	const token *close = peek(p);
	if (!expect(p, TK_RPAREN, "')'"))
		return NULL;
	if (a->op != N_FIELD && a->op != N_SELECT)
		return fail_node(p, a, "has() takes a field selection, such as has(score.name)");
	node *h = mk_to(p, N_HAS, name->off, close, 1);
	if (!h)
		return NULL;
	h->name = a->name;
	h->name_len = a->name_len;
	h->kids[0] = a;
	h->depth = a->op == N_FIELD ? 2 : a->depth;
	return h;
}

/* The variable and the comma of a macro, after "(". */
static const token *macro_var(parser *p, const token *name)
{
	const token *v = peek(p);
	if (v->kind != TK_IDENT) {
		expected(p, "a variable name");
		return NULL;
	}
	next(p);
	if (is_word(p, v, "score"))
		fail_tok(p, v, "the variable of %.*s() cannot be named 'score'", (int)name->len,
			 p->src + name->off);
	else if (expect(p, TK_COMMA, "','") && p->nmacros >= CADENCE_EXPR_MAX_DEPTH)
		fail_tok(p, v, "too many nested macros");
	return p->rc ? NULL : v;
}

/* x.all(v, pred) and the other macros, after "(". */
static node *parse_macro(parser *p, const token *name, fnid fn, node *range)
{
	const token *v = macro_var(p, name);
	if (!v)
		return NULL;
	p->nmacros++;
	node *a = parse_expr(p), *b = NULL;
	if (a && fn == M_MAP && accept(p, TK_COMMA))
		b = parse_expr(p);
	p->nmacros--;
	if (p->rc)
		return NULL;
	const token *close = peek(p);
	if (!expect(p, TK_RPAREN, fn == M_MAP && !b ? "',' or ')'" : "')'"))
		return NULL;
	node *m = mk_to(p, N_MACRO, name->off, close, b ? 3 : 2);
	if (!m)
		return NULL;
	m->fn = (uint8_t)fn;
	m->name = dup_tok(p, v);
	m->name_len = v->len;
	if (!m->name)
		return NULL;
	m->kids[0] = range;
	m->kids[1] = a;
	if (b)
		m->kids[2] = b;
	return finish(p, m);
}

/* ---- primaries ---- */

static node *parse_list(parser *p, const token *open)
{
	nodes items = { 0 };
	node *res = NULL;
	while (peek(p)->kind != TK_RBRACK) {
		node *it = parse_expr(p);
		if (!it || !push(p, &items, it, NULL))
			goto out;
		if (!accept(p, TK_COMMA))
			break;
	}
	const token *close = peek(p);
	if (expect(p, TK_RBRACK, "',' or ']'"))
		res = mk_coll(p, N_LIST, open, close, &items);
out:
	nodes_free(&items);
	return res;
}

static node *parse_map(parser *p, const token *open)
{
	nodes kv = { 0 };
	node *res = NULL;
	while (peek(p)->kind != TK_RBRACE) {
		node *k = parse_expr(p);
		if (!k || !expect(p, TK_COLON, "':'"))
			goto out;
		node *v = parse_expr(p);
		if (!v || !push(p, &kv, k, NULL) || !push(p, &kv, v, NULL))
			goto out;
		if (!accept(p, TK_COMMA))
			break;
	}
	const token *close = peek(p);
	if (expect(p, TK_RBRACE, "',' or '}'"))
		res = mk_coll(p, N_MAP, open, close, &kv);
out:
	nodes_free(&kv);
	return res;
}

/* A name, a call or has(): what the name means is the checker's. */
static node *parse_ident(parser *p, const token *t)
{
	if (accept(p, TK_LPAREN))
		return is_word(p, t, "has") ? parse_has(p, t) : parse_call(p, t, NULL);
	/* no variable is named score (macro_var) */
	return mk_tok(p, is_word(p, t, "score") ? N_SCORE : N_VAR, t, 0);
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

/* score.name or score["name"]: resolved by the checker. */
static node *field_node(parser *p, const char *name, uint32_t n, size_t off, size_t len)
{
	node *f = mk(p, N_FIELD, off, len, 0);
	if (!f)
		return NULL;
	f->name = cad_arena_strndup(&p->e->ar, name, n);
	f->name_len = n;
	f->field = NO_FIELD;
	return f->name ? f : oom(p);
}

static node *select_node(parser *p, node *base, const token *name)
{
	if (base->op == N_SCORE)
		return field_node(p, p->src + name->off, name->len, name->off, name->len);
	node *s = mk_tok(p, N_SELECT, name, 1);
	if (!s)
		return NULL;
	s->kids[0] = base;
	s->name = dup_tok(p, name);
	s->name_len = name->len;
	return s->name ? finish(p, s) : NULL;
}

static node *index_node(parser *p, node *base, const token *open)
{
	node *i = parse_expr(p);
	if (!i)
		return NULL;
	const token *close = peek(p);
	if (!expect(p, TK_RBRACK, "']'"))
		return NULL;
	if (base->op == N_SCORE && i->op == N_LIT && i->lit.k == VK_STR)
		return field_node(p, i->lit.u.s, i->lit.n, i->off, i->len);
	if (base->op == N_SCORE)
		p->e->reads_all = 1;
	node *x = mk_to(p, N_INDEX, open->off, close, 2);
	if (!x)
		return NULL;
	x->kids[0] = base;
	x->kids[1] = i;
	return finish(p, x);
}

static node *method_node(parser *p, node *recv, const token *name)
{
	if (recv->op == N_SCORE)
		p->e->reads_all = 1;
	const fdef *f = cad_expr_find_fn(p->src + name->off, name->len);
	if (f && f->fn >= M_ALL)
		return parse_macro(p, name, f->fn, recv);
	return parse_call(p, name, recv);
}

/* After ".": a selection or a method. */
static node *parse_dot(parser *p, node *n)
{
	const token *name = peek(p);
	if (name->kind != TK_IDENT) {
		if (name->kind == TK_NULL || name->kind == TK_TRUE || name->kind == TK_FALSE ||
		    name->kind == TK_IN)
			return fail_tok(p, name, "'%.*s' is a keyword; write [\"%.*s\"] to select it",
					(int)name->len, p->src + name->off, (int)name->len,
					p->src + name->off);
		return expected(p, "a field name");
	}
	next(p);
	if (accept(p, TK_LPAREN))
		return method_node(p, n, name);
	return select_node(p, n, name);
}

static node *parse_member(parser *p)
{
	node *n = parse_primary(p);
	while (n) {
		const token *t = peek(p);
		if (t->kind != TK_DOT && t->kind != TK_LBRACK)
			break;
		n = no_min_mag(p, n);
		if (!n)
			break;
		next(p);
		if (t->kind == TK_DOT) {
			n = parse_dot(p, n);
			continue;
		}
		if (!enter(p))
			return NULL;
		n = index_node(p, n, t);
		leave(p);
	}
	return n;
}

/* ---- operators ---- */

/* -literal is a literal. */
static node *negate(parser *p, const token *t, node *a)
{
	if (a->lit.k == VK_INT) {
		if (a->flags & NF_MIN_MAG)
			a->flags &= (uint8_t)~NF_MIN_MAG;
		else if (a->lit.u.i == INT64_MIN)
			return fail_tok(p, t, "integer overflow");
		else
			a->lit.u.i = -a->lit.u.i;
	} else {
		a->lit.u.d = -a->lit.u.d;
	}
	a->len = a->off + a->len - t->off;
	a->off = t->off;
	return a;
}

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
	if (t->kind == TK_MINUS && a->op == N_LIT && (a->lit.k == VK_INT || a->lit.k == VK_DBL))
		return negate(p, t, a);
	node *n = mk_tok(p, t->kind == TK_MINUS ? N_NEG : N_NOT, t, 1);
	if (!n)
		return NULL;
	n->kids[0] = a;
	return finish(p, n);
}

static node *binary(parser *p, nop op, const token *tok, node *a, node *b)
{
	node *n = mk_tok(p, op, tok, 2);
	if (!n)
		return NULL;
	n->kids[0] = a;
	n->kids[1] = b;
	return finish(p, n);
}

static nop binary_op(tkind k)
{
	switch (k) {
	case TK_STAR: return N_MUL;
	case TK_SLASH: return N_DIV;
	case TK_PERCENT: return N_MOD;
	case TK_PLUS: return N_ADD;
	case TK_MINUS: return N_SUB;
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

typedef node *(*level_fn)(parser *p);

/* A left-associative level: its operands from sub, its operators from
 * [lo, hi] of the nop order (*, /, % ... in). */
static node *parse_level(parser *p, level_fn sub, nop lo, nop hi)
{
	node *a = sub(p);
	for (;;) {
		const token *t = peek(p);
		nop op = binary_op(t->kind);
		if (!a || op < lo || op > hi)
			return a;
		next(p);
		node *b = sub(p);
		a = b ? binary(p, op, t, a, b) : NULL;
	}
}

static node *parse_unary0(parser *p)
{
	return parse_unary(p, 0);
}

static node *parse_mul(parser *p)
{
	return parse_level(p, parse_unary0, N_MUL, N_MOD);
}

static node *parse_add(parser *p)
{
	return parse_level(p, parse_mul, N_ADD, N_SUB);
}

static node *parse_rel(parser *p)
{
	return parse_level(p, parse_add, N_LT, N_IN);
}

/* && and ||: one node with all the operands of a chain, and the offsets
 * of its operators after the first (the node's own) for the checker's
 * errors: none for the usual two operands. */
static node *parse_logic(parser *p, tkind kind, nop op, level_fn sub)
{
	node *first = sub(p);
	if (!first || peek(p)->kind != kind)
		return first;
	nodes l = { 0 };
	node *res = NULL;
	const token *optok = peek(p);
	/* ops[i]: the operator before v[i]; the first's is a filler, not kept */
	if (!push(p, &l, first, optok))
		goto out;
	while (peek(p)->kind == kind) {
		const token *t = next(p);
		node *b = sub(p);
		if (!b || !push(p, &l, b, t))
			goto out;
	}
	node *n = mk_tok(p, op, optok, l.n);
	uint32_t *ops = NULL;
	if (n && l.n > 2 && !(ops = cad_arena_alloc(&p->e->ar, (l.n - 2) * sizeof(*ops))))
		oom(p);
	if (!n || p->rc)
		goto out;
	memcpy(n->kids, l.v, l.n * sizeof(*l.v));
	if (ops)
		memcpy(ops, l.ops + 2, (l.n - 2) * sizeof(*ops));
	n->ops = ops;
	res = finish(p, n);
out:
	nodes_free(&l);
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

static node *parse_cond(parser *p, node *c, const token *q)
{
	node *a = parse_or(p);
	if (!a || !expect(p, TK_COLON, "':'"))
		return NULL;
	node *b = parse_expr(p);
	if (!b)
		return NULL;
	node *n = mk_tok(p, N_COND, q, 3);
	if (!n)
		return NULL;
	n->kids[0] = c;
	n->kids[1] = a;
	n->kids[2] = b;
	return finish(p, n);
}

static node *parse_expr(parser *p)
{
	if (!enter(p))
		return NULL;
	node *c = parse_or(p);
	if (c && peek(p)->kind == TK_QUESTION)
		c = parse_cond(p, c, next(p));
	leave(p);
	return c;
}

static void trailing(parser *p)
{
	const token *t = peek(p);
	char d[64];
	describe(p, t, d, sizeof(d));
	fail_tok(p, t, "unexpected %s after a complete expression", d);
	if (!help_word(p, t, 0))
		help(p, "an operator may be missing before it");
}

int cad_expr_parse(cadence_expr *e, const token *toks, size_t ntok, cadence_expr_error *err)
{
	parser p = { .e = e, .src = e->src, .len = e->len, .t = toks, .err = err };
	(void)ntok;	/* the last token is TK_EOF, which next() does not pass */
	node *root = NULL;
	if (toks[0].kind == TK_EOF)
		fail_span(&p, 0, 0, "the expression is empty");
	else
		root = parse_expr(&p);
	if (root && peek(&p)->kind != TK_EOF)
		trailing(&p);
	e->root = p.rc ? NULL : root;
	return p.rc;
}
