/* SPDX-License-Identifier: MIT */
/* Internal to the diagnostics module: the writers (the rule table, which
 * other modules read, is diag/rules.h). */
#ifndef CADENCE_SRC_DIAG_DIAG_INT_H
#define CADENCE_SRC_DIAG_DIAG_INT_H

#include "cadence/diag.h"
#include "diag/rules.h"

int cad_diag_write_text(const cadence_diags *diags, FILE *out, int with_source,
		    const cadence_diag_write_opts *opts);
int cad_diag_write_json(const cadence_diags *diags, FILE *out,
		    const cadence_diag_write_opts *opts);
/* CADENCE_DIAG_JSON_LINES: the fields of one diagnostic shared with JSON. */
int cad_diag_write_json_lines(const cadence_diags *diags, FILE *out);
int cad_diag_write_sarif(const cadence_diags *diags, FILE *out,
		     const cadence_diag_write_opts *opts);
int cad_diag_write_github(const cadence_diags *diags, FILE *out,
		      const cadence_diag_write_opts *opts);

#endif
