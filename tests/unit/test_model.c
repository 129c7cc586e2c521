/* SPDX-License-Identifier: MIT */
/* The model's name indexes (model/model.h): built by the loader and the
 * builder when they make a cadence, the first of two names winning. */
#include <criterion/criterion.h>

#include "cadence/cadence.h"
#include "model/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char text[] =
	"cadence: m\n"
	"score:\n"
	"  total: {type: number, default: 0}\n"
	"  tot: {type: number, default: 0}\n"
	"  t: {type: string, default: ''}\n"
	"notes:\n"
	"  a: {set: {total: '1'}}\n"
	"  b: {set: {tot: '2'}}\n"
	"measures:\n"
	"  - then: first\n"
	"    note: a\n"
	"  - then: b\n"
	"  - then: first\n"	/* a duplicate: reported by the checker */
	"    note: b\n";

Test(model, a_loaded_cadence_is_indexed)
{
	cadence_diags *d;
	cadence_def *def;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_load_buffer(&def, "m.cadence.yaml", text, strlen(text), NULL, d), 0);
	cr_expect_eq(cad_model_field_index(def, "total"), 0);
	cr_expect_eq(cad_model_field_index(def, "tot"), 1);
	cr_expect_eq(cad_model_field_index(def, "t"), 2);
	cr_expect_eq(cad_model_field_index(def, "to"), -1);
	cr_expect_eq(cad_model_field_index(def, "totals"), -1);
	/* a name inside a longer text, as an expression holds it */
	const char *expr = "score.tot + 1";
	cr_expect_eq(cad_model_field_index_n(def, expr + 6, 3), 1);
	cr_expect_eq(cad_model_field_index_n(def, "total", 4), -1);
	cr_expect_eq(cad_model_note_index(def, "b"), 1);
	cr_expect_eq(cad_model_note_index(def, "c"), -1);
	cr_expect_eq(cad_find_note(def, "a"), &def->notes[0]);
	cr_expect_eq(cad_find_field(def, "t"), &def->fields[2]);
	cr_expect_null(cad_find_field(def, "x"));
	cr_expect_eq(cad_model_measure_index(def, "first"), 0, "the first of two");
	cr_expect_eq(cad_model_measure_index(def, "b"), 1);
	cadence_def_free(def);
	cadence_diags_free(d);
}

/* 20,000 notes and fields, made by calls: each name is looked up as it is
 * added (a duplicate is refused) and the cadence keeps the index. */
Test(model, a_built_cadence_is_indexed)
{
	enum { N = 20000 };
	cadence_builder *b;
	cadence_def *def;
	char name[32];
	cr_assert_eq(cadence_builder_new(&b, "built"), 0);
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		cr_assert_eq(cadence_builder_field(b, name, "integer", NULL, 0), 0);
		snprintf(name, sizeof(name), "n%d", i);
		cr_assert_eq(cadence_builder_symbol(b, name, "fn"), 0);
		cr_assert_eq(cadence_builder_then(b, name, NULL), 0);
	}
	cr_assert_eq(cadence_builder_finish(&def, b, NULL), 0);
	cadence_builder_free(b);
	for (int i = 0; i < N; i += 997) {
		snprintf(name, sizeof(name), "f%d", i);
		cr_expect_eq(cad_model_field_index(def, name), i);
		snprintf(name, sizeof(name), "n%d", i);
		cr_expect_eq(cad_model_note_index(def, name), i);
		cr_expect_eq(cad_model_measure_index(def, name), i);
	}
	cr_expect_eq(cad_model_field_index(def, "n1"), -1);
	cadence_def_free(def);

	cr_assert_eq(cadence_builder_new(&b, "twice"), 0);
	cr_assert_eq(cadence_builder_field(b, "x", "integer", NULL, 0), 0);
	cr_assert_eq(cadence_builder_field(b, "x", "string", NULL, 0), CADENCE_EINVAL);
	cadence_builder_free(b);
	cr_assert_eq(cadence_builder_new(&b, "twice"), 0);
	cr_assert_eq(cadence_builder_symbol(b, "a", "f"), 0);
	cr_assert_eq(cadence_builder_then(b, "m", "a"), 0);
	cr_assert_eq(cadence_builder_then(b, "m", "a"), CADENCE_EINVAL);
	cadence_builder_free(b);
}
