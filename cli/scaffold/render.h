/* SPDX-License-Identifier: MIT */
/*
 * Templates for `cadence init` and `cadence new`: placeholders and the
 * escaping each kind of target file needs.
 *
 * A placeholder is `{{name}}` or `{{name|filter}}`: `{{` directly followed
 * by a lower-case letter or '_'.  Any other `{{` (GitHub's `${{ x }}`, say)
 * is copied as it is.  Filters escape the value for where it goes:
 *
 *   yaml   a YAML scalar: plain when that reads back as the same string,
 *          double-quoted otherwise
 *   sh     one shell word, single-quoted
 *   c      a C string literal, quotes included
 *   json   a JSON string, quotes included
 *
 * Without a filter the value is copied as it is: use that only for values
 * the program made safe (names checked against the name rules).
 */
#ifndef CADENCE_CLI_SCAFFOLD_RENDER_H
#define CADENCE_CLI_SCAFFOLD_RENDER_H

#include "util/strbuf.h"

#include <stddef.h>

typedef struct render_var {
	const char *name;
	const char *value;
} render_var;

/*
 * Appends src[0..len) to `out` with its placeholders replaced.  Returns 0,
 * CADENCE_EINVALID when a placeholder names an unknown variable or filter
 * or is not closed (`why` then says which, with its line), CADENCE_ENOMEM.
 */
int cad_render_template(strbuf *out, const char *src, size_t len,
		    const render_var *vars, size_t nvars, strbuf *why);

/* Appends `value` escaped by `filter` ("yaml", "sh", "c", "json").
 * Returns 0, or -1 for an unknown filter.  Bytes that are not UTF-8
 * become U+FFFD in yaml and json. */
int cad_render_escape(strbuf *out, const char *filter, const char *value);

/* The output path of a template file: each "__name__" replaced by `name`,
 * and a final ".tmpl" (which keeps template cadences out of `cadence
 * validate .`) removed.  Returns 0 or CADENCE_ENOMEM. */
int cad_render_path(strbuf *out, const char *tpath, const char *name);

#endif
