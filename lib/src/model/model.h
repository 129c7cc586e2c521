/* SPDX-License-Identifier: MIT */
/*
 * The cadence graph: what the checker, the diagram writers and the engine
 * read.  Built by the loader from a file (format/build.c) or by the C
 * builder (builder/builder.c); both produce this structure.  Every element keeps the
 * position it came from so later checks can point at it (0:0 when built in
 * code).
 */
#ifndef CADENCE_SRC_MODEL_MODEL_H
#define CADENCE_SRC_MODEL_MODEL_H

#include "util/arena.h"
#include "util/path.h"
#include "util/strbuf.h"
#include "util/strmap.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cad_loc {
	unsigned line, col, len;
} cad_loc;

/* A name as written, with where it was written. */
typedef struct cad_ref {
	const char *name;
	cad_loc loc;
} cad_ref;

typedef enum cad_vtype {
	CAD_T_STRING,
	CAD_T_INTEGER,
	CAD_T_NUMBER,
	CAD_T_BOOLEAN,
	CAD_T_ARRAY,
	CAD_T_OBJECT,
	CAD_T_ANY
} cad_vtype;

/* Field type names as written in files, indexed by cad_vtype. */
extern const char *const cad_vtype_names[];

typedef struct cad_field {
	cad_ref name;
	cad_vtype type;
	cad_loc type_loc;
	int required;
	int immutable;
	cJSON *def;		/* NULL when there is no default */
	cad_loc def_loc;
	const char *description;
} cad_field;

/* An expression as written; compiled by the expression module. */
typedef struct cad_expr {
	const char *src;
	cad_loc loc;
	int quoted;	/* columns inside the source start one later */
} cad_expr;

/* `field: expression`, for set, with and merge. */
typedef struct cad_assign {
	cad_ref field;
	cad_expr expr;
} cad_assign;

typedef struct cad_retry {
	int present;
	cad_loc loc;
	int64_t attempts;
	int64_t delay_ms;
	double backoff;
	int64_t max_delay_ms;	/* -1: no cap */
	double jitter;
	cad_loc attempts_loc, delay_loc, backoff_loc, max_delay_loc, jitter_loc;
} cad_retry;

typedef struct cad_breaker {
	int present;
	cad_loc loc;
	int64_t failure_threshold;
	int64_t recovery_ms;
	int64_t half_open_max;
	cad_loc threshold_loc, recovery_loc, half_open_loc;
} cad_breaker;

typedef enum cad_binding {
	CAD_BIND_RUN,
	CAD_BIND_SET,
	CAD_BIND_SYMBOL
} cad_binding;

typedef struct cad_note {
	cad_ref name;
	cad_binding binding;
	cad_loc binding_loc;
	const char **argv;	/* run: NULL-terminated */
	size_t argc;
	cad_assign *set;	/* set */
	size_t nset;
	const char *symbol;	/* symbol */
	const char *description;
	cad_ref *reads;
	size_t nreads;
	cad_ref *writes;
	size_t nwrites;
	/* run: `env:`, the variables of cadence's environment it receives
	 * beyond the ones always passed (run/env.h); has_env 0: all of them */
	int has_env;
	cad_ref *env;
	size_t nenv;
	cad_retry retry;
	int64_t timeout_ms;	/* 0: none */
	cad_loc timeout_loc;
	cad_assign *fallback;	/* values in fallback_values */
	cJSON **fallback_values;
	size_t nfallback;
	cad_loc fallback_loc;
	cad_breaker breaker;
} cad_note;

typedef enum cad_measure_kind {
	CAD_M_THEN,
	CAD_M_SYNC,
	CAD_M_SPLIT,
	CAD_M_SEQUENCE,
	CAD_M_CHILD,
	CAD_M_DAG
} cad_measure_kind;

extern const char *const cad_measure_kind_names[];

typedef enum cad_merge {
	CAD_MERGE_FAIL_ON_CONFLICT,
	CAD_MERGE_LAST_WRITE_WINS,
	CAD_MERGE_SMART
} cad_merge;

extern const char *const cad_merge_names[];

/* dag: what a failed task does to the rest (docs/format.md, "dag") */
typedef enum cad_on_failure {
	CAD_ON_FAILURE_FINISH,
	CAD_ON_FAILURE_STOP,
	CAD_ON_FAILURE_CONTINUE
} cad_on_failure;

extern const char *const cad_on_failure_names[];

/* schedule: what a fire time does while a run of the cadence is going on,
 * and what a scheduler that was off runs of the fire times it missed
 * (docs/format.md, "schedule") */
typedef enum cad_overlap {
	CAD_OVERLAP_SKIP,
	CAD_OVERLAP_QUEUE_ONE,
	CAD_OVERLAP_REPLACE,
	CAD_OVERLAP_ALLOW
} cad_overlap;
extern const char *const cad_overlap_names[];

typedef enum cad_catch_up {
	CAD_CATCH_UP_NONE,
	CAD_CATCH_UP_LATEST,
	CAD_CATCH_UP_ALL
} cad_catch_up;
extern const char *const cad_catch_up_names[];

#define CAD_DEFAULT_CATCH_UP_MAX 10
#define CAD_MAX_CATCH_UP 1000

typedef struct cad_schedule {
	int present;
	cad_loc loc;
	cad_expr cron;		/* src as written; loc and quoted as an
				 * expression's, for diagnostics inside it */
	const char *timezone;	/* NULL: UTC */
	cad_loc timezone_loc;
	int64_t jitter_ms;
	cad_overlap overlap;
	cad_catch_up catch_up;
	int64_t catch_up_max;	/* catch_up all: at most this many runs */
	cad_loc catch_up_max_loc;
	cJSON *score;		/* the input of scheduled runs (owned); NULL */
	cad_loc score_loc;
	int enabled;
} cad_schedule;

/* One task of a dag: a note run once its `after` tasks have ended. */
typedef struct cad_task {
	cad_ref name;
	cad_ref note;		/* the task's name when `note:` is absent; name
				 * NULL for a child task */
	/* a task with `cadence:`: a child measure named after the task (its
	 * cadence, with, merge_back), which the checks, the runner and the
	 * diagrams treat as they treat a child measure; NULL otherwise */
	struct cad_measure *child;
	cad_ref *after;
	size_t nafter;
	cad_expr when;		/* src NULL: none */
	const char *description;
} cad_task;

typedef struct cad_measure {
	cad_measure_kind kind;
	cad_ref name;
	const char *description;
	/* then: one note in notes[0]; sync, sequence: notes; split: if_true
	 * in notes, if_false in else_notes */
	cad_ref *notes;
	size_t nnotes;
	cad_ref *else_notes;
	size_t nelse;
	cad_merge merge;
	cad_expr when;		/* split */
	cad_ref cadence;	/* child: name or path as written */
	cad_assign *with;	/* child */
	size_t nwith;
	cad_assign *merge_back;	/* child */
	size_t nmerge_back;
	cad_task *tasks;	/* dag; merge is its strategy too */
	size_t ntasks;
	int64_t jobs;		/* dag: tasks at once; 0: one per CPU */
	cad_loc jobs_loc;
	cad_on_failure on_failure;
} cad_measure;

struct cadence_def {
	arena arena;
	/* built from the parts of a file with structural errors that have
	 * none (format/load.c): checked for what they alone decide, never run */
	int partial;
	char *path;		/* as given by the caller */
	char *source;		/* the file as read (owned) */
	const char *text;	/* the text positions count in: source without a BOM */
	size_t text_len;
	cad_ref name;
	const char *description;
	cad_field *fields;
	size_t nfields;
	cad_note *notes;
	size_t nnotes;
	cad_measure *measures;
	size_t nmeasures;
	int has_on_error;
	cad_ref on_error_note;
	int on_error_stop;
	/* precheck: a condition or a note that decides, before the first
	 * measure, whether the cadence runs at all (docs/format.md) */
	int has_precheck;
	cad_loc precheck_loc;
	cad_expr precheck_when;	/* src NULL: none */
	cad_ref precheck_note;	/* name NULL: none */
	cad_schedule schedule;
	/* name -> index in fields, notes, measures: the first of two with one
	 * name (only measures can share one in a file that loaded) */
	strmap field_index, note_index, measure_index;
};

/* ---- names, resolved once ------------------------------------------------
 * The loader and the builder index a cadence's names when they make it, so
 * that every lookup after is constant time: a 10,000-field score must not
 * cost 10,000 comparisons per name. */

/* Indexes fields, notes and measures (cadence_def_free() frees the
 * indexes).  0, or -1 when out of memory. */
int cad_model_index(struct cadence_def *def);
void cad_model_index_free(struct cadence_def *def);

/* The index of the field named name[0, len) in def->fields, or -1. */
long cad_model_field_index_n(const struct cadence_def *def, const char *name, size_t len);
/* The same for a C string, and for notes and measures. */
long cad_model_field_index(const struct cadence_def *def, const char *name);
long cad_model_note_index(const struct cadence_def *def, const char *name);
long cad_model_measure_index(const struct cadence_def *def, const char *name);

/* The declared field nearest to name[0, len) for "did you mean", over
 * all of them (util/suggest.h); NULL when none is close. */
const char *cad_model_near_field(const struct cadence_def *def, const char *name, size_t len);

/* Lookups by name; NULL when absent. */
const cad_field *cad_find_field(const struct cadence_def *def, const char *name);
const cad_note *cad_find_note(const struct cadence_def *def, const char *name);

/* ---- where a cadence is -------------------------------------------------
 * Relative paths in a cadence (a `run` executable, a `child` reference)
 * are relative to the directory of its file; a cadence built in C has no
 * file (path NULL), and builder.h makes them relative to the working
 * directory.  These functions are the one place that decides both. */

/* cad_path_dir_len() (util/path.h) of a cadence's path: path[0, n) put
 * before a relative path makes it relative to that directory; 0 means the
 * working directory. */

/* Appends that prefix for `def` to `out` ("a/b/", "/", or nothing: the
 * working directory).  Nothing to free beyond `out`; out of memory leaves
 * `out` failed, as strbuf does. */
void cad_def_dir(const struct cadence_def *def, strbuf *out);

/* What diagnostics name as the file of `def`: its path, or
 * "<built in code>".  Borrowed from `def` (or static). */
const char *cad_def_file(const struct cadence_def *def);

#endif
