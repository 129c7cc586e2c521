#!/bin/sh
# SPDX-License-Identifier: MIT
# fetch_profile: loads the customer's profile for the order.
#
# Runs in the `enrich` sync beside fetch_history, with `merge: smart_merge`:
# both notes print a `tags` list, and the lists are appended to each other.
# When this note fails for good, its fallback sets a stub profile.
#
# reads:  order_id
# writes: profile, tags
set -eu

score=$(cat)
order_id=$(printf '%s' "$score" | tr -d '\n' |
	sed -n 's/.*"order_id"[[:space:]]*:[[:space:]]*"\([^"\\]*\)".*/\1/p')

case $order_id in
gold-*)
	printf '{"profile": {"tier": "gold", "since": 2019}, "tags": ["gold"]}\n' ;;
*)
	printf '{"profile": {"tier": "standard", "since": 2024}, "tags": ["standard"]}\n' ;;
esac
