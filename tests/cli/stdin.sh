#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 21 item 10: standard input is read the same way by `validate -`,
# `diagram -` and `run -`: named <stdin>, or by --stdin-filename NAME, whose
# directory is where its child cadences are found (and whose project root
# confines them); --stdin-filename without '-' is a usage error; standard
# input that cannot be read is the same usage error in all three; and what
# cannot come from standard input (run --config -, --plugin -) says so.
source "$(dirname "$0")/lib.sh"

mkdir -p "$tmp/proj/flows" "$tmp/elsewhere"
cat >"$tmp/proj/flows/parent.cadence.yaml" <<'EOF'
cadence: parent
score:
  n: {type: integer, default: 1}
  seen: {type: string, default: ''}
notes:
  first: {set: {n: 'score.n + 1'}}
measures:
  - then: first
  - child: kid
    merge: {seen: score.seen}
EOF
cat >"$tmp/proj/flows/kid.cadence.yaml" <<'EOF'
cadence: kid
score:
  seen: {type: string, default: ''}
notes:
  mark: {set: {seen: '"kid"'}}
measures:
  - then: mark
EOF
parent=$tmp/proj/flows/parent.cadence.yaml
name=proj/flows/parent.cadence.yaml	# relative to $tmp, where the commands run
cd "$tmp/elsewhere" || exit 1

# --- without a name: <stdin>, children looked for here (where there are none) ----
run "$cadence" validate - <"$parent"
expect "validate -: the child is not found from the working directory" 1 \
	"^<stdin>:9:12: error: child cadence 'kid' not found"
run "$cadence" diagram - <"$parent"
expect "diagram -: the same" 1 "" \
	'^cadence: error: the cadence from standard input has problems; fix them \(see above\) to draw it$'
assert "... naming the child" grep -q "^<stdin>:9:12: error: child cadence 'kid' not found" <<<"$err"
run "$cadence" run - <"$parent"
expect "run -: the same" 2 "" "^cadence: error: the cadence from standard input has problems; nothing ran$"
assert "... naming the child" grep -q "^<stdin>:9:12: error: child cadence 'kid' not found" <<<"$err"

# --- with --stdin-filename: children found beside the name ---------------------
cd "$tmp" || exit 1
run "$cadence" validate --stdin-filename "$name" - <"$parent"
expect "validate --stdin-filename: the child is found beside the name" 0 'no problems'
run "$cadence" diagram --stdin-filename "$name" --expand - <"$parent"
expect "diagram --stdin-filename: draws the child" 0 'subgraph g_kid'
run "$cadence" diagram --stdin-filename "$tmp/$name" --expand - <"$parent"
expect "... an absolute name too" 0 'subgraph g_kid'
run "$cadence" run -c --stdin-filename "$name" - <"$parent"
expect "run --stdin-filename: runs the child" 0 '^\{"n":2,"seen":"kid"\}$'
run "$cadence" run -n --stdin-filename "$name" - <"$parent"
expect "run -n --stdin-filename: plans the child" 0 'kid'

# the name is the one problems are reported at, in all three
sed 's/then: first/then: frist/' "$parent" >"$tmp/broken.yaml"
run "$cadence" validate --stdin-filename "$name" - <"$tmp/broken.yaml"
expect "validate: problems at the name" 1 "^$name:8:11: error: note 'frist' is not defined"
run "$cadence" diagram --stdin-filename "$name" - <"$tmp/broken.yaml"
expect "diagram: problems at the name" 1 "" \
	"^cadence: error: the cadence from standard input \('$name'\) has problems; fix them \(see above\) to draw it$"
assert "... the problem at the name" grep -q "^$name:8:11: error: note 'frist' is not defined" <<<"$err"
run "$cadence" run --stdin-filename "$name" - <"$tmp/broken.yaml"
expect "run: problems at the name" 2 "" \
	"^cadence: error: the cadence from standard input \('$name'\) has problems; nothing ran$"
assert "... the problem at the name" grep -q "^$name:8:11: error: note 'frist' is not defined" <<<"$err"

# children stay confined to the name's project root (validate's rule)
mkdir -p "$tmp/proj/.git"
sed 's/child: kid/child: out\n    cadence: ..\/..\/outside.cadence.yaml/' "$parent" >"$tmp/leaky.yaml"
cp "$tmp/proj/flows/kid.cadence.yaml" "$tmp/outside.cadence.yaml"
run "$cadence" diagram --stdin-filename "$name" - <"$tmp/leaky.yaml"
expect "diagram --stdin-filename: children confined to the name's root" 1 '' '\[outside-root\]'
run "$cadence" validate --stdin-filename "$name" - <"$tmp/leaky.yaml"
expect "... as validate confines them" 1 '\[outside-root\]'
rmdir "$tmp/proj/.git"

# --- --stdin-filename without '-' ----------------------------------------------
run "$cadence" diagram --stdin-filename x.cadence.yaml "$parent"
expect "diagram --stdin-filename without '-'" 2 '' \
	"^cadence: error: --stdin-filename names the cadence read from standard input, but it comes from '.*parent.cadence.yaml': give FILE '-' \(cadence diagram --stdin-filename x.cadence.yaml -\)$"
run "$cadence" run --stdin-filename x.cadence.yaml "$parent"
expect "run --stdin-filename without '-'" 2 '' \
	"^cadence: error: --stdin-filename names the cadence read from standard input, but it comes from '.*parent.cadence.yaml': give FILE '-' \(cadence run --stdin-filename x.cadence.yaml -\)$"
run "$cadence" validate --stdin-filename x.cadence.yaml "$parent"
expect "validate --stdin-filename without '-'" 2 '' "names standard input, which is not among the paths"

# --- standard input that cannot be read: one usage error -------------------------
for c in validate diagram run; do
	run "$cadence" $c - </
	expect "$c - with a directory on standard input" 2 '' \
		'^cadence: error: cannot read the cadence from standard input: Is a directory$'
done

# --- what cannot come from standard input -------------------------------------------
run "$cadence" run --config - "$parent"
expect "run --config -" 2 '' "^cadence: error: --config names the project file, whose directory is the project's; it cannot be standard input \('-'\): give its path$"
run "$cadence" run --plugin - "$parent"
expect "run --plugin -" 2 '' "^cadence: error: --plugin loads a shared object by its path; standard input \('-'\) cannot be loaded: give PATH.so$"
run "$cadence" run --help
expect "run --help names --stdin-filename" 0 '--stdin-filename NAME'
run "$cadence" diagram --help
expect "diagram --help names --stdin-filename" 0 '--stdin-filename NAME'
finish
