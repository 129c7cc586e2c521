#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checkpoints inside a dag: the tasks that ended ok are recorded with their
# changes; a run killed with SIGKILL (or interrupted, or failed) and
# resumed runs only the other tasks and ends with the score of an
# uninterrupted run; every bad dag record gives its message and status.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state
# Each task's note appends its task's name to runs.log when it starts;
# while hold.TASK exists it waits; while fail.TASK exists it fails.  A test
# holds a task, waits until it has started and stops the run there.

mkdir "$tmp/p"
cat >"$tmp/p/g.cadence.yaml" <<'YAML'
cadence: g
score:
  trail: {type: array, default: []}
  x: {type: integer, default: 0}
  y: {type: integer, default: 0}
  z: {type: integer, default: 0}
  total: {type: integer, default: 0}
notes:
  # its task's name on the trail (smart_merge combines the additions)
  step:
    reads: [trail]
    writes: [trail]
    run: [sh, -c, 't=$CADENCE_TASK; echo "$t" >> "$CADENCE_DIR/runs.log"; while [ -e "$CADENCE_DIR/hold.$t" ]; do sleep 0.01; done; [ ! -e "$CADENCE_DIR/fail.$t" ] || exit 3; printf "{\"trail\": [\"%s\"]}" "$t"']
  seed: {writes: [x], set: {x: '7'}}
  by_y:
    reads: [x]
    writes: [y]
    run: [sh, -c, 't=$CADENCE_TASK; echo "$t" >> "$CADENCE_DIR/runs.log"; while [ -e "$CADENCE_DIR/hold.$t" ]; do sleep 0.01; done; [ ! -e "$CADENCE_DIR/fail.$t" ] || exit 3; echo "{\"y\": 2}"']
  by_z:
    reads: [x]
    writes: [z]
    run: [sh, -c, 't=$CADENCE_TASK; echo "$t" >> "$CADENCE_DIR/runs.log"; [ ! -e "$CADENCE_DIR/fail.$t" ] || exit 3; echo "{\"z\": 3}"']
  sum: {reads: [x, y, z], writes: [total], set: {total: 'score.x * 100 + score.y * 10 + score.z'}}
measures:
  - dag: g
    jobs: 2
    merge: smart_merge
    on_failure: continue
    tasks:
      - task: a
        note: seed
      - task: b
        note: by_y
        after: [a]
      - task: c
        note: by_z
        after: [a]
      - task: s1
        note: step
        after: [a]
      - task: s2
        note: step
        after: [c]
      - task: s3
        note: step
        after: [s1, s2]
      - task: d
        note: sum
        after: [b, c]
  - then: sum
YAML
g=$tmp/p/g.cadence.yaml
ck=$tmp/ck.json
log=$tmp/p/runs.log

py_serve json -- '
import json, sys
def main(argv):
    if argv[0] == "done":
        # the tasks a checkpoint records as done, in its order
        try:
            d = json.load(open(argv[1]))
        except Exception:
            return 0
        f = d["frames"][-1]
        print(" ".join(t["task"] for t in f.get("dag", {}).get("tasks", [])))
    elif argv[0] == "edit":
        d = json.load(open(argv[1]))
        exec(argv[3], {"d": d})
        json.dump(d, open(argv[2], "w"))
'
done_tasks() { py_call done "$1" 2>/dev/null; }
started() { grep -qx "$1" "$log" 2>/dev/null; }
reached() { grep -qE "\"position\":.*$2" "$1" 2>/dev/null; }
ran() { sort "$log" 2>/dev/null | tr '\n' ' '; }

run "$cadence" run -c "$g"
expect "the uninterrupted run" 0
want=$out
assert "... ran every run task once" test "$(ran)" = "b c s1 s2 s3 "
rm "$log"

# --- SIGKILL while b runs: a, c, s1, s2, s3 recorded; b and d run on resume ---
touch "$tmp/p/hold.b"
"$cadence" run -c "$g" --checkpoint "$ck" >/dev/null 2>&1 &
pid=$!
wait_until "b to start" started b
wait_until "the checkpoint to hold the tasks that ended" reached "$ck" "dag 'g': 5 of 7 tasks done"
kill -KILL $pid
wait $pid 2>/dev/null
assert "the checkpoint records the tasks that ended ok, in dag order" \
	test "$(done_tasks "$ck")" = "a c s1 s2 s3"
assert "... and the score the dag started with" grep -q '"total": 0' "$ck"
rm "$tmp/p/hold.b" "$log"
run "$cadence" resume -c "$ck" --events "$tmp/ev.jsonl"
expect "resume after SIGKILL inside the dag succeeds" 0
assert "... with the score of the uninterrupted run" test "$out" = "$want"
assert "... running only the task that had not ended" test "$(ran)" = "b "
assert "... and the task after it" grep -q '"task_end".*"task":"d"\|"task":"d".*"task_end"' "$tmp/ev.jsonl"
assert "restored tasks send no events" test -z "$(grep '"task":"c"' "$tmp/ev.jsonl")"
assert "the resumed run's checkpoint is complete" grep -q '"complete": true' "$ck"
rm "$log"

# --- a failed task (on_failure: continue): resume runs it and what is after it ---
touch "$tmp/p/fail.c"
run "$cadence" run -c "$g" --checkpoint "$ck"
expect "a dag with a failed task fails" 1 '' "task 'c'"
assert "the checkpoint records the tasks that ended ok" test "$(done_tasks "$ck")" = "a b s1"
rm "$tmp/p/fail.c" "$log"
run "$cadence" resume -c "$ck"
expect "resume after the failure is fixed" 0
assert "... with the score of the uninterrupted run" test "$out" = "$want"
assert "... running the failed task and those after it only" test "$(ran)" = "c s2 s3 "
rm "$log"

# --- SIGINT: exit 130, the tasks that ended are kept ---
rm -f "$ck"
touch "$tmp/p/hold.s3"
"$cadence" run -c "$g" --checkpoint "$ck" >/dev/null 2>"$tmp/int.err" &
pid=$!
wait_until "s3 to start" started s3
wait_until "b to end" reached "$ck" "dag 'g': 6 of 7 tasks done"
kill -INT $pid
wait_exit $pid
rm "$tmp/p/hold.s3"
err=$(<"$tmp/int.err") out=
expect "SIGINT inside the dag: exit 130" 130 '' 'interrupted'
assert "the checkpoint holds what ended before the interrupt" \
	test "$(done_tasks "$ck")" = "a b c s1 s2 d"
rm "$log"
run "$cadence" resume -c "$ck"
expect "resume after SIGINT" 0
assert "... with the score of the uninterrupted run" test "$out" = "$want"
assert "... running the interrupted task only" test "$(ran)" = "s3 "

# --- child tasks: one that ended ok is saved at once, before the next runs ---
cat >"$tmp/p/kid.cadence.yaml" <<'YAML'
cadence: kid
score: {v: {type: integer, default: 0}, out: {type: integer, default: 0}}
notes:
  work:
    reads: [v]
    writes: [out]
    run: [sh, -c, 't=kid-$(cat | tr -dc 0-9); echo "$t" >> "$CADENCE_DIR/runs.log"; while [ -e "$CADENCE_DIR/hold.$t" ]; do sleep 0.01; done; echo "{\"out\": 5}"']
measures:
  - then: work
YAML
cat >"$tmp/p/kids.cadence.yaml" <<'YAML'
cadence: kids
score: {y: {type: integer, default: 0}, z: {type: integer, default: 0}}
measures:
  - dag: d
    tasks:
      - {task: k1, cadence: kid, with: {v: "1"}, merge: {y: score.out}}
      - {task: k2, cadence: kid, with: {v: "2"}, merge: {z: score.out}, after: [k1]}
YAML
rm -f "$ck" "$log"
run "$cadence" run -c "$tmp/p/kids.cadence.yaml"
want_kids=$out
rm -f "$log"
touch "$tmp/p/hold.kid-20"
"$cadence" run -c "$tmp/p/kids.cadence.yaml" --checkpoint "$ck" >/dev/null 2>&1 &
pid=$!
# (the child's stdin is its score: v 2 and out 0 give kid-20)
wait_until "k2's child to start" grep -qx kid-20 "$log"
wait_until "the checkpoint to hold k1" reached "$ck" "dag 'd': 1 of 2 tasks done"
kill -KILL $pid
wait $pid 2>/dev/null
rm -f "$tmp/p"/hold.*
assert "a child task that ended ok is saved while the next runs" test "$(done_tasks "$ck")" = k1
rm -f "$log"
run "$cadence" resume -c "$ck"
expect "resume runs the child task that had not ended" 0
assert "... to the score of the uninterrupted run" test "$out" = "$want_kids"
assert "... and not the one that had" test "$(wc -l <"$log")" = 1

# --- bad records ---
touch "$tmp/p/hold.b"
rm -f "$ck" "$log"
# (the run killed while b runs, as the first SIGKILL's above: the binary itself)
"$cadence_again" run -c "$g" --checkpoint "$ck" >/dev/null 2>&1 &
pid=$!
wait_until "the checkpoint to hold the tasks that ended (again)" reached "$ck" "dag 'g': 5 of 7 tasks done"
kill -KILL $pid
wait $pid 2>/dev/null
rm "$tmp/p/hold.b"
cp "$ck" "$tmp/ck.saved"
edit() { py_call edit "$tmp/ck.saved" "$ck" "$1"; }
edit 'd["frames"][0]["dag"]["tasks"][1]["task"] = "cc"'
run "$cadence" resume "$ck"
expect "a record of a task the dag does not have: exit 4" 4 '' \
	"the checkpoint's record of dag 'g' does not fit it: dag 'g' has no task 'cc' any more; nothing ran"
edit 'd["frames"][0]["dag"]["tasks"].append({"task": "a"})'
run "$cadence" resume "$ck"
expect "a task recorded twice: exit 4" 4 '' "it lists task 'a' of dag 'g' twice"
edit 'd["frames"][0]["dag"]["measure"] = "h"'
run "$cadence" resume "$ck"
expect "a record of another dag: exit 4" 4 '' \
	"the checkpoint is inside dag 'h' at measure 1 of 'g', which is not that dag"
edit 'd["frames"][0]["next"] = 1'
# (one test and one message with the record of another dag just above,
# under valgrind there: the binary itself)
run "$cadence_again" resume "$ck"
expect "a record at a measure that is no dag: exit 4" 4 '' "which is not that dag"
edit 'd["frames"][0]["dag"]["tasks"][0]["changes"] = [1]'
run "$cadence" resume "$ck"
expect "changes that are not an object: exit 2" 2 '' \
	"is not a valid checkpoint: dag task 'a' has a 'changes' of the wrong type"
edit 'd["frames"][0]["dag"] = {"tasks": []}'
run "$cadence" resume "$ck"
expect "a record without its measure: exit 2" 2 '' "its dag's key 'measure' is missing"
edit 'd["frames"].append(dict(d["frames"][0]))'
run "$cadence" resume "$ck"
expect "a record in a frame that is not the innermost: exit 2" 2 '' \
	"the frame of 'g' has a dag but is not the innermost"
rm -f "$log"
edit 'd["frames"][0]["dag"]["tasks"][1]["changes"] = {"z": "three"}'
run "$cadence" resume -c "$ck"
expect "recorded changes that no longer fit the score: the task runs again" 0
assert "... to the score of the uninterrupted run" test "$out" = "$want"
assert "... c ran again, and b" test "$(ran)" = "b c "

finish
