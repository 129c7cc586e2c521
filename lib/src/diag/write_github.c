/* SPDX-License-Identifier: MIT */
/* GitHub Actions workflow commands: annotations on the pull request diff.
 * Escaping as the runner's toolkit does it (command.ts): data escapes %, CR
 * and LF; property values also escape ':' and ','. */
#include "cadence/common.h"
#include "diag/diag_int.h"

static void put_escaped(FILE *out, const char *s, int property)
{
	for (; *s; s++) {
		switch (*s) {
		case '%': fputs("%25", out); break;
		case '\r': fputs("%0D", out); break;
		case '\n': fputs("%0A", out); break;
		case ':': if (property) { fputs("%3A", out); break; } fputc(*s, out); break;
		case ',': if (property) { fputs("%2C", out); break; } fputc(*s, out); break;
		default: fputc(*s, out);
		}
	}
}

int cad_diag_write_github(const cadence_diags *diags, FILE *out,
		      const cadence_diag_write_opts *opts)
{
	(void)opts;
	size_t n = cadence_diags_count(diags);
	for (size_t i = 0; i < n; i++) {
		const cadence_diag *d = cadence_diags_get(diags, i);
		fputs(d->severity == CADENCE_SEVERITY_ERROR ? "::error file="
		      : d->severity == CADENCE_SEVERITY_WARNING ? "::warning file="
		      : "::notice file=", out);
		put_escaped(out, d->file, 1);
		if (d->line) {
			fprintf(out, ",line=%u,col=%u", d->line, d->column);
			if (d->length)
				fprintf(out, ",endColumn=%u", d->column + d->length);
		}
		fputs(",title=", out);
		put_escaped(out, d->rule, 1);
		fputs("::", out);
		put_escaped(out, d->message, 0);
		if (d->help) {
			fputs(". ", out);
			put_escaped(out, d->help, 0);
		}
		fputc('\n', out);
	}
	return ferror(out) ? CADENCE_EIO : 0;
}
