#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence run --log json (issue 21, item 7): every line of stderr valid
# against docs/events.schema.json, as --events lines are; the same events
# with the same names and fields as --events; the log's own lines (errors,
# diagnostics, timings, the summary, a resume) fit it too.  Skipped (77)
# without python3's jsonschema.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state
source "$(dirname "$0")/observe.fixture"
schema=$src/docs/events.schema.json

# validate FILE: every line against the schema; prints the event names.
# same A B: the events of A and B, without time, are the same lines
py_serve json jsonschema -- '
import json, sys, jsonschema
def strip(path):
    out = []
    for line in open(path):
        ev = json.loads(line)
        ev.pop("time")
        ev.pop("run_id", None)
        ev.pop("duration_ms", None)
        out.append(json.dumps(ev, sort_keys=True))
    return out
def main(argv):
    if argv[0] == "same":
        a, b = strip(argv[1]), strip(argv[2])
        if a != b:
            sys.exit("\n".join(x for x in a if x not in b) or "another order")
        return 0
    schema = json.load(open(argv[0]))
    v = jsonschema.Draft202012Validator(schema)
    for n, line in enumerate(open(argv[1]), 1):
        ev = json.loads(line)
        errors = sorted(v.iter_errors(ev), key=str)
        if errors:
            sys.exit(f"line {n}: {errors[0].message}: {line}")
        print(ev["event"])
'
validate() { py_call "$schema" "$1"; }

# a run with a retry, a split, a child: the log is the events, line for line
run "$cadence" run "$tmp/shop.cadence.yaml" --log json -t --events "$tmp/ev.jsonl"
expect "--log json -t --events: the run" 0
printf '%s\n' "$err" >"$tmp/log.jsonl"
run validate "$tmp/log.jsonl"
expect "every line of the JSON log fits docs/events.schema.json" 0 '^note_retried$'
names=$out
assert "... the --events names (note_completed, not note_end)" grep -qx note_completed <<<"$names"
assert "... a timings line (-t)" grep -qx timings <<<"$names"
assert "... the summary last" test "$(tail -1 <<<"$names")" = run_summary
grep -v '"event":"\(timings\|run_summary\)"' "$tmp/log.jsonl" >"$tmp/log-events.jsonl"
run py_call same "$tmp/log-events.jsonl" "$tmp/ev.jsonl"
expect "the log's events are the --events lines" 0

# --events - with --log json: each line once on stderr
run "$cadence" run "$tmp/shop.cadence.yaml" --log json --events -
expect "--log json --events -" 0
assert "... each event once" test "$(grep -c '"event":"cadence_started"' <<<"$err")" = 2

# a failing run: the error event, the failed summary
run "$cadence" run "$tmp/shop.cadence.yaml" --log json --score '{"fail": true}'
expect "a failing run" 1 '"paid": false'
printf '%s\n' "$err" >"$tmp/fail.jsonl"
run validate "$tmp/fail.jsonl"
expect "... its JSON log fits the schema" 0 '^error$'

# lines about no run: a cadence with errors, a bad option
printf 'cadence: broken\nnotes: {a: {run: [true]}}\nmeasures:\n  - then: b\n' >"$tmp/broken.cadence.yaml"
run "$cadence" run --log json "$tmp/broken.cadence.yaml"
expect "a cadence with errors" 2
printf '%s\n' "$err" >"$tmp/broken.jsonl"
run validate "$tmp/broken.jsonl"
expect "... its diagnostic and error lines fit the schema" 0 '^diagnostic$'
run "$cadence" run --log json --jobs 0 "$tmp/shop.cadence.yaml"
expect "a bad option" 2
printf '%s\n' "$err" >"$tmp/opt.jsonl"
run validate "$tmp/opt.jsonl"
expect "... its error line fits the schema" 0 '^error$'

# a resume: its run_resumed line
cat >"$tmp/gate.cadence.yaml" <<'YAML'
cadence: gate
notes:
  start: {run: [sh, -c, 'echo "{}"']}
  pass:  {run: [sh, -c, 'test -e "$CADENCE_DIR/open" || exit 2; echo "{}"']}
measures:
  - then: start
  - then: pass
YAML
run "$cadence" run "$tmp/gate.cadence.yaml" --checkpoint "$tmp/gate.ckpt"
expect "a run that fails, checkpointed" 1
touch "$tmp/open"
run "$cadence" resume --log json "$tmp/gate.ckpt"
expect "its resume" 0
printf '%s\n' "$err" >"$tmp/resume.jsonl"
run validate "$tmp/resume.jsonl"
expect "... its JSON log fits the schema" 0 '^run_resumed$'
finish
