#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Allocation-failure sweep (docs/reliability.md): runs a cadence command
# once to count its allocations (T), then T more times, making the N-th
# allocation fail for N = 1..T (tests/failalloc/failalloc.c).  Each run
# must end in one of two ways:
#   - a clean error: exit status 3 and "out of memory" on stderr;
#   - a full recovery: the exit status and stdout of the run without a
#     failure (the allocation was optional, e.g. a did-you-mean hint)...
# and never with a crash, an abort, a sanitizer report (ASan, UBSan, LSan:
# a leak) or any other status or output.
#
#   sweep.sh FAILALLOC.so [--stride K] CADENCE ARG...
#
# --stride K tries every K-th N only (a quick look); CI tries every N.
# In an ASan build, ASAN_OPTIONS gets verify_asan_link_order=0 (the
# interposer is preloaded in front of the sanitizer's allocator).
set -uo pipefail

so=$1
shift
stride=1
if [[ ${1:-} == --stride ]]; then
	stride=$2
	shift 2
fi
[[ -f $so ]] || { echo "sweep: no $so" >&2; exit 2; }
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:detect_leaks=1"
export NO_COLOR=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-sweep.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

run() {	# run N: out, err, rep in $tmp; sets rc
	CADENCE_FAIL_ALLOC=$1 CADENCE_FAIL_ALLOC_REPORT=$tmp/rep LD_PRELOAD=$so \
		"$@" >"$tmp/out" 2>"$tmp/err" </dev/null
}

CADENCE_FAIL_ALLOC=0 CADENCE_FAIL_ALLOC_REPORT=$tmp/rep LD_PRELOAD=$so "$@" \
	>"$tmp/ref.out" 2>"$tmp/ref.err" </dev/null
ref_rc=$?
read -r total _ <"$tmp/rep" || { echo "sweep: no report from the interposer" >&2; exit 2; }
if [[ $ref_rc -gt 2 ]] || grep -qE 'Sanitizer|runtime error:' "$tmp/ref.err"; then
	echo "sweep: the run without a failure ends with status $ref_rc:" >&2
	head -30 "$tmp/ref.err" >&2
	exit 1
fi

bad=0 clean=0 recovered=0
for ((n = 1; n <= total; n += stride)); do
	CADENCE_FAIL_ALLOC=$n CADENCE_FAIL_ALLOC_REPORT=$tmp/rep LD_PRELOAD=$so "$@" \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
	why=
	if grep -qE 'Sanitizer|runtime error:' "$tmp/err"; then
		why="a sanitizer report"
	elif [[ $rc -eq 3 ]]; then
		if grep -qE 'out of memory|Cannot allocate memory' "$tmp/err"; then
			clean=$((clean + 1))
			continue
		fi
		why="status 3 without 'out of memory' or 'Cannot allocate memory' on stderr"
	elif [[ $rc -eq $ref_rc ]] && cmp -s "$tmp/out" "$tmp/ref.out"; then
		recovered=$((recovered + 1))
		continue
	else
		why="status $rc (without a failure: $ref_rc)"
		cmp -s "$tmp/out" "$tmp/ref.out" || why="$why, stdout differs"
	fi
	bad=$((bad + 1))
	echo "sweep: CADENCE_FAIL_ALLOC=$n: $why" >&2
	if [[ $bad -le 5 ]]; then
		head -40 "$tmp/err" | sed 's/^/    /' >&2
		[[ $why == *stdout* ]] && diff "$tmp/ref.out" "$tmp/out" | head -10 | sed 's/^/    /' >&2
	fi
done
echo "sweep: $*: $total allocations; $clean clean errors, $recovered recovered, $bad failures"
[[ $bad -eq 0 ]]
