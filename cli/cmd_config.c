/* SPDX-License-Identifier: MIT */
/* cadence config show: every setting of the project configuration, its
 * value and where it comes from (docs/cli.md, "Project configuration"). */
#include "cli.h"
#include "config.h"

#include <cjson/cJSON.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

enum { OPT_FORMAT = 1, OPT_CONFIG, OPT_SET };

static const char *const formats[] = { "text", "json", NULL };

static const cli_opt show_opts[] = {
	{ OPT_FORMAT, 'f', "format", "FORMAT", "text (default: a table), or json", formats },
	{ OPT_CONFIG, 0, "config", "FILE",
	  "read FILE, not the cadence.project.yaml found upward from here", NULL },
	{ OPT_SET, 0, "set", "KEY=VALUE",
	  "give a setting as a command-line flag would (retention.days=30); repeatable", NULL },
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct show_ctx {
	int json;
	const char *config;
	const char **sets;
	size_t nsets;
} show_ctx;

static int on_opt(void *p, int id, const char *value)
{
	show_ctx *c = p;
	switch (id) {
	case OPT_FORMAT: c->json = !strcmp(value, "json"); break;
	case OPT_CONFIG: c->config = value; break;
	case OPT_SET: {
		const char **grown = realloc(c->sets, (c->nsets + 1) * sizeof(*grown));
		if (!grown)
			return cli_error(CLI_EXIT_INTERNAL, "out of memory");
		c->sets = grown;
		c->sets[c->nsets++] = value;
		break;
	}
	}
	return 0;
}

/* --set KEY=VALUE, at the flag level. */
static int apply_set(cli_config *cfg, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[64];
	cli_setting s;
	if (!eq)
		return cli_usage_error("--set '%s': write KEY=VALUE, for example --set state_dir=/tmp/s",
				       kv);
	snprintf(key, sizeof(key), "%.*s", (int)(eq - kv), kv);
	if (cli_config_find_setting(key, &s)) {
		const char *near = cli_config_near_setting(key);
		return cli_usage_error("--set: no setting '%s'%s%s%s; 'cadence config show' lists them",
				       key, near ? " (did you mean '" : "", near ? near : "",
				       near ? "'?)" : "");
	}
	return cli_config_set_flag(cfg, s, eq + 1);
}

static const char *origin_name(cli_config_origin o)
{
	static const char *const names[] = { "default", "file", "env", "flag" };
	return names[o];
}

/* "file PATH:LINE", "env NAME", "default", "flag". */
static void origin_text(const cli_config *cfg, cli_setting s, char *buf, size_t size)
{
	cli_config_origin o = cli_config_origin_of(cfg, s);
	if (o == CLI_CONFIG_FILE_ORIGIN)
		snprintf(buf, size, "file %s:%u", cli_config_path(cfg), cli_config_line(cfg, s));
	else if (o == CLI_CONFIG_ENV)
		snprintf(buf, size, "env %s", cli_config_env_name(s));
	else
		snprintf(buf, size, "%s", origin_name(o));
}

static int show_text(const cli_config *cfg)
{
	int kw = (int)strlen("SETTING"), vw = (int)strlen("VALUE");
	for (int s = 0; s < CLI_SET_COUNT; s++) {
		const char *v = cli_config_get(cfg, (cli_setting)s);
		int k = (int)strlen(cli_config_key((cli_setting)s)), l = v ? (int)strlen(v) : 1;
		kw = k > kw ? k : kw;
		vw = l > vw ? l : vw;
	}
	if (cli_config_path(cfg))
		cli_print_clean(stdout, "project file: %s\n\n", cli_config_path(cfg));
	else
		printf("project file: none (no %s here or above)\n\n", CLI_CONFIG_FILE);
	printf("%-*s  %-*s  %s\n", kw, "SETTING", vw, "VALUE", "ORIGIN");
	for (int s = 0; s < CLI_SET_COUNT; s++) {
		char origin[4200];
		const char *v = cli_config_get(cfg, (cli_setting)s);
		origin_text(cfg, (cli_setting)s, origin, sizeof(origin));
		cli_print_clean(stdout, "%-*s  %-*s  %s\n", kw, cli_config_key((cli_setting)s), vw,
				v ? v : "-", origin);
	}
	return fflush(stdout) || ferror(stdout)
	       ? cli_error(CLI_EXIT_INTERNAL, "cannot write the configuration") : 0;
}

/* The value as JSON: lists as arrays, counts as numbers, booleans. */
static cJSON *json_value(cJSON *o, cli_setting s, const char *v)
{
	if (!v)
		return cJSON_AddNullToObject(o, "value");
	if (cli_config_is_number(s))
		return cJSON_AddNumberToObject(o, "value", (double)strtoll(v, NULL, 10));
	if (cli_config_is_bool(s))
		return cJSON_AddBoolToObject(o, "value", !strcmp(v, "true"));
	if (!cli_config_is_list(s))
		return cad_json_add_text(o, "value", v);
	cJSON *a = cJSON_AddArrayToObject(o, "value");
	char *copy = strdup(v);
	for (char *p = copy, *next; a && p && *p; p = next) {
		next = strchr(p, ':');
		if (next)
			*next++ = '\0';
		cJSON *item = cJSON_CreateString(p);
		if (!item || !cJSON_AddItemToArray(a, item)) {
			cJSON_Delete(item);
			a = NULL;
		}
	}
	free(copy);
	return copy ? a : NULL;
}

static cJSON *setting_json(const cli_config *cfg, cli_setting s)
{
	cJSON *o = cJSON_CreateObject();
	cli_config_origin origin = cli_config_origin_of(cfg, s);
	int ok = o && json_value(o, s, cli_config_get(cfg, s)) &&
		 cJSON_AddStringToObject(o, "origin", origin_name(origin)) &&
		 cJSON_AddStringToObject(o, "variable", cli_config_env_name(s));
	if (ok && origin == CLI_CONFIG_FILE_ORIGIN)
		ok = cad_json_add_text(o, "file", cli_config_path(cfg)) &&
		     cJSON_AddNumberToObject(o, "line", cli_config_line(cfg, s));
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int show_json(const cli_config *cfg)
{
	cJSON *root = cJSON_CreateObject(), *set = NULL;
	int ok = root && (cli_config_path(cfg)
			  ? cad_json_add_text(root, "file", cli_config_path(cfg)) &&
			    cad_json_add_text(root, "root", cli_config_root(cfg))
			  : cJSON_AddNullToObject(root, "file") && cJSON_AddNullToObject(root, "root")) &&
		 (set = cJSON_AddObjectToObject(root, "settings"));
	for (int s = 0; ok && s < CLI_SET_COUNT; s++) {
		cJSON *o = setting_json(cfg, (cli_setting)s);
		ok = o && cJSON_AddItemToObject(set, cli_config_key((cli_setting)s), o);
		if (!ok)
			cJSON_Delete(o);
	}
	char *text = ok ? cad_json_print(root, 1) : NULL;
	cJSON_Delete(root);
	if (!text)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	printf("%s\n", text);
	free(text);
	return fflush(stdout) || ferror(stdout)
	       ? cli_error(CLI_EXIT_INTERNAL, "cannot write the configuration") : 0;
}

static int config_show(const cli_cmd *cmd, int argc, char **argv)
{
	show_ctx c = { 0 };
	cli_args args;
	cli_config *cfg = NULL;
	int rc;

	if ((rc = cli_parse(cmd, argc, argv, on_opt, &c, &args))) {
		free(c.sets);
		return rc;
	}
	if (args.help)
		cli_print_help(cmd, stdout);
	else if (args.npos)
		rc = cli_usage_error("'cadence config show' takes no argument, not '%s'", args.pos[0]);
	else if (!(rc = cli_config_load(c.config, &cfg))) {
		for (size_t i = 0; !rc && i < c.nsets; i++)
			rc = apply_set(cfg, c.sets[i]);
		if (!rc)
			rc = c.json ? show_json(cfg) : show_text(cfg);
	}
	cli_config_free(cfg);
	free(c.sets);
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_config_show = {
	"config show",
	"[OPTIONS]",
	"Print every setting of the project configuration and where it comes from.",
	"The configuration is the project file, cadence.project.yaml, found in the\n"
	"working directory or the nearest directory above it that holds one (as git\n"
	"finds .git; --config names another), CADENCE_* environment variables and\n"
	"command-line flags. Each setting's value comes from the first that gives\n"
	"it: a flag, the environment, the file, the default (cli.md, \"Project\n"
	"configuration\"). Each line gives the setting, its value (paths absolute,\n"
	"lists joined by ':') and its origin: default, file PATH:LINE, env NAME or\n"
	"flag. --format json prints one object, for scripts.\n"
	"\n"
	"Exit status: 0 printed, 2 usage error, a bad project file (its problems\n"
	"with file:line:col) or a bad CADENCE_* value, 3 internal failure.",
	show_opts,
	config_show,
};

const cli_cmd *const cli_config_commands[] = {
	&cli_cmd_config_show,
	NULL,
};

static const cli_opt config_opts[] = {
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static int run_config(const cli_cmd *cmd, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_print_help(cmd, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	for (size_t i = 0; cli_config_commands[i]; i++)
		if (!strcmp(argv[1], cli_config_commands[i]->name + strlen("config ")))
			return cli_config_commands[i]->run(cli_config_commands[i], argc - 1, argv + 1);
	return cli_usage_error("'cadence config' has the subcommand 'show', not '%s'; see "
			       "'cadence config --help'", argv[1]);
}

const cli_cmd cli_cmd_config = {
	"config",
	"show [OPTIONS]",
	"Show the project configuration: each setting, its value and origin.",
	"  cadence config show [--format text|json] [--config FILE] [--set KEY=VALUE]\n"
	"See 'cadence config show --help'.\n"
	"\n"
	"Exit status: as 'cadence config show'.",
	config_opts,
	run_config,
};
