#!/bin/sh
# SPDX-License-Identifier: MIT
# flaky (kinds.cadence.yaml): fails the first time it runs for a marks
# directory ($CADENCE_E2E_MARKS, one per run of the cadence: tests/n8n/e2e.sh
# gives cadence run and n8n each their own), succeeds after: the note's
# retry, cadence's or n8n's, is what makes it pass.
set -eu
cat >/dev/null
mark=${CADENCE_E2E_MARKS:?CADENCE_E2E_MARKS: the directory of the marks}/flaky
if [ ! -e "$mark" ]; then
	: >"$mark"
	echo "flaky: failing on purpose, the first time" >&2
	exit 1
fi
printf '{"tries": "failed once, then succeeded"}\n'
