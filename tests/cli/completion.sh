#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence completion: the scripts complete commands, options, their values
# and *.cadence.yaml files in real bash, zsh and fish processes, and their
# command list is the one `cadence --help` prints.
source "$(dirname "$0")/lib.sh"

for shell in bash zsh fish; do
	if ! command -v $shell >/dev/null; then
		status=0 out= err=
		fail "$shell is not installed (scripts/install-deps.sh installs it)"
	fi
done

run "$cadence" completion bash
expect "completion bash" 0 'complete -F _cadence cadence'
printf '%s\n' "$out" >"$tmp/cadence.bash"
mkdir -p "$tmp/zfunc"
"$cadence" completion zsh >"$tmp/zfunc/_cadence"
"$cadence" completion fish >"$tmp/cadence.fish"
run "$cadence" completion tcsh
expect "an unknown shell is a usage error" 2 '' 'choose bash, zsh or fish'
run "$cadence" completion
expect "no shell is a usage error" 2 '' 'takes one shell'

# A directory to complete in.
w=$tmp/work
mkdir -p "$w/sub" "$w/.hidden"
touch "$w/a.cadence.yaml" "$w/b.txt" "$w/sub/c.cadence.yaml" "$w/sub/d.json"

# The words completed for a command line in each shell, sorted, one a line;
# the last word is the one being completed ('' for a new word).
in_bash() {
	(cd "$w" && bash --norc --noprofile -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_cadence
		printf "%s\n" "${COMPREPLY[@]}"' _ "$tmp/cadence.bash" "$@") | normal
}
in_zsh() {
	local line=$*
	(cd "$w" && timeout 20 zsh -f "$src/tests/cli/zcomplete.zsh" "$tmp/zfunc" "$line") | normal
}
in_fish() {
	local line=$*
	(cd "$w" && fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$tmp/cadence.fish" "$line") |
		cut -f1 | normal
}
# normal: one candidate a line, sorted, without a trailing '/', a directory
# part (zsh's capture leaves it out) or fish's "--opt=" prefix
normal() { sed -e 's|/$||' -e 's|.*/||' -e 's|^--[a-z-]*=||' | grep -v '^$' | sort -u; }
# words WORD...: the expected list
words() { printf '%s\n' "$@" | sort -u; }

# check NAME EXPECTED-LIST BASH-WORDS... :: LINE-FOR-ZSH-AND-FISH
check() {
	local name=$1 want=$2
	shift 2
	local -a bw=()
	while [[ $1 != :: ]]; do bw+=("$1"); shift; done
	shift
	local line=$1 got
	got=$(in_bash "${bw[@]}")
	if [[ $got == "$want" ]]; then ok "bash: $name"; else
		status=0 out=$got err=; fail "bash: $name: want $(tr '\n' ' ' <<<"$want")"; fi
	got=$(in_zsh "$line")
	if [[ $got == "$want" ]]; then ok "zsh: $name"; else
		status=0 out=$got err=; fail "zsh: $name: want $(tr '\n' ' ' <<<"$want")"; fi
	got=$(in_fish "$line")
	if [[ $got == "$want" ]]; then ok "fish: $name"; else
		status=0 out=$got err=; fail "fish: $name: want $(tr '\n' ' ' <<<"$want")"; fi
}

# The commands, as `cadence --help` lists them.
mapfile -t cmds < <("$cadence" --help | sed -n '/^commands:/,/^$/p' | awk 'NF && !/^commands:/ {print $1}')
assert "cadence --help lists commands" test "${#cmds[@]}" -ge 7
all=$(words "${cmds[@]}")

check "every command of cadence --help, and no other" "$all" cadence '' :: 'cadence '
check "a command from its start" "$(words validate version)" cadence v :: 'cadence v'
check "help COMMAND" "$all" cadence help '' :: 'cadence help '
check "validate's options" "$(words --format --color --stdin-filename --quiet --strict --allow-outside-root --help)" \
	cadence validate -- :: 'cadence validate --'
check "--format values" "$(words text oneline json sarif github)" \
	cadence validate --format '' :: 'cadence validate --format '
check "a value after =" "$(words json)" cadence validate --format = j :: 'cadence validate --format=j'
check "cadence files and directories, not other files" "$(words a.cadence.yaml sub)" \
	cadence validate '' :: 'cadence validate '
check "cadence files in a directory" "$(words c.cadence.yaml)" \
	cadence validate sub/ :: 'cadence validate sub/'
check "after an option's value, files again" "$(words a.cadence.yaml sub)" \
	cadence validate --format json '' :: 'cadence validate --format json '
check "new: what to make" "$(words cadence note)" cadence new '' :: 'cadence new '
check "new note's options" "$(words --lang)" cadence new note x --la :: 'cadence new note x --la'
check "new note --lang values" "$(words sh c)" cadence new note x --lang '' :: 'cadence new note x --lang '
check "new note --into: cadence files" "$(words a.cadence.yaml sub)" \
	cadence new note x --into '' :: 'cadence new note x --into '
check "init: directories only" "$(words sub)" cadence init '' :: 'cadence init '
check "completion: the shells" "$(words bash zsh fish)" cadence completion '' :: 'cadence completion '
check "global options" "$(words --help --version)" cadence -- :: 'cadence --'

# The generated lists match the command tables: spot-check one command's
# options against its --help.
want=$("$cadence" new note --help | sed -n '/^options:/,$p' | grep -oE -- ' --[a-z-]+' | tr -d ' ' | sort -u)
got=$(bash -c 'source "$1"; _cadence_options "new note"' _ "$tmp/cadence.bash" | tr ' ' '\n' | grep -- '^--' | sort -u)
assert "bash knows every option of new note --help" test "$got" = "$want"
finish
