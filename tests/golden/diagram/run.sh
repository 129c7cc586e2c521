#!/usr/bin/env bash
# Golden diagrams: draws every case in `cases` in Mermaid and DOT and
# compares with NAME.mmd and NAME.dot.
#   run.sh CADENCE SOURCE_DIR        (UPDATE=1 rewrites the files)
set -u
cadence=$1 src=$2
dir=$src/tests/golden/diagram
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-diagram.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passes=0 fails=0

while read -r name file opts; do
	[[ -z $name || $name == \#* ]] && continue
	for fmt in mermaid dot; do
		ext=$([[ $fmt == mermaid ]] && echo mmd || echo dot)
		want=$dir/$name.$ext got=$tmp/$name.$ext
		# shellcheck disable=SC2086 # options split on purpose
		(cd "$src" && "$cadence" diagram --format "$fmt" $opts "$file") >"$got" 2>"$tmp/err"
		status=$?
		if [[ $status != 0 ]]; then
			echo "FAIL - $name.$ext: exit $status"
			cat "$tmp/err"
			fails=$((fails + 1))
		elif [[ ${UPDATE:-} == 1 ]]; then
			cp "$got" "$want"
			echo "updated $name.$ext"
		elif ! diff -u "$want" "$got"; then
			echo "FAIL - $name.$ext differs (- expected, + actual); UPDATE=1 to accept"
			fails=$((fails + 1))
		else
			echo "ok - $name.$ext"
			passes=$((passes + 1))
		fi
	done
done <"$dir/cases"
echo "$passes passed, $fails failed"
[[ $fails == 0 ]]
