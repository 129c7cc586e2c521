/* SPDX-License-Identifier: MIT */
/*
 * The evaluator: a walk over the checked tree, on values that borrow from
 * the score (cJSON) and from the compiled expression, so that reading
 * fields and computing scalars allocates nothing.  Temporaries (strings,
 * lists and maps made by the expression) come from a bump allocator that
 * starts in a buffer on the stack; the result becomes cJSON at the end.
 *
 * Errors are values (VK_ERR) with the reason recorded in the context, so
 * that && and || (and all/exists) can absorb them as CEL does: the first
 * error is kept; an operand that decides the result clears it again.
 * Running out of memory or past a limit is fatal: never absorbed.
 */
#include "expr/expr_int.h"
#include "expr/regex.h"
#include "expr/slots.h"
#include "expr/vars.h"
#include "util/api.h"
#include "util/json.h"
#include "util/utf8.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ectx {
	const cJSON *score;
	const cJSON *const *fields;	/* the score's slots (cad_expr_eval_slots), or NULL */
	size_t nfields;
	val *slots;
	arena sc;
	const char *src;
	size_t srclen;
	cadence_expr_error *err;
	int has_err;	/* err holds the reason of the pending error */
	int fatal;	/* out of memory or a limit: not absorbed */
	int oom;
	uint64_t steps;
} ectx;

static const val V_ERR = { VK_ERR, 0, { 0 } };

/* ---- errors ---- */

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static val rt_error(ectx *c, const node *n, const char *fmt, ...)
{
	if (c->has_err)
		return V_ERR;	/* the first error stands */
	c->has_err = 1;
	va_list ap;
	va_start(ap, fmt);
	cad_expr_verror_at(c->err, c->src, c->srclen, n->off, n->len, fmt, ap);
	va_end(ap);
	return V_ERR;
}

static val fatal(ectx *c, const node *n, const char *msg)
{
	c->has_err = 1;
	c->fatal = 1;
	cad_expr_error_at(c->err, c->src, c->srclen, n->off, n->len, "%s", msg);
	return V_ERR;
}

/* An allocation of scratch memory failed: past the limit, or malloc. */
static val no_memory(ectx *c, const node *n)
{
	if (c->sc.limited)
		return fatal(c, n, "the evaluation needs more temporary memory than its limit "
				   "(64 MiB)");
	c->oom = 1;
	return fatal(c, n, "out of memory");
}

/* Scratch memory; NULL after making the error fatal. */
static void *salloc(ectx *c, const node *n, size_t count, size_t size)
{
	if (count && size > SIZE_MAX / count)
		count = SIZE_MAX / size;	/* fails below */
	void *p = cad_arena_alloc(&c->sc, count * size);
	if (!p)
		no_memory(c, n);
	return p;
}

static val too_many_steps(ectx *c, const node *n)
{
	return fatal(c, n, "the evaluation took more than 10,000,000 steps (iterations of "
			   "all/exists/map/filter, states of matches())");
}

static int step(ectx *c, const node *n)
{
	if (++c->steps <= EXPR_MAX_STEPS)
		return 1;
	too_many_steps(c, n);
	return 0;
}

/* ---- values ---- */

static const char *kind_name(const val *v)
{
	switch (v->k) {
	case VK_NULL: return "null";
	case VK_BOOL: return "bool";
	case VK_INT: return "int";
	case VK_DBL: return "double";
	case VK_STR: return "string";
	case VK_LIST: case VK_JLIST: return "list";
	case VK_MAP: case VK_JMAP: return "map";
	default: return "error";
	}
}

static val vbool(int b)
{
	val v = { VK_BOOL, 0, { 0 } };
	v.u.b = b != 0;
	return v;
}

static val vint(int64_t i)
{
	val v = { VK_INT, 0, { 0 } };
	v.u.i = i;
	return v;
}

static val vdbl(double d)
{
	val v = { VK_DBL, 0, { 0 } };
	v.u.d = d;
	return v;
}

static val vstr(const char *s, size_t n)
{
	val v = { VK_STR, 0, { 0 } };
	v.u.s = s;
	v.n = (uint32_t)n;
	return v;
}

/* A JSON number is an int when it is whole and fits; `as_double` reads
 * it as a double whatever it is (a field declared `number`). */
static val from_json(const cJSON *j, int as_double)
{
	val v = { VK_NULL, 0, { 0 } };
	switch (j->type & 0xFF) {
	case cJSON_False:
		return vbool(0);
	case cJSON_True:
		return vbool(1);
	case cJSON_Number: {
		double d = j->valuedouble;
		if (!as_double && d >= -9223372036854775808.0 && d < 9223372036854775808.0 &&
		    (double)(int64_t)d == d)
			return vint((int64_t)d);
		return vdbl(d);
	}
	case cJSON_String:
		return j->valuestring ? vstr(j->valuestring, strlen(j->valuestring)) : v;
	case cJSON_Array:
		v.k = VK_JLIST;
		v.u.j = j;
		return v;
	case cJSON_Object:
		v.k = VK_JMAP;
		v.u.j = j;
		return v;
	default:
		return v;	/* null, raw, invalid */
	}
}

static int is_list(const val *v)
{
	return v->k == VK_LIST || v->k == VK_JLIST;
}

static int is_map(const val *v)
{
	return v->k == VK_MAP || v->k == VK_JMAP;
}

static int is_num(const val *v)
{
	return v->k == VK_INT || v->k == VK_DBL;
}

static double as_dbl(const val *v)
{
	return v->k == VK_INT ? (double)v->u.i : v->u.d;
}

/* Elements of a list, or keys (and values) of a map, in order. */
typedef struct iter {
	const val *v;
	uint32_t i;
	const cJSON *j;
} iter;

static void it_init(iter *it, const val *v)
{
	it->v = v;
	it->i = 0;
	it->j = v->k == VK_JLIST || v->k == VK_JMAP ? v->u.j->child : NULL;
}

/* The next element (a list) or key (a map, its value into *value). */
static int it_next(iter *it, val *out, val *value)
{
	switch (it->v->k) {
	case VK_LIST:
		if (it->i >= it->v->n)
			return 0;
		*out = it->v->u.items[it->i++];
		return 1;
	case VK_MAP:
		if (it->i >= it->v->n)
			return 0;
		*out = it->v->u.pairs[it->i].key;
		if (value)
			*value = it->v->u.pairs[it->i].value;
		it->i++;
		return 1;
	case VK_JLIST:
		if (!it->j)
			return 0;
		*out = from_json(it->j, 0);
		it->j = it->j->next;
		return 1;
	case VK_JMAP:
		if (!it->j)
			return 0;
		*out = vstr(it->j->string ? it->j->string : "",
			    it->j->string ? strlen(it->j->string) : 0);
		if (value)
			*value = from_json(it->j, 0);
		it->j = it->j->next;
		return 1;
	default:
		return 0;
	}
}

static size_t count(const val *v)
{
	if (v->k == VK_LIST || v->k == VK_MAP)
		return v->n;
	size_t n = 0;
	for (const cJSON *j = v->u.j->child; j; j = j->next)
		n++;
	return n;
}

/* The value of map key s, or 0. */
static int map_get(const val *m, const char *s, size_t n, val *out)
{
	if (m->k == VK_JMAP) {
		const cJSON *j = cJSON_GetObjectItemCaseSensitive(m->u.j, s);
		if (!j)
			return 0;
		*out = from_json(j, 0);
		return 1;
	}
	for (uint32_t i = 0; i < m->n; i++) {
		const val *k = &m->u.pairs[i].key;
		if (k->n == n && !memcmp(k->u.s, s, n)) {
			*out = m->u.pairs[i].value;
			return 1;
		}
	}
	return 0;
}

/* Equality: 1, 0, or -1 (too deep; c has the error). */
static int equal(ectx *c, const node *at, const val *a, const val *b, unsigned depth)
{
	if (depth > EXPR_MAX_COMPARE_DEPTH) {
		fatal(c, at, "values nested too deeply to compare");
		return -1;
	}
	if (is_num(a) && is_num(b)) {
		if (a->k == VK_INT && b->k == VK_INT)
			return a->u.i == b->u.i;
		return as_dbl(a) == as_dbl(b);
	}
	if (is_list(a) && is_list(b)) {
		if (count(a) != count(b))
			return 0;
		iter x, y;
		val u, v;
		it_init(&x, a);
		it_init(&y, b);
		while (it_next(&x, &u, NULL) && it_next(&y, &v, NULL)) {
			int r = equal(c, at, &u, &v, depth + 1);
			if (r != 1)
				return r;
		}
		return 1;
	}
	if (is_map(a) && is_map(b)) {
		if (count(a) != count(b))
			return 0;
		iter x;
		val k, u, v;
		it_init(&x, a);
		while (it_next(&x, &k, &u)) {
			if (!map_get(b, k.u.s, k.n, &v))
				return 0;
			int r = equal(c, at, &u, &v, depth + 1);
			if (r != 1)
				return r;
		}
		return 1;
	}
	if (a->k != b->k)
		return 0;
	switch (a->k) {
	case VK_NULL: return 1;
	case VK_BOOL: return a->u.b == b->u.b;
	case VK_STR: return a->n == b->n && !memcmp(a->u.s, b->u.s, a->n);
	default: return 0;
	}
}

/* Order of two values of one ordered kind: <0, 0, >0; 2 when they cannot
 * be compared. */
static int order(const val *a, const val *b)
{
	if (is_num(a) && is_num(b)) {
		if (a->k == VK_INT && b->k == VK_INT)
			return (a->u.i > b->u.i) - (a->u.i < b->u.i);
		double x = as_dbl(a), y = as_dbl(b);
		if (x != x || y != y)
			return 2;
		return (x > y) - (x < y);
	}
	if (a->k != b->k)
		return 2;
	if (a->k == VK_STR) {
		size_t n = a->n < b->n ? a->n : b->n;
		int r = memcmp(a->u.s, b->u.s, n);
		if (r)
			return r < 0 ? -1 : 1;
		return (a->n > b->n) - (a->n < b->n);
	}
	if (a->k == VK_BOOL)
		return (a->u.b > b->u.b) - (a->u.b < b->u.b);
	return 2;
}

/* ---- the walk ---- */

static val eval(ectx *c, const node *n);

static val num_result(ectx *c, const node *n, double d)
{
	if (!isfinite(d))
		return rt_error(c, n, "double overflow");
	return vdbl(d);
}

static val arith(ectx *c, const node *n, const val *a, const val *b)
{
	if (a->k == VK_INT && b->k == VK_INT) {
		int64_t x = a->u.i, y = b->u.i, r;
		switch (n->op) {
		case N_ADD:
			if ((y > 0 && x > INT64_MAX - y) || (y < 0 && x < INT64_MIN - y))
				break;
			return vint(x + y);
		case N_SUB:
			if ((y < 0 && x > INT64_MAX + y) || (y > 0 && x < INT64_MIN + y))
				break;
			return vint(x - y);
		case N_MUL:
#if defined(__GNUC__)
			if (__builtin_mul_overflow(x, y, &r))
				break;
#else
			if (x && y && ((x == -1 && y == INT64_MIN) || (y == -1 && x == INT64_MIN) ||
				       (x != -1 && y != -1 && (x * y) / y != x)))
				break;
			r = x * y;
#endif
			return vint(r);
		case N_DIV:
			if (y == 0)
				return rt_error(c, n, "division by zero");
			if (x == INT64_MIN && y == -1)
				break;
			return vint(x / y);
		default:	/* N_MOD */
			if (y == 0)
				return rt_error(c, n, "modulus by zero");
			if (y == -1)
				return vint(0);
			return vint(x % y);
		}
		return rt_error(c, n, "integer overflow: %" PRId64 " %.*s %" PRId64
				      " does not fit 64 bits", x, (int)n->len, c->src + n->off, y);
	}
	if (is_num(a) && is_num(b)) {
		double x = as_dbl(a), y = as_dbl(b);
		switch (n->op) {
		case N_ADD: return num_result(c, n, x + y);
		case N_SUB: return num_result(c, n, x - y);
		case N_MUL: return num_result(c, n, x * y);
		case N_DIV:
			if (y == 0)
				return rt_error(c, n, "division by zero");
			return num_result(c, n, x / y);
		default:
			if (y == 0)
				return rt_error(c, n, "modulus by zero");
			return num_result(c, n, fmod(x, y));
		}
	}
	if (n->op == N_ADD && a->k == VK_STR && b->k == VK_STR) {
		size_t len = (size_t)a->n + b->n;
		if (len >= UINT32_MAX)
			return fatal(c, n, "the string is too long");
		char *s = salloc(c, n, len + 1, 1);
		if (!s)
			return V_ERR;
		memcpy(s, a->u.s, a->n);
		memcpy(s + a->n, b->u.s, b->n);
		s[len] = '\0';
		return vstr(s, len);
	}
	if (n->op == N_ADD && is_list(a) && is_list(b)) {
		size_t na = count(a), nb = count(b);
		if (na + nb >= UINT32_MAX)
			return fatal(c, n, "the list is too long");
		val *items = salloc(c, n, na + nb ? na + nb : 1, sizeof(*items));
		if (!items)
			return V_ERR;
		iter it;
		size_t k = 0;
		it_init(&it, a);
		while (it_next(&it, &items[k], NULL))
			k++;
		it_init(&it, b);
		while (it_next(&it, &items[k], NULL))
			k++;
		val v = { VK_LIST, 0, { 0 } };
		v.n = (uint32_t)k;
		v.u.items = items;
		return v;
	}
	return rt_error(c, n, "'%.*s' cannot be applied to %s and %s", (int)n->len,
			c->src + n->off, kind_name(a), kind_name(b));
}

static val compare(ectx *c, const node *n, const val *a, const val *b)
{
	if (n->op == N_EQ || n->op == N_NE) {
		int r = equal(c, n, a, b, 0);
		if (r < 0)
			return V_ERR;
		return vbool(n->op == N_EQ ? r : !r);
	}
	int r = order(a, b);
	if (r == 2)
		return rt_error(c, n, "'%.*s' cannot compare %s with %s", (int)n->len,
				c->src + n->off, kind_name(a), kind_name(b));
	switch (n->op) {
	case N_LT: return vbool(r < 0);
	case N_LE: return vbool(r <= 0);
	case N_GT: return vbool(r > 0);
	default: return vbool(r >= 0);
	}
}

static val in(ectx *c, const node *n, const val *x, const val *coll)
{
	if (is_list(coll)) {
		iter it;
		val v;
		it_init(&it, coll);
		while (it_next(&it, &v, NULL)) {
			int r = equal(c, n, x, &v, 0);
			if (r)
				return r < 0 ? V_ERR : vbool(1);
		}
		return vbool(0);
	}
	if (is_map(coll)) {
		val v;
		if (x->k != VK_STR)
			return vbool(0);
		return vbool(map_get(coll, x->u.s, x->n, &v));
	}
	return rt_error(c, n, "'in' needs a list or a map on its right, not %s", kind_name(coll));
}

/* && and ||: `stop` is the value that decides (false for &&). */
static val logic(ectx *c, const node *n, int stop)
{
	int before = c->has_err, failed = 0;
	for (uint32_t i = 0; i < n->nkids; i++) {
		val v = eval(c, n->kids[i]);
		if (c->fatal)
			return V_ERR;
		if (v.k == VK_BOOL) {
			if (v.u.b == stop) {
				c->has_err = before;	/* absorbed */
				return v;
			}
			continue;
		}
		if (v.k != VK_ERR)
			rt_error(c, n->kids[i], "'%s' needs bools; this is %s",
				 n->op == N_AND ? "&&" : "||", kind_name(&v));
		failed = 1;
	}
	return failed ? V_ERR : vbool(!stop);
}

static val field_of(ectx *c, const node *n, const val *base)
{
	val v;
	if (is_map(base)) {
		if (map_get(base, n->name, n->name_len, &v))
			return v;
		return rt_error(c, n, "no field '%s'", n->name);
	}
	return rt_error(c, n, "%s has no fields (selecting '%s')", kind_name(base), n->name);
}

/* Field n of the score: from its slot when the caller gave slots (O(1)),
 * else by name (O(fields): cJSON objects are lists). */
static const cJSON *lookup(const ectx *c, const node *n)
{
	if (c->fields && n->field < c->nfields)
		return c->fields[n->field];
	return c->score ? cJSON_GetObjectItemCaseSensitive(c->score, n->name) : NULL;
}

static val score_field(ectx *c, const node *n)
{
	const cJSON *j = lookup(c, n);
	if (!j)
		return rt_error(c, n, "score has no field '%s'", n->name);
	return from_json(j, n->flags & NF_AS_DOUBLE);
}

static val index_of(ectx *c, const node *n, const val *base, const val *i)
{
	val v;
	if (is_list(base)) {
		int64_t k;
		if (i->k == VK_INT) {
			k = i->u.i;
		} else if (i->k == VK_DBL && i->u.d >= -9e18 && i->u.d <= 9e18 &&
			   i->u.d == (double)(int64_t)i->u.d) {
			k = (int64_t)i->u.d;
		} else {
			return rt_error(c, n, "a list index must be an int, not %s", kind_name(i));
		}
		size_t size = count(base);
		if (k < 0 || (uint64_t)k >= size)
			return rt_error(c, n, "index %" PRId64 " out of range (the list has %zu "
					      "element%s)", k, size, size == 1 ? "" : "s");
		if (base->k == VK_LIST)
			return base->u.items[k];
		return from_json(cJSON_GetArrayItem(base->u.j, (int)k), 0);
	}
	if (is_map(base)) {
		if (i->k != VK_STR)
			return rt_error(c, n, "a map key must be a string, not %s", kind_name(i));
		if (map_get(base, i->u.s, i->n, &v))
			return v;
		return rt_error(c, n, "no key \"%s\"", i->u.s);
	}
	return rt_error(c, n, "%s cannot be indexed", kind_name(base));
}

/* The operand of has(): a missing field or a null along the way is
 * "absent" (*absent set), not an error. */
static val present(ectx *c, const node *n, int *absent)
{
	val v, base;
	switch (n->op) {
	case N_FIELD: {
		const cJSON *j = lookup(c, n);
		if (!j || cJSON_IsNull(j)) {
			*absent = 1;
			return V_ERR;
		}
		return from_json(j, 0);
	}
	case N_SELECT:
		base = present(c, n->kids[0], absent);
		if (*absent || base.k == VK_ERR)
			return base;
		if (!is_map(&base))
			return field_of(c, n, &base);
		if (!map_get(&base, n->name, n->name_len, &v) || v.k == VK_NULL) {
			*absent = 1;
			return V_ERR;
		}
		return v;
	default:
		v = eval(c, n);
		if (v.k == VK_NULL)
			*absent = 1;
		return v;
	}
}

static val has(ectx *c, const node *n)
{
	int absent = 0;
	val base = present(c, n->kids[0], &absent);
	if (absent)
		return vbool(0);
	if (base.k == VK_ERR)
		return base;
	if (!is_map(&base))
		return rt_error(c, n, "has() needs a map, not %s (selecting '%s')",
				kind_name(&base), n->name);
	val v;
	return vbool(map_get(&base, n->name, n->name_len, &v) && v.k != VK_NULL);
}

/* ---- functions ---- */

static val to_string(ectx *c, const node *n, const val *a)
{
	char buf[40];
	switch (a->k) {
	case VK_STR:
		return *a;
	case VK_BOOL:
		return a->u.b ? vstr("true", 4) : vstr("false", 5);
	case VK_INT:
		snprintf(buf, sizeof(buf), "%" PRId64, a->u.i);
		break;
	case VK_DBL:
		cad_fmt_double(buf, sizeof(buf), a->u.d);
		break;
	default:
		return rt_error(c, n, "string() takes a string, a number or a bool, not %s",
				kind_name(a));
	}
	size_t len = strlen(buf);
	char *s = salloc(c, n, len + 1, 1);
	if (!s)
		return V_ERR;
	memcpy(s, buf, len + 1);
	return vstr(s, len);
}

static val to_int(ectx *c, const node *n, const val *a)
{
	switch (a->k) {
	case VK_INT:
		return *a;
	case VK_DBL:
		if (!(a->u.d >= -9223372036854775808.0 && a->u.d < 9223372036854775808.0))
			return rt_error(c, n, "int() of %g: out of the range of int", a->u.d);
		return vint((int64_t)a->u.d);
	case VK_STR: {
		char *end;
		errno = 0;
		long long v = strtoll(a->u.s, &end, 10);
		unsigned char f = (unsigned char)a->u.s[0];
		if (!a->n || *end || errno || !(f == '-' || (f >= '0' && f <= '9')))
			return rt_error(c, n, "int() of \"%s\": not an integer", a->u.s);
		return vint((int64_t)v);
	}
	default:
		return rt_error(c, n, "int() takes an int, a double or a string, not %s",
				kind_name(a));
	}
}

static val to_double(ectx *c, const node *n, const val *a)
{
	switch (a->k) {
	case VK_INT: return vdbl((double)a->u.i);
	case VK_DBL: return *a;
	case VK_STR: {
		char *end;
		double d = strtod(a->u.s, &end);
		unsigned char f = (unsigned char)a->u.s[0];
		if (!a->n || *end || !isfinite(d) || !(f == '-' || f == '.' || (f >= '0' && f <= '9')))
			return rt_error(c, n, "double() of \"%s\": not a number", a->u.s);
		return vdbl(d);
	}
	default:
		return rt_error(c, n, "double() takes an int, a double or a string, not %s",
				kind_name(a));
	}
}

/* A pattern from the score is compiled here, and so is a literal one whose
 * program the expression does not keep (check.c); compiling counts a step
 * per instruction. */
static val compile_now(ectx *c, const node *n, const val *pat, cad_regex **re)
{
	cad_regex_error rerr;
	int rc = cad_regex_compile(&c->sc, &c->sc, pat->u.s, pat->n, SIZE_MAX, re, &rerr);
	if (rc == CADENCE_ENOMEM)
		return no_memory(c, n);
	if (rc) {
		int shown = pat->n > 60 ? (int)cad_utf8_cut(pat->u.s, 60) : (int)pat->n;
		return rt_error(c, n, "invalid regular expression \"%.*s%s\": %s", shown, pat->u.s,
				shown < (int)pat->n ? "..." : "", rerr.message);
	}
	c->steps += cad_regex_size(*re);
	if (c->steps > EXPR_MAX_STEPS)
		return too_many_steps(c, n);
	return vbool(1);
}

/* The memory of compiling and matching is freed before returning, so a
 * match per element of a list does not add up. */
static val matches(ectx *c, const node *n, const val *s, const val *pat)
{
	arena_mark mark = cad_arena_mark(&c->sc);
	cad_regex *re = n->re;
	val v = re ? vbool(1) : compile_now(c, n, pat, &re);
	if (v.k != VK_ERR) {
		int rc = cad_regex_match(re, s->u.s, s->n, &c->sc, &c->steps, EXPR_MAX_STEPS);
		v = rc == CADENCE_ELIMIT ? too_many_steps(c, n)
		  : rc == CADENCE_ENOMEM ? no_memory(c, n) : vbool(rc);
	}
	cad_arena_release(&c->sc, &mark);
	return v;
}

static val extreme(ectx *c, const node *n, const val *args, size_t nargs, int want)
{
	const char *fname = n->fn == FN_MIN ? "min" : "max";
	val best = V_ERR, v;
	iter it;
	if (nargs == 1) {
		if (!is_list(&args[0]))
			return rt_error(c, n, "%s() takes a list, or two or more values; not %s",
					fname, kind_name(&args[0]));
		it_init(&it, &args[0]);
	}
	for (size_t i = 0;; i++) {
		if (nargs == 1) {
			if (!it_next(&it, &v, NULL))
				break;
		} else {
			if (i == nargs)
				break;
			v = args[i];
		}
		if (best.k == VK_ERR) {
			if (order(&v, &v) == 2)
				return rt_error(c, n, "%s() cannot compare %s values", fname,
						kind_name(&v));
			best = v;
			continue;
		}
		int r = order(&v, &best);
		if (r == 2)
			return rt_error(c, n, "%s() cannot compare %s with %s", fname,
					kind_name(&v), kind_name(&best));
		if (r == want)
			best = v;
	}
	if (best.k == VK_ERR)
		return rt_error(c, n, "%s() of an empty list", fname);
	return best;
}

static val sum(ectx *c, const node *n, const val *l)
{
	if (!is_list(l))
		return rt_error(c, n, "sum() takes a list of numbers, not %s", kind_name(l));
	iter it;
	val v;
	int64_t i = 0;
	double d = 0;
	int dbl = 0;
	it_init(&it, l);
	while (it_next(&it, &v, NULL)) {
		if (v.k == VK_INT && !dbl) {
			if ((v.u.i > 0 && i > INT64_MAX - v.u.i) || (v.u.i < 0 && i < INT64_MIN - v.u.i))
				return rt_error(c, n, "integer overflow in sum()");
			i += v.u.i;
		} else if (is_num(&v)) {
			if (!dbl) {
				d = (double)i;
				dbl = 1;
			}
			d += as_dbl(&v);
		} else {
			return rt_error(c, n, "sum() adds numbers; the list holds %s", kind_name(&v));
		}
	}
	return dbl ? num_result(c, n, d) : vint(i);
}

static val call(ectx *c, const node *n)
{
	val a[2];
	val *args = a;
	size_t nargs = n->nkids;
	if (nargs > 2) {
		args = salloc(c, n, nargs, sizeof(*args));
		if (!args)
			return V_ERR;
	}
	for (size_t i = 0; i < nargs; i++) {
		args[i] = eval(c, n->kids[i]);
		if (args[i].k == VK_ERR)
			return V_ERR;
	}
	const char *fname = NULL;
	switch ((fnid)n->fn) {
	case FN_SIZE:
		if (args[0].k == VK_STR)
			return vint((int64_t)cad_utf8_count(args[0].u.s, args[0].n));
		if (is_list(&args[0]) || is_map(&args[0]))
			return vint((int64_t)count(&args[0]));
		return rt_error(c, n, "size() takes a string, a list or a map, not %s",
				kind_name(&args[0]));
	case FN_INT: return to_int(c, n, &args[0]);
	case FN_DOUBLE: return to_double(c, n, &args[0]);
	case FN_STRING: return to_string(c, n, &args[0]);
	case FN_MIN: return extreme(c, n, args, nargs, -1);
	case FN_MAX: return extreme(c, n, args, nargs, 1);
	case FN_SUM: return sum(c, n, &args[0]);
	case FN_CONTAINS: fname = "contains"; break;
	case FN_STARTS: fname = "startsWith"; break;
	case FN_ENDS: fname = "endsWith"; break;
	default: fname = "matches"; break;
	}
	if (args[0].k != VK_STR || args[1].k != VK_STR)
		return rt_error(c, n, "%s() takes strings, not %s and %s", fname,
				kind_name(&args[0]), kind_name(&args[1]));
	const val *s = &args[0], *t = &args[1];
	switch ((fnid)n->fn) {
	case FN_CONTAINS:
		return vbool(strstr(s->u.s, t->u.s) != NULL);
	case FN_STARTS:
		return vbool(t->n <= s->n && !memcmp(s->u.s, t->u.s, t->n));
	case FN_ENDS:
		return vbool(t->n <= s->n && !memcmp(s->u.s + s->n - t->n, t->u.s, t->n));
	default:
		return matches(c, n, s, t);
	}
}

/* Evaluates n for one element of a macro.  What it made is freed when its
 * value holds none of it (a bool, a number, a part of the score: every
 * condition), so that the 64 MiB limit counts live memory, not the sum of
 * what each element made. */
static val eval_element(ectx *c, const node *n)
{
	arena_mark mark = cad_arena_mark(&c->sc);
	val v = eval(c, n);
	switch (v.k) {
	case VK_STR: case VK_LIST: case VK_MAP:
		break;	/* may point into what it made */
	default:
		cad_arena_release(&c->sc, &mark);
		break;
	}
	return v;
}

/* all, exists, exists_one, map, filter. */
static val macro(ectx *c, const node *n)
{
	val range = eval(c, n->kids[0]);
	if (range.k == VK_ERR)
		return range;
	if (!is_list(&range) && !is_map(&range))
		return rt_error(c, n, "%s() works on lists and maps, not on %s",
				n->fn == M_ALL ? "all" : n->fn == M_EXISTS ? "exists"
				: n->fn == M_EXISTS_ONE ? "exists_one" : n->fn == M_MAP ? "map"
				: "filter", kind_name(&range));
	val *slot = &c->slots[n->slot];
	val saved = *slot, x, *out = NULL;
	size_t k = 0, hits = 0;
	int before = c->has_err, failed = 0;
	iter it;

	if (n->fn == M_MAP || n->fn == M_FILTER) {
		size_t size = count(&range);
		out = salloc(c, n, size ? size : 1, sizeof(*out));
		if (!out)
			return V_ERR;
	}
	it_init(&it, &range);
	val res = V_ERR;
	while (it_next(&it, &x, NULL)) {
		if (!step(c, n))
			goto done;
		*slot = x;
		val p = eval_element(c, n->kids[1]);
		if (c->fatal)
			goto done;
		if (n->fn == M_MAP && n->nkids == 2) {
			if (p.k == VK_ERR)
				goto done;
			out[k++] = p;
			continue;
		}
		if (p.k != VK_BOOL) {
			if (p.k != VK_ERR)
				rt_error(c, n->kids[1], "the condition gave %s, not a bool",
					 kind_name(&p));
			if (n->fn == M_ALL || n->fn == M_EXISTS) {
				failed = 1;	/* unless absorbed later */
				continue;
			}
			goto done;
		}
		switch ((fnid)n->fn) {
		case M_ALL:
			if (!p.u.b) {
				c->has_err = before;
				res = vbool(0);
				goto done;
			}
			break;
		case M_EXISTS:
			if (p.u.b) {
				c->has_err = before;
				res = vbool(1);
				goto done;
			}
			break;
		case M_EXISTS_ONE:
			hits += p.u.b;
			break;
		case M_FILTER:
			if (p.u.b)
				out[k++] = x;
			break;
		default:	/* map with a filter */
			if (p.u.b) {
				val m = eval_element(c, n->kids[2]);
				if (m.k == VK_ERR)
					goto done;
				out[k++] = m;
			}
			break;
		}
	}
	if (failed)
		goto done;
	switch ((fnid)n->fn) {
	case M_ALL: res = vbool(1); break;
	case M_EXISTS: res = vbool(0); break;
	case M_EXISTS_ONE: res = vbool(hits == 1); break;
	default:
		res.k = VK_LIST;
		res.n = (uint32_t)k;
		res.u.items = out;
		break;
	}
done:
	*slot = saved;
	return res;
}

static val make_list(ectx *c, const node *n)
{
	val *items = salloc(c, n, n->nkids ? n->nkids : 1, sizeof(*items));
	if (!items)
		return V_ERR;
	for (uint32_t i = 0; i < n->nkids; i++) {
		items[i] = eval(c, n->kids[i]);
		if (items[i].k == VK_ERR)
			return V_ERR;
	}
	val v = { VK_LIST, 0, { 0 } };
	v.n = n->nkids;
	v.u.items = items;
	return v;
}

static val make_map(ectx *c, const node *n)
{
	vpair *pairs = salloc(c, n, n->nkids ? n->nkids / 2 : 1, sizeof(*pairs));
	if (!pairs)
		return V_ERR;
	uint32_t k = 0;
	for (uint32_t i = 0; i < n->nkids; i += 2) {
		val key = eval(c, n->kids[i]);
		if (key.k == VK_ERR)
			return V_ERR;
		if (key.k != VK_STR)
			return rt_error(c, n->kids[i], "map keys must be strings, not %s",
					kind_name(&key));
		for (uint32_t j = 0; !(n->flags & NF_KEYS_UNIQUE) && j < k; j++)
			if (pairs[j].key.n == key.n && !memcmp(pairs[j].key.u.s, key.u.s, key.n))
				return rt_error(c, n->kids[i], "the key \"%s\" is given twice",
						key.u.s);
		val v = eval(c, n->kids[i + 1]);
		if (v.k == VK_ERR)
			return V_ERR;
		pairs[k].key = key;
		pairs[k].value = v;
		k++;
	}
	val m = { VK_MAP, 0, { 0 } };
	m.n = k;
	m.u.pairs = pairs;
	return m;
}

static val eval(ectx *c, const node *n)
{
	val a, b;
	switch ((nop)n->op) {
	case N_LIT:
		return n->lit;
	case N_FIELD:
		return score_field(c, n);
	case N_SCORE:
		if (c->score) {
			a.k = VK_JMAP;
			a.n = 0;
			a.u.j = c->score;
		} else {
			a.k = VK_MAP;
			a.n = 0;
			a.u.pairs = NULL;
		}
		return a;
	case N_VAR:
		return c->slots[n->slot];
	case N_SELECT:
		a = eval(c, n->kids[0]);
		return a.k == VK_ERR ? a : field_of(c, n, &a);
	case N_INDEX:
		a = eval(c, n->kids[0]);
		if (a.k == VK_ERR)
			return a;
		b = eval(c, n->kids[1]);
		return b.k == VK_ERR ? b : index_of(c, n, &a, &b);
	case N_HAS:
		return has(c, n);
	case N_NOT:
		a = eval(c, n->kids[0]);
		if (a.k == VK_BOOL)
			return vbool(!a.u.b);
		return a.k == VK_ERR ? a
				     : rt_error(c, n, "'!' needs a bool, not %s", kind_name(&a));
	case N_NEG:
		a = eval(c, n->kids[0]);
		if (a.k == VK_INT) {
			if (a.u.i == INT64_MIN)
				return rt_error(c, n, "integer overflow: -(%" PRId64 ")", a.u.i);
			return vint(-a.u.i);
		}
		if (a.k == VK_DBL)
			return vdbl(-a.u.d);
		return a.k == VK_ERR ? a
				     : rt_error(c, n, "'-' needs a number, not %s", kind_name(&a));
	case N_ADD: case N_SUB: case N_MUL: case N_DIV: case N_MOD:
		a = eval(c, n->kids[0]);
		if (a.k == VK_ERR)
			return a;
		b = eval(c, n->kids[1]);
		if (b.k == VK_ERR)
			return b;
		return arith(c, n, &a, &b);
	case N_LT: case N_LE: case N_GT: case N_GE: case N_EQ: case N_NE:
		a = eval(c, n->kids[0]);
		if (a.k == VK_ERR)
			return a;
		b = eval(c, n->kids[1]);
		if (b.k == VK_ERR)
			return b;
		return compare(c, n, &a, &b);
	case N_IN:
		a = eval(c, n->kids[0]);
		if (a.k == VK_ERR)
			return a;
		b = eval(c, n->kids[1]);
		if (b.k == VK_ERR)
			return b;
		return in(c, n, &a, &b);
	case N_AND:
		return logic(c, n, 0);
	case N_OR:
		return logic(c, n, 1);
	case N_COND:
		a = eval(c, n->kids[0]);
		if (a.k == VK_BOOL)
			return eval(c, n->kids[a.u.b ? 1 : 2]);
		return a.k == VK_ERR ? a
				     : rt_error(c, n, "the condition before '?' gave %s, not a bool",
						kind_name(&a));
	case N_LIST:
		return make_list(c, n);
	case N_MAP:
		return make_map(c, n);
	case N_CALL:
		return call(c, n);
	case N_MACRO:
		return macro(c, n);
	}
	return V_ERR;
}

/* ---- to cJSON ---- */

static cJSON *to_json(const val *v)
{
	cJSON *j = NULL;
	iter it;
	val x, y;
	switch (v->k) {
	case VK_NULL: return cJSON_CreateNull();
	case VK_BOOL: return cJSON_CreateBool(v->u.b);
	case VK_INT: return cJSON_CreateNumber((double)v->u.i);
	case VK_DBL: return cJSON_CreateNumber(v->u.d);
	case VK_STR: return cJSON_CreateString(v->u.s);
	case VK_JLIST: case VK_JMAP: return cJSON_Duplicate(v->u.j, 1);
	case VK_LIST:
		j = cJSON_CreateArray();
		it_init(&it, v);
		while (j && it_next(&it, &x, NULL)) {
			cJSON *e = to_json(&x);
			if (!e || !cJSON_AddItemToArray(j, e)) {
				cJSON_Delete(e);
				cJSON_Delete(j);
				return NULL;
			}
		}
		return j;
	case VK_MAP:
		j = cJSON_CreateObject();
		it_init(&it, v);
		while (j && it_next(&it, &x, &y)) {
			cJSON *e = to_json(&y);
			if (!e || !cJSON_AddItemToObject(j, x.u.s, e)) {
				cJSON_Delete(e);
				cJSON_Delete(j);
				return NULL;
			}
		}
		return j;
	default:
		return NULL;
	}
}

/* ---- the API ---- */

#define SCRATCH_ON_STACK 1024
#define SLOTS_ON_STACK 16

/* Where the score's fields are: a cJSON object (by name), and for the
 * engine its slots too. */
typedef struct escore {
	const cJSON *obj;
	const cJSON *const *fields;
	size_t n;
	const cJSON *const *vars;	/* the bound names' values (expr/vars.h) */
	size_t nvars;
} escore;

/* Evaluates into *out; returns 0, CADENCE_EINVALID or CADENCE_ENOMEM.
 * The caller frees c->sc once done with *out. */
static int run(ectx *c, const cadence_expr *e, const escore *score, val *slots_buf,
	       cadence_expr_error *err, val *out)
{
	c->src = e->src;
	c->srclen = e->len;
	c->err = err;
	c->slots = slots_buf;
	if (score->obj && !cJSON_IsObject(score->obj)) {
		cad_expr_error_at(err, e->src, e->len, 0, e->len, "the score is not a JSON object");
		return CADENCE_EINVALID;
	}
	c->score = score->obj;
	/* slots only for the declaration the expression was compiled with */
	if (score->fields && e->has_env && score->n == e->env_n) {
		c->fields = score->fields;
		c->nfields = score->n;
	}
	if (e->nslots > SLOTS_ON_STACK) {
		c->slots = cad_arena_alloc(&c->sc, e->nslots * sizeof(*c->slots));
		if (!c->slots)
			return CADENCE_ENOMEM;
	}
	/* the bound names: null where the caller gave no value */
	for (unsigned i = 0; i < e->nvars; i++)
		c->slots[i] = i < score->nvars && score->vars[i] ? from_json(score->vars[i], 0)
			      : (val){ VK_NULL, 0, { 0 } };
	*out = eval(c, e->root);
	if (out->k != VK_ERR)
		return 0;
	if (!c->has_err)	/* cannot happen: every error says why */
		cad_expr_error_at(err, e->src, e->len, 0, e->len, "the evaluation failed");
	return c->oom ? CADENCE_ENOMEM : CADENCE_EINVALID;
}

/* cadence_expr_eval() (want_bool 0: a value in *result) and
 * cadence_expr_eval_bool() (want_bool 1: the condition in *cond), on
 * either kind of score. */
static int evaluate(cJSON **result, int *cond, int want_bool, const cadence_expr *e,
		    const escore *score, cadence_expr_error *err)
{
	union {
		unsigned char bytes[SCRATCH_ON_STACK];
		val align;
	} scratch;
	val slots[SLOTS_ON_STACK];
	cadence_expr_error mine = CADENCE_EXPR_ERROR_INIT;	/* to err on failure only */
	ectx c;

	if (result)
		*result = NULL;
	if (cond)
		*cond = 0;
	if (!CAD_VERSION_OK(err, CADENCE_EXPR_ERROR_VERSION))
		return CADENCE_EVERSION;
	if (!e || (want_bool ? !cond : !result)) {
		cad_expr_error_move(err, &mine, "", 0, CADENCE_EINVAL);
		return CADENCE_EINVAL;
	}
	memset(&c, 0, sizeof(c));
	cad_arena_init_small(&c.sc, scratch.bytes, sizeof(scratch.bytes), EXPR_MAX_SCRATCH);
	val v;
	int rc = run(&c, e, score, slots, &mine, &v);
	if (!rc && want_bool) {
		if (v.k != VK_BOOL) {
			cad_expr_error_at(&mine, e->src, e->len, 0, e->len,
					  "the condition gave %s, not a bool", kind_name(&v));
			rc = CADENCE_EINVALID;
		} else {
			*cond = v.u.b;
		}
	} else if (!rc) {
		*result = to_json(&v);
		if (!*result) {
			cad_expr_error_at(&mine, e->src, e->len, 0, e->len, "out of memory");
			rc = CADENCE_ENOMEM;
		}
	}
	cad_arena_free(&c.sc);
	if (rc)
		cad_expr_error_move(err, &mine, e->src, e->len, rc);
	else if (mine.message)	/* an error `||` or `&&` absorbed; rare */
		cadence_expr_error_clear(&mine);
	return rc;
}

int cadence_expr_eval(cJSON **result, const cadence_expr *e, const cJSON *score,
		      cadence_expr_error *err)
{
	escore s = { score, NULL, 0, NULL, 0 };
	return evaluate(result, NULL, 0, e, &s, err);
}

int cadence_expr_eval_bool(int *result, const cadence_expr *e, const cJSON *score,
			   cadence_expr_error *err)
{
	escore s = { score, NULL, 0, NULL, 0 };
	return evaluate(NULL, result, 1, e, &s, err);
}

int cad_expr_eval_slots(cJSON **result, const cadence_expr *e, const cJSON *const *fields,
			size_t n, const cJSON *score, cadence_expr_error *err)
{
	escore s = { score, fields, n, NULL, 0 };
	return evaluate(result, NULL, 0, e, &s, err);
}

int cad_expr_eval_bool_slots(int *result, const cadence_expr *e, const cJSON *const *fields,
			     size_t n, const cJSON *score, cadence_expr_error *err)
{
	escore s = { score, fields, n, NULL, 0 };
	return evaluate(NULL, result, 1, e, &s, err);
}

int cad_expr_eval_vars(cJSON **result, const cadence_expr *e, const cJSON *const *vars,
		       size_t nvars, cadence_expr_error *err)
{
	escore s = { NULL, NULL, 0, vars, nvars };
	return evaluate(result, NULL, 0, e, &s, err);
}
