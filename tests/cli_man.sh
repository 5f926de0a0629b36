#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_man.sh AEKIT FASHION_DIR — the man pages (scripts/manpages.sh): one per
# command that aekit --help lists and aekit.1, no groff warnings, every
# option of aekit train in aekit-train.1, the same bytes twice; and the bash
# completion (scripts/aekit.bash): commands, a command's options, presets,
# choices and file names, each command's --help read once. FASHION_DIR is
# not used.
set -eu
aekit=$1
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
command -v groff >/dev/null || { echo "FAIL: no groff to check the pages with (Debian: groff-base)"; exit 1; }

cmds=$("$aekit" --help | awk '/^commands:/ { on = 1; next } on && !NF { exit } on { print $1 }')
ncmds=$(printf '%s\n' "$cmds" | grep -c .)
[ "$ncmds" -ge 10 ] || { echo "FAIL: aekit --help lists $ncmds commands: $cmds"; exit 1; }

# ---- man pages ----
sh "$here/scripts/manpages.sh" "$aekit" "$tmp/man" 9.8.7 ||
  { echo "FAIL: scripts/manpages.sh exited non-zero"; exit 1; }
for p in aekit $(for c in $cmds; do echo "aekit-$c"; done); do
  f=$tmp/man/$p.1
  if [ ! -s "$f" ]; then
    echo "FAIL: no page $p.1"
    fail=1
    continue
  fi
  w=$(LC_ALL=C groff -man -Tutf8 -ww -z "$f" 2>&1) || w="groff failed: $w"
  [ -z "$w" ] || { echo "FAIL: $p.1: groff says: $w"; fail=1; }
  # the header: the page's name, section 1, no date, the version
  title=$(echo "$p" | tr '[:lower:]' '[:upper:]' | sed 's/-/\\-/g')
  grep -qxF ".TH $title 1 \"\" \"aekit 9.8.7\" \"aekit manual\"" "$f" ||
    { echo "FAIL: $p.1: header is $(grep '^\.TH' "$f")"; fail=1; }
  for s in NAME SYNOPSIS DESCRIPTION OPTIONS 'SEE ALSO'; do
    grep -qx "\.SH $s" "$f" || { echo "FAIL: $p.1 has no $s section"; fail=1; }
  done
  # rendered: the NAME line is "name - summary"
  LC_ALL=C groff -man -Tascii -P-cbou "$f" 2>/dev/null |
    grep -qE "^ +$p +- +[[:alnum:]]" || { echo "FAIL: $p.1: no 'NAME - summary' line when rendered"; fail=1; }
done
npages=$(ls "$tmp/man" | wc -l)
[ "$npages" -eq $((ncmds + 1)) ] ||
  { echo "FAIL: $npages files for $ncmds commands: $(ls "$tmp/man" | tr '\n' ' ')"; fail=1; }
for s in ENVIRONMENT 'EXIT STATUS' COMMANDS; do
  grep -qx "\.SH $s" "$tmp/man/aekit.1" || { echo "FAIL: aekit.1 has no $s section"; fail=1; }
done
grep -q 'AEKIT_PROGRESS' "$tmp/man/aekit.1" || { echo "FAIL: aekit.1 does not name AEKIT_PROGRESS"; fail=1; }

# every option of aekit train is the tag of an entry (.TP) of aekit-train.1
opts=$("$aekit" train --help | awk '/^options:/ { on = 1; next }
  on && /^ +-/ { for (i = 1; i <= NF && $i ~ /^-/; i++) { sub(/,$/, "", $i); print $i } }')
nopts=$(printf '%s\n' "$opts" | grep -c .)
[ "$nopts" -ge 20 ] || { echo "FAIL: found $nopts options in aekit train --help"; fail=1; }
awk 'prev == ".TP" { print } { prev = $0 }' "$tmp/man/aekit-train.1" >"$tmp/tags"
for o in $opts; do
  roff=$(printf '%s' "$o" | sed 's/-/\\-/g')
  grep -qF "\\fB$roff\\fR" "$tmp/tags" || { echo "FAIL: aekit-train.1: no entry for $o"; fail=1; }
done

# reproducible: the same program gives the same bytes
sh "$here/scripts/manpages.sh" "$aekit" "$tmp/man2" 9.8.7 >/dev/null 2>&1 &&
  diff -r "$tmp/man" "$tmp/man2" >/dev/null || { echo "FAIL: a second run wrote other pages"; fail=1; }

# ---- completion ----
# "aekit" on PATH is a wrapper that logs each run, so the cache shows
mkdir -p "$tmp/bin" "$tmp/files"
aekit_abs=$(cd "$(dirname "$aekit")" && pwd)/$(basename "$aekit")
printf '#!/bin/sh\necho "$*" >>"%s"\nexec "%s" "$@"\n' "$tmp/runs" "$aekit_abs" >"$tmp/bin/aekit"
chmod +x "$tmp/bin/aekit"
: >"$tmp/files/model.safetensors"

# complete WORD... : the completions of the last word, one a line, from a
# bash without bash-completion and with set -u; each call one bash, unless
# words are split by ";" into several completions in one bash (then the
# answers of each are printed after a line "@@")
complete_in_bash() {
  PATH="$tmp/bin:$PATH" bash --norc --noprofile -c '
    set -u
    . "$1"
    shift
    declare -F _aekit >/dev/null || { echo "_aekit not defined"; exit 1; }
    complete -p aekit | grep -q -- "-F _aekit" || { echo "no complete -F _aekit aekit"; exit 1; }
    run() {
      COMP_WORDS=("$@")
      COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
      COMP_LINE="$*"
      COMP_POINT=${#COMP_LINE}
      COMPREPLY=()
      _aekit aekit "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
      echo @@
      ((${#COMPREPLY[@]} == 0)) || printf "%s\n" "${COMPREPLY[@]}"
    }
    words=()
    for w in "$@"; do
      if [[ $w == ";" ]]; then run "${words[@]}"; words=(); else words+=("$w"); fi
    done
    ((${#words[@]} == 0)) || run "${words[@]}"' _ "$here/scripts/aekit.bash" "$@"
}

# expect_completion "WANT..." "NOT..." WORD... : every word of WANT among the
# completions, none of NOT
expect_completion() {
  local want=$1 not=$2 got w
  shift 2
  got=$(complete_in_bash "$@" 2>&1 | grep -vx @@) || true
  for w in $want; do
    printf '%s\n' "$got" | grep -qxF -- "$w" ||
      { echo "FAIL: completing '$*': no $w in: $(tr '\n' ' ' <<<"$got")"; fail=1; }
  done
  for w in $not; do
    if printf '%s\n' "$got" | grep -qxF -- "$w"; then
      echo "FAIL: completing '$*': $w should not be in: $(tr '\n' ' ' <<<"$got")"
      fail=1
    fi
  done
}

expect_completion "train" "eval pca" aekit tr
expect_completion "$cmds" "" aekit ''
expect_completion "fit-threshold" "train" aekit help 'fi'
expect_completion "--version --help" "" aekit --
expect_completion "--epochs" "--model --output" aekit train --ep
expect_completion "--optimizer --output" "" aekit train --o
expect_completion "-m -o -e" "" aekit train -
# presets, as aekit train --help lists them
presets=$("$aekit" train --help | sed -n 's/.*--model VALUE  *preset (\([^)]*\)).*/\1/p' | tr -d ,)
[ -n "$presets" ] || { echo "FAIL: no preset list in aekit train --help"; fail=1; }
expect_completion "$presets" "" aekit train --model ''
expect_completion "conv conv-vae" "dense vae" aekit train -m conv
expect_completion "vae" "conv" aekit train --model = v
expect_completion "--model=vae" "vae" aekit train --model=v
# choices in the help: "adam, adamw or sgd", "full|encoder|decoder" in the usage
expect_completion "adam adamw sgd" "model.safetensors" aekit train --optimizer ''
expect_completion "yes no auto" "" aekit eval m --csv-header ''
expect_completion "full encoder decoder" "" aekit export m -o m.onnx --part ''
expect_completion "cosine" "euclidean" aekit search m --metric c
# a number: nothing; a file: file names; after a flag: a file again
expect_completion "" "$tmp/files/model.safetensors" aekit train --epochs "$tmp/files/"
expect_completion "$tmp/files/model.safetensors" "" aekit train --data "$tmp/files/mo"
expect_completion "$tmp/files/model.safetensors" "" aekit info --json "$tmp/files/mo"
expect_completion "$tmp/files/model.safetensors" "" aekit score "$tmp/files/m"
# each --help run once, however often its command is completed
: >"$tmp/runs"
complete_in_bash aekit t ';' aekit e ';' aekit train --ep ';' aekit train --e ';' aekit train --model '' \
  >/dev/null 2>&1 || true
[ "$(grep -cx -- '--help' "$tmp/runs")" -eq 1 ] && [ "$(grep -cx -- 'train --help' "$tmp/runs")" -eq 1 ] ||
  { echo "FAIL: --help not cached per command; runs: $(tr '\n' ';' <"$tmp/runs")"; fail=1; }
exit $fail
