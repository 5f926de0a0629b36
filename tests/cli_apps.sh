#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_apps.sh AEKIT FASHION_DIR — the application commands (score,
# fit-threshold, probe, pca, compare, search, inpaint) on a tiny model
# trained here on a slice of Fashion-MNIST: good paths with their numbers
# checked for sense, and bad input (one "aekit: error:" line, non-zero exit).
set -u
aekit=$1
fashion=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
train="$fashion/train-images-idx3-ubyte.gz"
train_labels="$fashion/train-labels-idx1-ubyte.gz"
test="$fashion/t10k-images-idx3-ubyte.gz"
test_labels="$fashion/t10k-labels-idx1-ubyte.gz"

. "$(dirname "$0")/support/cli_lib.sh"

# expect_ok CMD... : exit 0, output kept in $tmp/out
expect_ok() {
  if ! "$@" >"$tmp/out" 2>"$tmp/err"; then
    echo "FAIL: $*:"
    cat "$tmp/err"
    fail=1
  fi
}

"$aekit" train --data "$train" --limit 1000 --model dense:16:relu --epochs 2 -q -t 1 \
  -o "$tmp/m.safetensors" || { echo "FAIL: training the tiny model"; exit 1; }

# ---- score, fit-threshold ----
expect_ok "$aekit" score "$tmp/m.safetensors" --data "$test" --limit 500 -o "$tmp/s.npy" -t 1
grep -q '^samples 500$' "$tmp/out" || { echo "FAIL: score: $(cat "$tmp/out")"; fail=1; }
[ "$(stat -c %s "$tmp/s.npy")" -eq $((128 + 500 * 4)) ] || { echo "FAIL: score wrote $(stat -c %s "$tmp/s.npy") bytes"; fail=1; }
expect_ok "$aekit" fit-threshold "$tmp/m.safetensors" --data "$train" --limit 1000 \
  --contamination 0.1 -o "$tmp/d.safetensors" -t 1
"$aekit" info "$tmp/d.safetensors" | grep -q '"contamination"' || { echo "FAIL: threshold not in the model"; fail=1; }
# 10% of the training samples above the threshold: 100 of 1000
expect_ok "$aekit" score --model "$tmp/d.safetensors" --data "$train" --limit 1000 -t 1
grep -q 'stored in the model): 100 of 1000 samples above it' "$tmp/out" ||
  { echo "FAIL: fit-threshold/score: $(cat "$tmp/out")"; fail=1; }
# sandals (5) against the rest: an AUC, an AP, F1 lines and a ROC picture
expect_ok "$aekit" score "$tmp/d.safetensors" --data "$test" --labels "$test_labels" --limit 1000 \
  --anomaly-classes 5,7,9 --roc "$tmp/roc.png" -t 1
grep -q '^roc_auc 0\.[0-9]*$' "$tmp/out" && grep -q '^average_precision 0\.' "$tmp/out" &&
  grep -q '^at the threshold ' "$tmp/out" && grep -q '^at the best-F1 threshold ' "$tmp/out" ||
  { echo "FAIL: score with labels: $(cat "$tmp/out")"; fail=1; }
[ -s "$tmp/roc.png" ] || { echo "FAIL: no ROC picture"; fail=1; }
# 1 - SSIM as the score: the stored threshold (for the MSE) is not applied,
# one from these data is
expect_ok "$aekit" score "$tmp/d.safetensors" --data "$test" --labels "$test_labels" --limit 1000 \
  --anomaly-classes 5,7,9 --score ssim -t 1
grep -q '^score (1 - ssim of the reconstruction): mean 0\.' "$tmp/out" && grep -q '^roc_auc 0\.' "$tmp/out" &&
  ! grep -q 'stored in the model' "$tmp/out" ||
  { echo "FAIL: score --score ssim: $(cat "$tmp/out")"; fail=1; }
expect_ok "$aekit" score "$tmp/d.safetensors" --data "$train" --limit 1000 --score ssim --contamination 0.1 -t 1
grep -q 'contamination 0.1 of these data): 100 of 1000 samples above it' "$tmp/out" ||
  { echo "FAIL: score --score ssim --contamination: $(cat "$tmp/out")"; fail=1; }

expect_error "labels" "$aekit" score "$tmp/m.safetensors" --data "$test" --labels "$train_labels"
expect_error "--contamination" "$aekit" fit-threshold "$tmp/m.safetensors" --data "$train" --limit 100 --contamination 0.6
expect_error "--contamination" "$aekit" fit-threshold "$tmp/m.safetensors" --data "$train" --limit 100 --contamination 0
expect_error "--contamination" "$aekit" score "$tmp/m.safetensors" --data "$test" --limit 100 --contamination -0.1
expect_error "--percentile" "$aekit" fit-threshold "$tmp/m.safetensors" --data "$train" --limit 100 --percentile 101
expect_error "--contamination C or --percentile P" "$aekit" fit-threshold "$tmp/m.safetensors" --data "$train"
expect_error "--normal-classes" "$aekit" score "$tmp/m.safetensors" --data "$test" --labels "$test_labels" --limit 100
expect_error "--anomaly-classes" "$aekit" score "$tmp/m.safetensors" --data "$test" --labels "$test_labels" --limit 100 --anomaly-classes 1,x
expect_error "needs labels" "$aekit" score "$tmp/m.safetensors" --data "$test" --limit 100 --roc "$tmp/r.png"
expect_error "no model" "$aekit" score --data "$test"
expect_error "not recon or ssim" "$aekit" score "$tmp/m.safetensors" --data "$test" --limit 100 --score psnr
expect_error "784" "$aekit" score "$tmp/m.safetensors" --data "$tmp/roc.png"

# ---- probe ----
expect_ok "$aekit" probe "$tmp/m.safetensors" --data "$train" --labels "$train_labels" --limit 1000 \
  --test-data "$test" --test-labels "$test_labels" --test-limit 300 --k 5 -t 1
knn=$(sed -n 's/^knn accuracy (k=5) //p' "$tmp/out")
lin=$(sed -n 's/^linear probe accuracy //p' "$tmp/out")
# ten classes: chance is 0.1; even this tiny model's codes do far better
awk -v a="$knn" -v b="$lin" 'BEGIN { exit !(a > 0.4 && a <= 1 && b > 0.4 && b <= 1) }' ||
  { echo "FAIL: probe accuracies '$knn' '$lin'"; fail=1; }
expect_error "--k" "$aekit" probe "$tmp/m.safetensors" --limit 100 --test-limit 10 --k 0
expect_error "--k 101" "$aekit" probe "$tmp/m.safetensors" --limit 100 --test-limit 10 --k 101
expect_error "labels" "$aekit" probe "$tmp/m.safetensors" --limit 100 --test-data "$test" \
  --test-labels "$train_labels"

# ---- pca, compare ----
expect_ok "$aekit" pca --data "$train" --limit 1000 -c 16 -o "$tmp/p.safetensors"
grep -q '16 components explain' "$tmp/out" || { echo "FAIL: pca: $(cat "$tmp/out")"; fail=1; }
"$aekit" info "$tmp/p.safetensors" | grep -q 'explained_variance_ratio' || { echo "FAIL: pca metadata"; fail=1; }
# a PCA is a model like any other
expect_ok "$aekit" encode "$tmp/p.safetensors" --data "$test" --limit 10 -o "$tmp/pc.csv"
[ "$(head -1 "$tmp/pc.csv" | tr ',' '\n' | wc -l)" -eq 16 ] || { echo "FAIL: PCA codes"; fail=1; }
expect_ok "$aekit" score "$tmp/p.safetensors" --data "$test" --limit 100 -t 1
expect_ok "$aekit" compare "$tmp/m.safetensors" --pca "$tmp/p.safetensors" --data "$test" \
  --labels "$test_labels" --limit 200 --train-data "$train" --train-labels "$train_labels" --train-limit 1000 -t 1
# PCA at 16 components reconstructs better than this barely trained autoencoder
awk '/^\| autoencoder/ { a = $6 } /^\| pca/ { p = $6 } END { exit !(p > 0 && p < a) }' "$tmp/out" ||
  { echo "FAIL: compare: $(cat "$tmp/out")"; fail=1; }
expect_error "data dimension" "$aekit" pca --data "$train" --limit 100 -c 785 -o "$tmp/x.safetensors"
expect_error "--components" "$aekit" pca --data "$train" --limit 100 -o "$tmp/x.safetensors"
expect_error "--pca" "$aekit" compare "$tmp/m.safetensors"

# ---- search ----
for metric in euclidean cosine hamming; do
  expect_ok "$aekit" search "$tmp/m.safetensors" --data "$train" --labels "$train_labels" --limit 1000 \
    --queries "$test" --query-labels "$test_labels" --query-limit 50 --k 4 --metric $metric -t 1
  grep -q '^precision@4 0\.[0-9]*$' "$tmp/out" || { echo "FAIL: search $metric: $(cat "$tmp/out")"; fail=1; }
done
# the database searched for its own first samples: each finds itself first at distance 0
expect_ok "$aekit" search "$tmp/m.safetensors" --data "$test" --limit 200 --queries "$test" \
  --query-limit 3 --k 1 --metric hamming --png "$tmp/search.png" -t 1
grep -q '^query 0: 0 (0)$' "$tmp/out" && grep -q '^query 2: [0-9]* (0)$' "$tmp/out" ||
  { echo "FAIL: search itself: $(cat "$tmp/out")"; fail=1; }
[ -s "$tmp/search.png" ] || { echo "FAIL: no search picture"; fail=1; }
expect_error "--metric" "$aekit" search "$tmp/m.safetensors" --limit 10 --query-limit 2 --metric manhattan
expect_error "--k 11" "$aekit" search "$tmp/m.safetensors" --data "$test" --limit 10 --query-limit 2 --k 11

# ---- inpaint ----
expect_ok "$aekit" inpaint "$tmp/p.safetensors" --data "$test" --limit 100 --mask rect:8,10,12,8 \
  --iterations 3 -o "$tmp/inpaint.png" -t 1
awk '/^mse over the masked pixels/ { z = $8; f = $10 } END { exit !(f > 0 && f < z) }' "$tmp/out" ||
  { echo "FAIL: inpaint no better than black: $(cat "$tmp/out")"; fail=1; }
[ -s "$tmp/inpaint.png" ] || { echo "FAIL: no inpaint picture"; fail=1; }
expect_error "outside the 28x28 image" "$aekit" inpaint "$tmp/p.safetensors" --data "$test" --limit 10 \
  --mask rect:20,20,10,5 -o "$tmp/x.png"
expect_error "outside" "$aekit" inpaint "$tmp/p.safetensors" --data "$test" --limit 10 --mask rect:-1,0,5,5 -o "$tmp/x.png"
expect_error "rect:X,Y,W,H" "$aekit" inpaint "$tmp/p.safetensors" --data "$test" --limit 10 --mask rect:1,2,3 -o "$tmp/x.png"
expect_error "28x28" "$aekit" inpaint "$tmp/p.safetensors" --data "$test" --limit 10 --mask-png "$tmp/search.png" -o "$tmp/x.png"
expect_error "--iterations" "$aekit" inpaint "$tmp/p.safetensors" --data "$test" --limit 10 --mask rect:0,0,5,5 --iterations 0 -o "$tmp/x.png"

# ---- the progress bar (AEKIT_PROGRESS=always: drawn at once, a file or not) ----
# probe: a bar per phase on stderr, each erased, results on stdout unchanged
AEKIT_PROGRESS=always expect_ok "$aekit" probe "$tmp/m.safetensors" --data "$train" \
  --labels "$train_labels" --limit 1000 --test-data "$test" --test-labels "$test_labels" \
  --test-limit 300 --k 5 -t 1
tr '\r' '\n' <"$tmp/err" >"$tmp/bar"
for phase in 'encoding 1000 samples \[' 'encoding 300 samples \[' 'k-NN \[' 'linear probe \.\.\.'; do
  grep -q "$phase" "$tmp/bar" || { echo "FAIL: probe's bar has no '$phase': $(head -c 300 "$tmp/bar")"; fail=1; }
done
[ "$(tail -c 4 "$tmp/err" | od -An -c | tr -d ' ')" = '\r033[K' ] ||
  { echo "FAIL: the bar is not erased at the end"; fail=1; }
grep -q "^knn accuracy (k=5) $knn\$" "$tmp/out" && ! grep -q $'\r' "$tmp/out" ||
  { echo "FAIL: probe with a bar: other results: $(cat "$tmp/out")"; fail=1; }
AEKIT_PROGRESS=always expect_ok "$aekit" eval "$tmp/m.safetensors" --data "$test" --limit 500 -t 1
grep -q 'eval \[' "$tmp/err" || { echo "FAIL: eval shows no bar"; fail=1; }
AEKIT_PROGRESS=always expect_ok "$aekit" score "$tmp/m.safetensors" --data "$test" --limit 500 -t 1
grep -q 'score \[' "$tmp/err" || { echo "FAIL: score shows no bar"; fail=1; }
AEKIT_PROGRESS=always expect_ok "$aekit" search "$tmp/m.safetensors" --data "$train" --limit 1000 \
  --queries "$test" --query-limit 50 --k 4 -t 1
grep -q 'k-NN search \[' "$tmp/err" || { echo "FAIL: search shows no bar"; fail=1; }
# not a terminal, not asked for: no bar
expect_ok "$aekit" eval "$tmp/m.safetensors" --data "$test" --limit 500 -t 1
[ ! -s "$tmp/err" ] || { echo "FAIL: a bar where stderr is a file: $(head -c 200 "$tmp/err")"; fail=1; }
AEKIT_PROGRESS=never expect_ok "$aekit" eval "$tmp/m.safetensors" --data "$test" --limit 500 -t 1
[ ! -s "$tmp/err" ] || { echo "FAIL: a bar under AEKIT_PROGRESS=never"; fail=1; }

exit $fail
