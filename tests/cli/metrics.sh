#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence run --metrics: Prometheus text format that `promtool check metrics`
# accepts, on a run with successes, retries, failures, fallbacks and an open
# circuit breaker; the values; atomic writes; unwritable paths.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state

# promcheck NAME FILE: `promtool check metrics` accepts FILE (skipped
# without promtool, Debian package prometheus: scripts/install-deps.sh)
promcheck() {
	if ! command -v promtool >/dev/null; then
		skip "$1" "promtool is not installed"
		return
	fi
	run promtool check metrics <"$2"
	expect "$1" 0
}

cat >"$tmp/mixed.cadence.yaml" <<'YAML'
cadence: mixed
score:
  a:     {type: integer, default: 0}
  b:     {type: string, default: ""}
  state: {type: string, default: ""}
notes:
  ok:
    run: [sh, -c, 'echo "{\"a\": 1}"']
  flaky:
    run: [sh, -c, 'if [ "$CADENCE_ATTEMPT" -lt 3 ]; then echo boom >&2; exit 3; fi; echo "{\"b\": \"x\"}"']
    retry: {attempts: 3, delay: 1ms}
  down:
    run: [sh, -c, 'exit 7']
    retry: {attempts: 4, delay: 1ms}
    circuit_breaker: {failure_threshold: 2, recovery_timeout: 60s}
    fallback: {state: degraded}
  slow:
    run: [sleep, '5']
    timeout: 50ms
    fallback: {state: late}
measures:
  - then: ok
  - then: flaky
  - then: down
  - then: slow
YAML

run "$cadence" run "$tmp/mixed.cadence.yaml" --metrics "$tmp/out/../mixed.prom"
expect "--metrics into a missing directory: exit 2, nothing ran" 2 '' \
	"cannot write the metrics to '.*/out/../mixed.prom': No such file or directory; nothing ran"

run "$cadence" run "$tmp/mixed.cadence.yaml" --metrics "$tmp/mixed.prom" -c
expect "a run with retries, failures and fallbacks succeeds" 0 '"state":"late"'
promcheck "promtool check metrics accepts the metrics" "$tmp/mixed.prom"
m=$(<"$tmp/mixed.prom")
has() { grep -qxF -- "$1" <<<"$m"; }
assert "successes counted" has 'cadence_note_runs_total{cadence="mixed",note="ok",status="ok"} 1'
assert "failed attempts counted" has 'cadence_note_runs_total{cadence="mixed",note="flaky",status="failed"} 2'
assert "retries counted" has 'cadence_note_retries_total{cadence="mixed",note="flaky"} 2'
assert "errors by type: exit status" has 'cadence_note_errors_total{cadence="mixed",note="flaky",type="exit_status"} 2'
assert "errors by type: timeout" has 'cadence_note_errors_total{cadence="mixed",note="slow",type="timeout"} 1'
assert "errors by type: open breaker" has 'cadence_note_errors_total{cadence="mixed",note="down",type="breaker_open"} 1'
assert "a rejected call is counted as rejected" has 'cadence_note_runs_total{cadence="mixed",note="down",status="rejected"} 1'
assert "fallbacks counted" has 'cadence_note_fallbacks_total{cadence="mixed",note="down"} 1'
assert "the breaker is open" has 'cadence_circuit_breaker_state{cadence="mixed",note="down",state="open"} 1'
assert "... and not closed" has 'cadence_circuit_breaker_state{cadence="mixed",note="down",state="closed"} 0'
assert "it opened once" has 'cadence_circuit_breaker_opened_total{cadence="mixed",note="down"} 1'
assert "the histogram counts every attempt" has 'cadence_note_duration_seconds_count{cadence="mixed",note="flaky"} 3'
assert "a +Inf bucket" has 'cadence_note_duration_seconds_bucket{cadence="mixed",note="flaky",le="+Inf"} 3'
assert "cadence runs by status" has 'cadence_runs_total{cadence="mixed",status="ok"} 1'
assert "cadence duration histogram" has 'cadence_duration_seconds_count{cadence="mixed"} 1'
assert "notes without a breaker have no breaker series" \
	test -z "$(grep 'circuit_breaker_state{cadence="mixed",note="ok"' <<<"$m")"
assert "no temporary file is left" test -z "$(ls "$tmp" | grep '\.tmp\.')"

# a failed run writes its metrics too; the breaker is still open, so the
# note without a fallback... fails at once, rejected
cat >"$tmp/fails.cadence.yaml" <<'YAML'
cadence: fails
score: {}
notes:
  bad:
    run: [sh, -c, 'echo nope >&2; exit 1']
    retry: {attempts: 2, delay: 1ms}
measures:
  - then: bad
YAML
run "$cadence" run "$tmp/fails.cadence.yaml" --metrics "$tmp/fails.prom"
expect "a failed run exits 1" 1 '' "note 'bad' \(attempt 2 of 2\): it exited with status 1"
promcheck "the failed run's metrics pass promtool" "$tmp/fails.prom"
assert "the failed cadence run is counted" grep -qxF 'cadence_runs_total{cadence="fails",status="failed"} 1' "$tmp/fails.prom"

# labels with characters that need escaping stay valid
run "$cadence" run "$tmp/mixed.cadence.yaml" --metrics "$tmp/mixed.prom"
expect "a second run replaces the file" 0
assert "a replaced file, not appended" test "$(grep -c '^# TYPE cadence_runs_total' "$tmp/mixed.prom")" = 1

# unwritable places: nothing runs
mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
if [[ ! -w $tmp/ro ]]; then
	run "$cadence" run "$tmp/mixed.cadence.yaml" --metrics "$tmp/ro/m.prom"
	expect "--metrics in a read-only directory: exit 2" 2 '' "cannot write the metrics to '.*ro/m.prom': Permission denied; nothing ran"
fi
chmod 755 "$tmp/ro"
run "$cadence" run "$tmp/mixed.cadence.yaml" --metrics "$tmp"
expect "--metrics naming a directory: exit 2" 2 '' "cannot write the metrics to '.*': Is a directory; nothing ran"
run "$cadence" run "$tmp/mixed.cadence.yaml" --trace "$tmp/nope/t.json"
expect "--trace into a missing directory: exit 2" 2 '' "cannot write the trace to '.*nope/t.json': No such file or directory; nothing ran"
run "$cadence" run "$tmp/mixed.cadence.yaml" --events "$tmp/nope/e.jsonl"
expect "--events into a missing directory: exit 2" 2 '' "cannot write the events to '.*nope/e.jsonl': No such file or directory; nothing ran"
run "$cadence" run "$tmp/mixed.cadence.yaml" --checkpoint "$tmp/nope/c.json"
expect "--checkpoint into a missing directory: exit 2" 2 '' "cannot write the checkpoint to '.*nope/c.json': No such file or directory; nothing ran"
if [[ -w /dev/full ]]; then
	run "$cadence" run "$tmp/fails.cadence.yaml" --events /dev/full
	expect "events to a full disk: exit 3" 3 '' "cannot write the events to '/dev/full': No space left on device"
fi
finish
