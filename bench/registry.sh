#!/bin/sh
# SPDX-License-Identifier: MIT
# The run registry's figures (docs/benchmarks.md, "Run registry"): builds
# an optimised tree in BUILD (default build-bench-run), then, with the
# registry holding 0, 100,000 and 1,000,000 earlier runs (put there by
# sqlite3 in one statement), times
#   - `cadence run` of examples/hello, recorded and with --no-record,
#     RUNS of each, interleaved in pairs so the machine's noise hits both;
#   - `cadence history --limit 20` and `cadence list` (the project: the
#     bundled examples).
# Bounded: about 4 x RUNS runs a size and a few seconds of sqlite3.
#   bench/registry.sh [BUILD] [RUNS]
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build-bench-run}
runs=${2:-100}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCADENCE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target cadence -j2 >/dev/null
command -v sqlite3 >/dev/null || { echo "bench/registry.sh: needs sqlite3" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-bench-registry.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export CADENCE_STATE_DIR="$tmp/state"
cadence=$build/cli/cadence
hello=$src/examples/hello/hello.cadence.yaml
echo "# $(uname -sr), $(nproc) CPUs, $(date -u +%Y-%m-%d)"

now() { date +%s%N; }
# ms ELAPSED_NS COUNT: milliseconds per one, two decimals
ms() { echo "scale=2; $1 / $2 / 1000000" | bc; }

"$cadence" run "$hello" --score '{"name":"a"}' >/dev/null	# makes the registry
for size in 0 100000 1000000; do
	if [ "$size" -gt 0 ]; then
		sqlite3 "$CADENCE_STATE_DIR/registry.db" "
			WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $size)
			INSERT INTO runs (cadence, file, trigger, start_ms, end_ms, status)
			SELECT 'c' || (i % 50), '/x', 'manual', i, i + 1, 'ok' FROM n
			WHERE i > (SELECT count(*) FROM runs);"
	fi
	rec=0 off=0 i=0
	while [ $i -lt "$runs" ]; do
		t0=$(now)
		"$cadence" run "$hello" --score '{"name":"a"}' >/dev/null
		t1=$(now)
		"$cadence" run --no-record "$hello" --score '{"name":"a"}' >/dev/null
		t2=$(now)
		rec=$((rec + t1 - t0)) off=$((off + t2 - t1)) i=$((i + 1))
	done
	t0=$(now)
	"$cadence" history --limit 20 >/dev/null
	t1=$(now)
	(cd "$src/examples" && "$cadence" list >/dev/null)
	t2=$(now)
	rows=$(sqlite3 "$CADENCE_STATE_DIR/registry.db" 'SELECT count(*) FROM runs')
	echo "$rows runs recorded: run $(ms $rec "$runs") ms recorded," \
		"$(ms $off "$runs") ms --no-record (+$(ms $((rec - off)) "$runs") ms);" \
		"history $(ms $((t1 - t0)) 1) ms, list $(ms $((t2 - t1)) 1) ms"
done
