#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence new cadence|note: files that validate and run, the YAML of a note
# with its policies, --into edits that leave the rest of the file alone
# (or refuse with a reason), bad names and values, --dry-run.
source "$(dirname "$0")/lib.sh"
unset CADENCE_TEMPLATES

p=$tmp/p
mkdir -p "$p/cadences" "$p/notes"
cd "$p" || exit 1

# --- new cadence ---------------------------------------------------------------
run "$cadence" new cadence billing
expect "new cadence goes into cadences/" 0 '^created cadences/billing.cadence.yaml$'
run "$cadence" validate --strict cadences/billing.cadence.yaml
expect "the new cadence validates without warnings" 0 'no problems'
run "$cadence" new cadence billing
expect "new cadence refuses an existing file" 1 '' 'cadences/billing.cadence.yaml: already exists'
run "$cadence" new cadence billing --force
expect "... and replaces it with --force" 0 '^replaced cadences/billing.cadence.yaml$'
run "$cadence" new cadence yes --dir "$tmp"
expect "new cadence --dir" 0 "created $tmp/yes.cadence.yaml"
assert "a name YAML would read as a boolean is quoted" grep -q '^cadence: "yes"$' "$tmp/yes.cadence.yaml"
run "$cadence" validate "$tmp/yes.cadence.yaml"
expect "... and validates" 0 'no problems'
run "$cadence" new cadence
expect "new cadence needs a NAME" 2 '' 'takes one NAME'
run "$cadence" new cadence bad-name
expect "new cadence checks the name" 2 '' "try 'bad_name'"
run "$cadence" new cadence billing.cadence.yaml
expect "a file name is turned into a name" 2 '' "try 'billing'"
run "$cadence" new
expect "new needs cadence or note" 2 '' 'usage: cadence new'
run "$cadence" new page x
expect "new knows what it makes" 2 '' "makes a 'cadence' or a 'note', not 'page'"
run "$cadence" new --help
expect "new --help" 0 'cadence new note NAME'
run "$cadence" new note --help
expect "new note --help" 0 '^usage: cadence new note NAME'
run "$cadence" new note x --frce
expect "a misspelt option" 2 '' "did you mean '--force'"

# --- new note: sh -------------------------------------------------------------------
run "$cadence" new note charge --retry 3 --timeout 30s --reads order_id --writes status,total \
	--fallback '{"status": "payment_pending", "total": 0}'
expect "new note writes notes/NAME.sh" 0 '^created notes/charge.sh$'
assert "the note is executable" test -x notes/charge.sh
assert "the snippet declares the note with its policies" grep -qzF \
'  charge:
    run: [../notes/charge.sh]
    reads: [order_id]
    writes: [status, total]
    retry: {attempts: 3}
    timeout: 30s
    fallback: {status: payment_pending, total: 0}' <<<"$out"
run sh -c 'echo "{\"order_id\": \"o1\"}" | notes/charge.sh'
expect "the sh note runs" 0
assert "... and prints a JSON object of the fields it writes" python3 -c '
import json, sys
v = json.loads(sys.argv[1])
assert sorted(v) == ["status", "total"], v' "$out"
run "$cadence" new note charge
expect "an existing note file is refused" 1 '' 'notes/charge.sh: already exists'
run "$cadence" new note helper --dir "$tmp/elsewhere" --dry-run
expect "--dry-run shows the file and the YAML" 0 "would create $tmp/elsewhere/helper.sh"
assert "--dry-run writes nothing" test ! -e "$tmp/elsewhere"

# --- bad values -----------------------------------------------------------------------
for bad in "--retry 0|1 to 1000" "--retry x|1 to 1000" "--timeout 30|--timeout '30'" \
	"--timeout 0s|longer than 0" "--fallback {|is not JSON at line 1, column 1" "--fallback [1]|must be a JSON object" \
	'--fallback {"bad-key":1}|invalid --fallback field name' "--reads a,b-c|invalid --reads field name 'b-c'" \
	"--writes a,a|names 'a' twice" "--reads a,,b|--reads: name 2 of the list is empty; separate the names with one comma" \
	"--writes a,|--writes: name 2 of the list is empty" "--lang py|sh, c" "--lang c --dir notes int|C keyword; try 'int_note'" \
	"--lang c cadence_x|belong to the libraries"; do
	args=${bad%%|*} pat=${bad#*|}
	# (for the int and cadence_x cases this run is "takes one NAME, not
	# several"; under valgrind in the int case, in the cadence_x case it
	# takes that path again: the binary itself)
	c=$cadence
	[[ $bad != *" cadence_x|"* ]] || c=$cadence_again
	# shellcheck disable=SC2086 # the arguments are split on purpose
	run "$c" new note ok $args
	[[ $args == *" int" || $args == *" cadence_x" ]] && run "$cadence" new note ${args##* } ${args% *}
	expect "new note $args is a usage error" 2 '' "$pat"
done
assert "nothing was written for bad values" test ! -e notes/ok.sh -a ! -e notes/int.c

# --- --into ----------------------------------------------------------------------------
cat >cadences/shop.cadence.yaml <<'YAML'
# the shop: comments, quoting and order must survive an edit
cadence: shop
score:
  order_id: {type: string, required: true}   # the caller's
  status:   {type: string, default: 'new'}
  total:    {type: number, default: 0}
  paid:     {type: boolean, default: false}

notes:
  price:
    set: {total: '1 + 1'}      # computed

  # more notes go here

# the measures
measures:
  - then: price
YAML
cp cadences/shop.cadence.yaml "$tmp/shop.before"
run "$cadence" new note pay --writes status,paid --reads order_id --retry 2 --into cadences/shop.cadence.yaml
expect "--into adds the note" 0 "added note 'pay' to cadences/shop.cadence.yaml, line 14"
run diff "$tmp/shop.before" cadences/shop.cadence.yaml
assert "--into only adds the note's lines, after the last note and its comment" test "$out" = "13a14,18
>   pay:
>     run: [../notes/pay.sh]
>     reads: [order_id]
>     writes: [status, paid]
>     retry: {attempts: 2}"
run "$cadence" validate cadences/shop.cadence.yaml
expect "the cadence still validates (the new note is merely unused)" 0 'unused-note'
run sh -c 'echo "{}" | notes/pay.sh'
assert "the note's output has values of the declared types" test "$out" = '{"status": "", "paid": false}'

cp cadences/shop.cadence.yaml "$tmp/shop.before"
run "$cadence" new note pay --into cadences/shop.cadence.yaml --force
expect "--into refuses a note that exists" 1 '' "already has a note 'pay' \\(line 14\\)"
run "$cadence" new note audit --writes nothing_declared --into cadences/shop.cadence.yaml
expect "--into refuses a note that would make the file invalid" 1 '' "would have the errors above"
assert "... shows why" grep -q 'undeclared-field' <<<"$err"
assert "... and writes neither file" test ! -e notes/audit.sh
assert "... leaving the cadence as it was" cmp -s "$tmp/shop.before" cadences/shop.cadence.yaml
run "$cadence" new note audit --into cadences/shop.cadence.yaml --dry-run
expect "--into --dry-run" 0 "would update cadences/shop.cadence.yaml"
assert "... changes nothing" cmp -s "$tmp/shop.before" cadences/shop.cadence.yaml

printf 'cadence: flow\nnotes: {a: {symbol: a}}\nmeasures:\n  - then: a\n' >"$tmp/flow.cadence.yaml"
run "$cadence" new note b --into "$tmp/flow.cadence.yaml" --dir "$tmp"
expect "--into refuses a flow-style notes:" 1 '' 'is a flow mapping'
printf 'cadence: broken\nmeasures:\n  - then: nope\n' >"$tmp/broken.cadence.yaml"
run "$cadence" new note b --into "$tmp/broken.cadence.yaml" --dir "$tmp"
expect "--into refuses a file with errors" 1 '' 'the file has errors'
assert "... and shows them" grep -q 'undefined-note' <<<"$err"
run "$cadence" new note b --into "$tmp/missing.cadence.yaml" --dir "$tmp"
expect "--into a missing file" 1 '' 'cannot read it'
assert "nothing was written for the refusals" test ! -e "$tmp/b.sh"

# CRLF line ends are kept (a file without notes: gets one: test_scaffold)
printf 'cadence: bare\r\nscore:\r\n  x: {type: string, default: ""}\r\nnotes:\r\n  a: {symbol: a}\r\nmeasures:\r\n  - then: a\r\n' >"$tmp/bare.cadence.yaml"
run "$cadence" new note b --lang c --writes x --into "$tmp/bare.cadence.yaml" --dir "$tmp"
expect "--into a CRLF file, --lang c" 0 'symbol: b'
assert "the added lines end in CRLF too" grep -q $'^  b:\r$' "$tmp/bare.cadence.yaml"
assert "the C note sets x to a string" grep -q 'cJSON_AddStringToObject(out, "x", "")' "$tmp/b.c"
run "$cadence" validate "$tmp/bare.cadence.yaml"
expect "... and it validates" 0

# run: paths are relative to the cadence file
mkdir -p "$tmp/deep/flows" "$tmp/deep/bin"
printf 'cadence: deep\nnotes:\n  a: {symbol: a}\nmeasures:\n  - then: a\n' >"$tmp/deep/flows/d.cadence.yaml"
run "$cadence" new note step --dir "$tmp/deep/bin" --into "$tmp/deep/flows/d.cadence.yaml"
expect "--into with --dir elsewhere" 0 'run: \[../bin/step.sh\]'
run "$cadence" validate --strict "$tmp/deep/flows/d.cadence.yaml"
expect "... the run path resolves (no run-not-found)" 1 'unused-note'
assert "... only the unused note is reported" bash -c "! grep -q run-not-found <<<\"\$1\"" _ "$out"

# --- the C note compiles (against the headers in the source tree; the
# installed library is tested in install.sh) ------------------------------------------
run "$cadence" new note price_c --lang c --reads order_id --writes total,status --into cadences/shop.cadence.yaml
expect "new note --lang c --into" 0 'build the plugin'
assert "... and no make line where no Makefile builds notes/" bash -c "! grep -q 'make &&' <<<\"\$1\"" _ "$out"
run "${CC:-cc}" -std=c11 -Wall -Wextra -pedantic -Werror -fsyntax-only -I"$src/lib/include" notes/price_c.c
expect "the C note compiles with -Wall -Wextra -pedantic -Werror" 0
# --- --into checks the file as edited; --then and --after add the measure ---------
cat >cadences/flow.cadence.yaml <<'YAML'
cadence: flow
score:
  status: {type: string, default: ''}
notes:
  first: {set: {status: '"a"'}}
measures:
  - then: first
  # the measure is written before its note
  - then: fraud
YAML
cp cadences/flow.cadence.yaml "$tmp/flow.before"
run "$cadence" new note fraud --into cadences/flow.cadence.yaml
expect "--into takes a file whose only error is that the note is not defined" 0 \
	"added note 'fraud' to cadences/flow.cadence.yaml, line 6"
assert "... and says nothing of adding a measure: one runs it already" \
	bash -c '! grep -q "run it from measures" <<<"$1"' _ "$out"
run "$cadence" validate --strict cadences/flow.cadence.yaml
expect "... which then validates without a warning" 0 'no problems'

cp "$tmp/flow.before" cadences/flow.cadence.yaml
run "$cadence" new note other --into cadences/flow.cadence.yaml --dir "$tmp/n1"
expect "errors the edit does not fix refuse it" 1 '' \
	"the file has errors \\(above\\) that adding note 'other' does not fix"
assert "... showing them" grep -q "note 'fraud' is not defined \\[undefined-note\\]" <<<"$err"
assert "... and writing nothing" cmp -s "$tmp/flow.before" cadences/flow.cadence.yaml
assert "... not even the note" test ! -e "$tmp/n1/other.sh"
run "$cadence" new note fraud --writes nope --into cadences/flow.cadence.yaml --dir "$tmp/n1"
expect "an error the edit brings refuses it" 1 '' "with note 'fraud', .* would have the errors above \\(declare"
assert "... showing only that one, not the undefined note it fixes" \
	bash -c 'grep -q undeclared-field <<<"$1" && ! grep -q undefined-note <<<"$1"' _ "$err"
assert "... writing nothing" cmp -s "$tmp/flow.before" cadences/flow.cadence.yaml

# --then: the measure appended, at the file's indentation
cp "$tmp/shop.before" cadences/shop.cadence.yaml
run "$cadence" new note ship --into cadences/shop.cadence.yaml --then
expect "--then adds the measure too" 0 "and the measure '- then: ship' to its measures:, line 25"
run diff "$tmp/shop.before" cadences/shop.cadence.yaml
assert "... after the last measure, the note after the last note" test "$out" = "18a19,20
>   ship:
>     run: [../notes/ship.sh]
22a25
>   - then: ship"
run "$cadence" validate --strict cadences/shop.cadence.yaml
expect "... so the new note is not unused" 1 ''
assert "... (no unused-note for it)" bash -c '! grep -q "ship.*unused-note\|unused-note.*ship" <<<"$1"' _ "$out"
# --after MEASURE: right after that measure; the note's line moves with
# it when measures: comes first
printf 'cadence: up\nmeasures:\n  - then: a\n  - then: b\nnotes:\n  a: {set: {}}\n  b: {set: {}}\n' \
	>"$tmp/up.cadence.yaml"
run "$cadence" new note mid --into "$tmp/up.cadence.yaml" --after a --dir "$tmp/n2"
expect "--after MEASURE" 0 "added note 'mid' to $tmp/up.cadence.yaml, line 9:"
assert "... names the measure's line" grep -q "to its measures:, line 4" <<<"$out"
assert "... inserted after that measure" grep -qzF $'  - then: a\n  - then: mid\n  - then: b\n' \
	"$tmp/up.cadence.yaml"
run "$cadence" validate --strict "$tmp/up.cadence.yaml"
expect "... and the file validates" 0
cp "$tmp/up.cadence.yaml" "$tmp/up.before"
run "$cadence" new note late --into "$tmp/up.cadence.yaml" --after mdi --dir "$tmp/n2"
expect "--after a measure that does not exist" 2 '' \
	"--after mdi: .* has no measure named 'mdi'; did you mean 'mid'\\? its measures are: a, mid, b"
run "$cadence" new note late --into "$tmp/up.cadence.yaml" --then --dir "$tmp/n2" --dry-run
expect "--then --dry-run" 0 "would add note 'late'"
assert "... writes nothing" cmp -s "$tmp/up.before" "$tmp/up.cadence.yaml"
assert "... nor the note" test ! -e "$tmp/n2/late.sh"
run "$cadence" new note mid2 --into "$tmp/up.cadence.yaml" --after mid --dir "$tmp/n2" --then
expect "--then with --after: --after says where" 0 "to its measures:, line 5"
for bad in "--then" "--after a"; do
	# shellcheck disable=SC2086 # the arguments are split on purpose
	run "$cadence" new note lonely $bad
	expect "new note $bad without --into" 2 '' "${bad%% *} adds the measure to a cadence file: give --into"
done
run "$cadence" new note lonely --into - <cadences/shop.cadence.yaml
expect "new note --into -" 2 '' "^cadence: error: --into edits a cadence file in place, which standard input \('-'\) cannot be: give the file's path$"
assert "... writing nothing" test ! -e notes/lonely.sh
printf 'cadence: dup\nnotes:\n  a: {set: {}}\nmeasures:\n  - then: a\n  - then: b\n' >"$tmp/dup.cadence.yaml"
cp "$tmp/dup.cadence.yaml" "$tmp/dup.before"
run "$cadence" new note b --into "$tmp/dup.cadence.yaml" --then --dir "$tmp/n3"
expect "--then where a measure of that name exists" 1 '' "with note 'b' and its measure, .* would have the errors above; nothing"
assert "... says why" grep -q duplicate-measure <<<"$err"
assert "... and writes nothing" cmp -s "$tmp/dup.before" "$tmp/dup.cadence.yaml"
assert "... nor the note" test ! -e "$tmp/n3/b.sh"
printf 'cadence: fl\nnotes:\n  a: {set: {}}\nmeasures: [{then: a}]\n' >"$tmp/fl.cadence.yaml"
run "$cadence" new note b --into "$tmp/fl.cadence.yaml" --then --dir "$tmp/n3"
expect "--then into a flow-style measures:" 1 '' \
	"cannot add the measure of note 'b' to .*: 'measures:' on line 4 is not a block list"
printf 'cadence: none\nnotes:\n  a: {set: {}}\n' >"$tmp/none.cadence.yaml"
run "$cadence" new note b --into "$tmp/none.cadence.yaml" --then --dir "$tmp/n3"
expect "--then into a file without measures: (the error it fixes)" 0 "to its measures:, line 7"
assert "... adds measures: at the end" grep -qzF $'measures:\n  - then: b\n' "$tmp/none.cadence.yaml"

# --- paths resolve from the project root, wherever the command runs ---------------
run "$cadence" init "$tmp/proj" --name proj
expect "a project for the paths" 0
run_in "$tmp/proj/cadences" "$cadence" new note fraud --into proj.cadence.yaml --then
expect "new note from cadences/ writes the project's notes/" 0 '^created \.\./notes/fraud\.sh$'
assert "... there, not in cadences/" test -x "$tmp/proj/notes/fraud.sh" -a ! -e "$tmp/proj/cadences/fraud.sh"
assert "... its run: path relative to the cadence file" grep -q 'run: \[\.\./notes/fraud\.sh\]' <<<"$out"
run "$cadence" validate --strict "$tmp/proj/cadences"
expect "... and the project validates" 0 'no problems'
mkdir -p "$tmp/proj/notes/deep"
run_in "$tmp/proj/notes/deep" "$cadence" new note helper
expect "new note from a directory below notes/" 0 '^created \.\./helper\.sh$'
assert "... run: relative to cadences/" grep -q 'run: \[\.\./notes/helper\.sh\]' <<<"$out"
run_in "$tmp/proj/notes" "$cadence" new cadence billing
expect "new cadence from notes/ writes the project's cadences/" 0 '^created \.\./cadences/billing\.cadence\.yaml$'
printf 'cadences: [flows]\n' >"$tmp/proj/cadence.project.yaml"
mkdir -p "$tmp/proj/flows"
run_in "$tmp/proj/notes" "$cadence" new cadence second
expect "new cadence goes where the project's cadences setting says" 0 '^created \.\./flows/second\.cadence\.yaml$'
run_in "$tmp/proj/notes" "$cadence" new note third --dry-run
assert "... and run: paths are relative to it" grep -q 'run: \[\.\./notes/third\.sh\]' <<<"$out"
rm "$tmp/proj/cadence.project.yaml"
mkdir -p "$tmp/proj/.git"
run_in "$tmp/proj/cadences" "$cadence" new note laid_out --dry-run
expect "without a project file, init's layout (cadences/, notes/) below .git" 0 '^would create \.\./notes/laid_out\.sh$'
rmdir "$tmp/proj/notes/deep"
mkdir -p "$tmp/bare/sub"
run_in "$tmp/bare/sub" "$cadence" new note alone --dry-run
expect "no project: here, as before" 0 '^would create alone\.sh$'
printf 'format: nope\n' >"$tmp/bare/cadence.project.yaml"
run_in "$tmp/bare/sub" "$cadence" new note alone --dry-run
expect "a broken project file is reported" 2 '' 'format'
rm "$tmp/bare/cadence.project.yaml"

run "$cadence" help new note
expect "help new note: the subcommand's help" 0 '^usage: cadence new note NAME'
# (under valgrind, help new cadence takes the path of help new note just
# above, help new that of memcheck/cli/diagram's help diagram, printing
# the help new --help printed above: the binary itself)
run "$cadence_again" help new cadence
expect "help new cadence" 0 '^usage: cadence new cadence NAME'
run "$cadence_again" help new
expect "help new" 0 '^usage: cadence new cadence\|note'
finish
