#!/bin/sh
# SPDX-License-Identifier: MIT
# The dag measure's figures (docs/benchmarks.md, "Dag"): builds an
# optimised tree in BUILD (default build-bench-run), then
#   - parallelism: one dag of 100 independent tasks, each a `run` note
#     sleeping 50 ms, with jobs 10 (about 0.5 s) and jobs 1 (about 5 s);
#   - the engine's cost per task: bench_run REPEAT dag (bench/bench_run.c).
# Bounded: about 6 s of sleeping plus a few seconds of bench_run.
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
"$build/bench/bench_run" "$repeat" dag
