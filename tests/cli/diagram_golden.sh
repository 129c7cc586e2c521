#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence diagram: golden Mermaid and DOT for every case in
# tests/golden/diagram/cases (UPDATE=1 rewrites them).
exec bash "$2/tests/golden/diagram/run.sh" "$1" "$2"
