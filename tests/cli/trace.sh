#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence run --trace: OTLP/JSON with the structure an OpenTelemetry
# Collector's otlpjsonfile receiver reads, on a run with a sync, a split, a
# child and a retried note: ids, parents, nesting in time, statuses, events.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state
source "$(dirname "$0")/observe.fixture"

run "$cadence" run "$tmp/shop.cadence.yaml" --trace "$tmp/trace.json" -c
expect "the run succeeds" 0 '"paid":true'
run python3 - "$tmp/trace.json" <<'PY'
import json, re, sys

lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, f"one line per run, got {len(lines)}"
doc = json.loads(lines[0])
assert set(doc) == {"resourceSpans"}, doc.keys()
rs, = doc["resourceSpans"]
res = {a["key"]: a["value"] for a in rs["resource"]["attributes"]}
assert res["service.name"] == {"stringValue": "cadence"}, res
ss, = rs["scopeSpans"]
assert ss["scope"]["name"] == "cadence"
spans = ss["spans"]
hex32, hex16 = re.compile("^[0-9a-f]{32}$"), re.compile("^[0-9a-f]{16}$")
trace_ids = {s["traceId"] for s in spans}
assert len(trace_ids) == 1, "one trace id per run"
tid, = trace_ids
assert hex32.match(tid) and tid != "0" * 32, tid
by_id = {}
for s in spans:
    assert hex16.match(s["spanId"]) and s["spanId"] != "0" * 16, s["spanId"]
    assert s["spanId"] not in by_id, "span ids are unique"
    by_id[s["spanId"]] = s
    assert s["kind"] == 1, "SPAN_KIND_INTERNAL"
    for k in ("startTimeUnixNano", "endTimeUnixNano"):
        assert isinstance(s[k], str) and s[k].isdigit(), (k, s[k])
    assert int(s["startTimeUnixNano"]) <= int(s["endTimeUnixNano"])
    for a in s["attributes"]:
        assert set(a) == {"key", "value"}, a
        (vk, vv), = a["value"].items()
        assert vk in ("stringValue", "intValue"), vk
        if vk == "intValue":
            assert isinstance(vv, str) and re.match("^-?[0-9]+$", vv), vv
    assert s["status"]["code"] in (1, 2), s["status"]
    for e in s["events"]:
        assert e["timeUnixNano"].isdigit() and e["name"], e

def attrs(s):
    return {a["key"]: list(a["value"].values())[0] for a in s["attributes"]}

def parent(s):
    return by_id[s["parentSpanId"]] if "parentSpanId" in s else None

roots = [s for s in spans if "parentSpanId" not in s]
assert len(roots) == 1, "one root span"
root, = roots
assert root["name"] == "shop" and attrs(root)["cadence.span"] == "cadence"
assert re.match("^[0-9a-f]{16}$", attrs(root)["cadence.run_id"])
for s in spans:
    p = parent(s)
    if not p:
        continue
    kind, pkind = attrs(s)["cadence.span"], attrs(p)["cadence.span"]
    # a measure under its cadence, a note under its measure, a child
    # cadence under its child measure
    assert (kind, pkind) in {("measure", "cadence"), ("note", "measure"), ("cadence", "measure")}, (s["name"], p["name"])
    if kind == "cadence":
        assert attrs(p)["cadence.measure.kind"] == "child"
    # children lie within their parent's time
    assert int(p["startTimeUnixNano"]) <= int(s["startTimeUnixNano"])
    assert int(s["endTimeUnixNano"]) <= int(p["endTimeUnixNano"])

def named(name, kind):
    return [s for s in spans if s["name"] == name and attrs(s)["cadence.span"] == kind]

measures = [s["name"] for s in spans if parent(s) is root]
assert measures == ["first", "both", "flaky", "decide", "payment"], measures
sync, = named("both", "measure")
assert attrs(sync)["cadence.measure.kind"] == "sync"
assert sorted(s["name"] for s in spans if parent(s) is sync) == ["left", "right"]
split, = named("decide", "measure")
assert [s["name"] for s in spans if parent(s) is split] == ["small"], "the branch taken"
child_measure, = named("payment", "measure")
child, = [s for s in spans if parent(s) is child_measure]
assert child["name"] == "pay" and attrs(child)["cadence.path"] == "shop/pay"
assert attrs(child)["cadence.depth"] == "1"
charge, = named("charge", "measure")
assert parent(charge) is child
note, = named("charge", "note")
assert parent(note) is charge and attrs(note)["cadence.path"] == "shop/pay"
flaky = named("flaky", "note")
assert [attrs(s)["cadence.attempt"] for s in flaky] == ["1", "2"], "a span per attempt"
assert flaky[0]["status"]["code"] == 2 and "status 3" in flaky[0]["status"]["message"]
assert attrs(flaky[0])["cadence.error.type"] == "exit_status"
assert [e["name"] for e in flaky[0]["events"]] == ["exception", "retry"]
assert flaky[1]["status"] == {"code": 1}
print("trace ok:", len(spans), "spans")
PY
expect "the trace's structure, ids and parents" 0 'trace ok'

# a failed run: error statuses up to the root, the error as an event
run "$cadence" run "$tmp/shop.cadence.yaml" --score '{"fail": true}' --trace "$tmp/failed.json"
expect "a failing run" 1
run python3 - "$tmp/failed.json" <<'PY'
import json, sys
spans = json.loads(open(sys.argv[1]).read())["resourceSpans"][0]["scopeSpans"][0]["spans"]
by_id = {s["spanId"]: s for s in spans}
root, = [s for s in spans if "parentSpanId" not in s]
assert root["status"]["code"] == 2 and "charge" in root["status"]["message"], root["status"]
charge = [s for s in spans if s["name"] == "charge"]
note = charge[-1]
assert note["status"]["code"] == 2
chain = []
s = note
while "parentSpanId" in s:
    s = by_id[s["parentSpanId"]]
    chain.append((s["name"], s["status"]["code"]))
assert chain == [("charge", 2), ("pay", 2), ("payment", 2), ("shop", 2)], chain
measure = by_id[note["parentSpanId"]]
assert any(e["name"] == "exception" for e in measure["events"]), measure["events"]
print("failed trace ok")
PY
expect "a failure is an error status from the note up to the root" 0 'failed trace ok'
finish
