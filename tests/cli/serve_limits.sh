#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence serve's limits (docs/serve.md, "Limits"), over real HTTP on
# 127.0.0.1: runs beyond --max-runs wait in a bounded queue (status
# queued, started in order, cancellable), 429 with Retry-After beyond it;
# the request rate per token (per address with no token), 429 with
# Retry-After; slow clients (headers that stop, a body that stops, headers
# sent a byte at a time) dropped after --client-timeout; the settings from
# flags, CADENCE_* and the project file, and bad values refused (exit 2).
source "$(dirname "$0")/lib.sh"
need curl python3

serve_project

# a run that lasts until its marker file appears (bounded: 60 s)
w proj/waiter.cadence.yaml "
cadence: waiter
notes:
  first: {set: {started: \"true\"}}
  wait: {run: [sh, -c, 'i=0; while [ ! -e $tmp/go ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i+1)); done']}
score:
  n: {type: integer, default: 0}
  started: {type: boolean, default: false}
measures:
  - then: first
  - then: wait
"
w tokens "one-0123456789abcdef run
two-0123456789abcdef run
"
chmod 600 "$tmp/tokens"
T1=one-0123456789abcdef
T2=two-0123456789abcdef

run_id() { grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1; }
status_of() { http GET "/runs/$1" "${2:-$T1}"; grep -Eo '"status":"[a-z]+"' <<<"$body"; }
is_status() { [[ $(status_of "$1") == "\"status\":\"$2\"" ]]; }

# --- bad settings: exit 2, saying which ----------------------------------------------
run_in "$proj" "$cadence" serve --max-queue -1
expect "--max-queue -1" 2 '' "serve.max_queue='-1': expected a whole number of 0 or more"
run_in "$proj" "$cadence" serve --max-queue 100001
expect "--max-queue beyond its bound" 2 '' "^cadence: error: --max-queue takes a number from 0 to 100000, not '100001'"
run_in "$proj" env CADENCE_MAX_RUNS=0 "$cadence" serve
expect "CADENCE_MAX_RUNS=0" 2 '' "CADENCE_MAX_RUNS takes a number from 1 to 1024, not '0' \(--max-runs overrides it\)"
run_in "$proj" env CADENCE_RATE=fast "$cadence" serve
expect "CADENCE_RATE=fast" 2 '' "CADENCE_RATE='fast'"
run_in "$proj" "$cadence" serve --client-timeout 500ms
expect "--client-timeout below 1s" 2 '' "the client timeout .* is a duration from 1s to 24h, not '500ms'"
run_in "$proj" "$cadence" serve --client-timeout soon
expect "--client-timeout not a duration" 2 '' "soon"
w proj/cadence.project.yaml "
serve:
  max_runs: 2000
"
run_in "$proj" "$cadence" serve
expect "serve.max_runs beyond its bound, in the project file" 2 '' \
	"serve.max_runs \(the project file\) takes a number from 1 to 1024, not '2000'"
rm "$proj/cadence.project.yaml"

# --- the queue -------------------------------------------------------------------------
# max_runs and max_queue from the project file and the environment
w proj/cadence.project.yaml "
cadences: [.]
serve:
  max_runs: 1
"
rm -f "$tmp/go"
CADENCE_MAX_QUEUE=2 start_serve --token-file "$tmp/tokens"
ids=()
for n in 1 2 3; do
	http POST /cadences/waiter/runs "$T1" "{\"n\":$n}"
	ids+=("$(run_id)")
	[[ $n == 1 ]] && check_http "run 1 starts" 202 '"status":"running"'
	[[ $n != 1 ]] && check_http "run $n (serve.max_runs 1): queued, 202" 202 \
		"^\{\"id\":\"${ids[-1]}\",\"cadence\":\"waiter\",\"status\":\"queued\",\"location\":\"/runs/${ids[-1]}\"\}$" &&
		keep RunStarted
done
http POST /cadences/waiter/runs "$T1" '{"n":4}'
check_http "beyond CADENCE_MAX_QUEUE=2: 429" 429 "1 runs are running and 2 wait, the most 'cadence serve --max-runs' and '--max-queue' allow"
keep Problem
assert "... with Retry-After" test "$(header Retry-After)" = 1
http GET "/runs/${ids[1]}" "$T1"
check_http "GET /runs/ID of a queued run: status queued, no start" 200 \
	'"status":"queued","outcome":null,"exit_code":null,"cancelled":false,"start":null,"end":null,"error":null,"score":null'
keep Run
http GET "/runs/${ids[1]}/events" "$T1"
check_http "... its events: none yet" 200 '^$'
http POST "/runs/${ids[1]}/cancel" "$T1"
check_http "cancelling a queued run: 202" 202 '"status":"finished","outcome":"interrupted","exit_code":null,"cancelled":true,.*"error":"cancelled before it started \(it was queued\)"'
keep Run
http POST "/runs/${ids[1]}/cancel" "$T1"
check_http "... again: 409" 409 "has ended already \(cancelled before it started"
http POST /cadences/waiter/runs "$T1" '{"n":5}'
check_http "... its place in the queue freed" 202 '"status":"queued"'
ids+=("$(run_id)")
: >"$tmp/go"
wait_until "the queued runs' end" is_status "${ids[3]}" finished
starts=()
for i in 0 2 3; do
	http GET "/runs/${ids[$i]}" "$T1"
	starts+=("$(grep -Eo '"start":"[^"]*"' <<<"$body")")
done
check_http "a run that was queued ends ok, with its start" 200 '"status":"finished","outcome":"ok",.*"start":"[0-9]{4}-'
assert "they started in order (${starts[*]})" \
	test "$(printf '%s\n' "${starts[@]}" | sort -c 2>&1 && echo sorted)" = sorted
# (history NAME --format json over api runs ended ok: memcheck/cli/serve's
# history of hello takes this path under valgrind; so does the next one)
run "$cadence_again" history waiter --format json
assert "the history has the 3 runs that ran, not the cancelled one" \
	test "$(grep -o '"trigger":"api"' <<<"$out" | wc -l)" = 3
# queued at SIGTERM: ends unstarted
rm -f "$tmp/go"
http POST /cadences/waiter/runs "$T1" '{"n":6}'
http POST /cadences/waiter/runs "$T1" '{"n":7}'
check_http "a queued run before SIGTERM" 202 '"status":"queued"'
kill -TERM "$spid"
wait_until "serve stops accepting" grep -q 'stopping: 1 run running' "$tmp/serve.err"
: >"$tmp/go"
wait_exit "$spid"
assert "SIGTERM with a queued run: exit 0" test "$status" = 0
run "$cadence_again" history waiter --format json
assert "... the queued run never started (4 runs in the history)" \
	test "$(grep -o '"trigger":"api"' <<<"$out" | wc -l)" = 4
rm "$proj/cadence.project.yaml"

# --- the request rate per token ---------------------------------------------------------
# burst: N requests on one connection, their statuses (milliseconds apart:
# the bucket, 1 a second, does not refill meanwhile)
burst() {
	local n=$1 urls=()
	shift
	for ((i = 0; i < n; i++)); do urls+=(-o /dev/null "http://$addr/cadences"); done
	curl -s -w '%{http_code} ' --max-time 20 "$@" "${urls[@]}"
}
start_serve --token-file "$tmp/tokens" --rate 1 --burst 3
# (the first 3 allowed, then refused: under valgrind, where a request
# takes long, one may come back meanwhile)
codes=$(burst 6 -H "Authorization: Bearer $T1")
assert "--rate 1 --burst 3: 3 requests at once, then refused ($codes)" \
	eval '[[ $codes == "200 200 200 429 "* ]]'
http GET /cadences "$T1"
check_http "... 429, a problem" 429 "more than 1 requests a second \(3 at once\) with this token"
assert "... with Retry-After: 1" test "$(header Retry-After)" = 1
codes=$(burst 2 -H "Authorization: bearer $T1")
assert "... \"bearer\" in another case is the same token's bucket ($codes)" \
	eval '[[ $codes == *429* && $codes != "200 200 " ]]'
http GET /cadences "$T2"
check_http "another token has its own bucket" 200
http GET /healthz
check_http "/healthz is not counted" 200
nap 1.1
codes=$(burst 4 -H "Authorization: Bearer $T1")
assert "a second later, one request again, not all ($codes)" \
	eval '[[ $codes == "200 "*429* ]]'

kill -TERM "$spid"
wait_exit "$spid"

# per address, with no token; CADENCE_RATE, serve.burst of the project file
w proj/cadence.project.yaml "
cadences: [.]
serve:
  burst: 2
"
CADENCE_RATE=1 start_serve
codes=$(burst 4)
assert "no token: per address (CADENCE_RATE=1, serve.burst 2) ($codes)" \
	eval '[[ $codes == "200 200 429 "* ]]'
http GET /cadences
check_http "... saying so" 429 "with this address"
kill -TERM "$spid"
wait_exit "$spid"
rm "$proj/cadence.project.yaml"

# --- slow clients ------------------------------------------------------------------------
start_serve --client-timeout 1s
# each: what the client sends, then how long until the server closes the
# connection (or "open" after 8 s); a trickle sends a byte every 0.3 s
run python3 - "$addr" <<'PY'
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
def probe(parts, gap):
    s = socket.create_connection((host, int(port)), timeout=8)
    t0 = time.monotonic()
    s.settimeout(gap if gap else 8)
    try:
        for p in parts:
            s.sendall(p)
            if gap:
                try:
                    if s.recv(4096) == b"":
                        return "closed %.1f" % (time.monotonic() - t0)
                except socket.timeout:
                    pass
            if time.monotonic() - t0 > 8:
                return "open"
        s.settimeout(8)
        data = s.recv(4096)
        return ("closed %.1f" % (time.monotonic() - t0)) if not data else "answered"
    except socket.timeout:
        return "open"
    except (ConnectionResetError, BrokenPipeError):
        return "closed %.1f" % (time.monotonic() - t0)
    finally:
        s.close()
print("headers", probe([b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"], 0))
print("body", probe([b"POST /cadences/x/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":"], 0))
req = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 40 + b"\r\n\r\n"
print("trickle", probe([req[i:i + 1] for i in range(len(req))], 0.3))
print("whole", probe([b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"], 0))
PY
expect "the slow clients probed" 0
for what in headers body trickle; do
	t=$(grep "^$what " <<<"$out" | cut -d' ' -f2-)
	assert "a client whose $what stop(s) is dropped after about 1 s ($t)" \
		eval "[[ '$t' =~ ^closed\ ([1-4])\.[0-9]$ ]]"
done
assert "a whole request is answered" grep -q '^whole answered$' <<<"$out"
kill -TERM "$spid"
wait_exit "$spid"
assert "serve stops after the slow clients: exit 0" test "$status" = 0

# --- the bodies kept match docs/openapi.json ---------------------------------------------
check_kept "the responses kept match docs/openapi.json"

finish
