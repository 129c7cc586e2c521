#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The documented limits (docs/format.md, docs/run.md, docs/expressions.md
# "Limits"; docs/reliability.md lists where each is tested): a file at a
# limit is accepted, one past it is refused with a clear error.  File size
# and nesting depth are in validate.sh; the expression limits also in
# tests/unit/test_expr_parse.c and test_expr_eval.c.
source "$(dirname "$0")/lib.sh"

# The files at and past the limits, all written by one python3 (a start
# each would cost more than the checks): NAME.cadence.yaml in $tmp
python3 - "$tmp" <<'PY'
import os, sys
def w(name, text): open(os.path.join(sys.argv[1], name + '.cadence.yaml'), 'w').write(text)
def notes(n): return ('cadence: many\nnotes:\n' + ''.join(f'  n{i}: {{symbol: f}}\n' for i in range(n))
    + 'measures:\n  - sequence: all\n    notes: [' + ', '.join(f'n{i}' for i in range(min(n, 10000))) + ']\n')
w('notes10000', notes(10000))
w('notes10001', notes(10001))
w('fields', 'cadence: fields\nscore:\n' + ''.join(f'  f{i}: {{type: integer, default: 0}}\n' for i in range(10001))
    + 'notes:\n  a: {symbol: f}\nmeasures:\n  - then: a\n')
w('measures', 'cadence: measures\nnotes:\n  a: {symbol: f}\nmeasures:\n'
    + ''.join(f'  - sequence: s{i}\n    notes: [a]\n' for i in range(10001)))
w('names', 'cadence: names\nnotes:\n  a: {symbol: f, reads: [' + ', '.join(f'r{i}' for i in range(10001)) + ']}\n'
    + 'measures:\n  - then: a\n')
w('sets', 'cadence: sets\nnotes:\n  a:\n    set:\n' + ''.join(f'      f{i}: "1"\n' for i in range(10001))
    + 'measures:\n  - then: a\n')
open(os.path.join(sys.argv[1], 'big.json'), 'w').write('{"x": "' + 'a' * (16 * 1024 * 1024) + '"}\n')
w('expr', 'cadence: ex\nscore:\n  x: {type: string, default: ""}\nnotes:\n  s:\n'
    + '    set: {x: "\'' + 'a' * 65536 + '\'"}\nmeasures:\n  - then: s\n')
PY

# --- notes, score fields, measures, names, fields of a mapping: 10,000 ---------------------
run "$cadence" validate --color=never "$tmp/notes10000.cadence.yaml"
expect "10,000 notes (and a sequence of 10,000 names): accepted" 0 'checked 1 file: no problems'
run "$cadence" validate --color=never "$tmp/notes10001.cadence.yaml"
expect "10,001 notes: refused [too-many-items]" 1 \
	'notes10001.cadence.yaml:3:3: error: 10001 notes; the limit is 10000 \[too-many-items\]'

# refused WHAT NAME: NAME.cadence.yaml is refused for 10,001 WHAT
refused() {
	run "$cadence" validate --color=never "$tmp/$2.cadence.yaml"
	expect "10,001 $1: refused" 1 "error: 10001 $1; the limit is 10000 \\[too-many-items\\]"
}
refused "score fields" fields
refused measures measures
refused "names in one list" names
refused "fields in one mapping" sets
assert "cadence schema states the limits (maxProperties, maxItems)" \
	grep -q '"maxItems":[[:space:]]*10000' "$src/docs/cadence.schema.json"

# --- run: a note's stdout, 1 MiB ----------------------------------------------------------
# (python3 writes the bytes: head and tr are not in every PATH of a test)
py=$(python3_path)
sed "s|python3|$py|" >"$tmp/out.cadence.yaml" <<'EOF'
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
printf 'cadence: s\nscore:\n  x: {type: string, default: ""}\nnotes:\n  a: {run: [true]}\nmeasures:\n  - then: a\n' \
	>"$tmp/s.cadence.yaml"
run "$cadence" run --score-file "$tmp/big.json" "$tmp/s.cadence.yaml"
expect "an input score over 16 MiB: usage error" 2 '' 'is larger than 16777216 bytes'

# --- run: an expression, 64 KiB (checked first, as by validate; cut in the message) --------
run "$cadence" run "$tmp/expr.cadence.yaml"
expect "an expression over 64 KiB: refused, the message names the limit" 2 '' \
	"note 's' sets 'x': the expression is 65538 bytes long; the limit is 65536 \[bad-expression\]"
assert "... and does not repeat the 64 KiB expression" test "${#err}" -lt 1000

# --- run: children nest 64 deep -------------------------------------------------------------
for i in $(seq 0 65); do
	if [[ $i -lt 65 ]]; then
		printf 'cadence: c%d\nmeasures:\n  - child: c%d\n' "$i" $((i + 1))
	else
		printf 'cadence: c%d\nnotes:\n  a: {run: [true]}\nmeasures:\n  - then: a\n' "$i"
	fi >"$tmp/c$i.cadence.yaml"
done
run "$cadence" run "$tmp/c2.cadence.yaml"
expect "64 cadences deep (c2 ... c65): run" 0
run "$cadence" run "$tmp/c1.cadence.yaml"
# refused before anything runs (issue 14, probe; it ran 64 levels first, exit 1)
expect "65 cadences deep: a clear error, nothing ran" 2 '' "c64: children nest deeper than 64 cadences \(cadence 'c65' would run at level 65\); nothing ran"

finish
