#!/bin/sh
# SPDX-License-Identifier: MIT
# The dag measure's figures (docs/benchmarks.md, "Dag"): builds an
# optimised tree in BUILD (default build-bench-run), then
#   - parallelism: one dag of 100 independent tasks, each a `run` note
#     sleeping 50 ms, with jobs 10 (about 0.5 s) and jobs 1 (about 5 s);
#   - checkpoints inside a dag: 1,000 quick tasks with and without
#     --checkpoint, and how many checkpoints were written;
#   - the engine's cost per task: bench_run REPEAT dag (bench/bench_run.c).
# Bounded: about 6 s of sleeping, 15 s of quick tasks and a few seconds of
# bench_run.
#   bench/dag.sh [BUILD] [REPEAT]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-bench-run}
repeat=${2:-5}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCADENCE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target bench_run cadence -j2 >/dev/null
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-bench-dag.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "# $(uname -sr), $(nproc) CPUs, $(date -u +%Y-%m-%d)"

# dag.cadence.yaml: JOBS replaced by each run's
{
	printf 'cadence: sleepers\nnotes:\n  nap: {run: [sleep, "0.05"]}\n'
	printf 'measures:\n  - dag: naps\n    jobs: JOBS\n    tasks:\n'
	i=0
	while [ $i -lt 100 ]; do
		printf '      - {task: t%d, note: nap}\n' $i
		i=$((i + 1))
	done
} >"$tmp/template"
for jobs in 10 1; do
	sed "s/JOBS/$jobs/" "$tmp/template" >"$tmp/dag.cadence.yaml"
	t0=$(date +%s.%N)
	"$build/cli/cadence" run -c "$tmp/dag.cadence.yaml" >/dev/null
	t1=$(date +%s.%N)
	echo "100 tasks sleeping 50 ms, jobs $jobs: $(echo "$t1 - $t0" | bc) s wall"
done
# checkpoints inside a dag: 1,000 tasks of `true` (a process each, about
# 2 ms), jobs 10, with and without --checkpoint, three times each,
# alternating; and how many checkpoints the run wrote
{
	printf 'cadence: quick\nnotes:\n  t: {run: [true]}\n'
	printf 'measures:\n  - dag: many\n    jobs: 10\n    tasks:\n'
	i=0
	while [ $i -lt 1000 ]; do
		printf '      - {task: t%d, note: t}\n' $i
		i=$((i + 1))
	done
} >"$tmp/quick.cadence.yaml"
for round in 1 2 3; do
	for ck in "" "--checkpoint $tmp/ck.json"; do
		rm -f "$tmp/ck.json"
		t0=$(date +%s.%N)
		"$build/cli/cadence" run $ck "$tmp/quick.cadence.yaml" >/dev/null
		t1=$(date +%s.%N)
		echo "1000 tasks of true, jobs 10${ck:+, --checkpoint}: $(echo "$t1 - $t0" | bc) s wall"
	done
done
if command -v strace >/dev/null; then
	rm -f "$tmp/ck.json"
	n=$(strace -f -e trace=rename,renameat,renameat2 -o "$tmp/strace.out" \
		"$build/cli/cadence" run --checkpoint "$tmp/ck.json" "$tmp/quick.cadence.yaml" \
		>/dev/null && grep -c 'ck.json' "$tmp/strace.out")
	echo "checkpoints written for those 1000 tasks: $n"
fi
"$build/bench/bench_run" "$repeat" dag
