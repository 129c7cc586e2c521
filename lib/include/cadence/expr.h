/* SPDX-License-Identifier: MIT */
/*
 * cadence/expr.h - the expression language of `when`, `set`, `with` and
 * `merge`: a subset of CEL (docs/expressions.md).
 *
 *     cadence_expr_env *env;
 *     cadence_expr *e;
 *     cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
 *     cadence_expr_env_new(&env);
 *     cadence_expr_env_add_field(env, "premium", "boolean");
 *     cadence_expr_env_add_field(env, "total", "number");
 *     if (cadence_expr_compile(&e, src, strlen(src), env, &err))
 *             fprintf(stderr, "column %u: %s\n", err.column, err.message);
 *     else if (cadence_expr_result_type(e) != CADENCE_EXPR_BOOL ...)
 *     ...
 *     cJSON *v;
 *     if (cadence_expr_eval(&v, e, score, &err) == 0) { ...; cJSON_Delete(v); }
 *     cadence_expr_error_clear(&err);
 *     cadence_expr_free(e);
 *     cadence_expr_env_free(env);
 *
 * Compiling parses the source and checks it against the declaration of the
 * score (an env); evaluating reads a score (a cJSON object) and makes a new
 * cJSON value.  Ownership and thread-safety follow cadence/common.h; in
 * particular a compiled expression is immutable: any number of threads may
 * evaluate it at once, and compiling uses no global mutable state.
 */
#ifndef CADENCE_EXPR_H
#define CADENCE_EXPR_H

#include "cadence/common.h"

#include <cjson/cJSON.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cadence_expr cadence_expr;
typedef struct cadence_expr_env cadence_expr_env;

/* Limits; compiling refuses an expression beyond them (CADENCE_EINVALID,
 * with a message saying which). */
#define CADENCE_EXPR_MAX_SOURCE ((size_t)64 * 1024)	/* bytes of source */
#define CADENCE_EXPR_MAX_DEPTH 256			/* nesting levels */

/* Where and why compiling or evaluating failed: the error struct of this
 * header (cadence/common.h, "Errors").  Initialise it with
 * CADENCE_EXPR_ERROR_INIT; a failing call fills it, releasing what it held,
 * and cadence_expr_error_clear() releases it.  Positions are in the
 * expression's own source: `offset` and `length` in bytes, `column`
 * (1-based) and `width` in Unicode code points, so a caller can underline
 * the offending token under a line that holds the expression.  At the end
 * of the source, length and width are 0.  `message` says what is wrong;
 * `help` is NULL or a hint such as "did you mean 'name'?".  Both are owned
 * by the struct; `message` is NULL only when no memory was left for it. */
typedef struct cadence_expr_error {
	unsigned version;	/* CADENCE_EXPR_ERROR_VERSION */
	size_t offset;
	size_t length;
	unsigned column;
	unsigned width;
	char *message;
	char *help;
} cadence_expr_error;

#define CADENCE_EXPR_ERROR_VERSION 1
#define CADENCE_EXPR_ERROR_INIT { CADENCE_EXPR_ERROR_VERSION, 0, 0, 0, 0, NULL, NULL }

/* Releases the strings and zeroes the struct, keeping its version; ready
 * for another call.  NULL is a no-op. */
CADENCE_API void cadence_expr_error_clear(cadence_expr_error *err);

/* Static types: what the checker knows of a value before it exists.  DYN is
 * "known only when evaluated" (a field of type `any`, an element of a list,
 * anything with a NULL env). */
typedef enum cadence_expr_type {
	CADENCE_EXPR_DYN = 0,
	CADENCE_EXPR_NULL,
	CADENCE_EXPR_BOOL,
	CADENCE_EXPR_INT,
	CADENCE_EXPR_DOUBLE,
	CADENCE_EXPR_STRING,
	CADENCE_EXPR_LIST,
	CADENCE_EXPR_MAP
} cadence_expr_type;

/* "dyn", "null", "bool", "int", "double", "string", "list", "map"; static
 * storage.  Thread-safe. */
CADENCE_API const char *cadence_expr_type_name(cadence_expr_type type);

/* ---- the declaration of the score ---------------------------------------- */

/* An empty declaration: with it, `score.x` is an error for every x until
 * x is added.  Returns 0 or CADENCE_ENOMEM. */
CADENCE_API int cadence_expr_env_new(cadence_expr_env **out);
CADENCE_API void cadence_expr_env_free(cadence_expr_env *env);

/* Declares score field `name` (copied) of `type`: "string", "integer",
 * "number", "boolean", "array", "object" or "any", as in cadence files.
 * Expressions see an integer field as int and a number field as double
 * (docs/expressions.md, "Numbers").  Returns 0, CADENCE_EINVAL (an unknown
 * type, an empty or repeated name) or CADENCE_ENOMEM.  Names are hashed:
 * declaring a field, and finding it when compiling `score.x`, take the
 * same time with 10,000 fields as with 10.  Not thread-safe for the env
 * it changes; a finished env may be shared by concurrent compiles. */
CADENCE_API int cadence_expr_env_add_field(cadence_expr_env *env, const char *name, const char *type);

/* ---- compiling ----------------------------------------------------------- */

/*
 * Parses and checks src[0..len) (need not be NUL-terminated; copied).
 * `env` declares the score; NULL means undeclared: any field may be read
 * and every field is dyn.  `err` may be NULL; one of an unknown version
 * gives CADENCE_EVERSION.
 *
 * Returns 0 with *out set; CADENCE_EINVALID with *out NULL and the first
 * problem in *err (a syntax error, an unknown field or function, operands
 * whose types cannot fit, a limit); CADENCE_ENOMEM; CADENCE_EINVAL when out
 * is NULL, or src is NULL with a len (a NULL src of length 0 is the empty
 * expression, CADENCE_EINVALID).  Thread-safe (no global state; env is only read).
 */
CADENCE_API int cadence_expr_compile(cadence_expr **out, const char *src, size_t len,
			 const cadence_expr_env *env, cadence_expr_error *err);

CADENCE_API void cadence_expr_free(cadence_expr *e);

/* The source as compiled, NUL-terminated; borrowed. */
CADENCE_API const char *cadence_expr_source(const cadence_expr *e);

/* The type of the result, as far as the checker knows: a `when` condition
 * should be CADENCE_EXPR_BOOL (or DYN, checked when evaluated). */
CADENCE_API cadence_expr_type cadence_expr_result_type(const cadence_expr *e);

/* The top-level score fields the expression reads (`score.X`,
 * `score["X"]`, `has(score.X)`), each once, in order of first use;
 * names are borrowed. */
CADENCE_API size_t cadence_expr_field_count(const cadence_expr *e);
CADENCE_API const char *cadence_expr_field_name(const cadence_expr *e, size_t i);

/* How the expression uses field i, a mask: what a null (an unset field)
 * does to it.  CADENCE_EXPR_USE_OPERAND: the field is an operand of an
 * operator, function or macro, or the base of a selection or index, so a
 * null fails the evaluation (`score.n + 1`); CADENCE_EXPR_USE_RESULT: it
 * can be the value of the whole expression (`score.a`, `c ? score.a :
 * ""`), which a condition cannot be null; CADENCE_EXPR_USE_TESTED: its
 * presence is tested (`has(score.f)`, `score.f == null`, `!= null`), so
 * the expression is written for a null.  A field only in a list or map
 * literal, or compared with `==`/`!=`, has none of these.  0 for an
 * index out of range. */
enum {
	CADENCE_EXPR_USE_OPERAND = 1,
	CADENCE_EXPR_USE_RESULT = 2,
	CADENCE_EXPR_USE_TESTED = 4
};
CADENCE_API unsigned cadence_expr_field_uses(const cadence_expr *e, size_t i);

/* 1 when the expression may read fields it does not name: it uses `score`
 * itself (`size(score)`, `score[k]` with k computed, `score.all(...)`). */
CADENCE_API int cadence_expr_reads_whole_score(const cadence_expr *e);

/* ---- evaluating ---------------------------------------------------------- */

/*
 * Evaluates `e` on `score` (a cJSON object; NULL is taken as {}) and sets
 * *result to a new cJSON value owned by the caller.  A runtime error (a
 * missing field, an index out of range, division by zero, integer overflow,
 * operands of the wrong types, an evaluation limit) returns
 * CADENCE_EINVALID with *result NULL and the reason, at the operator or
 * field that failed, in *err (may be NULL).  Also CADENCE_ENOMEM and
 * CADENCE_EINVAL (e or result NULL) and CADENCE_EVERSION (err of an unknown
 * version).
 *
 * Cost: each field read (`score.x`) looks x up by name in `score`, and a
 * cJSON object is a list, so a read costs time in proportion to the
 * members before x: fine for small scores, linear in the width of a wide
 * one.  (The run engine reads its score by slot instead, in constant
 * time: the position `score.x` compiles to in the env.)
 *
 * Thread-safe: one compiled expression may be evaluated by many threads at
 * once (each with its own score or the same score, which is only read).
 */
CADENCE_API int cadence_expr_eval(cJSON **result, const cadence_expr *e, const cJSON *score,
				  cadence_expr_error *err);

/* As cadence_expr_eval() for a condition: *result is 1 or 0, with no cJSON
 * made.  A result that is not a bool is an error (CADENCE_EINVALID, "the
 * condition gave an int, not a bool").  Thread-safe likewise. */
CADENCE_API int cadence_expr_eval_bool(int *result, const cadence_expr *e, const cJSON *score,
				       cadence_expr_error *err);

#ifdef __cplusplus
}
#endif
#endif
