/* SPDX-License-Identifier: MIT */
/* The cadence file format, version 1.  docs/format.md describes the same
 * thing for people; the JSON Schema (`cadence schema`) is generated from
 * these tables. */
#include "format/schema.h"

#include "cadence/load.h"

#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const ftype t_string = { .kind = FT_STRING, .what = "a string" };
static const ftype t_name = { .kind = FT_NAME, .what = "a name" };
static const ftype t_bool = { .kind = FT_BOOL, .what = "a boolean" };
static const ftype t_int = { .kind = FT_INT, .what = "an integer" };
static const ftype t_number = { .kind = FT_NUMBER, .what = "a number" };
static const ftype t_duration = { .kind = FT_DURATION, .what = "a duration" };
static const ftype t_expr = { .kind = FT_EXPR, .what = "an expression" };
static const ftype t_value = { .kind = FT_VALUE, .what = "a value" };
static const ftype t_argv = { .kind = FT_ARGV, .what = "a command" };

static const ftype t_names = {
	.kind = FT_LIST, .what = "a list of names", .elem = &t_name,
	.max_items = CADENCE_MAX_NAMES, .max_what = "names in one list",
};
static const ftype t_envname = { .kind = FT_ENVNAME, .what = "an environment variable name" };
static const ftype t_envnames = {
	.kind = FT_LIST, .what = "a list of environment variable names", .elem = &t_envname,
	.max_items = CADENCE_MAX_NAMES, .max_what = "names in one list",
};
static const ftype t_note_list = {
	.kind = FT_LIST, .what = "a list of note names", .elem = &t_name,
	.min_items = 1,
	.max_items = CADENCE_MAX_NAMES, .max_what = "names in one list",
};
static const ftype t_expr_map = {
	.kind = FT_DICT, .what = "a mapping of field names to expressions",
	.elem = &t_expr, .key_what = "field name",
	.max_items = CADENCE_MAX_FIELDS, .max_what = "fields in one mapping",
};
static const ftype t_value_map = {
	.kind = FT_DICT, .what = "a mapping of field names to values",
	.elem = &t_value, .key_what = "field name",
	.max_items = CADENCE_MAX_FIELDS, .max_what = "fields in one mapping",
};

/* score: */
static const char *const field_types[] = {
	"string", "integer", "number", "boolean", "array", "object", "any",
};
const ftype cad_schema_field_type = {
	.kind = FT_ENUM, .what = "a field type",
	.enums = field_types, .nenums = COUNT(field_types),
};
static const ffield field_fields[] = {
	{ "type", &cad_schema_field_type, FF_REQUIRED, "The JSON type of the field." },
	{ "required", &t_bool, 0, "The caller must supply the field (default false)." },
	{ "default", &t_value, 0, "The value when the caller does not supply one." },
	{ "immutable", &t_bool, 0, "No note may change the field (default false)." },
	{ "description", &t_string, 0, "What the field holds." },
};
static const ftype t_field = {
	.kind = FT_MAP, .what = "a field declaration",
	.fields = field_fields, .nfields = COUNT(field_fields),
};
static const ftype t_score = {
	.kind = FT_DICT, .what = "a mapping of field names to declarations",
	.elem = &t_field, .key_what = "field name",
	.max_items = CADENCE_MAX_FIELDS, .max_what = "score fields",
};

/* notes: */
static const ffield retry_fields[] = {
	{ "attempts", &t_int, FF_REQUIRED, "Total attempts, the first included." },
	{ "delay", &t_duration, 0, "Wait before the first retry (default 0s)." },
	{ "backoff", &t_number, 0, "Multiplier of the delay per retry (default 1)." },
	{ "max_delay", &t_duration, 0, "Upper bound of any delay." },
	{ "jitter", &t_number, 0, "Fraction of each delay that is randomised, 0 to 1 (default 0)." },
};
static const ftype t_retry = {
	.kind = FT_MAP, .what = "a retry policy",
	.fields = retry_fields, .nfields = COUNT(retry_fields),
};
static const ffield breaker_fields[] = {
	{ "failure_threshold", &t_int, FF_REQUIRED, "Failures in a row that open the breaker." },
	{ "recovery_timeout", &t_duration, FF_REQUIRED, "Time open before a probe is let through." },
	{ "half_open_max", &t_int, 0, "Probe calls let through when half-open (default 1)." },
};
static const ftype t_breaker = {
	.kind = FT_MAP, .what = "a circuit breaker",
	.fields = breaker_fields, .nfields = COUNT(breaker_fields),
};
static const char *const bindings[] = { "run", "set", "symbol" };
static const ffield note_fields[] = {
	{ "run", &t_argv, 0, "An executable and its arguments: score JSON on stdin, changed fields as JSON on stdout." },
	{ "set", &t_expr_map, 0, "Fields computed in process by expressions over the score." },
	{ "symbol", &t_string, 0, "A C function registered by the embedding program or a plugin." },
	{ "description", &t_string, 0, "What the note does." },
	{ "reads", &t_names, 0, "Score fields the note reads." },
	{ "writes", &t_names, 0, "Score fields the note may change." },
	{ "retry", &t_retry, 0, "Retry policy." },
	{ "timeout", &t_duration, 0, "Limit per attempt." },
	{ "fallback", &t_value_map, 0, "Fields set when the note fails for good." },
	{ "circuit_breaker", &t_breaker, 0, "Circuit breaker, kept per note of a cadence file." },
	{ "env", &t_envnames, 0, "A run note's environment: these variables of cadence's, besides PATH, HOME, LANG, LC_*, TZ and TMPDIR (without env: all of them)." },
};
static const fneeds note_needs[] = {
	{ "env", "run", "remove it: only a 'run' note is a process with an environment of its "
	  "own; a 'set' or 'symbol' note runs inside cadence" },
};
static const ftype t_note = {
	.kind = FT_MAP, .what = "a note",
	.fields = note_fields, .nfields = COUNT(note_fields),
	.one_of = bindings, .n_one_of = COUNT(bindings),
	.one_of_rule = "note-binding",
	.one_of_help = "bind the note with 'run: [COMMAND, ARG...]', 'set: {FIELD: EXPRESSION}' or 'symbol: FUNCTION'",
	.needs = note_needs, .nneeds = COUNT(note_needs),
};
static const ftype t_notes = {
	.kind = FT_DICT, .what = "a mapping of note names to notes",
	.elem = &t_note, .key_what = "note name",
	.max_items = CADENCE_MAX_NOTES, .max_what = "notes",
};

/* measures: each variant's first field is its kind key */
static const char *const merge_strategies[] = {
	"fail_on_conflict", "last_write_wins", "smart_merge",
};
static const ftype t_merge_strategy = {
	.kind = FT_ENUM, .what = "a merge strategy",
	.enums = merge_strategies, .nenums = COUNT(merge_strategies),
};
static const ffield then_fields[] = {
	{ "then", &t_name, FF_REQUIRED, "Runs one note; the measure's name." },
	{ "note", &t_name, 0, "The note to run (default: the measure's name)." },
	{ "description", &t_string, 0, NULL },
};
static const ffield sync_fields[] = {
	{ "sync", &t_name, FF_REQUIRED, "Runs notes in parallel; the measure's name." },
	{ "notes", &t_note_list, FF_REQUIRED, "The notes, each on its own copy of the score." },
	{ "merge", &t_merge_strategy, 0, "How changed fields are merged (default fail_on_conflict)." },
	{ "description", &t_string, 0, NULL },
};
static const ffield split_fields[] = {
	{ "split", &t_name, FF_REQUIRED, "Chooses a branch; the measure's name." },
	{ "when", &t_expr, FF_REQUIRED, "A boolean expression over the score." },
	{ "if_true", &t_names, 0, "Notes run in order when the condition holds." },
	{ "if_false", &t_names, 0, "Notes run in order otherwise." },
	{ "description", &t_string, 0, NULL },
};
static const ffield sequence_fields[] = {
	{ "sequence", &t_name, FF_REQUIRED, "A named group of notes; the measure's name." },
	{ "notes", &t_note_list, FF_REQUIRED, "The notes, run in order." },
	{ "description", &t_string, 0, NULL },
};
static const ffield child_fields[] = {
	{ "child", &t_name, FF_REQUIRED, "Runs another cadence; the measure's name." },
	{ "cadence", &t_string, 0, "A cadence name (NAME.cadence.yaml beside this file) or a path (default: the measure's name)." },
	{ "with", &t_expr_map, 0, "Child fields from expressions over this score." },
	{ "merge", &t_expr_map, 0, "Fields of this score from expressions over the child's final score." },
	{ "description", &t_string, 0, NULL },
};
static const char *const on_failure_modes[] = { "finish", "stop", "continue" };
static const ftype t_on_failure = {
	.kind = FT_ENUM, .what = "an on_failure mode",
	.enums = on_failure_modes, .nenums = COUNT(on_failure_modes),
};
static const char *const task_kinds[] = { "note", "cadence" };
static const ffield task_fields[] = {
	{ "task", &t_name, FF_REQUIRED, "The task's name, and the note it runs unless note or cadence is given." },
	{ "note", &t_name, 0, "The note to run (default: the task's name)." },
	{ "cadence", &t_string, 0, "A child cadence to run instead of a note: a cadence name (NAME.cadence.yaml beside this file) or a path." },
	{ "with", &t_expr_map, 0, "The child's fields from expressions over the task's input." },
	{ "merge", &t_expr_map, 0, "The task's changes: fields of this score from expressions over the child's final score." },
	{ "after", &t_names, 0, "Tasks of this dag that must end before this one starts." },
	{ "when", &t_expr, 0, "A boolean expression over the task's input: false skips the task, not its dependents." },
	{ "description", &t_string, 0, NULL },
};
static const fneeds task_needs[] = {
	{ "with", "cadence", "remove it, or run a child cadence with 'cadence: NAME': 'with' sets "
	  "the child's fields" },
	{ "merge", "cadence", "remove it, or run a child cadence with 'cadence: NAME': 'merge' takes "
	  "the child's results" },
};
static const ftype t_task = {
	.kind = FT_MAP, .what = "a task",
	.fields = task_fields, .nfields = COUNT(task_fields),
	.one_of = task_kinds, .n_one_of = COUNT(task_kinds), .one_of_optional = 1,
	.one_of_rule = "task-kind",
	.one_of_both_help = "keep one of them: a task runs a note or a child cadence",
	.needs = task_needs, .nneeds = COUNT(task_needs),
};
static const ftype t_tasks = {
	.kind = FT_LIST, .what = "a list of tasks", .elem = &t_task,
	.min_items = 1, .min_rule = "dag-empty",
	.min_message = "a dag needs at least one task",
	.min_help = "add a task such as '- task: NOTE'",
	.max_items = CADENCE_MAX_TASKS, .max_what = "tasks in one dag",
};
static const ffield dag_fields[] = {
	{ "dag", &t_name, FF_REQUIRED, "Runs tasks as soon as the tasks they are after have ended; the measure's name." },
	{ "tasks", &t_tasks, FF_REQUIRED, "The tasks, each a note run on the score plus its ancestors' changes." },
	{ "jobs", &t_int, 0, "Most tasks running at once, 1 to 1024 (default: the number of CPUs)." },
	{ "on_failure", &t_on_failure, 0, "After a task fails: finish (default) lets running tasks end, stop cancels them, continue runs all that does not depend on it." },
	{ "merge", &t_merge_strategy, 0, "How the changes of tasks with no order between them are merged (default fail_on_conflict)." },
	{ "description", &t_string, 0, NULL },
};
#define VARIANT(name, f) \
	static const ftype t_##name = { .kind = FT_MAP, .what = "a " #name " measure", \
					.fields = f, .nfields = COUNT(f) }
VARIANT(then, then_fields);
VARIANT(sync, sync_fields);
VARIANT(split, split_fields);
VARIANT(sequence, sequence_fields);
VARIANT(child, child_fields);
VARIANT(dag, dag_fields);
static const ftype *const measure_variants[] = {
	&t_then, &t_sync, &t_split, &t_sequence, &t_child, &t_dag,
};
static const ftype t_measure = {
	.kind = FT_VARIANT, .what = "a measure",
	.variants = measure_variants, .nvariants = COUNT(measure_variants),
	.variant_rule = "measure-kind",
};
static const ftype t_measures = {
	.kind = FT_LIST, .what = "a list of measures", .elem = &t_measure,
	.min_items = 1, .min_rule = "empty-cadence",
	.min_message = "a cadence needs at least one measure",
	.min_help = "add a measure such as '- then: NOTE'",
	.max_items = CADENCE_MAX_MEASURES, .max_what = "measures",
};

static const ffield on_error_fields[] = {
	{ "note", &t_name, FF_REQUIRED, "The handler note." },
	{ "stop", &t_bool, 0, "Fail the run after the handler (default true)." },
};
static const ftype t_on_error = {
	.kind = FT_MAP, .what = "an error handler",
	.fields = on_error_fields, .nfields = COUNT(on_error_fields),
};

static const char *const precheck_kinds[] = { "when", "note" };
static const ffield precheck_fields[] = {
	{ "when", &t_expr, 0, "A boolean expression over the input score: false stops the cadence before its first measure." },
	{ "note", &t_name, 0, "A note run on the input score: its failure stops the cadence before its first measure; its changes are applied." },
};
static const ftype t_precheck = {
	.kind = FT_MAP, .what = "a precheck",
	.fields = precheck_fields, .nfields = COUNT(precheck_fields),
	.one_of = precheck_kinds, .n_one_of = COUNT(precheck_kinds),
	.one_of_rule = "precheck-kind",
	.one_of_help = "decide with 'when: EXPRESSION' or 'note: NOTE'",
	.one_of_both_help = "keep one of them: a note can test what the expression does",
};

static const char *const overlap_modes[] = { "skip", "queue_one", "replace", "allow" };
static const ftype t_overlap = {
	.kind = FT_ENUM, .what = "an overlap policy",
	.enums = overlap_modes, .nenums = COUNT(overlap_modes),
};
static const char *const catch_up_modes[] = { "none", "latest", "all" };
static const ftype t_catch_up = {
	.kind = FT_ENUM, .what = "a catch_up policy",
	.enums = catch_up_modes, .nenums = COUNT(catch_up_modes),
};
static const ffield schedule_fields[] = {
	{ "cron", &t_string, FF_REQUIRED, "When it runs: 5-field cron (minute hour day-of-month month day-of-week), names, ranges, steps, lists, or @hourly/@daily/@weekly/@monthly/@yearly." },
	{ "timezone", &t_string, 0, "The IANA time zone the cron times are in (default UTC)." },
	{ "jitter", &t_duration, 0, "Each run starts up to this long after its time, at random (default none)." },
	{ "overlap", &t_overlap, 0, "A time that comes while a run is going on: skip (default), queue_one, replace or allow." },
	{ "catch_up", &t_catch_up, 0, "Times missed while no scheduler ran: none (default), latest or all." },
	{ "catch_up_max", &t_int, 0, "With catch_up all: at most this many missed runs, the latest (1 to 1000, default 10)." },
	{ "score", &t_value_map, 0, "The input score of scheduled runs." },
	{ "enabled", &t_bool, 0, "false: declared, but not run on its times (default true)." },
};
static const ftype t_schedule = {
	.kind = FT_MAP, .what = "a schedule",
	.fields = schedule_fields, .nfields = COUNT(schedule_fields),
};

static const ffield cadence_fields[] = {
	{ "cadence", &t_name, FF_REQUIRED, "The cadence's name." },
	{ "description", &t_string, 0, "What the cadence does." },
	{ "score", &t_score, 0, "The typed shared state." },
	{ "notes", &t_notes, 0, "Units of work." },
	{ "measures", &t_measures, FF_REQUIRED, "What runs, in order." },
	{ "on_error", &t_on_error, 0, "A handler note run when a measure fails for good." },
	{ "precheck", &t_precheck, 0, "Whether the cadence runs at all: checked before its first measure." },
	{ "schedule", &t_schedule, 0, "When the cadence runs on its own: a cron expression in a time zone." },
};
const ftype cad_schema_cadence = {
	.kind = FT_MAP, .what = "a cadence",
	.fields = cadence_fields, .nfields = COUNT(cadence_fields),
	.doc = "A cadence: a typed score and measures that run notes.",
};

const ffield *cad_schema_field(const ftype *t, const char *key)
{
	for (size_t i = 0; i < t->nfields; i++)
		if (!strcmp(t->fields[i].key, key))
			return &t->fields[i];
	return NULL;
}
