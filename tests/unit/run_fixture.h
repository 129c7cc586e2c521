/* SPDX-License-Identifier: MIT */
/* Shared by the run engine's tests (test_run_*.c): load a cadence from
 * text, run it, look at the result, the error and the events. */
#ifndef CADENCE_TESTS_UNIT_RUN_FIXTURE_H
#define CADENCE_TESTS_UNIT_RUN_FIXTURE_H

#include <cadence/cadence.h>
#include <cadence/run.h>

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tmpdir.h"
#include "util/strbuf.h"

/* A clock that moves only when slept on: retry delays and breaker
 * recovery are tested without waiting. */
typedef struct fake_clock {
	int64_t mono_ns;
	int64_t wall_ms;
	int64_t slept_ms[16];
	size_t nslept;
} fake_clock;

static inline int64_t fake_mono(void *ctx)
{
	return ((fake_clock *)ctx)->mono_ns;
}

static inline int64_t fake_wall(void *ctx)
{
	fake_clock *c = ctx;
	return c->wall_ms + c->mono_ns / 1000000;
}

static inline int fake_sleep(void *ctx, int64_t ns, int cancelled_fd)
{
	fake_clock *c = ctx;
	(void)cancelled_fd;
	if (c->nslept < 16)
		c->slept_ms[c->nslept++] = ns / 1000000;
	c->mono_ns += ns;
	return 0;
}

typedef struct fx {
	char dir[64];		/* a temporary directory, the cadence's home ($TMPDIR/cadence-run.XXXXXX) */
	char path[128];
	cadence_project *project;
	const cadence_def *def;
	cadence_runner *r;
	cadence_run_opts opts;
	cadence_run_hooks hooks;
	cadence_clock clock;
	fake_clock fake;
	cadence_run_error err;
	cJSON *out;
	strbuf events;		/* one line per event */
} fx;

static inline void fx_on_event(void *ctx, const cadence_event *ev)
{
	static const char *const kinds[] = {
		"cadence_start", "cadence_end", "measure_start", "measure_end", "note_start",
		"note_end", "retry", "fallback", "error", "log",
	};
	static const char *const st[] = { "ok", "failed", "skipped", "interrupt", "rejected" };
	fx *f = ctx;
	if (ev->kind > CADENCE_EVENT_LOG)
		return;	/* breakers and conflicts: tests/unit/test_report.c */
	cad_strbuf_addf(&f->events, "%s", kinds[ev->kind]);
	if (ev->kind == CADENCE_EVENT_CADENCE_START || ev->kind == CADENCE_EVENT_CADENCE_END)
		cad_strbuf_addf(&f->events, " %s", ev->path);
	if (ev->measure && ev->kind != CADENCE_EVENT_ERROR)
		cad_strbuf_addf(&f->events, " %s", ev->measure);
	if (ev->note)
		cad_strbuf_addf(&f->events, " %s#%u", ev->note, ev->attempt);
	if (ev->kind == CADENCE_EVENT_NOTE_END)
		cad_strbuf_addf(&f->events, " %s", st[ev->status]);
	if (ev->kind == CADENCE_EVENT_RETRY)
		cad_strbuf_addf(&f->events, " %lldms", (long long)ev->delay_ms);
	if (ev->kind == CADENCE_EVENT_LOG)
		cad_strbuf_addf(&f->events, " %s", ev->message);
	cad_strbuf_addc(&f->events, '\n');
}

static inline void fx_init(fx *f)
{
	memset(f, 0, sizeof(*f));
	cr_assert_not_null(test_mkdtemp(f->dir, sizeof(f->dir), "run"), "TMPDIR too long for these tests?");
	snprintf(f->path, sizeof(f->path), "%s/t.cadence.yaml", f->dir);
	f->opts = (cadence_run_opts)CADENCE_RUN_OPTS_INIT;
	f->err = (cadence_run_error)CADENCE_RUN_ERROR_INIT;
	f->hooks = (cadence_run_hooks){ CADENCE_RUN_HOOKS_VERSION, f, fx_on_event, NULL };
	f->opts.hooks = &f->hooks;
	f->opts.kill_grace_ms = 200;
}

/* Replaces the system clock by the fake one (before fx_load). */
static inline void fx_fake_clock(fx *f)
{
	f->fake.wall_ms = 1700000000000LL;
	f->clock = (cadence_clock){ CADENCE_CLOCK_VERSION, &f->fake, fake_mono, fake_wall, fake_sleep };
	f->opts.clock = &f->clock;
}

/* Writes a file in the fixture's directory. */
static inline void fx_write(fx *f, const char *name, const char *text, int executable)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", f->dir, name);
	FILE *fp = fopen(p, "w");
	cr_assert_not_null(fp, "%s", p);
	fputs(text, fp);
	fclose(fp);
	if (executable)
		chmod(p, 0755);
}

/* Loads the cadence text (as t.cadence.yaml in the fixture's directory)
 * and makes a runner for it. */
static inline void fx_load(fx *f, const char *yaml)
{
	cadence_diags *d = NULL;
	/* a test may load a second cadence: the first goes */
	cadence_runner_free(f->r);
	cadence_project_free(f->project);
	f->r = NULL;
	f->project = NULL;
	fx_write(f, "t.cadence.yaml", yaml, 0);
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_project_new(&f->project, NULL), 0);
	int rc = cadence_project_load_file(&f->def, f->project, f->path, d);
	if (rc)
		cadence_diags_write(d, stderr, CADENCE_DIAG_TEXT, NULL);
	cr_assert_eq(rc, 0, "the test cadence does not load");
	cadence_diags_free(d);
	cr_assert_eq(cadence_runner_new(&f->r, f->project, f->def, &f->opts), 0);
}

/* Runs with `input` (JSON text, or NULL); returns the run's result. */
static inline int fx_run(fx *f, const char *input)
{
	cJSON *in = input ? cJSON_Parse(input) : NULL;
	if (input)
		cr_assert_not_null(in, "bad test input %s", input);
	cJSON_Delete(f->out);
	f->out = NULL;
	int rc = cadence_runner_run(&f->out, f->r, in, &f->err);
	cJSON_Delete(in);
	return rc;
}

static inline void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char p[512];
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >= (int)sizeof(p))
			continue;
		struct stat st;
		if (!lstat(p, &st) && S_ISDIR(st.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static inline void fx_free(fx *f)
{
	cJSON_Delete(f->out);
	cadence_run_error_clear(&f->err);
	cadence_runner_free(f->r);
	cadence_project_free(f->project);
	cad_strbuf_free(&f->events);
	rm_tree(f->dir);
}

/* The final score's field as text (JSON), for comparisons. */
static inline char *fx_field(fx *f, const char *name)
{
	static char buf[4096];
	cr_assert_not_null(f->out, "no final score (error: %s)", f->err.message);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(f->out, name);
	cr_assert_not_null(v, "no field %s", name);
	char *s = cJSON_PrintUnformatted(v);
	snprintf(buf, sizeof(buf), "%s", s);
	cJSON_free(s);
	return buf;
}

#define assert_field(f, name, json) \
	cr_assert_str_eq(fx_field(f, name), json, "field %s", name)

/* The error message contains every given string. */
static inline void assert_error_has(const fx *f, ...)
{
	va_list ap;
	const char *s;
	cr_assert_not_null(f->err.message, "no error message");
	va_start(ap, f);
	while ((s = va_arg(ap, const char *)))
		cr_assert_not_null(strstr(f->err.message, s), "error lacks '%s': %s", s,
				   f->err.message);
	va_end(ap);
}
#define assert_error(f, ...) assert_error_has(f, __VA_ARGS__, (const char *)NULL)

static inline int events_have(const fx *f, const char *line)
{
	const char *e = f->events.buf ? f->events.buf : "";
	return strstr(e, line) != NULL;
}

/* Is the process alive (a zombie is not)? */
static inline int alive(pid_t pid)
{
	char p[64], buf[512];
	snprintf(p, sizeof(p), "/proc/%d/stat", (int)pid);
	FILE *fp = fopen(p, "r");
	if (!fp)
		return 0;
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	const char *rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

/* The process is gone, or goes within two seconds: a process killed with
 * SIGKILL is still exiting for a moment after kill() returns. */
static inline int gone(pid_t pid)
{
	for (int i = 0; i < 200 && alive(pid); i++)
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	return !alive(pid);
}

static inline int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n - 1;	/* the directory's own descriptor */
}

static inline long read_number(const fx *f, const char *name)
{
	char p[256], buf[64] = "";
	snprintf(p, sizeof(p), "%s/%s", f->dir, name);
	FILE *fp = fopen(p, "r");
	if (!fp)
		return -1;
	if (!fgets(buf, sizeof(buf), fp))
		buf[0] = '\0';
	fclose(fp);
	return strtol(buf, NULL, 10);
}

#endif
