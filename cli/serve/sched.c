/* SPDX-License-Identifier: MIT */
/* `cadence serve --schedules` (serve.h, docs/serve.md "Schedules"): a
 * thread that wakes at the project's next fire time and starts `cadence
 * run --scheduled NAME` as a run of the server (runs.c).  What is due, the
 * registry's claim, overlap, catch_up, pause and the missed times are that
 * command's (cli/scheduled.c): the server only says when to look, as a
 * systemd timer or cron would. */
#define _DEFAULT_SOURCE	/* realpath */

#include "serve.h"

#include "regcmd.h"
#include "timefmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The project is read again at least this often (s): a cadence added,
 * removed or changed is seen within it. */
#define RESCAN_S 60

static int64_t clock_now(const serve_sched *sc)
{
	return (int64_t)time(NULL) + sc->skew;
}

/* Starts the scheduled run of cadence c, and says so in the log. */
static void fire(serve_sched *sc, const regcmd_cadence *c, int64_t now)
{
	char id[33], stamp[40], *why = NULL;
	char *file = realpath(c->path, NULL);
	/* the test clock reaches the run as its --now */
	if (sc->skew) {
		cli_time_civil(stamp, sizeof(stamp) - 1, now, 'T');
		strcat(stamp, "Z");
	}
	int rc = serve_runs_start_scheduled(&sc->ctx->runs, c->name, file ? file : c->path,
					    sc->skew ? stamp : NULL, id, &why);
	if (!rc)
		fprintf(stderr, "cadence: serve: schedule of %s: run %s started\n", c->name, id);
	else if (rc != 2)	/* 2: stopping */
		fprintf(stderr, "cadence: serve: schedule of %s: cannot start its run: %s (the "
			"times are caught up by its catch_up at the next fire time)\n", c->name,
			why ? why : "out of memory");
	free(why);
	free(file);
}

/* One look at the project: starts the cadences with a fire time in
 * (checked, now] (every schedule when `all`: the first look, which catches
 * up what passed while no server ran); returns the next fire time after
 * now, or now + RESCAN_S when that is sooner. */
static int64_t look(serve_sched *sc, int64_t now, int all)
{
	regcmd_cadence *cs = NULL;
	size_t n = 0;
	int64_t wake = now + RESCAN_S, t;
	serve_ctx *s = sc->ctx;
	pthread_mutex_lock(&s->project);
	/* regcmd_cadences() says on stderr why it failed; tried again later */
	int bad = regcmd_cadences(NULL, &cs, &n);
	pthread_mutex_unlock(&s->project);
	for (size_t i = 0; !bad && i < n; i++) {
		const regcmd_cadence *c = &cs[i];
		if (!c->name || !c->schedule)
			continue;
		if (all || (!cadence_schedule_next(c->schedule, sc->checked, &t) && t <= now))
			fire(sc, c, now);
		if (!cadence_schedule_next(c->schedule, now, &t) && t < wake)
			wake = t;
	}
	regcmd_cadences_free(cs, n);
	return wake;
}

/* Waits until the clock reaches `until` or the server stops: 1 when
 * stopping.  The real clock's instant, so the run started then reads a
 * time at or after the fire time. */
static int wait_for(serve_sched *sc, int64_t until)
{
	struct timespec at = { (time_t)(until - sc->skew), 0 };
	pthread_mutex_lock(&sc->lock);
	while (!sc->stopping && clock_now(sc) < until &&
	       pthread_cond_timedwait(&sc->wake, &sc->lock, &at) != ETIMEDOUT)
		;
	int stop = sc->stopping;
	pthread_mutex_unlock(&sc->lock);
	return stop;
}

static void *loop(void *p)
{
	serve_sched *sc = p;
	int64_t now = clock_now(sc);
	sc->checked = now;
	int64_t wake = look(sc, now, 1);
	while (!wait_for(sc, wake)) {
		now = clock_now(sc);
		wake = look(sc, now, 0);
		sc->checked = now;
	}
	return NULL;
}

int serve_sched_start(serve_sched *sc, serve_ctx *ctx, int64_t skew, char **why)
{
	memset(sc, 0, sizeof(*sc));
	sc->ctx = ctx;
	sc->skew = skew;
	pthread_mutex_init(&sc->lock, NULL);
	pthread_cond_init(&sc->wake, NULL);
	if (pthread_create(&sc->thread, NULL, loop, sc)) {
		*why = strdup("cannot start the scheduler's thread");
		return -1;
	}
	sc->started = 1;
	return 0;
}

void serve_sched_stop(serve_sched *sc)
{
	if (!sc->started)
		return;
	pthread_mutex_lock(&sc->lock);
	sc->stopping = 1;
	pthread_cond_broadcast(&sc->wake);
	pthread_mutex_unlock(&sc->lock);
	pthread_join(sc->thread, NULL);
	sc->started = 0;
	pthread_cond_destroy(&sc->wake);
	pthread_mutex_destroy(&sc->lock);
}
