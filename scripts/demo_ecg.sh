#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo_ecg.sh AEKIT OUTDIR — a sequence autoencoder on a real ECG: the
# 5-minute excerpt of MIT-BIH record 208 (lead MLII, 360 Hz, many premature
# ventricular beats; no beat labels) that python3-scipy ships as
# scipy/misc/ecg.dat. The Keras example's conv1d model learns windows of
# 256 samples (0.7 s) from the first three minutes; the whole record is then
# scored step by step, the flagged spans printed, and two pictures drawn: the
# whole record and the 4 seconds around the highest score.
set -euo pipefail
aekit=$1
out=$2
mkdir -p "$out"
ecg=/usr/lib/python3/dist-packages/scipy/misc/ecg.dat
[ -f "$ecg" ] || { echo "demo_ecg.sh: $ecg not found (Debian package python3-scipy)" >&2; exit 1; }
/usr/bin/python3 - "$ecg" "$out" <<'PY'
import sys
import numpy as np
raw = np.load(sys.argv[1])["ecg"].astype(np.float64)
mv = (raw - 1024.0) / 200.0          # millivolts, as scipy.misc.electrocardiogram
cut = 3 * 60 * 360                   # the first three minutes train
np.savetxt(sys.argv[2] + "/ecg-train.csv", mv[:cut], fmt="%.4f", header="mV", comments="")
np.savetxt(sys.argv[2] + "/ecg.csv", mv, fmt="%.4f", header="mV", comments="")
PY
"$aekit" train --data "$out/ecg-train.csv" --window 256 --stride 8 --model conv1d -e 20 -b 128 \
  --seed 42 --percentile 99.5 -o "$out/ecg.safetensors"
"$aekit" score "$out/ecg.safetensors" --data "$out/ecg.csv" --steps "$out/ecg-steps.csv" \
  --plot "$out/ecg-scores.png"
"$aekit" score "$out/ecg.safetensors" --data "$out/ecg.csv" --plot "$out/ecg-worst.png" \
  --plot-steps worst:720 >/dev/null
echo "wrote $out/ecg.safetensors, $out/ecg-steps.csv, $out/ecg-scores.png, $out/ecg-worst.png"
