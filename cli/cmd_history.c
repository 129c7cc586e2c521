/* SPDX-License-Identifier: MIT */
/* cadence history [NAME]: the runs, or the missed fire times, that the run
 * registry recorded (docs/registry.md), newest first. */
#include "cli.h"
#include "regcmd.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/json.h"

enum { OPT_STATE_DIR = 1, OPT_FORMAT, OPT_MISSED, OPT_SINCE, OPT_LIMIT };

static const char *const formats[] = { "text", "json", NULL };

static const cli_opt history_opts[] = {
	{ OPT_MISSED, 'm', "missed", NULL,
	  "the fire times that did not run, with why, instead of the runs", NULL },
	{ OPT_SINCE, 0, "since", "TIME",
	  "only since TIME: RFC 3339 (2026-12-01T00:00:00Z) or a duration before now "
	  "(30m, 2h, 7d)", NULL },
	{ OPT_LIMIT, 0, "limit", "N", "at most N, newest first (default 20; 0: all)", NULL },
	{ OPT_FORMAT, 'f', "format", "FORMAT", "text (default), or json: one object a line", formats },
	REGCMD_STATE_DIR_ENTRY(OPT_STATE_DIR),
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct history_ctx {
	const char *state_dir;
	int json, missed;
	int64_t since_ms;
	size_t limit;
} history_ctx;

static int on_opt(void *p, int id, const char *value)
{
	history_ctx *c = p;
	char *end;
	switch (id) {
	case OPT_STATE_DIR: c->state_dir = value; break;
	case OPT_FORMAT: c->json = !strcmp(value, "json"); break;
	case OPT_MISSED: c->missed = 1; break;
	case OPT_SINCE: {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		if (regcmd_parse_since(value, (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
				       &c->since_ms))
			return cli_usage_error("--since takes an RFC 3339 time such as "
					       "2026-12-01T00:00:00Z or a duration such as 30m, 2h "
					       "or 7d, not '%s'", value);
		break;
	}
	case OPT_LIMIT: {
		errno = 0;
		long long n = strtoll(value, &end, 10);
		if (errno || end == value || *end || n < 0 || n > 1000000000)
			return cli_usage_error("--limit takes a whole number, 0 for all, not '%s'",
					       value);
		c->limit = (size_t)n;
		break;
	}
	}
	return 0;
}

static void add_json_time(cJSON *o, const char *key, int64_t ms, int with_ms)
{
	char buf[64];
	if (ms < 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	regcmd_utc(buf, sizeof(buf), ms, with_ms);
	cJSON_AddStringToObject(o, key, buf);
}

static void add_json_text(cJSON *o, const char *key, const char *s)
{
	/* text from files, notes and users, which may not be UTF-8 */
	if (s)
		cad_json_add_text(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

static int run_json(const reg_run *x)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return -1;
	cJSON_AddNumberToObject(o, "id", (double)x->id);
	add_json_text(o, "cadence", x->cadence);
	add_json_text(o, "file", x->file);
	add_json_text(o, "file_digest", x->file_digest);
	add_json_text(o, "trigger", x->trigger);
	add_json_time(o, "scheduled_for", x->scheduled_for < 0 ? -1 : x->scheduled_for * 1000, 0);
	add_json_time(o, "start", x->start_ms, 1);
	add_json_time(o, "end", x->end_ms, 1);
	if (x->end_ms >= 0)
		cJSON_AddNumberToObject(o, "duration_ms", (double)(x->end_ms - x->start_ms));
	else
		cJSON_AddNullToObject(o, "duration_ms");
	add_json_text(o, "status", x->status);
	add_json_text(o, "error", x->error);
	add_json_text(o, "score_digest", x->score_digest);
	cJSON_AddNumberToObject(o, "pid", (double)x->pid);
	add_json_text(o, "events", x->events_path);
	add_json_text(o, "trace", x->trace_path);
	add_json_text(o, "checkpoint", x->checkpoint_path);
	return regcmd_json_line(o);
}

static int miss_json(const reg_miss *x)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return -1;
	cJSON_AddNumberToObject(o, "id", (double)x->id);
	add_json_text(o, "cadence", x->cadence);
	add_json_time(o, "fire", x->fire * 1000, 0);
	add_json_text(o, "reason", x->reason);
	add_json_time(o, "recorded", x->recorded_ms, 1);
	return regcmd_json_line(o);
}

static void runs_text(regcmd_table *t, const reg_run *runs, size_t n)
{
	static const char *const head[] = { "ID", "CADENCE", "TRIGGER", "START", "DURATION",
					    "STATUS", "ERROR" };
	char buf[96];
	t->ncols = 7;
	for (size_t i = 0; i < 7; i++)
		regcmd_table_add(t, head[i]);
	for (size_t i = 0; i < n; i++) {
		const reg_run *x = &runs[i];
		snprintf(buf, sizeof(buf), "%lld", (long long)x->id);
		regcmd_table_add(t, buf);
		regcmd_table_add(t, x->cadence);
		regcmd_table_add(t, x->trigger);
		regcmd_time(buf, sizeof(buf), x->start_ms / 1000, NULL);
		regcmd_table_add(t, buf);
		if (x->end_ms >= 0 && x->end_ms - x->start_ms < 60000)
			snprintf(buf, sizeof(buf), "%.1fs", (double)(x->end_ms - x->start_ms) / 1000);
		else if (x->end_ms >= 0)
			regcmd_span(buf, sizeof(buf), (x->end_ms - x->start_ms) / 1000);
		regcmd_table_add(t, x->end_ms >= 0 ? buf : "-");
		regcmd_table_add(t, x->status);
		regcmd_table_add(t, x->error ? x->error : "");
	}
}

static void misses_text(regcmd_table *t, const reg_miss *m, size_t n)
{
	static const char *const head[] = { "CADENCE", "FIRE TIME", "REASON", "RECORDED" };
	char buf[96];
	t->ncols = 4;
	for (size_t i = 0; i < 4; i++)
		regcmd_table_add(t, head[i]);
	for (size_t i = 0; i < n; i++) {
		regcmd_table_add(t, m[i].cadence);
		regcmd_time(buf, sizeof(buf), m[i].fire, NULL);
		regcmd_table_add(t, buf);
		regcmd_table_add(t, m[i].reason);
		regcmd_time(buf, sizeof(buf), m[i].recorded_ms / 1000, NULL);
		regcmd_table_add(t, buf);
	}
}

static int history(const history_ctx *c, const char *name)
{
	reg *r = NULL;
	reg_run *runs = NULL;
	reg_miss *m = NULL;
	size_t n = 0;
	regcmd_table t = { NULL, 0, 0, 0, 0 };
	int rc = regcmd_open(NULL, c->state_dir, &r);
	if (!rc && (c->missed ? reg_misses(r, name, c->since_ms, c->limit, &m, &n)
			      : reg_runs(r, name, c->since_ms, c->limit, &runs, &n)))
		rc = cli_error(CLI_EXIT_INTERNAL, "%s", reg_error(r));
	for (size_t i = 0; !rc && c->json && i < n; i++)
		if (c->missed ? miss_json(&m[i]) : run_json(&runs[i]))
			rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
	if (!rc && !c->json) {
		if (c->missed)
			misses_text(&t, m, n);
		else
			runs_text(&t, runs, n);
		if (regcmd_table_print(&t, stdout))
			rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
		else
			printf("\n%zu %s listed%s.\n", n,
			       c->missed ? (n == 1 ? "missed fire time" : "missed fire times")
					 : (n == 1 ? "run" : "runs"),
			       c->limit && n == c->limit ? " (--limit 0 lists all)" : "");
	}
	if (!rc && (fflush(stdout) || ferror(stdout)))
		rc = cli_error(CLI_EXIT_INTERNAL, "cannot write the history: %s", strerror(errno));
	regcmd_table_free(&t);
	reg_runs_free(runs, c->missed ? 0 : n);
	reg_misses_free(m, c->missed ? n : 0);
	reg_close(r);
	return rc;
}

static int history_cmd(const cli_cmd *cmd, int argc, char **argv)
{
	history_ctx c = { NULL, 0, 0, -1, 20 };
	cli_args args;
	int rc = cli_parse(cmd, argc, argv, on_opt, &c, &args);
	if (rc)
		return rc;
	if (args.help)
		cli_print_help(cmd, stdout);
	else if (args.npos > 1)
		rc = cli_usage_error("'cadence history' takes at most one cadence name, not %zu "
				     "arguments", args.npos);
	else
		rc = history(&c, args.npos ? args.pos[0] : NULL);
	cli_args_free(&args);
	return rc;
}

const cli_cmd cli_cmd_history = {
	"history",
	"[OPTIONS] [NAME]",
	"Show the recorded runs, or missed fire times, newest first.",
	"The runs the run registry recorded (registry.md), of every cadence or\n"
	"of the cadence NAME: id, cadence, trigger (manual, schedule, api, webhook),\n"
	"start in local time, duration, status and error. A status is ok, failed,\n"
	"stopped (a precheck or breaker stopped it), error (it could not start),\n"
	"running (its process is alive) or interrupted: SIGINT/SIGTERM, or a\n"
	"process that died without recording its end (SIGKILL, a crash, a power\n"
	"loss). With --missed, the fire times that did not run and why (paused,\n"
	"disabled, overlap, catch_up, catch_up_max, error).\n"
	"\n"
	"--format json prints one object a line, for scripts. A run: id, cadence,\n"
	"file, file_digest (SHA-256), trigger, scheduled_for, start, end (UTC, RFC\n"
	"3339 with ms; null while running), duration_ms, status, error,\n"
	"score_digest (SHA-256 of the final score), pid, events, trace,\n"
	"checkpoint. A missed fire time: id, cadence, fire, reason, recorded.\n"
	"\n"
	"Exit status: 0 listed (also when nothing was), 2 usage error, 3 the run\n"
	"registry cannot be used (damaged, read-only, made by a newer cadence).",
	history_opts,
	history_cmd,
};
