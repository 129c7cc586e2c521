#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regular expressions of matches() against hostile patterns and strings
# (issue 14 item 4; docs/expressions.md "Regular expressions" and
# "Limits"): a pattern past the limits is refused by validate, with the
# limit and the figure, and fails its note at run time when it comes from
# the score; long strings are matched in linear time or stop at the step
# limit.  Each run has a generous `timeout` as a hang guard only (the
# figures are in docs/benchmarks.md), and, outside sanitizer and valgrind
# builds, an address-space cap, so that a regression cannot take the
# machine's memory (glibc's regcomp took 4-16 GB on the first file).
source "$(dirname "$0")/lib.sh"

if [[ -z ${CADENCE_TEST_VALGRIND:-} ]] && ! grep -qa __asan_init "$cadence"; then
	ulimit -v 2000000	# KiB
fi

# cad NAME EXPR: a cadence whose note sets ok = EXPR
cad() {
	cat >"$tmp/$1.cadence.yaml" <<EOF
cadence: $1
score:
  s: {type: string, default: ""}
  p: {type: string, default: ""}
  ok: {type: boolean}
notes:
  check:
    set: {ok: "$2"}
measures:
  - then: check
EOF
}

# score FILE S [P]: a score file with s = S (and p = P), as JSON
score() {
	python3 -c 'import json, sys; print(json.dumps({"s": sys.argv[1], "p": sys.argv[2]}))' \
		"$2" "${3:-}" >"$tmp/$1"
}

# --- nested repetition: refused before anything is allocated ------------------
cad nested "score.s.matches('((((a{255}){255}){255}){255})')"
run timeout 60 "$cadence" validate --color=never "$tmp/nested.cadence.yaml"
expect "validate: 255^4 copies of a pattern are refused, with the figure and the limit" 1 \
	"nested\.cadence\.yaml:8:32: error: note 'check' sets 'ok': invalid regular expression: the pattern is too large: with its repetitions written out it makes 4228250626 instructions; the limit is 10000 \[bad-expression\]"
assert "... and how to fix it" grep -qF 'help: use smaller repetition counts' <<<"$out"
run timeout 60 "$cadence" run "$tmp/nested.cadence.yaml"
expect "run: refused before anything runs" 2 '' 'the pattern is too large'

cad deep "score.s.matches('$(printf '(%.0s' {1..300})a$(printf ')%.0s' {1..300})')"
run timeout 60 "$cadence" validate --color=never "$tmp/deep.cadence.yaml"
expect "validate: 300 nested groups are refused" 1 \
	'invalid regular expression: groups are nested more than 256 levels deep at character 257'

cad backref "score.s.matches('(a)\\\\\\\\1')"
run timeout 60 "$cadence" validate --color=never "$tmp/backref.cadence.yaml"
expect "validate: a back-reference is refused, saying why" 1 \
	'back-references \(\\1\) are not supported at character 4' \
	''
assert "... and what to do" grep -qF 'help: a back-reference cannot be matched in linear time' <<<"$out"

# --- a pattern from the score: the note fails ---------------------------------
cad dyn "score.s.matches(score.p)"
score dyn.json a '((((a{255}){255}){255}){255})'
run timeout 60 "$cadence" run "$tmp/dyn.cadence.yaml" --score-file "$tmp/dyn.json"
expect "run: a pattern from the score past the limit fails the note" 1 '' \
	"note 'check': field 'ok' = score\.s\.matches\(score\.p\): column 9: invalid regular expression \"\(\(\(\(a\{255\}\)\{255\}\)\{255\}\)\{255\}\)\": the pattern is too large: with its repetitions written out it makes 4228250626 instructions; the limit is 10000"
score dyn-ok.json 'ada@example.com' '^[a-z]+@[a-z]+\.com$'
run timeout 60 "$cadence" run "$tmp/dyn.cadence.yaml" --score-file "$tmp/dyn-ok.json"
expect "run: a pattern from the score within the limits matches" 0 '"ok":[[:space:]]*true'

# --- long strings ----------------------------------------------------------------
long=$(head -c 200000 /dev/zero | tr '\0' a)
cad quad "score.s.matches('[a-z]+@')"
printf '{"s": "%s"}' "$long" >"$tmp/quad.json"	# a builtin: no limit on its length
run timeout 60 "$cadence" run "$tmp/quad.cadence.yaml" --score-file "$tmp/quad.json"
expect "run: [a-z]+@ on 200,000 letters (87 s with glibc) answers" 0 '"ok":[[:space:]]*false'
cad exp "score.s.matches('^(a|aa)+$') && !score.s.matches('(a*)*b')"
run timeout 60 "$cadence" run "$tmp/exp.cadence.yaml" --score-file "$tmp/quad.json"
expect "run: patterns that backtrack exponentially elsewhere answer" 0 '"ok":[[:space:]]*true'
cad steps "score.s.matches('.{0,4000}x')"
run timeout 60 "$cadence" run "$tmp/steps.cadence.yaml" --score-file "$tmp/quad.json"
expect "run: 4,000 states at each of 200,000 characters stop at the step limit" 1 '' \
	"column 9: the evaluation took more than 10,000,000 steps \(iterations of all/exists/map/filter, states of matches\(\)\)"

finish
