/* SPDX-License-Identifier: MIT */
/* The regular expressions' insides (regex.h): the program that regex.c
 * compiles and regex_match.c runs. */
#ifndef CADENCE_SRC_EXPR_REGEX_INT_H
#define CADENCE_SRC_EXPR_REGEX_INT_H

#include "expr/regex.h"

#include <stdint.h>

typedef struct bset {
	uint8_t b[32];
} bset;

static inline void bs_add(bset *s, unsigned c)
{
	s->b[c >> 3] |= (uint8_t)(1u << (c & 7));
}

static inline int bs_has(const uint8_t *b, unsigned c)
{
	return (b[c >> 3] >> (c & 7)) & 1;
}

/* The bytes of \w and of \b's words: ASCII letters and digits, '_'. */
static inline int word_byte(unsigned c)
{
	return ((c | 32) >= 'a' && (c | 32) <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/* Assertions: ^ and \` (the string's start: there is no REG_NEWLINE), $
 * and \', \b, \B, \<, \>. */
enum { RA_BEGIN, RA_END, RA_WORDB, RA_NWORDB, RA_WSTART, RA_WEND };

/* A Thompson NFA: BYTE, CLASS and ANY read a byte; SPLIT, JMP and ASSERT
 * do not; MATCH ends. */
enum { R_BYTE, R_CLASS, R_ANY, R_SPLIT, R_JMP, R_ASSERT, R_MATCH };

typedef struct rinst {
	uint8_t op;
	uint8_t arg;	/* R_BYTE: the byte; R_ASSERT: RA_* */
	uint32_t x, y;	/* R_SPLIT: both targets, R_JMP: x; R_CLASS: x, the class */
} rinst;

struct cad_regex {
	rinst *prog;
	uint32_t n;
	const bset *cls;
	int asserts;		/* the program has R_ASSERT */
	int words;		/* ... \b, \B, \< or \> */
	int anchored;		/* no match starts after the first character */
	int skip;		/* a match starts only at a byte of `first` */
	int first_byte;		/* the only byte of `first`, or -1 */
	bset first;
	uint16_t nbc;		/* byte classes: bytes no instruction tells apart */
	uint8_t bclass[256];	/* a byte's class */
};

/* What the assertions see at a position. */
enum { C_BEGIN = 1, C_END = 2, C_PREV_WORD = 4, C_NEXT_WORD = 8,
       C_UNKNOWN = 16 /* compile time: the word assertions may hold */ };

/* Program counters. */
typedef struct rlist {
	uint32_t *pc;
	uint32_t n;
} rlist;

typedef struct rmatch {
	const rinst *prog;
	uint32_t *mark;		/* mark[pc] == gen: pc seen at this position */
	uint32_t gen;
	uint32_t *stack;
	unsigned asserts;	/* word or $ assertions passed */
} rmatch;

/* Adds to l the instructions that read a byte and that pc leads to
 * without reading one, at a position of context ctx (each pc once per
 * m->gen); 1 when one of them is MATCH. */
int cad_re_closure(rmatch *m, rlist *l, uint32_t pc, unsigned ctx);

#endif
