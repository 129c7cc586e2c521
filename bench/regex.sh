#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regular expressions (docs/benchmarks.md, "Regular expressions"):
#
#   bench/regex.sh BUILD [OLD_BUILD]     BUILD: a Release build with
#                                        -DCADENCE_BUILD_BENCH=ON
#
# 1. The denial-of-service cases of issue 14 item 4, as whole `cadence`
#    processes of BUILD (and of OLD_BUILD, e.g. 83d1bc1, before the
#    engine): wall time, peak memory (max RSS), exit status and the first
#    line of the message.  Each runs under `timeout $TIMEOUT` (default 300 s)
#    and an address-space cap of $MEM_KB (default 4000000 KiB), so that the
#    old build's allocations cannot take the machine: a case that hits
#    either shows it in its status (124: the timeout) or message.
# 2. bench_regex of BUILD: matching throughput against glibc's regexec
#    (bench/bench_regex.c), 16 bytes to 1 MB; ROUNDS rounds (default 11).
# 3. With valgrind: the instructions of one match with each engine, per
#    byte (callgrind; the same whatever the machine's load), for the same
#    patterns and sizes up to 100 KB.
set -euo pipefail
new=$1 old=${2:-}
timeout=${TIMEOUT:-300} mem=${MEM_KB:-4000000} rounds=${ROUNDS:-11}
[[ -x $new/bench/bench_regex ]] || { echo "regex.sh: no $new/bench/bench_regex" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "regex.sh: needs /usr/bin/time (GNU time)" >&2; exit 2; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-regex.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# cad NAME EXPR: a cadence whose note sets ok = EXPR
cad() {
	printf '%s\n' "cadence: $1" 'score:' '  s: {type: string, default: ""}' \
		'  p: {type: string, default: ""}' '  ok: {type: boolean}' 'notes:' '  check:' \
		"    set: {ok: \"$2\"}" 'measures:' '  - then: check' >"$tmp/$1.cadence.yaml"
}
cad nested "score.s.matches('((((a{255}){255}){255}){255})')"
cad dyn "score.s.matches(score.p)"
cad search "score.s.matches('[a-z]+@')"
cad states "score.s.matches('.{0,4000}x')"
printf '{"s": "a", "p": "((((a{255}){255}){255}){255})"}' >"$tmp/dyn.json"
printf '{"s": "%s"}' "$(head -c 200000 /dev/zero | tr '\0' a)" >"$tmp/long.json"

# case BUILD LABEL ARGS...: one line of figures
case_() {
	local build=$1 label=$2
	shift 2
	local status=0
	(ulimit -v "$mem"; /usr/bin/time -f '%e %M' -o "$tmp/time" \
		timeout "$timeout" "$build/cli/cadence" "$@" >"$tmp/out" 2>"$tmp/err") || status=$?
	local msg secs kb
	msg=$(grep -h -m1 -E 'error|took' "$tmp/out" "$tmp/err" | head -1 |
		sed -E 's/.*(sets .ok.: |column [0-9]+: )//' | cut -c1-80 || true)
	[[ -n $msg ]] || msg=$(grep -oE '"ok":[[:space:]]*(true|false)' "$tmp/out" | tr -d '\t ' || true)
	read -r secs kb < <(tail -1 "$tmp/time") || { secs=? kb=?; }
	printf '%-38s %-22s %7s s %8s KB  exit %-3s %s\n' "$label" "${build##*/}" "$secs" "$kb" \
		"$status" "$msg"
}

echo "denial-of-service cases (timeout ${timeout} s, address space ${mem} KiB):"
for b in ${old:+"$old"} "$new"; do
	case_ "$b" "validate: ((((a{255}){255}){255}){255})" validate "$tmp/nested.cadence.yaml"
	case_ "$b" "run: that pattern from the score" run "$tmp/dyn.cadence.yaml" \
		--score-file "$tmp/dyn.json"
	case_ "$b" "run: [a-z]+@ on 200,000 letters" run "$tmp/search.cadence.yaml" \
		--score-file "$tmp/long.json"
	case_ "$b" "run: .{0,4000}x on 200,000 letters" run "$tmp/states.cadence.yaml" \
		--score-file "$tmp/long.json"
done
echo
"$new/bench/bench_regex" -r "$rounds"

command -v valgrind >/dev/null || { echo "(no valgrind: no instruction counts)"; exit 0; }
# instructions BUILD ENGINE PATTERN BYTES: callgrind's total for one process
instructions() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1/bench/bench_regex" --once \
		"$2" "$3" "$4" 2>&1 | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
echo
echo "instructions of one match, per byte (callgrind; the process with no match subtracted):"
printf '%-8s %10s %14s %14s %10s\n' pattern bytes cadence glibc ratio
for p in 0 1 2 3; do
	for n in 16 100 1000 10000 100000; do
		base=$(instructions "$new" none "$p" "$n")
		mine=$(instructions "$new" cadence "$p" "$n")
		libc=$(instructions "$new" glibc "$p" "$n")
		awk -v p="$p" -v n="$n" -v b="$base" -v m="$mine" -v g="$libc" 'BEGIN {
			printf "%-8s %10d %14.1f %14.1f %10.2f\n", p, n, (m - b) / n, (g - b) / n,
				(g - b) / (m - b) }'
	done
done
