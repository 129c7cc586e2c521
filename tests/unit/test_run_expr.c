/* SPDX-License-Identifier: MIT */
/* The engine's expressions: `set` notes, `split` conditions, a child's
 * `with` and `merge` (the language itself is tested with the expression
 * module). */
#include "run_fixture.h"

#if defined(__has_include)
#if __has_include("cadence/expr.h")
#define HAVE_EXPR 1
#endif
#endif

#ifdef HAVE_EXPR

static fx f;

static void setup(void)
{
	fx_init(&f);
}

static void teardown(void)
{
	fx_free(&f);
}

TestSuite(expr, .init = setup, .fini = teardown);

static const char priced[] =
	"cadence: priced\n"
	"score:\n"
	"  items: {type: array, default: []}\n"
	"  total: {type: number, default: 0}\n"
	"  premium: {type: boolean, default: false}\n"
	"  route: {type: string, default: ''}\n"
	"  label: {type: string, default: ''}\n"
	"notes:\n"
	"  price:\n"
	"    set: {total: 'sum(score.items.map(i, i.price))', label: '\"n=\" + string(size(score.items))'}\n"
	"  fast: {set: {route: '\"priority\"'}}\n"
	"  slow: {set: {route: '\"standard\"'}}\n"
	"measures:\n"
	"  - then: price\n"
	"  - split: choose\n"
	"    when: score.premium && score.total > 100\n"
	"    if_true: [fast]\n"
	"    if_false: [slow]\n";

Test(expr, set_notes_compute_fields)
{
	fx_load(&f, priced);
	cr_assert_eq(fx_run(&f, "{\"items\": [{\"price\": 60}, {\"price\": 50.5}]}"), 0, "%s",
		     f.err.message);
	assert_field(&f, "total", "110.5");
	assert_field(&f, "label", "\"n=2\"");
}

Test(expr, split_takes_the_branch_of_its_condition)
{
	fx_load(&f, priced);
	cr_assert_eq(fx_run(&f, "{\"items\": [{\"price\": 200}], \"premium\": true}"), 0, "%s",
		     f.err.message);
	assert_field(&f, "route", "\"priority\"");
	cr_assert_eq(fx_run(&f, "{\"items\": [{\"price\": 200}]}"), 0, "%s", f.err.message);
	assert_field(&f, "route", "\"standard\"");
}

Test(expr, a_condition_must_be_a_boolean)
{
	fx_load(&f, "cadence: c\nscore:\n  n: {type: integer, default: 1}\n"
		"notes:\n  a: {set: {n: '2'}}\nmeasures:\n"
		"  - split: s\n    when: score.n\n    if_true: [a]\n");
	int rc = fx_run(&f, NULL);
	/* a checker that types expressions refuses it before the run */
	cr_assert(rc == CADENCE_EFAILED || rc == CADENCE_EINVALID, "%d", rc);
	if (rc == CADENCE_EFAILED)
		assert_error(&f, "c: split 's': its condition 'score.n' gave an integer, not true or false");
}

Test(expr, a_set_value_of_the_wrong_type_names_note_and_field)
{
	fx_load(&f, "cadence: c\nscore:\n  n: {type: integer, default: 1}\n"
		"notes:\n  a: {set: {n: '\"text\"'}}\nmeasures:\n  - then: a\n");
	int rc = fx_run(&f, NULL);
	cr_assert(rc == CADENCE_EFAILED || rc == CADENCE_EINVALID, "%d", rc);
	if (rc == CADENCE_EFAILED)
		assert_error(&f, "c: note 'a': it set field 'n' to a string, but the field is an integer");
}

/* A `set` note's changes are checked as any note's (their fields known
 * from the plan, not looked up): an unchanged value dropped, writes,
 * immutable fields, the field named in the error. */
static const char checked[] =
	"cadence: c\nscore:\n"
	"  a: {type: integer, default: 1}\n"
	"  cur: {type: string, default: EUR, immutable: true}\n"
	"  b: {type: integer, default: 0}\n"
	"notes:\n"
	"  ok: {set: {a: 'score.a', b: 'score.b + 1'}, writes: [b]}\n"
	"  bad: %s\n"
	"measures:\n  - then: ok\n  - then: bad\n";

static void run_checked(const char *bad)
{
	char text[512];
	snprintf(text, sizeof(text), checked, bad);
	fx_load(&f, text);
}

Test(expr, set_notes_are_checked_as_any_note)
{
	run_checked("{set: {b: 'score.b + 1', cur: 'score.cur'}}");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "b", "2");
	assert_field(&f, "a", "1");

	run_checked("{set: {b: 'score.b', a: '5'}, writes: [b, cur]}");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "c: note 'bad': it changed field 'a', which is not in its writes: [cur, b]");
	cr_assert_str_eq(f.err.field, "a");

	run_checked("{set: {a: 'score.a', cur: \"'USD'\"}}");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "c: note 'bad': it changed immutable field 'cur'");
	cr_assert_str_eq(f.err.field, "cur");
}

Test(expr, an_expression_that_does_not_compile_stops_before_the_run)
{
	fx_load(&f, "cadence: c\nscore:\n  n: {type: integer, default: 1}\n"
		"notes:\n  a: {set: {n: 'score.n +'}}\nmeasures:\n  - then: a\n");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EINVALID);
	assert_error(&f, "note 'a' sets 'n'");
	cr_assert(!events_have(&f, "note_start"));
}

Test(expr, set_notes_in_a_sync)
{
	fx_load(&f, "cadence: c\nscore:\n  a: {type: integer, default: 1}\n"
		"  b: {type: integer, default: 2}\n"
		"notes:\n  x: {set: {a: 'score.b * 10'}}\n  y: {set: {b: 'score.a * 10'}}\n"
		"measures:\n  - sync: swap\n    notes: [x, y]\n");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "20");
	assert_field(&f, "b", "10");
}

static const char parent[] =
	"cadence: parent\n"
	"score:\n"
	"  total: {type: number, default: 0}\n"
	"  status: {type: string, default: new}\n"
	"notes:\n"
	"  t: {set: {total: 'score.total + 1'}}\n"
	"measures:\n"
	"  - then: t\n"
	"  - child: pay\n"
	"    cadence: payment\n"
	"    with: {amount: score.total * 2}\n"
	"    merge: {status: '\"paid \" + string(score.amount)'}\n";

static const char child[] =
	"cadence: payment\n"
	"score:\n"
	"  amount: {type: number, required: true}\n"
	"  fee: {type: number, default: 0}\n"
	"notes:\n"
	"  charge: {set: {fee: score.amount / 10}}\n"
	"measures:\n"
	"  - then: charge\n";

Test(expr, a_child_gets_with_and_gives_merge)
{
	fx_write(&f, "payment.cadence.yaml", child, 0);
	fx_load(&f, parent);
	cr_assert_eq(fx_run(&f, "{\"total\": 20}"), 0, "%s", f.err.message);
	assert_field(&f, "total", "21");
	assert_field(&f, "status", "\"paid 42\"");
	cr_assert(events_have(&f, "cadence_start parent/payment"), "%s", f.events.buf);
}

#endif
