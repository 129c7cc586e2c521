#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The documented limits (docs/format.md, docs/run.md, docs/expressions.md
# "Limits"; docs/reliability.md lists where each is tested): a file at a
# limit is accepted, one past it is refused with a clear error.  File size
# and nesting depth are in validate.sh; the expression limits also in
# tests/unit/test_expr_parse.c and test_expr_eval.c.
source "$(dirname "$0")/lib.sh"

# gen NAME PYTHON: writes $tmp/NAME.cadence.yaml from a Python expression
# that prints the file (n = the count to make)
gen() {
	python3 -c "$2" >"$tmp/$1.cadence.yaml"
}

# --- notes, score fields, measures, names, fields of a mapping: 10,000 ---------------------
for n in 10000 10001; do
	gen notes$n "
n = $n
print('cadence: many\nnotes:')
for i in range(n): print(f'  n{i}: {{symbol: f}}')
print('measures:\n  - sequence: all\n    notes: [' + ', '.join(f'n{i}' for i in range(min(n, 10000))) + ']')"
done
run "$cadence" validate --color=never "$tmp/notes10000.cadence.yaml"
expect "10,000 notes (and a sequence of 10,000 names): accepted" 0 'checked 1 file: no problems'
run "$cadence" validate --color=never "$tmp/notes10001.cadence.yaml"
expect "10,001 notes: refused [too-many-items]" 1 \
	'notes10001.cadence.yaml:3:3: error: 10001 notes; the limit is 10000 \[too-many-items\]'

# refused WHAT PYTHON: the file PYTHON prints is refused for 10,001 WHAT
refused() {
	gen past "$2"
	run "$cadence" validate --color=never "$tmp/past.cadence.yaml"
	expect "10,001 $1: refused" 1 "error: 10001 $1; the limit is 10000 \\[too-many-items\\]"
}
refused "score fields" "
print('cadence: fields\nscore:')
for i in range(10001): print(f'  f{i}: {{type: integer, default: 0}}')
print('notes:\n  a: {symbol: f}\nmeasures:\n  - then: a')"
refused measures "
print('cadence: measures\nnotes:\n  a: {symbol: f}\nmeasures:')
for i in range(10001): print(f'  - sequence: s{i}\n    notes: [a]')"
refused "names in one list" "
print('cadence: names\nnotes:\n  a: {symbol: f, reads: [' + ', '.join(f'r{i}' for i in range(10001)) + ']}')
print('measures:\n  - then: a')"
refused "fields in one mapping" "
print('cadence: sets\nnotes:\n  a:\n    set:')
for i in range(10001): print(f'      f{i}: \"1\"')
print('measures:\n  - then: a')"
assert "cadence schema states the limits (maxProperties, maxItems)" \
	grep -q '"maxItems":[[:space:]]*10000' "$src/docs/cadence.schema.json"

# --- run: a note's stdout, 1 MiB ----------------------------------------------------------
# (python3 writes the bytes: head and tr are not in every PATH of a test)
cat >"$tmp/out.cadence.yaml" <<'EOF'
cadence: out
score:
  x: {type: string, default: ""}
notes:
  at_limit:
    run: [python3, -c, "import sys; sys.stdout.write('{\"x\": \"' + 'a' * (1048576 - 9) + '\"}')"]
    writes: [x]
  past_limit:
    run: [python3, -c, "import sys; sys.stdout.write(' ' * 1048577 + '{}')"]
measures:
  - then: at_limit
  - then: past_limit
EOF
run "$cadence" run "$tmp/out.cadence.yaml"
expect "note output: 1 MiB accepted, 1 MiB + 1 byte stopped with a clear error" 1 '' \
	"note 'past_limit': it wrote more than 1048576 bytes to stdout \(the limit of a note's output\) and was stopped"

# --- run: the input score, 16 MiB -----------------------------------------------------------
printf 'cadence: s\nscore:\n  x: {type: string, default: ""}\nnotes:\n  a: {run: [python3, -c, ""]}\nmeasures:\n  - then: a\n' \
	>"$tmp/s.cadence.yaml"
python3 -c "import json; print(json.dumps({'x': 'a' * (16 * 1024 * 1024)}))" >"$tmp/big.json"
run "$cadence" run --score-file "$tmp/big.json" "$tmp/s.cadence.yaml"
expect "an input score over 16 MiB: usage error" 2 '' 'is larger than 16777216 bytes'

# --- run: an expression, 64 KiB (checked first, as by validate; cut in the message) --------
gen expr "
print('cadence: ex\nscore:\n  x: {type: string, default: \"\"}\nnotes:\n  s:')
print('    set: {x: \"\\'' + 'a' * 65536 + '\\'\"}\nmeasures:\n  - then: s')"
run "$cadence" run "$tmp/expr.cadence.yaml"
expect "an expression over 64 KiB: refused, the message names the limit" 2 '' \
	"note 's' sets 'x': the expression is 65538 bytes long; the limit is 65536 \[bad-expression\]"
assert "... and does not repeat the 64 KiB expression" test "${#err}" -lt 1000

# --- run: children nest 64 deep -------------------------------------------------------------
for i in $(seq 0 65); do
	if [[ $i -lt 65 ]]; then
		printf 'cadence: c%d\nmeasures:\n  - child: c%d\n' "$i" $((i + 1))
	else
		printf 'cadence: c%d\nnotes:\n  a: {run: [python3, -c, ""]}\nmeasures:\n  - then: a\n' "$i"
	fi >"$tmp/c$i.cadence.yaml"
done
run "$cadence" run "$tmp/c2.cadence.yaml"
expect "64 cadences deep (c2 ... c65): run" 0
run "$cadence" run "$tmp/c1.cadence.yaml"
# refused before anything runs (issue 14, probe; it ran 64 levels first, exit 1)
expect "65 cadences deep: a clear error, nothing ran" 2 '' "c64: children nest deeper than 64 cadences \(cadence 'c65' would run at level 65\); nothing ran"

finish
