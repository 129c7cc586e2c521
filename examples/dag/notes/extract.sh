#!/bin/sh
# SPDX-License-Identifier: MIT
# extract: reads the day's sales of a region from the sales database.
#
# A `run` note reads the score as one JSON object on standard input and
# prints the fields it changes as one JSON object on standard output; a
# non-zero exit status is a failure (docs/run.md).  This demo makes the
# rows up from the region, and reads JSON with sed so that it needs nothing
# but a POSIX shell.
#
# reads:  region
# writes: rows
set -eu

score=$(cat)
region=$(printf '%s' "$score" | tr -d '\n' |
	sed -n 's/.*"region"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p')

if [ -z "$region" ]; then
	echo "no region in the score" >&2
	exit 1
fi
echo "extracting the sales of $region" >&2

case $region in
north)
	printf '{"rows": [{"sku": "tea-green", "price": 4.5, "qty": 10}, {"sku": "mug", "price": 12.0, "qty": 3}]}\n' ;;
south)
	printf '{"rows": [{"sku": "beans-1kg", "price": 18.5, "qty": 4}]}\n' ;;
offline)
	echo "the sales database of $region does not answer" >&2
	exit 1 ;;
*)
	printf '{"rows": []}\n' ;;
esac
