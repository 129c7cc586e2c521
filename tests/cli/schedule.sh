#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence schedule next (docs/cli.md): the fire times of a cadence's
# schedule in its zone and UTC, through daylight-saving changes (a skipped
# hour fires once at the jump, a repeated one once), as text and JSON; and
# every bad input with its message and exit status.
source "$(dirname "$0")/lib.sh"

w nightly.cadence.yaml '
cadence: nightly
notes:
  sweep: {symbol: sweep}
measures:
  - then: sweep
schedule:
  cron: "30 2 * * *"
  timezone: Europe/Berlin
'
n=$tmp/nightly.cadence.yaml
run "$cadence" schedule next --count 3 --after 2026-03-27T00:00:00Z "$n"
expect "next times in Berlin, across spring forward" 0 '^nightly: cron "30 2 \* \* \*" in Europe/Berlin$'
assert "... 02:30 CET, UTC beside it" grep -qx '  2026-03-28 02:30:00 CET    (+01:00)  2026-03-28T01:30:00Z' <<<"$out"
assert "... 02:30 does not exist on 2026-03-29: once, at the jump" \
	grep -qx '  2026-03-29 03:00:00 CEST   (+02:00)  2026-03-29T01:00:00Z' <<<"$out"
assert "... three lines of times" test "$(grep -c '^  2026' <<<"$out")" = 3

run "$cadence" schedule next --count 2 --after 2026-10-24T23:00:00Z --format json "$n"
expect "fall back: 02:30 comes twice, runs once" 0 \
	'^\{"cadence":"nightly","time":"2026-10-25T02:30:00\+02:00","utc":"2026-10-25T00:30:00Z","timezone":"Europe/Berlin","abbreviation":"CEST"\}$'
expect "... the next the day after, in CET" 0 '"time":"2026-10-26T02:30:00\+01:00","utc":"2026-10-26T01:30:00Z"'
run python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]' <<<"$out"
expect "... JSON lines" 0

w quarter.cadence.yaml '
cadence: quarter
notes:
  sweep: {symbol: sweep}
measures:
  - then: sweep
schedule:
  cron: "*/15 2 * * *"
  timezone: America/New_York
  enabled: false
'
run "$cadence" schedule next --count 5 --after 2026-03-08T00:00:00-05:00 "$tmp/quarter.cadence.yaml"
expect "a disabled schedule says so" 0 '^quarter: cron "\*/15 2 \* \* \*" in America/New_York \(enabled: false: not run on these times\)$'
expect "four minutes in the New York gap fire once, at 03:00 EDT" 0 \
	'^  2026-03-08 03:00:00 EDT    \(-04:00\)  2026-03-08T07:00:00Z$'
expect "... then 02:00 the day after" 0 '^  2026-03-09 02:00:00 EDT    \(-04:00\)  2026-03-09T06:00:00Z$'
run "$cadence" schedule next --count 1 --after 2026-03-08T10:00:00+02:30 "$tmp/quarter.cadence.yaml"
expect "--after takes any offset" 0 '2026-03-09 02:00:00 EDT'

w plain.cadence.yaml '
cadence: plain
notes:
  sweep: {symbol: sweep}
measures:
  - then: sweep
'
run "$cadence" schedule next "$tmp/plain.cadence.yaml"
expect "a cadence without a schedule: exit 1" 1 '' "cadence 'plain' has no schedule: add 'schedule: \{cron:"
expect "... naming cadence.yaml(5), not docs/" 1 '' '\(cadence\.yaml\(5\), SCHEDULE\)'
sed 's/30 2 \* \* \*/30 25 * * */' "$n" >"$tmp/bad.cadence.yaml"
run "$cadence" schedule next "$tmp/bad.cadence.yaml"
expect "a bad cron: the diagnostic, exit 1" 1 '' 'hour 25 is out of range 0-23 \[schedule-cron\]'
expect "... and nothing is printed" 1 '' "'.*bad.cadence.yaml' has problems; fix them \(see above\) for its times"
assert "... on standard output" test -z "$out"

run "$cadence" schedule next --count 0 "$n"
expect "-n 0: usage error" 2 '' '--count takes a whole number from 1 to 1000, not .0.'
# (off valgrind: -n 0 above took this check and this message)
run "$cadence_again" schedule next --count 1001 "$n"
expect "-n 1001: usage error" 2 '' 'from 1 to 1000'
run "$cadence" schedule next --after 2026-02-30T00:00:00Z "$n"
expect "--after a day that does not exist: usage error" 2 '' '--after takes an RFC 3339 time'
run "$cadence" schedule next --after yesterday "$n"
expect "--after not a time: usage error" 2 '' "not 'yesterday'"
run "$cadence" schedule next
expect "no file: usage error" 2 '' "takes one cadence \(a name or a file\), not 0 arguments"
# (off valgrind: "no file" above took this check and this message)
run "$cadence_again" schedule next "$n" "$n"
expect "two files: usage error" 2 '' "not 2 arguments"
run "$cadence" schedule next "$tmp"
expect "a directory: usage error" 2 '' "is a directory; 'cadence schedule next' takes one file"
run "$cadence" schedule nxt "$n"
expect "an unknown subcommand: usage error" 2 '' "'cadence schedule' has the subcommands 'next' and 'export', not 'nxt'"
run "$cadence" schedule
expect "no subcommand: the help, exit 2" 2 '' 'next[|]export \[OPTIONS\] CADENCE_FILE'
# (off valgrind: memcheck/cli/new's `help new note` takes `help GROUP SUB`,
# memcheck/cli/cli_doc's `schedule next --help` prints this help)
run "$cadence_again" help schedule next
expect "cadence help schedule next" 0 'Print the next times'
# a cadence by its name: the project's (here: the files under the working
# directory, no project file)
run_in "$tmp" "$cadence" schedule next nightly
expect "two files of one name: which?" 2 '' \
	"two files of the project are the cadence 'nightly': './bad.cadence.yaml' and './nightly.cadence.yaml'"
mkdir "$tmp/one" && cp "$n" "$tmp/one/"
run_in "$tmp/one" "$cadence" schedule next --count 1 --after 2026-03-27T00:00:00Z nightly
expect "by name: the project's cadence 'nightly'" 0 '^nightly: cron "30 2 \* \* \*" in Europe/Berlin$'
run_in "$tmp/one" "$cadence" schedule next nightlly
expect "an unknown name: did you mean" 2 '' "no cadence named 'nightlly' .*did you mean 'nightly'"

finish
