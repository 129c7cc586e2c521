#!/bin/sh
# SPDX-License-Identifier: MIT
# fetch_history: loads the customer's earlier orders.
#
# reads:  order_id
# writes: history, tags
set -eu

score=$(cat)
order_id=$(printf '%s' "$score" | tr -d '\n' |
	sed -n 's/.*"order_id"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p')

case $order_id in
new-*)
	printf '{"history": [], "tags": ["first_order"]}\n' ;;
*)
	printf '{"history": ["o-3", "o-9"], "tags": ["returning"]}\n' ;;
esac
