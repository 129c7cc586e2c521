/* SPDX-License-Identifier: MIT */
/* What the exporters (n8n.c; Argo's) share: unique names for an engine's
 * nodes, and the argument list of the `cadence step` call a node runs. */
#ifndef CADENCE_SRC_EXPORT_EXPORT_INT_H
#define CADENCE_SRC_EXPORT_EXPORT_INT_H

#include "util/arena.h"
#include "util/strbuf.h"
#include "util/strmap.h"

#include <stddef.h>

/* ---- names ---- */

/* The names given so far, each unique. */
typedef struct cad_export_names {
	arena arena;		/* the names' bytes (the map's keys) */
	strmap taken;
} cad_export_names;

void cad_export_names_init(cad_export_names *n);
void cad_export_names_free(cad_export_names *n);

/* A name for `want`: every byte for which ok(c, position) is 0 made `bad`,
 * cut to `max` bytes (0: no limit), then, when taken, `sep` and 2, 3...
 * appended (inside `max` too).  The result lives as long as `n`; NULL when
 * out of memory. */
const char *cad_export_name(cad_export_names *n, const char *want,
			    int (*ok)(unsigned char c, size_t pos), char bad, size_t max,
			    const char *sep);

/* ---- the `cadence step` call of a node ---- */

typedef enum cad_step_mode {
	CAD_STEP_NOTE,		/* a note, once (--one-attempt: its timeout kept, the engine retries) */
	CAD_STEP_FALLBACK,	/* the note's fallback values (--fallback) */
	CAD_STEP_MERGE,		/* a sync's or a child's merge (--merge INDEX) */
	CAD_STEP_MEASURE,	/* a whole measure (--measure INDEX) */
	CAD_STEP_PRECHECK	/* the cadence's precheck (--precheck) */
} cad_step_mode;

/* One call.  Files named `state` are the engine's (the score between
 * nodes): each exporter says where they are (n8n: a directory per
 * execution; Argo: artifacts). */
typedef struct cad_step_call {
	cad_step_mode mode;
	int apply;		/* --apply: the whole score, with the changes */
	size_t index;		/* MERGE, MEASURE: the measure's */
	const char *note;	/* NOTE, FALLBACK */
	const char *score;	/* state file of --score; NULL: the declared defaults */
	int score_given;	/* score is the user's file, not a state file */
	const char *output;	/* state file of -o; NULL: standard output */
	const char *const *parts;	/* MERGE: the state files merged */
	size_t nparts;
	const char *const *plugins;	/* --plugin, each (C notes) */
	size_t nplugins;
} cad_step_call;

/* Calls arg(ctx, text, state) for each argument after the program's name
 * ("step", options, the cadence file `file`, the note or the parts), in
 * order; `state` is 1 for a state file, 0 for literal text. */
void cad_export_step_args(const cad_step_call *c, const char *file,
			  void (*arg)(void *ctx, const char *text, int state), void *ctx);

/* A UUID-shaped id (8-4-4-4-12 hex digits, version 5 layout) of the
 * SHA-256 of the strings a and b: stable across runs and machines. */
void cad_export_uuid(const char *a, const char *b, char out[37]);

#endif
