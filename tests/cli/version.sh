#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence version: the version of <cadence/version.h>, the same line as
# --version, --verbose's build details (the libraries linked at run time,
# the note API of <cadence/note.h>), --format json, bad input refused with
# exit 2, and a CHANGELOG.md section for the version.
source "$(dirname "$0")/lib.sh"

header_version=$(sed -n 's/^#define CADENCE_VERSION_STRING "\(.*\)"$/\1/p' \
	"$src/lib/include/cadence/version.h")
assert "version.h defines CADENCE_VERSION_STRING" test -n "$header_version"

run "$cadence" --version
expect "--version prints the version of version.h" 0 "^cadence ${header_version//./\\.}\$"
line=$out
run "$cadence" version
expect "version prints it too" 0 "^cadence ${header_version//./\\.}\$"
assert "... the same line as --version" test "$out" = "$line"

run "$cadence" version --verbose
expect "version --verbose" 0 "^cadence ${header_version//./\\.}\$"
assert "... starts with --version's line" test "$(head -1 <<<"$out")" = "$line"
verbose=$out
for key in library libyaml cJSON SVG/PNG compiler 'build type'; do
	assert "... shows $key" grep -qE "^$key: +[^ ]" <<<"$verbose"
done
expect "... library and headers of one version" 0 \
	"^library: +libcadence $header_version, headers $header_version\$"
# the versions linked at run time are those of the libraries installed
if command -v pkg-config >/dev/null; then
	expect "... libyaml's version" 0 "^libyaml: +$(pkg-config --modversion yaml-0.1)\$"
	expect "... cJSON's version" 0 "^cJSON: +$(pkg-config --modversion libcjson)\$"
fi
expect "... SVG/PNG is yes or no" 0 '^SVG/PNG: +(yes|no) '
assert "... the compiler is known" test -z "$(grep -E '^compiler: +unknown' <<<"$verbose")"
# the note API as note.h states it: MAJOR.MINOR (or one number)
note_h=$src/lib/include/cadence/note.h
api_macro() { sed -n "s/^#define CADENCE_NOTE_API_$1 \\([0-9][0-9]*\\)\$/\\1/p" "$note_h"; }
note_api=$(api_macro MAJOR).$(api_macro MINOR)
[[ $note_api != . ]] || note_api=$(api_macro VERSION)
if [[ -n $note_api ]]; then
	expect "... the note API of note.h" 0 "^note API: +${note_api//./\\.}\$"
else
	assert "... no note API line while note.h defines none" \
		test -z "$(grep '^note API' <<<"$verbose")"
fi

run "$cadence" version -vf json
expect "version -vf json" 0 '^\{'
printf '%s' "$out" >"$tmp/v.json"
run python3 - "$tmp/v.json" "$header_version" "$note_api" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
want = {"version", "headers", "libyaml", "cjson", "svg_png", "compiler", "build_type"}
if sys.argv[3]:
    want.add("note_api")
assert set(v) == want, sorted(set(v) ^ want)
assert v["version"] == v["headers"] == sys.argv[2], v
assert isinstance(v["svg_png"], bool)
assert v.get("note_api", "") == sys.argv[3], v
print("ok")
PY
expect "... one object with every field" 0 '^ok$'
run "$cadence" version --format=json
assert "--format json is the same without --verbose" cmp -s "$tmp/v.json" <(printf '%s' "$out")
run "$cadence" help version
expect "help version" 0 '--verbose'

# bad input: a usage error (exit 2), one line on stderr, nothing on stdout
run "$cadence" version --verbos
expect "a misspelt option: exit 2" 2 '' "unknown option '--verbos' for 'cadence version'; did you mean '--verbose'\\?"
assert "... nothing on stdout" test -z "$out"
run "$cadence" version --bogus
expect "an unknown option: exit 2" 2 '' "^cadence: error: unknown option '--bogus'"
run "$cadence" version --format yaml
expect "an unknown format: exit 2" 2 '' "invalid value 'yaml' for --format; choose one of: text, json"
run "$cadence" version 1.0
expect "an argument: exit 2" 2 '' "'cadence version' takes no arguments"
assert "... nothing on stdout" test -z "$out"

# `cadence help` and the options of cadence itself (issue 21)
for a in "help help" "help --help" "help -h"; do
	run "$cadence_again" $a
	expect "cadence $a: help's own usage" 0 '^usage: cadence help \[COMMAND \[SUBCOMMAND\]\]$'
done
run "$cadence" help new note
expect "help new note: the subcommand's help" 0 '^usage: cadence new note NAME'
run "$cadence" help help x
expect "help help x: exit 2" 2 '' "^cadence: error: 'cadence help help' takes nothing more, not 'x'$"
run "$cadence_again" help validate x
expect "help validate x: exit 2, not validate's help" 2 '' \
	"^cadence: error: 'cadence help validate' takes nothing more, not 'x'$"
assert "... nothing on stdout" test -z "$out"
run "$cadence_again" help new bogus
expect "help new bogus: exit 2" 2 '' "^cadence: error: 'cadence help new' takes one of its subcommands, not 'bogus'$"
run "$cadence_again" help new note x
expect "help new note x: exit 2" 2 '' "^cadence: error: 'cadence help new note' takes nothing more, not 'x'$"
run "$cadence" help --bogus
expect "help --bogus: exit 2" 2 '' "^cadence: error: unknown option '--bogus' for 'cadence help'; see 'cadence help --help'$"
run "$cadence" --versoin
expect "--versoin: did you mean --version" 2 '' "^cadence: error: unknown option '--versoin'; did you mean '--version'\?$"
run "$cadence_again" --bogus
expect "--bogus: see cadence --help" 2 '' "^cadence: error: unknown option '--bogus'; see 'cadence --help'$"
run "$cadence" validate --form json x.yaml
expect "--form: the one option it begins" 2 '' "unknown option '--form' for 'cadence validate'; did you mean '--format'\?$"
run "$cadence_again" run --sc x.yaml
expect "--sc: several options begin so, none suggested" 2 '' "unknown option '--sc' for 'cadence run'; see 'cadence run --help'$"
run "$cadence" completion bsh
expect "completion bsh: did you mean bash" 2 '' "^cadence: error: no completion for 'bsh'; did you mean 'bash'\? choose bash, zsh or fish$"

assert "CHANGELOG.md has a section for $header_version" \
	grep -qE "^## \\[${header_version//./\\.}\\]" "$src/CHANGELOG.md"
finish
