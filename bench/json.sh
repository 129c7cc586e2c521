#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What exact numbers cost (bench/bench_json.c): cad_json_print() against
# cJSON's printer and cad_json_parse() against a UTF-8 check plus cJSON's
# parser, on one score of RECORDS orders: times (median of 11 rounds, the
# two of each pair called in turn), then instructions per call counted by
# callgrind, which a busy machine does not disturb.
#
#   bench/json.sh BUILD [RECORDS]     BUILD: a build with -DCADENCE_BUILD_BENCH=ON
set -euo pipefail
build=$1 records=${2:-20000}
bin=$build/bench/bench_json
[[ -x $bin ]] || { echo "json.sh: no $bin" >&2; exit 2; }
"$bin" -n "$records" -r 11
command -v valgrind >/dev/null || { echo "json.sh: no valgrind, no instruction counts"; exit 0; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
calls=3
valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" -n "$records" -c "$calls" >/dev/null 2>&1
callgrind_annotate --inclusive=yes --threshold=100 "$out" | awk -v calls="$calls" '
	{ gsub(",", "", $1) }
	/\?\?\?:print_cjson / { p = $1 } /\?\?\?:print_ours / { q = $1 }
	/\?\?\?:parse_cjson / { r = $1 } /\?\?\?:parse_ours / { s = $1 }
	END {
		# print_* count a compact and a formatted call each
		printf "instructions per print (compact + formatted, averaged): cJSON %.0f M, cad_json_print %.0f M, ours/cJSON %.2f\n", p / calls / 2e6, q / calls / 2e6, q / p
		printf "instructions per parse: UTF-8 check + cJSON %.0f M, cad_json_parse %.0f M, ours/cJSON %.2f\n", r / calls / 1e6, s / calls / 1e6, s / r
	}'
