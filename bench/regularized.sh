#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# regularized.sh [AEKIT] [EPOCHS] — the sparse and contractive tables of the
# README: Fashion-MNIST, train set, evaluated on the test set.
#   sparse:      dense:64:sigmoid with the KL sparsity penalty (rho 0.05) at
#                three weights, and with an L1 penalty on the code;
#   contractive: dense:32:sigmoid at four weights of the Jacobian penalty.
set -euo pipefail
aekit=${1:-build/aekit}
epochs=${2:-10}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
row() { # SPEC -> | spec | mean code | near zero | jacobian | BCE | PSNR |
  "$aekit" train -m "$1" -e "$epochs" -q -o "$tmp/m.safetensors"
  "$aekit" eval "$tmp/m.safetensors" | awk -v spec="$1" '
    /^loss/ {bce = $NF} /^psnr/ {psnr = $2} /^code mean/ {cm = $3}
    /^code near zero/ {cz = $4} /^jacobian norm/ {j = $3}
    END {printf "| `%s` | %.4f | %.3f | %s | %.4f | %.2f |\n", spec, cm, cz, j == "" ? "-" : sprintf("%.4f", j), bce, psnr}'
}
echo "epochs: $epochs"
echo "| spec | mean code | near zero | mean ‖J‖_F | test BCE | PSNR dB |"
echo "|---|---|---|---|---|---|"
for s in "dense:64:sigmoid" "dense:64:sigmoid;sparsity=0.05:0.01" "dense:64:sigmoid;sparsity=0.05:0.1" \
         "dense:64:sigmoid;sparsity=0.05:1" "dense:64:relu;l1=0.001" \
         "dense:32:sigmoid" "dense:32:sigmoid;contractive=0.01" "dense:32:sigmoid;contractive=0.1" \
         "dense:32:sigmoid;contractive=1"; do
  row "$s"
done
