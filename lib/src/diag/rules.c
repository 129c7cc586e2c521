/* SPDX-License-Identifier: MIT */
#include "diag/diag_int.h"

#include <string.h>

/* Keep in step with docs/rules.md: the golden tests have one fixture per id,
 * and tests/cli/rules_doc.sh checks each entry against the rule's section:
 * the severity and summary of its first line, the description its first
 * paragraph without Markdown, and whether it is of the structural stages
 * (reading, YAML, structure: 1 at the end), which no configuration can
 * turn off. */
const diag_rule cad_diag_rules[] = {
	{ "file-unreadable", CADENCE_SEVERITY_ERROR,
	  "The file cannot be read.",
	  "The file cannot be opened or read: it is not readable by the user "
	  "running cadence (permissions), it disappeared while the directory "
	  "was listed, or reading it failed. The diagnostic has no line or "
	  "column (they are 0 in the json format). A path named on the "
	  "command line that does not exist is a usage error instead (exit "
	  "status 2), so that a mistyped path in CI never passes as \"no "
	  "problems\".", 1 },
	{ "file-too-large", CADENCE_SEVERITY_ERROR,
	  "The file is larger than the documented limit.",
	  "The file is larger than 16 MiB (16,777,216 bytes), the limit for a"
	  " cadence file. It is refused before it is read, so a huge or "
	  "endless file cannot exhaust memory. No real cadence comes near the"
	  " limit: a file this size is usually generated, or not a cadence at"
	  " all.", 1 },
	{ "yaml-encoding", CADENCE_SEVERITY_ERROR,
	  "The file is not valid UTF-8.",
	  "The file is not valid UTF-8 (it was saved as Latin-1 or "
	  "Windows-1252, say), or it holds a control character that YAML does"
	  " not allow. The position is that of the first bad byte; in the "
	  "output it is shown as � (U+FFFD), never as the raw byte.", 1 },
	{ "yaml-syntax", CADENCE_SEVERITY_ERROR,
	  "The file is not valid YAML.",
	  "The file is not valid YAML. The position is where the parser gave "
	  "up, which is at or after the mistake; the message is the parser's,"
	  " and the help line names the usual cause. The most common: a : "
	  "inside an unquoted value starts a mapping; a bracket or quote that"
	  " is not closed; keys of one mapping that do not start in the same "
	  "column.", 1 },
	{ "yaml-tab", CADENCE_SEVERITY_ERROR,
	  "A tab character is used for indentation.",
	  "A line is indented with a tab. YAML does not allow tabs in "
	  "indentation, and editors show them at different widths, so the "
	  "structure the reader sees may not be the one the parser reads. "
	  "Tabs elsewhere — inside quoted or block scalars, in comments — are"
	  " fine.", 1 },
	{ "yaml-multi-document", CADENCE_SEVERITY_ERROR,
	  "The file holds more than one YAML document.",
	  "The file holds more than one YAML document: a --- after the first "
	  "document starts another. A cadence file holds exactly one cadence."
	  " (A --- at the very start of the file, before the cadence, is "
	  "fine.)", 1 },
	{ "yaml-unsupported", CADENCE_SEVERITY_ERROR,
	  "Anchors, aliases and tags are not part of the format.",
	  "The file uses a YAML feature that the format leaves out: anchors "
	  "(&name), aliases (*name), tags (!!str, !custom) or merge keys "
	  "(<<:). Aliases make a value appear in several places with one "
	  "position, which hides where a problem is; tags and merge keys are "
	  "read differently by different tools.", 1 },
	{ "ambiguous-scalar", CADENCE_SEVERITY_ERROR,
	  "A plain scalar that YAML tools read in different ways.",
	  "A plain (unquoted) value in a default: or fallback: that YAML "
	  "tools read in different ways: no is false in YAML 1.1 and the "
	  "string \"no\" in YAML 1.2; 010 is 8 or 10; 1:30 is 90 or a string."
	  " Other tools that read the file (editors, linters, scripts with "
	  "PyYAML) would see another value than cadence does. format.md lists"
	  " every form that is refused.", 1 },
	{ "yaml-depth", CADENCE_SEVERITY_ERROR,
	  "Values are nested deeper than the documented limit.",
	  "Mappings and lists are nested more than 64 levels deep (the top-"
	  "level mapping is the first level). No part of the format needs "
	  "more than a few levels; the limit keeps a hostile file from "
	  "exhausting the stack of every tool that reads it. Nothing after "
	  "the position is checked.", 1 },
	{ "too-many-items", CADENCE_SEVERITY_ERROR,
	  "More notes, fields, measures or names than the documented limit.",
	  "A cadence declares more than 10,000 notes (CADENCE_MAX_NOTES), "
	  "score fields (CADENCE_MAX_FIELDS) or measures "
	  "(CADENCE_MAX_MEASURES), or a note or measure holds more than "
	  "10,000 names in one list (reads, writes, the notes of a sync or a "
	  "sequence, if_true, if_false: CADENCE_MAX_NAMES) or more than "
	  "10,000 fields in one mapping (set, with, merge, fallback). The "
	  "entries of that mapping or list are not checked further. The "
	  "limits are far above any cadence written by hand; they bound the "
	  "work of every tool that reads a generated file. For a file with "
	  "10,001 notes (tests/cli/limits.sh makes one):", 1 },
	{ "yaml-duplicate-key", CADENCE_SEVERITY_ERROR,
	  "A key appears twice in one mapping.",
	  "A key appears twice in one mapping — here two notes named price. "
	  "YAML tools disagree on what that means (the first wins, the last "
	  "wins, or it is an error), so the format refuses it everywhere, "
	  "default: values included. The note line points at the first "
	  "occurrence.", 1 },
	{ "empty-cadence", CADENCE_SEVERITY_ERROR,
	  "The file or its list of measures is empty.",
	  "There is nothing to run: the file is empty (or holds only "
	  "comments, or null), or its measures: list is empty.", 1 },
	{ "unknown-key", CADENCE_SEVERITY_ERROR,
	  "A key that the format does not define.",
	  "A key that the format does not define at that place: a typo, a key"
	  " at the wrong level, a key of another kind of measure (note: "
	  "belongs to then, notes: to sync and sequence), or of another kind "
	  "of note (env: belongs to run notes: \"'env' applies only to a note"
	  " with 'run'\"). The help lists the keys allowed there, with the "
	  "nearest one first when there is a close match. Keys are case-"
	  "sensitive.", 1 },
	{ "missing-key", CADENCE_SEVERITY_ERROR,
	  "A required key is missing.",
	  "A required key is missing. The position is the start of the "
	  "mapping that needs it. Required keys: cadence and measures at the "
	  "top; type in a score field; attempts in retry; failure_threshold "
	  "and recovery_timeout in circuit_breaker; note in on_error; notes "
	  "in sync and sequence; when in split.", 1 },
	{ "wrong-type", CADENCE_SEVERITY_ERROR,
	  "A value of the wrong type.",
	  "A value of the wrong type: a single value where a list is expected"
	  " (reads: order_id), a word where a number is expected, a quoted "
	  "\"true\" where a boolean is expected, null where a value is "
	  "expected, a default: or fallback: value that does not fit the "
	  "field's declared type. Scalars are read strictly by the type the "
	  "key expects (format.md): yes is not a boolean, 3.0 is not an "
	  "integer.", 1 },
	{ "bad-enum", CADENCE_SEVERITY_ERROR,
	  "A value outside the allowed set.",
	  "A value outside a fixed set: a score field's type (string, "
	  "integer, number, boolean, array, object, any) or a sync's merge "
	  "(fail_on_conflict, last_write_wins, smart_merge). The help lists "
	  "the values, with a did-you-mean for a near miss.", 1 },
	{ "bad-duration", CADENCE_SEVERITY_ERROR,
	  "A duration that is not a number with a unit.",
	  "A duration (timeout, delay, max_delay, recovery_timeout) that is "
	  "not a number with a unit. Units are ms, s, m and h, written right "
	  "after the number and combinable (1m30s); a bare number is refused "
	  "rather than guessed at (seconds? milliseconds?). The grammar is in"
	  " format.md.", 1 },
	{ "bad-name", CADENCE_SEVERITY_ERROR,
	  "A name that is not a valid identifier.",
	  "A name — of the cadence, a note, a measure, a score field, or a "
	  "reference to one — that is not an identifier: letters, digits and "
	  "_, not starting with a digit, at most 64 characters, and not a "
	  "word reserved by the expression language (if, in, loop, null, ...;"
	  " the full list is in format.md). The caret points at the first "
	  "character not allowed, and the help suggests a valid name. Names "
	  "must be identifiers because expressions use them: score.check-out "
	  "would be a subtraction.", 1 },
	{ "note-binding", CADENCE_SEVERITY_ERROR,
	  "A note needs exactly one of run, set and symbol.",
	  "A note needs exactly one binding, the key that says how it runs: "
	  "run (an executable), set (expressions) or symbol (a C function). A"
	  " note with none does nothing; a note with two would be ambiguous.", 1 },
	{ "precheck-kind", CADENCE_SEVERITY_ERROR,
	  "A precheck needs exactly one of when and note.",
	  "A precheck decides whether the cadence runs with a condition "
	  "(when:) or with a note (note:): one of them, not both, and not "
	  "neither.", 1 },
	{ "measure-kind", CADENCE_SEVERITY_ERROR,
	  "A measure needs exactly one of then, sync, split, sequence, child and dag.",
	  "A measure (an item of measures:) needs exactly one kind key — "
	  "then, sync, split, sequence, child or dag — whose value is the "
	  "measure's name. Two kind keys in one item usually mean a missing "
	  "-: each measure is its own list item. An item without one (- note:"
	  " price) has a help line that suggests the kind when the first key "
	  "is a near miss (thne).", 1 },
	{ "dag-empty", CADENCE_SEVERITY_ERROR,
	  "A dag measure with no task.",
	  "A dag whose tasks: is an empty list: it would run nothing. "
	  "(Without tasks: at all, the error is missing-key.)", 1 },
	{ "task-kind", CADENCE_SEVERITY_ERROR,
	  "A dag task takes at most one of note and cadence.",
	  "A task of a dag runs a note (note:, or the note named like the "
	  "task) or a child cadence (cadence:, with the with: and merge: of a"
	  " child measure): not both. A task with both is usually a note task"
	  " that was turned into a child task, or the reverse, halfway.", 1 },
	{ "undefined-note", CADENCE_SEVERITY_ERROR,
	  "A measure, a task, on_error or the precheck names a note that is not defined.",
	  "A measure, a task of a dag (its note:, or its name when it has no "
	  "note:), on_error or the precheck names a note that is not declared"
	  " under notes:. The help suggests the nearest declared name. (The "
	  "unused-note warning in the example is the same typo seen from the "
	  "other side: it goes away with the fix.)", 0 },
	{ "unused-note", CADENCE_SEVERITY_WARNING,
	  "A note that no measure or task runs.",
	  "A note that no measure and no task of a dag runs, and that is not "
	  "the on_error handler. It is dead code, or a measure that names it "
	  "was forgotten. A warning: the cadence runs, without it.", 0 },
	{ "duplicate-measure", CADENCE_SEVERITY_ERROR,
	  "Two measures of one cadence have the same name.",
	  "Two measures of one cadence have the same name. Measure names "
	  "identify the steps in logs, errors, $CADENCE_MEASURE and diagrams,"
	  " so they are unique. A then measure is named after its note by "
	  "default, so running one note twice needs a name for the second "
	  "measure. The note line points at the first measure of that name.", 0 },
	{ "sync-single-note", CADENCE_SEVERITY_WARNING,
	  "A sync with one note runs nothing in parallel.",
	  "A sync with a single note: nothing runs in parallel, and the merge"
	  " has nothing to merge. Often a note was meant to be added beside "
	  "it.", 0 },
	{ "split-no-branch", CADENCE_SEVERITY_ERROR,
	  "A split with neither an if_true nor an if_false branch.",
	  "A split that has neither an if_true nor an if_false note (both are"
	  " missing or empty lists): whatever the condition, it runs nothing.", 0 },
	{ "duplicate-task", CADENCE_SEVERITY_ERROR,
	  "Two tasks of one dag have the same name.",
	  "Two tasks of one dag have the same name. A task's name is what the"
	  " after: entries of the others name, and what logs and events show,"
	  " so it is unique in its dag. A task runs the note of its name by "
	  "default, so running one note twice needs a name for the second "
	  "task. The note line points at the first task of that name.", 0 },
	{ "undefined-after", CADENCE_SEVERITY_ERROR,
	  "A task is after a name that is no task of its dag.",
	  "An entry of a task's after: names no task of the same dag (tasks "
	  "of other dags and measures do not count: a measure runs after the "
	  "one before it anyway). The help suggests the nearest task name of "
	  "the dag.", 0 },
	{ "dag-cycle", CADENCE_SEVERITY_ERROR,
	  "Tasks of a dag that are after each other in a circle.",
	  "Tasks of a dag are after each other in a circle, so none of them "
	  "can start (a task after itself is the shortest circle). The "
	  "message prints the circle as a path, a -> b meaning that b is "
	  "after a; a circle of more than ten tasks shows its first eight, "
	  "how many more, and its last. Tasks that are after each other in "
	  "several circles at once (a group where each reaches every other) "
	  "give one diagnostic, with the shortest circle through the group's "
	  "first task in tasks:, at that task's after: entry that closes it. "
	  "A dag with a circle has no order, so the checks of its data flow "
	  "(dag-race, dag-missing-after, read-before-write inside it) and "
	  "dag-redundant-after wait until it is fixed.", 0 },
	{ "dag-redundant-after", CADENCE_SEVERITY_WARNING,
	  "An after entry that the task's other after entries already imply.",
	  "An entry of a task's after: that another entry already implies: "
	  "that other task is after it, directly or through others, so the "
	  "order is the same without it. An entry listed twice is reported "
	  "too, at the second listing. The note line points at the entry that"
	  " implies it. A warning: the dag runs the same, but the list says "
	  "more than it means and hides the shape of the graph. All the "
	  "entries reported for a task can be removed at once.", 0 },
	{ "child-not-found", CADENCE_SEVERITY_ERROR,
	  "A child measure names a cadence file that does not exist.",
	  "A child measure, or a dag task that runs a child cadence "
	  "(cadence:), refers to a cadence file that does not exist (the "
	  "position is the cadence: value). A name (payment) means "
	  "payment.cadence.yaml in the directory of the file that refers to "
	  "it; a reference ending in .yaml is a path relative to that "
	  "directory (see format.md). The message shows the path looked for; "
	  "the help suggests the nearest *.cadence.yaml beside it.", 0 },
	{ "outside-root", CADENCE_SEVERITY_ERROR,
	  "A child cadence or a named file that leads outside the project root.",
	  "cadence validate and cadence diagram read no file outside the "
	  "project root (cli.md): the nearest directory above the file that "
	  "holds a .git, else the directory checked. A child reference (of a "
	  "child measure or of a dag task's cadence:) whose file is not below"
	  " it (../secrets.yaml, an absolute path, a path through a symbolic "
	  "link that leads out) is not read, so nothing of that file can "
	  "appear in the output; the message shows the path looked for. A "
	  "file named on the command line that is a symbolic link to a file "
	  "outside its root is refused the same way, with no line or column. "
	  "With --allow-outside-root both are read.", 0 },
	{ "child-cycle", CADENCE_SEVERITY_ERROR,
	  "Child cadences that lead back to the cadence that runs them.",
	  "Child cadences lead back to a cadence that runs them — directly (a"
	  " cadence that is its own child) or through others, as here: "
	  "checkout runs payment, which runs checkout. A dag task with "
	  "cadence: runs a child as a child measure does: a chain through "
	  "such tasks is a cycle too. Running it would never end. The message"
	  " shows the chain; each cadence on the cycle reports it.", 0 },
	{ "child-missing-input", CADENCE_SEVERITY_ERROR,
	  "A child cadence requires a field that with does not set.",
	  "The child cadence declares a field required: true that the "
	  "measure's with: (or a dag child task's) does not set, so the child"
	  " would refuse its input. The position is the measure's name (a "
	  "task's name); the child's declaration says which fields it needs. "
	  "(Here amout is also reported, as undeclared-field: the child has "
	  "no such field.)", 0 },
	{ "required-default", CADENCE_SEVERITY_ERROR,
	  "A score field that is required and has a default.",
	  "A score field is declared required: true and has a default:. They "
	  "contradict each other: a required field must be supplied by the "
	  "caller, so the default would never apply — or the field is "
	  "optional, and required is wrong.", 0 },
	{ "undeclared-field", CADENCE_SEVERITY_ERROR,
	  "A field that is not declared in the score.",
	  "A field that the score does not declare, named in reads:, writes:,"
	  " the keys of set: or fallback:, the keys of a child's merge: "
	  "(fields of this cadence), or the keys of a child's with: (fields "
	  "of the child) — a child measure's or a dag task's that runs a "
	  "child cadence. Every field a cadence touches is declared, with its"
	  " type. The help suggests the nearest declared field.", 0 },
	{ "immutable-write", CADENCE_SEVERITY_ERROR,
	  "A write to a field declared immutable.",
	  "A field declared immutable: true is named as something a note or "
	  "measure changes: in writes:, as a key of set: or fallback:, or as "
	  "a key of a child's merge: (a child measure's or a dag child "
	  "task's). At run time such a change fails the note; the checker "
	  "reports it before. The note line points at the declaration.", 0 },
	{ "read-before-write", CADENCE_SEVERITY_ERROR,
	  "A note reads a field that may not be set yet.",
	  "A note reads (reads:) a field that may not be set when it runs. A "
	  "field is set from the start when it is required or has a default; "
	  "otherwise it is set by a note that lists it in writes: (or set:), "
	  "or by a child's merge:. The checker follows the measures in order:"
	  " after a split, a field is set only if both branches set it; a "
	  "note that may fail while the cadence goes on (on_error: {stop: "
	  "false}) counts only for the fields its fallback sets. The fields "
	  "that expressions use count as reads too — a set: value, a split or"
	  " dag task condition, a child's with: — wherever a null would fail "
	  "the evaluation (an operand such as score.count + 1, or a "
	  "condition's whole value); an expression that tests the field "
	  "(has(score.count) ? score.count + 1 : 0) is fine.", 0 },
	{ "write-conflict", CADENCE_SEVERITY_ERROR,
	  "Notes in one sync write the same field.",
	  "Notes of one sync declare writes to the same field, and the sync's"
	  " merge strategy would fail on it: with fail_on_conflict (the "
	  "default), any field two notes write; with smart_merge, a string, "
	  "integer, number or boolean field (lists and objects are combined)."
	  " The writes are the notes' writes: and the keys of their set:. "
	  "last_write_wins never conflicts. There is one diagnostic per "
	  "field, at the second note's write; the note line points at the "
	  "first note's write. When more than two notes write the field, the "
	  "message names the first four and counts the others (notes 'n0', "
	  "'n1', 'n2', 'n3' and 996 more all write 'x' in sync 'all'), so a "
	  "sync of 10,000 notes gives one line, not one per pair.", 0 },
	{ "dag-race", CADENCE_SEVERITY_ERROR,
	  "Two tasks of a dag with no order between them write the same field.",
	  "Two tasks of one dag, neither after the other (directly or through"
	  " others), declare writes to the same field, and the dag's merge: "
	  "would fail on it — as write-conflict for a sync: with "
	  "fail_on_conflict (the default), any field; with smart_merge, a "
	  "string, integer, number or boolean field. last_write_wins never "
	  "races: the later task in dag order wins. The writes are the task's"
	  " note's writes: and the keys of its set: — for a task that runs a "
	  "child cadence (cadence:), the keys of its merge:. There is one "
	  "diagnostic per field, at the later of the first two such tasks in "
	  "dag order; the note line points at the other.", 0 },
	{ "dag-missing-after", CADENCE_SEVERITY_ERROR,
	  "A task reads a field that a task of its dag with no order to it writes.",
	  "A task reads a field that another task of the same dag writes, and"
	  " neither is after the other. A task sees the score as it was when "
	  "the dag started plus the changes of the tasks it is after, so it "
	  "reads the value from before the dag, whenever the other task runs "
	  "— rarely what was meant. The reads are the note's reads:, the "
	  "fields its set: expressions read and the fields its when: reads; "
	  "the writes, its writes: and the keys of its set:. A task that runs"
	  " a child cadence (cadence:) reads the fields its with: expressions"
	  " read and writes the keys of its merge:. There is one diagnostic "
	  "per task and field, at the task; the note line points at the task "
	  "that writes it: the nearest in dag order of the writers with no "
	  "order to the reader, every writer of the field being compared "
	  "(with last_write_wins, two writers with no order between them are "
	  "no race, and a reader after only one of them is still reported). "
	  "Under merge: smart_merge, a task that writes the array or object "
	  "it reads — appending to a list, say — is not reported: its changes"
	  " merge with the other tasks', as the notes of a sync do, and it "
	  "needs no order to them.", 0 },
	{ "bad-expression", CADENCE_SEVERITY_ERROR,
	  "An expression that does not compile, or a condition that is not a boolean.",
	  "An expression — a value of set:, a when: condition (of a split or "
	  "of a dag's task), a value of a child's with: or merge: (a child "
	  "measure's or a dag task's that runs a child cadence) — does not "
	  "compile: a syntax error, a field the score does not declare (with "
	  "a did-you-mean), an unknown function or method, operands whose "
	  "declared types cannot fit (score.status > 3 for a string field), "
	  "or a limit. set: and with: expressions are checked against this "
	  "cadence's score: (a dag task's with: reads the task's input, which"
	  " has the same fields), merge: expressions against the child's. A "
	  "when: whose type is known and is not a boolean (when: score.count "
	  "for an integer field) is refused too. cadence run compiles every "
	  "expression before anything runs and stops at the same problems; "
	  "this rule finds them in CI. The caret points at the problem inside"
	  " the expression, or underlines the whole expression when it is "
	  "written with escapes or over several lines (the message then gives"
	  " the column inside the expression).", 0 },
	{ "set-type", CADENCE_SEVERITY_ERROR,
	  "A set expression whose type can never be the type of the field it writes.",
	  "A note's set: expression gives a value whose type, as the "
	  "expression language knows it before the run (expressions.md), can "
	  "never be the declared type of the field it writes: an integer into"
	  " a string field, a string into a number, a list into an object. "
	  "The run would stop at that write (\"it set field 's' to an "
	  "integer, but the field is a string\"). A value whose type is known"
	  " only when it runs (a field of type any, an element of a list, a "
	  "map's value) is not reported, nor is null (it unsets the field), "
	  "nor a double for an integer field (2.0 fits). The caret is under "
	  "the expression.", 0 },
	{ "policy-range", CADENCE_SEVERITY_ERROR,
	  "A policy value outside its range.",
	  "A policy value outside its range: a retry's attempts, backoff, "
	  "max_delay or jitter, a timeout, a circuit breaker's settings, or a"
	  " dag's jobs (the table gives each range).", 0 },
	{ "timeout-below-delay", CADENCE_SEVERITY_WARNING,
	  "A timeout shorter than the first retry delay.",
	  "A note that retries waits longer before its first retry "
	  "(retry.delay) than it allows each attempt to take (timeout). That "
	  "is legal — the timeout applies to each attempt, the delay between "
	  "them — but it is more often a mistake: swapped values, or a unit "
	  "slip (1s for 1m).", 0 },
	{ "run-not-found", CADENCE_SEVERITY_WARNING,
	  "A run command whose executable does not exist.",
	  "A run note's executable is a path (it contains a /) and no file "
	  "exists there. Relative paths are resolved against the directory of"
	  " the cadence file — the message shows the path looked for. A bare "
	  "name (python3) is looked up in PATH when the note runs and is not "
	  "checked. A warning, because the file may be created by a build "
	  "step before the cadence runs; when the note runs without it, it "
	  "fails.", 0 },
	{ "run-not-executable", CADENCE_SEVERITY_WARNING,
	  "A run command whose file is not executable.",
	  "A run note's executable exists but is not executable by the user "
	  "running cadence — typically a script committed without its "
	  "executable bit. The note would fail when it runs.", 0 },
	{ "run-crlf-shebang", CADENCE_SEVERITY_WARNING,
	  "A run script whose #! line ends in CR LF (Windows line endings).",
	  "A run note's executable is a script whose first line, #!/bin/sh, "
	  "ends in a carriage return and a line feed: it was saved, or "
	  "checked out, with Windows line endings. The system then looks for "
	  "an interpreter named /bin/sh followed by a carriage return, which "
	  "does not exist, and the note fails with \"No such file or "
	  "directory\", as if the script itself were missing. A warning, like"
	  " run-not-executable: the file may be converted before the cadence "
	  "runs. When a note fails this way, cadence run says so too (its "
	  "'#!' line ends in CR LF).", 0 },
	{ "bad-suppression", CADENCE_SEVERITY_WARNING,
	  "A cadence-ignore comment names a rule that does not exist.",
	  "A # cadence-ignore: comment names a rule id that does not exist, "
	  "so it silences nothing — here, the unused-note warning it was "
	  "meant for is still reported. The help suggests the nearest rule "
	  "id.", 0 },
	{ "schedule-cron", CADENCE_SEVERITY_ERROR,
	  "A schedule's cron expression that does not parse.",
	  "A schedule's cron: has a field cadence cannot read: a value out of"
	  " its range, a name that is not a month or a weekday (with a did-"
	  "you-mean), a range that goes backwards, a step of 0, six fields "
	  "(cadence takes no seconds field), @reboot. The error points at the"
	  " bytes of the field inside the string.", 0 },
	{ "schedule-never", CADENCE_SEVERITY_ERROR,
	  "A schedule whose cron expression never fires.",
	  "The day of month and the month of a cron: never meet: February has"
	  " no 30th, April, June, September and November no 31st. (When the "
	  "day of week is restricted too, the days are ORed and the schedule "
	  "fires on those weekdays; when one day field begins with *, a day "
	  "must match both, as Debian's cron decides.)", 0 },
	{ "schedule-timezone", CADENCE_SEVERITY_ERROR,
	  "A schedule's time zone that the system's tzdata does not have.",
	  "timezone: is read from the system's tzdata (/usr/share/zoneinfo, "
	  "or $TZDIR): a name that is not a zone file there — misspelt, a "
	  "region without its city, an abbreviation such as CET or PST — is "
	  "an error, with the nearest zone of the same region suggested.", 0 },
	{ "schedule-score", CADENCE_SEVERITY_ERROR,
	  "A schedule's score that leaves a required field unset.",
	  "A scheduled run's input is the schedule's score: alone: a field "
	  "the score declares required that it does not set would fail every "
	  "scheduled run. (Its keys must be declared fields, undeclared-"
	  "field, of their types, wrong-type.)", 1 },
};

const size_t cad_diag_rules_count = sizeof(cad_diag_rules) / sizeof(cad_diag_rules[0]);

long cad_diag_rule_index(const char *id)
{
	for (size_t i = 0; i < cad_diag_rules_count; i++)
		if (!strcmp(cad_diag_rules[i].id, id))
			return (long)i;
	return -1;
}
