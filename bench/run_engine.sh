#!/bin/sh
# SPDX-License-Identifier: MIT
# The run engine's figures (docs/benchmarks.md, "Run engine"): builds an
# optimised tree in BUILD (default build-bench-run) and runs
# bench/bench_run, which measures each figure beside its baseline in the
# same process.  REPEAT (default 5): repetitions, the best one counts;
# FIGURE `observe`: only the reporters' figure (`observe-growth`: at 100 to
# 10,000 notes) (docs/benchmarks.md,
# "Observability"); `scale`: only issue 15's figures (docs/benchmarks.md,
# "Scale: notes x score fields"; bench/scale.sh runs them too).
# CPUS (say CPUS=1): run it on those CPUs alone (taskset), so that the
# run's thread and the reporters' share one: their CPU time without what
# moving the ring's lines between cores adds, which depends on where the
# host puts the VM's CPUs (docs/benchmarks.md, "Reporters off the run's
# thread").
#   [CPUS=LIST] bench/run_engine.sh [BUILD] [REPEAT] [observe|observe-growth|scale]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-bench-run}
repeat=${2:-5}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCADENCE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target bench_run -j2 >/dev/null
echo "# $(uname -sr), $(nproc) CPUs, $(date -u +%Y-%m-%d)${CPUS:+, on CPUs $CPUS}"
${CPUS:+taskset -c "$CPUS"} "$build/bench/bench_run" "$repeat" ${3:+"$3"}
