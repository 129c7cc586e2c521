/* SPDX-License-Identifier: MIT */
/*
 * The project configuration (docs/cli.md, "Project configuration"): the
 * file cadence.project.yaml, found upward from the working directory as
 * git finds .git, CADENCE_* environment variables and command-line flags.
 * Each setting's value comes from the first that gives it: a flag, the
 * environment, the file, the default; cli_config_origin() says which.
 *
 * Ownership: a cli_config is the caller's (cli_config_free); the strings
 * it returns live as long as it does.  Not thread-safe: one thread.
 */
#ifndef CADENCE_CLI_CONFIG_H
#define CADENCE_CLI_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <cadence/diag.h>

#include "files.h"
#include "rules.h"

#define CLI_CONFIG_FILE "cadence.project.yaml"

typedef struct cli_config cli_config;

typedef enum cli_config_origin {
	CLI_CONFIG_DEFAULT,
	CLI_CONFIG_FILE_ORIGIN,	/* the project file */
	CLI_CONFIG_ENV,		/* a CADENCE_* variable */
	CLI_CONFIG_FLAG		/* the command line */
} cli_config_origin;

/* The settings, one per key of the project file. */
typedef enum cli_setting {
	CLI_SET_STATE_DIR,	/* state_dir / CADENCE_STATE_DIR: breakers, registry, locks */
	CLI_SET_CADENCES,	/* cadences / CADENCE_CADENCES: where the project's cadences are */
	CLI_SET_PLUGINS,	/* plugins / CADENCE_PLUGINS: .so files or directories of them */
	CLI_SET_FORMAT,		/* format / CADENCE_FORMAT: default diagnostics format */
	CLI_SET_LOG,		/* log / CADENCE_LOG: default --log of run */
	CLI_SET_REGISTRY,	/* registry / CADENCE_REGISTRY: record runs (true/false) */
	CLI_SET_RETENTION_DAYS,	/* retention.days / CADENCE_RETENTION_DAYS */
	CLI_SET_RETENTION_RUNS,	/* retention.runs / CADENCE_RETENTION_RUNS: kept per cadence */
	CLI_SET_SERVE_LISTEN,	/* serve.listen / CADENCE_LISTEN */
	CLI_SET_SERVE_TOKEN_FILE, /* serve.token_file / CADENCE_TOKEN_FILE */
	CLI_SET_SERVE_GRACE,	/* serve.grace / CADENCE_GRACE: a duration */
	CLI_SET_SERVE_MAX_RUNS,	/* serve.max_runs / CADENCE_MAX_RUNS: runs at once */
	CLI_SET_SERVE_MAX_QUEUE, /* serve.max_queue / CADENCE_MAX_QUEUE: runs waiting */
	CLI_SET_SERVE_MAX_BODY,	/* serve.max_body / CADENCE_MAX_BODY: bytes */
	CLI_SET_SERVE_RATE,	/* serve.rate / CADENCE_RATE: requests a second per token */
	CLI_SET_SERVE_BURST,	/* serve.burst / CADENCE_BURST: requests at once per token */
	CLI_SET_SERVE_CLIENT_TIMEOUT, /* serve.client_timeout / CADENCE_CLIENT_TIMEOUT */
	CLI_SET_SERVE_TLS_CERT,	/* serve.tls_cert / CADENCE_TLS_CERT: PEM file */
	CLI_SET_SERVE_TLS_KEY,	/* serve.tls_key / CADENCE_TLS_KEY: PEM file */
	CLI_SET_SERVE_SCHEDULES, /* serve.schedules / CADENCE_SCHEDULES: fire them (true/false) */
	CLI_SET_COUNT
} cli_setting;

/*
 * Loads the configuration: the project file found upward from the
 * working directory (or `path` when not NULL: --config), then the
 * environment.  No project file is not an error: defaults apply.  On a
 * bad file or variable, prints positioned diagnostics to stderr and
 * returns an exit code (2); 0 on success.
 */
int cli_config_load(const char *path, cli_config **out);
void cli_config_free(cli_config *cfg);

/* A command-line flag's value, which wins over every other origin.
 * Returns 0, or an exit code after printing why the value is bad. */
int cli_config_set_flag(cli_config *cfg, cli_setting s, const char *value);

/* The project directory (holding the project file), or NULL. */
const char *cli_config_root(const cli_config *cfg);
/* The project file's path, or NULL. */
const char *cli_config_path(const cli_config *cfg);

/* A setting as text (paths absolute; lists joined by ':'); NULL: unset. */
const char *cli_config_get(const cli_config *cfg, cli_setting s);
cli_config_origin cli_config_origin_of(const cli_config *cfg, cli_setting s);

/* CLI_CONFIG_FILE_ORIGIN: the line of the file that gives s; else 0. */
unsigned cli_config_line(const cli_config *cfg, cli_setting s);
/* A setting's key in the file ("retention.days") and its variable. */
const char *cli_config_key(cli_setting s);
const char *cli_config_env_name(cli_setting s);
/* Kinds of values, for `config show --format json`. */
int cli_config_is_list(cli_setting s);
int cli_config_is_number(cli_setting s);
int cli_config_is_bool(cli_setting s);
/* The setting of key `key` in *s: 0, or -1 when there is none (then
 * cli_config_near_setting() gives the nearest key, or NULL). */
int cli_config_find_setting(const char *key, cli_setting *s);
const char *cli_config_near_setting(const char *key);

/* A webhook route of `cadence serve` (serve.webhooks, docs/serve.md
 * "Webhooks"): POST /hooks/NAME starts a run of `cadence` with the score
 * built by its fields' expressions.  The expressions were compiled when
 * the file loaded (a bad one is a positioned error there); the cadence
 * and the secret are looked at by serve.  Positions are the project
 * file's (line, col 1-based). */
typedef struct cli_webhook_field {
	char *name, *expr;
	unsigned line, col;
} cli_webhook_field;

typedef struct cli_webhook {
	char *name, *cadence, *signature;	/* signature: "github", "standard" */
	char *secret_file;	/* absolute, or NULL */
	char *secret_env;	/* or NULL */
	unsigned line, col;	/* the route's name */
	unsigned cadence_line, cadence_col, secret_line, secret_col;
	cli_webhook_field *score;
	size_t nscore;
} cli_webhook;

/* The routes, in the file's order; borrowed. */
size_t cli_config_webhooks(const cli_config *cfg, const cli_webhook **out);

/* Checks the project file found from the working directory (none: no
 * problem) into diags, as cli_config_load() would (for `cadence
 * validate`, which reports the project file's problems with the
 * cadences').  Returns 0 or CADENCE_ENOMEM. */
int cli_config_check_file(cadence_diags *diags);

/* The project file's `rules:` levels (all CLI_LEVEL_DEFAULT without a
 * file) and `exclude:` patterns; borrowed. */
const cli_rule_levels *cli_config_rule_levels(const cli_config *cfg);
const file_list *cli_config_exclude(const cli_config *cfg);

/* Typed views of the settings above. */
const char *cli_config_state_dir(const cli_config *cfg); /* NULL: none known */
int cli_config_registry_on(const cli_config *cfg);
int64_t cli_config_retention_days(const cli_config *cfg);	/* 0: keep forever */
int64_t cli_config_retention_runs(const cli_config *cfg);	/* 0: no limit */

/* The plugins to load: each `plugins` path, a directory replaced by its
 * *.so files (sorted); *paths malloc'd, each malloc'd.  Returns 0 or an
 * exit code after printing why. */
int cli_config_plugins(const cli_config *cfg, char ***paths, size_t *count);

/* The project's cadence files (every *.cadence.yaml under the `cadences`
 * directories), sorted; *paths malloc'd, each malloc'd.  Returns 0 or an
 * exit code after printing why. */
int cli_config_cadence_files(const cli_config *cfg, char ***paths, size_t *count);

/* The file of the project's cadence named `name` (the `cadence:` key of
 * the file), malloc'd in *path.  Returns 0; CLI_EXIT_USAGE after
 * printing "no cadence named ..." with a did-you-mean; or an exit code. */
int cli_config_find_cadence(const cli_config *cfg, const char *name, char **path);

/* A cadence named on the command line: `arg` itself when it is a path (it
 * holds a '/', ends in .yaml or names an existing file), else the file of
 * the project's cadence of that name.  *path malloc'd.  Returns 0 or an
 * exit code after printing why. */
int cli_config_resolve(const cli_config *cfg, const char *arg, char **path);

#endif
