/* SPDX-License-Identifier: MIT */
/* The diagram API: escaping, ids for any name (cadences built in code need
 * not have identifier names), cycles under --expand, limits, errors. */
#include <cadence/cadence.h>
#include <cadence/diagram.h>

#include "diagram/diagram_int.h"
#include "model/model.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpdir.h"

static cadence_diags *diags;

static void setup(void)
{
	cr_assert_eq(cadence_diags_new(&diags), 0);
}

static void teardown(void)
{
	cadence_diags_free(diags);
}

TestSuite(diagram, .init = setup, .fini = teardown);

static cadence_def *load(const char *text)
{
	cadence_def *def = NULL;
	cr_assert_eq(cadence_load_buffer(&def, "t.cadence.yaml", text, strlen(text), NULL, diags), 0);
	return def;
}

static char *draw(const cadence_def *def, cadence_project *p, cadence_diagram_format f,
		  const cadence_diagram_opts *o)
{
	char *out = NULL;
	size_t len = 0;
	int rc = cadence_diagram_buffer(&out, &len, def, p, f, o, NULL);
	cr_assert_eq(rc, 0, "%s", cadence_strerror(rc));
	cr_assert_eq(strlen(out), len);
	return out;
}

static char *esc(void (*fn)(strbuf *, const char *), const char *s)
{
	strbuf sb = STRBUF_INIT;
	fn(&sb, s);
	return cad_strbuf_detach(&sb);
}

Test(diagram, escape_mermaid)
{
	char *s = esc(cad_dg_escape_mermaid, "a \"b\" #c; <d>&e %%{init}%% `f` |g| h:i\\ \n\t\x01");
	cr_assert_str_eq(s, "a #34;b#34; #35;c#59; #60;d#62;#38;e #37;#37;#123;init#125;#37;#37; "
			    "#96;f#96; #124;g#124; h#58;i#92; <br> #65533;");
	free(s);
	s = esc(cad_dg_escape_mermaid, "gr\xc3\xbc\xc3\x9f \xf0\x9f\x98\x80 \xff \xe2\x80\xae\r\n\xe2\x80\xa8");
	cr_assert_str_eq(s, "gr#252;#223; #128512; #65533; #65533;<br><br>");
	free(s);
}

Test(diagram, escape_dot)
{
	char *s = esc(cad_dg_escape_dot, "a \"b\" \\N <c>&d\r\n\t\x7f");
	cr_assert_str_eq(s, "a \\\"b\\\" \\\\N &lt;c&gt;&amp;d\\n \xef\xbf\xbd");
	free(s);
	/* invalid bytes become U+FFFD, valid UTF-8 stays as it is */
	s = esc(cad_dg_escape_dot, "\xc3\xbc\xf0\x9f\x98\x80\xc3");
	cr_assert_str_eq(s, "\xc3\xbc\xf0\x9f\x98\x80\xef\xbf\xbd");
	free(s);
}

static const char small[] =
	"cadence: api\n"
	"notes:\n"
	"  a: {symbol: a, retry: {attempts: 3, delay: 1s}, timeout: 10s}\n"
	"  b: {symbol: b}\n"
	"  h: {symbol: h}\n"
	"measures:\n"
	"  - then: a\n"
	"  - sync: s\n"
	"    merge: last_write_wins\n"
	"    notes: [a, b]\n"
	"  - split: c\n"
	"    when: 'true'\n"
	"    if_true: [b]\n"
	"on_error: {note: h, stop: true}\n";

/* The golden file NAME in tests/golden/diagram, or rewritten with UPDATE=1;
 * the DOT and Mermaid render tests render these files too. */
static void golden(const char *name, const char *text)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/golden/diagram/%s", CADENCE_SOURCE_DIR, name);
	const char *update = getenv("UPDATE");
	if (update && !strcmp(update, "1")) {
		FILE *f = fopen(path, "w");
		cr_assert(f);
		fputs(text, f);
		fclose(f);
		return;
	}
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	char *want = calloc(1, 1 << 20);
	size_t n = fread(want, 1, (1 << 20) - 1, f);
	fclose(f);
	want[n] = '\0';
	cr_assert_str_eq(text, want, "%s differs; UPDATE=1 rewrites it", path);
	free(want);
}

/* A cadence built in code may carry any name: ids stay ids, labels stay
 * labels, and no name adds a statement to either language. */
Test(diagram, any_name_from_code)
{
	cadence_def *def = load(small);
	struct cadence_def *d = def;
	d->name.name = "\"]; click c_start call alert(1) %%";
	d->notes[0].name.name = "end";
	d->measures[0].name.name = "end";
	d->measures[0].notes[0].name = "end";
	d->measures[1].name.name = "a b\"];\n}subgraph";
	d->measures[1].notes[0].name = "end";
	d->measures[1].notes[1].name = "x -> y [color=red]";
	d->measures[2].name.name = "o";
	d->measures[2].notes[0].name = "graph { }";
	d->on_error_note.name = "h\n%%{init: {}}%%";
	cr_assert_eq(cad_model_index(d), 0, "names changed: index them again");
	cadence_diagram_opts o = CADENCE_DIAGRAM_OPTS_INIT;
	char *m = draw(def, NULL, CADENCE_DIAGRAM_MERMAID, &o);
	char *t = draw(def, NULL, CADENCE_DIAGRAM_DOT, &o);
	golden("api-names.mmd", m);
	golden("api-names.dot", t);
	/* ids made from names that are not identifiers */
	cr_assert(strstr(m, "m_end[\"end"));
	cr_assert(strstr(m, "subgraph g_ua_20b_22_5D_3B_0A_7Dsubgraph "));
	free(m);
	free(t);
	cadence_def_free(def);
}

Test(diagram, ids_are_unique)
{
	cadence_def *def = load("cadence: u\n"
				"notes:\n  n: {symbol: n}\n"
				"measures:\n"
				"  - sequence: q\n    notes: [n, n, n]\n");
	char *m = draw(def, NULL, CADENCE_DIAGRAM_MERMAID, NULL);
	cr_assert(strstr(m, "m_q__n[\"n\"]"));
	cr_assert(strstr(m, "m_q__n_2[\"n\"]"));
	cr_assert(strstr(m, "m_q__n_3[\"n\"]"));
	free(m);
	cadence_def_free(def);
}

Test(diagram, expand_guards_cycles)
{
	cadence_project *p = NULL;
	const cadence_def *def = NULL;
	cr_assert_eq(cadence_project_new(&p, NULL), 0);
	cr_assert_eq(cadence_project_load_file(&def, p,
					       CADENCE_SOURCE_DIR
					       "/tests/golden/fixtures/cycle/checkout.cadence.yaml", diags), 0);
	cadence_diagram_opts o = CADENCE_DIAGRAM_OPTS_INIT;
	cadence_diagram_stats st = CADENCE_DIAGRAM_STATS_INIT;
	o.expand = 1;
	char *out = NULL;
	size_t len = 0;
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, p, CADENCE_DIAGRAM_DOT, &o, &st), 0);
	/* checkout -> payment -> refund, and refund's child is checkout again */
	cr_assert_eq(st.expanded, 2);
	cr_assert(strstr(out, "(cycle: not expanded)"));
	free(out);
	/* without a project nothing is expanded */
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_DOT, &o, &st), 0);
	cr_assert_eq(st.expanded, 0);
	free(out);
	cadence_project_free(p);
}

Test(diagram, mermaid_limits)
{
	cadence_def *def = load(small);
	cadence_diagram_opts o = CADENCE_DIAGRAM_OPTS_INIT;
	cadence_diagram_stats st = CADENCE_DIAGRAM_STATS_INIT;
	char *out = (char *)1;
	size_t len = 1;
	o.mermaid_max_edges = 5;
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_MERMAID, &o, &st),
		     CADENCE_ELIMIT);
	cr_assert_null(out);
	cr_assert_eq(len, 0);
	cr_assert_gt(st.edges, 5);
	cr_assert_eq(st.max_edges, 5);
	cr_assert_eq(st.max_text, CADENCE_DIAGRAM_MERMAID_MAX_TEXT);
	/* DOT has no such limit */
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_DOT, &o, &st), 0);
	cr_assert_eq(st.max_edges, 0);
	free(out);
	o.mermaid_max_edges = 0;
	o.mermaid_max_text = 100;
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_MERMAID, &o, &st),
		     CADENCE_ELIMIT);
	cr_assert_gt(st.text_len, 100);
	cadence_def_free(def);
}

Test(diagram, bad_arguments)
{
	cadence_def *def = load(small);
	cadence_diagram_opts o = CADENCE_DIAGRAM_OPTS_INIT;
	char *out;
	size_t len;
	cr_assert_eq(cadence_diagram_buffer(NULL, &len, def, NULL, CADENCE_DIAGRAM_DOT, NULL, NULL),
		     CADENCE_EINVAL);
	cr_assert_eq(cadence_diagram_buffer(&out, &len, NULL, NULL, CADENCE_DIAGRAM_DOT, NULL, NULL),
		     CADENCE_EINVAL);
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, (cadence_diagram_format)9, NULL,
					    NULL), CADENCE_EINVAL);
	o.version = 99;
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_DOT, &o, NULL),
		     CADENCE_EVERSION);
	cr_assert_eq(cadence_diagram_write(def, NULL, NULL, CADENCE_DIAGRAM_DOT, NULL, NULL),
		     CADENCE_EINVAL);
	cadence_diagram_format f;
	cr_assert_eq(cadence_diagram_format_parse(&f, "dot"), 0);
	cr_assert_eq(f, CADENCE_DIAGRAM_DOT);
	cr_assert_eq(cadence_diagram_format_parse(&f, "gif"), CADENCE_EINVAL);
	cadence_def_free(def);
}

Test(diagram, write_reports_io_errors)
{
	cadence_def *def = load(small);
	FILE *f = fopen("/dev/full", "w");
	if (f) {
		cr_assert_eq(cadence_diagram_write(def, NULL, f, CADENCE_DIAGRAM_DOT, NULL, NULL),
			     CADENCE_EIO);
		fclose(f);
	}
	/* a file under $TMPDIR (tmpfile(3) would use /tmp whatever it says) */
	char dir[4096], path[4200];
	cr_assert(test_mkdtemp(dir, sizeof(dir), "diagram"));
	snprintf(path, sizeof(path), "%s/out.mmd", dir);
	f = fopen(path, "w+");
	cr_assert(f);
	cr_assert_eq(cadence_diagram_write(def, NULL, f, CADENCE_DIAGRAM_MERMAID, NULL, NULL), 0);
	cr_assert_gt(ftell(f), 0);
	fclose(f);
	unlink(path);
	rmdir(dir);
	cadence_def_free(def);
}

Test(diagram, render_svg_png)
{
	cadence_def *def = load(small);
	char *out = NULL;
	size_t len = 0;
	int rc = cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_SVG, NULL, NULL);
	if (!cadence_diagram_can_render()) {
		cr_assert_eq(rc, CADENCE_ENOTSUP);
		cadence_def_free(def);
		return;
	}
	cr_assert_eq(rc, 0);
	cr_assert(strstr(out, "<svg"));
	free(out);
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_PNG, NULL, NULL), 0);
	cr_assert_gt(len, 8);
	cr_assert_eq(memcmp(out, "\x89PNG\r\n\x1a\n", 8), 0);
	free(out);
	cadence_def_free(def);
}

Test(diagram, render_pdf_jpeg_and_resolution)
{
	cadence_def *def = load(small);
	cadence_diagram_opts o = CADENCE_DIAGRAM_OPTS_INIT;
	cadence_diagram_stats st = CADENCE_DIAGRAM_STATS_INIT;
	cadence_diagram_format f;
	char *out = NULL;
	size_t len = 0;

	cr_assert_eq(cadence_diagram_format_parse(&f, "jpeg"), 0);
	cr_assert_eq(f, CADENCE_DIAGRAM_JPEG);
	cr_assert_eq(cadence_diagram_format_parse(&f, "pdf"), 0);
	cr_assert_eq(f, CADENCE_DIAGRAM_PDF);
	/* a resolution where there are no pixels, or not a valid one */
	o.dpi = 150;
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_SVG, &o, NULL),
		     CADENCE_EINVAL);
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_DOT, &o, NULL),
		     CADENCE_EINVAL);
	o.dpi = -1;
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_PNG, &o, NULL),
		     CADENCE_EINVAL);
	o.dpi = 0;
	o.scale = NAN;
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_PNG, &o, NULL),
		     CADENCE_EINVAL);
	o.scale = 0;
	if (!cadence_diagram_can_render()) {
		cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_PDF, NULL,
						    NULL), CADENCE_ENOTSUP);
		cadence_def_free(def);
		return;
	}
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_PDF, NULL, NULL), 0);
	cr_assert(len > 4 && !memcmp(out, "%PDF", 4));
	free(out);
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_JPEG, NULL, &st), 0);
	cr_assert(len > 3 && !memcmp(out, "\xff\xd8\xff", 3));
	free(out);
	/* the pixels, from the layout: twice as many a side at twice the dpi */
	size_t w = st.width;
	cr_assert_gt(w, 0);
	o.dpi = 192;
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_PNG, &o, &st), 0);
	free(out);
	cr_assert(st.width >= 2 * w - 1 && st.width <= 2 * w + 1, "%zu at 192 dpi, %zu at 96",
		  st.width, w);
	/* too many: refused, with the size */
	o.scale = 1000;
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_PNG, &o, &st),
		     CADENCE_ELIMIT);
	cr_assert_null(out);
	cr_assert_gt(st.width, CADENCE_DIAGRAM_MAX_SIDE);
	/* a version 1 caller has neither: Graphviz's resolution */
	o.version = 1;
	cr_assert_eq(cadence_diagram_buffer(&out, &len, def, NULL, CADENCE_DIAGRAM_PNG, &o, &st), 0);
	free(out);
	cr_assert_eq(st.width, w);
	cadence_def_free(def);
}

/* The edges of a Mermaid text: its lines that hold " --> ", in order. */
static char *edges_of(const char *m)
{
	strbuf sb = STRBUF_INIT;
	for (const char *p = m; *p;) {
		size_t n = strcspn(p, "\n");
		const char *arrow = strstr(p, " --> ");
		if (arrow && arrow < p + n) {
			cad_strbuf_add(&sb, p + 4, n - 4);
			cad_strbuf_addc(&sb, '\n');
		}
		p += n + (p[n] == '\n');
	}
	char *s = cad_strbuf_detach(&sb);
	return s ? s : calloc(1, 1);
}

static void assert_edges(const char *text, const char *want)
{
	cadence_def *def = load(text);
	char *m = draw(def, NULL, CADENCE_DIAGRAM_MERMAID, NULL);
	char *e = edges_of(m);
	cr_assert_str_eq(e, want, "in:\n%s", m);
	free(e);
	free(m);
	cadence_def_free(def);
}

/* What only validate reports still draws, with one way through the dag:
 * an `after` naming no task draws nothing, an entry repeated draws one
 * edge, a task listed twice is its first for `after`, and a circle with
 * nothing to start from gets the entry-to-exit edge. */
Test(diagram, dag_with_errors_draws)
{
	assert_edges("cadence: d\nnotes:\n  a: {symbol: a}\n  b: {symbol: b}\n"
		     "measures:\n  - dag: d\n    tasks:\n"
		     "      - task: a\n        after: [nope]\n"
		     "      - task: b\n        after: [a, a, nope]\n"
		     "      - task: a\n        after: [b]\n",
		     "c_start --> f_d\n"
		     "f_d --> m_d__a\n"
		     "m_d__a --> m_d__b\n"
		     "m_d__b --> m_d__a_2\n"
		     "m_d__a_2 --> j_d\n"
		     "j_d --> c_end\n");
	assert_edges("cadence: d\nnotes:\n  a: {symbol: a}\n  b: {symbol: b}\n"
		     "measures:\n  - dag: d\n    tasks:\n"
		     "      - task: a\n        after: [b]\n"
		     "      - task: b\n        after: [a]\n",
		     "c_start --> f_d\n"
		     "m_d__b --> m_d__a\n"
		     "m_d__a --> m_d__b\n"
		     "f_d --> j_d\n"
		     "j_d --> c_end\n");
	/* nothing to start from, but an end */
	assert_edges("cadence: d\nnotes:\n  a: {symbol: a}\n  b: {symbol: b}\n"
		     "measures:\n  - dag: d\n    tasks:\n"
		     "      - task: a\n        after: [b]\n"
		     "      - task: b\n        after: [a]\n"
		     "      - task: c\n        note: a\n        after: [b]\n",
		     "c_start --> f_d\n"
		     "m_d__b --> m_d__a\n"
		     "m_d__a --> m_d__b\n"
		     "m_d__b --> m_d__c\n"
		     "m_d__c --> j_d\n"
		     "f_d --> j_d\n"
		     "j_d --> c_end\n");
	/* a task after itself: not a start, not an end */
	assert_edges("cadence: d\nnotes:\n  a: {symbol: a}\n  b: {symbol: b}\n"
		     "measures:\n  - dag: d\n    tasks:\n"
		     "      - task: a\n        after: [a]\n"
		     "      - task: b\n",
		     "c_start --> f_d\n"
		     "m_d__a --> m_d__a\n"
		     "f_d --> m_d__b\n"
		     "m_d__b --> j_d\n"
		     "j_d --> c_end\n");
}

/* A dag built in code with no task (the loader refuses one) still has
 * its way through. */
Test(diagram, dag_without_tasks)
{
	cadence_def *def = load("cadence: d\nnotes:\n  a: {symbol: a}\n"
				"measures:\n  - dag: d\n    tasks:\n      - task: a\n");
	struct cadence_def *d = def;
	d->measures[0].ntasks = 0;
	char *m = draw(def, NULL, CADENCE_DIAGRAM_MERMAID, NULL);
	char *e = edges_of(m);
	cr_assert_str_eq(e, "c_start --> f_d\nf_d --> j_d\nj_d --> c_end\n");
	cr_assert(strstr(m, "subgraph g_d [\"dag d (on_failure finish #183; merge fail_on_conflict)\"]"));
	free(e);
	free(m);
	cadence_def_free(def);
}

/* The same cadence gives the same text, drawn again or loaded again. */
Test(diagram, dag_is_deterministic)
{
	const char *path = CADENCE_SOURCE_DIR "/tests/diagram/fixtures/dag.cadence.yaml";
	cadence_diagram_format fmts[] = { CADENCE_DIAGRAM_MERMAID, CADENCE_DIAGRAM_DOT };
	for (size_t f = 0; f < 2; f++) {
		char *first = NULL;
		for (int round = 0; round < 4; round++) {
			cadence_def *def = NULL;
			cr_assert_eq(cadence_load_file(&def, path, NULL, diags), 0);
			char *out = draw(def, NULL, fmts[f], NULL);
			char *again = draw(def, NULL, fmts[f], NULL);
			cr_assert_str_eq(out, again);
			if (first)
				cr_assert_str_eq(out, first);
			free(again);
			if (first)
				free(out);
			else
				first = out;
			cadence_def_free(def);
		}
		cr_assert(strstr(first, "m_wide__score_users"));
		free(first);
	}
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f, "cannot write %s", path);
	fputs(text, f);
	fclose(f);
}

/* A dag's child tasks under --expand: a child found is drawn inside the
 * dag, its start and end joined by the tasks' `after`; one that runs the
 * cadence drawn (a cycle) or names no file stays a sub-process saying
 * why, with the task's condition. */
Test(diagram, dag_child_tasks_expand)
{
	char dir[4096], path[4200];
	cr_assert(test_mkdtemp(dir, sizeof(dir), "diagram"));
	write_file(dir, "self.cadence.yaml",
		   "cadence: self\nnotes:\n  a: {symbol: a}\n"
		   "measures:\n  - dag: d\n    tasks:\n"
		   "      - task: a\n"
		   "      - task: leaf\n        cadence: leaf\n        after: [a]\n"
		   "      - task: again\n        cadence: self\n        after: [leaf]\n"
		   "        when: 'true'\n"
		   "      - task: gone\n        cadence: nowhere\n");
	write_file(dir, "leaf.cadence.yaml",
		   "cadence: leaf\nnotes:\n  x: {symbol: x}\nmeasures:\n  - then: x\n");
	snprintf(path, sizeof(path), "%s/self.cadence.yaml", dir);
	cadence_project *p = NULL;
	const cadence_def *def = NULL;
	cr_assert_eq(cadence_project_new(&p, NULL), 0);
	cr_assert_eq(cadence_project_load_file(&def, p, path, diags), 0);
	cadence_diagram_opts o = CADENCE_DIAGRAM_OPTS_INIT;
	cadence_diagram_stats st = CADENCE_DIAGRAM_STATS_INIT;
	o.expand = 1;
	char *m = NULL;
	size_t len = 0;
	cr_assert_eq(cadence_diagram_buffer(&m, &len, def, p, CADENCE_DIAGRAM_MERMAID, &o, &st), 0);
	cr_assert_eq(st.expanded, 1);
	cr_assert(strstr(m, "subgraph g_d__leaf [\"child leaf (cadence leaf)\"]"), "%s", m);
	cr_assert(strstr(m, "m_d__again[[\"again<br>child cadence self<br>when true<br>"
			    "(cycle#58; not expanded)\"]]"), "%s", m);
	cr_assert(strstr(m, "m_d__gone[[\"gone<br>child cadence nowhere<br>"
			    "(not found#58; not expanded)\"]]"), "%s", m);
	char *e = edges_of(m);
	cr_assert_str_eq(e, "c_start --> f_d\n"
			    "c_d__leaf__start --> m_d__leaf__x\n"
			    "m_d__leaf__x --> c_d__leaf__end\n"
			    "f_d --> m_d__a\n"
			    "m_d__a --> c_d__leaf__start\n"
			    "c_d__leaf__end --> m_d__again\n"
			    "f_d --> m_d__gone\n"
			    "m_d__again --> j_d\n"
			    "m_d__gone --> j_d\n"
			    "j_d --> c_end\n");
	free(e);
	free(m);
	/* not expanded: each child task is a sub-process */
	o.expand = 0;
	cr_assert_eq(cadence_diagram_buffer(&m, &len, def, p, CADENCE_DIAGRAM_DOT, &o, &st), 0);
	cr_assert_eq(st.expanded, 0);
	cr_assert(strstr(m, "m_d__leaf [shape=box, style=\"\", peripheries=2, "
			    "label=\"leaf\\nchild cadence leaf\"];"), "%s", m);
	cr_assert(strstr(m, "m_d__a -> m_d__leaf;"));
	free(m);
	cadence_project_free(p);
	snprintf(path, sizeof(path), "%s/self.cadence.yaml", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/leaf.cadence.yaml", dir);
	unlink(path);
	rmdir(dir);
}
