#!/bin/sh
# greet: a note of the {{name}} cadence.
#
# A `run` note reads the score as one JSON object on standard input and
# prints the fields it changes as one JSON object on standard output.  A
# non-zero exit status is a failure: the note's retry policy applies, then
# its fallback.  Lines on standard error are logged.
#
# This sample reads JSON with sed so that it needs nothing but sh; real
# notes are better off with a JSON tool (jq) or a language with a JSON
# library.
set -eu

score=$(cat)
name=$(printf '%s' "$score" | tr -d '\n' |
	sed -n 's/.*"name"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p')
[ -n "$name" ] || name=world
printf '{"greeting": "Hello, %s!"}\n' "$name"
