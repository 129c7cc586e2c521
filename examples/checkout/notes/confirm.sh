#!/bin/sh
# SPDX-License-Identifier: MIT
# confirm: tells the customer that the order went through.
#
# Usage (from the cadence): confirm.sh --channel email|sms
#
# reads:  order_id, payment_status, shipping
# writes: status
set -eu

channel=email
while [ $# -gt 0 ]; do
	case $1 in
	--channel) channel=${2:?--channel needs a value}; shift 2 ;;
	*) echo "confirm.sh: unknown argument '$1'" >&2; exit 2 ;;
	esac
done

score=$(cat)
field() {
	printf '%s' "$score" | tr -d '\n' |
		sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\([^\"\\\\]*\)\".*/\1/p"
}
order_id=$(field order_id)
payment=$(field payment_status)
shipping=$(field shipping)

case $payment in
paid)
	echo "sent confirmation of $order_id by $channel ($shipping shipping)" >&2
	printf '{"status": "confirmed"}\n' ;;
payment_pending)
	echo "$order_id: payment pending, confirmation deferred" >&2
	printf '{"status": "awaiting_payment"}\n' ;;
*)
	echo "$order_id: payment status '$payment', not confirming" >&2
	exit 1 ;;
esac
