#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence serve under a little load (label slow): bench/serve.sh --check
# with 500 triggers from 20 concurrent clients on 127.0.0.1: every
# accepted run (202) is in the registry exactly once, ok, trigger api; none
# lost; serve alive and exiting 0 on SIGTERM.  No time is asserted (the
# machine may be shared); the figures are docs/benchmarks.md's, "serve".
source "$(dirname "$0")/lib.sh"
need curl python3 bc
run bash "$src/bench/serve.sh" --cadence "$cadence" --requests 500 --clients 20 --cli 0 --again 0 --check
printf '%s\n' "$out" | grep -E '^(serve|registry):'
expect "500 triggers, 20 clients: --check passes" 0 '^exactly once: yes$'
expect "... 500 accepted, none lost, none twice" 0 \
	'^registry: 500 rows for 500 accepted runs: 500 distinct ids, 0 recorded twice, 0 lost, 0 not accepted, 0 not ok'
expect "... serve alive after the load, exit 0 on SIGTERM" 0 '^serve: exit 0 after SIGTERM$'
[[ $status == 0 ]] || echo "$err" | tail -5
finish
