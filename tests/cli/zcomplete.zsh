#!/usr/bin/env zsh
# SPDX-License-Identifier: MIT
# zsh zcomplete.zsh FPATH_DIR LINE...: for each command line LINE (the
# cursor at its end), prints the completions a real, interactive zsh offers,
# one per line, then a line "--end--".  One zsh, one compinit for all the
# lines, with _cadence autoloaded from FPATH_DIR (FPATH_DIR "": from zsh's
# own $fpath, as an installed completion is).
#
# zsh completes only inside its line editor, so this runs one in a pseudo
# terminal (zsh/zpty), types LINE, presses TAB, and captures what the
# completion system adds through a wrapper around compadd (the technique of
# Valodim's zsh-capture-completion); the completion is neither inserted nor
# listed, and ^U clears the line for the next one.  Used by completion.sh.
zmodload zsh/zpty || exit 2
setopt rcquotes
fdir=$1; shift
zpty z zsh -f -i
local line
setup=$(mktemp)
cat >$setup <<SETUP
PROMPT=
${fdir:+fpath=(${(q)fdir} \$fpath)}
autoload -Uz compinit
compinit -u -d ${(q)setup}.dump
bindkey -e
bindkey '^M' undefined
bindkey '^J' undefined
bindkey '^I' capture-complete
bindkey '^U' kill-whole-line
null-line() { echo -E - \$'\0' }
# after the capture: insert nothing, list nothing, mark the end
end-capture() { compstate[insert]=''; compstate[list]=''; null-line }
# the completion system empties these after each use: set them for each TAB
capture-complete() {
    compprefuncs=( null-line )
    comppostfuncs=( end-capture )
    zle complete-word
}
zle -N capture-complete
zstyle ':completion:*' list-grouped false
zstyle ':completion:*' insert-tab false
zstyle ':completion:*' list-separator ''
compadd() {
    if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
        builtin compadd "\$@"
        return \$?
    fi
    typeset -a __hits
    builtin compadd -A __hits "\$@"
    builtin compadd "\$@"
    setopt localoptions norcexpandparam extendedglob
    [[ -n \$__hits ]] || return
    local i
    for i in {1..\$#__hits}; do
        echo -E - "\$__hits[\$i]"
    done
}
echo ok
SETUP
zpty -w z "source ${(q)setup}"
repeat 4; do
    zpty -r z line
    [[ $line == ok* ]] && break
done
[[ $line == ok* ]] || { echo "zcomplete: zsh did not start" >&2; exit 2 }
integer tog
for want in "$@"; do
    zpty -w -n z "$want"$'\t'
    tog=0
    # between the two NUL lines: the words compadd was given
    while zpty -r z line; do
        if [[ $line == *$'\0\r'* ]]; then
            (( tog++ )) && break || continue
        fi
        line=${line%$'\n'}
        (( tog )) && echo -E - "${line%$'\r'}"
    done
    echo -E - --end--
    zpty -w -n z $'\C-u'
done
zpty -d z
rm -f $setup $setup.dump
