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

for id in $ids; do
	if grep -q "^## $id\$" "$src/docs/rules.md" 2>/dev/null; then
		ok "rules.md documents $id"
	else
		status=0 out= err=
		fail "rules.md has no '## $id' section"
	fi
	if grep -qF "[$id]" "$src"/tests/golden/fixtures/*.expected ||
	   grep -qF "[$id]" "$src"/tests/cli/*.sh; then
		ok "a test shows $id"
	else
		status=0 out= err=
		fail "no golden fixture or CLI test shows $id"
	fi
	pass=$fx/$id.pass
	if [[ $no_pass_fixture == *" $id "* ]]; then
		ok "$id: the passing case is a CLI test"
	elif [[ ! -f $pass.cadence.yaml ]]; then
		status=0 out= err=
		fail "no passing fixture tests/golden/fixtures/$id.pass.cadence.yaml"
	elif [[ ! -f $pass.expected ]] || grep -qF "[$id]" "$pass.expected"; then
		status=0 out=$(cat "$pass.expected" 2>/dev/null) err=
		fail "$id.pass.expected is missing or still reports [$id]"
	elif [[ $(cat "$pass.status" 2>/dev/null) != 0 ]]; then
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
	if grep -qx -- "$id" <<<"$ids"; then
		ok "$id.pass is a rule's"
	else
		status=0 out= err=
		fail "$id.pass.cadence.yaml is not named after a rule"
	fi
done
finish
