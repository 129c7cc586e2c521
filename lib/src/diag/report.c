/* SPDX-License-Identifier: MIT */
#include "diag/report.h"
#include "diag/diag_int.h"
#include "util/grow.h"
#include "util/strbuf.h"
#include "util/utf8.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cad_report_init(report *r, cadence_diags *diags, const char *file,
		 const char *src, size_t len)
{
	memset(r, 0, sizeof(*r));
	r->diags = diags;
	r->file = file;
	r->src = src;
	r->len = len;
}

static void report_dropped_lines(report *r);

void cad_report_release(report *r)
{
	if (r->per_rule)
		report_dropped_lines(r);
	free(r->per_rule);
	r->per_rule = NULL;
	free(r->lines);
	r->lines = NULL;
	r->nlines = 0;
}

static int build_lines(report *r)
{
	size_t cap = 64, n = 0;
	size_t *lines = malloc(cap * sizeof(*lines));
	const char *p = r->src, *end = r->src + r->len;

	if (!lines)
		return -1;
	lines[n++] = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		if (CAD_GROW(lines, cap, n + 1, 64)) {
			free(lines);
			return -1;
		}
		p = nl + 1;
		lines[n++] = (size_t)(p - r->src);
	}
	r->lines = lines;
	r->nlines = n;
	return 0;
}

const char *cad_report_line_start(report *r, unsigned line)
{
	if (!line || !r->src || (!r->lines && build_lines(r)) || line > r->nlines)
		return NULL;
	return r->src + r->lines[line - 1];
}

static const char *line_text(report *r, unsigned line, size_t *len)
{
	if (!line || !r->src || (!r->lines && build_lines(r)) || line > r->nlines)
		return NULL;
	size_t start = r->lines[line - 1];
	size_t stop = line < r->nlines ? r->lines[line] - 1 : r->len;
	if (stop > start && r->src[stop - 1] == '\r')
		stop--;
	if (stop < start)
		stop = start;
	/* very long lines (minified JSON, say) are cut for display */
	if (stop - start > 512)
		stop = start + 512;
	*len = stop - start;
	return r->src + start;
}

void cad_report_offset_pos(report *r, size_t offset, unsigned *line, unsigned *col)
{
	unsigned l = 1;
	size_t start = 0;
	if (offset > r->len)
		offset = r->len;
	for (size_t i = 0; i < offset; i++)
		if (r->src[i] == '\n')
			l++, start = i + 1;
	*line = l;
	*col = 1 + (unsigned)cad_utf8_count(r->src + start, offset - start);
}

/* Counts a diagnostic of `rule` against the cap: 0 to add it, 1 when it
 * is dropped (and counted).  Without memory for the counts nothing is
 * dropped: the cap keeps output small, it is not needed to be right. */
static int over_cap(report *r, cadence_severity sev, const char *rule,
		    unsigned line, unsigned col, unsigned length)
{
	long i = cad_diag_rule_index(rule);
	if (i < 0)
		return 0;
	if (!r->per_rule && !(r->per_rule = calloc(cad_diag_rules_count, sizeof(*r->per_rule))))
		return 0;
	report_dropped *d = &r->per_rule[i];
	if (d->kept < CAD_REPORT_MAX_PER_RULE) {
		d->kept++;
		return 0;
	}
	if (!d->dropped++) {
		d->line = line;
		d->col = col;
		d->length = length;
		d->severity = sev;
	} else if (sev == CADENCE_SEVERITY_ERROR) {
		d->severity = sev;
	}
	return 1;
}

int cad_report_capped(const report *r, const char *rule)
{
	long i = cad_diag_rule_index(rule);
	return i >= 0 && r->per_rule && r->per_rule[i].kept >= CAD_REPORT_MAX_PER_RULE;
}

static void report_add(report *r, cadence_severity sev, const char *rule,
		      unsigned line, unsigned col, unsigned length, const char *help,
		      const char *msg)
{
	size_t llen = 0;
	const char *ltext = line_text(r, line, &llen);
	if (!msg || cadence_diags_add(r->diags, sev, rule, r->file, line, col, length,
				      ltext, llen, msg, help))
		r->oom = 1;
}

int cad_report_vat(report *r, cadence_severity sev, const char *rule,
		   unsigned line, unsigned col, unsigned length, const char *help,
		   const char *fmt, va_list ap)
{
	strbuf msg = STRBUF_INIT;

	/* before formatting: a dropped diagnostic must cost next to nothing */
	if (over_cap(r, sev, rule, line, col, length))
		return 1;
	cad_strbuf_vaddf(&msg, fmt, ap);
	report_add(r, sev, rule, line, col, length, help, cad_strbuf_cstr(&msg));
	cad_strbuf_free(&msg);
	return 0;
}

int cad_report_at(report *r, cadence_severity sev, const char *rule,
	       unsigned line, unsigned col, unsigned length, const char *help,
	       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int dropped = cad_report_vat(r, sev, rule, line, col, length, help, fmt, ap);
	va_end(ap);
	return dropped;
}

static void report_dropped_lines(report *r)
{
	for (size_t i = 0; i < cad_diag_rules_count; i++) {
		const report_dropped *d = &r->per_rule[i];
		strbuf msg = STRBUF_INIT;
		if (!d->dropped)
			continue;
		cad_strbuf_addf(&msg, "%zu more %s diagnostic%s not shown (at most %d of one rule "
				"are listed per file); the first of them is here",
				d->dropped, cad_diag_rules[i].id, d->dropped == 1 ? "" : "s",
				CAD_REPORT_MAX_PER_RULE);
		report_add(r, d->severity, cad_diag_rules[i].id, d->line, d->col, d->length,
			   "fix the problems shown and check again to see the rest",
			   cad_strbuf_cstr(&msg));
		cad_strbuf_free(&msg);
	}
}
