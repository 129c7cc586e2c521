#!/bin/sh
# SPDX-License-Identifier: MIT
# The cost of C notes from a plugin, as `cadence run --plugin` runs them
# (docs/benchmarks.md, "Plugins"): instructions counted by callgrind (the
# same for the same binary and input, whatever else the machine does) for
# a cadence of N `then` measures of one trivial C note, N = 10, 100, 1000,
# 10000, with two builds in turn: BASE (a baseline's tree) and NEW.  The
# plugin is the same source for both, built with the headers only; it
# declares CADENCE_NOTE_PLUGIN when the headers have it.
#   bench/plugin.sh NEW_BUILD NEW_SRC BASE_BUILD BASE_SRC
set -eu
new=$1 newsrc=$2 base=$3 basesrc=$4
command -v valgrind >/dev/null || { echo "plugin.sh: needs valgrind" >&2; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-bench-plugin.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/tick.c" <<'C'
#include <cadence/note.h>
#include <cjson/cJSON.h>
#ifdef CADENCE_NOTE_PLUGIN
CADENCE_NOTE_PLUGIN;
#endif
cadence_note_func tick;
/* n = n + 1: calls cJSON only, so it loads into a host of either version */
int tick(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(score, "n");
	(void)ctx;
	*changes = cJSON_CreateObject();
	return *changes && cJSON_AddNumberToObject(*changes, "n", n->valuedouble + 1) ? 0 : 1;
}
C
for side in new base; do
	eval "src=\$${side}src"
	cc -O2 -shared -fPIC -I"$src/lib/include" -o "$tmp/$side.so" "$tmp/tick.c" -lcjson
done

# one measure per note call: `- then: mI` with `note: tick`
cadence_of() {
	awk -v n="$1" 'BEGIN {
		print "cadence: bench\nscore:\n  n: {type: integer, default: 0}"
		print "notes:\n  tick: {symbol: tick, reads: [n], writes: [n]}\nmeasures:"
		for (i = 0; i < n; i++) printf "  - then: m%d\n    note: tick\n", i
	}'
}

instructions() {	# BUILD SIDE FILE
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$1/cli/cadence" run --compact --plugin "$tmp/$2.so" "$3" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

echo "# $(uname -sr), $(nproc) CPUs, $(date -u +%Y-%m-%d); instructions (callgrind) of one cadence run"
printf '%8s %14s %14s %8s %12s %12s\n' notes base new new/base "base/note" "new/note"
prev_b=0 prev_n=0 prev_c=0
for n in 10 100 1000 10000; do
	cadence_of "$n" >"$tmp/b$n.cadence.yaml"
	b=$(instructions "$base" base "$tmp/b$n.cadence.yaml")
	c=$(instructions "$new" new "$tmp/b$n.cadence.yaml")
	# per note: the growth from the size before, so start-up does not count
	if [ "$prev_n" -gt 0 ]; then
		pb=$(( (b - prev_b) / (n - prev_n) )) pc=$(( (c - prev_c) / (n - prev_n) ))
	else
		pb=- pc=-
	fi
	printf '%8d %14d %14d %8s %12s %12s\n' "$n" "$b" "$c" \
		"$(awk -v a="$c" -v b="$b" 'BEGIN { printf "%.3f", a / b }')" "$pb" "$pc"
	prev_b=$b prev_n=$n prev_c=$c
done
