#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The run registry (docs/registry.md) and its commands: every run records
# itself (--no-record and registry: false do not); history as text and
# JSON; pause/resume/disable/enable last across processes; a run killed
# with SIGKILL reads as interrupted; a damaged registry, a directory in
# its place, a read-only state directory and a newer schema get clear
# errors, lose nothing and never stop a manual run; prune.
source "$(dirname "$0")/lib.sh"

proj=$tmp/proj
mkdir -p "$proj"
export CADENCE_STATE_DIR=$tmp/state
unset CADENCE_REGISTRY CADENCE_RETENTION_DAYS CADENCE_RETENTION_RUNS CADENCE_CADENCES XDG_STATE_HOME

w proj/hello.cadence.yaml '
cadence: hello
notes:
  say: {set: {greeting: "\"hi\""}}
score:
  greeting: {type: string, default: ""}
measures:
  - then: say
'
w proj/nightly.cadence.yaml '
cadence: nightly
schedule: {cron: "30 2 * * *", timezone: Europe/Berlin}
notes:
  boom: {run: [sh, -c, "echo it broke >&2; exit 3"]}
measures:
  - then: boom
'
w proj/sleeper.cadence.yaml '
cadence: sleeper
schedule: {cron: "*/5 * * * *"}
notes:
  nap: {run: [sleep, "300"]}
measures:
  - then: nap
'

# history as JSON lines, the number of runs: $count_cadence runs it,
# $cadence for the first count, $cadence_again for the later ones, which
# repeat it step for step (the same command on the same registry)
count() { "$count_cadence" history --limit 0 --format json "$@" | grep -c '^{' ; }
count_cadence=$cadence

# --- every run records itself ------------------------------------------------------
# (-q: without the summary line; a warning would still be said)
run_in "$proj" "$cadence" run -q hello.cadence.yaml
expect "a manual run succeeds" 0
assert "... with no warning" test -z "$err"
run "$cadence" history --format json
expect "history as JSON" 0 '"cadence":"hello"'
expect "... the status, trigger and absolute file" 0 \
	"\"file\":\"$proj/hello.cadence.yaml\",\"file_digest\":\"[0-9a-f]{64}\",\"trigger\":\"manual\""
expect "... ok, with the final score's digest" 0 '"status":"ok","error":null,"score_digest":"[0-9a-f]{64}"'
digest=$(sha256sum "$proj/hello.cadence.yaml" | cut -d' ' -f1)
assert "... the file's SHA-256" grep -q "\"file_digest\":\"$digest\"" <<<"$out"
run python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]' <<<"$out"
expect "... JSON lines" 0

run_in "$proj" "$cadence" run nightly.cadence.yaml --events "$tmp/ev.jsonl"
expect "a failing run fails as before" 1
run "$cadence" history nightly --format json
expect "... recorded as failed, with its error" 0 '"status":"failed","error":"nightly: note .boom.: it exited with status 3'
expect "... the events path, absolute" 0 "\"events\":\"$tmp/ev.jsonl\""
run "$cadence" history
expect "history as text: a header" 0 '^ID +CADENCE +TRIGGER +START +DURATION +STATUS +ERROR$'
expect "... newest first, the error's first line" 0 "^2 +nightly +manual +[0-9-]+ [0-9:]+ [A-Z+0-9:-]+ +[0-9.]+s +failed +nightly: note 'boom': it exited with status 3 \.\.\.$"
expect "... a footer" 0 '^2 runs listed\.$'
assert "... the newest first" test "$(grep -m1 -o '^[0-9]\+ ' <<<"$out")" = "2 "

n=$(count)
count_cadence=$cadence_again
run_in "$proj" "$cadence" run --no-record hello.cadence.yaml
expect "--no-record runs" 0
assert "... and records nothing" test "$(count)" = "$n"
CADENCE_REGISTRY=false run_in "$proj" "$cadence" run hello.cadence.yaml
expect "registry: false runs" 0
assert "... and records nothing" test "$(count)" = "$n"

run "$cadence" history --limit 1
expect "--limit 1" 0 '^1 run listed \(--limit 0 lists all\)\.$'
run "$cadence" history --since 1h --format json
assert "--since 1h: both runs" test "$(grep -c '^{' <<<"$out")" = 2
run "$cadence" history --since 2099-01-01T00:00:00Z --format json
expect "--since a future time: none" 0
assert "... empty" test -z "$out"
run "$cadence" history --since yesterday
expect "a bad --since: exit 2" 2 '' "--since takes an RFC 3339 time"
# (history NAME --format json: nightly's above took this path under
# valgrind; the line of a run ended ok, the first history)
run "$cadence_again" history hello --format json
assert "history NAME: that cadence's runs" test "$(grep -c '"cadence":"hello"' <<<"$out")" = 1
assert "... no other" test "$(grep -c '^{' <<<"$out")" = 1

# --- schedule states, across processes ----------------------------------------------
run_in "$proj" "$cadence" list
expect "list: a header" 0 '^CADENCE +SCHEDULE +TIMEZONE +STATE +NEXT +LEFT +LAST +STATUS +RUNNING +ERROR$'
expect "... nightly, its schedule, zone and next time" 0 '^nightly +30 2 \* \* \* +Europe/Berlin +enabled +[0-9-]+ 02:30:00 CES?T +'
expect "... hello, no schedule, its last run" 0 '^hello +- +- +- +- +- +[0-9-]+ [0-9:]+ [A-Z+0-9:-]+ +ok +-$'
expect "... a footer" 0 '^3 cadences listed\.$'
run_in "$proj" "$cadence" pause nightly
expect "pause" 0 '^nightly: paused'
run_in "$proj" "$cadence" list --format json
expect "... paused in another process" 0 '"cadence":"nightly".*"state":"paused","paused":true,"disabled":false,"next":null'
run_in "$proj" "$cadence" pause nightly
expect "pause again: nothing changes" 0 '^nightly: was paused already$'
run_in "$proj" "$cadence" disable nightly
expect "disable" 0 '^nightly: disabled'
run_in "$proj" "$cadence" list
expect "... paused and disabled" 0 '^nightly +30 2 \* \* \* +Europe/Berlin +paused, disabled +- +-'
run_in "$proj" "$cadence" resume nightly
expect "resume NAME resumes the schedule" 0 "^nightly: resumed: it runs on its schedule again, once enabled"
run_in "$proj" "$cadence" enable nightly
expect "enable" 0 '^nightly: enabled: it runs on its schedule again$'
run_in "$proj" "$cadence" list --format json
expect "... enabled, with a next time" 0 '"cadence":"nightly".*"state":"enabled","paused":false,"disabled":false,"next":"20'
run_in "$proj" "$cadence" pause nightli
expect "an unknown name: exit 2, did you mean" 2 '' "no cadence named 'nightli' in the project; did you mean 'nightly'\?"
run_in "$proj" "$cadence" pause hello
expect "a cadence with no schedule: exit 1" 1 '' "cadence 'hello' \(.*hello.cadence.yaml\) has no schedule: nothing to pause"
run_in "$proj" "$cadence" pause nightly nightli
expect "one bad name of two: nothing changes" 2
# (nightly enabled, with a next time: the list under valgrind after enable
# above took this path)
run_in "$proj" "$cadence_again" list --format json
expect "... nightly not paused" 0 '"cadence":"nightly".*"paused":false'
run_in "$proj" "$cadence" resume nope
expect "resume: neither a file nor a cadence" 2 '' "'nope' is neither a checkpoint file .* nor the name of a cadence of this project; 'cadence resume CHECKPOINT' .*'cadence resume NAME' resumes a paused schedule"
run_in "$proj" "$cadence" resume "$tmp/missing.json"
expect "resume of a missing path: the checkpoint's message" 2 '' "cannot read the checkpoint '.*missing.json': No such file or directory"

# --- SIGKILL mid-run: interrupted ------------------------------------------------------
cd "$proj" || exit 1
"$cadence" run sleeper.cadence.yaml >/dev/null 2>"$tmp/sleeper.err" &
pid=$!
cd - >/dev/null || exit 1
# polled (wait_until): $cadence_again, as the polls repeat the run below
running() { "$cadence_again" history sleeper --format json | grep -q '"status":"running"'; }
wait_until "the sleeper to be recorded as running" running
run_in "$proj" "$cadence" list --format json
expect "list: the sleeper runs now" 0 '"cadence":"sleeper".*"running":1'
kill -KILL "$pid"
wait_exit "$pid"
run "$cadence" history sleeper --format json
expect "a run killed with SIGKILL reads as interrupted" 0 '"status":"interrupted","error":"the run.s process ended without recording its end'
run "$cadence" history sleeper
expect "... in text too" 0 '^[0-9]+ +sleeper +manual +.* - +interrupted +'
run_in "$proj" "$cadence" list --format json
expect "... and runs no more" 0 '"cadence":"sleeper".*"running":0'
assert "... its lock file is gone" test -z "$(ls "$tmp/state/runs")"

# --- a damaged registry ---------------------------------------------------------------
mkdir -p "$tmp/bad"
head -c 8192 /dev/urandom >"$tmp/bad/registry.db"
sum=$(sha256sum <"$tmp/bad/registry.db")
CADENCE_STATE_DIR=$tmp/bad run_in "$proj" "$cadence" run -q hello.cadence.yaml
expect "a damaged registry: the manual run still runs" 0 '"greeting":.*"hi"' \
	"^cadence: warning: cannot record this run in the run registry: the run registry .*bad/registry.db is damaged or not a SQLite database"
assert "... one warning line" test "$(wc -l <<<"$err")" = 1
CADENCE_STATE_DIR=$tmp/bad run "$cadence" history
expect "... history: a clear error, exit 3" 3 '' "is damaged or not a SQLite database .*cadence left it as it is: move it away \(mv "
CADENCE_STATE_DIR=$tmp/bad run_in "$proj" "$cadence" pause nightly
expect "... pause: the same" 3 '' "is damaged or not a SQLite database"
assert "... the file untouched" test "$(sha256sum <"$tmp/bad/registry.db")" = "$sum"
assert "... nothing beside it" test "$(ls "$tmp/bad")" = "$(printf 'registry.db\nruns')"

mkdir -p "$tmp/dir/registry.db"
CADENCE_STATE_DIR=$tmp/dir run_in "$proj" "$cadence" run hello.cadence.yaml
expect "a directory in the database's place: the run runs, warned" 0 '' \
	"warning: cannot record this run in the run registry: the run registry .*dir/registry.db is a directory, not a database file; move it away"
CADENCE_STATE_DIR=$tmp/dir run "$cadence" history
expect "... history: exit 3" 3 '' "is a directory, not a database file"

# --- a newer schema -------------------------------------------------------------------
mkdir -p "$tmp/new"
python3 -c 'import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.execute("create table future (x)"); db.execute("pragma user_version = 7"); db.commit()' "$tmp/new/registry.db"
sum=$(sha256sum <"$tmp/new/registry.db")
CADENCE_STATE_DIR=$tmp/new run "$cadence" history
expect "a newer schema: a clear error" 3 '' "was made by a newer cadence \(schema version 7; this cadence knows versions up to 2\)"
CADENCE_STATE_DIR=$tmp/new run_in "$proj" "$cadence" run hello.cadence.yaml
expect "... a manual run runs, warned" 0 '' "warning: .*made by a newer cadence"
assert "... the file untouched" test "$(sha256sum <"$tmp/new/registry.db")" = "$sum"

# --- a read-only state directory (as another user: root writes anywhere) ------------------
if [[ $(id -u) == 0 ]] && ! command -v setpriv >/dev/null; then
	skip "a read-only state directory" "root without setpriv"
else
	as_user() { if [[ $(id -u) == 0 ]]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
	chmod 711 "$tmp"
	[[ -z ${memcheck_dir:-} ]] || chmod 1777 "$memcheck_dir/logs"
	chmod 755 "$proj"
	chmod 644 "$proj"/*.yaml
	mkdir -p "$tmp/ro"
	chmod 555 "$tmp/ro"
	CADENCE_STATE_DIR=$tmp/ro HOME=$tmp run_in "$proj" as_user "$cadence" run hello.cadence.yaml
	expect "a read-only state directory: the run runs, warned" 0 '"greeting":.*"hi"' \
		"warning: cannot record this run in the run registry: .*ro.* (read-only|Permission denied)"
	assert "... nothing written there" test -z "$(ls -A "$tmp/ro")"
	CADENCE_STATE_DIR=$tmp/ro HOME=$tmp run as_user "$cadence" history
	expect "... history: exit 3, what to do" 3 '' "writable, or set another (state directory|one)"
fi

# --- prune -------------------------------------------------------------------------------
# (a run to prune: hello's first run took its path under valgrind, and
# nightly's recorded itself into an existing registry there)
run_in "$proj" "$cadence_again" run hello.cadence.yaml
n=$(count)
CADENCE_RETENTION_RUNS=1 run "$cadence" prune --dry-run
expect "prune --dry-run says what it would remove" 0 "^would remove 1 run and 0 missed fire times from .*state/registry.db \(ended more than 90 days ago, or beyond the newest 1 of their cadence\)$"
assert "... and removes nothing" test "$(count)" = "$n"
CADENCE_RETENTION_RUNS=1 run "$cadence" prune
expect "prune removes" 0 "^removed 1 run and 0 missed fire times"
assert "... one run of each cadence is left" test "$(count)" = 3
assert "... the newest of hello" test "$(count hello)" = 1
run "$cadence" prune
expect "prune with the defaults: nothing more" 0 "^removed 0 runs"
CADENCE_RETENTION_DAYS=0 CADENCE_RETENTION_RUNS=0 run "$cadence" prune
expect "retention off" 0 "^retention is off"

finish
