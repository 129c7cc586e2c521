#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cmake --install` to /usr/local (staged with DESTDIR) installs the
# documentation every --help text and the man page name, at the paths they
# name, and puts each completion where its shell reads it with no
# configuration: real bash (bash-completion), zsh and fish then complete
# `cadence va` to `validate`.
#
# Two checks per shell:
# - the search path: the directories the shell itself reports it reads
#   (zsh's $fpath, fish's $fish_complete_path with no XDG_DATA_DIRS and an
#   empty home, bash-completion's default XDG_DATA_DIRS), each under the
#   DESTDIR root, hold the script;
# - the real thing: in a user and mount namespace (unshare -Urm), the
#   staged /usr/local (and /etc/fish/completions) bind-mounted over the real
#   ones, so each shell looks exactly where it would after a real install,
#   without writing to / and without changing its search paths.  Where user
#   namespaces are not allowed (some CI kernels), these are skipped.
#
# Needs CADENCE_BUILD_DIR (set by tests/cli.cmake).
source "$(dirname "$0")/lib.sh"

build=${CADENCE_BUILD_DIR:-$(cd "$(dirname "$cadence")/.." && pwd)}
root=$tmp/root
home=$tmp/home
mkdir -p "$home"
# no user configuration and the default data directories
clean=(env -u XDG_DATA_DIRS -u XDG_DATA_HOME -u XDG_CONFIG_HOME -u BASH_COMPLETION_USER_DIR
	"HOME=$home")

run env DESTDIR="$root" cmake --install "$build" --prefix /usr/local
expect "cmake --install --prefix /usr/local with DESTDIR" 0
assert "nothing is installed outside the DESTDIR root" \
	test -z "$(find "$root" -maxdepth 1 -mindepth 1 ! -name usr ! -name etc)"

# --- the documentation ---------------------------------------------------------
# the binary names the paths of the prefix it was configured with
configured=$(sed -n 's/^CMAKE_INSTALL_PREFIX:[A-Z]*=//p' "$build/CMakeCache.txt")
docdir=$root/usr/local/share/doc/cadence
for f in README.md events.schema.json cadence.schema.json cli.md format.md images/checkout.svg; do
	assert "installed share/doc/cadence/$f" test -f "$docdir/$f"
done
# every absolute path a --help names, and every page of the documentation
named=()
while read -r c; do
	read -ra words <<<"$c"
	"$cadence" "${words[@]}" --help >"$tmp/help"
	mapfile -t -O "${#named[@]}" named < <(grep -oE "(^| )/[^ ]+" "$tmp/help" | tr -d ' ')
	mapfile -t -O "${#named[@]}" named < <(grep -oE '\b[a-z0-9_.-]+\.(md|schema\.json)\b' "$tmp/help" |
		sed "s#^#$configured/share/doc/cadence/#")
done < <(all_commands)
mapfile -t named < <(printf '%s\n' "${named[@]}" | sort -u)
assert "the --help texts name pages of the installed documentation" \
	test "$(grep -c '/share/doc/cadence/[a-z]*\.md$' < <(printf '%s\n' "${named[@]}"))" -ge 8
for path in "${named[@]}"; do
	# the options' defaults name other places (~/.local/state/cadence)
	[[ $path == "$configured"/* ]] || continue
	assert "a --help names $path: installed" test -e "$root/usr/local${path#"$configured"}"
done
if command -v scdoc >/dev/null && command -v man >/dev/null; then
	# one long line a paragraph: no path broken by a hyphen
	run env MANWIDTH=4000 man -l "$root/usr/local/share/man/man1/cadence.1"
	expect "the installed man page names the installed documentation" 0 "$configured/share/doc/cadence"
	assert "... and no docs/ of the sources but one" test "$(grep -c 'docs/' <<<"$out")" -le 1
	mapfile -t paths < <(grep -oE "$configured/share/doc/cadence([a-z0-9_./-]*[a-z])?" <<<"$out" | sort -u)
	for path in "${paths[@]}"; do
		assert "the man page names $path: installed" test -e "$root/usr/local${path#"$configured"}"
	done
else
	skip "the installed man page names the installed documentation" "scdoc or man is not installed"
fi

# --- the completions -------------------------------------------------------------
# found FILE DIR...: the first DIR under the root that holds FILE
found() {
	local file=$1 d
	shift
	for d in "$@"; do
		if [[ -f $root$d/$file ]]; then echo "$d"; return 0; fi
	done
	return 1
}

# bash-completion reads $XDG_DATA_DIRS/bash-completion/completions, by
# default /usr/local/share:/usr/share
bash_completion=$(pkg-config --variable=datadir bash-completion 2>/dev/null)/bash-completion/bash_completion
[[ -f $bash_completion ]] || bash_completion=/usr/share/bash-completion/bash_completion
have_bash=0 have_zsh=0 have_fish=0
if [[ -f $bash_completion ]]; then
	have_bash=1
	dirs=$(sed -n 's/.*XDG_DATA_DIRS:-\([^}]*\)}.*/\1/p' "$bash_completion" | head -1)
	assert "bash-completion names its default data directories" test -n "$dirs"
	IFS=: read -ra dirs <<<"$dirs"
	run found cadence "${dirs[@]/%//bash-completion/completions}"
	expect "bash: the completion is in a directory bash-completion reads" 0 '^/usr/local/'
else
	skip "bash: the completion is found" "bash-completion is not installed; scripts/install-deps.sh installs it"
fi
# in_path SHELL FILE WANT CMD...: the directories CMD prints (the shell's
# own search path) under the root hold FILE, in a directory matching WANT;
# $out: that directory
in_path() {
	local shell=$1 file=$2 want=$3
	shift 3
	if ! command -v "$shell" >/dev/null; then
		skip "$shell: the completion is found" "$shell is not installed; scripts/install-deps.sh installs it"
		return 1
	fi
	mapfile -t dirs < <("$@")
	run found "$file" "${dirs[@]}"
	expect "$shell: the completion is in a directory of its search path" 0 "$want"
}
in_path zsh _cadence '^/usr/local/share/zsh/' zsh -f -c 'print -rl -- $fpath' && have_zsh=1
in_path fish cadence.fish '^/' "${clean[@]}" fish -c 'printf "%s\n" $fish_complete_path' &&
	have_fish=1 fish_dir=$out
((have_bash + have_zsh + have_fish)) || { echo "skip - all: no shell to complete in"; exit 77; }

# --- the real shells, the staged tree mounted where it would be --------------
# in_root CMD...: CMD in a namespace where $root/usr/local is /usr/local and
# $root/etc/fish/completions (when installed) is /etc/fish/completions
in_root() {
	unshare -Urm bash -c '
		root=$1; shift
		mount --bind "$root/usr/local" /usr/local || exit 125
		if [[ -d $root/etc/fish/completions ]]; then
			mount --bind "$root/etc/fish/completions" /etc/fish/completions || exit 125
		fi
		exec "$@"' _ "$root" "$@"
}
if ! command -v unshare >/dev/null || ! unshare -Urm true 2>/dev/null; then
	for shell in bash zsh fish; do
		skip "$shell completes 'cadence va' after the install" "no user namespaces here (unshare -Urm)"
	done
	finish
	exit
fi
if ((have_bash)); then
	# what an interactive bash with bash-completion does on the first TAB
	# after 'cadence': complete -D's loader finds the script by name
	run in_root "${clean[@]}" bash --norc --noprofile -c '
		source "$1" || exit 1
		_completion_loader cadence
		complete -p cadence || exit 1
		COMP_WORDS=(cadence va) COMP_CWORD=1 COMP_LINE="cadence va" COMP_POINT=10 COMPREPLY=()
		_cadence cadence va cadence
		printf "%s\n" "${COMPREPLY[@]}"' _ "$bash_completion"
	expect "bash: bash-completion loads the installed script" 0 'complete -F _cadence cadence'
	expect "bash: 'cadence va' completes to validate" 0 '^validate$'
fi
if ((have_zsh)); then
	run in_root "${clean[@]}" timeout 120 zsh -f "$src/tests/cli/zcomplete.zsh" "" 'cadence va'
	expect "zsh: 'cadence va' completes to validate (compinit, the default \$fpath)" 0 '^validate'
fi
if ((have_fish)); then
	run in_root "${clean[@]}" fish -c 'complete -C "cadence va"'
	expect "fish: 'cadence va' completes to validate (from $fish_dir)" 0 '^validate'
fi
finish
