#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_tables.sh AEKIT FASHION_DIR — per-feature scaling of a table (train
# --scale standard|minmax): fitted on the training part only, stored in the
# model ("features"), applied by every later command; a table of another
# width is refused. Labels as words: names kept in the model, classes
# chosen by name, the probe's table by name; the warnings (far outside the
# training range, a code as wide as the input) and BCE on z-scores refused.
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
# words as labels: iris-like rows, three species; species 'b' is set apart
awk 'BEGIN { srand(5); split("a b c", sp, " "); print "x1,x2,x3,x4,species"
  for (i = 0; i < 300; i++) { k = i % 3 + 1; c = (k == 2) ? 3 : 0
    printf "%.4f,%.4f,%.4f,%.4f,%s\n", c + rand(), c + rand(), rand(), -c + rand(), sp[k] } }' >"$tmp/w.csv"
"$aekit" train --data "$tmp/w.csv" --label-column species --classes a,c --scale standard \
  -m 'dense:2:tanh|dense:4;loss=mse' -e 30 -b 16 -q -t 1 -o "$tmp/w.safetensors" 2>"$tmp/err" ||
  { echo "FAIL: train on word labels: $(cat "$tmp/err")"; fail=1; }
"$aekit" info "$tmp/w.safetensors" | grep -q '^classes: 0 a, 1 b, 2 c$' ||
  { echo "FAIL: info lists no classes: $("$aekit" info "$tmp/w.safetensors" | grep classes)"; fail=1; }
# a test file without 'a' and with the rows in another order: relabelled by name
{ echo "x1,x2,x3,x4,species"; awk -F, 'NR > 1 && $5 != "a"' "$tmp/w.csv"; } >"$tmp/wt.csv"
"$aekit" score "$tmp/w.safetensors" --data "$tmp/wt.csv" --label-column species --normal-classes c \
  -t 1 >"$tmp/out" 2>"$tmp/err" || { echo "FAIL: score --normal-classes c: $(cat "$tmp/err")"; fail=1; }
awk '/^anomalies/ { if ($2 != "100," || $4 != 100) exit 1; ok = 1 } END { exit !ok }' "$tmp/out" ||
  { echo "FAIL: anomalies by name: $(grep anomalies "$tmp/out")"; fail=1; }
awk '/^roc_auc/ { if ($2 < 0.95) exit 1; ok = 1 } END { exit !ok }' "$tmp/out" ||
  { echo "FAIL: species b not told apart: $(grep roc_auc "$tmp/out")"; fail=1; }
# species b lies far outside the range the model saw: a warning names it
grep -q "^aekit: warning: $tmp/wt.csv: 100 of 200 samples lie far outside the training data's range" "$tmp/err" ||
  { echo "FAIL: no range warning: $(cat "$tmp/err")"; fail=1; }
"$aekit" score "$tmp/w.safetensors" --data "$tmp/w.csv" --label-column species --classes a,c \
  --normal-classes c -t 1 \
  >/dev/null 2>"$tmp/err" && ! grep -q warning "$tmp/err" || { echo "FAIL: a warning on training-like rows"; fail=1; }
expect_error "score: --normal-classes: 'd' is neither a label nor a class name (a, b, ...)" \
  "$aekit" score "$tmp/w.safetensors" --data "$tmp/wt.csv" --label-column species --normal-classes d
"$aekit" probe "$tmp/w.safetensors" --data "$tmp/w.csv" --test-data "$tmp/wt.csv" \
  --label-column species --no-linear -t 1 >"$tmp/out" 2>/dev/null &&
  grep -Eq '^1 b +100 +1\.0000$' "$tmp/out" && grep -Eq '^2 c +100 ' "$tmp/out" ||
  { echo "FAIL: probe per class by name: $(cat "$tmp/out")"; fail=1; }
# a bare preset under --scale standard: linear output, MSE, said; its code
# (32) wider than 4 features: warned; BCE written out on z-scores: refused
"$aekit" train --data "$tmp/w.csv" --label-column species --scale standard -m dense -e 1 -t 1 \
  -o "$tmp/d.safetensors" >/dev/null 2>"$tmp/err" &&
  grep -q "preset 'dense' trained with a linear output and MSE" "$tmp/err" &&
  grep -q "^aekit: warning: the code has 32 values and the input 4" "$tmp/err" &&
  "$aekit" info --json "$tmp/d.safetensors" | grep -q '"spec":.*dense:4:identity;loss=mse' ||
  { echo "FAIL: preset on z-scores: $(cat "$tmp/err")"; fail=1; }
# PCA on z-scores: the features metadata and the range, as train records them
"$aekit" pca -c 2 --data "$tmp/t.csv" --scale standard -o "$tmp/pca.safetensors" >/dev/null &&
  "$aekit" info --json "$tmp/pca.safetensors" | grep -q '"scaling":.*"zscore"' &&
  "$aekit" info --json "$tmp/pca.safetensors" | grep -q '"feature_min"' ||
  { echo "FAIL: pca --scale standard"; fail=1; }
expect_error "$tmp/w.csv: the loss is binary cross-entropy, which needs targets in [0, 1]" \
  "$aekit" train --data "$tmp/w.csv" --label-column species --scale standard \
  -m 'dense:2:relu|dense:4:sigmoid' -e 1 -o "$tmp/x.safetensors"
exit $fail
