#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence serve: GET /runs/ID/events as Server-Sent Events (docs/serve.md),
# over real HTTP on 127.0.0.1 with curl -N: the events streamed while the
# run lasts, comment lines while nothing happens, `event: end` once the run
# ended and its file is read; Last-Event-ID; JSON lines without the Accept
# header; a client that goes away frees its stream (serve's open files);
# SIGTERM ends the streams, exit 0.
source "$(dirname "$0")/lib.sh"
need curl

serve_project

# a run that lasts until its marker file appears (bounded: 60 s)
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

start_run() {
	curl -s --max-time 20 -H 'Content-Type: application/json' --data-binary '{}' \
		"http://$addr/cadences/waiter/runs" | grep -Eo '[0-9a-f]{32}' | head -1
}
# stream ID FILE [CURL ARGS]: curl -N of the run's events in the background
stream() {
	local id=$1 file=$2
	shift 2
	curl -s -N --max-time 30 -D "$file.headers" -H 'Accept: text/event-stream' "$@" \
		"http://$addr/runs/$id/events" >"$file" &
	cpid=$!
}
# events_open: how many events files serve holds open
not_grep() { ! grep "$@"; }
events_open() { find "/proc/$spid/fd" -lname '*events.jsonl' 2>/dev/null | wc -l; }

# --client-timeout 2s: a comment line after 1 s without events
start_serve --client-timeout 2s
rm -f "$tmp/go"
id=$(start_run)
stream "$id" "$tmp/s1"
s1=$cpid
wait_until "the first events, streamed" grep -q '"event":"note_completed"' "$tmp/s1"
assert "the stream is open while the run lasts" alive "$s1"
assert "... as text/event-stream" grep -qi '^Content-Type: text/event-stream' "$tmp/s1.headers"
assert "... events as 'id: OFFSET' and 'data: JSON LINE'" \
	grep -Eq '^data: \{"time":"[^"]*","event":"cadence_started"' "$tmp/s1"
assert "... each with an id" grep -Eq '^id: [0-9]+$' "$tmp/s1"
wait_until "a comment line while nothing happens" grep -q '^: keep-alive$' "$tmp/s1"
assert "... no end yet" not_grep -q '^event: end' "$tmp/s1"
: >"$tmp/go"
wait_exit "$s1"
assert "the stream ends when the run has ended (curl exit $status)" test "$status" = 0
assert "... with the run's last events" grep -q '^data: .*"event":"cadence_completed"' "$tmp/s1"
assert "... then 'event: end'" eval "tail -3 '$tmp/s1' | grep -qx 'event: end'"
assert "... every line of the events file, in order" \
	test "$(sed -n 's/^data: //p' "$tmp/s1" | grep -v '"ended":')" = \
	"$(<"$CADENCE_STATE_DIR/serve/runs/$id/events.jsonl")"

# after the end: all at once; Last-Event-ID goes on after that event
first=$(grep -m1 -Eo '^id: [0-9]+' "$tmp/s1" | cut -d' ' -f2)
stream "$id" "$tmp/s2" -H "Last-Event-ID: $first"
wait_exit "$cpid"
assert "a run that ended: its events and the end at once" grep -qx 'event: end' "$tmp/s2"
assert "... Last-Event-ID: from the event after it" \
	test "$(grep -c '^data: {"time"' "$tmp/s2")" = "$(($(grep -c '^data: {"time"' "$tmp/s1") - 1))"
code=$(curl -s -o "$tmp/plain" -D "$tmp/plain.h" -w '%{http_code}' --max-time 20 \
	"http://$addr/runs/$id/events")
assert "without Accept: text/event-stream, the JSON lines" \
	eval "[[ $code == 200 ]] && grep -qi '^Content-Type: application/x-ndjson' '$tmp/plain.h' && cmp -s '$tmp/plain' '$CADENCE_STATE_DIR/serve/runs/$id/events.jsonl'"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -H 'Accept: text/event-stream' \
	"http://$addr/runs/0123456789abcdef0123456789abcdef/events")
assert "an unknown run: 404, not a stream" test "$code" = 404

# a client that goes away: its stream freed (the events file closed)
rm -f "$tmp/go"
id=$(start_run)
stream "$id" "$tmp/s3"
wait_until "a stream" grep -q '"event":"cadence_started"' "$tmp/s3"
assert "serve holds the events file open for the stream" test "$(events_open)" -ge 1
kill "$cpid"
wait "$cpid" 2>/dev/null
# found at the next write: a comment line within 1 s
wait_until "the stream of a client gone freed" eval '[[ $(events_open) == 0 ]]'

# SIGTERM with a stream open: the run ends, the stream with it; exit 0
stream "$id" "$tmp/s4"
wait_until "another stream" grep -q '"event":"cadence_started"' "$tmp/s4"
kill -TERM "$spid"
wait_until "serve waits for the run" grep -q 'stopping: 1 run running' "$tmp/serve.err"
: >"$tmp/go"
wait_exit "$cpid"
assert "SIGTERM: the stream ended with the run" grep -qx 'event: end' "$tmp/s4"
wait_exit "$spid"
assert "... serve exit 0" test "$status" = 0

finish
