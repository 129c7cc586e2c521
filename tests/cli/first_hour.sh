#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The first hour of a new user (issue 21): this build installed into a
# fresh prefix whose bin/ is put first on PATH, then the README's "Getting
# started" block run as it is written, then the C-note flow of the
# generated project's own README (new note --lang c, a measure that runs
# it, make, run --plugin) and the project's tests.  The plugin is built
# against the installed headers, found through the installed `cadence`
# alone: no PKG_CONFIG_PATH, no CADENCE_CFLAGS.
#
# Needs CADENCE_BUILD_DIR (set by tests/cli.cmake), make and a C compiler.
source "$(dirname "$0")/lib.sh"
need make cc pkg-config python3
pkg-config --exists libcjson || { echo "skip - all: libcjson's pkg-config file is missing"; exit 77; }

build=${CADENCE_BUILD_DIR:-$(cd "$(dirname "$cadence")/.." && pwd)}
prefix=$tmp/prefix
unset CADENCE CADENCE_CFLAGS CADENCE_PC PKG_CONFIG_PATH CADENCE_TEMPLATES CADENCE_PLUGINS \
	CADENCE_STATE_DIR CADENCE_CADENCES CADENCE_FORMAT CADENCE_LOG MAKEFLAGS MAKE

# block FILE AFTER: the commands of the first ```sh block of FILE after the
# line AFTER, one a line: continuation lines joined, comments dropped
block() {
	python3 - "$1" "$2" <<'PY'
import re, sys
lines = open(sys.argv[1]).read().split("\n")
i = lines.index(sys.argv[2]) if sys.argv[2] in lines else \
    next(n for n, l in enumerate(lines) if l.startswith(sys.argv[2]))
i = lines.index("```sh", i) + 1
cmd = ""
while lines[i] != "```":
    line = re.sub(r"\s+#\s.*$", "", lines[i])
    cmd += line.rstrip("\\").rstrip() + " " if line.endswith("\\") else line
    if not line.endswith("\\"):
        print(re.sub(r"\s+", " ", cmd).strip())
        cmd = ""
    i += 1
PY
}

run block "$src/README.md" "## Getting started"
expect "the README has a Getting started block" 0 '^cadence init shop'
mapfile -t steps <<<"$out"
assert "... whose first step installs the build (cmake --install build)" \
	test "${steps[0]}" = "cmake --install build"

# the install: the README's, into the fresh prefix
run cmake --install "$build" --prefix "$prefix"
expect "cmake --install build --prefix PREFIX" 0
export PATH=$prefix/bin:$PATH
assert "the installed cadence is the one on PATH" test "$(command -v cadence)" = "$prefix/bin/cadence"

# the rest of the block, in one shell as a user types it (cd carries over)
mkdir "$tmp/home"
printf 'set -e\n' >"$tmp/getting-started.sh"
for step in "${steps[@]:1}"; do
	printf 'printf "%%s\\n" %q >&2\n%s\n' "\$ $step" "$step" >>"$tmp/getting-started.sh"
done
run_in "$tmp/home" bash "$tmp/getting-started.sh"
expect "the README's Getting started runs, every step" 0 'all passed'
[[ $status == 0 ]] || printf '%s\n' "$err" | tail -20
shop=$tmp/home/shop
for f in cadences/shop.cadence.yaml notes/charge.sh cadences/billing.cadence.yaml \
	cadences/ship.cadence.yaml Makefile; do
	assert "... and made $f" test -f "$shop/$f"
done

# --- the C note, as the project's README says --------------------------------------
run block "$shop/README.md" "A C note is a function"
expect "the project's README has the C-note block" 0 '^cadence new note fraud --lang c'
mapfile -t csteps <<<"$out"
assert "... three steps: new note, make, run --plugin" test "${#csteps[@]}" = 3 -a \
	"${csteps[1]}" = make -a "${csteps[2]}" = \
	"cadence run --plugin build/plugins/fraud.so cadences/shop.cadence.yaml"
run_in "$shop" bash -c "${csteps[0]}"
expect "${csteps[0]}" 0 'added note .fraud. to cadences/shop.cadence.yaml'
assert "... and the measure that runs it (--then)" grep -q '^  - then: fraud' "$shop/cadences/shop.cadence.yaml"
run_in "$shop" cadence validate
# charge, the README's sh note, is run by a measure too (--then)
expect "the project validates with the C note in a measure" 0 'checked 3 files: no problems'
assert "... which is not the C note's" bash -c "! grep -q fraud <<<\"\$out\""
run_in "$shop" bash -c "${csteps[1]}"
expect "make builds the C note against the installed headers" 0 "-o build/plugins/fraud.so notes/fraud.c"
assert "... found through the installed cadence (PREFIX/lib/pkgconfig/cadence.pc)" \
	grep -qE -- "-I$prefix/(lib[^ ]*/pkgconfig/\.\./\.\./)?include " <<<"$out"
# a cadence on PATH through a symbolic link: its prefix is where it leads
mkdir "$tmp/links" && ln -s "$prefix/bin/cadence" "$tmp/links/cadence"
run_in "$shop" env PATH="$tmp/links:$PATH" make -B -n
expect "make finds the headers through a symbolic link to the installed cadence" 0 \
	"-I$prefix/(lib[^ ]*/pkgconfig/\.\./\.\./)?include "
run_in "$shop" bash -c "${csteps[2]} -v"
expect "cadence run --plugin runs the C note" 0 '"length": 13' "note 'fraud' ok"
run_in "$shop" tests/run.sh
expect "the project's tests build and load the C note, and pass" 0 'all passed'
assert "... saying they built it" grep -q '^ok - the C notes build$' <<<"$out"
assert "... and ran the sample" grep -q '^ok - the sample counts$' <<<"$out"
# and they do load it: a failing note fails them
sed -i 's|\*changes = out;|cJSON_Delete(out);\n\treturn cadence_note_fail(ctx, "fraud suspected");|' \
	"$shop/notes/fraud.c"
touch -d '+2 seconds' "$shop/notes/fraud.c"
run_in "$shop" tests/run.sh
expect "... and fail when the C note fails" 1 'FAIL - cadence run --plugin build/plugins/fraud.so' \
	'fraud suspected'
finish
