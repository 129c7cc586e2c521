#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence validate: arguments, inputs, output formats, colour, exit codes.
source "$(dirname "$0")/lib.sh"
fx=$src/tests/golden/fixtures

good='cadence: good
score:
  n: {type: integer, default: 0}
notes:
  bump:
    set: {n: "score.n + 1"}
measures:
  - then: bump
'
printf '%s' "$good" >"$tmp/good.cadence.yaml"

# --- help and version ---------------------------------------------------
# (memcheck/cli/cli_doc runs `--help` and `validate --help` under valgrind,
# memcheck/cli/version `--version` and `version`; `help validate` stays here)
run "$cadence_again" --help
expect "--help" 0 '^usage: cadence'
run "$cadence_again" validate --help
expect "validate --help" 0 '^usage: cadence validate'
help1=$out
run "$cadence" help validate
expect "help validate" 0 '^usage: cadence validate'
assert "help validate == validate --help" test "$out" = "$help1"
run "$cadence_again" --version
expect "--version" 0 '^cadence [0-9]+\.[0-9]+\.[0-9]+$'
run "$cadence_again" version
expect "version" 0 '^cadence [0-9]+\.[0-9]+\.[0-9]+$'

# --- usage errors: exit 2, a message on stderr, nothing on stdout ------------
run "$cadence"
expect "no command" 2 '' 'usage'
run "$cadence" valdate
expect "misspelt command" 2 '' "did you mean 'validate'"
run "$cadence" validate --frmat json "$tmp/good.cadence.yaml"
expect "unknown option" 2 '' "unknown option '--frmat'.*did you mean '--format'"
run "$cadence" validate --format xml "$tmp/good.cadence.yaml"
expect "bad --format value" 2 '' "text, oneline, json, sarif, github"
run "$cadence" validate --format
expect "--format without value" 2 '' "format"
run "$cadence" validate --color=sometimes "$tmp/good.cadence.yaml"
expect "bad --color value" 2 '' "always"
run "$cadence" validate "$tmp/missing.cadence.yaml"
expect "missing file" 2 '' "cannot read .*missing.cadence.yaml"
mkdir "$tmp/empty-dir"
run "$cadence" validate "$tmp/empty-dir"
expect "directory without cadence files" 2 '' "no \*\.cadence\.yaml files"
run "$cadence" validate - - </dev/null
expect "stdin twice" 2 '' "given twice"
assert "usage errors print nothing on stdout" test -z "$out"

# --- clean input ----------------------------------------------------------
run "$cadence" validate "$tmp/good.cadence.yaml"
expect "clean file" 0 '^checked 1 file: no problems$'
run "$cadence" validate -q "$tmp/good.cadence.yaml"
expect "clean file, --quiet" 0
assert "--quiet prints nothing" test -z "$out$err"
# ... but a machine format is a document a CI step reads or uploads (issue 21)
run "$cadence" validate -q --format json "$tmp/good.cadence.yaml"
expect "clean file, -q --format json: the document" 0 '"diagnostics":[[:space:]]*\[\]'
assert "... a whole JSON document" python3 -c 'import json, sys; json.loads(sys.argv[1])' "$out"
run "$cadence_again" validate -q --format sarif "$tmp/good.cadence.yaml"
expect "clean file, -q --format sarif: the document" 0 '"results":[[:space:]]*\[\]'
assert "... a whole SARIF document" python3 -c 'import json, sys; assert json.loads(sys.argv[1])["version"] == "2.1.0"' "$out"
run "$cadence_again" validate -q --format github "$tmp/good.cadence.yaml"
assert "clean file, -q --format github: nothing (workflow commands, one per problem)" test -z "$out$err"
run "$cadence" validate --stdin-filename x.cadence.yaml "$tmp/good.cadence.yaml"
expect "--stdin-filename without '-' among the paths is a usage error" 2 '' \
	"^cadence: error: --stdin-filename names standard input, which is not among the paths: add '-' \(cadence validate --stdin-filename x.cadence.yaml -\)$"
run "$cadence" validate "$src/examples"
expect "examples validate clean" 0 'no problems'

# --- warnings and --strict --------------------------------------------------
run "$cadence" validate "$fx/unused-note.cadence.yaml"
expect "warnings alone exit 0" 0 '0 errors, 1 warning'
run "$cadence" validate --strict "$fx/unused-note.cadence.yaml"
expect "--strict: warnings exit 1" 1 '\[unused-note\]'

# --- directories, order, default path --------------------------------------
mkdir -p "$tmp/tree/b" "$tmp/tree/a/deeper" "$tmp/tree/.hidden"
cp "$fx/bad-enum.cadence.yaml" "$tmp/tree/b/z.cadence.yaml"
cp "$fx/unknown-key.cadence.yaml" "$tmp/tree/a/deeper/y.cadence.yaml"
cp "$fx/missing-key.cadence.yaml" "$tmp/tree/a/x.cadence.yaml"
cp "$fx/yaml-syntax.cadence.yaml" "$tmp/tree/.hidden/h.cadence.yaml"
echo 'not: [a cadence' >"$tmp/tree/a/notes.yaml"
run_in "$tmp/tree" "$cadence" validate --format oneline
expect "no PATH means the current directory" 1
printf '%s\n' "$out" | cut -d: -f1 | uniq >"$tmp/order"
printf '%s\n' ./a/deeper/y.cadence.yaml ./a/x.cadence.yaml ./b/z.cadence.yaml >"$tmp/order.want" 2>/dev/null
# paths are printed as found; compare without a leading ./
sed 's|^\./||' "$tmp/order" >"$tmp/order.got"
sed 's|^\./||' "$tmp/order.want" >"$tmp/order.want2"
assert "files sorted by path, hidden directories and other files skipped" \
	cmp -s "$tmp/order.got" "$tmp/order.want2"
run "$cadence" validate --format oneline "$tmp/tree/b/z.cadence.yaml" "$tmp/tree/a/x.cadence.yaml"
expect "several files" 1
first=$(head -1 <<<"$out")
assert "diagnostics ordered by file then position" \
	grep -q "tree/a/x.cadence.yaml:3:6:" <<<"$first"
run "$cadence" validate "$tmp/tree/b" "$tmp/good.cadence.yaml"
expect "summary counts files" 1 '^checked 2 files: 2 errors, 0 warnings$'

# a dangling NAME.cadence.yaml in a walk is reported, not skipped; a FIFO
# of that name is skipped (opening it would block the walk)
mkdir -p "$tmp/dangling"
cp "$tmp/good.cadence.yaml" "$tmp/dangling/a.cadence.yaml"
ln -s "$tmp/nowhere.cadence.yaml" "$tmp/dangling/b.cadence.yaml"
mkfifo "$tmp/dangling/c.cadence.yaml"
run timeout 10 "$cadence" validate --format oneline "$tmp/dangling"
expect "a dangling cadence file in a directory is an error" 1 \
	'dangling/b\.cadence\.yaml: error: cannot read the file: No such file or directory'
assert "its rule is file-unreadable" grep -qF '[file-unreadable]' <<<"$out"
assert "the walk lists the good file, the dangling one, and not the FIFO" \
	test "$(grep -c . <<<"$out")" = 1

# --- standard input ---------------------------------------------------------
run "$cadence" validate - <"$fx/unknown-key.cadence.yaml"
expect "stdin is named <stdin>" 1 '^<stdin>:5:5: error: unknown key'
run "$cadence" validate --stdin-filename svc/x.cadence.yaml - <"$fx/unknown-key.cadence.yaml"
expect "--stdin-filename names stdin" 1 '^svc/x.cadence.yaml:5:5: error'
run "$cadence" validate - <"$tmp/good.cadence.yaml"
expect "clean stdin" 0 'no problems'

# --- formats ------------------------------------------------------------------
run "$cadence" validate --format oneline "$fx/many-problems.cadence.yaml"
expect "oneline" 1
assert "oneline: one line per problem, nothing else" \
	test "$(wc -l <<<"$out")" -eq 8 -a "$(grep -c '^/.*:[0-9]*:[0-9]*: error: .* \[[a-z-]*\]$' <<<"$out")" -eq 8

run "$cadence" validate -f json "$fx/many-problems.cadence.yaml" "$tmp/good.cadence.yaml"
expect "json" 1
printf '%s' "$out" >"$tmp/out.json"
assert "json: parses, every diagnostic has its fields, summary counts" python3 - "$tmp/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ds = d["diagnostics"]
assert len(ds) == 8, len(ds)
for x in ds:
    assert set(x) >= {"file", "line", "column", "length", "severity", "rule", "message"}, x
    assert x["severity"] == "error" and isinstance(x["line"], int)
assert ds[0]["line"] == 3 and ds[0]["column"] == 34 and ds[0]["rule"] == "wrong-type", ds[0]
assert d["summary"] == {"files": 2, "errors": 8, "warnings": 0, "notes": 0}, d["summary"]
PY
run "$cadence" validate -f json "$tmp/good.cadence.yaml"
expect "json, clean" 0 '"diagnostics":[[:space:]]*\[\]'

run "$cadence" validate -f github "$fx/yaml-duplicate-key.cadence.yaml"
expect "github" 1 "^::error file=.*yaml-duplicate-key.cadence.yaml,line=7,col=3,endColumn=4,title=yaml-duplicate-key::duplicate key 'a'"
# GitHub's escaping: % \r \n in the message; also , and : in properties
mkdir -p "$tmp/gh,dir:x"
printf 'cadence: x\nnotes:\n  a: {symbol: a}\nmeasures:\n  - then: a\n    "50%%,x:y": 1\n' >"$tmp/gh,dir:x/e.cadence.yaml"
run "$cadence" validate -f github "$tmp/gh,dir:x/e.cadence.yaml"
expect "github escaping" 1 "file=[^,]*gh%2Cdir%3Ax/e.cadence.yaml,line=6,col=5,endColumn=14,title=unknown-key::unknown key '50%25,x:y'"
GITHUB_ACTIONS=true run "$cadence" validate "$fx/bad-enum.cadence.yaml"
expect "GITHUB_ACTIONS=true selects github" 1 '^::error file='
GITHUB_ACTIONS=true run "$cadence" validate -f text "$fx/bad-enum.cadence.yaml"
expect "--format overrides GITHUB_ACTIONS" 1 '^/.*bad-enum.cadence.yaml:3:13: error'

# --- colour -------------------------------------------------------------------
esc=$'\033['
run "$cadence" validate "$fx/bad-enum.cadence.yaml"
assert "no colour when stdout is not a terminal" test "${out#*"$esc"}" = "$out"
run "$cadence" validate --color=always "$fx/bad-enum.cadence.yaml"
assert "--color=always colours" test "${out#*"$esc"}" != "$out"
NO_COLOR=1 run "$cadence" validate --color=always "$fx/bad-enum.cadence.yaml"
assert "--color=always wins over NO_COLOR" test "${out#*"$esc"}" != "$out"
if command -v script >/dev/null; then
	script -qec "$cadence validate $fx/bad-enum.cadence.yaml" /dev/null >"$tmp/tty.out" </dev/null || true
	assert "colour on a terminal" grep -qF "$esc" "$tmp/tty.out"
	NO_COLOR=1 script -qec "$cadence validate $fx/bad-enum.cadence.yaml" /dev/null >"$tmp/tty.out" </dev/null || true
	assert "NO_COLOR=1 turns colour off on a terminal" test "$(grep -cF "$esc" "$tmp/tty.out")" = 0
	NO_COLOR= script -qec "$cadence validate $fx/bad-enum.cadence.yaml" /dev/null >"$tmp/tty.out" </dev/null || true
	assert "an empty NO_COLOR does not" grep -qF "$esc" "$tmp/tty.out"
	script -qec "$cadence validate --color=never $fx/bad-enum.cadence.yaml" /dev/null >"$tmp/tty.out" </dev/null || true
	assert "--color=never on a terminal" test "$(grep -cF "$esc" "$tmp/tty.out")" = 0
fi

# --- limits and hostile input ------------------------------------------------
{ printf 'cadence: big\ndescription: "'; head -c 50000000 /dev/zero | tr '\0' a; printf '"\n'; } >"$tmp/big.cadence.yaml"
run "$cadence" validate "$tmp/big.cadence.yaml"
expect "50 MB file: clear error [file-too-large]" 1 'big.cadence.yaml: error: the file is 47.7 MiB; the limit is 16.0 MiB \[file-too-large\]'
run "$cadence" validate - <"$tmp/big.cadence.yaml"
expect "50 MB on stdin: clear error" 1 '<stdin>: error: the file is larger than the limit of 16.0 MiB \(16777216 bytes\) \[file-too-large\]'
{ printf 'cadence: big\n#'; head -c 16777203 /dev/zero | tr '\0' a; } >"$tmp/big.cadence.yaml"
assert "a file one byte over the limit" test "$(wc -c <"$tmp/big.cadence.yaml")" = 16777217
run "$cadence" validate "$tmp/big.cadence.yaml"
expect "one byte over: not '16.0 MiB; the limit is 16.0 MiB'" 1 'error: the file is larger than the limit of 16.0 MiB \(16777216 bytes\) \[file-too-large\]'
{ printf 'cadence: big\nnotes:\n  a: {symbol: a}\nmeasures:\n  - then: a\n#'; head -c 16777156 /dev/zero | tr '\0' a; } >"$tmp/big.cadence.yaml"
assert "a file of exactly the limit" test "$(wc -c <"$tmp/big.cadence.yaml")" = 16777216
run "$cadence" validate "$tmp/big.cadence.yaml"
expect "a file of exactly the limit is read (the passing case of file-too-large)" 0 '^checked 1 file: no problems$'
# an integer field holds at most 2^53 in size (as the run checks its input)
printf 'cadence: big\nscore:\n  n: {type: integer, default: 9007199254740992}\n  m: {type: integer, default: -9007199254740993}\nnotes:\n  a: {symbol: a}\nmeasures:\n  - then: a\n' >"$tmp/int.cadence.yaml"
run "$cadence" validate --format oneline "$tmp/int.cadence.yaml"
expect "an integer default beyond 2^53 is refused" 1 \
	"int.cadence.yaml:4:31: error: field 'm' is declared integer, but -9007199254740993 is more than 2\\^53 in size"
assert "... and 2^53 itself is not" test "$(grep -c error <<<"$out")" = 1
python3 -c "print('cadence: deep\nx: ' + '{a: '*10000 + '1' + '}'*10000)" >"$tmp/deep.cadence.yaml"
run "$cadence" validate "$tmp/deep.cadence.yaml"
expect "10,000 nested mappings" 1 'nested deeper than 64 levels \[yaml-depth\]'
python3 -c "print('cadence: deep\nx:\n' + '- '*10000 + '1')" >"$tmp/deep2.cadence.yaml"
run "$cadence" validate "$tmp/deep2.cadence.yaml"
expect "10,000 nested block sequences" 1 '\[yaml-depth\]'
head -c 4096 /dev/urandom >"$tmp/random.cadence.yaml"
run "$cadence" validate "$tmp/random.cadence.yaml"
expect "random bytes: an error, not a crash" 1 'error'
printf 'cadence: x\0y\n' >"$tmp/nul.cadence.yaml"
run "$cadence" validate "$tmp/nul.cadence.yaml"
expect "NUL byte" 1 '\[yaml-encoding\]'
printf '\xef\xbb\xbfcadence: bom\nnotes:\n  a: {symbol: a}\nmeasures:\n  - then: a\n' >"$tmp/bom.cadence.yaml"
run "$cadence" validate "$tmp/bom.cadence.yaml"
expect "a UTF-8 byte order mark is accepted" 0 'no problems'
printf 'cadence: crlf\r\nnotes:\r\n  a: {symbol: a}\r\nmeasures:\r\n  - then: a\r\n' >"$tmp/crlf.cadence.yaml"
run "$cadence" validate "$tmp/crlf.cadence.yaml"
expect "CRLF line ends are accepted" 0 'no problems'
printf 'cadence: "\\e[31mred"\n' >"$tmp/esc.cadence.yaml"
run "$cadence" validate "$tmp/esc.cadence.yaml"
assert "an escape in the file does not reach the terminal" test "${out#*$'\033'}" = "$out"
run "$cadence" validate -f json "$tmp/random.cadence.yaml"
printf '%s' "$out" >"$tmp/random.json"
assert "json output stays valid JSON for binary input" python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$tmp/random.json"

# --- issue 14 (low): an empty executable name ------------------------------------
printf 'cadence: e\nnotes:\n  a: {run: [""]}\n  b: {run: [./b.sh, ""]}\nmeasures:\n  - sync: s\n    notes: [a, b]\n' \
	>"$tmp/empty-run.cadence.yaml"
run "$cadence" validate --color=never "$tmp/empty-run.cadence.yaml"
expect "issue 14: run: [\"\"] is refused [wrong-type]" 1 \
	"empty-run.cadence.yaml:3:13: error: expected a command, got an empty executable name \[wrong-type\]"
expect "issue 14: ... an empty argument after it is not" 1 "checked 1 file: 1 error,"

# --- issue 21 item 16: the caret goes by display width ----------------------------
# CJK and emoji take 2 columns, a combining mark 0, a tab stays a tab; the
# column reported still counts code points (24).
printf 'cadence: x\nnotes:\n  a: {run: "./\xe8\xae\xa2\xe5\x8d\x95\xf0\x9f\x98\x80\te\xcc\x81", bogus: 1}\nmeasures:\n  - then: a\n' \
	>"$tmp/wide.cadence.yaml"
run "$cadence" validate --color=never "$tmp/wide.cadence.yaml"
expect "issue 21: the column counts code points" 1 \
	"wide.cadence.yaml:3:24: error: unknown key 'bogus' in a note \[unknown-key\]"
caret=$(sed -n 3p <<<"$out")
want="      | $(printf '%20s')"$'\t'"$(printf '%4s')^~~~~"
if [[ $caret == "$want" ]]; then ok "issue 21: the caret stands under 'bogus' after CJK, emoji, a tab and a combining mark"
else fail "issue 21: the caret line is '$caret', not '$want'"; fi

# --- issue 21 item 13: one run reports what can be known -----------------------
# A note and a measure with structural errors are left out, and the rest of
# the file is checked: before, the first run showed the unknown-key and
# measure-kind errors only, and the other three came after fixing them.
cat >"$tmp/partial.cadence.yaml" <<'EOF2'
cadence: shop
score:
  total: {type: number, default: 0}
  label: {type: string, default: ""}
notes:
  charge:
    symbol: charge
    retyr: {attempts: 3}
  price:
    set: {label: score.totl}
  tag:
    set: {label: score.total}
    retry: {attempts: 0, delay: 2s}
measures:
  - then: charge
  - then: price
  - then: tag
  - thn: ghost
EOF2
run "$cadence" validate --format oneline "$tmp/partial.cadence.yaml"
expect "issue 21: the structural errors" 1 \
	"partial\.cadence\.yaml:8:5: error: unknown key 'retyr' in a note \[unknown-key\]"
expect "... and the measure's" 1 "partial\.cadence\.yaml:18:5: error: a measure needs one of .*\[measure-kind\]"
expect "... with the expression error of an intact note, in the same run" 1 \
	"partial\.cadence\.yaml:10:24: error: note 'price' sets 'label': score has no field 'totl' \[bad-expression\]"
expect "... its set-type error" 1 "partial\.cadence\.yaml:12:18: error: .*\[set-type\]"
expect "... and its policy error" 1 "partial\.cadence\.yaml:13:23: error: retry attempts must be at least 1, got 0 \[policy-range\]"
[[ $(grep -c . <<<"$out") == 5 ]] && ok "... five problems, none made up from the broken parts (no undefined-note for 'charge')" ||
	fail "issue 21: expected 5 problems, got: $out"
# an error outside a note or a measure (here in the score): the rest depends on it
sed -i 's/  total: {type: number, default: 0}/  total: {type: numbr, default: 0}/' "$tmp/partial.cadence.yaml"
run "$cadence" validate --format oneline "$tmp/partial.cadence.yaml"
expect "issue 21: a broken score stops the checks that read it" 1 "\[bad-enum\]"
[[ $out != *bad-expression* && $out != *set-type* ]] && ok "... no expression is checked against it" ||
	fail "issue 21: expressions checked against a broken score: $out"

# --- output errors ------------------------------------------------------------
if [[ -w /dev/full ]]; then
	# (run writes into its own files: this is the run of "no colour when
	# stdout is not a terminal" again)
	run "$cadence_again" validate "$fx/bad-enum.cadence.yaml" >/dev/full
	status=0
	"$cadence" validate "$fx/bad-enum.cadence.yaml" >/dev/full 2>"$tmp/.err" || status=$?
	err=$(<"$tmp/.err") out=
	expect "a full disk on stdout is exit 3" 3 '' 'cannot write'
fi

finish
