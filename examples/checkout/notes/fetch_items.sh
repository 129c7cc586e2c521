#!/bin/sh
# SPDX-License-Identifier: MIT
# fetch_items: loads the lines of the order from the order service.
#
# A `run` note reads the score as one JSON object on standard input and
# prints the fields it changes as one JSON object on standard output.  A
# non-zero exit status is a failure: the note's retry policy applies, then
# its fallback.  Lines on standard error are logged.
#
# This demo makes the lines up from the order id, and reads JSON with sed so
# that it needs nothing but a POSIX shell; a real note would call the order
# service and use a JSON tool or a language with a JSON library.
#
# reads:  order_id
# writes: items
set -eu

score=$(cat)
order_id=$(printf '%s' "$score" | tr -d '\n' |
	sed -n 's/.*"order_id"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p')

if [ -z "$order_id" ]; then
	echo "no order_id in the score" >&2
	exit 1
fi
echo "loading order $order_id (attempt ${CADENCE_ATTEMPT:-1} of ${CADENCE_ATTEMPTS:-1})" >&2

case $order_id in
*-empty)
	printf '{"items": []}\n' ;;
*-big)
	printf '{"items": [{"sku": "espresso-machine", "price": 349.0, "qty": 1}, {"sku": "beans-1kg", "price": 18.5, "qty": 4}]}\n' ;;
*)
	printf '{"items": [{"sku": "tea-green", "price": 4.5, "qty": 2}, {"sku": "mug", "price": 12.0, "qty": 1}]}\n' ;;
esac
