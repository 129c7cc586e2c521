/* SPDX-License-Identifier: MIT */
/* cadence validate: every problem in every cadence file, for people and CI. */
#include "cli.h"
#include "config.h"
#include "files.h"

#include <cadence/cadence.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum {
	OPT_FORMAT = 1,
	OPT_COLOR,
	OPT_STDIN_FILENAME,
	OPT_QUIET,
	OPT_STRICT,
	OPT_ALLOW_OUTSIDE_ROOT,
	OPT_DISABLE,
	OPT_SEVERITY,
	OPT_EXCLUDE,
};

static const char *const formats[] = { "text", "oneline", "json", "sarif", "github", NULL };
static const char *const colors[] = { "auto", "always", "never", NULL };

static const cli_opt validate_opts[] = {
	{ OPT_FORMAT, 'f', "format", "FORMAT",
	  "output format (default: the project's format, else github when "
	  "GITHUB_ACTIONS=true, else text)", formats },
	{ OPT_COLOR, 0, "color", "WHEN", "colour the text output (default auto)", colors },
	{ OPT_STDIN_FILENAME, 0, "stdin-filename", "NAME",
	  "the file name to report for '-' (standard input)", NULL },
	{ OPT_QUIET, 'q', "quiet", NULL, "print nothing when there are no problems (json and sarif still print their document)", NULL },
	{ OPT_STRICT, 0, "strict", NULL, "exit 1 on warnings too", NULL },
	CLI_OPT_ALLOW_OUTSIDE_ROOT_ENTRY(OPT_ALLOW_OUTSIDE_ROOT),
	{ OPT_DISABLE, 0, "disable", "RULE", "do not report RULE (repeatable; as 'rules: {RULE: off}')", NULL },
	{ OPT_SEVERITY, 0, "severity", "RULE=LEVEL",
	  "report RULE as error, warning or note, or off (repeatable)", NULL },
	{ OPT_EXCLUDE, 0, "exclude", "GLOB",
	  "skip the files and directories GLOB matches in directory scans (repeatable)", NULL },
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct validate_ctx {
	const char *format;
	const char *color;
	const char *stdin_name;
	int quiet;
	int strict;
	int allow_outside;
	size_t refused;		/* inputs outside their root, not read */
	file_list roots;	/* the project root of each input, in order */
	file_list levels;	/* --disable/--severity, as "RULE=LEVEL", in order */
	file_list exclude;	/* the project's exclude:, then --exclude */
	cli_rule_levels rules;	/* the project's rules:, then the flags */
	int oom;
} validate_ctx;

static int on_opt(void *p, int id, const char *value)
{
	validate_ctx *c = p;
	switch (id) {
	case OPT_FORMAT: c->format = value; break;
	case OPT_COLOR: c->color = value; break;
	case OPT_STDIN_FILENAME: c->stdin_name = value; break;
	case OPT_QUIET: c->quiet = 1; break;
	case OPT_STRICT: c->strict = 1; break;
	case OPT_ALLOW_OUTSIDE_ROOT: c->allow_outside = 1; break;
	case OPT_DISABLE:
		if (strchr(value, '='))
			return cli_usage_error("--disable takes a rule, not '%s'; "
					       "use --severity RULE=LEVEL to change a level", value);
		c->oom |= file_list_add(&c->levels, value) ||
			  file_list_add(&c->levels, "off");
		break;
	case OPT_SEVERITY: {
		const char *eq = strchr(value, '=');
		if (!eq || eq == value)
			return cli_usage_error("--severity takes RULE=LEVEL (LEVEL off, error, "
					       "warning or note), not '%s'", value);
		char *rule = strndup(value, (size_t)(eq - value));
		c->oom |= !rule || file_list_add(&c->levels, rule) ||
			  file_list_add(&c->levels, eq + 1);
		free(rule);
		break;
	}
	case OPT_EXCLUDE: c->oom |= file_list_add(&c->exclude, value) != 0; break;
	}
	return 0;
}

/* The flags' levels over the project file's: a bad rule or level is a
 * usage error, with the rule table's did-you-mean. */
static int flag_levels(validate_ctx *c)
{
	for (size_t i = 0; i + 1 < c->levels.count; i += 2) {
		const char *rule = c->levels.paths[i];
		cli_rules_why why;
		if (cli_rules_set(&c->rules, rule, strlen(rule), c->levels.paths[i + 1], &why))
			return cli_usage_error("%s; %s", why.what, why.help);
	}
	return 0;
}

/* Adds the root of path to c->roots until it has one per input. */
static int add_root(validate_ctx *c, const char *path, int is_dir, size_t inputs)
{
	char *root = files_root(path, is_dir, c->stdin_name);
	if (!root)
		return errno == ENOMEM ? cli_error(CLI_EXIT_INTERNAL, "out of memory")
				       : cli_usage_error("cannot read '%s': %s", path, strerror(errno));
	int rc = 0;
	while (!rc && c->roots.count < inputs)
		rc = file_list_add(&c->roots, root);
	free(root);
	return rc ? cli_error(CLI_EXIT_INTERNAL, "out of memory") : 0;
}

/* Expands the arguments into the list of inputs ("-" stays "-"), and the
 * project root of each into c->roots. */
static int collect(cli_args *args, validate_ctx *c, file_list *inputs)
{
	static char dot[] = ".";
	char *def[] = { dot };
	char **paths = args->npos ? args->pos : def;
	size_t n = args->npos ? args->npos : 1;
	int stdin_seen = 0, rc = 0;

	for (size_t i = 0; i < n && !rc; i++) {
		struct stat st;
		const char *p = paths[i];
		if (!strcmp(p, "-")) {
			if (stdin_seen++)
				return cli_usage_error("'-' (standard input) given twice");
			if (file_list_add(inputs, p))
				return cli_error(CLI_EXIT_INTERNAL, "out of memory");
			rc = add_root(c, p, 0, inputs->count);
			continue;
		}
		if (stat(p, &st))
			return cli_usage_error("cannot read '%s': %s", p, strerror(errno));
		if (S_ISDIR(st.st_mode)) {
			size_t before = inputs->count;
			char *failed = NULL;
			if (files_find(inputs, p, c->allow_outside, &failed)) {
				/* the directory at fault, and a usage error unless out
				 * of memory (issue 14, probe) */
				int e = errno;
				rc = cli_error(e == ENOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE,
					       "cannot list '%s': %s", failed ? failed : p, strerror(e));
				free(failed);
				return rc;
			}
			if (inputs->count == before)
				return cli_usage_error("no *.cadence.yaml files under '%s'; "
						       "name cadence files NAME.cadence.yaml or pass them explicitly", p);
			if (files_exclude(inputs, before, p, &c->exclude) && inputs->count == before)
				return cli_usage_error("every *.cadence.yaml file under '%s' is excluded "
						       "(--exclude, or the project file's exclude:)", p);
		} else if (file_list_add(inputs, p)) {
			return cli_error(CLI_EXIT_INTERNAL, "out of memory");
		}
		rc = add_root(c, p, S_ISDIR(st.st_mode), inputs->count);
	}
	if (!rc && c->stdin_name && !stdin_seen)
		return cli_usage_error("--stdin-filename names standard input, which is not among "
				       "the paths: add '-' (cadence validate --stdin-filename %s -)",
				       c->stdin_name);
	return rc;
}

/* Loads one input into the project; its problems go to diags. */
static int load_one(cadence_project *project, const char *path, const char *root,
		    validate_ctx *c, cadence_diags *diags)
{
	const cadence_def *def = NULL;
	int rc = files_confine(project, strcmp(path, "-") ? path : NULL, root,
			       c->allow_outside, diags);

	if (rc == 1)
		c->refused++;	/* reported in diags */
	if (rc)
		return rc == 1 ? 0 : rc;
	if (!strcmp(path, "-")) {
		char *buf;
		size_t len;
		if (files_read_stream(stdin, CADENCE_DEFAULT_MAX_FILE_SIZE, &buf, &len))
			return files_stdin_error();
		rc = cadence_project_load_buffer(&def, project,
						 c->stdin_name ? c->stdin_name : "<stdin>", buf, len, diags);
		free(buf);
	} else {
		rc = cadence_project_load_file(&def, project, path, diags);
	}
	if (rc == CADENCE_ENOMEM)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory while checking '%s'", path);
	return 0;
}

/* What the project configuration gives validate: the default format
 * (without --format: the project's `format`, file or CADENCE_FORMAT, else
 * github under GitHub Actions, else text), the rules' levels and the
 * exclude patterns, under the flags'.  A project file with problems gives
 * nothing: its problems are in the report. */
static int project_settings(validate_ctx *c, cadence_diag_format *fmt, int project_bad)
{
	cli_config *cfg = NULL;
	int rc = project_bad ? 0 : cli_config_load(NULL, &cfg);
	if (rc)
		return rc;
	if (cfg) {
		const file_list *ex = cli_config_exclude(cfg);
		file_list flags = c->exclude;
		c->rules = *cli_config_rule_levels(cfg);
		c->exclude = (file_list){ 0 };
		for (size_t i = 0; i < ex->count + flags.count && !c->oom; i++)
			c->oom = file_list_add(&c->exclude, i < ex->count ? ex->paths[i]
					       : flags.paths[i - ex->count]) != 0;
		file_list_free(&flags);
	}
	if (c->format) {
		cadence_diag_format_parse(fmt, c->format);
	} else if (cfg && cli_config_origin_of(cfg, CLI_SET_FORMAT) != CLI_CONFIG_DEFAULT) {
		cadence_diag_format_parse(fmt, cli_config_get(cfg, CLI_SET_FORMAT));
	} else {
		const char *gha = getenv("GITHUB_ACTIONS");
		if (gha && !strcmp(gha, "true"))
			*fmt = CADENCE_DIAG_GITHUB;
	}
	cli_config_free(cfg);
	if (c->oom)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	return flag_levels(c);
}

static int validate(const cli_cmd *cmd, int argc, char **argv)
{
	validate_ctx c = { 0 };
	cli_args args;
	file_list inputs = { 0 };
	cadence_diags *diags = NULL;
	cadence_project *project = NULL;
	cadence_diag_format fmt = CADENCE_DIAG_TEXT;
	int rc;

	if ((rc = cli_parse(cmd, argc, argv, on_opt, &c, &args)))
		return rc;
	if (args.help) {
		cli_print_help(cmd, stdout);
		goto out;
	}
	/* the project file's problems (serve.webhooks' expressions, say)
	 * are reported with the cadences' */
	if (cadence_diags_new(&diags) || cadence_project_new(&project, NULL) ||
	    cli_config_check_file(diags)) {
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	if ((rc = project_settings(&c, &fmt, cadence_diags_errors(diags) > 0)))
		goto out;
	if ((rc = collect(&args, &c, &inputs)))
		goto out;
	for (size_t i = 0; i < inputs.count && !rc; i++)
		rc = load_one(project, inputs.paths[i], c.roots.paths[i], &c, diags);
	cadence_check_opts opts = CADENCE_CHECK_OPTS_INIT;
	if (rc || (rc = files_check_all(project, &opts, diags)))
		goto out;
	if (cli_rules_apply(&c.rules, &diags)) {
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	/* -q silences text; a JSON or SARIF report is a document a CI step
	 * reads (or uploads) even when it lists nothing */
	int document = fmt == CADENCE_DIAG_JSON || fmt == CADENCE_DIAG_SARIF;
	if (!(c.quiet && !cadence_diags_count(diags) && !document) &&
	    files_write_diags(diags, stdout, fmt, c.color,
			      cadence_project_file_count(project) + c.refused)) {
		rc = cli_error(CLI_EXIT_INTERNAL, "cannot write the report: %s", strerror(errno));
		goto out;
	}
	rc = cadence_diags_errors(diags) || (c.strict && cadence_diags_warnings(diags))
	     ? CLI_EXIT_PROBLEMS : CLI_EXIT_OK;
out:
	cadence_project_free(project);
	cadence_diags_free(diags);
	file_list_free(&inputs);
	file_list_free(&c.roots);
	file_list_free(&c.levels);
	file_list_free(&c.exclude);
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_validate = {
	"validate",
	"[OPTIONS] [PATH...]",
	"Check cadence files and report every problem with file:line:col.",
	"PATH is a file, a directory (every *.cadence.yaml below it, hidden\n"
	"directories skipped) or '-' for standard input. With no PATH, the current\n"
	"directory is checked. Problems are sorted by file, line and column.\n"
	"\n"
	"Child cadences are loaded and checked with the files that use them.\n"
	"No file outside the project root is read (the nearest directory holding\n"
	".git, else the directory named or the file's): a child cadence or a\n"
	"symbolic link that leads out of it is an outside-root error, and a link\n"
	"met in a directory is skipped, unless --allow-outside-root is given.\n"
	"\n"
	"Exit status: 0 no errors (warnings allowed unless --strict),\n"
	"1 problems found, 2 usage error,\n"
	"3 internal failure (out of memory, cannot write the report).\n"
	"Colour: only on a terminal, and not when NO_COLOR is set (non-empty),\n"
	"unless --color=always.",
	validate_opts,
	validate,
};
