/* SPDX-License-Identifier: MIT */
/* The expression module's insides: tokens, the tree the parser builds and
 * the checker completes, the values the evaluator computes with. */
#ifndef CADENCE_SRC_EXPR_EXPR_INT_H
#define CADENCE_SRC_EXPR_EXPR_INT_H

#include "cadence/expr.h"
#include "util/arena.h"
#include "util/strmap.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Evaluation limits (docs/expressions.md, "Limits"). */
#define EXPR_MAX_STEPS ((uint64_t)10 * 1000 * 1000)	/* macro iterations */
#define EXPR_MAX_SCRATCH ((size_t)64 * 1024 * 1024)	/* bytes of temporaries */
#define EXPR_MAX_COMPARE_DEPTH 512			/* nesting == walks */

/* ---- memory ---- */

/* Each compiled expression has an arena of its own, and each evaluation
 * one for its temporaries: cad_arena_init_small() (util/arena.h). */

/* ---- tokens ---- */

typedef enum tkind {
	TK_EOF, TK_INT, TK_DOUBLE, TK_STRING, TK_IDENT,
	TK_NULL, TK_TRUE, TK_FALSE, TK_IN,
	TK_LPAREN, TK_RPAREN, TK_LBRACK, TK_RBRACK, TK_LBRACE, TK_RBRACE,
	TK_DOT, TK_COMMA, TK_COLON, TK_QUESTION,
	TK_PLUS, TK_MINUS, TK_STAR, TK_SLASH, TK_PERCENT, TK_BANG,
	TK_LT, TK_LE, TK_GT, TK_GE, TK_EQ, TK_NE, TK_AND, TK_OR
} tkind;

typedef struct token {
	tkind kind;
	uint32_t off, len;	/* bytes in the source */
	union {
		uint64_t mag;	/* TK_INT: the magnitude, up to 2^63 */
		double d;	/* TK_DOUBLE */
		struct {
			const char *s;	/* TK_STRING: decoded, NUL-terminated */
			uint32_t n;	/* TK_IDENT, TK_STRING: bytes */
		} str;
	} u;
} token;

/* ---- values ---- */

typedef enum vkind {
	VK_ERR,		/* an error: the reason is in the evaluation context */
	VK_NULL, VK_BOOL, VK_INT, VK_DBL, VK_STR,
	VK_LIST,	/* items[0..n) */
	VK_MAP,		/* pairs[0..n): string keys */
	VK_JLIST,	/* a cJSON array, borrowed */
	VK_JMAP		/* a cJSON object, borrowed */
} vkind;

typedef struct vpair vpair;

typedef struct val {
	uint8_t k;	/* vkind */
	uint32_t n;	/* VK_STR: bytes; VK_LIST, VK_MAP: count */
	union {
		int b;
		int64_t i;
		double d;
		const char *s;		/* NUL-terminated, no NUL inside */
		const struct val *items;
		const vpair *pairs;
		const cJSON *j;
	} u;
} val;

struct vpair {
	val key, value;
};

/* ---- the tree ---- */

/* The parser (parse.c) builds the tree from the syntax alone; the checker
 * (check.c) then resolves its names, types every node and fills what the
 * evaluator reads.  Where a field is the checker's, the comment says so. */
typedef enum nop {
	N_LIT,		/* lit */
	N_SCORE,	/* the root variable */
	N_FIELD,	/* score.name: the fast path of N_SELECT on the root */
	N_VAR,		/* a name: the parser's for any identifier, the checker's
			 * once resolved to a macro's variable (slot, name) */
	N_SELECT,	/* kids[0].name */
	N_INDEX,	/* kids[0][kids[1]] */
	N_HAS,		/* has(kids[0].name); parsed, kids[0] is the selection
			 * itself, which the checker replaces by its base */
	N_NOT, N_NEG,
	N_ADD, N_SUB, N_MUL, N_DIV, N_MOD,
	N_LT, N_LE, N_GT, N_GE, N_EQ, N_NE, N_IN,
	N_AND, N_OR,	/* n-ary; the span is the first operator, ops the others */
	N_COND,		/* kids[0] ? kids[1] : kids[2] */
	N_LIST,		/* kids */
	N_MAP,		/* kids: key, value, key, value... */
	N_CALL,		/* fn(kids...): a receiver is kids[0]; the span is the
			 * name, and fn the checker's */
	N_MACRO		/* kids[0].fn(slot, kids[1] [, kids[2]]) */
} nop;

typedef enum fnid {
	FN_SIZE, FN_INT, FN_DOUBLE, FN_STRING, FN_CONTAINS, FN_STARTS, FN_ENDS,
	FN_MATCHES, FN_MIN, FN_MAX, FN_SUM,
	/* macros */
	M_ALL, M_EXISTS, M_EXISTS_ONE, M_MAP, M_FILTER
} fnid;

#define NO_FIELD UINT32_MAX

enum {
	NF_AS_DOUBLE = 1,	/* N_FIELD of a `number` field: ints read as doubles */
	NF_KEYS_UNIQUE = 2,	/* N_MAP whose keys are literals, checked distinct */
	NF_METHOD = 4,		/* N_CALL written x.f(...): kids[0] is x */
	NF_CONST = 8		/* N_LIST, N_MAP of literals only: the checker makes
				 * it an N_LIT (its depth is already 1) in the room
				 * the parser left in lit.u */
};

typedef struct node node;
struct node {
	uint8_t op;	/* nop */
	uint8_t type;	/* cadence_expr_type: the checker's */
	uint8_t fn;	/* fnid: N_CALL, N_MACRO */
	uint8_t flags;
	uint16_t depth;	/* levels of the tree below and including this one
			 * (a constant list counts as one) */
	uint16_t slot;	/* N_VAR, N_MACRO: the checker's */
	uint32_t off, len;	/* the token errors point at */
	uint32_t nkids;
	uint32_t field;		/* N_FIELD: the field's index in the env (its slot
				 * in the engine's score); NO_FIELD without an env */
	node **kids;
	const char *name;	/* N_FIELD, N_SELECT, N_HAS, N_VAR, N_MACRO (its
				 * variable): NUL-terminated; N_VAR's the checker's */
	uint32_t name_len;
	val lit;		/* N_LIT */
	union {
		struct cad_regex *re;	/* FN_MATCHES with a literal pattern whose
					 * program is kept (expr/regex.h); in the arena */
		const uint32_t *ops;	/* N_AND, N_OR: the offset of the operator
					 * before each of kids[2..nkids) */
	};
};

/* The functions and macros, by name; for the parser, which tells the
 * macros by their names, and the checker. */
typedef struct fdef {
	const char *name;
	fnid fn;
	int global;	/* f(x) */
	int method;	/* x.f() */
} fdef;

/* The function named name[0, n), or NULL. */
const fdef *cad_expr_find_fn(const char *name, size_t n);

struct cadence_expr {
	arena ar;
	char *src;
	size_t len;
	node *root;
	const char **fields;
	size_t nfields;
	unsigned char *uses;	/* per field: CADENCE_EXPR_USE_* (expr/uses.c) */
	int reads_all;
	unsigned nslots;	/* deepest nesting of macros */
	size_t env_n;		/* fields of the env it was compiled with; N_FIELD
				 * nodes index them (none without an env: by name) */
	int has_env;
	int homed;		/* in a caller's arena (cad_expr_compile_in) */
	unsigned nvars;		/* names bound by the caller (expr/vars.h): slots
				 * 0..nvars, before any macro's */
};

typedef struct env_field {
	char *name;
	uint8_t type;		/* cadence_expr_type */
	uint8_t as_double;	/* declared `number` */
	const char *decl;	/* the type as declared: "integer"... */
} env_field;

/* Fields in declaration order, and a hash of their names: compiling
 * `score.x` costs the same with 10 fields as with 10,000. */
struct cadence_expr_env {
	env_field *fields;
	size_t n, cap;
	strmap index;		/* name -> position; keys borrowed from fields */
};

/* The position of the field named name[0, len) in env, or -1. */
long cad_expr_env_find(const cadence_expr_env *env, const char *name, size_t len);

/* ---- between the files ---- */

/* Fills err for the span src[off..off+len) with a formatted message. */
#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
void cad_expr_error_at(cadence_expr_error *err, const char *src, size_t srclen, size_t off,
		   size_t len, const char *fmt, ...);
void cad_expr_error_help(cadence_expr_error *err, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/* Hands the error of a failed call (rc), made in *from, to the caller's
 * `to` (may be NULL), with cadence_strerror(rc) when it says nothing;
 * *from is left empty. */
void cad_expr_error_move(cadence_expr_error *to, cadence_expr_error *from, const char *src,
			 size_t len, int rc);
/* The same with a va_list: for the parser's and evaluator's own wrappers. */
void cad_expr_verror_at(cadence_expr_error *err, const char *src, size_t srclen, size_t off,
			size_t len, const char *fmt, va_list ap);
void cad_expr_verror_help(cadence_expr_error *err, const char *fmt, va_list ap);

/* Lexes src[0..len) into tokens (the last one TK_EOF).  Strings are
 * decoded into `ar`.  Returns 0, CADENCE_EINVALID (err filled) or
 * CADENCE_ENOMEM. */
int cad_expr_lex(const char *src, size_t len, arena *ar, token **out, size_t *ntok,
	     cadence_expr_error *err);

/* Parses the tokens into e->root (e's src, len and arena set): the syntax
 * only, so that every syntax error comes before any type error.  Returns
 * 0, CADENCE_EINVALID or CADENCE_ENOMEM. */
int cad_expr_parse(cadence_expr *e, const token *toks, size_t ntok, cadence_expr_error *err);

/* Checks e's parsed tree against env (NULL: every field dynamic): resolves
 * names, types the nodes, compiles literal patterns, folds constant lists
 * and maps, fills e's fields and slots.  With `hint` 0, no did-you-mean
 * over env's fields (expr/compile.h).  Returns 0, CADENCE_EINVALID or
 * CADENCE_ENOMEM. */
int cad_expr_check(cadence_expr *e, const cadence_expr_env *env, int hint,
		   cadence_expr_error *err);
/* The same with the names vars[0..nvars) bound to slots 0..nvars
 * (expr/vars.h). */
int cad_expr_check_vars(cadence_expr *e, const cadence_expr_env *env, int hint,
			const char *const *vars, size_t nvars, cadence_expr_error *err);

/* Fills e->uses from the tree.  Returns 0 or CADENCE_ENOMEM. */
int cad_expr_uses(cadence_expr *e);

/* The tree as an S-expression, for tests: "(+ 1 (* 2 3))"; malloc'd, NULL
 * when out of memory. */
char *cad_expr_dump(const cadence_expr *e);

#endif
