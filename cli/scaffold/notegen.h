/* SPDX-License-Identifier: MIT */
/*
 * The pieces of a new note (`cadence new note`): its YAML declaration, the
 * placeholder output of a shell note and the code of a C note, from the
 * options given and, when the note goes into a cadence, the types of that
 * cadence's score fields.
 */
#ifndef CADENCE_CLI_SCAFFOLD_NOTEGEN_H
#define CADENCE_CLI_SCAFFOLD_NOTEGEN_H

#include "cadence/load.h"
#include "util/strbuf.h"

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct notegen {
	const char *name;
	int lang_c;			/* symbol: NAME instead of run: */
	const char *run_path;		/* sh: the command, relative to the cadence */
	long long retry;		/* attempts; 0: no retry policy */
	const char *timeout;		/* a checked duration, or NULL */
	const cJSON *fallback;		/* an object, or NULL */
	const char *const *reads;
	size_t nreads;
	const char *const *writes;
	size_t nwrites;
	const cadence_def *def;		/* the cadence it goes into, or NULL */
} notegen;

/* The declaration's lines, each "key: value" without indentation, as a
 * NULL-terminated array of malloc'd strings (free with cad_notegen_lines_free).
 * Returns 0 or CADENCE_ENOMEM. */
int cad_notegen_fields(const notegen *g, char ***out, size_t *n);
void cad_notegen_lines_free(char **lines);

/* Appends a YAML flow value for `v`: {a: 1, b: [x, "y z"]}. */
void cad_notegen_yaml_flow(strbuf *out, const cJSON *v);

/* The placeholder output of the note: a JSON object with each written
 * field set to a value of its declared type ("" 0 false [] {}), null when
 * the type is unknown. */
void cad_notegen_changes_json(const notegen *g, strbuf *out);

/* C statements for the template of a C note: comments on reading the
 * fields it reads, and the " ||\n\t    !cJSON_Add...(out, ...)" terms that
 * set the fields it writes. */
void cad_notegen_c_reads(const notegen *g, strbuf *out);
void cad_notegen_c_changes(const notegen *g, strbuf *out);

/* "a, b" or "(nothing declared)", for comments. */
void cad_notegen_list(strbuf *out, const char *const *names, size_t n);

#endif
