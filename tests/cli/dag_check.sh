#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cadence validate` on dags of 10,000 tasks (the most a dag may have): a
# chain, a wide fan-out and fan-in, a circle of all of them, and tasks that
# all race.  Every check of a dag is linear in its tasks and entries (a heap
# makes the order n log n) and none recurses, so each file takes a fraction
# of a second; a check that compared pairs of tasks would take minutes and
# hit the test's deadline (cmake/test-timeouts.cmake), and a recursion as
# deep as the chain would overflow the stack.  The golden fixtures
# (tests/golden/fixtures/dag-*) show each rule on small files.
source "$(dirname "$0")/lib.sh"
need python3

n=$(runs 10000 1000)

# gen SHAPE FILE: a dag of $n tasks, task i running note t<i>.
#   chain   t<i> after t<i-1>, reading the field it wrote, a shared one
#           that every task writes, and the one t0 wrote
#   circle  the chain, with t0 after the last
#   fan     t0, then every other but the last after t0, reading what t0
#           wrote; the last after all of those, and after t0 again
#           (implied), with a set: that reads a field of every 50th
#   race    no order, every task writes one field
# then the note t1 again, after the dag.
gen() {
	python3 - "$1" "$n" "$2" <<'PY'
import sys
shape, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
out = ["cadence: big", "score:", "  acc: {type: integer}"]
out += ["  f%d: {type: integer}" % i for i in range(n - 1)]
out.append("notes:")
for i in range(n):
    if shape in ("chain", "circle"):
        w = "f%d, acc" % i if i < n - 1 else "acc"
        r = "f%d, acc, f0" % (i - 1) if i > 1 else "f0, acc" if i else ""
        out.append("  t%d: {symbol: t, reads: [%s], writes: [%s]}" % (i, r, w))
    elif shape == "fan":
        if i == 0:
            out.append("  t0: {symbol: t, writes: [f0]}")
        elif i < n - 1:
            out.append("  t%d: {symbol: t, reads: [f0], writes: [f%d]}" % (i, i))
        else:
            out.append("  t%d: {set: {acc: '%s'}}" % (
                i, " + ".join("score.f%d" % j for j in range(0, n - 1, 50))))
    else:
        out.append("  t%d: {symbol: t, writes: [acc]}" % i)
out += ["measures:", "  - dag: big", "    tasks:"]
for i in range(n):
    out.append("      - task: t%d" % i)
    if shape == "chain" and i or shape == "circle":
        out.append("        after: [t%d]" % ((i - 1) % n))
    elif shape == "fan" and 0 < i < n - 1:
        out.append("        after: [t0]")
    elif shape == "fan" and i == n - 1:
        out.append("        after: [t0, %s]" % ", ".join("t%d" % j for j in range(1, n - 1)))
# after the dag, t1's reads are set (f0 and, in a chain, acc)
out += ["  - then: again", "    note: t1"]
open(path, "w").write("\n".join(out) + "\n")
PY
}

# run_small_stack CMD...: run() with a stack of 256 KiB, where a recursion
# 10,000 deep overflows (an ASan build needs less than that here); not
# under valgrind, which runs the program on a stack of its own
run_small_stack() {
	local old
	old=$(ulimit -S -s)
	under_valgrind || ulimit -S -s 256
	run "$@"
	ulimit -S -s "$old"
}

gen chain "$tmp/chain.cadence.yaml"
run_small_stack "$cadence" validate -f oneline "$tmp/chain.cadence.yaml"
expect "a chain of $n tasks: each reads what the one before wrote" 0
assert "a chain: no diagnostic" [ -z "$out" ]

gen fan "$tmp/fan.cadence.yaml"
run_small_stack "$cadence" validate -f oneline "$tmp/fan.cadence.yaml"
expect "a fan-out and fan-in of $n tasks: only the implied entry" 0 \
	"fan.cadence.yaml:$((4 * n + 5)):17: warning: task 't$((n - 1))' is after 't0' already, through 't1' \[dag-redundant-after\]"
assert "a fan-out and fan-in: one warning" [ "$(grep -c '\[' <<<"$out")" = 1 ]

gen circle "$tmp/circle.cadence.yaml"
run_small_stack "$cadence" validate -f oneline "$tmp/circle.cadence.yaml"
expect "a circle of $n tasks: one dag-cycle, its path cut short" 1 \
	"circle.cadence.yaml:$((2 * n + 8)):17: error: tasks of dag 'big' are after each other in a circle: t0 -> t1 -> t2 -> t3 -> t4 -> t5 -> t6 -> t7 -> \.\.\. \($((n - 9)) more\) -> t$((n - 1)) -> t0 \[dag-cycle\]"
assert "a circle: one error" [ "$(grep -c '\[' <<<"$out")" = 1 ]

gen race "$tmp/race.cadence.yaml"
run "$cadence" validate -f oneline "$tmp/race.cadence.yaml"
expect "$n tasks that write one field: one dag-race" 1 \
	"race.cadence.yaml:$((2 * n + 8)):15: error: tasks 't0' and 't1' of dag 'big' both write 'acc' with no order between them \(merge: fail_on_conflict\) \[dag-race\]"
assert "a race: one error" [ "$(grep -c '\[' <<<"$out")" = 1 ]

# Random dags (a fixed seed), each task writing a field of its own and
# reading others', listed in a shuffled order: the dag-missing-after and
# dag-redundant-after diagnostics are those a brute-force closure finds.
python3 - "$cadence" "$tmp" "$(runs 40 10)" <<'PY'
import os, random, re, subprocess, sys
cadence, d, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(7)
bad = checked = 0
for it in range(rounds):
    n = rnd.randint(2, 30)
    p = rnd.choice([0.05, 0.15, 0.4])
    after = [[j for j in range(i) if rnd.random() < p] for i in range(n)]
    perm = list(range(n))
    rnd.shuffle(perm)
    anc = [set() for _ in range(n)]
    for i in range(n):
        for j in after[i]:
            anc[i] |= anc[j] | {j}
    reads = [[j for j in range(n) if j != i and rnd.random() < 0.2] for i in range(n)]
    want = {(i, j) for i in range(n) for j in reads[i] if j not in anc[i] and i not in anc[j]}
    wred = {(i, j) for i in range(n) for j in after[i]
            if any(j in anc[k] for k in after[i] if k != j)}
    if len(want) >= 100 or len(wred) >= 100:
        continue    # past the cap of one rule's diagnostics
    out = ["cadence: r", "score:"] + ["  f%d: {type: integer, default: 0}" % i for i in range(n)]
    out.append("notes:")
    for i in range(n):
        out.append("  t%d: {symbol: t, reads: [%s], writes: [f%d]}"
                   % (i, ", ".join("f%d" % j for j in reads[i]), i))
    out += ["measures:", "  - dag: d", "    tasks:"]
    for i in perm:
        out.append("      - task: t%d" % i)
        if after[i]:
            out.append("        after: [%s]" % ", ".join("t%d" % j for j in after[i]))
    path = os.path.join(d, "random.cadence.yaml")
    open(path, "w").write("\n".join(out) + "\n")
    r = subprocess.run([cadence, "validate", "-f", "oneline", path], capture_output=True, text=True)
    got = {(int(a), int(b)) for a, b in
           re.findall(r"task 't(\d+)' reads 'f(\d+)', which task 't\d+' of dag 'd' writes", r.stdout)}
    red = {(int(a), int(b)) for a, b in
           re.findall(r"task 't(\d+)' is after 't(\d+)' already", r.stdout)}
    checked += 1
    if got != want or red != wred:
        bad += 1
        print("dag %d: missing-after %s, redundant-after %s (differences)"
              % (it, sorted(got ^ want), sorted(red ^ wred)))
print("# %d random dags checked" % checked)
sys.exit(1 if bad or not checked else 0)
PY
status=$? out= err=
if [[ $status == 0 ]]; then ok "random dags: the order checks match a brute-force closure"
else fail "random dags: the order checks match a brute-force closure"; fi

# a task listed twice whose note reads and writes a field: duplicate-task
# alone, not a race of the task with itself
printf '%s\n' 'cadence: t' 'score:' '  x: {type: integer, default: 0}' 'notes:' \
	"  a: {set: {x: 'score.x + 1'}}" 'measures:' '  - dag: d' '    tasks:' \
	'      - task: a' '      - task: a' >"$tmp/dup.cadence.yaml"
run "$cadence" validate -f oneline "$tmp/dup.cadence.yaml"
expect "a task listed twice: duplicate-task" 1 "dup.cadence.yaml:10:15: error: task 'a' is listed twice in dag 'd' \[duplicate-task\]"
assert "... and nothing that follows from it" [ "$(grep -c '\[' <<<"$out")" = 1 ]

# last_write_wins: two writers with no order between them are no race, and
# a reader after one of them is still missing the other (not the nearest)
printf '%s\n' 'cadence: t' 'score:' '  x: {type: integer, default: 0}' \
	'  y: {type: integer, default: 0}' 'notes:' "  w1: {set: {x: '1'}}" \
	"  w2: {set: {x: '2'}}" "  r: {set: {y: 'score.x'}}" 'measures:' '  - dag: d' \
	'    merge: last_write_wins' '    tasks:' '      - task: w1' '      - task: w2' \
	'      - {task: t, note: r, after: [w2]}' >"$tmp/lww.cadence.yaml"
run "$cadence" validate -f oneline "$tmp/lww.cadence.yaml"
expect "a reader after one of two unordered writers misses the other" 1 \
	"lww.cadence.yaml:15:16: error: task 't' reads 'x', which task 'w1' of dag 'd' writes, but neither is after the other \[dag-missing-after\]"

finish
