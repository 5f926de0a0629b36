#!/usr/bin/env bash
# cli_header_example.sh AEKIT — the example at the top of include/aekit.h
# compiles (-Wall -Wextra -Werror) and links against the library just built.
set -eu
build=$(dirname "$1")
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the lines between " * Example" and the closing " */", less the " * " prefix
awk '/^ \* Example/ {on = 1; next} on && /^ \*\/$/ {exit} on' "$top/include/aekit.h" |
  sed -e '1d' -e 's/^ \* \{0,3\}//' -e 's/^ \*$//' >"$tmp/example.c"
grep -q 'int main' "$tmp/example.c" || { echo "FAIL: no example found in aekit.h"; exit 1; }
cc -std=c11 -Wall -Wextra -Werror -I"$top/include" "$tmp/example.c" -o "$tmp/example" \
  "$build/libaekit.a" $(pkg-config --libs openblas libcjson libpng zlib plplot) -lm
echo "example compiles and links"
