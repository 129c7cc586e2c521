#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/scale.sh - issue 15's scaling table: what notes x score fields cost
# (docs/benchmarks.md, "Scale: notes x score fields").
#
#   bench/scale.sh BUILD [BASE_BUILD]
#
# BUILD, and BASE_BUILD to compare two builds in the same rounds, are build
# directories configured with -DCMAKE_BUILD_TYPE=Release
# -DCADENCE_BUILD_BENCH=ON and built (cadence, bench_load, bench_run).
# Files (bench/gen_cadence.py, in a temporary directory):
#   chain  N `set` notes in sequence over F fields (N in NOTES, F in FIELDS)
#   mixed  the load benchmark's file, every binding and measure kind, F fields
#   sync   one `sync` of N `set` notes over N fields (N in SYNCS), each note
#          writing its own field; sync+reads: each also lists READS fields
#   dag    one `dag` of N tasks over N fields (N in DAGS), in layers of 100,
#          each task after two of the layer before
# For each file, whole processes timed in rotating rounds (bench/proctime.py):
# the bare libyaml parse (bench_load --once events FILE), `cadence validate
# --strict` (which also checks that the file is clean), `cadence diagram
# --format dot`, `cadence run` (chain and sync); then, in one process,
# bench_load's validate against its own event parse.  Last, `bench_run
# REPEAT scale`: the marginal per-note engine cost by score width, and one
# sync of 100 x 100 and of 1,000 x 1,000.
#
# Environment: ROUNDS (5), BUDGET_S (20: seconds of rounds per file at
# most), LIMIT_S (60: a command is stopped after it), LIMIT_MB (4096:
# address space of each command), NOTES ("1000 10000"), FIELDS ("10 100
# 1000 10000"), SYNCS ("100 1000 10000"), DAGS ("1000 10000"), READS (100),
# REPEAT (5: rounds of bench_run), SHAPES ("chain mixed sync"; dag too on
# request), ENGINE (1: run bench_run).
#
# Times are medians of CPU time (user + system, from wait4); ratios are
# medians of the ratios within a round, CPU time first and wall time in
# parentheses.  The machine may be shared and noisy: compare ratios, not
# milliseconds.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
usage() { sed -n '3,36p' "$0" | sed 's/^# \{0,1\}//'; }
case ${1:-} in -h | --help) usage; exit 0 ;; esac
[[ $# -ge 1 && $# -le 2 ]] || { usage >&2; exit 2; }
build=$(cd "$1" && pwd)
base=${2:+$(cd "$2" && pwd)}
rounds=${ROUNDS:-5}
budget=${BUDGET_S:-20}
limit_s=${LIMIT_S:-60}
limit_mb=${LIMIT_MB:-4096}
notes=${NOTES:-1000 10000}
fields=${FIELDS:-10 100 1000 10000}
syncs=${SYNCS:-100 1000 10000}
dags=${DAGS:-1000 10000}
reads=${READS:-100}
repeat=${REPEAT:-5}
shapes=${SHAPES:-chain mixed sync}
engine=${ENGINE:-1}

sides=("")
[[ -z $base ]] || sides+=(.base)
dir_of() { [[ $1 == .base ]] && echo "$base" || echo "$build"; }
for s in "${sides[@]}"; do
	for exe in cli/cadence bench/bench_load bench/bench_run; do
		[[ -x $(dir_of "$s")/$exe ]] || {
			echo "scale.sh: $(dir_of "$s")/$exe is missing: build it first" >&2
			exit 2
		}
	done
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cadence-scale.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
loads=()
sample_load() { loads+=("$(cut -d' ' -f1 /proc/loadavg)"); }

echo "# cadence scale benchmark (issue 15), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "# machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "# build: $build ($("$build/cli/cadence" --version | head -1))"
[[ -z $base ]] || echo "# base:  $base ($("$base/cli/cadence" --version | head -1))"
echo "# rounds $rounds, budget ${budget}s per file, limits ${limit_s}s and ${limit_mb} MB per command"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# "CPU (wall)" of a ratio line's WALL and CPU, or what stands instead
ratio_cell() {
	local wall=$1 cpu=$2
	case $wall in
	-) echo "-" ;;
	\>*) echo "${wall}x (wall; stopped)" ;;
	*) echo "${cpu}x (${wall}x)" ;;
	esac
}

# bench_load's in-process validate/events ratio for FILE with build DIR,
# RUNS runs; "-" when it does not finish or the file is not clean
in_process() {
	local out
	out=$( (ulimit -v $((limit_mb * 1024)); timeout "$limit_s" "$1/bench/bench_load" -n "$3" "$2") \
		2>/dev/null) || { echo "-"; return; }
	sed -n 's/^RESULT.* validate_events=\([0-9.]*\).*/\1x/p' <<<"$out"
}

declare -a rows=() vs_base=()
# cell SHAPE N F [READS]: one file, every command on it, one row per side
cell() {
	local shape=$1 n=$2 f=$3 r=${4:-0} file label
	local -a args=(--shape "$shape" --fields "$f")
	[[ $shape != sync || $r == 0 ]] || args+=(--reads "$r")
	file=$(python3 "$here/gen_cadence.py" "$n" "$tmp/$shape-$n-$f-$r" "${args[@]}")
	label=$shape
	[[ $r == 0 ]] || label="$shape+reads $r"
	local -a cmds=(parse "$build/bench/bench_load --once events $file")
	local -a ratios=()
	local s d
	for s in "${sides[@]}"; do
		d=$(dir_of "$s")
		cmds+=("validate$s" "$d/cli/cadence validate --strict --quiet $file"
			"diagram$s" "$d/cli/cadence diagram --format dot $file")
		[[ $shape == mixed ]] || cmds+=("run$s" "$d/cli/cadence run --compact $file")
		ratios+=(--ratio "validate$s/parse" --ratio "diagram$s/validate$s" --ratio "run$s/validate$s")
	done
	[[ -z $base ]] || ratios+=(--ratio validate/validate.base --ratio diagram/diagram.base
		--ratio run/run.base)
	sample_load
	local out
	out=$(python3 "$here/proctime.py" --rounds "$rounds" --budget "$budget" --timeout "$limit_s" \
		--limit-mb "$limit_mb" --gate validate "${ratios[@]}" "${cmds[@]}")
	echo "## $label, $n notes, $f fields: $(wc -c <"$file") bytes"
	echo "$out"
	declare -A st=() cpu=() rc=() rw=()
	local kind name a b c
	while read -r kind name a b c _; do
		if [[ $kind == cmd ]]; then
			st[$name]=$a
			cpu[$name]=$c
		else
			rw[$name]=$a
			rc[$name]=$b
		fi
	done <<<"$out"
	# a benchmark of error paths is not what the goals are about
	if [[ ${st[validate]} == failed* ]]; then
		echo "scale.sh: $file does not validate clean with $build" >&2
		exit 1
	fi
	local mb
	mb=$(awk -v b="$(wc -c <"$file")" 'BEGIN { printf "%.2f", b / 1e6 }')
	for s in "${sides[@]}"; do
		d=$(dir_of "$s")
		local val ip="-" runs=0
		case ${st[validate$s]} in
		ok)
			val=$(printf '%.1f' "${cpu[validate$s]}")
			# about BUDGET_S / 2 of in-process rounds, 3 to 101 of them
			runs=$(awk -v v="${cpu[validate$s]}" -v b="$budget" \
				'BEGIN { k = int(b * 1000 / (6 * v)); print (k < 3 ? 3 : (k > 101 ? 101 : k)) }')
			ip=$(in_process "$d" "$file" "$runs")
			;;
		stopped) val="stopped after ${limit_s} s" ;;
		*) val=${st[validate$s]} ;;
		esac
		echo "in process (bench_load -n ${runs:-0}${s:+, base}): validate/events ${ip:--}"
		rows+=("$(printf '| %s%s | %s | %s | %s | %.1f | %s | %s | %s | %s | %s |' \
			"$label" "${s:+ (base)}" "$n" "$f" "$mb" "${cpu[parse]}" "$val" \
			"$(ratio_cell "${rw[validate$s/parse]}" "${rc[validate$s/parse]}")" "${ip:--}" \
			"$(ratio_cell "${rw[diagram$s/validate$s]}" "${rc[diagram$s/validate$s]}")" \
			"$(ratio_cell "${rw[run$s/validate$s]}" "${rc[run$s/validate$s]}")")")
	done
	[[ -z $base ]] || vs_base+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$label" "$n" "$f" \
		"$(ratio_cell "${rw[validate/validate.base]}" "${rc[validate/validate.base]}")" \
		"$(ratio_cell "${rw[diagram/diagram.base]}" "${rc[diagram/diagram.base]}")" \
		"$(ratio_cell "${rw[run/run.base]}" "${rc[run/run.base]}")")")
	echo
}

for shape in $shapes; do
	case $shape in
	chain | mixed)
		for n in $notes; do
			for f in $fields; do
				cell "$shape" "$n" "$f"
			done
		done
		;;
	sync)
		for n in $syncs; do
			cell sync "$n" "$n"
			[[ $reads == 0 ]] || cell sync "$n" "$n" "$reads"
		done
		;;
	dag)
		for n in $dags; do
			cell dag "$n" "$n"
		done
		;;
	*) echo "scale.sh: unknown shape '$shape'" >&2; exit 2 ;;
	esac
done

echo "Whole processes: CPU ms are medians; ratios are medians of per-round ratios, CPU (wall);"
echo "in process: bench_load's validate / event parse, median of its rounds."
echo
echo "| shape | notes | fields | MB | parse ms | validate ms | validate / parse | in process | diagram / validate | run / validate |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
if [[ -n $base ]]; then
	echo "| shape | notes | fields | validate: build / base | diagram: build / base | run: build / base |"
	echo "|---|---:|---:|---:|---:|---:|"
	printf '%s\n' "${vs_base[@]}"
	echo
fi

if [[ $engine == 1 ]]; then
	for s in "${sides[@]}"; do
		sample_load
		echo "## engine${s:+ (base)}: bench_run $repeat scale"
		echo
		( ulimit -v $((limit_mb * 1024)); timeout $((limit_s * 10)) \
			"$(dir_of "$s")/bench/bench_run" "$repeat" scale ) ||
			echo "(bench_run $repeat scale: stopped or failed, status $?)"
	done
fi
sample_load
echo "# load average (1 min) sampled before each file: $(printf '%s\n' "${loads[@]}" |
	sort -g | sed -n '1p;$p' | paste -sd- ); at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# scale.sh took $(($(date +%s) - start)) s"
