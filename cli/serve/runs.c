/* SPDX-License-Identifier: MIT */
/* `cadence serve`: the runs it starts (serve.h).  Each is a child process
 * of the same binary, `cadence run FILE --score-file F --events F`, with
 * CADENCE_TRIGGER=api so that the registry records it as an API run: a
 * run that crashes or leaks takes no request thread with it, and runs
 * exactly as `cadence run` does (docs/serve.md, "Runs"). */
#define _GNU_SOURCE	/* environ, posix_spawn_file_actions_addclosefrom_np */

#include "serve.h"
#include "util/sat.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/grow.h"
#include "util/strbuf.h"

extern char **environ;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_printf(const char *a, const char *b)
{
	strbuf sb = STRBUF_INIT;
	cad_strbuf_adds(&sb, a);
	cad_strbuf_adds(&sb, b);
	return cad_strbuf_detach(&sb);
}

/* mkdir -p of a directory the user owns (0700: scores may be secret). */
static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		int e = mkdir(path, 0700) && errno != EEXIST ? errno : 0;
		*p = '/';
		if (e)
			return -1;
	}
	return mkdir(path, 0700) && errno != EEXIST ? -1 : 0;
}

/* Records how the child pid ended, and collects it (under the lock); a
 * copy of its run into *copy (strings its own) when there is a hook. */
static int ended(serve_runs *rs, pid_t pid, serve_run *copy)
{
	int found = 0;
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	for (size_t i = 0; i < rs->n; i++) {
		serve_run *r = &rs->runs[i];
		if (r->pid != pid)
			continue;
		r->pid = 0;
		r->signal = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
		r->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		r->end_ms = now_ms();
		rs->running--;
		if (rs->on_end && !found) {
			*copy = *r;
			copy->cadence = strdup(r->cadence);
			copy->file = strdup(r->file);
			copy->dir = strdup(r->dir);
			found = copy->cadence && copy->file && copy->dir;
			if (!found)
				serve_run_clear(copy);
		}
	}
	return found;
}

/* What a run runs: `cadence run FILE --score-file DIR/score.json` (an
 * API run), or `cadence run --scheduled NAME --jitter [--now TIME]` (a
 * schedule's fire: sched.c). */
typedef struct run_what {
	const char *name, *file;
	int scheduled;
	const char *now;	/* --now: the test clock of sched.c, or NULL */
	const char *trigger;	/* "api", "webhook" or "schedule" */
} run_what;

static int spawn(serve_runs *rs, const run_what *w, const char *dir, pid_t *pid);

/* A run that ends without having started (under the lock). */
static void end_unstarted(serve_runs *rs, serve_run *r, const char *why)
{
	r->start_failed = !r->cancelled && !rs->stopping;
	r->queued = 0;
	r->unstarted = why;
	r->end_ms = now_ms();
	rs->queued--;
}

/* Slots free: the oldest queued runs start (under the lock; the table is
 * in the order runs were accepted). */
static void start_queued(serve_runs *rs)
{
	for (size_t i = 0; i < rs->n && rs->queued && rs->running < rs->max_running; i++) {
		serve_run *r = &rs->runs[i];
		if (!r->queued)
			continue;
		run_what w = { r->cadence, r->file, 0, NULL, r->trigger };
		if (!r->file || spawn(rs, &w, r->dir, &r->pid)) {
			end_unstarted(rs, r, "cannot start 'cadence run' (see the server's log)");
			fprintf(stderr, "cadence: serve: cannot start the queued run %s: %s\n", r->id,
				strerror(errno));
			continue;
		}
		r->queued = 0;
		r->start_ms = now_ms();
		rs->queued--;
		rs->running++;
	}
}

/* Waits for the children and records how each ended.  A child is seen
 * ended (WNOWAIT: its pid still taken) before the lock, and collected
 * under it: the pid cannot be reused by another process while a cancel
 * holding the lock may still signal it. */
static void *reaper(void *p)
{
	serve_runs *rs = p;
	for (;;) {
		siginfo_t si;
		pthread_mutex_lock(&rs->lock);
		while (!rs->running && !rs->stopping)
			pthread_cond_wait(&rs->changed, &rs->lock);
		int done = !rs->running && rs->stopping;
		pthread_mutex_unlock(&rs->lock);
		if (done)
			return NULL;
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOWAIT) < 0 || !si.si_pid) {
			if (errno == ECHILD) {	/* spawned, not yet counted */
				struct timespec ts = { 0, 10 * 1000000 };
				nanosleep(&ts, NULL);
			}
			continue;
		}
		serve_run copy;
		pthread_mutex_lock(&rs->lock);
		int hook = ended(rs, si.si_pid, &copy);
		if (!rs->stopping)
			start_queued(rs);
		pthread_cond_broadcast(&rs->changed);
		pthread_mutex_unlock(&rs->lock);
		if (hook) {	/* outside the lock: it reads the run's files */
			rs->on_end(rs->on_end_arg, &copy);
			serve_run_clear(&copy);
		}
	}
}

int serve_runs_init(serve_runs *rs, const char *exe, const char *state_dir, size_t max_running,
		    size_t max_queue, char **why)
{
	memset(rs, 0, sizeof(*rs));
	rs->exe = exe;
	rs->state_dir = state_dir;
	rs->max_running = max_running;
	rs->max_queue = max_queue;
	rs->runs_dir = dup_printf(state_dir, "/serve/runs");
	pthread_mutex_init(&rs->lock, NULL);
	pthread_cond_init(&rs->changed, NULL);
	if (!rs->runs_dir || make_dirs(rs->runs_dir)) {
		strbuf sb = STRBUF_INIT;
		cad_strbuf_addf(&sb, "cannot make the directory of the runs' files '%s': ",
				rs->runs_dir ? rs->runs_dir : state_dir);
		cad_strbuf_add_strerror(&sb, errno);
		cad_strbuf_adds(&sb, " (the state directory: --state-dir, state_dir)");
		*why = cad_strbuf_detach(&sb);
		return -1;
	}
	if (pthread_create(&rs->reaper, NULL, reaper, rs)) {
		*why = strdup("cannot start a thread");
		return -1;
	}
	rs->reaper_started = 1;
	return 0;
}

void serve_runs_free(serve_runs *rs)
{
	if (!rs->runs_dir)	/* never initialised */
		return;
	pthread_mutex_lock(&rs->lock);
	rs->stopping = 1;
	/* runs left after the forced stop: killed with their notes (each its
	 * own process group), so that the reaper collects them and ends
	 * before the table it reads is freed */
	for (size_t i = 0; i < rs->n; i++)
		if (rs->runs[i].pid)
			kill(-rs->runs[i].pid, SIGKILL);
	pthread_cond_broadcast(&rs->changed);
	pthread_mutex_unlock(&rs->lock);
	if (rs->reaper_started)
		pthread_join(rs->reaper, NULL);
	for (size_t i = 0; i < rs->n; i++)
		serve_run_clear(&rs->runs[i]);
	free(rs->runs);
	free(rs->runs_dir);
}

static int random_id(char id[33])
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t got = fd < 0 ? -1 : read(fd, b, sizeof(b));
	if (fd >= 0)
		close(fd);
	if (got != (ssize_t)sizeof(b))
		return -1;
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(id + 2 * i, 3, "%02x", b[i]);
	return 0;
}

static int write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			close(fd);
			return -1;
		}
		done += (size_t)w;
	}
	return close(fd);
}

/* Whether the child must not see var ("NAME=VALUE"): serve's tokens (the
 * admin's CADENCE_TOKEN would reach every `run:` note). */
static int withheld(const serve_runs *rs, const char *var)
{
	static const char *const names[] = { "CADENCE_TRIGGER=", "CADENCE_TOKEN=",
					     "CADENCE_TOKEN_FILE=", NULL };
	for (size_t i = 0; names[i]; i++)
		if (!strncmp(var, names[i], strlen(names[i])))
			return 1;
	for (size_t i = 0; i < rs->nhidden_env; i++)	/* webhook secrets */
		if (!strncmp(var, rs->hidden_env[i], strlen(rs->hidden_env[i])))
			return 1;
	return 0;
}

/* The child's environment: this one without serve's tokens, with
 * CADENCE_TRIGGER=api or webhook (a scheduled run records trigger
 * schedule by itself). */
static char **child_env(const serve_runs *rs, const char *trigger)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + 2, sizeof(*env));
	size_t k = 0;
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!withheld(rs, environ[i]))
			env[k++] = environ[i];
	if (strcmp(trigger, "schedule"))
		env[k++] = !strcmp(trigger, "webhook") ? "CADENCE_TRIGGER=webhook"
			   : "CADENCE_TRIGGER=api";
	env[k] = NULL;
	return env;
}


static int spawn(serve_runs *rs, const run_what *w, const char *dir, pid_t *pid)
{
	/* (under the lock: called by a request's thread or by the reaper) */
	strbuf score = STRBUF_INIT, events = STRBUF_INIT, out = STRBUF_INIT,
	       log = STRBUF_INIT, ckpt = STRBUF_INIT, prom = STRBUF_INIT;
	cad_strbuf_addf(&score, "%s/score.json", dir);
	cad_strbuf_addf(&ckpt, "%s/checkpoint.json", dir);
	cad_strbuf_addf(&events, "%s/events.jsonl", dir);
	cad_strbuf_addf(&out, "%s/score.out", dir);
	cad_strbuf_addf(&log, "%s/log.jsonl", dir);
	cad_strbuf_addf(&prom, "%s/metrics.prom", dir);
	char *argv[20] = { (char *)rs->exe, "run", "--events", (char *)cad_strbuf_cstr(&events),
			   "--checkpoint", (char *)cad_strbuf_cstr(&ckpt), "--metrics",
			   (char *)cad_strbuf_cstr(&prom), "--log", "json", "--compact" };
	size_t k = 11;
	if (w->scheduled) {
		argv[k++] = "--scheduled";
		argv[k++] = (char *)w->name;
		argv[k++] = "--jitter";
		if (w->now) {
			argv[k++] = "--now";
			argv[k++] = (char *)w->now;
		}
	} else {
		argv[k++] = "--score-file";
		argv[k++] = (char *)cad_strbuf_cstr(&score);
	}
	if (rs->state_dir) {
		argv[k++] = "--state-dir";
		argv[k++] = (char *)rs->state_dir;
	}
	if (!w->scheduled)
		argv[k++] = (char *)w->file;
	argv[k] = NULL;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t held, def;
	char **env = child_env(rs, w->trigger);
	int rc = ENOMEM;
	/* the run starts with the stopping signals held: a cancel that comes
	 * before `cadence run` has its handlers waits for them (it unblocks
	 * them right after), and the run ends interrupted, with its record */
	sigemptyset(&held);
	sigaddset(&held, SIGTERM);
	sigaddset(&held, SIGINT);
	sigaddset(&held, SIGHUP);
	sigemptyset(&def);
	sigaddset(&def, SIGTERM);
	sigaddset(&def, SIGINT);
	sigaddset(&def, SIGHUP);
	sigaddset(&def, SIGPIPE);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, cad_strbuf_cstr(&out), O_WRONLY | O_CREAT | O_TRUNC,
					 0600);
	posix_spawn_file_actions_addopen(&fa, 2, cad_strbuf_cstr(&log), O_WRONLY | O_CREAT | O_TRUNC,
					 0600);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	/* serve's sockets and files stay serve's */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
	/* serve's signals are blocked for sigwait(); the run takes its own.
	 * Its own process group: a terminal's ^C goes to serve, which decides */
	posix_spawnattr_setsigmask(&at, &held);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
				 POSIX_SPAWN_SETPGROUP);
	/* posix_spawn() returns its error; errno is not set */
	if (env)
		rc = posix_spawn(pid, rs->exe, &fa, &at, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	free(env);
	cad_strbuf_free(&score);
	cad_strbuf_free(&events);
	cad_strbuf_free(&out);
	cad_strbuf_free(&log);
	cad_strbuf_free(&ckpt);
	cad_strbuf_free(&prom);
	errno = rc;
	return rc ? -1 : 0;
}

/* The run's directory with its input score (none: NULL); malloc'd path,
 * or NULL. */
static char *prepare(serve_runs *rs, const char *id, const char *score, size_t len)
{
	strbuf sb = STRBUF_INIT;
	cad_strbuf_addf(&sb, "%s/%s", rs->runs_dir, id);
	char *dir = cad_strbuf_detach(&sb);
	if (!dir || mkdir(dir, 0700)) {
		free(dir);
		return NULL;
	}
	if (!score)
		return dir;
	cad_strbuf_addf(&sb, "%s/score.json", dir);
	int bad = write_file(cad_strbuf_cstr(&sb), score, len);
	cad_strbuf_free(&sb);
	if (bad) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* A run's directory that no run uses (its start failed): removed, with
 * what the failed start may have left (errno kept for the message). */
static void remove_dir(const char *dir)
{
	static const char *const files[] = { "score.json", "run.json", "score.out", "log.jsonl",
		"metrics.prom",
					     NULL };
	int e = errno;
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; files[i]; i++) {
		cad_strbuf_setlen(&sb, 0);
		cad_strbuf_addf(&sb, "%s/%s", dir, files[i]);
		if (!sb.failed)
			unlink(cad_strbuf_cstr(&sb));
	}
	cad_strbuf_free(&sb);
	rmdir(dir);
	errno = e;
}

static char *why_errno(const char *what)
{
	strbuf sb = STRBUF_INIT;
	cad_strbuf_adds(&sb, what);
	cad_strbuf_add_strerror(&sb, errno);
	return cad_strbuf_detach(&sb);
}

/* Past SERVE_RUNS_KEPT, the oldest run that ended makes room (under the
 * lock: readers get copies). */
static void forget_oldest(serve_runs *rs)
{
	for (size_t i = 0; rs->n >= SERVE_RUNS_KEPT && i < rs->n; i++) {
		if (rs->runs[i].pid || rs->runs[i].queued)
			continue;
		serve_run_clear(&rs->runs[i]);
		memmove(&rs->runs[i], &rs->runs[i + 1], (rs->n - i - 1) * sizeof(*rs->runs));
		rs->n--;
	}
}

/* Starts the run w (score: its input score, or NULL); `limited`: queued
 * beyond max_running, refused beyond the queue.  serve_runs_start()'s
 * returns. */
static int start_run(serve_runs *rs, const run_what *w, const char *score, size_t len,
		     int limited, char id[33], char **why)
{
	pthread_mutex_lock(&rs->lock);
	int full = rs->running >= rs->max_running;
	int rc = rs->stopping ? 2 : limited && full && rs->queued >= rs->max_queue ? 1 : 0;
	/* a scheduled run is never queued: its overlap policy bounds it */
	full = full && limited;
	char *dir = NULL;
	pid_t pid = 0;
	/* the row's strings before the child: no run without its row */
	char *name = rc ? NULL : strdup(w->name), *file = rc ? NULL : strdup(w->file);
	if (!rc && (!name || !file)) {
		*why = strdup("out of memory");
		rc = -1;
	}
	if (!rc && (random_id(id) || !(dir = prepare(rs, id, score, len)))) {
		*why = why_errno("cannot write the run's input score: ");
		rc = -1;
	}
	if (!rc && serve_past_note(dir, w->name, w->file, now_ms())) {
		*why = why_errno("cannot write the run's run.json: ");
		remove_dir(dir);
		rc = -1;
	}
	if (!rc && !full && spawn(rs, w, dir, &pid)) {
		*why = why_errno("cannot start 'cadence run': ");
		remove_dir(dir);
		rc = -1;
	}
	serve_run *r = NULL;
	if (!rc)
		forget_oldest(rs);
	if (!rc && !CAD_GROW(rs->runs, rs->cap, rs->n + 1, 16)) {
		r = &rs->runs[rs->n++];
		memset(r, 0, sizeof(*r));
		memcpy(r->id, id, 33);
		r->cadence = name;
		r->file = file;
		name = file = NULL;
		r->trigger = w->trigger;
		r->dir = dir;
		r->pid = pid;
		r->queued = full;
		r->exit_code = -1;
		r->start_ms = full ? -1 : now_ms();
		r->end_ms = -1;
		if (full)
			rs->queued++;
		else
			rs->running++;
		dir = NULL;
		if (full)
			rc = 3;
		pthread_cond_broadcast(&rs->changed);
	} else if (!rc) {
		/* out of memory with a child started: it runs, untracked */
		*why = strdup("out of memory");
		rc = -1;
	}
	pthread_mutex_unlock(&rs->lock);
	free(dir);
	free(name);
	free(file);
	return rc;
}

int serve_runs_start(serve_runs *rs, const char *name, const char *file, const char *score,
		     size_t len, char id[33], char **why)
{
	run_what w = { name, file, 0, NULL, "api" };
	return start_run(rs, &w, score, len, 1, id, why);
}

int serve_runs_start_as(serve_runs *rs, int webhook, const char *name, const char *file,
			const char *score, size_t len, char id[33], char **why)
{
	run_what w = { name, file, 0, NULL, webhook ? "webhook" : "api" };
	return start_run(rs, &w, score, len, 1, id, why);
}

int serve_runs_start_scheduled(serve_runs *rs, const char *name, const char *file,
			       const char *now, char id[33], char **why)
{
	run_what w = { name, file, 1, NULL, "schedule" };
	w.now = now;
	return start_run(rs, &w, NULL, 0, 0, id, why);
}

int serve_runs_get(serve_runs *rs, const char *id, serve_run *out)
{
	int rc = -1;
	pthread_mutex_lock(&rs->lock);
	for (size_t i = 0; rc && i < rs->n; i++) {
		if (strcmp(rs->runs[i].id, id))
			continue;
		*out = rs->runs[i];
		out->cadence = strdup(out->cadence);
		out->file = strdup(out->file);
		out->dir = strdup(out->dir);
		rc = 0;
		if (!out->cadence || !out->file || !out->dir) {
			serve_run_clear(out);
			rc = -1;
			break;
		}
	}
	pthread_mutex_unlock(&rs->lock);
	return rc;
}

void serve_run_clear(serve_run *r)
{
	free(r->cadence);
	free(r->file);
	free(r->dir);
	free(r->reg_status);
	free(r->reg_error);
	r->cadence = r->file = r->dir = r->reg_status = r->reg_error = NULL;
}


int serve_runs_cancel(serve_runs *rs, const char *id)
{
	int rc = -1;
	pthread_mutex_lock(&rs->lock);
	for (size_t i = 0; i < rs->n; i++) {
		serve_run *r = &rs->runs[i];
		if (strcmp(r->id, id))
			continue;
		rc = r->pid || r->queued ? 0 : 1;
		if (r->queued) {
			r->cancelled = 1;
			end_unstarted(rs, r, "cancelled before it started (it was queued)");
		} else if (r->pid) {
			/* the run stops its notes and leaves its checkpoint, as
			 * on a terminal's SIGTERM (exit 130: interrupted) */
			r->cancelled = 1;
			kill(r->pid, SIGTERM);
		}
	}
	pthread_mutex_unlock(&rs->lock);
	return rc;
}

size_t serve_runs_running(serve_runs *rs, const char *name)
{
	size_t n = 0;
	pthread_mutex_lock(&rs->lock);
	for (size_t i = 0; i < rs->n; i++)
		if (rs->runs[i].pid && (!name || !strcmp(rs->runs[i].cadence, name)))
			n++;
	pthread_mutex_unlock(&rs->lock);
	return n;
}

size_t serve_runs_drain(serve_runs *rs, int64_t grace_ms)
{
	struct timespec until = cad_sat_realtime_after(cad_sat_ms_to_ns(grace_ms));
	pthread_mutex_lock(&rs->lock);
	rs->stopping = 1;
	for (size_t i = 0; rs->queued && i < rs->n; i++)
		if (rs->runs[i].queued)
			end_unstarted(rs, &rs->runs[i], "the server stopped before the run started "
				      "(it was queued)");
	while (rs->running && pthread_cond_timedwait(&rs->changed, &rs->lock, &until) != ETIMEDOUT)
		;
	size_t left = rs->running;
	pthread_mutex_unlock(&rs->lock);
	return left;
}

int serve_runs_stopping(serve_runs *rs)
{
	pthread_mutex_lock(&rs->lock);
	int stopping = rs->stopping;
	pthread_mutex_unlock(&rs->lock);
	return stopping;
}

void serve_runs_signal(serve_runs *rs, int sig)
{
	pthread_mutex_lock(&rs->lock);
	for (size_t i = 0; i < rs->n; i++)
		if (rs->runs[i].pid)
			kill(rs->runs[i].pid, sig);
	pthread_mutex_unlock(&rs->lock);
}
