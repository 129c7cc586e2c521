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

# A letter means one option in every command (docs/cli.md, "Option
# letters"): each "-x, --long" of every --help, and each letter one long
# name.  Before, -n was --dry-run, --name, --count and --limit.
declare -A letter=()
for c in "${cmds[@]}"; do
	read -ra words <<<"$c"
	while read -r x long; do
		letter[$x]+=" ${long%,}"
	done < <("$cadence" "${words[@]}" --help | sed -n 's/^  \(-[a-zA-Z]\), \(--[a-z-]*\).*/\1 \2/p')
done
assert "the help texts have option letters" test "${#letter[@]}" -ge 10
for x in "${!letter[@]}"; do
	names=$(tr ' ' '\n' <<<"${letter[$x]}" | sort -u | grep -c .)
	assert "$x means one option in every command (${letter[$x]# })" test "$names" = 1
done
# each letter in the table of docs/cli.md, as the help texts have it
for x in "${!letter[@]}"; do
	long=$(tr ' ' '\n' <<<"${letter[$x]}" | grep . | head -1)
	assert "docs/cli.md's table has $x as $long" grep -qF -- "| \`$x\` | \`$long\`" "$src/docs/cli.md"
done
# a letter another command used until 0.2: named, with its long option
run "$cadence" history -n 3
expect "history -n: the letter is --dry-run's now" 2 '' \
	"'-n' is no longer short for '--limit' in 'cadence history'.*use '--limit'"
run "$cadence" schedule next -n 3 ok.cadence.yaml
expect "schedule next -n" 2 '' "'-n' is no longer short for '--count' in 'cadence schedule next'"
run "$cadence" resume -f ./x.ckpt
expect "resume -f" 2 '' "'-f' is no longer short for '--force' in 'cadence resume'"
run "$cadence" init -n shop "$tmp/new-project"
expect "init -n NAME: -n is --dry-run; the name is a second directory" 2 ''
assert "... and nothing was written" test ! -e "$tmp/new-project"
run "$cadence" init -n "$tmp/dry-project"
expect "init -n is --dry-run" 0 'would create'
assert "... which wrote nothing" test ! -e "$tmp/dry-project"
run "$cadence" diagram -x -y ok.cadence.yaml
expect "an unknown letter is still named as such" 2 '' "unknown option '-y' for 'cadence diagram'"
# a path taken as a choice's value says so
mkdir -p "$tmp/paths"
run "$cadence" validate --color "$tmp/paths"
expect "validate --color DIR: the path was taken as the colour" 2 '' \
	"invalid value '.*paths' for --color; choose one of: auto, always, never .*looks like a path.*--color=auto"
run "$cadence" validate --color alwys ok.cadence.yaml
expect "... while a misspelling gets a did-you-mean" 2 '' "did you mean 'always'"
assert "... and no path hint" bash -c '! grep -q "looks like a path" <<<"$1"' _ "$err"
finish
