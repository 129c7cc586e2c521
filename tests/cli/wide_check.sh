#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Wide cadences (issue 15): a score of thousands of fields and a sync of a
# thousand notes through validate, diagram and run, and their results.
# Every name is found through an index and every check is one pass, so
# each command takes a fraction of a second; a path like the sync check
# that once compared pairs of notes field by field would take minutes and
# hit the test's timeout (tests/cli.cmake) instead of passing.
source "$(dirname "$0")/lib.sh"
need python3

# gen FILE FIELDS NOTES SHARED: note i sets field NOTES + i from field i,
# and, when SHARED > 0, field i % SHARED too; all of them in one sync,
# then a split and a note that reads the last field.
gen() {
	python3 - "$@" <<'PY'
import sys
path, nf, nn, shared = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
out = ["cadence: wide", "score:"]
out += ["  f%d: {type: integer, default: 0}" % i for i in range(nf)]
out.append("notes:")
for i in range(nn):
    sets = ["f%d: score.f%d + 1" % (nn + i, i)]
    if shared:
        sets.append("f%d: 1" % (i % shared))
    out.append("  n%d: {set: {%s}}" % (i, ", ".join(sets)))
out.append("  yes: {set: {f%d: 2}}" % (nf - 1))
out.append("  no: {set: {f%d: 3}}" % (nf - 1))
out.append("  last: {set: {f%d: score.f%d + score.f%d}, reads: [f%d]}" % (nf - 2, nf - 1, 2 * nn - 1, nf - 1))
out.append("measures:")
out.append("  - sync: all")
out.append("    notes: [%s]" % ", ".join("n%d" % i for i in range(nn)))
out.append("  - split: pick")
out.append("    when: score.f%d == 1" % (2 * nn - 1))
out.append("    if_true: [yes]")
out.append("    if_false: [no]")
out.append("  - then: last")
open(path, "w").write("\n".join(out) + "\n")
PY
}

gen "$tmp/wide.cadence.yaml" 5000 1000 0
run "$cadence" validate "$tmp/wide.cadence.yaml"
expect "validate: 5,000 fields, a sync of 1,000 notes" 0 'no problems'

run "$cadence" diagram --format dot "$tmp/wide.cadence.yaml"
expect "diagram: every note of the sync" 0 'm_all__n999 \[label="n999"\];'

run "$cadence" run "$tmp/wide.cadence.yaml"
expect "run: the sync's writes merged" 0 '"f1999":[[:space:]]+1,'
expect "run: the split and the last note" 0 '"f4998":[[:space:]]+3,'

# 150 fields each written by 6 or 7 notes of the sync: one write-conflict
# per field, the first 100 of them listed
gen "$tmp/conflicts.cadence.yaml" 5000 1000 150
run "$cadence" validate -f oneline "$tmp/conflicts.cadence.yaml"
expect "validate: one write-conflict per field" 1 \
	"notes 'n0', 'n150', 'n300', 'n450' and 3 more all write 'f0' in sync 'all' \(merge: fail_on_conflict\) \[write-conflict\]"
assert "validate: 100 write-conflicts, then how many more" \
	[ "$(grep -c 'write-conflict\]$' <<<"$out")" = 101 ]
expect "validate: the count of the rest" 1 "50 more write-conflict diagnostics not shown"

finish
