#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence serve's dashboard and GET /metrics (docs/serve.md, "Dashboard",
# "Metrics") over real HTTP on 127.0.0.1 (curl): the pages and their
# security headers; hostile names, descriptions, scores and note output
# shown as text; the forms' CSRF tokens (missing, wrong: 403) and Origin;
# the login form and its cookie (an HMAC, never the token; HttpOnly,
# SameSite=Strict; no use on the JSON API); /metrics' totals, checked by
# promtool when it is installed.
source "$(dirname "$0")/lib.sh"
need curl

serve_project
serve_keep_err=1

w proj/hello.cadence.yaml '
cadence: hello
description: "<script>alert(1)</script> \"'\''&"
notes:
  say: {set: {greeting: "\"hi \" + score.name"}}
  shout: {run: [sh, -c, "echo \"<script>alert(2)</script>\" >&2; echo {}"]}
score:
  name: {type: string, default: "you"}
  greeting: {type: string, default: ""}
measures:
  - then: say
  - then: shout
'
w proj/nightly.cadence.yaml '
cadence: nightly
schedule: {cron: "0 * * * *", catch_up: none}
notes:
  ok: {set: {done: "true"}}
score:
  done: {type: boolean, default: false}
measures:
  - then: ok
'
# a note that fails, is retried, and opens its breaker (threshold 2): the
# first run fails twice, the second is rejected
w proj/flaky.cadence.yaml '
cadence: flaky
notes:
  fail:
    run: [sh, -c, "exit 3"]
    retry: {attempts: 2, delay: 10ms}
    circuit_breaker: {failure_threshold: 2, recovery_timeout: 1m, half_open_max: 1}
measures:
  - then: fail
'
# a run that lasts until $tmp/go appears (bounded: 60 s)
w proj/waiter.cadence.yaml "
cadence: waiter
notes:
  wait: {run: [sh, -c, 'i=0; while [ ! -e $tmp/go ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i+1)); done; echo {}']}
measures:
  - then: wait
"
# a file whose name is markup (names in the file are identifiers)
cp "$proj/nightly.cadence.yaml" "$proj/<img src=x onerror=alert(3)>.cadence.yaml"
sed -i 's/^cadence: nightly/cadence: imgname/' "$proj/<img src=x onerror=alert(3)>.cadence.yaml"
w tokens "reader-0123456789abcdef read
admin-0123456789abcdef admin
"
chmod 600 "$tmp/tokens"
R=reader-0123456789abcdef
A=admin-0123456789abcdef

# web METHOD PATH [CURL ARGS...]: the status in $code, the body in $body,
# the headers in $tmp/headers; cookies kept in $tmp/jar
web() {
	local m=$1 p=$2
	shift 2
	request "$m" "$p" -b "$tmp/jar" -c "$tmp/jar" "$@"
}
not_grep() { ! grep "$@"; }
csrf() { grep -o 'name="csrf" value="[0-9a-f]*"' <<<"$body" | head -1 | sed 's/.*value="//; s/"//'; }
# form PATH FIELDS...: a form posted as a browser does (its Origin too)
form() {
	local p=$1 args=()
	shift
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	web POST "$p" -H "Origin: http://$addr" "${args[@]}"
}
paused() {
	curl -s ${2:+-H "Authorization: Bearer $2"} "http://$addr/cadences" |
		python3 -c 'import json,sys; print([c["paused"] for c in json.load(sys.stdin) if c["cadence"] == sys.argv[1]][0])' "$1"
}

# --- open mode (no token, loopback) -------------------------------------------------
rm -f "$tmp/jar"
start_serve
web GET /
check_http "GET /: the cadence list" 200 '<h1>Cadences</h1>'
assert "... is HTML in UTF-8" test "$(header Content-Type)" = "text/html; charset=utf-8"
csp=$(header Content-Security-Policy)
assert "... its policy loads nothing from elsewhere and runs no script" \
	test "$csp" = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
assert "... X-Content-Type-Options: nosniff" test "$(header X-Content-Type-Options)" = nosniff
assert "... no script tag but the escaped ones" not_grep -qi '<script' <<<"$body"
assert "... the description escaped" \
	grep -qF '&lt;script&gt;alert(1)&lt;/script&gt; &quot;&#39;&amp;' <<<"$body"
assert "... a file named as markup shown as text" \
	grep -qF '&lt;img src=x onerror=alert(3)&gt;.cadence.yaml' <<<"$body"
assert "... and no element of it" not_grep -q '<img' <<<"$body"
assert "... pause buttons for scheduled cadences" grep -q 'action="/ui/cadences/nightly/pause"' <<<"$body"
assert "... a run button" grep -q 'action="/ui/cadences/hello/trigger"' <<<"$body"
token=$(csrf)
assert "... forms carry a CSRF token" test ${#token} = 64

# CSRF and Origin
form /ui/cadences/nightly/pause
check_http "a pause without a CSRF token: 403" 403 'CSRF token is missing or wrong'
assert "... an HTML page with the same headers" test "$(header Content-Security-Policy)" = "$csp"
assert "... and nothing paused" test "$(paused nightly)" = False
wrong=${token%?}0
[[ ${token: -1} != 0 ]] || wrong=${token%?}1
form /ui/cadences/nightly/pause "csrf=$wrong"
check_http "a pause with a wrong CSRF token: 403" 403
web POST /ui/cadences/nightly/pause -H "Origin: http://evil.example" --data-urlencode "csrf=$token"
check_http "a form from another origin: 403" 403 'Origin'
web POST /ui/cadences/nightly/pause -H "Content-Type: application/json" --data "{\"csrf\":\"$token\"}"
check_http "a form that is JSON: 415" 415 'x-www-form-urlencoded'
web POST /cadences/nightly/pause -H "Origin: http://$addr"
check_http "the JSON API still refuses any Origin" 403
assert "... nothing paused by all that" test "$(paused nightly)" = False
form /ui/cadences/nightly/pause "csrf=$token"
check_http "a pause through the form: 303" 303
assert "... back to the list" test "$(header Location)" = /
assert "... GET /cadences says paused" test "$(paused nightly)" = True
web GET /
assert "... the list offers resume" grep -q 'action="/ui/cadences/nightly/resume"' <<<"$body"
form /ui/cadences/nightly/resume "csrf=$token"
check_http "resume through the form" 303
assert "... not paused" test "$(paused nightly)" = False
form /ui/cadences/hello/pause "csrf=$token"
check_http "pausing a cadence without a schedule: 409" 409 'no usable schedule'
form /ui/cadences/nope/pause "csrf=$token"
check_http "an unknown cadence: 404" 404 "no cadence named"

# a run through the form, and its page
form /ui/cadences/hello/trigger "csrf=$token" 'score={"name": "<script>alert(1)</script>\"'"'"'&"}'
check_http "a run through the form: 303" 303
loc=$(header Location)
assert "... to the run's page" grep -Eq '^/ui/runs/[0-9a-f]{32}$' <<<"$loc"
id=${loc##*/}
wait_until "the run's end" sh -c "curl -s http://$addr/runs/$id | grep -q '\"status\":\"finished\"'"
web GET "$loc"
check_http "the run's page" 200 '<h1>Run of hello</h1>'
assert "... its outcome" grep -q '<td class="ok">ok</td>' <<<"$body"
assert "... its final score, escaped" \
	grep -qF '&quot;&lt;script&gt;alert(1)&lt;/script&gt;\&quot;&#39;&amp;&quot;' <<<"$body"
assert "... its events, the note's output escaped" \
	grep -qF 'line: &lt;script&gt;alert(2)&lt;/script&gt;' <<<"$body"
assert "... no script tag" not_grep -qi '<script' <<<"$body"
assert "... the cadence_completed event" grep -q '<td>cadence_completed</td>' <<<"$body"
if grep -q '<img src="/ui/runs/' <<<"$body"; then
	web GET "/ui/runs/$id/diagram.svg"
	check_http "the diagram, SVG" 200 '<svg'
	assert "... as an image/svg+xml of its own policy" \
		test "$(header Content-Type)" = image/svg+xml
	assert "... which runs no script" grep -q "default-src 'none'" <<<"$(header Content-Security-Policy)"
else
	assert "a build without Graphviz shows the Mermaid text" grep -q 'flowchart' <<<"$body"
fi
form /ui/cadences/waiter/trigger "csrf=$token"
wid=$(header Location)
web GET "$wid"
check_http "a run going on: its page" 200 'The run goes on'
assert "... reloads itself, without a script" grep -q '<meta http-equiv="refresh" content="2">' <<<"$body"
touch "$tmp/go"
wait_until "the waiter's end" sh -c "curl -s http://$addr/runs/${wid##*/} | grep -q '\"status\":\"finished\"'"
web GET "$wid"
assert "... not once it ended" not_grep -q 'http-equiv="refresh"' <<<"$body"
form /ui/cadences/hello/trigger "csrf=$token" "score=[1]"
check_http "a score that is not a JSON object: 400" 400 'JSON object'
web GET /ui/runs/0123456789abcdef0123456789abcdef
check_http "an unknown run's page: 404" 404 'no run'
web GET /ui/runs/0123456789abcdef0123456789abcdef/diagram.svg
check_http "an unknown run's diagram: 404" 404 'no run'
web POST /ui/cadences/hello/trigger -H "Origin: http://$addr" --data 'csrf=%zz'
check_http "a form body that is not URL-encoded: 400" 400 'not URL-encoded'
web GET /ui/cadences/nightly/pause
check_http "GET on a form's route: 405" 405
assert "... Allow: POST" test "$(header Allow)" = POST
web PUT /ui/login
check_http "PUT on the login: 405" 405
assert "... Allow: GET, POST" test "$(header Allow)" = "GET, POST"
web POST /metrics
check_http "POST /metrics: 405" 405
web GET /ui/nothing
check_http "an unknown page: 404" 404

# --- GET /metrics ----------------------------------------------------------------------
(cd "$proj" && "$cadence" run -c --scheduled nightly --now 2026-03-01T10:00:20Z >/dev/null 2>&1)
(cd "$proj" && "$cadence" run -c --scheduled nightly --now 2026-03-01T11:30:00Z >/dev/null 2>&1)
for i in 1 2; do
	web POST /cadences/flaky/runs
	fid=$(sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p' <<<"$body")
	wait_until "flaky run $i's end" sh -c "curl -s http://$addr/runs/$fid | grep -q '\"status\":\"finished\"'"
done
web GET /metrics
check_http "GET /metrics" 200
assert "... the text format 0.0.4" \
	test "$(header Content-Type)" = "text/plain; version=0.0.4; charset=utf-8"
printf '%s\n' "$body" >"$tmp/metrics.prom"
m() { grep -qF -- "$1" "$tmp/metrics.prom"; }
assert "... the run by outcome" m 'cadence_serve_runs_total{cadence="hello",outcome="ok"} 1'
assert "... its notes, named as the textfile names them" \
	m 'cadence_note_runs_total{cadence="hello",note="shout",status="ok"} 1'
assert "... the note durations, a histogram" m 'cadence_note_duration_seconds_count{cadence="hello",note="say"} 1'
assert "... the runs' durations" m 'cadence_duration_seconds_count{cadence="hello"} 1'
assert "... the failed runs" m 'cadence_serve_runs_total{cadence="flaky",outcome="failed"} 2'
assert "... their attempts summed across runs" \
	m 'cadence_note_runs_total{cadence="flaky",note="fail",status="failed"} 2'
assert "... the rejected one" m 'cadence_note_runs_total{cadence="flaky",note="fail",status="rejected"} 1'
assert "... the errors by type" m 'cadence_note_errors_total{cadence="flaky",note="fail",type="exit_status"} 2'
assert "... the retries" m 'cadence_note_retries_total{cadence="flaky",note="fail"} 1'
assert "... the breaker's state now: open" \
	m 'cadence_circuit_breaker_state{cadence="flaky",note="fail",state="open"} 1'
assert "... not closed" m 'cadence_circuit_breaker_state{cadence="flaky",note="fail",state="closed"} 0'
assert "... opened once" m 'cadence_circuit_breaker_opened_total{cadence="flaky",note="fail"} 1'
assert "... the runs by the textfile's status" m 'cadence_runs_total{cadence="flaky",status="failed"} 2'
assert "... the HTTP requests by route and status" \
	m 'cadence_serve_http_requests_total{route="/ui/cadences/{name}/{action}",status="403"} 3'
assert "... a scheduled run of another process: its lag" m 'cadence_schedule_lag_seconds_count{cadence="nightly"} 1'
assert "... a missed time" m 'cadence_schedule_missed_runs_total{cadence="nightly",reason="catch_up"} 1'
assert "... the registry read" m 'cadence_serve_registry_readable 1'
if command -v promtool >/dev/null; then
	run promtool check metrics <"$tmp/metrics.prom"
	expect "promtool check metrics: clean" 0 ''
else
	skip "promtool check metrics" "promtool is not installed"
fi
# a second run adds to the totals
form /ui/cadences/hello/trigger "csrf=$token"
id2=$(header Location); id2=${id2##*/}
wait_until "the second run's end" sh -c "curl -s http://$addr/runs/$id2 | grep -q '\"status\":\"finished\"'"
web GET /metrics
printf '%s\n' "$body" >"$tmp/metrics.prom"
assert "runs are totals across runs" m 'cadence_serve_runs_total{cadence="hello",outcome="ok"} 2'
assert "... the notes' too" m 'cadence_note_runs_total{cadence="hello",note="shout",status="ok"} 2'
assert "... and nothing counted twice" m 'cadence_schedule_lag_seconds_count{cadence="nightly"} 1'
stop_serve

# --- with tokens: the login form and its cookie ------------------------------------------
rm -f "$tmp/jar"
start_serve --token-file "$tmp/tokens"
web GET /
check_http "with tokens, GET / without one: the login form (401)" 401 'action="/ui/login"'
assert "... HTML, with the policy" test "$(header Content-Security-Policy)" = "$csp"
web POST /ui/login -H "Origin: http://$addr" --data-urlencode "token=not-a-token-0123456789"
check_http "a wrong token: 401" 401 'not one of the server'
web POST /ui/login -H "Origin: http://$addr" --data 'token=%4'
check_http "a login body that is not URL-encoded: 400" 400 'not URL-encoded'
web POST /ui/login -H "Origin: http://$addr"
check_http "no token: 400" 400 'field &#39;token&#39;'
web POST /ui/login -H "Origin: http://evil.example" --data-urlencode "token=$R"
check_http "a login from another site: 403" 403
web POST /ui/login -H "Origin: http://$addr" --data-urlencode "token=$R"
check_http "the reader's token: 303" 303
cookie=$(grep -i '^set-cookie:' "$tmp/headers" | tr -d '\r')
assert "... a session cookie, HttpOnly, SameSite=Strict" \
	grep -Eq '^[Ss]et-[Cc]ookie: cadence_session=[0-9a-f]{64}; Path=/; HttpOnly; SameSite=Strict$' <<<"$cookie"
assert "... which is not the token" not_grep -q "$R" "$tmp/jar"
web GET /
check_http "signed in, the list" 200 '<h1>Cadences</h1>'
assert "... a reader sees no button" not_grep -q '/pause"\|/trigger"' <<<"$body"
web GET /cadences
check_http "the cookie does not open the JSON API" 401
web POST /ui/cadences/nightly/pause -H "Origin: http://$addr" --data-urlencode "csrf=x"
check_http "a reader cannot pause" 403
web GET /metrics -H "Authorization: Bearer $R"
check_http "GET /metrics with a read token" 200 'cadence_serve_runs_running 0'
web GET /metrics
check_http "... without (a cookie does not do): 401" 401
web POST /ui/logout -H "Origin: http://$addr"
check_http "sign out" 303
web GET /
check_http "... the cookie gone" 401
web POST /ui/login -H "Origin: http://$addr" --data-urlencode "token=$A"
web GET /
check_http "the admin signed in" 200 'action="/ui/cadences/nightly/pause"'
token=$(csrf)
form /ui/cadences/nightly/pause "csrf=$token"
check_http "pause through the form with the admin's cookie" 303
assert "... paused" test "$(paused nightly "$A")" = True
cp "$tmp/jar" "$tmp/jar.admin"
stop_serve
start_serve --token-file "$tmp/tokens"
cp "$tmp/jar.admin" "$tmp/jar"
web GET /
check_http "a cookie of an earlier server is worth nothing" 401
stop_serve

# --- a run queued behind --max-runs, then cancelled ------------------------------------
rm -f "$tmp/jar" "$tmp/go"
start_serve --max-runs 1
web GET /
token=$(csrf)
form /ui/cadences/waiter/trigger "csrf=$token"
check_http "a run takes the one slot" 303
form /ui/cadences/hello/trigger "csrf=$token"
check_http "Run with every slot taken: 303 to the queued run, not an error" 303
qid=$(header Location)
web GET "$qid"
check_http "... its page says queued" 200 '>queued<'
assert "... and reloads itself" grep -q 'http-equiv="refresh"' <<<"$body"
curl -s -o /dev/null -X POST "http://$addr/runs/${qid##*/}/cancel"
web GET "$qid"
check_http "cancelled while queued: interrupted" 200 '>interrupted<'
assert "... its page no longer reloads" not_grep -q 'http-equiv="refresh"' <<<"$body"
touch "$tmp/go"
stop_serve

finish
