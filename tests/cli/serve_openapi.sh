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
# 415) are sent to every operation the document lists; add the requests
# that make the others in "the operations' own statuses" below.
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

# --- a project, two servers ------------------------------------------------------
proj=$tmp/proj
mkdir -p "$proj"
export CADENCE_STATE_DIR=$tmp/state
unset CADENCE_REGISTRY CADENCE_CADENCES CADENCE_LISTEN CADENCE_TOKEN CADENCE_TOKEN_FILE \
	CADENCE_GRACE CADENCE_TRIGGER CADENCE_SCHEDULES XDG_STATE_HOME
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

# x WANT METHOD PATH [AS] [CURL ARGS...]: one exchange, kept in $ex for the
# checker; AS (a method in capitals, or -) is the documented operation's
# method when another is sent (a 405).  Its status must be WANT.
ex=$tmp/ex
mkdir -p "$ex"
nex=0
x() {
	local want=$1 m=$2 p=$3 as=${4:--}
	shift 4
	nex=$((nex + 1))
	[[ $as == - ]] && as=$m
	# the method of the documented operation first, what was sent after
	printf '%s %s %s\n' "$as" "$p" "$m" >"$ex/$nex.req"
	code=$(curl -s -o "$ex/$nex.body" -D "$ex/$nex.headers" -w '%{http_code}' -X "$m" \
		--max-time 20 "$@" "http://$addr$p") || code="curl failed: $?"
	echo "$code" >"$ex/$nex.status"
	body=$(<"$ex/$nex.body")
	if [[ $code == "$want" ]]; then ok "$m $p: $want"; else fail "$m $p: $code, expected $want: ${body:0:200}"; fi
}
J=(-H 'Content-Type: application/json')
finished() {
	curl -s --max-time 20 -H "Authorization: Bearer $R" "http://$addr/runs/$1" |
		grep -q '"status":"finished"'
}

# the operations of the document: "auth|open METHOD PATH STATUS..." a line
node -e '
const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
for (const [p, item] of Object.entries(d.paths))
	for (const m of ["get", "put", "post", "delete", "patch"])
		if (item[m])
			console.log((item[m].security ?? d.security ?? []).length ? "auth" : "open",
				m.toUpperCase(), p, Object.keys(item[m].responses).join(" "));
' "$src/docs/openapi.json" >"$tmp/ops"
assert "the document has operations" test -s "$tmp/ops"

head -c 5000 /dev/zero | tr '\0' ' ' >"$tmp/big"
start_serve tokens --token-file "$tmp/tokens" --max-runs 1 --max-body 4096

# --- the operations' own statuses -------------------------------------------------
x 200 GET /healthz -
x 200 GET /openapi.json -
x 200 GET /cadences - -H "Authorization: Bearer $R"
x 202 POST /cadences/hello/runs - -H "Authorization: Bearer $X" "${J[@]}" -d '{"name":"ann"}'
rid=$(grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1)
wait_until "the run's end" finished "$rid"
x 200 GET "/runs/$rid" - -H "Authorization: Bearer $R"
x 200 GET "/runs/$rid/events" - -H "Authorization: Bearer $R"
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
rm -f "$tmp/go"
x 202 POST /cadences/waiter/runs - -H "Authorization: Bearer $X" "${J[@]}" -d '{}'
wid=$(grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1)
x 200 GET "/runs/$wid" - -H "Authorization: Bearer $R"
x 429 POST /cadences/hello/runs - -H "Authorization: Bearer $X" "${J[@]}" -d '{}'
x 202 POST "/runs/$wid/cancel" - -H "Authorization: Bearer $X"
wait_until "the cancelled run's end" finished "$wid"

# --- the generic statuses, for each operation the document lists ---------------
path_of() { local p=${1//\{name\}/hello}; echo "${p//\{id\}/$rid}"; }
while read -r kind m p statuses; do
	u=$(path_of "$p")
	for s in $statuses; do
		case $s in
		401) x 401 "$m" "$u" - ;;
		405) x 405 PUT "$u" "$m" -H "Authorization: Bearer $A" ;;
		413) x 413 "$m" "$u" - -H "Authorization: Bearer $A" "${J[@]}" --data-binary "@$tmp/big" ;;
		415) x 415 "$m" "$u" - -H "Authorization: Bearer $A" -H 'Content-Type: text/plain' -d 'x' ;;
		403) if [[ $kind == auth && $m != GET ]]; then
			x 403 "$m" "$u" - -H "Authorization: Bearer $R" "${J[@]}" -d '{}'
		     fi ;;
		esac
	done
done <"$tmp/ops"

# --- 500: the project's cadences, then the registry, unreadable ------------------
cp "$proj/cadence.project.yaml" "$tmp/project.yaml" 2>/dev/null || :
printf 'cadences: [nowhere]\n' >"$proj/cadence.project.yaml"
x 500 GET /cadences - -H "Authorization: Bearer $R"
x 500 POST /cadences/hello/runs - -H "Authorization: Bearer $X" "${J[@]}" -d '{}'
for t in pause resume disable enable; do
	x 500 POST "/cadences/nightly/$t" - -H "Authorization: Bearer $A"
done
rm "$proj/cadence.project.yaml"
rm -f "$CADENCE_STATE_DIR"/registry.db-*
head -c 8192 /dev/urandom >"$CADENCE_STATE_DIR/registry.db"
x 500 GET /history - -H "Authorization: Bearer $R"
rm -f "$CADENCE_STATE_DIR"/registry.db*

# --- 503: a trigger while the server stops, on a connection kept alive -----------
rm -f "$tmp/go"
run python3 - "$addr" "$X" "$spid" "$ex" "$nex" <<'PY'
import http.client, os, signal, sys, time
addr, token, pid, ex, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
host, port = addr.rsplit(":", 1)
c = http.client.HTTPConnection(host, int(port), timeout=20)
h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
def keep(method, path, r, body):
    global n
    n += 1
    open(f"{ex}/{n}.req", "w").write(f"{method} {path} {method}\n")
    open(f"{ex}/{n}.status", "w").write(f"{r.status}\n")
    hs = "".join(f"{k}: {v}\r\n" for k, v in r.getheaders())
    open(f"{ex}/{n}.headers", "w").write(f"HTTP/1.1 {r.status} {r.reason}\r\n{hs}\r\n")
    open(f"{ex}/{n}.body", "wb").write(body)
    print(r.status)
c.request("POST", "/cadences/waiter/runs", body="{}", headers=h)
r = c.getresponse(); keep("POST", "/cadences/waiter/runs", r, r.read())
os.kill(pid, signal.SIGTERM)
# until serve says it stops (on this connection: new ones are refused by then)
for _ in range(600):
    c.request("GET", "/healthz")
    if b'"stopping"' in c.getresponse().read():
        break
    time.sleep(0.05)
c.request("POST", "/cadences/hello/runs", body="{}", headers=h)
r = c.getresponse(); keep("POST", "/cadences/hello/runs", r, r.read())
PY
expect "a trigger on a kept-alive connection while the server stops: 503" 0 '^503$'
assert "... after one that started (202)" test "${out%%$'\n'*}" = 202
nex=$((nex + 2))
touch "$tmp/go"
wait_exit "$spid"

# --- 403 with no token configured: a request with an Origin, for each operation
start_serve open
while read -r kind m p statuses; do
	[[ " $statuses " == *" 403 "* ]] || continue
	x 403 "$m" "$(path_of "$p")" - -H 'Origin: http://evil.example'
done <"$tmp/ops"
kill -TERM "$spid"
wait_exit "$spid"

# --- the checker ----------------------------------------------------------------------
run node "$nd/check.mjs" "$src/docs/openapi.json" "$ex"
printf '%s\n' "$out" | grep -E '^(FAIL|# )' | head -40
expect "every answer matches docs/openapi.json, every documented status exercised ($nex answers)" 0 \
	'^ok - docs/openapi.json is valid OpenAPI 3\.1\.[0-9]+ \(swagger-parser\)$'
[[ $status == 0 ]] || echo "$err" | tail -5

finish
