/* SPDX-License-Identifier: MIT */
/*
 * The run registry (cli/registry.h, docs/registry.md): registry.db in the
 * state directory, SQLite in WAL mode.  Many cadence processes share it:
 * each write is one short BEGIN IMMEDIATE transaction, SQLite's busy
 * timeout waits for the others, and on top of it every transaction is
 * retried on SQLITE_BUSY/LOCKED, so that a user never sees "database is
 * locked".  A running run holds an flock(2) on runs/<id>.lock, which the
 * kernel drops when its process dies: a run still `running` whose lock is
 * free was killed, and reads as `interrupted`.
 */
#include "registry.h"

#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util/grow.h"

/* How long a transaction is retried on top of SQLite's own wait. */
#define BUSY_TIMEOUT_MS 10000
#define RETRY_FOR_MS 60000

struct reg {
	sqlite3 *db;
	char *dir;		/* the state directory */
	char *path;		/* registry.db */
	char err[1536];
	unsigned seed;		/* the retries' pauses (rand_r) */
	/* runs begun and not ended: their locks */
	struct held { int64_t id; int fd; } *held;
	size_t nheld, cap_held;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int fail(reg *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return -1;
}

static int busy(int rc)
{
	rc &= 0xff;
	return rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
}

/* A failed SQLite call, said for a user: what, where and how to fix. */
static int fail_sql(reg *r, int rc, const char *doing)
{
	int primary = rc & 0xff;
	if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
		return fail(r, "the run registry %s is damaged or not a SQLite database (%s, while "
			    "%s); cadence left it as it is: move it away (mv %s %s.broken) and a "
			    "new one is made on the next run, or repair it with sqlite3's .recover",
			    r->path, sqlite3_errstr(rc), doing, r->path, r->path);
	if (busy(rc))
		return fail(r, "the run registry %s stayed busy for %d s while %s (other cadence "
			    "processes hold it); try again", r->path, RETRY_FOR_MS / 1000, doing);
	if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_PERM)
		return fail(r, "cannot write the run registry %s while %s: %s; make %s and the "
			    "files in it writable, or set another state directory (--state-dir, "
			    "CADENCE_STATE_DIR or state_dir: in cadence.project.yaml)", r->path, doing,
			    sqlite3_errmsg(r->db), r->dir);
	if (primary == SQLITE_FULL || primary == SQLITE_IOERR)
		return fail(r, "cannot write the run registry %s while %s: %s (a full disk?)",
			    r->path, doing, sqlite3_errmsg(r->db));
	return fail(r, "the run registry %s: %s while %s", r->path,
		    r->db ? sqlite3_errmsg(r->db) : sqlite3_errstr(rc), doing);
}

/* A short random pause between retries, so that waiting processes do not
 * retry in step. */
static void backoff(reg *r, unsigned attempt)
{
	struct timespec ts;
	long ms = 5 + (long)((unsigned)rand_r(&r->seed) % (10u + 10u * (attempt < 10 ? attempt : 10)));
	ts.tv_sec = 0;
	ts.tv_nsec = ms * 1000000L;
	nanosleep(&ts, NULL);
}

/* ---- statements --------------------------------------------------------- */

static int exec(reg *r, const char *sql)
{
	return sqlite3_exec(r->db, sql, NULL, NULL, NULL);
}

/* A transaction: body(r, ctx) between BEGIN IMMEDIATE and COMMIT, all of
 * it again while the database is busy.  body returns a SQLite code
 * (SQLITE_OK/SQLITE_DONE: commit), or -1 after fail() (rollback, the
 * error kept). */
static int transact(reg *r, const char *doing, int (*body)(reg *, void *), void *ctx)
{
	int64_t until = now_ms() + RETRY_FOR_MS;
	for (unsigned attempt = 0;; attempt++) {
		int rc = exec(r, "BEGIN IMMEDIATE");
		if (rc == SQLITE_OK) {
			rc = body(r, ctx);
			if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
				rc = exec(r, "COMMIT");
			/* the message before ROLLBACK replaces it ("not an error") */
			if (rc != SQLITE_OK && rc != -1 && (!busy(rc) || now_ms() > until)) {
				fail_sql(r, rc, doing);
				exec(r, "ROLLBACK");
				return -1;
			}
			if (rc != SQLITE_OK)
				exec(r, "ROLLBACK");
			if (rc == SQLITE_OK)
				return 0;
			if (rc == -1)
				return -1;
		}
		if (!busy(rc) || now_ms() > until)
			return fail_sql(r, rc, doing);
		backoff(r, attempt);
	}
}

static int prep(reg *r, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v2(r->db, sql, -1, st, NULL);
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void bind_opt_int(sqlite3_stmt *st, int i, int64_t v)
{
	if (v < 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

static int64_t col_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
}

/* A malloc'd copy of column i (NULL for NULL); *oom set when out of
 * memory. */
static char *col_text(sqlite3_stmt *st, int i, int *oom)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	if (!t)
		return NULL;
	char *s = strdup((const char *)t);
	if (!s)
		*oom = 1;
	return s;
}

/* ---- opening and the schema ----------------------------------------------- */

/* Each migration takes the schema from version i to i + 1. */
static const char *const migrations[REG_SCHEMA_VERSION] = {
	"CREATE TABLE schedules ("
	"  cadence TEXT PRIMARY KEY NOT NULL,"
	"  paused INTEGER NOT NULL DEFAULT 0,"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  last_fire INTEGER,"
	"  first_seen INTEGER NOT NULL);"
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  cadence TEXT NOT NULL,"
	"  file TEXT,"
	"  file_digest TEXT,"
	"  trigger TEXT NOT NULL,"
	"  scheduled_for INTEGER,"
	"  start_ms INTEGER NOT NULL,"
	"  end_ms INTEGER,"
	"  status TEXT NOT NULL,"
	"  error TEXT,"
	"  score_digest TEXT,"
	"  pid INTEGER,"
	"  events_path TEXT,"
	"  trace_path TEXT,"
	"  checkpoint_path TEXT);"
	"CREATE INDEX runs_by_cadence ON runs (cadence, id);"
	"CREATE INDEX runs_by_status ON runs (status);"
	"CREATE TABLE missed ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  cadence TEXT NOT NULL,"
	"  fire INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  recorded_ms INTEGER NOT NULL);"
	"CREATE INDEX missed_by_cadence ON missed (cadence, id);",
	/* 2: webhook deliveries seen (docs/serve.md, "Webhooks"); the key
	 * makes the claim of a delivery atomic */
	"CREATE TABLE deliveries ("
	"  hook TEXT NOT NULL,"
	"  delivery TEXT NOT NULL,"
	"  run TEXT,"
	"  received_ms INTEGER NOT NULL,"
	"  PRIMARY KEY (hook, delivery));",
};

/* The first row's first column of sql, and its second into *v2 when not
 * NULL: one statement, so one snapshot of the database. */
static int read_ints(reg *r, const char *sql, int64_t *v, int64_t *v2)
{
	sqlite3_stmt *st;
	int rc = prep(r, sql, &st);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*v = sqlite3_column_int64(st, 0);
		if (v2)
			*v2 = sqlite3_column_int64(st, 1);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Refuses a schema this cadence does not know: a newer one, or another
 * program's database.  Reads only, so that it runs before anything is
 * written (journal_mode = WAL writes the file's header). */
static int check_schema(reg *r, int64_t *version)
{
	int64_t tables = 0;
	/* the version and the tables in one snapshot: read apart, another
	 * process's migration could land between them (tables, no version) */
	int rc = read_ints(r, "SELECT (SELECT user_version FROM pragma_user_version), "
			   "(SELECT count(*) FROM sqlite_master)", version, &tables);
	if (rc != SQLITE_OK)
		return rc;
	if (*version > REG_SCHEMA_VERSION)
		return fail(r, "the run registry %s was made by a newer cadence (schema version "
			    "%lld; this cadence knows versions up to %d): use that newer cadence, "
			    "or set another state directory (--state-dir, CADENCE_STATE_DIR); "
			    "cadence left the file as it is", r->path, (long long)*version,
			    REG_SCHEMA_VERSION);
	if (*version == 0) {
		if (tables)
			return fail(r, "%s is a SQLite database, but not a cadence run registry "
				    "(it has tables and no schema version); cadence left it as it "
				    "is: move it away, or set another state directory "
				    "(--state-dir, CADENCE_STATE_DIR)", r->path);
	}
	return SQLITE_OK;
}

/* Read again inside the write transaction: another process may have
 * migrated meanwhile. */
static int migrate_body(reg *r, void *ctx)
{
	(void)ctx;
	int64_t version = 0;
	int rc = check_schema(r, &version);
	if (rc != SQLITE_OK)
		return rc;
	for (int64_t v = version; v < REG_SCHEMA_VERSION; v++) {
		char sql[64];
		if ((rc = exec(r, migrations[v])) != SQLITE_OK)
			return rc;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)v + 1);
		if ((rc = exec(r, sql)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* check_schema() before anything is written, retried while busy. */
static int precheck(reg *r)
{
	int64_t until = now_ms() + RETRY_FOR_MS, version;
	for (unsigned attempt = 0;; attempt++) {
		int rc = check_schema(r, &version);
		if (rc == SQLITE_OK)
			return 0;
		if (rc == -1)
			return -1;
		if (!busy(rc) || now_ms() > until)
			return fail_sql(r, rc, "opening it");
		backoff(r, attempt);
	}
}

/* WAL mode (a setting of the file: once made, it stays); retried while
 * another process holds the database. */
static int wal_mode(reg *r)
{
	int64_t until = now_ms() + RETRY_FOR_MS;
	for (unsigned attempt = 0;; attempt++) {
		int rc = exec(r, "PRAGMA journal_mode = WAL");
		if (rc == SQLITE_OK)
			return 0;
		if (!busy(rc) || now_ms() > until)
			return fail_sql(r, rc, "opening it");
		backoff(r, attempt);
	}
}

/* The state directory and its runs/, made when missing; a clear message
 * for what is in the way. */
static int make_dirs(reg *r)
{
	char runs[4096];
	struct stat sb;
	const char *dirs[2] = { r->dir, runs };
	snprintf(runs, sizeof(runs), "%s/runs", r->dir);
	for (int i = 0; i < 2; i++) {
		if (mkdir(dirs[i], 0777) && errno != EEXIST) {
			/* a parent missing: made like mkdir -p */
			if (errno == ENOENT && i == 0) {
				char tmp[4096];
				snprintf(tmp, sizeof(tmp), "%s", dirs[i]);
				for (char *p = tmp + 1; *p; p++)
					if (*p == '/') {
						*p = 0;
						mkdir(tmp, 0777);
						*p = '/';
					}
				if (!mkdir(dirs[i], 0777) || errno == EEXIST)
					continue;
			}
			return fail(r, "cannot make the state directory %s: %s; make it (or its "
				    "parent) writable, or set another one (--state-dir, "
				    "CADENCE_STATE_DIR or state_dir: in cadence.project.yaml)",
				    dirs[i], strerror(errno));
		}
		if (stat(dirs[i], &sb) || !S_ISDIR(sb.st_mode))
			return fail(r, "the state directory %s is not a directory; move it away, "
				    "or set another one (--state-dir, CADENCE_STATE_DIR)", dirs[i]);
	}
	return 0;
}

static int open_db(reg *r)
{
	struct stat sb;
	if (!stat(r->path, &sb) && !S_ISREG(sb.st_mode))
		return fail(r, "the run registry %s is a %s, not a database file; move it away "
			    "(cadence makes a new registry there) or set another state directory "
			    "(--state-dir, CADENCE_STATE_DIR)", r->path,
			    S_ISDIR(sb.st_mode) ? "directory" : "special file");
	if (access(r->dir, W_OK) && errno == EACCES)
		return fail(r, "the state directory %s is read-only, and the run registry %s "
			    "needs to write there (its journal); make it writable, or set "
			    "another state directory (--state-dir, CADENCE_STATE_DIR or "
			    "state_dir: in cadence.project.yaml)", r->dir, r->path);
	int rc = sqlite3_open_v2(r->path, &r->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK)
		return fail_sql(r, rc, "opening it");
	sqlite3_busy_timeout(r->db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(r->db, 1);
	/* Each cadence process opens the registry for a moment: closing the
	 * last connection would checkpoint, sync and delete the WAL, then the
	 * next process make it again (most of a run's recording cost,
	 * bench/registry.sh).  The WAL is kept and checkpointed by the commits
	 * that fill it (SQLite's autocheckpoint, every 1000 pages). */
	int one = 1;
	sqlite3_db_config(r->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	sqlite3_file_control(r->db, "main", SQLITE_FCNTL_PERSIST_WAL, &one);
	if (precheck(r) || wal_mode(r))
		return -1;
	/* WAL: a commit is durable at the next checkpoint; NORMAL loses no
	 * consistency on a crash, only the last commits on a power loss */
	exec(r, "PRAGMA synchronous = NORMAL");
	exec(r, "PRAGMA foreign_keys = ON");
	return transact(r, "reading its schema", migrate_body, NULL);
}

int reg_open(const char *state_dir, reg **out, char **why)
{
	reg *r = calloc(1, sizeof(*r));
	*out = NULL;
	*why = NULL;
	if (!r || !state_dir || !(r->dir = strdup(state_dir)) ||
	    !(r->path = malloc(strlen(state_dir) + sizeof("/registry.db")))) {
		*why = strdup(state_dir ? "out of memory"
			      : "no state directory: set HOME, XDG_STATE_HOME or CADENCE_STATE_DIR, "
				"or give --state-dir");
		reg_close(r);
		return -1;
	}
	sprintf(r->path, "%s/registry.db", state_dir);
	r->seed = (unsigned)getpid() ^ (unsigned)now_ms();
	if (make_dirs(r) || open_db(r)) {
		*why = strdup(r->err);
		reg_close(r);
		return -1;
	}
	*out = r;
	return 0;
}

void reg_close(reg *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nheld; i++)
		close(r->held[i].fd);
	free(r->held);
	sqlite3_close(r->db);
	free(r->dir);
	free(r->path);
	free(r);
}

const char *reg_error(const reg *r)
{
	return r->err;
}

const char *reg_path(const reg *r)
{
	return r->path;
}

/* ---- runs ---------------------------------------------------------------- */

static const char *const trigger_names[] = { "manual", "schedule", "api", "webhook" };

static void lock_path(const reg *r, char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/runs/%s", r->dir, name);
}

typedef struct begin_ctx {
	const reg_run_info *info;
	char lock[4096];	/* the lock file: renamed to <id>.lock inside the transaction */
	int64_t id;
} begin_ctx;

/* The row and the lock's name commit together: a reader never sees a
 * running row without its lock. */
static int begin_body(reg *r, void *p)
{
	begin_ctx *b = p;
	const reg_run_info *in = b->info;
	sqlite3_stmt *st;
	int rc = prep(r, "INSERT INTO runs (cadence, file, file_digest, trigger, scheduled_for, "
		      "start_ms, status, pid, events_path, trace_path, checkpoint_path) "
		      "VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)", &st);
	if (rc != SQLITE_OK)
		return rc;
	bind_text(st, 1, in->cadence);
	bind_text(st, 2, in->file);
	bind_text(st, 3, in->file_digest);
	bind_text(st, 4, trigger_names[(unsigned)in->trigger < 4 ? in->trigger : 0]);
	bind_opt_int(st, 5, in->scheduled_for);
	sqlite3_bind_int64(st, 6, in->start_ms);
	sqlite3_bind_int64(st, 7, (int64_t)getpid());
	bind_text(st, 8, in->events_path);
	bind_text(st, 9, in->trace_path);
	bind_text(st, 10, in->checkpoint_path);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	b->id = sqlite3_last_insert_rowid(r->db);
	char name[64], to[4096];
	snprintf(name, sizeof(name), "%lld.lock", (long long)b->id);
	lock_path(r, to, sizeof(to), name);
	if (strcmp(b->lock, to) && rename(b->lock, to))
		return fail(r, "cannot make the run's lock %s: %s", to, strerror(errno));
	/* a retried transaction renames it from there */
	snprintf(b->lock, sizeof(b->lock), "%s", to);
	return SQLITE_OK;
}

int reg_run_begin(reg *r, const reg_run_info *info, int64_t *id)
{
	static const begin_ctx none;
	begin_ctx b = none;
	char name[64];
	snprintf(name, sizeof(name), "new-%ld-%lld.lock", (long)getpid(), (long long)now_ms());
	lock_path(r, b.lock, sizeof(b.lock), name);
	b.info = info;
	b.id = -1;
	if (CAD_GROW(r->held, r->cap_held, r->nheld + 1, 4))
		return fail(r, "out of memory");
	/* O_CLOEXEC: a note's process must not keep the lock of a run
	 * whose cadence process died */
	int fd = open(b.lock, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return fail(r, "cannot make the run's lock %s: %s; make %s/runs writable",
			    b.lock, strerror(errno), r->dir);
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;
		close(fd);
		unlink(b.lock);
		return fail(r, "cannot lock %s: %s", b.lock, strerror(e));
	}
	if (transact(r, "recording a run's start", begin_body, &b)) {
		unlink(b.lock);	/* where it is now: renamed or not */
		close(fd);
		return -1;
	}
	r->held[r->nheld].id = b.id;
	r->held[r->nheld++].fd = fd;
	*id = b.id;
	return 0;
}

typedef struct end_ctx {
	int64_t id;
	const char *status, *error, *digest;
	int64_t end_ms;
} end_ctx;

static int end_body(reg *r, void *p)
{
	end_ctx *e = p;
	sqlite3_stmt *st;
	int rc = prep(r, "UPDATE runs SET status = ?, error = ?, score_digest = ?, end_ms = ? "
		      "WHERE id = ?", &st);
	if (rc != SQLITE_OK)
		return rc;
	bind_text(st, 1, e->status);
	bind_text(st, 2, e->error);
	bind_text(st, 3, e->digest);
	sqlite3_bind_int64(st, 4, e->end_ms);
	sqlite3_bind_int64(st, 5, e->id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc;
}

int reg_run_end(reg *r, int64_t id, const char *status, const char *error,
		const char *score_digest, int64_t end_ms)
{
	end_ctx e = { id, status, error, score_digest, end_ms };
	int rc = transact(r, "recording a run's end", end_body, &e);
	/* the lock goes only after the end is committed: a reader that finds
	 * it free finds the end too */
	for (size_t i = 0; i < r->nheld; i++) {
		if (r->held[i].id != id)
			continue;
		char name[64], path[4096];
		snprintf(name, sizeof(name), "%lld.lock", (long long)id);
		lock_path(r, path, sizeof(path), name);
		unlink(path);
		close(r->held[i].fd);
		r->held[i] = r->held[--r->nheld];
		break;
	}
	return rc;
}

/* 1 when the run's process still holds its lock. */
static int lock_held(const reg *r, int64_t id)
{
	for (size_t i = 0; i < r->nheld; i++)
		if (r->held[i].id == id)
			return 1;
	char name[64], path[4096];
	snprintf(name, sizeof(name), "%lld.lock", (long long)id);
	lock_path(r, path, sizeof(path), name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : 1;	/* cannot tell: not reaped */
	int held = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

typedef struct reap_ctx {
	int64_t *ids;
	size_t n;
	int64_t done;
} reap_ctx;

static int reap_body(reg *r, void *p)
{
	reap_ctx *c = p;
	sqlite3_stmt *st;
	int rc = prep(r, "UPDATE runs SET status = 'interrupted', error = 'the run''s process "
		      "ended without recording its end (killed, or the machine stopped)' "
		      "WHERE id = ? AND status = 'running'", &st);
	if (rc != SQLITE_OK)
		return rc;
	c->done = 0;
	for (size_t i = 0; i < c->n && rc == SQLITE_OK; i++) {
		sqlite3_bind_int64(st, 1, c->ids[i]);
		if ((rc = sqlite3_step(st)) == SQLITE_DONE)
			rc = SQLITE_OK;
		c->done += sqlite3_changes(r->db);
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Reads rows of a query, retried while busy: each row to row(r, st, ctx),
 * which returns 0 or -1 (out of memory). */
static int query(reg *r, const char *doing, sqlite3_stmt *st,
		 int (*row)(reg *, sqlite3_stmt *, void *), void *ctx, int (*restart)(void *))
{
	int64_t until = now_ms() + RETRY_FOR_MS;
	for (unsigned attempt = 0;; attempt++) {
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if (row(r, st, ctx)) {
				sqlite3_reset(st);
				return fail(r, "out of memory");
			}
		sqlite3_reset(st);
		if (rc == SQLITE_DONE)
			return 0;
		if (!busy(rc) || now_ms() > until)
			return fail_sql(r, rc, doing);
		if (restart)
			restart(ctx);
		backoff(r, attempt);
	}
}

static int add_id(reg *r, sqlite3_stmt *st, void *p)
{
	(void)r;
	reap_ctx *c = p;
	size_t cap = c->n;	/* grows one by one: few rows run at once */
	int64_t *ids = cad_realloc_array(c->ids, cap + 1, sizeof(*ids));
	if (!ids)
		return -1;
	c->ids = ids;
	c->ids[c->n++] = sqlite3_column_int64(st, 0);
	return 0;
}

static int reset_ids(void *p)
{
	((reap_ctx *)p)->n = 0;
	return 0;
}

int reg_reap(reg *r)
{
	sqlite3_stmt *st;
	reap_ctx c = { NULL, 0, 0 };
	int rc = prep(r, "SELECT id FROM runs WHERE status = 'running'", &st);
	if (rc != SQLITE_OK)
		return fail_sql(r, rc, "reading the runs");
	rc = query(r, "reading the runs", st, add_id, &c, reset_ids);
	sqlite3_finalize(st);
	size_t dead = 0;
	for (size_t i = 0; !rc && i < c.n; i++)
		if (!lock_held(r, c.ids[i]))
			c.ids[dead++] = c.ids[i];
	c.n = dead;
	if (!rc && dead)
		rc = transact(r, "marking interrupted runs", reap_body, &c);
	/* their lock files, left by the dead */
	for (size_t i = 0; !rc && i < dead; i++) {
		char name[64], path[4096];
		snprintf(name, sizeof(name), "%lld.lock", (long long)c.ids[i]);
		lock_path(r, path, sizeof(path), name);
		unlink(path);
	}
	free(c.ids);
	return rc ? -1 : (int)c.done;
}

/* ---- schedules ------------------------------------------------------------ */

static int upsert_schedule(reg *r, const char *cadence)
{
	sqlite3_stmt *st;
	int rc = prep(r, "INSERT OR IGNORE INTO schedules (cadence, first_seen) VALUES (?, ?)", &st);
	if (rc != SQLITE_OK)
		return rc;
	bind_text(st, 1, cadence);
	sqlite3_bind_int64(st, 2, now_ms() / 1000);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

typedef struct sched_ctx {
	const char *cadence;
	reg_schedule_state *st;
	int found;
} sched_ctx;

static int sched_row(reg *r, sqlite3_stmt *st, void *p)
{
	(void)r;
	sched_ctx *c = p;
	c->st->paused = sqlite3_column_int(st, 0);
	c->st->disabled = sqlite3_column_int(st, 1);
	c->st->last_fire = col_int(st, 2);
	c->st->first_seen = col_int(st, 3);
	c->found = 1;
	return 0;
}

int reg_schedule_get(reg *r, const char *cadence, reg_schedule_state *out)
{
	sqlite3_stmt *st;
	sched_ctx c = { cadence, out, 0 };
	out->paused = out->disabled = 0;
	out->last_fire = out->first_seen = -1;
	int rc = prep(r, "SELECT paused, disabled, last_fire, first_seen FROM schedules "
		      "WHERE cadence = ?", &st);
	if (rc != SQLITE_OK)
		return fail_sql(r, rc, "reading a schedule");
	bind_text(st, 1, cadence);
	rc = query(r, "reading a schedule", st, sched_row, &c, NULL);
	sqlite3_finalize(st);
	return rc;
}

typedef struct claim_ctx {
	const char *cadence;
	int64_t fire;
	int already;
	int cas;		/* set last_fire = fire only if it is still `seen` */
	int64_t seen;
} claim_ctx;

/* last_fire = max(last_fire, fire), already: it was >= fire; or, with
 * cas, last_fire = fire when it is `seen`, already: it was not. */
static int advance(reg *r, claim_ctx *c)
{
	sqlite3_stmt *st;
	int64_t last = -1;
	int rc = upsert_schedule(r, c->cadence);
	if (rc != SQLITE_OK || (rc = prep(r, "SELECT last_fire FROM schedules WHERE cadence = ?",
					  &st)) != SQLITE_OK)
		return rc;
	bind_text(st, 1, c->cadence);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		last = col_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc;
	c->already = c->cas ? last != c->seen : last >= c->fire;
	if (c->already)
		return SQLITE_OK;
	if ((rc = prep(r, "UPDATE schedules SET last_fire = ? WHERE cadence = ?", &st)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, c->fire);
	bind_text(st, 2, c->cadence);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc;
}

static int claim_body(reg *r, void *p)
{
	return advance(r, p);
}

int reg_schedule_claim(reg *r, const char *cadence, int64_t seen, int64_t fire)
{
	claim_ctx c = { cadence, fire, 0, 1, seen < 0 ? -1 : seen };
	if (transact(r, "claiming a fire time", claim_body, &c))
		return -1;
	return c.already ? 1 : 0;
}

typedef struct flag_ctx {
	const char *cadence, *column;
	int on;
} flag_ctx;

static int flag_body(reg *r, void *p)
{
	flag_ctx *f = p;
	sqlite3_stmt *st;
	char sql[128];
	int rc = upsert_schedule(r, f->cadence);
	if (rc != SQLITE_OK)
		return rc;
	snprintf(sql, sizeof(sql), "UPDATE schedules SET %s = ? WHERE cadence = ?", f->column);
	if ((rc = prep(r, sql, &st)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int(st, 1, !!f->on);
	bind_text(st, 2, f->cadence);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc;
}

int reg_set_paused(reg *r, const char *cadence, int paused)
{
	flag_ctx f = { cadence, "paused", paused };
	return transact(r, paused ? "pausing a schedule" : "resuming a schedule", flag_body, &f);
}

int reg_set_disabled(reg *r, const char *cadence, int disabled)
{
	flag_ctx f = { cadence, "disabled", disabled };
	return transact(r, disabled ? "disabling a schedule" : "enabling a schedule", flag_body, &f);
}

typedef struct missed_ctx {
	claim_ctx claim;
	const char *reason;
} missed_ctx;

static int missed_body(reg *r, void *p)
{
	missed_ctx *m = p;
	sqlite3_stmt *st;
	int rc = prep(r, "INSERT INTO missed (cadence, fire, reason, recorded_ms) VALUES (?, ?, ?, ?)",
		      &st);
	if (rc != SQLITE_OK)
		return rc;
	bind_text(st, 1, m->claim.cadence);
	sqlite3_bind_int64(st, 2, m->claim.fire);
	bind_text(st, 3, m->reason);
	sqlite3_bind_int64(st, 4, now_ms());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	return advance(r, &m->claim);	/* a missed time is handled too */
}

int reg_missed(reg *r, const char *cadence, int64_t fire, const char *reason)
{
	missed_ctx m = { { cadence, fire, 0, 0, -1 }, reason };
	return transact(r, "recording a missed fire time", missed_body, &m);
}

/* ---- reading ---------------------------------------------------------------- */

typedef struct runs_ctx {
	reg_run *runs;
	size_t n, cap;
} runs_ctx;

static int run_row(reg *r, sqlite3_stmt *st, void *p)
{
	(void)r;
	runs_ctx *c = p;
	int oom = 0;
	if (CAD_GROW(c->runs, c->cap, c->n + 1, 16))
		return -1;
	reg_run *x = &c->runs[c->n++];
	memset(x, 0, sizeof(*x));
	x->id = sqlite3_column_int64(st, 0);
	x->cadence = col_text(st, 1, &oom);
	x->file = col_text(st, 2, &oom);
	x->file_digest = col_text(st, 3, &oom);
	x->trigger = col_text(st, 4, &oom);
	x->scheduled_for = col_int(st, 5);
	x->start_ms = col_int(st, 6);
	x->end_ms = col_int(st, 7);
	x->status = col_text(st, 8, &oom);
	x->error = col_text(st, 9, &oom);
	x->score_digest = col_text(st, 10, &oom);
	x->pid = col_int(st, 11);
	x->events_path = col_text(st, 12, &oom);
	x->trace_path = col_text(st, 13, &oom);
	x->checkpoint_path = col_text(st, 14, &oom);
	return oom ? -1 : 0;
}

static int restart_runs(void *p)
{
	runs_ctx *c = p;
	reg_runs_free(c->runs, c->n);
	c->runs = NULL;
	c->n = c->cap = 0;
	return 0;
}

/* Which rows a read takes: those of a cadence, since a time, newest first;
 * or (after) those past a known id, oldest first.  limit 0: all of them. */
typedef struct reg_sel {
	const char *cadence;	/* NULL: every cadence */
	int64_t since_ms;	/* < 0: any time */
	int after;
	int64_t after_id;
	size_t limit;
} reg_sel;

/* Reads the rows of "SELECT ... FROM table" (cols) that sel picks, each
 * to row(); time is the condition of since_ms ("AND start_ms >= ?"). */
static int select_rows(reg *r, const char *cols, const char *time, const reg_sel *sel,
		       const char *doing, int (*row)(reg *, sqlite3_stmt *, void *), void *ctx,
		       int (*restart)(void *))
{
	char sql[512];
	sqlite3_stmt *st;
	snprintf(sql, sizeof(sql), "%s WHERE 1 %s %s %s ORDER BY id %s LIMIT ?", cols,
		 sel->cadence ? "AND cadence = ?" : "", sel->since_ms >= 0 ? time : "",
		 sel->after ? "AND id > ?" : "", sel->after ? "" : "DESC");
	int rc = prep(r, sql, &st);
	if (rc != SQLITE_OK)
		return fail_sql(r, rc, doing);
	int i = 1;
	if (sel->cadence)
		bind_text(st, i++, sel->cadence);
	if (sel->since_ms >= 0)
		sqlite3_bind_int64(st, i++, sel->since_ms);
	if (sel->after)
		sqlite3_bind_int64(st, i++, sel->after_id);
	sqlite3_bind_int64(st, i, sel->limit ? (int64_t)sel->limit : -1);
	rc = query(r, doing, st, row, ctx, restart);
	sqlite3_finalize(st);
	return rc;
}

static int select_runs(reg *r, const reg_sel *sel, reg_run **out, size_t *n)
{
	runs_ctx c = { NULL, 0, 0 };
	if (select_rows(r,
			"SELECT id, cadence, file, file_digest, trigger, scheduled_for, start_ms, "
			"end_ms, status, error, score_digest, pid, events_path, trace_path, "
			"checkpoint_path FROM runs",
			"AND start_ms >= ?", sel, "reading the runs", run_row, &c, restart_runs)) {
		reg_runs_free(c.runs, c.n);
		return -1;
	}
	*out = c.runs;
	*n = c.n;
	return 0;
}

int reg_runs(reg *r, const char *cadence, int64_t since_ms, size_t limit, reg_run **out,
	     size_t *n)
{
	reg_sel sel = { cadence, since_ms, 0, 0, limit };
	*out = NULL;
	*n = 0;
	if (reg_reap(r) < 0)
		return -1;
	return select_runs(r, &sel, out, n);
}

void reg_runs_free(reg_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		reg_run *x = &runs[i];
		free(x->cadence);
		free(x->file);
		free(x->file_digest);
		free(x->trigger);
		free(x->status);
		free(x->error);
		free(x->score_digest);
		free(x->events_path);
		free(x->trace_path);
		free(x->checkpoint_path);
	}
	free(runs);
}

typedef struct miss_ctx {
	reg_miss *m;
	size_t n, cap;
} miss_ctx;

static int miss_row(reg *r, sqlite3_stmt *st, void *p)
{
	(void)r;
	miss_ctx *c = p;
	int oom = 0;
	if (CAD_GROW(c->m, c->cap, c->n + 1, 16))
		return -1;
	reg_miss *x = &c->m[c->n++];
	x->id = sqlite3_column_int64(st, 0);
	x->cadence = col_text(st, 1, &oom);
	x->fire = col_int(st, 2);
	x->reason = col_text(st, 3, &oom);
	x->recorded_ms = col_int(st, 4);
	return oom ? -1 : 0;
}

static int restart_misses(void *p)
{
	miss_ctx *c = p;
	reg_misses_free(c->m, c->n);
	c->m = NULL;
	c->n = c->cap = 0;
	return 0;
}

static int select_misses(reg *r, const reg_sel *sel, reg_miss **out, size_t *n)
{
	miss_ctx c = { NULL, 0, 0 };
	*out = NULL;
	*n = 0;
	if (select_rows(r, "SELECT id, cadence, fire, reason, recorded_ms FROM missed",
			"AND recorded_ms >= ?", sel, "reading the missed fire times", miss_row, &c,
			restart_misses)) {
		reg_misses_free(c.m, c.n);
		return -1;
	}
	*out = c.m;
	*n = c.n;
	return 0;
}

int reg_misses(reg *r, const char *cadence, int64_t since_ms, size_t limit, reg_miss **out,
	       size_t *n)
{
	reg_sel sel = { cadence, since_ms, 0, 0, limit };
	return select_misses(r, &sel, out, n);
}

void reg_misses_free(reg_miss *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].cadence);
		free(m[i].reason);
	}
	free(m);
}

static int count_row(reg *r, sqlite3_stmt *st, void *p)
{
	(void)r;
	*(int64_t *)p = sqlite3_column_int64(st, 0);
	return 0;
}

int reg_running(reg *r, const char *cadence, int64_t *n)
{
	sqlite3_stmt *st;
	*n = 0;
	if (reg_reap(r) < 0)
		return -1;
	int rc = prep(r, "SELECT count(*) FROM runs WHERE status = 'running' AND cadence = ?", &st);
	if (rc != SQLITE_OK)
		return fail_sql(r, rc, "reading the runs");
	bind_text(st, 1, cadence);
	rc = query(r, "reading the runs", st, count_row, n, NULL);
	sqlite3_finalize(st);
	return rc;
}

/* ---- retention ------------------------------------------------------------- */

typedef struct prune_ctx {
	int64_t before_ms, keep;
	int dry_run;
	int64_t runs, missed;
} prune_ctx;

/* The rows to remove, as "FROM table WHERE ...": older than the bound,
 * or beyond the newest `keep` of their cadence. */
#define PRUNE_RUNS                                                                         \
	"FROM runs WHERE status != 'running' AND (coalesce(end_ms, start_ms) < ?1 OR id IN " \
	"(SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY cadence ORDER BY id "  \
	"DESC) AS n FROM runs) WHERE ?2 > 0 AND n > ?2))"
#define PRUNE_MISSED                                                                   \
	"FROM missed WHERE recorded_ms < ?1 OR id IN (SELECT id FROM (SELECT id, "      \
	"row_number() OVER (PARTITION BY cadence ORDER BY id DESC) AS n FROM missed) " \
	"WHERE ?2 > 0 AND n > ?2)"

static int prune_one(reg *r, prune_ctx *c, const char *from, int64_t *count)
{
	char sql[512];
	sqlite3_stmt *st;
	snprintf(sql, sizeof(sql), "SELECT count(*) %s", from);
	int rc = prep(r, sql, &st);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, c->before_ms);
	sqlite3_bind_int64(st, 2, c->keep);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*count = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc;
	if (c->dry_run || !*count)
		return SQLITE_OK;
	snprintf(sql, sizeof(sql), "DELETE %s", from);
	if ((rc = prep(r, sql, &st)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(st, 1, c->before_ms);
	sqlite3_bind_int64(st, 2, c->keep);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int prune_body(reg *r, void *p)
{
	prune_ctx *c = p;
	int rc = prune_one(r, c, PRUNE_RUNS, &c->runs);
	return rc == SQLITE_OK ? prune_one(r, c, PRUNE_MISSED, &c->missed) : rc;
}

int reg_prune(reg *r, int64_t before_ms, int64_t keep, int dry_run, int64_t *runs,
	      int64_t *missed)
{
	prune_ctx c = { before_ms < 0 ? INT64_MIN : before_ms, keep < 0 ? 0 : keep, dry_run, 0, 0 };
	*runs = *missed = 0;
	if (reg_reap(r) < 0 || transact(r, "pruning", prune_body, &c))
		return -1;
	*runs = c.runs;
	*missed = c.missed;
	return 0;
}

/* Rows after a known id, oldest first: what a reader that keeps a
 * watermark (GET /metrics of `cadence serve`) reads, at a cost of the new
 * rows only (the id is the table's rowid). */
int reg_runs_after(reg *r, int64_t after_id, size_t limit, reg_run **out, size_t *n)
{
	reg_sel sel = { NULL, -1, 1, after_id, limit };
	*out = NULL;
	*n = 0;
	return select_runs(r, &sel, out, n);
}

int reg_misses_after(reg *r, int64_t after_id, size_t limit, reg_miss **out, size_t *n)
{
	reg_sel sel = { NULL, -1, 1, after_id, limit };
	return select_misses(r, &sel, out, n);
}

/* ---- webhook deliveries ------------------------------------------------- */

typedef struct delivery_ctx {
	const char *hook, *delivery, *run;
	int64_t received_ms;
	int seen;		/* claim: it was there already */
	char *first;		/* claim: its run, malloc'd (NULL: none yet) */
	int oom;
} delivery_ctx;

/* INSERT OR IGNORE, then the row: one transaction, so of two claims of
 * one delivery exactly one inserts. */
static int claim_delivery_body(reg *r, void *p)
{
	delivery_ctx *d = p;
	sqlite3_stmt *st;
	int rc = prep(r, "INSERT OR IGNORE INTO deliveries (hook, delivery, received_ms) "
		      "VALUES (?, ?, ?)", &st);
	if (rc != SQLITE_OK)
		return rc;
	bind_text(st, 1, d->hook);
	bind_text(st, 2, d->delivery);
	sqlite3_bind_int64(st, 3, d->received_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc;
	d->seen = sqlite3_changes(r->db) == 0;
	if (!d->seen)
		return SQLITE_DONE;
	if ((rc = prep(r, "SELECT run FROM deliveries WHERE hook = ? AND delivery = ?", &st)))
		return rc;
	bind_text(st, 1, d->hook);
	bind_text(st, 2, d->delivery);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		free(d->first);
		d->first = col_text(st, 0, &d->oom);
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return rc;
}

int reg_delivery_claim(reg *r, const char *hook, const char *delivery, int64_t now_ms_,
		       char **first_run)
{
	delivery_ctx d = { hook, delivery, NULL, now_ms_, 0, NULL, 0 };
	*first_run = NULL;
	if (transact(r, "claiming a webhook delivery", claim_delivery_body, &d)) {
		free(d.first);
		return -1;
	}
	if (d.oom)
		return fail(r, "out of memory");
	*first_run = d.first;
	return d.seen;
}

static int set_delivery_body(reg *r, void *p)
{
	delivery_ctx *d = p;
	sqlite3_stmt *st;
	int rc = prep(r, d->run ? "UPDATE deliveries SET run = ? WHERE hook = ? AND delivery = ?"
		      : "DELETE FROM deliveries WHERE ?1 IS NULL AND hook = ?2 AND delivery = ?3",
		      &st);
	if (rc != SQLITE_OK)
		return rc;
	bind_text(st, 1, d->run);
	bind_text(st, 2, d->hook);
	bind_text(st, 3, d->delivery);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc;
}

int reg_delivery_set_run(reg *r, const char *hook, const char *delivery, const char *run)
{
	delivery_ctx d = { hook, delivery, run, 0, 0, NULL, 0 };
	return transact(r, run ? "recording a webhook delivery's run"
			: "forgetting a webhook delivery", set_delivery_body, &d);
}
