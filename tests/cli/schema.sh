#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence schema: a valid draft-07 JSON Schema, the same as the committed
# docs/cadence.schema.json, that accepts the valid cadences and rejects the
# structural mistakes an editor should flag.
source "$(dirname "$0")/lib.sh"
fx=$src/tests/golden/fixtures

run "$cadence" schema
expect "schema prints" 0 '"\$schema":[[:space:]]*"http://json-schema.org/draft-07/schema#"'
printf '%s\n' "$out" >"$tmp/schema.json"
assert "docs/cadence.schema.json is up to date (regenerate: cadence schema > docs/cadence.schema.json)" \
	cmp -s "$tmp/schema.json" "$src/docs/cadence.schema.json"
run "$cadence" schema extra
expect "schema takes no arguments" 2 '' 'takes no arguments'

# A valid cadence for each measure kind and binding, beside the examples.
cat >"$tmp/all.cadence.yaml" <<'YAML'
cadence: all
description: every construct
score:
  total: {type: number, default: 0, description: sum}
  id: {type: string, required: true}
  flags: {type: object, default: {a: 1}, immutable: false}
notes:
  a: {run: ./a.sh, env: [HOME, AWS_PROFILE], timeout: 5s, retry: {attempts: 3, delay: 500ms, backoff: 2, max_delay: 1m30s, jitter: 0.1}}
  b: {run: [./b.sh, --port, 8080], reads: [id], writes: [total], fallback: {total: 0}}
  c: {set: {total: 'score.total + 1'}}
  d: {symbol: do_d, circuit_breaker: {failure_threshold: 5, recovery_timeout: 30s, half_open_max: 2}}
measures:
  - then: a
  - then: again
    note: a
  - sync: both
    notes: [b, c]
    merge: last_write_wins
  - split: route
    when: score.total > 1
    if_true: [d]
    if_false: [c]
  - dag: graph
    jobs: 2
    on_failure: continue
    merge: smart_merge
    tasks:
      - task: b
      - task: c
        after: [b]
        when: score.total > 0
        description: counts
      - task: again
        note: c
        after: [b]
      - task: charge
        cadence: payment
        with: {amount: score.total}
        merge: {total: score.amount}
        after: [c]
  - sequence: group
    notes: [a, b]
  - child: pay
    cadence: payment
    with: {amount: score.total}
    merge: {total: score.amount}
on_error: {note: d, stop: false}
YAML

# check valid|invalid FILE...: the schema accepts (rejects) every FILE
# (one python3 for the script: py_serve, tests/cli/lib.sh)
py_serve yaml jsonschema -- '
import json, sys, yaml, jsonschema
def main(argv):
    schema = json.load(open(argv[0]))
    jsonschema.Draft7Validator.check_schema(schema)
    v = jsonschema.Draft7Validator(schema)
    want_valid = argv[1] == "valid"
    bad = 0
    for path in argv[2:]:
        doc = yaml.safe_load(open(path, encoding="utf-8"))
        errors = list(v.iter_errors(doc))
        if want_valid and errors:
            bad += 1
            print("%s: %s" % (path, errors[0].message))
        if not want_valid and not errors:
            bad += 1
            print("%s: accepted by the schema" % path)
    return 1 if bad else 0
'
check() { py_call "$tmp/schema.json" "$@"; }
# issue 14: env: belongs to run notes, and holds variable names
printf 'cadence: e\nnotes:\n  n: {symbol: f, env: [HOME]}\nmeasures:\n  - then: n\n' >"$tmp/env-symbol.cadence.yaml"
printf 'cadence: e\nnotes:\n  n: {run: x, env: [A-B]}\nmeasures:\n  - then: n\n' >"$tmp/env-name.cadence.yaml"
mapfile -t examples < <(find "$src/examples" -name '*.cadence.yaml' | sort)
assert "the schema accepts every construct and every example" \
	check valid "$tmp/all.cadence.yaml" "${examples[@]}"
assert "the schema rejects structural mistakes" check invalid \
	"$fx/unknown-key.cadence.yaml" "$fx/bad-enum.cadence.yaml" \
	"$fx/missing-key.cadence.yaml" "$fx/note-binding.cadence.yaml" \
	"$fx/measure-kind.cadence.yaml" "$fx/bad-name.cadence.yaml" \
	"$fx/bad-duration.cadence.yaml" "$fx/empty-cadence.cadence.yaml" \
	"$tmp/env-symbol.cadence.yaml" "$tmp/env-name.cadence.yaml"
# a dag task runs a note or a child cadence, not both (task-kind), and
# with/merge need cadence
task() { printf 'cadence: t\nnotes:\n  n: {symbol: f}\nmeasures:\n  - dag: d\n    tasks:\n      - task: n\n%b' "$1"; }
task '        note: n\n        cadence: c\n' >"$tmp/task-both.cadence.yaml"
task '        with: {a: "1"}\n' >"$tmp/task-with.cadence.yaml"
task '        note: n\n        merge: {a: score.a}\n' >"$tmp/task-merge.cadence.yaml"
task '        cadence: c\n        with: {a: "1"}\n        merge: {a: score.a}\n' >"$tmp/task-child.cadence.yaml"
assert "the schema rejects a task with note and cadence, and with or merge without cadence" \
	check invalid "$tmp/task-both.cadence.yaml" "$tmp/task-with.cadence.yaml" \
	"$tmp/task-merge.cadence.yaml"
assert "... and accepts a child task" check valid "$tmp/task-child.cadence.yaml"
# issue 14 (low): as validate, the schema refuses an empty executable name
printf 'cadence: e\nnotes:\n  a: {run: [""]}\nmeasures:\n  - then: a\n' >"$tmp/empty-exe.cadence.yaml"
printf 'cadence: e\nnotes:\n  a: {run: ""}\nmeasures:\n  - then: a\n' >"$tmp/empty-run.cadence.yaml"
printf 'cadence: e\nnotes:\n  a: {run: [x, ""]}\nmeasures:\n  - then: a\n' >"$tmp/empty-arg.cadence.yaml"
assert "issue 14: the schema rejects run: [\"\"] and run: \"\"" check invalid \
	"$tmp/empty-exe.cadence.yaml" "$tmp/empty-run.cadence.yaml"
assert "issue 14: ... and accepts an empty argument" check valid "$tmp/empty-arg.cadence.yaml"
finish
