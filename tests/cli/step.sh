#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence step (issue 20, point 1): one note, or one measure's merge, run
# alone on a score from a file, as an external engine (Argo Workflows, n8n)
# runs a node of a cadence's graph.  Every binding, the policies applied
# and left out (--no-policies), skip and $interrupt, each merge strategy
# with a conflict, a child's merge, every bad input with its message and
# status; and the property the engines rely on: steps chained as the
# measures run give the score `cadence run` gives.
source "$(dirname "$0")/lib.sh"
need python3

cd "$tmp" || exit 1
# the JSON of a file, keys sorted, on one line: scores compared as values
norm() { python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1])), sort_keys=True))' "$1"; }
# apply SCORE CHANGES OUT: the score with the changes set, as a run applies them
apply() {
	python3 -c 'import json,sys
s = json.load(open(sys.argv[1])); s.update(json.load(open(sys.argv[2])))
json.dump(s, open(sys.argv[3], "w"))' "$1" "$2" "$3"
}
note() { printf '#!/bin/sh\ncat >/dev/null\n%s\n' "$2" >"$tmp/$1"; chmod +x "$tmp/$1"; }

# ---- every binding; steps in order give the run's score ------------------------------
note say.sh 'echo hello >&2; echo "{\"status\": \"said\", \"count\": 1}"'
plug=${CADENCE_TEST_PLUGIN:-}
sym=
[[ -z $plug ]] || sym='
  tick: {symbol: tick}'
w chain.cadence.yaml "cadence: chain
score:
  count: {type: integer, default: 0}
  status: {type: string, default: new}
  label: {type: string, default: \"\"}
notes:
  say: {run: [./say.sh]}
  double: {set: {count: 'score.count * 2 + 1', label: '\"x\" + score.status'}}$sym
measures:
  - then: say
  - then: double
$([[ -z $plug ]] || echo '  - then: tick')
"
popt=()
[[ -z $plug ]] || popt=(--plugin "$plug")
run "$cadence" run -c "${popt[@]}" chain.cadence.yaml
expect "the chain runs" 0 '"count":'
echo "$out" >run.json

run "$cadence" step -c "${popt[@]}" chain.cadence.yaml say
expect "a run note's step prints its changes (no --score: the defaults)" 0 \
	'^\{"status":"said","count":1\}$' '^\[say\] hello$'
echo '{"count": 0, "status": "new", "label": ""}' >s0.json
notes=(say double)
[[ -z $plug ]] || notes+=(tick)
i=0
for n in "${notes[@]}"; do
	run "$cadence_again" step "${popt[@]}" --score "s$i.json" -o "c$i.json" chain.cadence.yaml "$n"
	expect "step $n (-o)" 0
	apply "s$i.json" "c$i.json" "s$((i + 1)).json"
	i=$((i + 1))
done
assert "steps of every note, their changes applied in order, give the run's score" \
	test "$(norm "s$i.json")" = "$(norm run.json)"
run cat c1.json
expect "a set note's changes: only the fields it changed" 0 '"count":.3,$'
if [[ -n $plug ]]; then
	run cat c2.json
	expect "a symbol note (--plugin) runs" 0 '^\{$'
	assert "... and counts" test "$(norm c2.json)" = '{"count": 4}'
	run "$cadence_again" step chain.cadence.yaml tick
	expect "a symbol note without its plugin: status 2" 2 '' "tick"
else
	skip "symbol notes" "CADENCE_TEST_PLUGIN is not set"
fi
run "$cadence_again" step -c --score - "${popt[@]}" chain.cadence.yaml double <<<'{"count": 5}'
expect "the score from standard input (--score -)" 0 '^\{"count":11,"label":"xnew"\}$'
run "$cadence_again" step -c --score - "${popt[@]}" chain.cadence.yaml double <<<'{"count": 5, "label": "xnew"}'
expect "an unchanged field is not a change" 0 '^\{"count":11\}$'

# ---- policies ----------------------------------------------------------------------
note flaky.sh '[ "$CADENCE_ATTEMPT" -ge 3 ] || { echo "no luck $CADENCE_ATTEMPT of $CADENCE_ATTEMPTS" >&2; exit 1; }
echo "{\"status\": \"attempt $CADENCE_ATTEMPT\"}"'
note slow.sh 'sleep 1; echo "{\"status\": \"slept\"}"'
w pol.cadence.yaml "cadence: pol
score:
  status: {type: string, default: new}
notes:
  flaky:
    run: [./flaky.sh]
    retry: {attempts: 3, delay: 10ms}
  slow:
    run: [./slow.sh]
    timeout: 200ms
    fallback: {status: timed_out}
  slow_bare:
    run: [./slow.sh]
    timeout: 200ms
  broken:
    run: [./flaky.sh]
    fallback: {status: fell_back}
    circuit_breaker: {failure_threshold: 1, recovery_timeout: 1h}
measures:
  - then: flaky
  - then: slow
  - then: slow_bare
  - then: broken
"
run "$cadence" step -c pol.cadence.yaml flaky
expect "retries apply by default: the third attempt succeeds" 0 '^\{"status":"attempt 3"\}$' \
	"note 'flaky' failed \\(attempt 2 of 3\\): .*; retrying in 10 ms"
assert "... after two retries, each logged" test "$(grep -c retrying <<<"$err")" = 2
run "$cadence" step -c --no-policies pol.cadence.yaml flaky
expect "--no-policies: one attempt, which fails: status 1" 1 '' \
	"^cadence: error: pol: note 'flaky': it exited with status 1"
expect "... it knows it has one attempt (CADENCE_ATTEMPTS=1)" 1 '' 'no luck 1 of 1'
assert "... nothing on stdout" test -z "$out"
run "$cadence_again" step -c pol.cadence.yaml slow
expect "a timeout, then the fallback taken: status 0" 0 '^\{"status":"timed_out"\}$' \
	"note 'slow' failed for good: it timed out after 200 ms.*; its fallback applies"
run "$cadence_again" step -c pol.cadence.yaml slow_bare
expect "a timeout without a fallback: status 1" 1 '' "note 'slow_bare': it timed out after 200 ms"
run "$cadence_again" step -c --no-policies pol.cadence.yaml slow
expect "--no-policies: no timeout, no fallback (the note runs to its end)" 0 \
	'^\{"status":"slept"\}$'
run "$cadence_again" step -c --no-policies pol.cadence.yaml broken
expect "--no-policies: no fallback, the failure is the status" 1 '' "note 'broken'"
run "$cadence" step -c --one-attempt pol.cadence.yaml slow
expect "--one-attempt: the timeout kept, no fallback: status 1" 1 '' \
	"note 'slow': it timed out after 200 ms"
run "$cadence_again" step -c --one-attempt pol.cadence.yaml flaky
expect "--one-attempt: one attempt, no retry" 1 '' 'no luck 1 of 1'
run "$cadence_again" step -c --one-attempt pol.cadence.yaml slow_bare
expect "... the same for a note without a fallback" 1 '' "timed out after 200 ms"
for bad in "--no-policies --one-attempt pol.cadence.yaml flaky|--no-policies and --one-attempt do not go together" \
	"--one-attempt --measure 0 pol.cadence.yaml|--one-attempt is for a note; the notes of a measure" \
	"--one-attempt --fallback pol.cadence.yaml broken|--fallback and --one-attempt do not go together"; do
	# shellcheck disable=SC2086 # the words of the case
	run "$cadence_again" step ${bad%|*}
	expect "--one-attempt: ${bad%% pol*}: status 2" 2 '' "${bad#*|}"
done
for k in 1 2; do
	run "$cadence_again" step -c pol.cadence.yaml broken
	expect "circuit breakers never apply (call $k: the note runs, fails, falls back)" 0 \
		'^\{"status":"fell_back"\}$' 'no luck 1 of 1'
done

# ---- skip and $interrupt -----------------------------------------------------------
note skip.sh "echo '{\"\$skip\": true}'"
note stop.sh "echo '{\"status\": \"stopped here\", \"\$interrupt\": true}'"
w ctl.cadence.yaml "cadence: ctl
score:
  status: {type: string, default: new}
notes:
  skipper: {run: [./skip.sh]}
  stopper: {run: [./stop.sh]}
measures:
  - then: skipper
  - then: stopper
"
run "$cadence" step -c ctl.cadence.yaml skipper
expect "a note that asks to be skipped: {} and status 0" 0 '^\{\}$'
assert "... and nothing on stderr" test -z "$err"
run "$cadence" step -c ctl.cadence.yaml stopper
expect "a note that ends the cadence (\$interrupt): its changes, status 5" 5 \
	'^\{"status":"stopped here"\}$' "^cadence: stopped: note 'stopper' ended the cadence"
if [[ -n $plug ]]; then
	w int.cadence.yaml "cadence: int
notes:
  me: {symbol: interrupt_me}
measures:
  - then: me
"
	run "$cadence" step --plugin "$plug" int.cadence.yaml me
	expect "interrupted (SIGINT): status 130, as run" 130 '' 'interrupted'
fi

# ---- merges --------------------------------------------------------------------------
note who_a.sh 'echo "{\"who\": \"a\"}"'
note who_b.sh 'echo "{\"who\": \"b\"}"'
w merges.cadence.yaml "cadence: merges
score:
  tags: {type: array, default: []}
  who: {type: string, default: \"\"}
  n: {type: integer, default: 0}
notes:
  wa: {run: [./who_a.sh]}
  wb: {run: [./who_b.sh]}
  ta: {set: {tags: 'score.tags + [\"a\"]'}}
  tb: {set: {tags: 'score.tags + [\"b\"]'}}
  c: {set: {n: 'score.n + 1'}}
measures:
  - sync: fo
    notes: [wa, c]
  - sync: lww
    merge: last_write_wins
    notes: [ta, tb, wa, wb]
  - sync: sm
    merge: smart_merge
    notes: [ta, tb]
  - then: c
"
run "$cadence" run -c merges.cadence.yaml
expect "the merges run" 0 '"tags":\["b","a","b"\]'
echo "$out" >mrun.json
echo '{"tags": [], "who": "", "n": 0}' >m0.json
m=0
for measure in "wa c" "ta tb wa wb" "ta tb"; do
	files=()
	for n in $measure; do
		run "$cadence_again" step --score "m$m.json" -o "m$m-$n.json" merges.cadence.yaml "$n"
		[[ $status == 0 ]] || fail "step $n of measure $m"
		files+=("m$m-$n.json")
	done
	run "$cadence_again" step --merge "$m" --score "m$m.json" -o "m$((m + 1)).json" \
		merges.cadence.yaml "${files[@]}"
	expect "step --merge $m (${measure// /, })" 0
	m=$((m + 1))
done
run "$cadence_again" step --score m3.json -o c3.json merges.cadence.yaml c
apply m3.json c3.json m4.json
assert "steps of each note and a merge per sync give the run's score (fail_on_conflict, last_write_wins, smart_merge)" \
	test "$(norm m4.json)" = "$(norm mrun.json)"
run cat m2.json
assert "... last_write_wins: the later note wins" test "$(norm m2.json)" = '{"n": 1, "tags": ["b"], "who": "b"}'
run "$cadence_again" step -c --merge 2 --score m2.json merges.cadence.yaml m2-ta.json m2-tb.json
expect "smart_merge extends lists (from stdout)" 0 '^\{"tags":\["b","a","b"\],"who":"b","n":1\}$'

# a conflict under fail_on_conflict: the message run gives
w clash.cadence.yaml "cadence: clash
score:
  who: {type: string, default: \"\"}
notes:
  wa: {run: [./who_a.sh]}
  wb: {run: [./who_b.sh]}
measures:
  - sync: both
    notes: [wa, wb]
"
run "$cadence" run clash.cadence.yaml
expect "run: the conflict fails the sync" 1 '' "both changed field 'who'"
run_err=$(grep '^cadence: error:' <<<"$err")
run "$cadence_again" step -o wa.json clash.cadence.yaml wa
run "$cadence_again" step -o wb.json clash.cadence.yaml wb
echo keep >merged.json
run "$cadence" step --merge 0 -o merged.json clash.cadence.yaml wa.json wb.json
expect "a conflict under fail_on_conflict: status 1" 1 '' "both changed field 'who'"
assert "... with the message run gives" test "$(grep '^cadence: error:' <<<"$err")" = "$run_err"
assert "... and -o left as it was (never a partial file)" test "$(<merged.json)" = keep

# a child: CHANGES is the child's final score, through the merge: expressions
w kid.cadence.yaml "cadence: kid
score:
  x: {type: integer, required: true}
  y: {type: integer, default: 0}
notes:
  twice: {set: {y: 'score.x * 2'}}
measures:
  - then: twice
"
w parent.cadence.yaml "cadence: parent
score:
  x: {type: integer, default: 3}
  got: {type: integer, default: 0}
measures:
  - child: kid
    with: {x: score.x}
    merge: {got: 'score.y + 1'}
"
run "$cadence" run -c parent.cadence.yaml
echo "$out" >prun.json
echo '{"x": 3}' >k0.json
run "$cadence_again" step --score k0.json -o k0c.json kid.cadence.yaml twice
apply k0.json k0c.json kfinal.json
run "$cadence" step -c --merge 0 parent.cadence.yaml kfinal.json
expect "a child's merge: the parent's score after its merge: expressions" 0 '^\{"x":3,"got":7\}$'
assert "... the score the run gives" test "$out" = "$(<prun.json)"

# ---- --measure: every measure in turn gives the run's score ----------------------------
# chain_measures NAME FILE INPUT [OPTION...]: `cadence run` on INPUT, then
# `step --measure` of each measure in turn on the score the one before
# wrote (up to one that ends the cadence: status 5), compared
chain_measures() {
	local name=$1 file=$2 input=$3 i=0
	shift 3
	export CADENCE_STATE_DIR=$tmp/state	# the run's breakers
	run "$cadence_again" run -c "$@" "$file" --score "$input"
	[[ $status == 0 ]] || { fail "$name: run (exit $status): $err"; return; }
	echo "$out" >"$name-run.json"
	echo "$input" >"$name-0.json"
	while :; do
		run "$cadence_again" step "$@" --measure "$i" --score "$name-$i.json" \
			-o "$name-$((i + 1)).json" "$file"
		if [[ $status == 2 && $err == *"not a measure $i"* ]]; then
			break
		elif [[ $status == 5 ]]; then
			i=$((i + 1))
			break
		elif [[ $status != 0 ]]; then
			fail "$name: step --measure $i (exit $status): $err"
			return
		fi
		i=$((i + 1))
	done
	assert "$name: step --measure of each of its $i measures in turn gives the run's score" \
		test "$(norm "$name-$i.json")" = "$(norm "$name-run.json")"
}
ex=$src/examples
chain_measures hello "$ex/hello/hello.cadence.yaml" '{"name": "Ada"}'
chain_measures sales "$ex/dag/sales.cadence.yaml" '{"region": "north"}'
if [[ -n ${CADENCE_EXAMPLE_NOTES:-} ]]; then
	for order in gold-17-big new-5; do
		chain_measures "checkout-$order" "$ex/checkout/checkout.cadence.yaml" \
			"{\"order_id\": \"$order\"}" --plugin "$CADENCE_EXAMPLE_NOTES"
	done
else
	skip "the checkout example's measures" "CADENCE_EXAMPLE_NOTES is not set"
fi
chain_measures chain chain.cadence.yaml '{"count": 2}' "${popt[@]}"
chain_measures merges merges.cadence.yaml '{"n": 1}'
chain_measures parent parent.cadence.yaml '{"x": 5}'
chain_measures ctl ctl.cadence.yaml '{}'
assert "ctl: the chain ended at the note that ends the cadence (measure 1)" test -f ctl-2.json
run "$cadence" step -c --measure 1 ctl.cadence.yaml
expect "--measure: a note that ends the cadence: the score, status 5" 5 \
	'^\{"status":"stopped here"\}$' "^cadence: stopped: a note of measure 1 ended the cadence"
run "$cadence" step -c --measure 0 ctl.cadence.yaml
expect "--measure: a note that asks to be skipped: the score as it was, status 0" 0 \
	'^\{"status":"new"\}$'
run "$cadence" step -c --measure 0 pol.cadence.yaml
expect "--measure: the notes' policies apply (retries)" 0 '^\{"status":"attempt 3"\}$' \
	"note 'flaky' failed \\(attempt 2 of 3\\)"
run "$cadence" step -c --measure 1 --score - pol.cadence.yaml <<<'{"status": "x"}'
expect "--measure: ... timeouts and fallbacks" 0 '^\{"status":"timed_out"\}$'
run "$cadence" run clash.cadence.yaml
want=$(grep '^cadence: error:' <<<"$err")
run "$cadence" step --measure 0 -o merged.json clash.cadence.yaml
expect "--measure: a measure that fails: status 1" 1 '' "both changed field 'who'"
assert "... with the message run gives" test "$(grep '^cadence: error:' <<<"$err")" = "$want"
assert "... and -o left as it was" test "$(<merged.json)" = keep

# ---- on_error: --error and --error-note ------------------------------------------------
note bad.sh 'exit 3'
note handler.sh 'echo "{\"status\": \"$CADENCE_ERROR|$CADENCE_ERROR_NOTE\"}"; echo handled >&2'
w errs.cadence.yaml "cadence: errs
score:
  status: {type: string, default: new}
notes:
  bad: {run: [./bad.sh]}
  handler: {run: [./handler.sh]}
measures:
  - then: bad
on_error: {note: handler, stop: false}
"
run "$cadence" run -c errs.cadence.yaml
expect "run: the handler sees the error" 0 '"status":"errs: note .bad.: it exited with status 3\|bad"'
echo "$out" >errs-run.json
run "$cadence" step --measure 0 errs.cadence.yaml
expect "--measure: a failed measure, the cadence's on_error not run" 1 '' \
	"^cadence: error: errs: note 'bad': it exited with status 3$"
assert "... no handler ran" test "$(grep -c handled <<<"$err")" = 0
msg=$(sed -n 's/^cadence: error: //p' <<<"$err")
echo '{"status": "new"}' >errs-0.json
run "$cadence_again" step --apply --error "$msg" --error-note bad --score errs-0.json \
	-o errs-1.json errs.cadence.yaml handler
expect "--error, --error-note: the handler runs as on_error runs it" 0 '' '^\[handler\] handled$'
assert "... the score the run gives (CADENCE_ERROR, CADENCE_ERROR_NOTE)" \
	test "$(norm errs-1.json)" = "$(norm errs-run.json)"
run "$cadence" step -c --error boom errs.cadence.yaml handler
expect "--error alone: CADENCE_ERROR_NOTE empty" 0 '^\{"status":"boom\|"\}$'
run "$cadence" step -c errs.cadence.yaml handler
expect "without --error the note sees no error" 0 '^\{"status":"\|"\}$'
note failing_handler.sh 'exit 4'
w errs2.cadence.yaml "cadence: errs2
notes:
  h: {run: [./failing_handler.sh]}
measures:
  - then: h
"
run "$cadence" step --error boom errs2.cadence.yaml h
expect "--error: the note's failure is an on_error note's, as in a run" 1 '' \
	"^cadence: error: errs2: on_error note 'h': it exited with status 4$"

# ---- --fallback and --apply ------------------------------------------------------------
run "$cadence" step -c --fallback pol.cadence.yaml slow
expect "--fallback: the note's fallback values, the note not run" 0 '^\{"status":"timed_out"\}$' \
	"note 'slow' failed for good: it failed in its own step; its fallback applies"
assert "... at once (slow.sh sleeps 1 s)" test "$(grep -c slept <<<"$out")" = 0
run "$cadence" step -c --fallback --score - pol.cadence.yaml slow <<<'{"status": "timed_out"}'
expect "--fallback: a value the score has already is no change" 0 '^\{\}$'
run "$cadence" step -c --fallback --apply --score - pol.cadence.yaml broken <<<'{"status": "x"}'
expect "--fallback --apply: the score with the fallback applied" 0 '^\{"status":"fell_back"\}$'
run "$cadence" step --fallback pol.cadence.yaml flaky
expect "--fallback for a note without one: status 2, naming it" 2 '' \
	"note 'flaky' of cadence 'pol' has no fallback"
i=0
for n in "${notes[@]}"; do
	run "$cadence_again" step "${popt[@]}" --apply --score "s$i.json" -o "a$i.json" chain.cadence.yaml "$n"
	expect "--apply $n" 0
	assert "... the score with its changes applied (as score + changes)" \
		test "$(norm "a$i.json")" = "$(norm "s$((i + 1)).json")"
	i=$((i + 1))
done
run "$cadence" step -c --apply ctl.cadence.yaml stopper
expect "--apply with \$interrupt: the score, status 5" 5 '^\{"status":"stopped here"\}$' \
	"note 'stopper' ended the cadence .*: the score with its changes is written"

# ---- --precheck ----------------------------------------------------------------------------
w gate.cadence.yaml "cadence: gate
score:
  n: {type: integer, default: 0}
notes:
  inc: {set: {n: score.n + 1}}
precheck: {when: score.n < 10}
measures:
  - then: inc
"
run "$cadence" step -c --precheck --score - gate.cadence.yaml <<<'{"n": 1}'
expect "--precheck that passes: the score, status 0" 0 '^\{"n":1\}$'
assert "... nothing on stderr" test -z "$err"
echo '{"n": 12}' >g12.json
run "$cadence" run -q -c --score-file g12.json gate.cadence.yaml
want=$err
run "$cadence" step -c --precheck --score g12.json gate.cadence.yaml
expect "--precheck that stops: the score, status 5" 5 '^\{"n":12\}$' \
	"^cadence: stopped: gate: precheck: 'score.n < 10' is false; nothing ran$"
assert "... run's message" test "$err" = "$want"
w gate2.cadence.yaml "cadence: gate2
score:
  n: {type: integer, default: 0}
  ok: {type: boolean, default: false}
notes:
  check: {set: {ok: 'score.n > 0'}}
  inc: {set: {n: score.n + 1}}
precheck: {note: check}
measures:
  - then: inc
"
run "$cadence" step -c --precheck --score - gate2.cadence.yaml <<<'{"n": 3}'
expect "--precheck note: its changes applied, status 0" 0 '^\{"n":3,"ok":true\}$'
w gate3.cadence.yaml "cadence: gate3
score:
  n: {type: integer, default: 0}
notes:
  inc: {set: {n: score.n + 1}}
  no: {run: [./bad.sh]}
precheck: {note: no}
measures:
  - then: inc
"
run "$cadence" step -c --precheck gate3.cadence.yaml
expect "--precheck note that fails: stopped, status 5" 5 '^\{"n":0\}$' \
	"^cadence: stopped: gate3: precheck note 'no' failed: it exited with status 3; nothing ran$"
w gate4.cadence.yaml "cadence: gate4
score:
  o: {type: object, default: {\"x\": \"s\"}}
notes:
  inc: {set: {o: '{\"x\": true}'}}
precheck: {when: score.o.x}
measures:
  - then: inc
"
run "$cadence" run gate4.cadence.yaml
want=$(grep '^cadence: error:' <<<"$err")
run "$cadence" step --precheck gate4.cadence.yaml
expect "--precheck: a condition that is not a boolean: status 1" 1 '' \
	"^cadence: error: gate4: its precheck 'score.o.x' failed: .*not a bool"
assert "... with run's message" test "$(grep '^cadence: error:' <<<"$err")" = "$want"
run "$cadence" step -c --precheck --score - chain.cadence.yaml "${popt[@]}" <<<'{"count": 4}'
expect "--precheck of a cadence without one: the score unchanged, status 0" 0 \
	'^\{"count":4,"status":"new","label":""\}$'

# ---- --outcome -------------------------------------------------------------------------------
outcome() {	# outcome WORD STATUS NAME STEP-ARGS...: the word and the status
	local word=$1 want=$2 name=$3
	shift 3
	rm -f oc.txt
	run "$cadence_again" step -o oc.json --outcome oc.txt "$@"
	expect "--outcome: $name: status $want" "$want"
	assert "... the outcome '$word'" test "$(<oc.txt)" = "$word"
}
outcome ok 0 "a note" "${popt[@]}" chain.cadence.yaml double
outcome skipped 0 "a note that asks to be skipped" ctl.cadence.yaml skipper
outcome interrupt 0 "a note that ends the cadence (5 without --outcome)" ctl.cadence.yaml stopper
assert "... its changes written" test "$(norm oc.json)" = '{"status": "stopped here"}'
outcome interrupt 0 "a measure whose note ends the cadence" --measure 1 ctl.cadence.yaml
outcome stopped 0 "a precheck that stops" --precheck --score g12.json gate.cadence.yaml
outcome ok 0 "a precheck that passes" --precheck gate.cadence.yaml
outcome ok 0 "a fallback" --fallback pol.cadence.yaml slow
outcome ok 0 "a merge" --merge 2 --score m2.json merges.cadence.yaml m2-ta.json m2-tb.json
assert "... a file of one line" test "$(wc -l <oc.txt)" = 1
echo keep >oc.txt
run "$cadence" step --outcome oc.txt --no-policies pol.cadence.yaml broken
expect "--outcome: a note that fails: status 1" 1
assert "... the outcome file left as it was" test "$(<oc.txt)" = keep
run "$cadence" step --outcome oc.txt --precheck gate4.cadence.yaml
expect "--outcome: a precheck that fails: status 1" 1
assert "... the outcome file left as it was" test "$(<oc.txt)" = keep
run "$cadence" step --outcome nodir/oc.txt ctl.cadence.yaml skipper
expect "--outcome into a missing directory: status 2, nothing ran" 2 '' \
	"cannot write the outcome to 'nodir/oc.txt': .*; nothing ran"
run "$cadence" step --outcome - ctl.cadence.yaml skipper
expect "--outcome -: status 2" 2 '' "--outcome takes a file, not '-'"
run "$cadence" step --outcome '' ctl.cadence.yaml skipper
expect "--outcome '': status 2" 2 '' "option '--outcome' needs a FILE, not an empty string"
run "$cadence" step --outcome oc.txt -o oc.txt ctl.cadence.yaml skipper
expect "--outcome and -o the same file: status 2" 2 '' "--outcome and -o both name 'oc.txt'"
run "$cadence" step --outcome ctl.cadence.yaml ctl.cadence.yaml skipper
expect "--outcome naming the cadence file: status 2" 2 '' \
	"cannot write the outcome to 'ctl.cadence.yaml': it is the cadence file"

# ---- bad inputs ------------------------------------------------------------------------
run "$cadence" step "${popt[@]}" chain.cadence.yaml
expect "no note: status 2" 2 '' "^cadence: error: which note\\? usage: cadence step"
run "$cadence_again" step
expect "no cadence: status 2" 2 '' "which cadence\\?"
run "$cadence" step "${popt[@]}" chain.cadence.yaml nope
expect "an unknown note: status 2, naming the notes" 2 '' \
	"cadence 'chain' has no note 'nope'; its notes: say, double"
run "$cadence_again" step "${popt[@]}" chain.cadence.yaml say extra
expect "a second note: status 2" 2 '' "unexpected argument 'extra'"
echo '{"count": ' >bad.json
run "$cadence" step --score bad.json "${popt[@]}" chain.cadence.yaml double
expect "a score that is not JSON: status 2" 2 '' "the score from bad.json "
echo '[1]' >arr.json
run "$cadence_again" step --score arr.json "${popt[@]}" chain.cadence.yaml double
expect "a score that is not an object: status 2" 2 '' "the score from arr.json must be a JSON object"
run "$cadence_again" step --score nowhere.json "${popt[@]}" chain.cadence.yaml double
expect "a missing score file: status 2" 2 '' "cannot read the score file 'nowhere.json'"
for bad in '{"count": "x"}' '{"nope": 1}'; do
	echo "$bad" >s.json
	run "$cadence_again" run --score-file s.json "${popt[@]}" chain.cadence.yaml
	want=$(grep '^cadence: error:' <<<"$err")
	run "$cadence_again" step --score s.json "${popt[@]}" chain.cadence.yaml double
	expect "a score that does not fit ($bad): status 2" 2 '' 'bad score: '
	assert "... with run's message" test "$(grep '^cadence: error:' <<<"$err")" = "$want"
done
run "$cadence" step kid.cadence.yaml twice
expect "a required field missing: status 2" 2 '' "bad score: .*'x'"
# changes files
run "$cadence" step --merge 2 merges.cadence.yaml m2-ta.json arr.json
expect "a changes file that is not an object: status 2, naming it" 2 '' \
	"the changes from arr.json must be a JSON object"
run "$cadence_again" step --merge 2 merges.cadence.yaml m2-ta.json bad.json
expect "a changes file that is not JSON: status 2, naming it" 2 '' "the changes from bad.json "
echo '{"nope": 1}' >unk.json
run "$cadence" step --merge 2 merges.cadence.yaml m2-ta.json unk.json
expect "a changes file naming an undeclared field: status 2, naming the file" 2 '' \
	"unk.json \\(note 'tb'\\): it changed unknown field 'nope'"
echo '{"tags": 5}' >mistyped.json
run "$cadence_again" step --merge 2 merges.cadence.yaml m2-ta.json mistyped.json
expect "a changes file with a mistyped value: status 2, naming the file" 2 '' \
	"mistyped.json \\(note 'tb'\\): .*'tags'"
run "$cadence" step --merge 2 merges.cadence.yaml m2-ta.json
expect "a wrong number of changes files: status 2" 2 '' \
	"sync 'sm' \\(measure 2\\) takes 2 changes, one per note .*, not 1"
run "$cadence_again" step --merge 0 parent.cadence.yaml
expect "no changes file: status 2" 2 '' "which cadence|takes 1 final score"
run "$cadence" step --merge 3 merges.cadence.yaml m2-ta.json
expect "--merge of a then: status 2" 2 '' "measure 3 of cadence 'merges' is then 'c', which has nothing to merge"
run "$cadence_again" step --merge 9 merges.cadence.yaml m2-ta.json
expect "--merge past the last measure: status 2" 2 '' "has 4 measures \\(indexes 0 to 3\\), not a measure 9"
for bad in x -1 1.5 ''; do
	run "$cadence_again" step --merge "$bad" merges.cadence.yaml m2-ta.json
	expect "--merge '$bad': status 2" 2 '' "--merge takes the index of a measure"
done
run "$cadence_again" step --merge 2 --no-policies merges.cadence.yaml m2-ta.json m2-tb.json
expect "--no-policies with --merge: status 2" 2 '' "--no-policies is for a note"
# options that do not go together: status 2, saying which
combo() {	# combo NAME PATTERN STEP-ARGS...
	local name=$1 pat=$2
	shift 2
	run "$cadence_again" step "$@"
	expect "$name: status 2" 2 '' "$pat"
}
combo "--merge and --measure" "--merge, --measure and --precheck do not go together" \
	--merge 0 --measure 0 merges.cadence.yaml m2-ta.json
combo "--measure and --precheck" "--merge, --measure and --precheck do not go together" \
	--measure 0 --precheck gate.cadence.yaml
combo "--no-policies with --measure" "--no-policies is for a note; the notes of a measure" \
	--measure 0 --no-policies gate.cadence.yaml
combo "--no-policies with --precheck" "--no-policies is for a note" \
	--precheck --no-policies gate.cadence.yaml
for mode in "--merge 0" "--measure 0" --precheck; do
	combo "--apply with $mode" "--apply is for a note .*; ${mode% *} writes the whole score" \
		$mode --apply merges.cadence.yaml
	for o in --fallback "--error x" "--error-note x"; do
		combo "$o with $mode" "${o% *} is for a note .*, not with ${mode% *}" \
			$mode $o merges.cadence.yaml
	done
done
combo "--fallback and --no-policies" "--fallback and --no-policies do not go together" \
	--fallback --no-policies pol.cadence.yaml slow
combo "--fallback and --error" "--fallback and --error do not go together" \
	--fallback --error x pol.cadence.yaml slow
combo "--fallback and --error-note" "--fallback and --error-note do not go together" \
	--fallback --error-note x pol.cadence.yaml slow
combo "--measure with a NOTE" "unexpected argument 'inc'; --measure takes no note: cadence step \\[OPTIONS\\] --measure INDEX FILE" \
	--measure 0 gate.cadence.yaml inc
combo "--precheck with a NOTE" "unexpected argument 'inc'; --precheck takes no note" \
	--precheck gate.cadence.yaml inc
combo "--measure without FILE" "which cadence\\? usage: cadence step \\[OPTIONS\\] --measure INDEX FILE" \
	--measure 0
combo "--precheck without FILE" "which cadence\\? usage: cadence step \\[OPTIONS\\] --precheck FILE" \
	--precheck
combo "--fallback without NOTE" "which note\\?" --fallback pol.cadence.yaml
combo "--measure past the last measure" "cadence 'gate' has 1 measures \\(indexes 0 to 0\\), not a measure 1" \
	--measure 1 gate.cadence.yaml
for bad in x -1 ''; do
	combo "--measure '$bad'" "--measure takes the index of a measure" --measure "$bad" gate.cadence.yaml
done
# outputs
run "$cadence" step -o nodir/out.json "${popt[@]}" chain.cadence.yaml double
expect "-o into a missing directory: status 2, nothing ran" 2 '' \
	"cannot write the output to 'nodir/out.json': .*; nothing ran"
run "$cadence_again" step -o chain.cadence.yaml "${popt[@]}" chain.cadence.yaml double
expect "-o naming the cadence file: status 2" 2 '' "it is the cadence file"
assert "... which is left as it was" grep -q '^cadence: chain$' chain.cadence.yaml
run "$cadence_again" step --score s0.json -o s0.json "${popt[@]}" chain.cadence.yaml double
expect "-o may replace the score file (read first)" 0
assert "... with the changes" test "$(norm s0.json)" = '{"count": 1, "label": "xnew"}'
run "$cadence" step --bogus "${popt[@]}" chain.cadence.yaml double
expect "an unknown option: status 2" 2 '' "unknown option.*--bogus"
run "$cadence_again" step --help
expect "--help names every option" 0 '--no-policies'
finish
