#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every rule id the tool knows has a section in docs/rules.md and is shown
# by a golden fixture (or, for file-level rules, by a CLI test), and has a
# passing golden fixture, RULE.pass.cadence.yaml: the failing one with the
# fix of rules.md applied, which exits 0 and whose output names no problem
# of that rule.
source "$(dirname "$0")/lib.sh"
fx=$src/tests/golden/fixtures

# The rules whose failing case cannot be a fixture have their passing case
# in a CLI test instead of a RULE.pass fixture:
#   file-unreadable  a file that cannot be read: validate.sh "clean file"
#                    reads a readable one
#   file-too-large   a file over 16 MiB: validate.sh "a file of exactly the
#                    limit" reads one of 16 MiB
#   too-many-items   files of 10,001 items, generated: limits.sh accepts
#                    10,000 of each
no_pass_fixture=" file-unreadable file-too-large too-many-items "

printf 'cadence: ok\nnotes:\n  a: {symbol: a}\nmeasures:\n  - then: a\n' >"$tmp/ok.cadence.yaml"
run "$cadence" validate --format sarif "$tmp/ok.cadence.yaml"
expect "sarif lists the rules" 0
ids=$(python3 -c 'import json,sys; print("\n".join(r["id"] for r in json.load(sys.stdin)["runs"][0]["tool"]["driver"]["rules"]))' <<<"$out")
assert "at least 30 rules" test "$(wc -l <<<"$ids")" -ge 30

# the texts searched, read once: a grep per rule and file cost a process
# each (five per rule).  awk 1: each file ends its last line, so no
# "[id]" spans two files.
rules_md=$'\n'$(<"$src/docs/rules.md")$'\n'
shown=$(awk 1 "$src"/tests/golden/fixtures/*.expected "$src"/tests/cli/*.sh)
# slurp VAR FILE: VAR is FILE's text less its final newlines, as
# $(cat FILE) is, but read by bash; 1 if FILE is missing
slurp() {
	[[ -f $2 ]] || return 1
	IFS= read -r -d '' "$1" <"$2"
	while [[ ${!1} == *$'\n' ]]; do printf -v "$1" '%s' "${!1%$'\n'}"; done
}
for id in $ids; do
	if [[ $rules_md == *$'\n'"## $id"$'\n'* ]]; then
		ok "rules.md documents $id"
	else
		status=0 out= err=
		fail "rules.md has no '## $id' section"
	fi
	if [[ $shown == *"[$id]"* ]]; then
		ok "a test shows $id"
	else
		status=0 out= err=
		fail "no golden fixture or CLI test shows $id"
	fi
	pass=$fx/$id.pass
	expected= st=
	if [[ $no_pass_fixture == *" $id "* ]]; then
		ok "$id: the passing case is a CLI test"
	elif [[ ! -f $pass.cadence.yaml ]]; then
		status=0 out= err=
		fail "no passing fixture tests/golden/fixtures/$id.pass.cadence.yaml"
	elif ! slurp expected "$pass.expected" || [[ $expected == *"[$id]"* ]]; then
		status=0 out=$expected err=
		fail "$id.pass.expected is missing or still reports [$id]"
	elif ! slurp st "$pass.status" || [[ $st != 0 ]]; then
		status=0 out= err=
		fail "$id.pass.status is missing or not 0"
	else
		ok "$id has a passing fixture"
	fi
done

# and no passing fixture is left for a rule that does not exist
for f in "$fx"/*.pass.cadence.yaml; do
	id=${f##*/}
	id=${id%.pass.cadence.yaml}
	if [[ $'\n'$ids$'\n' == *$'\n'"$id"$'\n'* ]]; then
		ok "$id.pass is a rule's"
	else
		status=0 out= err=
		fail "$id.pass.cadence.yaml is not named after a rule"
	fi
done
finish
