#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence run on a dag measure (docs/format.md, "dag"): the score with
# --jobs 1 and the default, --dry-run, the events (against
# docs/events.schema.json), the text and JSON logs, --timings, the trace's
# task spans, the metrics, a failure's outcomes, a resume that runs the
# tasks that had not ended ok, and a task that runs a child cadence.
source "$(dirname "$0")/lib.sh"

py_serve json jsonschema -- '
import json, sys, jsonschema
def main(argv):
    if argv[0] == "validate":	# validate SCHEMA FILE: prints "event task outcome"
        v = jsonschema.Draft202012Validator(json.load(open(argv[1])))
        for n, line in enumerate(open(argv[2]), 1):
            ev = json.loads(line)
            errors = sorted(v.iter_errors(ev), key=str)
            if errors:
                sys.exit(f"line {n}: {errors[0].message}: {line}")
            if ev["event"].startswith("task_"):
                print(ev["event"], ev["task"], ev.get("outcome", ""), ev.get("reason", ""))
        return 0
    if argv[0] == "spans":	# spans TRACE: "task NAME under MEASURE" and "note NAME under TASK"
        spans = [s for l in open(argv[1]) for r in json.loads(l)["resourceSpans"]
                 for ss in r["scopeSpans"] for s in ss["spans"]]
        by_id = {s["spanId"]: s for s in spans}
        kind = lambda s: next(a["value"]["stringValue"] for a in s["attributes"] if a["key"] == "cadence.span")
        for s in spans:
            if kind(s) in ("task", "note"):
                p = by_id.get(s.get("parentSpanId"))
                print(kind(s), s["name"], "under", kind(p) if p else "-", p["name"] if p else "-")
        return 0
'

w etl.cadence.yaml '
cadence: etl
score:
  kind: {type: string, default: a}
  log: {type: array, default: []}
  rows: {type: integer, default: 0}
notes:
  extract: {run: [sh, -c, "sleep 0.1; echo \"{\\\"rows\\\": 3}\""]}
  transform_a: {set: {log: "score.log + [\"a\" + string(score.rows)]"}}
  transform: {set: {log: "score.log + [\"b\"]"}}
  load: {set: {log: "score.log + [\"load\"]"}}
measures:
  - dag: etl
    jobs: 4
    merge: smart_merge
    tasks:
      - task: extract
      - task: transform_a
        after: [extract]
      - task: transform_b
        note: transform
        after: [extract]
        when: score.kind == "b"
      - task: load
        after: [transform_a, transform_b]
'
want='{"kind":"a","log":["a3","load"],"rows":3}'
run "$cadence" run -c "$tmp/etl.cadence.yaml"
expect "a dag runs" 0
assert "... its tasks see their ancestors' changes; when skips one" test "$out" = "$want"
run "$cadence" run -c --jobs 1 "$tmp/etl.cadence.yaml"
assert "--jobs 1 gives the same score" test "$out" = "$want"
run "$cadence" run -c --score '{"kind": "b"}' "$tmp/etl.cadence.yaml"
assert "a task whose when is true runs, and merges" \
	test "$out" = '{"kind":"b","log":["a3","b","load"],"rows":3}'

run "$cadence" run --dry-run "$tmp/etl.cadence.yaml"
expect "--dry-run prints the dag" 0 "1\. dag etl, 4 at once, on_failure finish, merge smart_merge; tasks in dag order:"
expect "... each task with its after and when" 0 \
	"^ +transform_b after extract when score.kind == \"b\": transform: set log"
expect "... in dag order" 0 "^ +load after transform_a, transform_b: load"

run "$cadence" run -v "$tmp/etl.cadence.yaml"
expect "the text log says each task's outcome" 0 "" \
	"dag 'etl': task 'transform_b' skipped: its condition 'score.kind == \"b\"' gave false"
run "$cadence" run --log json "$tmp/etl.cadence.yaml"
expect "the JSON log has the task events" 0 "" '"event":"task_end".*"task":"load".*"outcome":"ok"'
run "$cadence" run --timings "$tmp/etl.cadence.yaml"
expect "--timings lists the tasks' notes" 0 "" "etl/extract"

run "$cadence" run "$tmp/etl.cadence.yaml" --events "$tmp/ev.jsonl" --trace "$tmp/trace.json" \
	--metrics "$tmp/metrics.prom"
expect "a dag reported" 0
run py_call validate "$src/docs/events.schema.json" "$tmp/ev.jsonl"
expect "the events fit docs/events.schema.json" 0 "^task_skipped transform_b skipped its condition"
expect "... task_end with its outcome" 0 "^task_end load ok"
run py_call spans "$tmp/trace.json"
expect "a span per task, under the dag's measure span" 0 "^task extract under measure etl$"
expect "... a skipped task has one too" 0 "^task transform_b under measure etl$"
expect "... the task's note under its task" 0 "^note extract under task extract$"
run grep -c 'cadence_dag_tasks_total{cadence="etl",outcome="ok"} 3' "$tmp/metrics.prom"
assert "the metrics count the tasks by outcome" test "$out" = 1
run grep -c 'cadence_dag_tasks_total{cadence="etl",outcome="skipped"} 1' "$tmp/metrics.prom"
assert "... skipped ones too" test "$out" = 1

# a failure: below it skipped, beside it cancelled (jobs 1, finish)
w fail.cadence.yaml '
cadence: fail
score: {n: {type: integer, default: 0}, m: {type: integer, default: 0}}
notes:
  bad: {run: [sh, -c, "echo broken >&2; exit 3"]}
  next: {set: {n: "1"}}
  beside: {set: {m: "1"}}
measures:
  - dag: d
    jobs: 1
    tasks:
      - task: bad
      - {task: below, note: next, after: [bad]}
      - {task: other, note: beside}
'
run "$cadence" run "$tmp/fail.cadence.yaml" --events "$tmp/fail.jsonl"
expect "a failed task fails the run" 1 "" "error: fail: dag 'd', note 'bad'.*task 'bad': it exited with status 3"
expect "... the log says which task failed" 1 "" "dag 'd': task 'bad' failed"
run py_call validate "$src/docs/events.schema.json" "$tmp/fail.jsonl"
expect "... its events fit the schema" 0 "^task_skipped below skipped upstream task 'bad' failed"
expect "... a task beside it that never started is cancelled" 0 "^task_end other cancelled"

# resume: the dag failed, the checkpoint holds the measure before it and
# the task that ended ok (a), and resume runs the one that failed
w resume.cadence.yaml '
cadence: resume
score: {log: {type: array, default: []}}
notes:
  first: {run: [sh, -c, "echo x >> \"$CADENCE_DIR/first.count\"; echo {}"]}
  a: {set: {log: "score.log + [\"a\"]"}}
  gate: {run: [sh, -c, "test -e \"$CADENCE_DIR/open\" && echo {}"]}
measures:
  - then: first
  - dag: d
    merge: smart_merge
    tasks:
      - task: a
      - {task: gate, after: [a]}
'
run "$cadence" run "$tmp/resume.cadence.yaml" --checkpoint "$tmp/ck.json"
expect "a dag that fails leaves the checkpoint of the measure before" 1
touch "$tmp/open"
run "$cadence" resume -c "$tmp/ck.json"
expect "resume runs the dag's failed task" 0 '^\{"log":\["a"\]\}$'
run cat "$tmp/first.count"
assert "... and not the measure before it" test "$out" = x

# a task that runs a child cadence: its events (without a note), its span,
# the child's own events and spans, and its merge as the task's changes
w enrich.cadence.yaml '
cadence: enrich
score: {rows: {type: integer, required: true}, scored: {type: integer, default: 0}}
notes:
  score_rows: {set: {scored: "score.rows * 10"}}
measures:
  - then: score_rows
'
w parent.cadence.yaml '
cadence: parent
score: {rows: {type: integer, default: 0}, total: {type: integer, default: 0}}
notes:
  extract: {run: [sh, -c, "echo \"{\\\"rows\\\": 4}\""]}
measures:
  - dag: p
    tasks:
      - task: extract
      - {task: enrich, cadence: enrich, with: {rows: score.rows}, merge: {total: score.scored}, after: [extract]}
'
run "$cadence" run -c "$tmp/parent.cadence.yaml" --events "$tmp/child.jsonl" --trace "$tmp/child.json"
expect "a child task runs its cadence on its input; its merge is its change" 0 '^\{"rows":4,"total":40\}$'
run "$cadence" run -n "$tmp/parent.cadence.yaml"
expect "--dry-run prints a child task with its with and merge" 0 \
	"^ +enrich after extract: child cadence enrich with \{rows: score.rows\} merge \{total: score.scored\}$"
expect "... and the child's plan under it" 0 "^ +1\. then score_rows: score_rows: set scored = score.rows \* 10$"
run py_call validate "$src/docs/events.schema.json" "$tmp/child.jsonl"
expect "... its events fit the schema" 0 "^task_end enrich ok"
run grep -c '"path":"parent/enrich".*"note":"score_rows"' "$tmp/child.jsonl"
assert "... the child's notes report with the child's path" test "$out" -ge 2
run py_call spans "$tmp/child.json"
expect "... a span for the task" 0 "^task enrich under measure p$"
expect "... and for the child's note" 0 "^note score_rows under "

# an interrupt while a child task runs: nothing else starts after it
w napkid.cadence.yaml '
cadence: napkid
score: {n: {type: integer, default: 0}}
notes:
  nap: {run: [sh, -c, "touch \"$CADENCE_DIR/kid.started\"; exec sleep 30"]}
measures:
  - then: nap
'
w kidint.cadence.yaml '
cadence: kidint
score: {n: {type: integer, default: 0}, m: {type: integer, default: 0}}
notes:
  quick: {set: {m: "1"}}
measures:
  - dag: d
    jobs: 1
    tasks:
      - {task: k, cadence: napkid, merge: {n: score.n}}
      - {task: a, note: quick}
'
"$cadence" run "$tmp/kidint.cadence.yaml" --events "$tmp/kidint.jsonl" >/dev/null 2>&1 &
bg=$!
wait_until "the child task running" test -e "$tmp/kid.started"
kill -INT "$bg"
wait_exit "$bg"
expect "SIGINT during a child task: exit 130" 130
run py_call validate "$src/docs/events.schema.json" "$tmp/kidint.jsonl"
expect "... the child task is cancelled" 0 "^task_end k cancelled"
expect "... the task after it in line is cancelled" 0 "^task_end a cancelled"
assert "... without starting" test -z "$(grep '^task_start a' <<<"$out")"

# an interrupt: the running tasks stopped and cancelled, the others too
w slow.cadence.yaml '
cadence: slow
score: {n: {type: integer, default: 0}}
notes:
  nap: {run: [sh, -c, "touch \"$CADENCE_DIR/started.$$\"; exec sleep 30"]}
  quick: {set: {n: "1"}}
measures:
  - dag: naps
    jobs: 2
    tasks:
      - {task: a, note: nap}
      - {task: b, note: nap}
      - {task: c, note: quick, after: [a]}
'
"$cadence" run "$tmp/slow.cadence.yaml" --events "$tmp/int.jsonl" >/dev/null 2>"$tmp/int.err" &
bg=$!
# (the events file is flushed as measures end: the notes say they started)
started() { local f=("$tmp"/started.*); [[ ${#f[@]} == 2 && -e ${f[1]} ]]; }
wait_until "both tasks running" started
kill -INT "$bg"
wait_exit "$bg"
expect "SIGINT during a dag: exit 130" 130
run py_call validate "$src/docs/events.schema.json" "$tmp/int.jsonl"
expect "... the running tasks are cancelled" 0 "^task_end a cancelled"
expect "... and the one that never started" 0 "^task_end c cancelled"

finish
