/* SPDX-License-Identifier: MIT */
/*
 * Regular expressions (regex.h): the parser and the compiler; matching is
 * in regex_match.c.
 *
 * The dialect is the one matches() had when it called glibc's
 * regcomp(REG_EXTENDED | REG_NOSUB) in the C locale (cadence never calls
 * setlocale), so that every pattern keeps its meaning; the parser follows
 * glibc's (posix/regcomp.c) case by case, and tests/unit/test_regex.c
 * compares the two.  What glibc accepts and this refuses: back-references
 * (no linear-time matcher can have them), escapes of letters and digits
 * that glibc reads as the letter itself (`\d` is `d` there: a trap), and
 * patterns past the limits of regex.h.
 *
 * The program is a Thompson NFA: BYTE, CLASS and ANY read a byte; SPLIT,
 * JMP and ASSERT do not; MATCH ends.  Counted repetition is written out
 * (x{2,3} is x x x?), which is why the program's size is limited and is
 * computed from the tree before anything is written.
 */
#include "expr/regex_int.h"

#include "cadence/common.h"
#include "util/utf8.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- byte sets ---- */

static void bs_range(bset *s, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi; c++)
		bs_add(s, c);
}

/* The C locale's classes: ASCII only. */
enum { CL_ALPHA, CL_UPPER, CL_LOWER, CL_DIGIT, CL_XDIGIT, CL_SPACE, CL_PRINT, CL_PUNCT,
       CL_GRAPH, CL_CNTRL, CL_BLANK, CL_ALNUM, CL_COUNT };

static const char *const class_names[CL_COUNT] = {
	"alpha", "upper", "lower", "digit", "xdigit", "space",
	"print", "punct", "graph", "cntrl", "blank", "alnum"
};

static int in_class(unsigned i, unsigned c)
{
	int upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
	int digit = c >= '0' && c <= '9', graph = c > 32 && c < 127;
	switch (i) {
	case CL_ALPHA: return upper || lower;
	case CL_UPPER: return upper;
	case CL_LOWER: return lower;
	case CL_DIGIT: return digit;
	case CL_XDIGIT: return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	case CL_SPACE: return c == ' ' || (c >= '\t' && c <= '\r');
	case CL_PRINT: return graph || c == ' ';
	case CL_PUNCT: return graph && !upper && !lower && !digit;
	case CL_GRAPH: return graph;
	case CL_CNTRL: return c < 32 || c == 127;
	case CL_BLANK: return c == ' ' || c == '\t';
	default: return upper || lower || digit;
	}
}

static void bs_class(bset *s, unsigned i)
{
	for (unsigned c = 0; c < 256; c++)
		if (in_class(i, c))
			bs_add(s, c);
}

/* ---- the tree ---- */

enum { RN_EMPTY, RN_BYTE, RN_ANY, RN_CLASS, RN_ASSERT, RN_CAT, RN_ALT, RN_REP };

#define REP_INF UINT32_MAX
#define SIZE_SAT UINT64_MAX

typedef struct rnode rnode;
struct rnode {
	uint8_t kind;
	uint8_t arg;		/* RN_BYTE: the byte; RN_ASSERT: RA_* */
	uint16_t depth;		/* levels of groups and repetitions, this one's included */
	uint32_t cls;		/* RN_CLASS: its index */
	uint32_t min, max;	/* RN_REP */
	uint64_t size;		/* instructions, saturated at SIZE_SAT */
	rnode *kids, *last;	/* RN_CAT, RN_ALT: the list; RN_REP: the body */
	rnode *next;
};

typedef struct rclass {
	bset set;
	struct rclass *next;
} rclass;

typedef struct rparser {
	const unsigned char *pat, *p, *end;
	arena *tmp;
	unsigned groups;	/* open now */
	rclass *classes, **tail;
	uint32_t nclasses;
	cad_regex_error *err;
	int oom;
} rparser;

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > SIZE_SAT - b ? SIZE_SAT : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return a && b > SIZE_SAT / a ? SIZE_SAT : a * b;
}

/* Characters (UTF-8 sequences) of the pattern before byte `at`, plus one. */
static size_t char_no(const rparser *p, const unsigned char *at)
{
	return 1 + cad_utf8_count((const char *)p->pat, (size_t)(at - p->pat));
}

CADENCE_PRINTF(4, 5)
static rnode *fail(rparser *p, const unsigned char *at, const char *help, const char *fmt, ...)
{
	if (p->err->message[0])
		return NULL;	/* the first error stands */
	char what[sizeof(p->err->message) - 40];	/* room for " at character N" */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	p->err->offset = at ? (size_t)(at - p->pat) : 0;
	if (at)
		snprintf(p->err->message, sizeof(p->err->message), "%s at character %zu", what,
			 char_no(p, at));
	else
		snprintf(p->err->message, sizeof(p->err->message), "%s", what);
	snprintf(p->err->help, sizeof(p->err->help), "%s", help ? help : "");
	return NULL;
}

static rnode *new_node(rparser *p, int kind)
{
	rnode *n = cad_arena_alloc(p->tmp, sizeof(*n));
	if (!n) {
		p->oom = 1;
		return NULL;
	}
	n->kind = (uint8_t)kind;
	/* a leaf is one instruction; a list adds up its kids (append) */
	n->size = kind == RN_BYTE || kind == RN_ANY || kind == RN_CLASS || kind == RN_ASSERT;
	return n;
}

static void append(rnode *list, rnode *kid)
{
	if (list->last)
		list->last->next = kid;
	else
		list->kids = kid;
	list->last = kid;
	if (kid->depth > list->depth)
		list->depth = kid->depth;
	list->size = sat_add(list->size, kid->size);
	if (list->kind == RN_ALT && list->kids != kid)
		list->size = sat_add(list->size, 2);	/* a SPLIT and a JMP per branch more */
}

/* A level more of nesting on n: a group or a repetition around it. */
static int deeper(rparser *p, rnode *n, const unsigned char *at)
{
	if (n->depth < CAD_REGEX_MAX_DEPTH) {
		n->depth++;
		return 1;
	}
	fail(p, at, "split the pattern, or use fewer levels of ( ) and repetition",
	     "groups and repetitions are nested more than %d levels deep", CAD_REGEX_MAX_DEPTH);
	return 0;
}

static rnode *leaf_class(rparser *p, const bset *set)
{
	rclass *c = cad_arena_alloc(p->tmp, sizeof(*c));
	rnode *n = c ? new_node(p, RN_CLASS) : NULL;
	if (!n) {
		p->oom = 1;
		return NULL;
	}
	c->set = *set;
	*p->tail = c;
	p->tail = &c->next;
	n->cls = p->nclasses++;
	return n;
}

static rnode *leaf(rparser *p, int kind, unsigned arg)
{
	rnode *n = new_node(p, kind);
	if (n)
		n->arg = (uint8_t)arg;
	return n;
}

/* ---- parsing: bracket expressions ---- */

typedef struct belem {
	int kind;	/* 0 a byte (a character or [.x.]), 1 a class, 2 [=x=] */
	unsigned c;	/* the byte; for a class, its index */
} belem;

/* [.x.], [=x=] or [:name:], the "[." already read: glibc reads a name of
 * at most 31 bytes up to the closing ".]". */
static int bracket_symbol(rparser *p, belem *e, unsigned char delim)
{
	const unsigned char *open = p->p - 2, *name = p->p;
	size_t i = 0;
	for (;; i++) {
		if (i >= 32 || name + i + 1 >= p->end) {
			fail(p, open, "close it with ]", "unterminated [%c in a bracket expression",
			     delim);
			return 0;
		}
		if (name[i] == delim && name[i + 1] == ']')
			break;
	}
	p->p = name + i + 2;
	if (delim != ':') {
		if (i != 1) {
			fail(p, open, "only single characters are known: [.a.], [=a=]",
			     "unknown collating element [%c%.*s%c]", delim, (int)i, name, delim);
			return 0;
		}
		e->kind = delim == '.' ? 0 : 2;
		e->c = name[0];
		return 1;
	}
	for (unsigned k = 0; k < CL_COUNT; k++) {
		if (strlen(class_names[k]) == i && !memcmp(class_names[k], name, i)) {
			e->kind = 1;
			e->c = k;
			return 1;
		}
	}
	fail(p, open, "the classes are alpha, upper, lower, digit, xdigit, alnum, space, blank, "
		      "punct, print, graph and cntrl", "unknown class [:%.*s:]", (int)i, name);
	return 0;
}

/* One element of a bracket expression.  A '-' that does not start the
 * list, end a range or come last is an error, as in glibc. */
static int bracket_elem(rparser *p, belem *e, int hyphen_ok)
{
	const unsigned char *at = p->p;
	if (at[0] == '[' && at + 1 < p->end && (at[1] == '.' || at[1] == '=' || at[1] == ':')) {
		p->p += 2;
		return bracket_symbol(p, e, at[1]);
	}
	if (at[0] == '-' && !hyphen_ok && !(at + 1 < p->end && at[1] == ']')) {
		fail(p, at, "put a - meant as a character first or last in the brackets",
		     "a - that is not part of a range");
		return 0;
	}
	e->kind = 0;
	e->c = at[0];
	p->p++;
	return 1;
}

static void add_elem(bset *set, const belem *e)
{
	if (e->kind == 1)
		bs_class(set, e->c);
	else
		bs_add(set, e->c);
}

static rnode *parse_bracket(rparser *p)
{
	const unsigned char *open = p->p++;
	bset set = { { 0 } };
	int negate = 0, first = 1;
	if (p->p < p->end && *p->p == '^') {
		negate = 1;
		p->p++;
	}
	for (;;) {
		if (p->p >= p->end)
			return fail(p, open, "close it with ]; a ] first in the list is a character",
				    "unterminated [");
		if (*p->p == ']' && !first)
			break;
		const unsigned char *at = p->p;
		belem a, b;
		if (!bracket_elem(p, &a, first))
			return NULL;
		first = 0;
		if (a.kind == 0 && p->end - p->p >= 2 && p->p[0] == '-' && p->p[1] != ']') {
			p->p++;
			if (!bracket_elem(p, &b, 1))
				return NULL;
			if (b.kind != 0)
				return fail(p, at, NULL, "a range that ends in a class");
			if (a.c > b.c)
				return fail(p, at, "write the smaller end first, as in a-z",
					    "the range %.*s goes backwards", (int)(p->p - at), at);
			bs_range(&set, a.c, b.c);
		} else {
			add_elem(&set, &a);
		}
	}
	p->p++;
	if (negate)
		for (size_t i = 0; i < sizeof(set.b); i++)
			set.b[i] = (uint8_t)~set.b[i];
	return leaf_class(p, &set);
}

/* ---- parsing: escapes, atoms, repetition ---- */

static const char escapes_help[] =
	"the escapes are \\w \\W \\s \\S \\b \\B \\< \\> \\` \\'; a \\ before any other "
	"punctuation makes it a character";

static rnode *escape(rparser *p, int *anchor)
{
	const unsigned char *at = p->p;
	if (at + 1 >= p->end)
		return fail(p, at, "write \\\\ for a backslash", "a \\ ends the pattern");
	unsigned c = at[1];
	p->p += 2;
	bset set = { { 0 } };
	const char *assert = strchr("`'bB<>", (int)c);
	if (c && assert) {
		static const uint8_t kinds[] = { RA_BEGIN, RA_END, RA_WORDB, RA_NWORDB, RA_WSTART,
						 RA_WEND };
		*anchor = 1;
		return leaf(p, RN_ASSERT, kinds[assert - "`'bB<>"]);
	}
	if (c == 'w' || c == 'W' || c == 's' || c == 'S') {
		for (unsigned b = 0; b < 256; b++)
			if ((c == 'w' || c == 'W') ? word_byte(b) : in_class(CL_SPACE, b))
				bs_add(&set, b);
		if (c == 'W' || c == 'S')
			for (size_t i = 0; i < sizeof(set.b); i++)
				set.b[i] = (uint8_t)~set.b[i];
		return leaf_class(p, &set);
	}
	if (c >= '1' && c <= '9')
		return fail(p, at, "a back-reference cannot be matched in linear time; repeat the group "
				   "instead",
			    "back-references (\\%c) are not supported", c);
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
		const char *help = c == 'd' ? "write [0-9] for a digit"
				 : c == 'D' ? "write [^0-9] for a character that is not a digit"
				 : strchr("ntrfv", (int)c) ? "write the control character itself: \\n in the "
							    "expression's string is a newline"
				 : escapes_help;
		return fail(p, at, help, "\\%c is not an escape here", c);
	}
	return leaf(p, RN_BYTE, c);
}

static rnode *parse_alt(rparser *p);

static rnode *group(rparser *p)
{
	const unsigned char *open = p->p++;
	if (++p->groups > CAD_REGEX_MAX_DEPTH)
		return fail(p, open, "split the pattern, or use fewer levels of ( )",
			    "groups are nested more than %d levels deep", CAD_REGEX_MAX_DEPTH);
	rnode *n = parse_alt(p);
	if (!n)
		return NULL;
	if (p->p >= p->end || *p->p != ')')
		return fail(p, open, "close it with ), or write \\( for a parenthesis",
			    "unmatched (");
	p->p++;
	p->groups--;
	return deeper(p, n, open) ? n : NULL;
}

/* An atom; *anchor is set for an assertion, which cannot be repeated. */
static rnode *atom(rparser *p, int *anchor)
{
	unsigned c = *p->p;
	switch (c) {
	case '(':
		return group(p);
	case '[':
		return parse_bracket(p);
	case '\\':
		return escape(p, anchor);
	case '*': case '+': case '?': case '{':
		return fail(p, p->p, "write \\ before it for the character itself",
			    "%c has nothing to repeat", c);
	case '.':
		p->p++;
		return leaf(p, RN_ANY, 0);
	case '^': case '$':
		p->p++;
		*anchor = 1;
		return leaf(p, RN_ASSERT, c == '^' ? RA_BEGIN : RA_END);
	default:	/* ')' with no group open, ']', '}' and the rest */
		p->p++;
		return leaf(p, RN_BYTE, c);
	}
}

static const char large_help[] =
	"use smaller repetition counts (a{9}{9} is 81 copies of a); to test a length, use size()";

/* A decimal count at p->p, clamped to CAD_REGEX_MAX_COUNT + 1; -1 when
 * there is none. */
static long count(rparser *p)
{
	long n = -1;
	while (p->p < p->end && *p->p >= '0' && *p->p <= '9') {
		n = (n < 0 ? 0 : n) * 10 + (*p->p++ - '0');
		if (n > CAD_REGEX_MAX_COUNT)
			n = CAD_REGEX_MAX_COUNT + 1;
	}
	return n;
}

/* {m}, {m,}, {,n}, {m,n} (glibc reads {,n} as {0,n}). */
static int interval(rparser *p, uint32_t *min, uint32_t *max)
{
	const unsigned char *open = p->p++;
	long lo = count(p), hi;
	int comma = p->p < p->end && *p->p == ',';
	if (comma) {
		p->p++;
		hi = count(p);
		if (lo < 0)
			lo = 0;
	} else {
		hi = lo;
	}
	if (lo < 0 || p->p >= p->end || *p->p != '}') {
		fail(p, open, "write {m}, {m,}, {,n} or {m,n}; \\{ for a brace",
		     "a { that does not start a repetition count");
		return 0;
	}
	p->p++;
	if ((hi >= 0 ? hi : lo) > CAD_REGEX_MAX_COUNT) {
		fail(p, open, large_help, "a repetition count is more than %d", CAD_REGEX_MAX_COUNT);
		return 0;
	}
	if (hi >= 0 && lo > hi) {
		fail(p, open, "write the smaller count first", "the repetition {%ld,%ld} goes backwards",
		     lo, hi);
		return 0;
	}
	*min = (uint32_t)lo;
	*max = hi < 0 ? REP_INF : (uint32_t)hi;
	return 1;
}

/* The instructions of body repeated min to max times (see emit_rep). */
static uint64_t rep_size(uint64_t s, uint32_t min, uint32_t max)
{
	if (max == REP_INF)
		return min ? sat_add(sat_mul(min, s), 1) : sat_add(s, 2);
	return sat_add(sat_mul(min, s), sat_mul(max - min, sat_add(s, 1)));
}

static rnode *repeat(rparser *p, rnode *body)
{
	const unsigned char *at = p->p;
	uint32_t min = 0, max = REP_INF;
	switch (*p->p) {
	case '*': p->p++; break;
	case '+': p->p++; min = 1; break;
	case '?': p->p++; max = 1; break;
	default:
		if (!interval(p, &min, &max))
			return NULL;
	}
	/* what has no instruction matches the empty string alone, however
	 * often: no copies to write (`(){32767}{32767}` would loop for hours) */
	if (!body->size)
		return deeper(p, body, at) ? body : NULL;
	rnode *n = new_node(p, RN_REP);
	if (!n)
		return NULL;
	n->kids = n->last = body;
	n->depth = body->depth;
	n->min = min;
	n->max = max;
	n->size = rep_size(body->size, min, max);
	return deeper(p, n, at) ? n : NULL;
}

static rnode *piece(rparser *p)
{
	int anchor = 0;
	rnode *n = atom(p, &anchor);
	if (anchor)	/* "^*" is an error, found as an atom next */
		return n;
	while (n && p->p < p->end && strchr("*+?{", *p->p))
		n = repeat(p, n);
	return n;
}

static rnode *branch(rparser *p)
{
	rnode *one = NULL, *cat = NULL, *empty = NULL;
	while (p->p < p->end && *p->p != '|' && !(*p->p == ')' && p->groups)) {
		rnode *n = piece(p);
		if (!n)
			return NULL;
		if (!n->size) {
			empty = n;	/* matches the empty string alone: nothing to write */
			continue;
		}
		if (!one) {
			one = n;
			continue;
		}
		if (!cat) {
			if (!(cat = new_node(p, RN_CAT)))
				return NULL;
			append(cat, one);
		}
		append(cat, n);
	}
	return cat ? cat : one ? one : empty ? empty : new_node(p, RN_EMPTY);
}

static rnode *parse_alt(rparser *p)
{
	rnode *first = branch(p), *alt = NULL;
	while (first && p->p < p->end && *p->p == '|') {
		p->p++;
		rnode *n = branch(p);
		if (!n)
			return NULL;
		if (!alt) {
			if (!(alt = new_node(p, RN_ALT)))
				return NULL;
			append(alt, first);
		}
		append(alt, n);
	}
	return alt ? alt : first;
}

/* ---- the program ---- */

typedef struct emitter {
	rinst *prog;
	uint32_t pc;
} emitter;

static uint32_t put(emitter *g, int op, uint32_t x, uint32_t y)
{
	rinst *in = &g->prog[g->pc];
	in->op = (uint8_t)op;
	in->x = x;
	in->y = y;
	return g->pc++;
}

static void emit(emitter *g, const rnode *n);

/* Points each instruction of a list linked through x (or y), ending in
 * UINT32_MAX, at the next one to be written. */
static void patch(emitter *g, uint32_t list, int through_y)
{
	while (list != UINT32_MAX) {
		uint32_t *link = through_y ? &g->prog[list].y : &g->prog[list].x;
		list = *link;
		*link = g->pc;
	}
}

/* x{min,max}: x written min times, then x* (x+ for the last copy when
 * min > 0 and max is infinite), or (max - min) times "SPLIT; x", every
 * SPLIT leaving to the end.  rep_size() counts the same. */
static void emit_rep(emitter *g, const rnode *n)
{
	uint32_t copies = n->max == REP_INF && n->min ? n->min - 1 : n->min;
	for (uint32_t i = 0; i < copies; i++)
		emit(g, n->kids);
	uint32_t loop = g->pc, splits = UINT32_MAX;
	if (n->max == REP_INF && n->min) {
		emit(g, n->kids);
		put(g, R_SPLIT, loop, g->pc + 1);
	} else if (n->max == REP_INF) {
		put(g, R_SPLIT, loop + 1, 0);
		emit(g, n->kids);
		put(g, R_JMP, loop, 0);
		g->prog[loop].y = g->pc;
	} else {
		for (uint32_t i = n->min; i < n->max; i++) {
			splits = put(g, R_SPLIT, g->pc + 1, splits);
			emit(g, n->kids);
		}
		patch(g, splits, 1);
	}
}

static void emit(emitter *g, const rnode *n)
{
	switch (n->kind) {
	case RN_EMPTY:
		break;
	case RN_BYTE:
		g->prog[put(g, R_BYTE, 0, 0)].arg = n->arg;
		break;
	case RN_ANY:
		put(g, R_ANY, 0, 0);
		break;
	case RN_CLASS:
		put(g, R_CLASS, n->cls, 0);
		break;
	case RN_ASSERT:
		g->prog[put(g, R_ASSERT, 0, 0)].arg = n->arg;
		break;
	case RN_CAT:
		for (const rnode *k = n->kids; k; k = k->next)
			emit(g, k);
		break;
	case RN_ALT: {
		uint32_t jumps = UINT32_MAX;
		for (const rnode *k = n->kids; k; k = k->next) {
			if (!k->next) {
				emit(g, k);
				break;
			}
			uint32_t s = put(g, R_SPLIT, g->pc + 1, 0);
			emit(g, k);
			jumps = put(g, R_JMP, jumps, 0);
			g->prog[s].y = g->pc;
		}
		patch(g, jumps, 0);
		break;
	}
	default:
		emit_rep(g, n);
		break;
	}
}

/* ---- compiling ---- */

static int too_large(cad_regex_error *err, uint64_t size)
{
	char figure[32];
	if (size == SIZE_SAT)
		snprintf(figure, sizeof(figure), "more than %" PRIu64, size);
	else
		snprintf(figure, sizeof(figure), "%" PRIu64, size);
	err->offset = 0;
	snprintf(err->message, sizeof(err->message),
		 "the pattern is too large: with its repetitions written out it makes %s "
		 "instructions; the limit is %d", figure, CAD_REGEX_MAX_INSTS);
	snprintf(err->help, sizeof(err->help), "%s", large_help);
	return CADENCE_EINVALID;
}

/* Where a match can start after the first character: nowhere (anchored),
 * or only at the bytes of `first` whatever the context (skip). */
static void analyse(cad_regex *re, uint32_t *mem)
{
	rmatch m = { re->prog, mem, 1, mem + re->n, 0 };
	rlist l = { mem + 2 * (size_t)re->n, 0 };
	int matched = cad_re_closure(&m, &l, 0, C_UNKNOWN);
	re->anchored = !matched && l.n == 0;
	re->skip = !re->anchored && !matched && !m.asserts;
	re->first_byte = -1;
	int bytes = 0;
	for (uint32_t k = 0; re->skip && k < l.n; k++) {
		const rinst *in = &re->prog[l.pc[k]];
		for (unsigned c = 1; c < 256; c++) {
			int in_set = in->op == R_BYTE ? c == in->arg
				   : in->op == R_ANY || bs_has(re->cls[in->x].b, c);
			if (in_set && !bs_has(re->first.b, c)) {
				bs_add(&re->first, c);
				re->first_byte = (int)c;
				bytes++;
			}
		}
	}
	if (bytes != 1)
		re->first_byte = -1;
}

/* Splits the classes of bytes (all bytes in one at first) by the set s. */
static void split_classes(cad_regex *re, const bset *s)
{
	uint16_t to[256][2];
	memset(to, 0xff, sizeof(to));
	uint16_t n = 0;
	for (unsigned c = 0; c < 256; c++) {
		uint16_t *t = &to[re->bclass[c]][bs_has(s->b, c)];
		if (*t == 0xffff)
			*t = n++;
		re->bclass[c] = (uint8_t)*t;
	}
	re->nbc = n;
}

/* Byte classes for the cache of states (regex_match.c): bytes that every
 * instruction (and \b's words) treat alike share a class.  Each set the
 * program uses splits them once (seen[]: the bracket expressions done,
 * zeroed), so that this costs at most the program's size. */
static void byte_classes(cad_regex *re, uint8_t *seen)
{
	bset bytes = { { 0 } }, words = { { 0 } };
	re->nbc = 1;
	for (uint32_t pc = 0; pc < re->n && re->nbc < 256; pc++) {
		const rinst *in = &re->prog[pc];
		if (in->op == R_CLASS && !seen[in->x]) {
			seen[in->x] = 1;
			split_classes(re, &re->cls[in->x]);
		} else if (in->op == R_BYTE && !bs_has(bytes.b, in->arg)) {
			bset one = { { 0 } };
			bs_add(&bytes, in->arg);
			bs_add(&one, in->arg);
			split_classes(re, &one);
		}
	}
	for (unsigned c = 0; re->words && c < 256; c++)
		if (word_byte(c))
			bs_add(&words, c);
	if (re->words)
		split_classes(re, &words);
}

static int build(arena *tmp, arena *ar, rparser *p, const rnode *root, uint32_t size,
		 cad_regex **out)
{
	cad_regex *re = cad_arena_alloc(ar, sizeof(*re));
	rinst *prog = cad_arena_alloc(ar, (size_t)size * sizeof(*prog));
	bset *cls = cad_arena_alloc(ar, (p->nclasses ? p->nclasses : 1) * sizeof(*cls));
	uint32_t *mem = cad_arena_alloc(tmp, (size_t)size * 3 * sizeof(*mem));
	uint8_t *seen = cad_arena_alloc(tmp, p->nclasses ? p->nclasses : 1);
	if (!re || !prog || !cls || !mem || !seen)
		return CADENCE_ENOMEM;
	uint32_t i = 0;
	for (const rclass *c = p->classes; c; c = c->next)
		cls[i++] = c->set;
	emitter g = { prog, 0 };
	emit(&g, root);
	put(&g, R_MATCH, 0, 0);
	re->prog = prog;
	re->n = size;
	re->cls = cls;
	for (i = 0; i < size; i++) {
		re->asserts |= prog[i].op == R_ASSERT;
		re->words |= prog[i].op == R_ASSERT && prog[i].arg >= RA_WORDB;
	}
	analyse(re, mem);
	byte_classes(re, seen);
	*out = re;
	return 0;
}

int cad_regex_compile(arena *tmp, arena *ar, const char *pattern, size_t len, size_t keep_max,
		      cad_regex **out, cad_regex_error *err)
{
	*out = NULL;
	memset(err, 0, sizeof(*err));
	rparser p = { (const unsigned char *)pattern, (const unsigned char *)pattern,
		      (const unsigned char *)pattern + len, tmp, 0, NULL, NULL, 0, err, 0 };
	p.tail = &p.classes;
	if (len > CAD_REGEX_MAX_LEN) {
		fail(&p, NULL, NULL, "the pattern is %zu bytes long; the limit is %zu", len,
		     CAD_REGEX_MAX_LEN);
		return CADENCE_EINVALID;
	}
	const rnode *root = parse_alt(&p);
	if (!root)
		return p.oom ? CADENCE_ENOMEM : CADENCE_EINVALID;
	uint64_t size = sat_add(root->size, 1);	/* and MATCH */
	if (size > CAD_REGEX_MAX_INSTS)
		return too_large(err, size);
	if (size > keep_max)
		return 0;
	return build(tmp, ar, &p, root, (uint32_t)size, out);
}
