#!/bin/sh
# SPDX-License-Identifier: MIT
# record_failure: the on_error handler of the checkout.
#
# Runs when a measure fails for good, on the score as the failure left it.
# The error is in CADENCE_ERROR, the note that failed in CADENCE_ERROR_NOTE.
#
# reads:  order_id
# writes: status
set -eu

score=$(cat)
order_id=$(printf '%s' "$score" | tr -d '\n' |
	sed -n 's/.*"order_id"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p')

# the first line of the error: the rest is the failed note's stderr
error=$(printf '%s\n' "${CADENCE_ERROR:-unknown error}" | head -n 1)
echo "checkout of ${order_id:-?} failed in note '${CADENCE_ERROR_NOTE:-?}': $error" >&2
printf '{"status": "failed"}\n'
