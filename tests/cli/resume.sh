#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence run --checkpoint and cadence resume: a run killed with SIGKILL
# inside a child cadence, resumed from its checkpoint, ends with the score
# of an uninterrupted run; SIGTERM leaves a valid checkpoint too; a resume
# after the cadence files changed is refused (--force overrides); every bad
# checkpoint gives its message and exit status.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state
# Each step appends its cadence/measure to runs.log when it starts and to
# ended.log when it ends; while a file hold.MEASURE exists, the step of
# MEASURE waits.  A test holds a measure, waits until its step has started,
# and interrupts the run there: no timing decides where a run stops.

mkdir "$tmp/p"
cat >"$tmp/p/long.cadence.yaml" <<'YAML'
cadence: long
score:
  count: {type: integer, default: 0}
  trail: {type: array, default: []}
  total: {type: integer, default: 0}
notes:
  step:
    run: [sh, -c, 'm=$CADENCE_CADENCE/$CADENCE_MEASURE; echo "$m" >> "$CADENCE_DIR/runs.log"; while [ -e "$CADENCE_DIR/hold.$CADENCE_MEASURE" ]; do sleep 0.01; done; echo "$m" >> "$CADENCE_DIR/ended.log"']
  add:
    set: {count: 'score.count + 1', trail: 'score.trail + [score.count]'}
  double:
    set: {total: 'score.total * 2 + 1'}
measures:
  - sequence: s1
    notes: [step, add]
  - sequence: s2
    notes: [step, add]
  - sync: par
    notes: [step, double]
  - child: inner
    cadence: inner
    with: {base: score.count}
    merge: {total: 'score.acc + score.base'}
  - sequence: s3
    notes: [step, add]
  - sequence: s4
    notes: [step, add, double]
YAML
cat >"$tmp/p/inner.cadence.yaml" <<'YAML'
cadence: inner
score:
  base: {type: integer, required: true}
  acc:  {type: integer, default: 0}
notes:
  step:
    run: [sh, -c, 'm=$CADENCE_CADENCE/$CADENCE_MEASURE; echo "$m" >> "$CADENCE_DIR/runs.log"; while [ -e "$CADENCE_DIR/hold.$CADENCE_MEASURE" ]; do sleep 0.01; done; echo "$m" >> "$CADENCE_DIR/ended.log"']
  grow:
    set: {acc: 'score.acc * 3 + score.base'}
measures:
  - sequence: i1
    notes: [step, grow]
  - sequence: i2
    notes: [step, grow]
  - sequence: i3
    notes: [step, grow]
YAML
long=$tmp/p/long.cadence.yaml
ck=$tmp/ck.json

# One python3 for the script's checkpoints (py_serve, tests/cli/lib.sh):
#   position FILE         "frames next next ... complete"; nothing if not JSON
#   edit FILE OUT PYTHON  FILE's JSON as d, changed by PYTHON, written to OUT
py_serve json -- '
import json, sys
def main(argv):
    if argv[0] == "position":
        try:
            d = json.load(open(argv[1]))
        except Exception:
            return 0
        print(len(d["frames"]), *[f["next"] for f in d["frames"]], d["complete"])
    elif argv[0] == "edit":
        d = json.load(open(argv[1]))
        exec(argv[3], {"d": d})
        json.dump(d, open(argv[2], "w"))
'
# the position in a checkpoint: "frames next next ..." (python reads it)
position() { py_call position "$1" 2>/dev/null; }
# reached FILE PATTERN: the checkpoint's "position" matches
reached() { grep -qE "\"position\":.*$2" "$1" 2>/dev/null; }
# started MEASURE: its step has started (and is held)
started() { grep -qx ".*/$1" "$tmp/p/runs.log" 2>/dev/null; }
# A note dies with the cadence that runs it (PR_SET_PDEATHSIG): a held step
# whose cadence was killed never ends, and nothing is left to wait for.

run "$cadence" run -c "$long"
expect "the uninterrupted run" 0
want=$out
assert "the uninterrupted run ran 8 steps" test "$(wc -l <"$tmp/p/runs.log")" = 8
rm "$tmp/p/runs.log" "$tmp/p/ended.log"

# --- SIGKILL inside the child ---------------------------------------------------------
touch "$tmp/p/hold.i2"
"$cadence" run -c "$long" --checkpoint "$ck" >"$tmp/killed.out" 2>"$tmp/killed.err" &
pid=$!
# two frames: inside the child, after its first measure, in its second
wait_until "the checkpoint to reach the child" reached "$ck" 'long/inner: 1 of 3'
wait_until "the child's second measure to start" started i2
kill -KILL $pid
wait $pid 2>/dev/null
assert "SIGKILL left a valid checkpoint inside the child" grep -qE '^2 3 [12] False$' <<<"$(position "$ck")"
assert "no temporary file is left" test -z "$(ls "$tmp" | grep '\.tmp\.')"
killed=$(wc -l <"$tmp/p/runs.log")
rm "$tmp/p/hold.i2"
run "$cadence" resume -c "$ck"
expect "resume after SIGKILL succeeds" 0
assert "... with the score of the uninterrupted run" test "$out" = "$want"
assert "completed measures did not run again (at most the interrupted one)" \
	test "$(wc -l <"$tmp/p/runs.log")" -le 9
assert "the steps after the kill ran" test "$(wc -l <"$tmp/p/runs.log")" -gt "$killed"
assert "the resumed run saved its checkpoints in the same file, complete" \
	test "$(position "$ck")" = "1 6 True"
run "$cadence" resume -c "$ck"
expect "resuming a completed checkpoint runs nothing and prints the score" 0
assert "... the same score" test "$out" = "$want"

# --- SIGINT and SIGTERM: exit 130 and a valid checkpoint ----------------------------------
for sig in INT TERM; do
	rm -f "$ck"
	touch "$tmp/p/hold.par"
	"$cadence" run -c "$long" --checkpoint "$ck" >"$tmp/sig.out" 2>"$tmp/sig.err" &
	pid=$!
	wait_until "SIG$sig: the checkpoint to reach the root's second measure" reached "$ck" 'long: 2 of 6'
	wait_until "SIG$sig: the third measure to start" started par
	kill -$sig $pid
	wait_exit $pid
	rm -f "$tmp/p/hold.par"
	err=$(<"$tmp/sig.err") out=
	expect "SIG$sig: exit 130" 130 '' 'interrupted'
	pos=$(position "$ck")	# (not in a pipeline: py_call)
	assert "SIG$sig left a valid checkpoint" test "${pos##* }" = False
	# after SIGTERM, the resume SIGINT's took under valgrind: from the same
	# position, step for step
	again=$cadence
	[[ $sig == INT ]] || again=$cadence_again
	run "$again" resume -c "$ck" --events "$tmp/resumed.jsonl"
	expect "resume after SIG$sig succeeds" 0
	assert "... with the score of the uninterrupted run" test "$out" = "$want"
	assert "the resumed run does not start with the first measure" \
		test -z "$(grep '"measure":"s1"' "$tmp/resumed.jsonl")"
done

# --- changed files: refused, --force overrides -------------------------------------------------
rm -f "$ck"
touch "$tmp/p/hold.par"
# (the setup: the SIGINT and SIGTERM runs above took this path under
# valgrind, step for step up to the kill)
"$cadence_again" run -c "$long" --checkpoint "$ck" >/dev/null 2>&1 &
pid=$!
wait_until "the checkpoint to reach the root's second measure" reached "$ck" 'long: 2 of 6'
wait_until "the third measure to start" started par
kill -KILL $pid
wait $pid 2>/dev/null
rm "$tmp/p/hold.par"
cp "$ck" "$tmp/ck.saved"
cp "$long" "$tmp/long.saved"
printf '# edited\n' >>"$long"
run "$cadence" resume "$ck"
expect "a resume after the cadence file changed is refused: exit 4" 4 '' \
	"cannot resume from '.*ck.json': the cadence files are not those the checkpoint was written for: 'long.cadence.yaml' changed; nothing ran \(--force resumes anyway\)"
assert "nothing ran" test -z "$out"
run "$cadence" resume -c --force "$ck"
expect "--force resumes anyway" 0
assert "... to the same score (the edit was a comment)" test "$out" = "$want"
cp "$tmp/long.saved" "$long"
cp "$tmp/ck.saved" "$ck"
printf '# edited\n' >>"$tmp/p/inner.cadence.yaml"
run "$cadence" resume "$ck"
expect "a changed child file is refused too, by name" 4 '' "'inner.cadence.yaml' changed"
sed -i '$d' "$tmp/p/inner.cadence.yaml"
run "$cadence" resume -c "$ck"
expect "with the files as they were, the resume goes on" 0
assert "... to the same score" test "$out" = "$want"

# --- bad checkpoints ---------------------------------------------------------------------------
cp "$tmp/ck.saved" "$ck"
run "$cadence" resume "$tmp/missing.json"
expect "a missing checkpoint: exit 2" 2 '' "cannot read the checkpoint '.*missing.json': No such file or directory; nothing ran"
printf 'garbage\n' >"$tmp/corrupt.json"
run "$cadence" resume "$tmp/corrupt.json"
expect "a corrupt checkpoint: exit 2" 2 '' "'.*corrupt.json' is not a valid checkpoint: it is not JSON: unexpected text at byte 0 of 8; nothing ran"
head -c 300 "$ck" >"$tmp/truncated.json"
run "$cadence" resume "$tmp/truncated.json"
expect "a truncated checkpoint: exit 2" 2 '' "is not a valid checkpoint: it is not JSON: it ends early \(truncated\?\) at byte 29[0-9] of 300"
: >"$tmp/empty.json"
run "$cadence" resume "$tmp/empty.json"
expect "an empty checkpoint: exit 2" 2 '' "is not a valid checkpoint: it is not JSON: it ends early"
echo '{"score": {}}' >"$tmp/other.json"
run "$cadence" resume "$tmp/other.json"
expect "JSON that is not a checkpoint: exit 2" 2 '' "is not a valid checkpoint: key 'format' is missing"
edit() { py_call edit "$ck" "$tmp/edited.json" "$1"; }
edit 'd["version"] = 7'
run "$cadence" resume "$tmp/edited.json"
expect "another format version: exit 2" 2 '' "it is version 7; this cadence reads version 1"
edit 'del d["frames"][0]["score"]'
run "$cadence" resume "$tmp/edited.json"
expect "a frame without its score: exit 2" 2 '' "a frame's 'score' is missing"
edit 'd["files"][0]["sha256"] = "xyz"'
run "$cadence" resume "$tmp/edited.json"
expect "a bad hash: exit 2" 2 '' "the sha256 of 'long.cadence.yaml' is not 64 hex digits"
edit 'd["frames"][0]["next"] = 99'
run "$cadence" resume "$tmp/edited.json"
expect "a position past the measures: exit 4" 4 '' "the checkpoint's position in 'long' \(measure 100\) is past its 6 measures; nothing ran"
edit 'd["frames"][0]["score"]["count"] = "many"'
run "$cadence" resume "$tmp/edited.json"
expect "a score that does not fit: exit 4" 4 '' "the checkpoint's score of 'long' does not fit its declaration: field 'count' must be an integer"
cat >"$tmp/p/other.cadence.yaml" <<'YAML'
cadence: other
score: {}
notes:
  n: {run: [sh, -c, 'echo "{}"']}
measures:
  - then: n
YAML
run "$cadence" resume "$ck" "$tmp/p/other.cadence.yaml"
expect "the checkpoint of another cadence: exit 4" 4 '' \
	"the checkpoint '.*ck.json' is of cadence 'long', but .*other.cadence.yaml is cadence 'other'; nothing ran"
mkdir "$tmp/moved"
cp "$tmp/p/long.cadence.yaml" "$tmp/p/inner.cadence.yaml" "$tmp/moved/"
mv "$tmp/p" "$tmp/gone"
run "$cadence" resume "$ck"
expect "the cadence file is missing: exit 2" 2 '' "long.cadence.yaml"
run "$cadence" resume -c "$ck" "$tmp/moved/long.cadence.yaml"
expect "resume with the cadence file moved elsewhere" 0
assert "... to the same score" test "$out" = "$want"
run "$cadence" resume
expect "resume without a checkpoint: usage, exit 2" 2 '' "which checkpoint"
run "$cadence" resume "$ck" a b
expect "resume with too many arguments: exit 2" 2 '' "unexpected argument 'b'"
finish
