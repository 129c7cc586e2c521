#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the libFuzzer targets of fuzz/ (docs/reliability.md), one at a time.
#
#   scripts/fuzz.sh [options] [TARGET...]     TARGET: load diagram output expr
#                                             regex checkpoint report cron
#                                             hook_sig hook_score traceparent
#                                             (default: all eleven)
#   --build DIR    the clang build with -DCADENCE_BUILD_FUZZ=ON; configured
#                  and built when it has no fuzz binaries (default build-fuzz)
#   --time S       stop each target after S seconds (-max_total_time)
#   --runs N       stop each target after N executions (-runs)
#   --work DIR     corpora (DIR/corpus/TARGET, kept between runs, seeded by
#                  fuzz/seeds.py), findings (DIR/findings/TARGET) and logs
#                  (DIR/TARGET.log); default BUILD/fuzz-work
#   --max-len N    the largest input (-max_len); default 16384 for load
#                  and diagram, 8192 for output and checkpoint, 2048 for
#                  expr, 1024 for regex and report (a few dozen events),
#                  256 for cron, 4096 for hook_sig and hook_score, 128
#                  for traceparent
#   --timeout S    an input that takes longer than S seconds is a finding
#                  (-timeout; default 10: on a machine busy with other
#                  work, a long run wants more, since the limit is wall time)
#   --nice         run under `nice -n 10`
#
# Without --time or --runs a target runs until it finds something (^C
# stops it); what it found is also printed in base64 (for CI logs).  Each target runs with -jobs=1 (one worker, its output in
# DIR/TARGET.log), its dictionary and a -max_len that fits its input; the
# figures (executions, seconds, exec/s, corpus) are printed at the end, one
# line per target.  Exit status 1 when a target found something: the input
# is in DIR/findings/TARGET/; fix the bug and add the input as a regression
# fixture (fuzz/regressions/TARGET/NAME), which ctest fuzz/TARGET replays.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build-fuzz
work=
limit=()
nice=()
max_len_opt=
timeout=10
targets=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--build) build=$(realpath -m "$2"); shift 2 ;;
	--time) limit+=("-max_total_time=$2"); shift 2 ;;
	--runs) limit+=("-runs=$2"); shift 2 ;;
	--work) work=$(realpath -m "$2"); shift 2 ;;
	--max-len) max_len_opt=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--nice) nice=(nice -n 10); shift ;;
	-h|--help) sed -n '2,/^set -e/{/^set -e/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	load|diagram|output|expr|regex|checkpoint|report|cron|hook_sig|hook_score|traceparent)
		targets+=("$1"); shift ;;
	*) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(load diagram output expr regex checkpoint report cron hook_sig
	hook_score traceparent)
work=${work:-$build/fuzz-work}

if [[ ! -x $build/fuzz/fuzz_load ]]; then
	cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCADENCE_BUILD_FUZZ=ON -DCADENCE_BUILD_TESTS=OFF -DCADENCE_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build" -j2 >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
summary=()
for t in "${targets[@]}"; do
	case $t in
	load|diagram) dict=cadence.dict max_len=16384 ;;
	output) dict=expr.dict max_len=8192 ;;	# JSON words are in it too
	expr) dict=expr.dict max_len=2048 ;;
	regex) dict=regex.dict max_len=1024 ;;
	checkpoint) dict=checkpoint.dict max_len=8192 ;;
	report) dict=report.dict max_len=1024 ;;
	cron) dict=cron.dict max_len=256 ;;
	hook_sig) dict=hook.dict max_len=4096 ;;
	hook_score) dict=expr.dict max_len=4096 ;;
	traceparent) dict=traceparent.dict max_len=128 ;;
	esac
	max_len=${max_len_opt:-$max_len}
	corpus=$work/corpus/$t
	findings=$work/findings/$t
	mkdir -p "$corpus" "$findings"
	if [[ -z $(ls -A "$corpus") ]]; then
		python3 "$root/fuzz/seeds.py" "$t" "$corpus" >/dev/null
	fi
	log=$work/$t.log
	echo "fuzz.sh: $t: corpus $(ls "$corpus" | wc -l) inputs, log $log"
	rc=0
	# -jobs=1: one worker, libFuzzer writes its output to fuzz-0.log in the
	# current directory
	(cd "$work" && rm -f fuzz-0.log &&
	 "${nice[@]}" "$build/fuzz/fuzz_$t" -jobs=1 -workers=1 \
		-dict="$root/fuzz/$dict" -max_len=$max_len -timeout="$timeout" -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$findings/" "${limit[@]}" \
		"$corpus" >/dev/null 2>&1) || rc=$?
	mv "$work/fuzz-0.log" "$log" 2>/dev/null || true
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
	# no DONE line when the target stopped on a finding
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
	cov=$(sed -n 's/.* cov: \([0-9]*\) .*/\1/p' <<<"$done_line")
	corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[A-Za-z]*\) .*/\1/p' <<<"$done_line")
	line="$t: ${runs:-?} executions in ${secs:-?} s (${eps:-?} exec/s), coverage ${cov:-?} edges, corpus ${corp:-?} (${corpus##*/}: $(ls "$corpus" | wc -l) files)"
	if [[ $rc -ne 0 ]] || [[ -n $(ls -A "$findings") ]]; then
		line="$line: FOUND SOMETHING (status $rc): $(ls "$findings" | head -3 | tr '\n' ' ')"
		grep -E -A25 'ERROR: |runtime error:|fuzz assertion failed|deadly signal' "$log" | head -60 >&2 || true
		# the inputs themselves, for a CI log that is all there is
		for f in "$findings"/*; do
			[[ -f $f ]] || continue
			echo "fuzz.sh: $f, in base64 (base64 -d >input to replay it):" >&2
			base64 "$f" | head -200 >&2
		done
		status=1
	fi
	echo "fuzz.sh: $line"
	summary+=("$line")
done
printf '%s\n' "${summary[@]}"
exit "$status"
