#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Every header's include guard is derived from its path, so two headers can
# never share one: lib/include/cadence/run.h -> CADENCE_RUN_H,
# lib/src/diag/report.h -> CADENCE_SRC_DIAG_REPORT_H, cli/run.h ->
# CADENCE_CLI_RUN_H.  Lists the headers whose guard is not that and exits 1;
# --fix rewrites them.  Exits 77 (skipped) outside a git checkout.
set -eu
cd "$(dirname "$0")/.."
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || {
	echo "check-guards: not a git checkout, skipped" >&2
	exit 77
}
bad=0
n=0
for f in $(git ls-files -- '*.h'); do
	[ -f "$f" ] || continue
	n=$((n + 1))
	want=CADENCE_$(printf '%s' "$f" | sed -e 's|^lib/include/cadence/||' -e 's|^lib/||' |
		tr 'a-z/.-' 'A-Z___')
	have=$(sed -n 's/^#ifndef \([A-Z0-9_]*\)$/\1/p' "$f" | head -n 1)
	[ "$have" = "$want" ] && continue
	if [ "${1:-}" = --fix ] && [ -n "$have" ]; then
		sed -i -e "s/\\b$have\\b/$want/g" "$f"
		echo "check-guards: $f: $have -> $want"
		continue
	fi
	echo "check-guards: $f: include guard '${have:-none}', expected '$want'" >&2
	bad=$((bad + 1))
done
if [ "$bad" -ne 0 ]; then
	echo "check-guards: $bad of $n headers; scripts/check-guards.sh --fix renames them" >&2
	exit 1
fi
echo "check-guards: $n headers, each guarded by its path"
