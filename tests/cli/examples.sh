#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bundled examples run end to end: the run in README.md's first command
# (with the checkout's C notes from build/examples/checkout/notes.so), the
# premium and failure paths of the checkout, and the hello example.
source "$(dirname "$0")/lib.sh"
export CADENCE_STATE_DIR=$tmp/state
notes=${CADENCE_EXAMPLE_NOTES:?the test needs CADENCE_EXAMPLE_NOTES (tests/run.cmake sets it)}
score() { python3 -c 'import json,sys; s=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2], {}, {"s": s}) else 1)' "$out" "$1"; }

# --- README's first command: everything after the build, as written -------------
main=$(sed -n '/<!-- main-command -->/{n;n;p;q}' "$src/README.md")
tail=${main#*cmake --build build -j2 && }
assert "README's first command builds, then runs cadence" test "$tail" != "$main"
assert "it runs the checkout example with the C notes' plugin" \
	grep -qF 'cadence run --plugin build/examples/checkout/notes.so examples/checkout/checkout.cadence.yaml' <<<"$tail"
tail=${tail//build\/cli\/cadence/\"$cadence\"}
tail=${tail//build\/examples\/checkout\/notes.so/\"$notes\"}
run_in "$src" bash -euo pipefail -c "$tail"
expect "README's first command: validate examples/, then run the checkout" 0 '^checked 4 files: no problems$'
out=$(sed 1d <<<"$out")
assert "the run went through the child payment cadence" score 's["payment_status"] == "paid" and s["transaction_id"].startswith("tx-")'

# --- the checkout's paths -------------------------------------------------------------
co=$src/examples/checkout/checkout.cadence.yaml
run "$cadence" run -c --plugin "$notes" "$co" --score '{"order_id": "gold-17-big"}'
expect "a premium order" 0 '"shipping":"express"'
assert "premium: priority tag, fraud scored by the C note, paid" \
	score 's["premium"] and "priority" in s["tags"] and s["fraud_risk"] == "low" and s["status"] == "confirmed" and s["total"] == 423'
run "$cadence" run -c --plugin "$notes" "$co" --score '{"order_id": "new-5"}'
expect "a first order" 0 '"shipping":"standard"'
assert "first order: smart_merge combined both notes' tags" score 's["tags"] == ["standard", "first_order"] and not s["premium"]'
run "$cadence" run --plugin "$notes" "$co" --score '{"order_id": "gold-declined"}'
expect "a declined payment fails the run after on_error" 1 '' \
	"error: checkout: note 'confirm': it exited with status 1"
assert "on_error's note ran" grep -qF "[record_failure] checkout of gold-declined failed in note 'confirm'" <<<"$err"
run "$cadence" run "$co" --score '{"order_id": "gold-17"}'
expect "without the plugin: a clear error before anything runs" 2 '' "calls C function '(fraud_score|charge_card)', which no plugin provides"
assert "nothing ran" test "$(grep -c '^\[' <<<"$err")" = 0

# --- dag: extract, then two transforms at once, then load ---------------------------------
run "$cadence" run -c "$src/examples/dag/sales.cadence.yaml" --score '{"region": "north"}'
expect "the dag example runs" 0 '^\{"region":"north","rows":\[\{"sku":"tea-green","price":4.5,"qty":10\},\{"sku":"mug","price":12,"qty":3\}\],"revenue":81,"units":13,"report":"north: 13 units, 81 in revenue"\}$'
run "$cadence" run -c "$src/examples/dag/sales.cadence.yaml" --score '{"region": "offline"}'
expect "its extract fails for good after its retries: the tasks after it are skipped" 1 '' \
	"dag 'daily', note 'extract' \(attempt 3 of 3\)"

# --- hello --------------------------------------------------------------------------------
run "$cadence" run -c "$src/examples/hello/hello.cadence.yaml" --score '{"name": "Ada"}'
expect "hello" 0 '^\{"name":"Ada","greeting":"Hello, Ada!"\}$'
finish
