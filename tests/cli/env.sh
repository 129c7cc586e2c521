#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# issue 14 ("decisions": the environment of run notes): a real `run` note
# records the environment it was started with (/proc/$$/environ of its
# shell, what execve gave it).  Without `env:` it gets cadence's whole
# environment (the default); with `env: [NAME...]` only PATH, HOME, LANG,
# LC_*, TZ, TMPDIR, those names and the CADENCE_* variables cadence sets;
# `run --env-clear` narrows every note to PATH... and the `--env NAME`
# variables, and a note's `env:` cannot widen that; `resume` takes the same
# options; `env:` on a set or symbol note, a bad name and `--env` without
# `--env-clear` are refused.
source "$(dirname "$0")/lib.sh"

[[ -r /proc/self/environ ]] || { echo "skip - all: no /proc/self/environ"; exit 77; }

mkdir -p "$tmp/p"
# record NAME: a note writing its environment, one variable a line, to
# $CADENCE_DIR/NAME.env
record() { printf '[sh, -c, '\''tr "\\0" "\\n" </proc/$$/environ >"$CADENCE_DIR/%s.env"'\'']' "$1"; }
cat >"$tmp/p/env.cadence.yaml" <<YAML
cadence: env
notes:
  all: {run: $(record all)}
  some: {run: $(record some), env: [KEEP_ME, NOT_SET_ANYWHERE]}
  none: {run: $(record none), env: []}
measures:
  - sync: all_three
    notes: [all, some, none]
YAML
export SECRET_TOKEN=s3cr3t KEEP_ME=kept LC_ALL=C TZ=UTC TMPDIR=${TMPDIR:-/tmp} LANG=C CADENCE_OUTSIDE=1
# has NOTE VAR[=VALUE]: NOTE's environment holds the variable (with that value)
has() { grep -q "^$2$([[ $2 == *=* ]] || echo =)" "$tmp/p/$1.env"; }
lacks() { ! has "$@"; }

run "$cadence" run "$tmp/p/env.cadence.yaml"
expect "three notes record their environments" 0
assert "no env: the whole environment (the default)" has all SECRET_TOKEN=s3cr3t
assert "... a CADENCE_ variable of cadence's own environment too" has all CADENCE_OUTSIDE
for v in PATH HOME LANG LC_ALL TZ TMPDIR; do
	assert "env: [KEEP_ME]: $v is always passed" has some "$v"
	assert "env: []: $v is always passed" has none "$v"
done
assert "env: [KEEP_ME]: KEEP_ME passed, its value kept" has some KEEP_ME=kept
assert "env: [KEEP_ME]: SECRET_TOKEN not passed" lacks some SECRET_TOKEN
assert "env: [KEEP_ME]: a CADENCE_ variable of cadence's environment not passed" lacks some CADENCE_OUTSIDE
assert "env: [KEEP_ME]: a name cadence does not have is not made up" lacks some NOT_SET_ANYWHERE
assert "env: []: SECRET_TOKEN not passed" lacks none SECRET_TOKEN
assert "env: []: KEEP_ME not passed" lacks none KEEP_ME
for n in all some none; do
	assert "$n: the variables cadence sets are there" has "$n" CADENCE_NOTE="$n"
done
# TRACEPARENT is cadence's too (the run's W3C trace context, observability.md)
assert "env: []: TRACEPARENT, which cadence sets, is there" has none TRACEPARENT
run sh -c "grep -v -e '^PATH=' -e '^HOME=' -e '^LANG=' -e '^LC_ALL=' -e '^TZ=' -e '^TMPDIR=' -e '^CADENCE_[A-Z_]*=' -e '^TRACEPARENT=00-[0-9a-f]\{32\}-[0-9a-f]\{16\}-01$' '$tmp/p/none.env'"
assert "env: []: nothing else" test -z "$out"

run "$cadence" run --dry-run "$tmp/p/env.cadence.yaml"
expect "--dry-run shows a note's env:" 0 "some: run .*; env PATH, HOME, LANG, LC_\\*, TZ, TMPDIR, KEEP_ME, NOT_SET_ANYWHERE$"
expect "... env: [] too" 0 "none: run .*; env PATH, HOME, LANG, LC_\\*, TZ, TMPDIR$"

# --- --env-clear / --env --------------------------------------------------------------
run "$cadence" run --env-clear --env SECRET_TOKEN "$tmp/p/env.cadence.yaml"
expect "--env-clear --env SECRET_TOKEN runs" 0
assert "--env-clear: a note without env: gets PATH..." has all PATH
assert "... and the --env variable" has all SECRET_TOKEN=s3cr3t
assert "... not the others" lacks all KEEP_ME
assert "... not a CADENCE_ variable of cadence's environment" lacks all CADENCE_OUTSIDE
assert "--env-clear: a note's env: cannot pass what --env-clear took away" lacks some KEEP_ME
assert "... nor what it does not list" lacks some SECRET_TOKEN
run "$cadence" run --env-clear --env KEEP_ME --env SECRET_TOKEN "$tmp/p/env.cadence.yaml"
expect "--env is repeatable" 0
assert "--env-clear --env KEEP_ME: the note listing it gets it" has some KEEP_ME=kept
assert "... and not what it does not list" lacks some SECRET_TOKEN
assert "... the note without env: gets both" has all KEEP_ME
run "$cadence" run --env SECRET_TOKEN "$tmp/p/env.cadence.yaml"
expect "--env without --env-clear: a usage error" 2 '' "--env SECRET_TOKEN names a variable --env-clear keeps; add --env-clear"
run "$cadence" run --env-clear --env 'A=B' "$tmp/p/env.cadence.yaml"
expect "--env NAME=VALUE: a usage error" 2 '' "--env takes the name of a variable, not 'A=B'"
run "$cadence" run --env-clear --env 9x "$tmp/p/env.cadence.yaml"
expect "--env 9x: a usage error" 2 '' "cannot start with a digit"
run "$cadence" run --help
expect "run --help lists --env-clear and --env" 0 "--env-clear.*--env NAME|--env NAME"

# --- resume takes them too ---------------------------------------------------------------
cat >"$tmp/p/two.cadence.yaml" <<YAML
cadence: two
notes:
  first: {run: [sh, -c, 'test -e "\$CADENCE_DIR/go" || exit 1']}
  second: {run: $(record second)}
measures:
  - then: second
  - then: first
  - then: again
    note: second
YAML
rm -f "$tmp/p/second.env"
run "$cadence" run --checkpoint "$tmp/ck.json" "$tmp/p/two.cadence.yaml"
expect "a run that fails after its first measure" 1
assert "... its first note had the whole environment" has second SECRET_TOKEN
touch "$tmp/p/go"
run "$cadence" resume --env-clear --env KEEP_ME "$tmp/ck.json"
expect "resume --env-clear --env KEEP_ME" 0
assert "... the note run by the resumed run gets KEEP_ME" has second KEEP_ME=kept
assert "... not SECRET_TOKEN" lacks second SECRET_TOKEN

# --- what the format refuses ---------------------------------------------------------------------
cat >"$tmp/p/bad.cadence.yaml" <<'YAML'
cadence: bad
notes:
  calc: {set: {x: '1'}, env: [HOME]}
  call: {symbol: f, env: [HOME]}
  cmd: {run: [true], env: [9LIVES, "A-B"]}
measures:
  - sequence: all
    notes: [calc, call, cmd]
YAML
run "$cadence" validate "$tmp/p/bad.cadence.yaml"
expect "env: on a set note: an error" 1 "3:25: error: 'env' applies only to a note with 'run' \\[unknown-key\\]"
expect "... on a symbol note too" 1 "4:21: error: 'env' applies only to a note with 'run'"
expect "... saying why" 1 "help: remove it: only a 'run' note is a process with an environment of its own"
expect "a bad variable name: bad-name" 1 "5:28: error: invalid environment variable name '9LIVES'"
expect "... a hyphen" 1 "invalid environment variable name 'A-B': character '-' is not allowed"
run "$cadence" run "$tmp/p/bad.cadence.yaml"
expect "run refuses it: nothing runs" 2

finish
