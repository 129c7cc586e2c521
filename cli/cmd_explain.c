/* SPDX-License-Identifier: MIT */
/* cadence explain: a rule's documentation, offline (docs/rules.md, embedded). */
#include "cli.h"
#include "embed.h"
#include "rules.h"

#include "diag/rules.h"

#include <string.h>

static const cli_opt explain_opts[] = {
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static int on_opt(void *p, int id, const char *value)
{
	(void)p, (void)id, (void)value;
	return 0;
}

/* Every rule: id, default severity, summary, one a line. */
static void list_rules(void)
{
	for (size_t i = 0; i < cad_diag_rules_count; i++) {
		const diag_rule *r = &cad_diag_rules[i];
		printf("%-22s %-8s%s\n", r->id,
		       r->severity == CADENCE_SEVERITY_ERROR ? "error" : "warning", r->summary);
	}
}

/* The section "## id" of the embedded rules.md, up to the next "## ". */
static int print_section(const char *id)
{
	const char *doc = (const char *)embed_rules[0].data, *at = doc;
	size_t idlen = strlen(id);
	while ((at = strstr(at, "\n## ")) != NULL) {
		at += 4;
		if (!strncmp(at, id, idlen) && at[idlen] == '\n')
			break;
	}
	if (!at)	/* the table and the document are checked to agree */
		return cli_error(CLI_EXIT_INTERNAL, "rule '%s' has no section in the "
				 "documentation built in", id);
	const char *start = at - 3, *end = strstr(at, "\n## ");
	size_t len = end ? (size_t)(end - start) + 1 : strlen(start);
	while (len > 1 && start[len - 1] == '\n' && start[len - 2] == '\n')
		len--;		/* the blank lines before the next section */
	printf("%.*s%s", (int)len, start, start[len - 1] == '\n' ? "" : "\n");
	return 0;
}

static int explain(const cli_cmd *cmd, int argc, char **argv)
{
	cli_args args;
	int rc;

	if ((rc = cli_parse(cmd, argc, argv, on_opt, NULL, &args)))
		return rc;
	if (args.help) {
		cli_print_help(cmd, stdout);
	} else if (args.npos > 1) {
		rc = cli_usage_error("'cadence explain' takes one rule, not %zu", args.npos);
	} else if (!args.npos) {
		list_rules();
	} else if (cad_diag_rule_index(args.pos[0]) < 0) {
		const char *near = cli_rules_near(args.pos[0], strlen(args.pos[0]));
		rc = near ? cli_usage_error("unknown rule '%s'; did you mean '%s'?", args.pos[0], near)
			  : cli_usage_error("unknown rule '%s'; 'cadence explain' lists the rules",
					    args.pos[0]);
	} else {
		rc = print_section(args.pos[0]);
	}
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_explain = {
	"explain",
	"[RULE]",
	"Print the documentation of a diagnostic rule, or list the rules.",
	"RULE is the id in brackets at the end of a diagnostic ('unused-note').\n"
	"The text is the rule's section of the rules reference (rules.md):\n"
	"what the rule finds, an example with cadence validate's output, and the\n"
	"fix. With no RULE, every rule is listed with its default severity and\n"
	"summary. Exit status: 0, or 2 for an unknown rule (with a did-you-mean).",
	explain_opts,
	explain,
};
