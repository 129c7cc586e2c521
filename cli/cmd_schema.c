/* SPDX-License-Identifier: MIT */
/* cadence schema: the JSON Schema of the file format, for editors. */
#include "cli.h"

#include <cadence/cadence.h>
#include <cadence/schema.h>

#include <stdlib.h>

static const cli_opt schema_opts[] = {
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static int on_opt(void *p, int id, const char *value)
{
	(void)p, (void)id, (void)value;
	return 0;
}

static int schema(const cli_cmd *cmd, int argc, char **argv)
{
	cli_args args;
	char *text = NULL;
	int rc;

	if ((rc = cli_parse(cmd, argc, argv, on_opt, NULL, &args)))
		return rc;
	if (args.help) {
		cli_print_help(cmd, stdout);
	} else if (args.npos) {
		rc = cli_usage_error("'cadence schema' takes no arguments; redirect the output to save it");
	} else if (cadence_schema_json(&text)) {
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
	} else {
		puts(text);
	}
	free(text);
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_schema = {
	"schema",
	"",
	"Print the JSON Schema (draft-07) of the cadence file format.",
	"Editors use it to validate and complete *.cadence.yaml files; see\n"
	"editors.md. The same schema is installed as cadence.schema.json.\n"
	"It checks the shape of a file only: run 'cadence validate' for the rest.",
	schema_opts,
	schema,
};
