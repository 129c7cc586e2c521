#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/run.sh - load and validate timings next to a bare libyaml parse.
#
#   bench/run.sh [--runs N] [--no-build] [--keep] [--notes "1000 10000"]
#
# Builds Release in build-bench, generates cadences of 1,000 and 10,000
# notes (bench/gen_cadence.py) in a temporary directory, and for each file:
#   - runs bench_load: events / document / load / validate in one process,
#     interleaved, with the ratio of each to the bare event parse;
#   - times whole processes, interleaved: `cadence validate FILE` against
#     `bench_load --once events FILE` (a process that reads the file and
#     runs libyaml's parser over it, nothing more), N runs each.
# The goal (issue: bench/) is validate <= 3x the bare parse: PASS or FAIL is
# decided on ratios measured in this run, never on absolute times, since
# the machine may be shared and noisy.  Exit status 1 on FAIL.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build="$root/build-bench"
runs=21
do_build=1
keep=0
sizes="1000 10000"
limit=3

while [ $# -gt 0 ]; do
	case "$1" in
	--runs) runs=$2; shift 2 ;;
	--no-build) do_build=0; shift ;;
	--keep) keep=1; shift ;;
	--notes) sizes=$2; shift 2 ;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

if [ "$do_build" = 1 ]; then
	cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release \
		-DCADENCE_BUILD_BENCH=ON -DCADENCE_BUILD_TESTS=OFF >/dev/null
	cmake --build "$build" -j"$(nproc)" --target cadence bench_load >/dev/null
fi
cadence="$build/cli/cadence"
bench="$build/bench/bench_load"
for exe in "$cadence" "$bench"; do
	[ -x "$exe" ] || { echo "run.sh: $exe is missing; build first" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-bench.XXXXXX")
if [ "$keep" = 1 ]; then
	echo "files kept in $tmp"
else
	trap 'rm -rf "$tmp"' EXIT
fi

now_us() { echo $(( $(date +%s%N) / 1000 )); }

# median of the numbers on stdin
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# time_processes FILE: N rounds of (bare parse process, cadence validate),
# the order alternating; prints "parse_ms validate_ms ratio" (medians; the
# ratio is the median of the per-round ratios).
time_processes() {
	local file=$1 i t0 t1 tp tv
	: >"$tmp/proc"
	# one warm-up of each: page cache, dynamic loader
	"$bench" --once events "$file"
	"$cadence" validate --quiet "$file" >/dev/null
	for ((i = 0; i < runs; i++)); do
		if ((i % 2)); then
			t0=$(now_us); "$cadence" validate --quiet "$file" >/dev/null; t1=$(now_us); tv=$((t1 - t0))
			t0=$(now_us); "$bench" --once events "$file"; t1=$(now_us); tp=$((t1 - t0))
		else
			t0=$(now_us); "$bench" --once events "$file"; t1=$(now_us); tp=$((t1 - t0))
			t0=$(now_us); "$cadence" validate --quiet "$file" >/dev/null; t1=$(now_us); tv=$((t1 - t0))
		fi
		echo "$tp $tv" >>"$tmp/proc"
	done
	local mp mv mr
	mp=$(awk '{ print $1 / 1000 }' "$tmp/proc" | median)
	mv=$(awk '{ print $2 / 1000 }' "$tmp/proc" | median)
	mr=$(awk '{ print $2 / $1 }' "$tmp/proc" | median)
	echo "$mp $mv $mr"
}

# the RESULT line of bench_load: field NAME
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

echo "cadence load/validate benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) CPUs, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)," \
	"load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
echo

fail=0
declare -a rows=()
for n in $sizes; do
	dir="$tmp/n$n"
	file=$(python3 "$here/gen_cadence.py" "$n" "$dir")
	# the generated file must be valid: a benchmark of error paths is not
	# what the goal is about
	if ! "$cadence" validate --quiet --strict "$file"; then
		echo "run.sh: the generated $n-note cadence does not validate clean" >&2
		exit 1
	fi
	bytes=$(wc -c <"$file")
	out=$("$bench" "$file")
	echo "$out" | grep -v '^RESULT'
	result=$(echo "$out" | grep '^RESULT')
	read -r pp pv pr < <(time_processes "$file")
	printf '  %-36s %9.3f\n  %-36s %9.3f %18s %7.2fx\n\n' \
		"process: bare parse (--once events)" "$pp" \
		"process: cadence validate" "$pv" "" "$pr"
	ev=$(field "$result" events); ev=${ev%%/*}
	ld=$(field "$result" load); ld=${ld%%/*}
	va=$(field "$result" validate); va=${va%%/*}
	rl=$(field "$result" load_events)
	rv=$(field "$result" validate_events)
	rd=$(field "$result" validate_document)
	rows+=("$(printf '| %6s | %6.2f MB | %8.2f | %8.2f | %8.2f | %5.2fx | %5.2fx | %5.2fx | %8.1f | %8.1f | %5.2fx |' \
		"$n" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')" "$ev" "$ld" "$va" "$rl" "$rv" "$rd" \
		"$pp" "$pv" "$pr")")
	for r in "$rv" "$pr"; do
		if awk -v r="$r" -v l="$limit" 'BEGIN { exit !(r > l) }'; then
			fail=1
		fi
	done
done

echo "Summary (ms are medians; ratios are medians of per-round ratios):"
echo
echo "| notes  | file     | events ms | load ms | validate ms | load/ev | val/ev | val/doc | proc parse ms | proc validate ms | proc val/parse |"
echo "|-------:|---------:|---------:|---------:|---------:|-------:|-------:|-------:|---------:|---------:|-------:|"
for row in "${rows[@]}"; do
	echo "$row"
done
echo
if [ "$fail" = 0 ]; then
	echo "PASS: validate <= ${limit}x the bare libyaml parse, in process and as a process"
else
	echo "FAIL: validate > ${limit}x the bare libyaml parse (see val/ev and proc val/parse)"
	exit 1
fi
