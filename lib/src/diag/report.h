/* SPDX-License-Identifier: MIT */
/* Reporting problems in one source file: positions to source lines, and
 * printf-style messages, on top of the public cadence_diags list. */
#ifndef CADENCE_SRC_DIAG_REPORT_H
#define CADENCE_SRC_DIAG_REPORT_H

#include "cadence/diag.h"

#include <stddef.h>

typedef struct report {
	cadence_diags *diags;
	const char *file;	/* the name shown to users */
	const char *src;	/* whole text, not NUL-terminated */
	size_t len;
	size_t *lines;		/* start offset of each line, built on first use */
	size_t nlines;
	int oom;
} report;

void cad_report_init(report *r, cadence_diags *diags, const char *file,
		 const char *src, size_t len);
void cad_report_release(report *r);

/* Adds a diagnostic at line:col (1-based) underlining `length` code points.
 * `help` may be NULL; `fmt` is the message. */
#if defined(__GNUC__)
__attribute__((format(printf, 8, 9)))
#endif
void cad_report_at(report *r, cadence_severity sev, const char *rule,
	       unsigned line, unsigned col, unsigned length, const char *help,
	       const char *fmt, ...);

/* Converts a byte offset into line:col, counting code points. */
void cad_report_offset_pos(report *r, size_t offset, unsigned *line, unsigned *col);

#endif
