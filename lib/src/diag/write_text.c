/* SPDX-License-Identifier: MIT */
/* Human output: gcc/rustc style, with the source line and a caret. */
#include "cadence/common.h"
#include "diag/diag_int.h"
#include "util/utf8.h"

#include <string.h>

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_YELLOW "\033[1;33m"
#define C_BLUE "\033[1;34m"
#define C_GREEN "\033[1;32m"

/* Lines longer than this many code points are shown as a window around the
 * column, so a minified or generated file does not flood the terminal. */
#define LINE_WINDOW 120
#define LINE_CONTEXT 40

static const char *skip_cp(const char *s)
{
	return s + cad_utf8_char_len(s, SIZE_MAX);
}

/* The columns the character at s takes on a terminal (cad_utf8_width());
 * an invalid byte, shown as U+FFFD, takes 1. */
static unsigned cp_width(const char *s)
{
	uint32_t cp;
	size_t n = cad_utf8_char_len(s, SIZE_MAX);
	if (cad_utf8_decode((const unsigned char *)s, n, &cp) != n)
		return 1;
	return (unsigned)cad_utf8_width(cp);
}

/* The caret line: padding up to the character of column `col` (counted
 * in code points from `first`, at `from`), then `^~~` under the `len`
 * characters there.  Both go by display width, so a caret stands under
 * its character after CJK text or emoji (2 columns each) and combining
 * marks (0); the line's own tabs pad, to line up in any tab width. */
static void put_caret(FILE *out, const char *from, unsigned first,
		      unsigned col, unsigned len, int color)
{
	unsigned width = 0, i;
	for (unsigned c = first; c < col && *from; c++, from = skip_cp(from)) {
		if (*from == '\t')
			fputc('\t', out);
		else
			fprintf(out, "%*s", (int)cp_width(from), "");
	}
	/* what the span has past the line's end counts 1 a character */
	for (i = 0; i < len && *from; i++, from = skip_cp(from))
		width += *from == '\t' ? 1 : cp_width(from);
	width += len - i;
	fputs(color ? C_GREEN "^" : "^", out);
	for (i = 1; i < width; i++)
		fputc('~', out);
	if (color)
		fputs(C_RESET, out);
	fputc('\n', out);
}

/* Prints the source line (or a window of it) and the caret underline. */
static void put_source(FILE *out, const cadence_diag *d, int color)
{
	const char *s = d->source_line, *from = s, *to;
	unsigned cps = 0, first = 1, col = d->column;
	unsigned len = d->length ? d->length : 1;
	int cut_left = 0, cut_right = 0;

	for (const char *p = s; *p; p = skip_cp(p))
		cps++;
	if (cps > LINE_WINDOW) {
		if (col > LINE_CONTEXT + 1) {
			first = col - LINE_CONTEXT;
			cut_left = 1;
		}
		if (len > LINE_WINDOW - LINE_CONTEXT)
			len = LINE_WINDOW - LINE_CONTEXT;
	}
	for (unsigned i = 1; i < first && *from; i++)
		from = skip_cp(from);
	to = from;
	for (unsigned i = 0; *to && (cps <= LINE_WINDOW || i < LINE_WINDOW); i++)
		to = skip_cp(to);
	cut_right = *to != '\0';

	int w = fprintf(out, "%5u | ", d->line) - 2;
	fprintf(out, "%s%.*s%s\n", cut_left ? "..." : "", (int)(to - from), from,
		cut_right ? "..." : "");
	fprintf(out, "%*s| %s", w, "", cut_left ? "   " : "");
	put_caret(out, from, first, col, len, color);
}

static void put_location(FILE *out, const cadence_diag *d)
{
	if (d->line)
		fprintf(out, "%s:%u:%u: ", d->file, d->line, d->column);
	else
		fprintf(out, "%s: ", d->file);
}

int cad_diag_write_text(const cadence_diags *diags, FILE *out, int with_source,
		    const cadence_diag_write_opts *opts)
{
	int color = opts->color;
	size_t n = cadence_diags_count(diags);

	for (size_t i = 0; i < n; i++) {
		const cadence_diag *d = cadence_diags_get(diags, i);
		static const char *const names[] = { "error", "warning", "note" };
		static const char *const colors[] = { C_RED, C_YELLOW, C_BLUE };
		unsigned sev = d->severity <= CADENCE_SEVERITY_NOTE ? d->severity : 0;

		if (color)
			fputs(C_BOLD, out);
		put_location(out, d);
		if (color)
			fputs(colors[sev], out);
		fputs(names[sev], out);
		if (color)
			fputs(C_RESET C_BOLD, out);
		fprintf(out, ": %s", d->message);
		if (color)
			fputs(C_RESET, out);
		fprintf(out, " [%s]\n", d->rule);
		if (!with_source)
			continue;
		if (d->source_line && d->line)
			put_source(out, d, color);
		if (d->help)
			fprintf(out, "%s  = help:%s %s\n", color ? C_BLUE : "",
				color ? C_RESET : "", d->help);
		if (d->related_line)
			fprintf(out, "%s  = note:%s %s at %s:%u:%u\n",
				color ? C_BLUE : "", color ? C_RESET : "",
				d->related_message, d->file, d->related_line,
				d->related_column);
	}
	if (with_source && opts->files_checked) {
		size_t e = cadence_diags_errors(diags), w = cadence_diags_warnings(diags);
		fprintf(out, "%schecked %zu file%s: ", n ? "\n" : "",
			opts->files_checked, opts->files_checked == 1 ? "" : "s");
		size_t notes = cadence_diags_notes(diags);
		if (!e && !w && !notes)
			fputs("no problems\n", out);
		else
			fprintf(out, "%zu error%s, %zu warning%s", e,
				e == 1 ? "" : "s", w, w == 1 ? "" : "s");
		if (notes)	/* said only when a configuration makes notes */
			fprintf(out, ", %zu note%s", notes, notes == 1 ? "" : "s");
		if (e || w || notes)
			fputc('\n', out);
	}
	return ferror(out) ? CADENCE_EIO : 0;
}
