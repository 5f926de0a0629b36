#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_install.sh AEKIT FASHION_DIR — `cmake --install --prefix P` (what make
# install PREFIX=P runs) into a fresh prefix after the build: the program,
# the libraries, the header and an aekit.pc that points at P, with which the
# header's own example compiles and links (shared, and static with
# --static), and the program runs from there. AE_LINK_FLAGS: flags the
# example needs to link a library built with sanitizers.
set -u
aekit=$1
build=$(cd "$(dirname "$aekit")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
prefix="$tmp/elsewhere/p" # (pkg-config escapes spaces: a prefix without them)
cmake --install "$build" --prefix "$prefix" >"$tmp/log" 2>&1 || { echo "FAIL: install: $(cat "$tmp/log")"; exit 1; }
pc=$(find "$prefix" -name aekit.pc | head -1)
[ -n "$pc" ] || { echo "FAIL: no aekit.pc under the prefix"; exit 1; }
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc")
inc=$(pkg-config --variable=includedir aekit)
[ -f "$inc/aekit.h" ] || { echo "FAIL: aekit.pc's includedir '$inc' has no aekit.h"; fail=1; }
[ -f "$prefix/share/man/man1/aekit.1" ] && [ -f "$prefix/share/man/man1/aekit-train.1" ] &&
  [ -f "$prefix/share/bash-completion/completions/aekit" ] ||
  { echo "FAIL: man pages or the bash completion not installed under the prefix"; fail=1; }
libdir=$(pkg-config --variable=libdir aekit)
[ -f "$libdir/libaekit.a" ] || { echo "FAIL: aekit.pc's libdir '$libdir' has no libaekit.a"; fail=1; }
# shellcheck disable=SC2046
cc ${AE_LINK_FLAGS:-} -o "$tmp/ex" "$build/header_example.c" $(pkg-config --cflags --libs aekit) 2>"$tmp/err" ||
  { echo "FAIL: the header example does not build with aekit.pc: $(head -5 "$tmp/err")"; fail=1; }
# shellcheck disable=SC2046
cc ${AE_LINK_FLAGS:-} -fopenmp -o "$tmp/ex-static" "$build/header_example.c" $(pkg-config --static --cflags aekit) \
  "$libdir/libaekit.a" $(pkg-config --static --libs-only-l --libs-only-other aekit | sed 's/-laekit//') \
  2>"$tmp/err" || { echo "FAIL: static link: $(head -5 "$tmp/err")"; fail=1; }
LD_LIBRARY_PATH="$libdir" "$prefix/bin/aekit" --version >/dev/null ||
  { echo "FAIL: the installed program does not run"; fail=1; }
exit $fail
