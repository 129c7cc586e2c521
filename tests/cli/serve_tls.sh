#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence serve over TLS (docs/serve.md, "TLS"): a self-signed certificate
# made here by openssl, served on 127.0.0.1 and checked by curl --cacert
# (requests, a run, an event stream); the settings from flags, the project
# file and CADENCE_*; and every bad certificate or key refused at start
# with a clear message and exit 2.
source "$(dirname "$0")/lib.sh"
need curl openssl

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
# selfsigned NAME: $tmp/NAME.crt and $tmp/NAME.key, for 127.0.0.1
selfsigned() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
		-addext 'subjectAltName=IP:127.0.0.1' -keyout "$tmp/$1.key" -out "$tmp/$1.crt" \
		>/dev/null 2>&1
}
selfsigned a || { echo "openssl cannot make a certificate"; exit 77; }
selfsigned b
chmod 600 "$tmp/a.key" "$tmp/b.key"

run_in "$proj" "$cadence" serve --listen 127.0.0.1:0 --tls-cert "$tmp/a.crt" --tls-key "$tmp/b.key"
if grep -q 'built without TLS' <<<"$err"; then
	echo "skip: this libmicrohttpd has no TLS: $err"
	exit 77
fi

# https METHOD PATH [BODY]: http's request, over TLS
serve_scheme=https
serve_curl=(--cacert "$tmp/a.crt")
https() { http "$1" "$2" '' "${@:3}"; }

# --- bad certificates and keys: exit 2, saying what and where -------------------------
expect "a key that is not the certificate's" 2 '' \
	"cannot start TLS with the certificate '$tmp/a.crt' and the key '$tmp/b.key': GnuTLS refused them"
assert "... GnuTLS's reason above it" grep -q 'do not match' <<<"$err"
w garbage.pem 'not a certificate at all'
run_in "$proj" "$cadence" serve --listen 127.0.0.1:0 --tls-cert "$tmp/garbage.pem" --tls-key "$tmp/a.key"
expect "a certificate that is not PEM" 2 '' \
	"^cadence: error: the TLS certificate '$tmp/garbage.pem' is not a PEM certificate \(no '-----BEGIN CERTIFICATE-----' line\)"
run_in "$proj" "$cadence" serve --listen 127.0.0.1:0 --tls-cert "$tmp/a.crt" --tls-key "$tmp/a.crt"
expect "a certificate given as the key" 2 '' "the TLS key '$tmp/a.crt' is not a PEM key"
printf -- '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' >"$tmp/broken.crt"
run_in "$proj" "$cadence" serve --listen 127.0.0.1:0 --tls-cert "$tmp/broken.crt" --tls-key "$tmp/a.key"
expect "a PEM certificate with a broken body" 2 '' "cannot start TLS with the certificate '$tmp/broken.crt'"
run_in "$proj" "$cadence" serve --listen 127.0.0.1:0 --tls-cert "$tmp/missing.crt" --tls-key "$tmp/a.key"
expect "a certificate that does not exist" 2 '' \
	"cannot read the TLS certificate '$tmp/missing.crt': No such file or directory"
mkdir "$tmp/dir.key"
run_in "$proj" "$cadence" serve --listen 127.0.0.1:0 --tls-cert "$tmp/a.crt" --tls-key "$tmp/dir.key"
expect "a key that cannot be read (a directory)" 2 '' "cannot read the TLS key '$tmp/dir.key': Is a directory"
run_in "$proj" "$cadence" serve --listen 127.0.0.1:0 --tls-cert "$tmp/a.crt"
expect "a certificate without its key" 2 '' \
	"TLS needs both a certificate and its key: --tls-cert FILE and --tls-key FILE .*only the certificate was given"
run_in "$proj" env CADENCE_TLS_KEY="$tmp/a.key" "$cadence" serve --listen 127.0.0.1:0
expect "a key without its certificate (CADENCE_TLS_KEY)" 2 '' "only the key was given"
if openssl pkey -in "$tmp/a.key" -aes256 -passout pass:secret -out "$tmp/enc.key" 2>/dev/null; then
	run_in "$proj" "$cadence" serve --listen 127.0.0.1:0 --tls-cert "$tmp/a.crt" --tls-key "$tmp/enc.key"
	expect "an encrypted key" 2 '' "the TLS key '$tmp/enc.key' is encrypted: serve takes a key without a passphrase"
else
	skip "an encrypted key" "openssl cannot encrypt a key"
fi

# --- HTTPS --------------------------------------------------------------------------------
start_serve --tls-cert "$tmp/a.crt" --tls-key "$tmp/a.key"
assert "the log says https" grep -q "listening on https://$addr/" "$tmp/serve.err"
https GET /healthz
check_http "GET /healthz over TLS, the certificate checked (curl --cacert)" 200 '"status":"ok"'
rc=0
curl -s -o /dev/null --max-time 20 "https://$addr/healthz" || rc=$?
assert "... a client that does not trust it refuses it (curl exit $rc)" test "$rc" = 60
rc=0
curl -s -o /dev/null --max-time 20 "http://$addr/healthz" || rc=$?
assert "... plain HTTP gets no answer (curl exit $rc)" test "$rc" != 0
https POST /cadences/hello/runs '{"name":"tls"}'
check_http "a run started over TLS" 202
id=$(grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1)
finished() { https GET "/runs/$id"; grep -q '"status":"finished"' <<<"$body"; }
wait_until "the run's end" finished
check_http "... it ends ok" 200 '"outcome":"ok",.*"greeting":"hi tls"'
curl -s -N --max-time 20 --cacert "$tmp/a.crt" -H 'Accept: text/event-stream' \
	"https://$addr/runs/$id/events" >"$tmp/sse" || :
assert "its events as Server-Sent Events over TLS" grep -qx 'event: end' "$tmp/sse"
# the dashboard's forms: a browser's Origin over TLS is https://HOST
curl -s -o "$tmp/list" --max-time 20 --cacert "$tmp/a.crt" "https://$addr/"
csrf=$(grep -o 'name="csrf" value="[0-9a-f]*"' "$tmp/list" | head -1 | sed 's/.*value="//; s/"//')
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 --cacert "$tmp/a.crt" \
	-H "Origin: https://$addr" --data-urlencode "csrf=$csrf" \
	"https://$addr/ui/cadences/hello/trigger") || code="curl failed: $?"
body=$(<"$tmp/body")
check_http "a dashboard form over TLS, Origin https://HOST: 303" 303
code=$(curl -s -o "$tmp/body" -w '%{http_code}' --max-time 20 --cacert "$tmp/a.crt" \
	-H "Origin: http://$addr" --data-urlencode "csrf=$csrf" \
	"https://$addr/ui/cadences/hello/trigger") || code="curl failed: $?"
body=$(<"$tmp/body")
check_http "... from http://HOST, another origin: 403" 403
kill -TERM "$spid"
wait_exit "$spid"
assert "SIGTERM: exit 0" test "$status" = 0

# the project file's keys (relative to the file), CADENCE_TLS_* over them
cp "$tmp/a.crt" "$tmp/a.key" "$proj/"
w proj/cadence.project.yaml "
cadences: [.]
serve:
  tls_cert: a.crt
  tls_key: a.key
"
start_serve
https GET /healthz
check_http "serve.tls_cert and serve.tls_key of the project file" 200
kill -TERM "$spid"
wait_exit "$spid"
run_in "$proj" env CADENCE_TLS_KEY="$tmp/b.key" "$cadence" serve --listen 127.0.0.1:0
expect "CADENCE_TLS_KEY over serve.tls_key" 2 '' "the key '$tmp/b.key'"

finish
