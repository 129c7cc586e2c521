/* SPDX-License-Identifier: MIT */
/* Internal to the diagnostics module: the writers and the rule table. */
#ifndef CADENCE_SRC_DIAG_DIAG_INT_H
#define CADENCE_SRC_DIAG_DIAG_INT_H

#include "cadence/diag.h"

typedef struct diag_rule {
	const char *id;
	const char *summary;	/* one line, for SARIF rule metadata */
} diag_rule;

/* Every rule the library can report, in docs/rules.md order. */
extern const diag_rule cad_diag_rules[];
extern const size_t cad_diag_rules_count;
/* Index of rule `id` in cad_diag_rules, or -1. */
long cad_diag_rule_index(const char *id);

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
