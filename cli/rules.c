/* SPDX-License-Identifier: MIT */
/* A project's rule levels: set from the project file and flags, applied to
 * validate's diagnostics. */
#include "rules.h"

#include "diag/rules.h"
#include "util/suggest.h"

#include <stdio.h>
#include <string.h>

static const char *const level_names[] = { "error", "warning", "note", "off" };

const char *cli_rules_near(const char *id, size_t len)
{
	return cad_suggest_pick_in(id, len, cad_diag_rules, cad_diag_rules_count,
				   sizeof(*cad_diag_rules), offsetof(diag_rule, id));
}

static long rule_index(const char *id, size_t len)
{
	for (size_t i = 0; i < cad_diag_rules_count; i++)
		if (strlen(cad_diag_rules[i].id) == len && !memcmp(cad_diag_rules[i].id, id, len))
			return (long)i;
	return -1;
}

int cli_rules_set(cli_rule_levels *l, const char *id, size_t idlen, const char *level,
		  cli_rules_why *why)
{
	char *help = why->help;
	size_t helpsize = sizeof(why->help);
	long i = rule_index(id, idlen);
	if (i < 0 || i >= CLI_RULES_MAX) {
		const char *near = cli_rules_near(id, idlen);
		if (near)
			snprintf(help, helpsize, "did you mean '%s'?", near);
		else
			snprintf(help, helpsize, "'cadence explain' lists the rules");
		why->kind = CLI_RULES_UNKNOWN;
		snprintf(why->what, sizeof(why->what), "unknown rule '%.*s'", (int)idlen, id);
		return -1;
	}
	size_t k = 0;
	while (k < 4 && strcmp(level, level_names[k]))
		k++;
	if (k == 4) {
		snprintf(help, helpsize, "write off, error, warning or note");
		why->kind = CLI_RULES_LEVEL;
		snprintf(why->what, sizeof(why->what), "unknown level '%s' for rule '%.*s'", level,
			 (int)idlen, id);
		return -1;
	}
	if (cad_diag_rules[i].structural) {
		snprintf(help, helpsize, "fix the file instead: a file that %s refuses cannot "
			 "be run ('cadence explain %s')", cad_diag_rules[i].id, cad_diag_rules[i].id);
		why->kind = CLI_RULES_STRUCTURAL;
		snprintf(why->what, sizeof(why->what), "rule '%.*s' is structural and cannot be turned off "
			 "or given another level", (int)idlen, id);
		return -1;
	}
	l->level[i] = (unsigned char)(CLI_LEVEL_ERROR + k);
	return 0;
}

int cli_rules_apply(const cli_rule_levels *l, cadence_diags **diags)
{
	cadence_diags *out = NULL;
	int changed = 0;
	for (size_t i = 0; i < CLI_RULES_MAX; i++)
		changed |= l->level[i] != CLI_LEVEL_DEFAULT;
	if (!changed)
		return 0;
	if (cadence_diags_new(&out))
		return CADENCE_ENOMEM;
	for (size_t i = 0; i < cadence_diags_count(*diags); i++) {
		const cadence_diag *d = cadence_diags_get(*diags, i);
		long r = cad_diag_rule_index(d->rule);
		cli_level lv = r >= 0 && r < CLI_RULES_MAX ? l->level[r] : CLI_LEVEL_DEFAULT;
		cadence_severity sev = lv == CLI_LEVEL_DEFAULT ? d->severity
				       : (cadence_severity)(lv - CLI_LEVEL_ERROR);
		if (lv == CLI_LEVEL_OFF)
			continue;
		if (cadence_diags_add(out, sev, d->rule, d->file, d->line, d->column, d->length,
				      d->source_line, d->source_line ? strlen(d->source_line) : 0,
				      d->message, d->help) ||
		    (d->related_line && cadence_diags_relate(out, d->related_line,
							     d->related_column, d->related_message))) {
			cadence_diags_free(out);
			return CADENCE_ENOMEM;
		}
	}
	cadence_diags_free(*diags);
	*diags = out;
	return 0;
}
