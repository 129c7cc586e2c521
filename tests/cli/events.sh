#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence run --events: every line valid against docs/events.schema.json,
# on a run with a sync, a split, a child and a retried note; the order of
# the stream; a merge conflict; breakers opening; '-' for stderr.  And
# --log json (issue 21): every line of it valid against the same schema,
# its events the --events lines, its own lines (errors, diagnostics,
# timings, the summary, a resume) too.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state
source "$(dirname "$0")/observe.fixture"
schema=$src/docs/events.schema.json

# validate FILE: every line against the schema; prints the event names
# (one python3 for the script: py_serve, tests/cli/lib.sh)
py_serve json jsonschema -- '
import json, sys, jsonschema
def strip(path):	# the events of a file, without what differs between runs
    out = []
    for line in open(path):
        ev = json.loads(line)
        for k in ("time", "run_id", "duration_ms"):
            ev.pop(k, None)
        out.append(json.dumps(ev, sort_keys=True))
    return out
def main(argv):
    if argv[0] == "run_ids":	# run_ids FILE: how many run ids its events have
        print(len({json.loads(l)["run_id"] for l in open(argv[1])}))
        return 0
    if argv[0] == "same":	# same A B: the same events, in the same order
        a, b = strip(argv[1]), strip(argv[2])
        if a != b:
            sys.exit("\n".join(x for x in a if x not in b) or "another order")
        return 0
    schema = json.load(open(argv[0]))
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)
    for n, line in enumerate(open(argv[1]), 1):
        ev = json.loads(line)
        errors = sorted(v.iter_errors(ev), key=str)
        if errors:
            sys.exit(f"line {n}: {errors[0].message}: {line}")
        print(ev["event"], ev.get("path"), ev.get("note", ev.get("measure", "")))
'
validate() { py_call "$schema" "$1"; }

run "$cadence" run "$tmp/shop.cadence.yaml" --events "$tmp/events.jsonl"
expect "the run succeeds" 0
run validate "$tmp/events.jsonl"
expect "every event fits docs/events.schema.json" 0
names=$out
assert "the stream starts with the cadence" test "$(head -1 <<<"$names")" = "cadence_started shop "
assert "... and ends with it" test "$(tail -1 <<<"$names")" = "cadence_completed shop "
run py_call run_ids "$tmp/events.jsonl"
assert "one run id for every event" test "$out" = 1
assert "the sync's notes started" grep -qx 'note_started shop left' <<<"$names"
assert "a failed attempt" grep -qx 'note_failed shop flaky' <<<"$names"
assert "... then retried" grep -qx 'note_retried shop flaky' <<<"$names"
assert "its stderr line" grep -qx 'note_log shop flaky' <<<"$names"
assert "the split's branch" grep -qx 'note_completed shop small' <<<"$names"
assert "the child cadence, with its path" grep -qx 'cadence_started shop/pay ' <<<"$names"
assert "the child's note" grep -qx 'note_completed shop/pay charge' <<<"$names"
assert "the child ends before its measure" test "$(grep -n 'cadence_completed shop/pay\|measure_completed shop payment' <<<"$names" | cut -d: -f2 | xargs)" = "cadence_completed shop/pay measure_completed shop payment"
line=$(grep '"note_failed"' "$tmp/events.jsonl")
assert "a failure carries its error type and message" grep -q '"error_type":"exit_status".*"message":"it exited with status 3' <<<"$line"

# --events -: on stderr, beside the log
run "$cadence" run "$tmp/shop.cadence.yaml" --events - --score '{"fail": true}'
expect "a failing run, events on stderr" 1 '' '"event":"cadence_failed"'
grep '^{' "$tmp/.err" >"$tmp/stderr.jsonl"
run validate "$tmp/stderr.jsonl"
expect "the events on stderr fit the schema" 0 'note_failed shop/pay charge'
assert "an error event names the failure" grep -q '"event":"error".*"message":"shop/pay: note .charge.: it exited with status 2' "$tmp/stderr.jsonl"

# a merge conflict, a skipped note, a circuit breaker that opens
cat >"$tmp/edge.cadence.yaml" <<'YAML'
cadence: edge
score:
  total: {type: integer, default: 0}
  s:     {type: string, default: ""}
notes:
  idle:
    run: [sh, -c, 'echo "{\"\$skip\": true}"']
  down:
    run: [sh, -c, 'exit 1']
    retry: {attempts: 3, delay: 1ms}
    circuit_breaker: {failure_threshold: 2, recovery_timeout: 60s}
    fallback: {s: fallback}
  ten:
    run: [sh, -c, 'echo "{\"total\": 10}"']
  twelve:
    run: [sh, -c, 'echo "{\"total\": 12}"']
measures:
  - then: idle
  - then: down
  - sync: add
    notes: [ten, twelve]
YAML
run "$cadence" run "$tmp/edge.cadence.yaml" --events "$tmp/edge.jsonl"
expect "the conflict fails the run" 1 '' "notes 'ten' and 'twelve' both changed field 'total'"
run validate "$tmp/edge.jsonl"
expect "conflicts, skips and breakers fit the schema" 0
names=$out
assert "a skipped note" grep -qx 'note_skipped edge idle' <<<"$names"
assert "the breaker opened" grep -qx 'breaker_opened edge down' <<<"$names"
assert "the fallback applied" grep -qx 'note_fell_back edge down' <<<"$names"
assert "a merge conflict" grep -qx 'merge_conflict edge twelve' <<<"$names"
assert "the conflict names the field" grep -q '"event":"merge_conflict".*"field":"total"' "$tmp/edge.jsonl"
assert "the breaker's states" grep -q '"event":"breaker_opened".*"state":"open","previous_state":"closed"' "$tmp/edge.jsonl"
assert "cadence_failed last" test "$(tail -1 <<<"$names")" = "cadence_failed edge "

# a breaker that closes: recovery passes, the next call succeeds
cat >"$tmp/heal.cadence.yaml" <<'YAML'
cadence: heal
score:
  s: {type: string, default: ""}
notes:
  down:
    run: [sh, -c, 'if [ -e "$CADENCE_DIR/healed" ]; then echo "{\"s\": \"ok\"}"; else exit 1; fi']
    circuit_breaker: {failure_threshold: 1, recovery_timeout: 1ms}
    fallback: {s: fallback}
measures:
  - then: down
YAML
run "$cadence" run "$tmp/heal.cadence.yaml" --events "$tmp/heal1.jsonl"
expect "the first call fails and opens the breaker" 0
touch "$tmp/healed"
sleep 0.01
run "$cadence" run "$tmp/heal.cadence.yaml" --events "$tmp/heal2.jsonl"
expect "the probe succeeds" 0 '"s":[[:space:]]*"ok"'
run validate "$tmp/heal2.jsonl"
expect "breaker events of the probe fit the schema" 0
assert "half-open, then closed" test "$(grep '^breaker_' <<<"$out" | cut -d' ' -f1 | xargs)" = "breaker_half_opened breaker_closed"

# ---- --log json: the same lines, and the log's own ----------------------------------
# a run with a retry, a split, a child: the log is the events, line for line
run "$cadence" run "$tmp/shop.cadence.yaml" --log json -t --events "$tmp/ev.jsonl"
expect "--log json -t --events: the run" 0
printf '%s\n' "$err" >"$tmp/log.jsonl"
run validate "$tmp/log.jsonl"
expect "every line of the JSON log fits docs/events.schema.json" 0 '^note_retried shop flaky$'
names=$out
assert "... the --events names (note_completed, not note_end)" grep -qx 'note_completed shop first' <<<"$names"
assert "... a timings line (-t)" grep -qx 'timings shop ' <<<"$names"
assert "... the summary last" test "$(tail -1 <<<"$names")" = 'run_summary shop '
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
expect "... its JSON log fits the schema" 0 '^error shop/pay charge$'

# lines about no run: a cadence with errors, a bad option
printf 'cadence: broken\nnotes: {a: {run: [true]}}\nmeasures:\n  - then: b\n' >"$tmp/broken.cadence.yaml"
run "$cadence" run --log json "$tmp/broken.cadence.yaml"
expect "a cadence with errors" 2
printf '%s\n' "$err" >"$tmp/broken.jsonl"
run validate "$tmp/broken.jsonl"
expect "... its diagnostic and error lines fit the schema" 0 '^diagnostic None $'
run "$cadence" run --log json --jobs 0 "$tmp/shop.cadence.yaml"
expect "a bad option" 2
printf '%s\n' "$err" >"$tmp/opt.jsonl"
run validate "$tmp/opt.jsonl"
expect "... its error line fits the schema" 0 '^error None $'

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
expect "... its JSON log fits the schema" 0 '^run_resumed gate pass$'
finish
