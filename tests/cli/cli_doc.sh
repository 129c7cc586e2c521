#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/cli.md stays true to --help: a section for every command of
# `cadence --help`, and every long option of a command's --help named in
# its section.  (The man page has the same check, cli/man.)  `resume` and
# run's reporting options are documented in docs/observability.md.
source "$(dirname "$0")/lib.sh"
doc=$src/docs/cli.md

# section NAME: the text of "## `cadence NAME ..." up to the next "## "
section() {
	awk -v name="$1" '
		/^## / { on = (index($0, "## `cadence " name) == 1) }
		on' "$doc"
}
elsewhere='^--(help|metrics|trace|events|checkpoint)$'

mapfile -t cmds < <(commands)
for c in "${cmds[@]}"; do
	case $c in
	resume) continue ;;
	help)
		if grep -qF "cadence $c" "$doc"; then ok "cli.md names 'cadence $c'"
		else status=0 out= err=; fail "cli.md does not name 'cadence $c'"; fi
		continue ;;
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
			fail "cli.md has no '## \`cadence $n' section"
			continue
		fi
		ok "cli.md has a section for '$n'"
		missing=
		# shellcheck disable=SC2086 # "new note" is two words
		for o in $(help_opts $n | grep -vE -- "$elsewhere"); do
			has_line "$o([^a-z-]|\$)" "$text" || missing+=" $o"
		done
		status=0 out="missing:$missing" err=
		if [[ -z $missing ]]; then ok "cli.md's '$n' section names every option of its --help"
		else fail "cli.md's '$n' section lacks options of cadence $n --help"; fi
	done
done
finish
