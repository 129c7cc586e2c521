#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One run per checkpoint file (issue 14 item 17): a second run or resume
# given the checkpoint of a running one is refused, and the first one's
# checkpoint stays its own, so that resuming it after a SIGKILL ends with
# its score; a writer that ignores the lock does not get overwritten; the
# temporary files a killed writer left are removed (and only those); the
# rename of a checkpoint is followed by an fsync of its directory (low
# items of issue 14).
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state

cat >"$tmp/slow.cadence.yaml" <<'YAML'
cadence: slow
score:
  a: {type: integer, default: 0}
  who: {type: string, default: ""}
notes:
  first:
    set: {a: 1, who: '"slow"'}
  wait:
    run: [sh, -c, 'touch "$CADENCE_DIR/waiting"; while [ ! -e "$CADENCE_DIR/go" ]; do sleep 0.05; done; echo "{}"']
  last:
    set: {a: 2}
measures:
  - then: first
  - then: wait
  - then: last
YAML
cat >"$tmp/quick.cadence.yaml" <<'YAML'
cadence: quick
score:
  who: {type: string, default: ""}
notes:
  one:
    set: {who: '"quick"'}
measures:
  - then: one
YAML
ck=$tmp/run.ckpt
runid() { grep -o '"run_id":[[:space:]]*"[0-9a-f]*"' "$1"; }

# starts slow in the background (its pid in $first) and waits, 30 s at
# most, for its note `wait` to start; the note goes on when $tmp/go exists
start_slow() {
	rm -f "$tmp/waiting" "$tmp/go"
	"$cadence" run "$tmp/slow.cadence.yaml" --checkpoint "$ck" -c \
		>"$tmp/slow.out" 2>"$tmp/slow.err" &
	first=$!
	wait_until "the note 'wait' to start" test -e "$tmp/waiting"
}

assert "the first run started its long note" start_slow
: >"$tmp/run.ckpt.tmp.Qq11Ww"	# as if its writer were writing it now
run "$cadence" run "$tmp/quick.cadence.yaml" --checkpoint "$ck" -c
expect "issue 14 item 17: a second run with the same --checkpoint is refused" 2 '' \
	"the checkpoint '.*run.ckpt' is in use by another cadence run \\(process [0-9]+\\); .*nothing ran"
run "$cadence" resume "$ck"
expect "issue 14 item 17: so is a resume of it while it runs" 2 '' "is in use by another cadence run"
ln -s run.ckpt "$tmp/alias.ckpt"
run "$cadence" run "$tmp/quick.cadence.yaml" --checkpoint "$tmp/alias.ckpt"
expect "... and a run given a link to it" 2 '' "is in use by another cadence run"
assert "a refused run removes no temporary file of the lock's holder" test -e "$tmp/run.ckpt.tmp.Qq11Ww"
kill -KILL "$first"
wait "$first" 2>/dev/null
touch "$tmp/go"		# the orphaned note ends too
assert "a SIGKILL leaves the lock file" test -e "$ck.lock"
assert "the killed run's checkpoint is its own" grep -q '"cadence":[[:space:]]*"slow"' "$ck"
run timeout 120 "$cadence" resume "$ck" -c
expect "issue 14 item 17: resuming the killed run ends with its own score" 0 '^\{"a":2,"who":"slow"\}$'

# the lock file a SIGKILL left is no lock
run "$cadence" run "$tmp/quick.cadence.yaml" --checkpoint "$ck" -c
expect "a run after a SIGKILL takes the lock it left" 0 '"who":"quick"'
assert "a run that ends removes its lock file" test ! -e "$ck.lock"

# stale temporary files: only the writer's own pattern, only this user's
for f in run.ckpt.tmp.Ab12Cd run.ckpt.tmp.Zz99Yy run.ckpt.tmp.keepme1 run.ckpt.tmp.AB other.ckpt.tmp.Ab12Cd; do
	echo stale >"$tmp/$f"
done
ln -sf /nonexistent "$tmp/run.ckpt.tmp.Ln00kk"
if [[ $(id -u) == 0 ]]; then
	echo theirs >"$tmp/run.ckpt.tmp.Th3irs"
	chown 65534:65534 "$tmp/run.ckpt.tmp.Th3irs"
fi
run "$cadence" run "$tmp/quick.cadence.yaml" --checkpoint "$ck" -c
expect "a run with a checkpoint" 0
assert "issue 14 low item: stale temporary files of the checkpoint are removed" \
	test ! -e "$tmp/run.ckpt.tmp.Ab12Cd" -a ! -e "$tmp/run.ckpt.tmp.Zz99Yy" -a ! -e "$tmp/run.ckpt.tmp.Qq11Ww"
assert "... not files of another pattern" \
	test -e "$tmp/run.ckpt.tmp.keepme1" -a -e "$tmp/run.ckpt.tmp.AB" -a -e "$tmp/other.ckpt.tmp.Ab12Cd"
assert "... nor symbolic links" test -L "$tmp/run.ckpt.tmp.Ln00kk"
if [[ $(id -u) == 0 ]]; then
	assert "... nor another user's files" test -e "$tmp/run.ckpt.tmp.Th3irs"
fi

# a lock file this user cannot open (another user's run was killed): said
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null; then
	mkdir -m 1777 "$tmp/shared"
	chmod 711 "$tmp"
	chmod 644 "$tmp/quick.cadence.yaml"
	[[ -z ${memcheck_dir:-} ]] || chmod 1777 "$memcheck_dir/logs"
	: >"$tmp/shared/x.ckpt.lock"
	chmod 600 "$tmp/shared/x.ckpt.lock"
	run setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$cadence" run "$tmp/quick.cadence.yaml" --checkpoint "$tmp/shared/x.ckpt"
	expect "a lock file another user left is named in the message" 2 '' \
		"cannot lock the checkpoint '.*/shared/x.ckpt': cannot open '.*/shared/x.ckpt.lock': Permission denied; nothing ran"
else
	skip "a lock file of another user" "needs root and setpriv"
fi

# a writer that ignores the lock (an older cadence, a copy by hand): the
# run stops rather than overwrite what it wrote
"$cadence" run "$tmp/quick.cadence.yaml" --checkpoint "$tmp/other.ckpt" >/dev/null
assert "a run started its long note" start_slow
cp "$tmp/other.ckpt" "$tmp/swap" && mv "$tmp/swap" "$ck"
touch "$tmp/go"
wait_exit "$first"
out=$(<"$tmp/slow.out") err=$(<"$tmp/slow.err")
expect "issue 14 item 17: a checkpoint replaced by another writer during the run stops it" 3 '' \
	"the checkpoint '.*run.ckpt' was replaced by another writer since this run read or wrote it \\(it now holds run [0-9a-f]+; this is run [0-9a-f]+\\); stopping"
assert "... and is not overwritten" test "$(runid "$ck")" = "$(runid "$tmp/other.ckpt")"

# resume reads the checkpoint under the lock, then loads the cadence: a
# writer that ignores the lock and replaces the checkpoint meanwhile is
# seen before anything runs (the cadence file is a FIFO, so that the test
# replaces the checkpoint while resume waits for the file)
if [[ -n ${CADENCE_TEST_VALGRIND:-} ]]; then
	# the lock file is seen before valgrind's slow resume reads the file
	skip "resume of a checkpoint replaced since it was read" "under valgrind"
else
"$cadence" run "$tmp/quick.cadence.yaml" --checkpoint "$tmp/mine.ckpt" >/dev/null
mkfifo "$tmp/fifo.cadence.yaml"
"$cadence" resume "$tmp/mine.ckpt" "$tmp/fifo.cadence.yaml" >"$tmp/res.out" 2>"$tmp/res.err" &
resumer=$!
wait_until "the resume to lock its checkpoint" test -e "$tmp/mine.ckpt.lock"
cp "$tmp/other.ckpt" "$tmp/swap" && mv "$tmp/swap" "$tmp/mine.ckpt"
cat "$tmp/quick.cadence.yaml" >"$tmp/fifo.cadence.yaml"
wait_exit "$resumer"
out=$(<"$tmp/res.out") err=$(<"$tmp/res.err")
expect "issue 14 item 17: resume refuses a checkpoint replaced since it was read (exit 4)" 4 '' \
	"the checkpoint '.*mine.ckpt' was replaced since it was read \\(it held run [0-9a-f]+, it now holds run [0-9a-f]+\\); nothing ran"
fi

# the rename is followed by an fsync of the directory (strace shows it)
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
	strace -f -e trace=rename,renameat,renameat2,fsync,openat -o "$tmp/strace.log" \
		"$cadence" run "$tmp/quick.cadence.yaml" --checkpoint "$tmp/synced.ckpt" >/dev/null 2>&1
	assert "issue 14 low item: the checkpoint's rename is followed by an fsync of its directory" \
		awk '/rename.*synced\.ckpt"\)? = 0/ { r = 1; next }
		     r && /O_DIRECTORY/ && / = [0-9]+$/ { fd = $NF; next }
		     r && fd != "" && index($0, "fsync(" fd ")") && / = 0$/ { ok = 1 }
		     END { exit !ok }' "$tmp/strace.log"
else
	skip "the directory fsync" "strace missing or not allowed here"
fi

finish
