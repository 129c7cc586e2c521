/* SPDX-License-Identifier: MIT */
/* cadence schedule next: the times a cadence's schedule fires at
 * (docs/format.md, "schedule"), in its time zone and in UTC. */
#include "cli.h"
#include "config.h"
#include "timefmt.h"
#include "files.h"

#include <cadence/cadence.h>
#include <cadence/schedule.h>
#include <cjson/cJSON.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


enum { OPT_COUNT = 1, OPT_AFTER, OPT_FORMAT, OPT_ALLOW_OUTSIDE_ROOT };

#define MAX_COUNT 1000

static const char *const formats[] = { "text", "json", NULL };

static const cli_opt next_opts[] = {
	{ OPT_COUNT, 0, "count", "N", "how many times to print, 1 to 1000 (default 5)", NULL },
	{ OPT_AFTER, 0, "after", "TIME",
	  "the times after TIME (RFC 3339: 2026-03-29T00:00:00Z, or with an offset "
	  "such as +01:00), not after now", NULL },
	{ OPT_FORMAT, 'f', "format", "FORMAT", "text (default), or json: one object a line", formats },
	CLI_OPT_ALLOW_OUTSIDE_ROOT_ENTRY(OPT_ALLOW_OUTSIDE_ROOT),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct next_ctx {
	long count;
	int64_t after;
	int has_after;
	int json;
	int allow_outside;
} next_ctx;

static int on_opt(void *p, int id, const char *value)
{
	next_ctx *c = p;
	char *end;
	switch (id) {
	case OPT_COUNT:
		errno = 0;
		c->count = strtol(value, &end, 10);
		if (errno || end == value || *end || c->count < 1 || c->count > MAX_COUNT)
			return cli_usage_error("--count takes a whole number from 1 to %d, not '%s'",
					       MAX_COUNT, value);
		break;
	case OPT_AFTER:
		if (cli_time_parse(value, &c->after))
			return cli_usage_error("--after takes an RFC 3339 time such as "
					       "2026-03-29T00:00:00Z or 2026-03-29T02:00:00+01:00, "
					       "not '%s'", value);
		c->has_after = 1;
		break;
	case OPT_FORMAT:
		c->json = !strcmp(value, "json");
		break;
	case OPT_ALLOW_OUTSIDE_ROOT:
		c->allow_outside = 1;
		break;
	}
	return 0;
}

/* "+01:00" of an offset in seconds. */
static void format_offset(char *buf, size_t size, int32_t off)
{
	unsigned a = (unsigned)(off < 0 ? -(int64_t)off : off);
	snprintf(buf, size, "%c%02u:%02u", off < 0 ? '-' : '+', a / 3600 % 100, a / 60 % 60);
}

static int print_time(const next_ctx *c, const cadence_schedule *s, const char *name, int64_t t)
{
	const char *abbr = NULL;
	int32_t off = cadence_schedule_utc_offset(s, t, &abbr);
	char local[64], utc[64], offs[16];
	cli_time_civil(local, sizeof(local), t + off, c->json ? 'T' : ' ');
	cli_time_civil(utc, sizeof(utc), t, 'T');
	format_offset(offs, sizeof(offs), off);
	if (!c->json) {
		printf("  %s %-6s (%s)  %sZ\n", local, abbr ? abbr : offs, offs, utc);
		return 0;
	}
	cJSON *o = cJSON_CreateObject();
	char when[96], u[96];
	snprintf(when, sizeof(when), "%s%s", local, offs);
	snprintf(u, sizeof(u), "%sZ", utc);
	if (!o || !cJSON_AddStringToObject(o, "cadence", name) ||
	    !cJSON_AddStringToObject(o, "time", when) || !cJSON_AddStringToObject(o, "utc", u) ||
	    !cJSON_AddStringToObject(o, "timezone", cadence_schedule_timezone(s)) ||
	    (abbr && !cJSON_AddStringToObject(o, "abbreviation", abbr))) {
		cJSON_Delete(o);
		return -1;
	}
	char *line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!line)
		return -1;
	puts(line);
	cJSON_free(line);
	return 0;
}

static int print_next(const next_ctx *c, const cadence_def *def)
{
	cadence_schedule *s = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	const char *name = cadence_def_name(def);
	int rc = cadence_schedule_open(&s, def, &err);
	if (rc == CADENCE_ENOTFOUND) {
		rc = cli_error(CLI_EXIT_PROBLEMS, "cadence '%s' has no schedule: add "
			       "'schedule: {cron: \"MIN HOUR DAY MONTH WEEKDAY\"}' (cadence.yaml(5), "
			       "SCHEDULE)", name);
	} else if (rc) {
		rc = cli_error(rc == CADENCE_ENOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_PROBLEMS, "%s",
			       err.message ? err.message : cadence_strerror(rc));
	} else {
		int64_t t = c->has_after ? c->after : (int64_t)time(NULL);
		if (!c->json)
			cli_print_clean(stdout, "%s: cron \"%s\" in %s%s\n", name, cadence_schedule_cron(s),
					cadence_schedule_timezone(s),
					cadence_schedule_enabled(s) ? "" : " (enabled: false: not run on these times)");
		for (long i = 0; i < c->count && !rc; i++) {
			if (cadence_schedule_next(s, t, &t)) {
				if (!c->json)
					puts("  (no later time within eight years)");
				break;
			}
			if (print_time(c, s, name, t))
				rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
		}
		if (!rc && (fflush(stdout) || ferror(stdout)))
			rc = cli_error(CLI_EXIT_INTERNAL, "cannot write the times: %s", strerror(errno));
	}
	cadence_schedule_free(s);
	cadence_run_error_clear(&err);
	return rc;
}

static int next_fn(void *ctx, const char *path, const cadence_def *def)
{
	(void)path;
	return print_next(ctx, def);
}

static int schedule_next(const cli_cmd *cmd, int argc, char **argv)
{
	next_ctx c = { 5, 0, 0, 0, 0 };
	cli_args args;
	int rc = cli_parse(cmd, argc, argv, on_opt, &c, &args);
	if (rc)
		return rc;
	if (args.help) {
		cli_print_help(cmd, stdout);
	} else if (args.npos != 1) {
		rc = cli_usage_error("'cadence schedule next' takes one cadence (a name or a file), "
				     "not %zu arguments", args.npos);
	} else {
		rc = files_with_cadence(args.pos[0], c.allow_outside, "schedule next",
					"for its times", next_fn, &c);
	}
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_schedule_next = {
	"schedule next",
	"[OPTIONS] NAME|CADENCE_FILE",
	"Print the next times a cadence's schedule fires at.",
	"The times come from the cadence's 'schedule:' (format.md, \"schedule\"):\n"
	"its cron expression in its time zone, with the daylight-saving rules\n"
	"written there (a time in a skipped hour fires once, at the jump; a time in\n"
	"a repeated hour once, the first time). Each line gives the local time, the\n"
	"zone's abbreviation and offset, and the time in UTC. The file is checked\n"
	"first, as 'cadence run' checks it. NAME is a cadence of the project\n"
	"(cli.md, \"Project configuration\"); a path is a file.\n"
	"\n"
	"Exit status: 0 printed, 1 the cadence has problems or no schedule, 2 usage\n"
	"error, 3 internal failure.",
	next_opts,
	schedule_next,
};

const cli_cmd *const cli_schedule_commands[] = {
	&cli_cmd_schedule_next,
	&cli_cmd_schedule_export,
	NULL,
};

static const cli_opt schedule_opts[] = {
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

static int run_schedule(const cli_cmd *cmd, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_print_help(cmd, argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	for (size_t i = 0; cli_schedule_commands[i]; i++)
		if (!strcmp(argv[1], cli_schedule_commands[i]->name + strlen("schedule ")))
			return cli_schedule_commands[i]->run(cli_schedule_commands[i], argc - 1,
							     argv + 1);
	return cli_usage_error("'cadence schedule' has the subcommands 'next' and 'export', not "
			       "'%s'; see "
			       "'cadence schedule --help'", argv[1]);
}

const cli_cmd cli_cmd_schedule = {
	"schedule",
	"next|export [OPTIONS] CADENCE_FILE",
	"Work with a cadence's schedule: its next fire times, its systemd or cron form.",
	"  cadence schedule next [-n N] [--after TIME] [--format text|json] CADENCE_FILE\n"
	"  cadence schedule export --to systemd|cron [-o PATH] [--force] CADENCE_FILE\n"
	"See 'cadence schedule next --help' and 'cadence schedule export --help'.\n"
	"\n"
	"Exit status: as the subcommand's.",
	schedule_opts,
	run_schedule,
};
