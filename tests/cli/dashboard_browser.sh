#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence serve's dashboard in headless Debian Chromium
# (tests/dashboard/browser.mjs, playwright-core of tests/mermaid): a
# hostile file name, description, score and note output render as text
# and run no script (window.__pwned stays unset), a run started through
# its form, and a pause and a resume done through the forms with
# JavaScript off, checked in GET /cadences.  Skipped (77) without node,
# Chromium or the node modules (scripts/install-deps.sh: npm ci in
# tests/mermaid).
source "$(dirname "$0")/lib.sh"
modules=${NODE_MODULES:-$src/tests/mermaid/node_modules}
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -d $modules/playwright-core ]]; then
	echo "skip - all: $modules/playwright-core is missing: run scripts/install-deps.sh (npm ci in tests/mermaid)"
	exit 77
fi
if [[ ! -x $chromium ]] || ! command -v node >/dev/null; then
	echo "skip - all: needs node and Chromium ($chromium)"
	exit 77
fi

serve_project

cat >"$proj/hostile.cadence.yaml" <<'EOF'
cadence: hostile
description: "<script>window.__pwned=2</script>"
notes:
  say: {run: [sh, -c, "echo '<b>bold</b> & \"quoted\"' >&2; echo {}"]}
score:
  name: {type: string, default: "you"}
measures:
  - then: say
EOF
cat >"$proj/<img src=x onerror=window.__pwned=1>.cadence.yaml" <<'EOF'
cadence: nightly
schedule: {cron: "30 2 * * *"}
notes:
  ok: {set: {done: "true"}}
score:
  done: {type: boolean, default: false}
measures:
  - then: ok
EOF

start_serve
NODE_MODULES=$modules CHROMIUM=$chromium node "$src/tests/dashboard/browser.mjs" test \
	"http://$addr" >"$tmp/out" 2>"$tmp/err"
rc=$?
while read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"FAIL - "*) fail "${line#FAIL - }" ;;
	esac
done <"$tmp/out"
assert "the browser checks ran to their end" test "$rc" = 0 -a -s "$tmp/out"
[[ $rc == 0 ]] || tail -5 "$tmp/err"
stop_serve
finish
