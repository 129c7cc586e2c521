#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/misses.sh - what a `set` note costs by score width, in counts that
# do not depend on the machine's load: instructions and the cache lines a
# note misses, under valgrind's callgrind with a cache simulation
# (docs/benchmarks.md, "Scale: notes x score fields").
#
#   bench/misses.sh BUILD [BASE_BUILD]
#
# BUILD (and BASE_BUILD, to compare) are build directories with cli/cadence.
# For each width F in FIELDS: NOTES `set` notes nK_fJ (`fJ = score.fJ + 1`,
# J = K mod F) and N1 or N2 `then` measures visiting the notes in a
# scattered order (note (i * step) mod NOTES, step coprime to NOTES), as
# `bench_run scale` does (bench/gen_cadence.py --shape scatter); `cadence
# run` of each under callgrind, counting only the walk of the measures
# (--toggle-collect=cad_engine_walk).  Per note: (count(N2) - count(N1)) /
# (N2 - N1), so the run's start and end do not count.  The simulated caches: D1 (L1 data) and LL (here the core's
# L2): sizes in D1 and LL, as valgrind's --D1 and --LL take them.
#
# Environment: FIELDS ("10 10000"), NOTES (10000), N1 (5000), N2 (10000),
# D1 (49152,12,64), LL (1048576,16,64).
#
# Time on a shared machine moves with its neighbours; these counts do not.
# A line missed costs from ~10 ns (another core's cache) to ~100 ns (memory).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '3,24p' "$0" | sed 's/^# \{0,1\}//'; }
case ${1:-} in -h | --help) usage; exit 0 ;; esac
[[ $# -ge 1 && $# -le 2 ]] || { usage >&2; exit 2; }
command -v valgrind >/dev/null || { echo "misses.sh: valgrind is not installed" >&2; exit 2; }
builds=("$(cd "$1" && pwd)")
[[ $# -lt 2 ]] || builds+=("$(cd "$2" && pwd)")
for b in "${builds[@]}"; do
	[[ -x $b/cli/cadence ]] || { echo "misses.sh: $b/cli/cadence is missing: build it first" >&2; exit 2; }
done
fields=${FIELDS:-10 10000}
notes=${NOTES:-10000}
n1=${N1:-5000}
n2=${N2:-10000}
d1=${D1:-49152,12,64}
ll=${LL:-1048576,16,64}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-misses.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# gen F N DIR: the cadence of width F with N measures, DIR/wide.cadence.yaml
gen() {
	python3 "$here/gen_cadence.py" "$notes" "$3" --name wide --shape scatter \
		--fields "$1" --measures "$2" >/dev/null
}

# counts BUILD FILE: "Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw" of the walk
counts() {
	valgrind --tool=callgrind --cache-sim=yes --D1="$d1" --LL="$ll" \
		--toggle-collect=cad_engine_walk --callgrind-out-file="$tmp/cg.out" \
		"$1/cli/cadence" run --compact "$2" >/dev/null 2>"$tmp/cg.err" ||
		{ echo "misses.sh: cadence run $2 failed:" >&2; cat "$tmp/cg.err" >&2; exit 1; }
	sed -n 's/^summary: //p' "$tmp/cg.out"
}

echo "# cadence cache misses per set note, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# $notes notes, ($n2 - $n1) measures; simulated D1 $d1, LL $ll (size,ways,line)"
echo
echo "| build | fields | instructions | D1 misses (read + write) | LL misses (read + write) |"
echo "|---|---:|---:|---:|---:|"
for b in "${builds[@]}"; do
	for f in $fields; do
		gen "$f" "$n1" "$tmp/a"
		gen "$f" "$n2" "$tmp/b"
		read -r -a a <<<"$(counts "$b" "$tmp/a/wide.cadence.yaml")"
		read -r -a c <<<"$(counts "$b" "$tmp/b/wide.cadence.yaml")"
		awk -v b="$b" -v f="$f" -v n=$((n2 - n1)) \
			-v a="${a[*]}" -v c="${c[*]}" 'BEGIN {
			split(a, x, " "); split(c, y, " ")
			for (i = 1; i <= 9; i++) { d[i] = (y[i] - x[i]) / n; if (d[i] == 0) d[i] = 0 }
			printf "| %s | %d | %.0f | %.2f (%.2f + %.2f) | %.2f (%.2f + %.2f) |\n", b, f,
				d[1], d[5] + d[6], d[5], d[6], d[8] + d[9], d[8], d[9]
		}'
	done
done
