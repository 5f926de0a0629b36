#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/mpi.sh — data-parallel training across ranks on this machine's cores:
# `mpirun -np 2 aekit train --threads 1` against one process with 1 thread
# and with 2 threads, alternating, MPI_REPS tries each, best samples/s; the
# ratios are the scaling of 2 ranks. Part of make bench when the build has
# MPI; alone: bash bench/mpi.sh [build/aekit] [MODEL...].
set -eu
bin=${1:-build/aekit}
[ $# -gt 0 ] && shift
models=${*:-deep conv}
reps=${MPI_REPS:-3}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rate() { grep -o '[0-9]* samples/s' | awk '{s += $1; n++} END {print n ? s / n : 0}'; }
echo "| model | 1 process x 1 thread | 1 process x 2 threads | 2 ranks x 1 thread | 2 ranks / 1 thread | 2 ranks / 2 threads |"
echo "|---|---|---|---|---|---|"
for model in $models; do
  lim=60000; [ "$model" = conv ] && lim=12000
  b1=0 b2=0 br=0
  for r in $(seq "$reps"); do
    a=$("$bin" train -m "$model" -e 2 --limit $lim --threads 1 -o "$out/m.st" 2>&1 | rate)
    b=$("$bin" train -m "$model" -e 2 --limit $lim --threads 2 -o "$out/m.st" 2>&1 | rate)
    c=$("${mpi[@]}" -np 2 "$bin" train -m "$model" -e 2 --limit $lim --threads 1 -o "$out/m.st" 2>&1 | rate)
    b1=$(echo "$a $b1" | awk '{print ($1 > $2 ? $1 : $2)}')
    b2=$(echo "$b $b2" | awk '{print ($1 > $2 ? $1 : $2)}')
    br=$(echo "$c $br" | awk '{print ($1 > $2 ? $1 : $2)}')
  done
  awk -v m="$model" -v a="$b1" -v b="$b2" -v c="$br" \
    'BEGIN { printf "| %s | %.0f | %.0f | %.0f | %.2fx | %.2fx |\n", m, a, b, c, c / a, c / b }'
done
