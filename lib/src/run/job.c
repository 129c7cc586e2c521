/* SPDX-License-Identifier: MIT */
/* Jobs: a note's attempts, retries and fallback, and the loop that runs
 * several at once (docs/run.md, "Resilience").  Everything here happens on
 * the run's thread except the call of a `symbol` note handed to the pool;
 * hooks are therefore called on the run's thread only. */
#include "run/run_int.h"
#include "note/call.h"
#include "run/env.h"
#include "util/sat.h"
#include "util/shebang.h"
#include "util/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

void cad_job_init(rjob *j, rframe *fr, rnote *note, rscore *base)
{
	memset(j, 0, sizeof(*j));
	j->fr = fr;
	j->note = note;
	j->base = base;
	j->state = JOB_WAIT;
	atomic_init(&j->abandon, 0);
}

static void drop_process(rjob *j);

/* Room in j->fields for the field of each change; 0 or -1. */
int cad_job_fields_room(rjob *j, const cJSON *changes)
{
	size_t n = 0;
	for (const cJSON *c = changes->child; c; c = c->next)
		n++;
	if (j->fields && j->fields != j->fields_buf)
		free(j->fields);
	j->fields = n <= sizeof(j->fields_buf) / sizeof(j->fields_buf[0]) ? j->fields_buf
		    : malloc(n * sizeof(*j->fields));
	return j->fields ? 0 : -1;
}

void cad_job_clear(rjob *j)
{
	drop_process(j);
	cJSON_Delete(j->changes);
	j->changes = NULL;
	if (j->fields != j->fields_buf)
		free(j->fields);
	j->fields = NULL;
	cad_rfail_free(&j->fail);
	cad_strbuf_free(&j->logs);
}

/* The word of cadence_event.error_type for a failure. */
static const char *error_type(const rfail *f)
{
	if (f->rejected)
		return "breaker_open";
	if (f->timeout)
		return "timeout";
	if (f->cancelled)
		return "cancelled";
	return f->type ? f->type : "note";
}

/* An event about the job's note and attempt. */
static void note_event(rjob *j, cadence_event *ev, cadence_event_kind kind, int status)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = kind;
	ev->note = j->note->name;
	ev->note_data = j->note->hook_data;
	ev->attempt = j->attempt;
	ev->attempts = j->note->attempts;
	ev->status = status;
	ev->task = j->task_name;
}

static void emit_note(rjob *j, cadence_event_kind kind, int status, int64_t dur,
		      int64_t delay_ms, const char *message)
{
	rrun *run = j->fr->run;
	if (!run->r->hooks.on_event)
		return;
	cadence_event ev;
	note_event(j, &ev, kind, status);
	ev.duration_ns = dur;
	ev.delay_ms = delay_ms;
	ev.message = message;
	if (kind == CADENCE_EVENT_NOTE_END && (status == CADENCE_NOTE_STATUS_FAILED ||
					      status == CADENCE_NOTE_STATUS_REJECTED))
		ev.error_type = error_type(&j->fail);
	cad_run_emit(run, j->fr, &ev);
}

/* A breaker's state after a call (acquire: only when it changed). */
static void emit_breaker(rjob *j, const rbreaker_mode mode[2])
{
	rrun *run = j->fr->run;
	if (!run->r->hooks.on_event)
		return;
	cadence_event ev;
	note_event(j, &ev, CADENCE_EVENT_BREAKER, (int)mode[1]);
	ev.previous = (int)mode[0];
	cad_run_emit(run, j->fr, &ev);
}

/* ---- the three bindings ---------------------------------------------------- */

static int ended_late(rjob *j, const char *why);

static void eval_set(rjob *j)
{
	rnote *n = j->note;
	cJSON *changes = cJSON_CreateObject();
	if (!changes) {
		cad_rfail_set(&j->fail, "out of memory");
		return;
	}
	for (size_t i = 0; i < n->n->nset; i++) {
		/* an expression cannot be stopped midway (its steps are
		 * bounded): the note stops between them */
		if (i && ended_late(j, "its expressions took longer")) {
			cJSON_Delete(changes);
			return;
		}
		cJSON *v = NULL;
		strbuf msg = STRBUF_INIT;
		if (cad_rexpr_eval(n->set[i], j->base, &v, &msg)) {
			cad_rfail_set(&j->fail, "field '%s' = %s: %s", n->n->set[i].field.name,
				  cad_rexpr_src(n->set[i]), cad_strbuf_cstr(&msg) ? cad_strbuf_cstr(&msg) : "out of memory");
			j->fail.field = n->n->set[i].field.name;
			j->fail.permanent = 1;
			j->fail.type = "expression";
			cad_strbuf_free(&msg);
			cJSON_Delete(changes);
			return;
		}
		cad_strbuf_free(&msg);
		cJSON_AddItemToObjectCS(changes, n->n->set[i].field.name, v);	/* the model outlives it */
	}
	j->changes = changes;
	if (!ended_late(j, "its expressions took longer"))
		j->outcome = CADENCE_NOTE_OK;
}

static int job_expired(void *arg)
{
	rjob *j = arg;
	if (cad_run_cancelled(j->fr->run) || atomic_load(&j->abandon))
		return 1;
	return j->deadline && cad_rproc_now() >= j->deadline;
}

static long long job_remaining_ms(void *arg)
{
	rjob *j = arg;
	if (!j->deadline)
		return -1;
	int64_t left = j->deadline - cad_rproc_now();
	return left > 0 ? cad_sat_ns_to_ms_up(left) : 0;
}

/* cadence_note_log() on the note's thread: one line per line break. */
static void job_log(void *arg, const char *text, size_t len)
{
	rjob *j = arg;
	while (len) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl ? (size_t)(nl - text) : len;
		if (j->nlogs < CADENCE_NOTE_LOG_LINES) {
			cad_strbuf_add(&j->logs, text, n);
			cad_strbuf_addc(&j->logs, '\0');
			j->nlogs++;
		} else {
			j->logs_dropped++;
		}
		len -= nl ? n + 1 : n;
		text += nl ? n + 1 : n;
	}
}

static void on_line(void *ctx, const char *line, size_t len);

/* On the run's thread, after the call: the lines it logged, in order. */
static void flush_logs(rjob *j)
{
	const char *p = cad_strbuf_cstr(&j->logs);
	for (size_t i = 0; p && i < j->nlogs; i++) {
		size_t n = strlen(p);
		on_line(j, p, n);
		p += n + 1;
	}
	if (j->logs_dropped) {
		char msg[128];
		snprintf(msg, sizeof(msg), "(%zu more lines of cadence_note_log() dropped: "
			 "%d lines a call at most)", j->logs_dropped, CADENCE_NOTE_LOG_LINES);
		on_line(j, msg, strlen(msg));
	}
	cad_strbuf_free(&j->logs);
	j->nlogs = j->logs_dropped = 0;
}

/* A C or `set` note's call is over: past its deadline it timed out, and in
 * a cancelled run it was cancelled, whatever it gave (a late result fails
 * the attempt).  Returns 1 when so. */
static int ended_late(rjob *j, const char *why)
{
	if (j->deadline && cad_rproc_now() >= j->deadline) {
		j->outcome = CADENCE_NOTE_FAILED;
		cad_rfail_set(&j->fail, "it timed out after %lld ms (%s)",
			      (long long)j->note->n->timeout_ms, why);
		j->fail.timeout = 1;
		return 1;
	}
	if (cad_run_cancelled(j->fr->run)) {
		j->outcome = CADENCE_NOTE_FAILED;
		cad_rfail_set(&j->fail, "it was cancelled");
		j->fail.cancelled = 1;
		return 1;
	}
	return 0;
}

static void call_symbol(rjob *j)
{
	rframe *fr = j->fr;
	rnote *n = j->note;
	cJSON *changes = NULL;
	cad_note_call call = {
		.name = n->name, .attempt = j->attempt, .user = n->userdata,
		.expired = job_expired, .remaining_ms = job_remaining_ms, .expired_arg = j,
		.cadence = fr->plan->name,
		.measure = fr->measure ? fr->measure->m->name.name : NULL,
		.run_id = fr->run->run_id,
		.error = fr->handling_error, .error_note = fr->handling_note,
		.log = job_log, .log_arg = j,
		.fields = (const cJSON *const *)j->base->slot, .nfields = j->base->n,
		.def = fr->plan->def, .declaration = fr->plan->declaration,
		.declared = n->declared, .declared_field = n->declared_field,
		.ndeclared = n->ndeclared,
	};
	strbuf message = STRBUF_INIT;
	int failed;

	int rc = cad_note_call_run(n->fn, &call, j->base->obj, &changes, &failed, &message);
	j->changes = changes;
	if (rc == CADENCE_NOTE_OK || rc == CADENCE_NOTE_INTERRUPT || rc == CADENCE_NOTE_SKIP)
		j->outcome = rc;
	else if (failed)
		cad_rfail_set(&j->fail, "%s", message.failed ? "out of memory"
			      : message.buf ? message.buf : "");
	else if (rc == CADENCE_NOTE_FAILED)
		cad_rfail_set(&j->fail, "it failed without a message");
	else
		cad_rfail_set(&j->fail, "it returned %d, which is not a cadence_note_result", rc);
	cad_strbuf_free(&message);
	if (ended_late(j, "it returned after its deadline; a symbol note polls "
		       "cadence_note_expired()")) {
		/* whatever it returned */
	} else if (j->outcome != CADENCE_NOTE_FAILED && changes && !cJSON_IsObject(changes)) {
		j->outcome = CADENCE_NOTE_FAILED;
		cad_rfail_set(&j->fail, "its changes must be a JSON object of fields, not %s",
			  cad_score_type_of(changes));
		j->fail.permanent = 1;
		j->fail.type = "output";
	} else if (j->outcome != CADENCE_NOTE_FAILED && changes && !cad_score_utf8_ok(changes)) {
		/* a `run` note's text was checked whole (output.c); a C note
		 * builds its values, so they are checked here */
		j->outcome = CADENCE_NOTE_FAILED;
		cad_rfail_set(&j->fail, "its changes hold text that is not UTF-8; the strings of a "
				    "score must be UTF-8");
		j->fail.permanent = 1;
		j->fail.type = "output";
	}
}

/* The pool's side: run the note, hand the job back to the run's thread. */
static void pool_task(rtask *t)
{
	rjob *j = (rjob *)t;
	rrun *run = j->fr->run;
	int wake;
	call_symbol(j);
	pthread_mutex_lock(&run->done_lock);
	j->next_done = run->done_head;
	run->done_head = j;
	wake = run->sleeping;
	run->sleeping = 0;
	pthread_mutex_unlock(&run->done_lock);
	if (wake)
		(void)!write(run->wake[1], "x", 1);
}

/* One line of a note's stderr: to the log, as UTF-8 (a byte that is not
 * becomes U+FFFD), since every log writer puts it in text or JSON. */
static void on_line(void *ctx, const char *line, size_t len)
{
	rjob *j = ctx;
	char buf[RPROC_LINE + 1];
	if (cad_utf8_valid_prefix(line, len) == len) {
		memcpy(buf, line, len);
		buf[len] = '\0';
		emit_note(j, CADENCE_EVENT_LOG, 0, 0, 0, buf);
		return;
	}
	char *valid = cad_utf8_dup_valid(line, len);
	emit_note(j, CADENCE_EVENT_LOG, 0, 0, 0,
		  valid ? valid : "(a line that is not UTF-8; out of memory to show it)");
	free(valid);
}

/* Does the note's `env:` let `entry` of the base environment through? */
static int env_allowed(const cad_note *n, const char *entry)
{
	if (!n->has_env || cad_env_always(entry))
		return 1;
	for (size_t i = 0; i < n->nenv; i++)
		if (cad_env_is(entry, n->env[i].name))
			return 1;
	return 0;
}

/* The environment of a `run` note: the base environment without the
 * variables cadence sets, narrowed to its `env:` if it has one, then the
 * variables cadence sets (docs/run.md, "Environment"). */
static char **make_env(rjob *j, strbuf *vars)
{
	rframe *fr = j->fr;
	cadence_runner *r = fr->run->r;
	char *const *base = r->opts.environment ? r->opts.environment : environ;
	size_t n = 0, k = 0;
	size_t offs[11];
	size_t nv = 0;
	const char *dir = fr->plan->dir;
	size_t dirlen = strlen(dir);

#define VAR(...) (offs[nv++] = vars->len, cad_strbuf_addf(vars, __VA_ARGS__), cad_strbuf_addc(vars, '\0'))
	VAR("CADENCE_CADENCE=%s", fr->plan->name);
	VAR("CADENCE_NOTE=%s", j->note->name);
	VAR("CADENCE_MEASURE=%s", fr->measure ? fr->measure->m->name.name : "");
	if (j->task_name)
		VAR("CADENCE_TASK=%s", j->task_name);
	VAR("CADENCE_ATTEMPT=%u", j->attempt);
	VAR("CADENCE_ATTEMPTS=%u", j->note->attempts);
	VAR("CADENCE_RUN_ID=%s", fr->run->run_id);
	/* dir ends with its '/' ("notes/", "/"), or is "" for a file named
	 * without one: the current directory */
	VAR("CADENCE_DIR=%.*s", dirlen ? (int)(dirlen > 1 ? dirlen - 1 : dirlen) : 1,
	    dirlen ? dir : ".");
	if (j->note->n->timeout_ms > 0)
		VAR("CADENCE_TIMEOUT_MS=%lld", (long long)j->note->n->timeout_ms);
	if (fr->handling_error) {
		VAR("CADENCE_ERROR=%s", fr->handling_error);
		VAR("CADENCE_ERROR_NOTE=%s", fr->handling_note ? fr->handling_note : "");
	}
#undef VAR
	if (!cad_strbuf_cstr(vars))
		return NULL;
	while (base[n])
		n++;
	char **env = malloc((n + nv + 1) * sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		static const char *const ours[] = {
			"CADENCE_CADENCE=", "CADENCE_NOTE=", "CADENCE_MEASURE=",
			"CADENCE_ATTEMPT=", "CADENCE_ATTEMPTS=", "CADENCE_RUN_ID=",
			"CADENCE_DIR=", "CADENCE_TIMEOUT_MS=", "CADENCE_ERROR=",
			"CADENCE_ERROR_NOTE=", "CADENCE_TASK=",
		};
		int skip = 0;
		if (!strncmp(base[i], "CADENCE_", 8))
			for (size_t o = 0; o < sizeof(ours) / sizeof(*ours) && !skip; o++)
				skip = !strncmp(base[i], ours[o], strlen(ours[o]));
		if (!skip && env_allowed(j->note->n, base[i]))
			env[k++] = base[i];
	}
	for (size_t i = 0; i < nv; i++)
		env[k++] = vars->buf + offs[i];
	env[k] = NULL;
	return env;
}

/* What a `run` note's process needs before its attempt starts: the run's
 * guard and the descriptors.  0, or an errno value with nothing held. */
static int reserve_process(rjob *j)
{
	int e = cad_rguard_start(&j->fr->run->guard);
	if (e || j->proc)
		return e;
	if (!(j->proc = malloc(sizeof(*j->proc))))
		return ENOMEM;
	if ((e = cad_rproc_open(j->proc))) {
		free(j->proc);
		j->proc = NULL;
	}
	return e;
}

static void drop_process(rjob *j)
{
	if (j->proc) {
		cad_rproc_close(j->proc);
		free(j->proc);
		j->proc = NULL;
	}
}

/* Out of descriptors or processes: a retry may find them. */
static int lacks_resources(int e)
{
	return e == EMFILE || e == ENFILE || e == EAGAIN;
}

static void spawn_failed(rjob *j, int rc)
{
	rnote *n = j->note;
	struct rlimit rl;
	if (rc == ENOMEM) {
		cad_rfail_set(&j->fail, "out of memory");
		return;
	}
	cad_rfail_set(&j->fail, "cannot run '%s': ", n->n->argv[0]);
	cad_rproc_strerror(rc, &j->fail.msg);
	if (rc == ENOENT && strchr(n->argv[0], '/') && cad_shebang_crlf(n->argv[0]))
		cad_strbuf_adds(&j->fail.msg, " (its '#!' line ends in CR LF, so its "
				"interpreter is not found: save it with LF line endings)");
	else if (rc == ENOENT && strchr(n->argv[0], '/'))
		cad_strbuf_addf(&j->fail.msg, " (looked for %s)", n->argv[0]);
	else if (rc == ENOENT)
		cad_strbuf_adds(&j->fail.msg, " (not found in PATH)");
	else if (rc == EMFILE && !getrlimit(RLIMIT_NOFILE, &rl))
		cad_strbuf_addf(&j->fail.msg, " (no other note was running; the limit is %llu "
				"open files: ulimit -n)", (unsigned long long)rl.rlim_cur);
	j->fail.permanent = !lacks_resources(rc);
	j->fail.type = "spawn";
}

static void start_process(rjob *j)
{
	cadence_runner *r = j->fr->run->r;
	rnote *n = j->note;
	strbuf vars = STRBUF_INIT;
	char **env = make_env(j, &vars);
	size_t len = 0;
	const char *input = cad_score_json(j->base, &len);
	int rc;

	if (!env || !input) {
		cad_rfail_set(&j->fail, "out of memory");
		goto out;
	}
	rproc_spec spec = {
		n->argv, env, input, len,
		r->opts.max_output ? r->opts.max_output : CADENCE_DEFAULT_MAX_OUTPUT,
		r->hooks.on_event ? on_line : NULL, j, &j->fr->run->guard,
	};
	if ((rc = reserve_process(j)) || (rc = cad_rproc_start(j->proc, &spec))) {
		spawn_failed(j, rc);
		goto out;
	}
	if (n->n->timeout_ms > 0)
		j->deadline = cad_sat_add(cad_rproc_now(), cad_sat_ms_to_ns(n->n->timeout_ms));
	j->state = JOB_RUNNING;
out:
	if (j->state != JOB_RUNNING)
		drop_process(j);
	free(env);
	cad_strbuf_free(&vars);
}

/* A finished process: its verdict. */
static void end_process(rjob *j)
{
	rproc *p = j->proc;
	rnote *n = j->note;
	j->fail.stderr_tail = cad_rproc_stderr_tail(p);
	switch (p->why) {
	case RPROC_TIMEOUT:
		cad_rfail_set(&j->fail, "it timed out after %lld ms and was stopped",
			  (long long)n->n->timeout_ms);
		j->fail.timeout = 1;
		break;
	case RPROC_CANCEL:
		if (cad_run_cancelled(j->fr->run))
			cad_rfail_set(&j->fail, "it was stopped: the run was cancelled");
		else
			cad_rfail_set(&j->fail, "it was stopped: another note of the measure failed");
		j->fail.cancelled = 1;
		break;
	case RPROC_OVERFLOW:
		cad_rfail_set(&j->fail, "it wrote more than %zu bytes to stdout (the limit of a note's "
			  "output) and was stopped", p->max_output);
		j->fail.type = "output";
		break;
	case RPROC_RUNNING:
		if (!cad_rproc_succeeded(p)) {
			cad_rfail_set(&j->fail, "it ");
			cad_rproc_describe(p, &j->fail.msg);
			j->fail.type = WIFSIGNALED(p->status) ? "signal" : "exit_status";
		} else if (cad_output_parse(p->out.buf ? p->out.buf : "", p->out.len, &j->changes,
					&j->outcome, &j->fail)) {
			j->fail.type = "output";
		}
		break;
	}
	drop_process(j);
}

/* ---- attempts ------------------------------------------------------------ */

static int64_t run_time(rrun *run)
{
	return run->timed ? cad_run_now(run) : 0;
}

static void attempt_end(rjob *j);

/* Starts the next attempt.  `set` and inline `symbol` notes finish here;
 * pool notes are appended to *batch; processes are left running. */
static void attempt_start(rjob *j, int use_pool, rtask **batch)
{
	rnote *n = j->note;
	rrun *run = j->fr->run;

	j->attempt++;
	j->outcome = CADENCE_NOTE_FAILED;
	j->state = JOB_DONE;	/* unless it keeps running below */
	j->deadline = 0;
	j->probe = j->counted = 0;
	cJSON_Delete(j->changes);
	j->changes = NULL;
	cad_rfail_reset(&j->fail);
	j->attempt_start = run_time(run);
	emit_note(j, CADENCE_EVENT_NOTE_START, 0, 0, 0, NULL);
	if (cad_run_cancelled(run)) {
		cad_rfail_set(&j->fail, "it was cancelled before it started");
		j->fail.cancelled = 1;
		attempt_end(j);
		return;
	}
	if (n->breaker && !run->no_breakers) {
		strbuf why = STRBUF_INIT;
		rbreaker_mode mode[2];
		int rejected = cad_rbreaker_acquire(n->breaker, run->r->clock.wall_ms(run->r->clock.ctx),
						&j->probe, &why, mode);
		if (mode[0] != mode[1])
			emit_breaker(j, mode);
		if (rejected) {
			cad_rfail_set(&j->fail, "%s", cad_strbuf_cstr(&why) ? cad_strbuf_cstr(&why) : "out of memory");
			j->fail.rejected = rejected > 0;	/* < 0: its state cannot be kept */
			j->fail.permanent = 1;
			cad_strbuf_free(&why);
			attempt_end(j);
			return;
		}
		cad_strbuf_free(&why);
		j->counted = 1;
	}
	if (n->n->timeout_ms > 0 && n->n->binding != CAD_BIND_RUN)
		j->deadline = cad_sat_add(cad_rproc_now(), cad_sat_ms_to_ns(n->n->timeout_ms));
	switch (n->n->binding) {
	case CAD_BIND_SET:
		eval_set(j);
		break;
	case CAD_BIND_SYMBOL:
		/* its `score` argument; made here, on the run's thread, before
		 * any note of a sync reads it on the pool */
		if (!cad_score_obj(j->base)) {
			cad_rfail_set(&j->fail, "out of memory");
			break;
		}
		if (use_pool) {
			j->state = JOB_RUNNING;
			j->task.fn = pool_task;
			j->task.next = *batch;
			*batch = &j->task;
			return;
		}
		call_symbol(j);
		break;
	case CAD_BIND_RUN:
		start_process(j);
		if (j->state == JOB_RUNNING)
			return;
		break;
	}
	attempt_end(j);
}

void cad_job_fallback(rjob *j)
{
	rnote *n = j->note;
	cJSON *changes = cJSON_CreateObject();
	for (size_t i = 0; changes && i < n->n->nfallback; i++) {
		cJSON *v = cJSON_Duplicate(n->n->fallback_values[i], 1);
		if (!v || !cJSON_AddItemToObject(changes, n->n->fallback[i].field.name, v)) {
			cJSON_Delete(v);
			cJSON_Delete(changes);
			changes = NULL;
		}
	}
	rfail f = RFAIL_INIT;
	if (!changes || cad_job_fields_room(j, changes)) {
		cJSON_Delete(changes);
		cad_rfail_set(&j->fail, "out of memory");
		return;
	}
	if (cad_score_check_changes(j->fr, j->base, NULL, changes, n->fallback_known, j->fields,
				    &f)) {
		cad_strbuf_adds(&j->fail.msg, "; its fallback is not valid either: ");
		cad_strbuf_adds(&j->fail.msg, cad_strbuf_cstr(&f.msg) ? cad_strbuf_cstr(&f.msg) : "");
		cJSON_Delete(changes);
		cad_rfail_free(&f);
		return;
	}
	cad_rfail_free(&f);
	emit_note(j, CADENCE_EVENT_FALLBACK, 0, 0, 0, cad_strbuf_cstr(&j->fail.msg));
	j->changes = changes;
	j->fell_back = 1;
	j->status = CADENCE_NOTE_STATUS_OK;
	j->outcome = CADENCE_NOTE_OK;
}

/* An attempt is over: check its changes, count it in the breaker, then
 * done, retry later, fall back or fail. */
static void attempt_end(rjob *j)
{
	rnote *n = j->note;
	rrun *run = j->fr->run;
	int ok;

	drop_process(j);	/* descriptors made for an attempt that did not start */
	if (j->nlogs || j->logs_dropped)
		flush_logs(j);
	if ((j->outcome == CADENCE_NOTE_OK || j->outcome == CADENCE_NOTE_INTERRUPT) && j->changes) {
		/* a `set` note's changes are its assignments, in order: their
		 * fields are known */
		const long *known = n->n->binding == CAD_BIND_SET ? n->set_known : NULL;
		if (cad_job_fields_room(j, j->changes)) {
			cad_rfail_set(&j->fail, "out of memory");
			j->outcome = CADENCE_NOTE_FAILED;
		} else if (cad_score_check_changes(j->fr, j->base, n->writes, j->changes, known,
						   j->fields, &j->fail)) {
			j->outcome = CADENCE_NOTE_FAILED;
			j->fail.type = "change";
		}
	}
	ok = j->outcome != CADENCE_NOTE_FAILED;
	if (j->counted) {
		if (j->fail.cancelled) {
			cad_rbreaker_abandon(n->breaker, j->probe);
		} else {
			rbreaker_mode mode[2];
			strbuf why = STRBUF_INIT;
			if (!cad_rbreaker_release(n->breaker, run->r->clock.wall_ms(run->r->clock.ctx),
						  j->probe, ok, &why, mode)) {
				emit_breaker(j, mode);
			} else {
				/* the call is not counted: fail, as a breaker that
				 * cannot keep its state cannot protect anything */
				cad_rfail_reset(&j->fail);
				cad_rfail_set(&j->fail, "it ran, but %s", cad_strbuf_cstr(&why) ?
					      cad_strbuf_cstr(&why) : "out of memory");
				j->fail.permanent = 1;
				j->outcome = CADENCE_NOTE_FAILED;
				cJSON_Delete(j->changes);
				j->changes = NULL;
				ok = 0;
			}
			cad_strbuf_free(&why);
		}
	}
	j->status = !ok ? (j->fail.rejected ? CADENCE_NOTE_STATUS_REJECTED : CADENCE_NOTE_STATUS_FAILED)
		: j->outcome == CADENCE_NOTE_SKIP ? CADENCE_NOTE_STATUS_SKIPPED
		: j->outcome == CADENCE_NOTE_INTERRUPT ? CADENCE_NOTE_STATUS_INTERRUPT
		: CADENCE_NOTE_STATUS_OK;
	if (run->r->hooks.on_event)
		emit_note(j, CADENCE_EVENT_NOTE_END, j->status, run_time(run) - j->attempt_start, 0,
			  ok ? NULL : cad_strbuf_cstr(&j->fail.msg));
	j->state = JOB_DONE;
	if (ok) {
		if (j->outcome == CADENCE_NOTE_SKIP) {
			cJSON_Delete(j->changes);
			j->changes = NULL;
		}
		return;
	}
	if (j->fail.cancelled || atomic_load(&j->abandon))
		return;
	if (!j->fail.permanent && j->attempt < n->attempts) {
		int64_t ms = cad_retry_delay_ms(&n->n->retry, j->attempt, &run->rng);
		emit_note(j, CADENCE_EVENT_RETRY, 0, 0, ms, cad_strbuf_cstr(&j->fail.msg));
		j->state = JOB_WAIT;
		j->start_at = cad_sat_add(cad_run_now(run), cad_sat_ms_to_ns(ms));
		return;
	}
	if (n->n->nfallback)
		cad_job_fallback(j);
}

/* ---- the loop -------------------------------------------------------------- */

static int job_failed(const rjob *j)
{
	return j->state == JOB_DONE && j->outcome == CADENCE_NOTE_FAILED;
}

static int ensure_pool(rrun *run)
{
	cadence_runner *r = run->r;
	int rc = 0;
	if (run->wake[0] < 0) {
		if (pipe(run->wake))
			return -1;
		for (int i = 0; i < 2; i++) {
			fcntl(run->wake[i], F_SETFD, FD_CLOEXEC);
			fcntl(run->wake[i], F_SETFL, fcntl(run->wake[i], F_GETFL) | O_NONBLOCK);
		}
	}
	pthread_mutex_lock(&r->lock);
	if (!r->pool) {
		unsigned n = r->ncpu;
		if (r->opts.jobs && r->opts.jobs < n)
			n = r->opts.jobs;
		rc = cad_rpool_new(&r->pool, n ? n : 1);
	}
	pthread_mutex_unlock(&r->lock);
	return rc;
}

static rjob *take_done(rrun *run)
{
	pthread_mutex_lock(&run->done_lock);
	rjob *list = run->done_head;
	run->done_head = NULL;
	pthread_mutex_unlock(&run->done_lock);
	return list;
}

/* Stops every running job (another failed, or the run was cancelled) and
 * every waiting one. */
static void stop_all(rjob *jobs, size_t n, enum rproc_why why, int64_t grace)
{
	for (size_t i = 0; i < n; i++) {
		rjob *j = &jobs[i];
		atomic_store(&j->abandon, 1);
		if (j->state == JOB_RUNNING && j->proc)
			cad_rproc_stop(j->proc, why, cad_rproc_now(), grace);
		if (j->state == JOB_WAIT) {
			j->state = JOB_DONE;
			if (why == RPROC_CANCEL) {
				j->outcome = CADENCE_NOTE_FAILED;
				cad_rfail_set(&j->fail, "it was stopped while waiting to retry");
				j->fail.cancelled = j->fail.waiting = 1;
			} else if (j->attempt == 0) {
				j->outcome = CADENCE_NOTE_SKIP;	/* never started */
				j->status = CADENCE_NOTE_STATUS_SKIPPED;
			}
		}
	}
}

/* A `run` note that cannot have its descriptors (or the guard) while other
 * notes run waits for one of them to end, instead of failing: a sync of
 * many notes under a low `ulimit -n` runs as many at once as fit. */
static int must_wait(rjob *j, size_t running)
{
	return j->note->n->binding == CAD_BIND_RUN && running &&
	       lacks_resources(reserve_process(j));
}

/* One C or `set` note alone: everything happens on this thread, so the
 * loop below (polling, the pool) is not needed — the path of a `then`
 * measure, which must cost nanoseconds. */
static rjobs_end run_alone(rframe *fr, rjob *j, rjob **failed)
{
	rrun *run = fr->run;
	cadence_runner *r = run->r;
	for (;;) {
		attempt_start(j, 0, NULL);
		if (j->state == JOB_DONE)
			break;
		int64_t now = cad_run_now(run);	/* a retry waits */
		if ((j->start_at > now &&
		     r->clock.sleep_ns(r->clock.ctx, j->start_at - now, r->cancel_pipe[0])) ||
		    cad_run_cancelled(run)) {
			j->state = JOB_DONE;
			j->outcome = CADENCE_NOTE_FAILED;
			cad_rfail_set(&j->fail, "it was stopped while waiting to retry");
			j->fail.cancelled = j->fail.waiting = 1;
			break;
		}
	}
	if (j->fail.cancelled && cad_run_cancelled(run))
		return RJOBS_CANCELLED;
	if (!job_failed(j))
		return RJOBS_OK;
	*failed = j;
	return RJOBS_FAILED;
}

/* Descriptors the loop polls besides the processes': the cancel pipe and
 * the pool's wake pipe. */
#define LOOP_FDS 2
/* While draining the pool, the longest wait between looks at it (ms): a
 * task that ends writes the wake pipe, which ends the wait sooner. */
#define DRAIN_WAIT_MS 10

/* The state of one cad_jobs_run().  Jobs start in index order: those
 * never started are jobs[next_new..n), and every job waiting to retry has
 * a lower index, so the order is the retries (kept by index), then the
 * new jobs.  Each event costs what it touches, never a scan of all n. */
typedef struct jloop {
	rrun *run;
	cadence_runner *r;
	rjob *jobs;
	size_t n;
	unsigned parallel;	/* at most this many at once; 0: no limit */
	int64_t grace;		/* for the notes stopped, ns */
	size_t next_new;
	rjob **retry;		/* JOB_WAIT with index < next_new, by index */
	size_t nretry;
	rjob **procs;		/* running processes, by index */
	size_t nprocs;
	size_t running, on_pool;
	rjob *failed;		/* the first job that failed for good */
	rsched *sched;		/* NULL: jobs in index order, all ready */
	int halt;		/* the scheduler asked to stop every job */
	int stopping, cancelled, use_pool;
	int rescan;		/* something changed: look for jobs to start */
	int64_t wake_at;	/* run clock: when a waiting job may start; -1 */
	int64_t now;		/* run clock, read once per turn when needed; -1 */
	struct pollfd *fds;	/* LOOP_FDS + RPROC_MAX_FDS per job */
	rjob **owner;		/* the job of each fds entry; NULL: the loop's */
	size_t nfds;
} jloop;

static int loop_init(jloop *L, rframe *fr, rjob *jobs, size_t n, unsigned parallel)
{
	cadence_runner *r = fr->run->r;
	*L = (jloop){ .run = fr->run, .r = r, .jobs = jobs, .n = n, .parallel = parallel,
		      .rescan = 1, .wake_at = -1 };
	L->grace = cad_sat_ms_to_ns(r->opts.kill_grace_ms > 0 ? r->opts.kill_grace_ms
				    : CADENCE_DEFAULT_KILL_GRACE_MS);
	if (n > 1 && parallel != 1)
		for (size_t i = 0; i < n && !L->use_pool; i++)
			L->use_pool = jobs[i].note && jobs[i].note->n->binding == CAD_BIND_SYMBOL;
	if (n > (SIZE_MAX - LOOP_FDS) / RPROC_MAX_FDS)
		return -1;
	L->retry = calloc(n, sizeof(*L->retry));
	L->procs = calloc(n, sizeof(*L->procs));
	L->fds = calloc(n * RPROC_MAX_FDS + LOOP_FDS, sizeof(*L->fds));
	L->owner = calloc(n * RPROC_MAX_FDS + LOOP_FDS, sizeof(*L->owner));
	if (!L->retry || !L->procs || !L->fds || !L->owner)
		return -1;
	return L->use_pool && ensure_pool(L->run) ? -1 : 0;
}

/* Whether every job must stop: without a scheduler, one failed for good;
 * with one, when it says so (a dag's on_failure). */
static int must_halt(const jloop *L)
{
	return L->sched ? L->halt || L->sched->stop : L->failed != NULL;
}

/* j is done for good: the scheduler hears of it (its dependents may
 * become ready). */
static void job_over(jloop *L, rjob *j)
{
	if (L->sched && j->state == JOB_DONE && L->sched->ended(L->sched, j))
		L->halt = 1;
}

static void loop_free(jloop *L)
{
	free(L->retry);
	free(L->procs);
	free(L->fds);
	free(L->owner);
}

static int64_t loop_now(jloop *L)
{
	if (L->now < 0)
		L->now = cad_run_now(L->run);
	return L->now;
}

/* Adds j to a list kept by index (its room is n). */
static void insert_by_index(rjob **list, size_t *count, rjob *j)
{
	size_t i = (*count)++;
	for (; i > 0 && list[i - 1] > j; i--)
		list[i] = list[i - 1];
	list[i] = j;
}

/* Stops every job (cancelled, or one failed for good): nothing waits any
 * more, and nothing starts. */
static void loop_stop(jloop *L)
{
	L->stopping = L->rescan = 1;
	L->nretry = 0;
	L->next_new = L->n;
	stop_all(L->jobs, L->n, RPROC_CANCEL, L->grace);
}

enum { START_NOT_DUE, START_BLOCKED, START_STARTED };

/* Starts j unless it is not due yet, or nothing more may start now (the
 * `parallel` limit, or a `run` note that must wait for descriptors). */
static int try_start(jloop *L, rjob *j, rtask **batch)
{
	if (j->start_at > 0 && j->start_at > loop_now(L)) {
		if (L->wake_at < 0 || j->start_at < L->wake_at)
			L->wake_at = j->start_at;
		return START_NOT_DUE;
	}
	if (L->parallel && L->running >= L->parallel)
		return START_BLOCKED;
	if (must_wait(j, L->running))
		return START_BLOCKED;	/* until a running note ends */
	if (L->sched && !j->attempt)
		L->sched->started(L->sched, j);	/* taken: before it can end */
	attempt_start(j, L->use_pool, batch);
	if (j->state == JOB_RUNNING) {
		L->running++;
		if (j->proc)
			insert_by_index(L->procs, &L->nprocs, j);
		else
			L->on_pool++;
	} else if (j->state == JOB_WAIT && (L->wake_at < 0 || j->start_at < L->wake_at)) {
		L->wake_at = j->start_at;
	}
	if (job_failed(j) && !L->failed)
		L->failed = j;
	job_over(L, j);
	return START_STARTED;
}

/* start: the retries that are due, then new jobs, in index order, until
 * one cannot start or one fails for good.  Pool notes go to *batch. */
static void start_phase(jloop *L, rtask **batch)
{
	int blocked = 0;
	size_t kept = 0, i = 0;
	for (; i < L->nretry && !blocked && !must_halt(L); i++) {
		rjob *j = L->retry[i];
		int how = try_start(L, j, batch);
		blocked = how == START_BLOCKED;
		if (j->state == JOB_WAIT)	/* not due, blocked, or retrying again */
			L->retry[kept++] = j;
	}
	for (; i < L->nretry; i++)
		L->retry[kept++] = L->retry[i];
	L->nretry = kept;
	while (L->sched && !blocked && !must_halt(L)) {
		rjob *j = L->sched->next(L->sched);
		if (!j || try_start(L, j, batch) == START_BLOCKED)
			break;
		if (j->state == JOB_WAIT)
			insert_by_index(L->retry, &L->nretry, j);
	}
	while (!L->sched && !blocked && !L->failed && L->next_new < L->n) {
		rjob *j = &L->jobs[L->next_new];
		if (try_start(L, j, batch) == START_BLOCKED)
			break;
		L->next_new++;
		if (j->state == JOB_WAIT)	/* after every retry: order kept */
			L->retry[L->nretry++] = j;
	}
}

/* After attempt_end() of a job the loop ran: a retry waits its turn, a
 * failure for good is remembered (one of a stopped note, when asked). */
static void ended(jloop *L, rjob *j, int count_cancelled)
{
	L->rescan = 1;
	L->running--;
	if (j->state == JOB_WAIT)
		insert_by_index(L->retry, &L->nretry, j);
	if (job_failed(j) && !L->failed && (count_cancelled || !j->fail.cancelled))
		L->failed = j;
	job_over(L, j);
}

/* collect: the jobs the pool finished (when only pool notes are out, the
 * queued ones run on this thread too); 1 when there were some. */
static int collect_phase(jloop *L)
{
	if (!L->use_pool)
		return 0;
	rjob *done = take_done(L->run);
	if (!done && L->on_pool && L->running == L->on_pool) {
		while (cad_rpool_help(L->r->pool))
			;
		done = take_done(L->run);
	}
	if (!done)
		return 0;
	for (; done; done = done->next_done) {
		L->on_pool--;
		attempt_end(done);
		ended(L, done, 1);
	}
	return 1;
}

static void poll_add(jloop *L, int fd, rjob *owner)
{
	L->fds[L->nfds] = (struct pollfd){ .fd = fd, .events = POLLIN };
	L->owner[L->nfds++] = owner;
}

/* poll set: the cancel pipe (until seen: it stays readable, and the grace
 * of the notes being stopped is waited, not spun), the pool's wake pipe
 * and the processes' descriptors.  Returns the timeout: the nearest
 * deadline, process tick or due retry, in poll() milliseconds. */
static int poll_set_phase(jloop *L)
{
	int64_t rnow = cad_rproc_now(), timeout_ns = -1;
	L->nfds = 0;
	if (!L->cancelled)
		poll_add(L, L->r->cancel_pipe[0], NULL);	/* fds[0] */
	if (L->use_pool)
		poll_add(L, L->run->wake[0], NULL);
	for (size_t i = 0; i < L->nprocs; i++) {
		rjob *j = L->procs[i];
		size_t k = cad_rproc_fds(j->proc, L->fds + L->nfds);
		for (size_t m = 0; m < k; m++)
			L->owner[L->nfds + m] = j;
		L->nfds += k;
		int64_t t = cad_rproc_next_tick(j->proc);
		if (j->deadline && !j->proc->stop && (t < 0 || j->deadline < t))
			t = j->deadline;
		if (t >= 0 && (timeout_ns < 0 || t - rnow < timeout_ns))
			timeout_ns = t - rnow > 0 ? t - rnow : 0;
	}
	int64_t wake = L->wake_at;
	if (L->sched && L->sched->wake_at >= 0 && (wake < 0 || L->sched->wake_at < wake))
		wake = L->sched->wake_at;
	if (wake >= 0) {
		int64_t now = loop_now(L);
		if (timeout_ns < 0 || wake - now < timeout_ns)
			timeout_ns = wake - now > 0 ? wake - now : 0;
	}
	int ms = cad_sat_poll_ms(timeout_ns);
	if (L->use_pool) {
		pthread_mutex_lock(&L->run->done_lock);
		L->run->sleeping = !L->run->done_head;
		if (!L->run->sleeping)
			ms = 0;
		pthread_mutex_unlock(&L->run->done_lock);
	}
	return ms;
}

static void drain_wake_pipe(rrun *run)
{
	char buf[64];
	while (read(run->wake[0], buf, sizeof(buf)) > 0)
		;
}

/* dispatch: waits in poll(), then hands each process the slice of fds it
 * owns; a cancel seen on the pipe stops every job. */
static void dispatch_phase(jloop *L, int ms)
{
	int got = poll(L->fds, L->nfds, ms);
	if (L->use_pool) {
		pthread_mutex_lock(&L->run->done_lock);
		L->run->sleeping = 0;
		pthread_mutex_unlock(&L->run->done_lock);
		drain_wake_pipe(L->run);
	}
	if (got <= 0)
		return;		/* the timeout, or EINTR: the next turn looks */
	if (!L->cancelled && (L->fds[0].revents & POLLIN)) {
		L->cancelled = 1;
		loop_stop(L);
	}
	for (size_t a = 0; a < L->nfds;) {
		size_t b = a + 1;
		if (!L->owner[a]) {
			a = b;
			continue;
		}
		while (b < L->nfds && L->owner[b] == L->owner[a])
			b++;
		cad_rproc_io(L->owner[a]->proc, L->fds + a, b - a);
		a = b;
	}
}

/* timeouts: a process past its deadline is stopped; each gets the work
 * its clock asks for (SIGKILL after the grace, an exit to check). */
static void timeouts_phase(jloop *L, int64_t rnow)
{
	for (size_t i = 0; i < L->nprocs; i++) {
		rjob *j = L->procs[i];
		if (j->deadline && rnow >= j->deadline && !j->proc->stop)
			cad_rproc_stop(j->proc, RPROC_TIMEOUT, rnow, L->grace);
		cad_rproc_tick(j->proc, rnow);
	}
}

/* reap: the processes that ended leave the poll set, in index order. */
static void reap_phase(jloop *L)
{
	size_t kept = 0;
	for (size_t i = 0; i < L->nprocs; i++) {
		rjob *j = L->procs[i];
		if (!cad_rproc_done(j->proc)) {
			L->procs[kept++] = j;
			continue;
		}
		end_process(j);
		attempt_end(j);
		ended(L, j, 0);
	}
	L->nprocs = kept;
}

/* Nothing running, only retries waiting: sleep on the run's clock until
 * the first is due.  1 when the run was cancelled meanwhile. */
static int sleep_phase(jloop *L)
{
	cadence_runner *r = L->r;
	L->rescan = 1;
	if (r->clock.sleep_ns(r->clock.ctx, L->wake_at - loop_now(L), r->cancel_pipe[0]) ||
	    cad_run_cancelled(L->run)) {
		L->cancelled = 1;
		stop_all(L->jobs, L->n, RPROC_CANCEL, L->grace);
		return 1;
	}
	return 0;
}

/* drain: pool tasks cannot be stopped, so the loop waits for the ones
 * still out. */
static void drain_phase(jloop *L)
{
	rrun *run = L->run;
	while (L->use_pool && L->on_pool) {
		rjob *done = take_done(run);
		if (!done) {
			if (!cad_rpool_help(L->r->pool)) {
				struct pollfd pfd = { .fd = run->wake[0], .events = POLLIN };
				pthread_mutex_lock(&run->done_lock);
				run->sleeping = !run->done_head;
				pthread_mutex_unlock(&run->done_lock);
				poll(&pfd, 1, DRAIN_WAIT_MS);
				drain_wake_pipe(run);
			}
			continue;
		}
		for (; done; done = done->next_done) {
			L->on_pool--;
			attempt_end(done);
		}
	}
}

/* One turn's decisions: stop on a cancel or a failure, then start what
 * may start (looked for only when something it depends on changed: a
 * sync of 100 notes must not cost 100 checks per completion). */
static void begin_turn(jloop *L, rtask **batch)
{
	L->now = -1;
	if (!L->cancelled && cad_run_cancelled(L->run)) {
		L->cancelled = 1;
		loop_stop(L);
	}
	if (must_halt(L) && !L->stopping)
		loop_stop(L);	/* one note failed for good: the measure has failed */
	if (L->wake_at >= 0 && loop_now(L) >= L->wake_at)
		L->rescan = 1;
	if (L->sched && L->sched->wake_at >= 0 && loop_now(L) >= L->sched->wake_at) {
		L->sched->wake_at = -1;
		L->sched->tick(L->sched);
		L->rescan = 1;
	}
	if (L->rescan) {
		L->wake_at = -1;
		if (!L->stopping)
			start_phase(L, batch);
	}
	L->rescan = 0;
}

static rjobs_end jobs_loop(rframe *fr, rjob *jobs, size_t n, unsigned parallel, rsched *sched,
			   rjob **failed);

rjobs_end cad_jobs_run(rframe *fr, rjob *jobs, size_t n, unsigned parallel, rjob **failed)
{
	*failed = NULL;
	if (n == 1 && jobs[0].note->n->binding != CAD_BIND_RUN)
		return run_alone(fr, jobs, failed);
	return jobs_loop(fr, jobs, n, parallel, NULL, failed);
}

rjobs_end cad_jobs_run_sched(rframe *fr, rjob *jobs, size_t n, unsigned parallel, rsched *sched)
{
	rjob *failed = NULL;
	rjobs_end end = jobs_loop(fr, jobs, n, parallel, sched, &failed);
	return end == RJOBS_FAILED ? RJOBS_OK : end;
}

static rjobs_end jobs_loop(rframe *fr, rjob *jobs, size_t n, unsigned parallel, rsched *sched,
			   rjob **failed)
{
	jloop L;
	if (loop_init(&L, fr, jobs, n, parallel)) {
		loop_free(&L);
		return RJOBS_NOMEM;
	}
	L.sched = sched;
	for (;;) {
		rtask *batch = NULL;
		begin_turn(&L, &batch);
		if (batch)
			cad_rpool_submit_list(L.r->pool, batch);
		if (must_halt(&L) && !L.stopping)
			continue;
		if (!L.running) {
			if (L.wake_at < 0 || sleep_phase(&L))
				break;	/* nothing running, nothing waiting: done */
			continue;
		}
		if (collect_phase(&L))
			continue;
		dispatch_phase(&L, poll_set_phase(&L));
		int64_t rnow = cad_rproc_now();
		timeouts_phase(&L, rnow);
		reap_phase(&L);
	}
	drain_phase(&L);
	loop_free(&L);
	if (L.cancelled || cad_run_cancelled(L.run))
		return RJOBS_CANCELLED;
	*failed = L.failed;
	return L.failed ? RJOBS_FAILED : RJOBS_OK;
}
