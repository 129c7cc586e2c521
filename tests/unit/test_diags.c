/* SPDX-License-Identifier: MIT */
/* cadence_diags_sort(): by file, line, column, then insertion order. */
#include <criterion/criterion.h>

#include "cadence/cadence.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(cadence_diags *d, const char *file, unsigned line, unsigned col, const char *msg)
{
	cr_assert_eq(cadence_diags_add(d, CADENCE_SEVERITY_ERROR, "r", file, line, col, 1, NULL, 0,
				       msg, NULL), 0);
}

/* The diagnostics written in `fmt`, malloc'd. */
static char *write_as(const cadence_diags *d, cadence_diag_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	cr_assert_eq(cadence_diags_write(d, f, fmt, NULL), 0);
	fclose(f);
	return buf;
}

static void expect_order(const cadence_diags *d, const char *const *want, size_t n)
{
	cr_assert_eq(cadence_diags_count(d), n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(cadence_diags_get(d, i)->message, want[i], "at %zu", i);
}

Test(diags_sort, ties_keep_the_insertion_order)
{
	cadence_diags *d;
	cr_assert_eq(cadence_diags_new(&d), 0);
	add(d, "f", 3, 1, "A");
	add(d, "f", 1, 1, "B");
	add(d, "f", 3, 1, "C");
	add(d, "f", 1, 1, "D");
	add(d, "e", 9, 9, "E");
	add(d, "f", 1, 2, "F");
	cadence_diags_sort(d);
	const char *want[] = { "E", "B", "D", "F", "A", "C" };
	expect_order(d, want, 6);
	/* sorted again, and with one added after: still by insertion */
	cadence_diags_sort(d);
	expect_order(d, want, 6);
	add(d, "f", 1, 1, "G");
	cadence_diags_sort(d);
	const char *want2[] = { "E", "B", "D", "G", "F", "A", "C" };
	expect_order(d, want2, 7);
	cadence_diags_free(d);
}

typedef struct ref {
	char file[2];
	unsigned line, col;
	size_t seq;
} ref;

static int ref_cmp(const void *pa, const void *pb)
{
	const ref *a = pa, *b = pb;
	int c = strcmp(a->file, b->file);
	if (c)
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Many diagnostics, most of them tied with others: the order is the one
 * a stable sort gives (here: qsort with the insertion index last). */
Test(diags_sort, many_with_ties)
{
	enum { N = 5000 };
	cadence_diags *d;
	ref *r = calloc(N, sizeof(*r));
	cr_assert_eq(cadence_diags_new(&d), 0);
	unsigned seed = 12345;
	for (size_t i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		r[i].file[0] = (char)('a' + (seed >> 16) % 3);
		r[i].line = (seed >> 8) % 7 + 1;
		r[i].col = (seed >> 20) % 3 + 1;
		r[i].seq = i;
		char msg[32];
		snprintf(msg, sizeof(msg), "d%zu", i);
		add(d, r[i].file, r[i].line, r[i].col, msg);
	}
	cadence_diags_sort(d);
	qsort(r, N, sizeof(*r), ref_cmp);
	for (size_t i = 0; i < N; i++) {
		char msg[32];
		snprintf(msg, sizeof(msg), "d%zu", r[i].seq);
		const cadence_diag *g = cadence_diags_get(d, i);
		cr_assert_str_eq(g->message, msg, "at %zu", i);
		cr_assert_eq(g->line, r[i].line);
	}
	free(r);
	cadence_diags_free(d);
}

/* `cadence run --log json`'s lines: "event" first, the JSON document's
 * fields but length and related, text made UTF-8 (a message is made
 * printable when added; cli/run.sh checks the line of a real file). */
Test(diags, json_lines_are_the_run_log_shape)
{
	cadence_diags *d = NULL;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_diags_add(d, CADENCE_SEVERITY_ERROR, "undefined-note", "f\xFF.yaml", 4, 11,
				       1, "x", 1, "note 'b' is not defined \xE2\x80\xAE", "did you mean 'a'?"), 0);
	cr_assert_eq(cadence_diags_add(d, CADENCE_SEVERITY_WARNING, "unused-field", "g.yaml", 2, 3, 1,
				       "x", 1, "unused", NULL), 0);
	char *buf = write_as(d, CADENCE_DIAG_JSON_LINES);
	cr_assert_str_eq(buf,
		"{\"event\":\"diagnostic\",\"file\":\"f\xEF\xBF\xBD.yaml\",\"line\":4,\"column\":11,"
		"\"severity\":\"error\",\"rule\":\"undefined-note\","
		"\"message\":\"note 'b' is not defined \xEF\xBF\xBD\",\"help\":\"did you mean 'a'?\"}\n"
		"{\"event\":\"diagnostic\",\"file\":\"g.yaml\",\"line\":2,\"column\":3,"
		"\"severity\":\"warning\",\"rule\":\"unused-field\",\"message\":\"unused\"}\n");
	free(buf);
	cadence_diags_free(d);
}

/* issue 21 item 16: the caret stands under its character by display width
 * (CJK and emoji 2 columns, a combining mark 0, a tab kept), while the
 * column reported stays a count of code points. */
Test(diags, caret_goes_by_display_width)
{
	/* tab 中 文 😀 e U+0301 : space x — x is code point 9 */
	const char *line = "\t\xE4\xB8\xAD\xE6\x96\x87\xF0\x9F\x98\x80" "e\xCC\x81: x";
	cadence_diags *d = NULL;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_diags_add(d, CADENCE_SEVERITY_ERROR, "r", "f.yaml", 1, 9, 1,
				       line, strlen(line), "at x", NULL), 0);
	cr_assert_eq(cadence_diags_add(d, CADENCE_SEVERITY_ERROR, "r", "f.yaml", 1, 2, 4,
				       line, strlen(line), "under 中文😀e", NULL), 0);
	char *buf = write_as(d, CADENCE_DIAG_TEXT);
	char want[256];
	snprintf(want, sizeof(want),
		 "f.yaml:1:9: error: at x [r]\n    1 | %s\n      | \t         ^\n"
		 "f.yaml:1:2: error: under 中文😀e [r]\n    1 | %s\n      | \t^~~~~~~\n",
		 line, line);
	cr_assert_str_eq(buf, want);
	free(buf);
	cadence_diags_free(d);
}
