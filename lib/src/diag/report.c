/* SPDX-License-Identifier: MIT */
#include "diag/report.h"
#include "util/strbuf.h"

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

void cad_report_release(report *r)
{
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
		if (n == cap) {
			size_t *grown = realloc(lines, (cap *= 2) * sizeof(*lines));
			if (!grown) {
				free(lines);
				return -1;
			}
			lines = grown;
		}
		p = nl + 1;
		lines[n++] = (size_t)(p - r->src);
	}
	r->lines = lines;
	r->nlines = n;
	return 0;
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
	unsigned l = 1, c = 1;
	if (offset > r->len)
		offset = r->len;
	for (size_t i = 0; i < offset; i++) {
		unsigned char ch = (unsigned char)r->src[i];
		if (ch == '\n') {
			l++;
			c = 1;
		} else if ((ch & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

void cad_report_at(report *r, cadence_severity sev, const char *rule,
	       unsigned line, unsigned col, unsigned length, const char *help,
	       const char *fmt, ...)
{
	strbuf msg = STRBUF_INIT;
	va_list ap;
	size_t llen = 0;
	const char *ltext;

	va_start(ap, fmt);
	cad_strbuf_vaddf(&msg, fmt, ap);
	va_end(ap);
	ltext = line_text(r, line, &llen);
	if (!cad_strbuf_cstr(&msg) ||
	    cadence_diags_add(r->diags, sev, rule, r->file, line, col, length,
			      ltext, llen, cad_strbuf_cstr(&msg), help))
		r->oom = 1;
	cad_strbuf_free(&msg);
}
