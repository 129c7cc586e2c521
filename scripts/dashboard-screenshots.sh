#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Makes docs/images/dashboard-list.png and dashboard-run.png: `cadence
# serve` on the bundled examples (examples/), on a loopback port, with a
# run of hello and one of sales, photographed by headless Debian Chromium
# (tests/dashboard/browser.mjs, the playwright-core of tests/mermaid).
#
#   scripts/dashboard-screenshots.sh BUILD/cli/cadence [OUTDIR]
set -euo pipefail
cadence=$(realpath "$1")
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath "${2:-$src/docs/images}")
tmp=$(mktemp -d)
spid=
cleanup() {
	[[ -z $spid ]] || kill -TERM "$spid" 2>/dev/null || :
	[[ -z $spid ]] || wait "$spid" 2>/dev/null || :
	rm -rf "$tmp"
}
trap cleanup EXIT
export CADENCE_STATE_DIR=$tmp/state
unset CADENCE_CADENCES CADENCE_TOKEN CADENCE_TOKEN_FILE CADENCE_LISTEN
(cd "$src/examples" && exec "$cadence" serve --listen 127.0.0.1:0 --ready-file "$tmp/ready" \
	2>"$tmp/serve.err") &
spid=$!
for _ in $(seq 100); do [[ -s $tmp/ready ]] && break; sleep 0.1; done
addr=$(<"$tmp/ready")
post() {
	curl -fsS -H 'Content-Type: application/json' --data "$2" "http://$addr/cadences/$1/runs" >/dev/null
}
post hello '{"name": "Ada"}'
sleep 1
post sales '{"region": "north"}'
for _ in $(seq 100); do
	[[ $(curl -fsS "http://$addr/healthz") == *'"running":0'* ]] && break
	sleep 0.1
done
node "$src/tests/dashboard/browser.mjs" screenshots "http://$addr" "$out"
