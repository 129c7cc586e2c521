/* SPDX-License-Identifier: MIT */
/* cadence export argo: a cadence as an Argo Workflows manifest whose tasks
 * run `cadence step` (docs/export.md). */
#include "cli.h"
#include "files.h"

#include <cadence/cadence.h>
#include <cadence/export.h>

#include <stdlib.h>
#include <string.h>


enum {
	OPT_KIND = 1,
	OPT_IMAGE,
	OPT_PATH,
	OPT_WORKDIR,
	OPT_PLUGIN,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_STRICT,
	OPT_ALLOW_OUTSIDE_ROOT,
};

static const char *const kinds[] = { "workflow", "template", "cron", NULL };
static const char *const formats[] = { "yaml", "json", NULL };

static const cli_opt argo_opts[] = {
	{ OPT_KIND, 'k', "kind", "KIND",
	  "a Workflow, a WorkflowTemplate or a CronWorkflow from schedule: (default workflow)",
	  kinds },
	{ OPT_IMAGE, 0, "image", "IMAGE",
	  "the container image holding cadence and the project (default cadence:latest)", NULL },
	{ OPT_PATH, 0, "path", "PATH",
	  "the cadence file's path in the image (default: FILE as given, relative)", NULL },
	{ OPT_WORKDIR, 0, "workdir", "DIR", "the containers' working directory", NULL },
	{ OPT_PLUGIN, 'p', "plugin", "PATH.so",
	  "a plugin's path in the image, passed to every step (repeatable)", NULL },
	{ OPT_FORMAT, 'f', "format", "FORMAT", "yaml (default) or json", formats },
	{ OPT_OUTPUT, 'o', "output", "FILE",
	  "write to FILE, atomically, instead of standard output", NULL },
	{ OPT_STRICT, 0, "strict", NULL,
	  "fail (exit 1, nothing written) when anything cannot be expressed", NULL },
	CLI_OPT_ALLOW_OUTSIDE_ROOT_ENTRY(OPT_ALLOW_OUTSIDE_ROOT),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct argo_ctx {
	cadence_argo_opts o;
	const char **plugins;
	size_t nplugins;
	const char *output;
	int strict, allow_outside, oom;
} argo_ctx;

static int on_opt(void *p, int id, const char *value)
{
	argo_ctx *c = p;
	switch (id) {
	case OPT_KIND: cadence_argo_kind_parse(&c->o.kind, value); break;
	case OPT_IMAGE: c->o.image = value; break;
	case OPT_PATH: c->o.path = value; break;
	case OPT_WORKDIR: c->o.workdir = value; break;
	case OPT_FORMAT: c->o.json = !strcmp(value, "json"); break;
	case OPT_OUTPUT: c->output = value; break;
	case OPT_STRICT: c->strict = 1; break;
	case OPT_ALLOW_OUTSIDE_ROOT: c->allow_outside = 1; break;
	case OPT_PLUGIN: return cli_add_value(&c->plugins, &c->nplugins, value);
	}
	return 0;
}

static int braces(const char *what, const char *value)
{
	return cli_usage_error("%s '%s' holds '{{', which Argo replaces as one of its "
			       "variables (it has no escape); rename it%s", what, value,
			       strcmp(what, "FILE") ? "" : ", or give its path in the image "
			       "with --path");
}

/* Values Argo would carry but cadence's steps could not use. */
static int check_values(const argo_ctx *c, const char *file)
{
	if (c->o.image && !*c->o.image)
		return cli_usage_error("--image is empty; give the image that holds cadence and "
				       "the project, such as registry.example/shop:1.4");
	if (!c->o.path && (!strcmp(file, "-") || file[0] == '/'))
		return cli_usage_error("the steps name the cadence file by its path in the image, "
				       "and '%s' is %s; give it with --path (such as --path "
				       "cadences/shop.cadence.yaml)", file,
				       file[0] == '/' ? "an absolute path on this machine"
				       : "standard input");
	const char *const named[] = { "--path", c->o.path, "--image", c->o.image,
				      "--workdir", c->o.workdir, "FILE", c->o.path ? NULL : file };
	for (size_t i = 0; i < 8; i += 2)
		if (named[i + 1] && strstr(named[i + 1], "{{"))
			return braces(named[i], named[i + 1]);
	for (size_t i = 0; i < c->nplugins; i++)
		if (strstr(c->plugins[i], "{{"))
			return braces("--plugin", c->plugins[i]);
	return 0;
}

static int export_error(int rc, const char *file)
{
	switch (rc) {
	case CADENCE_ENOTFOUND:
		return cli_usage_error("'%s' has no schedule:, so it has no CronWorkflow; add a "
				       "schedule: (cadence.yaml(5), SCHEDULE) or export --kind workflow", file);
	case CADENCE_EINVALID:
		return cli_error(CLI_EXIT_PROBLEMS, "'%s' cannot be exported to Argo as it is "
				 "(see above); nothing was written", file);
	case CADENCE_ELIMIT:
		return cli_error(CLI_EXIT_PROBLEMS, "the manifest of '%s' would be 1 MB or more, "
				 "more than Kubernetes stores in one object; split the cadence "
				 "into child cadences", file);
	case CADENCE_EINVAL:
		return cli_usage_error("cannot export '%s': a path or option Argo cannot carry",
				       file);
	default:
		return cli_error(CLI_EXIT_INTERNAL, "cannot export '%s': %s", file,
				 cadence_strerror(rc));
	}
}

static int export(argo_ctx *c, const char *file)
{
	cadence_diags *diags = NULL, *warnings = NULL;
	cadence_project *project = NULL;
	const cadence_def *def = NULL;
	char *data = NULL;
	size_t len = 0;
	int rc;

	c->o.plugins = c->plugins;
	c->o.nplugins = c->nplugins;
	if ((rc = check_values(c, file)) ||
	    (rc = files_output_check(c->output, "manifest", "; nothing was exported")))
		return rc;
	if (cadence_diags_new(&diags) || cadence_diags_new(&warnings) ||
	    cadence_project_new(&project, NULL)) {
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	if ((rc = files_load_checked(project, file, NULL, c->allow_outside, diags, &def, "export argo",
				     "to export it")))
		goto out;
	for (size_t i = 0; c->output && strcmp(c->output, "-") &&
			   i < cadence_project_count(project); i++) {
		const char *in = cadence_def_path(cadence_project_get(project, i));
		if (in && files_same_output(c->output, in)) {
			rc = cli_usage_error("cannot write the manifest to '%s': it is the cadence "
					     "file '%s', which the export reads; give another path",
					     c->output, in);
			goto out;
		}
	}
	if ((rc = cadence_export_argo(&data, &len, def, &c->o, warnings))) {
		if (rc == CADENCE_EINVALID)
			files_write_diags(warnings, stderr, CADENCE_DIAG_TEXT, NULL, 0);
		rc = export_error(rc, file);
		goto out;
	}
	if (cadence_diags_count(warnings))
		files_write_diags(warnings, stderr, CADENCE_DIAG_TEXT, NULL, 0);
	if (c->strict && cadence_diags_count(warnings))
		rc = cli_error(CLI_EXIT_PROBLEMS, "--strict: %zu thing(s) of '%s' cannot be "
			       "expressed in Argo (see above); nothing was written",
			       cadence_diags_count(warnings), file);
	else
		rc = files_output_write(c->output, "manifest", data, len, "");
out:
	free(data);
	cadence_project_free(project);
	cadence_diags_free(diags);
	cadence_diags_free(warnings);
	return rc;
}

static int export_argo(const cli_cmd *cmd, int argc, char **argv)
{
	argo_ctx c;
	cli_args args;
	int rc;

	memset(&c, 0, sizeof(c));
	c.o = (cadence_argo_opts)CADENCE_ARGO_OPTS_INIT;
	if ((rc = cli_parse(cmd, argc, argv, on_opt, &c, &args)))
		goto out;
	if (args.help)
		cli_print_help(cmd, stdout);
	else if (args.npos != 1)
		rc = cli_usage_error("'cadence export argo' exports one cadence FILE; %zu %s given; "
				     "see 'cadence export argo --help'", args.npos,
				     args.npos == 1 ? "was" : "were");
	else
		rc = export(&c, args.pos[0]);
	cli_args_free(&args);
out:
	free(c.plugins);
	return rc;
}

const cli_cmd cli_cmd_export_argo = {
	"export argo",
	"[OPTIONS] FILE",
	"Write a cadence as an Argo Workflows manifest whose tasks run 'cadence step'.",
	"FILE is checked first, with its child cadences: a file with errors is not\n"
	"exported (exit 1). Each note of a then, sequence or sync is a DAG task\n"
	"running 'cadence step' in IMAGE, with its retry as the template's\n"
	"retryStrategy, its timeout as activeDeadlineSeconds and its fallback as a\n"
	"task that depends on its failure; a sync's merge is a task of its own; a\n"
	"split, child or dag is one task running the whole measure. The score\n"
	"travels between tasks as artifacts (the cluster needs an artifact\n"
	"repository). on_error is the workflow's exit handler; --kind cron makes\n"
	"a CronWorkflow from the cadence's schedule:.\n"
	"\n"
	"What Argo cannot express (circuit breakers, jitter, a C note without\n"
	"--plugin, ...) is a warning on standard error, at its place in FILE;\n"
	"--strict makes it an error. export.md has the mapping and how to\n"
	"build the image and submit the workflow.\n"
	"\n"
	"Exit status: 0 written, 1 problems in the cadence (or, with --strict,\n"
	"something Argo cannot express; or a manifest of 1 MB or more), 2 usage\n"
	"error (also: --kind cron without schedule:, an absolute FILE without\n"
	"--path), 3 internal failure (out of memory, cannot write the output).",
	argo_opts,
	export_argo,
};
