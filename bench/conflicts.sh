#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Write conflicts (issue 14 item 5): `cadence validate` of one sync of N
# `set` notes that all write one field, for each N given.  Prints, per N,
# the file's size, the wall time and maximum resident set size
# (/usr/bin/time -v), and the size of the report (bytes and lines of
# `--format text`).
#
#   bench/conflicts.sh CADENCE [N...]      (default N: 1000 10000)
#
# A run is stopped after LIMIT_S seconds (default 120) or when it passes
# LIMIT_MB of address space (default 3072), so a build that grows
# quadratically is reported as stopped instead of taking the machine down.
set -euo pipefail
cadence=$1
shift
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000 10000)
limit_s=${LIMIT_S:-120}
limit_mb=${LIMIT_MB:-3072}
work=$(mktemp -d "${TMPDIR:-/tmp}/cadence-bench-conflicts.XXXXXX")
trap 'rm -rf "$work"' EXIT

gen() {	# N FILE: one sync of N set notes, all setting 'x'
	{
		echo "cadence: conflicts"
		echo "score:"
		echo "  x: {type: string, default: a}"
		echo "notes:"
		for ((i = 0; i < $1; i++)); do echo "  n$i: {set: {x: '\"v\"'}}"; done
		echo "measures:"
		echo "  - sync: all"
		echo "    notes: ["
		for ((i = 0; i < $1; i++)); do echo "      n$i,"; done
		echo "    ]"
	} >"$2"
}

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# cadence $("$cadence" --version | head -1)"
printf '%8s %10s %10s %12s %14s %10s %s\n' notes file_bytes wall_s max_rss_kb report_bytes lines status
for n in "${sizes[@]}"; do
	f=$work/c$n.cadence.yaml
	gen "$n" "$f"
	set +e
	( ulimit -v $((limit_mb * 1024)); exec timeout "$limit_s" /usr/bin/time -v \
		"$cadence" validate --color=never "$f" >"$work/out" 2>"$work/time" )
	rc=$?
	set -e
	wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time" |
		awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time")
	case $rc in
	0 | 1) status="exit $rc" ;;
	124) status="stopped after ${limit_s}s" ;;
	*) status="exit $rc (over ${limit_mb} MB or killed)" ;;
	esac
	printf '%8s %10s %10s %12s %14s %10s %s\n' "$n" "$(wc -c <"$f")" "${wall:--}" "${rss:--}" \
		"$(wc -c <"$work/out")" "$(wc -l <"$work/out")" "$status"
done
