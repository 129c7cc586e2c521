#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/openapi.json against a real validator and against the server: the
# document is validated by @apidevtools/swagger-parser, then every endpoint
# of cadence serve is exercised over real HTTP (curl, 127.0.0.1, a port the
# kernel picks) for every status the document lists, each answer kept
# (status, headers, body), and tests/openapi/check.mjs checks each against
# the document (the operation's response for that status, its media type's
# schema with Ajv, its required headers) and that no documented status was
# left out.  The npm packages are tests/openapi's, pinned by its lock file
# and installed by `npm ci` (here, into $CADENCE_TEST_NODE_DIR, or by
# scripts/install-deps.sh); without Node.js or the packages: skipped (77).
#
# Adding an endpoint or a status: the generic statuses (401, 403, 405, 413,
# 415, and 429 of --rate) are sent to each operation that documents them
# (401 and 429 only where it takes a token), with its path's parameters
# filled in (path_of) and its request body's media type; add the requests
# that make the others in "the operations' own statuses" below.  Which
# generic statuses each operation must document is checked first (docs/
# serve.md, "Errors").  Two servers in all (valgrind runs each).
source "$(dirname "$0")/lib.sh"
need curl node python3

# --- the checker's packages: npm ci, once per lock file ------------------------
pkg=$src/tests/openapi
nd=${CADENCE_TEST_NODE_DIR:-$pkg}
have_modules() { [[ -f $1/node_modules/ajv/package.json &&
	-f $1/node_modules/@apidevtools/swagger-parser/package.json &&
	-f $1/node_modules/ajv-formats/package.json ]]; }
if [[ $nd != "$pkg" ]]; then
	mkdir -p "$nd"
	(
		flock 9	# one npm ci at a time (cli/ and memcheck/cli/ may run together)
		if ! have_modules "$nd" || ! cmp -s "$pkg/package-lock.json" "$nd/package-lock.json"; then
			cp "$pkg/package.json" "$pkg/package-lock.json" "$nd/" &&
				(cd "$nd" && timeout 300 npm ci --no-audit --no-fund --loglevel=error) \
				>"$tmp/npm.log" 2>&1 || rm -f "$nd/package-lock.json"
		fi
	) 9>"$nd.lock"
	have_modules "$nd" || nd=$pkg	# offline: the ones install-deps.sh installed
fi
if ! have_modules "$nd"; then
	echo "skip - all: the npm packages of tests/openapi are not installed (npm ci failed:" \
		"$(tail -1 "$tmp/npm.log" 2>/dev/null); scripts/install-deps.sh installs them)"
	exit 77
fi
[[ $nd == "$pkg" ]] || cp "$pkg/check.mjs" "$nd/check.mjs"

# --- a project with a webhook route, two servers -----------------------------------
proj=$tmp/proj
mkdir -p "$proj"
export CADENCE_STATE_DIR=$tmp/state
unset CADENCE_REGISTRY CADENCE_CADENCES CADENCE_LISTEN CADENCE_TOKEN CADENCE_TOKEN_FILE \
	CADENCE_GRACE CADENCE_TRIGGER CADENCE_SCHEDULES CADENCE_MAX_RUNS CADENCE_MAX_QUEUE \
	CADENCE_RATE CADENCE_BURST CADENCE_MAX_BODY XDG_STATE_HOME
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
schedule: {cron: "30 2 * * *"}
notes:
  ok: {set: {done: "true"}}
score:
  done: {type: boolean, default: false}
measures:
  - then: ok
'
# lasts until $tmp/go (60 s at most)
w proj/waiter.cadence.yaml "
cadence: waiter
notes:
  wait: {run: [sh, -c, 'i=0; while [ ! -e $tmp/go ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i+1)); done']}
measures:
  - then: wait
"
export OA_HOOK_SECRET="the webhook's secret"
w proj/cadence.project.yaml '
cadences: [.]
serve:
  webhooks:
    gh:
      cadence: hello
      signature: github
      secret_env: OA_HOOK_SECRET
      score:
        name: payload.name
'
cp "$proj/cadence.project.yaml" "$tmp/project.yaml"
w tokens "reader-0123456789abcdef read
runner-0123456789abcdef run
admin-0123456789abcdef admin
"
chmod 600 "$tmp/tokens"
R=reader-0123456789abcdef X=runner-0123456789abcdef A=admin-0123456789abcdef

start_serve() {	# NAME ARGS...: its address in $addr, its pid in $spid
	local name=$1
	shift
	rm -f "$tmp/ready"
	(cd "$proj" && exec "$cadence" serve --listen 127.0.0.1:0 --ready-file "$tmp/ready" \
		"$@" 2>"$tmp/serve-$name.err") &
	spid=$!
	wait_until "serve's ready file ($name)" test -s "$tmp/ready" || exit 1
	addr=$(<"$tmp/ready")
}

# x WANT METHOD PATH AS [CURL ARGS...]: one exchange, kept in $ex for the
# checker; AS (a method in capitals, or -) is the documented operation's
# method when another is sent (a 405).  Its status must be WANT.  With
# $tries above 1, tried again (the same files) until it is WANT.
ex=$tmp/ex
mkdir -p "$ex"
nex=0
tries=1
x() {
	local want=$1 m=$2 p=$3 as=${4:--} i
	shift 4
	nex=$((nex + 1))
	[[ $as == - ]] && as=$m
	# the method of the documented operation first, what was sent after
	printf '%s %s %s\n' "$as" "$p" "$m" >"$ex/$nex.req"
	for ((i = 0; i < tries; i++)); do
		# the rate's 429: a request that empties the bucket first
		[[ -z ${warm:-} ]] || curl -s -o /dev/null --max-time 20 "http://$addr$warm" || :
		code=$(curl -s -o "$ex/$nex.body" -D "$ex/$nex.headers" -w '%{http_code}' -X "$m" \
			--max-time 20 "$@" "http://$addr$p") || code="curl failed: $?"
		[[ $code != "$want" ]] || break
	done
	echo "$code" >"$ex/$nex.status"
	body=$(<"$ex/$nex.body")
	if [[ $code == "$want" ]]; then ok "$m $p: $want"; else fail "$m $p: $code, expected $want: ${body:0:200}"; fi
}
J=(-H 'Content-Type: application/json')
finished() {
	curl -s --max-time 20 -H "Authorization: Bearer $R" "http://$addr/runs/$1" |
		grep -q '"status":"finished"'
}
run_id() { grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1; }
# hook WANT DELIVERY JSON [CURL ARGS...]: a delivery to POST /hooks/gh,
# signed as GitHub signs (X-Hub-Signature-256; with $key, under that
# secret instead of the route's), its id DELIVERY (- : none)
hook() {
	local want=$1 id=$2
	printf '%s' "$3" >"$tmp/delivery"
	shift 3
	local sig
	sig=$(python3 -c 'import hmac, hashlib, sys
print("sha256=" + hmac.new(sys.argv[1].encode(), open(sys.argv[2], "rb").read(), hashlib.sha256).hexdigest())' \
		"${key:-$OA_HOOK_SECRET}" "$tmp/delivery")
	local args=(-H "X-Hub-Signature-256: $sig" -H 'X-GitHub-Event: push' "${J[@]}"
		--data-binary "@$tmp/delivery")
	[[ $id == - ]] || args+=(-H "X-GitHub-Delivery: $id")
	x "$want" POST /hooks/gh - "${args[@]}" "$@"
}
# ui WANT PATH [FIELDS...]: a form of the dashboard, as the admin token
# (the page's CSRF token in $csrf, unless a field gives another)
ui() {
	local want=$1 p=$2 f
	shift 2
	local args=(-H "Authorization: Bearer $A" --data-urlencode "csrf=$csrf")
	for f in "$@"; do args+=(--data-urlencode "$f"); done
	[[ $* != *csrf=* ]] || args=(-H "Authorization: Bearer $A" --data-urlencode "$*")
	x "$want" POST "$p" - "${args[@]}"
}

# the operations of the document: "auth|open METHOD PATH BODY-TYPE STATUS..."
# a line; first, that each documents the generic statuses that apply to it
# (docs/serve.md, "Errors": 413 and 415 on any path, 405 on every path for
# a method it does not take; with a token 401, 403 (scope) and 429 (the
# rate); without, 403 (an Origin, no token configured) but for webhooks,
# whose signature is their authentication)
run node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
let bad = 0;
for (const [p, item] of Object.entries(d.paths))
	for (const m of ["get", "put", "post", "delete", "patch"]) {
		const op = item[m];
		if (!op)
			continue;
		const auth = (op.security ?? d.security ?? []).length > 0;
		const has = (s) => s in op.responses;
		const want = ["413", "415", ...(auth ? ["401", "403", "429"] : []),
			...(!auth && !p.startsWith("/hooks/") ? ["403"] : [])];
		if (!Object.values(item).some((o) => o?.responses?.["405"]))
			want.push("405");
		const missing = want.filter((s) => !has(s));
		if (missing.length) {
			console.error(`${m.toUpperCase()} ${p} does not document ${missing.join(", ")}`);
			bad = 1;
		}
		// the body a route takes, whatever the method (the server judges a
		// GET /ui/login with a body as a form of that path)
		const body = op.requestBody ?? Object.values(item).find((o) => o?.requestBody)?.requestBody;
		const type = Object.keys(body?.content ?? {})[0] ?? "application/json";
		console.log(auth ? "auth" : "open", m.toUpperCase(), p, type,
			Object.keys(op.responses).join(" "));
	}
process.exit(bad);
' "$src/docs/openapi.json"
expect "each operation documents the generic statuses that apply to it" 0
printf '%s\n' "$out" >"$tmp/ops"
assert "the document has operations" test -s "$tmp/ops"

# A path of the document with its parameters filled in: a cadence with a
# schedule, the webhook route, a run of this server, an action of the form
path_of() {
	local p=$1
	case $p in
	/hooks/*) p=${p//\{name\}/gh} ;;
	*) p=${p//\{name\}/nightly} ;;
	esac
	p=${p//\{action\}/pause}
	echo "${p//\{id\}/$rid}"
}

head -c 5000 /dev/zero | tr '\0' ' ' >"$tmp/big"
# one run at a time, one more queued: the queue's 202 and its 429
start_serve tokens --token-file "$tmp/tokens" --max-runs 1 --max-queue 1 --max-body 4096

# --- the operations' own statuses -------------------------------------------------
x 200 GET /healthz -
x 200 GET /openapi.json -
x 200 GET /cadences - -H "Authorization: Bearer $R"
x 202 POST /cadences/hello/runs - -H "Authorization: Bearer $X" "${J[@]}" -d '{"name":"ann"}'
rid=$(run_id)
wait_until "the run's end" finished "$rid"
x 200 GET "/runs/$rid" - -H "Authorization: Bearer $R"
x 200 GET "/runs/$rid/events" - -H "Authorization: Bearer $R"
x 200 GET "/runs/$rid/events" - -H "Authorization: Bearer $R" -H 'Accept: text/event-stream'
assert "... with Accept: text/event-stream: Server-Sent Events, to the end" \
	grep -qi '^content-type: text/event-stream' "$ex/$nex.headers"
assert "... the stream's end event" grep -q '^event: end' "$ex/$nex.body"
x 409 POST "/runs/$rid/cancel" - -H "Authorization: Bearer $X"
nid=0123456789abcdef0123456789abcdef
x 404 GET "/runs/$nid" - -H "Authorization: Bearer $R"
x 404 GET "/runs/$nid/events" - -H "Authorization: Bearer $R"
x 404 POST "/runs/$nid/cancel" - -H "Authorization: Bearer $X"
x 400 POST /cadences/hello/runs - -H "Authorization: Bearer $X" "${J[@]}" -d '[1]'
x 404 POST /cadences/nosuch/runs - -H "Authorization: Bearer $X" "${J[@]}" -d '{}'
for t in pause resume disable enable; do
	x 200 POST "/cadences/nightly/$t" - -H "Authorization: Bearer $A"
	x 404 POST "/cadences/nosuch/$t" - -H "Authorization: Bearer $A"
	x 409 POST "/cadences/hello/$t" - -H "Authorization: Bearer $A"
done
x 200 GET '/history?limit=5' - -H "Authorization: Bearer $R"
x 400 GET '/history?limit=0' - -H "Authorization: Bearer $R"
x 200 GET /metrics - -H "Authorization: Bearer $R"

# the dashboard: its pages (bearer, then a session cookie), the forms
x 200 GET /ui/login -
x 403 GET /ui/login - -H 'Origin: http://evil.example'
x 400 POST /ui/login - -d 'other=1'
x 401 POST /ui/login - --data-urlencode 'token=not-a-token-0123456789'
x 403 POST /ui/login - -H 'Origin: http://evil.example' --data-urlencode "token=$R"
x 303 POST /ui/login - --data-urlencode "token=$A"
cookie=$(grep -i '^set-cookie:' "$ex/$nex.headers" | tr -d '\r' | sed 's/^[^:]*: //; s/;.*//')
x 200 GET / - -H "Cookie: $cookie"
x 303 POST /ui/logout -
x 200 GET / - -H "Authorization: Bearer $A"
csrf=$(grep -o 'name="csrf" value="[0-9a-f]*"' <<<"$body" | head -1 | sed 's/.*value="//; s/"//')
assert "the dashboard's forms carry a CSRF token" test -n "$csrf"
x 200 GET "/ui/runs/$rid" - -H "Authorization: Bearer $R"
x 404 GET "/ui/runs/$nid" - -H "Authorization: Bearer $R"
x 200 GET "/ui/runs/$rid/diagram.svg" - -H "Authorization: Bearer $R"
x 404 GET "/ui/runs/$nid/diagram.svg" - -H "Authorization: Bearer $R"
ui 303 /ui/cadences/nightly/pause
ui 303 /ui/cadences/nightly/resume
ui 403 /ui/cadences/nightly/pause csrf=0123
ui 409 /ui/cadences/hello/pause
ui 404 /ui/cadences/nosuch/trigger
ui 400 /ui/cadences/hello/trigger 'score=[1]'
ui 303 /ui/cadences/hello/trigger 'score={"name":"bob"}'
uid=$(grep -i '^location:' "$ex/$nex.headers" | grep -Eo '[0-9a-f]{32}')
wait_until "the dashboard's run's end" finished "$uid"

# the webhook route: a delivery, its replay, and each refusal
hook 202 d-1 '{"name":"gh"}'
hid=$(run_id)
wait_until "the webhook's run's end" finished "$hid"
x 200 GET "/runs/$hid" - -H "Authorization: Bearer $R"
# docs/serve.md, "GET /runs/ID": `webhook` (by a webhook)
assert "a webhook's run: trigger webhook" \
	grep -q '"trigger":"webhook"' "$ex/$nex.body"
hook 200 d-1 '{"name":"gh"}'
key=another-secret hook 401 d-2 '{"name":"gh"}'
x 401 POST /hooks/gh - "${J[@]}" -H 'X-GitHub-Delivery: d-2' -d '{"name":"gh"}'
hook 400 - '{"name":"gh"}'
hook 400 d-3 '{"name":'
hook 422 d-4 '{"nom":"gh"}'
x 404 POST /hooks/nosuch - "${J[@]}" -d '{}'

# a run that waits for $tmp/go, then the queue: one run waits in it, the
# next is refused (429), by the API, a form and a webhook alike
rm -f "$tmp/go"
x 202 POST /cadences/waiter/runs - -H "Authorization: Bearer $X" "${J[@]}" -d '{}'
wid=$(run_id)
x 200 GET "/runs/$wid" - -H "Authorization: Bearer $R"
x 202 POST /cadences/hello/runs - -H "Authorization: Bearer $X" "${J[@]}" -d '{}'
qid=$(run_id)
assert "... beyond --max-runs: queued" grep -q '"status":"queued"' "$ex/$nex.body"
x 200 GET "/runs/$qid" - -H "Authorization: Bearer $R"
assert "... GET says so" grep -q '"status":"queued"' "$ex/$nex.body"
x 429 POST /cadences/hello/runs - -H "Authorization: Bearer $X" "${J[@]}" -d '{}'
ui 429 /ui/cadences/hello/trigger
hook 429 d-5 '{"name":"gh"}'
x 202 POST "/runs/$qid/cancel" - -H "Authorization: Bearer $X"
x 200 GET "/runs/$qid" - -H "Authorization: Bearer $R"
assert "a queued run cancelled: finished, interrupted, never started" \
	grep -q '"status":"finished","outcome":"interrupted".*"start":null' "$ex/$nex.body"
# docs/serve.md, "Webhooks": a new delivery starts a run as POST
# /cadences/NAME/runs does (queued beyond --max-runs), redeliveries start
# nothing
hook 202 d-6 '{"name":"queued"}'
hqid=$(run_id)
assert "a webhook's run beyond --max-runs: queued" \
	grep -q '"status":"queued"' "$ex/$nex.body"
hook 200 d-6 '{"name":"queued"}'
assert "... its redelivery: the first run's id" \
	grep -q "\"id\":\"$hqid\"" "$ex/$nex.body"
[[ -z $hqid ]] || curl -s -o /dev/null --max-time 20 -X POST -H "Authorization: Bearer $X" \
	"http://$addr/runs/$hqid/cancel"
# docs/serve.md, "Dashboard": a form that worked answers 303 to the new
# run's page, a queued run's too
ui 303 /ui/cadences/hello/trigger
x 202 POST "/runs/$wid/cancel" - -H "Authorization: Bearer $X"
wait_until "the cancelled run's end" finished "$wid"
wait_until "no run left" eval 'curl -s --max-time 20 "http://$addr/healthz" | grep -q "\"running\":0"'

# --- the generic statuses, for each operation that documents them ---------------
while read -r kind m p type statuses; do
	u=$(path_of "$p")
	for s in $statuses; do
		case $s in
		401) [[ $kind != auth ]] || x 401 "$m" "$u" - ;;
		405) x 405 PUT "$u" "$m" -H "Authorization: Bearer $A" ;;
		413) x 413 "$m" "$u" - -H "Authorization: Bearer $A" -H "Content-Type: $type" \
			--data-binary "@$tmp/big" ;;
		415) x 415 "$m" "$u" - -H "Authorization: Bearer $A" -H 'Content-Type: text/plain' -d 'x' ;;
		403) if [[ $kind == auth && $m != GET ]]; then
			x 403 "$m" "$u" - -H "Authorization: Bearer $R" -H "Content-Type: $type" -d '{}'
		     fi ;;
		esac
	done
done <"$tmp/ops"

# --- 500: the project's cadences, a cadence's file, then the registry, unreadable -----
printf 'cadences: [nowhere]\n' >"$proj/cadence.project.yaml"
x 500 GET /cadences - -H "Authorization: Bearer $R"
x 500 GET / - -H "Authorization: Bearer $R"
x 500 POST /cadences/hello/runs - -H "Authorization: Bearer $X" "${J[@]}" -d '{}'
hook 500 d-7 '{"name":"gh"}'
for t in pause resume disable enable; do
	x 500 POST "/cadences/nightly/$t" - -H "Authorization: Bearer $A"
done
cp "$tmp/project.yaml" "$proj/cadence.project.yaml"
cp "$proj/hello.cadence.yaml" "$tmp/hello.yaml"
printf 'cadence: [\n' >"$proj/hello.cadence.yaml"
x 500 GET "/ui/runs/$rid/diagram.svg" - -H "Authorization: Bearer $R"
cp "$tmp/hello.yaml" "$proj/hello.cadence.yaml"
mv "$CADENCE_STATE_DIR/registry.db" "$tmp/registry.db"
rm -f "$CADENCE_STATE_DIR"/registry.db-*
head -c 8192 /dev/urandom >"$CADENCE_STATE_DIR/registry.db"
x 500 GET /history - -H "Authorization: Bearer $R"
rm -f "$CADENCE_STATE_DIR"/registry.db*
mv "$tmp/registry.db" "$CADENCE_STATE_DIR/registry.db"

# --- 503: triggers while the server stops, on a connection kept alive -----------
rm -f "$tmp/go"
run python3 - "$addr" "$X" "$A" "$csrf" "$OA_HOOK_SECRET" "$spid" "$ex" "$nex" <<'PY'
import hashlib, hmac, http.client, os, signal, sys, time
addr, token, admin, csrf, secret = sys.argv[1:6]
pid, ex, n = int(sys.argv[6]), sys.argv[7], int(sys.argv[8])
host, port = addr.rsplit(":", 1)
c = http.client.HTTPConnection(host, int(port), timeout=20)
h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
def keep(method, path, body, headers):
    global n
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    n += 1
    open(f"{ex}/{n}.req", "w").write(f"{method} {path} {method}\n")
    open(f"{ex}/{n}.status", "w").write(f"{r.status}\n")
    hs = "".join(f"{k}: {v}\r\n" for k, v in r.getheaders())
    open(f"{ex}/{n}.headers", "w").write(f"HTTP/1.1 {r.status} {r.reason}\r\n{hs}\r\n")
    open(f"{ex}/{n}.body", "wb").write(data)
    print(r.status)
keep("POST", "/cadences/waiter/runs", "{}", h)
os.kill(pid, signal.SIGTERM)
# until serve says it stops (on this connection: new ones are refused by then)
for _ in range(600):
    c.request("GET", "/healthz")
    if b'"stopping"' in c.getresponse().read():
        break
    time.sleep(0.05)
keep("POST", "/cadences/hello/runs", "{}", h)
keep("POST", "/ui/cadences/hello/trigger", f"csrf={csrf}",
     {"Authorization": "Bearer " + admin, "Content-Type": "application/x-www-form-urlencoded"})
body = b'{"name":"late"}'
sig = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
keep("POST", "/hooks/gh", body, {"Content-Type": "application/json", "X-GitHub-Delivery": "d-8",
                                 "X-Hub-Signature-256": sig})
PY
expect "while the server stops, on a kept-alive connection: ..." 0
assert "... a trigger, a form and a webhook: 503 after one that started (202)" \
	test "$(echo $out)" = "202 503 503 503"
nex=$((nex + 4))
touch "$tmp/go"
wait_exit "$spid"

# --- with no token configured: 403 to a request with an Origin, for each
# operation; the rate (--rate 1 --burst 1, per address): 429 for each that
# takes a token, after a request that empties the bucket
start_serve open --rate 1 --burst 1
while read -r kind m p type statuses; do
	[[ " $statuses " == *" 403 "* ]] || continue
	x 403 "$m" "$(path_of "$p")" - -H 'Origin: http://evil.example'
done <"$tmp/ops"
tries=3 warm=/nosuch
while read -r kind m p type statuses; do
	[[ $kind == auth && " $statuses " == *" 429 "* ]] || continue
	x 429 "$m" "$(path_of "$p")" -
done <"$tmp/ops"
tries=1 warm=
kill -TERM "$spid"
wait_exit "$spid"

# --- the checker ----------------------------------------------------------------------
run node "$nd/check.mjs" "$src/docs/openapi.json" "$ex"
printf '%s\n' "$out" | grep -E '^(FAIL|# )' | head -40
expect "every answer matches docs/openapi.json, every documented status exercised ($nex answers)" 0 \
	'^ok - docs/openapi.json is valid OpenAPI 3\.1\.[0-9]+ \(swagger-parser\)$'
[[ $status == 0 ]] || echo "$err" | tail -5

finish
