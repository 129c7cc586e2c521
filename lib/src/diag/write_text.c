/* Human output: gcc/rustc style, with the source line and a caret. */
#include "cadence/common.h"
#include "diag/diag_int.h"

#include <string.h>

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_YELLOW "\033[1;33m"
#define C_BLUE "\033[1;34m"
#define C_GREEN "\033[1;32m"

static void put_caret(FILE *out, const cadence_diag *d, int color)
{
	/* pad with the line's own tabs so the caret lines up in any tab width */
	const unsigned char *s = (const unsigned char *)d->source_line;
	for (unsigned col = 1; *s && col < d->column; col++) {
		fputc(*s == '\t' ? '\t' : ' ', out);
		s++;	/* skip the rest of this code point */
		while (*s && (*s & 0xC0) == 0x80)
			s++;
	}
	fputs(color ? C_GREEN "^" : "^", out);
	for (unsigned i = 1; i < d->length; i++)
		fputc('~', out);
	if (color)
		fputs(C_RESET, out);
	fputc('\n', out);
}

static void put_location(FILE *out, const cadence_diag *d)
{
	if (d->line)
		fprintf(out, "%s:%u:%u: ", d->file, d->line, d->column);
	else
		fprintf(out, "%s: ", d->file);
}

int diag_write_text(const cadence_diags *diags, FILE *out, int with_source,
		    const cadence_diag_write_opts *opts)
{
	int color = opts->color;
	size_t n = cadence_diags_count(diags);

	for (size_t i = 0; i < n; i++) {
		const cadence_diag *d = cadence_diags_get(diags, i);
		int err = d->severity == CADENCE_SEVERITY_ERROR;

		if (color)
			fputs(C_BOLD, out);
		put_location(out, d);
		if (color)
			fputs(err ? C_RED : C_YELLOW, out);
		fputs(err ? "error" : "warning", out);
		if (color)
			fputs(C_RESET C_BOLD, out);
		fprintf(out, ": %s", d->message);
		if (color)
			fputs(C_RESET, out);
		fprintf(out, " [%s]\n", d->rule);
		if (!with_source)
			continue;
		if (d->source_line && d->line) {
			int w = fprintf(out, "%5u | ", d->line) - 2;
			fprintf(out, "%s\n", d->source_line);
			fprintf(out, "%*s| ", w, "");
			put_caret(out, d, color);
		}
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
		if (!e && !w)
			fputs("no problems\n", out);
		else
			fprintf(out, "%zu error%s, %zu warning%s\n", e,
				e == 1 ? "" : "s", w, w == 1 ? "" : "s");
	}
	return ferror(out) ? CADENCE_EIO : 0;
}
