#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence completion: the scripts complete commands, options, their values
# and *.cadence.yaml files in real bash, zsh and fish processes, and their
# command list is the one `cadence --help` prints.
source "$(dirname "$0")/lib.sh"

# Each shell that is installed is checked (one process each, all the
# checks in it); one that is not is reported as skipped.  Without any of
# them the test is skipped (77).
shells=()
for shell in bash zsh fish; do
	if command -v $shell >/dev/null; then shells+=("$shell"); else
		skip "$shell: every check" "$shell is not installed; scripts/install-deps.sh installs it"
	fi
done
[[ ${#shells[@]} != 0 ]] || { echo "skip - all: no bash, zsh or fish"; exit 77; }

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

# The checks, collected by check() and run at the end, all of a shell's in
# one process of it: for check i, names[i], wants[i] (the expected words,
# sorted, one a line), bwords (the words of the command line for bash, each
# check's ended by a "::" word) and lines[i] (the line for zsh and fish;
# the last word is the one being completed, '' for a new word).
names=() wants=() bwords=() lines=()

# Each prints, per command line, the words completed, one a line, then "--end--".
in_bash() {
	(cd "$w" && bash --norc --noprofile -c '
		source "$1"; shift
		while (($#)); do
			COMP_WORDS=()
			while [[ $1 != :: ]]; do COMP_WORDS+=("$1"); shift; done
			shift
			COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
			COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
			COMPREPLY=()
			_cadence
			printf "%s\n" "${COMPREPLY[@]}" --end--
		done' _ "$tmp/cadence.bash" "${bwords[@]}")
}
in_zsh() {
	(cd "$w" && timeout 120 zsh -f "$src/tests/cli/zcomplete.zsh" "$tmp/zfunc" "${lines[@]}")
}
in_fish() {
	(cd "$w" && fish --no-config -c '
		source $argv[1]
		for line in $argv[2..-1]
			complete -C $line
			echo --end--
		end' "$tmp/cadence.fish" "${lines[@]}") | cut -f1
}
# normal: the output of in_SHELL as "CHECK<TAB>WORD" lines, sorted, each
# candidate without a trailing '/', a directory part (zsh's capture leaves it
# out) or fish's "--opt=" prefix; one process for all the checks
normal() {
	awk -v OFS='\t' '$0 == "--end--" { n++; next }
		{ sub(/\/$/, ""); sub(/.*\//, ""); sub(/^--[a-z-]*=/, "") }
		$0 != "" { print n + 0, $0 }
		END { print n + 0, "--checks--" }' | sort -t "$(printf '\t')" -k1,1n -k2 -u
}
# words WORD...: the expected list
words() { printf '%s\n' "$@" | sort -u; }

# check NAME EXPECTED-LIST BASH-WORDS... :: LINE-FOR-ZSH-AND-FISH
check() {
	names+=("$1") wants+=("$2")
	shift 2
	while [[ $1 != :: ]]; do bwords+=("$1"); shift; done
	bwords+=(::) lines+=("$2")
}
# compare SHELL: runs every check in SHELL and compares
compare() {
	local shell=$1 i n=${#names[@]} line
	local -a got=()
	while IFS=$'\t' read -r i line; do
		if [[ $line == --checks-- ]]; then n=$i; else got[i]+=$line$'\n'; fi
	done < <("in_$shell" | normal)
	if [[ $n != "${#names[@]}" ]]; then
		status=0 out= err=
		fail "$shell: ran $n of ${#names[@]} checks"
	fi
	for ((i = 0; i < ${#names[@]}; i++)); do
		if [[ ${got[i]:-} == "${wants[i]}"$'\n' ]]; then ok "$shell: ${names[i]}"; else
			status=0 out=${got[i]:-} err=
			fail "$shell: ${names[i]}: want $(tr '\n' ' ' <<<"${wants[i]}")"
		fi
	done
}

# The commands, as `cadence --help` lists them.
mapfile -t cmds < <("$cadence" --help | sed -n '/^commands:/,/^$/p' | awk 'NF && !/^commands:/ {print $1}')
assert "cadence --help lists commands" test "${#cmds[@]}" -ge 7
all=$(words "${cmds[@]}")

check "every command of cadence --help, and no other" "$all" cadence '' :: 'cadence '
check "a command from its start" "$(words validate version)" cadence v :: 'cadence v'
check "help COMMAND" "$all" cadence help '' :: 'cadence help '
check "validate's options" "$(words --format --color --stdin-filename --quiet --strict --allow-outside-root --disable --severity --exclude --help)" \
	cadence validate -- :: 'cadence validate --'
# issue 21 item 15: rule ids complete, from the rule table
check "explain: rule ids" "$(words unknown-key unused-note undeclared-field undefined-note undefined-after)" \
	cadence explain un :: 'cadence explain un'
check "validate --disable: rule ids" "$(words sync-single-note)" \
	cadence validate --disable sy :: 'cadence validate --disable sy'
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
check "schedule next NAME|CADENCE_FILE: cadence files, not the words" "$(words a.cadence.yaml sub)" \
	cadence schedule next '' :: 'cadence schedule next '
check "init: directories only" "$(words sub)" cadence init '' :: 'cadence init '
check "completion: the shells" "$(words bash zsh fish)" cadence completion '' :: 'cadence completion '
check "global options" "$(words --help --version)" cadence -- :: 'cadence --'
for shell in "${shells[@]}"; do compare "$shell"; done

# The generated lists match the command tables: spot-check one command's
# options against its --help.
want=$("$cadence" new note --help | sed -n '/^options:/,$p' | grep -oE -- ' --[a-z-]+' | tr -d ' ' | sort -u)
got=$(bash -c 'source "$1"; _cadence_options "new note"' _ "$tmp/cadence.bash" | tr ' ' '\n' | grep -- '^--' | sort -u)
assert "bash knows every option of new note --help" test "$got" = "$want"
finish
