#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Notes never outlive cadence; signals, timeouts, long durations and closed
# pipes (issue 14: items 8, 10, 11, 12 and the low items on a closed
# stdout, --events /dev/full and `ulimit -n`).  Real processes, real
# signals: every wait is a bounded loop on a condition, so a loaded machine
# makes the script slower, not wrong.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state

# no_group PGID: no live process is left in the process group
no_group() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v pg="$1" '
		{ sub(/^.*\) /, ""); if ($3 == pg && $1 != "Z" && $1 != "X") found = 1 }
		END { exit found }'
}
# within SECONDS CMD...: polls CMD every 10 ms for at most SECONDS
within() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		((SECONDS < end)) || return 1
		nap 0.01
	done
}
# cadence in the background ($bg), then reap: its status, out and err (a
# hang guard of 60 s, far above any wait the test expects)
start() {
	"$cadence" "$@" >"$tmp/.out" 2>"$tmp/.err" &
	bg=$!
}
reap() {
	within 60 gone "$bg" || kill -KILL "$bg"
	status=0
	wait "$bg" || status=$?
	out=$(<"$tmp/.out") err=$(<"$tmp/.err")
}
# cpu_ns PID: the CPU time of a process in ns, all its threads
# (/proc/PID/task/*/schedstat; without it, user + system clock ticks of
# /proc/PID/stat, scaled)
cpu_ns() {
	local ns sum=0 st f
	if [[ -r /proc/$1/schedstat ]]; then
		for f in /proc/"$1"/task/*/schedstat; do
			read -r ns _ 2>/dev/null <"$f" && sum=$((sum + ns))
		done
		echo "$sum"
		return
	fi
	read -r st <"/proc/$1/stat"
	st=${st##*) }
	read -ra st <<<"$st"
	echo $(((st[11] + st[12]) * 1000000000 / $(getconf CLK_TCK)))
}
# under valgrind, evaluations are ~50 times slower: smaller slow inputs
slow_n=3000
[[ -z ${CADENCE_TEST_VALGRIND:-} ]] || slow_n=1000

# A note whose own process starts another (same group) that would have a
# side effect five minutes later.
w side.sh '#!/bin/sh
echo $$ >"$CADENCE_DIR/$PROBE.pid"
sh -c '\''echo $$ >"$CADENCE_DIR/$PROBE.child"; sleep 300; touch "$CADENCE_DIR/$PROBE.effect"'\'' &
wait
'
one_note side '{run: [./side.sh]}'
chmod +x "$tmp/side.sh"
# pids PROBE: the note's process, the one it started
pids() { note=$(<"$tmp/$1.pid") child=$(<"$tmp/$1.child"); }
no_orphan() {
	assert "$1: the note's own process is gone" within 20 gone "$note"
	assert "$1: the process it started is gone" within 20 gone "$child"
	assert "$1: nothing is left in the note's process group" within 20 no_group "$note"
	assert "$1: no side effect" test ! -e "$tmp/$2.effect"
}

# --- issue 14 item 8: SIGKILL of cadence leaves no note behind --------------------------------
export PROBE=kill
start run "$tmp/side.cadence.yaml"
within 30 test -s "$tmp/kill.child"
pids kill
kill -KILL "$bg"
reap
expect "item 8: SIGKILL kills cadence" 137
no_orphan "item 8: SIGKILL" kill

# --- item 8: SIGHUP is handled like SIGTERM: notes stopped, metrics written, 130 --------------
export PROBE=hup
start run --kill-grace 200ms --metrics "$tmp/hup.prom" "$tmp/side.cadence.yaml"
within 30 test -s "$tmp/hup.child"
pids hup
kill -HUP "$bg"
reap
expect "item 8: SIGHUP exits 130" 130 '' "interrupted while note 'side' was running; it was stopped"
assert "item 8: SIGHUP: the metrics are written" grep -q 'status="cancelled"' "$tmp/hup.prom"
no_orphan "item 8: SIGHUP" hup

# --- item 8 and the low item on SIGPIPE: `2>&1 | head -1` -------------------------------------
# the log's reader is gone: the run stops as on SIGTERM, exit 3 (an output
# that cannot be written), not a death by SIGPIPE that leaves the note
one_note chatty '{run: [sh, -c, "echo $$ >\"$CADENCE_DIR/$PROBE.pid\"; while :; do echo tick >&2; sleep 0.05; done"]}'
export PROBE=pipe
timeout -s KILL 60 "$cadence" run --kill-grace 200ms --metrics "$tmp/pipe.prom" \
	--events "$tmp/pipe.events" "$tmp/chatty.cadence.yaml" 2>&1 | head -1 >"$tmp/.out"
status=${PIPESTATUS[0]} out=$(<"$tmp/.out") err=
expect "item 8: the log's reader gone (| head -1): exit 3" 3 '^\[chatty\] tick$'
note=$(<"$tmp/pipe.pid")
assert "item 8: | head -1: the note is gone" within 20 gone "$note"
assert "item 8: | head -1: the metrics are written" grep -q 'status="cancelled"' "$tmp/pipe.prom"
assert "item 8: | head -1: the events are written, the run's end last" \
	sh -c 'tail -n 1 "$1" | grep -q "\"event\":\"cadence_[a-z]*\""' sh "$tmp/pipe.events"

# a SIGPIPE from elsewhere is ignored: the run goes on
one_note waits '{run: [sh, -c, "echo $$ >\"$CADENCE_DIR/$PROBE.pid\"; while [ ! -e \"$CADENCE_DIR/$PROBE.go\" ]; do sleep 0.05; done"]}'
export PROBE=sigpipe
start run -c "$tmp/waits.cadence.yaml"
within 30 test -s "$tmp/sigpipe.pid"
kill -PIPE "$bg"
touch "$tmp/sigpipe.go"
reap
expect "issue 14 low item: SIGPIPE sent to cadence is ignored: the run completes" 0 '^\{\}$'

# --- low item: a closed stdout is exit 3 with a message, not SIGPIPE (141) --------------------
# a FIFO whose only reader is closed before cadence writes
mkfifo "$tmp/fifo"
exec {rw}<>"$tmp/fifo" {wr}>"$tmp/fifo"
exec {rw}>&-
one_note bad '{run: [true], retry: {attempts: 0}}'
status=0
"$cadence" validate "$tmp/bad.cadence.yaml" >&"$wr" 2>"$tmp/.err" || status=$?
out= err=$(<"$tmp/.err")
expect "issue 14 low item: closed stdout: validate exits 3" 3 '' 'cannot write to standard output: Broken pipe'
status=0
"$cadence" run "$tmp/waits.cadence.yaml" >&"$wr" 2>"$tmp/.err" &
bg=$!
touch "$tmp/sigpipe.go"
reap
expect "issue 14 low item: closed stdout: run exits 3" 3 '' 'cannot write to standard output: Broken pipe'
exec {wr}>&-

# --- low item: --events to a full disk prints no score ---------------------------------------
if [[ -w /dev/full ]]; then
	run "$cadence" run --events /dev/full "$tmp/waits.cadence.yaml"
	expect "issue 14 low item: --events /dev/full: exit 3" 3 '' "cannot write the events to '/dev/full'"
	assert "issue 14 low item: --events /dev/full: no score on stdout" test -z "$out"
fi

# --- item 11: no spinning through the kill grace; a second SIGINT stops at once ---------------
one_note stubborn '{run: [sh, -c, "trap \"echo >\\\"$CADENCE_DIR/$PROBE.term\\\"\" TERM; echo $$ >\"$CADENCE_DIR/$PROBE.pid\"; while :; do sleep 0.05; done"]}'
export PROBE=grace
start run --kill-grace 600s "$tmp/stubborn.cadence.yaml"
within 30 test -s "$tmp/grace.pid"
note=$(<"$tmp/grace.pid")
kill -INT "$bg"
within 30 test -e "$tmp/grace.term"	# stopped: SIGTERM sent, the grace runs
# a spinning cadence used from 15% (a busy machine) to 100% of a CPU; a
# sleeping one next to none.  Less than 10% of 1 s: schedstat counts ns,
# where the ticks of /proc/PID/stat (1/100 s) needed a 2 s window for the
# same margin.
[[ -r /proc/$bg/schedstat ]] && window=1 || window=2
t0=$(cpu_ns "$bg")
nap "$window"
t1=$(cpu_ns "$bg")
assert "item 11: during the kill grace cadence sleeps ($(((t1 - t0) / 1000000)) ms of CPU in $window s)" \
	test $(((t1 - t0) * 10)) -lt $((window * 1000000000))
kill -INT "$bg"
reap
expect "item 12: a second SIGINT stops at once: 130" 130 '' 'interrupted again: stopped at once'
assert "item 12: second SIGINT: the note that ignores SIGTERM is killed" within 20 gone "$note"
assert "item 12: second SIGINT: nothing left in its group" within 20 no_group "$note"

# --- item 10: durations of 300 years neither overflow nor expire at once ----------------------
w years.cadence.yaml 'cadence: years
score:
  n: {type: integer, default: 0}
  m: {type: integer, default: 0}
notes:
  proc:
    run: [sh, -c, "echo \"{\\\"n\\\": 1}\""]
    timeout: 2629800h
  calc:
    set: {m: "score.n + 1"}
    timeout: 2629800h
measures:
  - then: proc
  - then: calc
'
run "$cadence" run -c --kill-grace 2629800h "$tmp/years.cadence.yaml"
expect "item 10: a timeout of 300 years does not expire at once" 0 '^\{"n":1,"m":2\}$'
one_note flaky '{run: [sh, -c, "echo x >>\"$CADENCE_DIR/$PROBE.count\"; exit 1"], retry: {attempts: 2, delay: 2629800h}}'
export PROBE=retry
start run "$tmp/flaky.cadence.yaml"
within 30 grep -q 'retrying in 9467280000000 ms' "$tmp/.err"
nap 0.5	# a retry that did not wait would have run by now
assert "item 10: a retry delay of 300 years waits" test "$(wc -l <"$tmp/retry.count")" = 1
kill -INT "$bg"
reap
expect "item 10: ... until interrupted" 130 '' "interrupted while note 'flaky'"
export PROBE=years
start run --kill-grace 2629800h "$tmp/side.cadence.yaml"
within 30 test -s "$tmp/years.child"
kill -INT "$bg"
reap
expect "item 10: --kill-grace of 300 years: a note that obeys SIGTERM ends the run" 130 '' \
	"interrupted while note 'side' was running"

# --- item 12: `set` notes honour timeout; a cancel in the last measure is not swallowed -------
xs="[$(seq -s, 1 "$slow_n")]"
w slowset.cadence.yaml 'cadence: slowset
score:
  xs: {type: array, default: []}
  a: {type: boolean, default: false}
  b: {type: boolean, default: false}
  c: {type: boolean, default: false}
notes:
  first: {run: [sh, -c, "echo >\"$CADENCE_DIR/$PROBE.started\""]}
  slow:
    set:
      a: "score.xs.all(x, score.xs.all(y, x + y > 0))"
      b: "score.xs.all(x, score.xs.all(y, x + y > 1))"
      c: "score.xs.all(x, score.xs.all(y, x + y > 2))"
measures:
  - then: first
  - then: slow
'
sed 's/^  slow:$/  slow:\n    timeout: 1ms/' "$tmp/slowset.cadence.yaml" >"$tmp/timed.cadence.yaml"
run "$cadence" run "$tmp/timed.cadence.yaml" --score "{\"xs\": $xs}"
expect "item 12: a set note past its timeout fails" 1 '' \
	"note 'slow': it timed out after 1 ms \(its expressions took longer\)"
export PROBE=lastset
start run "$tmp/slowset.cadence.yaml" --score "{\"xs\": $xs}"
within 30 test -e "$tmp/lastset.started"
kill -INT "$bg"
reap
expect "item 12: SIGINT during a set note of the last measure: 130" 130 '' 'interrupted'
assert "item 12: ... and no score" test -z "$out"

if [[ -n ${CADENCE_TEST_PLUGIN:-} ]]; then
	w cnotes.cadence.yaml 'cadence: cnotes
score:
  marker: {type: string, default: ""}
notes:
  patient: {symbol: until_expired, timeout: 100ms}
measures:
  - then: patient
'
	run "$cadence" run --plugin "$CADENCE_TEST_PLUGIN" "$tmp/cnotes.cadence.yaml"
	expect "item 12: a C note sees cadence_note_expired(); its late result fails" 1 '' \
		"it timed out after 100 ms \(it returned after its deadline"
	sed -i 's/symbol: until_expired, timeout: 100ms/symbol: hang/' "$tmp/cnotes.cadence.yaml"
	start run --plugin "$CADENCE_TEST_PLUGIN" "$tmp/cnotes.cadence.yaml" \
		--score "{\"marker\": \"$tmp/hang.started\"}"
	within 30 test -e "$tmp/hang.started"
	# the first SIGINT cannot stop a call that never returns; the second
	# ends cadence (signals sent until it is gone: two sent at once may
	# arrive as one)
	for ((i = 0; i < 400; i++)); do
		alive "$bg" || break
		kill -INT "$bg" 2>/dev/null
		nap 0.05
	done
	reap
	expect "item 12: a C note that never returns: a second SIGINT stops cadence" 130 '' \
		'interrupted again: stopped at once'
fi

# --- low item: `ulimit -n` lower than a sync needs: notes wait for descriptors ----------------
{
	echo 'cadence: many'
	echo 'notes:'
	for i in $(seq 60); do echo "  n$i: {run: [sleep, '0.2']}"; done
	echo 'measures:'
	echo '  - sync: all'
	echo "    notes: [$(seq -s, -f 'n%g' 60)]"
} >"$tmp/many.cadence.yaml"
run bash -c 'ulimit -n 128 && exec "$@"' sh "$cadence" run -c "$tmp/many.cadence.yaml"
expect "issue 14 low item: ulimit -n 128, a sync of 60 run notes: they wait for descriptors" 0 '^\{\}$'

finish
