#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Time of cadence_metrics_write() (bench/bench_metrics.c), in one build or
# compared between two (the ratio NEW/OLD, from runs taken in turn):
#
#   bench/metrics.sh BUILD [OLD_BUILD] [RUNS]     BUILD: a build with
#                                                 -DCADENCE_BUILD_BENCH=ON
set -euo pipefail
new=$1 old=${2:-} runs=${3:-5}
for b in "$new" ${old:+"$old"}; do
	[[ -x $b/bench/bench_metrics ]] || { echo "metrics.sh: no $b/bench/bench_metrics" >&2; exit 2; }
done
us() { "$1/bench/bench_metrics" -n 200 -r 11 | sed -n 's/.*bytes, \([0-9.]*\) us per write.*/\1/p'; }
"$new/bench/bench_metrics" -n 200 -r 11
[[ -n $old ]] || exit 0
ratios=()
for ((i = 0; i < runs; i++)); do
	a=$(us "$old") b=$(us "$new")
	r=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')
	ratios+=("$r")
	echo "run $((i + 1)): old $a us, new $b us, new/old $r"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print "median new/old: " v[int((NR + 1) / 2)] }'
