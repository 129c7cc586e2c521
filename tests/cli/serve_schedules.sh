#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence serve --schedules (docs/serve.md, "Schedules"): serve fires the
# project's schedules by starting `cadence run --scheduled NAME`, so what
# runs, what is missed and why are that command's (tests/cli/scheduled.sh
# checks them at length): a time fired on the minute, once, trigger
# schedule, known to GET /runs/ID; the catch-up at start, a time missed by
# overlap, a cadence added while serving, a pause through the API, the
# setting from the project file and the environment, and a bad value.
#
# Minutes are not waited for: CADENCE_TEST_CLOCK_SKEW (for tests only)
# sets serve's clock a little ahead, a few seconds before a minute starts,
# and serve hands that clock to its runs as `cadence run --now`.  Each part
# has its own state directory (its registry), as the clock differs.
source "$(dirname "$0")/lib.sh"
need curl

serve_project

# every minute, catch_up none: one run a minute
w proj/tick.cadence.yaml '
cadence: tick
score:
  n: {type: integer, default: 0}
notes:
  bump: {set: {n: "score.n + 1"}}
measures:
  - then: bump
schedule: {cron: "* * * * *", score: {n: 41}}
'
# a run that lasts until $tmp/go (60 s at most), overlap skip
w proj/slow.cadence.yaml "
cadence: slow
notes:
  wait: {run: [sh, -c, 'i=0; while [ ! -e $tmp/go ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i+1)); done']}
measures:
  - then: wait
schedule: {cron: '* * * * *', overlap: skip}
"
# hourly, catch_up all and none: what passed while no server ran
for c in all none; do
	w "proj/hourly_$c.cadence.yaml" "
cadence: hourly_$c
notes:
  ok: {set: {done: 'true'}}
score:
  done: {type: boolean, default: false}
measures:
  - then: ok
schedule: {cron: '0 * * * *', catch_up: $c}
"
done
# no schedule: never fired
w proj/plain.cadence.yaml '
cadence: plain
notes:
  ok: {set: {done: "true"}}
score:
  done: {type: boolean, default: false}
measures:
  - then: ok
'

# the seconds before the next minute that serve is given: enough for a
# request or two first (more under valgrind, whose starts are slow: serve
# is ready about 2 s after its start there, 3 with the CPUs shared)
margin=$(runs 8 15)
# start_serve_in STATE ARGS...: start_serve with its own state directory,
# its clock $margin s before a minute starts ($boundary, Unix s on serve's
# clock, $skew s ahead of this one)
start_serve_in() {
	local state=$1 now sec
	shift
	now=$(date +%s)
	sec=$((now % 60))
	skew=$((60 - margin - sec))
	boundary=$((now - sec + 60))
	export CADENCE_STATE_DIR=$state
	CADENCE_TEST_CLOCK_SKEW=$skew start_serve "$@"
}
utc() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
# history NAME [--missed]: the registry's JSON lines in $out; polled
# (wait_until), so $cadence_again: `history` runs under valgrind in
# cli/registry, and a poll every 10 ms would start valgrind a hundred times
history() { run_in "$proj" "$cadence_again" history "$@" --format json --limit 0; }
ran_at() {	# NAME TIME: a run of NAME for the fire time TIME that ended ok
	history "$1"
	grep -q "\"trigger\":\"schedule\",\"scheduled_for\":\"$2\".*\"status\":\"ok\"" <<<"$out"
}
missed_at() {	# NAME TIME REASON
	history "$1" --missed
	grep -q "\"fire\":\"$2\",\"reason\":\"$3\"" <<<"$out"
}

# --- the fire times, the catch-up at start, overlap, a cadence added ---------
state=$tmp/state1
# hourly_*: last handled three hours ago (as `cadence run --scheduled` at
# that time would have left it); serve catches up the hours since at start
hours_ago=$(( ($(date +%s) / 3600 - 3) * 3600 + 10 ))
# (hourly_none's run repeats hourly_all's, under valgrind: a schedule seen
# for the first time, its newest time on time, runs whatever its catch_up)
bin=$cadence
for c in all none; do
	run_in "$proj" env CADENCE_STATE_DIR="$state" "$bin" run -c --scheduled "hourly_$c" \
		--now "$(utc $hours_ago)"
	bin=$cadence_again
	expect "hourly_$c: handled three hours ago (cadence run --scheduled --now)" 0 '"done":true'
done
rm -f "$tmp/go"
start_serve_in "$state" --schedules
B=$(utc "$boundary")
wait_until "--schedules: said" grep -q 'firing the project.s schedules' "$tmp/serve.err"
wait_until "at start, the slow one runs (first seen: its newest time on time)" \
	grep -q 'schedule of slow: run [0-9a-f]* started' "$tmp/serve.err"
wait_until "at start, hourly_all catches up (catch_up all)" eval \
	'history hourly_all; test "$(grep -c "\"trigger\":\"schedule\"" <<<"$out")" -ge 4'
assert "... each hour since, once, with its time" \
	test "$(grep -o '"scheduled_for":"[^"]*"' <<<"$out" | sort | uniq -d | wc -l)" = 0
wait_until "... hourly_none records the hours passed as missed (catch_up)" eval \
	'history hourly_none --missed; grep -q "\"reason\":\"catch_up\"" <<<"$out"'
assert "the cadence without a schedule is not fired" eval "! grep -q 'schedule of plain' \"\$tmp/serve.err\""
# a cadence added while serving: seen at the next look
cp "$proj/tick.cadence.yaml" "$tmp/late.yaml"
sed 's/^cadence: tick/cadence: late/' "$tmp/late.yaml" >"$proj/late.cadence.yaml"
wait_until "the minute's time: tick runs it" ran_at tick "$B"
history tick
assert "... once" test "$(grep -c "\"scheduled_for\":\"$B\"" <<<"$out")" = 1
tid=$(grep -o 'schedule of tick: run [0-9a-f]*' "$tmp/serve.err" | tail -1 | awk '{print $NF}')
http GET "/runs/$tid"
assert "... GET /runs/ID knows it: trigger schedule, ok" \
	grep -q '"cadence":"tick",.*"trigger":"schedule","status":"finished","outcome":"ok"' \
	<<<"$body"
wait_until "a cadence added while serving is fired at the next time" ran_at late "$B"
wait_until "the slow one's run goes on at the minute: the time is missed (overlap)" \
	missed_at slow "$B" overlap
touch "$tmp/go"
stop_serve
assert "SIGTERM: the scheduler and the runs stop, exit 0" test "$status" = 0
rm "$proj/late.cadence.yaml"

# --- a pause through the API; the setting from the environment --------------
export CADENCE_SCHEDULES=true
start_serve_in "$tmp/state2"
http POST /cadences/tick/pause
assert "CADENCE_SCHEDULES=true: pause through the API (before the minute's time)" \
	eval '[[ $code == 200 && $(($(date +%s) + skew)) -lt $boundary ]]'
wait_until "... the minute's time is missed (paused)" missed_at tick "$(utc "$boundary")" paused
assert "... and nothing ran for it" eval '! ran_at tick "$(utc "$boundary")"'
stop_serve
unset CADENCE_SCHEDULES

# --- off by default; serve.schedules in the project file ----------------------
# (serve with no schedules to fire: memcheck/cli/serve's servers run it
# under valgrind, and the ones above CADENCE_TEST_CLOCK_SKEW; off
# valgrind, serve starts at once, and the margin before the minute can be
# the plain test's)
cadence=$cadence_again margin=$(runs "$margin" 8) start_serve_in "$tmp/state3"
wait_until "without --schedules: past the minute" eval '(( $(date +%s) + skew > boundary + 1 ))'
stop_serve
assert "... nothing fired" test "$(grep -c 'schedule of' "$tmp/serve.err")" = 0
history tick
assert "... nothing ran" test -z "$out"
w proj/cadence.project.yaml "
state_dir: $tmp/state4
cadences: [.]
serve: {schedules: true}
"
start_serve_in "$tmp/state4"
wait_until "serve.schedules: true in the project file: fired" \
	grep -q 'schedule of tick: run' "$tmp/serve.err"
stop_serve
rm "$proj/cadence.project.yaml"
run_in "$proj" env CADENCE_SCHEDULES=sometimes "$cadence" serve --listen 127.0.0.1:0
expect "a bad CADENCE_SCHEDULES: exit 2" 2 '' "CADENCE_SCHEDULES='sometimes'"
# (config show with no project file, and serve --help: memcheck/cli/config
# and memcheck/cli/cli_doc run them under valgrind)
run_in "$proj" env -u CADENCE_STATE_DIR "$cadence_again" config show
expect "config show lists serve.schedules" 0 'serve\.schedules +false +default'
run_in "$proj" "$cadence_again" serve --help
expect "serve --help: --schedules" 0 '--schedules'

finish
