/* SPDX-License-Identifier: MIT */
/* Scaffolding: template placeholders and escaping, adding a note to
 * notes:, and all-or-nothing writes (every failure point undone). */
#include "cadence/cadence.h"
#include "scaffold/edit.h"
#include "scaffold/notegen.h"
#include "scaffold/plan.h"
#include "scaffold/render.h"
#include "tmpdir.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- render -------------------------------------------------------------- */

static char *render(const char *tpl, const render_var *vars, size_t n, int *rc)
{
	strbuf out = STRBUF_INIT, why = STRBUF_INIT;
	*rc = cad_render_template(&out, tpl, strlen(tpl), vars, n, &why);
	if (*rc) {
		cad_strbuf_free(&out);
		return cad_strbuf_detach(&why);
	}
	cad_strbuf_free(&why);
	char *s = cad_strbuf_detach(&out);
	return s ? s : strdup("");
}

static char *esc(const char *filter, const char *value)
{
	strbuf b = STRBUF_INIT;
	cr_assert_eq(cad_render_escape(&b, filter, value), 0);
	char *s = cad_strbuf_detach(&b);
	return s ? s : strdup("");
}

Test(render, placeholders)
{
	const render_var vars[] = { { "name", "shop" }, { "title", "it's" } };
	int rc;
	char *s = render("a {{name}} b {{title|sh}} ${{ vars.X }} {{ name }} {", vars, 2, &rc);
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(s, "a shop b 'it'\\''s' ${{ vars.X }} {{ name }} {");
	free(s);
}

Test(render, unknown_variable_and_filter)
{
	const render_var vars[] = { { "name", "x" } };
	int rc;
	char *s = render("ok\n{{nmae}}", vars, 1, &rc);
	cr_assert_eq(rc, CADENCE_EINVALID);
	cr_assert(strstr(s, "line 2") && strstr(s, "'nmae'") && strstr(s, "name"), "%s", s);
	free(s);
	s = render("{{name|xml}}", vars, 1, &rc);
	cr_assert_eq(rc, CADENCE_EINVALID);
	cr_assert(strstr(s, "'xml'"), "%s", s);
	free(s);
	s = render("{{name", vars, 1, &rc);
	cr_assert_eq(rc, CADENCE_EINVALID);
	cr_assert(strstr(s, "not closed"), "%s", s);
	free(s);
}

Test(render, yaml_escaping)
{
	struct { const char *in, *out; } cases[] = {
		{ "checkout", "checkout" },
		{ "../notes/x.sh", "../notes/x.sh" },
		{ "yes", "\"yes\"" },		/* YAML 1.1 boolean */
		{ "true", "\"true\"" },
		{ "null", "\"null\"" },
		{ "~", "\"~\"" },
		{ "012", "\"012\"" },
		{ "1.5", "\"1.5\"" },
		{ "", "\"\"" },
		{ "a b", "\"a b\"" },
		{ "a: b", "\"a: b\"" },
		{ "- x", "\"- x\"" },
		{ "#x", "\"#x\"" },
		{ "say \"hi\"\\", "\"say \\\"hi\\\"\\\\\"" },
		{ "tab\there\nnl", "\"tab\\there\\nnl\"" },
		{ "\x1b[31m", "\"\\x1B[31m\"" },
		{ "caf\xC3\xA9", "\"caf\xC3\xA9\"" },
		{ "bad\xFF", "\"bad\xEF\xBF\xBD\"" },
		{ "line\xE2\x80\xA8sep", "\"line\\Lsep\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = esc("yaml", cases[i].in);
		cr_assert_str_eq(s, cases[i].out, "yaml(%s)", cases[i].in);
		free(s);
	}
}

Test(render, shell_c_json_escaping)
{
	char *s = esc("sh", "a'b $x `y` \\");
	cr_assert_str_eq(s, "'a'\\''b $x `y` \\'");
	free(s);
	s = esc("c", "q\"\\\n?\?/\x01\xC3\xA9");
	cr_assert_str_eq(s, "\"q\\\"\\\\\\n\\?\\?/\\001\\303\\251\"");
	free(s);
	s = esc("json", "q\"\\\n\x01\xC3\xA9");
	cr_assert_str_eq(s, "\"q\\\"\\\\\\n\\u0001\xC3\xA9\"");
	free(s);
	strbuf b = STRBUF_INIT;
	cr_assert_eq(cad_render_escape(&b, "html", "x"), -1);
	cad_strbuf_free(&b);
}

Test(render, paths)
{
	strbuf b = STRBUF_INIT;
	cr_assert_eq(cad_render_path(&b, "cadences/__name__.cadence.yaml.tmpl", "shop"), 0);
	cr_assert_str_eq(cad_strbuf_cstr(&b), "cadences/shop.cadence.yaml");
	cad_strbuf_free(&b);
	cr_assert_eq(cad_render_path(&b, "notes/__name__.sh", "x"), 0);
	cr_assert_str_eq(cad_strbuf_cstr(&b), "notes/x.sh");
	cad_strbuf_free(&b);
	cr_assert_eq(cad_render_path(&b, ".tmpl", "x"), 0);
	cr_assert_str_eq(cad_strbuf_cstr(&b), ".tmpl");
	cad_strbuf_free(&b);
}

/* ---- notegen ---------------------------------------------------------------- */

Test(notegen, fields_and_placeholders)
{
	const char *reads[] = { "order_id" }, *writes[] = { "status", "total" };
	cJSON *fb = cJSON_Parse("{\"status\": \"failed: card\", \"n\": [1, 2.5, true, null]}");
	notegen g = { .name = "charge", .run_path = "../notes/charge.sh", .retry = 3,
		      .timeout = "30s", .fallback = fb, .reads = reads, .nreads = 1,
		      .writes = writes, .nwrites = 2 };
	char **lines;
	size_t n;
	cr_assert_eq(cad_notegen_fields(&g, &lines, &n), 0);
	cr_assert_eq(n, 6);
	cr_assert_str_eq(lines[0], "run: [../notes/charge.sh]");
	cr_assert_str_eq(lines[1], "reads: [order_id]");
	cr_assert_str_eq(lines[2], "writes: [status, total]");
	cr_assert_str_eq(lines[3], "retry: {attempts: 3}");
	cr_assert_str_eq(lines[4], "timeout: 30s");
	/* "n" is a YAML 1.1 boolean: quoted */
	cr_assert_str_eq(lines[5], "fallback: {status: \"failed: card\", \"n\": [1, 2.5, true, null]}");
	cr_assert_null(lines[6]);
	cad_notegen_lines_free(lines);

	strbuf b = STRBUF_INIT;
	cad_notegen_changes_json(&g, &b);
	cr_assert_str_eq(cad_strbuf_cstr(&b), "{\"status\": null, \"total\": null}");
	cad_strbuf_free(&b);
	g.lang_c = 1;
	cr_assert_eq(cad_notegen_fields(&g, &lines, &n), 0);
	cr_assert_str_eq(lines[0], "symbol: charge");
	cad_notegen_lines_free(lines);
	cJSON_Delete(fb);
}

Test(notegen, types_from_the_cadence)
{
	static const char src[] =
		"cadence: c\n"
		"score:\n"
		"  s: {type: string, default: \"\"}\n"
		"  i: {type: integer, default: 0}\n"
		"  b: {type: boolean, default: false}\n"
		"  a: {type: array, default: []}\n"
		"  o: {type: object, default: {}}\n"
		"notes:\n  x: {symbol: x}\n"
		"measures:\n  - then: x\n";
	cadence_def *def;
	cadence_diags *d;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_load_buffer(&def, "c.cadence.yaml", src, sizeof(src) - 1, NULL, d), 0);
	const char *writes[] = { "s", "i", "b", "a", "o", "unknown" };
	notegen g = { .name = "x", .writes = writes, .nwrites = 6, .def = def };
	strbuf b = STRBUF_INIT;
	cad_notegen_changes_json(&g, &b);
	cr_assert_str_eq(cad_strbuf_cstr(&b),
			 "{\"s\": \"\", \"i\": 0, \"b\": false, \"a\": [], \"o\": {}, \"unknown\": null}");
	cad_strbuf_free(&b);
	cad_notegen_c_changes(&g, &b);
	cr_assert(strstr(cad_strbuf_cstr(&b), "!cJSON_AddStringToObject(out, \"s\", \"\")"));
	cr_assert(strstr(cad_strbuf_cstr(&b), "!cJSON_AddNumberToObject(out, \"i\", 0)"));
	cr_assert(strstr(cad_strbuf_cstr(&b), "!cJSON_AddFalseToObject(out, \"b\")"));
	cr_assert(strstr(cad_strbuf_cstr(&b), "!cJSON_AddNullToObject(out, \"unknown\")"));
	cad_strbuf_free(&b);
	cadence_def_free(def);
	cadence_diags_free(d);
}

/* ---- edit ----------------------------------------------------------------------- */

static const char *const fields[] = { "run: [../notes/n.sh]", "timeout: 30s" };

static char *add(const char *src, const char *name, int want_rc, unsigned *line, char **why)
{
	char *out = NULL;
	size_t len;
	strbuf w = STRBUF_INIT;
	unsigned l = 0;
	int rc = cad_edit_add_note(src, strlen(src), name, fields, 2, &out, &len, &l, &w);
	cr_assert_eq(rc, want_rc, "rc %d: %s", rc, cad_strbuf_cstr(&w) ? cad_strbuf_cstr(&w) : "");
	if (line)
		*line = l;
	if (why)
		*why = cad_strbuf_detach(&w);
	cad_strbuf_free(&w);
	return out;
}

Test(edit, appends_after_the_last_note_keeping_everything_else)
{
	const char *src =
		"# a comment\n"
		"cadence: c   # trailing\n"
		"notes:\n"
		"  a:\n"
		"    run: ['./a.sh']   # quoted\n"
		"  # b was here\n"
		"\n"
		"# the measures\n"
		"measures:\n"
		"  - then: a\n";
	unsigned line;
	char *out = add(src, "n", 0, &line, NULL);
	cr_assert_str_eq(out,
		"# a comment\n"
		"cadence: c   # trailing\n"
		"notes:\n"
		"  a:\n"
		"    run: ['./a.sh']   # quoted\n"
		"  # b was here\n"
		"  n:\n"
		"    run: [../notes/n.sh]\n"
		"    timeout: 30s\n"
		"\n"
		"# the measures\n"
		"measures:\n"
		"  - then: a\n");
	cr_assert_eq(line, 7);
	free(out);
}

Test(edit, follows_the_files_indentation_and_line_ends)
{
	const char *src =
		"cadence: c\r\n"
		"notes:\r\n"
		"    a: {run: ./a.sh}\r\n"
		"    b:\r\n"
		"        run: ./b.sh\r\n"
		"measures:\r\n"
		"    - then: a\r\n";
	char *out = add(src, "n", 0, NULL, NULL);
	cr_assert_str_eq(out,
		"cadence: c\r\n"
		"notes:\r\n"
		"    a: {run: ./a.sh}\r\n"
		"    b:\r\n"
		"        run: ./b.sh\r\n"
		"    n:\r\n"
		"        run: [../notes/n.sh]\r\n"
		"        timeout: 30s\r\n"
		"measures:\r\n"
		"    - then: a\r\n");
	free(out);
}

Test(edit, notes_last_without_a_final_newline)
{
	char *out = add("cadence: c\nmeasures:\n  - then: a\nnotes:\n  a: {symbol: a}", "n", 0,
			NULL, NULL);
	cr_assert_str_eq(out, "cadence: c\nmeasures:\n  - then: a\nnotes:\n  a: {symbol: a}\n"
			      "  n:\n    run: [../notes/n.sh]\n    timeout: 30s\n");
	free(out);
}

Test(edit, adds_notes_before_measures_when_missing)
{
	char *out = add("cadence: c\n# what runs\nmeasures:\n  - then: a\n", "n", 0, NULL, NULL);
	cr_assert_str_eq(out, "cadence: c\nnotes:\n  n:\n    run: [../notes/n.sh]\n    timeout: 30s\n"
			      "# what runs\nmeasures:\n  - then: a\n");
	free(out);
}

Test(edit, fills_an_empty_notes)
{
	char *out = add("cadence: c\nnotes:\nmeasures:\n  - then: a\n", "n", 0, NULL, NULL);
	cr_assert_str_eq(out, "cadence: c\nnotes:\n  n:\n    run: [../notes/n.sh]\n    timeout: 30s\n"
			      "measures:\n  - then: a\n");
	free(out);
}

Test(edit, keeps_a_bom)
{
	char *out = add("\xEF\xBB\xBF" "cadence: c\nnotes:\n  a: {symbol: a}\n", "n", 0, NULL, NULL);
	cr_assert(!strncmp(out, "\xEF\xBB\xBF" "cadence: c\n", 14));
	cr_assert(strstr(out, "  n:\n    run: [../notes/n.sh]\n"));
	free(out);
}

Test(edit, refusals)
{
	static const struct { const char *src, *reason; } cases[] = {
		{ "cadence: c\nnotes: {a: {symbol: a}}\nmeasures: [{then: a}]\n", "flow mapping" },
		{ "cadence: c\nnotes:\n  n: {symbol: a}\n", "already has a note 'n' (line 3)" },
		{ "cadence: c\nnotes: [\n", "not valid YAML" },
		{ "{cadence: c}\n", "block mapping" },
		{ "cadence: c\nnotes: [a]\n", "not a mapping" },
		/* a keep-chomped block scalar ends the notes: its trailing
		 * blank lines would move; refused rather than changed */
		{ "cadence: c\nnotes:\n  a:\n    description: |+\n      text\n\nmeasures: []\n",
		  "change more of the file" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *why;
		cr_assert_null(add(cases[i].src, "n", CADENCE_EINVALID, NULL, &why));
		cr_assert(strstr(why, cases[i].reason), "%s: %s", cases[i].reason, why);
		free(why);
	}
}

/* ---- edit: measures ---------------------------------------------------------------- */

static char *add_measure(const char *src, const char *after, int want_rc, unsigned *line,
			 char **why)
{
	char *out = NULL;
	size_t len;
	strbuf w = STRBUF_INIT;
	unsigned l = 0;
	int rc = cad_edit_add_measure(src, strlen(src), "n", after, &out, &len, &l, &w);
	cr_assert_eq(rc, want_rc, "rc %d: %s", rc, cad_strbuf_cstr(&w) ? cad_strbuf_cstr(&w) : "");
	cr_assert(rc || strlen(out) == len);
	if (line)
		*line = l;
	if (why)
		*why = cad_strbuf_detach(&w);
	cad_strbuf_free(&w);
	return out;
}

static const char measures_src[] =
	"cadence: c\n"
	"measures:\n"
	"    - then: a       # first\n"
	"    # before b\n"
	"    - sync: b\n"
	"      notes: [a, c]\n"
	"\n"
	"    - child: d\n"
	"# after the measures\n"
	"on_error: {note: a}\n";

/* measures_src with `line` inserted after its line n: what an edit that
 * changes nothing else gives */
static char *with_line(unsigned n, const char *line)
{
	const char *at = measures_src;
	while (n--)
		at = strchr(at, '\n') + 1;
	strbuf b = STRBUF_INIT;
	cad_strbuf_add(&b, measures_src, (size_t)(at - measures_src));
	cad_strbuf_adds(&b, line);
	cad_strbuf_adds(&b, at);
	return cad_strbuf_detach(&b);
}

Test(edit_measure, appends_at_the_end_of_measures_keeping_everything_else)
{
	unsigned line;
	char *out = add_measure(measures_src, NULL, 0, &line, NULL);
	char *want = with_line(8, "    - then: n\n");
	/* after the last measure, before the comment that leads to on_error */
	cr_assert_str_eq(out, want);
	cr_assert_eq(line, 9);
	free(want);
	free(out);
}

Test(edit_measure, goes_after_the_measure_named_before_its_comments)
{
	unsigned line;
	char *out = add_measure(measures_src, "a", 0, &line, NULL);
	char *want = with_line(3, "    - then: n\n");
	cr_assert_str_eq(out, want);
	cr_assert_eq(line, 4);
	free(want);
	free(out);
	/* a multi-line measure, and a blank line kept below the new one */
	out = add_measure(measures_src, "b", 0, &line, NULL);
	want = with_line(6, "    - then: n\n");
	cr_assert_str_eq(out, want);
	cr_assert_eq(line, 7);
	free(want);
	free(out);
}

Test(edit_measure, follows_line_ends_and_an_indentless_list)
{
	char *out = add_measure("cadence: c\r\nmeasures:\r\n- then: a\r\n", NULL, 0, NULL, NULL);
	cr_assert_str_eq(out, "cadence: c\r\nmeasures:\r\n- then: a\r\n- then: n\r\n");
	free(out);
}

Test(edit_measure, adds_measures_when_missing_or_empty)
{
	unsigned line;
	char *out = add_measure("cadence: c\nnotes:\n  n: {symbol: n}\n", NULL, 0, &line, NULL);
	cr_assert_str_eq(out, "cadence: c\nnotes:\n  n: {symbol: n}\nmeasures:\n  - then: n\n");
	cr_assert_eq(line, 5);
	free(out);
	out = add_measure("cadence: c\nmeasures:\nnotes: {}\n", NULL, 0, &line, NULL);
	cr_assert_str_eq(out, "cadence: c\nmeasures:\n  - then: n\nnotes: {}\n");
	free(out);
	/* no final newline */
	out = add_measure("cadence: c\nmeasures:\n  - then: a", NULL, 0, NULL, NULL);
	cr_assert_str_eq(out, "cadence: c\nmeasures:\n  - then: a\n  - then: n\n");
	free(out);
}

Test(edit_measure, refusals)
{
	static const struct { const char *src, *after; int rc; const char *reason; } cases[] = {
		{ "cadence: c\nmeasures: [{then: a}]\n", NULL, CADENCE_EINVALID, "not a block list" },
		{ "cadence: c\nmeasures: {then: a}\n", NULL, CADENCE_EINVALID, "not a block list" },
		{ "cadence: c\nmeasures: [\n", NULL, CADENCE_EINVALID, "not valid YAML" },
		{ "- cadence: c\n", NULL, CADENCE_EINVALID, "block mapping" },
		{ "cadence: c\nmeasures:\n  - then: a\n", "b", CADENCE_ENOTFOUND, "" },
		{ "cadence: c\nmeasures:\n  - then: a\n    description: |+\n      x\n\n",
		  NULL, CADENCE_EINVALID, "change more of the file" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *why;
		cr_assert_null(add_measure(cases[i].src, cases[i].after, cases[i].rc, NULL, &why));
		cr_assert(strstr(why ? why : "", cases[i].reason), "%s: %s", cases[i].reason, why);
		free(why);
	}
}

Test(edit_measure, names_the_measures)
{
	strbuf b = STRBUF_INIT;
	cr_assert_eq(cad_edit_measure_names(measures_src, strlen(measures_src), &b), 3);
	cr_assert_str_eq(cad_strbuf_cstr(&b), "a, b, d");
	cad_strbuf_free(&b);
	cr_assert_eq(cad_edit_measure_names("x: [", 4, &b), 0);
	cad_strbuf_free(&b);
}

/* ---- plan ------------------------------------------------------------------------ */

static char tmpl[256];
static char *root;

static void setup(void)
{
	root = test_mkdtemp(tmpl, sizeof(tmpl), "plan");
	cr_assert_not_null(root);
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

static char *at(const char *rel)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", root, rel);
	return buf[k];
}

static void put(const char *rel, const char *data)
{
	FILE *f = fopen(at(rel), "w");
	cr_assert_not_null(f);
	fputs(data, f);
	fclose(f);
}

static char *get(const char *rel)
{
	FILE *f = fopen(at(rel), "r");
	static char buf[256];
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Every path below root with its contents, sorted: the state to compare. */
static void snapshot_dir(strbuf *b, const char *dir)
{
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	cr_assert_geq(n, 0);
	for (int i = 0; i < n; i++) {
		const char *e = list[i]->d_name;
		char path[600];
		struct stat st;
		if (strcmp(e, ".") && strcmp(e, "..")) {
			snprintf(path, sizeof(path), "%s/%s", dir, e);
			cr_assert_eq(lstat(path, &st), 0);
			cad_strbuf_addf(b, "%s %o\n", path + strlen(root), (unsigned)(st.st_mode & 0777));
			if (S_ISDIR(st.st_mode)) {
				snapshot_dir(b, path);
			} else {
				FILE *f = fopen(path, "r");
				char buf[256];
				size_t k = fread(buf, 1, sizeof(buf), f);
				cad_strbuf_add(b, buf, k);
				fclose(f);
			}
		}
		free(list[i]);
	}
	free(list);
}

static char *snapshot(void)
{
	strbuf b = STRBUF_INIT;
	snapshot_dir(&b, root);
	char *s = cad_strbuf_detach(&b);
	return s ? s : strdup("");
}

static void plan_three(plan *p, int force)
{
	cad_plan_init(p);
	cr_assert_eq(cad_plan_add(p, at("a/b/new.txt"), "new\n", 4, 0644, force), 0);
	cr_assert_eq(cad_plan_add(p, at("old.txt"), "replaced\n", 9, 0755, force), 0);
	cr_assert_eq(cad_plan_add(p, at("a/other.sh"), "#!/bin/sh\n", 10, PLAN_KEEP_MODE, force), 0);
}

Test(plan, writes_creates_directories_and_sets_modes, .init = setup, .fini = teardown)
{
	plan p;
	strbuf why = STRBUF_INIT;
	plan_three(&p, 0);
	cr_assert_eq(cad_plan_check(&p, &why), 0);
	cr_assert_eq(p.ndirs, 2);
	cr_assert_eq(cad_plan_commit(&p, NULL, &why), 0);
	cr_assert_str_eq(get("a/b/new.txt"), "new\n");
	cr_assert_str_eq(get("old.txt"), "replaced\n");
	struct stat st;
	cr_assert_eq(stat(at("old.txt"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0755);
	cr_assert_eq(stat(at("a/other.sh"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0644);
	char *snap = snapshot();
	cr_assert_null(strstr(snap, ".cadence-"), "no copy is left: %s", snap);
	cr_assert_null(strstr(snap, ".tmp."), "no temporary file is left: %s", snap);
	free(snap);
	cad_plan_free(&p);
	cad_strbuf_free(&why);
}

Test(plan, refuses_existing_files_and_directories_in_the_way, .init = setup, .fini = teardown)
{
	plan p;
	strbuf why = STRBUF_INIT;
	put("old.txt", "old\n");
	cr_assert_eq(mkdir(at("a"), 0755), 0);
	cr_assert_eq(mkdir(at("a/other.sh"), 0755), 0);
	plan_three(&p, 0);
	cr_assert_eq(cad_plan_check(&p, &why), CADENCE_EINVALID);
	cr_assert(strstr(cad_strbuf_cstr(&why), "old.txt: already exists"), "%s", cad_strbuf_cstr(&why));
	cr_assert(strstr(cad_strbuf_cstr(&why), "other.sh: a directory is in the way"));
	strbuf why2 = STRBUF_INIT;
	cr_assert_eq(cad_plan_commit(&p, NULL, &why2), CADENCE_EINVAL, "an unchecked plan is not run");
	cad_strbuf_free(&why2);
	cad_plan_free(&p);
	cad_strbuf_free(&why);

	/* a file where a directory must go */
	cad_plan_init(&p);
	put("f", "x");
	cr_assert_eq(cad_plan_add(&p, at("f/x.txt"), "x", 1, 0644, 1), 0);
	cr_assert_eq(cad_plan_check(&p, &why), CADENCE_EINVALID);
	cr_assert(strstr(cad_strbuf_cstr(&why), "not a directory"));
	cad_plan_free(&p);
	cad_strbuf_free(&why);
	cr_assert_eq(cad_plan_add(&p, "x", "", 0, 0644, 0), 0);
	cr_assert_eq(cad_plan_add(&p, "x", "", 0, 0644, 0), CADENCE_EINVAL, "one path once");
	cad_plan_free(&p);
}

typedef struct failer {
	int n, seen;
} failer;

static int fail_nth(void *ctx, const char *op, const char *path)
{
	failer *f = ctx;
	(void)op, (void)path;
	return ++f->seen == f->n;
}

/* SQLite-style: fail the n-th step for every n; after each failure the tree
 * is exactly as before, old files and their modes included. */
Test(plan, every_failure_is_undone, .init = setup, .fini = teardown)
{
	put("old.txt", "old\n");
	chmod(at("old.txt"), 0600);
	char *before = snapshot();
	int steps = 0;
	for (int n = 1;; n++) {
		plan p;
		strbuf why = STRBUF_INIT;
		failer f = { n, 0 };
		plan_hooks h = { fail_nth, &f };
		plan_three(&p, 1);
		cr_assert_eq(cad_plan_check(&p, &why), 0);
		int rc = cad_plan_commit(&p, &h, &why);
		cad_plan_free(&p);
		if (!rc) {
			steps = f.seen;
			cad_strbuf_free(&why);
			break;
		}
		cr_assert_eq(rc, CADENCE_EIO);
		cr_assert(strstr(cad_strbuf_cstr(&why), "Input/output error"), "%s", cad_strbuf_cstr(&why));
		char *after = snapshot();
		cr_assert_str_eq(after, before, "failing step %d left:\n%s", n, after);
		free(after);
		cad_strbuf_free(&why);
	}
	/* 2 mkdir, 3 create + 3 write, 1 link, 3 rename */
	cr_assert_eq(steps, 12);
	cr_assert_str_eq(get("old.txt"), "replaced\n");
	free(before);
}

/* At the n-th rename, no descriptor is left: the rename itself works, the
 * sync of the directory after it cannot open the directory. */
typedef struct starver {
	int nth, seen;
	struct rlimit old;
} starver;

static int starve_at_rename(void *ctx, const char *op, const char *path)
{
	starver *s = ctx;
	(void)path;
	if (!strcmp(op, "rename") && ++s->seen == s->nth) {
		int lowest = dup(2);
		cr_assert_geq(lowest, 0);
		close(lowest);
		cr_assert_eq(getrlimit(RLIMIT_NOFILE, &s->old), 0);
		struct rlimit low = { (rlim_t)lowest, s->old.rlim_max };
		cr_assert_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	}
	return 0;
}

/* A durable write whose directory cannot be synced fails (it was taken for
 * done), and the plan undoes it like any failure: the renamed file goes,
 * the replaced one comes back. */
Test(plan, a_directory_that_cannot_be_synced_fails_and_is_undone, .init = setup, .fini = teardown)
{
	put("old.txt", "old\n");
	char *before = snapshot();
	for (int n = 1; n <= 3; n++) {
		plan p;
		strbuf why = STRBUF_INIT;
		starver s = { n, 0, { 0, 0 } };
		plan_hooks h = { starve_at_rename, &s };
		plan_three(&p, 1);
		cr_assert_eq(cad_plan_check(&p, &why), 0);
		int rc = cad_plan_commit(&p, &h, &why);
		cr_assert_eq(setrlimit(RLIMIT_NOFILE, &s.old), 0);
		cad_plan_free(&p);
		cr_assert_eq(rc, CADENCE_EIO, "rename %d", n);
		cr_assert(strstr(cad_strbuf_cstr(&why), "Too many open files"), "%s", cad_strbuf_cstr(&why));
		char *after = snapshot();
		cr_assert_str_eq(after, before, "failing rename %d left:\n%s", n, after);
		free(after);
		cad_strbuf_free(&why);
	}
	free(before);
}

/* issue 14 items 3 and 18: a link is followed (it stays a link, its
 * target's mode is the one kept), a file with another hard link is
 * rewritten in place, and a link out of the root is refused. */
Test(plan, follows_links_and_keeps_hard_links, .init = setup, .fini = teardown)
{
	plan p;
	strbuf why = STRBUF_INIT;
	struct stat st, st2;
	put("target.yaml", "old\n");
	chmod(at("target.yaml"), 0640);
	cr_assert_eq(symlink("target.yaml", at("link.yaml")), 0);
	put("linked.txt", "old\n");
	cr_assert_eq(link(at("linked.txt"), at("second-name.txt")), 0);
	cad_plan_init(&p);
	cr_assert_eq(cad_plan_set_root(&p, root), 0);
	cr_assert_eq(cad_plan_add(&p, at("link.yaml"), "new\n", 4, PLAN_KEEP_MODE, 1), 0);
	cr_assert_eq(cad_plan_add(&p, at("linked.txt"), "longer new\n", 11, 0644, 1), 0);
	cr_assert_eq(cad_plan_check(&p, &why), 0, "%s", cad_strbuf_cstr(&why));
	cr_assert_eq(cad_plan_commit(&p, NULL, &why), 0, "%s", cad_strbuf_cstr(&why));
	cr_assert_eq(lstat(at("link.yaml"), &st), 0);
	cr_assert(S_ISLNK(st.st_mode), "the link stays a link");
	cr_assert_str_eq(get("target.yaml"), "new\n");
	cr_assert_eq(stat(at("target.yaml"), &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0640, "the target's mode, not the link's 0777");
	cr_assert_str_eq(get("second-name.txt"), "longer new\n");
	cr_assert_eq(stat(at("linked.txt"), &st), 0);
	cr_assert_eq(stat(at("second-name.txt"), &st2), 0);
	cr_assert_eq(st.st_ino, st2.st_ino, "still one file");
	cad_plan_free(&p);

	/* out of the root: refused, and nothing is written */
	cr_assert_eq(mkdir(at("proj"), 0755), 0);
	cr_assert_eq(symlink("..", at("proj/up")), 0);
	cad_plan_init(&p);
	cr_assert_eq(cad_plan_set_root(&p, at("proj")), 0);
	cr_assert_eq(cad_plan_add(&p, at("proj/up/target.yaml"), "x", 1, 0644, 1), 0);
	cad_strbuf_free(&why);
	cr_assert_eq(cad_plan_check(&p, &why), CADENCE_EINVALID);
	cr_assert(strstr(cad_strbuf_cstr(&why), "a symbolic link leads out of"), "%s", cad_strbuf_cstr(&why));
	cad_plan_free(&p);
	cr_assert_str_eq(get("target.yaml"), "new\n");
	cad_strbuf_free(&why);
}

/* issue 14 item 18: a file rewritten in place (it has another hard link)
 * is put back in place when a later step fails. */
Test(plan, every_failure_is_undone_in_place_too, .init = setup, .fini = teardown)
{
	put("linked.txt", "old\n");
	cr_assert_eq(link(at("linked.txt"), at("second-name.txt")), 0);
	char *before = snapshot();
	for (int n = 1;; n++) {
		plan p;
		strbuf why = STRBUF_INIT;
		failer f = { n, 0 };
		plan_hooks h = { fail_nth, &f };
		cad_plan_init(&p);
		cr_assert_eq(cad_plan_add(&p, at("linked.txt"), "replaced\n", 9, 0644, 1), 0);
		cr_assert_eq(cad_plan_add(&p, at("z/new.txt"), "new\n", 4, 0644, 1), 0);
		cr_assert_eq(cad_plan_check(&p, &why), 0);
		int rc = cad_plan_commit(&p, &h, &why);
		cad_plan_free(&p);
		cad_strbuf_free(&why);
		if (!rc)
			break;
		char *after = snapshot();
		cr_assert_str_eq(after, before, "failing step %d left:\n%s", n, after);
		free(after);
	}
	cr_assert_str_eq(get("second-name.txt"), "replaced\n");
	free(before);
}
