#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence run --plugin and the note API's version (issue 13): plugins built
# here, against the source headers or a copy declaring another version,
# are loaded or refused (status 2, naming both versions); so are a plugin
# without CADENCE_NOTE_PLUGIN and one carrying its own copy of the library.
# cadence_note_log() reaches the log and --events, in order, with its
# limit of lines.  Skipped (77) without a C compiler.
source "$(dirname "$0")/lib.sh"

cc=${CADENCE_TEST_CC:-cc}
command -v "$cc" >/dev/null || { echo "skip - all: no C compiler ($cc)"; exit 77; }
build=$(cd "$(dirname "${memcheck_real:-$cadence}")/.." && pwd)
read -ra cjson <<<"$(pkg-config --libs libcjson 2>/dev/null || echo -lcjson)"
# the host's version and limits, from the headers it is built with
define() { sed -n "s/^#define CADENCE_$1 \([0-9]*\)\$/\1/p" "$src/lib/include/cadence/note.h"; }
major=$(define NOTE_API_MAJOR) minor=$(define NOTE_API_MINOR) lines=$(define NOTE_LOG_LINES)
assert "the headers declare the note API version ($major.$minor)" test -n "$major" -a -n "$minor" -a -n "$lines"

w() { printf '%s\n' "$2" >"$tmp/$1"; }
# one_note NAME [FIELD]: $tmp/NAME.cadence.yaml, C note NAME alone (and a
# score of FIELD, a line of YAML)
one_note() {
	w "$1.cadence.yaml" "cadence: $1${2:+
score:
  $2}
notes:
  $1: {symbol: $1}
measures:
  - then: $1"
}

# plugin NAME SOURCE [INCLUDE_DIR [LINK ARGS...]]: builds $tmp/NAME.so
plugin() {
	local name=$1 source=$2 inc=${3:-$src/lib/include}
	shift $(($# < 3 ? $# : 3))
	w "$name.c" "$source"
	run "$cc" -shared -fPIC -Wall -Werror -I"$inc" -o "$tmp/$name.so" "$tmp/$name.c" "$@" "${cjson[@]}"
	expect "$name.so builds" 0
}

# headers MAJOR MINOR: a copy of the headers declaring note API MAJOR.MINOR,
# in $tmp/api-MAJOR.MINOR
headers() {
	local dir=$tmp/api-$1.$2
	mkdir -p "$dir"
	cp -R "$src/lib/include/cadence" "$dir/"
	sed -i -e "s/^#define CADENCE_NOTE_API_MAJOR [0-9]*\$/#define CADENCE_NOTE_API_MAJOR $1/" \
		-e "s/^#define CADENCE_NOTE_API_MINOR [0-9]*\$/#define CADENCE_NOTE_API_MINOR $2/" \
		"$dir/cadence/note.h"
	assert "a copy of the headers declares note API $1.$2" test "$(grep -cx \
		-e "#define CADENCE_NOTE_API_MAJOR $1" -e "#define CADENCE_NOTE_API_MINOR $2" "$dir/cadence/note.h")" = 2
}

# greeting = "note API MAJOR.MINOR": the version the plugin was built for
greet='#include <cadence/note.h>
#define STR(x) #x
#define VERSION(a, b) "note API " STR(a) "." STR(b)
CADENCE_NOTE_PLUGIN;
cadence_note_func greet;
int greet(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	*changes = cJSON_CreateObject();
	if (!*changes || !cJSON_AddStringToObject(*changes, "greeting",
			VERSION(CADENCE_NOTE_API_MAJOR, CADENCE_NOTE_API_MINOR)))
		return cadence_note_fail(ctx, "out of memory");
	return CADENCE_NOTE_OK;
}'
one_note greet 'greeting: {type: string, default: ""}'

# refused NAME WHY PATTERN: the last run refused plugin NAME.so, nothing ran
refused() {
	expect "$2: refused, status 2" 2 '' "plugin '[^']*$1\\.so' ${3:-}"
	assert "... nothing ran" test -z "$out"
}

# --- the version it was built for -------------------------------------------------
plugin current "$greet"
run "$cadence" run -c --plugin "$tmp/current.so" "$tmp/greet.cadence.yaml"
expect "a plugin built against these headers runs" 0 "^\\{\"greeting\":\"note API $major\\.$minor\"\\}\$"

headers $((major + 1)) "$minor"
plugin next_major "$greet" "$tmp/api-$((major + 1)).$minor"
run "$cadence" run --plugin "$tmp/next_major.so" "$tmp/greet.cadence.yaml"
refused next_major "another major version" \
	"was built for note API $((major + 1))\\.$minor, which this cadence \\([^,]*, note API $major\\.$minor\\) does not provide"
expect "... saying what it loads" 2 '' "it loads plugins of note API $major\\.0 to $major\\.$minor; rebuild"

headers "$major" $((minor + 1))
plugin next_minor "$greet" "$tmp/api-$major.$((minor + 1))"
run "$cadence" run --plugin "$tmp/next_minor.so" "$tmp/greet.cadence.yaml"
refused next_minor "a newer minor version" \
	"was built for note API $major\\.$((minor + 1)), which this cadence \\([^,]*, note API $major\\.$minor\\)"

headers "$major" 0
plugin older "$greet" "$tmp/api-$major.0"
run "$cadence" run -c --plugin "$tmp/older.so" "$tmp/greet.cadence.yaml"
expect "a plugin of an older minor version (note API $major.0) runs" 0 "^\\{\"greeting\":\"note API $major\\.0\"\\}\$"

headers "$major" $((minor - 1))
plugin previous "$greet" "$tmp/api-$major.$((minor - 1))"
run "$cadence" run -c --plugin "$tmp/previous.so" "$tmp/greet.cadence.yaml"
expect "a plugin of the previous minor version (note API $major.$((minor - 1))) runs" 0 \
	"^\\{\"greeting\":\"note API $major\\.$((minor - 1))\"\\}\$"

# a plugin reading fields by name and by handle (note API 1.2) calls the
# host's functions
plugin reader '#include <cadence/note.h>
CADENCE_NOTE_PLUGIN;
cadence_note_func reader;
int reader(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	static _Thread_local cadence_field_handle h;
	const cJSON *n = cadence_note_field_at(ctx, h);
	(void)score;
	if (!n && cadence_note_field_handle(&h, ctx, "n"))
		return cadence_note_fail(ctx, "no field n");
	n = cadence_note_field_at(ctx, h);
	if (!cJSON_IsNumber(n) || cadence_note_field(ctx, "n") != n || cadence_note_field(ctx, "zz"))
		return cadence_note_fail(ctx, "the score reads wrong");
	*changes = cJSON_CreateObject();
	if (!*changes || !cJSON_AddNumberToObject(*changes, "n", n->valuedouble * 2))
		return cadence_note_fail(ctx, "out of memory");
	return CADENCE_NOTE_OK;
}'
one_note reader 'n: {type: integer, default: 21}'
run "$cadence" run -c --plugin "$tmp/reader.so" "$tmp/reader.cadence.yaml"
expect "a plugin reads fields by name and by handle" 0 '^\{"n":42\}$'

# a refused plugin stops the run even when another one provides the note
run "$cadence" run --plugin "$tmp/current.so" --plugin "$tmp/next_major.so" "$tmp/greet.cadence.yaml"
refused next_major "a refused plugin beside a good one"

# --- no version, or its own copy of the library -----------------------------------
plugin unversioned "${greet/CADENCE_NOTE_PLUGIN;/}"
run "$cadence" run --plugin "$tmp/unversioned.so" "$tmp/greet.cadence.yaml"
refused unversioned "a plugin without CADENCE_NOTE_PLUGIN" \
	"declares no note API version; add \`CADENCE_NOTE_PLUGIN;\` to one of its C files"
expect "... naming the host's version" 2 '' "this cadence provides note API $major\\.$minor\\)"

# its own cadence_note_fail() would write into the host's context with its
# own idea of the layout
plugin own_fail "$greet
int cadence_note_fail(cadence_note_ctx *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
	return CADENCE_NOTE_FAILED;
}"
run "$cadence" run --plugin "$tmp/own_fail.so" "$tmp/greet.cadence.yaml"
refused own_fail "a plugin defining cadence_note_fail" \
	"carries its own copy of the cadence library \\(it defines cadence_note_fail\\); build it with the headers only"

# the usual way to carry a copy: linking the static library
if [[ -f $build/lib/libcadence.a ]]; then
	plugin static "$greet" "$src/lib/include" "$build/lib/libcadence.a"
	run "$cadence" run --plugin "$tmp/static.so" "$tmp/greet.cadence.yaml"
	refused static "a plugin linked with libcadence.a" "carries its own copy of the cadence library"
fi

# --- cadence_note_log() -------------------------------------------------------------
plugin chatty '#include <cadence/note.h>
CADENCE_NOTE_PLUGIN;
cadence_note_func chatty, flood;
int chatty(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	(void)changes;
	cadence_note_log(ctx, "first %s", "line");
	cadence_note_log(ctx, "two\nlines");
	cadence_note_log(ctx, "a bell \a rang");
	cadence_note_log(ctx, "last line");
	return CADENCE_NOTE_OK;
}
/* more lines in one call than a call keeps */
int flood(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	(void)changes;
	for (int i = 1; i <= CADENCE_NOTE_LOG_LINES + 5; i++)
		cadence_note_log(ctx, "line %d", i);
	return CADENCE_NOTE_OK;
}'
one_note chatty
run "$cadence" run --plugin "$tmp/chatty.so" "$tmp/chatty.cadence.yaml" --events "$tmp/events.jsonl"
expect "a note that logs runs" 0
assert "its lines are in the log, prefixed, a line break making two, the bell a '?'" \
	test "$(grep '^\[chatty\]' <<<"$err")" = "[chatty] first line
[chatty] two
[chatty] lines
[chatty] a bell ? rang
[chatty] last line"
# the note's events, in the order of the stream, a note_log with its line
run sed -n -e 's/^.*"event":"note_log".*"note":"chatty".*"line":"\(.*\)"}$/log: \1/p' -e t \
	-e 's/^.*"event":"\(note_[a-z]*\)".*"note":"chatty".*/\1/p' "$tmp/events.jsonl"
assert "--events: a note_log event a line, in order, before the note ends" test "$out" = "note_started
log: first line
log: two
log: lines
log: a bell \\u0007 rang
log: last line
note_completed"
run "$cadence" run --plugin "$tmp/chatty.so" "$tmp/chatty.cadence.yaml" --log json
expect "--log json: a note_log event a line, as --events writes it" 0 '' '^\{"time":"[^"]*","event":"note_log",.*"note":"chatty",.*"line":"a bell \\u0007 rang"\}$'

one_note flood
run "$cadence" run --plugin "$tmp/chatty.so" "$tmp/flood.cadence.yaml" --events "$tmp/events.jsonl"
expect "a note logging more lines than a call keeps runs" 0
expect "... its first $lines lines are logged" 0 '' "^\\[flood\\] line $lines\$"
assert "... and no more" test "$(grep -c '^\[flood\] line [0-9]*$' <<<"$err")" = "$lines"
expect "... then a line says how many were dropped" 0 '' \
	"^\\[flood\\] \\(5 more lines of cadence_note_log\\(\\) dropped: $lines lines a call at most\\)\$"
assert "--events: the same lines" test "$(grep -c '"event":"note_log"' "$tmp/events.jsonl")" = $((lines + 1))

finish
