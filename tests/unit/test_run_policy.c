/* SPDX-License-Identifier: MIT */
/* Resilience: retry schedules (on a fake clock), timeouts of C notes,
 * fallback, circuit breakers (open, reject, half-open, close; persisted). */
#include "run_fixture.h"
#include "run/run_int.h"

#include <glob.h>
#include <stdatomic.h>

static fx f;
static atomic_int calls;
static atomic_int fail_first;	/* fail this many calls, then succeed */

static void setup(void)
{
	fx_init(&f);
	atomic_store(&calls, 0);
	atomic_store(&fail_first, 0);
}

static void teardown(void)
{
	fx_free(&f);
}

TestSuite(policy, .init = setup, .fini = teardown);

static int flaky(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	int n = atomic_fetch_add(&calls, 1) + 1;
	if (n <= atomic_load(&fail_first))
		return cadence_note_fail(ctx, "failure %d", n);
	*changes = cJSON_CreateObject();
	cJSON_AddNumberToObject(*changes, "attempt", cadence_note_attempt(ctx));
	return CADENCE_NOTE_OK;
}

static void load_note(const char *policy)
{
	char text[2048];
	snprintf(text, sizeof(text),
		 "cadence: policy\n"
		 "score:\n"
		 "  attempt: {type: integer, default: 0}\n"
		 "  status: {type: string, default: new}\n"
		 "  currency: {type: string, default: EUR, immutable: true}\n"
		 "notes:\n"
		 "  call:\n"
		 "    symbol: flaky\n"
		 "%s"
		 "measures:\n"
		 "  - then: call\n", policy);
	fx_load(&f, text);
	cr_assert_eq(cadence_runner_register(f.r, "flaky", flaky, NULL), 0);
}

/* ---- retry ---------------------------------------------------------------------- */

Test(policy, retry_succeeds_on_the_third_attempt_with_backoff)
{
	fx_fake_clock(&f);
	atomic_store(&fail_first, 2);
	load_note("    retry: {attempts: 3, delay: 100ms, backoff: 2}\n");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "attempt", "3");
	cr_assert_eq(f.fake.nslept, 2);
	cr_assert_eq(f.fake.slept_ms[0], 100);
	cr_assert_eq(f.fake.slept_ms[1], 200);
	cr_assert(events_have(&f, "note_end call call#1 failed\nretry call call#1 100ms\n"
			      "note_start call call#2\nnote_end call call#2 failed\n"
			      "retry call call#2 200ms\n"), "%s", f.events.buf);
}

Test(policy, retries_give_up_after_the_last_attempt)
{
	fx_fake_clock(&f);
	atomic_store(&fail_first, 10);
	load_note("    retry: {attempts: 4, delay: 1s, backoff: 3, max_delay: 5s}\n");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "policy: note 'call' (attempt 4 of 4): failure 4");
	cr_assert_eq(f.err.attempt, 4);
	cr_assert_eq(atomic_load(&calls), 4);
	cr_assert_eq(f.fake.nslept, 3);
	cr_assert_eq(f.fake.slept_ms[0], 1000);
	cr_assert_eq(f.fake.slept_ms[1], 3000);
	cr_assert_eq(f.fake.slept_ms[2], 5000, "capped by max_delay");
}

Test(policy, schedule_with_jitter_stays_in_its_range)
{
	cad_retry r = { 0 };
	r.attempts = 10;
	r.delay_ms = 1000;
	r.backoff = 2;
	r.max_delay_ms = 6000;
	r.jitter = 0.5;
	uint64_t rng = 42;
	for (int i = 0; i < 1000; i++) {
		int64_t d1 = cad_retry_delay_ms(&r, 1, &rng), d3 = cad_retry_delay_ms(&r, 3, &rng);
		int64_t d5 = cad_retry_delay_ms(&r, 5, &rng);
		cr_assert(d1 >= 500 && d1 <= 1500, "%lld", (long long)d1);
		cr_assert(d3 >= 2000 && d3 <= 6000, "%lld", (long long)d3);
		cr_assert(d5 >= 3000 && d5 <= 6000, "%lld", (long long)d5);
	}
	r.jitter = 0;
	cr_assert_eq(cad_retry_delay_ms(&r, 1, &rng), 1000);
	cr_assert_eq(cad_retry_delay_ms(&r, 2, &rng), 2000);
	cr_assert_eq(cad_retry_delay_ms(&r, 4, &rng), 6000);
	r.max_delay_ms = -1;
	cr_assert_eq(cad_retry_delay_ms(&r, 6, &rng), 32000);
}

Test(policy, a_process_retried_until_it_succeeds)
{
	/* real processes and real (short) delays: the note counts its calls
	 * in a file and succeeds on the third */
	fx_load(&f, "cadence: proc\nscore:\n  attempt: {type: integer, default: 0}\nnotes:\n"
		"  count:\n"
		"    run: [sh, -c, 'n=$(cat \"$CADENCE_DIR/n\" 2>/dev/null || echo 0); n=$((n+1)); "
		"echo $n > \"$CADENCE_DIR/n\"; [ $n -ge 3 ] || { echo \"try $n failed\" >&2; exit 1; }; "
		"echo \"{\\\"attempt\\\": $CADENCE_ATTEMPT}\"']\n"
		"    retry: {attempts: 5, delay: 10ms}\n"
		"measures:\n  - then: count\n");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "attempt", "3");
	cr_assert(events_have(&f, "log count count#1 try 1 failed\nnote_end count count#1 failed\n"
			      "retry count count#1 10ms\n"), "%s", f.events.buf);
}

Test(policy, a_missing_executable_is_not_retried)
{
	fx_fake_clock(&f);
	fx_load(&f, "cadence: proc\nnotes:\n  n:\n    run: [./missing.sh]\n"
		"    retry: {attempts: 5, delay: 1s}\nmeasures:\n  - then: n\n");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	cr_assert_eq(f.fake.nslept, 0);
	assert_error(&f, "proc: note 'n' (attempt 1 of 5): cannot run './missing.sh'");
}

/* ---- timeouts of C notes: cooperative ------------------------------------------------- */

static int patient(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	cr_assert_geq(cadence_note_remaining_ms(ctx), 0);
	while (!cadence_note_expired(ctx))
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	cr_assert_eq(cadence_note_remaining_ms(ctx), 0);
	*changes = cJSON_CreateObject();
	cJSON_AddStringToObject(*changes, "status", "too late");
	return CADENCE_NOTE_OK;
}

Test(policy, a_c_note_past_its_deadline_has_timed_out)
{
	load_note("    timeout: 50ms\n");
	cr_assert_eq(cadence_runner_register(f.r, "flaky", patient, NULL), 0);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "policy: note 'call': it timed out after 50 ms");
}

/* ---- fallback ---------------------------------------------------------------------------- */

Test(policy, fallback_applies_when_the_note_fails_for_good)
{
	fx_fake_clock(&f);
	atomic_store(&fail_first, 10);
	load_note("    retry: {attempts: 2}\n    fallback: {status: payment_pending}\n");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "status", "\"payment_pending\"");
	cr_assert_eq(atomic_load(&calls), 2);
	cr_assert(events_have(&f, "fallback call call#2\n"), "%s", f.events.buf);
}

Test(policy, fallback_is_checked_like_any_change)
{
	atomic_store(&fail_first, 10);
	load_note("    fallback: {currency: USD}\n");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'call': failure 1; its fallback is not valid either: it changed "
		     "immutable field 'currency'");
}

Test(policy, fallback_of_a_process)
{
	fx_load(&f, "cadence: proc\nscore:\n  status: {type: string, default: new}\nnotes:\n"
		"  n:\n    run: [sh, -c, 'exit 2']\n    fallback: {status: offline}\n"
		"measures:\n  - then: n\n");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "status", "\"offline\"");
}

/* ---- circuit breaker ---------------------------------------------------------------------- */

static const char breaker[] =
	"    circuit_breaker: {failure_threshold: 2, recovery_timeout: 10s}\n";

static void advance(int64_t ms)
{
	f.fake.mono_ns += ms * 1000000;
}

Test(policy, breaker_opens_rejects_half_opens_and_closes)
{
	fx_fake_clock(&f);
	load_note(breaker);
	atomic_store(&fail_first, 2);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);	/* failure 1 */
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);	/* failure 2: opens */
	cr_assert_eq(atomic_load(&calls), 2);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);	/* rejected */
	cr_assert_eq(atomic_load(&calls), 2, "an open breaker does not call the note");
	assert_error(&f, "note 'call': its circuit breaker is open after 2 failures in a row; "
		     "the next call goes through in 10000 ms");
	cr_assert(events_have(&f, "note_end call call#1 rejected"), "%s", f.events.buf);
	advance(9999);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	cr_assert_eq(atomic_load(&calls), 2);
	advance(1);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);	/* the probe succeeds */
	cr_assert_eq(atomic_load(&calls), 3);
	cr_assert_eq(fx_run(&f, NULL), 0, "closed again");
	cr_assert_eq(atomic_load(&calls), 4);
}

Test(policy, a_failed_probe_opens_the_breaker_again)
{
	fx_fake_clock(&f);
	load_note(breaker);
	atomic_store(&fail_first, 3);
	fx_run(&f, NULL);
	fx_run(&f, NULL);
	advance(10000);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);	/* the probe fails */
	cr_assert_eq(atomic_load(&calls), 3);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);	/* open: rejected */
	cr_assert_eq(atomic_load(&calls), 3);
	advance(10000);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
}

Test(policy, an_open_breaker_falls_back)
{
	fx_fake_clock(&f);
	load_note("    circuit_breaker: {failure_threshold: 1, recovery_timeout: 1s}\n"
		  "    fallback: {status: later}\n");
	atomic_store(&fail_first, 5);
	cr_assert_eq(fx_run(&f, NULL), 0);
	cr_assert_eq(fx_run(&f, NULL), 0);
	assert_field(&f, "status", "\"later\"");
	cr_assert_eq(atomic_load(&calls), 1);
}

Test(policy, breaker_state_carries_over_between_runners)
{
	/* two runners on one state directory: two `cadence run` processes */
	char dir[128];
	snprintf(dir, sizeof(dir), "%s/state", f.dir);
	f.opts.state_dir = dir;
	fx_fake_clock(&f);
	load_note(breaker);
	atomic_store(&fail_first, 2);
	fx_run(&f, NULL);
	fx_run(&f, NULL);
	cadence_runner_free(f.r);
	cr_assert_eq(cadence_runner_new(&f.r, f.project, f.def, &f.opts), 0);
	cr_assert_eq(cadence_runner_register(f.r, "flaky", flaky, NULL), 0);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "circuit breaker is open");
	cr_assert_eq(atomic_load(&calls), 2);
	/* CADENCE.NOTE.KEY.breaker.json, KEY from the file's absolute path */
	char pattern[256];
	glob_t g;
	snprintf(pattern, sizeof(pattern), "%s/policy.call.*.breaker.json", dir);
	cr_assert_eq(glob(pattern, 0, NULL, &g), 0, "%s", pattern);
	cr_assert_eq(g.gl_pathc, 1);
	cr_assert_eq(access(g.gl_pathv[0], R_OK), 0, "%s", g.gl_pathv[0]);
	globfree(&g);
	advance(10000);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
}
