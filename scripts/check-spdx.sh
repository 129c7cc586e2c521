#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Every source file of cadence carries an SPDX licence line in its first
# three lines (LICENSE is the MIT licence).  Lists the files that do not and
# exits 1; exits 77 (skipped) outside a git checkout.
#
#   scripts/check-spdx.sh [--list]     --list: print the files checked
#
# Not checked: templates/ (what `cadence init` and `new` write is the
# user's, under the user's licence) and test data (tests/golden, tests/data,
# fuzz seeds), which are inputs compared byte for byte.
set -eu
cd "$(dirname "$0")/.."
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || {
	echo "check-spdx: not a git checkout, skipped" >&2
	exit 77
}
files=$(git ls-files -- '*.c' '*.h' '*.sh' '*.py' '*.mjs' '*.cmake' '*.in' \
	'*.scd' '*CMakeLists.txt' '.ci/run' |
	grep -v -e '^templates/' -e '^tests/golden/' -e '^tests/data/' -e '^fuzz/seeds/')
if [ "${1:-}" = --list ]; then
	printf '%s\n' "$files"
	exit 0
fi
# one awk for all the files (a process per file took seconds)
present=
for f in $files; do
	[ -f "$f" ] && present="$present $f"
done
# shellcheck disable=SC2086 # the names have no blanks (git ls-files above)
lacking=$(awk 'FNR <= 3 && /SPDX-License-Identifier: MIT/ { ok[FILENAME] = 1 }
	FNR >= 3 { nextfile }
	END { for (i = 1; i < ARGC; i++) if (!(ARGV[i] in ok)) print ARGV[i] }' $present)
missing=0
for f in $lacking; do
	echo "check-spdx: $f: no 'SPDX-License-Identifier: MIT' in its first 3 lines" >&2
	missing=$((missing + 1))
done
n=$(printf '%s\n' "$files" | wc -l)
if [ "$missing" -ne 0 ]; then
	echo "check-spdx: $missing of $n files lack the SPDX line; add it as the first line (after a #! line)" >&2
	exit 1
fi
echo "check-spdx: $n files, each with its SPDX line"
