#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence run --trace read by OpenTelemetry's own protobuf definitions:
# tests/otlp/decode.mjs decodes the trace file strictly as OTLP/JSON
# ExportTraceServiceRequests with the protobufjs root that
# @opentelemetry/otlp-transformer generated from opentelemetry-proto, round
# trips them through the protobuf binary, and summarizes them; the summary
# of a successful and a failing run (a sync, a split, a child cadence, a
# retried note, a dag) is checked against docs/observability.md "Traces".
# Then mutations of the file that the decoder must refuse, naming the
# problem: it is strict; and what OpenTelemetry JS's own SDK and JSON
# serializer write, which it must accept: it is not stricter than OTLP.  The npm packages are tests/otlp's, pinned by its
# lock file; without node or them: skipped (77).
source "$(dirname "$0")/lib.sh"
need python3
need_npm otlp @opentelemetry/otlp-transformer @opentelemetry/sdk-trace-base protobufjs -- \
	decode.mjs reference.mjs
decode=$nd/decode.mjs
export CADENCE_STATE_DIR=$tmp/state
source "$(dirname "$0")/observe.fixture"
# and a dag last: a task that runs, one after it, one its when skips
cat >>"$tmp/shop.cadence.yaml" <<'YAML'
  - dag: etl
    tasks:
      - task: extract
        note: left
      - task: load
        note: right
        after: [extract]
      - task: never
        note: large
        after: [extract]
        when: score.n == 99
YAML

run "$cadence" run "$tmp/shop.cadence.yaml" --trace "$tmp/ok.json" -c
expect "a run with a sync, a split, a child, a retry and a dag" 0 '"paid":true'
run "$cadence" run "$tmp/shop.cadence.yaml" --score '{"fail": true}' --trace "$tmp/failed.json"
expect "a failing run" 1
run "$cadence" --version
version=${out##* }
run node "$decode" --summary "$tmp/ok.json" "$tmp/failed.json"
expect "both trace files decode as ExportTraceServiceRequest" 0 '^\{"requests":2,'
printf '%s\n' "$out" >"$tmp/summary.json"

run python3 - "$tmp/summary.json" "$version" <<'PY'
import json, re, sys

doc = json.load(open(sys.argv[1]))
assert doc["requests"] == 2, doc["requests"]
for res in doc["resources"]:
    assert res["attributes"] == {"service.name": "cadence", "service.version": sys.argv[2]}, res
    assert res["scopes"] == [{"name": "cadence", "version": sys.argv[2]}], res
runs = [[s for s in doc["spans"] if s["request"] == r] for r in (0, 1)]
assert len({s["traceId"] for s in runs[0]} | {s["traceId"] for s in runs[1]}) == 2, \
    "one trace per run, a trace id of its own"
checked = 0
for spans in runs:
    tid = spans[0]["traceId"]
    by_id = {s["spanId"]: s for s in spans}
    assert len(by_id) == len(spans), "span ids are unique"
    for s in spans:
        assert s["traceId"] == tid, "every span of a run shares its trace id"
        assert s["kind"] == 1, ("SPAN_KIND_INTERNAL", s["name"], s["kind"])
        assert s["status"]["code"] in (1, 2), s["status"]
        assert (s["status"]["code"] == 2) == (s["status"]["message"] != ""), \
            ("a message with ERROR only", s["name"], s["status"])
        a = s["attributes"]
        for k in ("cadence.span", "cadence.name", "cadence.path", "cadence.depth"):
            assert k in a, (k, s["name"])
        assert isinstance(a["cadence.depth"], int), "an intValue"
        if "parentSpanId" in s:
            assert s["parentSpanId"] in by_id, ("the parent is a span of the same trace", s["name"])
            p = by_id[s["parentSpanId"]]
            assert int(p["start"]) <= int(s["start"]) <= int(s["end"]) <= int(p["end"]), \
                ("within its parent's time", s["name"])
        checked += 1
    roots = [s for s in spans if "parentSpanId" not in s]
    assert len(roots) == 1, ("one root", [s["name"] for s in roots])
    root = roots[0]
    assert root["name"] == "shop" and root["attributes"]["cadence.span"] == "cadence"
    assert root["attributes"]["cadence.depth"] == 0
    assert re.fullmatch("[0-9a-f]{16}", root["attributes"]["cadence.run_id"])

    def parent(s):
        return by_id.get(s.get("parentSpanId"))

    def kind(s):
        return s["attributes"]["cadence.span"]

    def named(name, k):
        return [s for s in spans if s["name"] == name and kind(s) == k]

    # the nesting of docs/observability.md "Traces"
    for s in spans:
        p = parent(s)
        if not p:
            continue
        pair = (kind(s), kind(p))
        assert pair in {("measure", "cadence"), ("note", "measure"), ("cadence", "measure"),
                        ("task", "measure"), ("note", "task")}, (s["name"], pair)
        if pair == ("cadence", "measure"):
            assert p["attributes"]["cadence.measure.kind"] == "child", p["attributes"]
        if kind(s) == "task":
            assert p["attributes"]["cadence.measure.kind"] == "dag", p["attributes"]
        if pair == ("note", "task"):
            assert s["attributes"]["cadence.task"] == p["name"], (s["attributes"], p["name"])
        if kind(s) == "note":
            assert s["attributes"]["cadence.note"] == s["name"]
            assert isinstance(s["attributes"]["cadence.attempt"], int)
    assert [s["name"] for s in spans if parent(s) is root][:5] == \
        ["first", "both", "flaky", "decide", "payment"]
    sync, = named("both", "measure")
    assert sync["attributes"]["cadence.measure.kind"] == "sync"
    assert sorted(s["name"] for s in spans if parent(s) is sync) == ["left", "right"]
    split, = named("decide", "measure")
    assert [s["name"] for s in spans if parent(s) is split] == ["small"], "the branch taken"
    child_measure, = named("payment", "measure")
    child, = [s for s in spans if parent(s) is child_measure]
    assert child["name"] == "pay" and kind(child) == "cadence"
    assert child["attributes"]["cadence.path"] == "shop/pay" and child["attributes"]["cadence.depth"] == 1
    charge, = named("charge", "note")
    assert parent(parent(charge)) is child

    # the retried note: ERROR with a message on attempt 1, OK on attempt 2
    flaky = named("flaky", "note")
    assert [s["attributes"]["cadence.attempt"] for s in flaky] == [1, 2], "a span per attempt"
    assert all(s["attributes"]["cadence.attempts"] == 3 for s in flaky)
    first, second = flaky
    assert first["status"]["code"] == 2 and "status 3" in first["status"]["message"], first["status"]
    assert first["attributes"]["cadence.note.status"] == "failed"
    assert first["attributes"]["cadence.error.type"] == "exit_status"
    ev = {e["name"]: e["attributes"] for e in first["events"]}
    assert list(ev) == ["exception", "retry"], ev
    assert ev["exception"]["exception.type"] == "exit_status" and "status 3" in ev["exception"]["exception.message"]
    assert ev["retry"]["cadence.retry.delay_ms"] == 1, ev["retry"]
    assert second["status"] == {"code": 1, "message": ""} and second["events"] == []
    assert second["attributes"]["cadence.note.status"] == "ok"
    assert "cadence.error.type" not in second["attributes"]

# the dag of the successful run: tasks under the dag measure, notes under
# their tasks, the skipped task a span of no length with its outcome
spans = runs[0]
by_id = {s["spanId"]: s for s in spans}
dag, = [s for s in spans if s["name"] == "etl"]
assert dag["attributes"]["cadence.measure.kind"] == "dag" and by_id[dag["parentSpanId"]]["name"] == "shop"
tasks = {s["name"]: s for s in spans if s.get("parentSpanId") == dag["spanId"]}
assert sorted(tasks) == ["extract", "load", "never"], tasks
for name, note in (("extract", "left"), ("load", "right")):
    t = tasks[name]
    assert t["attributes"]["cadence.span"] == "task" and t["attributes"]["cadence.task.outcome"] == "ok"
    assert t["attributes"]["cadence.task"] == name and t["attributes"]["cadence.note"] == note
    n, = [s for s in spans if s.get("parentSpanId") == t["spanId"]]
    assert n["name"] == note and n["attributes"]["cadence.span"] == "note"
never = tasks["never"]
assert never["attributes"]["cadence.task.outcome"] == "skipped" and never["start"] == never["end"]
assert [e["name"] for e in never["events"]] == ["skipped"], never["events"]
assert not [s for s in spans if s.get("parentSpanId") == never["spanId"]]

# the failing run: ERROR with the error from the failed note up to the root
spans = runs[1]
by_id = {s["spanId"]: s for s in spans}
note = [s for s in spans if s["name"] == "charge" and s["attributes"]["cadence.span"] == "note"][-1]
assert note["status"] == {"code": 2, "message": "it exited with status 2"}, note["status"]
chain, s = [], note
while "parentSpanId" in s:
    s = by_id[s["parentSpanId"]]
    chain.append((s["name"], s["status"]["code"], "declined" in s["status"]["message"]))
assert chain == [("charge", 2, True), ("pay", 2, True), ("payment", 2, True), ("shop", 2, True)], chain
assert not [s for s in spans if s["name"] == "etl"], "the dag after the failure did not run"
print(f"summary ok: {checked} spans")
PY
expect "ids, parents, nesting, kinds, statuses and attributes as documented" 0 '^summary ok'

# the same requests as a directory of bodies, one per file (what an
# OTLP/HTTP receiver saves; the second one gzipped, Content-Encoding:
# gzip): the same summary
mkdir "$tmp/bodies"
cp "$tmp/ok.json" "$tmp/bodies/1.json"
python3 -c 'import gzip, sys; sys.stdout.buffer.write(gzip.compress(open(sys.argv[1], "rb").read()))' \
	"$tmp/failed.json" >"$tmp/bodies/2.json"
touch "$tmp/bodies/.partial"
run node "$decode" --summary "$tmp/bodies"
assert "a directory of request bodies, one gzipped, decodes to the same summary" \
	test "$status" = 0 -a "$out" = "$(<"$tmp/summary.json")"

# ---- strictness: each mutation is refused (exit 1), naming where and what --------
# An intValue as a JSON number: the Protobuf JSON mapping (which OTLP/JSON
# follows) writes 64-bit integers as decimal strings and lets a reader take
# either; decode.mjs checks senders, so it holds them to the written form (a
# number beyond 2^53 loses digits in JSON parsers).  Enums: OTLP/JSON's own
# rule, integers only.
run python3 - "$tmp/ok.json" "$tmp" <<'PY'
import json, sys
line = open(sys.argv[1]).readline()
muts = {
    "unknown-key": "s[3]['atributes'] = s[3].pop('attributes')",
    "base64-id": "s[0]['traceId'] = 'zdMnowqL9ROaF1RZjzfXmQ=='",
    "short-trace-id": "s[0]['traceId'] = s[0]['traceId'][:30]",
    "zero-span-id": "s[2]['spanId'] = '0' * 16",
    "kind-name": "s[1]['kind'] = 'SPAN_KIND_INTERNAL'",
    "kind-unknown": "s[1]['kind'] = 9",
    "status-name": "s[0]['status']['code'] = 'STATUS_CODE_OK'",
    "int-number": "s[0]['attributes'][3]['value']['intValue'] = 0",
    "snake-case": "s[0]['start_time_unix_nano'] = s[0].pop('startTimeUnixNano')",
    "two-values": "s[0]['attributes'][0]['value']['intValue'] = '1'",
    "null": "s[0]['name'] = None",
    "no-spans": "d['resourceSpans'][0]['scopeSpans'][0]['spans'] = []",
    "time-number": "s[0]['endTimeUnixNano'] = 5",
}
for name, code in muts.items():
    d = json.loads(line)
    s = d["resourceSpans"][0]["scopeSpans"][0]["spans"]
    exec(code)
    # the mutation on the second line: the message names it
    open(f"{sys.argv[2]}/mut-{name}.json", "w").write(line + json.dumps(d) + "\n")
PY
refused() {	# refused NAME WHAT PATTERN: decode.mjs mut-NAME.json exits 1, saying PATTERN
	run node "$decode" "$tmp/mut-$1.json"
	expect "refused: $2" 1 "" "^${tmp//./\\.}/mut-$1\\.json:2: $3"
	[[ $(grep -c . <<<"$err") == 1 ]] || fail "... one message for the one problem: $err"
}
spans='resourceSpans\[0\]\.scopeSpans\[0\]\.spans'
refused unknown-key "an unknown key" \
	"$spans\[3\]\.atributes: unknown key: not a field of opentelemetry\.proto\.trace\.v1\.Span \(did you mean attributes\?\)"
refused base64-id "a base64 trace id" "$spans\[0\]\.traceId: \"zdMnowqL9ROaF1RZjzfXmQ==\" is not hex"
refused short-trace-id "a 15-byte trace id" "$spans\[0\]\.traceId: 15 bytes: a traceId is 16 bytes"
refused zero-span-id "an all-zero span id" "$spans\[2\]\.spanId: all zero"
refused kind-name "an enum by its name" "$spans\[1\]\.kind: the string \"SPAN_KIND_INTERNAL\": OTLP/JSON enums are integers"
refused kind-unknown "a kind SpanKind does not have" "$spans\[1\]\.kind: 9 is not a value of its enum"
refused status-name "a status code by its name" "$spans\[0\]\.status\.code: the string \"STATUS_CODE_OK\""
refused int-number "an intValue as a JSON number" \
	"$spans\[0\]\.attributes\[3\]\.value\.intValue: the number 0: a 64-bit integer \(int64\) is written as a decimal string"
refused time-number "a fixed64 time as a JSON number" "$spans\[0\]\.endTimeUnixNano: the number 5"
refused snake-case "the proto's snake_case name" \
	"$spans\[0\]\.start_time_unix_nano: the proto field name; OTLP/JSON keys are lowerCamelCase: write startTimeUnixNano"
refused two-values "two members of a oneof" "$spans\[0\]\.attributes\[0\]\.value\.intValue: stringValue is set already"
refused null "a null" "$spans\[0\]\.name: null"
refused no-spans "an empty envelope" "$spans: no spans"

# not JSON, not UTF-8, not gzip, nothing in an input; a bad body in a
# directory is named
printf '%s\n{"resourceSpans": [\n' "$(head -1 "$tmp/ok.json")" >"$tmp/cut.json"
run node "$decode" "$tmp/cut.json"
expect "a line that is not JSON" 1 "" "cut\.json:2: not JSON"
printf '{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "\377"}]}]}]}\n' >"$tmp/latin1.json"
run node "$decode" "$tmp/latin1.json"
expect "a line that is not UTF-8" 1 "" "latin1\.json:1: not UTF-8"
printf '\037\213 not gzip' >"$tmp/bodies/2.json"
run node "$decode" "$tmp/bodies"
expect "a body that claims gzip but is not" 1 "" "bodies/2\.json: not gzip"
: >"$tmp/empty.json"
run node "$decode" "$tmp/empty.json"
expect "an empty trace file" 1 "" "empty\.json: no ExportTraceServiceRequest in it"
sed -n 2p "$tmp/mut-base64-id.json" >"$tmp/bodies/2.json"
run node "$decode" "$tmp/bodies"
expect "a bad body in a directory is named by its file" 1 "" "bodies/2\.json: $spans\[0\]\.traceId: .* is not hex"

# what OpenTelemetry JS writes (tests/otlp/reference.mjs): accepted, but
# for its intValue written as a JSON number, which --int64-numbers takes
run node "$nd/reference.mjs"
printf '%s\n' "$out" >"$tmp/reference.json"
run node "$decode" "$tmp/reference.json"
expect "OpenTelemetry JS's intValue as a JSON number is reported" 1 "" \
	"reference\.json:1: $spans\[[0-9]\]\.attributes\[0\]\.value\.intValue: the number 7"
run node "$decode" --summary --int64-numbers "$tmp/reference.json"
expect "... with --int64-numbers, what it writes decodes" 0 '^\{"requests":1,'
run python3 -c '
import json, sys
spans = {s["name"]: s for s in json.loads(sys.argv[1])["spans"]}
root, child, grandchild = spans["root"], spans["child"], spans["grandchild"]
assert "parentSpanId" not in root and child["parentSpanId"] == root["spanId"]
assert grandchild["parentSpanId"] == child["spanId"]
assert len({s["traceId"] for s in spans.values()}) == 1
assert child["status"] == {"code": 2, "message": "it failed"} and grandchild["status"]["code"] == 1
assert child["attributes"] == {"an.int": 7, "a.double": 1.5, "a.bool": True, "a.string": "x",
                               "an.array": ["a", "b"]}, child["attributes"]
assert [e["name"] for e in child["events"]] == ["exception"]
print("reference ok")' "$out"
expect "... its ids, parents, statuses and attributes" 0 '^reference ok$'

# usage: exit 2
run node "$decode"
expect "no input" 2 "" "no input"
run node "$decode" --sumary "$tmp/ok.json"
expect "an unknown option" 2 "" "unknown option --sumary \(did you mean --summary\?"
run node "$decode" "$tmp/ok.json" --summary
expect "an option after the inputs" 2 "" "--summary: options come before the inputs"
run node "$decode" "$tmp/nothing.json"
expect "an input that does not exist" 2 "" "cannot read .*nothing\.json: no such file or directory"
finish
