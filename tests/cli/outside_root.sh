#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 14 item 14: `validate` and `diagram` quote no file outside the
# project root (docs/cli.md, "The project root"): child references that
# lead out are outside-root errors, a named symbolic link that leads out
# is refused, a directory walk skips links to files outside it, and files
# of /proc and /sys are never read.  --allow-outside-root reads the first
# three.  Each check looks for the secret in all the output: the probe
# found `DATABASE_URL: postgres://admin:s3cr3t@db/prod` printed.
source "$(dirname "$0")/lib.sh"
export CADENCE_PROBE_SECRET=hunter2-in-the-environment

# The first variable of the environment cadence inherits: what a quote of
# /proc/self/environ would start with.
first_var=$(cat /proc/self/environ | tr '\0' '\n' | head -1)
[[ ${#first_var} -gt 5 ]] || first_var=hunter2
# leaks: does the last run's output hold a secret?
leaks() { grep -qE 's3cr3t|hunter2' <<<"$out$err" || grep -qF -- "$first_var" <<<"$out$err"; }
no_leak() { if leaks; then fail "$1: a secret is in the output"; else ok "$1: no secret in the output"; fi; }

proj=$tmp/proj
mkdir -p "$proj/cadences" "$tmp/outside"
printf 'DATABASE_URL: postgres://admin:s3cr3t@db/prod\n' >"$tmp/secrets.yaml"
cp "$tmp/secrets.yaml" "$tmp/outside/secrets.yaml"
cat >"$tmp/outside/pay.cadence.yaml" <<'EOF'
cadence: pay
notes:
  charge: {set: {}}
measures:
  - then: charge
EOF
# child REF: a parent cadence whose child is REF
child() {
	printf 'cadence: parent\nnotes:\n  ping: {set: {}}\nmeasures:\n  - then: ping\n  - child: c\n    cadence: %s\n' "$1"
}

# --- child references ------------------------------------------------------------------------------
child ../../secrets.yaml >"$proj/cadences/up.cadence.yaml"
run_in "$proj" "$cadence" validate --color=never cadences/up.cadence.yaml
expect "issue 14 item 14: a child '../../secrets.yaml' is refused [outside-root]" 1 \
	"up.cadence.yaml:7:14: error: child cadence '../../secrets.yaml' leads outside the project root \(looked for cadences/../../secrets.yaml\): it is not read \[outside-root\]"
no_leak "item 14: child ../"
run_in "$proj" "$cadence" validate --color=never --format json cadences/up.cadence.yaml
no_leak "item 14: child ../, json"

child "$tmp/secrets.yaml" >"$proj/cadences/abs.cadence.yaml"
run_in "$proj" "$cadence" validate --color=never cadences/abs.cadence.yaml
expect "item 14: an absolute child path outside is refused" 1 "\[outside-root\]"
no_leak "item 14: absolute child"

ln -s "$tmp/outside" "$proj/cadences/shared"
child shared/secrets.yaml >"$proj/cadences/via.cadence.yaml"
run_in "$proj" "$cadence" validate --color=never cadences/via.cadence.yaml
expect "item 14: a child through a directory link that leads out is refused" 1 "\[outside-root\]"
no_leak "item 14: child through a link"

run_in "$proj" "$cadence" validate --color=never --allow-outside-root cadences/up.cadence.yaml
expect "item 14: --allow-outside-root reads the child (and reports what it is)" 1 "unknown key 'DATABASE_URL'"

child ../../outside/pay >"$proj/cadences/ok-out.cadence.yaml"
run_in "$proj" "$cadence" validate --color=never --allow-outside-root cadences/ok-out.cadence.yaml
expect "item 14: --allow-outside-root: a valid child outside passes" 0 "checked 2 files: no problems"

child ../../outside/pay >"$proj/cadences/ok-out.cadence.yaml"
run_in "$proj" "$cadence" validate --color=never - --stdin-filename cadences/x.cadence.yaml \
	<"$proj/cadences/ok-out.cadence.yaml"
expect "item 14: standard input: its children are confined too" 1 "x.cadence.yaml:7:14: error: .*\[outside-root\]"

# --- the root: the nearest directory holding .git -----------------------------------------------------
repo=$tmp/repo
mkdir -p "$repo/.git" "$repo/cadences" "$repo/shared"
cp "$tmp/outside/pay.cadence.yaml" "$repo/shared/pay.cadence.yaml"
child ../shared/pay >"$repo/cadences/main.cadence.yaml"
run_in "$repo/cadences" "$cadence" validate --color=never main.cadence.yaml
expect "item 14: the root is the directory holding .git: a child beside cadences/ is read" 0 \
	"checked 2 files: no problems"
run_in "$repo" "$cadence" validate --color=never cadences
expect "item 14: the same through a directory walk" 0 "checked 2 files: no problems"
mv "$repo/.git" "$repo/git" && printf 'gitdir: ../elsewhere\n' >"$repo/.git"
run_in "$repo/cadences" "$cadence" validate --color=never main.cadence.yaml
expect "item 14: a .git file (a worktree) marks the root too" 0 "checked 2 files: no problems"
rm "$repo/.git"
run_in "$repo/cadences" "$cadence" validate --color=never main.cadence.yaml
expect "item 14: without .git the root is the file's directory" 1 \
	"child cadence '../shared/pay' leads outside the project root"
mkdir "$repo/.git" "$repo/cadences/.git"
run_in "$repo/cadences" "$cadence" validate --color=never main.cadence.yaml
expect "item 14: the nearest .git wins: a planted one only narrows the root" 1 "\[outside-root\]"

# --- named files and directory walks ---------------------------------------------------------------------
walk=$tmp/walk
mkdir -p "$walk/cadences"
child pay >"$walk/cadences/main.cadence.yaml"
cp "$tmp/outside/pay.cadence.yaml" "$walk/cadences/pay.cadence.yaml"
ln -s /proc/self/environ "$walk/cadences/env.cadence.yaml"
ln -s "$tmp/secrets.yaml" "$walk/cadences/secrets.cadence.yaml"
ln -s pay.cadence.yaml "$walk/cadences/alias.cadence.yaml"
run_in "$walk" "$cadence" validate --color=never cadences
expect "item 14: a walk skips links to files outside the directory, and says so" 0 \
	"checked 2 files: no problems" \
	"note: skipped 'cadences/env.cadence.yaml': a symbolic link to a file outside 'cadences' \(pass --allow-outside-root to read it\)"
no_leak "item 14: walk with a link to /proc/self/environ"
assert "item 14: ... each of them" grep -q "skipped 'cadences/secrets.cadence.yaml'" <<<"$err"
assert "item 14: ... but not a link inside the directory" test "$(grep -c skipped <<<"$err")" = 2

run_in "$walk" "$cadence" validate --color=never --allow-outside-root cadences
expect "item 14: --allow-outside-root: the walk reads the links that lead out" 1 \
	"cadences/secrets.cadence.yaml:1:1: error: unknown key 'DATABASE_URL'"
expect "item 14: ... but never a file of /proc" 1 \
	"cadences/env.cadence.yaml: error: cannot read the file: it is a file of the kernel's /proc or /sys, not a cadence \[file-unreadable\]"
assert "item 14: ... and quotes nothing of the environment" bash -c '! grep -q hunter2 <<<"$1"' _ "$out$err"

run_in "$walk" "$cadence" validate --color=never cadences/env.cadence.yaml
expect "item 14: a named link to /proc/self/environ is refused [outside-root]" 1 \
	"cadences/env.cadence.yaml: error: the file is outside the project root .*: it resolves to /proc/.*/environ; it is not read \[outside-root\]"
no_leak "item 14: named link to /proc/self/environ"
run_in "$walk" "$cadence" validate --color=never cadences/secrets.cadence.yaml
expect "item 14: a named link to a file outside is refused" 1 "checked 1 file: 1 error"
no_leak "item 14: named link outside"
run "$cadence" validate --color=never --allow-outside-root /proc/self/environ
expect "item 14: /proc/self/environ named with --allow-outside-root is still not read" 1 \
	"it is a file of the kernel's /proc or /sys"
no_leak "item 14: /proc/self/environ named"

# --- diagram ----------------------------------------------------------------------------------------------------
run_in "$proj" "$cadence" diagram cadences/up.cadence.yaml
expect "item 14: diagram refuses a child outside the root" 1 "" "\[outside-root\]"
no_leak "item 14: diagram"
run_in "$proj" "$cadence" diagram cadences/ok-out.cadence.yaml
expect "item 14: diagram: a valid child outside is an error too" 1 "" "\[outside-root\]"
run_in "$proj" "$cadence" diagram --allow-outside-root --expand cadences/ok-out.cadence.yaml
expect "item 14: diagram --allow-outside-root draws it" 0 "charge"
run_in "$walk" "$cadence" diagram cadences/env.cadence.yaml
expect "item 14: diagram refuses a named link to /proc/self/environ" 1 "" "\[outside-root\]"
no_leak "item 14: diagram of a link to /proc/self/environ"

# --- run: not confined (running trusts the cadence: its notes run commands) -------------------------------------
run_in "$proj" "$cadence" run cadences/ok-out.cadence.yaml
expect "item 14: run reads a child outside the root (docs/cli.md)" 0 "^\{"

finish
