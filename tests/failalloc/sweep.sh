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
#   sweep.sh FAILALLOC.so [--stride K] [--per-site K] CADENCE ARG...
#
# --stride K tries every K-th N only (a quick look).  --per-site K tries
# the N whose call is among the first K made from its call stack (its
# site: the chain of return addresses), and skips the repeats: the N-th
# pass of a loop that allocates fails as the K-th did, with more of the
# same to clean up.  ctest's sweeps use --per-site 3; without it every N
# is tried.
# Nothing is printed for a run that ends well; each failure is named on
# stderr (its N and why, the first lines of its stderr).
# In an ASan build, ASAN_OPTIONS gets verify_asan_link_order=0 (the
# interposer is preloaded in front of the sanitizer's allocator).
set -uo pipefail

so=$1
shift
stride=1 per_site=0
while [[ ${1:-} == --stride || ${1:-} == --per-site ]]; do
	[[ $1 == --stride ]] && stride=$2 || per_site=$2
	shift 2
done
[[ -f $so ]] || { echo "sweep: no $so" >&2; exit 2; }
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0:detect_leaks=1"
export NO_COLOR=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-sweep.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The runs are forks of one process, made before main by the interposer
# (failalloc.c, sweep_serve()): each as the exec of the command would
# start it, without paying for the exec, the loader and the sanitizer's
# start each time.
CADENCE_FAIL_ALLOC_SWEEP=$tmp CADENCE_FAIL_ALLOC_STRIDE=$stride \
	CADENCE_FAIL_ALLOC_PER_SITE=$per_site LD_PRELOAD=$so "$@" </dev/null
rc=$?
if ! read -r total clean recovered bad tried 2>/dev/null <"$tmp/result"; then
	echo "sweep: $*: the sweep did not finish (status $rc)" >&2
	exit 2
fi
echo "sweep: $*: $total allocations, $tried failed in turn; $clean clean errors, $recovered recovered, $bad failures"
[[ $rc -eq 0 && $bad -eq 0 ]]
