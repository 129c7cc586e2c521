#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 14 item 5: diagnostics are bounded.  One sync of N notes that all
# write one field gives one write-conflict (not one per pair: 1,000 notes
# gave 499,500 diagnostics, 443 MB; 10,000 never finished), and at most
# 100 diagnostics of one rule are listed per file, then one line says how
# many more there are (docs/cli.md "Output formats").
source "$(dirname "$0")/lib.sh"

# The files and counts in python, one python3 for the script (py_serve,
# tests/cli/lib.sh; a start each cost 0.08 s, nine of them):
#   sync N FILE MERGE  one sync of N set notes, all setting the string 'x'
#   cap FILE           150 conflicts in one file
#   count RULE FILE    the diagnostics of RULE in the JSON report FILE
#   results FILE       the results of the SARIF report FILE
py_serve json -- '
import contextlib, json, sys
def sync(n, merge):
    print("cadence: conflicts\nscore:\n  x: {type: string, default: a}\nnotes:")
    for i in range(n):
        print(f"  n{i}: {{set: {{x: \x27\"v\"\x27}}}}")
    print("measures:\n  - sync: all")
    if merge:
        print(f"    merge: {merge}")
    print("    notes: [" + ", ".join(f"n{i}" for i in range(n)) + "]")
def cap():
    n = 150
    print("cadence: cap\nscore:")
    for i in range(n):
        print(f"  f{i:03}: {{type: string, default: a}}")
    w = ", ".join(f"f{i:03}" for i in range(n))
    print(f"notes:\n  a: {{symbol: a, writes: [{w}]}}\n  b:\n    symbol: b\n    writes:")
    for i in range(n):
        print(f"      - f{i:03}")
    print("measures:\n  - sync: s\n    notes: [a, b]")
def main(argv):
    what = argv[0]
    if what == "sync":
        with open(argv[2], "w") as f, contextlib.redirect_stdout(f):
            sync(int(argv[1]), argv[3])
    elif what == "cap":
        with open(argv[1], "w") as f, contextlib.redirect_stdout(f):
            cap()
    elif what == "count":
        print(sum(d["rule"] == argv[1] for d in json.load(open(argv[2]))["diagnostics"]))
    elif what == "results":
        print(len(json.load(open(argv[1]))["runs"][0]["results"]))
'
sync_file() { py_call sync "$1" "$2" "${3:-}"; }
# count RULE: the diagnostics of RULE in the JSON report in $out
count() { printf '%s' "$out" >"$tmp/report.json"; py_call count "$1" "$tmp/report.json"; }

# --- one write-conflict per field, listing the notes -----------------------------------------
sync_file 1000 "$tmp/s1000.cadence.yaml"
run "$cadence" validate --format json "$tmp/s1000.cadence.yaml"
n1000=$(count write-conflict)
if [[ $status == 1 && $n1000 == 1 ]]; then
	ok "issue 14 item 5: a sync of 1,000 notes writing one field: one write-conflict"
else
	fail "issue 14 item 5: a sync of 1,000 notes writing one field: $n1000 write-conflicts, expected 1"
fi
run "$cadence" validate --color=never "$tmp/s1000.cadence.yaml"
expect "item 5: the diagnostic names the first notes and counts the rest" 1 \
	"error: notes 'n0', 'n1', 'n2', 'n3' and 996 more all write 'x' in sync 'all' \(merge: fail_on_conflict\) \[write-conflict\]"
expect "item 5: it points at the second note's write" 1 "s1000.cadence.yaml:6:14: error: notes"
expect "item 5: related to the first note's write" 1 "= note: also written here at .*s1000.cadence.yaml:5:14$"
assert "item 5: the report is small (under 2 KB)" test "$(wc -c <"$tmp/.out")" -lt 2048

# 10,000 notes (the documented limit) only when 1,000 was bounded: an
# unbounded build would take gigabytes here.  timeout is a hang guard only.
if [[ $n1000 == 1 ]]; then
	sync_file 10000 "$tmp/s10000.cadence.yaml"
	run timeout 300 "$cadence" validate --color=never "$tmp/s10000.cadence.yaml"
	expect "item 5: a sync of 10,000 notes writing one field: one write-conflict" 1 \
		"and 9996 more all write 'x'"
	expect "item 5: 10,000 notes: one error in all" 1 "checked 1 file: 1 error, 0 warnings"
	assert "item 5: 10,000 notes: the report is small (under 2 KB)" \
		test "$(wc -c <"$tmp/.out")" -lt 2048
else
	fail "item 5: 10,000 notes not tried: 1,000 gave $n1000 diagnostics"
fi

sync_file 3 "$tmp/s3.cadence.yaml" smart_merge
run "$cadence" validate --color=never "$tmp/s3.cadence.yaml"
expect "item 5: smart_merge, three notes on a string field: one diagnostic naming all three" 1 \
	"notes 'n0', 'n1' and 'n2' all write the string field 'x' in sync 'all' \(merge: smart_merge\)"
sync_file 3 "$tmp/lww.cadence.yaml" last_write_wins
run "$cadence" validate --color=never "$tmp/lww.cadence.yaml"
expect "item 5: last_write_wins: no conflict" 0 "no problems"

# A note listing the field in writes: and set: is one writer, not two.
cat >"$tmp/twice.cadence.yaml" <<'EOF'
cadence: twice
score:
  x: {type: string, default: a}
notes:
  a: {set: {x: '"v"'}, writes: [x]}
  b: {symbol: b, writes: [x]}
measures:
  - sync: s
    notes: [a, b]
EOF
run "$cadence" validate --color=never "$tmp/twice.cadence.yaml"
expect "item 5: a note writing the field twice counts once" 1 \
	"notes 'a' and 'b' both write 'x' in sync 's'"
expect "item 5: ... once: one error" 1 "1 error, 0 warnings"

# --- at most 100 diagnostics of one rule per file, then a count ---------------------------------
py_call cap "$tmp/cap.cadence.yaml"
run "$cadence" validate --format json "$tmp/cap.cadence.yaml"
assert "item 5: 150 conflicts in one file: 101 diagnostics (100 and the count)" \
	test "$(count write-conflict)" = 101
run "$cadence" validate --color=never "$tmp/cap.cadence.yaml"
expect "item 5: the count says how many more, at the first left out" 1 \
	"cap.cadence.yaml:258:9: error: 50 more write-conflict diagnostics not shown \(at most 100 of one rule are listed per file\); the first of them is here \[write-conflict\]"
expect "item 5: the last listed is the 100th" 1 \
	"cap.cadence.yaml:257:9: error: notes 'a' and 'b' both write 'f099'"
expect "item 5: the exit status and summary count what is listed" 1 \
	"checked 1 file: 101 errors, 0 warnings"
run "$cadence" validate --format sarif "$tmp/cap.cadence.yaml"
assert "item 5: SARIF holds the same 101 results" \
	test "$(printf '%s' "$out" >"$tmp/report.json"; py_call results "$tmp/report.json")" = 101

# Rules are capped one by one: a second rule in the same file is listed.
sed 's/^  a: {symbol: a, writes: \[/  a: {symbol: a, reads: [nope], writes: [/' "$tmp/cap.cadence.yaml" >"$tmp/cap2.cadence.yaml"
run "$cadence" validate --format json "$tmp/cap2.cadence.yaml"
assert "item 5: another rule of the same file is not capped by the first" \
	test "$(count undeclared-field)" = 1

finish
