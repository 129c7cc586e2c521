/* SPDX-License-Identifier: MIT */
/* The public loading API: results, positions, limits, failures. */
#include <cadence/cadence.h>

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static cadence_diags *diags;

static void setup(void)
{
	cr_assert_eq(cadence_diags_new(&diags), 0);
}

static void teardown(void)
{
	cadence_diags_free(diags);
}

TestSuite(load, .init = setup, .fini = teardown);

static int load(const char *text, cadence_def **def, const cadence_load_opts *opts)
{
	int rc = cadence_load_buffer(def, "t.cadence.yaml", text, strlen(text), opts, diags);
	cadence_diags_sort(diags);
	return rc;
}

static const cadence_diag *only(const char *rule)
{
	cr_assert_eq(cadence_diags_count(diags), 1, "%zu diagnostics",
		     cadence_diags_count(diags));
	const cadence_diag *d = cadence_diags_get(diags, 0);
	cr_assert_str_eq(d->rule, rule, "rule %s: %s", d->rule, d->message);
	return d;
}

static const char valid[] =
	"cadence: checkout\n"
	"score:\n"
	"  total: {type: number, default: 0}\n"
	"  id: {type: string, required: true}\n"
	"notes:\n"
	"  price: {set: {total: 'score.total + 1'}}\n"
	"  charge: {symbol: charge_card, timeout: 5s}\n"
	"  mail: {run: [./notes/mail.sh, --fast]}\n"
	"measures:\n"
	"  - then: price\n"
	"  - sync: both\n"
	"    notes: [charge, mail]\n";

Test(load, valid_file_gives_a_model)
{
	cadence_def *def = NULL;
	cr_assert_eq(load(valid, &def, NULL), 0);
	cr_assert_not_null(def);
	cr_assert_eq(cadence_diags_count(diags), 0);
	cr_assert_str_eq(cadence_def_name(def), "checkout");
	cr_assert_str_eq(cadence_def_path(def), "t.cadence.yaml");
	cr_assert_eq(cadence_def_field_count(def), 2);
	cr_assert_eq(cadence_def_note_count(def), 3);
	cr_assert_eq(cadence_def_measure_count(def), 2);
	cadence_def_free(def);
}

Test(load, errors_leave_no_model_and_carry_positions)
{
	cadence_def *def = (cadence_def *)1;
	cr_assert_eq(load("cadence: x\nnotes:\n  a: {symbol: f, tmeout: 3s}\n"
			  "measures:\n  - then: a\n", &def, NULL), CADENCE_EINVALID);
	cr_assert_null(def);
	const cadence_diag *d = only("unknown-key");
	cr_assert_eq(d->line, 3);
	cr_assert_eq(d->column, 18);
	cr_assert_eq(d->length, 6);
	cr_assert_str_eq(d->source_line, "  a: {symbol: f, tmeout: 3s}");
	cr_assert(strstr(d->help, "did you mean 'timeout'?"), "%s", d->help);
}

Test(load, every_problem_in_one_run)
{
	cadence_def *def;
	cr_assert_eq(load("cadence: 1x\nbogus: 1\nnotes:\n  a: {}\nmeasures:\n  - then: a\n"
			  "  - split: s\n    when: 'true'\n    if_true: nope\n", &def, NULL),
		     CADENCE_EINVALID);
	cr_assert_geq(cadence_diags_count(diags), 4);
	unsigned prev = 0;
	for (size_t i = 0; i < cadence_diags_count(diags); i++) {
		const cadence_diag *d = cadence_diags_get(diags, i);
		cr_assert_geq(d->line, prev, "sorted by position");
		prev = d->line;
	}
}

Test(load, columns_count_code_points)
{
	cadence_def *def;
	load("cadence: x\ndescription: \"é€🎵\"\nnotes:\n  a: {symbol: f, tmeout: 5s}\n"
	     "measures:\n  - then: a\n# é\nx: 1\n", &def, NULL);
	cr_assert_eq(cadence_diags_count(diags), 2);
	const cadence_diag *d = cadence_diags_get(diags, 0);
	cr_assert_eq(d->column, 18);
	cadence_diags_free(diags);
	setup();
	load("cadence: x\nnotes: {é: {symbol: f}, b-c: {symbol: g}}\nmeasures: [{then: b}]\n",
	     &def, NULL);
	cr_assert_eq(cadence_diags_count(diags), 2);
	d = cadence_diags_get(diags, 1);
	cr_assert_str_eq(d->rule, "bad-name");
	cr_assert_eq(d->line, 2);
	cr_assert_eq(d->column, 26, "column %u", d->column);	/* the - */
}

Test(load, duplicate_key_cites_the_first)
{
	cadence_def *def;
	load("cadence: x\nnotes:\n  a: {symbol: f}\n  a: {symbol: g}\nmeasures:\n  - then: a\n",
	     &def, NULL);
	const cadence_diag *d = only("yaml-duplicate-key");
	cr_assert_eq(d->line, 4);
	cr_assert_eq(d->related_line, 3);
	cr_assert_eq(d->related_column, 3);
}

/* More than 16 keys: found through a hash map, with the same answer; keys
 * that are prefixes of one another are not duplicates. */
Test(load, duplicate_key_in_a_large_map)
{
	cadence_def *def;
	char text[4096];
	size_t n = (size_t)snprintf(text, sizeof(text), "cadence: x\nscore:\n");
	for (int i = 1; i <= 40; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "  f%d: {type: string}\n", i);
	snprintf(text + n, sizeof(text) - n,
		 "  f12: {type: integer}\nnotes:\n  a: {symbol: f}\nmeasures:\n  - then: a\n");
	load(text, &def, NULL);
	const cadence_diag *d = only("yaml-duplicate-key");
	cr_assert_eq(d->line, 43);
	cr_assert_eq(d->related_line, 14);
	cr_assert_str_eq(d->message, "duplicate key 'f12'");
}

Test(load, syntax_error_at_the_parser_position)
{
	cadence_def *def;
	load("cadence: x\nmeasures: [a, b\n", &def, NULL);
	const cadence_diag *d = only("yaml-syntax");
	cr_assert_eq(d->line, 3);
}

Test(load, depth_limit_is_an_option)
{
	cadence_def *def;
	cadence_load_opts opts = CADENCE_LOAD_OPTS_INIT;
	opts.max_depth = 3;
	load("cadence: x\ndescription: [[[1]]]\n", &def, &opts);
	cr_assert_eq(cadence_diags_count(diags), 1);
	cr_assert_str_eq(cadence_diags_get(diags, 0)->rule, "yaml-depth");
}

Test(load, depth_of_ten_thousand)
{
	size_t n = 10000;
	char *text = malloc(2 * n + 64);
	size_t len = (size_t)sprintf(text, "cadence: x\ndescription: ");
	memset(text + len, '[', n);
	memset(text + len + n, ']', n);
	text[len + 2 * n] = '\0';
	cadence_def *def;
	cr_assert_eq(load(text, &def, NULL), CADENCE_EINVALID);
	only("yaml-depth");
	free(text);
}

Test(load, size_limit_is_an_option)
{
	cadence_def *def;
	cadence_load_opts opts = CADENCE_LOAD_OPTS_INIT;
	opts.max_file_size = 16;
	load(valid, &def, &opts);
	const cadence_diag *d = only("file-too-large");
	cr_assert_eq(d->line, 0);
}

Test(load, unreadable_paths)
{
	cadence_def *def = (cadence_def *)1;
	cr_assert_eq(cadence_load_file(&def, "/nonexistent/x.cadence.yaml", NULL, diags),
		     CADENCE_EINVALID);
	cr_assert_null(def);
	cr_assert_eq(cadence_load_file(&def, CADENCE_SOURCE_DIR "/tests", NULL, diags),
		     CADENCE_EINVALID);
	cr_assert_eq(cadence_diags_count(diags), 2);
	for (size_t i = 0; i < 2; i++) {
		const cadence_diag *d = cadence_diags_get(diags, i);
		cr_assert_str_eq(d->rule, "file-unreadable");
		cr_assert_not_null(d->help);
	}
}

Test(load, the_same_input_gives_the_same_diagnostics)
{
	cadence_def *def;
	const char *bad = "cadence: x\nnotes:\n  a: {symbol: f, retry: {attempts: 30s}}\n"
			  "measures:\n  - then: a\n  - then: b\n";
	load(bad, &def, NULL);
	load(bad, &def, NULL);
	cr_assert_eq(cadence_diags_count(diags) % 2, 0);
	size_t half = cadence_diags_count(diags) / 2;
	for (size_t i = 0; i < half; i++) {
		const cadence_diag *a = cadence_diags_get(diags, 2 * i);
		const cadence_diag *b = cadence_diags_get(diags, 2 * i + 1);
		cr_assert_str_eq(a->message, b->message);
		cr_assert_eq(a->column, b->column);
	}
}
