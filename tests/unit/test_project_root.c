/* SPDX-License-Identifier: MIT */
/* Issue 14 item 14: cadence_project_set_root() confines child cadences to
 * a directory, by real path; cadence_check() reports those that lead out
 * (outside-root) without reading them. */
#define _XOPEN_SOURCE 700
#include <cadence/cadence.h>

#include "tmpdir.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];
static char proj[300], out[300];

#define put(path, text) cr_assert_eq(test_write_file((path), (text)), 0, "cannot write %s", (path))

static void setup(void)
{
	char path[360];
	cr_assert_not_null(test_mkdtemp(dir, sizeof(dir), "root"));
	snprintf(proj, sizeof(proj), "%s/proj", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	cr_assert_eq(mkdir(proj, 0700), 0);
	cr_assert_eq(mkdir(out, 0700), 0);
	snprintf(path, sizeof(path), "%s/pay.cadence.yaml", out);
	put(path, "cadence: pay\nnotes:\n  c: {set: {}}\nmeasures:\n  - then: c\n");
	snprintf(path, sizeof(path), "%s/main.cadence.yaml", proj);
	put(path, "cadence: main\nnotes:\n  a: {set: {}}\nmeasures:\n  - then: a\n"
		  "  - child: c\n    cadence: ../out/pay\n");
	snprintf(path, sizeof(path), "%s/link", proj);
	cr_assert_eq(symlink(out, path), 0);
	snprintf(path, sizeof(path), "%s/via.cadence.yaml", proj);
	put(path, "cadence: via\nnotes:\n  a: {set: {}}\nmeasures:\n  - then: a\n"
		  "  - child: c\n    cadence: link/pay\n");
}

static void teardown(void)
{
	char cmd[320];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(project_root, .init = setup, .fini = teardown);

/* Loads NAME from proj under `root` (NULL: none) and resolves its child. */
static int child_of(const char *name, const char *root, cadence_diags *d)
{
	char path[360];
	cadence_project *p = NULL;
	const cadence_def *def = NULL, *child = NULL;
	const char *tried = NULL;

	snprintf(path, sizeof(path), "%s/%s", proj, name);
	cr_assert_eq(cadence_project_new(&p, NULL), 0);
	cr_assert_eq(cadence_project_set_root(p, root), 0);
	cr_assert_eq(cadence_project_load_file(&def, p, path, d), 0);
	int rc = cadence_project_child(&child, &tried, p, def, 1, d);
	cr_assert_not_null(tried);
	cr_assert_eq(rc == 0, child != NULL);
	if (rc == CADENCE_EOUTSIDE)
		cr_assert_eq(cadence_project_file_count(p), 1, "a child outside was loaded");
	cadence_check(def, p, NULL, d);
	cadence_project_free(p);
	return rc;
}

static size_t count(const cadence_diags *d, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < cadence_diags_count(d); i++)
		n += !strcmp(cadence_diags_get(d, i)->rule, rule);
	return n;
}

Test(project_root, a_child_outside_the_root_is_not_read)
{
	static const char *const names[] = { "main.cadence.yaml", "via.cadence.yaml" };
	for (size_t i = 0; i < 2; i++) {
		cadence_diags *d = NULL;
		cr_assert_eq(cadence_diags_new(&d), 0);
		cr_assert_eq(child_of(names[i], proj, d), CADENCE_EOUTSIDE, "%s", names[i]);
		cr_assert_eq(count(d, "outside-root"), 1, "%s", names[i]);
		cadence_diags_free(d);
	}
}

Test(project_root, without_a_root_or_under_a_wider_one_it_is)
{
	const char *roots[] = { NULL, dir };
	for (size_t i = 0; i < 2; i++) {
		cadence_diags *d = NULL;
		cr_assert_eq(cadence_diags_new(&d), 0);
		cr_assert_eq(child_of("main.cadence.yaml", roots[i], d), 0);
		cr_assert_eq(child_of("via.cadence.yaml", roots[i], d), 0);
		cr_assert_eq(cadence_diags_count(d), 0, "%s", cadence_diags_get(d, 0)->message);
		cadence_diags_free(d);
	}
}

Test(project_root, a_root_that_does_not_exist_is_refused)
{
	cadence_project *p = NULL;
	cr_assert_eq(cadence_project_new(&p, NULL), 0);
	cr_assert_eq(cadence_project_set_root(p, "/nonexistent/cadence-root"), CADENCE_ENOTFOUND);
	cadence_project_free(p);
	cr_assert_str_eq(cadence_strerror(CADENCE_EOUTSIDE),
			 "a path that leads outside the project root");
}
