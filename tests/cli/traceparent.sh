#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# W3C trace context (docs/observability.md, "Traces"): cadence run and
# resume join the trace of a caller's TRACEPARENT; `run` notes get
# TRACEPARENT with the run's trace id and their attempt's span id, as the
# --trace file has them; a bad TRACEPARENT is a warning, not a failure.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state
need python3

caller_trace=4bf92f3577b34da6a3ce929d0e0e4736
caller_span=00f067aa0ba902b7
# `first` writes what it sees per attempt and fails its first; `gate`
# fails until the file `go` exists (a run to resume)
cat >"$tmp/tp.cadence.yaml" <<'YAML'
cadence: tp
notes:
  first:
    run: [sh, -c, 'echo "$CADENCE_ATTEMPT $TRACEPARENT ${TRACESTATE-none} $CADENCE_RUN_ID $CADENCE_NOTE" >>"$CADENCE_DIR/seen.txt"; [ "$CADENCE_ATTEMPT" -ge 2 ] || exit 3; echo "{}"']
    retry: {attempts: 2, delay: 1ms}
  gate:
    run: [sh, -c, 'echo "$TRACEPARENT" >>"$CADENCE_DIR/gate.txt"; [ -e "$CADENCE_DIR/go" ] || exit 4; echo "{}"']
measures:
  - then: first
  - then: gate
YAML

# check_trace NAME TRACE_FILE SEEN_FILE [CALLER_TRACE CALLER_SPAN FLAGS TRACESTATE]:
# every line of SEEN_FILE (a note's view) names the trace file's trace and
# the span of its attempt; with a caller, the trace and the root's parent
# are the caller's
check_trace() {
	local name=$1
	shift
	run python3 - "$@" <<'PY'
import json, sys
trace_file, seen_file = sys.argv[1], sys.argv[2]
caller = sys.argv[3:]
spans = json.loads(open(trace_file).read().splitlines()[-1])["resourceSpans"][0]["scopeSpans"][0]["spans"]
attrs = lambda s: {a["key"]: list(a["value"].values())[0] for a in s["attributes"]}
tid, = {s["traceId"] for s in spans}
root, = [s for s in spans if attrs(s)["cadence.span"] == "cadence"]
run_id = attrs(root)["cadence.run_id"]
if caller:
    assert tid == caller[0], (tid, caller)
    assert root.get("parentSpanId") == caller[1], root
else:
    assert "parentSpanId" not in root, root
attempt_span = {attrs(s)["cadence.attempt"]: s["spanId"] for s in spans
                if s["name"] == "first" and attrs(s)["cadence.span"] == "note"}
seen = [l.split() for l in open(seen_file).read().splitlines()]
assert [l[0] for l in seen] == ["1", "2"], seen
for attempt, tp, state, rid, note in seen:
    version, t, span, flags = tp.split("-")
    assert version == "00" and t == tid, (tp, tid)
    assert span == attempt_span[attempt], (attempt, span, attempt_span)
    assert flags == (caller[2] if caller else "01"), flags
    assert state == (caller[3] if caller else "none"), state
    assert rid == run_id and note == "first", (rid, run_id, note)
assert seen[0][1] != seen[1][1], "a span per attempt"
print("trace context ok")
PY
	expect "$name" 0 'trace context ok'
}

touch "$tmp/go"
unset TRACEPARENT TRACESTATE
run "$cadence" run "$tmp/tp.cadence.yaml" --trace "$tmp/own.json" --no-record
expect "without TRACEPARENT, the run succeeds" 0 '^{}$'
assert "... with no warning" [ -z "$(grep warning <<<"$err")" ]
check_trace "without TRACEPARENT: a trace of its own, notes' TRACEPARENT in it (01: sampled)" \
	"$tmp/own.json" "$tmp/seen.txt"

# the caller's: TRACEPARENT and CADENCE_* of the parent replaced, TRACESTATE kept
rm -f "$tmp/seen.txt"
run env TRACEPARENT="00-$caller_trace-$caller_span-00" TRACESTATE=vendor=opaque \
	CADENCE_RUN_ID=theirs CADENCE_NOTE=theirs \
	"$cadence" run "$tmp/tp.cadence.yaml" --trace "$tmp/joined.json" --no-record
expect "with TRACEPARENT, the run succeeds" 0 '^{}$'
check_trace "with TRACEPARENT: the caller's trace, the root under its span, its flags and TRACESTATE" \
	"$tmp/joined.json" "$tmp/seen.txt" "$caller_trace" "$caller_span" 00 vendor=opaque

# --env-clear: TRACEPARENT is cadence's, as CADENCE_* are; TRACESTATE is not kept
rm -f "$tmp/seen.txt"
run env TRACEPARENT="00-$caller_trace-$caller_span-01" TRACESTATE=vendor=opaque \
	"$cadence" run "$tmp/tp.cadence.yaml" --trace "$tmp/clear.json" --no-record --env-clear
check_trace "--env-clear: notes get TRACEPARENT, not TRACESTATE" \
	"$tmp/clear.json" "$tmp/seen.txt" "$caller_trace" "$caller_span" 01 none

# a bad one: a warning, the run goes on in a trace of its own
rm -f "$tmp/seen.txt"
bad="00-$caller_trace-0000000000000000-01"
run env TRACEPARENT="$bad" TRACESTATE=vendor=opaque \
	"$cadence" run "$tmp/tp.cadence.yaml" --trace "$tmp/bad.json" --no-record
expect "a bad TRACEPARENT does not fail the run" 0 '^{}$' \
	"^cadence: warning: TRACEPARENT '$bad' is not a W3C traceparent: the parent id is all zeros \(expected 00-<trace id: 32 lowercase hex digits>-<parent id: 16 lowercase hex digits>-<flags: 2 lowercase hex digits>\); the run starts a trace of its own$"
assert "... one warning" [ "$(grep -c warning <<<"$err")" = 1 ]
check_trace "... a fresh trace, not the bad one's, without its TRACESTATE" "$tmp/bad.json" "$tmp/seen.txt"
assert "... whose trace id is not the bad one's" \
	[ -z "$(grep -l "$caller_trace" "$tmp/bad.json" "$tmp/seen.txt")" ]

rm -f "$tmp/seen.txt"
run env TRACEPARENT=00-4BF92F3577B34DA6A3CE929D0E0E4736-$caller_span-01 \
	"$cadence" run "$tmp/tp.cadence.yaml" --no-record --log json -q
expect "--log json: the warning is a JSON line" 0 '^{}$' \
	'^\{"time":"[^"]*","event":"warning","message":"TRACEPARENT .* the trace id must be 32 lowercase hex digits followed by a .*; the run starts a trace of its own"\}$'
assert "... and the run's events follow" grep -q '"event":"cadence_completed"' <<<"$err"

rm -f "$tmp/seen.txt"
run env TRACEPARENT= "$cadence" run "$tmp/tp.cadence.yaml" --trace "$tmp/empty.json" --no-record
expect "an empty TRACEPARENT is unset: no warning" 0 '^{}$'
assert "... none" [ -z "$(grep warning <<<"$err")" ]
check_trace "... a trace of its own" "$tmp/empty.json" "$tmp/seen.txt"

# cadence step: a run note is in the caller's trace too, under a span of
# its own
rm -f "$tmp/gate.txt"
touch "$tmp/go"
run env TRACEPARENT="00-$caller_trace-$caller_span-01" "$cadence" step "$tmp/tp.cadence.yaml" gate
expect "cadence step with TRACEPARENT" 0 '^{}$'
assert "... the note's TRACEPARENT: the caller's trace, a span of its own" \
	grep -Eq "^00-$caller_trace-[0-9a-f]{16}-01\$" "$tmp/gate.txt"
assert "... not the caller's span" [ -z "$(grep -e "-$caller_span-" "$tmp/gate.txt")" ]
run env TRACEPARENT=bad "$cadence" step "$tmp/tp.cadence.yaml" gate
expect "cadence step with a bad TRACEPARENT: a warning, the note runs" 0 '^{}$' \
	"^cadence: warning: TRACEPARENT 'bad' is not a W3C traceparent"
assert "... in a trace of its own" [ -z "$(tail -n 1 "$tmp/gate.txt" | grep "$caller_trace")" ]
rm -f "$tmp/go"

# cadence resume joins the trace of its own caller
rm -f "$tmp/seen.txt" "$tmp/go" "$tmp/gate.txt"
run "$cadence" run "$tmp/tp.cadence.yaml" --checkpoint "$tmp/run.ckpt" --no-record
expect "a run that stops at the gate" 1
touch "$tmp/go"
run env TRACEPARENT="00-$caller_trace-$caller_span-01" \
	"$cadence" resume "$tmp/run.ckpt" --trace "$tmp/resumed.json" --no-record
expect "resume with TRACEPARENT" 0 '^{}$'
run python3 - "$tmp/resumed.json" "$tmp/gate.txt" "$caller_trace" "$caller_span" <<'PY'
import json, sys
spans = json.loads(open(sys.argv[1]).read())["resourceSpans"][0]["scopeSpans"][0]["spans"]
gate, = [s for s in spans if s["name"] == "gate" and s.get("parentSpanId") and
         any(a["key"] == "cadence.span" and a["value"]["stringValue"] == "note" for a in s["attributes"])]
root, = [s for s in spans if s["name"] == "tp"]
lines = open(sys.argv[2]).read().split()
assert len(lines) == 2 and lines[0].split("-")[1] != sys.argv[3], lines
assert lines[1] == f"00-{sys.argv[3]}-{gate['spanId']}-01", (lines, gate["spanId"])
assert root["traceId"] == sys.argv[3] and root["parentSpanId"] == sys.argv[4], root
print("resumed ok")
PY
expect "... the resumed run's notes and root in the caller's trace" 0 'resumed ok'
finish
