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
# Nothing is printed for a run that ends well; each failure is named on
# stderr (its N and why, the first lines of its stderr).
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

# The runs are forks of one process, made before main by the interposer
# (failalloc.c, sweep_serve()): each as the exec of the command would
# start it, without paying for the exec, the loader and the sanitizer's
# start each time.
CADENCE_FAIL_ALLOC_SWEEP=$tmp CADENCE_FAIL_ALLOC_STRIDE=$stride LD_PRELOAD=$so "$@" </dev/null
rc=$?
if ! read -r total clean recovered bad 2>/dev/null <"$tmp/result"; then
	echo "sweep: $*: the sweep did not finish (status $rc)" >&2
	exit 2
fi
echo "sweep: $*: $total allocations; $clean clean errors, $recovered recovered, $bad failures"
[[ $rc -eq 0 && $bad -eq 0 ]]
