/* SPDX-License-Identifier: MIT */
/* `cadence run --scheduled NAME` (scheduled.h). */
#include "scheduled.h"

#include "cli.h"
#include "config.h"
#include "registry.h"
#include "run.h"
#include "timefmt.h"

#include <cadence/cadence.h>
#include <cadence/schedule.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct sched_call {
	const cli_scheduled_opts *o;
	const cli_config *cfg;
	char *file;
	cadence_def *def;
	cadence_schedule *sched;
	reg *reg;
	cadence_due due;
	int lock_fd, queue_fd;
} sched_call;

static const char *utc(char *buf, size_t size, int64_t t)
{
	cli_time_civil(buf, size - 1, t, 'T');
	strcat(buf, "Z");
	return buf;
}

/* The cadence, its file and its schedule. */
static int resolve(sched_call *s)
{
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cadence_diags *diags = NULL;
	int rc;
	if ((rc = cli_config_find_cadence(s->cfg, s->o->name, &s->file)))
		return rc;
	if (cadence_diags_new(&diags))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	if (cadence_load_file(&s->def, s->file, NULL, diags) || cadence_diags_errors(diags)) {
		cadence_diags_free(diags);
		return cli_usage_error("%s has problems (see 'cadence validate %s'); nothing ran",
				       s->file, s->file);
	}
	cadence_diags_free(diags);
	rc = cadence_schedule_open(&s->sched, s->def, &err);
	if (rc == CADENCE_ENOTFOUND)
		rc = cli_usage_error("cadence '%s' (%s) has no schedule: add 'schedule:' "
				     "(cadence.yaml(5), SCHEDULE) or run it with 'cadence run %s'",
				     s->o->name, s->file, s->file);
	else if (rc)
		rc = cli_usage_error("%s: %s", s->file, err.message ? err.message : "bad schedule");
	cadence_run_error_clear(&err);
	return rc;
}

static int open_registry(sched_call *s)
{
	const char *dir = cli_config_state_dir(s->cfg);
	char *why = NULL;
	if (!dir)
		return cli_usage_error("no state directory for the run registry: give --state-dir "
				       "DIR, set CADENCE_STATE_DIR or HOME, or 'state_dir' in "
				       CLI_CONFIG_FILE);
	if (reg_open(dir, &s->reg, &why)) {
		int rc = cli_usage_error("%s; nothing ran (a scheduled run needs the registry to "
					 "know what ran)", why ? why : "cannot open the run registry");
		free(why);
		return rc;
	}
	return 0;
}

/* Marks the times still to run as missed with `why`. */
static void mark_unrun(sched_call *s, const char *why)
{
	for (size_t i = 0; i < s->due.count; i++)
		if (!s->due.times[i].missed)
			s->due.times[i].missed = why;
}

/* Records the times of the plan missed with `only` (every missed time when
 * NULL; each time at all when `all` says why none runs: "paused"), and
 * says so in one line. */
static int record_missed(sched_call *s, const char *only, const char *all)
{
	char last[40];
	size_t n = 0;
	const char *why = NULL;
	for (size_t i = 0; i < s->due.count; i++) {
		const char *w = all ? all : s->due.times[i].missed;
		if (!w || (only && strcmp(w, only)))
			continue;
		if (reg_missed(s->reg, s->o->name, s->due.times[i].fire, w))
			return cli_error(CLI_EXIT_INTERNAL, "cannot record a missed time: %s",
					 reg_error(s->reg));
		n++;
		utc(last, sizeof(last), s->due.times[i].fire);
		why = w;
	}
	if (!only)
		n += s->due.older_missed;
	if (n == 1)
		cli_say(0, "note", "%s: the time %s did not run (%s)", s->o->name, last, why);
	else if (n)
		cli_say(0, "note", "%s: %zu times did not run (%s), the newest %s",
			s->o->name, n, why, last);
	return 0;
}

/* <state>/schedules/NAME.SUFFIX, opened for a lock; -1 with a message. */
static int lock_file(sched_call *s, const char *suffix)
{
	const char *dir = cli_config_state_dir(s->cfg);
	char path[4096];
	snprintf(path, sizeof(path), "%s/schedules", dir);
	if (mkdir(path, 0700) && errno != EEXIST)
		goto fail;
	snprintf(path, sizeof(path), "%s/schedules/%s.%s", dir, s->o->name, suffix);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
fail:
	cli_error(CLI_EXIT_USAGE, "cannot open the overlap lock '%s': %s; check that the state "
		  "directory is writable", path, strerror(errno));
	return -1;
}

/* POSIX record locks, not flock(): the kernel names the holder (F_GETLK),
 * so replace signals the process that holds the lock and no other; and
 * they end with the process, never passed to a note it starts. */
static int lock_whole(int fd, int wait)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	return fcntl(fd, wait ? F_SETLKW : F_SETLK, &l);
}

static long lock_holder(int fd)
{
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	return fcntl(fd, F_GETLK, &l) == 0 && l.l_type != F_UNLCK ? (long)l.l_pid : 0;
}

/* Waits for the lock; 0, or -1 when a signal came. */
static int wait_lock(int fd)
{
	while (lock_whole(fd, 1))
		if (errno != EINTR || cli_run_interrupted())
			return -1;
	return 0;
}

/* Takes the overlap lock by the schedule's policy: 0 (go on), 1 (a run
 * goes on and this one does not run: skip, or queue_one with one queued
 * already), or an exit code. */
static int take_overlap(sched_call *s)
{
	cadence_overlap ov = cadence_schedule_overlap(s->sched);
	if (ov == CADENCE_OVERLAP_ALLOW)
		return 0;
	if ((s->lock_fd = lock_file(s, "lock")) < 0)
		return CLI_EXIT_USAGE;
	if (lock_whole(s->lock_fd, 0) == 0)
		return 0;
	if (errno != EAGAIN && errno != EACCES)
		return cli_error(CLI_EXIT_INTERNAL, "cannot lock: %s", strerror(errno));
	if (ov == CADENCE_OVERLAP_SKIP)
		return 1;
	if (ov == CADENCE_OVERLAP_QUEUE_ONE) {
		/* one waiter at most: the queue lock */
		if ((s->queue_fd = lock_file(s, "queue")) < 0)
			return CLI_EXIT_USAGE;
		if (lock_whole(s->queue_fd, 0))
			return 1;
		cli_say(0, "note", "%s: a run goes on; this one waits for it (overlap: queue_one)",
			s->o->name);
	} else {
		long pid = lock_holder(s->lock_fd);
		cli_say(0, "note", "%s: stopping the run that goes on (pid %ld; overlap: replace)",
			s->o->name, pid);
		if (pid > 0 && pid != (long)getpid())
			kill((pid_t)pid, SIGTERM);
	}
	if (wait_lock(s->lock_fd))
		return cli_error(CLI_EXIT_INTERRUPTED, "interrupted while waiting for the run "
				 "before; nothing ran");
	if (s->queue_fd >= 0) {	/* the next may queue now */
		close(s->queue_fd);
		s->queue_fd = -1;
	}
	return 0;
}

/* --jitter: a random wait in [0, jitter) before the first run. */
static void jitter_wait(const sched_call *s)
{
	int64_t j = cadence_schedule_jitter_ms(s->sched);
	if (!s->o->jitter || j <= 0)
		return;
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	int64_t ms = (int64_t)(rand_r(&seed) % (j > 0x7fffffff ? 0x7fffffff : (int)j));
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) && errno == EINTR && !cli_run_interrupted())
		;
}

/* Each time to run, in order, until a signal; a time whose run did not
 * start (a bad output path, say) or that a signal left is recorded
 * missed ("error", "interrupted"): a claimed time is run or missed, never
 * lost. */
static int run_times(sched_call *s, cli_fire_fn fire, void *ctx)
{
	int rc = 0;
	for (size_t i = 0; i < s->due.count; i++) {
		cadence_due_time *t = &s->due.times[i];
		if (t->missed)
			continue;
		if (cli_run_interrupted()) {
			t->missed = "interrupted";
			continue;
		}
		int ran = 0, r = fire(ctx, s->file, cadence_schedule_score(s->sched), t->fire, &ran);
		if (!ran)
			t->missed = r == CLI_EXIT_INTERRUPTED ? "interrupted" : "error";
		if (r && !rc)
			rc = r;
	}
	int e = record_missed(s, "error", NULL);
	int i = record_missed(s, "interrupted", NULL);
	return rc ? rc : e ? e : i;
}

static int run_due(sched_call *s, cli_fire_fn fire, void *ctx)
{
	int taken = take_overlap(s);
	if (taken == 1) {
		mark_unrun(s, "overlap");
		cli_say(0, "note", "%s: the run before still goes on (overlap: %s)", s->o->name,
			cadence_schedule_overlap(s->sched) == CADENCE_OVERLAP_SKIP ? "skip"
			: "queue_one, and one run waits already");
		return record_missed(s, "overlap", NULL);
	}
	if (taken) {
		const char *why = taken == CLI_EXIT_INTERRUPTED ? "interrupted" : "error";
		mark_unrun(s, why);
		record_missed(s, why, NULL);
		return taken;
	}
	jitter_wait(s);
	return run_times(s, fire, ctx);
}

/* --dry-run: what is due, nothing recorded. */
static int say_due(sched_call *s, const reg_schedule_state *st)
{
	char t[40];
	const char *off = st->paused ? "paused" : st->disabled ? "disabled" : NULL;
	for (size_t i = 0; i < s->due.count; i++) {
		const char *why = off ? off : s->due.times[i].missed;
		printf("%s %s%s\n", utc(t, sizeof(t), s->due.times[i].fire), why ? "missed: " : "run",
		       why ? why : "");
	}
	if (!s->due.count)
		printf("%s: nothing is due\n", s->o->name);
	return 0;
}

/* The last fire time handled, as the plan starts from it: -1 (start now)
 * when the registry holds a time after the clock's now (a clock that was
 * wrong and is right again); with a --now before it, *stop. */
static int64_t start_from(sched_call *s, int64_t last, int64_t now, int *stop)
{
	char t[40];
	*stop = 0;
	if (last <= now)
		return last;
	utc(t, sizeof(t), last);
	if (s->o->now >= 0) {
		*stop = 1;
		cli_say(0, "note", "%s: the times up to %s were handled already, after --now; "
			"nothing is due", s->o->name, t);
		return last;
	}
	cli_say(0, "warning", "%s: the registry says the times up to %s were handled, which "
		"is after now (was the clock wrong?); going on from now", s->o->name, t);
	return -1;
}

static int scheduled(sched_call *s, cli_fire_fn fire, void *ctx)
{
	reg_schedule_state st;
	int rc, stop;
	int64_t real_now = (int64_t)time(NULL), now = s->o->now >= 0 ? s->o->now : real_now;
	if (now > real_now + 60 && !s->o->dry_run)
		return cli_usage_error("--now is in the future: the registry would take those times "
				       "as handled, and skip the real ones until then; see what is "
				       "due then with -n, which changes nothing");
	if ((rc = resolve(s)) || (rc = open_registry(s)))
		return rc;
	if (reg_schedule_get(s->reg, s->o->name, &st))
		return cli_error(CLI_EXIT_INTERNAL, "%s", reg_error(s->reg));
	int64_t from = start_from(s, st.last_fire, now, &stop);
	if (stop)
		return 0;
	if (cadence_schedule_due(s->sched, from, now, &s->due))
		return cli_error(CLI_EXIT_INTERNAL, "out of memory");
	if (s->o->dry_run)
		return say_due(s, &st);
	/* a schedule seen for the first time (or after a clock set back)
	 * starts now even when nothing is due: a later call catches up from
	 * here */
	if (s->due.last < 0 && from >= 0)
		return cli_say(0, "note", "%s: nothing is due", s->o->name);
	/* the times are this process's from here on, or another's already */
	rc = reg_schedule_claim(s->reg, s->o->name, st.last_fire,
				s->due.last >= 0 ? s->due.last : now);
	if (rc < 0)
		return cli_error(CLI_EXIT_INTERNAL, "%s", reg_error(s->reg));
	if (rc == 1)
		return cli_say(0, "note", "%s: another process handled these times already",
			       s->o->name);
	if (s->due.last < 0)
		return cli_say(0, "note", "%s: nothing is due", s->o->name);
	/* off: nothing runs and nothing is recorded; paused: recorded */
	if (st.disabled || !cadence_schedule_enabled(s->sched))
		return cli_say(0, "note", "%s: the schedule is disabled%s", s->o->name,
			       st.disabled ? " ('cadence enable' turns it on)" : " (enabled: false)");
	if (st.paused)
		return record_missed(s, NULL, "paused");
	if ((rc = record_missed(s, NULL, NULL)))
		return rc;
	return run_due(s, fire, ctx);
}

int cli_scheduled(const cli_scheduled_opts *o, cli_fire_fn fire, void *ctx)
{
	sched_call s = { .o = o, .cfg = o->cfg, .lock_fd = -1, .queue_fd = -1 };
	s.due.last = -1;
	int rc = scheduled(&s, fire, ctx);
	if (s.lock_fd >= 0)
		close(s.lock_fd);
	if (s.queue_fd >= 0)
		close(s.queue_fd);
	cadence_due_free(&s.due);
	reg_close(s.reg);
	cadence_schedule_free(s.sched);
	cadence_def_free(s.def);
	free(s.file);
	return rc;
}
