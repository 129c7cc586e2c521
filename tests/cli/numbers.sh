#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Exact numbers and deep values (issue 14 items 6, 7 and 9, and the low
# items on --fallback and checkpoint versions): integers up to 2^53 keep
# every digit in the final score, a note's stdin and checkpoints; numbers
# out of range and "\u0000" are refused naming the field or the place; one
# nesting limit that run, note output, checkpoints and resume agree on.
source "$(dirname "$0")/lib.sh"
need python3
export CADENCE_STATE_DIR=$tmp/state

mkdir "$tmp/p"
cat >"$tmp/p/n.cadence.yaml" <<'YAML'
cadence: n
score:
  i: {type: integer}
  x: {type: number}
  a: {type: any}
notes:
  echo:
    run: [sh, -c, 'cat >"$CADENCE_DIR/stdin.json"']
measures:
  - then: echo
YAML
n=$tmp/p/n.cadence.yaml
# nested N: a field value N arrays deep
nested() { local s; printf -v s '%*s' "$1" ''; printf '%s%s\n' "${s// /[}" "${s// /]}"; }
# deep_score N: a score whose field a is N arrays deep
deep_score() { printf '{"a": %s}\n' "$(nested "$1")"; }

# ---- issue 14 item 6: integers near 2^53 keep their digits -------------------

score='{"i":9007199254740991,"x":123456789012345.6,"a":[1000000000000001,-9007199254740992,-0,0.1,1e+300,5e-324]}'
run "$cadence" run "$n" --compact --score "$score"
expect "item 6: the final score runs" 0
assert "item 6: ... and keeps every digit (cJSON wrote 9.00719925474099e+15)" test "$out" = "$score"
assert "item 6: ... and so does the note's stdin" test "$(<"$tmp/p/stdin.json")" = "$score"
run "$cadence" run "$n" --score "$score"
expect "item 6: the formatted final score too" 0 '^  "i": 9007199254740991,$'

# a sample of the integers in [1e15, 2^53]: about one in nine came out as
# another number; every one reads back the same, in the output and in
# the checkpoint
python3 - >"$tmp/ints.json" <<'PY'
import json, random
random.seed(14)
ints = [random.randrange(10**15, 2**53 + 1) for _ in range(3000)] + [2**53, -2**53, 2**53 - 1]
print(json.dumps({"a": ints}))
PY
run "$cadence" run "$n" --score-file "$tmp/ints.json" --checkpoint "$tmp/ints.ckpt"
expect "item 6: 3,000 integers of [1e15, 2^53] run" 0
printf '%s\n' "$out" >"$tmp/ints.out"
run "$cadence" resume "$tmp/ints.ckpt"
printf '%s\n' "$out" >"$tmp/resumed.out"
# one python3 compares them all: a line "FILE: same" or "FILE: N changed, ..."
python3 - "$tmp/ints.json" "$tmp/ints.out" "$tmp/p/stdin.json" "$tmp/ints.ckpt" "$tmp/resumed.out" \
	>"$tmp/same.txt" <<'PY'
import json, sys
want = json.load(open(sys.argv[1]))["a"]
for f in sys.argv[2:]:
    got = json.load(open(f))
    got = got["frames"][0]["score"]["a"] if "frames" in got else got["a"]
    bad = [(w, g) for w, g in zip(want, got) if w != g or type(g) is not int]
    print(f"{f}: {len(bad)} changed, e.g. {bad[:3]}" if bad or len(want) != len(got) else f"{f}: same")
PY
same_ints() { grep -qxF "$1: same" "$tmp/same.txt" || { cat "$tmp/same.txt"; return 1; }; }
assert "item 6: ... the final score holds each of them exactly" same_ints "$tmp/ints.out"
assert "item 6: ... so does the note's stdin" same_ints "$tmp/p/stdin.json"
assert "item 6: ... and the checkpoint" same_ints "$tmp/ints.ckpt"
assert "item 6: ... which resumes to the same score" same_ints "$tmp/resumed.out"

# set_cadence NAME FIELD DECLARATION EXPRESSION: NAME.cadence.yaml, whose
# one note NAME sets FIELD to EXPRESSION
set_cadence() {
	printf 'cadence: %s\nscore:\n  %s: %s\nnotes:\n  %s: {set: {%s: %s}}\nmeasures:\n  - then: %s\n' \
		"$1" "$2" "$3" "$1" "$2" "$4" "$1" >"$tmp/p/$1.cadence.yaml"
}

# an expression's integer result, written to an integer field
set_cadence set i '{type: integer, default: 9007199254740992}' "'score.i - 1'"
run "$cadence" run "$tmp/p/set.cadence.yaml" --compact
expect "item 6: a set note's integer keeps its digits" 0 '^\{"i":9007199254740991\}$'

# a change by one in the last digit is a change (cJSON_Compare() took
# numbers within a relative DBL_EPSILON for equal, and dropped it)
run "$cadence" run "$tmp/p/set.cadence.yaml" --compact --score '{"i": 4503599627370496}'
expect "item 6: 2^52 - 1 is not 2^52" 0 '^\{"i":4503599627370495\}$'

# ---- issue 14 item 7: numbers out of range are refused, naming the field ----

run "$cadence" run "$n" --score '{"x": 1e400}'
expect "item 7: --score 1e400 is refused (it was infinity, then null)" 2 '' \
	"bad score: field 'x' holds a number out of range \(more than about 1.8e308 in size, or NaN\)"
run "$cadence" run "$n" --score '{"a": {"b": [1, -1e999]}}'
expect "item 7: ... with the path when it is inside the field" 2 '' \
	"field 'a' holds a number out of range .* at a\.b\[1\]"
cat >"$tmp/p/out.cadence.yaml" <<'YAML'
cadence: out
score:
  x: {type: number}
  a: {type: any}
notes:
  big:
    run: [sh, -c, 'printf "%s" "$OUT"']
measures:
  - then: big
YAML
OUT='{"x": 1e400}' run "$cadence" run "$tmp/p/out.cadence.yaml"
expect "item 7: a note's output of 1e400 fails the note, naming the field" 1 '' \
	"note 'big': it set field 'x' to a value that holds a number out of range"
set_cadence over x '{type: number, default: 1e308}' "'score.x * 10.0'"
run "$cadence" run "$tmp/p/over.cadence.yaml"
expect "item 7: an expression never makes infinity (double overflow)" 1 '' "double overflow"
# a checkpoint edited to hold 1e400 does not resume to a score with null
# (the checkpoint to edit: a run with --score, as item 6's, and
# --checkpoint, as with --score-file, both under valgrind above: the
# binary itself)
run "$cadence_again" run "$n" --checkpoint "$tmp/x.ckpt" --score '{"x": 1.5}'
sed 's/"x": 1.5/"x": 1e400/' "$tmp/x.ckpt" >"$tmp/x400.ckpt"
assert "item 7: (the checkpoint was edited)" grep -q 1e400 "$tmp/x400.ckpt"
run "$cadence" resume "$tmp/x400.ckpt"
expect "item 7: ... resume refuses it" 4 '' "does not fit its declaration: field 'x' holds a number out of range"

# ---- issue 14 item 9: one nesting limit, 512 levels, the score being 1 ------

# 511 levels inside the field: the score is 512 deep, the most it may be
deep_score 511 >"$tmp/deep.json"
run "$cadence" run "$n" --compact --score-file "$tmp/deep.json" --checkpoint "$tmp/deep.ckpt"
expect "item 9: a score 512 levels deep runs" 0
first=$out
run "$cadence" resume "$tmp/deep.ckpt" --compact
expect "item 9: ... and its checkpoint resumes (it was 'not JSON' from ~997 levels)" 0
assert "item 9: ... to the same score" test "$out" = "$first"
deep_score 512 >"$tmp/deeper.json"
run "$cadence" run "$n" --score-file "$tmp/deeper.json"
expect "item 9: a score 513 levels deep is refused with the place" 2 '' \
	"the score from .*deeper.json is nested deeper than 512 levels at line 1, column 518"
# the probe's case: 997 levels ran, and its checkpoint was "not JSON"
deep_score 996 >"$tmp/997.json"
run "$cadence" run "$n" --score-file "$tmp/997.json" --checkpoint "$tmp/997.ckpt"
expect "item 9: a score 997 levels deep is refused before it runs" 2 '' 'nested deeper than 512 levels'
assert "item 9: ... so there is no checkpoint that resume cannot read" test ! -e "$tmp/997.ckpt"
OUT=$(deep_score 1005) \
	run "$cadence" run "$tmp/p/out.cadence.yaml"
expect "item 9: deep note output says so, not 'not JSON at line 1, column 1006'" 1 '' \
	"note 'big': its output is nested deeper than 512 levels at line 1, column 518 near '\[\[\["
set_cadence wrap a '{type: any}' "'[[score.a]]'"
run "$cadence" run "$tmp/p/wrap.cadence.yaml" --score-file "$tmp/deep.json"
expect "item 9: an expression cannot make a value deeper than a score may be" 1 '' \
	"note 'wrap': it set field 'a' to a value that is nested deeper than 512 levels \(the score itself is level 1\)"
# a checkpoint edited to hold a deeper score: refused by the score's limit
python3 - "$tmp/deep.ckpt" "$tmp/deep2.ckpt" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["frames"][0]["score"]["a"] = [c["frames"][0]["score"]["a"]]
open(sys.argv[2], "w").write(json.dumps(c))
PY
run "$cadence" resume "$tmp/deep2.ckpt"
expect "item 9: a checkpoint with a deeper score is refused" 2 '' \
	"is not a valid checkpoint: a score in it is nested deeper than 512 levels \(at line 1, column [0-9]+\)"

# ---- issue 14, low items ------------------------------------------------------

run "$cadence" run "$n" --score '{"a": "x\u0000y"}'
expect "low: \\u0000 in --score is refused with its place (it was cut to \"x\")" 2 '' \
	'the score from --score holds a NUL character at line 1, column 9; cadence keeps text as C strings'
OUT='{"a": "x\u0000y"}' run "$cadence" run "$tmp/p/out.cadence.yaml"
expect "low: ... and in a note's output" 1 '' "note 'big': its output holds a NUL character at line 1, column 9"
run "$cadence" run "$n" --score '{"a": 1} {"a": 2}'
expect "low: text after the score's JSON is refused" 2 '' \
	'the score from --score has more after the JSON value at line 1, column 10'

mkdir "$tmp/new"
run_in "$tmp/new" "$cadence" new note pay --fallback '{"s": 1e400}'
expect "low: new note --fallback 1e400 is refused (it wrote inf)" 2 '' \
	"--fallback field 's' holds a number out of range"
run_in "$tmp/new" "$cadence" new note pay --fallback '{"s": "x\u0000y"}'
expect "low: new note --fallback \\u0000 is refused (it was cut to \"x\")" 2 '' \
	'--fallback holds a NUL character at line 1, column 9'
assert "low: ... and nothing was written" test -z "$(ls -A "$tmp/new")"
run_in "$tmp/new" "$cadence" new note pay --dry-run \
	--fallback '{"s": 0.1, "t": 1e15, "u": 9007199254740991, "v": 1e300}'
expect "low: --fallback numbers are written as JSON numbers, exactly" 0 \
	'fallback: \{s: 0\.1, t: 1000000000000000, u: 9007199254740991, v: 1e\+300\}'
deep=$(nested 61)
run_in "$tmp/new" "$cadence" new note pay --dry-run --fallback "{\"s\": $deep}"
expect "low: a --fallback deeper than a cadence file can hold is refused" 2 '' \
	'--fallback is nested deeper than 61 levels at line 1, column 67'

printf 'cadence: p\nnotes:\n  a: {run: [true], retry: {attempts: 2, backoff: 0.9999999, jitter: 1.0000001}}\nmeasures:\n  - then: a\n' \
	>"$tmp/p/policy.cadence.yaml"
run "$cadence" validate --format oneline "$tmp/p/policy.cadence.yaml"
expect "low (same kind): a policy out of range is shown with every digit (was 'got 1')" 1 \
	'retry backoff must be at least 1, got 0\.9999999 .*' 
assert "... jitter too" grep -q 'retry jitter must be between 0 and 1, got 1\.0000001 ' <<<"$out"
sed 's/"version": 1,/"version": 1.0000001,/' "$tmp/x.ckpt" >"$tmp/v.ckpt"
run "$cadence" resume "$tmp/v.ckpt"
expect "low: checkpoint version 1.0000001 is named so (not 'version 1')" 2 '' \
	'it is version 1.0000001; this cadence reads version 1'

finish
