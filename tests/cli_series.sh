#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_series.sh AEKIT FASHION_DIR — time series end to end: windows of a CSV
# series (a time-stamp column and a header), per-channel scaling stored in
# the model, the lstm, gru and conv1d presets, a threshold from the training
# windows, per-step scores that flag an injected level shift and nothing
# else, the step CSV and the picture; and bad input (a window longer than
# the series, ragged rows, NaN, a model for 1 channel given 3), one
# "aekit: error:" line each.
set -u
aekit=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. "$(dirname "$0")/support/cli_lib.sh"

expect_ok() {
  if ! "$@" >"$tmp/out" 2>"$tmp/err"; then
    echo "FAIL: $*:"
    cat "$tmp/err"
    fail=1
  fi
}

# a daily cycle of 48 steps with noise (awk's seeded rand), in degrees, with
# time stamps; the test copy has a level shift of +3 sd at steps 300..315
series() { # N SHIFT_FROM SHIFT_TO SEED
  awk -v n="$1" -v a="$2" -v b="$3" -v seed="$4" 'BEGIN {
    srand(seed); print "timestamp,value";
    for (t = 0; t < n; t++) {
      v = sin(6.283185307 * t / 48) + 0.1 * (rand() + rand() + rand() - 1.5);
      if (t >= a && t < b) v += 3;
      printf "2014-07-%02d %02d:%02d:00,%.5f\n", 1 + int(t / 48), int(t % 48 / 2), 30 * (t % 2), 20 + 5 * v
    } }'
}
series 2000 -1 -1 1 >"$tmp/train.csv"
series 600 300 316 2 >"$tmp/test.csv"

spec='conv1d:8:5:stride=2:pad=same:relu,conv1d:4:5:stride=2:pad=same:relu|convt1d:4:5:stride=2:pad=same:relu,convt1d:8:5:stride=2:pad=same:relu,convt1d:1:5:pad=same;loss=mse'
expect_ok "$aekit" train --data "$tmp/train.csv" --window 48 --model "$spec" -e 15 -b 32 -q -t 1 \
  -o "$tmp/m.safetensors"
"$aekit" info "$tmp/m.safetensors" >"$tmp/info"
grep -q '"input_shape":.*\[1, 48, 1\]' "$tmp/info" && grep -q '"scaling":.*"zscore"' "$tmp/info" &&
  grep -q '"window":.*48' "$tmp/info" || { echo "FAIL: series metadata: $(cat "$tmp/info")"; fail=1; }
# the z-score of the training series: mean ~20, sd ~ 5/sqrt(2)
awk '/"shift"/ { gsub(/[^0-9.]/, ""); if ($0 + 0 < 19.5 || $0 + 0 > 20.5) exit 1; ok = 1 } END { exit !ok }' "$tmp/info" ||
  { echo "FAIL: channel shift is not the series' mean"; fail=1; }
expect_ok "$aekit" fit-threshold "$tmp/m.safetensors" --data "$tmp/train.csv" --percentile 100 -t 1
expect_ok "$aekit" score "$tmp/m.safetensors" --data "$tmp/test.csv" --steps "$tmp/steps.csv" \
  --plot "$tmp/s.png" -t 1
grep -q '^samples 553$' "$tmp/out" && grep -q '^steps 600 in 553 windows of 48 every 1$' "$tmp/out" ||
  { echo "FAIL: series windows: $(cat "$tmp/out")"; fail=1; }
# flagged: some steps, all inside the shifted span
awk -F, 'NR > 1 && $3 == 1 { n++; if ($1 < 300 || $1 > 315) bad++ } END { exit !(n > 0 && !bad) }' \
  "$tmp/steps.csv" || { echo "FAIL: flagged steps: $(grep -c ',1$' "$tmp/steps.csv") $(cat "$tmp/out")"; fail=1; }
[ "$(wc -l <"$tmp/steps.csv")" -eq 601 ] && [ -s "$tmp/s.png" ] && head -1 "$tmp/steps.csv" | grep -qx 'step,score,flagged' &&
  awk -F, 'NR == 2 { exit !($1 == "0" && ($3 == "0" || $3 == "1")) }' "$tmp/steps.csv" ||
  { echo "FAIL: step CSV or picture"; fail=1; }
# reconstructions as numbers: one row per window
expect_ok "$aekit" reconstruct "$tmp/m.safetensors" --data "$tmp/test.csv" -o "$tmp/rec.csv" -t 1
[ "$(wc -l <"$tmp/rec.csv")" -eq 553 ] && [ "$(head -1 "$tmp/rec.csv" | tr ',' '\n' | wc -l)" -eq 48 ] ||
  { echo "FAIL: reconstruct -o CSV: $(wc -l <"$tmp/rec.csv") rows"; fail=1; }
# a part of the picture: steps A:B, or R steps around the highest score
expect_ok "$aekit" score "$tmp/m.safetensors" --data "$tmp/test.csv" --plot "$tmp/p1.png" --plot-steps 250:400 -t 1
expect_ok "$aekit" score "$tmp/m.safetensors" --data "$tmp/test.csv" --plot "$tmp/p2.png" --plot-steps worst:40 -t 1
[ -s "$tmp/p1.png" ] && [ -s "$tmp/p2.png" ] || { echo "FAIL: --plot-steps pictures"; fail=1; }
expect_error "--plot-steps '400:250'" "$aekit" score "$tmp/m.safetensors" --data "$tmp/test.csv" \
  --plot "$tmp/p3.png" --plot-steps 400:250
[ ! -e "$tmp/p3.png" ] || { echo "FAIL: a refused picture was written"; fail=1; }
# min-max scaling and a stride
expect_ok "$aekit" train --data "$tmp/train.csv" --window 48 --stride 4 --channel-scale minmax \
  --model "$spec" -e 1 -q -t 1 -o "$tmp/mm.safetensors"
grep -q '"minmax"' <("$aekit" info "$tmp/mm.safetensors") || { echo "FAIL: minmax"; fail=1; }
# the presets on windows of 24 steps, one epoch each
for p in lstm gru conv1d; do
  w=24
  [ $p = conv1d ] && w=32
  expect_ok "$aekit" train --data "$tmp/train.csv" --limit 400 --window $w --model $p -e 1 -q -t 1 \
    -o "$tmp/$p.safetensors"
  expect_ok "$aekit" score "$tmp/$p.safetensors" --data "$tmp/test.csv" -t 1
  grep -q "^samples $((600 - w + 1))\$" "$tmp/out" || { echo "FAIL: $p: $(cat "$tmp/out")"; fail=1; }
done

# windows given as an NPY (n, T, F) = (4, 6, 2) of float32: trained as they are
npy_windows() { # the header padded to 128 bytes, then 4*6*2 floats (ramps)
  local dict="{'descr': '<f4', 'fortran_order': False, 'shape': (4, 6, 2), }"
  printf '\x93NUMPY\x01\x00\x76\x00%-117s\n' "$dict"
  awk 'BEGIN { for (i = 0; i < 48; i++) printf "%c%c%c%c", 0, 0, 128, 63 - (i % 2) }' # 1.0, 0.25
}
LC_ALL=C npy_windows >"$tmp/w.npy"
expect_ok "$aekit" train --data "$tmp/w.npy" --model 'gru:3:out=last|repeat:6,lstm:2,tdense:2;loss=mse' -e 1 -q \
  -t 1 -o "$tmp/w.safetensors"
grep -q '"input_shape":.*\[1, 6, 2\]' <("$aekit" info "$tmp/w.safetensors") ||
  { echo "FAIL: NPY windows: $("$aekit" info "$tmp/w.safetensors" | grep input_shape)"; fail=1; }

# info: a line per layer (Keras' summary), the total, then the JSON alone with --json
"$aekit" info "$tmp/lstm.safetensors" >"$tmp/info"
# (FLOPs: 2 x 4 gates x 64 x (1 + 64) x 24 steps; 2 x 64 x 24)
grep -q '^encoder 1  lstm:64:out=last  *(1, 1, 64)  *17 152  *799 k$' "$tmp/info" &&
  grep -q '^decoder 1  repeat:24  *(1, 24, 64)  *0 *$' "$tmp/info" &&
  grep -q '^decoder 3  tdense:1:identity  *(1, 24, 1)  *65  *3.07 k$' "$tmp/info" &&
  grep -q '^total 50 497 parameters, code of 64 values; 2.37 M FLOPs a sample forward' "$tmp/info" ||
  { echo "FAIL: info summary: $(head -8 "$tmp/info")"; fail=1; }
"$aekit" info --json "$tmp/lstm.safetensors" | head -1 | grep -q '^{$' || { echo "FAIL: info --json"; fail=1; }

# ---- bad input ----
head -30 "$tmp/train.csv" >"$tmp/short.csv"
expect_error 'shorter than the window of 48' "$aekit" train --data "$tmp/short.csv" --window 48 \
  --model "$spec" -o "$tmp/x.safetensors"
expect_error 'shorter than the model' "$aekit" score "$tmp/m.safetensors" --data "$tmp/short.csv"
{ head -50 "$tmp/train.csv"; echo "2014-07-09 00:00:00,20.1,3"; tail -10 "$tmp/train.csv"; } >"$tmp/ragged.csv"
expect_error 'expected 2 fields' "$aekit" train --data "$tmp/ragged.csv" --window 8 --model lstm \
  -o "$tmp/x.safetensors"
{ head -50 "$tmp/train.csv"; echo "2014-07-09 00:00:00,nan"; tail -10 "$tmp/train.csv"; } >"$tmp/nan.csv"
expect_error 'not finite' "$aekit" score "$tmp/m.safetensors" --data "$tmp/nan.csv"
awk -F, 'NR == 1 { print "t,a,b,c"; next } { print $1 "," $2 "," $2 "," $2 }' "$tmp/test.csv" >"$tmp/three.csv"
expect_error 'the series has 3 channels, model' "$aekit" score "$tmp/m.safetensors" --data "$tmp/three.csv"
expect_error 'give the series' "$aekit" score "$tmp/m.safetensors"
expect_error '--window needs a series' "$aekit" train --window 8 -o "$tmp/x.safetensors"
expect_error "--channel-scale 'robust'" "$aekit" train --data "$tmp/train.csv" --window 8 \
  --channel-scale robust -o "$tmp/x.safetensors"
expect_error 'needs a sequence (1, T, F)' "$aekit" train --data "$tmp/train.csv" --window 8 \
  --model 'conv:4:3:pad=1|lstm:4' -o "$tmp/x.safetensors"
[ ! -e "$tmp/x.safetensors" ] || { echo "FAIL: a failed run wrote a model"; fail=1; }
cut -d, -f2 "$tmp/train.csv" | head -200 >"$tmp/plain.csv"
"$aekit" train --data "$tmp/plain.csv" --model dense:4:relu -e 1 -q -t 1 -o "$tmp/plain.safetensors" ||
  { echo "FAIL: a plain table"; fail=1; }
expect_error 'is for models of windows of a series' "$aekit" score "$tmp/plain.safetensors" \
  --data "$tmp/plain.csv" --steps "$tmp/x.csv"
exit $fail
