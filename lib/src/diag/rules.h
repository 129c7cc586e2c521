/* SPDX-License-Identifier: MIT */
/* The rule table (rules.c), for the modules that name rules: check/ gives
 * an unknown rule of a `# cadence-ignore:` comment a did-you-mean. */
#ifndef CADENCE_SRC_DIAG_RULES_H
#define CADENCE_SRC_DIAG_RULES_H

#include "cadence/diag.h"

#include <stddef.h>

/* A rule as docs/rules.md documents it (the SARIF rule metadata). */
typedef struct diag_rule {
	const char *id;
	cadence_severity severity;	/* the default severity */
	const char *summary;		/* one line */
	const char *description;	/* the section's first paragraph, plain text */
	/* of the stages before the meaning is checked (reading the file,
	 * YAML, structure): the rest of the check depends on what they
	 * refuse, so a configuration cannot turn them off */
	int structural;
} diag_rule;

/* Every rule the library can report, in docs/rules.md order. */
extern const diag_rule cad_diag_rules[];
extern const size_t cad_diag_rules_count;
/* Index of rule `id` in cad_diag_rules, or -1. */
long cad_diag_rule_index(const char *id);

#endif
