#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# issue 14 item 15: circuit breaker state files (docs/run.md,
# "circuit_breaker").  A planted symbolic link, a hard link, a FIFO, a
# directory or a group/world-writable file in the state directory is
# refused before anything runs (status 2, naming the file), and what a link
# points to is left untouched; breakers are keyed by the cadence file's
# absolute path, so two projects with a cadence `shop` and a note `charge`
# do not share one; processes running the same file still share it, with
# exact counts under 100 parallel invocations.  (A state file owned by
# another user: breaker_owner.sh, as root.)
source "$(dirname "$0")/lib.sh"

export CADENCE_STATE_DIR=$tmp/state
# shop DIR SCRIPT [THRESHOLD]: DIR/shop.cadence.yaml, note `charge` running
# `sh -c SCRIPT` behind a breaker
shop() {
	mkdir -p "$1"
	cat >"$1/shop.cadence.yaml" <<YAML
cadence: shop
notes:
  charge:
    run: [sh, -c, '$2']
    circuit_breaker: {failure_threshold: ${3:-1}, recovery_timeout: 1h}
measures:
  - then: charge
YAML
}
# state: the breaker files of cadence shop, note charge
state() { find "$CADENCE_STATE_DIR" -maxdepth 1 -name 'shop.charge*.breaker.json' | sort; }

# --- two projects, one cadence name: two breakers --------------------------------
shop "$tmp/a" 'echo down >&2; exit 1'
shop "$tmp/b" 'touch ran-b'
run "$cadence" run "$tmp/a/shop.cadence.yaml"
expect "project a: the failure opens a's breaker" 1 '' "it exited with status 1"
run "$cadence" run "$tmp/a/shop.cadence.yaml"
expect "project a: its breaker is open" 1 '' "circuit breaker is open after 1 failures"
run_in "$tmp/b" "$cadence" run shop.cadence.yaml
expect "project b, the same cadence and note names: its own breaker, closed" 0
assert "... its note ran" test -e "$tmp/b/ran-b"
assert "two state files, one per cadence file" test "$(state | wc -l)" = 2
# the same file by another path (relative, through a link): the same breaker
ln -s "$tmp/a" "$tmp/a-link"
run_in "$tmp" "$cadence" run a-link/../a/shop.cadence.yaml
expect "project a by another path: the same breaker, still open" 1 '' "circuit breaker is open"
assert "... no third state file" test "$(state | wc -l)" = 2
run stat -c %a "$(state | head -1)"
assert "a state file is private to its user (0600)" test "$out" = 600

# --- a planted link is refused, its target untouched ---------------------------------
echo "precious" >"$tmp/target"
chmod 644 "$tmp/target"
afile=$(grep -l . $(state) | head -1)
for f in $(state); do
	rm -f "$f"
	ln -s "$tmp/target" "$f"
done
shop "$tmp/a" 'touch "$CADENCE_DIR/ran-a"'
run "$cadence" run "$tmp/a/shop.cadence.yaml"
expect "a state file that is a symbolic link: refused, status 2" 2 '' \
	"note 'charge' has a circuit breaker, and its state file .*shop\\.charge\\.[0-9a-f]{16}\\.breaker\\.json cannot be used: it is a symbolic link"
expect "... saying what to do" 2 '' "remove it"
assert "... nothing ran" test ! -e "$tmp/a/ran-a"
assert "... the link's target is untouched" test "$(<"$tmp/target")" = precious
assert "... and still a link" test -L "$afile"
run "$cadence" run --dry-run "$tmp/a/shop.cadence.yaml"
assert "... the target is untouched by --dry-run too" test "$(<"$tmp/target")" = precious
rm -f $(state)

# --- other files that are not the user's private regular file --------------------------
run "$cadence" run "$tmp/a/shop.cadence.yaml"
expect "a fresh state file is made" 0
f=$(state)
rm "$tmp/a/ran-a"
chmod 666 "$f"
run "$cadence" run "$tmp/a/shop.cadence.yaml"
expect "a world-writable state file: refused, status 2" 2 '' "cannot be used: others can write it"
assert "... nothing ran" test ! -e "$tmp/a/ran-a"
chmod 620 "$f"
run "$cadence" run "$tmp/a/shop.cadence.yaml"
expect "a group-writable state file: refused" 2 '' "cannot be used: others can write it"
chmod 600 "$f"
ln "$f" "$tmp/hardlink"
run "$cadence" run "$tmp/a/shop.cadence.yaml"
expect "a state file with a second hard link: refused" 2 '' "cannot be used: it has 2 hard links"
rm "$tmp/hardlink" "$f"
mkfifo "$f"
run timeout 20 "$cadence" run "$tmp/a/shop.cadence.yaml"
expect "a FIFO in its place: refused, no hang" 2 '' "cannot be used: it is not a regular file"
rm "$f"
mkdir "$f"
run "$cadence" run "$tmp/a/shop.cadence.yaml"
expect "a directory in its place: refused, not a breaker of this process alone" 2 '' \
	"cannot be used: .*(directory|regular)"
assert "... nothing ran" test ! -e "$tmp/a/ran-a"
rmdir "$f"
run "$cadence" run "$tmp/a/shop.cadence.yaml"
expect "removed: a fresh state file again" 0

# --- a state file that goes bad during the run: the call that meets it fails ----------------
# plant LINK_TARGET: a shell line that replaces breaker files of cadence mid by links
plant='for f in "$CADENCE_STATE_DIR"/mid.charge.*.breaker.json; do rm -f "$f"; ln -s "$CADENCE_DIR/../target" "$f"; done'
mkdir -p "$tmp/m"
cat >"$tmp/m/mid.cadence.yaml" <<YAML
cadence: mid
notes:
  plant: {run: [sh, -c, '$plant']}
  charge:
    run: [sh, -c, 'touch "\$CADENCE_DIR/ran-charge"']
    circuit_breaker: {failure_threshold: 5, recovery_timeout: 1h}
measures:
  - then: charge
  - then: plant
  - then: charge_again
    note: charge
YAML
run "$cadence" run "$tmp/m/mid.cadence.yaml"
expect "a state file replaced by a link after the run started: the next call fails" 1 '' \
	"note 'charge'.*: its circuit breaker's state file .*mid\.charge\.[0-9a-f]{16}\.breaker\.json cannot be used: it is a symbolic link"
assert "... the link's target is untouched" test "$(<"$tmp/target")" = precious
rm -f "$CADENCE_STATE_DIR"/mid.charge.*
# the note itself replaces its state file: it ran, but its call cannot be counted
cat >"$tmp/m/self.cadence.yaml" <<YAML
cadence: mid
notes:
  charge:
    run: [sh, -c, 'touch "\$CADENCE_DIR/ran-self"; $plant']
    circuit_breaker: {failure_threshold: 5, recovery_timeout: 1h}
measures:
  - then: charge
YAML
run "$cadence" run "$tmp/m/self.cadence.yaml"
expect "a state file replaced while the note runs: the attempt fails" 1 '' \
	"note 'charge'.*: it ran, but its circuit breaker's state file .* cannot be used: it is a symbolic link"
assert "... it did run" test -e "$tmp/m/ran-self"
assert "... the link's target is untouched" test "$(<"$tmp/target")" = precious

# --- processes running one file share its breaker, counts exact ----------------------------
# (under valgrind, 10: enough to wait on the lock; 100 valgrinds took 100 s)
n=$(runs 100 10)
shop "$tmp/c" 'exit 1' 1000
before=$(state)
for ((i = 0; i < n; i++)); do
	"$cadence" run "$tmp/c/shop.cadence.yaml" >/dev/null 2>&1 &
done
wait
cfile=$(comm -13 <(echo "$before") <(state))
assert "project c has its own state file" test -n "$cfile" -a -f "$cfile"
run cat "$cfile"
expect "$n parallel processes: $n failures in a row, counted exactly" 0 "\"state\":\"closed\",\"failures\":$n,"

finish
