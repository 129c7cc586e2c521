#!/bin/sh
# SPDX-License-Identifier: MIT
#
# docs/architecture.md describes the code as it is: every module (folder
# of lib/src/) has its paragraph, which starts with **`NAME/`**, and every
# paragraph names a module that exists; every public header has its row
# in the table of public headers (| `NAME.h` |), and every row names a
# header that exists.  And the module boundaries hold: no file includes
# another module's *_int.h.  Lists what is wrong and exits 1.
set -eu
cd "$(dirname "$0")/.."
doc=docs/architecture.md
bad=0
fail() {
	echo "check-architecture: $*" >&2
	bad=$((bad + 1))
}

for d in lib/src/*/; do
	m=$(basename "$d")
	grep -q "^\*\*\`$m/\`\*\*" "$doc" ||
		fail "lib/src/$m/ has no paragraph in $doc (a line starting **\`$m/\`**)"
done
for m in $(sed -n 's/^\*\*`\([a-z0-9_]*\)\/`\*\*.*/\1/p' "$doc"); do
	[ -d "lib/src/$m" ] || fail "$doc describes lib/src/$m/, which does not exist"
done

for h in lib/include/cadence/*.h; do
	n=$(basename "$h")
	grep -q "^| \`$n\` |" "$doc" ||
		fail "$h has no row in the table of public headers of $doc"
done
for n in $(sed -n 's/^| `\([a-z0-9_]*\.h\)` |.*/\1/p' "$doc"); do
	[ -f "lib/include/cadence/$n" ] ||
		fail "$doc lists the public header $n, which does not exist"
done

# #include "MODULE/x_int.h" from a file outside lib/src/MODULE/ (one grep
# over every file: a sed per file cost ~200 processes)
hits=$(grep -rHoE --include='*.[ch]' '^#include "[a-z0-9_]*/[a-z0-9_]*_int\.h"' lib/src cli || :)
while IFS= read -r hit; do
	[ -n "$hit" ] || continue
	f=${hit%%:#include *}
	inc=${hit#*:#include \"}
	inc=${inc%%/*}
	case "$f" in
	lib/src/"$inc"/*) ;;
	*) fail "$f includes $inc/*_int.h, internal to lib/src/$inc/" ;;
	esac
done <<EOF
$hits
EOF

[ "$bad" -eq 0 ] || exit 1
echo "check-architecture: $(ls -d lib/src/*/ | wc -l) modules and" \
	"$(ls lib/include/cadence/*.h | wc -l) public headers described; no *_int.h crosses a module"
