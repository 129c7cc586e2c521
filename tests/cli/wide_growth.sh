#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# How the work grows with wide cadences (issue 15), counted, not timed:
# valgrind's cachegrind counts the instructions a command executes, which
# does not depend on the machine's speed or load.  Each command runs on a
# file of N notes over N fields and on one ten times as large; less the
# instructions of the same command on a one-note file (the process's
# start), the work must grow about tenfold: 10x when every lookup goes
# through an index and every check is one pass, up to 14x for the sorts
# (n log n).  The limit is 15x.  A path that costs notes x fields grows a
# hundredfold: it fails here once it is a tenth of the work or less (main
# before issue 15: 24x to 35x).  cli/wide_check checks what these
# commands print; this test checks how their cost grows.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || exit 77
command -v valgrind >/dev/null || { echo "skip: valgrind is not installed"; exit 77; }
[[ -z ${CADENCE_TEST_VALGRIND:-} ]] || { echo "skip: already under valgrind"; exit 77; }
# a sanitizer build does not run under valgrind
valgrind --tool=cachegrind --cachegrind-out-file=/dev/null "$cadence" --version >/dev/null 2>&1 ||
	{ echo "skip: this build does not run under valgrind (sanitizers?)"; exit 77; }

SMALL=300 LARGE=3000 LIMIT=15

# instructions CMD...: the instructions CMD executes (its exit status is
# in $status, its stdout in $out)
instructions() {
	status=0
	valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" \
		>"$tmp/.out" 2>"$tmp/.cg" || status=$?
	out=$(cat "$tmp/.out")
	sed -n 's/^==[0-9]*== I *refs: *//p' "$tmp/.cg" | tr -d ,
}

gen() {	# gen SHAPE N DIR
	mkdir -p "$3"
	python3 "$src/bench/gen_cadence.py" --shape "$1" --fields "$2" "$2" "$3" >/dev/null
}
gen chain 1 "$tmp/one"
gen chain "$SMALL" "$tmp/chain-small"
gen chain "$LARGE" "$tmp/chain-large"
gen sync "$SMALL" "$tmp/sync-small"
gen sync "$LARGE" "$tmp/sync-large"

# growth NAME CMD...: CMD with FILE replaced by each file, and the ratio
growth() {
	local name=$1 shape=$2
	shift 2
	local base small large
	base=$(instructions "${@/FILE/$tmp/one/big.cadence.yaml}")
	small=$(instructions "${@/FILE/$tmp/$shape-small/big.cadence.yaml}")
	local small_status=$status
	large=$(instructions "${@/FILE/$tmp/$shape-large/big.cadence.yaml}")
	if [[ -z $base || -z $small || -z $large || $small_status != 0 || $status != 0 ]]; then
		fail "$name: a command failed or was not counted (status $small_status, $status)"
		return
	fi
	local ratio
	ratio=$(awk -v b="$base" -v s="$small" -v l="$large" \
		'BEGIN { printf "%.1f", (l - b) / (s > b ? s - b : 1) }')
	echo "# $name: $base, $small and $large instructions: x$ratio for x$((LARGE / SMALL)) the notes and fields"
	assert "$name grows about linearly (x$ratio, at most x$LIMIT)" \
		awk -v r="$ratio" -v m="$LIMIT" 'BEGIN { exit !(r <= m) }'
}

growth "validate, chain" chain "$cadence" validate --strict --quiet FILE
growth "diagram, chain" chain "$cadence" diagram --format dot FILE
growth "run, chain" chain "$cadence" run --compact FILE
growth "validate, one sync" sync "$cadence" validate --strict --quiet FILE
growth "run, one sync" sync "$cadence" run --compact --jobs 1 FILE

finish
