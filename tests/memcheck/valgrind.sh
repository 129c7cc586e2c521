# SPDX-License-Identifier: MIT
# Sourced by tests/cli/lib.sh when CADENCE_TEST_VALGRIND is set (the
# memcheck/cli/NAME tests, tests/memcheck/memcheck.cmake): from here on
# $cadence is a wrapper, also named `cadence`, that runs the binary under
# valgrind memcheck, each process with its own log; memcheck_finish (called
# by finish) fails the script when any log holds a report: an error, or a
# leak that is definite or indirect.  Valgrind's status 99 on a report also
# breaks the script's expected statuses.
#
# Which runs: the first run of each command in the script (its leading
# words: `run`, `export argo`, `schedule next`), and every
# $CADENCE_TEST_VALGRIND_EVERY-th run (3 unless set; 1: every run); the
# others run the binary itself.  A valgrind start costs 0.6-0.8 CPU-s
# whatever the run does, and the scripts make over a thousand runs: every
# one of them also runs under ASan + UBSan in the sanitizer suite, which
# sees the heap errors and leaks valgrind sees; valgrind's own part
# (uninitialised values, a slow run's timing) sees every command and a
# third of the runs (docs/reliability.md).
#
# --read-inline-info=no: a tenth less CPU per run; a report's stack then
# names the function an inlined one was inlined into.  Each run logs into a
# directory of its own: a pid that comes round again (pid_max is 32768 here)
# must neither overwrite an earlier run's report nor, as another user, fail
# on root's file.  --vgdb=no: no /tmp/vgdb-pipe-* files, named by pid alone,
# which a killed run leaves behind for a later one of that pid to trip on.
memcheck_real=$cadence
memcheck_dir=$tmp/.memcheck
memcheck_every=${CADENCE_TEST_VALGRIND_EVERY:-3}
[[ $memcheck_every =~ ^[1-9][0-9]*$ ]] || {
	echo "CADENCE_TEST_VALGRIND_EVERY must be a positive integer, not '$memcheck_every'" >&2
	exit 2
}
mkdir -p "$memcheck_dir/bin" "$memcheck_dir/logs"
cat >"$memcheck_dir/bin/cadence" <<EOF
#!/bin/sh
logs=\$(mktemp -d "$memcheck_dir/logs/run.XXXXXX") || exit 125
# the command: up to two leading words of lower-case letters, digits, -
# or _, before any option or other argument ('export argo', 'run')
shape= words=0
for a do
	case \$a in
	*[!a-z0-9_-]* | '' | [!a-z]*) break ;;
	*) shape="\$shape \$a" words=\$((words + 1)); [ \$words -lt 2 ] || break ;;
	esac
done
nth() { echo \$#; }
n=\$(nth "$memcheck_dir"/logs/run.*)
read -r key _ <<END
\$(printf '%s' "\$shape" | cksum)
END
# mkdir: atomic, so racing first runs of a command take valgrind once
if ! mkdir "$memcheck_dir/logs/shape.\$key" 2>/dev/null && [ \$((n % $memcheck_every)) -ne 0 ]; then
	exec "$memcheck_real" "\$@"
fi
exec valgrind --quiet --tool=memcheck --vgdb=no --leak-check=full \\
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \\
	--error-exitcode=99 --num-callers=30 --read-inline-info=no \\
	--suppressions="$src/tests/memcheck/valgrind.supp" \\
	--log-file="\$logs/%p.log" "$memcheck_real" "\$@"
EOF
chmod +x "$memcheck_dir/bin/cadence"
cadence=$memcheck_dir/bin/cadence

memcheck_finish() {
	local log n=0 d vg=0 runs=("$memcheck_dir"/logs/run.*) logs=("$memcheck_dir"/logs/run.*/*.log)
	[[ -e ${runs[0]} ]] || runs=()
	[[ -e ${logs[0]} ]] || logs=()
	# a run that forks has a log per process
	for d in "${runs[@]}"; do
		for log in "$d"/*.log; do [[ -e $log ]] && vg=$((vg + 1)); break; done
	done
	for log in "${logs[@]}"; do
		# a report is a line "==PID== ..."; "--PID-- WARNING: unhandled
		# syscall" (pidfd_open in valgrind 3.19: cadence falls back) is not
		grep -q '^==[0-9]*==' "$log" || continue
		n=$((n + 1))
		if [[ $n -le 3 ]]; then
			echo "valgrind report:"
			sed 's/^/  /' "$log" | head -60
		fi
	done
	if [[ $n -eq 0 ]]; then
		ok "valgrind memcheck: no error and no leak in $vg runs (of ${#runs[@]}: each command's first and one in $memcheck_every)"
	else
		status=0 out= err=
		fail "valgrind memcheck: $n runs with reports"
	fi
}
