/* SPDX-License-Identifier: MIT */
/* The public side of the engine: runners, registration, cancel. */
#include "run/run_int.h"
#include "util/api.h"
#include "util/grow.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned cpu_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

static uint64_t time_seed(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t s = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	s ^= (uint64_t)getpid() << 32;
	return s ? s : 1;
}

/* Sizes of each version of the caller's structs (util/api.h). */
static const size_t opts_sizes[] = { 0, sizeof(cadence_run_opts) };
static const size_t hooks_sizes[] = { 0, offsetof(cadence_run_hooks, on_note),
				       sizeof(cadence_run_hooks) };
static const size_t clock_sizes[] = { 0, sizeof(cadence_clock) };

int cadence_runner_new(cadence_runner **out, cadence_project *project,
		       const cadence_def *def, const cadence_run_opts *opts)
{
	*out = NULL;
	if (!CAD_VERSION_OK(opts, CADENCE_RUN_OPTS_VERSION) ||
	    (opts && !CAD_VERSION_OK(opts->hooks, CADENCE_RUN_HOOKS_VERSION)) ||
	    (opts && !CAD_VERSION_OK(opts->clock, CADENCE_CLOCK_VERSION)))
		return CADENCE_EVERSION;
	cadence_runner *r = calloc(1, sizeof(*r));
	if (!r)
		return CADENCE_ENOMEM;
	r->project = project;
	r->root = def;
	/* a versioned error: one of version 0 would be neither cleared nor freed */
	r->prepare_err = (cadence_run_error)CADENCE_RUN_ERROR_INIT;
	r->opts = (cadence_run_opts)CADENCE_RUN_OPTS_INIT;
	if (opts)
		CAD_COPY_IN(&r->opts, opts, opts_sizes);
	if (r->opts.hooks)
		CAD_COPY_IN(&r->hooks, r->opts.hooks, hooks_sizes);
	r->opts.hooks = NULL;
	cad_clock_system(&r->clock);
	if (r->opts.clock)
		CAD_COPY_IN(&r->clock, r->opts.clock, clock_sizes);
	r->opts.clock = NULL;
	r->seed = r->opts.seed ? r->opts.seed : time_seed();
	r->ncpu = cpu_count();
	r->cancel_pipe[0] = r->cancel_pipe[1] = -1;
	atomic_init(&r->cancelled, 0);
	atomic_init(&r->runs, 0);
	pthread_mutex_init(&r->lock, NULL);
	if (r->opts.state_dir && !(r->state_dir = strdup(r->opts.state_dir)))
		goto oom;
	r->opts.state_dir = NULL;
	if (pipe(r->cancel_pipe)) {	/* out of descriptors, say: not memory */
		cadence_runner_free(r);
		return CADENCE_EIO;
	}
	for (int i = 0; i < 2; i++)
		fcntl(r->cancel_pipe[i], F_SETFD, FD_CLOEXEC);
	fcntl(r->cancel_pipe[1], F_SETFL, fcntl(r->cancel_pipe[1], F_GETFL) | O_NONBLOCK);
	*out = r;
	return 0;
oom:
	cadence_runner_free(r);
	return CADENCE_ENOMEM;
}

void cadence_runner_free(cadence_runner *r)
{
	if (!r)
		return;
	cad_rpool_free(r->pool);
	cad_plan_free_all(r);
	cad_rbreakers_free(r->breakers);
	for (size_t i = 0; i < r->nsymbols; i++)
		free(r->symbols[i].name);
	free(r->symbols);
	cad_strmap_free(&r->symbol_index);
	cad_plugin_close_all(r);
	cad_strmap_free(&r->extra);
	free(r->state_dir);
	cadence_run_error_clear(&r->prepare_err);
	for (int i = 0; i < 2; i++)
		if (r->cancel_pipe[i] >= 0)
			close(r->cancel_pipe[i]);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

int cadence_runner_register(cadence_runner *r, const char *name, cadence_note_fn fn,
			    void *userdata)
{
	if (!name || !*name || !fn || r->prepared)
		return CADENCE_EINVAL;
	const strmap_entry *e = cad_strmap_find(&r->symbol_index, name, strlen(name));
	if (e) {
		r->symbols[e->v.i].fn = fn;
		r->symbols[e->v.i].userdata = userdata;
		return 0;
	}
	rsymbol *s = cad_realloc_array(r->symbols, r->nsymbols + 1, sizeof(*s));
	if (!s)
		return CADENCE_ENOMEM;
	r->symbols = s;
	strmap_entry *ix;
	if (!(s[r->nsymbols].name = strdup(name)))
		return CADENCE_ENOMEM;
	if (!(ix = cad_strmap_put(&r->symbol_index, s[r->nsymbols].name, strlen(name), NULL))) {
		free(s[r->nsymbols].name);
		return CADENCE_ENOMEM;
	}
	ix->v.i = r->nsymbols;
	s[r->nsymbols].fn = fn;
	s[r->nsymbols].userdata = userdata;
	r->nsymbols++;
	return 0;
}

int cadence_runner_load_plugin(cadence_runner *r, const char *path, cadence_run_error *err)
{
	strbuf msg = STRBUF_INIT;
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	if (r->prepared)
		return cad_err_set(err, CADENCE_EINVAL, "plugins are loaded before the first run");
	int rc = cad_plugin_open(r, path, &msg);
	if (rc)
		return cad_err_take(err, rc, &msg);
	cad_strbuf_free(&msg);
	return 0;
}

int cadence_runner_add_cadence(cadence_runner *r, const cadence_def *def)
{
	if (r->prepared || !def)
		return CADENCE_EINVAL;
	const char *name = cadence_def_name(def);
	int added;
	strmap_entry *e = cad_strmap_put(&r->extra, name, strlen(name), &added);
	if (!e)
		return CADENCE_ENOMEM;
	if (added)
		e->v.p = (void *)def;	/* borrowed, as the caller promised */
	return 0;
}

int cadence_runner_prepare(cadence_runner *r, cadence_run_error *err)
{
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	return cad_plan_prepare(r, 0, err);
}

void cadence_runner_cancel(cadence_runner *r)
{
	/* async-signal-safe: an atomic store and a write */
	atomic_store(&r->cancelled, 1);
	if (r->cancel_pipe[1] >= 0)
		(void)!write(r->cancel_pipe[1], "c", 1);
}

int cadence_runner_check_input(cadence_runner *r, const cJSON *input, cadence_run_error *err)
{
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	if (!r)
		return cad_err_set(err, CADENCE_EINVAL, "cadence_runner_check_input: runner must "
				   "not be NULL");
	int rc = cad_plan_prepare(r, 1, err);
	if (rc)
		return rc;
	rscore s;
	rfail f = RFAIL_INIT;
	/* the run's own check (cad_run_input), with its message: "NAME: bad
	 * score: ..." where NAME is the root frame's path */
	rc = cad_score_from_input(&s, r->root_plan, input, &f);
	if (rc == CADENCE_ENOMEM)
		cad_err_set(err, rc, "out of memory");
	else if (rc)
		cad_err_set(err, rc, "%s: bad score: %s", r->root_plan->name,
			    cad_strbuf_cstr(&f.msg) ? cad_strbuf_cstr(&f.msg) : "");
	cad_score_free(&s);
	cad_rfail_free(&f);
	return rc;
}

int cadence_runner_print_plan(cadence_runner *r, FILE *out, cadence_run_error *err)
{
	if (!CAD_RUN_ERR_OK(err))
		return CADENCE_EVERSION;
	int rc = cad_plan_prepare(r, 1, err);
	if (rc)
		return rc;
	rc = cad_plan_print(r->root_plan, out);
	if (rc == CADENCE_ENOMEM)
		return cad_err_set(err, rc, "out of memory");
	if (rc)
		return cad_err_set(err, CADENCE_EIO, "cannot write the plan");
	return 0;
}
