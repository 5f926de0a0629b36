#!/bin/sh
# SPDX-License-Identifier: MIT
# header_example.sh HEADER OUT.c — copy the example at the top of aekit.h
# (the lines between " * Example" and the closing " */", less the comment
# prefix) into OUT.c, so the build compiles it like any other program.
set -eu
awk '/^ \* Example/ {on = 1; next} on && /^ \*\/$/ {exit} on' "$1" |
  sed -e '1d' -e 's/^ \* \{0,3\}//' -e 's/^ \*$//' >"$2"
grep -q 'int main' "$2" || { echo "no example found in $1" >&2; exit 1; }
