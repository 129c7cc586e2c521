/* SPDX-License-Identifier: MIT */
/*
 * The project configuration (cli/config.h, docs/cli.md "Project
 * configuration"): defaults, the project file, CADENCE_* variables and
 * flags, each value with its origin.
 *
 * The file is checked by the cadence format's own machinery: the
 * positioned tree (yaml/tree.h), a table of the format's types
 * (format/schema.h) and its walker (cad_structure_check_as), so its
 * errors are a cadence file's, with the same rules.  What the types
 * cannot say (an address, a count below 0) is checked after, by the
 * same function that checks a variable or a flag.
 */
#include "config.h"

#include "cli.h"
#include "files.h"
#include "serve/hook.h"

#include <cadence/cadence.h>

#include "diag/report.h"
#include "format/scalar.h"
#include "format/schema.h"
#include "format/structure.h"
#include "util/grow.h"
#include "util/strbuf.h"
#include "util/utf8.h"
#include "util/suggest.h"
#include "yaml/tree.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cli_config {
	char *value[CLI_SET_COUNT];
	cli_config_origin origin[CLI_SET_COUNT];
	unsigned line[CLI_SET_COUNT];	/* CLI_CONFIG_FILE_ORIGIN: where */
	char *path;			/* the project file, absolute; or NULL */
	char *root;			/* its directory */
	cli_webhook *hooks;		/* serve.webhooks */
	size_t nhooks, caphooks;
	cli_rule_levels levels;		/* rules */
	file_list exclude;		/* exclude: glob patterns */
};

/* ---- the settings ------------------------------------------------------------- */

typedef enum vkind {
	VK_PATH,	/* a path, made absolute */
	VK_PATHS,	/* paths, made absolute, joined by ':' */
	VK_ENUM,
	VK_BOOL,
	VK_COUNT,	/* a whole number >= 0 */
	VK_LISTEN,	/* ADDR:PORT */
	VK_DURATION
} vkind;

static const char *const diag_formats[] = { "text", "oneline", "json", "sarif", "github" };
static const char *const log_formats[] = { "text", "json" };

typedef struct setting_info {
	const char *key;	/* in the file: "retention.days" */
	const char *env;
	vkind kind;
	const char *const *choices;
	size_t nchoices;
} setting_info;

static const setting_info settings[CLI_SET_COUNT] = {
	[CLI_SET_STATE_DIR] = { "state_dir", "CADENCE_STATE_DIR", VK_PATH, NULL, 0 },
	[CLI_SET_CADENCES] = { "cadences", "CADENCE_CADENCES", VK_PATHS, NULL, 0 },
	[CLI_SET_PLUGINS] = { "plugins", "CADENCE_PLUGINS", VK_PATHS, NULL, 0 },
	[CLI_SET_FORMAT] = { "format", "CADENCE_FORMAT", VK_ENUM, diag_formats, 5 },
	[CLI_SET_LOG] = { "log", "CADENCE_LOG", VK_ENUM, log_formats, 2 },
	[CLI_SET_REGISTRY] = { "registry", "CADENCE_REGISTRY", VK_BOOL, NULL, 0 },
	[CLI_SET_RETENTION_DAYS] = { "retention.days", "CADENCE_RETENTION_DAYS", VK_COUNT, NULL, 0 },
	[CLI_SET_RETENTION_RUNS] = { "retention.runs", "CADENCE_RETENTION_RUNS", VK_COUNT, NULL, 0 },
	[CLI_SET_SERVE_LISTEN] = { "serve.listen", "CADENCE_LISTEN", VK_LISTEN, NULL, 0 },
	[CLI_SET_SERVE_TOKEN_FILE] = { "serve.token_file", "CADENCE_TOKEN_FILE", VK_PATH, NULL, 0 },
	[CLI_SET_SERVE_GRACE] = { "serve.grace", "CADENCE_GRACE", VK_DURATION, NULL, 0 },
	[CLI_SET_SERVE_MAX_RUNS] = { "serve.max_runs", "CADENCE_MAX_RUNS", VK_COUNT, NULL, 0 },
	[CLI_SET_SERVE_MAX_QUEUE] = { "serve.max_queue", "CADENCE_MAX_QUEUE", VK_COUNT, NULL, 0 },
	[CLI_SET_SERVE_MAX_BODY] = { "serve.max_body", "CADENCE_MAX_BODY", VK_COUNT, NULL, 0 },
	[CLI_SET_SERVE_RATE] = { "serve.rate", "CADENCE_RATE", VK_COUNT, NULL, 0 },
	[CLI_SET_SERVE_BURST] = { "serve.burst", "CADENCE_BURST", VK_COUNT, NULL, 0 },
	[CLI_SET_SERVE_CLIENT_TIMEOUT] = { "serve.client_timeout", "CADENCE_CLIENT_TIMEOUT",
					   VK_DURATION, NULL, 0 },
	[CLI_SET_SERVE_TLS_CERT] = { "serve.tls_cert", "CADENCE_TLS_CERT", VK_PATH, NULL, 0 },
	[CLI_SET_SERVE_TLS_KEY] = { "serve.tls_key", "CADENCE_TLS_KEY", VK_PATH, NULL, 0 },
	[CLI_SET_SERVE_SCHEDULES] = { "serve.schedules", "CADENCE_SCHEDULES", VK_BOOL, NULL, 0 },
};

/* ---- the file's table, in the cadence format's types -------------------------- */

static const ftype t_path = { .kind = FT_STRING, .what = "a path" };
static const ftype t_paths = { .kind = FT_LIST, .what = "a list of paths", .elem = &t_path };
static const ftype t_format = { .kind = FT_ENUM, .what = "a diagnostics format",
				.enums = diag_formats, .nenums = 5 };
static const ftype t_log = { .kind = FT_ENUM, .what = "a log format",
			     .enums = log_formats, .nenums = 2 };
static const ftype t_bool = { .kind = FT_BOOL, .what = "a boolean" };
static const ftype t_count = { .kind = FT_INT, .what = "a whole number" };
static const ftype t_listen = { .kind = FT_STRING, .what = "an address and port" };
static const ftype t_duration = { .kind = FT_DURATION, .what = "a duration" };

static const ffield retention_fields[] = {
	{ "days", &t_count, 0, "days a run is kept in the registry (0: forever)" },
	{ "runs", &t_count, 0, "runs kept per cadence (0: no limit)" },
};
static const ftype t_retention = { .kind = FT_MAP, .what = "the retention settings",
				   .fields = retention_fields, .nfields = 2 };

static const char *const hook_schemes[] = { "github", "standard" };
static const ftype t_scheme = { .kind = FT_ENUM, .what = "a signature scheme",
				.enums = hook_schemes, .nenums = 2 };
static const ftype t_string = { .kind = FT_STRING, .what = "a string" };
static const ftype t_envname = { .kind = FT_ENVNAME, .what = "an environment variable's name" };
static const ftype t_hook_expr = { .kind = FT_EXPR, .what = "an expression" };
static const ftype t_hook_score = { .kind = FT_DICT, .what = "a mapping of score fields to "
				    "expressions", .elem = &t_hook_expr, .key_what = "field name" };
static const ffield hook_fields[] = {
	{ "cadence", &t_string, FF_REQUIRED, "the cadence a delivery runs" },
	{ "signature", &t_scheme, FF_REQUIRED, "github or standard (Standard Webhooks)" },
	{ "secret_file", &t_path, 0, "the file holding the signing secret" },
	{ "secret_env", &t_envname, 0, "the variable holding the signing secret" },
	{ "score", &t_hook_score, 0, "the input score: field -> expression over payload, headers" },
};
static const char *const hook_secrets[] = { "secret_file", "secret_env" };
static const ftype t_hook = {
	.kind = FT_MAP, .what = "a webhook route", .fields = hook_fields, .nfields = 5,
	.one_of = hook_secrets, .n_one_of = 2, .one_of_rule = "webhook-secret",
	.one_of_help = "give the signing secret with 'secret_file: PATH' or 'secret_env: VARIABLE'",
	.one_of_both_help = "keep one of them",
};
static const ftype t_hooks = { .kind = FT_DICT, .what = "a mapping of webhook names to routes",
			       .elem = &t_hook, .key_what = "webhook name" };

static const ffield serve_fields[] = {
	{ "listen", &t_listen, 0, "ADDR:PORT the service listens on" },
	{ "token_file", &t_path, 0, "the file holding the service's API token" },
	{ "grace", &t_duration, 0, "how long the service waits for runs when stopped" },
	{ "max_runs", &t_count, 0, "runs at once" },
	{ "max_queue", &t_count, 0, "runs waiting for a slot" },
	{ "max_body", &t_count, 0, "the largest request body, in bytes" },
	{ "rate", &t_count, 0, "requests a second per token (0: no limit)" },
	{ "burst", &t_count, 0, "requests a token may make at once" },
	{ "client_timeout", &t_duration, 0, "how long a silent client is waited for" },
	{ "tls_cert", &t_path, 0, "the TLS certificate (PEM)" },
	{ "tls_key", &t_path, 0, "the TLS private key (PEM)" },
	{ "schedules", &t_bool, 0, "the service fires the project's schedules" },
	{ "webhooks", &t_hooks, 0, "POST /hooks/NAME: signed deliveries that start runs" },
};
static const ftype t_serve = { .kind = FT_MAP, .what = "the service settings",
			       .fields = serve_fields, .nfields = 13 };

/* rules: keys are rule ids (with '-', not names), checked by
 * apply_rules() with the rule table's did-you-mean; values levels */
static const char *const rule_levels[] = { "off", "error", "warning", "note" };
static const ftype t_level = { .kind = FT_ENUM, .what = "a rule level",
			       .enums = rule_levels, .nenums = 4 };
static const ftype t_rules = { .kind = FT_DICT, .what = "a mapping of rule ids to levels",
			       .elem = &t_level, .key_what = "rule id", .key_any = 1 };
static const ftype t_glob = { .kind = FT_STRING, .what = "a glob pattern" };
static const ftype t_globs = { .kind = FT_LIST, .what = "a list of glob patterns",
			       .elem = &t_glob };

static const ffield project_fields[] = {
	{ "state_dir", &t_path, 0, "breaker files, the run registry, locks" },
	{ "cadences", &t_paths, 0, "directories of the project's cadence files" },
	{ "plugins", &t_paths, 0, ".so files, or directories of them, loaded by run" },
	{ "format", &t_format, 0, "the default diagnostics format of validate" },
	{ "log", &t_log, 0, "the default --log of run and resume" },
	{ "registry", &t_bool, 0, "record runs in the registry" },
	{ "retention", &t_retention, 0, "how long runs are kept" },
	{ "serve", &t_serve, 0, "the service" },
	{ "rules", &t_rules, 0, "RULE: off, error, warning or note (validate)" },
	{ "exclude", &t_globs, 0, "paths that validate's directory scans skip" },
};
static const ftype t_project = { .kind = FT_MAP, .what = "the project settings",
				 .fields = project_fields, .nfields = 10 };

/* ---- values ------------------------------------------------------------------- */

static int oom(void)
{
	return cli_error(CLI_EXIT_INTERNAL, "out of memory");
}

static int set(cli_config *cfg, cli_setting s, const char *v, cli_config_origin o)
{
	char *copy = v ? strdup(v) : NULL;
	if (v && !copy)
		return oom();
	free(cfg->value[s]);
	cfg->value[s] = copy;
	cfg->origin[s] = o;
	cfg->line[s] = 0;
	return 0;
}

/* p made absolute against base (malloc'd). */
static char *absolute(const char *base, const char *p, size_t len)
{
	strbuf sb = STRBUF_INIT;
	if (*p != '/' && base)
		cad_strbuf_addf(&sb, "%s%s", base, strcmp(base, "/") ? "/" : "");
	cad_strbuf_add(&sb, p, len);
	/* "./x" is "x": the path as people write it */
	char *s = cad_strbuf_detach(&sb);
	if (!s)
		return NULL;
	char *dot;
	while ((dot = strstr(s, "/./")))
		memmove(dot, dot + 2, strlen(dot + 2) + 1);
	size_t n = strlen(s);
	if (n > 2 && !strcmp(s + n - 2, "/."))
		s[n - 2] = '\0';
	return s;
}

static int is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.';
}

/* ADDR:PORT: an IPv4 address, [an IPv6 address] or a host name; a port
 * from 0 (any free port: serve --ready-file says which) to 65535. */
static const char *check_listen(const char *v, const char **help)
{
	const char *colon = strrchr(v, ':');
	char host[256];
	*help = "write ADDR:PORT, for example 127.0.0.1:8080, [::1]:8080 or localhost:8080";
	if (!colon || colon == v)
		return "expected an address and port (ADDR:PORT)";
	size_t hlen = (size_t)(colon - v);
	if (hlen >= sizeof(host))
		return "the address is too long";
	memcpy(host, v, hlen);
	host[hlen] = '\0';
	const char *port = colon + 1;
	char *end;
	errno = 0;
	long p = strtol(port, &end, 10);
	if (!*port || *end || *port < '0' || *port > '9' || errno || p < 0 || p > 65535)
		return "the port must be a number from 0 (any free port) to 65535";
	unsigned char buf[16];
	if (host[0] == '[') {
		if (hlen < 3 || host[hlen - 1] != ']')
			return "an IPv6 address must be in brackets: [ADDR]:PORT";
		host[hlen - 1] = '\0';
		return inet_pton(AF_INET6, host + 1, buf) == 1 ? NULL : "not an IPv6 address";
	}
	if (strchr(host, ':'))
		return "an IPv6 address must be in brackets: [ADDR]:PORT";
	if (inet_pton(AF_INET, host, buf) == 1)
		return NULL;
	for (size_t i = 0; i < hlen; i++)
		if (!is_host_char(host[i]))
			return "not an IPv4 address or host name";
	if (host[0] >= '0' && host[0] <= '9' && strspn(host, "0123456789.") == hlen)
		return "not an IPv4 address";
	return NULL;
}

/* A path list item: not empty, no ':' (lists are joined by ':'). */
static const char *check_path(const char *v, size_t len, const char **help)
{
	*help = "give a path, or remove the setting";
	if (!len)
		return "expected a path, not an empty string";
	if (memchr(v, ':', len)) {
		*help = "rename the file or directory: lists of paths are joined by ':'";
		return "a path in a list cannot hold ':'";
	}
	return NULL;
}

/*
 * Checks v for setting s; on success *out is its value (paths absolute
 * against base, booleans as true/false), malloc'd.  Returns NULL or what
 * is wrong, with a fix in *help (static or in hbuf).
 */
static const char *check_value(cli_setting s, const char *v, const char *base, char **out,
			       const char **help, char *hbuf, size_t hsize)
{
	const setting_info *si = &settings[s];
	const char *why = NULL;
	size_t len = strlen(v);
	int64_t n;
	int b;

	*out = NULL;
	*help = NULL;
	switch (si->kind) {
	case VK_PATH:
		if (!len) {
			*help = "give a path, or remove the setting";
			return "expected a path, not an empty string";
		}
		*out = absolute(base, v, len);
		break;
	case VK_PATHS: {
		strbuf sb = STRBUF_INIT;
		for (const char *p = v;;) {
			const char *end = strchr(p, ':');
			size_t l = end ? (size_t)(end - p) : strlen(p);
			if (!l) {
				cad_strbuf_free(&sb);
				*help = "separate the paths by one ':' each";
				return "an empty path in the list";
			}
			char *a = absolute(base, p, l);
			if (!a) {
				cad_strbuf_free(&sb);
				return NULL;	/* *out NULL: out of memory */
			}
			cad_strbuf_addf(&sb, "%s%s", sb.len ? ":" : "", a);
			free(a);
			if (!end)
				break;
			p = end + 1;
		}
		*out = cad_strbuf_detach(&sb);
		break;
	}
	case VK_ENUM:
		for (size_t i = 0; i < si->nchoices; i++)
			if (!strcmp(v, si->choices[i])) {
				*out = strdup(v);	/* NULL: out of memory, said by the caller */
				return NULL;
			}
		{
			const char *near = cad_suggest_pick(v, len, si->choices, si->nchoices);
			int k = snprintf(hbuf, hsize, "%s%s%suse one of: ", near ? "did you mean '" : "",
					 near ? near : "", near ? "'? " : "");
			for (size_t i = 0; i < si->nchoices && k > 0 && (size_t)k < hsize; i++)
				k += snprintf(hbuf + k, hsize - (size_t)k, "%s%s", i ? ", " : "",
					      si->choices[i]);
			*help = hbuf;
		}
		return s == CLI_SET_FORMAT ? "not a diagnostics format" : "not a log format";
	case VK_BOOL:
		if ((why = cad_scalar_bool(v, len, &b, help)))
			return why;
		*out = strdup(b ? "true" : "false");
		break;
	case VK_COUNT:
		if ((why = cad_scalar_int(v, len, &n, help)))
			return why;
		if (n < 0) {
			*help = "write 0 for no limit";
			return "expected a whole number of 0 or more";
		}
		*out = strdup(v);
		break;
	case VK_LISTEN:
		if ((why = check_listen(v, help)))
			return why;
		*out = strdup(v);
		break;
	case VK_DURATION:
		if ((why = cad_scalar_duration(v, len, &n, help)))
			return why;
		*out = strdup(v);
		break;
	}
	return NULL;
}

/* The setting from a variable or a flag (`who` names it in messages). */
static int set_checked(cli_config *cfg, cli_setting s, const char *v, cli_config_origin o,
		       const char *who)
{
	char cwd[4096], hbuf[256], *norm;
	const char *help;
	const char *base = getcwd(cwd, sizeof(cwd)) ? cwd : NULL;
	const char *why = check_value(s, v, base, &norm, &help, hbuf, sizeof(hbuf));
	if (why)
		return cli_usage_error("%s='%s': %s%s%s", who, v, why, help && *help ? "; " : "",
				       help && *help ? help : "");
	if (!norm)
		return oom();
	free(cfg->value[s]);
	cfg->value[s] = norm;
	cfg->origin[s] = o;
	cfg->line[s] = 0;
	return 0;
}

/* ---- defaults ----------------------------------------------------------------- */

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

static int defaults(cli_config *cfg)
{
	static const char *const fixed[CLI_SET_COUNT] = {
		[CLI_SET_CADENCES] = ".", [CLI_SET_FORMAT] = "text", [CLI_SET_LOG] = "text",
		[CLI_SET_REGISTRY] = "true", [CLI_SET_RETENTION_DAYS] = "90",
		[CLI_SET_RETENTION_RUNS] = "1000", [CLI_SET_SERVE_LISTEN] = "127.0.0.1:8080",
		[CLI_SET_SERVE_GRACE] = "30s", [CLI_SET_SERVE_MAX_RUNS] = "4",
		[CLI_SET_SERVE_MAX_QUEUE] = "64", [CLI_SET_SERVE_MAX_BODY] = "1048576",
		[CLI_SET_SERVE_RATE] = "0", [CLI_SET_SERVE_BURST] = "0",
		[CLI_SET_SERVE_CLIENT_TIMEOUT] = "30s", [CLI_SET_SERVE_SCHEDULES] = "false",
	};
	char *state = NULL;
	int rc = 0;
	for (int s = 0; !rc && s < CLI_SET_COUNT; s++)
		if (fixed[s])
			rc = set(cfg, (cli_setting)s, fixed[s], CLI_CONFIG_DEFAULT);
	if (rc)
		return rc;
	/* with a project file, the project keeps its own state and cadences */
	if (cfg->root) {
		strbuf sb = STRBUF_INIT;
		cad_strbuf_addf(&sb, "%s/.cadence/state", cfg->root);
		state = cad_strbuf_detach(&sb);
		char *cad = absolute(cfg->root, "cadences", 8);
		if (!state || !cad) {
			free(cad);
			free(state);
			return oom();
		}
		rc = set(cfg, CLI_SET_CADENCES, cad, CLI_CONFIG_DEFAULT);
		free(cad);
	} else {
		state = xdg_state_dir();
	}
	if (!rc)
		rc = set(cfg, CLI_SET_STATE_DIR, state, CLI_CONFIG_DEFAULT);
	free(state);
	return rc;
}

/* ---- finding and reading the file --------------------------------------------- */

/* The project file: `path` made absolute, or the nearest
 * cadence.project.yaml from the working directory up to /.  Any entry of
 * that name counts, a directory too: reading it says what is wrong. */
static int find_file(cli_config *cfg, const char *path)
{
	char cwd[4096];
	const char *base = getcwd(cwd, sizeof(cwd)) ? cwd : NULL;
	if (path) {
		if (!base && *path != '/')
			return cli_usage_error("cannot find the working directory for '%s': %s", path,
					       strerror(errno));
		cfg->path = absolute(base, path, strlen(path));
		return cfg->path ? 0 : oom();
	}
	if (!base)
		return 0;	/* a working directory that is gone is in no project */
	for (;;) {
		struct stat st;
		strbuf sb = STRBUF_INIT;
		cad_strbuf_addf(&sb, "%s%s" CLI_CONFIG_FILE, cwd, strcmp(cwd, "/") ? "/" : "");
		if (!cad_strbuf_cstr(&sb))
			return oom();
		if (!lstat(sb.buf, &st)) {
			cfg->path = cad_strbuf_detach(&sb);
			return 0;
		}
		cad_strbuf_free(&sb);
		char *slash = strrchr(cwd, '/');
		if (!slash || !strcmp(cwd, "/"))
			return 0;
		slash[slash == cwd] = '\0';
	}
}

static int report_unreadable(cadence_diags *diags, const char *path, const char *why)
{
	report r;
	cad_report_init(&r, diags, path, NULL, 0);
	cad_report_at(&r, CADENCE_SEVERITY_ERROR, "file-unreadable", 0, 0, 0,
		      "check the path and its permissions", "cannot read the project file: %s", why);
	cad_report_release(&r);
	return -1;
}

/* Reads the file whole into *src; -1 after a diagnostic.  (Replaced
 * between the stat and the read, it is read as it is then: a project
 * file is the user's own, not input from others.) */
static int read_file(cadence_diags *diags, const char *path, char **src, size_t *len)
{
	struct stat st;
	/* a FIFO or a device found by name would block the command or read
	 * forever: only a regular file (through links) is read */
	if (!stat(path, &st) && !S_ISREG(st.st_mode))
		return report_unreadable(diags, path, S_ISDIR(st.st_mode) ? "it is a directory"
					 : "it is not a regular file");
	FILE *f = fopen(path, "rb");
	if (!f)
		return report_unreadable(diags, path, strerror(errno));
	if (files_read_stream(f, CADENCE_DEFAULT_MAX_FILE_SIZE, src, len)) {
		int e = errno;
		fclose(f);
		return report_unreadable(diags, path, strerror(e));
	}
	fclose(f);
	if (*len > CADENCE_DEFAULT_MAX_FILE_SIZE) {
		free(*src);
		return report_unreadable(diags, path, "it is larger than the limit of 16 MiB");
	}
	return 0;
}

/* The node of key "a.b" in the document, or NULL. */
static const ynode *lookup(const ynode *root, const char *key)
{
	const char *dot = strchr(key, '.');
	if (!dot)
		return cad_ymap_get(root, key);
	char head[32];
	snprintf(head, sizeof(head), "%.*s", (int)(dot - key), key);
	const ynode *m = cad_ymap_get(root, head);
	return m && m->kind == YNODE_MAP ? cad_ymap_get(m, dot + 1) : NULL;
}

/* The value of a list of paths as text, joined by ':'.  Items the walker
 * refused (null, a list) are skipped: it said what is wrong with them. */
static void list_text(const ynode *n, strbuf *sb, report *r, unsigned *errors)
{
	for (size_t i = 0; i < n->count; i++) {
		const ynode *item = n->items[i];
		if (item->kind != YNODE_SCALAR ||
		    (item->style == YSTYLE_PLAIN && cad_scalar_is_null(item->text, item->len))) {
			(*errors)++;
			continue;
		}
		const char *help, *why = check_path(item->text, item->len, &help);
		if (why) {
			(*errors)++;
			cad_report_at(r, CADENCE_SEVERITY_ERROR, "config-value", item->line, item->col,
				      item->width ? item->width : 1, help, "%s", why);
			continue;
		}
		cad_strbuf_addf(sb, "%s%s", sb->len ? ":" : "", item->text);
	}
	if (!n->count) {
		(*errors)++;
		cad_report_at(r, CADENCE_SEVERITY_ERROR, "config-value", n->line, n->col, 1,
			      "list at least one path, or remove the setting",
			      "expected a list of paths, got an empty list");
	}
}

/* Would the walker have refused this value already?  Then it is not
 * said twice.  Only what its types cannot say is this file's to report:
 * an empty path, an address, a count below 0. */
static int walker_refuses(cli_setting s, const ynode *n)
{
	int64_t i;
	const char *help;
	if (n->kind == YNODE_SEQ)
		return 0;
	if (n->style == YSTYLE_PLAIN && cad_scalar_is_null(n->text, n->len))
		return 1;
	switch (settings[s].kind) {
	case VK_PATH:
	case VK_LISTEN:
		return 0;
	case VK_COUNT:
		return n->style != YSTYLE_PLAIN || cad_scalar_int(n->text, n->len, &i, &help);
	default:
		return 1;	/* enums, booleans, durations: its checks are these */
	}
}

/* The settings the file gives, checked as a variable's would be. */
static unsigned apply_file(cli_config *cfg, report *r, const ynode *root)
{
	unsigned errors = 0;
	for (int s = 0; s < CLI_SET_COUNT; s++) {
		const ynode *n = lookup(root, settings[s].key);
		/* of the wrong kind: the walker said so */
		if (!n || n->kind != (settings[s].kind == VK_PATHS ? YNODE_SEQ : YNODE_SCALAR))
			continue;
		strbuf sb = STRBUF_INIT;
		char hbuf[256], *norm = NULL;
		const char *help;
		unsigned before = errors;
		if (n->kind == YNODE_SEQ)
			list_text(n, &sb, r, &errors);
		else
			cad_strbuf_add(&sb, n->text, n->len);
		const char *text = cad_strbuf_cstr(&sb);
		if (!text)
			r->oom = 1;
		if (errors != before || r->oom) {
			cad_strbuf_free(&sb);
			continue;
		}
		const char *why = check_value((cli_setting)s, text, cfg->root, &norm, &help, hbuf,
					      sizeof(hbuf));
		if (why) {
			errors++;
			if (!walker_refuses((cli_setting)s, n))
				cad_report_at(r, CADENCE_SEVERITY_ERROR, "config-value", n->line, n->col,
					      n->width ? n->width : 1, help, "%s, got '%s'", why,
					      text);
		} else if (norm) {
			free(cfg->value[s]);
			cfg->value[s] = norm;
			cfg->origin[s] = CLI_CONFIG_FILE_ORIGIN;
			cfg->line[s] = n->line;
		} else {
			r->oom = 1;
		}
		cad_strbuf_free(&sb);
	}
	return errors;
}

/* ---- rules and exclude ----------------------------------------------------------- */

/* rules: {RULE: LEVEL}; each bad entry is an error at its key or value. */
static void apply_rules(cli_config *cfg, report *r, const ynode *m)
{
	if (!m || m->kind != YNODE_MAP)
		return;		/* the walker said what is wrong */
	for (size_t i = 0; i < m->count; i++) {
		const ynode *k = m->items[2 * i], *v = m->items[2 * i + 1];
		cli_rules_why why;
		/* a level that is no level: the walker said so (bad-enum) */
		if (k->kind != YNODE_SCALAR || v->kind != YNODE_SCALAR ||
		    !cli_rules_set(&cfg->levels, k->text, k->len, v->text, &why) ||
		    why.kind == CLI_RULES_LEVEL)
			continue;
		const ynode *at = why.kind == CLI_RULES_UNKNOWN ? k : v;
		cad_report_at(r, CADENCE_SEVERITY_ERROR, "config-value", at->line, at->col,
			      at->width ? at->width : 1, why.help, "%s", why.what);
	}
}

/* exclude: [GLOB...], the walker checked each is a string. */
static void apply_exclude(cli_config *cfg, report *r, const ynode *l)
{
	if (!l || l->kind != YNODE_SEQ)
		return;
	for (size_t i = 0; i < l->count; i++)
		if (l->items[i]->kind == YNODE_SCALAR && l->items[i]->len &&
		    file_list_add(&cfg->exclude, l->items[i]->text))
			r->oom = 1;
}

const cli_rule_levels *cli_config_rule_levels(const cli_config *cfg)
{
	return &cfg->levels;
}

const file_list *cli_config_exclude(const cli_config *cfg)
{
	return &cfg->exclude;
}

/* ---- serve.webhooks ------------------------------------------------------------ */

static void free_hook(cli_webhook *h)
{
	for (size_t i = 0; i < h->nscore; i++) {
		free(h->score[i].name);
		free(h->score[i].expr);
	}
	free(h->score);
	free(h->name);
	free(h->cadence);
	free(h->signature);
	free(h->secret_file);
	free(h->secret_env);
}

static char *text_of(const ynode *n, int *oom)
{
	char *s = n && n->kind == YNODE_SCALAR ? strndup(n->text, n->len) : NULL;
	if (n && n->kind == YNODE_SCALAR && !s)
		*oom = 1;
	return s;
}

/* Where column `column` of the expression of node n is in the file: exact
 * when n is one line of the source as written (plain, or quoted without
 * escapes); else n's start, and *exact 0. */
static void expr_at(report *r, const ynode *n, unsigned column, unsigned *line, unsigned *col,
		    int *exact)
{
	*line = n->line;
	*col = n->col;
	*exact = 0;
	const char *s = cad_report_line_start(r, n->line);
	const char *end = r->src ? r->src + r->len : NULL;
	if (!column || !s || memchr(n->text, '\n', n->len) || n->style == YSTYLE_BLOCK)
		return;
	unsigned target = n->col + (n->style == YSTYLE_QUOTED);
	for (unsigned c = 1; s < end && c < target && *s != '\n'; c++)
		s += cad_utf8_char_len(s, (size_t)(end - s));
	if ((size_t)(end - s) < n->len || memcmp(s, n->text, n->len))
		return;
	*exact = 1;
	*col = target + column - 1;
}

/* Compiles the expression of a score field: a positioned error if bad. */
static void compile_field(report *r, const char *hook, const ynode *key, const ynode *n)
{
	cadence_expr *e = NULL;
	cadence_expr_error err = CADENCE_EXPR_ERROR_INIT;
	int rc = hook_compile(&e, n->text, n->len, &err);
	cadence_expr_free(e);
	if (rc == CADENCE_ENOMEM) {
		r->oom = 1;
	} else if (rc) {
		unsigned line, col;
		int exact;
		expr_at(r, n, err.column, &line, &col, &exact);
		const char *why = err.message ? err.message : cadence_strerror(rc);
		if (exact)
			cad_report_at(r, CADENCE_SEVERITY_ERROR, "bad-expression", line, col,
				      err.width ? err.width : 1, err.help, "webhook '%s', score field "
				      "'%.*s': %s", hook, (int)key->len, key->text, why);
		else
			cad_report_at(r, CADENCE_SEVERITY_ERROR, "bad-expression", line, col,
				      n->width ? n->width : 1, err.help, "webhook '%s', score field "
				      "'%.*s': column %u of the expression: %s", hook, (int)key->len,
				      key->text, err.column, why);
	}
	cadence_expr_error_clear(&err);
}

/* One route, whose shape the walker checked. */
static int load_hook(cli_config *cfg, report *r, const ynode *key, const ynode *m)
{
	cli_webhook h = { 0 };
	int oom = 0;
	const ynode *cad = cad_ymap_get(m, "cadence"), *sig = cad_ymap_get(m, "signature");
	const ynode *file = cad_ymap_get(m, "secret_file"), *env = cad_ymap_get(m, "secret_env");
	const ynode *score = cad_ymap_get(m, "score");
	h.name = text_of(key, &oom);
	h.cadence = text_of(cad, &oom);
	h.signature = text_of(sig, &oom);
	h.secret_env = text_of(env, &oom);
	if (file && file->kind == YNODE_SCALAR && !(h.secret_file = absolute(cfg->root, file->text,
									       file->len)))
		oom = 1;
	h.line = key->line;
	h.col = key->col;
	h.cadence_line = cad ? cad->line : key->line;
	h.cadence_col = cad ? cad->col : key->col;
	const ynode *secret = file ? file : env ? env : key;
	h.secret_line = secret->line;
	h.secret_col = secret->col;
	size_t n = score && score->kind == YNODE_MAP ? score->count : 0;
	h.score = n ? calloc(n, sizeof(*h.score)) : NULL;
	if (n && !h.score)
		oom = 1;
	for (size_t i = 0; !oom && i < n; i++) {
		const ynode *k = score->items[2 * i], *v = score->items[2 * i + 1];
		if (v->kind != YNODE_SCALAR)
			continue;
		cli_webhook_field *f = &h.score[h.nscore++];
		f->name = text_of(k, &oom);
		f->expr = text_of(v, &oom);
		f->line = v->line;
		f->col = v->col;
		if (!oom)
			compile_field(r, h.name, k, v);
	}
	if (oom || CAD_GROW(cfg->hooks, cfg->caphooks, cfg->nhooks + 1, 4)) {
		free_hook(&h);
		return -1;
	}
	cfg->hooks[cfg->nhooks++] = h;
	return 0;
}

/* serve.webhooks, after the walker found its shape right. */
static void load_webhooks(cli_config *cfg, report *r, const ynode *hooks)
{
	if (!hooks || hooks->kind != YNODE_MAP)
		return;
	for (size_t i = 0; i < hooks->count && !r->oom; i++)
		if (hooks->items[2 * i + 1]->kind == YNODE_MAP &&
		    load_hook(cfg, r, hooks->items[2 * i], hooks->items[2 * i + 1]))
			r->oom = 1;
}

size_t cli_config_webhooks(const cli_config *cfg, const cli_webhook **out)
{
	*out = cfg->hooks;
	return cfg->nhooks;
}

/* Parses and checks the project file into cfg; problems into diags.
 * Returns 0 or CADENCE_ENOMEM. */
static int load_file(cli_config *cfg, cadence_diags *diags)
{
	char *src = NULL;
	size_t len = 0;
	if (read_file(diags, cfg->path, &src, &len))
		return 0;	/* said in diags */
	const char *text = src;
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
		text += 3;
		len -= 3;
	}
	report r;
	arena a;
	ynode *root = NULL;
	ytree_limits limits = { CADENCE_DEFAULT_MAX_DEPTH };
	cad_arena_init(&a);
	cad_report_init(&r, diags, cfg->path, text, len);
	/* its problems go to diags; rc says only whether there is a tree */
	int rc = cad_ytree_parse(&root, &a, &a, &r, text, len, &limits);
	if (rc == 0 && root && !(root->kind == YNODE_SCALAR && root->style == YSTYLE_PLAIN &&
				 cad_scalar_is_null(root->text, root->len))) {
		/* both, so that every problem is said at once */
		cad_structure_check_as(&r, root, &t_project);
		if (root->kind == YNODE_MAP)
			apply_file(cfg, &r, root);
		if (root->kind == YNODE_MAP) {
			load_webhooks(cfg, &r, lookup(root, "serve.webhooks"));
			apply_rules(cfg, &r, lookup(root, "rules"));
			apply_exclude(cfg, &r, lookup(root, "exclude"));
		}
	}
	rc = r.oom ? CADENCE_ENOMEM : 0;
	cad_report_release(&r);
	cad_arena_free(&a);
	free(src);
	return rc;
}

/* ---- the API ------------------------------------------------------------------ */

static int file_settings(cli_config *cfg)
{
	cadence_diags *diags = NULL;
	if (cadence_diags_new(&diags))
		return oom();
	int rc = load_file(cfg, diags);
	if (rc == CADENCE_ENOMEM) {
		rc = oom();
	} else if (cadence_diags_errors(diags)) {
		files_write_diags(diags, stderr, CADENCE_DIAG_TEXT, NULL, 0);
		rc = cli_usage_error("the project file '%s' has problems; fix them (see above), "
				     "or name another with --config", cfg->path);
	} else {
		rc = 0;
	}
	cadence_diags_free(diags);
	return rc;
}

int cli_config_check_file(cadence_diags *diags)
{
	cli_config *cfg = calloc(1, sizeof(*cfg));
	int rc = !cfg ? CADENCE_ENOMEM : 0;
	/* find_file() fails only out of memory with no path given */
	if (!rc && find_file(cfg, NULL))
		rc = CADENCE_ENOMEM;
	if (!rc && cfg->path) {
		char *slash = strrchr(cfg->path, '/');
		cfg->root = strndup(cfg->path, slash && slash != cfg->path
				    ? (size_t)(slash - cfg->path) : 1);
		rc = !cfg->root ? CADENCE_ENOMEM : load_file(cfg, diags);
	}
	cli_config_free(cfg);
	return rc;
}

int cli_config_load(const char *path, cli_config **out)
{
	cli_config *cfg = calloc(1, sizeof(*cfg));
	int rc;
	*out = NULL;
	if (!cfg)
		return oom();
	rc = find_file(cfg, path);
	if (!rc && cfg->path) {
		char *slash = strrchr(cfg->path, '/');
		cfg->root = strndup(cfg->path, slash && slash != cfg->path
				    ? (size_t)(slash - cfg->path) : 1);
		if (!cfg->root)
			rc = oom();
	}
	if (!rc)
		rc = defaults(cfg);
	if (!rc && cfg->path)
		rc = file_settings(cfg);
	for (int s = 0; !rc && s < CLI_SET_COUNT; s++) {
		const char *e = getenv(settings[s].env);
		if (e && *e)
			rc = set_checked(cfg, (cli_setting)s, e, CLI_CONFIG_ENV, settings[s].env);
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
	for (size_t i = 0; i < cfg->nhooks; i++)
		free_hook(&cfg->hooks[i]);
	free(cfg->hooks);
	file_list_free(&cfg->exclude);
	for (int s = 0; s < CLI_SET_COUNT; s++)
		free(cfg->value[s]);
	free(cfg->path);
	free(cfg->root);
	free(cfg);
}

int cli_config_set_flag(cli_config *cfg, cli_setting s, const char *value)
{
	char who[64];
	snprintf(who, sizeof(who), "%s", settings[s].key);
	return set_checked(cfg, s, value, CLI_CONFIG_FLAG, who);
}

const char *cli_config_root(const cli_config *cfg) { return cfg->root; }
const char *cli_config_path(const cli_config *cfg) { return cfg->path; }
const char *cli_config_get(const cli_config *cfg, cli_setting s) { return cfg->value[s]; }
cli_config_origin cli_config_origin_of(const cli_config *cfg, cli_setting s) { return cfg->origin[s]; }
unsigned cli_config_line(const cli_config *cfg, cli_setting s) { return cfg->line[s]; }
const char *cli_config_key(cli_setting s) { return settings[s].key; }
const char *cli_config_env_name(cli_setting s) { return settings[s].env; }
int cli_config_is_list(cli_setting s) { return settings[s].kind == VK_PATHS; }
int cli_config_is_number(cli_setting s) { return settings[s].kind == VK_COUNT; }
int cli_config_is_bool(cli_setting s) { return settings[s].kind == VK_BOOL; }

int cli_config_find_setting(const char *key, cli_setting *s)
{
	for (int i = 0; i < CLI_SET_COUNT; i++) {
		if (!strcmp(key, settings[i].key)) {
			*s = (cli_setting)i;
			return 0;
		}
	}
	return -1;
}

const char *cli_config_near_setting(const char *key)
{
	return cad_suggest_pick_in(key, strlen(key), settings, CLI_SET_COUNT, sizeof(*settings),
				   offsetof(setting_info, key));
}

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

/* Calls fn on each item of a ':' list (a copy of it, NUL-terminated). */
static int each_item(const char *list, int (*fn)(void *ctx, const char *item), void *ctx)
{
	char *copy = list ? strdup(list) : NULL;
	int rc = 0;
	if (list && !copy)
		return oom();
	for (char *p = copy, *next; !rc && p && *p; p = next) {
		next = strchr(p, ':');
		if (next)
			*next++ = '\0';
		rc = fn(ctx, p);
	}
	free(copy);
	return rc;
}

static int add_cadences(void *ctx, const char *dir)
{
	file_list *l = ctx;
	char *failed = NULL;
	if (files_find(l, dir, 0, &failed) != 0) {
		int e = errno;
		cli_error(e == ENOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE, "cannot list '%s': %s",
			  failed ? failed : dir, strerror(e));
		free(failed);
		return e == ENOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE;
	}
	return 0;
}

int cli_config_cadence_files(const cli_config *cfg, char ***paths, size_t *count)
{
	file_list l = { 0 };
	int rc = each_item(cfg->value[CLI_SET_CADENCES], add_cadences, &l);
	if (rc) {
		file_list_free(&l);
		return rc;
	}
	*paths = l.paths;
	*count = l.count;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A plugin path: a directory adds its *.so files, sorted; anything else
 * is added as it is, for the loader to say what is wrong with it. */
static int add_plugin(void *ctx, const char *path)
{
	file_list *l = ctx;
	struct stat st;
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return file_list_add(l, path) ? oom() : 0;
	DIR *d = opendir(path);
	if (!d)
		return cli_usage_error("cannot list the plugin directory '%s': %s", path,
				       strerror(errno));
	size_t first = l->count;
	struct dirent *e;
	int rc = 0;
	while (!rc && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || n < 4 || strcmp(e->d_name + n - 3, ".so"))
			continue;
		strbuf sb = STRBUF_INIT;
		cad_strbuf_addf(&sb, "%s/%s", path, e->d_name);
		struct stat fst;
		if (cad_strbuf_cstr(&sb) && !stat(sb.buf, &fst) && !S_ISREG(fst.st_mode)) {
			cad_strbuf_free(&sb);
			continue;
		}
		rc = !cad_strbuf_cstr(&sb) || file_list_add(l, sb.buf) ? oom() : 0;
		cad_strbuf_free(&sb);
	}
	closedir(d);
	if (!rc)
		qsort(l->paths + first, l->count - first, sizeof(*l->paths), cmp_str);
	return rc;
}

int cli_config_plugins(const cli_config *cfg, char ***paths, size_t *count)
{
	file_list l = { 0 };
	int rc = each_item(cfg->value[CLI_SET_PLUGINS], add_plugin, &l);
	if (rc) {
		file_list_free(&l);
		return rc;
	}
	*paths = l.paths;
	*count = l.count;
	return 0;
}

/* "; 2 files did not load ('a.cadence.yaml', ...): see 'cadence validate'" */
static void say_broken(char *buf, size_t size, const file_list *broken)
{
	size_t n = 0;
	buf[0] = '\0';
	if (!broken->count)
		return;
	n += (size_t)snprintf(buf, size, "; %zu file%s did not load (", broken->count,
			      broken->count == 1 ? "" : "s");
	for (size_t i = 0; i < broken->count && i < 3 && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s'%s'", i ? ", " : "", broken->paths[i]);
	if (n < size)
		snprintf(buf + n, size - n, "%s): one of them may be it; see 'cadence validate'",
			 broken->count > 3 ? ", ..." : "");
}

int cli_config_find_cadence(const cli_config *cfg, const char *name, char **path)
{
	char **paths = NULL;
	size_t n = 0;
	int rc = cli_config_cadence_files(cfg, &paths, &n);
	file_list names = { 0 };	/* for the did-you-mean */
	file_list broken = { 0 };	/* files that do not load: it may be one */
	const char *other = NULL;	/* a second file of that name */
	*path = NULL;
	for (size_t i = 0; !rc && i < n && !other; i++) {
		cadence_def *def = NULL;
		cadence_diags *diags = NULL;
		if (cadence_diags_new(&diags)) {
			rc = oom();
			break;
		}
		if (cadence_load_file(&def, paths[i], NULL, diags) != 0)
			rc = file_list_add(&broken, paths[i]) ? oom() : 0;
		else if (strcmp(cadence_def_name(def), name))
			rc = file_list_add(&names, cadence_def_name(def)) ? oom() : 0;
		else if (*path)
			other = paths[i];
		else
			rc = (*path = strdup(paths[i])) ? 0 : oom();
		cadence_def_free(def);
		cadence_diags_free(diags);
	}
	if (!rc && other)
		rc = cli_error(CLI_EXIT_USAGE, "two files of the project are the cadence '%s': '%s' "
			       "and '%s'; rename one (its 'cadence:' key) or name the file", name,
			       *path, other);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	if (!rc && !*path) {
		const char *near = cad_suggest_pick(name, strlen(name), (const char *const *)names.paths,
						    names.count);
		char why[512];
		say_broken(why, sizeof(why), &broken);
		rc = cli_error(CLI_EXIT_USAGE, "no cadence named '%s' in the project (%s)%s%s%s%s",
			       name, cfg->value[CLI_SET_CADENCES], near ? "; did you mean '" : "",
			       near ? near : "", near ? "'?" : "", why);
	}
	if (rc) {
		free(*path);
		*path = NULL;
	}
	file_list_free(&names);
	file_list_free(&broken);
	return rc;
}

int cli_config_resolve(const cli_config *cfg, const char *arg, char **path)
{
	struct stat st;
	size_t n = strlen(arg);
	if (strchr(arg, '/') || (n >= 5 && !strcmp(arg + n - 5, ".yaml")) || !strcmp(arg, "-") ||
	    lstat(arg, &st) == 0) {
		*path = strdup(arg);
		return *path ? 0 : oom();
	}
	return cli_config_find_cadence(cfg, arg, path);
}
