/* SPDX-License-Identifier: MIT */
#include "diag/diag_int.h"

#include <string.h>

/* Keep in step with docs/rules.md: the golden tests have one fixture per id. */
const diag_rule cad_diag_rules[] = {
	{ "file-unreadable", "The file cannot be read." },
	{ "file-too-large", "The file is larger than the documented limit." },
	{ "yaml-encoding", "The file is not valid UTF-8." },
	{ "yaml-syntax", "The file is not valid YAML." },
	{ "yaml-tab", "A tab character is used for indentation." },
	{ "yaml-multi-document", "The file holds more than one YAML document." },
	{ "yaml-unsupported", "Anchors, aliases and tags are not part of the format." },
	{ "ambiguous-scalar", "A plain scalar that YAML tools read in different ways." },
	{ "yaml-depth", "Values are nested deeper than the documented limit." },
	{ "too-many-items", "More notes, fields, measures or names than the documented limit." },
	{ "yaml-duplicate-key", "A key appears twice in one mapping." },
	{ "empty-cadence", "The file or its list of measures is empty." },
	{ "unknown-key", "A key that the format does not define." },
	{ "missing-key", "A required key is missing." },
	{ "wrong-type", "A value of the wrong type." },
	{ "bad-enum", "A value outside the allowed set." },
	{ "bad-duration", "A duration that is not a number with a unit." },
	{ "bad-name", "A name that is not a valid identifier." },
	{ "note-binding", "A note needs exactly one of run, set and symbol." },
	{ "precheck-kind", "A precheck needs exactly one of when and note." },
	{ "measure-kind", "A measure needs exactly one of then, sync, split, sequence, child and dag." },
	{ "dag-empty", "A dag measure with no task." },
	{ "task-kind", "A dag task takes at most one of note and cadence." },
	{ "undefined-note", "A measure, a task, on_error or the precheck names a note that is not defined." },
	{ "unused-note", "A note that no measure or task runs." },
	{ "duplicate-measure", "Two measures of one cadence have the same name." },
	{ "sync-single-note", "A sync with one note runs nothing in parallel." },
	{ "split-no-branch", "A split with neither an if_true nor an if_false branch." },
	{ "duplicate-task", "Two tasks of one dag have the same name." },
	{ "undefined-after", "A task is after a name that is no task of its dag." },
	{ "dag-cycle", "Tasks of a dag that are after each other in a circle." },
	{ "dag-redundant-after", "An after entry that the task's other after entries already imply." },
	{ "child-not-found", "A child measure names a cadence file that does not exist." },
	{ "outside-root", "A child cadence or a named file that leads outside the project root." },
	{ "child-cycle", "Child cadences that lead back to the cadence that runs them." },
	{ "child-missing-input", "A child cadence requires a field that with does not set." },
	{ "required-default", "A score field that is required and has a default." },
	{ "undeclared-field", "A field that is not declared in the score." },
	{ "immutable-write", "A write to a field declared immutable." },
	{ "read-before-write", "A note reads a field that may not be set yet." },
	{ "write-conflict", "Notes in one sync write the same field." },
	{ "dag-race", "Two tasks of a dag with no order between them write the same field." },
	{ "dag-missing-after", "A task reads a field that a task of its dag with no order to it writes." },
	{ "bad-expression", "An expression that does not compile, or a condition that is not a boolean." },
	{ "policy-range", "A policy value outside its range." },
	{ "timeout-below-delay", "A timeout shorter than the first retry delay." },
	{ "run-not-found", "A run command whose executable does not exist." },
	{ "run-not-executable", "A run command whose file is not executable." },
	{ "run-crlf-shebang", "A run script whose #! line ends in CR LF (Windows line endings)." },
	{ "bad-suppression", "A cadence-ignore comment names a rule that does not exist." },
	{ "schedule-cron", "A schedule's cron expression that does not parse." },
	{ "schedule-never", "A schedule whose cron expression never fires." },
	{ "schedule-timezone", "A schedule's time zone that the system's tzdata does not have." },
	{ "schedule-score", "A schedule's score that leaves a required field unset." },
};

const size_t cad_diag_rules_count = sizeof(cad_diag_rules) / sizeof(cad_diag_rules[0]);

long cad_diag_rule_index(const char *id)
{
	for (size_t i = 0; i < cad_diag_rules_count; i++)
		if (!strcmp(cad_diag_rules[i].id, id))
			return (long)i;
	return -1;
}
