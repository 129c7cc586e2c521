#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/deploy/cadence-serve.service, the systemd unit of docs/serve.md:
# `systemd-analyze verify` finds nothing to say (an unknown or misspelt key
# is reported: checked with one), its hardening rates as exposure 3 or less
# (`systemd-analyze security --offline`), serve starts with its ExecStart line,
# and docs/serve.md shows the same unit.  Skipped without systemd-analyze.
source "$(dirname "$0")/lib.sh"
need systemd-analyze

unit=$src/docs/deploy/cadence-serve.service
# the unit with this build's binary (verify checks that ExecStart exists)
sed -e "s|/usr/local/bin/cadence|$cadence|" "$unit" >"$tmp/cadence-serve.service"
run systemd-analyze verify "$tmp/cadence-serve.service"
expect "systemd-analyze verify: the unit is valid" 0
assert "... with nothing to say ($err)" test -z "$err"
sed 's/^ProtectClock=/ProtectClok=/' "$tmp/cadence-serve.service" >"$tmp/bad.service"
run systemd-analyze verify "$tmp/bad.service"
assert "... which it would say of a misspelt key" grep -q "Unknown key 'ProtectClok'" <<<"$err"
# (--threshold is in tenths: 30 is an exposure of 3.0)
run systemd-analyze security --offline=yes --threshold=30 "$tmp/cadence-serve.service"
expect "systemd-analyze security: exposure 3 or less" 0 'Overall exposure level for cadence-serve.service: [0-2]\.[0-9]|3\.0'
# ExecStart's options are serve's (%t expanded, port 0)
exec_start=$(sed -n 's/^ExecStart=[^ ]* //p' "$unit" | sed "s|%t|$tmp|g")
mkdir -p "$tmp/cadence" "$tmp/proj"
read -ra args <<<"$exec_start"
(cd "$tmp/proj" && CADENCE_STATE_DIR=$tmp/state exec "$cadence" \
	"${args[@]/127.0.0.1:8080/127.0.0.1:0}" 2>"$tmp/serve.err") &
spid=$!
wait_until "serve started by the unit's ExecStart line" test -s "$tmp/cadence/serve.addr"
kill -TERM "$spid"
wait_exit "$spid"
assert "... and stopped by SIGTERM, exit 0" test "$status" = 0
# docs/serve.md shows the unit itself, from [Unit] on
awk '/^```ini$/{on=1; next} /^```$/{on=0} on' "$src/docs/serve.md" >"$tmp/shown"
sed -n '/^\[Unit\]/,$p' "$unit" >"$tmp/file"
assert "docs/serve.md shows docs/deploy/cadence-serve.service" cmp -s "$tmp/shown" "$tmp/file"

finish
