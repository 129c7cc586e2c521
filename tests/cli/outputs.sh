#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The output-path policy (docs/reliability.md, "Output paths"), for every
# file cadence writes: devices, FIFOs and descriptors written in place,
# symbolic links followed (the link stays), owner, group, mode, ACLs and
# hard links kept, empty paths refused before anything runs, the events
# file untouched by a refused run, the umask honoured, init and new kept
# inside their directory, and no control character of a directory's name
# in what init writes or prints (issue 14: items 1, 2, 3, 16, 18 and the
# low items on empty paths, the umask and names).
#
# CI runs as root; parts that need root (mknod, chown) or another user
# (setpriv) say "skip" when they cannot run.  Nothing here writes to the
# machine's own /dev/null or /dev/stdout before the same case has passed on
# a private copy (a broken build would replace them for everyone).
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state
is_root=$([[ $(id -u) == 0 ]] && echo 1 || true)
# as an unprivileged user, where a broken build could otherwise write into /
as_nobody() {
	if [[ $is_root ]] && command -v setpriv >/dev/null; then
		(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups "$@")
	elif [[ $is_root ]]; then
		return 77
	else
		(cd / && "$@")
	fi
}
# the unprivileged user reads the test's files (and, under valgrind,
# writes its logs beside root's)
chmod 711 "$tmp"
[[ -z ${memcheck_dir:-} ]] || chmod 1777 "$memcheck_dir/logs"
kind() { stat -c %F "$1"; }

cat >"$tmp/s.cadence.yaml" <<'YAML'
cadence: s
score:
  a: {type: integer, default: 0}
notes:
  one:
    set: {a: 1}
  mark:
    run: [sh, -c, 'touch "$CADENCE_DIR/ran"; echo marked >&2; echo "{}"']
measures:
  - then: one
  - then: mark
YAML
s=$tmp/s.cadence.yaml
cp "$s" "$tmp/s.orig"

# ---- item 1: devices, FIFOs, descriptors, links -------------------------------

inplace_ok=1
if [[ $is_root ]]; then
	# private copies of /dev/null and /dev/full: the same devices
	mknod "$tmp/null" c 1 3 && mknod "$tmp/full" c 1 7 && mknod "$tmp/blk" b 7 0
	run "$cadence" run "$s" --metrics "$tmp/null" --trace "$tmp/null" -c
	expect "issue 14 item 1: --metrics and --trace to a character device (a copy of /dev/null)" 0 '"a":1'
	assert "... which stays a character device" test "$(kind "$tmp/null")" = "character special file"
	[[ $(kind "$tmp/null") == "character special file" ]] || inplace_ok=
	run "$cadence" run "$s" --checkpoint "$tmp/full"
	expect "issue 14 item 1: --checkpoint to a full device (a copy of /dev/full) fails the run" 3 '' \
		"could not be saved: .*No space left on device"
	assert "... and the device stays a device" test "$(kind "$tmp/full")" = "character special file"
	rm -f "$tmp/ran"
	run "$cadence" run "$s" --metrics "$tmp/blk"
	expect "issue 14 item 1: a block device is refused before anything runs" 2 '' \
		"cannot write the metrics to '.*/blk': it is a block device; .*; nothing ran"
	assert "... it stays a block device" test "$(kind "$tmp/blk")" = "block special file"
	assert "... and no note ran" test ! -e "$tmp/ran"
else
	skip "private device nodes (mknod needs root)"
fi

mkfifo "$tmp/fifo"
timeout 60 cat "$tmp/fifo" >"$tmp/fifo.out" &
reader=$!
run timeout 60 "$cadence" diagram -o "$tmp/fifo" "$s"
expect "issue 14 item 1: diagram -o FIFO writes into the FIFO" 0
assert "... which stays a FIFO" test "$(kind "$tmp/fifo")" = "fifo"
[[ $(kind "$tmp/fifo") == fifo ]] || { inplace_ok=; kill "$reader" 2>/dev/null; }
wait "$reader"
assert "... and its reader got the diagram" grep -q '^flowchart TB' "$tmp/fifo.out"

run "$cadence" run "$s" --trace /dev/fd/1 -c
expect "issue 14 item 1: --trace /dev/fd/1 goes to standard output" 0 '"resourceSpans"'
assert "... followed by the score" grep -qx '{"a":1}' <<<"$out"
run "$cadence" diagram -o /proc/self/fd/1 "$s"
expect "issue 14 item 1: diagram -o /proc/self/fd/1 goes to standard output" 0 '^flowchart TB'
printf 'before\n' >"$tmp/appended"
"$cadence" run "$s" --metrics /dev/fd/1 -c >>"$tmp/appended" 2>/dev/null
assert "issue 14 item 1: --metrics /dev/fd/1 appends where the shell opened it (>>)" \
	test "$(head -1 "$tmp/appended")" = before
assert "... the metrics and the score after it" grep -q 'cadence_runs_total' "$tmp/appended"
"$cadence" run "$s" --checkpoint /dev/fd/1 -c >"$tmp/ckpts" 2>&1
assert "--checkpoint /dev/fd/1 into a file the log goes to as well: every checkpoint" \
	test "$(grep -c cadence-checkpoint "$tmp/ckpts")" = 2
assert "... and the score" grep -qx '{"a":1}' "$tmp/ckpts"
run "$cadence" run "$s" --metrics /dev/fd/0 <"$s"
expect "a descriptor open for reading only is refused" 2 '' \
	"cannot write the metrics to '/dev/fd/0': descriptor 0 is open for reading only; nothing ran"

# the machine's own devices, only once the copies were written in place
if [[ $inplace_ok ]]; then
	run "$cadence" run "$s" --metrics /dev/null --trace /dev/stdout -c
	expect "issue 14 item 1: --metrics /dev/null --trace /dev/stdout" 0 '"resourceSpans"'
	assert "... /dev/null is still a device" test "$(kind /dev/null)" = "character special file"
	assert "... /dev/stdout still a link" test -L /dev/stdout
	run "$cadence" diagram -o /dev/stdout "$s"
	expect "issue 14 item 1: diagram -o /dev/stdout" 0 '^flowchart TB'
	if [[ $is_root ]]; then
		run as_nobody "$cadence" run "$s" --metrics /dev/null
		expect "issue 14 item 1: --metrics /dev/null as an unprivileged user" 0
	fi
else
	fail "not trying /dev/null and /dev/stdout: the copies above were not written in place"
fi

echo old >"$tmp/real.prom"
ln -s real.prom "$tmp/link.prom"
run "$cadence" run "$s" --metrics "$tmp/link.prom" -c
expect "issue 14 item 1: --metrics through a symbolic link" 0
assert "... the link stays a link" test -L "$tmp/link.prom"
assert "... and its target has the metrics" grep -q cadence_runs_total "$tmp/real.prom"
assert "... no temporary file is left beside either" \
	test -z "$(ls -A "$tmp" | grep '\.tmp\.')"
ln -s real.mmd "$tmp/link.mmd"
echo old >"$tmp/real.mmd"
run "$cadence" diagram -o "$tmp/link.mmd" "$s"
assert "issue 14 item 1: diagram -o through a symbolic link keeps the link" test -L "$tmp/link.mmd"
assert "... its target has the diagram" grep -q '^flowchart' "$tmp/real.mmd"
ln -s missing.prom "$tmp/dangling"
rm -f "$tmp/ran"
run "$cadence" run "$s" --metrics "$tmp/dangling"
expect "a link to a missing file is refused, nothing ran" 2 '' \
	"cannot write the metrics to '.*/dangling': it is a symbolic link to 'missing.prom', which does not exist"
assert "... no note ran" test ! -e "$tmp/ran"

# ---- empty paths (low item, and item 2) -------------------------------------

for opt in --metrics --trace --events --checkpoint --score-file --state-dir --plugin; do
	rm -f "$tmp/ran"
	run "$cadence" run "$s" "$opt" ""
	expect "issue 14 low item: run $opt '' is a usage error before anything runs" 2 '' \
		"option '$opt' needs a .*, not an empty string"
	assert "... no note ran" test ! -e "$tmp/ran"
done
run "$cadence" resume "$tmp/none.ckpt" --checkpoint ""
expect "resume --checkpoint '' is a usage error" 2 '' "option '--checkpoint' needs a FILE"
run "$cadence" diagram -o "" "$s"
expect "diagram -o '' is a usage error" 2 '' "option '--output' needs a FILE"

# as an unprivileged user: a broken build would write into / (as root it
# would succeed)
run as_nobody "$cadence" init ""
if [[ $status == 77 ]]; then
	skip "init '' (root without setpriv)"
else
	expect "issue 14 item 2: init '' is a usage error" 2 '' \
		"'cadence init' needs a directory, not an empty string"
	run as_nobody "$cadence" new cadence x --dir ""
	expect "issue 14 item 2: new cadence --dir '' is a usage error" 2 '' \
		"option '--dir' needs a DIR, not an empty string"
	run as_nobody "$cadence" new note x --dir ""
	expect "issue 14 item 2: new note --dir '' is a usage error" 2 '' \
		"option '--dir' needs a DIR, not an empty string"
	run as_nobody "$cadence" new note x --into ""
	expect "new note --into '' is a usage error" 2 '' "option '--into' needs a CADENCE_FILE"
fi
assert "nothing was written into /" test ! -e /cadences/x.cadence.yaml -a ! -e /x.sh

# ---- item 16: the events of a refused run ---------------------------------------

echo '{"previous": "events"}' >"$tmp/events.json"
run "$cadence" run "$s" --events "$tmp/events.json" --plugin "$tmp/none.so"
expect "issue 14 item 16: a plugin that does not load: nothing ran" 2 '' "cannot load plugin"
assert "... and the previous events are as they were" grep -qx '{"previous": "events"}' "$tmp/events.json"
cat >"$tmp/cnote.cadence.yaml" <<'YAML'
cadence: cnote
score: {}
notes:
  native:
    symbol: nobody_provides_this
measures:
  - then: native
YAML
run "$cadence" run "$tmp/cnote.cadence.yaml" --events "$tmp/events.json"
expect "issue 14 item 16: a C note no one provides: nothing ran" 2
assert "... and the previous events are as they were" grep -qx '{"previous": "events"}' "$tmp/events.json"
run "$cadence" run "$s" --events "$tmp/events.json"
expect "a run that runs writes its events" 0
assert "... over the previous ones" test -z "$(grep previous "$tmp/events.json")"
ln -s events.json "$tmp/events.link"
run "$cadence" run "$s" --events "$tmp/events.link"
assert "--events through a link keeps the link" test -L "$tmp/events.link"
assert "... and writes the target" grep -q cadence_completed "$tmp/events.json"

# ---- the umask (low item) ---------------------------------------------------------

(umask 077 && "$cadence" run "$s" --metrics "$tmp/m077.prom" --trace "$tmp/t077.json" \
	--events "$tmp/e077.json" --checkpoint "$tmp/c077.ckpt" >/dev/null 2>&1 &&
	"$cadence" diagram -o "$tmp/d077.mmd" "$s" 2>/dev/null)
for f in m077.prom t077.json e077.json c077.ckpt d077.mmd; do
	assert "issue 14 low item: $f is created 600 under umask 077" test "$(stat -c %a "$tmp/$f")" = 600
done
# (the kernel applies the umask, not cadence: these two take paths run
# under valgrind above, a new metrics file in the umask 077 run, an
# existing one replaced through the link; memcheck/cli/metrics, both with
# --metrics alone)
(umask 022 && "$cadence_again" run "$s" --metrics "$tmp/m022.prom" >/dev/null 2>&1)
assert "... and the metrics 644 under umask 022" test "$(stat -c %a "$tmp/m022.prom")" = 644
chmod 640 "$tmp/m022.prom"
"$cadence_again" run "$s" --metrics "$tmp/m022.prom" >/dev/null 2>&1
assert "a replaced file keeps its mode (640)" test "$(stat -c %a "$tmp/m022.prom")" = 640

# ---- item 3: new note --into LINK -------------------------------------------------

mkdir -p "$tmp/p/cadences" "$tmp/p/notes"
cat >"$tmp/p/cadences/c.cadence.yaml" <<'YAML'
cadence: c
score:
  a: {type: integer, default: 0}
notes:
  one:
    set: {a: 1}
measures:
  - then: one
YAML
chmod 640 "$tmp/p/cadences/c.cadence.yaml"
ln -s cadences/c.cadence.yaml "$tmp/p/LINK"
run_in "$tmp/p" "$cadence" new note added --into LINK
expect "issue 14 item 3: new note --into a symbolic link" 0 "added note 'added' to LINK"
assert "... the link is still a link" test -L "$tmp/p/LINK"
assert "... the file it points to got the note" grep -q '^  added:' "$tmp/p/cadences/c.cadence.yaml"
assert "... and kept its mode (640, not 777)" test "$(stat -c %a "$tmp/p/cadences/c.cadence.yaml")" = 640

# ---- item 18: owner, group, ACLs and hard links -------------------------------------

if [[ $is_root ]]; then
	f=$tmp/p/cadences/c.cadence.yaml
	chown 65534:65534 "$f"
	if command -v setfacl >/dev/null && setfacl -m u:65534:rw "$f" 2>/dev/null; then
		acl=1
	else
		acl=
		skip "ACLs (setfacl missing, or the file system has none)"
	fi
	run_in "$tmp/p" "$cadence" new note owned --into cadences/c.cadence.yaml
	expect "issue 14 item 18: root edits a user's file with --into" 0
	assert "... its owner and group stay" test "$(stat -c %u:%g "$f")" = 65534:65534
	assert "... its mode stays" test "$(stat -c %a "$f")" = "$([[ $acl ]] && echo 660 || echo 640)"
	[[ ! $acl ]] || assert "... its ACL stays" grep -q '^user:65534:rw-' <(getfacl -n "$f" 2>/dev/null)
	run as_nobody cat "$f"
	expect "... and the user can still read it" 0 'owned:'

	ln "$f" "$tmp/p/hard.yaml"
	run_in "$tmp/p" "$cadence" new note linked --into cadences/c.cadence.yaml
	expect "issue 14 item 18: --into a file with a hard link" 0
	assert "... both names are still one file" test "$(stat -c %i "$f")" = "$(stat -c %i "$tmp/p/hard.yaml")"
	assert "... which has the note" grep -q '^  linked:' "$tmp/p/hard.yaml"
	assert "... and its owner" test "$(stat -c %u:%g "$f")" = 65534:65534

	echo old >"$tmp/m.prom"
	ln "$tmp/m.prom" "$tmp/m2.prom"
	chown 65534:65534 "$tmp/m.prom"
	run "$cadence" run "$s" --metrics "$tmp/m.prom"
	assert "issue 14 item 18: --metrics into a hard-linked file keeps the link" \
		grep -q cadence_runs_total "$tmp/m2.prom"
	echo old >"$tmp/d.mmd"
	chown 65534:65534 "$tmp/d.mmd"
	chmod 604 "$tmp/d.mmd"
	run "$cadence" diagram -o "$tmp/d.mmd" "$s"
	assert "issue 14 item 18: diagram -o keeps owner, group and mode" \
		test "$(stat -c %u:%g:%a "$tmp/d.mmd")" = 65534:65534:604

	# init --force replaces the templates' files: owner and group stay
	# (the setup, init DIR, runs under valgrind in memcheck/cli/init)
	"$cadence_again" init "$tmp/proj" >/dev/null
	chown 65534:65534 "$tmp/proj/README.md"
	echo mine >"$tmp/proj/README.md"
	run "$cadence" init --force "$tmp/proj"
	expect "issue 14 item 18: init --force replaces a user's README.md" 0 'replaced .*README.md'
	assert "... which keeps its owner and group" test "$(stat -c %u:%g "$tmp/proj/README.md")" = 65534:65534
else
	skip "owner and group (chown needs root); as a user, a replaced file becomes the user's"
fi

# ---- init and new stay inside their directory ("Decisions" of issue 14) -------------

mkdir -p "$tmp/proj2" "$tmp/outside"
ln -s ../outside "$tmp/proj2/cadences"
run "$cadence" init --force "$tmp/proj2"
expect "issue 14 decision: init --force through a directory link out of the project is refused" 1 '' \
	"cadences/.*: a symbolic link leads out of .*/proj2 \\(to .*/outside/"
assert "... nothing was written outside" test -z "$(ls -A "$tmp/outside")"
assert "... nor inside" test ! -e "$tmp/proj2/README.md"
mkdir -p "$tmp/proj3/cadences"
ln -s ../../outside/x.cadence.yaml "$tmp/proj3/cadences/x.cadence.yaml"
echo 'keep' >"$tmp/outside/x.cadence.yaml"
run "$cadence" new cadence x --dir "$tmp/proj3/cadences" --force
expect "new cadence --force through a file link out of --dir is refused" 1 '' "a symbolic link leads out of"
assert "... the file outside is as it was" grep -qx keep "$tmp/outside/x.cadence.yaml"
rm "$tmp/outside/x.cadence.yaml"
ln -s cadences "$tmp/proj3/alias"
run "$cadence" new cadence y --dir "$tmp/proj3/alias"
expect "a --dir that is itself a link is where the file goes" 0 'created .*/alias/y.cadence.yaml'
assert "... inside the directory it links to" test -f "$tmp/proj3/cadences/y.cadence.yaml"
mkfifo "$tmp/proj3/cadences/z.cadence.yaml"
run "$cadence" new cadence z --dir "$tmp/proj3/cadences" --force
expect "scaffolding does not write into a FIFO" 1 '' "not a regular file"

# ---- names with control characters (low item) ----------------------------------------

weird=$tmp/$'we\nird\e[31mdir'
run "$cadence" init "$weird"
expect "issue 14 low item: init into a directory whose name holds a newline and an escape" 0
assert "... the README heading is one line without the escape" \
	test "$(head -1 "$weird/README.md" | tr -d '\n' | LC_ALL=C grep -c $'\e')" = 0
assert "... and its second line is not the rest of the name" \
	test -z "$(sed -n 2p "$weird/README.md" | grep 'ird')"
assert "... the printed cd hint is escaped" grep -qF "cd \$'$tmp/we\\012ird\\033[31mdir'" <<<"$out"
assert "... and nothing printed holds the escape" test -z "$(LC_ALL=C grep $'\e' <<<"$out")"

finish
