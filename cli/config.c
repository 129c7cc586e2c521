/* SPDX-License-Identifier: MIT */
/*
 * The project configuration: for now defaults and CADENCE_* variables
 * only; the project file comes next (cli/config.h).
 */
#include "config.h"

#include "cli.h"
#include "files.h"

#include <cadence/diag.h>
#include <cadence/load.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cli_config {
	char *value[CLI_SET_COUNT];
	cli_config_origin origin[CLI_SET_COUNT];
};

static const char *const env_names[CLI_SET_COUNT] = {
	"CADENCE_STATE_DIR", "CADENCE_CADENCES", "CADENCE_PLUGINS", "CADENCE_FORMAT",
	"CADENCE_LOG", "CADENCE_REGISTRY", "CADENCE_RETENTION_DAYS",
	"CADENCE_RETENTION_RUNS", "CADENCE_LISTEN", "CADENCE_TOKEN_FILE", "CADENCE_GRACE",
};

static char *xdg_state_dir(void)
{
	const char *e;
	char buf[4096];
	if ((e = getenv("XDG_STATE_HOME")) && *e)
		snprintf(buf, sizeof(buf), "%s/cadence", e);
	else if ((e = getenv("HOME")) && *e)
		snprintf(buf, sizeof(buf), "%s/.local/state/cadence", e);
	else
		return NULL;
	return strdup(buf);
}

static int set(cli_config *cfg, cli_setting s, const char *v, cli_config_origin o)
{
	char *copy = v ? strdup(v) : NULL;
	if (v && !copy)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	free(cfg->value[s]);
	cfg->value[s] = copy;
	cfg->origin[s] = o;
	return 0;
}

static int defaults(cli_config *cfg)
{
	static const char *const fixed[CLI_SET_COUNT] = {
		[CLI_SET_CADENCES] = ".", [CLI_SET_FORMAT] = "text", [CLI_SET_LOG] = "text",
		[CLI_SET_REGISTRY] = "true", [CLI_SET_RETENTION_DAYS] = "90",
		[CLI_SET_RETENTION_RUNS] = "1000", [CLI_SET_SERVE_LISTEN] = "127.0.0.1:8080",
		[CLI_SET_SERVE_GRACE] = "30s",
	};
	char *state = xdg_state_dir();
	int rc = set(cfg, CLI_SET_STATE_DIR, state, CLI_CONFIG_DEFAULT);
	free(state);
	for (int s = 0; !rc && s < CLI_SET_COUNT; s++)
		if (fixed[s])
			rc = set(cfg, (cli_setting)s, fixed[s], CLI_CONFIG_DEFAULT);
	return rc;
}

int cli_config_load(const char *path, cli_config **out)
{
	cli_config *cfg = calloc(1, sizeof(*cfg));
	int rc;
	(void)path;
	*out = NULL;
	if (!cfg)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	rc = defaults(cfg);
	for (int s = 0; !rc && s < CLI_SET_COUNT; s++) {
		const char *e = getenv(env_names[s]);
		if (e && *e)
			rc = set(cfg, (cli_setting)s, e, CLI_CONFIG_ENV);
	}
	if (rc) {
		cli_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}

void cli_config_free(cli_config *cfg)
{
	if (!cfg)
		return;
	for (int s = 0; s < CLI_SET_COUNT; s++)
		free(cfg->value[s]);
	free(cfg);
}

int cli_config_set_flag(cli_config *cfg, cli_setting s, const char *value)
{
	return set(cfg, s, value, CLI_CONFIG_FLAG);
}

const char *cli_config_root(const cli_config *cfg) { (void)cfg; return NULL; }
const char *cli_config_path(const cli_config *cfg) { (void)cfg; return NULL; }
const char *cli_config_get(const cli_config *cfg, cli_setting s) { return cfg->value[s]; }
cli_config_origin cli_config_origin_of(const cli_config *cfg, cli_setting s) { return cfg->origin[s]; }
const char *cli_config_state_dir(const cli_config *cfg) { return cfg->value[CLI_SET_STATE_DIR]; }

int cli_config_registry_on(const cli_config *cfg)
{
	return strcmp(cfg->value[CLI_SET_REGISTRY], "false") != 0;
}

int64_t cli_config_retention_days(const cli_config *cfg)
{
	return strtoll(cfg->value[CLI_SET_RETENTION_DAYS], NULL, 10);
}

int64_t cli_config_retention_runs(const cli_config *cfg)
{
	return strtoll(cfg->value[CLI_SET_RETENTION_RUNS], NULL, 10);
}

int cli_config_cadence_files(const cli_config *cfg, char ***paths, size_t *count)
{
	file_list l = { 0 };
	char *failed = NULL;
	if (files_find(&l, cfg->value[CLI_SET_CADENCES], 0, &failed) != 0) {
		int e = errno;
		file_list_free(&l);
		cli_error(CLI_EXIT_USAGE, "cannot list '%s': %s", failed ? failed : "?", strerror(e));
		free(failed);
		return CLI_EXIT_USAGE;
	}
	*paths = l.paths;
	*count = l.count;
	return 0;
}

int cli_config_find_cadence(const cli_config *cfg, const char *name, char **path)
{
	char **paths = NULL;
	size_t n = 0;
	int rc = cli_config_cadence_files(cfg, &paths, &n);
	*path = NULL;
	for (size_t i = 0; !rc && i < n; i++) {
		cadence_def *def = NULL;
		cadence_diags *diags = NULL;
		if (!*path && !cadence_diags_new(&diags) &&
		    cadence_load_file(&def, paths[i], NULL, diags) == 0 &&
		    strcmp(cadence_def_name(def), name) == 0)
			*path = strdup(paths[i]);
		cadence_def_free(def);
		cadence_diags_free(diags);
	}
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	if (!rc && !*path)
		rc = cli_error(CLI_EXIT_USAGE, "no cadence named '%s' in the project", name);
	return rc;
}
