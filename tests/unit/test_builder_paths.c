/* SPDX-License-Identifier: MIT */
/* Cadences made with the builder have no path: what would be relative to
 * their file is relative to the working directory.  The check, the diagram
 * writers (with expand) and the runner take them with or without a project,
 * without reading the missing path (each of these crashed or misreported
 * before cad_def_dir()). */
#include <cadence/builder.h>
#include <cadence/cadence.h>
#include <cadence/diagram.h>
#include <cadence/run.h>

#include "model/model.h"
#include "util/strbuf.h"

#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "builder_fixture.h"
#include "tmpdir.h"

/* The child file doubles n, the built child of the same name triples it:
 * the result says which one ran. */
static const char child_file[] = "cadence: sub\n"
				 "score:\n"
				 "  n: {type: integer, default: 0}\n"
				 "notes:\n"
				 "  twice: {set: {n: score.n * 2}}\n"
				 "measures:\n"
				 "  - then: twice\n";
/* A `run` note's output: the directory cadence gives it. */
static const char tool[] = "#!/bin/sh\nprintf '{\"dir\": \"%s\"}\\n' \"$CADENCE_DIR\"\n";

static char home[PATH_MAX], dir[256], empty[300];

static void write_file(const char *name, const char *text, mode_t mode)
{
	FILE *f = fopen(name, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fputs(text, f) < 0, 0);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(chmod(name, mode), 0);
}

/* Works in a new directory holding sub.cadence.yaml, tool.sh and an empty
 * directory; the working directory is restored afterwards. */
static void setup(void)
{
	cr_assert_not_null(getcwd(home, sizeof(home)));
	cr_assert_not_null(test_mkdtemp(dir, sizeof(dir), "paths"));
	cr_assert_eq(chdir(dir), 0);
	write_file("sub.cadence.yaml", child_file, 0644);
	write_file("tool.sh", tool, 0755);
	snprintf(empty, sizeof(empty), "%s/empty", dir);
	cr_assert_eq(mkdir(empty, 0755), 0);
}

static void teardown(void)
{
	cr_assert_eq(chdir(home), 0);
	char path[PATH_MAX];
	const char *names[] = { "sub.cadence.yaml", "tool.sh" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(empty);
	rmdir(dir);
}

TestSuite(builder_paths, .init = setup, .fini = teardown);

/* parent: n = 1; bump (set): n + 1; tool (run ./tool.sh): dir; child sub
 * with n, merging n back. */
static cadence_def *parent(int with_child)
{
	cadence_builder *b;
	cadence_def *def = NULL;
	cJSON *one = cJSON_CreateNumber(1), *none = cJSON_CreateString("");
	cr_assert_eq(cadence_builder_new(&b, "parent"), 0);
	cadence_builder_field(b, "n", "integer", one, 0);
	cadence_builder_field(b, "dir", "string", none, 0);
	cJSON_Delete(one);
	cJSON_Delete(none);
	cadence_builder_set(b, "bump", "n", "score.n + 1");
	cadence_builder_run(b, "tool", (const char *const[]){ "./tool.sh", NULL });
	cadence_builder_writes(b, "tool", (const char *const[]){ "dir", NULL });
	cadence_builder_then(b, "bump", NULL);
	cadence_builder_then(b, "tool", NULL);
	if (with_child)
		cadence_builder_child(b, "sub", NULL, (const char *const[]){ "n", "score.n", NULL },
				      (const char *const[]){ "n", "score.n", NULL });
	finish_ok(&def, b);
	cadence_builder_free(b);
	cr_assert_null(cadence_def_path(def));
	return def;
}

/* The built child `sub`: n * 3. */
static cadence_def *built_child(void)
{
	cadence_builder *b;
	cadence_def *def = NULL;
	cJSON *zero = cJSON_CreateNumber(0);
	cr_assert_eq(cadence_builder_new(&b, "sub"), 0);
	cadence_builder_field(b, "n", "integer", zero, 0);
	cJSON_Delete(zero);
	cadence_builder_set(b, "thrice", "n", "score.n * 3");
	cadence_builder_then(b, "thrice", NULL);
	finish_ok(&def, b);
	cadence_builder_free(b);
	return def;
}

/* ---- the model's helper -------------------------------------------------- */

Test(builder_paths, the_directory_of_a_path)
{
	cr_assert_eq(cad_path_dir_len(NULL), 0);
	cr_assert_eq(cad_path_dir_len("x.yaml"), 0);
	cr_assert_eq(cad_path_dir_len("/x.yaml"), 1);
	cr_assert_eq(cad_path_dir_len("a/b/x.yaml"), 4);
	cr_assert_eq(cad_path_dir_len("a/"), 2);
}

Test(builder_paths, the_directory_of_a_cadence)
{
	cadence_def *built = parent(0), *loaded = NULL;
	cadence_diags *d;
	cr_assert_eq(cadence_diags_new(&d), 0);
	strbuf sb = STRBUF_INIT;
	cad_def_dir(built, &sb);
	cr_assert_str_eq(cad_strbuf_cstr(&sb), "", "the working directory");
	cr_assert_str_eq(cad_def_file(built), "<built in code>");
	cr_assert_eq(cadence_load_file(&loaded, "./sub.cadence.yaml", NULL, d), 0);
	cad_def_dir(loaded, &sb);
	cr_assert_str_eq(cad_strbuf_cstr(&sb), "./");
	cr_assert_str_eq(cad_def_file(loaded), "./sub.cadence.yaml");
	cad_strbuf_free(&sb);
	cadence_def_free(loaded);
	cadence_def_free(built);
	cadence_diags_free(d);
}

/* ---- check ------------------------------------------------------------------ */

static int check(const cadence_def *def, int with_project, const cadence_check_opts *opts,
		 cadence_diags *d)
{
	cadence_project *p = NULL;
	if (with_project)
		cr_assert_eq(cadence_project_new(&p, NULL), 0);
	int rc = cadence_check(def, p, opts, d);
	cadence_project_free(p);
	return rc;
}

static const cadence_diag *find(const cadence_diags *d, const char *rule)
{
	for (size_t i = 0; i < cadence_diags_count(d); i++)
		if (!strcmp(cadence_diags_get(d, i)->rule, rule))
			return cadence_diags_get(d, i);
	return NULL;
}

Test(builder_paths, check_finds_the_child_and_the_executable_in_the_working_directory)
{
	cadence_def *def = parent(1);
	cadence_check_opts o = CADENCE_CHECK_OPTS_INIT;
	const cadence_check_opts *opts[] = { NULL, &o };
	for (int with_project = 0; with_project < 2; with_project++)
		for (size_t i = 0; i < 2; i++) {
			cadence_diags *d;
			cr_assert_eq(cadence_diags_new(&d), 0);
			int rc = check(def, with_project, opts[i], d);
			cr_assert_eq(rc, 0, "project %d, opts %zu: rc %d, %zu diagnostics (%s)",
				     with_project, i, rc, cadence_diags_count(d),
				     cadence_diags_count(d) ? cadence_diags_get(d, 0)->message : "");
			cr_assert_eq(cadence_diags_count(d), 0);
			cadence_diags_free(d);
		}
	cadence_def_free(def);
}

Test(builder_paths, check_reports_what_the_working_directory_lacks)
{
	cadence_def *def = parent(1);
	cadence_diags *d;
	cr_assert_eq(chdir(empty), 0);
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(check(def, 1, NULL, d), CADENCE_EINVALID);
	const cadence_diag *nf = find(d, "child-not-found"), *exe = find(d, "run-not-found");
	cr_assert_not_null(nf);
	cr_assert_str_eq(nf->file, "<built in code>");
	cr_assert_not_null(strstr(nf->message, "(looked for sub.cadence.yaml)"), "%s", nf->message);
	cr_assert_not_null(exe);
	cr_assert_not_null(strstr(exe->message, "(looked for ./tool.sh)"), "%s", exe->message);
	cr_assert_not_null(strstr(exe->help, "working directory"), "%s", exe->help);
	cadence_diags_free(d);

	/* without a project, children are not looked for */
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(check(def, 0, NULL, d), 0);
	cr_assert_null(find(d, "child-not-found"));
	cr_assert_not_null(find(d, "run-not-found"));
	cadence_diags_free(d);
	cadence_def_free(def);
}

Test(builder_paths, check_reports_a_bad_set_as_invalid_not_as_out_of_memory)
{
	cadence_builder *b;
	cadence_def *def = NULL;
	cadence_diags *d;
	cr_assert_eq(cadence_builder_new(&b, "bad"), 0);
	cadence_builder_field(b, "n", "integer", NULL, 0);
	cadence_builder_set(b, "bump", "n", "score.nope + 1");
	cadence_builder_then(b, "bump", NULL);
	finish_ok(&def, b);
	cadence_builder_free(b);
	cr_assert_eq(cadence_diags_new(&d), 0);
	int rc = check(def, 0, NULL, d);
	cr_assert_eq(rc, CADENCE_EINVALID, "rc %d (%s)", rc, cadence_strerror(rc));
	cr_assert_eq(cadence_diags_oom(d), 0);
	cr_assert_gt(cadence_diags_errors(d), 0);
	cr_assert_str_eq(cadence_diags_get(d, 0)->file, "<built in code>");
	cadence_diags_free(d);
	cadence_def_free(def);
}

/* ---- diagram ----------------------------------------------------------------- */

static char *draw(const cadence_def *def, int with_project, cadence_diagram_format f,
		  size_t *expanded)
{
	cadence_project *p = NULL;
	cadence_diagram_opts o = CADENCE_DIAGRAM_OPTS_INIT;
	cadence_diagram_stats st = CADENCE_DIAGRAM_STATS_INIT;
	char *out = NULL;
	size_t len = 0;
	o.expand = 1;
	if (with_project)
		cr_assert_eq(cadence_project_new(&p, NULL), 0);
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, p, f, &o, &st), 0);
	cadence_project_free(p);
	*expanded = st.expanded;
	return out;
}

Test(builder_paths, expand_draws_the_child_from_the_working_directory)
{
	cadence_def *def = parent(1);
	cadence_diagram_format formats[] = { CADENCE_DIAGRAM_MERMAID, CADENCE_DIAGRAM_DOT };
	for (size_t i = 0; i < 2; i++) {
		size_t n;
		char *s = draw(def, 1, formats[i], &n);
		cr_assert_eq(n, 1, "%s", s);
		cr_assert_not_null(strstr(s, "twice"), "the child's note: %s", s);
		free(s);
		s = draw(def, 0, formats[i], &n);
		cr_assert_eq(n, 0, "no project, nothing to expand: %s", s);
		cr_assert_null(strstr(s, "twice"));
		free(s);
		cr_assert_eq(chdir(empty), 0);
		s = draw(def, 1, formats[i], &n);
		cr_assert_eq(n, 0);
		cr_assert_not_null(strstr(s, "not found"), "%s", s);
		free(s);
		cr_assert_eq(chdir(dir), 0);
	}
	cadence_def_free(def);
}

/* ---- run -------------------------------------------------------------------------- */

static char *run(const cadence_def *def, const cadence_def *child, int with_project)
{
	cadence_project *p = NULL;
	cadence_runner *r;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	cJSON *out = NULL;
	if (with_project)
		cr_assert_eq(cadence_project_new(&p, NULL), 0);
	cr_assert_eq(cadence_runner_new(&r, p, def, NULL), 0);
	if (child)
		cr_assert_eq(cadence_runner_add_cadence(r, child), 0);
	int rc = cadence_runner_run(&out, r, NULL, &err);
	cr_assert_eq(rc, 0, "%s", err.message);
	char *s = cJSON_PrintUnformatted(out);
	cJSON_Delete(out);
	cadence_run_error_clear(&err);
	cadence_runner_free(r);
	cadence_project_free(p);
	return s;
}

Test(builder_paths, run_takes_a_built_child_and_the_executable_from_the_working_directory)
{
	cadence_def *def = parent(1), *child = built_child();
	for (int with_project = 0; with_project < 2; with_project++) {
		char *s = run(def, child, with_project);
		/* (1 + 1) * 3: the registered child wins over the file */
		cr_assert_str_eq(s, "{\"n\":6,\"dir\":\".\"}");
		cJSON_free(s);
	}
	cadence_def_free(child);
	cadence_def_free(def);
}

Test(builder_paths, run_finds_a_child_file_in_the_working_directory)
{
	cadence_def *def = parent(1);
	char *s = run(def, NULL, 1);
	cr_assert_str_eq(s, "{\"n\":4,\"dir\":\".\"}", "(1 + 1) * 2: %s", s);
	cJSON_free(s);
	cadence_def_free(def);
}
