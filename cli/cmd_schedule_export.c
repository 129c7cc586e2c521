/* SPDX-License-Identifier: MIT */
/* cadence schedule export: a cadence's schedule as a systemd timer and
 * service, or as a crontab line (docs/cli.md, "schedule export"), each
 * starting `cadence run --scheduled NAME`. */
#include "cli.h"
#include "config.h"
#include "files.h"
#include "scaffold/plan.h"

#include <cadence/cadence.h>
#include <cadence/schedule_export.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/afile.h"
#include "util/strbuf.h"

enum { OPT_TO = 1, OPT_OUTPUT, OPT_FORCE, OPT_BINARY, OPT_MACHINE_TZ, OPT_ALLOW_OUTSIDE_ROOT };

static const char *const targets[] = { "systemd", "cron", NULL };

static const cli_opt export_opts[] = {
	{ OPT_TO, 0, "to", "TARGET", "systemd (a .timer and a .service) or cron (a crontab line)",
	  targets },
	{ OPT_OUTPUT, 'o', "output", "PATH",
	  "systemd: the directory for the units (default: the working directory); "
	  "cron: a file for the line (default: standard output)", NULL },
	{ OPT_FORCE, 0, "force", NULL, "replace files that exist and differ", NULL },
	{ OPT_BINARY, 0, "cadence-binary", "PATH",
	  "the cadence the units and lines start (default: this one, /proc/self/exe)", NULL },
	{ OPT_MACHINE_TZ, 0, "machine-timezone", "ZONE",
	  "cron: the zone the cron daemon runs in (default: /etc/localtime's)", NULL },
	CLI_OPT_ALLOW_OUTSIDE_ROOT_ENTRY(OPT_ALLOW_OUTSIDE_ROOT),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct export_ctx {
	int cron;		/* --to cron; -1: not given */
	const char *output;
	int force;
	const char *binary;
	const char *machine_tz;
	int allow_outside;
	/* filled in: */
	const char *file;	/* as given */
	char *exe;		/* absolute */
	char *workdir;		/* absolute */
	const char *name;
} export_ctx;

static int on_opt(void *p, int id, const char *value)
{
	export_ctx *c = p;
	switch (id) {
	case OPT_TO:
		c->cron = !strcmp(value, "cron");
		break;
	case OPT_OUTPUT:
		c->output = value;
		break;
	case OPT_FORCE:
		c->force = 1;
		break;
	case OPT_BINARY:
		if (value[0] != '/')
			return cli_usage_error("--cadence-binary takes an absolute path (systemd and "
					       "cron start it from elsewhere), not '%s'", value);
		c->binary = value;
		break;
	case OPT_MACHINE_TZ:
		c->machine_tz = value;
		break;
	case OPT_ALLOW_OUTSIDE_ROOT:
		c->allow_outside = 1;
		break;
	}
	return 0;
}

/* ---- where things are ---- */

/* The zone the cron daemon runs in: /etc/localtime's link into the tzdata
 * (Debian's), else /etc/timezone's name; NULL when neither says. */
static char *machine_zone(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/etc/localtime", buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		const char *z = strstr(buf, "zoneinfo/");
		if (z)
			return strdup(z + strlen("zoneinfo/"));
	}
	FILE *f = fopen("/etc/timezone", "r");
	if (!f)
		return NULL;
	char *r = NULL;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, " \t\r\n")] = '\0';
		if (buf[0])
			r = strdup(buf);
	}
	fclose(f);
	return r;
}

/* The directory `cadence run --scheduled` starts in: the nearest one above
 * the file that holds the project file (cli/config.h), else the file's
 * project root (the repository, or its directory). */
static char *project_dir(const char *file)
{
	char *abs = cad_afile_absolute(file);
	if (!abs)
		return NULL;
	for (char *slash = strrchr(abs, '/'); slash; slash = strrchr(abs, '/')) {
		*slash = '\0';
		strbuf p = STRBUF_INIT;
		cad_strbuf_addf(&p, "%s/%s", abs[0] ? abs : "", CLI_CONFIG_FILE);
		int found = cad_strbuf_cstr(&p) && access(cad_strbuf_cstr(&p), F_OK) == 0;
		cad_strbuf_free(&p);
		if (found) {
			if (!abs[0])
				strcpy(abs, "/");
			return abs;
		}
	}
	free(abs);
	return files_root(file, 0, NULL);
}

static char *this_binary(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return strdup(buf);
}

/* Text a unit or a crontab cannot hold on one line. */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* ---- systemd ---- */

/* A systemd value: '%' is a specifier there. */
static void add_unit_text(strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '%')
			cad_strbuf_addc(sb, '%');
		cad_strbuf_addc(sb, *s);
	}
}

/* An ExecStart= word: quoted when it has blanks or quotes; '$' and '%'
 * doubled (variables and specifiers). */
static void add_exec_word(strbuf *sb, const char *s)
{
	int quote = s[strcspn(s, " \t\"'\\;")] != '\0';
	if (quote)
		cad_strbuf_addc(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			cad_strbuf_addc(sb, '\\');
		if (*s == '$' || *s == '%')
			cad_strbuf_addc(sb, *s);
		cad_strbuf_addc(sb, *s);
	}
	if (quote)
		cad_strbuf_addc(sb, '"');
}

/* The header both units share: what made them. */
static void add_origin(strbuf *sb, const export_ctx *c, const cadence_schedule *s)
{
	cad_strbuf_adds(sb, "# Written by `cadence schedule export --to systemd` from ");
	add_unit_text(sb, c->file);
	cad_strbuf_adds(sb, ":\n# cron \"");
	add_unit_text(sb, cadence_schedule_cron(s));
	cad_strbuf_addf(sb, "\" in %s. Export again after changing the schedule.\n",
			cadence_schedule_timezone(s));
}

static void timer_text(strbuf *sb, const export_ctx *c, const cadence_schedule *s,
		       const cadence_schedule_export *x)
{
	add_origin(sb, c, s);
	if (x->nlines > 1)
		cad_strbuf_adds(sb, "# cron fires on a day matching the day of month OR the day of "
				"week;\n# systemd ANDs them in one OnCalendar=, so each has its "
				"own line (systemd ORs lines).\n");
	if (x->zone_changes)
		cad_strbuf_addf(sb, "# Daylight saving: a time in the hour %s's clock skips does "
				"not fire in\n# systemd; cadence's own rule runs it once at the "
				"jump (cadence.yaml(5),\n# SCHEDULE). A time in a repeated "
				"hour fires once in both.\n", cadence_schedule_timezone(s));
	if (!cadence_schedule_enabled(s))
		cad_strbuf_adds(sb, "# The schedule has enabled: false: do not enable this timer.\n");
	cad_strbuf_addf(sb, "\n[Unit]\nDescription=cadence %s on its schedule\n\n[Timer]\n",
			c->name);
	for (size_t i = 0; i < x->nlines; i++)
		cad_strbuf_addf(sb, "OnCalendar=%s\n", x->lines[i]);
	cad_strbuf_adds(sb, "AccuracySec=1s\n");
	if (x->jitter_ms % 1000)
		cad_strbuf_addf(sb, "RandomizedDelaySec=%lldms\n", (long long)x->jitter_ms);
	else if (x->jitter_ms)
		cad_strbuf_addf(sb, "RandomizedDelaySec=%llds\n", (long long)(x->jitter_ms / 1000));
	if (x->catch_up)
		cad_strbuf_adds(sb, "Persistent=true\n");
	cad_strbuf_addf(sb, "Unit=cadence-%s.service\n\n[Install]\nWantedBy=timers.target\n",
			c->name);
}

static void service_text(strbuf *sb, const export_ctx *c, const cadence_schedule *s)
{
	add_origin(sb, c, s);
	cad_strbuf_addf(sb, "\n[Unit]\nDescription=cadence %s, a scheduled run\n\n[Service]\n"
			"Type=oneshot\nWorkingDirectory=", c->name);
	add_unit_text(sb, c->workdir);
	cad_strbuf_adds(sb, "\nExecStart=");
	add_exec_word(sb, c->exe);
	cad_strbuf_addf(sb, " run --scheduled %s\n", c->name);
}

/* Adds `data` as `dir/name` to the plan, unless the same is there. */
static int plan_file_of(plan *p, const export_ctx *c, const char *dir, const char *suffix,
			strbuf *data, strbuf *same)
{
	strbuf path = STRBUF_INIT;
	char *old = NULL;
	size_t len;
	cad_strbuf_addf(&path, "%s/cadence-%s.%s", dir, c->name, suffix);
	if (!cad_strbuf_cstr(&path) || !cad_strbuf_cstr(data)) {
		cad_strbuf_free(&path);
		return CADENCE_ENOMEM;
	}
	int rc = 0;
	if (cad_afile_read(path.buf, &old, &len) == 0 && len == data->len &&
	    !memcmp(old, data->buf, len))
		cad_strbuf_addf(same, "%s%s", same->len ? ", " : "", path.buf);
	else
		rc = cad_plan_add(p, path.buf, data->buf, data->len, 0644, c->force);
	free(old);
	cad_strbuf_free(&path);
	return rc;
}

static int write_units(const export_ctx *c, const cadence_schedule *s,
		       const cadence_schedule_export *x)
{
	strbuf timer = STRBUF_INIT, service = STRBUF_INIT, why = STRBUF_INIT, same = STRBUF_INIT;
	const char *dir = c->output ? c->output : ".";
	plan p;
	cad_plan_init(&p);
	timer_text(&timer, c, s, x);
	service_text(&service, c, s);
	int rc = plan_file_of(&p, c, dir, "service", &service, &same);
	if (!rc)
		rc = plan_file_of(&p, c, dir, "timer", &timer, &same);
	if (!rc && p.nfiles)
		rc = cad_plan_check(&p, &why);
	if (rc == CADENCE_EINVALID) {
		int exists = 0;
		for (size_t i = 0; i < p.nfiles; i++)
			exists |= p.files[i].exists && !p.files[i].may_replace;
		if (why.len && why.buf[why.len - 1] == '\n')
			cad_strbuf_setlen(&why, why.len - 1);
		rc = cli_error(exists ? CLI_EXIT_PROBLEMS : CLI_EXIT_INTERNAL, "nothing written:\n%s%s",
			       cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "out of memory",
			       exists ? "\n(they differ from what the export writes: --force "
					"replaces them)" : "");
	} else if (!rc && p.nfiles && (rc = cad_plan_commit(&p, NULL, &why))) {
		rc = rc == CADENCE_ENOMEM ? cli_error(CLI_EXIT_INTERNAL, "out of memory")
			: cli_error(CLI_EXIT_INTERNAL, "%s; nothing written",
				    cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "out of memory");
	} else if (rc) {
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
	} else {
		for (size_t i = 0; i < p.nfiles; i++)
			printf("wrote %s\n", p.files[i].path);
		if (same.len)
			printf("unchanged %s\n", same.buf);
		printf("to use them: copy them to /etc/systemd/system (or ~/.config/systemd/user), "
		       "then\n  systemctl daemon-reload && systemctl enable --now cadence-%s.timer\n",
		       c->name);
	}
	cad_plan_free(&p);
	cad_strbuf_free(&timer);
	cad_strbuf_free(&service);
	cad_strbuf_free(&why);
	cad_strbuf_free(&same);
	return rc;
}

/* ---- cron ---- */

/* A shell word for a crontab command: single-quoted when it has more than
 * safe characters; '%' escaped (cron makes it a newline). */
static void add_cron_word(strbuf *sb, const char *s)
{
	int quote = s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			      "0123456789/._-+:,=@")] != '\0';
	if (quote)
		cad_strbuf_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			cad_strbuf_adds(sb, "'\\''");
		else if (*s == '%')
			cad_strbuf_adds(sb, "\\%");
		else
			cad_strbuf_addc(sb, *s);
	}
	if (quote)
		cad_strbuf_addc(sb, '\'');
}

static void cron_text(strbuf *sb, const export_ctx *c, const cadence_schedule *s,
		      const cadence_schedule_export *x, const char *mzone)
{
	const char *zone = cadence_schedule_timezone(s);
	cad_strbuf_addf(sb, "# cadence %s from %s (by `cadence schedule export --to cron`):\n",
			c->name, c->file);
	cad_strbuf_addf(sb, "# cron \"%s\" in %s", cadence_schedule_cron(s), zone);
	if (x->shift)
		cad_strbuf_addf(sb, ", moved by %+d minutes into the machine's zone %s.\n",
				(int)(x->shift / 60), mzone);
	else if (!x->note)
		cad_strbuf_addf(sb, ", the machine's zone (%s).\n", mzone ? mzone : zone);
	else
		cad_strbuf_addf(sb, ".\n# NOTE: %s.\n# cron starts `cadence run --scheduled` at "
				"these times; it decides there what runs\n# (overlap, catch_up), "
				"but not when: for %s's times exactly, use --to systemd.\n",
				x->note, zone);
	if (x->jitter_ms)
		cad_strbuf_addf(sb, "# cron has no jitter: --jitter makes cadence wait a random "
				"part of %lld ms first.\n", (long long)x->jitter_ms);
	if (!cadence_schedule_enabled(s))
		cad_strbuf_adds(sb, "# The schedule has enabled: false: do not install this line.\n");
	for (size_t i = 0; i < x->nlines; i++) {
		cad_strbuf_addf(sb, "%s cd ", x->lines[i]);
		add_cron_word(sb, c->workdir);
		cad_strbuf_adds(sb, " && ");
		add_cron_word(sb, c->exe);
		cad_strbuf_addf(sb, " run --scheduled %s%s\n", c->name,
				x->jitter_ms ? " --jitter" : "");
	}
}

static int write_cron(const export_ctx *c, const cadence_schedule *s,
		      const cadence_schedule_export *x, const char *mzone)
{
	strbuf text = STRBUF_INIT, why = STRBUF_INIT;
	int rc = 0;
	char *old = NULL;
	size_t len;
	cron_text(&text, c, s, x, mzone);
	if (!cad_strbuf_cstr(&text)) {
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
	} else if (!c->output) {
		fputs(text.buf, stdout);
	} else if (cad_afile_read(c->output, &old, &len) == 0 &&
		   (len != text.len || memcmp(old, text.buf, len)) && !c->force) {
		rc = cli_error(CLI_EXIT_PROBLEMS, "'%s' exists and differs; nothing written "
			       "(--force replaces it)", c->output);
	} else {
		int e = cad_afile_write(c->output, text.buf, text.len, 0666, CAD_AFILE_DURABLE);
		if (e) {
			cad_afile_check(c->output, 0, &why);
			rc = files_output_error(CLI_EXIT_INTERNAL, "crontab line", c->output, e, &why,
						"; nothing written");
		}
	}
	free(old);
	cad_strbuf_free(&text);
	cad_strbuf_free(&why);
	return rc;
}

/* ---- the command ---- */

static int export_def(export_ctx *c, const cadence_def *def)
{
	cadence_schedule *s = NULL;
	cadence_schedule_export *x = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	char *mzone = NULL;
	int64_t now = (int64_t)time(NULL);
	c->name = cadence_def_name(def);
	int rc = cadence_schedule_open(&s, def, &err);
	if (!rc && c->cron) {
		mzone = c->machine_tz ? strdup(c->machine_tz) : machine_zone();
		rc = cadence_schedule_export_cron(&x, def, mzone, now, &err);
	} else if (!rc) {
		rc = cadence_schedule_export_systemd(&x, def, now, &err);
	}
	if (rc == CADENCE_ENOTFOUND)
		rc = cli_error(CLI_EXIT_PROBLEMS, "cadence '%s' has no schedule: add "
			       "'schedule: {cron: \"MIN HOUR DAY MONTH WEEKDAY\"}' (cadence.yaml(5), "
			       "SCHEDULE); nothing written", c->name);
	else if (rc)
		rc = cli_error(rc == CADENCE_ENOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_PROBLEMS,
			       "%s; nothing written", err.message ? err.message : cadence_strerror(rc));
	else if (c->cron)
		rc = write_cron(c, s, x, mzone);
	else
		rc = write_units(c, s, x);
	free(mzone);
	cadence_schedule_export_free(x);
	cadence_schedule_free(s);
	cadence_run_error_clear(&err);
	return rc;
}

/* The binary and the directory the units and lines name. */
static int locate(export_ctx *c)
{
	c->exe = c->binary ? strdup(c->binary) : this_binary();
	if (!c->exe)
		return cli_error(CLI_EXIT_INTERNAL, "cannot tell where this cadence is "
				 "(/proc/self/exe): give it with --cadence-binary PATH");
	c->workdir = project_dir(c->file);
	if (!c->workdir)
		return cli_error(CLI_EXIT_INTERNAL, "cannot resolve the directory of '%s': %s",
				 c->file, strerror(errno));
	if (has_control(c->exe) || has_control(c->workdir) || has_control(c->file))
		return cli_error(CLI_EXIT_PROBLEMS, "a path ('%s', '%s' or '%s') has a control "
				 "character, which a unit or a crontab cannot hold; nothing "
				 "written", c->file, c->exe, c->workdir);
	return 0;
}

static int export_fn(void *ctx, const char *path, const cadence_def *def)
{
	export_ctx *c = ctx;
	c->file = path;
	int rc = locate(c);
	if (!rc)
		rc = export_def(c, def);
	c->file = NULL;
	return rc;
}

static int schedule_export(const cli_cmd *cmd, int argc, char **argv)
{
	export_ctx c = { -1, NULL, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL };
	cli_args args;
	int rc = cli_parse(cmd, argc, argv, on_opt, &c, &args);
	if (rc)
		return rc;
	if (args.help) {
		cli_print_help(cmd, stdout);
	} else if (args.npos != 1) {
		rc = cli_usage_error("'cadence schedule export' takes one cadence (a name or a "
				     "file), not %zu arguments", args.npos);
	} else if (c.cron < 0) {
		rc = cli_usage_error("'cadence schedule export' needs --to systemd or --to cron");
	} else {
		rc = files_with_cadence(args.pos[0], c.allow_outside, "schedule export",
					"for its schedule", export_fn, &c);
	}
	free(c.exe);
	free(c.workdir);
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_schedule_export = {
	"schedule export",
	"--to systemd|cron [OPTIONS] NAME|CADENCE_FILE",
	"Write a cadence's schedule as a systemd timer or a crontab line.",
	"--to systemd writes cadence-NAME.timer and cadence-NAME.service into the\n"
	"-o directory (default: the working directory). The timer's OnCalendar=\n"
	"lines mean the cron expression exactly, in its time zone (two lines when\n"
	"cron ORs the day of month and the day of week); Persistent=true with\n"
	"catch_up, RandomizedDelaySec= from jitter. The service runs\n"
	"'cadence run --scheduled NAME' in the project directory (the nearest\n"
	"above the file with cadence.project.yaml, else its project root) with\n"
	"this cadence binary (--cadence-binary to name another). An existing unit\n"
	"that differs is replaced only with --force; both are written or neither.\n"
	"\n"
	"--to cron prints a crontab line (or writes it to the -o file). cron has no\n"
	"time zone of its own: in the machine's zone (/etc/localtime, or\n"
	"--machine-timezone) the line is the expression as written; for two zones\n"
	"without daylight saving, the times moved by their difference; else the\n"
	"expression as written, under a comment that says cron cannot keep the\n"
	"zone. format.md, \"schedule\", has where systemd, cron and cadence\n"
	"differ (daylight saving).\n"
	"\n"
	"Exit status: 0 written, 1 the cadence has problems or no schedule, or a\n"
	"file exists and differs, 2 usage error, 3 cannot write.",
	export_opts,
	schedule_export,
};
