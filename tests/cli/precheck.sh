#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A cadence's precheck (docs/format.md, "precheck") from the command line:
# a stop is exit 5 with the score as given and "cadence: stopped: ..." on
# stderr (a JSON line with --log json), the events say cadence_stopped, the
# metrics count a stopped run, the trace's span is not an error; and the
# pipeline that `cadence new cadence --template pipeline` writes validates
# clean, draws, runs, and stops on an empty request.
source "$(dirname "$0")/lib.sh"

w gate.cadence.yaml '
cadence: gate
score:
  n: {type: integer, default: 0}
notes:
  inc: {set: {n: score.n + 1}}
precheck: {when: score.n < 10}
measures:
  - then: inc
'
run "$cadence" run -c "$tmp/gate.cadence.yaml" --score '{"n": 1}'
expect "a true precheck runs the cadence" 0 '^\{"n":2\}$'
run "$cadence" run -c "$tmp/gate.cadence.yaml" --score '{"n": 12}' \
	--events "$tmp/ev.jsonl" --metrics "$tmp/m.prom" --trace "$tmp/tr.json"
expect "a false precheck stops: exit 5, the score as given" 5 '^\{"n":12\}$' \
	"^cadence: stopped: gate: precheck: 'score.n < 10' is false; nothing ran$"
assert "... no error line" test "$(grep -c 'error' <<<"$err")" = 0
assert "... the events end with cadence_stopped" \
	grep -q '"event":"cadence_stopped".*"status":"stopped"' "$tmp/ev.jsonl"
assert "... and hold no measure" test "$(grep -c '"measure' "$tmp/ev.jsonl")" = 0
assert "... the metrics count a stopped run" \
	grep -q '^cadence_runs_total{cadence="gate",status="stopped"} 1$' "$tmp/m.prom"
assert "... the trace's cadence span is not an error" \
	test "$(grep -c '"code":2' "$tmp/tr.json")" = 0
run "$cadence" run --dry-run "$tmp/gate.cadence.yaml" --score '{"n": 12}'
expect "--dry-run shows the precheck" 0 '^  precheck \(false or failed: stop, nothing runs\): when score.n < 10$'
run "$cadence" run --log json "$tmp/gate.cadence.yaml" --score '{"n": 12}'
expect "with --log json, the stop is a JSON line" 5 '' \
	'^\{"time":"[^"]*","event":"stopped","message":"gate: precheck: .score.n < 10. is false; nothing ran"\}$'

w note.cadence.yaml '
cadence: note
score:
  ok: {type: boolean, default: false}
notes:
  check: {run: [sh, -c, "echo out of stock >&2; exit 4"]}
  go: {set: {ok: "true"}}
precheck: {note: check}
measures:
  - then: go
'
run "$cadence" run -c "$tmp/note.cadence.yaml"
expect "a precheck note that fails stops the run with its reason" 5 '^\{"ok":false\}$' \
	"^cadence: stopped: note: precheck note 'check' failed: it exited with status 4; nothing ran$"
assert "... its stderr is shown as a note's" grep -q '^\[check\] out of stock$' <<<"$err"

# the staged pipeline template
cd "$tmp" || exit 1
run "$cadence" new cadence ship --template pipeline
expect "new cadence --template pipeline writes it" 0 '^created ship.cadence.yaml$'
run "$cadence" validate --strict ship.cadence.yaml
expect "... it validates clean" 0 '^checked 1 file: no problems$'
run "$cadence" diagram --format dot ship.cadence.yaml
expect "... it draws: a dag with its tasks" 0 'dag research'
run "$cadence" run -c ship.cadence.yaml --score '{"request": "dark mode"}'
expect "... it runs through every stage" 0 '"verified":true'
assert "... research fanned out and in" grep -qF '"findings":["docs about topic: dark mode","code about topic: dark mode"]' <<<"$out"
run "$cadence" run -c ship.cadence.yaml --score '{"request": ""}'
expect "... an empty request stops at the precheck" 5 '"verified":false' \
	"^cadence: stopped: ship: precheck: 'size\(score.request\) > 0' is false; nothing ran$"
run "$cadence" new cadence x --template pipe
expect "an unknown template is a usage error" 2 '' "invalid value 'pipe' for --template; choose one of: basic, pipeline"
cd - >/dev/null || exit 1

finish
