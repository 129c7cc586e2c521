#!/usr/bin/env zsh
# zsh zcomplete.zsh FPATH_DIR WORDS...: prints the completions a real,
# interactive zsh offers for the command line WORDS (the cursor at its end),
# one per line, with _cadence autoloaded from FPATH_DIR by compinit.
#
# zsh completes only inside its line editor, so this runs one in a pseudo
# terminal (zsh/zpty), presses TAB, and captures what the completion system
# adds through a wrapper around compadd (the technique of Valodim's
# zsh-capture-completion).  Used by completion.sh.
zmodload zsh/zpty || exit 2
setopt rcquotes
fdir=$1; shift
zpty z zsh -f -i
local line
setup=$(mktemp)
cat >$setup <<SETUP
PROMPT=
fpath=(${(q)fdir} \$fpath)
autoload -Uz compinit
compinit -u -d ${(q)setup}.dump
bindkey '^M' undefined
bindkey '^J' undefined
bindkey '^I' complete-word
null-line() { echo -E - \$'\0' }
compprefuncs=( null-line )
comppostfuncs=( null-line exit )
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
zpty -w z "$*"$'\t'
integer tog=0
while zpty -r z; do :; done | while IFS= read -r line; do
    if [[ $line == *$'\0\r' ]]; then
        (( tog++ )) && break || continue
    fi
    (( tog )) && echo -E - "${line%$'\r'}"
done
rm -f $setup $setup.dump
