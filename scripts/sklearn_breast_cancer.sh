#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sklearn_breast_cancer.sh AEKIT OUTDIR — a table from scikit-learn: the
# breast cancer data (30 features; target 0 malignant, 1 benign), split 70/30
# stratified by scripts/sklearn_breast_cancer.py into OUTDIR/train.csv and
# OUTDIR/test.csv. aekit learns the benign training rows only (z-scored per
# feature, fitted on them) and scores the test rows, malignant the anomalies;
# its ROC AUC over SEEDS (default 1..5) is printed beside IsolationForest's,
# fitted on the same benign rows. EPOCHS (default 100) and SEEDS override.
set -euo pipefail
aekit=$1
out=$2
epochs=${EPOCHS:-100}
seeds=${SEEDS:-1 2 3 4 5}
case $aekit in */*) aekit=$(cd "$(dirname "$aekit")" && pwd)/$(basename "$aekit") ;; esac
mkdir -p "$out"
/usr/bin/python3 "$(dirname "$0")/sklearn_breast_cancer.py" "$out" >"$out/baseline.txt"
cd "$out"
aucs=""
for seed in $seeds; do
  "$aekit" train --data train.csv --label-column target --classes 1 --scale standard \
    --model 'dense:16:tanh,dense:8|dense:16:tanh,dense:30;loss=mse' --epochs "$epochs" \
    --batch-size 32 --seed "$seed" -o breast.safetensors -q
  "$aekit" score breast.safetensors --data test.csv --label-column target --normal-classes 1 \
    -o scores.csv >score.txt
  aucs="$aucs $(awk '/^roc_auc/ { print $2 }' score.txt)"
done
echo "$aucs" | awk '{ m = 0; lo = 2; hi = -1
  for (i = 1; i <= NF; i++) { m += $i; if ($i < lo) lo = $i; if ($i > hi) hi = $i }
  printf "aekit_auroc %.4f (%d seeds, %.4f..%.4f)\n", m / NF, NF, lo, hi }'
grep '^isolation_forest' baseline.txt
