#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# issue 14 item 13: `symbol: NAME` binds only a function the plugin itself
# defines.  A name that only a library the plugin links defines (libc's
# abort and getpid, cJSON's cJSON_Delete) is "no plugin provides", status 2,
# naming the plugins searched and where the name was found, and nothing
# runs: before the fix abort ended cadence with 134 and cJSON_Delete with
# SIGSEGV.  Skipped (77) without a C compiler.
source "$(dirname "$0")/lib.sh"

cc=${CADENCE_TEST_CC:-cc}
command -v "$cc" >/dev/null || { echo "skip - all: no C compiler ($cc)"; exit 77; }
read -ra cjson <<<"$(pkg-config --libs libcjson 2>/dev/null || echo -lcjson)"

# a plugin that really uses cJSON (so the library stays a dependency, even
# with --as-needed) and defines one note of its own
cat >"$tmp/own.c" <<'C'
#include <cadence/note.h>
CADENCE_NOTE_PLUGIN;
cadence_note_func own;
int own(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)score;
	*changes = cJSON_CreateObject();
	if (!*changes || !cJSON_AddStringToObject(*changes, "said", "own"))
		return cadence_note_fail(ctx, "out of memory");
	return CADENCE_NOTE_OK;
}
C
run "$cc" -shared -fPIC -Wall -Werror -I"$src/lib/include" -o "$tmp/own.so" "$tmp/own.c" \
	-Wl,--no-as-needed "${cjson[@]}"
expect "a plugin linking cJSON builds" 0
run sh -c "LC_ALL=C readelf -d '$tmp/own.so' | grep -q 'NEEDED.*cjson'"
[[ $status != 0 ]] || ok "... and cJSON is one of its libraries"

# one_note NAME SYMBOL: $tmp/NAME.cadence.yaml, one note bound to SYMBOL
one_note() {
	printf 'cadence: %s\nscore:\n  said: {type: string, default: ""}\nnotes:\n  n: {symbol: %s}\nmeasures:\n  - then: n\n' \
		"$1" "$2" >"$tmp/$1.cadence.yaml"
}

one_note own own
run "$cadence" run -c --plugin "$tmp/own.so" "$tmp/own.cadence.yaml"
expect "the plugin's own function runs" 0 '^\{"said":"own"\}$'

for sym in cJSON_Delete abort getpid; do
	one_note "$sym" "$sym"
	run "$cadence" run --plugin "$tmp/own.so" "$tmp/$sym.cadence.yaml"
	expect "symbol: $sym (defined by a library the plugin links): status 2" 2 '' \
		"note 'n' calls C function '$sym', which no plugin provides"
	expect "... naming the plugin searched" 2 '' "searched: [^ ]*own\\.so"
	expect "... and where '$sym' is: not in the plugin" 2 '' \
		"'$sym' is defined by [^ ]*, a library [^ ]*own\\.so uses, not by the plugin"
	assert "... nothing ran" test -z "$out"
done

# two plugins: both are named, and the one that defines the name wins
cp "$tmp/own.so" "$tmp/other.so"
one_note abort2 abort
run "$cadence" run --plugin "$tmp/own.so" --plugin "$tmp/other.so" "$tmp/abort2.cadence.yaml"
expect "two plugins, neither defining 'abort': both named" 2 '' \
	"searched: [^ ]*own\\.so, [^ ]*other\\.so"
run "$cadence" run -c --plugin "$tmp/other.so" --plugin "$tmp/own.so" "$tmp/own.cadence.yaml"
expect "two plugins defining 'own': the first runs" 0 '^\{"said":"own"\}$'

finish
