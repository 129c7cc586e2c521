#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence serve's shutdown and restarts (docs/serve.md, "Shutdown",
# "Restarts"), over real HTTP on 127.0.0.1: SIGTERM during 20 running runs
# exits 0 within the grace period (plus the 10 s stopped runs get), every
# run completed or interrupted with a checkpoint that cadence resume
# completes, the registry with none running; a later server answers GET
# /runs/ID for them; a SIGKILL of serve leaves the registry consistent
# (its runs still running, holding their locks), and the next server stops
# them at its start: they are recorded interrupted, checkpoints kept, and a
# run that was queued shows as never started.  Slow (about 30 s).
source "$(dirname "$0")/lib.sh"
need curl

serve_project
serve_keep_err=1

# a run that lasts until its marker file appears (bounded: 60 s), with a
# checkpoint after its first measure
w proj/waiter.cadence.yaml "
cadence: waiter
notes:
  first: {set: {started: \"true\"}}
  wait: {run: [sh, -c, 'i=0; while [ ! -e $tmp/go ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i+1)); done']}
  last: {set: {done: \"true\"}}
score:
  started: {type: boolean, default: false}
  done: {type: boolean, default: false}
measures:
  - then: first
  - then: wait
  - then: last
"
# a run that ends 1 s after its marker file appears: within the grace
w proj/quick.cadence.yaml "
cadence: quick
notes:
  nap: {run: [sh, -c, 'i=0; while [ ! -e $tmp/q ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i+1)); done; sleep 1']}
  done: {set: {done: \"true\"}}
score:
  done: {type: boolean, default: false}
measures:
  - then: nap
  - then: done
"

start_run() {
	http POST "/cadences/$1/runs" '' '{}'
	grep -Eo '[0-9a-f]{32}' <<<"$body" | head -1
}
ckpt() { echo "$CADENCE_STATE_DIR/serve/runs/$1/checkpoint.json"; }
all_ckpts() { local i; for i in "$@"; do [[ -s $(ckpt "$i") ]] || return 1; done; }
running() { http GET /healthz; grep -q "\"running\":$1}" <<<"$body"; }
count() { grep -o "$1" <<<"$2" | wc -l; }
# resume_all KEEP ID...: resumes every run of ids from its checkpoint, the
# first KEEP of them under valgrind; how many completed.  The others repeat
# that run step for step (a checkpoint of waiter after its first measure,
# completed): $cadence_again
resume_all() {
	local keep=$1 n=0 i bin
	shift
	for i in "$@"; do
		bin=$cadence_again
		((keep-- <= 0)) || bin=$cadence
		(cd "$proj" && "$bin" resume --no-record "$(ckpt "$i")" waiter.cadence.yaml \
			>/dev/null 2>&1) && n=$((n + 1))
	done
	echo "$n"
}

# --- SIGTERM during 20 running runs ---------------------------------------------------
rm -f "$tmp/go" "$tmp/q"
start_serve --max-runs 20 --grace 3s
waiters=() quicks=()
for _ in $(seq 10); do
	waiters+=("$(start_run waiter)")
	quicks+=("$(start_run quick)")
done
wait_until "20 runs running" running 20
wait_until "the waiters' checkpoints (their first measure done)" all_ckpts "${waiters[@]}"
: >"$tmp/q"
start=$SECONDS
kill -TERM "$spid"
wait_exit "$spid"
took=$((SECONDS - start))
assert "SIGTERM during 20 running runs: exit 0" test "$status" = 0
# the grace (3 s), the 10 s stopped runs get at most, a margin
assert "... within the grace period and the stop ($took s)" test "$took" -le 15
assert "... the grace was over, the runs stopped" \
	grep -q 'the grace period is over: stopping the runs' "$tmp/serve.err"
run "$cadence" history --format json --limit 100
assert "the registry: 20 api runs" test "$(count '"trigger":"api"' "$out")" = 20
assert "... none running" test "$(count '"status":"running"' "$out")" = 0
assert "... the 10 short ones completed" test "$(count '"status":"ok"' "$out")" = 10
assert "... the 10 long ones interrupted" test "$(count '"status":"interrupted"' "$out")" = 10
# (list --format json, a cadence whose last run was interrupted and none
# running: memcheck/cli/registry's "... and runs no more" takes this path
# under valgrind)
run_in "$proj" "$cadence_again" list --format json
assert "cadence list: none running" grep -q '"cadence":"waiter".*"running":0' <<<"$out"
: >"$tmp/go"
assert "every interrupted run's checkpoint is completed by cadence resume" \
	test "$(resume_all 1 "${waiters[@]}")" = 10

# --- a later server knows them ----------------------------------------------------------
start_serve
http GET "/runs/${waiters[0]}"
check_http "a later server: GET /runs/ID of an interrupted run" 200 \
	"^\{\"id\":\"${waiters[0]}\",\"cadence\":\"waiter\",\"file\":\"$proj/waiter.cadence.yaml\",\"trigger\":\"api\",\"status\":\"finished\",\"outcome\":\"interrupted\",\"exit_code\":null,\"cancelled\":false,\"start\":\"[^\"]+\",\"end\":\"[^\"]+\""
keep Run
http GET "/runs/${quicks[0]}"
check_http "... of a completed run, with its final score" 200 \
	'"status":"finished","outcome":"ok",.*"score":\{"done":true\}'
http GET "/runs/${quicks[0]}/events"
check_http "... its events" 200 '"event":"cadence_completed"'
http POST "/runs/${quicks[0]}/cancel"
check_http "... cancelling it: 409" 409 "was started by an earlier server"
http GET /runs/0123456789abcdef0123456789abcdef
check_http "an unknown run: 404" 404 "no run"
http GET /runs/..%2F..%2Fstate
check_http "not a run id: 404" 404
kill -TERM "$spid"
wait_exit "$spid"

# --- a SIGKILL of serve ----------------------------------------------------------------------
rm -f "$tmp/go"
start_serve --max-runs 3
killed=()
for _ in 1 2 3; do killed+=("$(start_run waiter)"); done
queued=$(start_run waiter)
http GET "/runs/$queued"
check_http "a fourth run queued" 200 '"status":"queued"'
wait_until "3 runs running" running 3
wait_until "their checkpoints" all_ckpts "${killed[@]}"
kill -KILL "$spid"
wait "$spid" 2>/dev/null
run "$cadence" history waiter --format json --limit 3
assert "SIGKILL of serve: its runs go on, shown running (they hold their locks)" \
	test "$(count '"status":"running"' "$out")" = 3
assert "... in their own process groups: alive" \
	eval "[[ \$(pgrep -f -- '--events $CADENCE_STATE_DIR/serve/runs/' | wc -l) -ge 3 ]]"
: >"$tmp/serve.err"
start_serve
assert "the next server stops them at its start" \
	grep -q '3 runs of an earlier server (killed?) still running: stopping them' "$tmp/serve.err"
# (the two history commands above, under valgrind, took these paths: the
# same options, over runs ended ok or interrupted, as after the SIGTERM)
run "$cadence_again" history --format json --limit 100
assert "... the registry: none running" test "$(count '"status":"running"' "$out")" = 0
run "$cadence_again" history waiter --format json --limit 3
assert "... the 3 recorded interrupted" test "$(count '"status":"interrupted"' "$out")" = 3
assert "... their processes gone" \
	eval "[[ \$(pgrep -f -- '--events $CADENCE_STATE_DIR/serve/runs/' | wc -l) == 0 ]]"
http GET "/runs/${killed[0]}"
check_http "... GET /runs/ID: interrupted" 200 '"status":"finished","outcome":"interrupted"'
http GET "/runs/$queued"
check_http "... the queued run: never started" 200 \
	'"status":"finished","outcome":"interrupted","exit_code":null,.*"start":null,.*"error":"its server stopped before the run started'
keep Run
: >"$tmp/go"
# (each a resume the first resume_all ran under valgrind: waiter's
# checkpoint after its first measure)
assert "... their checkpoints are completed by cadence resume" \
	test "$(resume_all 0 "${killed[@]}")" = 3
kill -TERM "$spid"
wait_exit "$spid"
assert "exit 0" test "$status" = 0

# --- the bodies kept match docs/openapi.json ---------------------------------------------
check_kept "the responses kept match docs/openapi.json"

finish
