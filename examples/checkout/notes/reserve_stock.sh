#!/bin/sh
# SPDX-License-Identifier: MIT
# reserve_stock: holds the order's items in the warehouse.
#
# reads:  order_id, items
# writes: status
set -eu

score=$(cat)
order_id=$(printf '%s' "$score" | tr -d '\n' |
	sed -n 's/.*"order_id"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p')
# the number of lines: count the "sku" keys
lines=$(printf '%s' "$score" | grep -o '"sku"' | wc -l | tr -d ' ')

if [ "$lines" -eq 0 ]; then
	echo "order $order_id has no items to reserve" >&2
	exit 1
fi
echo "reserved $lines line(s) of order $order_id" >&2
printf '{"status": "reserved"}\n'
