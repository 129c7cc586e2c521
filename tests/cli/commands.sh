#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every command and subcommand `cadence help` lists (all_commands, lib.sh):
# `--help` and `-h` print its help on stdout and exit 0, `cadence help
# COMMAND` prints the same, naming no docs/ of the sources; and, for each
# that takes a fixed number of arguments, one argument more is a usage
# error (2) that names the command, with nothing on stdout.  A new command must be put in one of the two
# tables below, or the check of the tables fails.
source "$(dirname "$0")/lib.sh"

cd "$tmp" || exit 1
export CADENCE_STATE_DIR=$tmp/state
printf 'cadence: ok\nschedule: {cron: "0 3 * * *"}\nnotes:\n  a: {run: [cat]}\nmeasures:\n  - then: a\n' \
	>ok.cadence.yaml

mapfile -t cmds < <(all_commands)
assert "all_commands finds the commands and subcommands" test "${#cmds[@]}" -ge 25
for c in "${cmds[@]}"; do
	read -ra words <<<"$c"
	run "$cadence" "${words[@]}" --help
	expect "cadence $c --help" 0 "^usage: cadence $c "
	assert "... and prints nothing on stderr" test -z "$err"
	help=$out
	assert "... and names its options" grep -q '^options:' <<<"$help"
	# an installed user has no docs/ of the sources: the pages are named,
	# and listed at their installed paths (cli/install_staged checks those)
	assert "... and no docs/ of the sources" test "$(grep -c 'docs/' <<<"$help")" = 0
	assert "... and ends with see also: man 1 cadence" grep -qx '  man 1 cadence' <<<"$help"
	run "$cadence" "${words[@]}" -h
	assert "cadence $c -h is --help" test "$status" = 0 -a "$out" = "$help"
	run "$cadence" help "${words[@]}"
	assert "cadence help $c is --help" test "$status" = 0 -a "$out" = "$help"
done

# The arguments each command takes at most, then one more ("x"): a usage
# error (for a command with subcommands, "x" is not one of them).  Those
# that take a list (validate PATH..., pause NAME..., step's changes) are in
# $lists.
declare -A full=(
	[schema]='' [run]='ok.cadence.yaml -' [resume]='cp ok.cadence.yaml' [init]='d'
	[new]='' [new cadence]='n' [new note]='n' [completion]='bash' [diagram]='ok.cadence.yaml'
	[schedule]='' [schedule next]='ok.cadence.yaml' [schedule export]='--to cron ok.cadence.yaml'
	[export]='' [export argo]='ok.cadence.yaml' [export n8n]='ok.cadence.yaml'
	[config]='' [config show]='' [list]='' [history]='ok' [prune]='' [serve]='' [version]=''
	[help]='new note' [explain]='unused-note'
)
lists=' validate step pause disable enable '
for c in "${cmds[@]}"; do
	if [[ $lists == *" $c "* ]]; then continue; fi
	if [[ ! -v full[$c] ]]; then
		status=0 out= err=
		fail "cadence $c: in neither table of commands.sh (how many arguments does it take?)"
		continue
	fi
	read -ra words <<<"$c ${full[$c]}"
	run "$cadence" "${words[@]}" x
	expect "cadence $c ${full[$c]:+${full[$c]} }x: the stray argument is a usage error" 2 '' \
		"^cadence: error: .*('cadence ${c%% *}|unexpected argument 'x')"
	assert "... with nothing on stdout" test -z "$out"
done
finish
