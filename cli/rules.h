/* SPDX-License-Identifier: MIT */
/*
 * A project's rule levels (docs/cli.md, "Rule levels"): the `rules:` of
 * the project file and validate's --disable/--severity turn a rule off or
 * give it another severity; the diagnostics are then rewritten.  Rules of
 * the structural stages cannot be changed (diag/rules.h).
 */
#ifndef CADENCE_CLI_RULES_H
#define CADENCE_CLI_RULES_H

#include <cadence/diag.h>

#include <stddef.h>

#define CLI_RULES_MAX 128	/* more than the rule table has; checked */

typedef enum cli_level {
	CLI_LEVEL_DEFAULT = 0,	/* the rule's own severity */
	CLI_LEVEL_ERROR,
	CLI_LEVEL_WARNING,
	CLI_LEVEL_NOTE,
	CLI_LEVEL_OFF
} cli_level;

typedef struct cli_rule_levels {
	unsigned char level[CLI_RULES_MAX];	/* cli_level, by rule index */
} cli_rule_levels;

typedef struct cli_rules_why {
	enum { CLI_RULES_UNKNOWN, CLI_RULES_STRUCTURAL, CLI_RULES_LEVEL } kind;
	char what[192];		/* what is wrong */
	char help[192];		/* how to fix it */
} cli_rules_why;

/* Sets rule id[0..idlen) to the level named `level` ("off", "error",
 * "warning", "note").  Returns 0, or -1 with what is wrong (an unknown
 * rule, with a did-you-mean; a structural one; an unknown level) in *why. */
int cli_rules_set(cli_rule_levels *l, const char *id, size_t idlen, const char *level,
		  cli_rules_why *why);

/* Rewrites *diags by the levels: a rule turned off is dropped, another
 * level changes the severity.  Returns 0 or CADENCE_ENOMEM. */
int cli_rules_apply(const cli_rule_levels *l, cadence_diags **diags);

/* The rule nearest to id (did-you-mean), or NULL. */
const char *cli_rules_near(const char *id, size_t len);

#endif
