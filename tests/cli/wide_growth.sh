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
need python3
command -v valgrind >/dev/null || { echo "skip - all: valgrind is not installed"; exit 77; }
[[ -z ${CADENCE_TEST_VALGRIND:-} ]] || { echo "skip - all: already under valgrind"; exit 77; }
# a sanitizer build does not run under valgrind
valgrind --tool=cachegrind --cachegrind-out-file=/dev/null "$cadence" --version >/dev/null 2>&1 ||
	{ echo "skip - all: this build does not run under valgrind (sanitizers?)"; exit 77; }

SMALL=300 LARGE=3000 LIMIT=15

# instructions VAR CMD...: sets VAR to the instructions CMD executes, and
# $status to its exit status (not in a subshell, which would lose it)
instructions() {
	local var=$1
	shift
	status=0
	valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" \
		>/dev/null 2>"$tmp/.cg" || status=$?
	printf -v "$var" '%s' "$(sed -n 's/^==[0-9]*== I *refs: *//p' "$tmp/.cg" | tr -d ,)"
}

gen() {	# gen SHAPE N DIR
	mkdir -p "$3"
	python3 "$src/bench/gen_cadence.py" --shape "$1" --fields "$2" "$2" "$3" >/dev/null
}
# gen_names KIND N DIR: N fields f0... and N notes, one `then` each.
# KIND errors: each note writes and reads a field that is not declared,
# and N more measures name notes that do not exist (each name not found is
# looked up; the first of each rule get a did-you-mean among all the
# fields or notes).  KIND input: each note sets its field, and beside the
# file an input score of N fields, none declared (x0...), each near every
# field of about its length.  KIND fallbacks: each note also has a
# fallback for its field (each checked against the field's type).
gen_names() {
	mkdir -p "$3"
	python3 - "$@" <<'PY'
import json, sys
kind, n, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
bad = kind == "errors"
fb = kind == "fallbacks"
out = ["cadence: " + kind, "score:"]
out += ["  f%d: {type: integer, default: 0}" % i for i in range(n)]
out.append("notes:")
out += ["  n%d: {set: {%s%d: score.%s%d + 1}%s}" % (i, "g" if bad else "f", i, "h" if bad else "f", i,
                                                   ", fallback: {f%d: %d}" % (i, i) if fb else "")
        for i in range(n)]
out.append("measures:")
out += ["  - then: n%d" % i for i in range(n)]
if bad:
    out += ["  - then: m%d\n    note: x%d" % (i, i) for i in range(n)]
open(d + "/big.cadence.yaml", "w").write("\n".join(out) + "\n")
if kind == "input":
    json.dump({"x%d" % i: 1 for i in range(n)}, open(d + "/big.cadence.yaml.input.json", "w"))
PY
}
# gen_layers N DIR: one dag of N tasks over ten fields, in layers of 10,
# each task after two of the layer before (as bench/gen_cadence.py's dag
# shape) and setting one field (last_write_wins).  A task's input is a
# parent's plus what its other ancestors changed; when it was the merge of
# all its ancestors' changes (O(ancestors) each), run grew 39x here.
gen_layers() {
	mkdir -p "$2"
	python3 - "$@" <<'PY'
import sys
n, d = int(sys.argv[1]), sys.argv[2]
out = ["cadence: layers", "score:"]
out += ["  f%d: {type: integer, default: 0}" % i for i in range(10)]
out.append("notes:")
out += ["  n%d: {set: {f%d: %d}}" % (i, i % 10, i) for i in range(n)]
out += ["measures:", "  - dag: all", "    merge: last_write_wins", "    jobs: 1", "    tasks:"]
for i in range(n):
    out.append("      - task: n%d" % i)
    layer, pos = divmod(i, 10)
    if layer:
        a, b = (layer - 1) * 10 + pos, (layer - 1) * 10 + (pos * 7 + 3) % 10
        out.append("        after: [%s]" % ", ".join("n%d" % x for x in sorted({a, b})))
open(d + "/big.cadence.yaml", "w").write("\n".join(out) + "\n")
PY
}
gen_names input 1 "$tmp/one"
for size in small large; do
	n=$SMALL
	[[ $size == small ]] || n=$LARGE
	gen chain "$n" "$tmp/chain-$size"
	gen_names input "$n" "$tmp/input-$size"
	gen sync "$n" "$tmp/sync-$size"
	gen_names errors "$n" "$tmp/errors-$size"
	gen_names fallbacks "$n" "$tmp/fallbacks-$size"
	gen_layers "$n" "$tmp/layers-$size"
done

# growth NAME SHAPE STATUS CMD...: CMD with FILE replaced by each file
# (STATUS: its exit status on the files of SHAPE), and the ratio; FILE in
# FILE.input.json too, the input score beside the file
growth() {
	local name=$1 shape=$2 want=$3
	shift 3
	local base small large small_status
	instructions base "${@/FILE/$tmp/one/big.cadence.yaml}"
	instructions small "${@/FILE/$tmp/$shape-small/big.cadence.yaml}"
	small_status=$status
	instructions large "${@/FILE/$tmp/$shape-large/big.cadence.yaml}"
	if [[ -z $base || -z $small || -z $large || $small_status != "$want" || $status != "$want" ]]; then
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

growth "validate, chain" chain 0 "$cadence" validate --strict --quiet FILE
growth "diagram, chain" chain 0 "$cadence" diagram --format dot FILE
growth "run, chain" chain 0 "$cadence" run --compact FILE
growth "validate, one sync" sync 0 "$cadence" validate --strict --quiet FILE
growth "run, one sync" sync 0 "$cadence" run --compact --jobs 1 FILE
growth "run, a dag in layers" layers 0 "$cadence" run --compact FILE
growth "validate, a fallback per note" fallbacks 0 "$cadence" validate --strict --quiet FILE
growth "validate, a name not found per note and per measure" errors 1 \
	"$cadence" validate --quiet FILE
growth "run, an input of as many unknown fields as declared ones" input 2 \
	"$cadence" run --score-file FILE.input.json FILE

finish
