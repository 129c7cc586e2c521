#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cadence serve` under load (docs/benchmarks.md, "serve"): serve on
# 127.0.0.1 (a port the kernel picks) with a trivial cadence (one `set`
# note); REQUESTS triggers (POST /cadences/hello/runs) from CLIENTS
# concurrent clients, each on its own kept-alive connection (python3,
# http.client); a 429 (--max-runs runs running) is waited out (its
# Retry-After, at most 50 ms here) and sent again, so that REQUESTS runs are
# accepted.  Then, once the runs have drained:
#   - every accepted run (202) is in the run registry exactly once (its row
#     names serve's run directory), trigger api, status ok; none lost, none
#     extra, serve still alive;
#   - serve's resident set (VmRSS) before the load (after a warm-up), after
#     it, and after AGAIN more triggers (by then the table of runs that
#     GET /runs/ID knows is at its bound, 10,000: what grows after is a leak);
#   - the latency of the triggers (p50, p99, max) and runs per second.
# For comparison, the same cadence through `cadence run` processes: CLI
# runs one after the other, CLI runs 50 at a time, and CLI runs 50 at a
# time with the arguments serve gives its runs (fewer than REQUESTS:
# a run costs the same process start either way, so the rate is the figure).
# Bounded: the clients stop after REQUESTS accepted or MAX_SECONDS (default
# 300), the drain after 120 s.  Traffic goes to 127.0.0.1 only.
#
#   bench/serve.sh [--cadence BIN] [--requests N] [--clients N] [--cli N]
#                  [--again N] [--max-runs N] [--max-seconds S] [--check]
#
# Without --cadence, builds Release in build-bench-serve.  --check: exit 1
# unless every accepted run is recorded exactly once and ok and serve
# survived (the slow test cli/serve_load runs 500 requests, 20 clients).
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cadence= requests=10000 clients=50 cli=500 again=2000 max_runs=64 max_seconds=300 check=0
while [[ $# -gt 0 ]]; do
	case $1 in
	--cadence) cadence=$2; shift 2 ;;
	--requests) requests=$2; shift 2 ;;
	--clients) clients=$2; shift 2 ;;
	--cli) cli=$2; shift 2 ;;
	--again) again=$2; shift 2 ;;
	--max-runs) max_runs=$2; shift 2 ;;
	--max-seconds) max_seconds=$2; shift 2 ;;
	--check) check=1; shift ;;
	-h | --help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "bench/serve.sh: unknown argument '$1' (--help)" >&2; exit 2 ;;
	esac
done
if [[ -z $cadence ]]; then
	build=$src/build-bench-serve
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCADENCE_BUILD_TESTS=OFF >/dev/null
	cmake --build "$build" --target cadence -j2 >/dev/null
	cadence=$build/cli/cadence
fi
cadence=$(realpath "$cadence")	# serve runs in the project's directory
for tool in python3 curl bc; do
	command -v $tool >/dev/null || { echo "bench/serve.sh: needs $tool" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-bench-serve.XXXXXX")
spid=
cleanup() {
	[[ -z $spid ]] || kill -TERM "$spid" 2>/dev/null || :
	[[ -z $spid ]] || wait "$spid" 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/proj"
export CADENCE_STATE_DIR=$tmp/state
unset CADENCE_TOKEN CADENCE_TOKEN_FILE CADENCE_LISTEN CADENCE_CADENCES CADENCE_REGISTRY \
	CADENCE_SCHEDULES CADENCE_TRIGGER
cat >"$tmp/proj/hello.cadence.yaml" <<'EOF'
cadence: hello
notes:
  say: {set: {greeting: '"hi " + score.name'}}
score:
  name: {type: string, default: "you"}
  greeting: {type: string, default: ""}
measures:
  - then: say
EOF
hello=$tmp/proj/hello.cadence.yaml
echo "# $(uname -sr), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(date -u +%FT%TZ)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $requests triggers from $clients clients, serve --max-runs $max_runs --threads 4"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$spid/status"; }
running() { curl -s --max-time 10 "http://$addr/healthz" | sed -n 's/.*"running":\([0-9]*\).*/\1/p'; }
# drain: until serve runs nothing (120 s at most)
drain() {
	local i
	for ((i = 0; i < 1200; i++)); do
		[[ $(running) == 0 ]] && return 0
		sleep 0.1
	done
	echo "bench/serve.sh: runs still running after 120 s" >&2
	return 1
}

(cd "$tmp/proj" && exec "$cadence" serve --listen 127.0.0.1:0 --ready-file "$tmp/ready" \
	--max-runs "$max_runs" 2>"$tmp/serve.err") &
spid=$!
for ((i = 0; i < 300; i++)); do [[ -s $tmp/ready ]] && break; sleep 0.1; done
[[ -s $tmp/ready ]] || { echo "bench/serve.sh: serve did not start" >&2; cat "$tmp/serve.err" >&2; exit 1; }
addr=$(<"$tmp/ready")

# the load: python3, CLIENTS threads, one kept-alive connection each
load() {	# N CLIENTS OUT
	python3 - "$addr" "$1" "$2" "$max_seconds" "$3" <<'PY'
import http.client, json, sys, threading, time
addr, total, nclients, limit, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
host, port = addr.rsplit(":", 1)
lock = threading.Lock()
state = {"left": total, "ids": [], "lat": [], "s429": 0, "other": [], "errors": 0}
deadline = time.monotonic() + limit
def client():
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    body = json.dumps({"name": "load"})
    h = {"Content-Type": "application/json"}
    while time.monotonic() < deadline:
        with lock:
            if state["left"] <= 0:
                break
            state["left"] -= 1
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                c.request("POST", "/cadences/hello/runs", body=body, headers=h)
                r = c.getresponse()
                data = r.read()
            except Exception:
                with lock:
                    state["errors"] += 1
                c.close()
                c = http.client.HTTPConnection(host, int(port), timeout=30)
                continue
            dt = time.perf_counter() - t0
            with lock:
                state["lat"].append(dt)
                if r.status == 202:
                    state["ids"].append(json.loads(data)["id"])
                elif r.status == 429:
                    state["s429"] += 1
                else:
                    state["other"].append(r.status)
            if r.status == 202:
                break
            if r.status == 429:
                time.sleep(min(0.05, float(r.getheader("Retry-After", "1"))))
            else:
                break
    c.close()
t0 = time.monotonic()
ts = [threading.Thread(target=client) for _ in range(nclients)]
for t in ts: t.start()
for t in ts: t.join()
wall = time.monotonic() - t0
lat = sorted(state["lat"])
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000 if lat else float("nan")
with open(out, "w") as f:
    f.write("\n".join(state["ids"]) + ("\n" if state["ids"] else ""))
print(f"requests {len(lat)} accepted {len(state['ids'])} 429 {state['s429']} "
      f"other {len(state['other'])} errors {state['errors']} wall_s {wall:.2f} "
      f"p50_ms {q(0.5):.2f} p99_ms {q(0.99):.2f} max_ms {q(1.0):.2f} "
      f"req_per_s {len(lat) / wall:.0f} accepted_per_s {len(state['ids']) / wall:.0f}")
PY
}

# warm-up: serve's threads, the registry and the page cache, then RSS
load 200 10 "$tmp/warm.ids" >/dev/null
drain
rss_before=$(rss)

t0=$(date +%s%N)
stats=$(load "$requests" "$clients" "$tmp/ids")
drain
t1=$(date +%s%N)
rss_after=$(rss)
alive=$(kill -0 "$spid" 2>/dev/null && echo yes || echo no)
echo "serve: $stats"
accepted=$(grep -c . "$tmp/ids" || :)
secs=$(echo "scale=2; ($t1 - $t0) / 1000000000" | bc)
echo "serve: $accepted runs accepted and ended in ${secs} s: $(echo "scale=0; $accepted / $secs" | bc) runs/s (first trigger to last run's end)"
echo "serve: VmRSS ${rss_before} kB before (after a warm-up of 200), ${rss_after} kB after the drain ($((rss_after - rss_before)) kB), alive: $alive"
if [[ $again -gt 0 ]]; then
	stats2=$(load "$again" "$clients" "$tmp/again.ids")
	drain
	rss_again=$(rss)
	echo "serve: $again more: ${stats2%% p50*}; VmRSS ${rss_again} kB after the drain ($((rss_again - rss_after)) kB since the last)"
	cat "$tmp/again.ids" >>"$tmp/ids"
	alive=$(kill -0 "$spid" 2>/dev/null && echo yes || echo no)
fi

# the registry: each accepted run once, ok, trigger api (its events file
# is serve/runs/ID/events.jsonl: the row's serve id)
"$cadence" history hello --format json --limit 0 >"$tmp/history"
python3 - "$tmp/history" "$tmp/ids" "$tmp/warm.ids" <<'PY' | tee "$tmp/verdict"
import collections, json, re, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
ids = [l.strip() for l in open(sys.argv[2]) if l.strip()]
warm = {l.strip() for l in open(sys.argv[3]) if l.strip()}
seen = collections.Counter()
bad = 0
for r in rows:
    m = re.search(r"/serve/runs/([0-9a-f]{32})/events\.jsonl$", r.get("events") or "")
    sid = m.group(1) if m else None
    if sid in warm:
        continue
    seen[sid] += 1
    if r["status"] != "ok" or r["trigger"] != "api":
        bad += 1
want = set(ids)
dup = sum(1 for k, v in seen.items() if v > 1)
lost = len(want - set(seen))
extra = len(set(seen) - want)
print(f"registry: {sum(seen.values())} rows for {len(ids)} accepted runs: {len(want)} distinct ids, "
      f"{dup} recorded twice, {lost} lost, {extra} not accepted, {bad} not ok or not trigger api")
print("exactly once: " + ("yes" if len(ids) == len(want) and not dup and not lost and not extra and not bad
                          and sum(seen.values()) == len(ids) else "NO"))
PY

# the same runs through `cadence run` processes
if [[ $cli -gt 0 ]]; then
	export CADENCE_STATE_DIR=$tmp/state-cli
	t0=$(date +%s%N)
	for ((i = 0; i < cli; i++)); do
		"$cadence" run "$hello" --score '{"name":"cli"}' >/dev/null
	done
	t1=$(date +%s%N)
	echo "cadence run: $cli runs one after the other: $(echo "scale=2; ($t1 - $t0) / 1000000 / $cli" | bc) ms a run, $(echo "scale=0; $cli * 1000000000 / ($t1 - $t0)" | bc) runs/s"
	t0=$(date +%s%N)
	seq "$cli" | xargs -P 50 -I{} "$cadence" run "$hello" --score '{"name":"cli"}' >/dev/null
	t1=$(date +%s%N)
	echo "cadence run: $cli runs, 50 at a time: $(echo "scale=0; $cli * 1000000000 / ($t1 - $t0)" | bc) runs/s"
	# as serve runs them: the score from a file, the events, a checkpoint
	# (durable writes), the log as JSON, each run in its own directory
	echo '{"name":"cli"}' >"$tmp/score.json"
	export cadence tmp hello
	t0=$(date +%s%N)
	seq "$cli" | xargs -P 50 -I{} sh -c 'd=$tmp/cli/$1; mkdir -p "$d" && exec "$cadence" run \
		--events "$d/events.jsonl" --checkpoint "$d/checkpoint.json" --log json --compact \
		--score-file "$tmp/score.json" "$hello" >"$d/score.out" 2>"$d/log.jsonl"' sh {}
	t1=$(date +%s%N)
	echo "cadence run: $cli runs, 50 at a time, with serve's arguments (--events, --checkpoint, --log json): $(echo "scale=0; $cli * 1000000000 / ($t1 - $t0)" | bc) runs/s"
	n=$("$cadence" history hello --format json --limit 0 | grep -c '"status":"ok"' || :)
	echo "cadence run: $n of $((3 * cli)) recorded ok"
fi
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

kill -TERM "$spid"
st=0
wait "$spid" || st=$?
spid=
echo "serve: exit $st after SIGTERM"
if [[ $check == 1 ]]; then
	grep -q '^exactly once: yes$' "$tmp/verdict" && [[ $alive == yes && $st == 0 &&
		$accepted == "$requests" ]] || { echo "bench/serve.sh: FAILED" >&2; exit 1; }
fi
