#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The project configuration (docs/cli.md, "Project configuration"): the
# file found upward, precedence flag > environment > file > default as
# `config show` reports it, every bad input positioned and exit 2, and run
# using the file's state_dir and plugins.
source "$(dirname "$0")/lib.sh"
for v in STATE_DIR CADENCES PLUGINS FORMAT LOG REGISTRY RETENTION_DAYS RETENTION_RUNS LISTEN \
	TOKEN_FILE GRACE; do
	unset "CADENCE_$v"
done
export XDG_STATE_HOME=$tmp/xdg

# jget KEY FIELD: a field of a setting in $shown (config show --format json;
# not $out, which a failed assert empties)
jget() { python3 -c 'import json,sys; v=json.loads(sys.argv[1])["settings"][sys.argv[2]][sys.argv[3]]; print(json.dumps(v))' "$shown" "$1" "$2"; }

# --- no project file: the defaults, as before ----------------------------------
mkdir -p "$tmp/none"
run_in "$tmp/none" "$cadence" config show
expect "no project file: config show says so" 0 '^project file: none'
expect "... the state directory is XDG's, a default" 0 "^state_dir +$tmp/xdg/cadence +default$"
expect "... the cadences are the working directory's" 0 '^cadences +\. +default$'
run_in "$tmp/none" "$cadence" config show --format json
expect "... json: file null" 0 '"file": null'

# --- discovery from a subdirectory ---------------------------------------------
p=$tmp/proj
mkdir -p "$p/a/b/c" "$p/cadences"
cat >"$p/cadence.project.yaml" <<'YAML'
# a project
state_dir: var/state
cadences: [cadences, more]
format: json
log: text
retention:
  days: 30
  runs: 10
serve:
  listen: "[::1]:9000"
  grace: 1m
YAML
run_in "$p/a/b/c" "$cadence" config show
expect "found from three directories down" 0 "^project file: $p/cadence.project.yaml$"
expect "... a relative path is the file's directory's" 0 \
	"^state_dir +$p/var/state +file $p/cadence.project.yaml:2$"
expect "... lists joined by ':'" 0 "^cadences +$p/cadences:$p/more +file $p/cadence.project.yaml:3$"
expect "... a nested key at its line" 0 "^retention.days +30 +file $p/cadence.project.yaml:7$"
expect "... what the file leaves out is a default" 0 '^registry +true +default$'

# --- precedence: flag > environment > file > default -----------------------------
run_in "$p/a" env CADENCE_RETENTION_DAYS=7 CADENCE_FORMAT=sarif CADENCE_STATE_DIR="$tmp/envstate" \
	CADENCE_REGISTRY=false \
	"$cadence" config show --format json --set retention.days=3 --set log=json
expect "config show --format json with flags and variables" 0
shown=$out
assert "flag over env over file: retention.days is the flag's" \
	test "$(jget retention.days value)/$(jget retention.days origin)" = '3/"flag"'
assert "env over file: format is CADENCE_FORMAT's" \
	test "$(jget format value)/$(jget format origin)" = '"sarif"/"env"'
assert "env over file: state_dir" \
	test "$(jget state_dir value)/$(jget state_dir origin)" = "\"$tmp/envstate\"/\"env\""
assert "flag over file: log" test "$(jget log value)/$(jget log origin)" = '"json"/"flag"'
assert "file over default: retention.runs, with its line" \
	test "$(jget retention.runs value)/$(jget retention.runs origin)/$(jget retention.runs line)" = '10/"file"/8'
assert "env over default: registry, a boolean" \
	test "$(jget registry value)/$(jget registry origin)" = 'false/"env"'
assert "default: serve.token_file is null" test "$(jget serve.token_file value)" = null
assert "lists are arrays" test "$(jget cadences value)" = "[\"$p/cadences\", \"$p/more\"]"
run_in "$p/a" env CADENCE_FORMAT=sarif "$cadence" config show
expect "text: the variable is named as the origin" 0 '^format +sarif +env CADENCE_FORMAT$'

# --config FILE names another file
printf 'format: github\n' >"$tmp/other.yaml"
run_in "$p/a" "$cadence" config show --config "$tmp/other.yaml"
expect "--config reads the file named" 0 "^format +github +file $tmp/other.yaml:1$"
expect "... whose directory is the project's" 0 "^state_dir +$tmp/.cadence/state +default$"

# --- bad input: positioned, a rule, exit 2 ----------------------------------------
bad() {	# bad NAME YAML ERR-PATTERN
	printf '%s' "$2" >"$tmp/bad/cadence.project.yaml"
	run_in "$tmp/bad" "$cadence" config show
	expect "$1" 2 '' "$3"
	expect "... and the file is said to have problems" 2 '' 'the project file .* has problems'
}
mkdir -p "$tmp/bad"
f=$tmp/bad/cadence.project.yaml
bad "unknown key: positioned, with a did-you-mean" 'format: text
stat_dir: x
' "^$f:2:1: error: unknown key 'stat_dir' in the project settings \\[unknown-key\\]$"
expect "... the did-you-mean" 2 '' "did you mean 'state_dir'"
bad "an unknown nested key" 'retention:
  dayz: 3
' "^$f:2:3: error: unknown key 'dayz' in the retention settings \\[unknown-key\\]$"
bad "wrong type: a list for a path" 'state_dir: [a, b]
' "^$f:1:12: error: expected a path, got a list \\[wrong-type\\]$"
bad "wrong type: a string for a list" 'plugins: lib/x.so
' "^$f:1:10: error: expected a list of paths, got 'lib/x.so' \\[wrong-type\\]$"
bad "wrong type: not a boolean" 'registry: yes
' "^$f:1:11: error: expected a boolean, got 'yes' \\[wrong-type\\]$"
bad "wrong type: a number quoted" 'retention: {runs: "5"}
' "^$f:1:19: error: expected a whole number, got a quoted string \\[wrong-type\\]$"
bad "a bad format, with did-you-mean" 'format: jsn
' "^$f:1:9: error: 'jsn' is not a diagnostics format \\[bad-enum\\]$"
expect "... the did-you-mean and the choices" 2 '' "did you mean 'json'\\? use one of: text, oneline, json, sarif, github"
bad "a bad duration" 'serve:
  grace: 5 minutes
' "^$f:2:10: error: expected a duration, got '5 minutes' \\[bad-duration\\]$"
bad "a bad listen address: the port" 'serve:
  listen: localhost:99999
' "^$f:2:11: error: the port must be a number from 0 \\(any free port\\) to 65535, got 'localhost:99999' \\[config-value\\]$"
bad "a bad listen address: no port" 'serve: {listen: 127.0.0.1}
' "^$f:1:17: error: expected an address and port \\(ADDR:PORT\\), got '127.0.0.1' \\[config-value\\]$"
bad "a bad listen address: IPv6 without brackets" 'serve: {listen: "::1:80"}
' "an IPv6 address must be in brackets"
bad "a negative count" 'retention:
  days: -1
' "^$f:2:9: error: expected a whole number of 0 or more, got '-1' \\[config-value\\]$"
bad "an empty path in a list" 'plugins: [a, ""]
' "^$f:1:14: error: expected a path, not an empty string \\[config-value\\]$"
bad "not a mapping" '- a
- b
' "^$f:1:1: error: expected the project settings, got a list \\[wrong-type\\]$"
bad "YAML syntax" 'format: [text
' "\\[yaml-syntax\\]$"
bad "a duplicate key" 'format: text
format: json
' "^$f:2:1: error: duplicate key 'format' \\[yaml-duplicate-key\\]$"
bad "every problem at once" 'format: jsn
registry: yes
' "^$f:2:11: error: expected a boolean"
expect "... the first too" 2 '' "^$f:1:9: error: 'jsn'"

printf '' >"$f"
run_in "$tmp/bad" "$cadence" config show
expect "an empty project file: the defaults" 0 "^project file: $f$"

chmod 000 "$f"
if [[ ! -r $f ]]; then	# (not root)
	run_in "$tmp/bad" "$cadence" config show
elif command -v setpriv >/dev/null; then	# root reads any file: as nobody
	chmod 711 "$tmp" "$tmp/bad"
	[[ -z ${memcheck_dir:-} ]] || chmod 1777 "$memcheck_dir/logs"
	run_in "$tmp/bad" setpriv --reuid=65534 --regid=65534 --clear-groups "$cadence" config show
else
	status=skip
fi
if [[ $status == skip ]]; then
	skip "an unreadable file" "root reads any file, and no setpriv"
else
	expect "an unreadable project file" 2 '' \
		"^$f: error: cannot read the project file: Permission denied \\[file-unreadable\\]$"
fi
rm -f "$f"
mkdir "$f"
run_in "$tmp/bad" "$cadence" config show
expect "a directory named cadence.project.yaml" 2 '' \
	"^$f: error: cannot read the project file: it is a directory \\[file-unreadable\\]$"
rmdir "$f"
mkfifo "$f"
run_in "$tmp/bad" timeout 20 "$cadence" config show
expect "a FIFO named cadence.project.yaml: refused, not read (no hang)" 2 '' \
	"^$f: error: cannot read the project file: it is not a regular file \\[file-unreadable\\]$"
rm -f "$f"
run_in "$tmp/bad" "$cadence" config show --config "$tmp/missing.yaml"
expect "--config of a missing file" 2 '' \
	"^$tmp/missing.yaml: error: cannot read the project file: No such file or directory"

# bad variables and flags: named
run_in "$tmp/bad" env CADENCE_LOG=xml "$cadence" config show
expect "a bad variable is named" 2 '' "^cadence: error: CADENCE_LOG='xml': not a log format; use one of: text, json$"
run_in "$tmp/bad" env CADENCE_GRACE=soon "$cadence" config show
expect "a bad duration in a variable" 2 '' "^cadence: error: CADENCE_GRACE='soon': "
run_in "$tmp/bad" env CADENCE_RETENTION_RUNS=-3 "$cadence" config show
expect "a negative count in a variable" 2 '' "CADENCE_RETENTION_RUNS='-3': expected a whole number of 0 or more"
run_in "$tmp/bad" env CADENCE_LISTEN=1.2.3:80 "$cadence" config show
expect "a bad address in a variable" 2 '' "CADENCE_LISTEN='1.2.3:80': not an IPv4 address"
run_in "$tmp/bad" env CADENCE_PLUGINS=a::b "$cadence" config show
expect "an empty path in a list variable" 2 '' "CADENCE_PLUGINS='a::b': an empty path in the list"
run_in "$tmp/bad" "$cadence" config show --set retention.dayz=1
expect "--set of an unknown setting: did-you-mean" 2 '' "no setting 'retention.dayz' \\(did you mean 'retention.days'\\?\\)"
run_in "$tmp/bad" "$cadence" config show --set registry
expect "--set without =" 2 '' "write KEY=VALUE"
run "$cadence" config
expect "config alone: usage, exit 2" 2 '' 'usage: cadence config show'
run "$cadence" config shw
expect "config with an unknown subcommand" 2 '' "has the subcommand 'show', not 'shw'"

# --- run and validate read it ------------------------------------------------------
r=$tmp/runproj
mkdir -p "$r/cadences" "$r/sub"
printf 'state_dir: st\nformat: json\n' >"$r/cadence.project.yaml"
cat >"$r/cadences/breaker.cadence.yaml" <<'YAML'
cadence: breaker
notes:
  call:
    run: [sh, -c, "echo down >&2; exit 1"]
    circuit_breaker: {failure_threshold: 1, recovery_timeout: 1h}
measures:
  - then: call
YAML
run_in "$r/sub" "$cadence" run ../cadences/breaker.cadence.yaml
expect "run in a project: the note fails" 1
assert "... its breaker file is in the file's state_dir" \
	test -n "$(find "$r/st" -name 'breaker.call.*.breaker.json' 2>/dev/null)"
assert "... and not in XDG's" test ! -e "$tmp/xdg/cadence"
run_in "$r/sub" "$cadence" run --state-dir "$tmp/flagstate" ../cadences/breaker.cadence.yaml
assert "--state-dir wins over the file" \
	test -n "$(find "$tmp/flagstate" -name 'breaker.call.*.breaker.json' 2>/dev/null)"
run_in "$r/sub" "$cadence" validate ../cadences
expect "validate's default format is the file's" 0 '"diagnostics"'
run_in "$r/sub" "$cadence" validate --format text ../cadences
expect "... --format wins" 0 'checked 1 file: no problems'
printf 'state_dir: st\nlog: jsn\n' >"$r/cadence.project.yaml"
run_in "$r/sub" "$cadence" run ../cadences/breaker.cadence.yaml
expect "run with a bad project file: nothing runs, exit 2" 2 '' "cadence.project.yaml:2:6: error: 'jsn' is not a log format"
printf 'log: json\n' >"$r/cadence.project.yaml"
run_in "$r/sub" "$cadence" run ../cadences/missing.cadence.yaml
expect "the file's log: json makes errors JSON lines" 2 '' '^\{"time":"[^"]*","event":"error",'
run_in "$r/sub" "$cadence" run --config "$tmp/other.yaml" ../cadences/missing.cadence.yaml
expect "run --config reads another file" 2 '' "^cadence: error: "

# plugins: a directory of them, scanned for *.so
cc=${CADENCE_TEST_CC:-cc}
if command -v "$cc" >/dev/null; then
	mkdir -p "$r/plugins"
	cat >"$tmp/own.c" <<'C'
#include <cadence/note.h>
CADENCE_NOTE_PLUGIN;
cadence_note_func own;
int own(cadence_note_ctx *ctx, const cJSON *score, cJSON **changes)
{
	(void)ctx; (void)score;
	*changes = NULL;
	return CADENCE_NOTE_OK;
}
C
	run "$cc" -shared -fPIC -I"$src/lib/include" -o "$r/plugins/own.so" "$tmp/own.c"
	expect "a plugin builds" 0
	printf 'cadence: own\nnotes:\n  n: {symbol: own}\nmeasures:\n  - then: n\n' >"$r/cadences/own.cadence.yaml"
	printf 'plugins: [plugins]\n' >"$r/cadence.project.yaml"
	run_in "$r/sub" "$cadence" run -c ../cadences/own.cadence.yaml
	expect "run loads the plugins of the file's plugin directory" 0 '^\{\}$'
	printf 'plugins: [nothere.so]\n' >"$r/cadence.project.yaml"
	run_in "$r/sub" "$cadence" run -c ../cadences/own.cadence.yaml
	expect "a missing plugin of the file is an error" 2 '' "nothere.so"
else
	skip "plugins of the project file" "no C compiler ($cc)"
fi

# the init template: every key, uncommented, is valid
# (setup, off valgrind: memcheck/cli/init's first `init DIR` took this path)
"$cadence_again" init "$tmp/shop" >/dev/null
sed -E 's/^# ?([a-z_]+:|  [a-z_]+:)/\1/' "$tmp/shop/cadence.project.yaml" >"$tmp/uncommented.yaml"
run_in "$tmp/shop" "$cadence" config show --config "$tmp/uncommented.yaml" --format json
expect "the template's settings, all uncommented, are valid" 0
assert "... and every one is set by it" test "$(grep -c '"origin": "file"' <<<"$out")" = 12

finish
