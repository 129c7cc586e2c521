#!/bin/sh
# Golden test: validates one fixture and compares the text output and the
# exit status with the recorded ones.
#   run.sh CADENCE FIXTURE_DIR NAME
# NAME.cadence.yaml is the input, NAME.expected the exact output, and
# NAME.status the exit status when it is not 1.  With UPDATE=1 the recorded
# output is rewritten instead (review the diff before committing it).
set -u
cadence=$1 dir=$2 name=$3
cd "$dir" || exit 2

want_status=1
[ -f "$name.status" ] && want_status=$(cat "$name.status")

out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT
NO_COLOR= "$cadence" validate --color=never --format text "$name.cadence.yaml" >"$out" 2>&1
status=$?

if [ "${UPDATE:-}" = 1 ]; then
	cp "$out" "$name.expected"
	[ "$status" = 1 ] || echo "$status" >"$name.status"
	echo "updated $name.expected (exit $status)"
	exit 0
fi
fail=0
if ! diff -u "$name.expected" "$out"; then
	echo "FAIL: $name: output differs from $name.expected (- expected, + actual)"
	fail=1
fi
if [ "$status" != "$want_status" ]; then
	echo "FAIL: $name: exit status $status, expected $want_status"
	fail=1
fi
[ $fail = 0 ] && echo "ok: $name"
exit $fail
