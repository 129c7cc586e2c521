#!/bin/sh
# {{name}}: a cadence note.
#
# Reads the score as one JSON object on standard input and prints the
# fields it changes as one JSON object on standard output.  A non-zero exit
# status is a failure: the note's retry policy applies, then its fallback.
# Lines on standard error are logged.
#
# reads:  {{reads}}
# writes: {{writes}}
set -eu

score=$(cat)
# Take what the note needs from "$score" with a JSON tool, for example
#   value=$(printf '%s' "$score" | jq -r .FIELD)
: "$score"

printf '%s\n' {{changes|sh}}
