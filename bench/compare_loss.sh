#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# compare_loss.sh [EPOCHS] — the README's accuracy comparison: aekit and the
# PyTorch reference (bench/reference_train.py) train `dense` and `deep` on
# Fashion-MNIST with the same architecture, loss, optimizer, batch size,
# epochs and initialisation scheme, and print the test BCE of each.
# Needs python3-torch (make deps-torch). Takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-20}
aekit=${AEKIT:-build/aekit}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-6s %-8s %12s %12s %9s\n' model init aekit PyTorch diff
for model in dense deep; do
  for init in keras pytorch; do
    "$aekit" train --model $model --init $init --epochs "$epochs" --seed 0 -q \
      -o "$tmp/$model.safetensors"
    a=$("$aekit" eval "$tmp/$model.safetensors" | awk '/^loss/ {print $NF}')
    p=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference_train.py --model $model \
      --init $init --epochs "$epochs" --threads 1 --seed 0 | awk '/^test BCE/ {print $3}')
    awk -v m=$model -v i=$init -v a="$a" -v p="$p" \
      'BEGIN { printf "%-6s %-8s %12.4f %12.4f %+8.2f%%\n", m, i, a, p, (a - p) / p * 100 }'
  done
done
