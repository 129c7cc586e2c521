#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Golden test: validates one fixture and compares the text output and the
# exit status with the recorded ones.
#   run.sh CADENCE FIXTURE_DIR NAME
# NAME.cadence.yaml is the input, NAME.expected the exact output, and
# NAME.status the exit status when it is not 1.  With UPDATE=1 the recorded
# output is rewritten instead (review the diff before committing it).
# Results as every test script reports them (tests/cli/lib.sh).
dir=$2 name=$3
here=.
[[ $0 != */* ]] || here=${0%/*}
[[ $here == /* ]] || here=$PWD/$here
source "$here/../cli/lib.sh" "$1" "$here/../.."
cd "$dir" || exit 2

want_status=1
[[ -f $name.status ]] && read -r want_status <"$name.status"

status=0
NO_COLOR= "$cadence" validate --color=never --format text "$name.cadence.yaml" >"$tmp/out" 2>&1 || status=$?

if [[ ${UPDATE:-} == 1 ]]; then
	cp "$tmp/out" "$name.expected"
	[[ $status == 1 ]] || echo "$status" >"$name.status"
	echo "updated $name.expected (exit $status)"
	exit 0
fi
# same A B: the files hold the same bytes, compared by bash (a diff for
# each of the ~80 fixtures cost a process); a NUL byte, where bash's read
# stops, is not the same: diff then decides, and shows the difference
same() {
	local a b
	IFS= read -r -d '' a <"$1" && return 1
	IFS= read -r -d '' b <"$2" && return 1
	[[ $a == "$b" ]]
}
out= err=
if same "$name.expected" "$tmp/out" || diff -u "$name.expected" "$tmp/out"; then
	ok "$name: the output is $name.expected"
else
	out=$(<"$tmp/out")
	fail "$name: the output differs from $name.expected (- expected, + actual)"
fi
if [[ $status == "$want_status" ]]; then ok "$name: exit $want_status"; else
	fail "$name: exit $status, expected $want_status"; fi
finish
