#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 14, low items: what notes write reaches the terminal clean, and a
# script saved with CR LF line endings is named as such.
# - U+009B (CSI in one character) and U+202E (right-to-left override) in a
#   note's stderr are shown as '?' in the text log, as C0 controls are, and
#   as \u escapes in the JSON log (the same JSON value).
# - A `run` script whose '#!' line ends in CR LF: validate warns
#   (run-crlf-shebang; its golden fixture shows the text), and run says why
#   the note cannot start instead of "No such file or directory (looked
#   for ...)".
source "$(dirname "$0")/lib.sh"

mkdir -p "$tmp/notes"
cat >"$tmp/notes/loud.sh" <<'EOF'
#!/bin/sh
printf 'a\302\233[31mred\342\200\256evil\342\201\247x\033[0m\n' >&2
echo '{}'
EOF
chmod +x "$tmp/notes/loud.sh"
printf 'cadence: loud\nnotes:\n  a: {run: [./notes/loud.sh]}\nmeasures:\n  - then: a\n' \
	>"$tmp/loud.cadence.yaml"

run "$cadence" run "$tmp/loud.cadence.yaml"
expect "issue 14: a note's stderr line is logged" 0 "" '^\[a\] a\?\[31mred\?evil\?x\?\[0m$'
assert "issue 14: no C1 control (U+009B) reaches the terminal" \
	bash -c '! grep -q $'"'"'\xc2\x9b'"'"' "$1"' _ "$tmp/.err"
assert "issue 14: no bidirectional override (U+202E, U+2067) reaches the terminal" \
	bash -c '! grep -qE $'"'"'\xe2\x80\xae|\xe2\x81\xa7'"'"' "$1"' _ "$tmp/.err"

run "$cadence" run --log json "$tmp/loud.cadence.yaml"
expect "issue 14: the JSON log escapes them" 0 "" '"line":"a\\u009b\[31mred\\u202eevil\\u2067x\\u001b\[0m"'
assert "issue 14: ... and is the same JSON value" python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
want = "a\u009b[31mred\u202eevil\u2067x\u001b[0m"
assert any(l.get("line") == want for l in lines), lines' "$tmp/.err"
assert "issue 14: no raw C1 or override in the JSON log" \
	bash -c '! grep -qE $'"'"'\xc2\x9b|\xe2\x80\xae'"'"' "$1"' _ "$tmp/.err"

# A cadence file quoting them: the diagnostics show U+FFFD instead.
printf 'cadence: q\nnotes:\n  a: {symbol: a}\n  b: {symbol: b, description: "x\xe2\x80\xaey"}\nmeasures:\n  - then: a\n' \
	>"$tmp/bidi.cadence.yaml"
run "$cadence" validate --color=never "$tmp/bidi.cadence.yaml"
expect "issue 14: validate quotes a line with U+202E as U+FFFD" 0 'description: "x�y"'

# --- CR LF on the '#!' line -----------------------------------------------------------
printf '#!/bin/sh\r\necho "{}"\r\n' >"$tmp/notes/crlf.sh"
chmod +x "$tmp/notes/crlf.sh"
printf 'cadence: crlf\nnotes:\n  a: {run: [./notes/crlf.sh]}\nmeasures:\n  - then: a\n' \
	>"$tmp/crlf.cadence.yaml"
run "$cadence" validate --color=never "$tmp/crlf.cadence.yaml"
expect "issue 14: validate warns about a CR LF '#!' line [run-crlf-shebang]" 0 \
	"warning: note 'a' runs './notes/crlf.sh', whose '#!' line ends in CR LF .*\[run-crlf-shebang\]"
run "$cadence" validate --strict --color=never "$tmp/crlf.cadence.yaml"
expect "issue 14: ... which --strict makes a failure" 1 "\[run-crlf-shebang\]"
if [[ -z ${CADENCE_TEST_VALGRIND:-} ]]; then
	run "$cadence" run "$tmp/crlf.cadence.yaml"
	expect "issue 14: run says the '#!' line ends in CR LF" 1 "" \
		"cannot run './notes/crlf.sh': No such file or directory \(its '#!' line ends in CR LF, so its interpreter is not found: save it with LF line endings\)"
else
	# valgrind follows the note's exec, and dies when that exec fails
	skip "run of a CR LF script under valgrind" "it cannot survive a failed exec"
fi
printf '#!/bin/sh\necho "{}"\r\n' >"$tmp/notes/crlf.sh"
run "$cadence" validate --color=never "$tmp/crlf.cadence.yaml"
expect "issue 14: CR LF after the '#!' line is not this rule's business" 0 "no problems"

finish
