/* SPDX-License-Identifier: MIT */
/* The atomic writer (util/afile) under faults: a system call failing at
 * each step, or the writer killed at each step, leaves the old file or the
 * new one, never a mix; a failure leaves no temporary file; durable writes
 * fsync the file and then the directory (the cad_afile_fault seam). */
#include <cadence/checkpoint.h>

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tmpdir.h"
#include "util/afile.h"

#define OLD "the old contents, longer than the new ones\n"
#define NEW "new contents\n"
#define MAX_STEPS 64

static const char *steps[MAX_STEPS];
static int nsteps;
static int fail_at = -1;	/* the step to fail (or to die at), -1: none */
static int die;			/* _exit() at fail_at instead of failing */

static int hook(const char *step)
{
	int i = nsteps;
	if (nsteps < MAX_STEPS)
		steps[nsteps++] = step;
	if (i != fail_at)
		return 0;
	if (die)
		_exit(0);
	return EIO;
}

static void hook_reset(int at, int kill)
{
	nsteps = 0;
	fail_at = at;
	die = kill;
	cad_afile_fault = hook;
}

static char dir[4096], target[4200];

static void setup(void)
{
	cr_assert_not_null(test_mkdtemp(dir, sizeof(dir), "afile"));
	snprintf(target, sizeof(target), "%s/out.txt", dir);
}

static void rm_all(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[8300];
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
			unlink(p);
		}
	}
	if (d)
		closedir(d);
}

static void teardown(void)
{
	cad_afile_fault = NULL;
	rm_all();
	rmdir(dir);
}

TestSuite(afile, .init = setup, .fini = teardown);

/* Entries of the directory other than "." and ".." and the target. */
static int others(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	cr_assert_not_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "out.txt");
	closedir(d);
	return n;
}

/* The target's contents ("" when it is missing; *exists says which). */
static char *contents(int *exists)
{
	char *s;
	size_t len;
	*exists = !cad_afile_read(target, &s, &len);
	return *exists ? s : strdup("");
}

static void put(const char *what)
{
	cad_afile_fault = NULL;
	rm_all();
	if (what) {
		FILE *f = fopen(target, "w");
		cr_assert_not_null(f);
		fputs(what, f);
		fclose(f);
	}
}

static int index_of(const char *step)
{
	for (int i = 0; i < nsteps; i++)
		if (!strcmp(steps[i], step))
			return i;
	return -1;
}

/* The steps of one write that succeeds. */
static int count_steps(const char *old, int flags)
{
	put(old);
	hook_reset(-1, 0);
	cr_assert_eq(cad_afile_write(target, NEW, strlen(NEW), 0644, flags), 0);
	cad_afile_fault = NULL;
	return nsteps;
}

/* Every step failed in turn: an error, the old file (or none) before the
 * rename, the new one after it, and no temporary file either way. */
static void fault_each_step(const char *old, int flags)
{
	int n = count_steps(old, flags);
	int renamed = index_of("rename");
	cr_assert_geq(renamed, 0);
	cr_assert_geq(n, 3);
	for (int k = 0; k < n; k++) {
		put(old);
		hook_reset(k, 0);
		int e = cad_afile_write(target, NEW, strlen(NEW), 0644, flags);
		cad_afile_fault = NULL;
		cr_assert_eq(e, EIO, "step %d (%s): got %d", k, steps[k], e);
		int exists;
		char *got = contents(&exists);
		if (k <= renamed && old)
			cr_assert_str_eq(got, old, "step %d (%s)", k, steps[k]);
		else if (k <= renamed)
			cr_assert_not(exists, "step %d (%s)", k, steps[k]);
		else
			cr_assert_str_eq(got, NEW, "step %d (%s)", k, steps[k]);
		cr_assert_eq(others(), 0, "step %d (%s): a temporary file is left", k, steps[k]);
		free(got);
	}
}

Test(afile, a_fault_at_each_step_of_a_replace_leaves_old_or_new_and_no_temp)
{
	fault_each_step(OLD, CAD_AFILE_DURABLE);
	fault_each_step(OLD, 0);
	fault_each_step(OLD, CAD_AFILE_DURABLE | CAD_AFILE_SET_MODE);
}

Test(afile, a_fault_at_each_step_of_a_new_file_leaves_none_or_new_and_no_temp)
{
	fault_each_step(NULL, CAD_AFILE_DURABLE);
	fault_each_step(NULL, CAD_AFILE_DURABLE | CAD_AFILE_SET_MODE);
}

/* Written in place (other hard links): not atomic by design (afile.h), but
 * a failure still leaves no temporary file and the link intact. */
Test(afile, a_fault_at_each_step_of_an_in_place_write_leaves_no_temp)
{
	char lnk[8300];
	snprintf(lnk, sizeof(lnk), "%s/link.txt", dir);
	put(OLD);
	cr_assert_eq(link(target, lnk), 0);
	hook_reset(-1, 0);
	cr_assert_eq(cad_afile_write(target, NEW, strlen(NEW), 0644, CAD_AFILE_DURABLE), 0);
	int n = nsteps;
	cr_assert_geq(index_of("ftruncate"), 0);
	for (int k = 0; k < n; k++) {
		put(OLD);
		cr_assert_eq(link(target, lnk), 0);
		hook_reset(k, 0);
		cr_assert_eq(cad_afile_write(target, NEW, strlen(NEW), 0644, CAD_AFILE_DURABLE), EIO,
			     "step %d (%s)", k, steps[k]);
		cad_afile_fault = NULL;
		struct stat a, b;
		cr_assert_eq(stat(target, &a), 0);
		cr_assert_eq(stat(lnk, &b), 0);
		cr_assert_eq(a.st_ino, b.st_ino, "step %d (%s)", k, steps[k]);
		cr_assert_eq(others(), 1, "step %d (%s): a temporary file is left", k, steps[k]);
	}
}

/* The writer killed at each step (a crash): the old file or the new one,
 * whole; at most the temporary file is left, and taking the lock (what
 * the next checkpoint writer does) removes it. */
Test(afile, a_writer_killed_at_each_step_leaves_old_or_new)
{
	int n = count_steps(OLD, CAD_AFILE_DURABLE);
	for (int k = 0; k <= n; k++) {
		put(OLD);
		pid_t pid = fork();
		cr_assert_geq(pid, 0);
		if (pid == 0) {
			hook_reset(k, 1);
			cad_afile_write(target, NEW, strlen(NEW), 0644, CAD_AFILE_DURABLE);
			_exit(0);
		}
		int status;
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		int exists;
		char *got = contents(&exists);
		cr_assert(exists && (!strcmp(got, OLD) || !strcmp(got, NEW)),
			  "killed at step %d: '%s'", k, got);
		free(got);
		cr_assert_leq(others(), 1, "killed at step %d", k);
		cad_afile_lock l;
		long holder = 0;
		cr_assert_eq(cad_afile_lock_take(&l, target, &holder), 0);
		cad_afile_lock_release(&l);
		cr_assert_eq(others(), 0, "killed at step %d: the temporary file stays", k);
	}
}

/* Durable: the data fsync'd before the rename, the directory after it;
 * not durable: neither. */
Test(afile, a_durable_write_fsyncs_the_file_then_the_directory)
{
	count_steps(OLD, CAD_AFILE_DURABLE);
	int f = index_of("fsync"), r = index_of("rename"), d = index_of("fsync_dir");
	cr_assert(f >= 0 && r > f && d > r, "fsync %d, rename %d, fsync_dir %d", f, r, d);
	cr_assert_eq(index_of("open_dir"), d - 1);
	count_steps(NULL, CAD_AFILE_DURABLE);
	cr_assert_gt(index_of("fsync_dir"), index_of("rename"));
	count_steps(OLD, 0);
	cr_assert_eq(index_of("fsync"), -1);
	cr_assert_eq(index_of("fsync_dir"), -1);
}

/* cadence_checkpoint_write_file() is documented durable: it is. */
Test(afile, a_checkpoint_file_is_written_durably)
{
	static const char text[] =
		"{\"format\": \"cadence-checkpoint\", \"version\": 1, \"cadence\": \"c\", "
		"\"run_id\": \"\", \"complete\": false, \"files\": [], "
		"\"frames\": [{\"cadence\": \"c\", \"next\": 1, \"score\": {}}]}";
	cadence_checkpoint *cp = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cr_assert_eq(cadence_checkpoint_parse(&cp, text, strlen(text), &err), 0, "%s", err.message);
	hook_reset(-1, 0);
	cr_assert_eq(cadence_checkpoint_write_file(cp, target, &err), 0, "%s", err.message);
	cad_afile_fault = NULL;
	int f = index_of("fsync"), r = index_of("rename"), d = index_of("fsync_dir");
	cr_assert(f >= 0 && r > f && d > r, "fsync %d, rename %d, fsync_dir %d", f, r, d);
	cadence_checkpoint_free(cp);
}
