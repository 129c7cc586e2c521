#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence serve (docs/serve.md), over real HTTP on 127.0.0.1 (curl), on a
# port the kernel picks (--listen 127.0.0.1:0, read from --ready-file):
# every endpoint, every error status (400, 401, 403, 404, 405, 409, 413,
# 429), a run started, polled to its end and found in `cadence history`
# with trigger api, a run cancelled, SIGTERM with a run running (exit 0
# once it ended; past the grace period the run is stopped), and the
# refusal to listen beyond loopback without a token.
source "$(dirname "$0")/lib.sh"
need curl

# ---- libmicrohttpd is loaded by serve alone (cli/serve/mhd.h) ------------------
bin=${memcheck_real:-$cadence}
if command -v ldd >/dev/null; then
	assert "no other command loads libmicrohttpd or GnuTLS (the binary does not link them)" \
		test -z "$(ldd "$bin" | grep -E 'libmicrohttpd|libgnutls')"
fi
soname=$(ldconfig -p 2>/dev/null | grep -o 'libmicrohttpd\.so\.[0-9]*' | head -1)
if [[ -n $soname ]]; then
	# a file of that name the loader finds first and cannot load
	mkdir -p "$tmp/badlib" && : >"$tmp/badlib/$soname"
	LD_LIBRARY_PATH=$tmp/badlib run "$cadence" serve --listen 127.0.0.1:0
	expect "serve with a libmicrohttpd that cannot be loaded: status 3, what and how to install" 3 '' \
		"^cadence: error: cannot load libmicrohttpd, which 'cadence serve' needs: .*$soname.*apt-get install libmicrohttpd12\)$"
	if command -v cc >/dev/null && cc -shared -o "$tmp/badlib/$soname" -x c /dev/null 2>/dev/null; then
		LD_LIBRARY_PATH=$tmp/badlib run "$cadence" serve --listen 127.0.0.1:0
		expect "serve with a library of that name without libmicrohttpd's functions" 3 '' \
			"^cadence: error: $soname is not the libmicrohttpd 'cadence serve' was built with: it has no MHD_start_daemon$"
	else
		skip "a library without libmicrohttpd's functions" "no C compiler to make one"
	fi
else
	skip "serve without a loadable libmicrohttpd" "ldconfig lists no libmicrohttpd.so.N"
fi

serve_project

w proj/hello.cadence.yaml '
cadence: hello
notes:
  say: {set: {greeting: "\"hi \" + score.name"}}
score:
  name: {type: string, default: "you"}
  greeting: {type: string, default: ""}
measures:
  - then: say
'
w proj/nightly.cadence.yaml '
cadence: nightly
schedule: {cron: "30 2 * * *", timezone: Europe/Berlin}
notes:
  ok: {set: {done: "true"}}
score:
  done: {type: boolean, default: false}
measures:
  - then: ok
'
# a run that lasts until its marker file appears (bounded: 60 s)
w proj/waiter.cadence.yaml "
cadence: waiter
notes:
  first: {set: {started: \"true\"}}
  wait: {run: [sh, -c, 'i=0; while [ ! -e $tmp/go ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i+1)); done']}
score:
  started: {type: boolean, default: false}
measures:
  - then: first
  - then: wait
"
# a run that writes what it sees of serve's tokens
w proj/leak.cadence.yaml "
cadence: leak
notes:
  peek: {run: [sh, -c, 'printf %s \"\${CADENCE_TOKEN-}\${CADENCE_TOKEN_FILE-}\" >$tmp/leaked']}
measures:
  - then: peek
"
# a run that lists the files its `cadence run` holds open
w proj/peekfds.cadence.yaml "
cadence: peekfds
notes:
  peek: {run: [sh, -c, 'ls -l /proc/\$PPID/fd/ >$tmp/run-fds']}
measures:
  - then: peek
"
w inherited 'a file serve inherits open (fd 7), not close-on-exec'
w tokens "# scopes: read < run < admin
reader-0123456789abcdef read
runner-0123456789abcdef run
admin-0123456789abcdef admin
"
chmod 600 "$tmp/tokens"
R=reader-0123456789abcdef
X=runner-0123456789abcdef
A=admin-0123456789abcdef

not_grep() { ! grep -q "$@"; }
# a problem (RFC 9457) of status N
problem() { echo "\"type\":\"about:blank\",\"title\":\"[A-Za-z ]+\",\"status\":$1,\"detail\":"; }
finished() { http GET "/runs/$1" "${2:-$R}"; grep -q '"status":"finished"' <<<"$body"; }

# --- refusals ------------------------------------------------------------------
run_in "$proj" "$cadence" serve --listen 0.0.0.0:0
expect "no token: refuses to listen beyond loopback" 2 '' \
	"refusing to listen on 0.0.0.0:0 without a token.*loopback"
run_in "$proj" "$cadence" serve --listen '[::]:0'
expect "... nor on [::]" 2 '' 'refusing to listen on \[::\]:0 without a token'
w badscope 'abcdefghijklmnopqrstuvwxyz write'
run_in "$proj" "$cadence" serve --token-file "$tmp/badscope"
expect "a token file with an unknown scope" 2 '' \
	"$tmp/badscope:1: unknown scope in 'write'; the scopes are read, run and admin"
w short 'abc read'
run_in "$proj" "$cadence" serve --token-file "$tmp/short"
expect "a token too short" 2 '' "$tmp/short:1: a token of 3 characters is too short"
w noscope 'abcdefghijklmnopqrstuvwxyz'
run_in "$proj" "$cadence" serve --token-file "$tmp/noscope"
expect "a token without a scope" 2 '' "$tmp/noscope:1: a line of the token file is 'TOKEN SCOPE"
expect "... naming the installed serve.md, not docs/" 2 '' 'see /[^ ]*/share/doc/cadence/serve\.md$'
run_in "$proj" "$cadence" serve --token-file "$tmp/missing"
expect "a token file that does not exist" 2 '' "cannot read the token file '$tmp/missing'"
run_in "$proj" "$cadence" serve --listen 127.0.0.1:70000
expect "a port beyond 65535" 2 '' 'the port must be a number from 0'
run_in "$proj" "$cadence" serve --max-runs 0
expect "--max-runs 0" 2 '' '--max-runs takes a number from 1 to 1024'
run_in "$proj" "$cadence" serve extra
expect "no arguments" 2 '' "'cadence serve' takes no arguments"

cp "$tmp/tokens" "$tmp/shared"
chmod 644 "$tmp/shared"
# (a state directory that cannot be made: serve stops after the warning)
run_in "$proj" "$cadence" serve --token-file "$tmp/shared" --state-dir /dev/null/state
expect "a token file others can read: a warning" 3 '' \
	"^cadence: warning: the token file '$tmp/shared' can be read by other users \(mode 644\); 'chmod 600 $tmp/shared' keeps the tokens secret$"
expect "a state directory that cannot be made" 3 '' \
	"cannot make the directory of the runs' files '/dev/null/state/serve/runs': Not a directory"

# --- with tokens ---------------------------------------------------------------
start_serve --token-file "$tmp/tokens" --max-body 4096 --max-runs 1 --max-queue 0
assert "the ready file holds 127.0.0.1 and the port bound" \
	grep -Eq '^127\.0\.0\.1:[1-9][0-9]*$' "$tmp/ready"
assert "... and the log says where" grep -q "listening on http://$addr/ (bearer tokens)" \
	"$tmp/serve.err"
assert "... no warning for a token file of mode 600" not_grep warning "$tmp/serve.err"

http GET /healthz
check_http "GET /healthz needs no token" 200 '^\{"status":"ok","running":0\}$'
keep "Health"
http GET /cadences
check_http "no token: 401" 401 "$(problem 401).*Authorization: Bearer TOKEN"
assert "... with WWW-Authenticate" test "$(header WWW-Authenticate)" = 'Bearer realm="cadence"'
assert "... as application/problem+json" test "$(header Content-Type)" = application/problem+json
http GET /cadences not-a-token-0123456789
check_http "a bad token: 401" 401 "the bearer token is not one of the server's"
http GET /cadences "${R}x"
check_http "... a token one character longer: 401" 401
http GET /nothing
check_http "an unknown path without a token: 401, not 404" 401

http GET /cadences "$R"
check_http "GET /cadences" 200 "^\\[\\{\"cadence\":\"hello\",\"file\":\"$proj/hello.cadence.yaml\",\"schedule\":null"
keep "[Cadence]"
assert "... every cadence" grep -Eq '"cadence":"nightly","file":"[^"]*","schedule":"30 2 \* \* \*","timezone":"Europe/Berlin","state":"enabled","paused":false,"disabled":false,"next":"[0-9-]+T' <<<"$body"
assert "... as application/json" test "$(header Content-Type)" = application/json

http GET /nothing "$R"
check_http "an unknown path: 404" 404 "$(problem 404)\"no such resource: /nothing"
http PUT /cadences "$R"
check_http "PUT /cadences: 405" 405 '/cadences takes GET, not PUT'
keep "Problem"
assert "... with Allow: GET" test "$(header Allow)" = GET
http GET /cadences/hello/runs "$X"
check_http "GET on the trigger: 405" 405
assert "... with Allow: POST" test "$(header Allow)" = POST

# --- a run ---------------------------------------------------------------------
http POST /cadences/hello/runs "$R" '{"name":"ann"}'
check_http "POST .../runs with a read token: 403" 403 "needs a token of scope 'run' \(or wider\); this one has 'read'"
http POST /cadences/hello/runs "$X" '{"name":'
check_http "bad JSON: 400" 400 "$(problem 400).*a JSON object.*not valid JSON"
http POST /cadences/hello/runs "$X" '[1]'
check_http "a score that is not an object: 400" 400 'not another JSON value'
http POST /cadences/nope/runs "$X" '{}'
check_http "an unknown cadence: 404" 404 "no cadence named 'nope' in the project"
head -c 5000 /dev/zero | tr '\0' ' ' >"$tmp/big"
http POST /cadences/hello/runs "$X" "$(<"$tmp/big"){}"
check_http "a body beyond --max-body: 413" 413 'larger than 4096 bytes'
keep "Problem"
rc=0
head -c 5000 /dev/zero | curl -s -o /dev/null --max-time 20 -H "Authorization: Bearer $X" \
	-H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' --data-binary @- \
	"http://$addr/cadences/hello/runs" || rc=$?
# 52: no answer, 55/56: the connection closed while curl was sending
assert "... sent in chunks, with no Content-Length: the connection closed, not read on" \
	grep -qxE '52|55|56' <<<"$rc"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 -H "Authorization: Bearer $X" \
	--data-binary '{}' "http://$addr/cadences/hello/runs") || code="curl failed: $?"
body=$(<"$tmp/body")
check_http "a body that is not application/json: 415" 415 "$(problem 415).*Content-Type: application/json"
keep "Problem"
http POST /cadences/hello/runs "$X" '{} x'
check_http "JSON with more after it: 400" 400 'not valid JSON'
# the headers are judged before the body is read: no token, a long body
# announced, a short one sent, and the answer comes at once
code=$(printf '{}' | curl -s -o "$tmp/body" -w '%{http_code}' --max-time 5 \
	-H 'Content-Type: application/json' -H 'Content-Length: 1000000' --data-binary @- \
	"http://$addr/cadences/hello/runs") || code="curl failed: $?"
body=$(<"$tmp/body")
check_http "no token: 401 before the body is read" 401 'needs .Authorization: Bearer TOKEN'

http POST /cadences/hello/runs "$X" '{"name":"ann"}'
check_http "POST /cadences/hello/runs: 202" 202 '^\{"id":"[0-9a-f]{32}","cadence":"hello","status":"running","location":"/runs/[0-9a-f]{32}"\}$'
keep "RunStarted"
id=$(grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1)
assert "... Location: the run" test "$(header Location)" = "/runs/$id"
wait_until "the run's end" finished "$id"
http GET "/runs/$id" "$R"
check_http "GET /runs/ID: finished, ok, the final score" 200 \
	"^\{\"id\":\"$id\",\"cadence\":\"hello\",\"file\":\"$proj/hello.cadence.yaml\",.*\"status\":\"finished\",\"outcome\":\"ok\",\"exit_code\":0,\"cancelled\":false,.*\"error\":null,\"score\":\{\"name\":\"ann\",\"greeting\":\"hi ann\"\},\"events\":\"/runs/$id/events\"\}$"
keep Run
http POST /cadences/hello/runs "$X" '{"name":5}'
check_http "a score the cadence rejects: 202 all the same" 202
bid=$(grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1)
wait_until "the rejected run's end" finished "$bid"
check_http "... it ended with outcome error, saying why" 200 \
	"\"outcome\":\"error\",\"exit_code\":2,.*\"error\":\"hello: bad score: field 'name' must be a string, not an integer\",\"score\":null"
keep Run
http GET "/runs/$id/events" "$R"
check_http "GET /runs/ID/events: the JSON lines" 200 '^\{"time":"[^"]*","event":"cadence_started"'
assert "... as application/x-ndjson" test "$(header Content-Type)" = application/x-ndjson
assert "... the whole run" grep -q '"event":"cadence_completed"' <<<"$body"
run "$cadence" history hello --format json
expect "the run in cadence history, trigger api" 0 '"cadence":"hello",.*"trigger":"api",.*"status":"ok"'
http GET "/history?cadence=hello" "$R"
check_http "GET /history?cadence=hello" 200 '^\[\{"id":2,"cadence":"hello",.*"trigger":"api",.*"status":"error".*\{"id":1,.*"status":"ok"'
keep "[HistoryRun]"
http GET "/history?limit=0" "$R"
check_http "GET /history?limit=0: 400" 400 "limit is a number of runs from 1 to 1000, not '0'"
http GET "/history?since=yesterday" "$R"
check_http "GET /history?since=yesterday: 400" 400 "since is an RFC 3339 time or a duration"
http GET /runs/0123456789abcdef0123456789abcdef "$R"
check_http "an unknown run: 404" 404 "no run '0123456789abcdef0123456789abcdef' started by this server"
http GET /runs/0123456789abcdef0123456789abcdef/events "$R"
check_http "... its events: 404" 404
http POST /runs/0123456789abcdef0123456789abcdef/cancel "$X"
check_http "... cancelled: 404" 404
http POST "/runs/$id/cancel" "$X"
check_http "cancelling a run that ended: 409" 409 "has ended already \(ok\)"

# --- the bound on runs, cancel -------------------------------------------------------
rm -f "$tmp/go"
http POST /cadences/waiter/runs "$X" ''
check_http "a long run (an empty body: the score {})" 202
wid=$(grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1)
http POST /cadences/hello/runs "$X" '{}'
check_http "beyond --max-runs 1 and --max-queue 0: 429" 429 "1 runs are running and 0 wait, the most 'cadence serve --max-runs' and '--max-queue' allow"
keep "Problem"
assert "... with Retry-After" test "$(header Retry-After)" = 1
http GET /healthz
check_http "/healthz counts it" 200 '"running":1'
http GET "/runs/$wid" "$R"
check_http "a running run" 200 '"status":"running","outcome":null,"exit_code":null,"cancelled":false,.*"end":null,"error":null,"score":null'
keep "Run"
http POST "/runs/$wid/cancel" "$R"
check_http "cancel with a read token: 403" 403 "needs a token of scope 'run'"
http POST "/runs/$wid/cancel" "$X"
check_http "POST /runs/ID/cancel: 202" 202 '"status":"running",.*"cancelled":true'
wait_until "the cancelled run's end" finished "$wid"
http GET "/runs/$wid" "$R"
check_http "... it ended interrupted" 200 '"status":"finished","outcome":"interrupted","exit_code":130,"cancelled":true'
keep "Run"
run "$cadence" history waiter --format json
expect "... recorded as interrupted, trigger api" 0 '"trigger":"api",.*"status":"interrupted"'
# cancelled at once, before `cadence run` has its handlers (one kept-alive
# connection: the cancel follows the start within a millisecond): each run
# ends interrupted all the same (it starts with SIGTERM held), recorded
run python3 - "$addr" "$X" <<'PY'
import http.client, json, sys, time
host, port = sys.argv[1].rsplit(":", 1)
c = http.client.HTTPConnection(host, int(port), timeout=20)
auth = {"Authorization": "Bearer " + sys.argv[2], "Content-Type": "application/json"}
for _ in range(3):
    c.request("POST", "/cadences/waiter/runs", "{}", auth)
    run = json.loads(c.getresponse().read())["id"]
    c.request("POST", "/runs/%s/cancel" % run, None, auth)
    c.getresponse().read()
    for _ in range(600):
        c.request("GET", "/runs/" + run, None, auth)
        d = json.loads(c.getresponse().read())
        if d["status"] == "finished":
            break
        time.sleep(0.1)
    print(d["outcome"], d["exit_code"])
PY
assert "runs cancelled right after their start end interrupted, not killed ($(echo $out))" \
	test "$out" = $'interrupted 130\ninterrupted 130\ninterrupted 130'
run "$cadence" history waiter --limit 3 --format json
assert "... and are in the history" test "$(grep -o '"status":"interrupted"' <<<"$out" | wc -l)" = 3
ckpt=$CADENCE_STATE_DIR/serve/runs/$wid/checkpoint.json
assert "... its checkpoint kept (serve/runs/ID/checkpoint.json)" test -s "$ckpt"
: >"$tmp/go"
run_in "$proj" "$cadence" resume --no-record "$ckpt" waiter.cadence.yaml
expect "... which cadence resume completes" 0 '"started":[[:space:]]+true'
rm -f "$tmp/go"

# --- pause, resume, disable, enable ----------------------------------------------------
http POST /cadences/nightly/pause "$X"
check_http "pause with a run token: 403" 403 "needs a token of scope 'admin'"
http POST /cadences/nightly/pause "$A"
check_http "POST /cadences/nightly/pause" 200 '^\{"cadence":"nightly","paused":true,"disabled":false\}$'
keep "ScheduleState"
# (a paused cadence in list --format json: memcheck/cli/registry's "...
# paused in another process" takes this path under valgrind)
run_in "$proj" "$cadence_again" list --format json
expect "... cadence list sees it" 0 '"cadence":"nightly",.*"paused":true'
http POST /cadences/nightly/disable "$A"
check_http "POST .../disable" 200 '"paused":true,"disabled":true'
http POST /cadences/nightly/resume "$A"
check_http "POST .../resume" 200 '"paused":false,"disabled":true'
http POST /cadences/nightly/enable "$A"
check_http "POST .../enable" 200 '"paused":false,"disabled":false'
http POST /cadences/hello/pause "$A"
check_http "pausing a cadence without a schedule: 409" 409 "cadence 'hello' has no usable schedule"
http POST /cadences/nope/pause "$A"
check_http "pausing an unknown cadence: 404" 404 "no cadence named 'nope'"
http GET /cadences/nightly/pause "$A"
check_http "GET on pause: 405" 405

# --- SIGTERM with a run running: exit 0 once it ended ---------------------------------
rm -f "$tmp/go"
http POST /cadences/waiter/runs "$X" '{}'
check_http "a run before SIGTERM" 202
wid=$(grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1)
kill -TERM "$spid"
wait_until "serve stops accepting" grep -q 'stopping: 1 run running' "$tmp/serve.err"
assert "... still alive while the run runs" alive "$spid"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$addr/healthz") || :
assert "... new connections refused" test "$code" = 000
: >"$tmp/go"
wait_exit "$spid"
assert "... exit 0 once the run ended" test "$status" = 0
assert "... said so" grep -q 'serve: stopped' "$tmp/serve.err"
assert "... the ready file removed" test ! -e "$tmp/ready"
# (history NAME --limit N --format json: the run under valgrind above after
# the runs cancelled right after their start; an api run ended ok: the
# first history, of hello)
run "$cadence_again" history waiter --limit 1 --format json
expect "... the run ended ok" 0 '"trigger":"api",.*"status":"ok"'

# --- past the grace period the run is stopped --------------------------------------------
rm -f "$tmp/go"
CADENCE_TOKEN=short-token timeout 20 "$cadence" serve --listen 127.0.0.1:0 >/dev/null 2>"$tmp/short.err" &&
	fail "a short CADENCE_TOKEN: refused" || {
	[[ $? == 2 ]] && grep -q 'CADENCE_TOKEN has 11 characters.*16 or more' "$tmp/short.err" &&
		ok "a short CADENCE_TOKEN: refused (exit 2)" ||
		fail "a short CADENCE_TOKEN: refused ($(<"$tmp/short.err"))"
}
CADENCE_TOKEN=env-token-0123456789abcdef start_serve --grace 300ms
assert "CADENCE_TOKEN: tokens on" grep -q '(bearer tokens)' "$tmp/serve.err"
http POST /cadences/waiter/runs env-token-0123456789abcdef '{}'
check_http "CADENCE_TOKEN has the run scope" 202
http POST /cadences/nightly/pause env-token-0123456789abcdef
check_http "... and admin" 200
http POST /cadences/leak/runs env-token-0123456789abcdef '{}'
lid=$(grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1)
wait_until "the run that looks for the tokens" finished "$lid" env-token-0123456789abcdef
assert "... CADENCE_TOKEN and CADENCE_TOKEN_FILE are not in a run's environment" \
	test -e "$tmp/leaked" -a ! -s "$tmp/leaked"
kill -TERM "$spid"
wait_exit "$spid"
assert "past --grace: the run stopped, exit 0" test "$status" = 0
assert "... said so" grep -q 'the grace period is over: stopping the runs' "$tmp/serve.err"
# (the run under valgrind after the runs cancelled right after their
# start took this path: the same options, an api run interrupted)
run "$cadence_again" history waiter --limit 1 --format json
expect "... the run recorded as interrupted" 0 '"trigger":"api",.*"status":"interrupted"'
: >"$tmp/go"

# --- a second signal stops the runs at once ------------------------------------------------
rm -f "$tmp/go"
start_serve --grace 60s
http POST /cadences/waiter/runs '' '{}'
check_http "a run before two signals" 202
kill -TERM "$spid"
wait_until "serve waits for the run" grep -q 'stopping: 1 run running' "$tmp/serve.err"
kill -INT "$spid"
wait_exit "$spid"
assert "a second signal: exit 130 at once, not after the grace period" test "$status" = 130
assert "... said so" grep -q 'stopping the runs at once' "$tmp/serve.err"
# (polled: $cadence_again; the history under valgrind after the runs
# cancelled right after their start took this path)
# shellcheck disable=SC2016 # expanded by eval, each time it polls
wait_until "the stopped run's record" eval \
	'"$cadence_again" history waiter --limit 1 --format json | grep -q "\"status\":\"interrupted\""'
: >"$tmp/go"

# --- the project file's settings -----------------------------------------------------------
w proj/cadence.project.yaml "
cadences: [.]
serve:
  listen: 127.0.0.1:0
  token_file: $tmp/tokens
  grace: 5s
"
rm -f "$tmp/ready"
(cd "$proj" && exec "$cadence" serve --ready-file "$tmp/ready" 2>"$tmp/serve.err") &
spid=$!
wait_until "serve's ready file" test -s "$tmp/ready"
addr=$(<"$tmp/ready")
assert "serve.listen and serve.token_file from the project file" \
	grep -q "listening on http://127.0.0.1:[0-9]*/ (bearer tokens)" "$tmp/serve.err"
http GET /cadences
check_http "... a token needed" 401
http GET /cadences "$R"
check_http "... one of the file's tokens" 200
cp "$proj/cadence.project.yaml" "$tmp/project.yaml"
sed -i 's/^cadences: \[\.\]$/cadences: [nowhere]/' "$proj/cadence.project.yaml"
http GET /cadences "$R"
check_http "the project's cadences unreadable: 500, saying where to look" 500 \
	"cannot list the cadences: the project's cadences cannot be read \(see the server's log\)"
assert "... the log says why" grep -q "cadence: error: cannot list '$proj/nowhere'" "$tmp/serve.err"
http POST /cadences/hello/runs "$X" '{}'
check_http "... no run starts: 500" 500 "the project's cadences cannot be read"
cp "$tmp/project.yaml" "$proj/cadence.project.yaml"
http GET /cadences "$R"
check_http "... read again at the next request" 200
kill -HUP "$spid"
wait_exit "$spid"
assert "SIGHUP stops serve as SIGTERM does: exit 0" test "$status" = 0
rm "$proj/cadence.project.yaml"

# --- no token, on loopback: every request allowed --------------------------------------------
# (started with SIGCHLD ignored, as some service managers leave it: serve
# sets it back, or it could not wait for its runs)
rm -f "$tmp/ready"
# (and with a file open on fd 7 that its runs must not inherit)
(cd "$proj" && trap '' CHLD && exec 7<"$tmp/inherited" && exec "$cadence" serve \
	--listen 127.0.0.1:0 --ready-file "$tmp/ready" 2>"$tmp/serve.err") &
spid=$!
wait_until "serve's ready file" test -s "$tmp/ready"
addr=$(<"$tmp/ready")
http POST /cadences/hello/runs '' '{}'
check_http "a run, serve started with SIGCHLD ignored" 202
hid=$(grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1)
wait_until "... the run's end" finished "$hid"
check_http "... it ends (serve waits for it)" 200 '"status":"finished","outcome":"ok"'
http POST /cadences/peekfds/runs '' '{}'
pid_=$(grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1)
wait_until "the run that lists its files" finished "$pid_"
assert "a run's process holds none of serve's files (fds >= 3 closed)" \
	eval 'grep -q "registry.db" "$tmp/run-fds" && ! grep -q "$tmp/inherited" "$tmp/run-fds"'
assert "no token: said" grep -q 'no token: every request allowed, loopback only' "$tmp/serve.err"
http GET /cadences
check_http "GET /cadences without a token" 200
http POST /cadences/nightly/resume
check_http "POST .../resume without a token" 200 '"paused":false'
http GET /openapi.json
check_http "GET /openapi.json" 200 '"openapi": "3\.1\.[0-9]+"'
assert "... docs/openapi.json itself" cmp -s "$tmp/body" "$src/docs/openapi.json"
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 -H 'Origin: http://evil.example' \
	-X POST "http://$addr/cadences/nightly/pause") || code="curl failed: $?"
body=$(<"$tmp/body")
check_http "no token: a request with an Origin (a web page's): 403" 403 'Origin header'
keep "Problem"
port=${addr##*:}
for host in "rebound.example:$port" "127.0.0.2:$port"; do
	code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 -H "Host: $host" \
		"http://$addr/cadences") || code="curl failed: $?"
	body=$(<"$tmp/body")
	check_http "no token: Host $host (DNS rebinding): 403" 403 "Host '$host' is not a loopback name"
done
for host in "localhost:$port" "LOCALHOST" "[::1]:$port" "127.0.0.1"; do
	code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 -H "Host: $host" \
		"http://$addr/cadences") || code="curl failed: $?"
	body=$(<"$tmp/body")
	check_http "no token: Host $host: allowed" 200
done
stop_serve
assert "SIGTERM with no run: exit 0" test "$status" = 0

# --- docs/openapi.json: a valid OpenAPI 3.1 document, and the responses kept
# match its schemas (openapi-spec-validator, openapi-schema-validator)
if python3 -c 'import openapi_spec_validator, openapi_schema_validator' 2>/dev/null; then
	run python3 - "$src/docs/openapi.json" "$tmp/kept" "$nkept" <<'PY'
import json, sys
from openapi_spec_validator import validate
from openapi_schema_validator import OAS31Validator
doc = json.load(open(sys.argv[1]))
validate(doc)
print("valid OpenAPI")
for i in range(1, int(sys.argv[3]) + 1):
    name = open(f"{sys.argv[2]}/{i}.schema").read().strip()
    ref = {"$ref": "#/components/schemas/" + name.strip("[]")}
    schema = {"type": "array", "items": ref} if name.startswith("[") else ref
    schema = dict(schema, components=doc["components"])
    OAS31Validator(schema).validate(json.load(open(f"{sys.argv[2]}/{i}.json")))
    print("matches", name)
PY
	expect "docs/openapi.json is valid OpenAPI 3.1" 0 '^valid OpenAPI$'
	assert "... the responses match its schemas ($nkept)" \
		test "$(grep -c '^matches' <<<"$out")" = "$nkept"
	[[ $status == 0 ]] || echo "$err" | tail -5
else
	skip "docs/openapi.json validated" "python3 has no openapi-spec-validator"
fi

finish
