#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cmake --install into a temporary prefix: every piece lands where it
# should, a consumer builds against the installed library through
# pkg-config and through find_package(cadence), and the C note of
# `cadence new note --lang c` builds as a plugin with -Wall -Werror, is
# called through <cadence/note.h>, and runs under `cadence run --plugin`.
#
# Needs CADENCE_BUILD_DIR (set by tests/cli.cmake); CADENCE_TEST_CFLAGS
# holds the sanitizer flags of a sanitizer build.
source "$(dirname "$0")/lib.sh"

build=${CADENCE_BUILD_DIR:-$(cd "$(dirname "$cadence")/.." && pwd)}
cc=${CADENCE_TEST_CC:-cc}
read -ra xflags <<<"${CADENCE_TEST_CFLAGS:-}"
prefix=$tmp/prefix

run cmake --install "$build" --prefix "$prefix"
expect "cmake --install into a temporary prefix" 0
libdir=$(dirname "$(find "$prefix" -name libcadence.a | head -1)")
for f in bin/cadence include/cadence/cadence.h include/cadence/note.h include/cadence/load.h \
	share/bash-completion/completions/cadence share/zsh/site-functions/_cadence \
	share/fish/vendor_completions.d/cadence.fish; do
	assert "installed $f" test -f "$prefix/$f"
done
assert "installed the static library" test -f "$libdir/libcadence.a"
assert "installed cadence.pc" test -f "$libdir/pkgconfig/cadence.pc"
assert "installed the CMake package" test -f "$libdir/cmake/cadence/cadenceConfig.cmake" \
	-a -f "$libdir/cmake/cadence/cadenceConfigVersion.cmake" -a -f "$libdir/cmake/cadence/cadenceTargets.cmake"
if command -v scdoc >/dev/null; then
	assert "installed the man page" test -f "$prefix/share/man/man1/cadence.1"
	assert "installed the man page of the format" test -f "$prefix/share/man/man5/cadence.yaml.5"
	if command -v man >/dev/null; then
		run man -l "$prefix/share/man/man1/cadence.1"
		expect "the man page renders" 0 'cadence - check, run and scaffold'
		expect "... and names cadence.yaml(5)" 0 'cadence\.yaml\(5\)'
		run man -l "$prefix/share/man/man5/cadence.yaml.5"
		expect "the format's man page renders" 0 'cadence\.yaml - the cadence file format'
		# man finds it by name in the prefix, as `man 5 cadence.yaml` does
		run env MANPATH="$prefix/share/man" man -w 5 cadence.yaml
		expect "man finds cadence.yaml(5)" 0 "^$prefix/share/man/man5/cadence\.yaml\.5"
	else
		skip "the installed man pages render" "man is not installed"
	fi
else
	skip "the man pages are installed" "scdoc is not installed: the build makes no man page"
fi
# the documentation, in share/doc/cadence: every page of docs/ and the
# top-level files, the same bytes
docdir=$prefix/share/doc/cadence
for f in README.md LICENSE CHANGELOG.md; do
	assert "installed $f in share/doc/cadence" cmp -s "$src/$f" "$docdir/$f"
done
for f in "$src"/docs/*.md; do
	assert "installed docs/${f##*/} in share/doc/cadence" cmp -s "$f" "$docdir/${f##*/}"
done
assert "the installed completion is the binary's" \
	cmp -s "$prefix/share/bash-completion/completions/cadence" <("$cadence" completion bash)
run "$prefix/bin/cadence" --version
expect "the installed binary runs" 0 '^cadence [0-9]'
run env -C /tmp "$prefix/bin/cadence" init --dry-run "$tmp/anywhere"
expect "the installed binary has its templates built in" 0 'would create'

# --- a consumer through pkg-config -----------------------------------------------
cat >"$tmp/consumer.c" <<'C'
#include <cadence/cadence.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
	static const char src[] = "cadence: c\nnotes:\n  a: {symbol: a}\nmeasures:\n  - then: a\n";
	cadence_diags *d;
	cadence_def *def;
	if (cadence_diags_new(&d) ||
	    cadence_load_buffer(&def, "c.cadence.yaml", src, strlen(src), NULL, d))
		return 1;
	printf("%s %s %zu\n", cadence_version(), cadence_def_name(def), cadence_def_note_count(def));
	cadence_def_free(def);
	cadence_diags_free(d);
	return 0;
}
C
export PKG_CONFIG_PATH=$libdir/pkgconfig
run pkg-config --cflags --libs cadence
expect "pkg-config finds cadence" 0 "-I$prefix/"
read -ra pc <<<"$out"
run "$cc" -std=c11 -Wall -Wextra -pedantic -Werror "${xflags[@]}" -o "$tmp/consumer" "$tmp/consumer.c" "${pc[@]}"
expect "a consumer builds through pkg-config" 0
# the shared library: installed with its SONAME, found as a packaged one is
soname=libcadence.so.$(sed -n 's/^Version: \([0-9]*\.[0-9]*\).*/\1/p' "$libdir/pkgconfig/cadence.pc")
assert "installed the shared library $soname" test -L "$libdir/$soname" -a -L "$libdir/libcadence.so"
run readelf -d "$libdir/$soname"
expect "... whose SONAME is $soname" 0 "Library soname: \[$soname\]"
export LD_LIBRARY_PATH=$libdir
run readelf -d "$tmp/consumer"
expect "... the pkg-config consumer links it" 0 "NEEDED.*\[$soname\]"
run "$tmp/consumer"
expect "... and runs" 0 '^[0-9.]+ c 1$'
# the static library, through pkg-config --static
read -ra pcs <<<"$(pkg-config --static --cflags --libs cadence |
	sed 's/-lcadence\b/-Wl,-Bstatic -lcadence -Wl,-Bdynamic/')"
run "$cc" -std=c11 -Wall -Wextra -pedantic -Werror "${xflags[@]}" -o "$tmp/consumer-static" \
	"$tmp/consumer.c" "${pcs[@]}"
expect "a consumer links the static library through pkg-config --static" 0
run readelf -d "$tmp/consumer-static"
assert "... and needs no libcadence.so" test "$(grep -c libcadence <<<"$out")" = 0
run env -u LD_LIBRARY_PATH "$tmp/consumer-static"
expect "... and runs" 0 '^[0-9.]+ c 1$'

# --- a consumer through find_package(cadence) --------------------------------------
mkdir -p "$tmp/cm"
cp "$tmp/consumer.c" "$tmp/cm/"
cat >"$tmp/cm/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.18)
project(consumer C)
find_package(cadence @VERSION@ REQUIRED)
add_executable(consumer consumer.c)
target_link_libraries(consumer PRIVATE cadence::cadence)
add_executable(consumer_static consumer.c)
target_link_libraries(consumer_static PRIVATE cadence::cadence_static)
CMAKE
# the version installed: 0.x minor versions are not compatible with each other
sed -i "s/@VERSION@/${soname#libcadence.so.}/" "$tmp/cm/CMakeLists.txt"
run cmake -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="${CADENCE_TEST_CFLAGS:-}" \
	-DCMAKE_EXE_LINKER_FLAGS="${CADENCE_TEST_CFLAGS:-}"
expect "find_package(cadence) configures" 0
run cmake --build "$tmp/cm/build"
expect "a consumer builds through find_package(cadence)" 0
run "$tmp/cm/build/consumer"
expect "... and runs" 0 '^[0-9.]+ c 1$'
run readelf -d "$tmp/cm/build/consumer"
expect "... with the shared library (cadence::cadence)" 0 "NEEDED.*\[$soname\]"
run env -u LD_LIBRARY_PATH "$tmp/cm/build/consumer_static"
expect "a consumer of cadence::cadence_static runs" 0 '^[0-9.]+ c 1$'
run readelf -d "$tmp/cm/build/consumer_static"
assert "... and needs no libcadence.so" test "$(grep -c libcadence <<<"$out")" = 0

# --- the C note: a plugin built against the installed library ------------------------
mkdir -p "$tmp/proj/notes"
cd "$tmp/proj" || exit 1
cat >flow.cadence.yaml <<'YAML'
cadence: flow
score:
  order_id: {type: string, default: o1}
  status:   {type: string, default: new}
  total:    {type: number, default: 1}
notes:
  first: {run: [cat]}    # a note that changes nothing
measures:
  - then: first
YAML
run "$prefix/bin/cadence" new note charge --lang c --reads order_id --writes status,total \
	--retry 2 --into flow.cadence.yaml
expect "new note --lang c" 0 'symbol: charge'
# the note, filled in: status from order_id, total doubled
python3 - notes/charge.c <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('!cJSON_AddStringToObject(out, "status", "")',
    '!cJSON_AddStringToObject(out, "status", cJSON_GetObjectItemCaseSensitive(score, "order_id")->valuestring)')
s = s.replace('!cJSON_AddNumberToObject(out, "total", 0)',
    '!cJSON_AddNumberToObject(out, "total", 2 * cJSON_GetObjectItemCaseSensitive(score, "total")->valuedouble)')
open(p, "w").write(s)
PY
printf '  - then: charge\n' >>flow.cadence.yaml
# the build line the command printed, as it printed it
build_line=$(sed -n '/^  cc -shared/,/\$(pkg-config --libs libcjson)$/p' <<<"$out" | tr -d '\\\n')
assert "new note --lang c prints the plugin's build line" test -n "$build_line"
run bash -c "$build_line ${xflags[*]}"
expect "the generated C note builds as a plugin with -Wall -Werror" 0
assert "... into notes/charge.so" test -f notes/charge.so
# the plugin holds no copy of the library: the note API is the host's
run nm -D --defined-only notes/charge.so
assert "... which defines no cadence_ function (only cadence_note_plugin)" \
	test "$(grep -E ' cadence_' <<<"$out" | grep -vcE ' [DR] cadence_note_plugin$')" = 0
run nm -D --undefined-only notes/charge.so
expect "... and leaves cadence_note_fail to the host" 0 ' U cadence_note_fail$'
run readelf -d notes/charge.so
assert "... and needs no libcadence.so" test "$(grep -c libcadence <<<"$out")" = 0
run "${cc}" -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only $(pkg-config --cflags cadence) notes/charge.c
expect "... and is clean under -Wextra -pedantic too" 0

cat >"$tmp/host.c" <<'C'
/* Loads a plugin and calls a note as the engine would. */
#include <cadence/note.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	void *h = dlopen(argv[1], RTLD_NOW);
	cadence_note_fn fn;
	cadence_note_ctx *ctx;
	cJSON *score = cJSON_Parse("{\"order_id\": \"o7\", \"status\": \"new\", \"total\": 21}");
	cJSON *changes = NULL;
	if (argc < 3 || !h || !score)
		return 2;
	*(void **)&fn = dlsym(h, argv[2]);
	if (!fn || cadence_note_ctx_new(&ctx, argv[2], NULL))
		return 3;
	int rc = fn(ctx, score, &changes);
	char *s = changes ? cJSON_PrintUnformatted(changes) : NULL;
	printf("%d %s\n", rc, s ? s : "null");
	free(s);
	cJSON_Delete(changes);
	cJSON_Delete(score);
	cadence_note_ctx_free(ctx);
	dlclose(h);
	return 0;
}
C
run "$cc" -std=c11 -Wall -Werror "${xflags[@]}" -o "$tmp/host" "$tmp/host.c" "${pc[@]}" -ldl
expect "a host program builds" 0
run "$tmp/host" "$tmp/proj/notes/charge.so" charge
expect "the plugin's note answers through <cadence/note.h>" 0 '^0 \{"status":"o7","total":42\}$'
if "$prefix/bin/cadence" run --help >/dev/null 2>&1; then
	run "$prefix/bin/cadence" run --compact --plugin ./notes/charge.so flow.cadence.yaml
	expect "cadence run --plugin runs the C note" 0 '"status":[[:space:]]*"o1"'
	assert "... with its changes" grep -qE '"total":[[:space:]]*2' <<<"$out"
fi
finish
