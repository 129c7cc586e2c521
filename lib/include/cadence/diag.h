/* SPDX-License-Identifier: MIT */
/*
 * cadence/diag.h - diagnostics: what is wrong, where, and how to fix it.
 *
 * A cadence_diags collects every problem found by loading and checking, in
 * any order; cadence_diags_sort() orders them by file, line, column.  Each
 * diagnostic carries a copy of its source line, so it can be rendered after
 * the file it came from is gone.
 *
 * Ownership and thread-safety follow cadence/common.h.
 */
#ifndef CADENCE_DIAG_H
#define CADENCE_DIAG_H

#include "cadence/common.h"

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cadence_severity {
	CADENCE_SEVERITY_ERROR = 0,
	CADENCE_SEVERITY_WARNING = 1,
	/* information only: never changes an exit status; no rule has it by
	 * default, a project configuration can give it (docs/cli.md) */
	CADENCE_SEVERITY_NOTE = 2
} cadence_severity;

/* A read-only view of one diagnostic.  Lines and columns are 1-based;
 * columns count Unicode code points.  A position of 0 means "the whole
 * file" (for example an unreadable file). */
typedef struct cadence_diag {
	cadence_severity severity;
	const char *rule;	/* stable id, e.g. "unknown-key" */
	const char *file;
	unsigned line;
	unsigned column;
	unsigned length;	/* code points underlined; 0 = just the caret */
	const char *message;	/* what is wrong */
	const char *help;	/* how to fix it, or NULL */
	const char *source_line;/* the text of `line`, or NULL */
	/* A second place that explains this one (the first definition of a
	 * duplicate key, say), or related_line == 0. */
	unsigned related_line;
	unsigned related_column;
	const char *related_message;
} cadence_diag;

typedef struct cadence_diags cadence_diags;

/* A new, empty list.  Returns 0 or CADENCE_ENOMEM. */
CADENCE_API int cadence_diags_new(cadence_diags **out);
CADENCE_API void cadence_diags_free(cadence_diags *diags);

CADENCE_API size_t cadence_diags_count(const cadence_diags *diags);
CADENCE_API size_t cadence_diags_errors(const cadence_diags *diags);
CADENCE_API size_t cadence_diags_warnings(const cadence_diags *diags);
CADENCE_API size_t cadence_diags_notes(const cadence_diags *diags);
/* The i-th diagnostic (i < count), borrowed from the list. */
CADENCE_API const cadence_diag *cadence_diags_get(const cadence_diags *diags, size_t i);

/* Stable sort by file, line, column, then insertion order. */
CADENCE_API void cadence_diags_sort(cadence_diags *diags);

/*
 * Adds a diagnostic; every string is copied.  `source_line` (may be NULL) is
 * the text of `line` without its line break, `source_line_len` bytes long.
 * `help` may be NULL.  Returns 0 or CADENCE_ENOMEM (the list then remembers
 * that it is incomplete, see cadence_diags_oom()).
 */
CADENCE_API int cadence_diags_add(cadence_diags *diags, cadence_severity severity,
		      const char *rule, const char *file,
		      unsigned line, unsigned column, unsigned length,
		      const char *source_line, size_t source_line_len,
		      const char *message, const char *help);

/* Sets the related location of the diagnostic added last (`message`
 * copied).  Returns 0, CADENCE_EINVAL (no diagnostic yet) or
 * CADENCE_ENOMEM. */
CADENCE_API int cadence_diags_relate(cadence_diags *diags, unsigned line, unsigned column,
			 const char *message);

/* Non-zero when an allocation failed while adding diagnostics. */
CADENCE_API int cadence_diags_oom(const cadence_diags *diags);

/* Output formats of cadence_diags_write(). */
typedef enum cadence_diag_format {
	CADENCE_DIAG_TEXT = 0,	/* path:line:col: error: msg [rule], source, caret */
	CADENCE_DIAG_ONELINE,	/* path:line:col: error: msg [rule] */
	CADENCE_DIAG_JSON,	/* one JSON document, schema in docs/cli.md */
	CADENCE_DIAG_SARIF,	/* SARIF 2.1.0 */
	CADENCE_DIAG_GITHUB,	/* GitHub Actions workflow commands */
	/* one JSON object a line, {"event":"diagnostic", then the fields of
	 * JSON but length and related}, text made UTF-8 and characters unsafe
	 * on a terminal escaped: `cadence run --log json` (docs/run.md); not
	 * a name of cadence_diag_format_parse() */
	CADENCE_DIAG_JSON_LINES
} cadence_diag_format;

typedef struct cadence_diag_write_opts {
	unsigned version;	/* CADENCE_DIAG_WRITE_OPTS_VERSION */
	int color;		/* ANSI colour in TEXT and ONELINE */
	size_t files_checked;	/* reported in JSON and the text summary */
	const char *tool_version; /* SARIF driver version; NULL = library's */
} cadence_diag_write_opts;

#define CADENCE_DIAG_WRITE_OPTS_VERSION 1
#define CADENCE_DIAG_WRITE_OPTS_INIT { CADENCE_DIAG_WRITE_OPTS_VERSION, 0, 0, NULL }

/* Writes every diagnostic in `format` to `out`.  Returns 0, CADENCE_ENOMEM,
 * CADENCE_EINVAL (an unknown format), CADENCE_EVERSION (opts of an
 * unknown version), or CADENCE_EIO when writing failed (checked with
 * ferror). */
CADENCE_API int cadence_diags_write(const cadence_diags *diags, FILE *out,
			cadence_diag_format format,
			const cadence_diag_write_opts *opts);

/* Parses "text", "oneline", "json", "sarif" or "github".  Returns 0, or
 * CADENCE_EINVAL (*out then CADENCE_DIAG_TEXT). */
CADENCE_API int cadence_diag_format_parse(cadence_diag_format *out, const char *name);

#ifdef __cplusplus
}
#endif
#endif
