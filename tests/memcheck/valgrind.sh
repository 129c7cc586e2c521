# SPDX-License-Identifier: MIT
# Sourced by tests/cli/lib.sh when CADENCE_TEST_VALGRIND is set (the
# memcheck/cli/NAME tests, tests/memcheck/memcheck.cmake): from here on
# $cadence is a wrapper, also named `cadence`, that runs the binary under
# valgrind memcheck, each process with its own log; memcheck_finish (called
# by finish) fails the script when any log holds a report: an error, or a
# leak that is definite or indirect.  Valgrind's status 99 on a report also
# breaks the script's expected statuses.  --read-inline-info=no: a tenth
# less CPU per run (the scripts start hundreds); a report's stack then
# names the function an inlined one was inlined into.  Each run logs into a
# directory of its own: a pid that comes round again (pid_max is 32768 here)
# must neither overwrite an earlier run's report nor, as another user, fail
# on root's file.  --vgdb=no: no /tmp/vgdb-pipe-* files, named by pid alone,
# which a killed run leaves behind for a later one of that pid to trip on.
memcheck_real=$cadence
memcheck_dir=$tmp/.memcheck
mkdir -p "$memcheck_dir/bin" "$memcheck_dir/logs"
cat >"$memcheck_dir/bin/cadence" <<EOF
#!/bin/sh
logs=\$(mktemp -d "$memcheck_dir/logs/run.XXXXXX") || exit 125
exec valgrind --quiet --tool=memcheck --vgdb=no --leak-check=full \\
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \\
	--error-exitcode=99 --num-callers=30 --read-inline-info=no \\
	--suppressions="$src/tests/memcheck/valgrind.supp" \\
	--log-file="\$logs/%p.log" "$memcheck_real" "\$@"
EOF
chmod +x "$memcheck_dir/bin/cadence"
cadence=$memcheck_dir/bin/cadence

memcheck_finish() {
	local log n=0
	for log in "$memcheck_dir"/logs/*/*.log; do
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
		ok "valgrind memcheck: no error and no leak in $(ls "$memcheck_dir"/logs/*/*.log | wc -l) runs"
	else
		status=0 out= err=
		fail "valgrind memcheck: $n runs with reports"
	fi
}
