#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every DOT diagram (the golden ones, hostile labels included, and the
# examples) goes through the real Graphviz `dot -Tsvg`; any error or
# warning on stderr fails.  The same files also render in process through
# libgvc (`--format svg|png`) with nothing on stderr.
source "$(dirname "$0")/lib.sh"
gold=$src/tests/golden/diagram

for f in "$gold"/*.dot; do
	if ! command -v dot >/dev/null; then
		skip "dot -Tsvg $(basename "$f")" "Graphviz 'dot' is not installed: run scripts/install-deps.sh"
		continue
	fi
	run dot -Tsvg "$f" -o "$tmp/out.svg"
	if [[ $status == 0 && -z $err && -s $tmp/out.svg ]]; then
		ok "dot -Tsvg $(basename "$f")"
	else
		fail "dot -Tsvg $(basename "$f") (stderr must be empty)"
	fi
done

# the dag example, drawn expanded, as its README shows it (the others'
# shapes are in the golden cases above; a dot process costs 0.3 s)
while IFS= read -r f; do
	name=${f#"$src/"}
	if ! command -v dot >/dev/null; then
		skip "dot -Tsvg $name" "Graphviz 'dot' is not installed: run scripts/install-deps.sh"
		continue
	fi
	run_in "$src" "$cadence" diagram --expand -f dot -o "$tmp/example.dot" "$f"
	[[ $status == 0 ]] && run dot -Tsvg "$tmp/example.dot" -o "$tmp/out.svg"
	if [[ $status == 0 && -z $err && -s $tmp/out.svg ]]; then
		ok "dot -Tsvg $name"
	else
		fail "dot -Tsvg $name (stderr must be empty)"
	fi
	rm -f "$tmp/example.dot" "$tmp/out.svg"
done < <(find "$src/examples/dag" -name '*.cadence.yaml' | sort)

# in process, through libgvc, for every case of the golden runner; under
# valgrind and in a sanitizer build each case in one of the two formats,
# in turn (each case and each renderer once: a Graphviz render there costs
# seconds, and cadence's path differs only in the format's name)
# The probe is the binary itself: under valgrind its SVG render (seconds
# there) is the loop's, which draws SVG first, and its --format and its
# write to stdout are memcheck/cli/diagram's (-f dot, -f mermaid, to
# stdout).  Without libgvc the refusal is its own path: it runs there.
fmts=(svg png) i=0
payment=$src/tests/diagram/fixtures/payment.cadence.yaml
if "$cadence_again" diagram --format svg "$payment" >/dev/null 2>&1; then
	while read -r name file opts; do
		[[ -z $name || $name == \#* ]] && continue
		[[ $(sampled 2 1) == 2 ]] || { fmts=(svg png); fmts=("${fmts[i++ % 2]}"); }
		for fmt in "${fmts[@]}"; do
			# shellcheck disable=SC2086
			run_in "$src" "$cadence" diagram $opts -o "$tmp/$name.$fmt" "$file"
			magic=$(head -c 8 "$tmp/$name.$fmt" 2>/dev/null | tr -d '\0' | tr -dc 'A-Za-z<?')
			if [[ $status == 0 && -z $err && ( $magic == *PNG* || $magic == *'<?xml'* ) ]]; then
				ok "libgvc $name.$fmt"
			else
				fail "libgvc $name.$fmt (status $status, magic '$magic')"
			fi
		done
	done <"$gold/cases"
else
	! under_valgrind || "$cadence" diagram --format svg "$payment" >/dev/null 2>&1
	echo "# built without libgvc: in-process rendering not tested"
fi
finish
