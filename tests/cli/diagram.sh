#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence diagram: arguments, formats, --cadence, refusals of files with
# problems, Mermaid's limits, and atomic -o.
source "$(dirname "$0")/lib.sh"
fx=$src/tests/diagram/fixtures
co=$fx/checkout.cadence.yaml

run "$cadence" diagram --help
expect "help lists the options" 0 '--expand'
run "$cadence" help diagram
expect "help diagram" 0 'usage: cadence diagram'
run "$cadence" diagram
expect "a FILE is needed" 2 '' 'needs a FILE'
run "$cadence" diagram "$co" "$co"
expect "one file only" 2 '' 'draws one file'
run "$cadence" diagram "$fx"
expect "a directory is a usage error" 2 '' 'is a directory'
run "$cadence" diagram "$tmp/missing.cadence.yaml"
expect "a missing file is a usage error" 2 '' 'cannot read'
run "$cadence" diagram --format jpeg "$co"
expect "unknown format" 2 '' "invalid value 'jpeg'"
run "$cadence" diagram --direction down "$co"
expect "unknown direction" 2 '' 'choose one of: TB, LR'

run "$cadence" diagram "$co"
expect "mermaid by default" 0 '^flowchart TB$'
[[ -z $err ]] && ok "nothing on stderr" || fail "nothing on stderr"
assert "without --expand the child is a sub-process" grep -q 'm_payment\[\["payment<br>child cadence payment"\]\]' <<<"$out"
run "$cadence" diagram -d LR "$co"
expect "--direction LR" 0 '^flowchart LR$'
run "$cadence" diagram -f dot --direction LR "$co"
expect "dot LR" 0 'rankdir=LR'
run "$cadence" diagram - <"$fx/payment.cadence.yaml"
expect "standard input" 0 'c_start\(\["payment'
run "$cadence" diagram -o - "$co"
expect "-o - is standard output" 0 '^flowchart TB$'
run "$cadence" diagram --expand "$co"
expect "--expand draws the child inside" 0 'subgraph g_payment \["child payment \(cadence payment\)"\]'

# --cadence: a child by name
run "$cadence" diagram --cadence payment "$co"
expect "--cadence selects a child" 0 'c_start\(\["payment'
run "$cadence" diagram --cadence paymnt "$co"
expect "--cadence with a typo" 2 '' "did you mean 'payment'"
run "$cadence" diagram --cadence nothing_like_it "$co"
expect "--cadence lists the cadences" 2 '' 'they are: checkout, payment'

# -o: the format follows the extension; the write is atomic
mkdir "$tmp/out"
run "$cadence" diagram -o "$tmp/out/c.dot" "$co"
assert "-o x.dot writes DOT" grep -q '^digraph cadence {' "$tmp/out/c.dot"
run "$cadence" diagram -o "$tmp/out/c.mmd" "$co"
assert "-o x.mmd writes Mermaid" grep -q '^flowchart TB' "$tmp/out/c.mmd"
run "$cadence" diagram -f mermaid -o "$tmp/out/c.txt" "$co"
assert "--format wins over an unknown extension" grep -q '^flowchart TB' "$tmp/out/c.txt"
assert "-o leaves no temporary file" test "$(ls -A "$tmp/out" | wc -l)" = 3
umask 022
# (the run of -o x.mmd above again, for the mode: the binary itself)
run "$cadence_again" diagram -o "$tmp/out/mode.mmd" "$co"
assert "-o creates the file 0644 under umask 022" test "$(stat -c %a "$tmp/out/mode.mmd")" = 644
rm "$tmp/out/mode.mmd"
run "$cadence" diagram -o "$tmp/nodir/c.mmd" "$co"
expect "-o into a missing directory" 3 '' "cannot write '.*nodir/c.mmd'"

# a file with problems is refused, and nothing is written
cat >"$tmp/bad.cadence.yaml" <<'YAML'
cadence: bad
notes:
  a: {symbol: a}
measures:
  - then: b
YAML
echo "previous content" >"$tmp/out/keep.mmd"
run "$cadence" diagram -o "$tmp/out/keep.mmd" "$tmp/bad.cadence.yaml"
expect "a file with errors is refused" 1 '' "error: .*\[undefined-note\]"
[[ -z $out ]] && ok "nothing on stdout when refused" || fail "nothing on stdout when refused"
assert "-o keeps the previous file when refused" grep -qx "previous content" "$tmp/out/keep.mmd"
assert "no temporary file after a refusal" test "$(ls -A "$tmp/out" | wc -l)" = 4
run "$cadence" diagram "$tmp/bad.cadence.yaml"
expect "the refusal says why" 1 '' "has problems; fix them"

# what only running needs does not stop a drawing: data flow, expressions
cat >"$tmp/flow.cadence.yaml" <<'YAML'
cadence: flow
score:
  n: {type: integer}
notes:
  a: {symbol: a, writes: [n]}
  b: {symbol: b, writes: [n]}
  bump: {set: {n: score.n + score.nn}}
measures:
  - then: bump
  - sync: both
    notes: [a, b]
YAML
run "$cadence" validate --format oneline "$tmp/flow.cadence.yaml"
expect "validate refuses the data flow" 1 'read-before-write|bad-expression'
assert "... and the parallel writes" grep -q 'write-conflict' <<<"$out"
run "$cadence" diagram -f dot "$tmp/flow.cadence.yaml"
expect "diagram draws it: data flow and expressions are validate's" 0 'digraph'
assert "... without a word on stderr" test -z "$err"

# warnings do not stop a diagram
cat >"$tmp/warn.cadence.yaml" <<'YAML'
cadence: warn
notes:
  a: {symbol: a}
  unused: {symbol: u}
measures:
  - then: a
YAML
run "$cadence" diagram "$tmp/warn.cadence.yaml"
expect "warnings do not stop a diagram" 0 '^flowchart'

# Mermaid's limits: 500 edges, 50,000 characters
gen() {	# gen FILE MEASURES [DESCRIPTION]
	{
		echo "cadence: big"
		echo "notes:"
		echo "  n: {symbol: n}"
		echo "measures:"
		for ((i = 0; i < $2; i++)); do
			echo "  - then: m$i"
			echo "    note: n"
			[[ -n ${3:-} ]] && echo "    description: '$3'"
		done
	} >"$1"
}
gen "$tmp/e500.cadence.yaml" 499	# start -> 499 steps -> end: 500 edges
run "$cadence" diagram "$tmp/e500.cadence.yaml"
expect "500 edges are drawn" 0 '^flowchart'
gen "$tmp/e501.cadence.yaml" 500
run "$cadence" diagram -o "$tmp/out/e501.mmd" "$tmp/e501.cadence.yaml"
expect "501 edges are refused" 1 '' '501 edges \(Mermaid draws at most 500\).*--format dot.*--cadence NAME'
assert "nothing written past the limit" test ! -e "$tmp/out/e501.mmd"
run "$cadence" diagram -f dot "$tmp/e501.cadence.yaml"
expect "DOT has no such limit" 0 '^digraph'
wide=$(printf '日本語の説明%.0s' {1..10})
gen "$tmp/text.cadence.yaml" 150 "$wide"
run "$cadence" diagram "$tmp/text.cadence.yaml"
expect "more than 50,000 characters are refused" 1 '' 'characters \(Mermaid reads at most 50000\)'

# ... and for a dag: start -> entry -> 249 tasks -> exit -> end is 500
# edges; one task more, after another, is one edge more
dag() {	# dag FILE TASKS [LAST_AFTER]
	{
		printf 'cadence: big\nnotes:\n  n: {symbol: n}\nmeasures:\n  - dag: wide\n    tasks:\n'
		for ((i = 0; i < $2; i++)); do
			printf '      - task: t%d\n        note: n\n' "$i"
		done
		[[ -n ${3:-} ]] && printf '      - task: u\n        note: n\n        after: [%s]\n' "$3"
	} >"$1"
}
dag "$tmp/d500.cadence.yaml" 249
run "$cadence" diagram "$tmp/d500.cadence.yaml"
expect "a dag of 500 edges is drawn" 0 '^flowchart'
assert "... every task from the entry to the exit" test "$(grep -c -e '^    f_wide --> m_wide__t' -e '^    m_wide__t[0-9]* --> j_wide$' <<<"$out")" = 498
dag "$tmp/d501.cadence.yaml" 249 t0
run "$cadence" diagram "$tmp/d501.cadence.yaml"
expect "a dag of 501 edges is refused" 1 '' '501 edges \(Mermaid draws at most 500\).*--format dot'
dag "$tmp/d10k.cadence.yaml" 9999 t9998
run "$cadence" diagram -f dot "$tmp/d10k.cadence.yaml"
expect "DOT draws a dag of 10,000 tasks, the most there can be" 0 'm_wide__t9998 -> m_wide__u;$'

# a dag inside an expanded child: its ids carry the child measure's name
cat >"$tmp/outer.cadence.yaml" <<'YAML'
cadence: outer
notes:
  a: {symbol: a}
measures:
  - child: inner
    cadence: ./inner.cadence.yaml
YAML
cat >"$tmp/inner.cadence.yaml" <<'YAML'
cadence: inner
notes:
  a: {symbol: a}
  b: {symbol: b}
measures:
  - dag: d
    tasks:
      - task: a
      - task: b
        after: [a]
YAML
run "$cadence" diagram --expand "$tmp/outer.cadence.yaml"
expect "a dag in an expanded child" 0 '^    c_inner__start --> f_inner__d$'
assert "... its task edge" grep -qx '    m_inner__d__a --> m_inner__d__b' <<<"$out"
assert "... its group" grep -q '^        subgraph g_inner__d \["dag d ' <<<"$out"

# a full disk is an internal failure, not a truncated success
if [[ -w /dev/full ]]; then
	"$cadence" diagram "$co" >/dev/full 2>"$tmp/full.err"
	status=$?
	err=$(<"$tmp/full.err")
	expect "stdout on a full disk" 3 '' 'cannot write to standard output'
fi
finish
