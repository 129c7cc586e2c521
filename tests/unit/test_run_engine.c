/* SPDX-License-Identifier: MIT */
/* The run engine: the score, every measure, every merge strategy, the
 * note contract of C notes, on_error, interrupts, hooks, children. */
#include "run_fixture.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

static fx f;

static void setup(void)
{
	fx_init(&f);
}

static void teardown(void)
{
	fx_free(&f);
}

TestSuite(run, .init = setup, .fini = teardown);

/* ---- C notes used below -------------------------------------------------- */

static int set_a(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	(void)score;
	*changes = cJSON_CreateObject();
	cJSON_AddStringToObject(*changes, "a", "from set_a");
	return CADENCE_NOTE_OK;
}

/* n = n + 1 */
static int bump(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(score, "n");
	*changes = cJSON_CreateObject();
	cJSON_AddNumberToObject(*changes, "n", n->valuedouble + 1);
	return CADENCE_NOTE_OK;
}

/* log = log + [note name]: shows the order notes ran in */
static int trace(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	cJSON *log = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(score, "log"), 1);
	cJSON_AddItemToArray(log, cJSON_CreateString(cadence_note_name(ctx)));
	*changes = cJSON_CreateObject();
	cJSON_AddItemToObject(*changes, "log", log);
	return CADENCE_NOTE_OK;
}

static int fail_note(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	(void)changes;
	return cadence_note_fail(ctx, "the card was declined");
}

static int write_json(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	*changes = cJSON_Parse(cadence_note_user(ctx));
	return CADENCE_NOTE_OK;
}

static int skip_note(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	set_a(ctx, score, changes);
	return CADENCE_NOTE_SKIP;
}

static int interrupt_note(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	set_a(ctx, score, changes);
	return CADENCE_NOTE_INTERRUPT;
}

static void reg(const char *name, cadence_note_fn fn, void *user)
{
	cr_assert_eq(cadence_runner_register(f.r, name, fn, user), 0);
}

/* ---- the score --------------------------------------------------------------- */

static const char typed[] =
	"cadence: typed\n"
	"score:\n"
	"  id: {type: string, required: true}\n"
	"  count: {type: integer, default: 3}\n"
	"  total: {type: number}\n"
	"  items: {type: array, default: [1, 2]}\n"
	"  flag: {type: boolean, default: false}\n"
	"  meta: {type: object, default: {k: v}}\n"
	"  anything: {type: any}\n"
	"notes:\n"
	"  noop: {symbol: noop}\n"
	"measures:\n"
	"  - then: noop\n";

static int noop(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	(void)score;
	(void)changes;
	return CADENCE_NOTE_OK;
}

Test(run, defaults_fill_the_score_in_declaration_order)
{
	fx_load(&f, typed);
	reg("noop", noop, NULL);
	cr_assert_eq(fx_run(&f, "{\"total\": 2.5, \"id\": \"o-1\"}"), 0, "%s", f.err.message);
	char *s = cJSON_PrintUnformatted(f.out);
	cr_assert_str_eq(s, "{\"id\":\"o-1\",\"count\":3,\"total\":2.5,\"items\":[1,2],"
			 "\"flag\":false,\"meta\":{\"k\":\"v\"},\"anything\":null}");
	cJSON_free(s);
}

/* The score's object is made only when needed (run_int.h, rscore): values
 * set before it, given in the input or left at their defaults all reach
 * the output, in declaration order, under their names. */
static char whole_seen[256];

static int whole(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	(void)changes;
	char *s = cJSON_PrintUnformatted(score);
	snprintf(whole_seen, sizeof(whole_seen), "%s", s);
	cJSON_free(s);
	return CADENCE_NOTE_OK;
}

Test(run, the_whole_score_holds_what_was_set_before_it_was_made)
{
	static const char text[] =
		"cadence: late\n"
		"score:\n"
		"  a: {type: integer, default: 1}\n"
		"  b: {type: string}\n"
		"  c: {type: array, default: [x]}\n"
		"  d: {type: integer, default: 0}\n"
		"notes:\n"
		"  first: {set: {d: 'score.a + 40', b: \"'set'\"}}\n"
		"  count: {set: {a: 'size(score)'}}\n"
		"  look: {symbol: whole}\n"
		"  again: {set: {d: 'score.d + 1'}}\n"
		"measures:\n"
		"  - then: first\n"
		"  - split: big\n"
		"    when: \"'c' in score && score.d > 40\"\n"
		"    if_true: [count]\n"
		"  - then: look\n"
		"  - then: again\n";
	fx_load(&f, text);
	reg("whole", whole, NULL);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(fx_run(&f, "{\"c\": [\"in\"]}"), 0, "%s", f.err.message);
		cr_assert_str_eq(whole_seen, "{\"a\":4,\"b\":\"set\",\"c\":[\"in\"],\"d\":41}");
		char *out = cJSON_PrintUnformatted(f.out);
		cr_assert_str_eq(out, "{\"a\":4,\"b\":\"set\",\"c\":[\"in\"],\"d\":42}");
		cJSON_free(out);
	}
	/* nothing made on the way: the output alone */
	fx_load(&f, "cadence: plain\n"
		    "score:\n"
		    "  a: {type: integer, default: 1}\n"
		    "  b: {type: string}\n"
		    "notes:\n"
		    "  inc: {set: {a: 'score.a + 1'}}\n"
		    "measures:\n"
		    "  - sequence: s\n"
		    "    notes: [inc, inc]\n");
	cr_assert_eq(fx_run(&f, "{\"b\": \"given\"}"), 0, "%s", f.err.message);
	char *out = cJSON_PrintUnformatted(f.out);
	cr_assert_str_eq(out, "{\"a\":3,\"b\":\"given\"}");
	cJSON_free(out);
}

Test(run, missing_required_field_is_named)
{
	fx_load(&f, typed);
	reg("noop", noop, NULL);
	cr_assert_eq(fx_run(&f, "{}"), CADENCE_EINVALID);
	cr_assert_str_eq(f.err.field, "id");
	assert_error(&f, "typed: bad score: missing required field 'id' (a string)");
	cr_assert(!events_have(&f, "note_start"), "nothing may run");
}

Test(run, wrong_type_is_named)
{
	fx_load(&f, typed);
	reg("noop", noop, NULL);
	cr_assert_eq(fx_run(&f, "{\"id\": \"x\", \"count\": 1.5}"), CADENCE_EINVALID);
	cr_assert_str_eq(f.err.field, "count");
	assert_error(&f, "field 'count' must be an integer, not a number");
	cr_assert_eq(fx_run(&f, "{\"id\": 7}"), CADENCE_EINVALID);
	assert_error(&f, "field 'id' must be a string, not an integer");
	cr_assert_eq(fx_run(&f, "{\"id\": \"x\", \"flag\": \"yes\"}"), CADENCE_EINVALID);
	assert_error(&f, "field 'flag' must be a boolean, not a string");
	cr_assert_eq(fx_run(&f, "{\"id\": null}"), CADENCE_EINVALID);
	assert_error(&f, "field 'id' is required and cannot be null");
}

Test(run, unknown_field_suggests_the_near_one)
{
	fx_load(&f, typed);
	reg("noop", noop, NULL);
	cr_assert_eq(fx_run(&f, "{\"id\": \"x\", \"cuont\": 1}"), CADENCE_EINVALID);
	assert_error(&f, "unknown field 'cuont'; did you mean 'count'?");
}

Test(run, several_input_problems_are_all_reported)
{
	fx_load(&f, typed);
	reg("noop", noop, NULL);
	cr_assert_eq(fx_run(&f, "{\"nope\": 1, \"flag\": 3}"), CADENCE_EINVALID);
	assert_error(&f, "3 problems:", "unknown field 'nope'", "field 'flag' must be",
		     "missing required field 'id'");
	/* a field given twice; the first one counts as given */
	cr_assert_eq(fx_run(&f, "{\"count\": 1, \"count\": 2}"), CADENCE_EINVALID);
	cr_assert_str_eq(f.err.field, "count");
	assert_error(&f, "2 problems:", "field 'count' is given twice", "missing required field 'id'");
}

Test(run, input_text_that_is_not_utf8_is_refused)
{
	/* cJSON reads such bytes; an embedding program may pass them */
	fx_load(&f, typed);
	reg("noop", noop, NULL);
	cr_assert_eq(fx_run(&f, "{\"id\": \"caf\xE9\"}"), CADENCE_EINVALID);
	assert_error(&f, "field 'id' holds text that is not UTF-8");
	cr_assert_eq(fx_run(&f, "{\"id\": \"x\", \"meta\": {\"k\xFF\": 1}}"), CADENCE_EINVALID);
	assert_error(&f, "field 'meta' holds text that is not UTF-8");
	cr_assert_eq(fx_run(&f, "{\"id\": \"caf\xC3\xA9\", \"items\": [\"\xF0\x9F\x8E\xB5\"]}"), 0,
		     "%s", f.err.message);
}

static int latin1(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	(void)score;
	*changes = cJSON_CreateObject();
	cJSON_AddStringToObject(*changes, "id", "caf\xE9");
	return CADENCE_NOTE_OK;
}

Test(run, a_c_note_that_writes_text_that_is_not_utf8_fails)
{
	fx_load(&f, typed);
	reg("noop", latin1, NULL);
	cr_assert_eq(fx_run(&f, "{\"id\": \"x\"}"), CADENCE_EFAILED);
	assert_error(&f, "note 'noop': its changes hold text that is not UTF-8; the strings of a "
		     "score must be UTF-8");
}

Test(run, input_must_be_an_object)
{
	fx_load(&f, typed);
	reg("noop", noop, NULL);
	cr_assert_eq(fx_run(&f, "[1]"), CADENCE_EINVALID);
	assert_error(&f, "the score must be a JSON object of fields, not an array");
}

/* ---- measures ------------------------------------------------------------------ */

static const char ordered[] =
	"cadence: ordered\n"
	"score:\n"
	"  log: {type: array, default: []}\n"
	"  n: {type: integer, default: 0}\n"
	"notes:\n"
	"  one: {symbol: trace}\n"
	"  two: {symbol: trace}\n"
	"  three: {symbol: trace}\n"
	"  inc: {symbol: bump}\n"
	"measures:\n"
	"  - then: first\n"
	"    note: one\n"
	"  - sequence: rest\n"
	"    notes: [two, inc, three, inc]\n"
	"  - then: one\n";

Test(run, then_and_sequence_run_in_order_on_the_changed_score)
{
	fx_load(&f, ordered);
	reg("trace", trace, NULL);
	reg("bump", bump, NULL);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "log", "[\"one\",\"two\",\"three\",\"one\"]");
	assert_field(&f, "n", "2");
	cr_assert(events_have(&f, "measure_start first\nnote_start first one#1\n"
			      "note_end first one#1 ok\nmeasure_end first\n"), "%s", f.events.buf);
}

static const char syncs[] =
	"cadence: syncs\n"
	"score:\n"
	"  a: {type: string, default: ''}\n"
	"  b: {type: string, default: ''}\n"
	"  log: {type: array, default: [start]}\n"
	"  m: {type: object, default: {keep: 1}}\n"
	"  n: {type: integer, default: 0}\n"
	"notes:\n"
	"  x: {symbol: write_x}\n"
	"  y: {symbol: write_y}\n"
	"  z: {symbol: write_z}\n"
	"measures:\n"
	"  - sync: both\n"
	"    merge: %s\n"
	"    notes: [x, y, z]\n";

static void load_sync(const char *merge, const char *x, const char *y, const char *z)
{
	char text[1024];
	snprintf(text, sizeof(text), syncs, merge);
	fx_load(&f, text);
	reg("write_x", write_json, (void *)x);
	reg("write_y", write_json, (void *)y);
	reg("write_z", write_json, (void *)z);
}

Test(run, sync_merges_distinct_fields)
{
	load_sync("fail_on_conflict", "{\"a\": \"x\"}", "{\"b\": \"y\"}", "{\"n\": 3}");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"x\"");
	assert_field(&f, "b", "\"y\"");
	assert_field(&f, "n", "3");
}

Test(run, fail_on_conflict_names_the_field_and_both_notes)
{
	load_sync("fail_on_conflict", "{\"a\": \"x\"}", "{\"b\": \"y\"}", "{\"a\": \"z\"}");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "syncs: sync 'both': notes 'x' and 'z' both changed field 'a', to \"x\" and \"z\"");
	cr_assert_str_eq(f.err.field, "a");
	cr_assert_str_eq(f.err.measure, "both");
}

Test(run, equal_values_and_unchanged_fields_do_not_conflict)
{
	/* z writes a's value as x does, and b's current value: no conflict */
	load_sync("fail_on_conflict", "{\"a\": \"same\"}", "{\"b\": \"\"}", "{\"a\": \"same\", \"b\": \"\"}");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"same\"");
}

Test(run, last_write_wins_takes_the_later_note_in_the_list)
{
	load_sync("last_write_wins", "{\"a\": \"x\", \"n\": 1}", "{\"a\": \"y\"}", "{\"n\": 3}");
	/* the order is the measure's list, not the order notes finish in:
	 * run it often enough for the pool to finish them in any order */
	for (int i = 0; i < 50; i++) {
		cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
		assert_field(&f, "a", "\"y\"");
		assert_field(&f, "n", "3");
	}
}

Test(run, smart_merge_extends_lists_and_updates_maps)
{
	load_sync("smart_merge",
		  "{\"log\": [\"start\", \"x1\", \"x2\"], \"m\": {\"keep\": 1, \"x\": true}}",
		  "{\"log\": [\"start\", \"y1\"], \"m\": {\"keep\": 1, \"y\": true}}",
		  "{\"log\": [\"z-replaced\"], \"a\": \"z\"}");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "log", "[\"start\",\"x1\",\"x2\",\"y1\",\"z-replaced\"]");
	assert_field(&f, "m", "{\"keep\":1,\"x\":true,\"y\":true}");
	assert_field(&f, "a", "\"z\"");
}

Test(run, smart_merge_fails_on_differing_scalars)
{
	load_sync("smart_merge", "{\"m\": {\"keep\": 2}}", "{\"m\": {\"keep\": 3}}", "{}");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "notes 'x' and 'y' both changed field 'm.keep', to 2 and 3");
	load_sync("smart_merge", "{\"n\": 1}", "{}", "{\"n\": 2}");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "notes 'x' and 'z' both changed field 'n', to 1 and 2");
}

/* Syncs one after another in one cadence: each merges only its own notes'
 * changes, a failed one (handled by on_error) leaving nothing behind for
 * the next. */
Test(run, each_sync_merges_only_its_own_changes)
{
	fx_load(&f, "cadence: syncs\n"
		    "score:\n"
		    "  a: {type: string, default: ''}\n"
		    "  b: {type: string, default: ''}\n"
		    "  n: {type: integer, default: 0}\n"
		    "  log: {type: array, default: []}\n"
		    "notes:\n"
		    "  x: {symbol: write_x}\n"
		    "  y: {symbol: write_y}\n"
		    "  z: {symbol: write_z}\n"
		    "  q: {symbol: write_q}\n"
		    "  h: {symbol: noop}\n"
		    "measures:\n"
		    "  - sync: conflict\n"
		    "    notes: [x, z]\n"
		    "  - sync: other\n"
		    "    notes: [y, h]\n"
		    "  - sync: smart\n"
		    "    merge: smart_merge\n"
		    "    notes: [z, q]\n"
		    "on_error: {note: h, stop: false}\n");
	reg("write_x", write_json, "{\"n\": 1, \"a\": \"x\"}");
	reg("write_y", write_json, "{\"b\": \"y\", \"log\": [\"y\"]}");
	reg("write_z", write_json, "{\"log\": [\"z\"], \"a\": \"z\"}");
	reg("write_q", write_json, "{\"log\": [\"y\", \"q\"]}");
	reg("noop", noop, NULL);
	for (int i = 0; i < 3; i++) {
		cad_strbuf_free(&f.events);
		cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
		cr_assert(events_have(&f, "note_end conflict h#1 ok"), "%s", f.events.buf);
		/* `conflict` changed nothing; `other` set b and log; `smart`
		 * merged z's a and log with q's log (q kept the base, [y]) */
		assert_field(&f, "n", "0");
		assert_field(&f, "b", "\"y\"");
		assert_field(&f, "a", "\"z\"");
		assert_field(&f, "log", "[\"z\",\"q\"]");
	}
}

/* `{"m": {` + prefix + 20 members named name0.. (value: the index) + suffix `}}` */
static char *wide_map(const char *prefix, const char *name, const char *suffix)
{
	static char buf[4][1024];
	static int next;
	char *out = buf[next++ % 4];
	int n = snprintf(out, sizeof(buf[0]), "{\"m\": {%s", prefix);
	for (int i = 0; i < 20; i++)
		n += snprintf(out + n, sizeof(buf[0]) - (size_t)n, "%s\"%s%d\": %d",
			      i || *prefix ? ", " : "", name, i, i);
	snprintf(out + n, sizeof(buf[0]) - (size_t)n, "%s}}", suffix);
	return out;
}

/* Maps of more than 16 members are merged through indexes of their
 * members: the same result as searching them. */
Test(run, smart_merge_of_wide_maps)
{
	/* y leaves out keep (removed, since x left it alone), writes k5 as x
	 * does and adds its own */
	load_sync("smart_merge", wide_map("\"keep\": 1", "k", ", \"s\": \"x\""),
		  wide_map("\"k5\": 5, \"s\": \"x\"", "y", ""), "{}");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	char want[1024];
	int n = snprintf(want, sizeof(want), "{");
	for (int i = 0; i < 20; i++)
		n += snprintf(want + n, sizeof(want) - (size_t)n, "\"k%d\":%d,", i, i);
	n += snprintf(want + n, sizeof(want) - (size_t)n, "\"s\":\"x\"");
	for (int i = 0; i < 20; i++)
		n += snprintf(want + n, sizeof(want) - (size_t)n, ",\"y%d\":%d", i, i);
	snprintf(want + n, sizeof(want) - (size_t)n, "}");
	assert_field(&f, "m", want);

	load_sync("smart_merge", wide_map("\"keep\": 2", "k", ""), wide_map("", "k", ""), "{}");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'x' changed field 'm.keep' to 2 and note 'y' removed it");
	load_sync("smart_merge", wide_map("", "k", ""), wide_map("\"k3\": 4", "y", ""), "{}");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "notes 'x' and 'y' both changed field 'm.k3', to 3 and 4");
	/* a name twice in y's map: the first is found, and the second
	 * compared after it, as when searching */
	load_sync("smart_merge", wide_map("", "k", ""), wide_map("", "k", ", \"k3\": 4"), "{}");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "notes 'x' and 'y' both changed field 'm.k3', to 3 and 4");
}

/* Each note of a sync sees the score as it was when the sync started. */
static int copy_a_to_b(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(score, "a");
	*changes = cJSON_CreateObject();
	cJSON_AddStringToObject(*changes, "b", a->valuestring);
	return CADENCE_NOTE_OK;
}

Test(run, sync_notes_see_an_isolated_score)
{
	load_sync("fail_on_conflict", "{\"a\": \"new\"}", "{}", "{}");
	reg("write_y", copy_a_to_b, NULL);
	cr_assert_eq(fx_run(&f, "{\"a\": \"old\"}"), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"new\"");
	assert_field(&f, "b", "\"old\"");
}

static atomic_int running, most;

static int count_concurrency(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx;
	(void)score;
	(void)changes;
	int now = atomic_fetch_add(&running, 1) + 1;
	int m = atomic_load(&most);
	while (now > m && !atomic_compare_exchange_weak(&most, &m, now))
		;
	nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
	atomic_fetch_sub(&running, 1);
	return CADENCE_NOTE_OK;
}

Test(run, jobs_bounds_the_notes_running_at_once)
{
	f.opts.jobs = 1;
	load_sync("fail_on_conflict", "{}", "{}", "{}");
	reg("write_x", count_concurrency, NULL);
	reg("write_y", count_concurrency, NULL);
	reg("write_z", count_concurrency, NULL);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	cr_assert_eq(atomic_load(&most), 1);
}

Test(run, a_failing_sync_note_fails_the_measure)
{
	load_sync("fail_on_conflict", "{\"a\": \"x\"}", "{}", "{}");
	reg("write_y", fail_note, NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "syncs: sync 'both', note 'y': the card was declined");
	cr_assert_str_eq(f.err.note, "y");
}

/* ---- the note contract ------------------------------------------------------------ */

static const char contract[] =
	"cadence: contract\n"
	"score:\n"
	"  a: {type: string, default: ''}\n"
	"  n: {type: integer, default: 0}\n"
	"  currency: {type: string, default: EUR, immutable: true}\n"
	"notes:\n"
	"  w: {symbol: w}\n"
	"  limited: {symbol: lim, writes: [a]}\n"
	"  after: {symbol: bump}\n"
	"measures:\n"
	"  - then: w\n"
	"  - then: limited\n"
	"  - then: after\n";

static void load_contract(const char *w, const char *limited)
{
	fx_load(&f, contract);
	reg("w", write_json, (void *)w);
	reg("lim", write_json, (void *)(limited ? limited : "{}"));
	reg("bump", bump, NULL);
}

Test(run, immutable_field_change_names_the_note)
{
	load_contract("{\"currency\": \"USD\"}", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "contract: note 'w': it changed immutable field 'currency'");
	cr_assert_str_eq(f.err.note, "w");
	cr_assert_str_eq(f.err.field, "currency");
	cr_assert(!events_have(&f, "note_start after"), "the run stops");
}

Test(run, immutable_field_may_be_written_with_its_value)
{
	load_contract("{\"currency\": \"EUR\", \"a\": \"x\"}", NULL);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "n", "1");
}

Test(run, unknown_and_mistyped_changes_name_note_and_field)
{
	load_contract("{\"nn\": 1}", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'w': it changed unknown field 'nn'; did you mean 'n'?");
	cadence_runner_free(f.r);
	cadence_project_free(f.project);
	f.r = NULL;
	f.project = NULL;
	load_contract("{\"n\": \"seven\"}", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'w': it set field 'n' to a string, but the field is an integer");
}

Test(run, writes_are_enforced)
{
	/* `limited` runs the same function, but may only write a */
	load_contract("{}", "{\"a\": \"ok\", \"n\": 5}");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'limited': it changed field 'n', which is not in its writes: [a]");
}

/* writes listed out of order, repeated, beside an undeclared name: the
 * listed ones may be written; the message lists them in score order */
Test(run, writes_in_any_order_are_enforced)
{
	fx_load(&f, "cadence: w\n"
		    "score:\n"
		    "  a: {type: integer, default: 0}\n"
		    "  b: {type: integer, default: 0}\n"
		    "  c: {type: integer, default: 0}\n"
		    "  d: {type: integer, default: 0}\n"
		    "notes:\n"
		    "  ok: {symbol: ok, writes: [d, a, d]}\n"
		    "  bad: {symbol: bad, writes: [d, a, b]}\n"
		    "measures:\n"
		    "  - then: ok\n"
		    "  - then: bad\n");
	reg("ok", write_json, "{\"d\": 4, \"a\": 1}");
	reg("bad", write_json, "{\"b\": 2, \"c\": 3}");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'bad': it changed field 'c', which is not in its writes: [a, b, d]");
}

Test(run, changes_must_be_an_object)
{
	load_contract("[1, 2]", NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'w': its changes must be a JSON object of fields, not an array");
}

Test(run, failure_message_names_cadence_note_and_attempt)
{
	load_contract("{}", NULL);
	reg("w", fail_note, NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	cr_assert_str_eq(f.err.message, "contract: note 'w': the card was declined");
	cr_assert_str_eq(f.err.cadence, "contract");
	cr_assert_str_eq(f.err.measure, "w");
	cr_assert_eq(f.err.attempt, 1);
}

Test(run, a_missing_symbol_stops_before_anything_runs)
{
	fx_load(&f, contract);
	reg("w", noop, NULL);
	reg("lim", noop, NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EINVALID);
	assert_error(&f, "note 'after' calls C function 'bump', which no plugin provides");
	cr_assert(!events_have(&f, "note_start"));
}

static const char skipping[] =
	"cadence: skipping\n"
	"score:\n"
	"  a: {type: string, default: ''}\n"
	"  log: {type: array, default: []}\n"
	"notes:\n"
	"  s: {symbol: s}\n"
	"  t: {symbol: trace}\n"
	"measures:\n"
	"  - sequence: seq\n"
	"    notes: [s, t]\n"
	"  - then: t\n";

Test(run, a_skipped_note_changes_nothing)
{
	fx_load(&f, skipping);
	reg("s", skip_note, NULL);
	reg("trace", trace, NULL);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"\"");
	assert_field(&f, "log", "[\"t\",\"t\"]");
	cr_assert(events_have(&f, "note_end seq s#1 skipped"), "%s", f.events.buf);
}

Test(run, an_interrupt_ends_the_cadence_with_success)
{
	fx_load(&f, skipping);
	reg("s", interrupt_note, NULL);
	reg("trace", trace, NULL);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"from set_a\"");
	assert_field(&f, "log", "[]");
	cr_assert(events_have(&f, "note_end seq s#1 interrupt"), "%s", f.events.buf);
}

/* ---- on_error ----------------------------------------------------------------- */

static const char handled[] =
	"cadence: handled\n"
	"score:\n"
	"  status: {type: string, default: ok}\n"
	"  log: {type: array, default: []}\n"
	"notes:\n"
	"  pay: {symbol: fail}\n"
	"  record: {symbol: record}\n"
	"  later: {symbol: trace}\n"
	"measures:\n"
	"  - then: pay\n"
	"  - then: later\n"
	"on_error: {note: record, stop: %s}\n";

static char seen_error[512], seen_note[64];

static int record(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	snprintf(seen_error, sizeof(seen_error), "%s", cadence_note_error(ctx));
	snprintf(seen_note, sizeof(seen_note), "%s", cadence_note_error_note(ctx));
	*changes = cJSON_CreateObject();
	cJSON_AddStringToObject(*changes, "status", "failed");
	return CADENCE_NOTE_OK;
}

static void load_handled(const char *stop)
{
	char text[1024];
	snprintf(text, sizeof(text), handled, stop);
	fx_load(&f, text);
	reg("fail", fail_note, NULL);
	reg("record", record, NULL);
	reg("trace", trace, NULL);
}

Test(run, on_error_stop_runs_the_handler_then_fails)
{
	load_handled("true");
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "handled: note 'pay': the card was declined");
	cr_assert_str_eq(seen_error, "handled: note 'pay': the card was declined");
	cr_assert_str_eq(seen_note, "pay");
	cr_assert(events_have(&f, "note_end pay record#1 ok"), "%s", f.events.buf);
	cr_assert(!events_have(&f, "note_start later"));
}

Test(run, on_error_continue_goes_on_with_the_next_measure)
{
	load_handled("false");
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "status", "\"failed\"");
	assert_field(&f, "log", "[\"later\"]");
	cr_assert_null(f.err.message);
}

Test(run, a_failing_handler_reports_both_failures)
{
	load_handled("false");
	reg("record", fail_note, NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "note 'pay': the card was declined\nthen the on_error handler failed: "
		     "handled: on_error note 'record': the card was declined");
}

/* ---- hooks, runs in parallel ------------------------------------------------------------ */

Test(run, events_frame_the_run)
{
	fx_load(&f, ordered);
	reg("trace", trace, NULL);
	reg("bump", bump, NULL);
	cr_assert_eq(fx_run(&f, NULL), 0);
	const char *e = f.events.buf;
	cr_assert(!strncmp(e, "cadence_start ordered\nmeasure_start first\n", 42), "%s", e);
	cr_assert_not_null(strstr(e, "measure_end one\ncadence_end ordered\n"), "%s", e);
}

typedef struct par {
	cadence_runner *r;
	int rc;
	long n;
} par;

static void *run_thread(void *arg)
{
	par *p = arg;
	cJSON *out = NULL;
	cadence_run_error err = CADENCE_RUN_ERROR_INIT;
	for (int i = 0; i < 200 && !p->rc; i++) {
		p->rc = cadence_runner_run(&out, p->r, NULL, &err);
		if (!p->rc)
			p->n = (long)cJSON_GetObjectItemCaseSensitive(out, "n")->valuedouble;
		cJSON_Delete(out);
	}
	cadence_run_error_clear(&err);
	return NULL;
}

Test(run, one_runner_runs_scores_in_parallel)
{
	f.opts.hooks = NULL;
	load_sync("fail_on_conflict", "{\"a\": \"x\"}", "{\"b\": \"y\"}", "{}");
	reg("write_z", bump, NULL);
	pthread_t t[4];
	par p[4];
	for (int i = 0; i < 4; i++) {
		p[i] = (par){ f.r, 0, 0 };
		pthread_create(&t[i], NULL, run_thread, &p[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(p[i].rc, 0);
		cr_assert_eq(p[i].n, 1);
	}
}

/* ---- children ---------------------------------------------------------------------- */

static const char parent[] =
	"cadence: parent\n"
	"score:\n"
	"  log: {type: array, default: []}\n"
	"notes:\n"
	"  t: {symbol: trace}\n"
	"measures:\n"
	"  - then: t\n"
	"  - child: pay\n"
	"    cadence: payment\n"
	"  - then: t\n";

static const char child_ok[] =
	"cadence: payment\n"
	"score:\n"
	"  log: {type: array, default: [child]}\n"
	"notes:\n"
	"  charge: {symbol: trace}\n"
	"measures:\n"
	"  - then: charge\n";

Test(run, a_child_runs_with_its_own_score)
{
	fx_write(&f, "payment.cadence.yaml", child_ok, 0);
	fx_load(&f, parent);
	reg("trace", trace, NULL);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "log", "[\"t\",\"t\"]");
	cr_assert(events_have(&f, "note_end charge charge#1 ok\nmeasure_end charge\n"
			      "cadence_end parent/payment\nmeasure_end pay\n"),
		  "%s", f.events.buf);
}

Test(run, a_child_failure_names_the_child_and_its_note)
{
	fx_write(&f, "payment.cadence.yaml",
		 "cadence: payment\nnotes:\n  charge: {symbol: fail}\nmeasures:\n  - then: charge\n", 0);
	fx_load(&f, parent);
	reg("trace", trace, NULL);
	reg("fail", fail_note, NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EFAILED);
	assert_error(&f, "parent/payment: note 'charge': the card was declined");
	cr_assert_str_eq(f.err.cadence, "payment");
	cr_assert_str_eq(f.err.path, "parent/payment");
	cr_assert_str_eq(f.err.note, "charge");
}

Test(run, a_missing_child_is_reported_before_running)
{
	fx_load(&f, parent);
	reg("trace", trace, NULL);
	cr_assert_eq(fx_run(&f, NULL), CADENCE_EINVALID);
	assert_error(&f, "child measure 'pay': cadence 'payment' not found");
	cr_assert(!events_have(&f, "note_start"));
}

Test(run, children_built_in_code_are_found_by_name)
{
	cadence_diags *d;
	cadence_def *child;
	cr_assert_eq(cadence_diags_new(&d), 0);
	cr_assert_eq(cadence_load_buffer(&child, "mem", child_ok, strlen(child_ok), NULL, d), 0);
	cadence_diags_free(d);
	fx_load(&f, parent);
	cr_assert_eq(cadence_runner_add_cadence(f.r, child), 0);
	reg("trace", trace, NULL);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "log", "[\"t\",\"t\"]");
	cadence_runner_free(f.r);
	f.r = NULL;
	cadence_def_free(child);
}

/* ---- the plan ------------------------------------------------------------------------ */

Test(run, dry_run_prints_the_plan_and_runs_nothing)
{
	fx_write(&f, "payment.cadence.yaml", child_ok, 0);
	fx_load(&f, parent);
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	cr_assert_eq(cadence_runner_print_plan(f.r, mem, &f.err), 0, "%s", f.err.message);
	fclose(mem);
	cr_assert_not_null(strstr(buf, "cadence parent ("), "%s", buf);
	cr_assert_not_null(strstr(buf, "  2. child pay:\n    cadence payment ("), "%s", buf);
	cr_assert_not_null(strstr(buf, "t: symbol trace (not found)"), "%s", buf);
	cr_assert(!events_have(&f, "note_start"));
	free(buf);
}

/* ---- plugins ------------------------------------------------------------------------ */

#ifdef CADENCE_TEST_PLUGIN
Test(run, plugins_provide_c_notes_by_name)
{
	fx_load(&f, "cadence: hi\nscore:\n  name: {type: string, required: true}\n"
		"  greeting: {type: string, default: ''}\n"
		"notes:\n  greet: {symbol: greet}\nmeasures:\n  - then: greet\n");
	cr_assert_eq(cadence_runner_load_plugin(f.r, CADENCE_TEST_PLUGIN, &f.err), 0, "%s",
		     f.err.message);
	cr_assert_eq(fx_run(&f, "{\"name\": \"Ada\"}"), 0, "%s", f.err.message);
	assert_field(&f, "greeting", "\"Hello, Ada\"");
}

Test(run, registered_functions_come_before_plugins)
{
	fx_load(&f, "cadence: hi\nscore:\n  a: {type: string, default: ''}\n"
		"notes:\n  greet: {symbol: greet}\nmeasures:\n  - then: greet\n");
	cr_assert_eq(cadence_runner_load_plugin(f.r, CADENCE_TEST_PLUGIN, &f.err), 0);
	reg("greet", set_a, NULL);
	cr_assert_eq(fx_run(&f, NULL), 0, "%s", f.err.message);
	assert_field(&f, "a", "\"from set_a\"");
}
#endif

Test(run, a_plugin_that_cannot_load_is_named)
{
	fx_load(&f, typed);
	cr_assert_eq(cadence_runner_load_plugin(f.r, "/nonexistent/notes.so", &f.err), CADENCE_EIO);
	assert_error(&f, "cannot load plugin '/nonexistent/notes.so'");
}
