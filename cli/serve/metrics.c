/* SPDX-License-Identifier: MIT */
/* `cadence serve`: GET /metrics (metrics.h, docs/serve.md "Metrics"). */
#include "metrics.h"
#include "serve.h"

#include "record.h"
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/grow.h"
#include "util/strbuf.h"

typedef struct msample {
	char *key;		/* "name{labels}" */
	double v;
} msample;

typedef struct mfamily {
	char *name, *type, *help;
	msample *s;
	size_t n, cap;
} mfamily;

/* Buckets of cadence_serve_run_duration_seconds: those of the textfile's
 * cadence_duration_seconds */
static const char *const run_le[] = { "0.01", "0.1", "1", "10", "30", "60", "300", "900",
				      "1800", "3600", NULL };
/* Buckets of cadence_schedule_lag_seconds: a timer's jitter to an hour late */
static const char *const lag_le[] = { "0.1", "1", "5", "15", "60", "300", "900", "3600", NULL };

int serve_metrics_init(serve_metrics *m)
{
	struct timespec ts;
	memset(m, 0, sizeof(*m));
	clock_gettime(CLOCK_REALTIME, &ts);
	m->start_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	m->runs_seen = m->misses_seen = -1;
	return pthread_mutex_init(&m->lock, NULL) ? -1 : 0;
}

void serve_metrics_free(serve_metrics *m)
{
	for (size_t i = 0; i < m->nfam; i++) {
		mfamily *f = &m->fam[i];
		for (size_t j = 0; j < f->n; j++)
			free(f->s[j].key);
		free(f->s);
		free(f->name);
		free(f->type);
		free(f->help);
	}
	free(m->fam);
	cad_strmap_free(&m->fam_index);
	cad_strmap_free(&m->series);
	pthread_mutex_destroy(&m->lock);
}

void serve_metrics_label(strbuf *sb, const char *value)
{
	for (const char *p = value; *p; p++) {
		if (*p == '\\' || *p == '"')
			cad_strbuf_addc(sb, '\\');
		if (*p == '\n')
			cad_strbuf_adds(sb, "\\n");
		else
			cad_strbuf_addc(sb, *p);
	}
}

/* A sample's place in the series map: its family and its index there. */
#define SAMPLE_BITS 24
#define SAMPLE_MAX ((size_t)1 << SAMPLE_BITS)

/* The family `name`, made when new (under the lock); NULL: no memory. */
static mfamily *family(serve_metrics *m, const char *name, const char *type, const char *help)
{
	strmap_entry *e = cad_strmap_find(&m->fam_index, name, strlen(name));
	if (e)
		return &m->fam[e->v.i];
	mfamily f = { strdup(name), strdup(type), strdup(help), NULL, 0, 0 };
	int bad = !f.name || !f.type || !f.help || CAD_GROW(m->fam, m->capfam, m->nfam + 1, 16);
	if (!bad && (e = cad_strmap_put(&m->fam_index, f.name, strlen(f.name), NULL)) != NULL) {
		e->v.i = m->nfam;
		m->fam[m->nfam++] = f;
		return &m->fam[m->nfam - 1];
	}
	free(f.name);
	free(f.type);
	free(f.help);
	return NULL;
}

/* Adds v to the sample `key` of family f (or sets it: replace). */
static void sample(serve_metrics *m, mfamily *f, const char *key, double v, int replace)
{
	strmap_entry *e = cad_strmap_find(&m->series, key, strlen(key));
	if (e) {
		msample *s = &m->fam[e->v.i / SAMPLE_MAX].s[e->v.i % SAMPLE_MAX];
		s->v = replace ? v : s->v + v;
		return;
	}
	char *k = strdup(key);
	if (!k || f->n + 1 >= SAMPLE_MAX || CAD_GROW(f->s, f->cap, f->n + 1, 8) ||
	    !(e = cad_strmap_put(&m->series, k, strlen(k), NULL))) {
		free(k);	/* out of memory: the sample is not counted */
		return;
	}
	e->v.i = (size_t)(f - m->fam) * SAMPLE_MAX + f->n;
	f->s[f->n].key = k;
	f->s[f->n++].v = v;
}

static void add_locked(serve_metrics *m, const char *name, const char *type, const char *help,
		       const char *sample_name, const char *labels, double v, int replace)
{
	mfamily *f = family(m, name, type, help);
	strbuf key = STRBUF_INIT;
	cad_strbuf_adds(&key, sample_name ? sample_name : name);
	if (*labels)
		cad_strbuf_addf(&key, "{%s}", labels);
	if (f && !key.failed)
		sample(m, f, cad_strbuf_cstr(&key), v, replace);
	cad_strbuf_free(&key);
}

void serve_metrics_add(serve_metrics *m, const char *name, const char *type, const char *help,
		       const char *labels, double v, int replace)
{
	pthread_mutex_lock(&m->lock);
	add_locked(m, name, type, help, NULL, labels, v, replace);
	pthread_mutex_unlock(&m->lock);
}

/* One observation of a histogram (under the lock): `labels` without le. */
static void observe(serve_metrics *m, const char *name, const char *help, const char *labels,
		    const char *const *le, double v)
{
	strbuf sn = STRBUF_INIT, lb = STRBUF_INIT;
	const char *sep = *labels ? "," : "";
	cad_strbuf_addf(&sn, "%s_bucket", name);
	for (size_t i = 0; le[i]; i++) {
		cad_strbuf_setlen(&lb, 0);
		cad_strbuf_addf(&lb, "%s%sle=\"%s\"", labels, sep, le[i]);
		add_locked(m, name, "histogram", help, cad_strbuf_cstr(&sn), cad_strbuf_cstr(&lb),
			   v <= strtod(le[i], NULL), 0);
	}
	cad_strbuf_setlen(&lb, 0);
	cad_strbuf_addf(&lb, "%s%sle=\"+Inf\"", labels, sep);
	add_locked(m, name, "histogram", help, cad_strbuf_cstr(&sn), cad_strbuf_cstr(&lb), 1, 0);
	cad_strbuf_setlen(&sn, 0);
	cad_strbuf_addf(&sn, "%s_sum", name);
	add_locked(m, name, "histogram", help, cad_strbuf_cstr(&sn), labels, v, 0);
	cad_strbuf_setlen(&sn, 0);
	cad_strbuf_addf(&sn, "%s_count", name);
	add_locked(m, name, "histogram", help, cad_strbuf_cstr(&sn), labels, 1, 0);
	cad_strbuf_free(&sn);
	cad_strbuf_free(&lb);
}

/* The lines of a textfile of `cadence run --metrics` (under the lock):
 * every sample belongs to the family of the # TYPE line before it. */
static void add_textfile(serve_metrics *m, char *text)
{
	char *name = NULL, *type = NULL, *help = NULL;
	for (char *line = text, *end; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (!strncmp(line, "# HELP ", 7)) {
			help = strchr(line + 7, ' ');
			help = help ? help + 1 : NULL;
		} else if (!strncmp(line, "# TYPE ", 7)) {
			name = line + 7;
			type = strchr(name, ' ');
			if (type)
				*type++ = '\0';
		} else if (*line != '#' && name && type) {
			char *sp = strrchr(line, ' ');
			if (!sp)
				continue;
			*sp = '\0';
			char *stop = NULL;
			double v = strtod(sp + 1, &stop);
			mfamily *f = stop != sp + 1 ? family(m, name, type, help ? help : name) : NULL;
			/* a gauge is a state (a breaker's, the last run's time):
			 * the latest run's value is the state now */
			if (f)
				sample(m, f, line, v, !strcmp(type, "gauge"));
		}
	}
}

void serve_metrics_run_ended(serve_metrics *m, const char *cadence, const char *outcome,
			     double seconds, const char *prom_path)
{
	char *text = prom_path ? serve_read_file(prom_path, NULL, NULL) : NULL;
	strbuf lb = STRBUF_INIT;
	cad_strbuf_adds(&lb, "cadence=\"");
	serve_metrics_label(&lb, cadence);
	cad_strbuf_adds(&lb, "\"");
	size_t clen = lb.len;
	cad_strbuf_adds(&lb, ",outcome=\"");
	serve_metrics_label(&lb, outcome);
	cad_strbuf_adds(&lb, "\"");
	pthread_mutex_lock(&m->lock);
	if (!lb.failed) {
		add_locked(m, "cadence_serve_runs_total", "counter",
			   "Runs this server started, by cadence and outcome (ok, failed, stopped, "
			   "interrupted, error).", NULL, cad_strbuf_cstr(&lb), 1, 0);
		cad_strbuf_setlen(&lb, clen);
		observe(m, "cadence_serve_run_duration_seconds", "Wall time of the runs this server "
			"started, from the child's start to its end.", cad_strbuf_cstr(&lb), run_le,
			seconds);
	}
	if (text)
		add_textfile(m, text);
	pthread_mutex_unlock(&m->lock);
	cad_strbuf_free(&lb);
	free(text);
}

void serve_metrics_http(serve_metrics *m, const char *route, unsigned status)
{
	strbuf lb = STRBUF_INIT;
	cad_strbuf_adds(&lb, "route=\"");
	serve_metrics_label(&lb, route);
	cad_strbuf_addf(&lb, "\",status=\"%u\"", status);
	if (!lb.failed)
		serve_metrics_add(m, "cadence_serve_http_requests_total", "counter",
				  "HTTP requests answered, by route (its template) and status.",
				  cad_strbuf_cstr(&lb), 1, 0);
	cad_strbuf_free(&lb);
}

static void value(strbuf *sb, double v)
{
	char buf[32];
	if (v == (double)(int64_t)v && v > -1e15 && v < 1e15) {
		cad_strbuf_addf(sb, "%lld", (long long)v);
		return;
	}
	/* the shortest text that reads back as v */
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	cad_strbuf_adds(sb, buf);
}

char *serve_metrics_text(serve_metrics *m, size_t running)
{
	strbuf sb = STRBUF_INIT;
	cad_strbuf_addf(&sb, "# HELP cadence_serve_runs_running Runs of this server running now.\n"
			"# TYPE cadence_serve_runs_running gauge\ncadence_serve_runs_running %zu\n"
			"# HELP cadence_serve_start_time_seconds When this server started, Unix time."
			"\n# TYPE cadence_serve_start_time_seconds gauge\n"
			"cadence_serve_start_time_seconds %lld.%03lld\n", running,
			(long long)(m->start_ms / 1000), (long long)(m->start_ms % 1000));
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->nfam; i++) {
		const mfamily *f = &m->fam[i];
		cad_strbuf_addf(&sb, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
				f->type);
		for (size_t j = 0; j < f->n; j++) {
			cad_strbuf_adds(&sb, f->s[j].key);
			cad_strbuf_addc(&sb, ' ');
			value(&sb, f->s[j].v);
			cad_strbuf_addc(&sb, '\n');
		}
	}
	pthread_mutex_unlock(&m->lock);
	return cad_strbuf_detach(&sb);
}

const char *serve_run_outcome(const serve_run *r)
{
	/* killed by a signal: not cadence run's own end (it turns SIGTERM
	 * into exit 130); interrupted when cancelled, else failed */
	if (r->unstarted)	/* never started: cancelled or stopped, or failed to */
		return r->start_failed ? "error" : "interrupted";
	if (r->queued)
		return "queued";
	if (r->exit_code < 0)
		return "running";
	return !r->signal ? cli_record_status(r->exit_code) : r->cancelled ? "interrupted"
	       : "failed";
}

void serve_metrics_on_end(void *arg, const serve_run *r)
{
	strbuf prom = STRBUF_INIT;
	cad_strbuf_addf(&prom, "%s/metrics.prom", r->dir);
	serve_metrics_run_ended(arg, r->cadence, serve_run_outcome(r),
				(double)(r->end_ms - r->start_ms) / 1000.0,
				prom.failed ? NULL : cad_strbuf_cstr(&prom));
	cad_strbuf_free(&prom);
}

/* The newest id of the registry's runs and missed fire times: what
 * counts from now on. */
void serve_metrics_start(serve_metrics *m, const char *state_dir)
{
	reg *r = NULL;
	reg_run *runs = NULL;
	reg_miss *misses = NULL;
	size_t nr = 0, nm = 0;
	char *why = NULL;
	if (reg_open(state_dir, &r, &why) || reg_runs(r, NULL, -1, 1, &runs, &nr) ||
	    reg_misses(r, NULL, -1, 1, &misses, &nm)) {
		fprintf(stderr, "cadence: serve: warning: GET /metrics will lack the schedules' "
			"figures: %s\n", why ? why : reg_error(r));
	} else {
		m->runs_seen = nr ? runs[0].id : 0;
		m->misses_seen = nm ? misses[0].id : 0;
	}
	free(why);
	reg_runs_free(runs, nr);
	reg_misses_free(misses, nm);
	reg_close(r);
}

/* The registry's new rows since the last look (under the project's lock,
 * then the metrics' own): scheduled runs' lag, missed fire times.  0, or
 * -1 when the registry cannot be read. */
static int registry_rows(serve_metrics *m, reg *r)
{
	enum { PAGE = 1000 };
	size_t n = PAGE;
	while (n == PAGE) {
		reg_run *runs = NULL;
		if (reg_runs_after(r, m->runs_seen, PAGE, &runs, &n))
			return -1;
		for (size_t i = 0; i < n; i++) {
			const reg_run *x = &runs[i];
			m->runs_seen = x->id;
			if (x->scheduled_for < 0 || !x->trigger || strcmp(x->trigger, "schedule"))
				continue;
			strbuf lb = STRBUF_INIT;
			cad_strbuf_adds(&lb, "cadence=\"");
			serve_metrics_label(&lb, x->cadence);
			cad_strbuf_adds(&lb, "\"");
			double lag = (double)(x->start_ms - x->scheduled_for * 1000) / 1000.0;
			if (!lb.failed)
				observe(m, "cadence_schedule_lag_seconds", "Scheduled runs recorded in the "
					"registry since this server started: from the fire time to the "
					"run's start.", cad_strbuf_cstr(&lb), lag_le, lag < 0 ? 0 : lag);
			cad_strbuf_free(&lb);
		}
		reg_runs_free(runs, n);
	}
	n = PAGE;
	while (n == PAGE) {
		reg_miss *mm = NULL;
		if (reg_misses_after(r, m->misses_seen, PAGE, &mm, &n))
			return -1;
		for (size_t i = 0; i < n; i++) {
			strbuf lb = STRBUF_INIT;
			m->misses_seen = mm[i].id;
			cad_strbuf_adds(&lb, "cadence=\"");
			serve_metrics_label(&lb, mm[i].cadence);
			cad_strbuf_adds(&lb, "\",reason=\"");
			serve_metrics_label(&lb, mm[i].reason);
			cad_strbuf_adds(&lb, "\"");
			if (!lb.failed)
				add_locked(m, "cadence_schedule_missed_runs_total", "counter", "Fire times "
					   "recorded as missed in the registry since this server "
					   "started, by cadence and reason.", NULL, cad_strbuf_cstr(&lb),
					   1, 0);
			cad_strbuf_free(&lb);
		}
		reg_misses_free(mm, n);
	}
	return 0;
}

char *serve_metrics_scrape(serve_ctx *s)
{
	serve_metrics *m = &s->metrics;
	reg *r = NULL;
	char *why = NULL;
	int readable = 0;
	pthread_mutex_lock(&s->project);
	if (m->runs_seen >= 0 && !reg_open(s->state_dir, &r, &why)) {
		pthread_mutex_lock(&m->lock);
		readable = !registry_rows(m, r);
		pthread_mutex_unlock(&m->lock);
	}
	if (m->runs_seen >= 0 && !readable)
		fprintf(stderr, "cadence: serve: GET /metrics: cannot read the registry: %s\n",
			why ? why : r ? reg_error(r) : "out of memory");
	reg_close(r);
	pthread_mutex_unlock(&s->project);
	free(why);
	serve_metrics_add(m, "cadence_serve_registry_readable", "gauge", "1 when the last scrape "
			  "read the run registry (the schedule families are up to date), else 0.",
			  "", readable, 1);
	return serve_metrics_text(m, serve_runs_running(&s->runs, NULL));
}
