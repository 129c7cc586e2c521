/* SPDX-License-Identifier: MIT */
/* cadence list: each cadence of the project with its schedule, next and
 * last run and its state in the run registry (docs/registry.md). */
#include "cli.h"
#include "regcmd.h"

#include <cadence/cadence.h>
#include <cjson/cJSON.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/json.h"

enum { OPT_STATE_DIR = 1, OPT_FORMAT };

static const char *const formats[] = { "text", "json", NULL };

static const cli_opt list_opts[] = {
	{ OPT_FORMAT, 'f', "format", "FORMAT", "text (default), or json: one object a line", formats },
	REGCMD_STATE_DIR_ENTRY(OPT_STATE_DIR),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct list_ctx {
	const char *state_dir;
	int json;
} list_ctx;

static int on_opt(void *p, int id, const char *value)
{
	list_ctx *c = p;
	if (id == OPT_STATE_DIR)
		c->state_dir = value;
	else if (id == OPT_FORMAT)
		c->json = !strcmp(value, "json");
	return 0;
}

/* What the registry says of one cadence. */
typedef struct facts {
	reg_schedule_state st;
	reg_run *last;		/* NULL: never ran */
	size_t nlast;
	int64_t running;
	int64_t next;		/* -1: none */
	const char *state;
} facts;

static int gather(reg *r, const regcmd_cadence *c, int64_t now, facts *f)
{
	memset(f, 0, sizeof(*f));
	f->next = -1;
	if (!c->name) {
		f->state = "problems";
		return 0;
	}
	if (reg_schedule_get(r, c->name, &f->st) || reg_runs(r, c->name, -1, 1, &f->last, &f->nlast) ||
	    reg_running(r, c->name, &f->running))
		return cli_error(CLI_EXIT_INTERNAL, "%s", reg_error(r));
	if (!c->schedule)
		f->state = c->problem ? "problems" : "-";
	else if (!cadence_schedule_enabled(c->schedule))
		f->state = "off (enabled: false)";
	else if (f->st.paused && f->st.disabled)
		f->state = "paused, disabled";
	else
		f->state = f->st.paused ? "paused" : f->st.disabled ? "disabled" : "enabled";
	if (!strcmp(f->state, "enabled") && cadence_schedule_next(c->schedule, now, &f->next))
		f->next = -1;
	return 0;
}

static void add_text_row(regcmd_table *t, const regcmd_cadence *c, const facts *f, int64_t now)
{
	char buf[96];
	const reg_run *last = f->nlast ? f->last : NULL;
	regcmd_table_add(t, c->name ? c->name : c->path);
	regcmd_table_add(t, c->schedule ? cadence_schedule_cron(c->schedule) : "-");
	regcmd_table_add(t, c->schedule ? cadence_schedule_timezone(c->schedule) : "-");
	regcmd_table_add(t, f->state);
	if (f->next >= 0)
		regcmd_time(buf, sizeof(buf), f->next, c->schedule);
	regcmd_table_add(t, f->next >= 0 ? buf : "-");
	if (f->next >= 0)
		regcmd_span(buf, sizeof(buf), f->next - now);
	regcmd_table_add(t, f->next >= 0 ? buf : "-");
	if (last)
		regcmd_time(buf, sizeof(buf), last->start_ms / 1000, c->schedule);
	regcmd_table_add(t, last ? buf : "-");
	regcmd_table_add(t, last ? last->status : "-");
	snprintf(buf, sizeof(buf), "%lld", (long long)f->running);
	regcmd_table_add(t, f->running ? buf : "-");
	regcmd_table_add(t, c->problem ? c->problem : last && last->error ? last->error : "");
}

/* A string, or null. */
static void add_text(cJSON *o, const char *key, const char *s)
{
	/* text from files, notes and users, which may not be UTF-8 */
	if (s)
		cad_json_add_text(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *json_object(const regcmd_cadence *c, const facts *f)
{
	char buf[64];
	cJSON *o = cJSON_CreateObject();
	const reg_run *last = f->nlast ? f->last : NULL;
	if (!o)
		return NULL;
	add_text(o, "cadence", c->name);
	cJSON_AddStringToObject(o, "file", c->path);
	add_text(o, "schedule", c->schedule ? cadence_schedule_cron(c->schedule) : NULL);
	add_text(o, "timezone", c->schedule ? cadence_schedule_timezone(c->schedule) : NULL);
	cJSON_AddStringToObject(o, "state", f->state);
	cJSON_AddBoolToObject(o, "paused", f->st.paused);
	cJSON_AddBoolToObject(o, "disabled", f->st.disabled);
	if (f->next >= 0)
		regcmd_utc(buf, sizeof(buf), f->next * 1000, 0);
	add_text(o, "next", f->next >= 0 ? buf : NULL);
	if (last) {
		cJSON *l = cJSON_AddObjectToObject(o, "last_run");
		cJSON_AddNumberToObject(l, "id", (double)last->id);
		cJSON_AddStringToObject(l, "status", last->status);
		cJSON_AddStringToObject(l, "trigger", last->trigger);
		regcmd_utc(buf, sizeof(buf), last->start_ms, 1);
		cJSON_AddStringToObject(l, "start", buf);
		if (last->end_ms >= 0)
			regcmd_utc(buf, sizeof(buf), last->end_ms, 1);
		add_text(l, "end", last->end_ms >= 0 ? buf : NULL);
		add_text(l, "error", last->error);
	} else {
		cJSON_AddNullToObject(o, "last_run");
	}
	cJSON_AddNumberToObject(o, "running", (double)f->running);
	add_text(o, "problem", c->problem);
	return o;
}

static int json_row(const regcmd_cadence *c, const facts *f)
{
	cJSON *o = json_object(c, f);
	return o ? regcmd_json_line(o) : -1;
}

cJSON *regcmd_list_object(reg *r, const regcmd_cadence *c, int64_t now)
{
	facts f;
	if (gather(r, c, now, &f))
		return NULL;
	cJSON *o = json_object(c, &f);
	reg_runs_free(f.last, f.nlast);
	return o;
}

static int list(const list_ctx *c)
{
	regcmd_cadence *all = NULL;
	size_t n = 0;
	reg *r = NULL;
	regcmd_table t = { NULL, 10, 0, 0, 0 };
	int64_t now = (int64_t)time(NULL);
	int rc = regcmd_cadences(NULL, &all, &n);
	if (!rc)
		rc = regcmd_open(NULL, c->state_dir, &r);
	static const char *const head[] = { "CADENCE", "SCHEDULE", "TIMEZONE", "STATE", "NEXT",
					    "LEFT", "LAST", "STATUS", "RUNNING", "ERROR" };
	for (size_t i = 0; i < 10; i++)
		regcmd_table_add(&t, head[i]);
	for (size_t i = 0; !rc && i < n; i++) {
		facts f;
		if ((rc = gather(r, &all[i], now, &f)))
			break;
		if (c->json ? json_row(&all[i], &f) : (add_text_row(&t, &all[i], &f, now), 0))
			rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
		reg_runs_free(f.last, f.nlast);
	}
	if (!rc && !c->json) {
		if (regcmd_table_print(&t, stdout))
			rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
		else
			printf("\n%zu cadence%s listed.\n", n, n == 1 ? "" : "s");
	}
	if (!rc && (fflush(stdout) || ferror(stdout)))
		rc = cli_error(CLI_EXIT_INTERNAL, "cannot write the list: %s", strerror(errno));
	regcmd_table_free(&t);
	reg_close(r);
	regcmd_cadences_free(all, n);
	return rc;
}

static int list_cmd(const cli_cmd *cmd, int argc, char **argv)
{
	list_ctx c = { NULL, 0 };
	cli_args args;
	int rc = cli_parse(cmd, argc, argv, on_opt, &c, &args);
	if (rc)
		return rc;
	if (args.help)
		cli_print_help(cmd, stdout);
	else if (args.npos)
		rc = cli_usage_error("'cadence list' takes no arguments, not '%s'", args.pos[0]);
	else
		rc = list(&c);
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_list = {
	"list",
	"[OPTIONS]",
	"List the project's cadences: schedule, next and last run, state.",
	"One line for each cadence of the project (the *.cadence.yaml files under\n"
	"its 'cadences' directories: cli.md, \"Project configuration\"): its\n"
	"name, its schedule's cron expression and time zone, its state (enabled,\n"
	"paused, disabled, off when the file says 'enabled: false', '-' without a\n"
	"schedule), the next fire time in the schedule's zone and how long until\n"
	"then (only for a schedule that will run), the last run's start and\n"
	"status, how many runs are running now and the last run's error. Runs and\n"
	"states come from the run registry (registry.md).\n"
	"\n"
	"--format json prints one object a line, for scripts: cadence, file,\n"
	"schedule, timezone, state, paused, disabled, next (UTC), last_run (id,\n"
	"status, trigger, start, end, error) or null, running, problem.\n"
	"\n"
	"Exit status: 0 listed, 2 usage error or a bad project configuration, 3\n"
	"the run registry cannot be used (damaged, read-only, made by a newer\n"
	"cadence).",
	list_opts,
	list_cmd,
};
