#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 14 (probe): hostile inputs of the kinds of issue 14 that a second
# probe tried on the fixed main, and that still broke a promise.  Each
# check fails on the commit before its fix.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state

# --- a note that writes stderr faster than the log is written --------------------------------
# issue 14 (probe): the reader of a note's stderr looped until the pipe was
# empty, which `yes >&2` never lets happen: no timeout, no cancel, no
# SIGTERM was seen (cadence spun until SIGKILL)
# (a timeout of 300 ms, not 1 s: the note spams from its start, as the
# log's lines show, and a reader that never returns never sees either)
one_note spam '{run: [sh, -c, "yes >&2"], timeout: 300ms}'
run timeout -s KILL 120 "$cadence" run --kill-grace 200ms "$tmp/spam.cadence.yaml"
expect "issue 14 (probe): a note spamming stderr still times out" 1 '' "note 'spam'.*timed out after 300 ms"
assert "issue 14 (probe): ... while it spammed (its lines are in the log)" has_line '^\[spam\] y$' "$err"

one_note spam2 '{run: [sh, -c, "yes >&2"]}'
timeout -s KILL 120 "$cadence" run --kill-grace 200ms "$tmp/spam2.cadence.yaml" 2>&1 | head -1 >"$tmp/.out"
status=${PIPESTATUS[0]} out=$(<"$tmp/.out") err=
expect "issue 14 (probe): a note spamming stderr, the log's reader gone: exit 3" 3 '^\[spam2\] y$'

# --- an output that is an input, or two outputs on one file ----------------------------------
# issue 14 (probe): `--metrics CADENCE_FILE` replaced the cadence file with
# the metrics, `--metrics F --checkpoint F` lost the checkpoint, `diagram
# FILE -o FILE` replaced the cadence with its diagram: all exit 0
w in.cadence.yaml 'cadence: inputs
score:
  x: {type: integer, default: 1}
notes:
  inc: {set: {x: "score.x + 1"}}
measures:
  - then: inc
'
cp "$tmp/in.cadence.yaml" "$tmp/in.orig"
ln -s in.cadence.yaml "$tmp/in.link"
echo '{"x": 5}' >"$tmp/score.json"
cp "$tmp/score.json" "$tmp/score.orig"
clash() {	# clash NAME PATTERN ARGS...: refused before anything runs, inputs untouched
	local name=$1 pat=$2
	shift 2
	run_in "$tmp" "$cadence" run -c in.cadence.yaml "$@"
	expect "issue 14 (probe): $name: refused" 2 '' "$pat.*nothing ran"
	assert "issue 14 (probe): $name: the cadence file is untouched" cmp -s "$tmp/in.cadence.yaml" "$tmp/in.orig"
	assert "issue 14 (probe): $name: the score file is untouched" cmp -s "$tmp/score.json" "$tmp/score.orig"
}
clash "--metrics CADENCE_FILE" "cannot write the metrics to 'in.cadence.yaml': it is the cadence file" --metrics in.cadence.yaml
clash "--trace LINK_TO_CADENCE_FILE" "it is the cadence file 'in.cadence.yaml'" --trace in.link
clash "--checkpoint CADENCE_FILE" "cannot write the checkpoint" --checkpoint in.cadence.yaml
clash "--metrics SCORE_FILE" "it is the score file" --score-file score.json --metrics score.json
clash "--metrics F --checkpoint F" "cannot write the checkpoint to 'o': it is also the metrics file" --metrics o --checkpoint o
clash "--events F --trace ./F" "it is also the trace file" --trace o --events ./o
assert "issue 14 (probe): nothing was written to o" test ! -e "$tmp/o"
run_in "$tmp" "$cadence" run -c in.cadence.yaml --metrics /dev/null --trace /dev/null
expect "issue 14 (probe): /dev/null for two outputs is fine" 0 '^\{"x":2\}$'
# (under valgrind elsewhere: the setup, a run --checkpoint FILE -c to its
# end, in memcheck/cli/checkpoint_lock ("a run with a checkpoint"); the
# resume of a completed checkpoint, saved to where it was read (the
# checkpoint output is not compared with it: open_outputs, cli/cmd_run.c),
# in memcheck/cli/resume ("resuming a completed checkpoint ..."))
run_in "$tmp" "$cadence_again" run -c in.cadence.yaml --checkpoint run.ckpt
run_in "$tmp" "$cadence" resume -c run.ckpt --metrics run.ckpt
expect "issue 14 (probe): resume --metrics CHECKPOINT: refused" 2 '' "it is the checkpoint resumed from"
run_in "$tmp" "$cadence_again" resume -c run.ckpt
expect "issue 14 (probe): resume CHECKPOINT saves to it" 0 '^\{"x":2\}$'
run_in "$tmp" "$cadence" diagram -f mermaid in.cadence.yaml -o in.link
expect "issue 14 (probe): diagram -o CADENCE_FILE: refused" 2 '' "cannot write the diagram to 'in.link': it is the cadence file 'in.cadence.yaml'"
assert "issue 14 (probe): diagram -o CADENCE_FILE: untouched" cmp -s "$tmp/in.cadence.yaml" "$tmp/in.orig"

# --- new note --into something that is not a regular file ------------------------------------
# issue 14 (probe): --into FIFO waited for a writer for ever
mkdir -p "$tmp/into"
mkfifo "$tmp/into/fifo.cadence.yaml"
run_in "$tmp/into" timeout -s KILL 60 "$cadence" new note n1 --into fifo.cadence.yaml
expect "issue 14 (probe): --into FIFO: refused at once" 1 '' "--into fifo.cadence.yaml: it is a FIFO, not a cadence file to edit"
run_in "$tmp/into" "$cadence" new note n1 --into /dev/null
expect "issue 14 (probe): --into /dev/null: refused" 1 '' "it is a device"
assert "issue 14 (probe): --into FIFO: nothing written" test ! -e "$tmp/into/n1.sh"

# --- a signal before the run starts -----------------------------------------------------------
# issue 14 (probe): SIGTERM while cadence waited for its score (or loaded,
# or checked) killed it (143), leaving CHECKPOINT.lock and the outputs'
# probe files behind; now it is 130, nothing ran, nothing left
mkfifo "$tmp/slow-score"
"$cadence" run -c "$tmp/in.cadence.yaml" --checkpoint "$tmp/sig.ckpt" - <"$tmp/slow-score" \
	>"$tmp/.out" 2>"$tmp/.err" &
bg=$!
exec 9>"$tmp/slow-score"	# the writer that never writes
wait_until "the run to lock its checkpoint" test -e "$tmp/sig.ckpt.lock"
kill -TERM "$bg"
wait_exit "$bg"
exec 9>&-
out=$(cat "$tmp/.out") err=$(cat "$tmp/.err")
expect "issue 14 (probe): SIGTERM before the run: 130" 130 '' "interrupted before the run started; nothing ran"
assert "issue 14 (probe): SIGTERM before the run: no lock file left" test ! -e "$tmp/sig.ckpt.lock"
assert "issue 14 (probe): SIGTERM before the run: no score printed" test -z "$out"
# waiting for the reader of an --events FIFO: one line, 130
mkfifo "$tmp/events.fifo"
"$cadence" run -c "$tmp/in.cadence.yaml" --events "$tmp/events.fifo" >"$tmp/.out" 2>"$tmp/.err" &
bg=$!
# blocked in open(2) of the FIFO (the kernel's wait_for_partner)
wait_until "cadence to block in open(2) of the FIFO" grep -q partner "/proc/$bg/wchan"
kill -TERM "$bg"
wait_exit "$bg"
out=$(cat "$tmp/.out") err=$(cat "$tmp/.err")
expect "issue 14 (probe): SIGTERM while the --events FIFO waits for a reader: 130" 130 '' "^cadence: error: interrupted before the run started; nothing ran$"
assert "issue 14 (probe): ... in one line" test "$(wc -l <"$tmp/.err")" = 1
# the same signals raised just before the blocking read or open starts
# (sigraise.so): the handler has run when the call begins, and the signal
# was lost in it; cadence waited for ever (CI, under valgrind, where the
# window is wide).  Now it is 130 as above.
if [[ -z ${CADENCE_TEST_SIGRAISE:-} ]]; then
	skip "a signal just before a blocking call" "CADENCE_TEST_SIGRAISE is set by ctest"
else
	# raised BEFORE STDIN CMD...: CMD with sigraise.so, in the background
	# (stdin given: a background command's is /dev/null otherwise)
	raised() {
		LD_PRELOAD=$CADENCE_TEST_SIGRAISE CADENCE_RAISE_BEFORE=$1 \
			ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
			"${@:3}" <"$2" >"$tmp/.out" 2>"$tmp/.err" &
	}
	mkfifo "$tmp/slow-score2"
	exec 9<>"$tmp/slow-score2"	# the writer that never writes (and no wait to open)
	raised fread-stdin "$tmp/slow-score2" "$cadence" run -c "$tmp/in.cadence.yaml" --checkpoint "$tmp/sig2.ckpt" -
	wait_exit $!
	exec 9>&-
	out=$(cat "$tmp/.out") err=$(cat "$tmp/.err")
	expect "issue 14 (probe): SIGTERM just before the score's read: 130" 130 '' "^cadence: error: interrupted before the run started; nothing ran$"
	assert "issue 14 (probe): ... no lock file left" test ! -e "$tmp/sig2.ckpt.lock"
	mkfifo "$tmp/events2.fifo"
	raised open:events2.fifo /dev/null "$cadence" run -c "$tmp/in.cadence.yaml" --events "$tmp/events2.fifo"
	wait_exit $!
	out=$(cat "$tmp/.out") err=$(cat "$tmp/.err")
	expect "issue 14 (probe): SIGTERM just before the open of an --events FIFO: 130" 130 '' "^cadence: error: interrupted before the run started; nothing ran$"
fi

# --- children nested deeper than a run allows --------------------------------------------------
# issue 14 (probe): a chain of 65 children ran the notes of 64 levels (a
# note of the first one touches a file), then failed (exit 1); it is now
# refused when the run is prepared: exit 2, nothing ran
mkdir -p "$tmp/chain"
chain() {	# chain N: c1 .. cN, each a child of the one before
	local i next
	for ((i = 1; i <= $1; i++)); do
		next=	# (printf -v: a $(...) per file cost a process each)
		((i == $1)) || printf -v next '  - child: next\n    cadence: c%d' $((i + 1))
		w "chain/c$i.cadence.yaml" "cadence: c$i
notes:
  mark: {run: [touch, ran.$i]}
measures:
  - then: mark
$next
"
	done
}
chain 65
run_in "$tmp/chain" "$cadence" run -c c1.cadence.yaml
expect "issue 14 (probe): 65 nested children: refused before anything runs" 2 '' "children nest deeper than 64 cadences.*nothing ran"
assert "issue 14 (probe): 65 nested children: no note ran" test ! -e "$tmp/chain/ran.1"
rm -f "$tmp"/chain/*
chain 64
run_in "$tmp/chain" "$cadence" run -c c1.cadence.yaml
expect "issue 14 (probe): 64 nested children run" 0
assert "issue 14 (probe): 64 nested children: the deepest ran" test -e "$tmp/chain/ran.64"
# a cadence compiled first near the top, then reached deep: the chain
# through it counts (c1 runs c60 first, then c2 .. c59 -> c60 .. c66)
rm -f "$tmp"/chain/*
chain 66
w "chain/c1.cadence.yaml" "cadence: c1
notes:
  mark: {run: [touch, ran.1]}
measures:
  - then: mark
  - child: early
    cadence: c60
  - child: next
    cadence: c2
"
run_in "$tmp/chain" "$cadence" run -c c1.cadence.yaml
expect "issue 14 (probe): a deep chain through a child compiled early: refused" 2 '' "children nest deeper than 64 cadences.*nothing ran"
assert "issue 14 (probe): a deep chain through a child compiled early: no note ran" test ! -e "$tmp/chain/ran.1"

# --- a template that links out of its set ------------------------------------------------------
# issue 14 (probe): a shared template directory with `key.txt -> a secret`
# copied the secret into the project, mode 0644
mkdir -p "$tmp/tpl/cadence" "$tmp/tplout"
printf 'cadence: {{name}}\nmeasures: []\n' >"$tmp/tpl/cadence/__name__.cadence.yaml.tmpl"
echo "s3cr3t" >"$tmp/secret"
chmod 600 "$tmp/secret"
ln -s "$tmp/secret" "$tmp/tpl/cadence/key.txt"
run "$cadence" new cadence foo --templates "$tmp/tpl" --dir "$tmp/tplout"
expect "issue 14 (probe): a template linking out of its set: refused" 1 '' "template .*key.txt is a symbolic link to '.*secret', outside '.*tpl/cadence'; nothing was written"
assert "issue 14 (probe): a template linking out of its set: nothing written" test -z "$(ls -A "$tmp/tplout")"
rm "$tmp/tpl/cadence/key.txt"
echo "shared" >"$tmp/tpl/cadence/.shared"
ln -s .shared "$tmp/tpl/cadence/in.txt"
run "$cadence" new cadence foo --templates "$tmp/tpl" --dir "$tmp/tplout"
expect "issue 14 (probe): a template linking inside its set is followed" 0
assert "issue 14 (probe): ... and copied" grep -qx shared "$tmp/tplout/in.txt"

# --- a checkpoint's lock file that is a link or a directory -------------------------------------
# issue 14 (probe): "cannot open 'run.ckpt.lock': Too many levels of
# symbolic links" said neither what is wrong nor what to do
mkdir -p "$tmp/lk"
ln -s /etc/passwd "$tmp/lk/run.ckpt.lock"
run_in "$tmp/lk" "$cadence" run -c ../in.cadence.yaml --checkpoint run.ckpt
expect "issue 14 (probe): a lock file that is a link: named, refused" 2 '' "its lock file 'run.ckpt.lock' is a symbolic link, not a lock file cadence made; remove it"
assert "issue 14 (probe): ... the link is left alone" test -L "$tmp/lk/run.ckpt.lock"
rm "$tmp/lk/run.ckpt.lock"
mkdir "$tmp/lk/run.ckpt.lock"
run_in "$tmp/lk" "$cadence" run -c ../in.cadence.yaml --checkpoint run.ckpt
expect "issue 14 (probe): a lock file that is a directory: named, refused" 2 '' "is a directory, not a lock file cadence made"

# --- a breaker's state directory this user cannot write -----------------------------------------
# issue 14 (probe): a state directory the user can search but not write
# passed the check before the run, then failed the note's call (exit 1);
# one it cannot search said "Permission denied; remove it" of a file that
# was not there.  As another user: root writes anywhere.
if [[ $(id -u) == 0 ]] && ! command -v setpriv >/dev/null; then
	skip "issue 14 (probe): breaker state directory" "root without setpriv"
else
	as_user() { if [[ $(id -u) == 0 ]]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
	chmod 711 "$tmp"
	[[ -z ${memcheck_dir:-} ]] || chmod 1777 "$memcheck_dir/logs"
	one_note guarded '{run: [touch, /dev/null], circuit_breaker: {failure_threshold: 2, recovery_timeout: 1s}}'
	chmod 644 "$tmp/guarded.cadence.yaml"
	mkdir -p "$tmp/sd-ro" "$tmp/sd-closed"
	chmod 555 "$tmp/sd-ro"
	chmod 500 "$tmp/sd-closed"	# root's: others cannot even search it
	run as_user "$cadence" run -c --state-dir "$tmp/sd-ro" "$tmp/guarded.cadence.yaml"
	expect "issue 14 (probe): an unwritable state directory: refused before the run" 2 '' "state file .*sd-ro/guarded.guarded.*breaker.json cannot be made: Permission denied; give a --state-dir"
	run as_user "$cadence" run -c --state-dir "$tmp/sd-closed" "$tmp/guarded.cadence.yaml"
	expect "issue 14 (probe): a closed state directory: no 'remove it'" 2 '' "cannot be made: Permission denied; give a --state-dir"
	assert "issue 14 (probe): ... and no 'remove it'" eval '! grep -q "remove it" <<<"$err"'
fi

# --- an output name too long for its temporary file ---------------------------------------------
# issue 14 (probe): a 250-byte name (the file system takes 255) failed with
# "File name too long", which it is not; NAME.tmp.XXXXXX is
long=$(printf 'm%.0s' $(seq 250))
run_in "$tmp" "$cadence" run -c in.cadence.yaml --metrics "$long"
expect "issue 14 (probe): a 250-byte output name: the reason" 2 '' "its name has 250 bytes, and cadence writes it through a temporary file NAME.tmp.XXXXXX beside it.*at most 244 bytes; nothing ran"
ok244=$(printf 'm%.0s' $(seq 244))
run_in "$tmp" "$cadence" run -c in.cadence.yaml --metrics "$ok244"
expect "issue 14 (probe): a 244-byte output name is written" 0
assert "issue 14 (probe): ... there" test -s "$tmp/$ok244"

# --- a directory walk that cannot see everything ------------------------------------------------
# issue 14 (probe): a cadence file whose path passes PATH_MAX was skipped
# in silence ("no *.cadence.yaml files under 'deep'", exit 2), and an
# unreadable subdirectory was "cannot list 'TOP'" (exit 3, naming the top)
# (d, then 21 levels of 200-byte names: 4,223 bytes; 2,100 levels of "d"
# proved the same, and took seconds to make and remove)
mkdir -p "$tmp/walk"
python3 -c "
import os
os.chdir('$tmp/walk')
os.mkdir('d')
os.chdir('d')
for _ in range(21):
    os.mkdir('d' * 200)
    os.chdir('d' * 200)
open('x.cadence.yaml', 'w').write('cadence: deep\\nmeasures: []\\n')"
run_in "$tmp/walk" "$cadence" validate d
expect "issue 14 (probe): a path past PATH_MAX: named, exit 2" 2 '' "^cadence: error: cannot list 'd/d{200}/d{200}/.*: File name too long$"
assert "issue 14 (probe): ... not 'no *.cadence.yaml files'" eval '! grep -q "no \*.cadence.yaml" <<<"$err"'
rm -rf "$tmp/walk"
if [[ $(id -u) == 0 ]] && ! command -v setpriv >/dev/null; then
	skip "issue 14 (probe): unreadable subdirectory" "root without setpriv"
else
	mkdir -p "$tmp/walk2/locked"
	printf 'cadence: w\nmeasures: []\n' >"$tmp/walk2/w.cadence.yaml"
	chmod 755 "$tmp/walk2"
	chmod 644 "$tmp/walk2/w.cadence.yaml"
	chmod 000 "$tmp/walk2/locked"
	run as_user "$cadence" validate "$tmp/walk2"
	expect "issue 14 (probe): an unreadable subdirectory: named, exit 2" 2 '' "cannot list '.*walk2/locked': Permission denied"
	chmod 755 "$tmp/walk2/locked"
fi

finish
