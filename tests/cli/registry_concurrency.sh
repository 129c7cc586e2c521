#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The run registry under concurrency (docs/registry.md, "Concurrency"): 8
# processes at once, for $CADENCE_TEST_SECONDS s (default 30), each
# recording runs, pausing and resuming a schedule and reading the history.
# No row is lost (the runs recorded are the runs made, each ended), and no
# command says "database is locked", or warns, or fails.  Label slow
# (tests/cli.cmake): CI runs it (`ctest -L slow`) and in the ASan suite;
# not under valgrind, which serialises the processes it races (the
# registry's paths run there in memcheck/cli/registry).
source "$(dirname "$0")/lib.sh"

seconds=${CADENCE_TEST_SECONDS:-30}
workers=8
proj=$tmp/proj
mkdir -p "$proj" "$tmp/w"
export CADENCE_STATE_DIR=$tmp/state
unset CADENCE_REGISTRY CADENCE_RETENTION_DAYS CADENCE_RETENTION_RUNS CADENCE_CADENCES XDG_STATE_HOME

w proj/quick.cadence.yaml '
cadence: quick
notes:
  one: {set: {n: "1"}}
score:
  n: {type: integer, default: 0}
measures:
  - then: one
'
w proj/timed.cadence.yaml '
cadence: timed
schedule: {cron: "*/5 * * * *"}
notes:
  one: {set: {n: "1"}}
score:
  n: {type: integer, default: 0}
measures:
  - then: one
'

# worker I: until the deadline, a run, a pause, a run, a resume, a read;
# counts its successful runs in w/I.runs and keeps every stderr in w/I.err
worker() {
	local i=$1 end=$2 made=0 failed=0
	cd "$proj" || exit 1
	while ((SECONDS < end)); do
		if "$cadence" run -c quick.cadence.yaml >/dev/null 2>>"$tmp/w/$i.err"; then
			made=$((made + 1))
		else
			failed=$((failed + 1))
		fi
		"$cadence" pause timed >/dev/null 2>>"$tmp/w/$i.err" || failed=$((failed + 1))
		if "$cadence" run -c timed.cadence.yaml >/dev/null 2>>"$tmp/w/$i.err"; then
			made=$((made + 1))
		else
			failed=$((failed + 1))
		fi
		"$cadence" resume timed >/dev/null 2>>"$tmp/w/$i.err" || failed=$((failed + 1))
		"$cadence" history --limit 5 >/dev/null 2>>"$tmp/w/$i.err" || failed=$((failed + 1))
	done
	echo "$made $failed" >"$tmp/w/$i.runs"
}

end=$((SECONDS + seconds))
pids=()
for ((i = 0; i < workers; i++)); do
	: >"$tmp/w/$i.err"
	worker "$i" "$end" &
	pids+=($!)
done
for pid in "${pids[@]}"; do
	wait "$pid"
done

made=0 failed=0
for ((i = 0; i < workers; i++)); do
	read -r m f <"$tmp/w/$i.runs"
	made=$((made + m)) failed=$((failed + f))
done
echo "# $made runs made by $workers processes in $seconds s"
status=0 out=$(cat "$tmp"/w/*.err) err=
# what the workers said, if anything: a failure below is then explained
[[ -z $out ]] || sort "$tmp"/w/*.err | uniq -c | sort -rn | head -10 | sed 's/^/# /'
assert "no command failed ($failed)" test "$failed" = 0
assert "no 'database is locked' on any stderr" eval '! grep -qi "database is locked\|busy" "$tmp"/w/*.err'
assert "no warning or error on any stderr" eval '! grep -q "warning\|error" "$tmp"/w/*.err'
assert "runs were made" test "$made" -gt "$workers"

run "$cadence" history --limit 0 --format json
expect "history reads the registry" 0
assert "no row lost: $made runs made, as many recorded" test "$(grep -c '^{' <<<"$out")" = "$made"
assert "... every one ended ok" test "$(grep -c '"status":"ok"' <<<"$out")" = "$made"
assert "... ids unique" test "$(grep -o '"id":[0-9]*' <<<"$out" | sort -u | wc -l)" = "$made"
run_in "$proj" "$cadence" list --format json
expect "the schedule's state is readable: resumed last by every worker" 0 \
	'"cadence":"timed".*"paused":false'
assert "no run's lock file is left" test -z "$(ls "$tmp/state/runs")"
run sqlite3 "$tmp/state/registry.db" 'PRAGMA integrity_check' </dev/null
if [[ $status == 127 ]]; then
	skip "integrity_check" "no sqlite3 program"
else
	expect "the database passes integrity_check" 0 '^ok$'
fi

finish
