#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence run --trace/--events through the report queue (issue 22): the
# writer thread falls behind a run of thousands of notes and an events
# reader that does not read for a while (the ring fills, the run waits):
# every line arrives; SIGTERM in the middle of a run: what ran is written
# (the events to the cancelled end, the trace with the stopped note's span,
# the metrics), exit 130.
source "$(dirname "$0")/lib.sh"
cd "$tmp" || exit 1

# ---- a slow reader: the ring fills, nothing is lost ------------------------------------------
n=$(runs 6000 600)
{
	printf 'cadence: many\nscore:\n  n: {type: integer, default: 0}\nnotes:\n'
	printf '  inc: {set: {n: "score.n + 1"}}\nmeasures:\n'
	for ((i = 0; i < n; i++)); do printf '  - then: m%d\n    note: inc\n' "$i"; done
} >many.cadence.yaml
mkfifo slow.fifo
# reads nothing for a second (the pipe, then the ring, fill), then all
(nap 1; cat slow.fifo >slow.jsonl) &
reader=$!
run "$cadence" run many.cadence.yaml -q --events slow.fifo --trace many.json
wait "$reader"
expect "a run whose events reader is slow ends ok" 0 "\"n\": $n" ''
assert "... every event line arrived ($((4 * n + 2)))" \
	test "$(grep -c '' slow.jsonl)" = $((4 * n + 2))
assert "... the last one the cadence's end" \
	grep -q '"event":"cadence_completed"' <<<"$(tail -1 slow.jsonl)"
assert "... the trace has every span ($((2 * n + 1)))" \
	test "$(grep -o '"spanId"' many.json | grep -c '')" = $((2 * n + 1))

# ---- SIGTERM: what ran is written -----------------------------------------------------------
w term.cadence.yaml 'cadence: term
score:
  n: {type: integer, default: 0}
notes:
  inc: {set: {n: "score.n + 1"}}
  hold: {run: [sh, -c, "touch started; exec sleep 60"]}
measures:
  - then: a
    note: inc
  - then: b
    note: inc
  - then: hold
'
"$cadence" run term.cadence.yaml --events term.jsonl --trace term.json --metrics term.prom \
	>term.out 2>term.err &
pid=$!
wait_until "the note to start" test -e started
kill -TERM "$pid"
wait_exit "$pid"
out=$(<term.out) err=$(<term.err)
expect "SIGTERM mid-run: 130" 130 '' "interrupted while note 'hold' was running"
assert "... the events end with the cancelled cadence" \
	grep -q '"event":"cadence_failed".*"status":"cancelled"' <<<"$(tail -1 term.jsonl)"
assert "... with every event before it" \
	test "$(grep -c '"event":"note_completed"' term.jsonl)" = 2
assert "... the trace has the stopped note's span (and its measure's)" \
	test "$(grep -o '"name":"hold"' term.json | grep -c '')" = 2
assert "... the trace has the root and its three measures" \
	test "$(grep -o '"cadence.span","value":{"stringValue":"measure"}' term.json | grep -c '')" = 3
assert "... the metrics were written" \
	grep -q 'cadence_runs_total{cadence="term",status="cancelled"} 1' term.prom

finish
