#!/bin/sh
# SPDX-License-Identifier: MIT
# send_receipt: mails the receipt of a payment (payment.cadence.yaml).
#
# Changes no field: it prints nothing, which means "no change".
#
# reads: order_id, amount, currency, transaction_id
set -eu

score=$(cat)
field() {
	printf '%s' "$score" | tr -d '\n' |
		sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"\\\\]*\)\".*/\1/p"
}
amount=$(printf '%s' "$score" | tr -d '\n' |
	sed -n 's/.*"amount"[[:space:]]*:[[:space:]]*\([-0-9.eE+]*\).*/\1/p')

echo "receipt for order $(field order_id): $amount $(field currency), transaction $(field transaction_id)" >&2
