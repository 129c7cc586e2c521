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
headers=
for f in $(git ls-files -- '*.h'); do
	[ -f "$f" ] || continue
	n=$((n + 1))
	headers="$headers $f"
done
# one awk for all the headers: "FILE HAVE WANT" for each whose guard (its
# first #ifndef) is not CADENCE_ and its path (a process per file took
# seconds)
# shellcheck disable=SC2086 # the names have no blanks (git ls-files above)
wrong=$(awk 'function want(f) {
		sub(/^lib\/include\/cadence\//, "", f); sub(/^lib\//, "", f)
		f = toupper(f); gsub(/[\/.-]/, "_", f)
		return "CADENCE_" f
	}
	FNR == 1 { have[FILENAME] = "" }
	/^#ifndef [A-Z0-9_]*$/ && have[FILENAME] == "" { have[FILENAME] = $2; nextfile }
	END {
		for (i = 1; i < ARGC; i++) {
			f = ARGV[i]; w = want(f)
			if (have[f] != w) print f, (have[f] == "" ? "-" : have[f]), w
		}
	}' $headers)
while read -r f have want; do
	[ -n "$f" ] || continue
	[ "$have" = - ] && have=
	if [ "${1:-}" = --fix ] && [ -n "$have" ]; then
		sed -i -e "s/\\b$have\\b/$want/g" "$f"
		echo "check-guards: $f: $have -> $want"
		continue
	fi
	echo "check-guards: $f: include guard '${have:-none}', expected '$want'" >&2
	bad=$((bad + 1))
done <<EOF
$wrong
EOF
if [ "$bad" -ne 0 ]; then
	echo "check-guards: $bad of $n headers; scripts/check-guards.sh --fix renames them" >&2
	exit 1
fi
echo "check-guards: $n headers, each guarded by its path"
