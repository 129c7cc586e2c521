#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Diagram benchmark: `cadence diagram --format dot` against `cadence
# validate` on the 10,000-note benchmark file (bench/gen_cadence.py), in
# the same run, on the same machine.
#
#   bench/diagram.sh [BUILD_DIR] [NOTES]     (defaults: build-bench, 10000)
#
# BUILD_DIR is configured and built here as Release when it does not exist.
# Prints, for the command line (wall time over runs, hyperfine when
# installed) and for the library alone (bench_diagram: load+check against
# drawing), the medians and the ratio diagram/validate.  With valgrind,
# also instruction counts, which do not depend on the machine's load.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$here/build-bench}
notes=${2:-10000}
runs=${RUNS:-15}

if [[ ! -x $build/cli/cadence ]]; then
	cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCADENCE_BUILD_TESTS=OFF >/dev/null
	cmake --build "$build" -j2 >/dev/null
fi
cadence=$build/cli/cadence
work=$(mktemp -d "${TMPDIR:-/tmp}/cadence-bench-diagram.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 "$here/bench/gen_cadence.py" "$notes" "$work" >/dev/null
file=$work/big.cadence.yaml
"$cadence" validate -q "$file"	# must be clean, or the comparison means nothing

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "# file: $notes notes, $(wc -c <"$file") bytes; cadence $("$cadence" --version)"
echo
echo "## command line, wall time"
if command -v hyperfine >/dev/null; then
	hyperfine -N -w 3 -r "$runs" --export-json "$work/h.json" \
		"$cadence validate $file" "$cadence diagram --format dot $file" >/dev/null
	python3 - "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
v, d = r[0]["median"] * 1e3, r[1]["median"] * 1e3
print("validate          median %.1f ms" % v)
print("diagram --format dot median %.1f ms" % d)
print("ratio diagram/validate: %.2f" % (d / v))
PY
else
	t() {
		local best=()
		for ((i = 0; i < runs; i++)); do
			local s e
			s=$(date +%s%N)
			"$@" >/dev/null
			e=$(date +%s%N)
			best+=($(((e - s) / 1000)))
		done
		printf '%s\n' "${best[@]}" | sort -n | sed -n "$((runs / 2 + 1))p"
	}
	v=$(t "$cadence" validate "$file")
	d=$(t "$cadence" diagram --format dot "$file")
	echo "validate median $((v / 1000)) ms; diagram --format dot median $((d / 1000)) ms"
	awk -v v="$v" -v d="$d" 'BEGIN { printf "ratio diagram/validate: %.2f\n", d / v }'
fi

echo
echo "## library, load+check against drawing (bench_diagram, $runs runs)"
"$build/bench/bench_diagram" "$file" "$runs"

if command -v valgrind >/dev/null; then
	echo
	echo "## instructions (callgrind), independent of load"
	count() {
		valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$@" >/dev/null 2>"$work/vg"
		sed -n 's/.*Collected : //p' "$work/vg"
	}
	v=$(count "$cadence" validate "$file")
	d=$(count "$cadence" diagram --format dot "$file")
	draw=$(callgrind_annotate --inclusive=yes "$work/cg" 2>/dev/null |
		sed -n 's/^ *\([0-9,]*\) .*:cadence_diagram_buffer .*/\1/p' | tr -d , | head -1)
	echo "validate: $v instructions"
	echo "diagram --format dot: $d instructions, of which drawing ${draw:-?}"
	awk -v v="$v" -v d="$d" -v g="${draw:-0}" \
		'BEGIN { printf "ratio diagram/validate: %.2f; drawing alone/validate: %.2f\n", d / v, g / v }'
fi
