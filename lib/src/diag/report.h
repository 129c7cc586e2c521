/* SPDX-License-Identifier: MIT */
/* Reporting problems in one source file: positions to source lines, and
 * printf-style messages, on top of the public cadence_diags list. */
#ifndef CADENCE_SRC_DIAG_REPORT_H
#define CADENCE_SRC_DIAG_REPORT_H

#include "cadence/diag.h"

#include <stdarg.h>
#include <stddef.h>

/* Diagnostics of one rule in one report past CAD_REPORT_MAX_PER_RULE:
 * counted, and summed up in one line when the report is released. */
typedef struct report_dropped {
	size_t kept, dropped;
	cadence_severity severity;	/* the gravest dropped */
	unsigned line, col, length;	/* of the first dropped */
} report_dropped;

/* At most this many diagnostics of one rule are kept per report (one file
 * read, or one file checked): a file within the documented limits can
 * hold millions of one problem, and the output must stay readable and
 * small.  docs/cli.md states the number. */
#define CAD_REPORT_MAX_PER_RULE 100

typedef struct report {
	cadence_diags *diags;
	const char *file;	/* the name shown to users */
	const char *src;	/* whole text, not NUL-terminated */
	size_t len;
	size_t *lines;		/* start offset of each line, built on first use */
	size_t nlines;
	report_dropped *per_rule;	/* by cad_diag_rules index, on first use */
	int oom;
} report;

void cad_report_init(report *r, cadence_diags *diags, const char *file,
		 const char *src, size_t len);
/* Where line `line` (1-based) of the text starts, in constant time (the
 * lines are indexed on first use), or NULL when there is no such line or
 * no memory for the index. */
const char *cad_report_line_start(report *r, unsigned line);
/* Adds a line for each rule that had diagnostics dropped (the count, at
 * the first dropped), then frees what the report holds. */
void cad_report_release(report *r);

/* Adds a diagnostic at line:col (1-based) underlining `length` code points.
 * `help` may be NULL; `fmt` is the message.  Returns 0, or 1 when the
 * diagnostic was dropped, its rule being past CAD_REPORT_MAX_PER_RULE
 * (nothing is added: a related location must not be either). */
#if defined(__GNUC__)
__attribute__((format(printf, 8, 9)))
#endif
int cad_report_at(report *r, cadence_severity sev, const char *rule,
	       unsigned line, unsigned col, unsigned length, const char *help,
	       const char *fmt, ...);

/* Whether the next diagnostic of `rule` would be dropped: what only it
 * would show (a did-you-mean) need not be computed. */
int cad_report_capped(const report *r, const char *rule);

/* As cad_report_at(), with the arguments of `fmt` in `ap`. */
int cad_report_vat(report *r, cadence_severity sev, const char *rule,
		   unsigned line, unsigned col, unsigned length, const char *help,
		   const char *fmt, va_list ap);

/* Converts a byte offset into line:col, counting code points. */
void cad_report_offset_pos(report *r, size_t offset, unsigned *line, unsigned *col);

#endif
