#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Symbol hygiene of the build (issue 13): libcadence.so exports exactly the
# functions declared CADENCE_API in lib/include/cadence/*.h; every global
# of libcadence.a is cadence_* or cad_*; the cadence binary exports the same
# public set (a plugin may call any of it) and nothing else of its own; the
# plugins of the build define no note function and need no libcadence.
# Reads the build directory above the cadence binary; skipped (77) without
# nm or without the shared library.
source "$(dirname "$0")/lib.sh"

# the binary itself, not the wrapper of a memcheck run (tests/memcheck)
bin=${memcheck_real:-$cadence}
build=$(cd "$(dirname "$bin")/.." && pwd)
so=$build/lib/libcadence.so
ar=$build/lib/libcadence.a
command -v nm >/dev/null || { echo "skip - all: no nm"; exit 77; }
[[ -f $so ]] || { echo "skip - all: $so not built (CADENCE_BUILD_SHARED=OFF?)"; exit 77; }

# none NAME TEXT: passes when TEXT is empty; otherwise fails showing it
none() {
	if [[ -z $2 ]]; then ok "$1"; else status=0 out= err=$2; fail "$1"; fi
}
# same NAME WANT HAVE: the two sorted lists are equal; otherwise shows what
# each has that the other lacks (comm: WANT's flush left, HAVE's indented)
same() { none "$1" "$(comm -3 "$2" "$3" | sed "s|^\t|only in $(basename "$3"): |; t; s|^|only in $(basename "$2"): |")"; }

# the declared API: one declaration a line, `CADENCE_API type name(...`
sed -n 's/^[[:space:]]*CADENCE_API[^(]*[^A-Za-z0-9_]\([A-Za-z_][A-Za-z0-9_]*\)[[:space:]]*(.*/\1/p' \
	"$src"/lib/include/cadence/*.h | sort -u >"$tmp/declared"
# a declaration spread over lines would escape the sed above: count them
ndecl=$(grep -hE '^[[:space:]]*CADENCE_API[[:space:]]' "$src"/lib/include/cadence/*.h |
	grep -vc '^[[:space:]]*CADENCE_API extern const cadence_note_plugin_info')
assert "every CADENCE_API declaration is read ($ndecl)" test "$ndecl" = "$(wc -l <"$tmp/declared")"
assert "the headers declare the note API" grep -qx cadence_note_fail "$tmp/declared"
# a declaration that lost its CADENCE_API would be neither read above nor
# exported, and the lists below would agree without it
none "every function the headers declare is CADENCE_API" \
	"$(grep -nE '^[A-Za-z_].*[^A-Za-z0-9_]cadence_[a-z0-9_]*[[:space:]]*\(' "$src"/lib/include/cadence/*.h |
		grep -vE ':(CADENCE_API|typedef|static|#)')"

# symbols the linker defines in every executable or library, not ours
linker='^(_edata|_end|__bss_start|_IO_stdin_used|_start|__data_start|data_start|_init|_fini)$'
# what a sanitizer build adds (instrumentation, ODR indicators): not ours
sanitizer='^(__odr_asan[._]|__asan_|__ubsan_|__lsan_|__sancov|__sanitizer_)'

# --- libcadence.so ---------------------------------------------------------------
nm -D --defined-only "$so" | awk '{print $NF}' | grep -Ev "$linker" | sort -u >"$tmp/libcadence.so"
same "libcadence.so exports exactly the CADENCE_API functions" "$tmp/declared" "$tmp/libcadence.so"

# --- libcadence.a -------------------------------------------------------------------
if [[ -f $ar ]]; then
	nm -g --defined-only "$ar" | awk 'NF == 3 {print $3}' | sort -u >"$tmp/archive"
	assert "libcadence.a defines globals" test -s "$tmp/archive"
	none "every global of libcadence.a is cadence_* or cad_*" "$(grep -Ev '^(cadence_|cad_)' "$tmp/archive" | grep -Ev "$sanitizer")"
fi

# --- the cadence binary ------------------------------------------------------------------
nm -D --defined-only "$bin" | awk '{print $NF}' >"$tmp/binary.all"
grep '^cadence_' "$tmp/binary.all" | sort -u >"$tmp/cadence"
same "the cadence binary exports the public API, all of it" "$tmp/declared" "$tmp/cadence"
# copy relocations of libc's data (stdin@GLIBC_2.2.5) live in a non-PIE binary
none "the cadence binary exports nothing else of its own" \
	"$(grep -v '^cadence_' "$tmp/binary.all" | grep -Ev "$linker" | grep -Ev "$sanitizer" | grep -v '@')"

# --- plugins of the build --------------------------------------------------------------
plugins=$(find "$build" \( -name 'libcadence_test_plugin.so' -o -name 'cadence_test_plugin*.so' \) -type f)
[[ ! -f $build/examples/checkout/notes.so ]] || plugins+=$'\n'$build/examples/checkout/notes.so
assert "the build has plugins to look at" test -n "$plugins"
while IFS= read -r p; do
	[[ -n $p ]] || continue
	name=${p#"$build"/}
	run nm -D --defined-only "$p"
	expect "$name declares its note API (cadence_note_plugin)" 0 ' cadence_note_plugin$'
	none "$name defines no cadence_ symbol but cadence_note_plugin" \
		"$(awk '$NF ~ /^cadence_/ && $NF != "cadence_note_plugin" {print $NF}' <<<"$out")"
	run nm -D --undefined-only "$p"
	expect "$name leaves cadence_note_fail to the host" 0 ' cadence_note_fail$'
	if command -v readelf >/dev/null; then
		none "$name needs no libcadence" "$(readelf -d "$p" | grep NEEDED | grep -i libcadence)"
	fi
done <<<"$plugins"

finish
