#!/bin/bash
# SPDX-License-Identifier: MIT
# bench/busy.sh — training with one core kept busy by another program (a
# `yes > /dev/null` running throughout): `aekit train --threads 1` and
# `--threads 2`, alternating, BUSY_REPS tries each; prints the best and the
# median samples/s of each and their ratio. The VM's speed moves from minute
# to minute, so only the alternating runs compare. Part of make bench (after
# the PyTorch tables); alone: bash bench/busy.sh [build/aekit] [MODEL...].
set -eu
bin=${1:-build/aekit}
[ $# -gt 0 ] && shift
models=${*:-dense deep}
reps=${BUSY_REPS:-8}
epochs=${BUSY_EPOCHS:-2}
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
out=$(mktemp -d)
yes > /dev/null &
busy=$!
trap 'kill $busy 2>/dev/null; wait $busy 2>/dev/null; rm -rf "$out"' EXIT
echo "| model | threads 1, best / median | threads 2, best / median | 2 / 1, best / median |"
echo "|---|---|---|---|"
for model in $models; do
  : > "$out/1"; : > "$out/2"
  for r in $(seq "$reps"); do
    for t in 1 2; do
      "$bin" train -m "$model" -e "$epochs" --threads $t -o "$out/m.safetensors" 2>&1 |
        grep -o '[0-9]* samples/s' | awk '{s += $1; n++} END {print s / n}' >> "$out/$t"
    done
  done
  awk -v m="$model" 'FNR == 1 { f++ } { v[f, FNR] = $1; c[f] = FNR }
    function stat(f, k,   i, j, t, a) { for (i = 1; i <= c[f]; i++) a[i] = v[f, i];
      for (i = 1; i <= c[f]; i++) for (j = i + 1; j <= c[f]; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return k == "best" ? a[c[f]] : a[int((c[f] + 1) / 2)] }
    END { b1 = stat(1, "best"); m1 = stat(1, "med"); b2 = stat(2, "best"); m2 = stat(2, "med");
      printf "| %s | %.0f / %.0f | %.0f / %.0f | %.2f / %.2f |\n", m, b1, m1, b2, m2, b2 / b1, m2 / m1 }' \
    "$out/1" "$out/2"
done
