#!/bin/sh
# SPDX-License-Identifier: MIT
# ThreadSanitizer check of the run engine's threads: builds the library
# with -fsanitize=thread in BUILD (default build-run-tsan) and runs
# tests/run/tsan.c; exits non-zero on any report.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-run-tsan}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCADENCE_BUILD_TESTS=OFF \
	-DCADENCE_BUILD_BENCH=OFF -DCMAKE_C_FLAGS="-fsanitize=thread -O1" >/dev/null
cmake --build "$build" --target cadence_lib -j2 >/dev/null
cc -std=c11 -D_POSIX_C_SOURCE=200809L -fsanitize=thread -O1 -g -I"$src/lib/include" \
	-o "$build/tsan_check" "$src/tests/run/tsan.c" "$build/lib/libcadence.a" \
	$(pkg-config --libs libcjson yaml-0.1) -lm -lpthread -ldl
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" "$build/tsan_check"
