#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every Mermaid diagram (the golden ones, hostile labels included, and the
# examples) is rendered by the real `mermaid` package, versions 10, 11 and
# 12, in headless Debian Chromium (tests/mermaid/render.mjs); any parse or render
# error fails, and so does a drawn label that differs from the user's text.
# scripts/install-deps.sh installs Chromium, Node.js and the npm packages.
set -u
cadence=$1 src=$2
dir=$src/tests/mermaid
# without the tools the test is skipped (77), as ctest reports, not failed
if [[ ! -d $dir/node_modules/playwright-core || ! -d $dir/node_modules/mermaid ]]; then
	echo "skip - all: $dir/node_modules is missing: run scripts/install-deps.sh (npm ci there)"
	exit 77
fi
if ! command -v node >/dev/null; then
	echo "skip - all: Node.js is not installed: run scripts/install-deps.sh"
	exit 77
fi
if [[ ! -x ${CHROMIUM:-/usr/bin/chromium} ]]; then
	echo "skip - all: Chromium is not installed: run scripts/install-deps.sh"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-mermaid.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Mermaid's limits, at the edge: 500 edges (start, 499 steps, end) must
# still render, and so must a text just under 50,000 characters.
gen() {	# gen NAME MEASURES [DESCRIPTION]
	{
		printf 'cadence: big\nnotes:\n  n: {symbol: n}\nmeasures:\n'
		for ((i = 0; i < $2; i++)); do
			printf '  - then: m%d\n    note: n\n' "$i"
			[[ -n ${3:-} ]] && printf "    description: '%s'\n" "$3"
		done
	} >"$tmp/$1.cadence.yaml"
	"$cadence" diagram "$tmp/$1.cadence.yaml" >"$tmp/$1.mmd" || exit 1
}
gen edges-500 499
gen text-50000 107 "$(printf '日本語の説明%.0s' {1..10})"
size=$(wc -c <"$tmp/text-50000.mmd")
if ((size < 49000 || size > 50000)); then
	echo "FAIL - text-50000.mmd is $size bytes; make the generator stay just under 50,000"
	exit 1
fi
# the examples, drawn expanded, as their README shows them
while IFS= read -r f; do
	name=${f#"$src/examples/"}
	name=${name%.cadence.yaml}
	"$cadence" diagram --expand -o "$tmp/example-${name//\//-}.mmd" "$f" || exit 1
done < <(find "$src/examples" -name '*.cadence.yaml' | sort)
node "$dir/render.mjs" "$src"/tests/golden/diagram/*.mmd "$tmp"/*.mmd
