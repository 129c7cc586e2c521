/* SPDX-License-Identifier: MIT */
/* JSON text in and out, the one way cadence reads and writes it.
 *
 * Out: every JSON cadence writes from a cJSON tree (the final score, a
 * note's stdin, checkpoints, `--log json` lines, validate and schema
 * output) goes through cad_json_print(), and every number through
 * cad_json_number(): integers up to 2^53 as their digits, other doubles in
 * the shortest form that reads back as the same double.  cJSON's own
 * printer writes "%1.15g" first and keeps it when it reads back "close
 * enough", which changes about one integer in nine between 1e15 and 2^53.
 *
 * In: cad_json_parse() reads text from outside (a score, a note's output,
 * a checkpoint, `--fallback`) and says what is wrong and where: not
 * UTF-8, not JSON, nested too deep, a "\u0000" that a C string cannot
 * keep, text after the value.  cad_json_check() checks a tree that did
 * not come from text (a C note's changes, an embedder's input): depth and
 * numbers that are not finite. */
#ifndef CADENCE_SRC_UTIL_JSON_H
#define CADENCE_SRC_UTIL_JSON_H

#include "util/strbuf.h"
#include "util/strmap.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* The largest integer whose neighbours are all doubles too: 2^53. */
#define CAD_JSON_MAX_EXACT 9007199254740992.0

/* Appends d as a JSON number.  Returns 0, or -1 with nothing appended when
 * d is infinite or NaN, which JSON cannot hold. */
int cad_json_number(strbuf *sb, double d);

/* The shortest "%.15g", "%.16g" or "%.17g" of d that reads back as d, with
 * '.' as the decimal point whatever the locale, in buf (at least 32 bytes).
 * The core of cad_json_number(), and what string(double) of expressions
 * gives. */
void cad_fmt_double(char *buf, size_t size, double d);

/* Appends v as JSON text, `formatted` (an object's members one a line,
 * indented by two spaces a level, `"name": value`; arrays on one line) or
 * in cJSON_PrintUnformatted()'s layout, numbers by cad_json_number().
 * A number that is not finite is written `null`, as cJSON does: every way
 * in refuses them first.  Returns 0, or -1 for an item cJSON cannot print
 * either (cJSON_Invalid, a raw item without text). */
int cad_json_add(strbuf *sb, const cJSON *v, int formatted);

/* v as JSON text, malloc'd (release with free()); NULL when out of memory
 * or when cad_json_add() fails. */
char *cad_json_print(const cJSON *v, int formatted);

/* cJSON_AddStringToObject() for text that may hold bytes that are not
 * UTF-8 (a file name, a C note's message): those become U+FFFD, since
 * JSON is UTF-8 and cJSON would copy them.  Returns the item or NULL. */
cJSON *cad_json_add_text(cJSON *o, const char *key, const char *s);

/* One line of JSON text (and its line end), with every character that
 * must not reach a terminal raw (cad_utf8_is_unsafe(): C1 controls,
 * bidirectional overrides; cJSON escapes only C0) written as a \u escape:
 * the same JSON value, safe on a terminal. */
void cad_json_puts(FILE *f, const char *json);

/* Whether a and b are the same JSON value: cJSON_Compare(a, b, 1), but
 * numbers equal only when they are (cJSON's are when they differ by less
 * than a relative DBL_EPSILON, so 2^52 - 1 "equals" 2^52 and a note's change
 * from one to the other was dropped as no change).  Objects are compared
 * whatever the order of their members. */
int cad_json_equal(const cJSON *a, const cJSON *b);

/* Objects of more members than this are indexed rather than searched
 * when another object's members are looked up in them one by one. */
#define CAD_JSON_FEW_MEMBERS 16

/* The members of object o; 0 for anything else. */
size_t cad_json_count(const cJSON *o);

/* Indexes the members of object o by name in the empty map ix (values:
 * the cJSON items), the first of two with one name, which is what
 * cJSON_GetObjectItemCaseSensitive() finds.  Leaves ix without a table
 * (slots NULL) when out of memory, when a member has no name, or, with
 * `unique`, when two share one; cad_json_member() then searches, with the
 * same answer. */
void cad_json_index(strmap *ix, const cJSON *o, int unique);
/* The member of o named `name`: through ix when it was filled, else by
 * search. */
cJSON *cad_json_member(const strmap *ix, const cJSON *o, const char *name);

typedef enum cad_json_problem {
	CAD_JSON_OK = 0,
	CAD_JSON_UTF8,		/* a byte that is not UTF-8 */
	CAD_JSON_SYNTAX,	/* not JSON (or out of memory: cJSON cannot tell) */
	CAD_JSON_DEEP,		/* arrays and objects nested deeper than allowed */
	CAD_JSON_NUL,		/* "\u0000" in a string */
	CAD_JSON_TRAILING,	/* more than white space after the value */
	CAD_JSON_NONFINITE	/* (cad_json_check) a number that is not finite */
} cad_json_problem;

typedef struct cad_json_error {
	cad_json_problem problem;
	unsigned max_depth;	/* the limit, for CAD_JSON_DEEP */
	size_t offset;		/* where, in bytes from the start */
	unsigned line, column;	/* the same, 1-based; columns count bytes */
	unsigned char byte;	/* CAD_JSON_UTF8: the bad byte */
} cad_json_error;

/* Parses text[0..len) into *out: one JSON value, white space around it,
 * arrays and objects nested at most max_depth levels (the outermost value
 * is level 1).  Returns 0, or -1 with *out NULL and *err filled. */
int cad_json_parse(cJSON **out, const char *text, size_t len, unsigned max_depth,
		   cad_json_error *err);

/* Appends what is wrong, for a message whose subject the caller wrote:
 * "is nested deeper than 512 levels at line 1, column 513" (with
 * `excerpt`, followed by " near '[[[['": up to 20 characters of text from
 * there, made safe to show), then a hint where one helps ("; JSON text
 * must be UTF-8 (...)"). */
void cad_json_describe(strbuf *sb, const cad_json_error *e, const char *text, size_t len,
		       int excerpt);

/* Up to `max` bytes of s[0..len), stopping at a newline, made safe to show
 * and to put in JSON: an unsafe character (a control character, a
 * bidirectional override) or a byte that is not UTF-8
 * becomes '?', and a character is never cut in two. */
void cad_json_add_excerpt(strbuf *sb, const char *s, size_t len, size_t max);

/* Checks a tree: nested at most max_depth levels (v itself is level 1)
 * and every number finite.  Returns CAD_JSON_OK, CAD_JSON_DEEP or
 * CAD_JSON_NONFINITE, and appends to `where` the path of the first value
 * in the wrong (".items[3].price"; nothing for v itself). */
cad_json_problem cad_json_check(const cJSON *v, unsigned max_depth, strbuf *where);

/* Appends what cad_json_check(v, max_depth) finds, for a message about
 * the value called `name`: "is nested deeper than 512 levels" (`levels` is
 * the limit as the reader counts it) or "holds a number out of range (...)
 * at name.a[3]" (the path when the number is inside v). */
void cad_json_check_describe(strbuf *sb, const cJSON *v, unsigned max_depth, const char *name,
			     unsigned levels);

#endif
