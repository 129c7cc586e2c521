#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# issue 14 item 15: a circuit breaker state file owned by another user is
# refused before anything runs (status 2, naming the file and both users),
# and is left as it was: before the fix root read and rewrote it.
# Needs root to give a file away (chown); skipped (77) otherwise.
source "$(dirname "$0")/lib.sh"

[[ $(id -u) == 0 ]] || { echo "skip - all: not root (chown needs it)"; exit 77; }

export CADENCE_STATE_DIR=$tmp/state
cat >"$tmp/shop.cadence.yaml" <<'YAML'
cadence: shop
notes:
  charge:
    run: [sh, -c, 'touch "$CADENCE_DIR/ran"']
    circuit_breaker: {failure_threshold: 1, recovery_timeout: 1h}
measures:
  - then: charge
YAML
run "$cadence" run "$tmp/shop.cadence.yaml"
expect "a first run makes the state file" 0
f=$(find "$CADENCE_STATE_DIR" -name 'shop.charge.*.breaker.json')
assert "... one file" test -n "$f" -a -f "$f"
rm "$tmp/ran"
printf '{"state":"open","failures":9,"opened_at":0,"probes":0,"probe_at":0}\n' >"$f"
chown 4242:4242 "$f"
run "$cadence" run "$tmp/shop.cadence.yaml"
expect "a state file of another user: refused, status 2" 2 '' \
	"note 'charge' has a circuit breaker, and its state file .*shop\\.charge\\.[0-9a-f]{16}\\.breaker\\.json cannot be used: it belongs to user 4242, not to this one \\(0\\); remove it"
assert "... nothing ran" test ! -e "$tmp/ran"
assert "... the file is as it was" grep -q '"failures":9,' "$f"
run stat -c %u "$f"
assert "... and still the other user's" test "$out" = 4242
finish
