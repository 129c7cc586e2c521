#!/bin/sh
# The tests of this project: the C notes build, the cadences validate,
# each note answers as expected, and the sample cadence runs to the
# expected score.  Exits non-zero when a test fails.  Uses the `cadence`
# on PATH, or $CADENCE, and `make` (or $MAKE) when there are C notes.
#
# Running the sample needs `cadence run`; with a cadence that does not have
# it yet, the sample is validated and its notes are tested one by one.
set -eu
cd "$(dirname "$0")/.."
cadence=${CADENCE:-cadence}
sample={{sample|sh}}
fails=0

ok() { echo "ok - $1"; }
not_ok() {
	echo "FAIL - $1"
	fails=$((fails + 1))
}

# expect DESCRIPTION FIELD VALUE JSON: JSON has "FIELD": VALUE
expect() {
	if printf '%s' "$4" | tr -d '\n' |
		grep -Eq "\"$2\"[[:space:]]*:[[:space:]]*$3[[:space:]]*[,}]"; then
		ok "$1"
	else
		not_ok "$1: expected \"$2\": $3 in: $4"
	fi
}

# The C notes, notes/*.c: make builds each into a plugin (Makefile),
# build/plugins/NAME.so, and the runs below load them all with --plugin.
# A project without C notes builds and loads nothing.
set --
for c in notes/*.c; do
	[ -e "$c" ] || continue
	c=${c#notes/}
	set -- "$@" --plugin "build/plugins/${c%.c}.so"
done
if [ $# -gt 0 ]; then
	if ${MAKE:-make} -s; then
		ok "the C notes build"
	else
		not_ok "the C notes build (make)"
	fi
fi

if "$cadence" validate --quiet cadences/; then
	ok "the cadences validate"
else
	not_ok "the cadences validate"
fi

out=$(printf '%s' '{"name": "cadence", "greeting": "", "length": 0}' | notes/greet.sh)
expect "greet greets" greeting '"Hello, cadence!"' "$out"
out=$(printf '%s' '{"name": "cadence", "greeting": "Hello, cadence!", "length": 0}' | notes/count.sh)
expect "count counts" length 15 "$out"

if "$cadence" run --help >/dev/null 2>&1; then
	if out=$("$cadence" run "$@" "$sample" --score '{"name": "cadence"}'); then
		expect "the sample greets" greeting '"Hello, cadence!"' "$out"
		expect "the sample counts" length 15 "$out"
	else
		not_ok "cadence run${*:+ $*} $sample"
	fi
else
	echo "skip - running the sample: this cadence has no 'cadence run' yet"
fi

if [ "$fails" -ne 0 ]; then
	echo "$fails failed"
	exit 1
fi
echo "all passed"
