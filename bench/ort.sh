#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/ort.sh — aekit's inference against ONNX Runtime on the same model:
# each preset trained briefly (the weights do not change the speed, but the
# two sides run the very same ones), exported with `aekit export` (encoder
# and full), then aekit-bench and bench/ort_infer.js (onnxruntime-node,
# in-process timing, intra-op threads = aekit's threads) alternating,
# ORT_REPS tries each (default 3), the best of each side kept: throughput at
# batch 256 (encode; reconstruct = the code and the reconstruction) and the
# median latency of one-sample encodes. Part of make bench (BENCH_ORT=0
# skips it); alone: bash bench/ort.sh [BUILD_DIR].
#   ORT_MODELS (default "dense deep conv"), ORT_THREADS (default "1 2"),
#   AE_ORT_DIR: where onnxruntime-node is installed (default BUILD/ort; npm
#   install --ignore-scripts with ONNXRUNTIME_NODE_INSTALL=skip: the npm
#   package ships the runtime, nothing is downloaded at install time).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-${BUILD:-build}}
reps=${ORT_REPS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}

command -v node >/dev/null && command -v npm >/dev/null ||
  { echo "bench/ort.sh: no node and npm here (apt-get install nodejs npm)" >&2; exit 1; }
ort_dir=${AE_ORT_DIR:-$build/ort}
if [ ! -d "$ort_dir/node_modules/onnxruntime-node" ]; then
  mkdir -p "$ort_dir"
  (cd "$ort_dir" && ONNXRUNTIME_NODE_INSTALL=skip npm install --ignore-scripts --no-audit \
    --no-fund --loglevel=error onnxruntime-node@1.30.0 >"$tmp/npm" 2>&1) ||
    { echo "bench/ort.sh: npm install onnxruntime-node failed:" >&2; tail -5 "$tmp/npm" >&2; exit 1; }
fi
export NODE_PATH=$(cd "$ort_dir" && pwd)/node_modules
ort_version=$(node -e 'console.log(require("onnxruntime-node/package.json").version)')

# value KEY FILE: the number after KEY
value() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
# better A B LOW: the larger (smaller when LOW=1) of two numbers, A may be empty
better() { awk -v a="$1" -v b="$2" -v low="$3" 'BEGIN {
  if (a == "" || (low ? b + 0 < a + 0 : b + 0 > a + 0)) print b; else print a }'; }

echo "# aekit vs ONNX Runtime $ort_version (onnxruntime-node, CPU execution provider), $(nproc) cores"
echo
echo "| row | threads | aekit | ONNX Runtime | aekit / ORT |"
echo "|---|---|---|---|---|"
for model in ${ORT_MODELS:-dense deep conv}; do
  m=$tmp/$model.safetensors
  "$build/aekit" train -m "$model" -e 1 --limit 512 -q -t 2 -o "$m" >/dev/null
  "$build/aekit" export "$m" --part encoder -o "$tmp/$model-enc.onnx" >/dev/null
  "$build/aekit" export "$m" --part full -o "$tmp/$model-full.onnx" >/dev/null
  for threads in ${ORT_THREADS:-1 2}; do
    declare -A A=() O=()
    for rep in $(seq "$reps"); do
      "$build/aekit-bench" infer "$m" "$threads" >"$tmp/a" ||
        { echo "bench/ort.sh: aekit-bench failed" >&2; exit 1; }
      node bench/ort_infer.js "$tmp/$model-enc.onnx" "$tmp/$model-full.onnx" "$threads" >"$tmp/o" ||
        { echo "bench/ort.sh: ort_infer.js failed" >&2; exit 1; }
      for key in encode_samples_per_s reconstruct_samples_per_s encode_latency_us; do
        low=0
        [ $key = encode_latency_us ] && low=1
        A[$key]=$(better "${A[$key]:-}" "$(value $key "$tmp/a")" $low)
        O[$key]=$(better "${O[$key]:-}" "$(value $key "$tmp/o")" $low)
      done
    done
    for key in encode_samples_per_s reconstruct_samples_per_s encode_latency_us; do
      case $key in
        encode_samples_per_s) row="encode $model (batch 256)" ;;
        reconstruct_samples_per_s) row="reconstruct $model (batch 256)" ;;
        *) row="encode $model, 1 sample (latency)" ;;
      esac
      awk -v row="$row" -v t="$threads" -v a="${A[$key]}" -v o="${O[$key]}" -v lat=$([ $key = encode_latency_us ] && echo 1 || echo 0) \
        'BEGIN { if (lat) printf "| %s | %d | %.2f us | %.2f us | %.2fx |\n", row, t, a, o, o / a;
                 else printf "| %s | %d | %.0f samples/s | %.0f samples/s | %.2fx |\n", row, t, a, o, a / o }'
    done
    unset A O
  done
done
