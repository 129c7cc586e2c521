/* SPDX-License-Identifier: MIT */
/* What the registry's commands share (regcmd.h). */
/* localtime_r(), tm_gmtoff */
#define _DEFAULT_SOURCE

#include "regcmd.h"
#include "timefmt.h"

#include "config.h"

#include <cadence/cadence.h>
#include <cjson/cJSON.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format/scalar.h"
#include "util/civil.h"
#include "util/grow.h"
#include "util/strbuf.h"
#include "util/suggest.h"

int regcmd_open(const char *config, const char *state_dir, reg **r)
{
	cli_config *cfg = NULL;
	char *why = NULL;
	int rc = cli_config_load(config, &cfg);
	if (rc)
		return rc;
	const char *dir = state_dir ? state_dir : cli_config_state_dir(cfg);
	if (reg_open(dir, r, &why)) {
		rc = cli_error(CLI_EXIT_INTERNAL, "%s", why ? why : "out of memory");
		free(why);
	}
	cli_config_free(cfg);
	return rc;
}

/* ---- the project's cadences ------------------------------------------------ */

static void load_one(regcmd_cadence *c)
{
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cadence_diags *diags = NULL;
	int lr = cadence_diags_new(&diags) ? CADENCE_ENOMEM
		 : cadence_load_file(&c->def, c->path, NULL, diags);
	cadence_diags_free(diags);
	if (lr) {
		c->problem = strdup("the file has problems: see 'cadence validate'");
		return;
	}
	c->name = cadence_def_name(c->def);
	int rc = cadence_schedule_open(&c->schedule, c->def, &err);
	if (rc && rc != CADENCE_ENOTFOUND)
		c->problem = strdup(err.message ? err.message : cadence_strerror(rc));
	cadence_run_error_clear(&err);
}

int regcmd_cadences(const char *config, regcmd_cadence **out, size_t *n)
{
	cli_config *cfg = NULL;
	char **paths = NULL;
	size_t count = 0;
	int rc = cli_config_load(config, &cfg);
	*out = NULL;
	*n = 0;
	if (rc || (rc = cli_config_cadence_files(cfg, &paths, &count))) {
		cli_config_free(cfg);
		return rc;
	}
	cli_config_free(cfg);
	regcmd_cadence *c = calloc(count ? count : 1, sizeof(*c));
	if (!c) {
		for (size_t i = 0; i < count; i++)
			free(paths[i]);
		free(paths);
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	}
	for (size_t i = 0; i < count; i++) {
		c[i].path = paths[i];
		load_one(&c[i]);
	}
	free(paths);
	*out = c;
	*n = count;
	return 0;
}

void regcmd_cadences_free(regcmd_cadence *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(c[i].path);
		cadence_schedule_free(c[i].schedule);
		cadence_def_free(c[i].def);
		free(c[i].problem);
	}
	free(c);
}

regcmd_cadence *regcmd_find(regcmd_cadence *c, size_t n, const char *name, int quiet)
{
	cad_suggest s;
	for (size_t i = 0; i < n; i++)
		if (c[i].name && !strcmp(c[i].name, name))
			return &c[i];
	if (quiet)
		return NULL;
	cad_suggest_init(&s, name, strlen(name));
	for (size_t i = 0; i < n; i++)
		if (c[i].name)
			cad_suggest_try(&s, c[i].name);
	if (s.best)
		cli_error(CLI_EXIT_USAGE, "no cadence named '%s' in the project; did you mean '%s'? "
			  "('cadence list' lists them)", name, s.best);
	else
		cli_error(CLI_EXIT_USAGE, "no cadence named '%s' in the project ('cadence list' "
			  "lists them; the project's cadences are the *.cadence.yaml files under "
			  "its 'cadences' directories)", name);
	return NULL;
}

/* ---- pause, resume, disable, enable ------------------------------------------ */

enum { OPT_STATE_DIR = 1 };

static const char *const op_verbs[] = { "pause", "resume", "disable", "enable" };

static int toggle_one(reg *r, const regcmd_cadence *c, regcmd_toggle_op op)
{
	reg_schedule_state st;
	const char *name = c->name;
	if (!c->schedule)
		return cli_error(CLI_EXIT_PROBLEMS, "cadence '%s' (%s) has %s: nothing to %s; add "
				 "'schedule: {cron: \"MIN HOUR DAY MONTH WEEKDAY\"}' "
				 "(docs/format.md, \"schedule\")", name, c->path,
				 c->problem ? "a schedule with problems" : "no schedule",
				 op_verbs[op]);
	if (reg_schedule_get(r, name, &st))
		return cli_error(CLI_EXIT_INTERNAL, "%s", reg_error(r));
	int was = op <= REGCMD_RESUME ? st.paused : st.disabled;
	int on = op == REGCMD_PAUSE || op == REGCMD_DISABLE;
	if (was != on && (op <= REGCMD_RESUME ? reg_set_paused(r, name, on)
			  : reg_set_disabled(r, name, on)))
		return cli_error(CLI_EXIT_INTERNAL, "%s", reg_error(r));
	static const char *const already[] = {
		"was paused already", "was not paused", "was disabled already", "was not disabled",
	};
	if (was == on) {
		cli_print_clean(stdout, "%s: %s\n", name, already[op]);
		return 0;
	}
	switch (op) {
	case REGCMD_PAUSE:
		cli_print_clean(stdout, "%s: paused: its fire times are recorded as missed (reason "
				"paused) until 'cadence resume %s'", name, name);
		break;
	case REGCMD_DISABLE:
		cli_print_clean(stdout, "%s: disabled: it does not run on its schedule until "
				"'cadence enable %s'", name, name);
		break;
	case REGCMD_RESUME:
	case REGCMD_ENABLE:
		cli_print_clean(stdout, "%s: %s: it runs on its schedule again%s", name,
				op == REGCMD_RESUME ? "resumed" : "enabled",
				op == REGCMD_RESUME && st.disabled ? ", once enabled ('cadence enable')"
				: op == REGCMD_ENABLE && st.paused ? ", once resumed ('cadence resume')"
				: "");
		break;
	}
	putchar('\n');
	return 0;
}

int regcmd_toggle_names(char **names, size_t n, const char *config, const char *state_dir,
			regcmd_toggle_op op)
{
	regcmd_cadence *all = NULL;
	size_t count = 0;
	reg *r = NULL;
	int rc = regcmd_cadences(config, &all, &count);
	/* every name checked before any change: all or nothing */
	for (size_t i = 0; !rc && i < n; i++)
		if (!regcmd_find(all, count, names[i], 0))
			rc = CLI_EXIT_USAGE;
	for (size_t i = 0; !rc && i < n; i++)
		if (!regcmd_find(all, count, names[i], 1)->schedule)
			rc = toggle_one(NULL, regcmd_find(all, count, names[i], 1), op);
	if (!rc)
		rc = regcmd_open(config, state_dir, &r);
	for (size_t i = 0; !rc && i < n; i++)
		rc = toggle_one(r, regcmd_find(all, count, names[i], 1), op);
	reg_close(r);
	regcmd_cadences_free(all, count);
	return rc;
}

static int on_toggle_opt(void *ctx, int id, const char *value)
{
	if (id == OPT_STATE_DIR)
		*(const char **)ctx = value;
	return 0;
}

int regcmd_toggle(const cli_cmd *cmd, int argc, char **argv, regcmd_toggle_op op)
{
	const char *state_dir = NULL;
	cli_args args;
	int rc = cli_parse(cmd, argc, argv, on_toggle_opt, &state_dir, &args);
	if (rc)
		return rc;
	if (args.help)
		cli_print_help(cmd, stdout);
	else if (!args.npos)
		rc = cli_usage_error("which cadence? usage: cadence %s NAME...", op_verbs[op]);
	else
		rc = regcmd_toggle_names(args.pos, args.npos, NULL, state_dir, op);
	cli_args_free(&args);
	return rc;
}

/* ---- times ------------------------------------------------------------------- */

void regcmd_time(char *buf, size_t size, int64_t t, const cadence_schedule *schedule)
{
	char local[48], zone[16];
	const char *abbr = NULL;
	long off;
	if (schedule) {
		off = cadence_schedule_utc_offset(schedule, t, &abbr);
	} else {
		struct tm tm;
		time_t tt = (time_t)t;
		if (!localtime_r(&tt, &tm)) {
			regcmd_utc(buf, size, t * 1000, 0);
			return;
		}
		off = tm.tm_gmtoff;
		abbr = tm.tm_zone;
	}
	cli_time_civil(local, sizeof(local), t + off, ' ');
	if (!abbr || !*abbr) {
		unsigned long a = (unsigned long)(off < 0 ? -off : off);
		snprintf(zone, sizeof(zone), "%c%02lu:%02lu", off < 0 ? '-' : '+', a / 3600 % 100,
			 a / 60 % 60);
		abbr = zone;
	}
	snprintf(buf, size, "%s %s", local, abbr);
}

void regcmd_utc(char *buf, size_t size, int64_t ms, int with_ms)
{
	char t[48];
	cli_time_civil(t, sizeof(t), cad_floor_div(ms, 1000), 'T');
	if (with_ms)
		snprintf(buf, size, "%s.%03lldZ", t, (long long)(ms - cad_floor_div(ms, 1000) * 1000));
	else
		snprintf(buf, size, "%sZ", t);
}

void regcmd_span(char *buf, size_t size, int64_t s)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, size, "%lldmin %llds", (long long)(s / 60), (long long)(s % 60));
	else if (s < 86400)
		snprintf(buf, size, "%lldh %lldmin", (long long)(s / 3600), (long long)(s / 60 % 60));
	else
		snprintf(buf, size, "%lld day%s %lldh", (long long)(s / 86400),
			 s / 86400 == 1 ? "" : "s", (long long)(s / 3600 % 24));
}

int regcmd_parse_since(const char *s, int64_t now_ms, int64_t *ms)
{
	int64_t t, span;
	const char *help = NULL;
	size_t len = strlen(s);
	if (!cli_time_parse(s, &t)) {
		*ms = t * 1000;
		return 0;
	}
	/* days, which durations elsewhere do not take: "7d" */
	if (len > 1 && s[len - 1] == 'd' && strspn(s, "0123456789") == len - 1 && len < 9) {
		*ms = now_ms - strtoll(s, NULL, 10) * 86400000;
		return 0;
	}
	if (cad_scalar_duration(s, len, &span, &help) || span < 0)
		return -1;
	*ms = now_ms - span;
	return 0;
}

/* ---- tables -------------------------------------------------------------------- */

void regcmd_table_add(regcmd_table *t, const char *cell)
{
	/* a cell is one line: an error's first, marked as cut */
	size_t len = cell ? strcspn(cell, "\n") : 1;
	char *c = malloc(len + 5);
	if (c) {
		memcpy(c, cell ? cell : "-", len);
		strcpy(c + len, cell && cell[len] ? " ..." : "");
	}
	if (!c || CAD_GROW(t->cells, t->cap, t->n + 1, 32)) {
		free(c);
		t->failed = 1;
		return;
	}
	t->cells[t->n++] = c;
}

/* Characters, as a terminal shows them: UTF-8 continuation bytes do not count. */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

int regcmd_table_print(regcmd_table *t, FILE *out)
{
	if (t->failed || !t->ncols)
		return -1;
	size_t *w = calloc(t->ncols, sizeof(*w));
	if (!w)
		return -1;
	for (size_t i = 0; i < t->n; i++)
		if (width(t->cells[i]) > w[i % t->ncols])
			w[i % t->ncols] = width(t->cells[i]);
	strbuf line = STRBUF_INIT;
	for (size_t i = 0; i < t->n; i++) {
		size_t col = i % t->ncols;
		cad_strbuf_adds(&line, t->cells[i]);
		if (col < t->ncols - 1) {
			for (size_t k = width(t->cells[i]); k < w[col] + 2; k++)
				cad_strbuf_addc(&line, ' ');
			continue;
		}
		while (line.len && line.buf[line.len - 1] == ' ')
			line.len--;
		cad_strbuf_setlen(&line, line.len);
		if (line.failed)
			break;
		cli_print_clean(out, "%s\n", cad_strbuf_cstr(&line));
		cad_strbuf_reset(&line);
	}
	int failed = line.failed;
	cad_strbuf_free(&line);
	free(w);
	return failed ? -1 : 0;
}

void regcmd_table_free(regcmd_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n = t->cap = 0;
}

int regcmd_json_line(cJSON *o)
{
	char *line = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!line)
		return -1;
	puts(line);
	cJSON_free(line);
	return 0;
}
