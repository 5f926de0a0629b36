#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_tables.sh AEKIT FASHION_DIR — per-feature scaling of a table (train
# --scale standard|minmax): fitted on the training part only, stored in the
# model ("features"), applied by every later command; a table of another
# width is refused.
set -u
aekit=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. "$(dirname "$0")/support/cli_lib.sh"

# three features on very different scales: ~1050 (sd ~29), ~0.0005, ~-4.5
awk 'BEGIN { srand(3); for (i = 0; i < 500; i++) { a = rand();
  printf "%.4f,%.6f,%.4f\n", 1000 + 100 * a, 0.001 * rand(), -5 + a } }' >"$tmp/t.csv"
"$aekit" train --data "$tmp/t.csv" --scale standard -m 'dense:2:tanh|dense:3;loss=mse' -e 5 -q -t 1 \
  -o "$tmp/z.safetensors" || { echo "FAIL: train --scale standard"; exit 1; }
"$aekit" info --json "$tmp/z.safetensors" >"$tmp/info"
# the shift is each column's mean, the scale its (population) sd
awk '/"shift"/ { gsub(/[][",:]/, " "); if ($2 < 1040 || $2 > 1060 || $3 < 0.0003 || $3 > 0.0007 ||
       $4 > -4.4 || $4 < -4.6) exit 1; s++ }
     /"scale"/ && s { gsub(/[][",:]/, " "); if ($2 < 25 || $2 > 35 || $4 < 0.25 || $4 > 0.35) exit 1; ok = 1 }
     END { exit !ok }' "$tmp/info" || { echo "FAIL: features: $(grep -A3 features "$tmp/info")"; fail=1; }
grep -q '"scaling":.*"zscore"' "$tmp/info" || { echo "FAIL: zscore not recorded"; fail=1; }
# scored on z-scores: a mean MSE of order 1, not of order 1000^2
"$aekit" score "$tmp/z.safetensors" --data "$tmp/t.csv" -t 1 >"$tmp/out" || { echo "FAIL: score"; fail=1; }
awk '/^score/ { if ($NF + 0 > 5) exit 1; ok = 1 } END { exit !ok }' "$tmp/out" ||
  { echo "FAIL: score not on the model's scaling: $(cat "$tmp/out")"; fail=1; }
"$aekit" train --data "$tmp/t.csv" --scale minmax --val-split 0.2 -m 'dense:2:relu' -e 1 -q -t 1 \
  -o "$tmp/m.safetensors" && grep -q '"minmax"' <("$aekit" info --json "$tmp/m.safetensors") ||
  { echo "FAIL: --scale minmax"; fail=1; }
# --predict: a second column, 1 above the threshold (10% of these rows), as PyOD's predict
"$aekit" score "$tmp/z.safetensors" --data "$tmp/t.csv" --contamination 0.1 --predict -o "$tmp/p.csv" \
  -t 1 >/dev/null 2>&1 && [ "$(awk -F, '$2 == 1' "$tmp/p.csv" | wc -l)" -eq 50 ] ||
  { echo "FAIL: score --predict: $(awk -F, '$2 == 1' "$tmp/p.csv" | wc -l) flagged"; fail=1; }
expect_error '--predict needs a threshold' "$aekit" score "$tmp/z.safetensors" --data "$tmp/t.csv" \
  --predict -o "$tmp/p2.csv"
cut -d, -f1,2 "$tmp/t.csv" >"$tmp/two.csv"
expect_error 'samples have 2 features' "$aekit" score "$tmp/z.safetensors" --data "$tmp/two.csv"
expect_error "--scale 'robust'" "$aekit" train --data "$tmp/t.csv" --scale robust -o "$tmp/x.safetensors"
exit $fail
