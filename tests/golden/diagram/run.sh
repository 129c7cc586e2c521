#!/usr/bin/env bash
# Golden diagrams: draws every case in `cases` in Mermaid and DOT and
# compares with NAME.mmd and NAME.dot.
#   run.sh CADENCE SOURCE_DIR        (UPDATE=1 rewrites the files)
# Results as every test script reports them (tests/cli/lib.sh).
source "$2/tests/cli/lib.sh"
dir=$src/tests/golden/diagram

while read -r name file opts; do
	[[ -z $name || $name == \#* ]] && continue
	for fmt in mermaid dot; do
		ext=$([[ $fmt == mermaid ]] && echo mmd || echo dot)
		want=$dir/$name.$ext got=$tmp/$name.$ext
		# shellcheck disable=SC2086 # options split on purpose
		(cd "$src" && "$cadence" diagram --format "$fmt" $opts "$file") >"$got" 2>"$tmp/err"
		status=$?
		if [[ $status != 0 ]]; then
			out= err=$(<"$tmp/err")
			fail "$name.$ext: exit $status"
		elif [[ ${UPDATE:-} == 1 ]]; then
			cp "$got" "$want"
			echo "updated $name.$ext"
		elif ! diff -u "$want" "$got"; then
			out= err=
			fail "$name.$ext differs (- expected, + actual); UPDATE=1 to accept"
		else
			ok "$name.$ext"
		fi
	done
done <"$dir/cases"
finish
