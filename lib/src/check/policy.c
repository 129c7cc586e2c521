/* SPDX-License-Identifier: MIT */
/* Policies: values in range, schedules that make sense, executables that
 * exist.  Ranges are checked here rather than in the format table because
 * their messages need the neighbouring values (max_delay >= delay). */
#include "check/check_int.h"
#include "cadence/load.h"
#include "util/json.h"
#include "util/shebang.h"
#include "util/strbuf.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RANGE(c, loc, help, ...) \
	cad_check_at(c, CADENCE_SEVERITY_ERROR, "policy-range", loc, help, __VA_ARGS__)

static void check_retry(check_ctx *c, const cad_note *n)
{
	const cad_retry *r = &n->retry;
	char num[32];	/* every digit: 0.9999999 is not "1" */
	if (!r->present)
		return;
	if (r->attempts < 1)
		RANGE(c, r->attempts_loc, "attempts counts the first call too: use 1 for no retry",
		      "retry attempts must be at least 1, got %lld", (long long)r->attempts);
	if (r->backoff < 1) {
		cad_fmt_double(num, sizeof(num), r->backoff);
		RANGE(c, r->backoff_loc, "use 1 for a constant delay, 2 to double it each time",
		      "retry backoff must be at least 1, got %s", num);
	}
	if (r->max_delay_ms >= 0 && r->max_delay_ms < r->delay_ms)
		RANGE(c, r->max_delay_loc, "raise max_delay to at least the delay, or remove it",
		      "retry max_delay (%lld ms) is shorter than the delay (%lld ms)",
		      (long long)r->max_delay_ms, (long long)r->delay_ms);
	if (r->jitter < 0 || r->jitter > 1) {
		cad_fmt_double(num, sizeof(num), r->jitter);
		RANGE(c, r->jitter_loc, "jitter is the fraction of each delay that is random: 0 to 1",
		      "retry jitter must be between 0 and 1, got %s", num);
	}
	if (n->timeout_ms > 0 && r->attempts > 1 && r->delay_ms > n->timeout_ms)
		cad_check_at(c, CADENCE_SEVERITY_WARNING, "timeout-below-delay", n->timeout_loc,
			 "a timeout applies to each attempt; check that both values are meant",
			 "note '%s' times out after %lld ms but waits %lld ms before its first retry",
			 n->name.name, (long long)n->timeout_ms, (long long)r->delay_ms);
}

static void check_breaker(check_ctx *c, const cad_note *n)
{
	const cad_breaker *b = &n->breaker;
	if (!b->present)
		return;
	if (b->failure_threshold < 1)
		RANGE(c, b->threshold_loc, "the breaker opens after this many failures in a row",
		      "failure_threshold must be at least 1, got %lld",
		      (long long)b->failure_threshold);
	if (b->recovery_ms <= 0)
		RANGE(c, b->recovery_loc, "use the time the service needs to recover, for example 30s",
		      "recovery_timeout must be longer than 0");
	if (b->half_open_max < 1)
		RANGE(c, b->half_open_loc, "at least one probe call must be let through",
		      "half_open_max must be at least 1, got %lld", (long long)b->half_open_max);
}

/* A relative executable path is resolved against the cadence file's
 * directory (the working directory for a cadence built in C), as `cadence
 * run` does (docs/format.md, "run"). */
static void check_executable(check_ctx *c, const cad_note *n)
{
	const char *exe = n->argv ? n->argv[0] : NULL;
	if (!exe || !strchr(exe, '/'))
		return;	/* looked up in PATH when the note runs */
	strbuf path = STRBUF_INIT;
	if (exe[0] != '/')
		cad_def_dir(c->def, &path);
	cad_strbuf_adds(&path, exe);
	const char *p = cad_strbuf_cstr(&path);
	struct stat st;
	if (!p) {
		c->oom = 1;
	} else if (stat(p, &st) || !S_ISREG(st.st_mode)) {
		cad_check_at(c, CADENCE_SEVERITY_WARNING, "run-not-found", n->binding_loc,
			 c->def->path ? "paths are relative to the directory of the cadence file"
				      : "a cadence built in code has its paths relative to the working directory",
			 "note '%s' runs '%s', which does not exist (looked for %s)",
			 n->name.name, exe, p);
	} else if (access(p, X_OK)) {
		cad_check_at(c, CADENCE_SEVERITY_WARNING, "run-not-executable", n->binding_loc,
			 "make it executable: chmod +x",
			 "note '%s' runs '%s', which is not executable", n->name.name, exe);
	} else if (cad_shebang_crlf(p)) {
		cad_check_at(c, CADENCE_SEVERITY_WARNING, "run-crlf-shebang", n->binding_loc,
			 "save the script with LF line endings (dos2unix FILE, or sed -i 's/\\r$//' FILE); "
			 "a .gitattributes line '*.sh text eol=lf' keeps git from converting it back",
			 "note '%s' runs '%s', whose '#!' line ends in CR LF (Windows line endings): "
			 "the system looks for an interpreter whose name ends in a carriage return, "
			 "and the note fails with \"No such file or directory\"", n->name.name, exe);
	}
	cad_strbuf_free(&path);
}

void cad_check_policies(check_ctx *c)
{
	for (size_t i = 0; i < c->def->nmeasures; i++) {
		const cad_measure *m = &c->def->measures[i];
		/* jobs 0 without a place: the builder's "one per CPU" */
		if (m->kind == CAD_M_DAG && m->jobs_loc.line &&
		    (m->jobs < 1 || m->jobs > CADENCE_MAX_DAG_JOBS))
			RANGE(c, m->jobs_loc, "jobs is how many tasks run at once: remove it for one per CPU",
			      "dag '%s' jobs must be 1 to %d, got %lld", m->name.name,
			      CADENCE_MAX_DAG_JOBS, (long long)m->jobs);
	}
	const cad_schedule *s = &c->def->schedule;
	if (s->present && s->catch_up_max_loc.line &&
	    (s->catch_up_max < 1 || s->catch_up_max > CAD_MAX_CATCH_UP))
		RANGE(c, s->catch_up_max_loc, "catch_up_max bounds the missed runs caught up at once",
		      "catch_up_max must be 1 to %d, got %lld", CAD_MAX_CATCH_UP,
		      (long long)s->catch_up_max);
	for (size_t i = 0; i < c->def->nnotes; i++) {
		const cad_note *n = &c->def->notes[i];
		check_retry(c, n);
		check_breaker(c, n);
		if (n->timeout_loc.line && n->timeout_ms <= 0)
			RANGE(c, n->timeout_loc, "remove the timeout, or give the time a note may take",
			      "timeout must be longer than 0");
		if (n->binding == CAD_BIND_RUN && c->opts.check_executables)
			check_executable(c, n);
	}
}
