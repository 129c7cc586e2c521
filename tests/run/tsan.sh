#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ThreadSanitizer check of the run engine's threads: builds the library
# with -fsanitize=thread in BUILD (default build-run-tsan) and runs
# tests/run/tsan.c; any report fails it.  ctest runs it as run/tsan (label
# slow: a build of its own), CI through `ctest -L slow`.
#   tests/run/tsan.sh [BUILD]
# Skipped (77) when the compiler cannot build a -fsanitize=thread program.
# First a program with a data race must be reported, so that a TSan that
# does not work here (a kernel whose address layout it refuses, say)
# cannot pass in silence.  Results as tests/cli/lib.sh prints them.
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(realpath -m "${1:-$src/build-run-tsan}")
source "$src/tests/cli/lib.sh" /dev/null "$src"
cc=${CC:-cc}
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 exitcode=66"

# Both threads write a hundred times, 100 us apart, so that the writes
# overlap in time: a single write each was missed about half the time here
# (TSan reports a race only when it sees both accesses).
cat >"$tmp/race.c" <<'C'
#include <pthread.h>
#include <unistd.h>
static int shared;
static void *bump(void *p)
{
	(void)p;
	for (int i = 0; i < 100; i++) {
		shared++;
		usleep(100);
	}
	return NULL;
}
int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, bump, NULL);
	bump(NULL);
	pthread_join(t, NULL);
	return 0;
}
C
if ! "$cc" -fsanitize=thread -g -o "$tmp/race" "$tmp/race.c" -lpthread 2>"$tmp/.err"; then
	cat "$tmp/.err"
	echo "skip - all: $cc cannot build a -fsanitize=thread program"
	exit 77
fi
run "$tmp/race"
expect "ThreadSanitizer reports a data race here (exit 66)" 66 '' 'WARNING: ThreadSanitizer: data race'
[[ $fails == 0 ]] || { finish; exit 1; }

run cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCADENCE_BUILD_TESTS=OFF \
	-DCADENCE_BUILD_BENCH=OFF -DCMAKE_C_COMPILER="$cc" -DCMAKE_C_FLAGS="-fsanitize=thread -O1"
expect "configure the library with -fsanitize=thread" 0
run cmake --build "$build" --target cadence_lib -j"${CADENCE_TEST_JOBS:-2}"
expect "build it" 0
# shellcheck disable=SC2046 # pkg-config's flags are words
run "$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=thread -O1 -g -I"$src/lib/include" \
	-o "$build/tsan_check" "$src/tests/run/tsan.c" "$build/lib/libcadence.a" \
	$(pkg-config --libs libcjson yaml-0.1) -lm -lpthread -ldl
expect "build tests/run/tsan.c against it" 0
run "$build/tsan_check"
expect "the run engine's threads: no ThreadSanitizer report" 0 'tsan check: 0 failures'
[[ -z $err ]] || printf '%s\n' "$err" | head -100
finish
