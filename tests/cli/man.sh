#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man page (docs/cadence.1.scd) stays true to --help: a section for
# every command, every option of a command in its section and none that
# the command does not have; scdoc renders it.  cadence.yaml(5)
# (docs/cadence.yaml.5.scd) renders, names every key of the format and
# shows an example that validates.
source "$(dirname "$0")/lib.sh"
scd=$src/docs/cadence.1.scd
# every command's --help: cli/cli_doc runs them under valgrind
help_cadence=$cadence_again

# section NAME: the text of "## NAME ..." up to the next heading
section() {
	awk -v name="$1" '
		/^#/ { on = ($0 ~ "^## " name "( |$)") }
		on' "$scd"
}
# the long options a man page section documents (as *--opt*), one a line
# (bash matches each line: a grep | grep | sort pipeline per section cost
# three processes, and 25 sections are checked)
man_opts() {
	local line
	while IFS= read -r line; do
		[[ $line =~ ^\*(-[a-z]\*,\ \*)?(--[a-z-]+) ]] && printf '%s\n' "${BASH_REMATCH[2]}"
	done <<<"$1"
}
# minus A B: $REPLY, the words of A that are not words of B, once each,
# in A's order, on one line (for `comm -23 <(sort A) <(sort B) | xargs`:
# the same words, without five processes)
minus() {
	local w IFS=$' \t\n'
	local -A in_b=() seen=()
	local -a left=()
	for w in $2; do in_b[$w]=1; done
	for w in $1; do
		[[ -n ${in_b[$w]:-} || -n ${seen[$w]:-} ]] || left+=("$w")
		seen[$w]=1
	done
	IFS=' '
	REPLY="${left[*]}"
}

mapfile -t cmds < <(commands)
for c in "${cmds[@]}"; do
	case $c in
	new) names=("new cadence" "new note") ;;
	schedule) names=("schedule next" "schedule export") ;;
	export) names=("export argo" "export n8n") ;;
	config) names=("config show") ;;
	*) names=("$c") ;;
	esac
	for n in "${names[@]}"; do
		text=$(section "$n")
		if [[ -z $text ]]; then
			status=0 out= err=
			fail "the man page has no '## $n' section"
			continue
		fi
		ok "the man page has a section for '$n'"
		[[ $n == help ]] && continue
		# shellcheck disable=SC2086 # "new note" is two words
		minus "$(help_opts $n)" --help
		want=$REPLY
		got=$(man_opts "$text")
		minus "$want" "$got"
		missing=$REPLY
		minus "$got" "$want"
		extra=$REPLY
		status=0 out="missing: $missing" err="not in --help: $extra"
		if [[ -z $missing && -z $extra ]]; then ok "the man page's '$n' options are its --help's"
		else fail "the man page's '$n' options differ from cadence $n --help"; fi
	done
done

# the EXAMPLES run as written, one after the other, in an empty directory
# (a block starts with a tab; a line ending in ++ goes on on the next)
awk '/^# EXAMPLES/ { on = 1; next } /^# / { on = 0 }
	on && (/^\t/ || more) { print } { more = on && /\+\+$/ }' "$scd" |
	sed -e 's/^\t//' -e 's/++$//' -e 's/\\\\$/\\/' -e 's/\\_/_/g' >"$tmp/examples.sh"
mkdir "$tmp/ex"
run_in "$tmp/ex" env PATH="$(dirname "$cadence"):$PATH" bash -e "$tmp/examples.sh"
expect "the man page's EXAMPLES run as written" 0
[[ $status == 0 ]] || cat "$tmp/examples.sh"

if command -v scdoc >/dev/null; then
	run scdoc <"$scd"
	expect "scdoc renders the man page" 0 '^\.TH "cadence" "1"'
	printf '%s\n' "$out" >"$tmp/cadence.1"
	if command -v man >/dev/null; then
		run man -l "$tmp/cadence.1"
		expect "man shows it" 0 'SYNOPSIS'
		expect "... and its SEE ALSO names cadence.yaml(5)" 0 'cadence\.yaml\(5\)'
	else
		skip "man shows cadence(1)" "man is not installed"
	fi
	run scdoc <"$src/docs/cadence.yaml.5.scd"
	expect "scdoc renders cadence.yaml(5)" 0 '^\.TH "cadence\.yaml" "5"'
	printf '%s\n' "$out" >"$tmp/cadence.yaml.5"
	if command -v man >/dev/null; then
		run man -l "$tmp/cadence.yaml.5"
		expect "man shows it" 0 'LIMITS'
	else
		skip "man shows cadence.yaml(5)" "man is not installed"
	fi
else
	skip "scdoc renders the man pages" "scdoc is not installed; scripts/install-deps.sh installs it"
fi
# cadence.yaml(5) stays complete: it names every key of the format (every
# property of the JSON Schema), and its example validates clean
yaml5=$src/docs/cadence.yaml.5.scd
"$cadence" schema >"$tmp/schema.json"
python3 - "$tmp/schema.json" >"$tmp/keys" <<'PY'
import json, sys
keys = set()
def walk(o):
    if isinstance(o, dict):
        keys.update(o.get("properties", {}))
        for v in o.values():
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(json.load(open(sys.argv[1])))
print("\n".join(sorted(keys)))
PY
assert "the JSON Schema has keys" test "$(wc -l <"$tmp/keys")" -ge 30
missing=
page=$(<"$yaml5")	# (a grep per key cost a process each)
while read -r key; do
	k=${key//_/\\_}	# scdoc escapes _: on_error is *on\_error*
	[[ $page == *"*$k*"* || $page == *"*$k:"* ]] || missing+=" $key"
done <"$tmp/keys"
status=0 out="missing: $missing" err=
if [[ -z $missing ]]; then ok "cadence.yaml(5) names every key of the JSON Schema"
else fail "cadence.yaml(5) lacks keys of the format"; fi
awk '/^```$/ { on = !on; next } on' "$yaml5" >"$tmp/example.cadence.yaml"
run "$cadence" validate "$tmp/example.cadence.yaml"
expect "cadence.yaml(5)'s example validates clean" 0 'no problems'
finish
