#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What a run says about itself (issue 21, items 7 and 11): the summary line
# (text, JSON, -q), -v with measure ends and a split's branch, -t under
# --log json, a failed run's score on stdout (after on_error), the
# interrupt of a note waiting to retry, `resume` of a complete checkpoint
# without its plugin, and the line saying where a resume goes on.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state
cd "$tmp" || exit 1

w route.cadence.yaml 'cadence: route
score:
  n:    {type: integer, default: 0}
  size: {type: string, default: ""}
notes:
  one:   {set: {n: "score.n + 1"}}
  flaky:
    run: [sh, -c, "if [ \"$CADENCE_ATTEMPT\" -lt 2 ]; then exit 3; fi; echo \"{}\""]
    retry: {attempts: 2, delay: 1ms}
  small: {set: {size: "\"small\""}}
  large: {set: {size: "\"large\""}}
measures:
  - then: one
  - then: flaky
  - split: decide
    when: score.n > 5
    if_true: [large]
    if_false: [small]
'

# ---- the summary line -------------------------------------------------------------------
run "$cadence" run route.cadence.yaml
expect "a run ends with a summary line" 0 '"size": "small"' \
	'^cadence: route: ok in [0-9]+\.[0-9]{3} s: 3 measures, 3 notes, 1 retry$'
assert "... the last line of the log" grep -q '^cadence: route: ok in' <<<"$(tail -1 <<<"$err")"
run "$cadence" run -q route.cadence.yaml
expect "-q: no summary line" 0 '"size": "small"'
assert "... only the retry on stderr" test "$err" = "cadence: note 'flaky' failed (attempt 1 of 2): it exited with status 3; retrying in 1 ms"
run "$cadence" run --quiet --log json route.cadence.yaml
expect "--quiet --log json: no run_summary" 0
assert "... but the events" grep -q '"event":"cadence_completed"' <<<"$err"
assert "... without the summary" test "$(grep -c '"event":"run_summary"' <<<"$err")" = 0
run "$cadence" run --log json route.cadence.yaml
expect "--log json: the summary is an event" 0 '' \
	'^\{"time":"[^"]*","event":"run_summary","run_id":"[0-9a-f]{16}","cadence":"route","path":"route","depth":0,"status":"ok","measures":3,"notes":3,"retries":1,"duration_ms":[0-9.]+\}$'
assert "... the last line" grep -q '"event":"run_summary"' <<<"$(tail -1 <<<"$err")"

# ---- -v: measure ends, the split's branch -------------------------------------------
run "$cadence" run -v route.cadence.yaml
expect "-v logs each measure's end" 0 '' "^cadence: route: then 'one' ok in [0-9.]+ ms$"
assert "... the split's branch" grep -qE "^cadence: route: split 'decide' ok in [0-9.]+ ms, branch if_false$" <<<"$err"
run "$cadence" run -v route.cadence.yaml --score '{"n": 9}'
expect "-v: the other branch" 0 '"size": "large"' "^cadence: route: split 'decide' ok in [0-9.]+ ms, branch if_true$"
run "$cadence" run route.cadence.yaml --events ev.jsonl
expect "--events: a run" 0
assert "--events: the split's measure_completed names its branch" \
	grep -q '"event":"measure_completed".*"measure":"decide".*"branch":"if_false"' ev.jsonl
assert "... other measures have no branch" test "$(grep -c '"branch"' ev.jsonl)" = 1

# ---- -t under --log json: one JSON line -------------------------------------------------
run "$cadence" run --log json -t route.cadence.yaml
expect "--log json -t" 0 '' '^\{"time":"[^"]*","event":"timings","run_id":"[0-9a-f]{16}","cadence":"route","path":"route","depth":0,"timings":\[\{"path":"route","note":"one","calls":1,"failed":0,'
assert "... every line of stderr is a JSON object" \
	bash -c 'while read -r l; do [[ $l == \{*\} ]] || exit 1; done <<<"$1"' _ "$err"
assert "... the retried note: 2 calls, 1 failed" grep -q '{"path":"route","note":"flaky","calls":2,"failed":1,' <<<"$err"
run "$cadence" run -t route.cadence.yaml
expect "-t without --log json: the table" 0 '' '^note +calls +failed +total ms +mean ms +max ms$'

# ---- a failed run: its score on stdout, as on_error left it -------------------------------
w handled.cadence.yaml 'cadence: handled
score:
  n:    {type: integer, default: 0}
  note: {type: string, default: ""}
notes:
  one:  {set: {n: "score.n + 1"}}
  boom: {run: [sh, -c, "exit 4"]}
  two:  {set: {n: "score.n + 2"}}
  mark: {set: {note: "\"handled\""}}
on_error: {note: mark}
measures:
  - then: one
  - then: boom
  - then: two
'
run "$cadence" run -c handled.cadence.yaml
expect "a failed run prints its score, with status 1" 1 '^\{"n":1,"note":"handled"\}$' \
	"error: handled: note 'boom': it exited with status 4"
# (the on_error handler is a note that ran)
assert "... the summary says failed" grep -qE '^cadence: handled: failed in [0-9.]+ s: 2 measures, 3 notes, 0 retries$' <<<"$err"
run "$cadence" run -c --log json handled.cadence.yaml
expect "--log json: the same score" 1 '^\{"n":1,"note":"handled"\}$' '"event":"run_summary".*"status":"failed"'
# a run refused before it starts prints nothing
run "$cadence" run handled.cadence.yaml --score '{"nope": 1}'
expect "a refused run: status 2" 2 '' "unknown field 'nope'"
assert "... nothing on stdout" test -z "$out"
assert "... and no summary (nothing ran)" test "$(grep -c 'cadence: handled:' <<<"$err")" = 0

# ---- an interrupt while a note waits to retry -------------------------------------------
w wait.cadence.yaml 'cadence: wait
notes:
  down:
    run: [sh, -c, "exit 1"]
    retry: {attempts: 3, delay: 60s}
measures:
  - then: down
'
"$cadence" run wait.cadence.yaml >wait.out 2>wait.err &
pid=$!
wait_until "the retry to be logged" grep -q 'retrying in' wait.err
kill -INT "$pid"
wait_exit "$pid"
out=$(<wait.out) err=$(<wait.err)
expect "interrupted while waiting: 130" 130 '' \
	"interrupted while note 'down' was waiting to retry; it was not run again$"
assert "... not said to be running" test "$(grep -c 'was running' <<<"$err")" = 0
assert "... the summary says cancelled" grep -qE '^cadence: wait: cancelled in [0-9.]+ s: 1 measure, 1 note, 1 retry$' <<<"$err"
assert "... no score on stdout" test -z "$out"

# a second signal under --log json: its line has "time" too, written by
# the signal handler (the date computed there: today's, in UTC)
w stubborn.cadence.yaml 'cadence: stubborn
notes:
  hold: {run: [sh, -c, "trap \"touch term\" TERM; touch started; while :; do sleep 0.1; done"]}
measures:
  - then: hold
'
"$cadence" run --log json --kill-grace 600s stubborn.cadence.yaml >stubborn.out 2>stubborn.err &
pid=$!
wait_until "the note to start" test -e started
kill -INT "$pid"
wait_until "the note to get SIGTERM (and live on)" test -e term
kill -INT "$pid"
wait_exit "$pid"
out=$(<stubborn.out) err=$(<stubborn.err)
today=$(date -u +%Y-%m-%d)
expect "--log json: a second SIGINT, 130" 130 '' \
	"^\\{\"time\":\"$today""T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z\",\"event\":\"error\",\"message\":\"interrupted again: stopped at once, running notes killed\"\\}$"

# ---- resume: a complete checkpoint, where a resume goes on ------------------------------
w steps.cadence.yaml 'cadence: steps
score:
  n: {type: integer, default: 0}
notes:
  one:  {set: {n: "score.n + 1"}}
  gate: {run: [sh, -c, "test -e open || exit 2; echo \"{}\""]}
  last: {set: {n: "score.n + 1"}}
measures:
  - then: one
  - then: gate
  - then: last
'
run "$cadence" run -c steps.cadence.yaml --checkpoint steps.ckpt
expect "a run that fails at its second measure" 1 '^\{"n":1\}$'
touch open
run "$cadence" resume -c steps.ckpt
expect "resume says where it goes on" 0 '^\{"n":2\}$' \
	"^cadence: resuming from steps.ckpt \(steps: 1 measure done\) at steps: then 'gate' \(2 of 3\)$"
run "$cadence" resume -c steps.ckpt
expect "resume of the now complete checkpoint: the final score" 0 '^\{"n":2\}$' \
	"^cadence: steps.ckpt: its run had completed \(steps: 3 measures done\); nothing to run, its final score follows$"
run "$cadence" resume -q -c steps.ckpt
expect "-q: no resume line" 0 '^\{"n":2\}$'
assert "... nothing on stderr" test -z "$err"
rm open
run "$cadence" run -c steps.cadence.yaml --checkpoint steps.ckpt
touch open
run "$cadence" resume --log json -c steps.ckpt
expect "--log json: a run_resumed event before the measure" 0 '' \
	'^\{"time":"[^"]*","event":"run_resumed","run_id":"[0-9a-f]{16}","cadence":"steps","path":"steps","depth":0,"measure":"gate","measure_kind":"then","measure_index":1,"checkpoint":"steps.ckpt","position":"steps: 1 measure done","complete":false\}$'
assert "... then measure_started" test "$(grep -A1 '"run_resumed"' <<<"$err" | tail -1 | grep -c '"event":"measure_started".*"measure":"gate"')" = 1

plug=${CADENCE_TEST_PLUGIN:-}
if [[ -n $plug ]]; then
	w ticks.cadence.yaml 'cadence: ticks
score:
  count: {type: integer, default: 0}
notes:
  tick: {symbol: tick}
  tock: {symbol: tick}
measures:
  - then: tick
  - then: tock
'
	run "$cadence" run -c --plugin "$plug" ticks.cadence.yaml --checkpoint ticks.ckpt
	expect "a run of C notes, checkpointed" 0 '^\{"count":2\}$'
	run "$cadence" resume -c ticks.ckpt
	expect "resume of a complete checkpoint needs no --plugin" 0 '^\{"count":2\}$' \
		'its run had completed'
	run "$cadence" run -c ticks.cadence.yaml
	expect "... while a run without it is refused" 2 '' "calls C function 'tick', which no plugin provides"
	# a complete checkpoint whose score no longer fits the cadence
	sed 's/count: {type: integer, default: 0}/count: {type: string, default: "0"}/' ticks.cadence.yaml >ticks2.cadence.yaml
	run "$cadence" resume --force ticks.ckpt ticks2.cadence.yaml
	expect "... a saved score that no longer fits: status 4" 4 '' "field 'count' must be a string"
else
	skip "resume of a complete checkpoint without --plugin" "CADENCE_TEST_PLUGIN not set"
fi
finish
