/* SPDX-License-Identifier: MIT */
/* cadence run: execute a cadence; the final score as JSON on stdout. */
#include "cli.h"
#include "config.h"
#include "files.h"
#include "record.h"
#include "run.h"
#include "scheduled.h"
#include "timefmt.h"

#include <cadence/cadence.h>
#include <cadence/checkpoint.h>
#include <cadence/report.h>
#include <cadence/run.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#include "format/scalar.h"
#include "project/keep.h"
#include "run/env.h"
#include "util/afile.h"
#include "util/api.h"
#include "util/grow.h"
#include "util/json.h"
#include "util/strbuf.h"
#include "util/utf8.h"

const char *const cli_run_log_formats[] = { "text", "json", NULL };

static const cli_opt run_opts[] = {
	{ RUN_OPT_SCORE, 's', "score", "JSON", "the input score, a JSON object", NULL },
	{ RUN_OPT_SCORE_FILE, 0, "score-file", "FILE",
	  "read the input score from FILE ('-': standard input)", NULL },
	{ RUN_OPT_DRY_RUN, 'n', "dry-run", NULL, "check the input score, print what would run, and run nothing", NULL },
	{ RUN_OPT_SCHEDULED, 0, "scheduled", "NAME",
	  "run the project's cadence NAME for its schedule's due times, by its overlap and "
	  "catch_up, recorded in the registry (what timers and cron call)", NULL },
	{ RUN_OPT_NOW, 0, "now", "TIME",
	  "with --scheduled: act as if the time were TIME (RFC 3339), to see or test what "
	  "a schedule does", NULL },
	{ RUN_OPT_JITTER, 0, "jitter", NULL,
	  "with --scheduled: wait a random part of the schedule's jitter first (for cron, "
	  "which has no jitter of its own)", NULL },
	{ RUN_OPT_STDIN_FILENAME, 0, "stdin-filename", "NAME",
	  "with FILE '-': the cadence's file name, for its problems and to find its child "
	  "cadences beside it", NULL },
	CLI_RUN_SHARED_OPTS,
	{ RUN_OPT_CHECKPOINT, 0, "checkpoint", "FILE",
	  "after each completed measure (and in a dag, as tasks end), save where the run is "
	  "to FILE (atomically), "
	  "for 'cadence resume FILE'", NULL },
	CLI_OPT_HELP_ENTRY,
	{ 0, 0, NULL, NULL, NULL, NULL },
};

typedef struct run_ctx {
	const char *score;
	const char *score_file;
	const char **plugins;
	size_t nplugins;
	int env_clear;
	const char **env_keep;	/* --env NAME */
	size_t nenv_keep;
	char **environment;	/* --env-clear: what notes get, borrowed from environ */
	const char *traceparent;	/* $TRACEPARENT when valid: the caller's trace */
	unsigned jobs;
	int dry_run;
	int json_log;
	int log_given;		/* --log: the project's `log` does not apply */
	int timings;
	int verbose;
	int quiet;		/* -q: no summary line, no live line */
	int compact;
	int64_t grace_ms;
	const char *state_dir;
	const char *config_path;	/* --config */
	const char *stdin_name;		/* --stdin-filename */
	int force;
	/* --scheduled */
	const char *scheduled;
	int64_t now;		/* --now, -1: the clock */
	int jitter;
	int64_t scheduled_for;	/* the fire time of this run, -1: none */
	int no_record;		/* --no-record */
	/* reporters */
	const char *metrics_path, *trace_path, *events_path, *checkpoint_path;
	const char *trace_endpoint;	/* --trace-endpoint */
	cadence_metrics *metrics;
	cadence_trace *trace;	/* with --trace or an exporter */
	cadence_otlp *otlp;	/* the exporter, or NULL */
	int64_t flush_ms;	/* its time to send what is queued at the end */
	cadence_events *events;
	FILE *events_file;	/* NULL, stderr or owned */
	/* the trace and an events file, fed off the run's thread (the
	 * events on stderr stay in order with the log: written at once) */
	cadence_report_queue *queue;
	/* --checkpoint: one run per file, and no other writer since this
	 * run read or wrote it */
	cad_afile_lock ckpt_lock;
	struct stat ckpt_seen;
	int ckpt_known;
	/* the log */
	int progress;		/* a live line on a terminal */
	int progress_shown;
	int log_lost;		/* stderr's reader is gone (EPIPE) */
	char *last_error;	/* the last error logged, not to repeat it */
	/* --log json: the lines of --events, on stderr (NULL with --events -,
	 * which writes them there already) */
	cadence_events *json;
	/* the summary line */
	char run_id[24];	/* the root's, from its first event */
	size_t measures, notes, retries;
	/* resume: the checkpoint, until the line saying where the run goes
	 * on is logged (at its first measure, or its end) */
	const cadence_checkpoint *resumed;
	const char *resumed_path;
} run_ctx;

static int on_opt(void *p, int id, const char *value)
{
	run_ctx *c = p;
	size_t at;
	const char *why;
	switch (id) {
	case RUN_OPT_SCORE: c->score = value; break;
	case RUN_OPT_SCORE_FILE: c->score_file = value; break;
	case RUN_OPT_PLUGIN:
		if (!strcmp(value, "-"))
			return cli_usage_error("--plugin loads a shared object by its path; standard "
					       "input ('-') cannot be loaded: give PATH.so");
		return cli_add_value(&c->plugins, &c->nplugins, value);
	case RUN_OPT_ENV_CLEAR: c->env_clear = 1; break;
	case RUN_OPT_ENV:
		if ((why = cad_scalar_env_name(value, strlen(value), &at)))
			return cli_usage_error("--env takes the name of a variable, not '%s': %s",
					       value, why);
		return cli_add_value(&c->env_keep, &c->nenv_keep, value);
	case RUN_OPT_JOBS: {
		char *end;
		errno = 0;
		long n = strtol(value, &end, 10);
		if (errno || *end || n < 1 || n > 4096)
			return cli_usage_error("--jobs takes a number from 1 to 4096, not '%s'", value);
		c->jobs = (unsigned)n;
		break;
	}
	case RUN_OPT_DRY_RUN: c->dry_run = 1; break;
	case RUN_OPT_LOG:
		/* from here on, errors are JSON lines too */
		c->json_log = !strcmp(value, "json");
		c->log_given = 1;
		cli_errors_as_json(c->json_log);
		break;
	case RUN_OPT_CONFIG:
		/* the project file's directory is the project's: a file has one,
		 * standard input none */
		if (!strcmp(value, "-"))
			return cli_usage_error("--config names the project file, whose directory is "
					       "the project's; it cannot be standard input ('-'): give "
					       "its path");
		c->config_path = value;
		break;
	case RUN_OPT_STDIN_FILENAME: c->stdin_name = value; break;
	case RUN_OPT_TIMINGS: c->timings = 1; break;
	case RUN_OPT_STATE_DIR: c->state_dir = value; break;
	case RUN_OPT_VERBOSE: c->verbose = 1; break;
	case RUN_OPT_QUIET: c->quiet = 1; break;
	case RUN_OPT_COMPACT: c->compact = 1; break;
	case RUN_OPT_METRICS: c->metrics_path = value; break;
	case RUN_OPT_TRACE: c->trace_path = value; break;
	case RUN_OPT_TRACE_ENDPOINT: c->trace_endpoint = value; break;
	case RUN_OPT_EVENTS: c->events_path = value; break;
	case RUN_OPT_CHECKPOINT: c->checkpoint_path = value; break;
	case RUN_OPT_FORCE: c->force = 1; break;
	case RUN_OPT_SCHEDULED: c->scheduled = value; break;
	case RUN_OPT_JITTER: c->jitter = 1; break;
	case RUN_OPT_NOW:
		if (cli_time_parse(value, &c->now))
			return cli_usage_error("--now takes an RFC 3339 time such as "
					       "2026-03-29T02:30:00+02:00, not '%s'", value);
		break;
	case RUN_OPT_NO_RECORD: c->no_record = 1; break;
	case RUN_OPT_GRACE: {
		const char *help = NULL, *bad = cad_scalar_duration(value, strlen(value), &c->grace_ms, &help);
		if (bad || c->grace_ms <= 0)
			return cli_usage_error("--kill-grace: %s (for example 500ms or 2s)",
					       bad ? bad : "must be longer than 0");
		break;
	}
	}
	return 0;
}

/* ---- the log: events to stderr ------------------------------------------------ */

static void clear_progress(run_ctx *c)
{
	if (c->progress_shown) {
		fputs("\r\033[K", stderr);
		c->progress_shown = 0;
	}
}

static const char *const status_names[] = { "ok", "failed", "skipped", "interrupt", "rejected" };
static const char *const outcome_names[] = { "ok", "failed", "skipped", "cancelled" };
/* a cadence's or a measure's end, as --events says it */
static const char *end_status(int code)
{
	return !code ? "ok" : code == CADENCE_ECANCELED ? "cancelled"
	       : code == CADENCE_ESTOPPED ? "stopped" : "failed";
}

/* Where a note's event happened: buf, filled.  Only for the events that
 * print it: every note's start and end pass through text_log(), and a
 * snprintf() each was half of what a trivial note cost. */
static const char *where(const cadence_event *ev, char *buf, size_t size)
{
	if (ev->depth)
		snprintf(buf, size, "%s/%s", ev->path, ev->note ? ev->note : "");
	else
		snprintf(buf, size, "%s", ev->note ? ev->note : ev->path);
	return buf;
}

static void text_log(run_ctx *c, const cadence_event *ev)
{
	char w[512];
	switch (ev->kind) {
	case CADENCE_EVENT_LOG:
		clear_progress(c);
		cli_print_clean(stderr, "[%s] %s\n", where(ev, w, sizeof(w)), ev->message);
		break;
	case CADENCE_EVENT_RETRY:
		clear_progress(c);
		cli_print_clean(stderr, "cadence: note '%s' failed (attempt %u of %u): %s; retrying in %lld ms\n",
			where(ev, w, sizeof(w)), ev->attempt, ev->attempts, ev->message,
			(long long)ev->delay_ms);
		break;
	case CADENCE_EVENT_FALLBACK:
		clear_progress(c);
		cli_print_clean(stderr, "cadence: note '%s' failed for good: %s; its fallback applies\n",
			where(ev, w, sizeof(w)), ev->message);
		break;
	case CADENCE_EVENT_ERROR:
		clear_progress(c);
		cli_print_clean(stderr, "cadence: error: %s\n", ev->message);
		free(c->last_error);
		c->last_error = strdup(ev->message);
		break;
	case CADENCE_EVENT_MEASURE_START:
		if (c->verbose) {
			fprintf(stderr, "cadence: %s: %s '%s' (%zu of %zu)\n", ev->path,
				ev->measure_kind, ev->measure, ev->measure_index + 1, ev->measure_count);
		} else if (c->progress && ev->depth == 0) {
			fprintf(stderr, "\r\033[K[%zu/%zu] %s %s", ev->measure_index + 1,
				ev->measure_count, ev->measure_kind, ev->measure);
			c->progress_shown = 1;
		}
		break;
	case CADENCE_EVENT_MEASURE_END:
		if (c->verbose)
			cli_print_clean(stderr, "cadence: %s: %s '%s' %s in %.1f ms%s%s\n", ev->path,
				ev->measure_kind, ev->measure, end_status(ev->status),
				(double)ev->duration_ns / 1e6, ev->branch ? ", branch " : "",
				ev->branch ? ev->branch : "");
		break;
	case CADENCE_EVENT_NOTE_END:
		if (c->verbose)
			cli_print_clean(stderr, "cadence: %s: note '%s' %s in %.1f ms%s%s\n", ev->path,
				ev->note, status_names[ev->status], (double)ev->duration_ns / 1e6,
				ev->message ? ": " : "", ev->message ? ev->message : "");
		break;
	case CADENCE_EVENT_CADENCE_END:
		if (ev->depth == 0)
			clear_progress(c);
		break;
	case CADENCE_EVENT_TASK_START:
		if (c->verbose)
			cli_print_clean(stderr, "cadence: %s: dag '%s': task '%s' started\n", ev->path,
					ev->measure, ev->task);
		break;
	case CADENCE_EVENT_TASK_END:
	case CADENCE_EVENT_TASK_SKIPPED:
		/* a failed task always: under on_failure continue, the error
		 * names only the first one */
		if (c->verbose || ev->status == CADENCE_TASK_FAILED) {
			clear_progress(c);
			cli_print_clean(stderr, "cadence: %s: dag '%s': task '%s' %s%s%s\n", ev->path,
					ev->measure, ev->task,
					ev->status >= 0 && ev->status <= 3 ? outcome_names[ev->status] : "?",
					ev->message ? ": " : "", ev->message ? ev->message : "");
		}
		break;
	case CADENCE_EVENT_BREAKER: {
		static const char *const states[] = { "closed", "open", "half-open" };
		fprintf(stderr, "cadence: %s: note '%s': its circuit breaker is %s\n", ev->path,
			ev->note, ev->status >= 0 && ev->status <= 2 ? states[ev->status] : "?");
		break;
	}
	default:
		break;
	}
}

static cadence_runner *volatile the_runner;

/* After a write to stderr: when its reader is gone (`2>&1 | head -1`, a
 * closed terminal's pipe), no one sees the log any more, and the run stops
 * as on SIGTERM; the status is then 3, an output that could not be
 * written.  Other errors of the log (a full disk) let the run go on. */
static void check_log(run_ctx *c)
{
	if (c->log_lost || errno != EPIPE || !ferror(stderr))	/* errno first: ferror locks */
		return;
	c->log_lost = 1;
	if (the_runner)
		cadence_runner_cancel(the_runner);
}

/* What the summary line counts: the root's measures that ended, the
 * notes that started (their first attempts) and the retries. */
static void count(run_ctx *c, const cadence_event *ev)
{
	if (!c->run_id[0] && ev->run_id)
		snprintf(c->run_id, sizeof(c->run_id), "%s", ev->run_id);
	if (ev->kind == CADENCE_EVENT_MEASURE_END && ev->depth == 0)
		c->measures++;
	else if (ev->kind == CADENCE_EVENT_NOTE_START && ev->attempt <= 1)
		c->notes++;
	else if (ev->kind == CADENCE_EVENT_RETRY)
		c->retries++;
}

/* resume: where the run goes on (docs/cli.md, "cadence resume"), said
 * at its first measure, which names it, or as the root ends when the
 * checkpoint's run had completed. */
static void say_resumed(run_ctx *c, const cadence_event *ev)
{
	const cadence_checkpoint *cp = c->resumed;
	int at = ev->kind == CADENCE_EVENT_MEASURE_START;
	c->resumed = NULL;
	if (c->quiet)
		return;
	if (c->json_log) {
		cJSON *o = cli_json_event("run_resumed");
		if (o && !(cJSON_AddStringToObject(o, "run_id", ev->run_id) &&
			   cad_json_add_text(o, "cadence", ev->cadence) &&
			   cad_json_add_text(o, "path", ev->path) &&
			   cJSON_AddNumberToObject(o, "depth", ev->depth) &&
			   (!at || (cad_json_add_text(o, "measure", ev->measure) &&
				    cJSON_AddStringToObject(o, "measure_kind", ev->measure_kind) &&
				    cJSON_AddNumberToObject(o, "measure_index",
							    (double)ev->measure_index))) &&
			   cad_json_add_text(o, "checkpoint", c->resumed_path) &&
			   cad_json_add_text(o, "position", cadence_checkpoint_position(cp)) &&
			   cJSON_AddBoolToObject(o, "complete", !at))) {
			cJSON_Delete(o);
			o = NULL;
		}
		cli_json_line(o);
	} else if (at) {
		clear_progress(c);
		cli_print_clean(stderr, "cadence: resuming from %s (%s) at %s: %s '%s' (%zu of %zu)\n",
				c->resumed_path, cadence_checkpoint_position(cp), ev->path,
				ev->measure_kind, ev->measure, ev->measure_index + 1,
				ev->measure_count);
	} else {
		cli_print_clean(stderr, "cadence: %s: its run had completed (%s); nothing to run, "
				"its final score follows\n", c->resumed_path,
				cadence_checkpoint_position(cp));
	}
	check_log(c);
}

static void on_event(void *ctx, const cadence_event *ev)
{
	run_ctx *c = ctx;
	if (c->resumed && (ev->kind == CADENCE_EVENT_MEASURE_START ||
			   (ev->kind == CADENCE_EVENT_CADENCE_END && ev->depth == 0)))
		say_resumed(c, ev);
	count(c, ev);
	if (c->metrics)
		cadence_metrics_on_event(c->metrics, ev);
	if (c->queue)
		cadence_report_queue_on_event(c->queue, ev);
	errno = 0;
	if (c->events && c->events_file == stderr) {
		cadence_events_on_event(c->events, ev);
		check_log(c);
	}
	if (c->json_log) {
		/* the lines of --events (docs/observability.md), every event */
		if (c->json) {
			errno = 0;
			cadence_events_on_event(c->json, ev);
			check_log(c);
		}
		if (ev->kind == CADENCE_EVENT_ERROR && ev->message) {
			free(c->last_error);
			c->last_error = strdup(ev->message);
		}
		return;
	}
	/* the text log keeps its documented events (docs/run.md): a conflict
	 * is said by the error that follows, a breaker's change by --verbose */
	if (ev->kind == CADENCE_EVENT_CONFLICT ||
	    (ev->kind == CADENCE_EVENT_BREAKER && (!c->verbose || ev->status == ev->previous)))
		return;
	errno = 0;
	text_log(c, ev);
	check_log(c);
}

/* ---- signals ------------------------------------------------------------------ */

/* SIGINT, SIGTERM and SIGHUP (a closed terminal) cancel the run: notes are
 * stopped, the reporters written, exit 130.  A second one stops at once:
 * cadence exits 130 from the handler, its notes killed by the kernel and
 * the guard (docs/run.md, "Processes"), the checkpoint as the last
 * completed measure left it, reporters unwritten.  SIGPIPE is ignored
 * (main.c): a closed pipe is an error of the write. */
static const int run_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NSIGNALS (sizeof(run_signals) / sizeof(*run_signals))

static volatile sig_atomic_t signals_seen;
static const char *again_msg;	/* set before the handlers */
static struct sigaction old_alarm;

/* Before the run, the code waits in blocking calls (a score read from a
 * slow pipe, the open(2) of an --events FIFO no one reads yet) and sees a
 * signal by their EINTR.  A signal that comes just before such a call
 * starts would be lost in it, and cadence would wait for ever (issue 14,
 * probe, seen under valgrind): so the first one also starts a timer whose
 * SIGALRM, caught without SA_RESTART, interrupts the call every 50 ms until
 * the code sees signals_seen.  The run disarms it (run_run). */
static void on_alarm(int sig)
{
	(void)sig;
}

static void interrupt_waits(int on)
{
	struct itimerval t;
	memset(&t, 0, sizeof(t));
	if (on)
		t.it_value.tv_usec = t.it_interval.tv_usec = 50000;
	setitimer(ITIMER_REAL, &t, NULL);
}

static volatile sig_atomic_t again_json;	/* --log json: again_msg is a JSON line */

/* Writes the digits of v, `width` of them, at p; returns past them. */
static char *digits(char *p, int64_t v, int width)
{
	for (int i = width - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + width;
}

/* Now as cadence_events_time() writes it, from a signal handler:
 * clock_gettime() and arithmetic only (gmtime_r and printf are not
 * async-signal-safe).  The civil date from days since 1970 is Howard
 * Hinnant's days_from_civil, reversed.  out: 27 characters and a NUL. */
static void signal_time(char out[28])
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t sec = ts.tv_sec % 86400, z = ts.tv_sec / 86400 + 719468;
	int64_t era = z / 146097, doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
	int64_t year = yoe + era * 400 + (month <= 2);
	const int64_t v[] = { year, month, day, sec / 3600, sec / 60 % 60, sec % 60,
			      ts.tv_nsec / 1000 };
	static const int width[] = { 4, 2, 2, 2, 2, 2, 6 };
	static const char sep[] = "--T::.Z";
	char *p = out;
	for (size_t i = 0; i < sizeof(width) / sizeof(*width); i++) {
		p = digits(p, v[i], width[i]);
		*p++ = sep[i];
	}
	*p = '\0';
}

/* The second signal's line; a JSON one starts with "time" as every line
 * of --log json does. */
static void say_again(void)
{
	char line[256], when[28];
	size_t n = 0, len = strlen(again_msg);
	if (again_json && len < sizeof(line) - 64) {
		signal_time(when);
		memcpy(line, "{\"time\":\"", 9);
		memcpy(line + 9, when, 27);
		memcpy(line + 36, "\",", 2);
		memcpy(line + 38, again_msg + 1, len - 1);	/* after its '{' */
		n = 38 + len - 1;
	}
	if (n)
		(void)!write(STDERR_FILENO, line, n);
	else
		(void)!write(STDERR_FILENO, again_msg, len);
}

static void on_signal(int sig)
{
	(void)sig;
	if (signals_seen++) {
		say_again();
		_exit(CLI_EXIT_INTERRUPTED);
	}
	if (the_runner)
		cadence_runner_cancel(the_runner);
	else
		interrupt_waits(1);
}

static void catch_signals(int json, struct sigaction old[NSIGNALS])
{
	struct sigaction sa;
	again_json = json;
	again_msg = json ? "{\"event\":\"error\",\"message\":\"interrupted again: stopped at "
			   "once, running notes killed\"}\n"
			 : "cadence: error: interrupted again: stopped at once, running notes "
			   "killed (the checkpoint is the last one saved; no metrics, trace or "
			   "events written since)\n";
	signals_seen = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaction(run_signals[i], &sa, &old[i]);
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, &old_alarm);
	/* `cadence serve` starts its runs with these blocked, so that a cancel
	 * before this point waits for the handlers; a no-op otherwise */
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaddset(&set, run_signals[i]);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void restore_signals(const struct sigaction old[NSIGNALS])
{
	sigset_t alrm, prev;
	struct timespec zero = { 0, 0 };
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaction(run_signals[i], &old[i], NULL);
	/* the timer stopped, and a SIGALRM it raised already taken here: one
	 * delivered after the old action is back would end the process (as
	 * under valgrind, which delivers signals late: cli/scheduled) */
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	sigprocmask(SIG_BLOCK, &alrm, &prev);
	interrupt_waits(0);
	while (sigtimedwait(&alrm, NULL, &zero) == SIGALRM)
		;
	sigaction(SIGALRM, &old_alarm, NULL);
	sigprocmask(SIG_SETMASK, &prev, NULL);
}

static struct sigaction step_old[NSIGNALS];

void cli_run_signals_begin(cadence_runner *runner)
{
	catch_signals(0, step_old);
	the_runner = runner;
	interrupt_waits(0);	/* a signal now cancels the runner */
}

void cli_run_signals_end(void)
{
	the_runner = NULL;
	restore_signals(step_old);
}

/* ---- inputs ------------------------------------------------------------------- */

static int read_score(run_ctx *c, cli_args *args, cJSON **out)
{
	char *buf = NULL;
	size_t len = 0;
	int from_stdin = args->npos > 1 || (c->score_file && !strcmp(c->score_file, "-"));
	int sources = (c->score != NULL) + (c->score_file != NULL) + (args->npos > 1);

	*out = NULL;
	if (sources > 1)
		return cli_usage_error("give the score once: --score JSON, --score-file FILE or '-'");
	if (args->npos > 2 || (args->npos == 2 && strcmp(args->pos[1], "-")))
		return cli_usage_error("unexpected argument '%s'; the score is given with --score JSON, "
				       "--score-file FILE or '-' (standard input)",
				       args->pos[strcmp(args->pos[1], "-") ? 1 : 2]);
	if (from_stdin && args->npos && !strcmp(args->pos[0], "-"))
		return cli_usage_error("standard input holds the cadence ('-'); give the score with "
				       "--score JSON or --score-file FILE");
	if (c->checkpoint_path && args->npos && !strcmp(args->pos[0], "-"))
		return cli_usage_error("--checkpoint needs the cadence in a file: a resume reads it "
				       "again, and standard input ('-') cannot be");
	if (!sources)
		return 0;
	if (!c->score)
		return cli_run_read_object(from_stdin ? "-" : c->score_file, "score", out);
	buf = strdup(c->score);
	len = buf ? strlen(buf) : 0;
	if (!buf)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	return cli_run_parse_object(buf, len, "score", "--score", out);
}

int cli_run_read_object(const char *path, const char *what, cJSON **out)
{
	int from_stdin = !strcmp(path, "-");
	const char *from = from_stdin ? "standard input" : path;
	char *buf = NULL;
	size_t len = 0;

	*out = NULL;
	FILE *f = from_stdin ? stdin : fopen(path, "rb");
	if (!f)
		return cli_usage_error("cannot read the %s file '%s': %s", what, path, strerror(errno));
	int rc = files_read_stream(f, CADENCE_DEFAULT_MAX_FILE_SIZE, &buf, &len);
	int e = errno;
	if (!from_stdin)
		fclose(f);
	if (rc && signals_seen)	/* the read was interrupted */
		return cli_error(CLI_EXIT_INTERRUPTED, "interrupted before the run started; "
				 "nothing ran");
	if (rc)
		return cli_usage_error("cannot read the %s from %s: %s", what, from, strerror(e));
	if (len > CADENCE_DEFAULT_MAX_FILE_SIZE) {
		free(buf);
		return cli_usage_error("the %s in %s is larger than %zu bytes", what, from,
				       (size_t)CADENCE_DEFAULT_MAX_FILE_SIZE);
	}
	return cli_run_parse_object(buf, len, what, from, out);
}

int cli_run_parse_object(char *buf, size_t len, const char *what, const char *from, cJSON **out)
{
	/* JSON text is UTF-8 (RFC 8259); what is not would reach the final
	 * score and every report.  A score deeper than a run keeps could not
	 * be checkpointed and resumed. */
	cad_json_error e;
	cJSON *v;
	*out = NULL;
	if (cad_json_parse(&v, buf, len, CADENCE_MAX_SCORE_DEPTH, &e)) {
		strbuf why = STRBUF_INIT;
		cad_json_describe(&why, &e, buf, len, 0);
		free(buf);
		int rc = cli_usage_error("the %s from %s %s", what, from,
					 cad_strbuf_cstr(&why) ? why.buf : "is not JSON");
		cad_strbuf_free(&why);
		return rc;
	}
	free(buf);
	if (!cJSON_IsObject(v)) {
		cJSON_Delete(v);
		return cli_usage_error("the %s from %s must be a JSON object of fields", what, from);
	}
	*out = v;
	return 0;
}

int cli_run_load(const char *path, const char *stdin_name, cadence_project **project,
		 const cadence_def **def)
{
	cadence_diags *diags = NULL;
	int rc = 0;
	/* the check's compiled expressions kept for the runner, which then
	 * does not compile them again (project/kept.h) */
	if (cadence_diags_new(&diags) || cadence_project_new(project, NULL) ||
	    cad_project_keep_exprs(*project))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	int lr;
	if (!strcmp(path, "-")) {
		/* the cadence from standard input, as `validate -` reads it:
		 * named by --stdin-filename (else <stdin>), its children found
		 * beside that name (else from the working directory) */
		char *buf = NULL;
		size_t len = 0;
		if (files_read_stream(stdin, CADENCE_DEFAULT_MAX_FILE_SIZE, &buf, &len)) {
			rc = signals_seen ? cli_error(CLI_EXIT_INTERRUPTED, "interrupted before the "
						      "run started; nothing ran")
					  : files_stdin_error();
			goto out;
		}
		lr = cadence_project_load_buffer(def, *project, stdin_name ? stdin_name : "<stdin>",
						 buf, len, diags);
		free(buf);
	} else {
		lr = cadence_project_load_file(def, *project, path, diags);
	}
	if (lr == CADENCE_ENOMEM) {
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
		goto out;
	}
	cadence_check_opts co = CADENCE_CHECK_OPTS_INIT;
	co.check_executables = 0;
	if (!lr && (rc = files_check_all(*project, &co, diags)))
		goto out;
	if (lr || cadence_diags_errors(diags)) {
		if (cli_errors_are_json()) {
			/* each problem a JSON line, "event":"diagnostic", with
			 * the "time" of every line of the JSON log */
			char *lines = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&lines, &len);
			cadence_diags_sort(diags);
			if (f) {
				cadence_diags_write(diags, f, CADENCE_DIAG_JSON_LINES, NULL);
				fclose(f);
				cli_json_lines_timed(stderr, lines, len);
			} else {	/* no memory: the lines without their time */
				cadence_diags_write(diags, stderr, CADENCE_DIAG_JSON_LINES, NULL);
			}
			free(lines);
		} else {
			files_write_diags(diags, stderr, CADENCE_DIAG_TEXT, NULL,
					  cadence_project_file_count(*project));
		}
		if (strcmp(path, "-"))
			rc = cli_usage_error("%s has problems; nothing ran", path);
		else
			rc = cli_usage_error("the cadence from standard input%s%s%s has problems; "
					     "nothing ran", stdin_name ? " ('" : "",
					     stdin_name ? stdin_name : "", stdin_name ? "')" : "");
	}
out:
	cadence_diags_free(diags);
	return rc;
}

int cli_run_exit_for(int rc)
{
	switch (rc) {
	case 0: return CLI_EXIT_OK;
	case CADENCE_EFAILED: return CLI_EXIT_PROBLEMS;
	case CADENCE_EINVALID: return CLI_EXIT_USAGE;
	case CADENCE_ECANCELED: return CLI_EXIT_INTERRUPTED;
	case CADENCE_ESTOPPED: return CLI_EXIT_STOPPED;
	default: return CLI_EXIT_INTERNAL;
	}
}

/* ---- reporters and checkpoints ------------------------------------------------ */

/* An output that is an input of the run (a cadence file, the score
 * file, a plugin, the checkpoint resumed from) or another output would
 * overwrite it: refused before anything runs (issue 14, probe:
 * `--metrics run.cadence.yaml` replaced the cadence file, `--metrics F
 * --checkpoint F` lost the checkpoint). */
static int output_clashes(run_ctx *c, const cadence_project *project, const char *read_from,
			  const char *path, const char *what, const char *const *outs,
			  const char *const *out_whats, size_t nouts)
{
	for (size_t i = 0; i < nouts; i++)
		if (outs[i] && files_same_output(path, outs[i]))
			return cli_usage_error("cannot write the %s to '%s': it is also the %s file "
					       "('%s'); give each output its own file; nothing ran",
					       what, path, out_whats[i], outs[i]);
	for (size_t i = 0; i < cadence_project_count(project); i++) {
		const char *in = cadence_def_path(cadence_project_get(project, i));
		if (in && files_same_output(path, in))
			return cli_usage_error("cannot write the %s to '%s': it is the cadence file "
					       "'%s', which the run reads; give another path; nothing ran",
					       what, path, in);
	}
	const char *inputs[] = { c->score_file && strcmp(c->score_file, "-") ? c->score_file : NULL,
				 read_from };
	const char *in_whats[] = { "score file", "checkpoint resumed from" };
	for (size_t i = 0; i < 2; i++)
		if (inputs[i] && files_same_output(path, inputs[i]))
			return cli_usage_error("cannot write the %s to '%s': it is the %s ('%s'), "
					       "which the run reads; give another path; nothing ran",
					       what, path, in_whats[i], inputs[i]);
	for (size_t i = 0; i < c->nplugins; i++)
		if (files_same_output(path, c->plugins[i]))
			return cli_usage_error("cannot write the %s to '%s': it is the plugin '%s'; "
					       "give another path; nothing ran", what, path, c->plugins[i]);
	return 0;
}

/* ---- sending the trace to a collector (docs/observability.md) ------------------- */

#define FLUSH_MS_DEFAULT 5000
#define FLUSH_MS_ENV "CADENCE_TRACE_FLUSH_TIMEOUT"

/* a variable that is set and not empty (an empty one is unset, as the
 * OpenTelemetry specification says) */
static int env_set(const char *name)
{
	const char *v = getenv(name);
	return v && *v;
}

/* `list` (comma-separated, members trimmed, any case) has `want` */
static int env_list_has(const char *list, const char *want)
{
	size_t n = strlen(want);
	for (const char *p = list; *p;) {
		p += strspn(p, " \t");
		size_t len = strcspn(p, ","), end = len;
		while (end && (p[end - 1] == ' ' || p[end - 1] == '\t'))
			end--;
		if (end == n && !strncasecmp(p, want, n))
			return 1;
		p += len + (p[len] == ',');
	}
	return 0;
}

/* The specification's switches of what the environment's endpoint sends:
 * OTEL_SDK_DISABLED=true, or OTEL_TRACES_EXPORTER without otlp (`none`;
 * another exporter, which cadence does not have, with a warning).  A value
 * of OTEL_SDK_DISABLED other than true or false is false, with a warning,
 * as the specification says. */
static int env_export_off(void)
{
	const char *off = getenv("OTEL_SDK_DISABLED");
	if (off && *off && strcasecmp(off, "false")) {
		if (!strcasecmp(off, "true"))
			return 1;
		cli_say(0, "warning", "OTEL_SDK_DISABLED: '%s' is not true or false; taken as "
			"false", off);
	}
	const char *ex = getenv("OTEL_TRACES_EXPORTER");
	if (!ex || !*ex || env_list_has(ex, "otlp"))
		return 0;
	if (!env_list_has(ex, "none"))
		cli_say(0, "warning", "OTEL_TRACES_EXPORTER: '%s' names no exporter cadence has "
			"(it has otlp); no trace is sent", ex);
	return 1;
}

/* environ without the endpoint variables (the array allocated, the
 * strings borrowed); NULL: out of memory */
static char **env_without_endpoints(void)
{
	size_t n = 0, k = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 1, sizeof(*env));
	for (size_t i = 0; env && i < n; i++)
		if (!cad_env_is(environ[i], "OTEL_EXPORTER_OTLP_ENDPOINT") &&
		    !cad_env_is(environ[i], "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
			env[k++] = environ[i];
	return env;
}

/* The exporter: the OTEL_* variables, --trace-endpoint over them.  A
 * value that does not parse is a usage error; a libcurl that cannot be
 * loaded, an internal failure, as serve's libmicrohttpd (nothing ran). */
static int open_exporter(run_ctx *c)
{
	cadence_otlp_opts o = CADENCE_OTLP_OPTS_INIT;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	const char *flush = getenv(FLUSH_MS_ENV);
	char *end = NULL;
	c->flush_ms = FLUSH_MS_DEFAULT;
	if (flush && *flush) {
		errno = 0;
		long long ms = strtoll(flush, &end, 10);
		if (errno || *end || ms < 0 || ms > 3600000 || !(*flush >= '0' && *flush <= '9'))
			return cli_usage_error(FLUSH_MS_ENV ": '%s' is not a whole number of "
					       "milliseconds from 0 to 3600000; nothing ran", flush);
		c->flush_ms = ms;
	}
	/* --trace-endpoint: the endpoint variables are not read, so that one
	 * that would not parse does not stop a run that does not use it */
	char **env = c->trace_endpoint ? env_without_endpoints() : NULL;
	if (c->trace_endpoint && !env)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	int rc = cadence_otlp_opts_from_env(&o, env, &err);
	free(env);
	const char *given = rc ? "" : c->trace_endpoint ? "--trace-endpoint: " : "";
	if (!rc && c->trace_endpoint)
		o.traces_endpoint = c->trace_endpoint;
	o.libcurl = getenv("CADENCE_LIBCURL");
	if (!rc)
		rc = cadence_otlp_new(&c->otlp, &o, &err);
	if (rc) {
		const char *why = err.message ? err.message : cadence_strerror(rc);
		rc = rc == CADENCE_EINVAL ? cli_usage_error("%s%s; nothing ran", given, why)
		     : cli_error(CLI_EXIT_INTERNAL, "%s; nothing ran", why);
		cadence_run_error_clear(&err);
		return rc;
	}
	cadence_trace_set_exporter(c->trace, c->otlp);
	if (c->metrics)
		cadence_metrics_set_exporter(c->metrics, c->otlp);
	return 0;
}

/* OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, in the trace file and
 * the exporter's requests alike.  Attributes that do not parse are
 * ignored, with a warning, as the specification says. */
static void trace_resource(run_ctx *c)
{
	const char *name = env_set("OTEL_SERVICE_NAME") ? getenv("OTEL_SERVICE_NAME") : NULL;
	const char *attrs = env_set("OTEL_RESOURCE_ATTRIBUTES") ? getenv("OTEL_RESOURCE_ATTRIBUTES")
								: NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	if (!name && !attrs)
		return;
	if (cadence_trace_set_resource(c->trace, name, attrs, &err) == CADENCE_EINVAL) {
		cli_say(0, "warning", "OTEL_RESOURCE_ATTRIBUTES: %s; ignored (the form is "
			"key=value,key2=value2, values percent-encoded)", err.message);
		cadence_run_error_clear(&err);
		cadence_trace_set_resource(c->trace, name, NULL, NULL);
	}
	cadence_run_error_clear(&err);
}

/* At the end: what is queued sent within the flush time, the rest
 * dropped; a collector that is down costs a warning, never the status. */
static void close_exporter(run_ctx *c)
{
	cadence_otlp_stats st = CADENCE_OTLP_STATS_INIT;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	if (!c->otlp)
		return;
	cadence_otlp_shutdown(c->otlp, c->flush_ms);
	if (cadence_otlp_status(c->otlp, &st, &err)) {
		clear_progress(c);
		cli_say(0, "warning", "%llu span%s could not be sent to %s: %s",
			(unsigned long long)st.spans_dropped, st.spans_dropped == 1 ? "" : "s",
			cadence_otlp_url(c->otlp), err.message ? err.message : "out of memory");
		check_log(c);
	}
	cadence_run_error_clear(&err);
}

/* Before anything runs: every output can be written (nothing runs when
 * one cannot).  The events file is only checked: opening it truncates it,
 * which waits until nothing can refuse the run any more (open_events).
 * `read_from`: the checkpoint a resume reads, which only the checkpoint
 * output may name. */
static int open_outputs(run_ctx *c, const cadence_project *project, const char *read_from)
{
	const struct { const char *path, *what; int stream; } files[] = {
		{ c->metrics_path, "metrics", 0 },
		{ c->trace_path, "trace", 0 },
		{ c->checkpoint_path, "checkpoint", 0 },
		{ c->events_path && strcmp(c->events_path, "-") ? c->events_path : NULL, "events", 1 },
	};
	const char *outs[4], *whats[4];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		strbuf why = STRBUF_INIT;
		int e = files[i].path ? cad_afile_check(files[i].path, files[i].stream, &why) : 0;
		if (e)
			return files_output_error(CLI_EXIT_USAGE, files[i].what, files[i].path, e, &why,
						  "; nothing ran");
		cad_strbuf_free(&why);
		int ckpt = files[i].path == c->checkpoint_path;
		if (files[i].path && (e = output_clashes(c, project, ckpt ? NULL : read_from,
							 files[i].path, files[i].what, outs, whats, i)))
			return e;
		outs[i] = files[i].path;
		whats[i] = files[i].what;
	}
	/* an endpoint in the environment, unless its switches say no; the
	 * command line's always */
	int rc, export = c->trace_endpoint || ((env_set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") ||
						 env_set("OTEL_EXPORTER_OTLP_ENDPOINT")) &&
						!env_export_off());
	if (((c->metrics_path || c->timings) && cadence_metrics_new(&c->metrics)) ||
	    ((c->trace_path || export) && cadence_trace_new(&c->trace)))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	if (c->metrics)
		cadence_metrics_keep_timings(c->metrics, c->timings);
	if (export && (rc = open_exporter(c)))
		return rc;
	if (c->trace)
		trace_resource(c);
	return 0;
}

/* The metrics' counters of a note, found once (cadence_run_hooks.on_note). */
static void *on_note(void *ctx, const char *cadence, const char *note)
{
	run_ctx *c = ctx;
	return c->metrics ? cadence_metrics_on_note(c->metrics, cadence, note) : NULL;
}

/* The events file, once every check before the run has passed: a refused
 * run leaves the previous events as they were. */
static int open_events(run_ctx *c)
{
	if (!c->events_path)
		return 0;
	if (!strcmp(c->events_path, "-")) {
		c->events_file = stderr;
	} else {
		strbuf why = STRBUF_INIT;
		int fd = cad_afile_open_stream(c->events_path, 0666, &why);
		c->events_file = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!c->events_file) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			if (signals_seen) {	/* a FIFO's open, interrupted */
				cad_strbuf_free(&why);
				return cli_error(CLI_EXIT_INTERRUPTED, "interrupted before the run "
						 "started; nothing ran");
			}
			return files_output_error(CLI_EXIT_USAGE, "events", c->events_path, e, &why,
						  "; nothing ran");
		}
		cad_strbuf_free(&why);
		/* fewer writes; flushed every 0.1 s anyway */
		setvbuf(c->events_file, NULL, _IOFBF, 1 << 16);
	}
	if (cadence_events_new(&c->events, c->events_file))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	return 0;
}

/* The JSON log: the events' lines on stderr, unless --events - writes
 * them there already (each line once).  Then the queue of the reporters
 * that write files. */
static int open_json_log(run_ctx *c)
{
	if (c->json_log && c->events_file != stderr && cadence_events_new(&c->json, stderr))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	cadence_events *to_file = c->events_file != stderr ? c->events : NULL;
	if ((c->trace || to_file) && cadence_report_queue_new(&c->queue, c->trace, to_file, 0))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	return 0;
}

/* After the run, whatever its outcome: the files of the reporters.
 * Returns rc, or CLI_EXIT_INTERNAL when one cannot be written. */
static int close_outputs(run_ctx *c, int rc)
{
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cadence_report_queue_free(c->queue);	/* what it holds, written first */
	c->queue = NULL;
	close_exporter(c);	/* then: the runs it ended sent, and counted in the metrics */
	if (c->metrics_path && cadence_metrics_write_file(c->metrics, c->metrics_path, &err))
		rc = cli_error(CLI_EXIT_INTERNAL, "%s", err.message ? err.message : "out of memory");
	if (c->trace_path && cadence_trace_write_file(c->trace, c->trace_path, &err))
		rc = cli_error(CLI_EXIT_INTERNAL, "%s", err.message ? err.message : "out of memory");
	if (c->events && cadence_events_status(c->events, &err))
		rc = cli_error(CLI_EXIT_INTERNAL, "cannot write the events to '%s': %s",
			       c->events_path, err.sys_errno ? strerror(err.sys_errno) : "out of memory");
	cadence_run_error_clear(&err);
	return rc;
}

static void free_outputs(run_ctx *c)
{
	cad_afile_lock_release(&c->ckpt_lock);
	cadence_report_queue_free(c->queue);
	c->queue = NULL;
	cadence_metrics_free(c->metrics);
	cadence_trace_free(c->trace);
	cadence_otlp_free(c->otlp);	/* after those that queue into it */
	cadence_events_free(c->events);
	cadence_events_free(c->json);
	c->json = NULL;
	if (c->events_file && c->events_file != stderr)
		fclose(c->events_file);
	c->metrics = NULL;
	c->trace = NULL;
	c->otlp = NULL;
	c->events = NULL;
	c->events_file = NULL;
}

/* --checkpoint: the lock that keeps a second run from writing the same
 * file (it would replace this run's checkpoints with its own, and a
 * resume would go on with the other run). */
static int lock_checkpoint(run_ctx *c)
{
	long holder = 0;
	int e = cad_afile_lock_take(&c->ckpt_lock, c->checkpoint_path, &holder);
	if (e == EWOULDBLOCK && holder > 0)
		return cli_usage_error("the checkpoint '%s' is in use by another cadence run "
				       "(process %ld); wait for it to end or give another "
				       "--checkpoint FILE; nothing ran", c->checkpoint_path, holder);
	if (e == EWOULDBLOCK)
		return cli_usage_error("the checkpoint '%s' is in use by another cadence run; wait "
				       "for it to end or give another --checkpoint FILE; nothing ran",
				       c->checkpoint_path);
	if (e) {
		/* the checkpoint's own problem (a missing directory, the
		 * policy's reason), else its lock file's (one a killed run of
		 * another user left) */
		strbuf why = STRBUF_INIT;
		int own = cad_afile_check(c->checkpoint_path, 0, &why);
		if (own)
			return files_output_error(CLI_EXIT_USAGE, "checkpoint", c->checkpoint_path,
						  own, &why, "; nothing ran");
		cad_strbuf_free(&why);
		/* O_NOFOLLOW says ELOOP for a link, a directory EISDIR: say
		 * what is there and what to do (issue 14, probe) */
		const char *lock = c->ckpt_lock.path ? c->ckpt_lock.path : "its lock file";
		if (e == ELOOP || e == EISDIR)
			return cli_usage_error("cannot lock the checkpoint '%s': its lock file '%s' is "
					       "%s, not a lock file cadence made; remove it if no run "
					       "uses it; nothing ran", c->checkpoint_path, lock,
					       e == ELOOP ? "a symbolic link" : "a directory");
		return cli_usage_error("cannot lock the checkpoint '%s': cannot open '%s': %s; "
				       "nothing ran", c->checkpoint_path, lock, strerror(e));
	}
	return 0;
}

/* Remembers the checkpoint file as this run last saw it: a regular file
 * only, not a device or a descriptor (/dev/stdout to a file that the log
 * goes to as well), which every writer writes in place. */
static void seen_checkpoint(run_ctx *c)
{
	cad_afile_target t;
	int e = cad_afile_resolve(c->checkpoint_path, &t, NULL);
	c->ckpt_known = !e && (t.how == CAD_AFILE_REPLACE || t.how == CAD_AFILE_LINKED);
	if (c->ckpt_known)
		c->ckpt_seen = t.st;
	cad_afile_target_free(&t);
}

/* Did another writer (one that ignores the lock) replace or rewrite the
 * checkpoint since this run read or wrote it?  Gone is not changed. */
static int checkpoint_changed(const run_ctx *c)
{
	struct stat st;
	const struct stat *old = &c->ckpt_seen;
	if (!c->ckpt_known || stat(c->checkpoint_path, &st))
		return 0;
	return st.st_dev != old->st_dev || st.st_ino != old->st_ino || st.st_size != old->st_size ||
	       st.st_mtim.tv_sec != old->st_mtim.tv_sec || st.st_mtim.tv_nsec != old->st_mtim.tv_nsec;
}

/* The run id in the checkpoint file now, for messages ("?" when it does
 * not read). */
static char *checkpoint_run_id(const char *path)
{
	cadence_checkpoint *cp = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	char *id = cadence_checkpoint_read_file(&cp, path, &err) ? NULL
		   : strdup(cadence_checkpoint_run_id(cp));
	cadence_checkpoint_free(cp);
	cadence_run_error_clear(&err);
	return id ? id : strdup("?");
}

static int save_checkpoint(void *ctx, const cadence_checkpoint *cp, cadence_run_error *err)
{
	run_ctx *c = ctx;
	if (checkpoint_changed(c)) {
		char *id = checkpoint_run_id(c->checkpoint_path);
		int rc = cad_err_set(err, CADENCE_EIO, "the checkpoint '%s' was replaced by another "
				     "writer since this run read or wrote it (it now holds run %s; "
				     "this is run %s); stopping, so as not to overwrite it",
				     c->checkpoint_path, id ? id : "?", cadence_checkpoint_run_id(cp));
		free(id);
		return rc;
	}
	int rc = cadence_checkpoint_write_file(cp, c->checkpoint_path, err);
	if (!rc)
		seen_checkpoint(c);
	return rc;
}

/* resume: the checkpoint, and the cadence file it names (or the one
 * given after it). */
static int read_checkpoint(run_ctx *c, cli_args *args, cadence_checkpoint **cp,
			   const char **file)
{
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	if (args->npos > 2)
		return cli_usage_error("unexpected argument '%s'; usage: cadence resume CHECKPOINT "
				       "[CADENCE_FILE]", args->pos[2]);
	int rc = cadence_checkpoint_read_file(cp, args->pos[0], &err);
	if (rc == CADENCE_ENOMEM)
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
	else if (rc)
		rc = cli_usage_error("%s; nothing ran", err.message);
	cadence_run_error_clear(&err);
	if (rc)
		return rc;
	*file = args->npos > 1 ? args->pos[1] : cadence_checkpoint_file(*cp);
	if (!*file)
		return cli_usage_error("the checkpoint '%s' names no cadence file (its cadence was "
				       "built in code); give one: cadence resume CHECKPOINT "
				       "CADENCE_FILE", args->pos[0]);
	if (!strcmp(c->checkpoint_path, args->pos[0]))
		seen_checkpoint(c);	/* read under the lock: what it goes on from */
	return 0;
}

/* resume: the checkpoint belongs to the loaded, prepared cadence. */
static int check_checkpoint(run_ctx *c, const cadence_checkpoint *cp, const char *ckpath,
			    const char *file, cadence_project *project, const cadence_def *def)
{
	const char *name = cadence_def_name(def);
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	if (strcmp(cadence_checkpoint_cadence(cp), name))
		return cli_error(CLI_EXIT_MISMATCH,
				 "the checkpoint '%s' is of cadence '%s', but %s is cadence '%s'; "
				 "nothing ran", ckpath, cadence_checkpoint_cadence(cp), file, name);
	if (checkpoint_changed(c)) {
		char *id = checkpoint_run_id(ckpath);
		int rc = cli_error(CLI_EXIT_MISMATCH, "the checkpoint '%s' was replaced since it "
				   "was read (it held run %s, it now holds run %s); nothing ran",
				   ckpath, cadence_checkpoint_run_id(cp), id ? id : "?");
		free(id);
		return rc;
	}
	if (c->force)
		return 0;
	int rc = cadence_checkpoint_check_files(cp, project, &err);
	if (rc == CADENCE_ENOMEM)
		rc = cli_error(CLI_EXIT_INTERNAL, "out of memory");
	else if (rc)
		rc = cli_error(CLI_EXIT_MISMATCH, "cannot resume from '%s': %s; nothing ran "
			       "(--force resumes anyway)", ckpath, err.message);
	cadence_run_error_clear(&err);
	return rc;
}

/* --env-clear: the environment of `run` notes, this one narrowed to the
 * variables always passed (run/env.h) and the --env ones. */
static int note_environment(run_ctx *c)
{
	size_t n = 0, k = 0;
	if (c->nenv_keep && !c->env_clear)
		return cli_usage_error("--env %s names a variable --env-clear keeps; add --env-clear "
				       "(without it, run notes get the whole environment)",
				       c->env_keep[0]);
	if (!c->env_clear)
		return 0;
	while (environ[n])
		n++;
	if (!(c->environment = malloc((n + 1) * sizeof(*c->environment))))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		int keep = cad_env_always(environ[i]);
		for (size_t j = 0; j < c->nenv_keep && !keep; j++)
			keep = cad_env_is(environ[i], c->env_keep[j]);
		if (keep)
			c->environment[k++] = environ[i];
	}
	c->environment[k] = NULL;
	return 0;
}

/* One `cadence run` or `cadence resume`, from the options to the score. */
typedef struct run_call {
	run_ctx c;
	cli_args args;
	int resume;
	const char *file;	/* the cadence file */
	cJSON *input, *out;	/* the score in, the score out */
	cadence_project *project;
	const cadence_def *def;
	cadence_runner *runner;
	cadence_checkpoint *cp;	/* resume: the checkpoint read */
	cadence_run_error err;
	char *state_dir;
	cli_config *cfg;	/* the project configuration */
	char **cfg_plugins;	/* its plugins, before those of --plugin */
	size_t ncfg_plugins;
	struct sigaction old_sig[NSIGNALS];
	int caught;		/* the signals are ours (old_sig holds theirs) */
	int recorded;		/* the run reached the registry (run_run) */
	cli_record record;	/* the run in the run registry */
	int ran;		/* the run started */
} run_call;

/* --log json anywhere makes every error a JSON line, those of the options
 * before it too */
static void json_errors_early(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--log=json") ||
		    (!strcmp(argv[i], "--log") && i + 1 < argc && !strcmp(argv[i + 1], "json")))
			cli_errors_as_json(1);
}

/* The project configuration (docs/cli.md, "Project configuration"):
 * --state-dir is its flag level; its `log` applies without --log; its
 * plugins load before those of --plugin, which add to them. */
static int run_config(run_call *s)
{
	run_ctx *c = &s->c;
	int rc;
	if ((rc = cli_config_load(c->config_path, &s->cfg)) ||
	    (c->state_dir && (rc = cli_config_set_flag(s->cfg, CLI_SET_STATE_DIR, c->state_dir))))
		return rc;
	if (!c->log_given && !strcmp(cli_config_get(s->cfg, CLI_SET_LOG), "json")) {
		c->json_log = 1;
		cli_errors_as_json(1);
	}
	if ((rc = cli_config_plugins(s->cfg, &s->cfg_plugins, &s->ncfg_plugins)) || !s->ncfg_plugins)
		return rc;
	const char **all = calloc(s->ncfg_plugins + c->nplugins, sizeof(*all));
	if (!all)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	for (size_t i = 0; i < s->ncfg_plugins; i++)
		all[i] = s->cfg_plugins[i];
	for (size_t i = 0; i < c->nplugins; i++)
		all[s->ncfg_plugins + i] = c->plugins[i];
	free(c->plugins);
	c->plugins = all;
	c->nplugins += s->ncfg_plugins;
	return 0;
}

/* The signals, the checkpoint's lock, the score or checkpoint, the
 * cadence (loaded and checked) and the outputs. */
static int run_inputs(run_call *s)
{
	run_ctx *c = &s->c;
	int rc;
	if (!s->args.npos && !s->file)
		return s->resume ? cli_usage_error("which checkpoint? usage: cadence resume CHECKPOINT")
			: cli_usage_error("which cadence? usage: cadence run FILE [--score JSON]");
	if (s->resume && !c->checkpoint_path)
		c->checkpoint_path = s->args.pos[0];	/* it goes on saving there */
	/* from here on a signal is ours: one before the run starts ends it
	 * before anything runs, with 130, the checkpoint's lock and the
	 * outputs' probes removed, not a death by the signal (issue 14, probe) */
	if (!c->scheduled)	/* --scheduled: caught for the whole call */
		catch_signals(c->json_log, s->old_sig);
	s->caught = 1;
	/* before the checkpoint is read: no other run may change it meanwhile */
	if (c->checkpoint_path && !c->dry_run && (rc = lock_checkpoint(c)))
		return rc;
	if (s->resume ? (rc = read_checkpoint(c, &s->args, &s->cp, &s->file))
		      : (rc = read_score(c, &s->args, &s->input)))
		return rc;
	if (!s->resume && !s->file)
		s->file = s->args.pos[0];
	if (c->stdin_name && strcmp(s->file, "-"))
		return cli_usage_error("--stdin-filename names the cadence read from standard input, "
				       "but it comes from '%s': give FILE '-' (cadence run "
				       "--stdin-filename %s -)", s->file, c->stdin_name);
	if ((rc = cli_run_load(s->file, c->stdin_name, &s->project, &s->def)))
		return rc;
	if (!c->dry_run && (rc = open_outputs(c, s->project, s->resume ? s->args.pos[0] : NULL)))
		return rc;
	return 0;
}

/* The runner, its options and plugins. */
static int run_runner(run_call *s, cadence_run_hooks *hooks)
{
	run_ctx *c = &s->c;
	cadence_run_opts opts = CADENCE_RUN_OPTS_INIT;
	const char *state = cli_config_state_dir(s->cfg);
	s->state_dir = state ? strdup(state) : NULL;
	if (state && !s->state_dir)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	opts.jobs = c->jobs;
	opts.hooks = hooks;
	opts.state_dir = s->state_dir;
	opts.kill_grace_ms = c->grace_ms;
	opts.environment = c->environment;
	opts.traceparent = c->traceparent;
	c->progress = !c->json_log && !c->verbose && !c->quiet && isatty(STDERR_FILENO) &&
		      !(getenv("CI") && *getenv("CI"));
	if (cadence_runner_new(&s->runner, s->project, s->def, &opts))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	for (size_t i = 0; i < c->nplugins; i++)
		if (cadence_runner_load_plugin(s->runner, c->plugins[i], &s->err))
			return cli_usage_error("%s", s->err.message ? s->err.message
					       : "cannot load a plugin");
	return 0;
}

/* --dry-run: the input score checked as the run checks it, then the
 * plan; nothing run.  (A resume's score is the checkpoint's.) */
static int run_dry(run_call *s)
{
	if (!s->resume && cadence_runner_check_input(s->runner, s->input, &s->err))
		return cli_error(cli_run_exit_for(s->err.code), "%s", s->err.message);
	if (cadence_runner_print_plan(s->runner, stdout, &s->err) == CADENCE_EIO)
		return cli_error(CLI_EXIT_INTERNAL, "cannot write the plan");
	if (s->err.code)
		return cli_error(cli_run_exit_for(s->err.code), "%s", s->err.message);
	return 0;
}

/* The monotonic clock, ns: the summary's time. */
static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* {"time", "event": EVENT, "run_id", "cadence", "path", "depth": 0}: a
 * line of the JSON log about the whole run, as the events' lines start. */
static cJSON *run_line(run_call *s, const char *event)
{
	const char *name = cadence_def_name(s->def);
	cJSON *o = cli_json_event(event);
	if (o && !((!s->c.run_id[0] || cJSON_AddStringToObject(o, "run_id", s->c.run_id)) &&
		   cad_json_add_text(o, "cadence", name) && cad_json_add_text(o, "path", name) &&
		   cJSON_AddNumberToObject(o, "depth", 0))) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

/* --timings: the table, or under --log json one line, "event":"timings",
 * its rows in "timings" (cadence_metrics_write_timings_json()). */
static void write_timings(run_call *s)
{
	run_ctx *c = &s->c;
	if (!c->json_log) {
		clear_progress(c);
		cadence_metrics_write_timings(c->metrics, stderr);
		return;
	}
	char *rows = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&rows, &len);
	int bad = !f || cadence_metrics_write_timings_json(c->metrics, f);
	if (f && fclose(f))
		bad = 1;
	cJSON *o = bad ? NULL : run_line(s, "timings");
	cJSON *array = o ? cJSON_ParseWithLength(rows, len) : NULL;
	if (array)
		cJSON_AddItemToObject(o, "timings", array);
	else
		cJSON_Delete(o);
	if (!array || cli_json_line(o))
		cli_say(0, "warning", "out of memory: the timings are not shown");
	free(rows);
}

/* The end-of-run line (docs/run.md, "The log"): the outcome, the root's
 * measures that ended, the notes that started, the retries and the time;
 * under --log json an event "run_summary". */
static void summary(run_call *s, int r, int64_t elapsed_ns)
{
	run_ctx *c = &s->c;
	const char *status = end_status(r == CADENCE_ECANCELED || r == CADENCE_ESTOPPED || !r
					? r : CADENCE_EFAILED);
	size_t notes = c->notes, measures = c->measures, retries = c->retries;
	if (c->json_log) {
		cJSON *o = run_line(s, "run_summary");
		if (o && !(cJSON_AddStringToObject(o, "status", status) &&
			   cJSON_AddNumberToObject(o, "measures", (double)measures) &&
			   cJSON_AddNumberToObject(o, "notes", (double)notes) &&
			   cJSON_AddNumberToObject(o, "retries", (double)retries) &&
			   cJSON_AddNumberToObject(o, "duration_ms", (double)(elapsed_ns / 1000) / 1e3))) {
			cJSON_Delete(o);
			o = NULL;
		}
		cli_json_line(o);
	} else {
		clear_progress(c);
		cli_print_clean(stderr, "cadence: %s: %s in %.3f s: %zu measure%s, %zu note%s, "
				"%zu retr%s\n", cadence_def_name(s->def), status,
				(double)elapsed_ns / 1e9, measures, measures == 1 ? "" : "s",
				notes, notes == 1 ? "" : "s", retries, retries == 1 ? "y" : "ies");
	}
	check_log(c);
}

/* Runs (checkpointed); the status from the run's result, the timings, the
 * outputs closed and the run's error said once. */
static int run_body(run_call *s)
{
	run_ctx *c = &s->c;
	int rc;
	/* a complete checkpoint runs nothing: its C notes need no plugin */
	if (s->resume ? cadence_runner_prepare_resume(s->runner, s->cp, &s->err)
		      : cadence_runner_prepare(s->runner, &s->err))
		return cli_error(cli_run_exit_for(s->err.code), "%s", s->err.message);
	if ((s->resume && (rc = check_checkpoint(c, s->cp, s->args.pos[0], s->file, s->project,
						 s->def))) ||
	    (rc = open_events(c)) || (rc = open_json_log(c)))
		return rc;
	cadence_checkpoint_opts co = CADENCE_CHECKPOINT_OPTS_INIT;
	co.resume = s->cp;
	if (c->checkpoint_path) {
		co.on_checkpoint = save_checkpoint;
		co.ctx = c;
	}
	co.failed_score = &s->out;	/* a failed run's score is printed too */
	if (s->resume) {
		c->resumed = s->cp;
		c->resumed_path = s->args.pos[0];
	}
	the_runner = s->runner;
	if (signals_seen)
		cadence_runner_cancel(s->runner);	/* came before the_runner was set */
	interrupt_waits(0);	/* a signal now cancels the runner */
	s->ran = 1;
	int64_t t0 = mono_ns();
	int r = cadence_runner_run_checkpointed(&s->out, s->runner, s->input, &co, &s->err);
	int64_t elapsed = mono_ns() - t0;
	/* a resume point that does not fit the cadence: nothing ran */
	rc = s->resume && r == CADENCE_EINVALID ? CLI_EXIT_MISMATCH : cli_run_exit_for(r);
	if (c->timings)	/* by the metrics reporter, which --timings makes */
		write_timings(s);
	rc = close_outputs(c, rc);
	if (c->log_lost) {
		rc = cli_error(CLI_EXIT_INTERNAL, "cannot write the log to standard error: %s; "
			       "the run was stopped", strerror(EPIPE));
	} else if (r) {
		clear_progress(c);
		if (!c->last_error || !s->err.message || strcmp(c->last_error, s->err.message)) {
			const char *why = s->err.message ? s->err.message : cadence_strerror(r);
			/* a JSON line with --log json */
			cli_say(rc, r == CADENCE_ESTOPPED ? "stopped" : "error", "%s%s", why,
				rc == CLI_EXIT_MISMATCH ? "; nothing ran" : "");
		}
	}
	/* not after a refusal (a bad score, a resume point that does not
	 * fit): nothing ran */
	if (!c->quiet && !c->log_lost && rc != CLI_EXIT_MISMATCH && rc != CLI_EXIT_USAGE)
		summary(s, r, elapsed);
	return rc;
}

/* A manual run's trigger: api or webhook when `cadence serve` started it,
 * which says so by CADENCE_TRIGGER=api (or webhook) in its environment
 * (docs/serve.md, "Runs"); any other value is ignored. */
static reg_trigger run_trigger(void)
{
	const char *t = getenv("CADENCE_TRIGGER");
	return t && !strcmp(t, "api") ? REG_API
	       : t && !strcmp(t, "webhook") ? REG_WEBHOOK : REG_MANUAL;
}

/* run_body(), recorded in the run registry (docs/registry.md). */
static int run_run(run_call *s)
{
	run_ctx *c = &s->c;
	cli_record_what w = { s->cfg, c->no_record, cadence_def_name(s->def), s->file,
			      c->scheduled ? REG_SCHEDULE : run_trigger(), c->scheduled_for,
			      c->events_path, c->trace_path, c->checkpoint_path };
	cli_record_begin(&s->record, &w);
	s->recorded = 1;
	int rc = run_body(s);
	char code[48];
	snprintf(code, sizeof(code), "exit status %d", rc);
	cli_record_end(&s->record, rc, s->err.message ? s->err.message
		       : c->last_error ? c->last_error : code, s->out);
	return rc;
}

/* The score, whole: not when an output could not be written (complete or
 * absent, and exit 3). */
static int run_print_score(run_call *s)
{
	char *text = cad_json_print(s->out, !s->c.compact);
	if (!text)
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	printf("%s\n", text);
	free(text);
	return 0;
}

/* What one run made: --scheduled makes several in one call. */
static void run_once_free(run_call *s)
{
	if (s->caught) {
		if (!s->c.scheduled)
			restore_signals(s->old_sig);
		the_runner = NULL;
		s->caught = 0;
	}
	cJSON_Delete(s->out);
	cJSON_Delete(s->input);
	cadence_run_error_clear(&s->err);
	cadence_runner_free(s->runner);
	cadence_project_free(s->project);
	cadence_checkpoint_free(s->cp);
	free_outputs(&s->c);
	free(s->state_dir);
	free(s->c.last_error);
	s->out = s->input = NULL;
	s->runner = NULL;
	s->project = NULL;
	s->def = NULL;
	s->cp = NULL;
	s->state_dir = s->c.last_error = NULL;
	s->c.run_id[0] = '\0';
	s->c.measures = s->c.notes = s->c.retries = 0;
	s->c.resumed = NULL;
	s->ran = s->recorded = 0;
	s->err = (cadence_run_error)CADENCE_RUN_ERROR_INIT;
}

static void run_call_free(run_call *s)
{
	run_ctx *c = &s->c;
	cli_errors_as_json(0);
	run_once_free(s);
	for (size_t i = 0; i < s->ncfg_plugins; i++)
		free(s->cfg_plugins[i]);
	free(s->cfg_plugins);
	cli_config_free(s->cfg);
	free(c->plugins);
	free(c->env_keep);
	free(c->environment);
	cli_args_free(&s->args);
}

/* One run: inputs, runner, the run (or the plan) and the score. */
static int run_once(run_call *s)
{
	cadence_run_hooks hooks = { CADENCE_RUN_HOOKS_VERSION, &s->c, on_event, on_note };
	int rc;
	if (!(rc = run_inputs(s)) && !(rc = run_runner(s, &hooks))) {
		if (s->c.dry_run)
			rc = run_dry(s);
		/* a failed run's score too, as it stood after on_error
		 * (docs/run.md, "Exit status"); none after an interruption or
		 * an internal failure */
		else if (((rc = run_run(s)) == CLI_EXIT_OK || rc == CLI_EXIT_STOPPED ||
			  rc == CLI_EXIT_PROBLEMS) && s->out)
			rc = run_print_score(s) ? CLI_EXIT_INTERNAL : rc;
	}
	if (s->caught && signals_seen && !s->ran && rc != CLI_EXIT_INTERRUPTED)
		rc = cli_error(CLI_EXIT_INTERRUPTED, "interrupted before the run started; nothing ran");
	return rc;
}

int cli_run_interrupted(void)
{
	return signals_seen != 0;
}

/* cli_fire_fn: one scheduled run, as `cadence run FILE --score SCORE`. */
static int run_fire(void *ctx, const char *file, const char *score, int64_t fire, int *ran)
{
	run_call *s = ctx;
	s->file = file;
	s->c.score = score;
	s->c.scheduled_for = fire;
	int rc = run_once(s);
	*ran = s->recorded;
	run_once_free(s);
	s->file = NULL;
	s->c.score = NULL;
	return rc;
}

static int run_scheduled(run_call *s)
{
	run_ctx *c = &s->c;
	if (s->resume)
		return cli_usage_error("--scheduled is an option of 'cadence run'");
	if (s->args.npos || c->score || c->score_file)
		return cli_usage_error("--scheduled NAME runs the project's cadence NAME with its "
				       "schedule's score: give no FILE, --score or --score-file");
	cli_scheduled_opts o = { c->scheduled, s->cfg, c->now, c->jitter, c->dry_run };
	/* a signal is ours for the whole call: while waiting for the run
	 * before and between runs too, each time left is recorded missed */
	catch_signals(c->json_log, s->old_sig);
	int rc = cli_scheduled(&o, run_fire, s);
	restore_signals(s->old_sig);
	if (signals_seen && rc != CLI_EXIT_INTERRUPTED)
		rc = cli_error(CLI_EXIT_INTERRUPTED, "interrupted; the scheduled times not run are "
			       "recorded as missed (interrupted)");
	return rc;
}

const char *cli_run_traceparent(void)
{
	const char *tp = getenv("TRACEPARENT");
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	if (!tp || !*tp)
		return NULL;
	if (cadence_traceparent_parse(NULL, NULL, NULL, tp, &err)) {
		cli_say(0, "warning", "TRACEPARENT %s; the run starts a trace of its own",
			err.message ? err.message : "is not valid");
		tp = NULL;
	}
	cadence_run_error_clear(&err);
	return tp;
}

int cli_run_main(const cli_cmd *cmd, int argc, char **argv, int resume)
{
	run_call s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.resume = resume;
	s.err = (cadence_run_error)CADENCE_RUN_ERROR_INIT;
	s.c.ckpt_lock.fd = -1;
	s.c.now = s.c.scheduled_for = -1;
	json_errors_early(argc, argv);
	if ((rc = cli_parse(cmd, argc, argv, on_opt, &s.c, &s.args))) {
		cli_errors_as_json(0);
		free(s.c.plugins);
		free(s.c.env_keep);
		return rc;
	}
	if (s.args.help) {
		cli_print_help(cmd, stdout);
	} else if (!(rc = run_config(&s)) && !(rc = note_environment(&s.c))) {
		s.c.traceparent = cli_run_traceparent();	/* once --log json is known */
		if (s.c.scheduled)
			rc = run_scheduled(&s);
		else if (s.c.now >= 0 || s.c.jitter)
			rc = cli_usage_error("--now and --jitter go with --scheduled NAME");
		else
			rc = run_once(&s);
	}
	run_call_free(&s);
	return rc;
}

static int run_cmd(const cli_cmd *cmd, int argc, char **argv)
{
	return cli_run_main(cmd, argc, argv, 0);
}

const cli_cmd cli_cmd_run = {
	"run",
	"[OPTIONS] FILE [-]",
	"Run a cadence and print the final score as JSON.",
	"The input score comes from --score JSON, --score-file FILE, or '-' (standard\n"
	"input); without one, the score holds the declared defaults. The cadence is\n"
	"checked first, as by 'cadence validate'; nothing runs if it has errors.\n"
	"FILE '-' reads the cadence from standard input (the score then comes from\n"
	"--score or --score-file).\n"
	"\n"
	"Notes' stderr lines, retries and errors are logged on stderr, ending with a\n"
	"summary line (-q: none); the final score is printed on stdout, that of a\n"
	"cadence that failed too (as it stood, after on_error; status 1). --log json\n"
	"writes the lines of --events. run.md describes the note contract, the\n"
	"environment of 'run' notes, the merge order of sync and the limits.\n"
	"\n"
	"--metrics, --trace and --events report the run for Prometheus,\n"
	"OpenTelemetry and other tools; --checkpoint saves where the run is after\n"
	"each measure, so that 'cadence resume' can go on after a failure or a kill\n"
	"(observability.md); one run at a time may use a checkpoint file.\n"
	"A W3C TRACEPARENT in the environment puts the run in the caller's trace,\n"
	"and 'run' notes get TRACEPARENT for their attempt (observability.md).\n"
	"Outputs that are devices, FIFOs or /dev/stdout are written in place, links\n"
	"are followed, and a replaced file keeps its owner, mode and hard links\n"
	"(reliability.md, \"Output paths\").\n"
	"\n"
	"Exit status: 0 the cadence succeeded, 1 it failed (the message names the\n"
	"cadence, measure, note and attempt; its score is printed), 2 usage error, bad score, a cadence\n"
	"with errors, an output that cannot be written or a checkpoint in use by\n"
	"another run (nothing ran), 3 internal failure (out of memory, an output\n"
	"or checkpoint that could not be written after all, a checkpoint another\n"
	"writer replaced, a closed pipe on stdout or stderr), 130 interrupted by\n"
	"SIGINT, SIGTERM or SIGHUP (running notes were stopped; the checkpoint\n"
	"holds the last completed measure). A second signal stops at once, killing notes.",
	run_opts,
	run_cmd,
};
