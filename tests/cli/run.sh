#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence run: score input, output, exit codes, the log, plugins, dry runs,
# circuit breakers across invocations, SIGINT during a sync.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state

w() { printf '%s' "$2" >"$tmp/$1"; }

w hello.cadence.yaml 'cadence: hello
score:
  name:     {type: string, required: true}
  greeting: {type: string, default: ""}
  count:    {type: integer, default: 0}
notes:
  greet:
    run: [./greet.sh]
    writes: [greeting]
  count:
    run: [sh, -c, "echo counted >&2; echo \"{\\\"count\\\": 1}\""]
measures:
  - then: greet
  - then: count
'
w greet.sh '#!/bin/sh
name=$(sed -n "s/.*\"name\": *\"\([^\"]*\)\".*/\1/p")
printf "{\"greeting\": \"Hello, %s\"}\n" "$name"
'
chmod +x "$tmp/greet.sh"

# --- input and output ---------------------------------------------------------
# (memcheck/cli/cli_doc runs `run --help` under valgrind)
run "$cadence_again" run --help
expect "run --help" 0 '^usage: cadence run'
run "$cadence" run "$tmp/hello.cadence.yaml" --score '{"name": "Ada"}'
expect "--score: final score on stdout" 0 '"greeting":[[:space:]]*"Hello, Ada"'
assert "the log shows note stderr, prefixed" grep -q '^\[count\] counted$' <<<"$err"
run "$cadence" run -c "$tmp/hello.cadence.yaml" --score '{"name": "Ada"}'
expect "--compact: one line" 0 '^\{"name":"Ada","greeting":"Hello, Ada","count":1\}$'
echo '{"name": "Bo"}' >"$tmp/score.json"
run "$cadence" run "$tmp/hello.cadence.yaml" --score-file "$tmp/score.json"
expect "--score-file" 0 'Hello, Bo'
run "$cadence" run "$tmp/hello.cadence.yaml" - <"$tmp/score.json"
expect "score on standard input" 0 'Hello, Bo'
# the first run's path from another directory (./greet.sh is made relative
# to the file's directory, not the working one: lib/src/run/plan.c)
run_in / "$cadence_again" run "$tmp/hello.cadence.yaml" --score '{"name": "Cy"}'
expect "relative executables are found beside the cadence file" 0 'Hello, Cy'
# CADENCE_DIR is the cadence file's directory, "." for a file named without one
w dir.cadence.yaml 'cadence: dir
score:
  dir: {type: string, default: ""}
notes:
  where: {run: [./dir.sh]}
measures:
  - then: where
'
w dir.sh '#!/bin/sh
printf "{\"dir\": \"%s\"}\n" "$CADENCE_DIR"
'
chmod +x "$tmp/dir.sh"
run_in "$tmp" "$cadence" run -c dir.cadence.yaml
expect "CADENCE_DIR of a file named without a directory is ." 0 '^\{"dir":"\."\}$'
run_in / "$cadence" run -c "${tmp#/}/dir.cadence.yaml"
expect "CADENCE_DIR of a relative path is its directory" 0 "^\\{\"dir\":\"${tmp#/}\"\\}$"
# retry attempts past 32 bits do not wrap around (4294967297 was 1 attempt)
w attempts.cadence.yaml 'cadence: attempts
score:
  n: {type: string, default: ""}
notes:
  count: {run: [./attempts.sh], retry: {attempts: 4294967297}}
measures:
  - then: count
'
w attempts.sh '#!/bin/sh
[ "$CADENCE_ATTEMPT" -ge 2 ] || exit 1
printf "{\"n\": \"%s of %s\"}\n" "$CADENCE_ATTEMPT" "$CADENCE_ATTEMPTS"
'
chmod +x "$tmp/attempts.sh"
run "$cadence" run -c "$tmp/attempts.cadence.yaml"
expect "retry: {attempts: 4294967297} retries" 0 '^\{"n":"2 of 4294967295"\}$'

# --- bad input: exit 2, nothing ran -----------------------------------------------
run "$cadence" run "$tmp/hello.cadence.yaml"
expect "missing required field" 2 '' "bad score: missing required field 'name'"
assert "nothing on stdout" test -z "$out"
run "$cadence" run "$tmp/hello.cadence.yaml" --score '{"name": 3}'
expect "wrong type" 2 '' "field 'name' must be a string, not an integer"
run "$cadence" run "$tmp/hello.cadence.yaml" --score '{"name": "x", "count": 9007199254740994}'
expect "an integer beyond 2^53 is named so" 2 '' "field 'count' must be an integer, not an integer larger than 2\^53"
run "$cadence" run "$tmp/hello.cadence.yaml" --score '{"name": "x", "nmae": 1}'
expect "unknown field" 2 '' "unknown field 'nmae'; did you mean 'name'"
# past the 64th field too (it was the first 64 fields only; validate had all)
{
	printf 'cadence: wide\nscore:\n'
	for i in $(seq 1 150); do printf '  field_%03d: {type: integer, default: 0}\n' "$i"; done
	printf 'notes:\n  n: {run: [true]}\nmeasures:\n  - then: n\n'
} >"$tmp/wide.cadence.yaml"
run "$cadence" run "$tmp/wide.cadence.yaml" --score '{"feild_100": 1}'
expect "unknown field of a 150-field score: the near one is field 100" 2 '' \
	"unknown field 'feild_100'; did you mean 'field_100'"
# the first 100 unknown fields get a did-you-mean, the rest are only named
# (each search reads every field: cli/wide_growth)
run "$cadence" run "$tmp/wide.cadence.yaml" \
	--score "{$(for i in $(seq 1 101); do printf '"feild_%03d": 1,' "$i"; done | sed 's/,$//')}"
expect "101 unknown fields: 101 problems" 2 '' "bad score: 101 problems:"
expect "the 100th with a did-you-mean" 2 '' "unknown field 'feild_100'; did you mean 'field_100'\?$"
expect "the 101st without" 2 '' "unknown field 'feild_101'$"
run "$cadence" run "$tmp/hello.cadence.yaml" --score '{"name": '
expect "score not JSON" 2 '' "the score from --score is not JSON"
run "$cadence" run "$tmp/hello.cadence.yaml" --score "$(printf '{"name": "caf\351"}')"
expect "score not UTF-8: where, and how to fix it" 2 '' \
	"the score from --score is not UTF-8: byte 0xE9 at line 1, column 14; JSON text must be UTF-8 \(convert it, e.g. with iconv -f LATIN1 -t UTF-8\)"
run "$cadence" run "$tmp/hello.cadence.yaml" --score '[1]'
expect "score not an object" 2 '' "must be a JSON object"
run "$cadence" run "$tmp/hello.cadence.yaml" --score '{}' --score-file x
expect "two scores" 2 '' "give the score once"
run "$cadence" run
expect "no file" 2 '' "which cadence"
run "$cadence" run "$tmp/missing.cadence.yaml"
expect "missing file" 2 '' "nothing ran"
run "$cadence" run --jobs 0 "$tmp/hello.cadence.yaml"
expect "bad --jobs" 2 '' "--jobs takes a number"
w broken.cadence.yaml 'cadence: broken
notes:
  a: {run: [true]}
measures:
  - then: b
'
run "$cadence" run "$tmp/broken.cadence.yaml"
expect "a cadence with errors does not run" 2 '' "broken.cadence.yaml:5:11: error"

# --- failures: exit 1, naming cadence, note and attempt ---------------------------------
w fails.cadence.yaml 'cadence: fails
notes:
  pay:
    run: [sh, -c, "echo \"card declined\" >&2; exit 3"]
    retry: {attempts: 2, delay: 10ms}
measures:
  - then: pay
'
run "$cadence" run "$tmp/fails.cadence.yaml"
expect "a failing note exits 1" 1 '' "error: fails: note 'pay' \(attempt 2 of 2\): it exited with status 3"
assert "the stderr tail is in the error" grep -q '^  | card declined$' <<<"$err"
assert "the retry is logged" grep -q "note 'pay' failed (attempt 1 of 2).*retrying in 10 ms" <<<"$err"
assert "the error is printed once" test "$(grep -c 'error: fails' <<<"$err")" = 1
# (issue 21: nothing was printed; the score as it stood is, with status 1)
assert "the score as it stood on stdout" test "$out" = '{}'
assert "the summary line says it failed" grep -qx "cadence: fails: failed in [0-9.]* s: 1 measure, 1 note, 1 retry" <<<"$err"

# --- the log and the plan ------------------------------------------------------------------
run "$cadence" run --log json "$tmp/hello.cadence.yaml" --score '{"name": "Ada"}'
expect "--log json" 0
assert "every log line is a JSON object" \
	bash -c 'while read -r l; do [[ $l == \{*\} ]] || exit 1; done <<<"$1"' _ "$err"
# (issue 21: the names of --events, note_end and log before)
assert "note_completed events" grep -q '"event":"note_completed".*"note":"greet".*"status":"ok"' <<<"$err"
assert "stderr lines as note_log events" grep -q '"event":"note_log".*"line":"counted"' <<<"$err"

# a note that writes a terminal escape: the text log, the error and the
# plan show it as '?'; with --log json, failures are JSON lines too
w escape.cadence.yaml 'cadence: escape
notes:
  bad: {run: [sh, -c, "printf \"\\033[31mred\\n\" >&2; exit 3"]}
  tag: {run: [sh, -c, "echo \"\e[1m\""]}
measures:
  - then: bad
  - then: tag
'
run "$cadence" run "$tmp/escape.cadence.yaml"
expect "a note's escape sequence in the log" 1 '' '^\[bad\] \?\[31mred$'
assert "no escape reaches the terminal" test "${err#*$'\033'}" = "$err"
assert "... not in the error's stderr tail either" grep -qxF '  | ?[31mred' <<<"$err"
# each line of the text log is one write(2): stderr is unbuffered, and a
# write per character made a flood of a note's lines take seconds to print
# (and let another writer's bytes land inside a line)
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null && ! under_valgrind; then
	w lines.cadence.yaml 'cadence: lines
notes:
  talk: {run: [sh, -c, "printf \"one\\n\\033[31mtwo\\nthree\\n\" >&2"]}
measures:
  - then: talk
'
	# LeakSanitizer cannot run under ptrace: off for this run of an ASan build
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -e trace=write -e signal=none -o "$tmp/write.log" \
		"$cadence" run -q "$tmp/lines.cadence.yaml" >/dev/null 2>"$tmp/lines.err"
	assert "each line of the text log is one write to stderr" \
		test "$(grep -c '^write(2, "\[talk\] [a-z?[0-9]*\\n", ' "$tmp/write.log")" = 3 \
		-a "$(grep -c '^write(2,' "$tmp/write.log")" = 3
	assert "... the lines as the note wrote them, the escape made '?'" \
		test "$(<"$tmp/lines.err")" = $'[talk] one\n[talk] ?[31mtwo\n[talk] three'
else
	skip "one write per log line" "strace missing or not allowed here, or under valgrind"
fi
run "$cadence" run --dry-run "$tmp/escape.cadence.yaml"
expect "--dry-run: an escape in the arguments" 0 '\?\[1m'
assert "no escape in the plan" test "${out#*$'\033'}" = "$out"
run "$cadence" run --log json "$tmp/escape.cadence.yaml"
expect "--log json on a failing run" 1
assert "every line of a failing run's log is a JSON object" \
	bash -c 'while read -r l; do [[ $l == \{*\} ]] || exit 1; done <<<"$1"' _ "$err"
assert "the failure is an error event" grep -q '"event":"error".*it exited with status 3' <<<"$err"
run "$cadence" run --log json "$tmp/escape.cadence.yaml" --score '{"nope": 1}'
expect "--log json with a bad score" 2
assert "... is a JSON line too" \
	bash -c 'while read -r l; do [[ $l == \{*\} ]] || exit 1; done <<<"$1"' _ "$err"
# every error before the run, in any order of the options, is JSON too
w broken.cadence.yaml 'cadence: broken
notes: {a: {run: [true]}}
measures:
  - then: b
'
# stdin: one or more lines, each a JSON value in UTF-8
json_lines() { python3 -c 'import json, sys
lines = sys.stdin.buffer.read().splitlines()
assert lines, "no line"
for l in lines: json.loads(l.decode("utf-8"))'; }
run "$cadence" run --log json "$tmp/broken.cadence.yaml"
expect "--log json on a cadence with errors: exit 2" 2 '' \
	'^\{"time":"[^"]*","event":"diagnostic","file":"[^"]*broken.cadence.yaml","line":4,"column":11,"severity":"error","rule":"undefined-note","message":"note .b. is not defined","help":"did you mean .a.\?"\}$'
assert "... a line per problem, then the error" grep -q '^{"time":"[^"]*","event":"error","message":".*broken.cadence.yaml has problems; nothing ran"}$' <<<"$err"
assert "... and every line is JSON" json_lines <<<"$err"
run "$cadence" run --jobs 0 --log json "$tmp/broken.cadence.yaml"
expect "--log json after a bad option: the error is JSON" 2 '' '^\{"time":"[^"]*","event":"error","message":"--jobs takes a number from 1 to 4096, not .0."\}$'
run "$cadence" run "$tmp/hello.cadence.yaml" --log=json --metrics /nonexistent/m.prom --score '{"name": "x"}'
expect "--log=json: an output that cannot be written" 2 '' '^\{"time":"[^"]*","event":"error","message":"cannot write the metrics to ./nonexistent/m.prom.: No such file or directory; nothing ran"\}$'
run "$cadence" run --log json "$tmp/hello.cadence.yaml" --score '{"name": '
expect "--log json: a score that is not JSON" 2 '' '^\{"time":"[^"]*","event":"error","message":"the score from --score is not JSON'

# a note that writes Latin-1: its stderr lines reach the logs and the
# events as UTF-8 (U+FFFD for each bad byte), and output that is not UTF-8
# is refused, so no JSON cadence writes holds a byte that is not UTF-8
w latin1.cadence.yaml 'cadence: latin1
score:
  msg: {type: string, default: ""}
notes:
  say: {run: [sh, -c, "printf \"caf\\351\\n\" >&2; echo {}"]}
  give: {run: [sh, -c, "printf \"{\\\"msg\\\": \\\"caf\\351\\\"}\""]}
measures:
  - then: say
  - then: give
'
run "$cadence" run "$tmp/latin1.cadence.yaml"
expect "a note that prints Latin-1 fails, saying where and how to fix it" 1 '' \
	"note 'give': its output is not UTF-8: byte 0xE9 at line 1, column 13 near '\?\"}'; JSON text must be UTF-8 \(convert it, e.g. with iconv -f LATIN1 -t UTF-8\)"
assert "the text log shows U+FFFD for the Latin-1 byte" grep -qxF "[say] caf"$'\xEF\xBF\xBD' <<<"$err"
run "$cadence" run --log json --events "$tmp/latin1.jsonl" "$tmp/latin1.cadence.yaml"
expect "... with --log json and --events" 1
assert "--log json: every line is UTF-8 JSON" json_lines <<<"$err"
assert "--events: every line is UTF-8 JSON" json_lines <"$tmp/latin1.jsonl"
assert "--events: the Latin-1 stderr line, with U+FFFD" grep -q '"line":"caf'$'\xEF\xBF\xBD''"' "$tmp/latin1.jsonl"

run "$cadence" run --timings "$tmp/hello.cadence.yaml" --score '{"name": "Ada"}'
expect "--timings" 0 '' '^note +calls +failed +total ms'
assert "a row per note" grep -qE '^hello/greet +1 +0 ' <<<"$err"
run "$cadence" run -v "$tmp/hello.cadence.yaml" --score '{"name": "Ada"}'
expect "--verbose" 0 '' "hello: then 'greet' \(1 of 2\)"
w marker.cadence.yaml 'cadence: marker
description: "Touches a \e[1mmarker.\nNot this line"
notes:
  touch: {run: [sh, -c, "touch marked"]}
measures:
  - then: touch
'
run_in "$tmp" "$cadence" run --dry-run "$tmp/marker.cadence.yaml"
expect "--dry-run prints the plan" 0 '1\. then touch: touch: run sh -c touch marked'
assert "--dry-run runs nothing" test ! -e "$tmp/marked"
assert "--dry-run shows the description's first line, no escape" grep -qxF '  Touches a ?[1mmarker.' <<<"$out"
# the input score is checked as the run checks it (issue 21): the same
# message and status, nothing run; C notes need no plugin for it
co=$src/examples/checkout/checkout.cadence.yaml
run "$cadence" run -n "$co" --score '{"order_id": 17, "ordr": 1}'
expect "--dry-run with a bad score: the run's message, status 2" 2 '' \
	"^cadence: error: checkout: bad score: 2 problems:$"
assert "... both problems, no plan" test -z "$out" -a "$(grep -c "field 'order_id' must be a string, not an integer\|unknown field 'ordr'" <<<"$err")" = 2
run "$cadence_again" run -n "$co" --score '{}'
expect "--dry-run without a required field: status 2" 2 '' \
	"^cadence: error: checkout: bad score: missing required field 'order_id' \(a string\)$"
run "$cadence_again" run -n "$co" --score '{"order_id": "o-1"}'
expect "--dry-run with a good score and no plugin: the plan" 0 '^cadence checkout '
# the cadence from standard input ('-'), as validate and diagram read it (issue 21)
hello=$src/examples/hello/hello.cadence.yaml
run "$cadence" run -c - --score '{"name": "Ada"}' <"$hello"
expect "run -: the cadence from standard input" 0 '^\{"name":"Ada","greeting":"Hello, Ada!"\}$'
for a in "- -" "- --score-file -"; do
	# shellcheck disable=SC2086 # split on purpose
	run "$cadence" run $a <"$hello"
	expect "run $a: standard input twice is a usage error" 2 '' \
		"^cadence: error: standard input holds the cadence \('-'\); give the score with --score JSON or --score-file FILE$"
done
run "$cadence" run - --checkpoint "$tmp/stdin.ckpt" --score '{"name": "A"}' <"$hello"
expect "run - --checkpoint: a usage error (a resume reads the file again)" 2 '' \
	"^cadence: error: --checkpoint needs the cadence in a file"
assert "... no checkpoint written" test ! -e "$tmp/stdin.ckpt"
run "$cadence" run - <<<'cadence: ['
expect "run - with a broken cadence: its problems at <stdin>, status 2" 2 '' '^<stdin>:2:1: error: invalid YAML'
assert "... and says where it came from" has_line '^cadence: error: the cadence from standard input has problems; nothing ran$' "$err"

# --- plugins -------------------------------------------------------------------------------
w plugged.cadence.yaml 'cadence: plugged
score:
  name:     {type: string, required: true}
  greeting: {type: string, default: ""}
notes:
  greet: {symbol: greet}
measures:
  - then: greet
'
if [[ -n ${CADENCE_TEST_PLUGIN:-} ]]; then
	run "$cadence" run --plugin "$CADENCE_TEST_PLUGIN" "$tmp/plugged.cadence.yaml" --score '{"name": "Ada"}'
	expect "--plugin provides C notes" 0 '"greeting":[[:space:]]*"Hello, Ada"'
fi
run "$cadence" run "$tmp/plugged.cadence.yaml" --score '{"name": "Ada"}'
expect "a symbol no one provides" 2 '' "note 'greet' calls C function 'greet', which no plugin provides"
run "$cadence" run --plugin "$tmp/none.so" "$tmp/plugged.cadence.yaml" --score '{"name": "Ada"}'
expect "a plugin that cannot load" 2 '' "cannot load plugin"

# --- a circuit breaker across invocations ---------------------------------------------------
# The recovery timeout (1 h) passes by aging the state file's opened_at
# (epoch ms), not by waiting: "open" is checked on any machine, and the
# half-open probe takes no time
w breaker.cadence.yaml 'cadence: breaker
notes:
  call:
    run: [sh, -c, "test -e \"$CADENCE_DIR/up\" || { echo down >&2; exit 1; }"]
    circuit_breaker: {failure_threshold: 1, recovery_timeout: 1h}
measures:
  - then: call
'
run "$cadence" run "$tmp/breaker.cadence.yaml"
expect "breaker: the failure opens it" 1 '' "it exited with status 1"
touch "$tmp/up"
run "$cadence" run "$tmp/breaker.cadence.yaml"
expect "breaker: open, the next invocation is rejected" 1 '' "circuit breaker is open after 1 failures"
bfile=$(find "$CADENCE_STATE_DIR" -name 'breaker.call.*.breaker.json')
assert "breaker: its state is a file, CADENCE.NOTE.KEY.breaker.json" test -f "$bfile"
# opened 1 h and 1 s ago (rewritten in place, as breaker_owner.sh does)
state=$(<"$bfile")
opened=$(grep -oE '"opened_at":[0-9]+' <<<"$state" | cut -d: -f2)
printf '%s\n' "${state/\"opened_at\":$opened/\"opened_at\":$((opened - 3601000))}" >"$bfile"
run "$cadence" run "$tmp/breaker.cadence.yaml"
expect "breaker: half-open, the probe goes through and closes it" 0
run "$cadence" run --state-dir "$CADENCE_STATE_DIR" "$tmp/breaker.cadence.yaml"
expect "breaker: closed" 0
assert "breaker: closed in the file" grep -q '"state":"closed"' "$bfile"

# --- SIGINT during a sync: exit 130, no process left ---------------------------------------------
w slow.cadence.yaml 'cadence: slow
notes:
  a: {run: [sh, -c, "sleep 60 & echo $! > \"$CADENCE_DIR/a.pid\"; wait"]}
  b: {run: [sh, -c, "echo $$ > \"$CADENCE_DIR/b.pid\"; trap \"\" TERM; while :; do sleep 1; done"]}
measures:
  - sync: both
    notes: [a, b]
'
"$cadence" run --kill-grace 200ms "$tmp/slow.cadence.yaml" >"$tmp/.out" 2>"$tmp/.err" &
pid=$!
wait_until "both notes to start" test -s "$tmp/a.pid" -a -s "$tmp/b.pid"
kill -INT $pid
wait_exit $pid
out=$(<"$tmp/.out") err=$(<"$tmp/.err")
expect "SIGINT during a sync exits 130" 130 '' "interrupted while notes 'a', 'b' were running; they were stopped"
for f in a.pid b.pid; do
	p=$(<"$tmp/$f")
	for _ in $(seq 200); do alive "$p" || break; sleep 0.01; done
	assert "no process left ($f)" eval "! alive $p"
done

finish
