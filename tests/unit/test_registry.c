/* SPDX-License-Identifier: MIT */
/* The run registry (cli/registry.c): runs, schedules, missed fire times,
 * the schema's versions, damaged files, interrupted runs and retention. */
#include "registry.h"
#include "tmpdir.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[512];

static void setup(void)
{
	cr_assert_not_null(test_mkdtemp(dir, sizeof(dir), "registry"));
}

static void teardown(void)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(registry, .init = setup, .fini = teardown);

static reg *open_ok(void)
{
	reg *r = NULL;
	char *why = NULL;
	int rc = reg_open(dir, &r, &why);
	cr_assert_eq(rc, 0, "reg_open: %s", why ? why : "?");
	return r;
}

static char *open_fails(void)
{
	reg *r = NULL;
	char *why = NULL;
	cr_assert_eq(reg_open(dir, &r, &why), -1);
	cr_assert_null(r);
	cr_assert_not_null(why);
	return why;
}

static void run_sql(const char *path, const char *sql)
{
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	sqlite3_close(db);
}

static int64_t begin(reg *r, const char *cadence, int64_t start)
{
	reg_run_info in = { cadence, "/x/a.cadence.yaml", "abc", REG_MANUAL, -1, start,
			    NULL, NULL, NULL };
	int64_t id = -1;
	cr_assert_eq(reg_run_begin(r, &in, &id), 0, "%s", reg_error(r));
	return id;
}

Test(registry, records_a_run_from_start_to_end)
{
	reg *r = open_ok();
	int64_t id = begin(r, "nightly", 1000);
	reg_run *runs;
	size_t n;
	cr_assert_eq(reg_runs(r, NULL, -1, 0, &runs, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(runs[0].status, "running", "our own run holds its lock");
	reg_runs_free(runs, n);
	cr_assert_eq(reg_run_end(r, id, "failed", "boom", "d1", 2000), 0);
	cr_assert_eq(reg_runs(r, "nightly", -1, 0, &runs, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(runs[0].status, "failed");
	cr_expect_str_eq(runs[0].error, "boom");
	cr_expect_str_eq(runs[0].score_digest, "d1");
	cr_expect_str_eq(runs[0].trigger, "manual");
	cr_expect_eq(runs[0].start_ms, 1000);
	cr_expect_eq(runs[0].end_ms, 2000);
	cr_expect_eq(runs[0].pid, getpid());
	reg_runs_free(runs, n);
	cr_assert_eq(reg_runs(r, "other", -1, 0, &runs, &n), 0);
	cr_expect_eq(n, 0);
	reg_runs_free(runs, n);
	reg_close(r);
}

Test(registry, a_killed_run_reads_as_interrupted)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		reg *r;
		char *why;
		int64_t id;
		reg_run_info in = { "k", "/k", NULL, REG_MANUAL, -1, 5, NULL, NULL, NULL };
		if (reg_open(dir, &r, &why) || reg_run_begin(r, &in, &id))
			_exit(1);
		kill(getpid(), SIGKILL);
	}
	int st;
	waitpid(pid, &st, 0);
	cr_assert(WIFSIGNALED(st));
	reg *r = open_ok();
	reg_run *runs;
	size_t n;
	int64_t running = -1;
	cr_assert_eq(reg_running(r, "k", &running), 0);
	cr_expect_eq(running, 0);
	cr_assert_eq(reg_runs(r, "k", -1, 0, &runs, &n), 0);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(runs[0].status, "interrupted");
	reg_runs_free(runs, n);
	reg_close(r);
}

Test(registry, schedule_state_persists_and_claims_once)
{
	reg *r = open_ok();
	reg_schedule_state st;
	cr_assert_eq(reg_schedule_get(r, "s", &st), 0);
	cr_expect_eq(st.paused, 0);
	cr_expect_eq(st.last_fire, -1);
	cr_expect_eq(st.first_seen, -1);
	cr_assert_eq(reg_set_paused(r, "s", 1), 0);
	cr_assert_eq(reg_set_disabled(r, "s", 1), 0);
	cr_assert_eq(reg_schedule_claim(r, "s", -1, 100), 0);
	cr_expect_eq(reg_schedule_claim(r, "s", -1, 100), 1,
		     "a claim from what another process changed since is refused");
	cr_expect_eq(reg_schedule_claim(r, "s", -1, 150), 1, "... later times too");
	cr_assert_eq(reg_schedule_claim(r, "s", 100, 120), 0, "from what it read, it claims");
	cr_assert_eq(reg_schedule_claim(r, "s", 120, 90), 0,
		     "back, too, from what it read (a clock set right again)");
	cr_assert_eq(reg_missed(r, "s", 80, "paused"), 0);
	cr_assert_eq(reg_schedule_get(r, "s", &st), 0);
	cr_expect_eq(st.last_fire, 90, "a missed time moves last_fire forward only");
	cr_assert_eq(reg_missed(r, "s", 200, "paused"), 0);
	reg_close(r);
	r = open_ok();
	cr_assert_eq(reg_schedule_get(r, "s", &st), 0);
	cr_expect_eq(st.paused, 1);
	cr_expect_eq(st.disabled, 1);
	cr_expect_eq(st.last_fire, 200, "a missed time is handled");
	cr_expect_geq(st.first_seen, 0);
	reg_miss *m;
	size_t n;
	cr_assert_eq(reg_misses(r, "s", -1, 0, &m, &n), 0);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(m[0].reason, "paused");
	cr_expect_eq(m[0].fire, 200);
	reg_misses_free(m, n);
	cr_assert_eq(reg_set_paused(r, "s", 0), 0);
	cr_assert_eq(reg_schedule_get(r, "s", &st), 0);
	cr_expect_eq(st.paused, 0);
	reg_close(r);
}

Test(registry, an_older_schema_is_migrated)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/registry.db", dir);
	run_sql(path, "PRAGMA user_version = 0");
	reg *r = open_ok();
	begin(r, "m", 1);
	reg_close(r);
	sqlite3 *db;
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_expect_eq(sqlite3_column_int(st, 0), REG_SCHEMA_VERSION);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

Test(registry, a_newer_schema_is_refused_and_left_alone)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/registry.db", dir);
	run_sql(path, "CREATE TABLE future (x); PRAGMA user_version = 99");
	FILE *f = fopen(path, "rb");
	char before[100], after[100];
	cr_assert_not_null(f);
	cr_assert_eq(fread(before, 1, sizeof(before), f), sizeof(before));
	fclose(f);
	char *why = open_fails();
	cr_expect(strstr(why, "made by a newer cadence"), "%s", why);
	cr_expect(strstr(why, "schema version 99"), "%s", why);
	free(why);
	f = fopen(path, "rb");
	cr_assert_not_null(f);
	cr_assert_eq(fread(after, 1, sizeof(after), f), sizeof(after));
	fclose(f);
	cr_expect(!memcmp(before, after, sizeof(before)), "the header is untouched (no WAL mode set)");
}

Test(registry, a_foreign_database_is_refused)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/registry.db", dir);
	run_sql(path, "CREATE TABLE mine (x)");
	char *why = open_fails();
	cr_expect(strstr(why, "not a cadence run registry"), "%s", why);
	free(why);
}

Test(registry, a_damaged_file_is_refused_and_left_alone)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/registry.db", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	for (int i = 0; i < 4096; i++)
		fputc("garbage!"[i % 8], f);
	fclose(f);
	char *why = open_fails();
	cr_expect(strstr(why, "damaged or not a SQLite database"), "%s", why);
	cr_expect(strstr(why, "cadence left it as it is"), "%s", why);
	free(why);
	struct stat sb;
	cr_assert_eq(stat(path, &sb), 0);
	cr_expect_eq(sb.st_size, 4096);
}

Test(registry, a_directory_in_the_way_is_refused)
{
	char path[600];
	snprintf(path, sizeof(path), "%s/registry.db", dir);
	cr_assert_eq(mkdir(path, 0755), 0);
	char *why = open_fails();
	cr_expect(strstr(why, "is a directory, not a database file"), "%s", why);
	free(why);
}

Test(registry, prune_keeps_the_newest_and_the_recent)
{
	reg *r = open_ok();
	for (int i = 0; i < 5; i++)
		cr_assert_eq(reg_run_end(r, begin(r, "p", 1000 * i), "ok", NULL, NULL, 1000 * i + 1), 0);
	reg_run_end(r, begin(r, "q", 0), "ok", NULL, NULL, 1);
	int64_t running = begin(r, "p", 0);
	int64_t runs, missed;
	cr_assert_eq(reg_prune(r, -1, 3, 1, &runs, &missed), 0);
	cr_expect_eq(runs, 3, "dry run: the 3 oldest of p beyond its newest 3 (the running one counts)");
	cr_assert_eq(reg_prune(r, 2500, 0, 0, &runs, &missed), 0);
	cr_expect_eq(runs, 4, "ended before 2500: p 0..2, q; never the running run");
	reg_run *rs;
	size_t n;
	cr_assert_eq(reg_runs(r, NULL, -1, 0, &rs, &n), 0);
	cr_expect_eq(n, 3);
	cr_expect_eq(rs[0].id, running);
	reg_runs_free(rs, n);
	reg_close(r);
}

/* reg_runs_after, reg_misses_after: the rows beyond a watermark, oldest
 * first, a page at a time (GET /metrics of cadence serve) */
Test(registry, rows_after_an_id_oldest_first_in_pages)
{
	reg *r = open_ok();
	int64_t a = begin(r, "a", 1000), b = begin(r, "b", 2000), c = begin(r, "a", 3000);
	reg_run *runs = NULL;
	size_t n = 0;
	cr_assert_eq(reg_runs_after(r, a, 0, &runs, &n), 0, "%s", reg_error(r));
	cr_assert_eq(n, 2);
	cr_assert_eq(runs[0].id, b);
	cr_assert_eq(runs[1].id, c);
	cr_assert_str_eq(runs[1].cadence, "a");
	reg_runs_free(runs, n);
	cr_assert_eq(reg_runs_after(r, 0, 1, &runs, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(runs[0].id, a);
	reg_runs_free(runs, n);
	cr_assert_eq(reg_runs_after(r, c, 0, &runs, &n), 0);
	cr_assert_eq(n, 0);
	reg_runs_free(runs, n);

	reg_miss *m = NULL;
	cr_assert_eq(reg_missed(r, "s", 100, "paused"), 0);
	cr_assert_eq(reg_missed(r, "t", 200, "overlap"), 0);
	cr_assert_eq(reg_misses_after(r, 0, 0, &m, &n), 0, "%s", reg_error(r));
	cr_assert_eq(n, 2);
	cr_assert_str_eq(m[0].cadence, "s");
	cr_assert_str_eq(m[1].reason, "overlap");
	int64_t first = m[0].id;
	reg_misses_free(m, n);
	cr_assert_eq(reg_misses_after(r, first, 0, &m, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(m[0].cadence, "t");
	reg_misses_free(m, n);
	reg_close(r);
}
