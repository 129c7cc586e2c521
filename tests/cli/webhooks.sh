#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence serve's webhooks (docs/serve.md, "Webhooks"), over real HTTP on
# 127.0.0.1 (curl), port picked by the kernel: GitHub and Standard
# Webhooks deliveries, valid, badly signed, unsigned, stale and replayed
# (one run for a delivery id, its id answered again); a GitHub `issues`
# event and a Cal.com BOOKING_CREATED event mapped to scores, checked in
# the runs' final scores and in the registry (trigger webhook); an
# expression failing on a payload (422); the configuration's errors,
# positioned (a bad expression, an unknown cadence, a missing secret),
# and `cadence validate` reporting a bad webhook expression.  Signatures
# are made here by python3's hmac, apart from cadence's.
source "$(dirname "$0")/lib.sh"
need curl python3

serve_project
data=$src/tests/data/webhooks

w proj/triage.cadence.yaml '
cadence: triage
notes:
  sum: {set: {summary: "score.event + \" \" + score.action + \" #\" + string(score.number) + \": \" + score.title"}}
score:
  event: {type: string, required: true}
  action: {type: string, required: true}
  number: {type: integer, required: true}
  title: {type: string, required: true}
  labels: {type: array, default: []}
  summary: {type: string, default: ""}
measures:
  - then: sum
'
w proj/booking.cadence.yaml '
cadence: booking
notes:
  note: {set: {line: "score.attendee + \" at \" + score.start"}}
score:
  kind: {type: string, required: true}
  attendee: {type: string, required: true}
  start: {type: string, required: true}
  uid: {type: string, required: true}
  line: {type: string, default: ""}
measures:
  - then: note
'
# a run that writes what it sees of the webhooks' secret variables
w proj/peek.cadence.yaml "
cadence: peek
notes:
  peek: {run: [sh, -c, 'printf %s \"\${PEEK_SECRET-}\${CAL_SECRET-}\" >$tmp/leaked']}
measures:
  - then: peek
"
export PEEK_SECRET="It's a Secret to Everybody"
GH_SECRET="It's a Secret to Everybody"
printf '%s\n' "$GH_SECRET" >"$tmp/gh.secret"
SW_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
export CAL_SECRET=$SW_SECRET
project() {
	cat >"$proj/cadence.project.yaml" <<YAML
cadences: [.]
serve:
  webhooks:
    issues:
      cadence: triage
      signature: github
      secret_file: $tmp/gh.secret
      score:
        event: headers["x-github-event"]
        action: payload.action
        number: payload.issue.number
        title: payload.issue.title
        labels: payload.issue.labels.map(l, l.name)
    bookings:
      cadence: booking
      signature: standard
      secret_env: CAL_SECRET
      score:
        kind: payload.triggerEvent
        attendee: payload.payload.attendees[0].name
        start: payload.payload.startTime
        uid: payload.payload.uid
$1
    peek:
      cadence: peek
      signature: github
      secret_env: PEEK_SECRET
YAML
}
project ''

# sign_gh FILE: X-Hub-Signature-256's value for the file's bytes
sign_gh() {
	python3 -c 'import hmac, hashlib, sys
print("sha256=" + hmac.new(sys.argv[1].encode(), open(sys.argv[2], "rb").read(), hashlib.sha256).hexdigest())' "$GH_SECRET" "$1"
}
# sign_sw ID TS FILE: webhook-signature's value
sign_sw() {
	python3 -c 'import hmac, hashlib, sys, base64
key = base64.b64decode(sys.argv[1].split("_", 1)[1])
msg = sys.argv[2].encode() + b"." + sys.argv[3].encode() + b"." + open(sys.argv[4], "rb").read()
print("v1," + base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode())' "$SW_SECRET" "$1" "$2" "$3"
}

# post PATH FILE [HEADER...]: POST the file's bytes; $code, $body
post() {
	local path=$1 file=$2 h hdrs=()
	shift 2
	for h in "$@"; do hdrs+=(-H "$h"); done
	request POST "$path" -H 'Content-Type: application/json' --data-binary "@$file" "${hdrs[@]}"
}
# http_get PATH [HEADER]
http_get() { request GET "$1" ${2:+-H "$2"}; }
problem() { echo "\"type\":\"about:blank\",\"title\":\"[A-Za-z ]+\",\"status\":$1,\"detail\":"; }
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1" <<<"$body"; }
# final_score ID [HEADER]: waits for the run's end; its score in $body
final_score() {
	local until=$((SECONDS + 60))
	while ((SECONDS < until)); do
		http_get "/runs/$1" "${2:-}"
		grep -q '"status":"finished"' <<<"$body" && return 0
		nap 0.05
	done
	return 1
}
runs_in_registry() {
	(cd "$proj" && "$cadence" history "$1" --format json) | grep -c '"trigger":"webhook"'
}

# --- configuration errors -----------------------------------------------------
project '    broken:
      cadence: triage
      signature: github
      secret_env: NOPE_SECRET
      score:
        title: payload.issue.title +'
run_in "$proj" "$cadence" serve --listen 127.0.0.1:0
expect "a bad webhook expression: serve refuses to start" 2 '' \
	"cadence.project.yaml:28:37: error: webhook 'broken', score field 'title': "
run_in "$proj" "$cadence" validate triage.cadence.yaml
expect "cadence validate reports it, positioned" 1 \
	"cadence.project.yaml:28:37: error: webhook 'broken', score field 'title': .*\[bad-expression\]"
run_in "$proj" "$cadence" validate --format json triage.cadence.yaml
expect "... in its JSON format too" 1 '"rule":.*"bad-expression"'
assert "... at line 28, column 37" python3 -c 'import json, sys
d = json.loads(sys.argv[1])["diagnostics"][0]
sys.exit(not (d["file"].endswith("/cadence.project.yaml") and d["line"] == 28 and d["column"] == 37))' "$out"
project '    broken:
      cadence: triage
      signature: github
      secret_env: NOPE_SECRET
      score:
        title: paylod.issue.title'
run_in "$proj" "$cadence" validate triage.cadence.yaml
expect "an unknown name: said where" 1 \
	"28:16: error: webhook 'broken', score field 'title': unknown name 'paylod'"
expect "... with a did-you-mean" 1 "help: did you mean 'payload'\\?"
project '    broken:
      cadence: triage
      signature: svix
      secret_env: NOPE_SECRET'
run_in "$proj" "$cadence" validate triage.cadence.yaml
expect "an unknown signature scheme" 1 "25:18: error: 'svix' is not a signature scheme"
expect "... with the schemes" 1 "help: use one of: github, standard"
project '    broken:
      cadence: triage
      signature: github'
run_in "$proj" "$cadence" validate triage.cadence.yaml
expect "no secret: said where" 1 "24:7: error: a webhook route needs one of secret_file or secret_env \\[webhook-secret\\]"
project '    broken:
      cadence: nosuch
      signature: github
      secret_env: NOPE_SECRET'
run_in "$proj" "$cadence" validate triage.cadence.yaml
expect "validate: an unknown cadence is serve's to say" 0
run_in "$proj" "$cadence" serve --listen 127.0.0.1:0
expect "serve: an unknown cadence, positioned" 2 '' \
	"cadence.project.yaml:24:16: webhook 'broken': no cadence named 'nosuch' in the project"
expect "... and the secret's variable not set, positioned, at once" 2 '' \
	"cadence.project.yaml:26:19: webhook 'broken': the variable NOPE_SECRET that holds the signing secret is not set"
project '    broken:
      cadence: triage
      signature: standard
      secret_file: missing.secret'
run_in "$proj" "$cadence" serve --listen 127.0.0.1:0
expect "a secret file that cannot be read" 2 '' \
	"26:20: webhook 'broken': cannot read the secret file '$proj/missing.secret': No such file"
printf 'not-whsec\n' >"$proj/bad.secret"
project '    broken:
      cadence: triage
      signature: standard
      secret_file: bad.secret'
run_in "$proj" "$cadence" serve --listen 127.0.0.1:0
expect "a Standard Webhooks secret that is not whsec_" 2 '' \
	"26:20: webhook 'broken': a Standard Webhooks secret is 'whsec_' and base64"
project ''
run_in "$proj" "$cadence" validate triage.cadence.yaml
expect "a good project file: validate is clean" 0

# --- deliveries, open mode (no token) ------------------------------------------
start_serve
gh=$data/github_issues_opened.json
sig=$(sign_gh "$gh")
post /hooks/issues "$gh" "X-GitHub-Event: issues" "X-GitHub-Delivery: d-1" \
	"X-Hub-Signature-256: $sig" "User-Agent: GitHub-Hookshot/abc"
check_http "a GitHub issues event: 202" 202 \
	'^\{"id":"[0-9a-f]{32}","cadence":"triage","webhook":"issues","delivery":"d-1","replay":false,"status":"running","location":"/runs/[0-9a-f]{32}"\}$'
keep WebhookAccepted
id1=$(json_field id)
if final_score "$id1"; then
	check_http "... its run mapped the event to the score" 200 \
		'"outcome":"ok".*"score":\{"event":"issues","action":"opened","number":1347,"title":"Found a bug: the build fails on ARM","labels":\["bug","arm"\],"summary":"issues opened #1347: Found a bug: the build fails on ARM"\}'
else
	fail "the run of the GitHub event did not finish"
fi
post /hooks/issues "$gh" "X-GitHub-Event: issues" "X-GitHub-Delivery: d-1" \
	"X-Hub-Signature-256: $sig"
check_http "the same delivery again: 200, the first run's id, a replay" 200 \
	"^\{\"id\":\"$id1\",\"cadence\":\"triage\",\"webhook\":\"issues\",\"delivery\":\"d-1\",\"replay\":true,"
keep WebhookAccepted
assert "... one run in the registry, trigger webhook" test "$(runs_in_registry triage)" = 1

# two deliveries of one new id at once: one run
pids=()
for i in 1 2 3 4; do
	curl -s -o "$tmp/par$i" -w '%{http_code}\n' -X POST --max-time 20 \
		-H 'Content-Type: application/json' --data-binary "@$gh" \
		-H "X-GitHub-Event: issues" -H "X-GitHub-Delivery: d-par" \
		-H "X-Hub-Signature-256: $sig" "http://$addr/hooks/issues" >"$tmp/parcode$i" &
	pids+=($!)
done
wait "${pids[@]}"
ids=$(cat "$tmp"/par? | python3 -c 'import sys, json
print(len({json.loads(l)["id"] for l in sys.stdin.read().replace("}{", "}\n{").splitlines()}))')
assert "4 concurrent deliveries of one id: one run id among the answers" test "$ids" = 1
assert "... one of them 202, three 200" test "$(sort "$tmp"/parcode? | tr '\n' ' ')" = "200 200 200 202 "
idpar=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/par1")
final_score "$idpar" || fail "the run of the concurrent deliveries did not finish"

printf '{"action":"opened","issue":{"number":1,"title":"x"}}' >"$tmp/small.json"
post /hooks/issues "$tmp/small.json" "X-GitHub-Delivery: d-2" "X-Hub-Signature-256: $sig"
check_http "a signature of another body: 401" 401 \
	"$(problem 401)\"webhook 'issues': X-Hub-Signature-256 does not match the body.*nothing was run"
post /hooks/issues "$gh" "X-GitHub-Delivery: d-3"
check_http "unsigned: 401" 401 "no X-Hub-Signature-256 header"
keep Problem
post /hooks/issues "$gh" "X-GitHub-Delivery: d-4" "X-Hub-Signature-256: sha1=0123"
check_http "a malformed signature: 401" 401 "is not 'sha256=' and 64 hex digits"
post /hooks/issues "$gh" "X-Hub-Signature-256: $sig"
check_http "no delivery id: 400" 400 "needs its id \(X-GitHub-Delivery"
assert "... none of them ran" test "$(runs_in_registry triage)" = 2
post /hooks/issues "$gh" "X-GitHub-Delivery: d-5" "X-Hub-Signature-256: $sig" "X-GitHub-Event: issues" \
	"Origin: https://github.com" "Host: hooks.example.com"
check_http "an Origin and a public Host do not stop a webhook in open mode" 202
# an expression that fails on this payload: 422, no run
sig=$(sign_gh "$tmp/small.json")
post /hooks/issues "$tmp/small.json" "X-GitHub-Delivery: d-6" "X-Hub-Signature-256: $sig"
check_http "a payload without a field an expression reads: 422" 422 \
	"\"title\":\"Unprocessable Content\",\"status\":422,\"detail\":\"webhook 'issues': score field 'event' \\(headers\\[.*\\]\\): column 8: no key .*x-github-event.*; nothing was run"
keep Problem
printf '{"action":"opened","issue":{"number":"1","title":"x","labels":[]}}' >"$tmp/str.json"
sig=$(sign_gh "$tmp/str.json")
post /hooks/issues "$tmp/str.json" "X-GitHub-Delivery: d-7" "X-Hub-Signature-256: $sig" \
	"X-GitHub-Event: issues"
check_http "a value of the wrong type: the cadence refuses the score (the run's error)" 202
id7=$(json_field id)
final_score "$id7" && check_http "... ended with outcome error" 200 '"outcome":"error".*number'
printf 'not json' >"$tmp/notjson"
sig=$(sign_gh "$tmp/notjson")
post /hooks/issues "$tmp/notjson" "X-GitHub-Delivery: d-8" "X-Hub-Signature-256: $sig"
check_http "a body that is not JSON: 400" 400 "the body is not JSON"
post /hooks/nothing "$gh" "X-GitHub-Delivery: d-9"
check_http "an unknown webhook: 404" 404 "no webhook named 'nothing'"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 "http://$addr/hooks/issues")
assert "GET /hooks/NAME: 405" test "$code" = 405

# Standard Webhooks: the Cal.com booking
cal=$data/calcom_booking_created.json
now=$(date +%s)
post /hooks/bookings "$cal" "webhook-id: msg_1" "webhook-timestamp: $now" \
	"webhook-signature: $(sign_sw msg_1 "$now" "$cal")"
check_http "a Cal.com BOOKING_CREATED, Standard Webhooks: 202" 202 '"cadence":"booking","webhook":"bookings","delivery":"msg_1","replay":false'
idb=$(json_field id)
if final_score "$idb"; then
	check_http "... mapped to the score" 200 \
		'"score":\{"kind":"BOOKING_CREATED","attendee":"Charles Babbage","start":"2026-12-08T09:00:00Z","uid":"bFJeNb2uX8ANpT3JL5EfXw","line":"Charles Babbage at 2026-12-08T09:00:00Z"\}'
else
	fail "the booking's run did not finish"
fi
post /hooks/bookings "$cal" "webhook-id: msg_1" "webhook-timestamp: $now" \
	"webhook-signature: $(sign_sw msg_1 "$now" "$cal")"
check_http "... replayed: 200 and the first id" 200 "^\{\"id\":\"$idb\".*\"replay\":true"
old=$((now - 301))
post /hooks/bookings "$cal" "webhook-id: msg_2" "webhook-timestamp: $old" \
	"webhook-signature: $(sign_sw msg_2 "$old" "$cal")"
check_http "a stale timestamp (5 min 1 s), rightly signed: 401" 401 "more than 5 minutes away"
late=$((now + 400))
post /hooks/bookings "$cal" "webhook-id: msg_3" "webhook-timestamp: $late" \
	"webhook-signature: $(sign_sw msg_3 "$late" "$cal")"
check_http "a timestamp in the future: 401" 401 "more than 5 minutes away"
post /hooks/bookings "$cal" "webhook-id: msg_4" "webhook-timestamp: $now" \
	"webhook-signature: $(sign_sw msg_1 "$now" "$cal")"
check_http "a signature of another id: 401" 401 "no signature of webhook-signature matches"
post /hooks/bookings "$cal" "webhook-id: msg_5" "webhook-timestamp: $now"
check_http "no signature: 401" 401 "needs the headers webhook-id, webhook-timestamp and webhook-signature"
post /hooks/bookings "$cal" "webhook-id: msg_6" "webhook-timestamp: $now" \
	"webhook-signature: v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= $(sign_sw msg_6 "$now" "$cal")"
check_http "two signatures, the second right (a rotated secret): 202" 202
id6=$(json_field id)
final_score "$id6" || fail "the run of msg_6 did not finish"
assert "... the booking ran twice in all" test "$(runs_in_registry booking)" = 2
printf '{}' >"$tmp/empty.json"
post /hooks/peek "$tmp/empty.json" "X-GitHub-Delivery: p-1" "X-Hub-Signature-256: $(sign_gh "$tmp/empty.json")"
check_http "a route with no score: the score is {}" 202
idp=$(json_field id)
final_score "$idp" && check_http "... its run ended" 200 '"outcome":"ok"'
assert "... and saw none of the secrets' variables" test -e "$tmp/leaked" -a ! -s "$tmp/leaked"
stop_serve
assert "serve stopped: exit 0" test "$status" = 0

# --- a delivery queued behind --max-runs: still claimed, still a webhook run ------
w proj/hold.cadence.yaml "
cadence: hold
notes:
  hold: {run: [sh, -c, 'while [ ! -e $tmp/go ]; do sleep 0.05; done']}
measures:
  - then: hold
"
rm -f "$tmp/go"
before=$(runs_in_registry triage)
start_serve --max-runs 1
printf '{}' >"$tmp/empty-score.json"
post /cadences/hold/runs "$tmp/empty-score.json"
check_http "a run holds the one slot" 202 '"status":"running"'
post /hooks/issues "$gh" "X-GitHub-Event: issues" "X-GitHub-Delivery: d-20" \
	"X-Hub-Signature-256: $(sign_gh "$gh")"
check_http "a delivery behind it: 202, queued" 202 '"delivery":"d-20","replay":false,"status":"queued"'
idq=$(json_field id)
post /hooks/issues "$gh" "X-GitHub-Event: issues" "X-GitHub-Delivery: d-20" \
	"X-Hub-Signature-256: $(sign_gh "$gh")"
check_http "... redelivered while queued: a replay of it, nothing queued" 200 \
	"^\{\"id\":\"$idq\".*\"replay\":true"
touch "$tmp/go"
final_score "$idq" && check_http "... it ran once the slot freed" 200 '"trigger":"webhook".*"outcome":"ok"'
assert "... recorded once more with trigger webhook" test "$(runs_in_registry triage)" = $((before + 1))
stop_serve

# --- with tokens: no bearer token needed on a webhook ----------------------------
printf 'admin-0123456789abcdef admin\n' >"$tmp/tokens"
chmod 600 "$tmp/tokens"
start_serve --token-file "$tmp/tokens"
http_get /cadences
assert "with tokens: the API needs one" test "$code" = 401
sig=$(sign_gh "$gh")
post /hooks/issues "$gh" "X-GitHub-Event: issues" "X-GitHub-Delivery: d-1" \
	"X-Hub-Signature-256: $sig"
check_http "... a webhook does not; a delivery seen by the last server is a replay" 200 \
	"^\{\"id\":\"$id1\".*\"replay\":true"
post /hooks/issues "$gh" "X-GitHub-Event: issues" "X-GitHub-Delivery: d-10" \
	"X-Hub-Signature-256: $sig"
check_http "... a new delivery runs" 202
id10=$(json_field id)
final_score "$id10" "Authorization: Bearer admin-0123456789abcdef" &&
	check_http "... to its end" 200 '"outcome":"ok"'
post /hooks/issues "$gh" "X-GitHub-Delivery: d-11" "X-Hub-Signature-256: ${sig%?}0"
check_http "... a bad signature: 401" 401 "does not match"
stop_serve

# --- docs/openapi.json: the route's responses match its schemas ------------------
check_kept "the webhook responses match docs/openapi.json" "/hooks/{name}"

finish
