#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 14 (probe): hostile inputs of the kinds of issue 14 that a second
# probe tried on the fixed main, and that still broke a promise.  Each
# check fails on the commit before its fix.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state

w() { printf '%s' "$2" >"$tmp/$1"; }
# one_note NAME NOTE: NAME.cadence.yaml, one `then` of note NAME: NOTE
one_note() {
	w "$1.cadence.yaml" "cadence: $1
notes:
  $1: $2
measures:
  - then: $1
"
}

# --- a note that writes stderr faster than the log is written --------------------------------
# issue 14 (probe): the reader of a note's stderr looped until the pipe was
# empty, which `yes >&2` never lets happen: no timeout, no cancel, no
# SIGTERM was seen (cadence spun until SIGKILL)
one_note spam '{run: [sh, -c, "yes >&2"], timeout: 1s}'
run timeout -s KILL 120 "$cadence" run --kill-grace 200ms "$tmp/spam.cadence.yaml"
expect "issue 14 (probe): a note spamming stderr still times out" 1 '' "note 'spam'.*timed out after 1000 ms"

one_note spam2 '{run: [sh, -c, "yes >&2"]}'
timeout -s KILL 120 "$cadence" run --kill-grace 200ms "$tmp/spam2.cadence.yaml" 2>&1 | head -1 >"$tmp/.out"
status=${PIPESTATUS[0]} out=$(cat "$tmp/.out") err=
expect "issue 14 (probe): a note spamming stderr, the log's reader gone: exit 3" 3 '^\[spam2\] y$'

finish
