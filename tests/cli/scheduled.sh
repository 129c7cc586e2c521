#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence run --scheduled NAME (docs/cli.md, "Scheduled runs"): what is due
# by catch_up at a --now (the clock as a parameter, a machine off for a
# week included), daylight saving, one process per fire time, the overlap
# policies with real processes, and every bad input.
source "$(dirname "$0")/lib.sh"

mkdir -p "$tmp/p" && cd "$tmp/p" || exit 1
state=$tmp/state
export CADENCE_STATE_DIR=$state
# bump: n + 1, by a shell note
cat >bump.sh <<'EOF'
#!/bin/sh
n=$(sed -n 's/.*"n": *\([0-9]*\).*/\1/p')
echo "{\"n\": $((n + 1))}"
EOF
# slow: logs its start, waits for $tmp/go (30 s at most), logs its end
cat >slow.sh <<EOF
#!/bin/sh
echo "start \$\$" >>"$tmp/log.\$CADENCE_CADENCE"
i=0
while [ ! -e "$tmp/go" ] && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done
echo "end \$\$" >>"$tmp/log.\$CADENCE_CADENCE"
echo '{}'
EOF
chmod +x bump.sh slow.sh

# cadence NAME CRON CATCH_UP [MORE]
sched() {
	cat >"$1.cadence.yaml" <<EOF
cadence: $1
score:
  n: {type: integer, default: 0}
notes:
  bump: {run: ./bump.sh}
measures:
  - then: bump
schedule:
  cron: "$2"
  catch_up: $3
  score: {n: 41}
${4:-}
EOF
}
sched hourly_none "0 * * * *" none
sched hourly_latest "0 * * * *" latest
sched hourly_all "0 * * * *" all "  catch_up_max: 5"
sched berlin "30 2 * * *" all "  timezone: Europe/Berlin"
T0=2026-03-01T10:00:20Z
WEEK=2026-03-08T10:00:30Z	# 168 hourly times later, the newest 30 s ago

for p in none latest all; do
	run "$cadence" run -c --scheduled hourly_$p --now $T0
	expect "catch_up $p: a time on time runs, with the schedule's score" 0 '^\{"n":42\}$'
	# nothing due again: latest plans as none does (one time at most), and
	# none's run here took that path under valgrind (all keeps a longer plan)
	again=$cadence
	[[ $p != latest ]] || again=$cadence_again
	run "$again" run -c --scheduled hourly_$p --now 2026-03-01T10:00:50Z
	expect "... once: at the same time again nothing is due" 0 '' 'nothing is due'
	assert "... and nothing ran" test -z "$out"
done

run "$cadence" run -c --scheduled hourly_none --now $WEEK
expect "a week off, catch_up none: the newest (on time) runs" 0 '^\{"n":42\}$' \
	'hourly_none: 167 times did not run \(catch_up\), the newest 2026-03-08T09:00:00Z'
assert "... once" test "$(grep -c . <<<"$out")" = 1
run "$cadence" run -c --scheduled hourly_latest --now 2026-03-08T10:30:00Z
expect "a week off, catch_up latest: the newest runs, 30 min late" 0 '^\{"n":42\}$' \
	'167 times did not run \(catch_up\)'
run "$cadence" run -c --scheduled hourly_all --now $WEEK
expect "a week off, catch_up all (max 5): five runs" 0 '^\{"n":42\}$' \
	'hourly_all: 163 times did not run \(catch_up_max\), the newest 2026-03-08T05:00:00Z'
assert "... five of them" test "$(grep -c . <<<"$out")" = 5
run "$cadence" run -c --scheduled hourly_none --now 2026-03-08T11:30:00Z
expect "catch_up none, 30 min late: nothing runs, the time is missed" 0 '' \
	'the time 2026-03-08T11:00:00Z did not run \(catch_up\)'
assert "... nothing ran" test -z "$out"

run "$cadence" run -n --scheduled berlin --now 2026-03-28T01:30:30Z
expect "Berlin: --dry-run says what is due" 0 '^2026-03-28T01:30:00Z run$'
run "$cadence" run -c --scheduled berlin --now 2026-03-28T01:30:30Z
expect "... and the run makes it" 0 '^\{"n":42\}$'
run "$cadence" run -n --scheduled berlin --now 2026-03-30T05:00:00Z
expect "over spring forward: 02:30 on 03-29 is due once, at 03:00 CEST" 0 \
	'^2026-03-29T01:00:00Z run$'
expect "... and 03-30 at 02:30 CEST" 0 '^2026-03-30T00:30:00Z run$'
assert "... two times, no more" test "$(grep -c . <<<"$out")" = 2

# processes racing for one fire time: one runs it (under valgrind two:
# the one that runs, and one that finds the time taken)
sched race "0 * * * *" latest
nrace=$(runs 4 2)
for ((i = 1; i <= nrace; i++)); do
	"$cadence" run -c --scheduled race --now $T0 >"$tmp/race.$i" 2>&1 &
done
wait
assert "$nrace processes at one fire time: one run" \
	test "$(cat "$tmp"/race.* | grep -c '"n":42')" = 1

# overlap: a run goes on (slow.sh waits for $tmp/go) when the next time comes
over() {
	cat >"$1.cadence.yaml" <<EOF
cadence: $1
notes:
  slow: {run: ./slow.sh}
measures:
  - then: slow
schedule:
  cron: "0 * * * *"
  overlap: $1
EOF
}
starts() { [[ -e $tmp/log.$1 && $(grep -c start "$tmp/log.$1") == "$2" ]]; }
start_first() {	# NAME [TIME [BINARY]]: the 10:00 run (or TIME's), in the background, until its note started
	rm -f "$tmp/go" "$tmp/log.$1"
	"${3:-$cadence}" run -c --scheduled "$1" --now "${2:-2026-03-01T10:00:10Z}" >"$tmp/first.$1" 2>&1 &
	first=$!
	wait_until "$1's first run started" starts "$1" 1
}
for p in skip queue_one replace allow; do over $p; done

start_first skip
run "$cadence" run -c --scheduled skip --now 2026-03-01T11:00:10Z
expect "overlap skip: the 11:00 run does not start" 0 '' \
	'the run before still goes on \(overlap: skip\)'
expect "... and is missed, overlap" 0 '' 'the time 2026-03-01T11:00:00Z did not run \(overlap\)'
touch "$tmp/go"
wait $first
assert "... the first ends as it would" test "$(grep -c . "$tmp/log.skip")" = 2

# (off valgrind: the first run holds the lock as skip's first did, the
# same path under valgrind; queue_one's own are the runs that wait)
start_first queue_one "" "$cadence_again"
"$cadence" run -c --scheduled queue_one --now 2026-03-01T11:00:10Z >"$tmp/second" 2>&1 &
second=$!
wait_until "the second waits" grep -qs 'this one waits' "$tmp/second"
run "$cadence" run -c --scheduled queue_one --now 2026-03-01T12:00:10Z
expect "overlap queue_one: a third does not queue" 0 '' \
	'queue_one, and one run waits already'
assert "... the second has not started" test "$(grep -c start "$tmp/log.queue_one")" = 1
touch "$tmp/go"
wait $first
wait $second
assert "... after the first, the second ran" \
	test "$(tr '\n' ' ' <"$tmp/log.queue_one" | sed 's/[0-9]//g')" = "start  end  start  end  "

start_first replace
"$cadence" run -c --scheduled replace --now 2026-03-01T11:00:10Z >"$tmp/second" 2>&1 &
second=$!
wait_until "overlap replace: the second stops the first" grep -qs 'stopping the run that goes on' "$tmp/second"
wait $first
first_status=$?
assert "... the first was stopped (130)" test "$first_status" = 130
assert "... its note did not end" test "$(grep -c end "$tmp/log.replace")" = 0
wait_until "... the second runs once the first has ended" starts replace 2
touch "$tmp/go"
wait $second
assert "... and succeeds" test $? = 0

# a signal while waiting for the run before: 130, the time missed
start_first queue_one 2026-03-01T14:00:10Z
"$cadence" run -c --scheduled queue_one --now 2026-03-01T15:00:10Z >"$tmp/second" 2>&1 &
second=$!
wait_until "a queued run waits" grep -qs 'this one waits' "$tmp/second"
kill -TERM $second
wait $second
assert "SIGTERM while waiting: 130" test $? = 130
touch "$tmp/go"
wait $first
run "$cadence" history queue_one --missed --format json
expect "... its time recorded missed, interrupted" 0 '"fire":"2026-03-01T15:00:00Z","reason":"interrupted"'

start_first allow
"$cadence" run -c --scheduled allow --now 2026-03-01T11:00:10Z >"$tmp/second" 2>&1 &
second=$!
wait_until "overlap allow: the second starts beside the first" starts allow 2
assert "... while the first goes on" test "$(grep -c end "$tmp/log.allow")" = 0
touch "$tmp/go"
wait $first $second

# a first call that is late: nothing is due, but the schedule starts
# there, so the next call catches up
sched daily "30 2 * * *" latest
run "$cadence" run -c --scheduled daily --now 2026-03-01T09:00:00Z
expect "a first call, late: nothing is due" 0 '' 'daily: nothing is due'
run "$cadence" run -c --scheduled daily --now 2026-03-02T09:00:00Z
expect "... the next call, late again, catches up (latest)" 0 '^\{"n":42\}$'

# a time whose run cannot start is recorded missed (error), not lost
sched lost "0 * * * *" all
# (setup, off valgrind: hourly_all's first run at $T0 took this path)
run "$cadence_again" run -c --scheduled lost --now $T0
run "$cadence" run -c --scheduled lost --now 2026-03-01T12:00:10Z --events "$tmp/no/such/dir/e"
expect "runs that cannot start: exit 2" 2 '' '2 times did not run \(error\), the newest 2026-03-01T12:00:00Z'
# (off valgrind: the history --missed --format json of queue_one above)
run "$cadence_again" history lost --missed --format json
assert "... both recorded missed, error" test "$(grep -c '"reason":"error"' <<<"$out")" = 2

# --now in the future would mark the real times handled
run "$cadence" run --scheduled lost --now 2099-01-01T00:00:00Z
expect "a --now in the future: refused" 2 '' '--now is in the future'
run "$cadence" run -n --scheduled lost --now 2099-01-01T00:00:30Z
expect "... but -n shows what is due then" 0 '^2099-01-01T00:00:00Z run$'
# a registry ahead of the clock (a clock that was wrong): going on from now
if command -v sqlite3 >/dev/null; then
	sched minutely "* * * * *" none
	run "$cadence" run -c --scheduled minutely
	sqlite3 "$state/registry.db" "UPDATE schedules SET last_fire = 4102444800 WHERE cadence = 'minutely'"
	run "$cadence" run -c --scheduled minutely
	expect "a registry ahead of the clock: a warning, and the time now runs" 0 '^\{"n":42\}$' \
		'which is after now \(was the clock wrong\?\); going on from now'
else
	skip "a registry ahead of the clock" "no sqlite3"
fi

# the registry: runs recorded with trigger schedule and their time; pause,
# resume, disable
run "$cadence" history hourly_all --format json --limit 0
expect "history: the catch-up runs, trigger schedule, each with its time" 0 \
	'"trigger":"schedule","scheduled_for":"2026-03-08T10:00:00Z"'
assert "... six runs of hourly_all (one on time, five caught up)" \
	test "$(grep -c '"trigger":"schedule"' <<<"$out")" = 6
run "$cadence" history hourly_none --missed --format json --limit 0
expect "history --missed: catch_up none's missed times, with why" 0 \
	'"fire":"2026-03-08T11:00:00Z","reason":"catch_up"'
assert "... 167 + 1 of them" test "$(grep -c '"reason":"catch_up"' <<<"$out")" = 168

sched paused "0 * * * *" all
# (setup, off valgrind: hourly_all's first run at $T0 took this path)
run "$cadence_again" run -c --scheduled paused --now $T0
run "$cadence" pause paused
expect "pause" 0
run "$cadence" run -c --scheduled paused --now 2026-03-01T13:00:30Z
expect "paused: nothing runs, the times are missed (paused)" 0 '' \
	'paused: 3 times did not run \(paused\), the newest 2026-03-01T13:00:00Z'
assert "... nothing ran" test -z "$out"
run "$cadence" resume paused
expect "resume NAME: the schedule again" 0
run "$cadence" run -c --scheduled paused --now 2026-03-01T14:00:30Z
expect "... the next time runs, the paused ones are not made up" 0 '^\{"n":42\}$'
assert "... once" test "$(grep -c . <<<"$out")" = 1
run "$cadence" disable paused
run "$cadence" run -c --scheduled paused --now 2026-03-01T15:00:30Z
expect "disabled: nothing runs" 0 '' "the schedule is disabled \('cadence enable' turns it on\)"
# (off valgrind: hourly_none's history --missed --format json --limit 0)
run "$cadence_again" history paused --missed --format json --limit 0
assert "... and nothing is recorded missed (3, all paused)" \
	test "$(grep -c '"reason":"paused"' <<<"$out")" = 3

# a damaged registry: nothing runs, the file is left as it was
mkdir -p "$tmp/bad"
head -c 4096 /dev/urandom >"$tmp/bad/registry.db"
cp "$tmp/bad/registry.db" "$tmp/bad.copy"
run "$cadence" run --scheduled hourly_all --state-dir "$tmp/bad" --now $T0
expect "a damaged registry: exit 2, nothing ran" 2 '' 'nothing ran \(a scheduled run needs the registry'
assert "... the file untouched" cmp -s "$tmp/bad/registry.db" "$tmp/bad.copy"

# bad input: a message, exit 2, nothing run
run "$cadence" run --scheduled nosuch
expect "an unknown cadence" 2 '' "no cadence named 'nosuch'"
w plain.cadence.yaml 'cadence: plain
notes:
  bump: {run: ./bump.sh}
measures:
  - then: bump
'
cp "$tmp/plain.cadence.yaml" .
run "$cadence" run --scheduled plain
expect "a cadence with no schedule" 2 '' "cadence 'plain' .* has no schedule: add 'schedule:'"
expect "... naming cadence.yaml(5), not docs/" 2 '' '\(cadence\.yaml\(5\), SCHEDULE\)'
run "$cadence" run --scheduled hourly_all --now 2026-13-01T00:00:00Z
expect "a bad --now" 2 '' "--now takes an RFC 3339 time"
run "$cadence" run --now 2026-03-01T00:00:00Z plain.cadence.yaml
expect "--now without --scheduled" 2 '' "--now and --jitter go with --scheduled NAME"
run "$cadence" run --scheduled hourly_all plain.cadence.yaml
expect "--scheduled with a FILE" 2 '' "give no FILE, --score or --score-file"
: >"$tmp/afile"
run "$cadence" run --scheduled hourly_all --state-dir "$tmp/afile"
expect "a state directory that is a file" 2 '' 'nothing ran'
assert "... and the file is untouched" test ! -s "$tmp/afile"

finish
