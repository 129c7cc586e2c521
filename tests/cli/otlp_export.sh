#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence run --trace-endpoint and the OTEL_* variables: the trace sent to
# an OTLP/HTTP receiver on loopback (tests/otlp/receiver.py): batches that
# arrive, each span once, the same spans as the --trace file; retries
# after 503 and 429; headers and resource; a receiver that is down, slow or
# refusing costs a warning and a bounded time, never the exit status;
# SIGTERM mid-run sends what ran within the flush time; bad values.
source "$(dirname "$0")/lib.sh"
need python3
export CADENCE_STATE_DIR=$tmp/state
source "$(dirname "$0")/observe.fixture"
unset OTEL_EXPORTER_OTLP_ENDPOINT OTEL_EXPORTER_OTLP_TRACES_ENDPOINT OTEL_EXPORTER_OTLP_HEADERS \
	OTEL_EXPORTER_OTLP_TRACES_HEADERS OTEL_EXPORTER_OTLP_TIMEOUT OTEL_EXPORTER_OTLP_TRACES_TIMEOUT \
	OTEL_SERVICE_NAME OTEL_RESOURCE_ATTRIBUTES OTEL_BSP_MAX_QUEUE_SIZE \
	OTEL_BSP_MAX_EXPORT_BATCH_SIZE OTEL_BSP_SCHEDULE_DELAY CADENCE_TRACE_FLUSH_TIMEOUT \
	CADENCE_LIBCURL
# libcurl's proxy variables would send loopback requests elsewhere
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
receiver=$src/tests/otlp/receiver.py
shop=$tmp/shop.cadence.yaml

# start_receiver NAME ARGS...: a receiver saving into $tmp/NAME; $port
pids=()
start_receiver() {
	local dir=$tmp/$1 py
	shift
	# the interpreter itself, not lib.sh's function: $! is then its pid
	py=$(python3_path) || return
	"$py" "$receiver" "$dir" "$@" &
	pids+=($!)
	wait_until "the receiver's port" test -s "$dir/port" || return 1
	port=$(<"$dir/port")
}
stop_receivers() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	pids=()
}
# a port nothing listens on: one the kernel gave, closed again
closed_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# ms since the epoch, without a process
now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }
# what a run takes besides the bounds checked: its start, its notes (and
# valgrind's start and slowness in memcheck/cli/otlp_export)
slack=$(runs 2500 8000)

# quiet NAME: the last run succeeded without a warning
quiet() {
	if [[ $status == 0 && $err != *warning* ]]; then ok "$1"; else fail "$1"; fi
}

# check_spans NAME DIR TRACE_FILE MAX_BATCH [PY_EXTRA]: the bodies DIR
# received hold each span of TRACE_FILE exactly once, as the file has it,
# at most MAX_BATCH a request, under the file's resource
check_spans() {
	run python3 - "$2" "$3" "$4" "${5:-}" <<'PY'
import glob, json, os, sys
d, trace, batch, extra = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
want = {}
resource = None
for line in open(trace):
    for rs in json.loads(line)["resourceSpans"]:
        resource = rs["resource"]
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                want[s["spanId"]] = s
bodies = sorted(glob.glob(os.path.join(d, "bodies", "*.json")))
assert bodies, "no request arrived"
got = {}
for b in bodies:
    doc = json.load(open(b))
    assert set(doc) == {"resourceSpans"}, doc.keys()
    n = 0
    for rs in doc["resourceSpans"]:
        assert rs["resource"] == resource, (rs["resource"], resource)
        for ss in rs["scopeSpans"]:
            assert ss["scope"]["name"] == "cadence"
            for s in ss["spans"]:
                assert s["spanId"] not in got, "span %s arrived twice" % s["spanId"]
                got[s["spanId"]] = s
                n += 1
    assert 0 < n <= batch, "%s: %d spans in a request, batch %d" % (b, n, batch)
assert set(got) == set(want), "sent %d spans, the file has %d" % (len(got), len(want))
for k, s in want.items():
    assert got[k] == s, "span %s differs from the file's" % k
if extra:
    exec(extra)
print(len(bodies), "requests,", len(got), "spans")
PY
	expect "$1" 0 'requests, [0-9]+ spans'
}

# ---- batches ------------------------------------------------------------------
start_receiver ok
t0=$(now_ms)
OTEL_BSP_MAX_EXPORT_BATCH_SIZE=4 run "$cadence" run "$shop" -c --trace "$tmp/t1.json" \
	--trace-endpoint "http://127.0.0.1:$port/v1/traces" --metrics "$tmp/m1.prom"
expect "a run with an exporter succeeds, its score printed" 0 '"paid":true'
check_spans "every span arrives once, 4 at most a request, as in the --trace file" \
	"$tmp/ok" "$tmp/t1.json" 4 'assert len(bodies) >= 4, len(bodies)'
nspans=$(python3 -c 'import json,sys; print(sum(len(ss["spans"]) for rs in json.load(open(sys.argv[1]))["resourceSpans"] for ss in rs["scopeSpans"]))' "$tmp/t1.json")
run grep -c ' 200 application/json$' "$tmp/ok/requests.log"
[[ $out -ge 4 && $(wc -l <"$tmp/ok/requests.log") == "$out" ]] &&
	ok "several POSTs to /v1/traces, Content-Type application/json, each answered 200" ||
	fail "requests: $(<"$tmp/ok/requests.log")"
run grep -E '^cadence_trace_(spans_exported|spans_dropped|export_failures)_total' "$tmp/m1.prom"
expect "the metrics count the spans sent, none dropped, no failed request" 0 \
	"^cadence_trace_spans_exported_total\{endpoint=\"http://127.0.0.1:$port/v1/traces\"\} $nspans\$"
has_line '^cadence_trace_spans_dropped_total\{.*\} 0$' "$out" &&
	has_line '^cadence_trace_export_failures_total\{.*\} 0$' "$out" && ok "0 dropped, 0 failed" ||
	fail "dropped/failed series: $out"
run python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user-agent"])' "$tmp/ok/headers/0001.json"
expect "the User-Agent names cadence" 0 '^cadence/[0-9]+\.[0-9]+\.[0-9]+$'

# OpenTelemetry's own definitions read the bodies (tests/otlp/decode.mjs)
# (need_npm in a subshell: its exit 77 skips this check, not the script)
if nd=$(need_npm otlp @opentelemetry/otlp-transformer protobufjs -- decode.mjs >/dev/null &&
	echo "$nd"); then
	node "$nd/decode.mjs" --summary "$tmp/ok/bodies" >"$tmp/decoded.json" 2>"$tmp/.err"
	run python3 - "$tmp/decoded.json" "$tmp/t1.json" <<'PY'
import json, sys
dec = json.load(open(sys.argv[1]))
want = {}
for rs in json.loads(open(sys.argv[2]).readline())["resourceSpans"]:
    for ss in rs["scopeSpans"]:
        for s in ss["spans"]:
            want[s["spanId"]] = s
got = [s for s in dec["spans"]]
assert len(got) == len(want) and {s["spanId"] for s in got} == set(want), "decoded spans differ"
for s in got:
    w = want[s["spanId"]]
    assert (s["name"], s["kind"], s["status"]["code"], s.get("parentSpanId")) == \
        (w["name"], w["kind"], w["status"]["code"], w.get("parentSpanId")), s
print(dec["requests"], "requests decoded")
PY
	expect "the requests decode as ExportTraceServiceRequests by OpenTelemetry's definitions (tests/otlp/decode.mjs), ids, parents, kinds and statuses as sent" 0 '^[0-9]+ requests decoded$'
else
	skip "the requests decoded by OpenTelemetry's definitions" \
		"node or the npm packages of tests/otlp missing (scripts/install-deps.sh installs them)"
fi

# ---- endpoints ------------------------------------------------------------------
rm -rf "$tmp/ok/bodies"/* "$tmp/ok/requests.log"
OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$port run "$cadence" run "$shop" -q
OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$port/ run "$cadence" run "$shop" -q
run cat "$tmp/ok/requests.log"
[[ $(grep -c '^[0-9]* POST /v1/traces 200 ' <<<"$out") == 2 && $(wc -l <<<"$out") == 2 ]] &&
	ok "OTEL_EXPORTER_OTLP_ENDPOINT, with or without a trailing slash: /v1/traces appended" ||
	fail "OTEL_EXPORTER_OTLP_ENDPOINT: $out"
: >"$tmp/ok/requests.log"
OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$closed_port \
	OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:$port/v1/traces run "$cadence" run "$shop" -q
[[ $status == 0 && $err != *warning* && $(wc -l <"$tmp/ok/requests.log") == 1 ]] &&
	ok "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT wins over OTEL_EXPORTER_OTLP_ENDPOINT" ||
	fail "TRACES_ENDPOINT: $(<"$tmp/ok/requests.log")"
: >"$tmp/ok/requests.log"
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:$closed_port/v1/traces \
	run "$cadence" run "$shop" -q --trace-endpoint "http://127.0.0.1:$port/v1/traces"
[[ $status == 0 && $err != *warning* && $(wc -l <"$tmp/ok/requests.log") == 1 ]] &&
	ok "--trace-endpoint wins over the variables" || fail "--trace-endpoint: $(<"$tmp/ok/requests.log")"
: >"$tmp/ok/requests.log"
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:$port/custom/path run "$cadence" run "$shop" -q
run cat "$tmp/ok/requests.log"
expect "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is (no /v1/traces appended)" 0 \
	'^[0-9]+ POST /custom/path 404 '
: >"$tmp/ok/requests.log"
OTEL_EXPORTER_OTLP_ENDPOINT= OTEL_EXPORTER_OTLP_TIMEOUT=bad run "$cadence" run "$shop" -q
[[ ! -s $tmp/ok/requests.log ]] && quiet "an empty OTEL_EXPORTER_OTLP_ENDPOINT is unset: no exporter" ||
	fail "empty endpoint"

# ---- headers and resource ---------------------------------------------------------
rm -rf "$tmp/ok/bodies"/* "$tmp/ok/headers"/*
OTEL_EXPORTER_OTLP_HEADERS='authorization=Bearer%20s3cret, x-tenant = a%2Cb%3Dc' \
	OTEL_SERVICE_NAME=checkout \
	OTEL_RESOURCE_ATTRIBUTES='deployment.environment=ci,service.name=not-this,team=a%3Db%2Cc' \
	run "$cadence" run "$shop" -q --trace "$tmp/t2.json" --trace-endpoint "http://127.0.0.1:$port/v1/traces"
expect "headers and resource from the variables" 0
run python3 - "$tmp/ok" "$tmp/t2.json" <<'PY'
import glob, json, os, sys
for h in glob.glob(os.path.join(sys.argv[1], "headers", "*.json")):
    h = json.load(open(h))
    assert h["authorization"] == "Bearer s3cret", h
    assert h["x-tenant"] == "a,b=c", h
for f in glob.glob(os.path.join(sys.argv[1], "bodies", "*.json")) + [sys.argv[2]]:
    for rs in json.load(open(f))["resourceSpans"]:
        res = {a["key"]: a["value"]["stringValue"] for a in rs["resource"]["attributes"]}
        assert res == {"service.name": "checkout", "service.version": res["service.version"],
                       "deployment.environment": "ci", "team": "a=b,c"}, res
print("ok")
PY
expect "OTEL_EXPORTER_OTLP_HEADERS arrive percent-decoded; OTEL_SERVICE_NAME wins over OTEL_RESOURCE_ATTRIBUTES' service.name, in the requests and the --trace file" 0 '^ok$'
rm -rf "$tmp/ok/headers"/*
OTEL_EXPORTER_OTLP_HEADERS='x-generic=1' OTEL_EXPORTER_OTLP_TRACES_HEADERS='x-traces=2' \
	run "$cadence" run "$shop" -q --trace-endpoint "http://127.0.0.1:$port/v1/traces"
run python3 -c 'import glob,json,sys; h=json.load(open(glob.glob(sys.argv[1])[0])); print("x-generic" in h, h.get("x-traces"))' "$tmp/ok/headers/*.json"
expect "OTEL_EXPORTER_OTLP_TRACES_HEADERS replaces OTEL_EXPORTER_OTLP_HEADERS" 0 '^False 2$'
OTEL_RESOURCE_ATTRIBUTES='no-equals-sign' run "$cadence" run "$shop" -q --trace "$tmp/t3.json"
expect "OTEL_RESOURCE_ATTRIBUTES that does not parse: a warning, ignored, the run as usual" 0 \
	'"paid": true' "^cadence: warning: OTEL_RESOURCE_ATTRIBUTES: 'no-equals-sign' is not key=value; ignored"
grep -q '"service.name","value":{"stringValue":"cadence"}' "$tmp/t3.json" &&
	ok "... the resource stays service.name=cadence" || fail "t3 resource"
stop_receivers

# ---- retries ----------------------------------------------------------------------
start_receiver unavailable --mode unavailable --fail 2
run "$cadence" run "$shop" -q --trace "$tmp/t4.json" --metrics "$tmp/m4.prom" \
	--trace-endpoint "http://127.0.0.1:$port/v1/traces"
quiet "a receiver that answers 503 twice: the run succeeds without a warning"
run cut -d' ' -f4 "$tmp/unavailable/requests.log"
[[ $out == $'503\n503\n200' ]] && ok "503, 503, then 200: retried" || fail "statuses: $out"
check_spans "... and every span arrived once" "$tmp/unavailable" "$tmp/t4.json" 512
grep -q '^cadence_trace_export_failures_total{.*} 2$' "$tmp/m4.prom" &&
	grep -q '^cadence_trace_spans_dropped_total{.*} 0$' "$tmp/m4.prom" &&
	ok "... 2 failed requests, 0 dropped in the metrics" || fail "m4: $(grep trace_ "$tmp/m4.prom")"
start_receiver throttle --mode throttle --fail 1 --retry-after 1
t0=$(now_ms)
run "$cadence" run "$shop" -q --trace "$tmp/t5.json" --trace-endpoint "http://127.0.0.1:$port/v1/traces"
t=$(($(now_ms) - t0))
quiet "a receiver that answers 429 with Retry-After: 1: no warning"
check_spans "... every span arrives once" "$tmp/throttle" "$tmp/t5.json" 512
((t >= 1000)) && ok "... after the second Retry-After asked for (${t} ms)" || fail "429 retried after ${t} ms"
start_receiver reject --mode reject
run "$cadence" run "$shop" -q --trace-endpoint "http://127.0.0.1:$port/v1/traces"
expect "a receiver that answers 400: exit 0, a warning with its message" 0 '"paid": true' \
	"^cadence: warning: [0-9]+ spans could not be sent to http://127.0.0.1:$port/v1/traces: HTTP 400: test receiver rejects every request$"
[[ $(wc -l <"$tmp/reject/requests.log") == 1 ]] && ok "... not retried" ||
	fail "400 retried: $(<"$tmp/reject/requests.log")"
start_receiver partial --mode partial --fail 2
run "$cadence" run "$shop" -q --metrics "$tmp/m10.prom" --trace-endpoint "http://127.0.0.1:$port/v1/traces"
expect "a 200 with a partialSuccess: exit 0, a warning with the collector's message" 0 '"paid": true' \
	"^cadence: warning: 2 spans could not be sent to http://127.0.0.1:$port/v1/traces: the collector refused 2 spans: spans too old$"
[[ $(wc -l <"$tmp/partial/requests.log") == 1 ]] &&
	grep -q "^cadence_trace_spans_exported_total{.*} $((nspans - 2))\$" "$tmp/m10.prom" &&
	grep -q '^cadence_trace_spans_dropped_total{.*} 2$' "$tmp/m10.prom" &&
	ok "... not retried; the rejected spans counted dropped, the others exported" ||
	fail "partial: $(grep trace_ "$tmp/m10.prom")"
stop_receivers

# ---- a receiver that is down or slow ------------------------------------------------
t0=$(now_ms)
CADENCE_TRACE_FLUSH_TIMEOUT=1500 run "$cadence" run "$shop" -q --metrics "$tmp/m6.prom" \
	--trace-endpoint "http://127.0.0.1:$closed_port/v1/traces"
t=$(($(now_ms) - t0))
expect "a receiver that is down: exit 0, the score, a warning" 0 '"paid": true' \
	"^cadence: warning: $nspans spans could not be sent to http://127.0.0.1:$closed_port/v1/traces: Couldn't connect to server$"
((t < 1500 + slack)) && ok "... within the flush time, 1.5 s, and the run's own (${t} ms)" ||
	fail "down receiver: ${t} ms"
grep -q "^cadence_trace_spans_dropped_total{endpoint=\"http://127.0.0.1:$closed_port/v1/traces\"} $nspans\$" \
	"$tmp/m6.prom" && ok "... the dropped spans in the metrics" || fail "m6: $(grep trace_ "$tmp/m6.prom")"
t0=$(now_ms)
run "$cadence" run "$shop" -q --log json --trace-endpoint "http://127.0.0.1:$closed_port/v1/traces"
t=$(($(now_ms) - t0))
expect "--log json: the warning is a JSON line" 0 '"paid": true' \
	'^\{"time":"[^"]+","event":"warning","message":"[0-9]+ spans could not be sent to '
((t < 5000 + slack)) && ok "... within the default flush time, 5 s (${t} ms)" || fail "default bound: ${t} ms"
start_receiver slow --mode slow --delay 10
t0=$(now_ms)
CADENCE_TRACE_FLUSH_TIMEOUT=1000 run "$cadence" run "$shop" -q \
	--trace-endpoint "http://127.0.0.1:$port/v1/traces"
t=$(($(now_ms) - t0))
expect "a receiver that does not answer in time: exit 0, a warning" 0 '"paid": true' \
	'^cadence: warning: [0-9]+ spans could not be sent to .*: no answer before the flush time ended$'
((t < 1000 + slack)) && ok "... the request abandoned at the flush time (${t} ms)" || fail "slow: ${t} ms"
stop_receivers

# ---- SIGTERM during a run -------------------------------------------------------------
cat >"$tmp/long.cadence.yaml" <<YAML
cadence: long
notes:
  quick: {set: {}}
  slow:
    run: [sh, -c, 'if [ -e "$tmp/fast" ]; then echo "{}"; exit; fi; touch "$tmp/started"; sleep 30; echo "{}"']
measures:
  - then: quick
  - then: slow
YAML
# sigterm_run NAME URL: the long cadence in the background, SIGTERM once
# its slow note started; $t the ms from the signal to the exit
sigterm_run() {
	rm -f "$tmp/started"
	"$cadence" run "$tmp/long.cadence.yaml" -q --trace "$tmp/$1.json" --checkpoint "$tmp/$1.ckpt" \
		--trace-endpoint "$2" >"$tmp/.out" 2>"$tmp/.err" &
	local pid=$!
	wait_until "the slow note" test -e "$tmp/started" || return
	t0=$(now_ms)
	kill -TERM "$pid"
	wait_exit "$pid"
	t=$(($(now_ms) - t0))
	out=$(<"$tmp/.out") err=$(<"$tmp/.err")
}
start_receiver term
sigterm_run t7 "http://127.0.0.1:$port/v1/traces"
expect "SIGTERM mid-run: cancelled as before (130)" 130 '' 'interrupted|cancelled'
check_spans "... the spans of what ran arrive, each once" "$tmp/term" "$tmp/t7.json" 512 \
	'assert {s["name"] for s in got.values()} >= {"long", "quick", "slow"}, [s["name"] for s in got.values()]'
((t < 2000 + slack)) && ok "... exits within the kill grace and the flush (${t} ms)" || fail "SIGTERM: ${t} ms"
touch "$tmp/fast"
start_receiver resumed
run "$cadence" resume "$tmp/t7.ckpt" -q --trace "$tmp/t9.json" --trace-endpoint "http://127.0.0.1:$port/v1/traces"
quiet "cadence resume --trace-endpoint: the resumed run succeeds"
check_spans "... and its trace arrives, each span once" "$tmp/resumed" "$tmp/t9.json" 512 \
	'assert "slow" in {s["name"] for s in got.values()}'
rm -f "$tmp/fast"
CADENCE_TRACE_FLUSH_TIMEOUT=1000 sigterm_run t8 "http://127.0.0.1:$closed_port/v1/traces"
expect "SIGTERM with the receiver down: 130, a warning" 130 '' 'warning: [0-9]+ spans could not be sent'
((t < 2000 + 1000 + slack)) && ok "... exits within the kill grace and the flush time (${t} ms)" ||
	fail "SIGTERM, down: ${t} ms"
stop_receivers

# ---- values that are wrong --------------------------------------------------------------
cat >"$tmp/touch.cadence.yaml" <<YAML
cadence: touch
notes:
  touch:
    run: [sh, -c, 'touch "$tmp/ran"; echo "{}"']
measures:
  - then: touch
YAML
# bad NAME STATUS PATTERN [ENV...] [-- OPTION...]: the run refused before
# anything ran
bad() {
	local name=$1 want=$2 pat=$3
	local -a envs=() opts=()
	shift 3
	while (($#)) && [[ $1 != -- ]]; do envs+=("$1"); shift; done
	(($#)) && shift && opts=("$@")
	rm -f "$tmp/ran"
	run env "${envs[@]}" "$cadence" run "$tmp/touch.cadence.yaml" -q "${opts[@]}"
	if [[ -e $tmp/ran ]]; then
		fail "$name (the note ran)"
	else
		expect "$name" "$want" '' "$pat"
	fi
}
bad "--trace-endpoint that is not http(s): exit 2, nothing ran" 2 \
	"^cadence: error: --trace-endpoint: 'ftp://h/v1/traces' is not an http:// or https:// URL .*; nothing ran$" \
	-- --trace-endpoint ftp://h/v1/traces
bad "OTEL_EXPORTER_OTLP_ENDPOINT without a scheme: exit 2, the variable named" 2 \
	"^cadence: error: OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' is not an http:// or https:// URL" \
	OTEL_EXPORTER_OTLP_ENDPOINT=localhost:4318
bad "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT without a host: exit 2" 2 \
	"^cadence: error: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http:///v1/traces' has no host" \
	OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http:///v1/traces
bad "OTEL_EXPORTER_OTLP_TIMEOUT with a unit: exit 2" 2 \
	"^cadence: error: OTEL_EXPORTER_OTLP_TIMEOUT: '10s' is not a whole number from 1 to 3600000 \(milliseconds, without a unit\); nothing ran$" \
	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$closed_port OTEL_EXPORTER_OTLP_TIMEOUT=10s
bad "OTEL_BSP_MAX_EXPORT_BATCH_SIZE over OTEL_BSP_MAX_QUEUE_SIZE: exit 2" 2 \
	'^cadence: error: the batch size \(4096 spans, OTEL_BSP_MAX_EXPORT_BATCH_SIZE\) is larger than the queue \(2048, OTEL_BSP_MAX_QUEUE_SIZE\); nothing ran$' \
	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$closed_port OTEL_BSP_MAX_EXPORT_BATCH_SIZE=4096
bad "OTEL_BSP_MAX_QUEUE_SIZE of 0: exit 2" 2 \
	"^cadence: error: OTEL_BSP_MAX_QUEUE_SIZE: '0' is not a whole number from 1 to " \
	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$closed_port OTEL_BSP_MAX_QUEUE_SIZE=0
bad "OTEL_EXPORTER_OTLP_HEADERS that do not parse: exit 2" 2 \
	"^cadence: error: OTEL_EXPORTER_OTLP_HEADERS: 'token' is not key=value" \
	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$closed_port OTEL_EXPORTER_OTLP_HEADERS=token
bad "a header value with a bad escape: exit 2" 2 \
	"^cadence: error: OTEL_EXPORTER_OTLP_HEADERS: the value 'a%zz' has a '%' that is not followed by two hex digits" \
	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$closed_port OTEL_EXPORTER_OTLP_HEADERS=k=a%zz
bad "a header name that is not a token: exit 2" 2 \
	"^cadence: error: OTEL_EXPORTER_OTLP_HEADERS: 'bad name' is not a header name" \
	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$closed_port 'OTEL_EXPORTER_OTLP_HEADERS=bad%20name=1'
bad "CADENCE_TRACE_FLUSH_TIMEOUT that is not a number: exit 2" 2 \
	"^cadence: error: CADENCE_TRACE_FLUSH_TIMEOUT: '5s' is not a whole number of milliseconds" \
	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$closed_port CADENCE_TRACE_FLUSH_TIMEOUT=5s
bad "a libcurl that cannot be loaded: exit 3, how to install it, nothing ran" 3 \
	'^cadence: error: cannot load libcurl, which sending traces to a collector needs: .*\(on Debian: apt-get install libcurl4\); nothing ran$' \
	OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$closed_port CADENCE_LIBCURL=$tmp/no-libcurl.so.4
bad "--log json: the error is a JSON line" 2 \
	'^\{"time":"[^"]+","event":"error","message":"OTEL_EXPORTER_OTLP_ENDPOINT: ' \
	OTEL_EXPORTER_OTLP_ENDPOINT=x -- --log json
OTEL_EXPORTER_OTLP_TIMEOUT=10s OTEL_BSP_MAX_QUEUE_SIZE=x run "$cadence" run "$tmp/touch.cadence.yaml" -q
expect "without an endpoint the exporter's variables are not read" 0

# ---- the specification's switches ------------------------------------------------------
# A libcurl that cannot be loaded makes any export attempt exit 3 (above):
# exit 0 with it shows that nothing was loaded, exit 3 that it was tried.
nocurl=CADENCE_LIBCURL=$tmp/no-libcurl.so.4
endpoint=OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$closed_port
switch() {	# NAME STATUS STDERR-PATTERN ENV...
	local name=$1 want=$2 pat=$3
	shift 3
	run env "$@" "$cadence" run "$tmp/touch.cadence.yaml" -q
	expect "$name" "$want" '' "$pat"
	[[ -n $pat || -z $err ]] || fail "$name: stderr: $err"
}
switch "OTEL_SDK_DISABLED=true: the environment's endpoint is not used, no warning" 0 '' \
	OTEL_SDK_DISABLED=true "$endpoint" "$nocurl"
switch "OTEL_SDK_DISABLED=TRUE (any case) too" 0 '' OTEL_SDK_DISABLED=TRUE "$endpoint" "$nocurl"
switch "OTEL_SDK_DISABLED=false: sent as before" 3 '^cadence: error: cannot load libcurl' \
	OTEL_SDK_DISABLED=false "$endpoint" "$nocurl"
switch "OTEL_SDK_DISABLED=yes: a warning, taken as false" 3 \
	"^cadence: warning: OTEL_SDK_DISABLED: 'yes' is not true or false; taken as false$" \
	OTEL_SDK_DISABLED=yes "$endpoint" "$nocurl"
switch "OTEL_TRACES_EXPORTER=none: nothing sent, no warning" 0 '' \
	OTEL_TRACES_EXPORTER=none "$endpoint" "$nocurl"
switch "OTEL_TRACES_EXPORTER=zipkin: a warning, nothing sent" 0 \
	"^cadence: warning: OTEL_TRACES_EXPORTER: 'zipkin' names no exporter cadence has \(it has otlp\); no trace is sent$" \
	OTEL_TRACES_EXPORTER=zipkin "$endpoint" "$nocurl"
switch "OTEL_TRACES_EXPORTER='console, OTLP ': otlp in the list, sent" 3 \
	'^cadence: error: cannot load libcurl' 'OTEL_TRACES_EXPORTER=console, OTLP ' "$endpoint" "$nocurl"
switch "the switches without an endpoint: not read" 0 '' OTEL_SDK_DISABLED=maybe OTEL_TRACES_EXPORTER=x
rm -f "$tmp/ran"
run env OTEL_SDK_DISABLED=true OTEL_TRACES_EXPORTER=none "$nocurl" "$cadence" run "$tmp/touch.cadence.yaml" -q \
	--trace-endpoint "http://127.0.0.1:$closed_port/v1/traces"
expect "--trace-endpoint is sent whatever the switches say" 3 '' '^cadence: error: cannot load libcurl'
run env OTEL_EXPORTER_OTLP_ENDPOINT=ftp://x OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=nohost "$nocurl" \
	"$cadence" run "$tmp/touch.cadence.yaml" -q --trace-endpoint "http://127.0.0.1:$closed_port/v1/traces"
expect "--trace-endpoint: endpoint variables that do not parse are not read" 3 '' \
	'^cadence: error: cannot load libcurl'

# ---- libcurl is not linked ---------------------------------------------------------------
if command -v readelf >/dev/null; then
	run readelf -d "${memcheck_real:-$cadence}"
	! has_line 'NEEDED.*libcurl' "$out" && ok "the binary does not link libcurl (it is loaded by an exporter)" ||
		fail "libcurl is linked"
else
	skip "libcurl not linked" "readelf missing"
fi
finish
