#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cadence diagram -o: the format follows the extension in any case (issue
# 21, item 1); an unknown extension or none, and a --format that
# contradicts the extension, are usage errors; SVG, PNG, PDF and JPEG are
# rendered through libgvc (each file's magic bytes checked); --dpi and
# --scale size a PNG or JPEG and are refused elsewhere; a refused or
# failed -o leaves no file behind.
source "$(dirname "$0")/lib.sh"
h=$src/examples/hello/hello.cadence.yaml
mkdir "$tmp/out"
o=$tmp/out

# magic FILE: the first four bytes, in hex
magic() { od -An -tx1 -N4 "$1" 2>/dev/null | tr -d ' \n'; }
# png_width FILE: the width in a PNG's IHDR (bytes 16 to 19, big-endian)
png_width() { echo $((16#$(od -An -tx1 -j16 -N4 "$1" | tr -d ' \n'))); }
# empty_out: nothing in $o (no diagram, no temporary file)
empty_out() { [[ -z $(ls -A "$o") ]]; }

# --- text formats, every extension in both cases -----------------------------
for ext in mmd MMD mermaid MERMAID dot DOT gv GV; do
	case ${ext,,} in mmd | mermaid) want='^flowchart TB' ;; *) want='^digraph cadence \{' ;; esac
	run "$cadence" diagram -o "$o/x.$ext" "$h"
	if [[ $status == 0 && -z $err ]] && grep -qE "$want" "$o/x.$ext"; then
		ok "-o x.$ext writes ${want#^}"
	else
		fail "-o x.$ext writes ${want#^}"
	fi
	rm -f "$o/x.$ext"
done
run "$cadence" diagram -f MERMAID -o "$o/x.mmd" "$h"
expect "--format takes the lower-case names only" 2 '' "invalid value 'MERMAID' for --format"

# --- unknown extension, none, a contradiction: usage errors, nothing written --
known='\.mmd, \.mermaid, \.dot, \.gv, \.svg, \.png, \.pdf, \.jpg, \.jpeg \(in any case\)'
run "$cadence" diagram -o "$o/x.txt" "$h"
expect "-o x.txt: an unknown extension is a usage error" 2 '' \
	"cannot tell the format of '.*/x.txt' from its extension: -o knows $known; .*--format FORMAT"
assert "-o x.txt: nothing written" empty_out
run "$cadence" diagram -o "$o/diagram" "$h"
expect "-o without an extension is a usage error" 2 '' "cannot tell the format of '.*/diagram'"
run "$cadence" diagram -o "$o/.png" "$h"
expect "-o .png (a hidden file, no extension) is a usage error" 2 '' "cannot tell the format of '.*/\.png'"
run "$cadence" diagram -o "$o/x." "$h"
expect "-o 'x.' (an empty extension) is a usage error" 2 '' "cannot tell the format"
mkdir "$o/d.svg"
run "$cadence" diagram -o "$o/d.svg/diagram" "$h"
expect "the extension is the file name's, not a directory's" 2 '' "cannot tell the format of '.*/d.svg/diagram'"
rmdir "$o/d.svg"
assert "refusals leave nothing in the directory" empty_out
run "$cadence" diagram -f dot -o "$o/x.txt" "$h"
expect "--format names the format of an unknown extension" 0
assert "-f dot -o x.txt writes DOT" grep -q '^digraph cadence {' "$o/x.txt"
rm -f "$o/x.txt"
run "$cadence" diagram -f mermaid -o "$o/diagram" "$h"
assert "-f mermaid -o NAME (no extension) writes Mermaid" grep -q '^flowchart TB' "$o/diagram"
rm -f "$o/diagram"
run "$cadence" diagram -o /dev/null "$h"
expect "-o /dev/null (a device, no extension) gets Mermaid, as standard output" 0
run "$cadence" diagram -f png -o "$o/x.svg" "$h"
expect "--format contradicting the extension names both" 2 '' \
	"--format png contradicts the extension of '.*/x.svg' \(.svg is svg\); drop --format or rename the file"
run "$cadence" diagram -f mermaid -o "$o/x.DOT" "$h"
expect "the contradiction is found in any case" 2 '' "\(.DOT is dot\)"
assert "contradictions leave nothing in the directory" empty_out
run "$cadence" diagram -f dot -o "$o/x.GV" "$h"
expect "--format agreeing with the extension (dot, .GV)" 0
rm -f "$o/x.GV"

# --- --dpi and --scale: their values, and the formats that have no pixels ---
bad_value() {	# bad_value OPTION VALUE RANGE
	run "$cadence" diagram "$1" "$2" -o "$o/x.png" "$h"
	expect "$1 '$2' is a usage error" 2 '' "$1 takes .* $3, not '$2'"
}
for v in 0 2401 -96 1.5 abc 96dpi 0x60 ' 96' '' inf nan 1e400; do bad_value --dpi "$v" 'from 1 to 2400'; done
for v in 0 0.09 11 -1 x 2,5 0x2 nan inf 1e400; do bad_value --scale "$v" 'from 0.1 to 10'; done
assert "bad values leave nothing in the directory" empty_out
for f in svg pdf dot mmd; do
	run "$cadence" diagram --dpi 150 -o "$o/x.$f" "$h"
	expect "--dpi with .$f is refused" 2 '' "--dpi is for the raster formats \(png, jpg\), not"
done
run "$cadence" diagram --scale 2 "$h"
expect "--scale on standard output (Mermaid) is refused" 2 '' "--scale is for the raster formats \(png, jpg\), not mermaid"
run "$cadence" diagram --scale 2 --dpi 100 -f pdf "$h"
expect "the first of --scale and --dpi is named" 2 '' "--scale is for the raster formats \(png, jpg\), not pdf"
assert "refused --dpi/--scale leave nothing in the directory" empty_out

# --- rendered formats ---------------------------------------------------------
if ! "$cadence_again" version --verbose | grep -q '^SVG/PNG: *yes'; then
	# without libgvc: the refusal (its own path: it runs under valgrind too)
	for ext in svg PNG pdf JPG jpeg; do
		run "$cadence" diagram -o "$o/x.$ext" "$h"
		expect "without libgvc, -o x.$ext is refused" 2 '' "built without Graphviz \(libgvc\), so it cannot write"
	done
	assert "the refusals leave nothing in the directory" empty_out
	skip "rendering SVG, PNG, PDF and JPEG" "built without libgvc"
	finish
	exit
fi

# magic bytes by format (SVG: "<?xm" or "<svg")
declare -A magics=([svg]='3c3f786d|3c737667' [png]=89504e47 [pdf]=25504446 [jpg]=ffd8ff)
render_check() {	# render_check NAME FILE FORMAT
	local m
	m=$(magic "$2")
	if [[ $status == 0 && -z $err && $m =~ ^(${magics[$3]}) ]]; then
		ok "$1"
	else
		fail "$1 (status $status, magic '$m')"
	fi
}
# Each renderer once with $cadence (valgrind and the sanitizers see
# Graphviz's svg, png, pdf and jpg plugins in process); the upper-case
# extensions repeat that render step for step, the extension matched in
# any case ($cadence_again: the lower-case run of the format covers it).
for ext in svg SVG png PNG pdf PDF jpg JPG jpeg JPEG; do
	fmt=${ext,,}
	fmt=${fmt/jpeg/jpg}
	bin=$cadence
	[[ $ext == "$fmt" ]] || bin=$cadence_again
	run "$bin" diagram -o "$o/x.$ext" "$h"
	render_check "-o x.$ext renders ${fmt^^}" "$o/x.$ext" "$fmt"
done
run "$cadence_again" diagram -f jpg -o "$o/y.jpeg" "$h"
render_check "--format jpg agrees with .jpeg" "$o/y.jpeg" jpg
# the png and jpg renders above again, to standard output (not a terminal)
status=0 err=
"$cadence_again" diagram -f png "$h" >"$o/stdout.png" || status=$?
render_check "-f png to standard output" "$o/stdout.png" png

# --dpi and --scale change the pixels: 96 dpi by default
w96=$(png_width "$o/x.png")
run "$cadence" diagram --dpi 192 -o "$o/dpi.png" "$h"
render_check "--dpi 192 renders a PNG" "$o/dpi.png" png
w192=$(png_width "$o/dpi.png")
((w192 >= 2 * w96 - 2 && w192 <= 2 * w96 + 2)) && ok "--dpi 192 doubles the width ($w96 -> $w192 pixels)" ||
	fail "--dpi 192 doubles the width ($w96 -> $w192 pixels)"
# (the --dpi run above covers the render at a resolution: --scale only
# multiplies it)
run "$cadence_again" diagram --scale 2 -o "$o/scale.png" "$h"
w2=$(png_width "$o/scale.png")
[[ $w2 == "$w192" ]] && ok "--scale 2 is --dpi 192 ($w2 pixels)" || fail "--scale 2 is --dpi 192 ($w2, not $w192 pixels)"
run "$cadence_again" diagram --dpi 48 --scale 2.5 -o "$o/both.png" "$h"
w120=$(png_width "$o/both.png")
((w120 >= w96 * 5 / 4 - 2 && w120 <= w96 * 5 / 4 + 2)) && ok "--dpi 48 --scale 2.5 draws at 120 dpi ($w120 pixels)" ||
	fail "--dpi 48 --scale 2.5 draws at 120 dpi ($w120 pixels, 96 dpi: $w96)"
run "$cadence_again" diagram --scale 0.5 -o "$o/scale.jpg" "$h"
render_check "--scale with .jpg renders a JPEG" "$o/scale.jpg" jpg
(($(stat -c %s "$o/scale.jpg") < $(stat -c %s "$o/x.jpg"))) && ok "--scale 0.5 draws a smaller JPEG" ||
	fail "--scale 0.5 draws a smaller JPEG"

# too many pixels: refused before Graphviz draws, the file kept, no temporary file
rm -f "$o"/*
echo "previous" >"$o/big.png"
run "$cadence" diagram --dpi 2400 --scale 10 -o "$o/big.png" "$h"
expect "an image over the pixel limits is refused" 1 '' \
	"the image would be [0-9]+ x [0-9]+ pixels, more than cadence draws \(32767 a side, 100000000 in all\); lower --dpi or --scale"
assert "the refused image leaves the previous file" grep -qx previous "$o/big.png"
assert "the refused image leaves no temporary file" test "$(ls -A "$o")" = big.png
finish
