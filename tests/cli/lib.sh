# SPDX-License-Identifier: MIT
# Shared helpers for the CLI test scripts (sourced, not run).
#   check NAME CMD...       runs CMD, records ok/FAIL
#   expect_status N         the status of the last run()
#   run CMD...              runs CMD, output in $out (stdout) and $err (stderr)
#   skip NAME REASON        a check that cannot run here (a tool is missing)
#   need TOOL...            exits 77 (ctest: skipped) unless every TOOL is found
#   need_python MODULE...   the same for python3 and its modules
#   need_npm DIR MODULE... [-- FILE...]  the same for the npm packages of tests/DIR: $nd
#   py_serve MODS -- CODE, py_call ARG...  one python3 for a script's checks
#   py_args ARG...          py_call with ARGs that hold a newline or a tab
#   wait_until WHAT CMD...  polls CMD until it succeeds; FAIL after a deadline
#   alive PID, gone PID     a process exists and is not a zombie, or not
#   wait_exit PID           waits for a background process; FAIL after a deadline
#   nap SECONDS             sleep, without starting a process
#   serve_project, start_serve, http, check_http, ...  see "cadence serve" below
# One result format: a line per check, "ok - NAME", "FAIL - NAME" or
# "skip - NAME (REASON)", then "# P passed, F failed, S skipped"; a script
# whose every check was skipped exits 77.
set -u
cadence=$1
src=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-cli.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# CADENCE_TEST_VALGRIND=1: $cadence runs under valgrind memcheck
[[ -z ${CADENCE_TEST_VALGRIND:-} ]] || source "$src/tests/memcheck/valgrind.sh"
# under_valgrind: true in a memcheck/cli test, where each run of $cadence
# costs a second of valgrind's start
under_valgrind() { [[ -n ${CADENCE_TEST_VALGRIND:-} ]]; }
# $cadence_again: the binary itself, under valgrind too, for a run that
# repeats step for step one an earlier run of the script took there (the
# same files from another directory, say); $cadence anywhere else
cadence_again=${memcheck_real:-$cadence}
# runs N M: N, or M under valgrind: a loop of runs that take one code path
# again and again (a hundred parallel runs of one file, say) keeps M of them
# there, enough to take each path of the loop; cli/NAME runs all N
# (tests/memcheck/memcheck.cmake)
runs() { if under_valgrind; then echo "$2"; else echo "$1"; fi; }
# sampled N M: N, or M under valgrind or in a sanitizer build (ASan +
# UBSan, where each start costs a tenth of a second): a cross-check over
# N generated inputs of one code path, which the plain build runs in full
# and the memory checkers sample (cli/schedule_export)
sampled() {
	if under_valgrind || [[ ${CADENCE_TEST_SANITIZED:-0} == 1 ]]; then
		echo "$2"
	else
		echo "$1"
	fi
}
# python3: the interpreter a version manager's shim (pyenv, asdf) picks,
# asked once per script unless tests/cli.cmake resolved it when configured
# ($CADENCE_TEST_PYTHON): through the shim, each start costs a second or
# more on a loaded machine, and the scripts start it dozens of times
[[ ! -x ${CADENCE_TEST_PYTHON:-} ]] || echo "$CADENCE_TEST_PYTHON" >"$tmp/.python3"
if command -v python3 >/dev/null; then
	python3() {
		local py
		[[ -s $tmp/.python3 ]] ||
			command python3 -c 'import sys; print(sys.executable)' >"$tmp/.python3" || return
		read -r py <"$tmp/.python3"
		"$py" "$@"
	}
fi
# python3_path: the interpreter python3 runs, for a note's `run:` (a
# process cadence starts finds the shim, not this function)
python3_path() { [[ -s $tmp/.python3 ]] || python3 -c '' || return; cat "$tmp/.python3"; }
fails=0
passes=0
skips=0
status=0 out= err=
unset GITHUB_ACTIONS NO_COLOR

# ($(<FILE), not $(cat FILE): bash reads the file itself, where a cat
# costs a process, and the scripts run() hundreds of times)
run() {
	status=0
	"$@" >"$tmp/.out" 2>"$tmp/.err" || status=$?
	out=$(<"$tmp/.out")
	err=$(<"$tmp/.err")
}

# run_in DIR CMD...: run() with DIR as the working directory; not in a
# subshell, so $status, $out, $err and the counts of expect/assert stay set
run_in() {
	local dir=$1 here=$PWD
	shift
	cd "$dir" || { status=127 out= err="cannot cd to $dir"; return; }
	run "$@"
	cd "$here" || exit 1
}

# help_opts CMD...: the long options of `cadence CMD --help`, one a line:
# each " --name" of its lines from "options:" on, sorted, once each.  Read
# by bash (the scripts ask it dozens of times; a sed | grep | tr pipeline
# cost four processes a call).  $help_cadence runs them: $cadence, or
# $cadence_again in a script whose --help runs another already made
# (cli/man repeats cli/cli_doc's)
help_cadence=$cadence
help_opts() {
	local line on= rest
	local -a opts=()
	while IFS= read -r line; do
		[[ -n $on || $line == options:* ]] || continue
		on=1
		rest=$line
		while [[ $rest =~ \ (--[a-z-]+) ]]; do
			opts+=("${BASH_REMATCH[1]}")
			rest=${rest#*"${BASH_REMATCH[0]}"}
		done
	done < <("$help_cadence" "$@" --help)
	((${#opts[@]} == 0)) || printf '%s\n' "${opts[@]}" | sort -u
}
# commands: the commands `cadence --help` lists, one a line (the first
# word of each line after "commands:", up to an empty line)
commands() {
	local line on= word
	while IFS= read -r line; do
		if [[ -z $on ]]; then [[ $line != commands:* ]] || on=1; continue; fi
		[[ -n $line ]] || break
		read -r word _ <<<"$line"
		[[ -z $word ]] || printf '%s\n' "$word"
	done < <("$help_cadence" --help)
}

# all_commands: every command and subcommand, one a line ("new",
# "new cadence", "new note", ...): a subcommand is a word of the first of a
# command's usage ("cadence new cadence|note ...", "cadence config show")
# whose own --help is its ("usage: cadence new note ...")
all_commands() {
	local cmd usage sub
	local -a subs
	while read -r cmd; do
		printf '%s\n' "$cmd"
		usage=$("$help_cadence" "$cmd" --help | sed -n "s/^usage: cadence $cmd //p")
		[[ ${usage%% *} =~ ^[a-z0-9|]+$ ]] || continue
		IFS='|' read -ra subs <<<"${usage%% *}"
		for sub in "${subs[@]}"; do
			"$help_cadence" "$cmd" "$sub" --help 2>/dev/null | grep -q "^usage: cadence $cmd $sub " &&
				printf '%s %s\n' "$cmd" "$sub"
		done
	done < <(commands)
}

# w NAME TEXT: writes TEXT to $tmp/NAME (a script may define its own)
w() { printf '%s' "$2" >"$tmp/$1"; }
# one_note NAME NOTE: NAME.cadence.yaml, one `then` of note NAME: NOTE
one_note() {
	w "$1.cadence.yaml" "cadence: $1
notes:
  $1: $2
measures:
  - then: $1
"
}

ok() { passes=$((passes + 1)); echo "ok - $1"; }
fail() {
	fails=$((fails + 1))
	echo "FAIL - $1"
	echo "  status: $status"
	echo "  stdout: $(printf '%s' "$out" | head -20)"
	echo "  stderr: $(printf '%s' "$err" | head -20)"
}

# skip NAME REASON: shown, counted, neither passed nor failed
skip() { skips=$((skips + 1)); echo "skip - $1 (${2:-not possible here})"; }
# need TOOL...: the whole script needs TOOL; without it, skipped (77), saying why
need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null && continue
		echo "skip - all: $t is not installed (scripts/install-deps.sh installs it)"
		exit 77
	done
}
# need_npm DIR MODULE... [-- FILE...]: the whole script needs the npm packages
# of tests/DIR, pinned by its lock file; $nd is where they are: the ones
# install-deps.sh installed in tests/DIR when they are at the lock, else an
# `npm ci` into $CADENCE_TEST_NODE_DIR once per lock file (one at a time:
# cli/ and memcheck/cli/ may run together; no package's install script
# runs), else (offline) the ones in tests/DIR.  Each FILE of tests/DIR is
# copied beside them.  Without node or the packages: skipped (77), saying why.
need_npm() {
	local pkg=$src/tests/$1 mods=() files=() f
	shift
	while (($#)) && [[ $1 != -- ]]; do mods+=("$1"); shift; done
	(($#)) && shift && files=("$@")
	need node
	nd=${CADENCE_TEST_NODE_DIR:-$pkg}
	# the ones install-deps.sh installed, at the lock file: no npm ci at all
	! _npm_has "$pkg" "${mods[@]}" || [[ $pkg/package-lock.json -nt $pkg/node_modules/.package-lock.json ]] ||
		nd=$pkg
	if [[ $nd != "$pkg" ]]; then
		mkdir -p "$nd"
		(
			flock 9
			if ! _npm_has "$nd" "${mods[@]}" || ! cmp -s "$pkg/package-lock.json" "$nd/package-lock.json"; then
				cp "$pkg/package.json" "$pkg/package-lock.json" "$nd/" &&
					(cd "$nd" && timeout 300 npm ci --ignore-scripts --no-audit --no-fund \
						--loglevel=error) >"$tmp/npm.log" 2>&1 || rm -f "$nd/package-lock.json"
			fi
		) 9>"$nd.lock"
		_npm_has "$nd" "${mods[@]}" || nd=$pkg	# offline: the ones install-deps.sh installed
	fi
	if ! _npm_has "$nd" "${mods[@]}"; then
		echo "skip - all: the npm packages of tests/${pkg##*/} are not installed (npm ci:" \
			"$(tail -1 "$tmp/npm.log" 2>/dev/null); scripts/install-deps.sh installs them)"
		exit 77
	fi
	[[ $nd == "$pkg" ]] || for f in "${files[@]}"; do cp "$pkg/$f" "$nd/$f" || return; done
}
_npm_has() {
	local d=$1 m
	shift
	for m in "$@"; do [[ -f $d/node_modules/$m/package.json ]] || return; done
}

# nap SECONDS: sleeps without a process: a read that times out on a FIFO
# no one writes (opened read-write: no wait for a writer).  The scripts
# poll hundreds of times; a `sleep` costs a process each.
nap() {
	[[ -p $tmp/.nap ]] || mkfifo "$tmp/.nap" || return
	read -rt "$1" <>"$tmp/.nap" || :
}

# wait_until WHAT CMD...: waits for an event a marker shows (a file, a
# line in one), not for a time: polls CMD every 10 ms until it succeeds.
# The deadline ($CADENCE_TEST_DEADLINE s, default 60) is generous, for a
# loaded machine or valgrind; past it, FAIL "timed out waiting for WHAT".
wait_until() {
	local what=$1 limit=${CADENCE_TEST_DEADLINE:-60}
	local end=$((SECONDS + limit))
	shift
	until "$@"; do
		if ((SECONDS >= end)); then
			status=0 out= err=
			fail "timed out after $limit s waiting for $what"
			return 1
		fi
		nap 0.01
	done
}

# alive PID: the process exists and is not a zombie (read once: a process
# that ends between a test of the file and a read of it is not alive; kill
# -0 still finds a zombie until it is reaped)
alive() {
	local st
	read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	[[ -n $st && ! ${st##*) } =~ ^[ZX] ]]
}
gone() { ! alive "$1"; }

# wait_exit PID: waits for the background process PID to exit and sets
# $status; past the deadline ($CADENCE_TEST_DEADLINE s, default 60) kills
# it and FAILs "did not exit": a hang fails the check, not the whole test
wait_exit() {
	local pid=$1 limit=${CADENCE_TEST_DEADLINE:-60}
	local end=$((SECONDS + limit))
	status=0
	while alive "$pid"; do
		if ((SECONDS >= end)); then
			kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			status=0 out= err=
			fail "process $pid did not exit within $limit s (killed)"
			status=137
			return 1
		fi
		nap 0.01
	done
	wait "$pid" || status=$?
}

# need_python MODULE...: the script needs python3 with MODULE; else skipped (77)
need_python() {
	need python3
	python3 -c "import ${*// /, }" 2>/dev/null && return
	echo "skip - all: the python3 module(s) $* are missing (scripts/install-deps.sh installs them)"
	exit 77
}

# py_serve MODULE... -- CODE: one python3 for all of a script's checks
# in python (each start costs 0.1-0.4 s, most of it imports, and a script
# asks it up to six times).  It imports MODULE... (missing: the script is
# skipped, 77, as need_python does), then CODE, which defines main(argv)
# returning an exit status.  py_call ARG... runs main([ARG...]) there:
# what it prints on stdout and stderr, and its status (sys.exit() too),
# as a command's.  ARGs hold no tab or newline; not in a pipeline (bash
# closes a coprocess's descriptors there; $(py_call ...) is fine).
# py_args ARG...: py_call for ARGs that may hold a tab or a newline (a
# hostile path): they go through a file, each NUL-ended.
py_serve() {
	local mods=() reply
	while [[ $1 != -- ]]; do mods+=("$1"); shift; done
	need python3
	coproc py_server { python3 -c "$_py_driver" "$2" "$tmp/.py" "${mods[@]}"; }
	read -r reply <&"${py_server[0]}"
	[[ $reply == ready ]] && return
	echo "skip - all: the python3 module(s) ${mods[*]} are missing (scripts/install-deps.sh installs them)"
	exit 77
}
py_call() {
	local a rc
	for a in "$@"; do
		[[ $a != *[$'\t\n']* ]] || { echo "py_call: a tab or a newline in '$a'" >&2; return 2; }
	done
	local IFS=$'\t'
	printf '%s\n' "$*" >&"${py_server[1]}"
	read -r rc <&"${py_server[0]}" || { echo "py_call: python3 is gone" >&2; return 2; }
	a=$(<"$tmp/.py.out")
	[[ -z $a ]] || printf '%s\n' "$a"
	a=$(<"$tmp/.py.err")
	[[ -z $a ]] || printf '%s\n' "$a" >&2
	return "$rc"
}
py_args() {
	printf '%s\0' "$@" >"$tmp/.py.args"
	py_call @args
}
_py_driver='
import contextlib, importlib, sys, traceback
code, base, mods = sys.argv[1], sys.argv[2], sys.argv[3:]
try:
    for m in mods:
        importlib.import_module(m)
except ImportError:
    print("missing", flush=True)
    sys.exit()
ns = {"__name__": "py_serve"}
exec(compile(code, "py_serve", "exec"), ns)
print("ready", flush=True)
for line in sys.stdin:
    argv = line.rstrip("\n").split("\t")
    if argv == ["@args"]:
        with open(base + ".args", encoding="utf-8", errors="surrogateescape") as f:
            argv = f.read().split("\0")[:-1]
    with open(base + ".out", "w") as o, open(base + ".err", "w") as e:
        with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
            try:
                rc = ns["main"](argv) or 0
            except SystemExit as x:
                rc = x.code if isinstance(x.code, int) else 1
                if x.code is not None and not isinstance(x.code, int):
                    print(x.code, file=sys.stderr)
            except Exception:
                traceback.print_exc()
                rc = 1
    print(rc, flush=True)
'

# has_line PATTERN TEXT: a line of TEXT matches the extended regular
# expression PATTERN, as `grep -qE -- PATTERN <<<TEXT` says.  Bash matches
# with the same C library regex, line by line, where a grep would cost a
# process per check; a long TEXT, or a PATTERN that library refuses (grep
# takes a leading `*` or a lone `{` as literal), still goes to grep.
has_line() {
	local pat=$1 line rc
	local -a lines
	((${#2} <= 65536)) || { grep -qE -- "$pat" <<<"$2"; return; }
	[[ $2 =~ $pat ]]
	rc=$?
	((rc != 2)) || { grep -qE -- "$pat" <<<"$2"; return; }
	# unanchored, a line's match is one in the whole text too
	((rc == 0)) || [[ $pat == *[\^\$]* ]] || return 1
	mapfile -t lines <<<"$2"
	for line in "${lines[@]}"; do
		[[ $line =~ $pat ]] && return 0
	done
	return 1
}

# expect NAME STATUS [grep -E pattern on stdout] [pattern on stderr]
expect() {
	local name=$1 want=$2 pat_out=${3:-} pat_err=${4:-}
	if [[ $status != "$want" ]]; then
		fail "$name (exit $status, expected $want)"
	elif [[ -n $pat_out ]] && ! has_line "$pat_out" "$out"; then
		fail "$name (stdout lacks /$pat_out/)"
	elif [[ -n $pat_err ]] && ! has_line "$pat_err" "$err"; then
		fail "$name (stderr lacks /$pat_err/)"
	else
		ok "$name"
	fi
}

# assert NAME COMMAND...: a shell condition
assert() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else status=0 out= err=; fail "$name"; fi
}

finish() {
	! declare -F memcheck_finish >/dev/null || memcheck_finish
	echo "# $passes passed, $fails failed, $skips skipped"
	[[ $fails == 0 ]] || return 1
	# nothing checked at all is not a pass
	[[ $passes != 0 || $skips == 0 ]] || exit 77
}

# --- cadence serve ------------------------------------------------------------
# For the scripts of `cadence serve` (serve*.sh, webhooks.sh, dashboard*.sh):
#   serve_project           $proj, $CADENCE_STATE_DIR under $tmp; none of
#                           serve's settings from the environment
#   start_serve ARGS...     serve in $proj on 127.0.0.1:0; $spid, $addr
#   stop_serve              SIGTERM; its exit status in $status
#   request METHOD PATH [CURL ARGS...]  $code, $body, the headers in $tmp/headers
#   http METHOD PATH [TOKEN] [BODY]     request with a bearer TOKEN, a JSON BODY
#   check_http NAME CODE [PATTERN]      the last request's status and body
#   header NAME             a header of the last request
#   keep SCHEMA, check_kept NAME [PATH...]  bodies checked against docs/openapi.json
# $serve_scheme (http) and $serve_curl (more curl arguments: --cacert FILE)
# say how to reach serve; $serve_keep_err set: serve.err is appended to,
# not emptied, at each start (a script reading it across restarts).
serve_scheme=http
serve_curl=()
serve_keep_err=
spid= addr= code= body=
serve_project() {
	proj=$tmp/proj
	mkdir -p "$proj"
	export CADENCE_STATE_DIR=$tmp/state
	unset CADENCE_REGISTRY CADENCE_CADENCES CADENCE_LISTEN CADENCE_TOKEN CADENCE_TOKEN_FILE \
		CADENCE_GRACE CADENCE_TRIGGER XDG_STATE_HOME CADENCE_MAX_RUNS CADENCE_MAX_QUEUE \
		CADENCE_MAX_BODY CADENCE_RATE CADENCE_BURST CADENCE_CLIENT_TIMEOUT CADENCE_TLS_CERT \
		CADENCE_TLS_KEY CADENCE_SCHEDULES CADENCE_TEST_CLOCK_SKEW
}
start_serve() {
	rm -f "$tmp/ready"
	[[ -n $serve_keep_err ]] || : >"$tmp/serve.err"
	(cd "$proj" && exec "$cadence" serve --listen 127.0.0.1:0 --ready-file "$tmp/ready" \
		"$@" 2>>"$tmp/serve.err") &
	spid=$!
	wait_until "serve's ready file" test -s "$tmp/ready" || return 1
	addr=$(<"$tmp/ready")
}
stop_serve() {
	kill -TERM "$spid"
	wait_exit "$spid"
}
request() {
	local m=$1 p=$2
	shift 2
	code=$(curl -s -o "$tmp/body" -D "$tmp/headers" -w '%{http_code}' -X "$m" --max-time 20 \
		"${serve_curl[@]}" "$@" "$serve_scheme://$addr$p") || code="curl failed: $?"
	body=$(<"$tmp/body")
}
http() {
	local args=()
	[[ -z ${3:-} ]] || args+=(-H "Authorization: Bearer $3")
	[[ -z ${4+x} ]] || args+=(-H 'Content-Type: application/json' --data-binary "$4")
	request "$1" "$2" "${args[@]}"
}
check_http() {
	if [[ $code != "$2" ]]; then
		fail "$1 (HTTP $code, expected $2: ${body:0:300})"
	elif [[ -n ${3:-} ]] && ! grep -Eq -- "$3" <<<"$body"; then
		fail "$1 (the body lacks /$3/: ${body:0:300})"
	else
		ok "$1"
	fi
}
header() { grep -i "^$1: " "$tmp/headers" | tr -d '\r' | cut -d' ' -f2-; }
# keep SCHEMA: the last body, for check_kept to check against
# docs/openapi.json's components/schemas/SCHEMA ('[SCHEMA]': an array of them)
nkept=0
keep() {
	mkdir -p "$tmp/kept"
	nkept=$((nkept + 1))
	printf '%s\n' "$1" >"$tmp/kept/$nkept.schema"
	printf '%s' "$body" >"$tmp/kept/$nkept.json"
}
# check_kept NAME [PATH...]: one check, NAME ($nkept): every body kept
# matches its schema, and docs/openapi.json has each PATH; skipped without
# python3's openapi-schema-validator
check_kept() {
	local name=$1
	shift
	if ! python3 -c 'import openapi_schema_validator' 2>/dev/null; then
		skip "$name" "python3 has no openapi-schema-validator"
		return
	fi
	run python3 - "$src/docs/openapi.json" "$tmp/kept" "$nkept" "$@" <<'PY'
import json, sys
from openapi_schema_validator import OAS31Validator
doc = json.load(open(sys.argv[1]))
for path in sys.argv[4:]:
    assert path in doc["paths"], path
for i in range(1, int(sys.argv[3]) + 1):
    name = open(f"{sys.argv[2]}/{i}.schema").read().strip()
    ref = {"$ref": "#/components/schemas/" + name.strip("[]")}
    schema = {"type": "array", "items": ref} if name.startswith("[") else ref
    schema = dict(schema, components=doc["components"])
    OAS31Validator(schema).validate(json.load(open(f"{sys.argv[2]}/{i}.json")))
    print("matches", name)
PY
	assert "$name ($nkept)" test "$(grep -c '^matches' <<<"$out")" = "$nkept"
	[[ $status == 0 ]] || echo "$err" | tail -5
}
