/* SPDX-License-Identifier: MIT */
/*
 * Matching (regex.h).  Both matchers below follow one model, so that they
 * give the same answers and count the same steps (tests/unit/test_regex.c
 * and fuzz/fuzz_regex.c compare them):
 *
 *   At each position the *kernel* is the set of instructions the previous
 *   byte led to, plus the start while a match may still begin.  Its
 *   closure under the position's context (what it reaches without reading
 *   a byte) reaches MATCH, or is a list of instructions that read a byte:
 *   the byte costs a step for each (at least one), and those that accept
 *   it make the next kernel.  An empty kernel ends the search.
 *
 * nfa() computes each closure (a Thompson NFA simulation, at most the
 * program's size of work a byte); dfa_match() keeps the kernels it met as states
 * of a DFA, with the outcome of each byte class from each, built lazily
 * and flushed when the cache is full, as RE2 does, so that a long string
 * costs a table lookup a byte once its states are known.
 */
#include "expr/regex_int.h"

#include "cadence/common.h"

#include <stdlib.h>
#include <string.h>

#define DFA_MIN_LEN 64			/* shorter strings: the NFA alone */
#define DFA_CACHE ((size_t)1 << 20)	/* bytes of states per match */
#define DFA_BUCKETS 1024

static int holds(unsigned kind, unsigned ctx)
{
	if (kind == RA_BEGIN)
		return (ctx & C_BEGIN) != 0;
	if (ctx & C_UNKNOWN)
		return 1;
	if (kind == RA_END)
		return (ctx & C_END) != 0;
	int pw = !!(ctx & C_PREV_WORD), nw = !!(ctx & C_NEXT_WORD);
	switch (kind) {
	case RA_WORDB: return pw != nw;
	case RA_NWORDB: return pw == nw;
	case RA_WSTART: return !pw && nw;
	default: return pw && !nw;
	}
}

/* Marks pc seen: an instruction that reads a byte goes straight to l,
 * one that does not onto the stack; 1 for MATCH. */
static inline int visit(rmatch *m, rlist *l, uint32_t *top, uint32_t pc)
{
	if (m->mark[pc] == m->gen)
		return 0;
	m->mark[pc] = m->gen;
	uint8_t op = m->prog[pc].op;
	if (op <= R_ANY)
		l->pc[l->n++] = pc;
	else if (op == R_MATCH)
		return 1;
	else
		m->stack[(*top)++] = pc;
	return 0;
}

/* Each pc is visited once per generation, so the stack holds at most the
 * program's size. */
static inline int closure(rmatch *m, rlist *l, uint32_t pc, unsigned ctx)
{
	uint32_t top = 0;
	if (visit(m, l, &top, pc))
		return 1;
	while (top) {
		pc = m->stack[--top];
		const rinst *in = &m->prog[pc];
		int matched;
		if (in->op == R_SPLIT) {
			matched = visit(m, l, &top, in->y) || visit(m, l, &top, in->x);
		} else if (in->op == R_JMP) {
			matched = visit(m, l, &top, in->x);
		} else {	/* R_ASSERT */
			m->asserts += in->arg != RA_BEGIN;
			matched = holds(in->arg, ctx) && visit(m, l, &top, pc + 1);
		}
		if (matched)
			return 1;
	}
	return 0;
}

int cad_re_closure(rmatch *m, rlist *l, uint32_t pc, unsigned ctx)
{
	return closure(m, l, pc, ctx);
}

/* ---- the model ---- */

static unsigned ctx_at(const unsigned char *s, size_t n, size_t i)
{
	return (i == 0 ? C_BEGIN : 0) | (i == n ? C_END : 0) |
	       (i > 0 && word_byte(s[i - 1]) ? C_PREV_WORD : 0) |
	       (i < n && word_byte(s[i]) ? C_NEXT_WORD : 0);
}

/* The closure of kernel k into l; 1 when it reaches MATCH. */
static inline int close_kernel(rmatch *m, const rlist *k, unsigned ctx, rlist *l)
{
	m->gen++;
	l->n = 0;
	for (uint32_t j = 0; j < k->n; j++)
		if (closure(m, l, k->pc[j], ctx))
			return 1;
	return 0;
}

/* The kernel after byte c: what in l accepts it, and the start. */
static inline void advance(const cad_regex *re, const rlist *l, unsigned c, rlist *next)
{
	next->n = 0;
	for (uint32_t j = 0; j < l->n; j++) {
		const rinst *in = &re->prog[l->pc[j]];
		if (in->op == R_BYTE ? in->arg == c : in->op == R_ANY || bs_has(re->cls[in->x].b, c))
			next->pc[next->n++] = l->pc[j] + 1;
	}
	if (!re->anchored)
		next->pc[next->n++] = 0;
}

static int charge(uint64_t *steps, uint64_t max_steps, uint64_t work)
{
	if (*steps > max_steps || work > max_steps - *steps)
		return 0;
	*steps += work;
	return 1;
}

/* When nothing but the start is alive at position i, the next position at
 * which a match can start (n: none). */
static inline size_t skip_from(const cad_regex *re, const rlist *k, const unsigned char *s,
			       size_t n, size_t i)
{
	if (!re->skip || k->n != 1 || k->pc[0] != 0 || i >= n)
		return i;
	if (re->first_byte >= 0) {
		const unsigned char *q = memchr(s + i, re->first_byte, n - i);
		return q ? (size_t)(q - s) : n;
	}
	while (i < n && !bs_has(re->first.b, s[i]))
		i++;
	return i;
}

/* Memory for the sets: mark, stack and l of n each; two kernels of n + 1. */
static uint32_t *sets(const cad_regex *re, arena *scratch, rmatch *m, rlist *l, rlist *k,
		      rlist *next)
{
	size_t n = re->n;
	uint32_t *mem = cad_arena_alloc(scratch, (5 * n + 2) * sizeof(*mem));
	if (mem) {
		*m = (rmatch){ re->prog, mem, 0, mem + n, 0 };
		*l = (rlist){ mem + 2 * n, 0 };
		*k = (rlist){ mem + 3 * n, 0 };
		*next = (rlist){ mem + 4 * n + 1, 0 };
	}
	return mem;
}

/* ---- the NFA ---- */

static int nfa(const cad_regex *re, const unsigned char *s, size_t n, arena *scratch,
	       uint64_t *steps, uint64_t max_steps)
{
	rmatch m;
	rlist l, k, next;
	if (!sets(re, scratch, &m, &l, &k, &next))
		return CADENCE_ENOMEM;
	k.pc[k.n++] = 0;
	for (size_t i = 0;; i++) {
		unsigned ctx = re->words ? ctx_at(s, n, i) : (i ? 0 : C_BEGIN) | (i == n ? C_END : 0);
		if (close_kernel(&m, &k, ctx, &l))
			return 1;
		if (i == n)
			return 0;
		if (!charge(steps, max_steps, l.n ? l.n : 1))
			return CADENCE_ELIMIT;
		advance(re, &l, s[i], &next);
		if (!next.n)
			return 0;
		rlist t = k;
		k = next;
		next = t;
		size_t to = skip_from(re, &k, s, n, i + 1);
		if (to == n && to != i + 1)
			return 0;	/* no match can start any more */
		i = to - 1;
	}
}

int cad_regex_match_nfa(const cad_regex *re, const char *s, size_t n, arena *scratch,
			uint64_t *steps, uint64_t max_steps)
{
	return nfa(re, (const unsigned char *)s, n, scratch, steps, max_steps);
}

/* ---- the DFA ---- */

enum { D_BEGIN = 1, D_WORD = 2 };	/* position 0; a word byte before */
enum { E_ON, E_MATCH, E_DEAD };

typedef struct dstate dstate;

/* What a byte class does from a state. */
typedef struct dedge {
	dstate *to;	/* NULL: not known yet (unless end) */
	uint32_t steps;	/* what the byte costs */
	uint8_t end;	/* E_MATCH: a match before the byte; E_DEAD: none after it */
} dedge;

struct dstate {
	dstate *chain;	/* in a bucket */
	uint32_t hash;
	uint8_t flags;	/* D_* */
	rlist k;	/* sorted */
	dedge edge[];	/* one a byte class, then the kernel */
};

typedef struct dcache {
	const cad_regex *re;
	rmatch m;
	rlist l, next;
	uint32_t *saved;	/* a kernel across a flush */
	dstate **buckets;
	arena *ar;
	arena_mark mark;		/* the states are allocated after it */
	size_t used;		/* bytes of states */
	int oom;
} dcache;

static uint32_t hash_kernel(const rlist *k, unsigned flags)
{
	uint32_t h = 2166136261u ^ flags;
	for (uint32_t j = 0; j < k->n; j++)
		h = (h ^ k->pc[j]) * 16777619u;
	return h;
}

/* The state of kernel k (sorted) and flags; NULL when the cache is full
 * (or, with d->oom, the arena could not grow). */
static dstate *intern(dcache *d, const rlist *k, unsigned flags)
{
	uint32_t h = hash_kernel(k, flags);
	dstate **b = &d->buckets[h % DFA_BUCKETS];
	for (dstate *st = *b; st; st = st->chain)
		if (st->hash == h && st->flags == flags && st->k.n == k->n &&
		    !memcmp(st->k.pc, k->pc, k->n * sizeof(*k->pc)))
			return st;
	size_t size = sizeof(dstate) + d->re->nbc * sizeof(dedge) + k->n * sizeof(*k->pc);
	if (d->used + size > DFA_CACHE)
		return NULL;
	dstate *st = cad_arena_alloc(d->ar, size);	/* zeroed: no edge known */
	if (!st) {
		d->oom = 1;
		return NULL;
	}
	d->used += size;
	st->hash = h;
	st->flags = (uint8_t)flags;
	st->k.pc = (uint32_t *)(st->edge + d->re->nbc);
	st->k.n = k->n;
	memcpy(st->k.pc, k->pc, k->n * sizeof(*k->pc));
	st->chain = *b;
	*b = st;
	return st;
}

/* Empties the cache, keeping *st (made again). */
static int flush(dcache *d, dstate **st)
{
	rlist k = { d->saved, (*st)->k.n };
	unsigned flags = (*st)->flags;
	memcpy(k.pc, (*st)->k.pc, k.n * sizeof(*k.pc));
	cad_arena_release(d->ar, &d->mark);
	memset(d->buckets, 0, DFA_BUCKETS * sizeof(*d->buckets));
	d->used = 0;
	*st = intern(d, &k, flags);
	return *st != NULL;
}

static int cmp_pc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* Computes the edge of *st for byte c (which may flush the cache and
 * move *st); returns it, or NULL when the arena could not grow. */
static dedge *edge(dcache *d, dstate **st, unsigned c)
{
	const cad_regex *re = d->re;
	unsigned flags = (*st)->flags;
	unsigned ctx = (flags & D_BEGIN ? C_BEGIN : 0) | (flags & D_WORD ? C_PREV_WORD : 0) |
		       (re->words && word_byte(c) ? C_NEXT_WORD : 0);
	dedge *e = &(*st)->edge[re->bclass[c]];
	if (close_kernel(&d->m, &(*st)->k, ctx, &d->l)) {
		e->end = E_MATCH;
		return e;
	}
	e->steps = d->l.n ? d->l.n : 1;
	advance(re, &d->l, c, &d->next);
	if (!d->next.n) {
		e->end = E_DEAD;
		return e;
	}
	qsort(d->next.pc, d->next.n, sizeof(*d->next.pc), cmp_pc);
	unsigned to_flags = re->words && word_byte(c) ? D_WORD : 0;
	dstate *to = intern(d, &d->next, to_flags);
	if (!to && !d->oom) {
		uint32_t steps = e->steps;
		if (!flush(d, st))
			return NULL;
		e = &(*st)->edge[re->bclass[c]];
		e->steps = steps;
		to = intern(d, &d->next, to_flags);
	}
	e->to = to;
	return to ? e : NULL;
}

static int dfa_run(dcache *d, const unsigned char *s, size_t n, uint64_t *steps, uint64_t max_steps)
{
	const cad_regex *re = d->re;
	uint32_t start = 0;
	dstate *st = intern(d, &(rlist){ &start, 1 }, D_BEGIN);
	if (!st)
		return CADENCE_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		dedge *e = &st->edge[re->bclass[s[i]]];
		if (!e->to && !e->end && !(e = edge(d, &st, s[i])))
			return CADENCE_ENOMEM;
		if (e->end == E_MATCH)
			return 1;
		if (!charge(steps, max_steps, e->steps))
			return CADENCE_ELIMIT;
		if (e->end == E_DEAD)
			return 0;
		st = e->to;
		size_t to = skip_from(re, &st->k, s, n, i + 1);
		if (to == n && to != i + 1)
			return 0;
		i = to - 1;
	}
	unsigned ctx = C_END | (st->flags & D_WORD ? C_PREV_WORD : 0);
	return close_kernel(&d->m, &st->k, ctx, &d->l);
}

static int dfa_match(const cad_regex *re, const unsigned char *s, size_t n, arena *scratch,
	       uint64_t *steps, uint64_t max_steps)
{
	dcache d = { re, { 0 }, { 0 }, { 0 }, NULL, NULL, scratch, { 0 }, 0, 0 };
	rlist unused;
	if (!sets(re, scratch, &d.m, &d.l, &unused, &d.next))
		return CADENCE_ENOMEM;
	d.saved = unused.pc;
	d.buckets = cad_arena_alloc(scratch, DFA_BUCKETS * sizeof(*d.buckets));
	if (!d.buckets)
		return CADENCE_ENOMEM;
	d.mark = cad_arena_mark(scratch);
	return dfa_run(&d, s, n, steps, max_steps);
}

int cad_regex_match(const cad_regex *re, const char *s, size_t n, arena *scratch,
		    uint64_t *steps, uint64_t max_steps)
{
	if (n < DFA_MIN_LEN)
		return nfa(re, (const unsigned char *)s, n, scratch, steps, max_steps);
	return dfa_match(re, (const unsigned char *)s, n, scratch, steps, max_steps);
}

size_t cad_regex_size(const cad_regex *re)
{
	return re->n;
}
