#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/run.sh — `make bench`: aekit against PyTorch on the same machine, in
# one command, alternating the two so that drift hits both.
#
# Training rows time the real `aekit train` (epoch 2 of 2 on the 60 000
# Fashion-MNIST images) and bench/reference_torch.py doing the same; inference
# rows time encode/reconstruct over the 10 000 test images at batch 256 and
# one-sample encode latency (aekit-bench vs reference_torch.py infer). Peak
# RSS is the whole process's, as /usr/bin/time reports it.
#
# PyTorch runs in its best configuration: for 1 thread, torch.set_num_threads(1)
# with OPENBLAS_NUM_THREADS=1; for 2 threads the fastest of
# (torch 1, OpenBLAS 1), (torch 2, OpenBLAS 1) and (torch 2, OpenBLAS 2).
# BENCH_REPS (default 2) repetitions; in each, aekit runs once before every
# PyTorch configuration (so both sides get the same number of tries), and the
# best of each side is kept.
# BENCH_TRAIN_MODELS picks training rows (default "dense deep conv vae"),
# BENCH_INFER_MODELS inference rows (default "dense deep"; empty: none),
# BENCH_THREADS the thread counts (default "1 2"); BENCH_KERNELS=0 skips the
# kernel tables; BENCH_SEQ=0 the sequence presets against PyTorch
# (bench/seq.sh, SEQ_EPOCHS epochs, default 10: about 25 min), BENCH_SERIES=0
# the time-series AUROC table (bench/series/auroc.sh, about 7 min), BENCH_ORT=0
# the inference rows against ONNX Runtime (bench/ort.sh, about 4 min; needs
# node, installs onnxruntime-node under BUILD/ort).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD:-build}
reps=${BENCH_REPS:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py=/usr/bin/python3

# run_timed KEY CMD... : prints "VALUE RSS_MB" where VALUE is the number after
# KEY in the command's output (a `KEY VALUE` line, or `... VALUE KEY` for
# aekit train's "N samples/s")
run_timed() {
  local key=$1
  shift
  /usr/bin/time -f %M -o "$tmp/rss" "$@" >"$tmp/out" 2>"$tmp/err" ||
    { echo "bench: failed: $*" >&2; cat "$tmp/err" >&2; exit 1; }
  local v
  if [ "$key" = "samples/s" ]; then
    v=$(awk '/^epoch/ {for (i = 2; i <= NF; i++) if ($i == "samples/s") r = $(i-1)} END {print r}' "$tmp/out")
  else
    v=$(awk -v k="$key" '$1 == k {print $2}' "$tmp/out")
  fi
  echo "$v $(awk '{printf "%.0f", $1 / 1024}' "$tmp/rss")"
}

# best_of "V R" "V R": the pair with the larger V (or smaller, for latency)
better() { awk -v a="$1" -v b="$2" -v low="${3:-0}" 'BEGIN {
  split(a, x, " "); split(b, y, " ");
  if (a == "" || (low ? y[1] < x[1] : y[1] > x[1])) print b; else print a }'; }

torch_configs() { if [ "$1" = 1 ]; then echo "1:1"; else echo "1:1 2:1 2:2"; fi; }

echo "# aekit vs PyTorch $($py -c 'import torch; print(torch.__version__)'), $(nproc) cores: $(lscpu | sed -n 's/^Model name: *//p')"
echo
# The machine's single-precision roof at each thread count, measured now
# (aekit-bench-kernels roof: cblas_sgemm with this machine's settings, and
# aekit's own GEMM one product a thread; the larger): each training row's
# model FLOPs (3 x the forward's weight products a sample, ae_model_flops)
# per second as a share of the roof at its thread count.
declare -A ROOF=()
echo "Roof (1024^3 GEMM, GFLOP/s; OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}):"
echo
for threads in ${BENCH_THREADS:-1 2}; do
  "$build/aekit-bench-kernels" roof "$threads" >"$tmp/roof"
  ROOF[$threads]=$(awk '$1 == "roof" {print $2}' "$tmp/roof")
  echo "- $threads thread(s): cblas_sgemm $(awk '$1 == "sgemm_roof" {print $2}' "$tmp/roof"), own GEMM $(awk '$1 == "own_roof" {$1 = ""; sub(/^ /, ""); print}' "$tmp/roof"): roof ${ROOF[$threads]}"
done
echo
echo "| row | threads | aekit | PyTorch (best config) | ratio | aekit RSS MB | PyTorch RSS MB | RSS ratio | aekit model GFLOP/s, share of the roof |"
echo "|---|---|---|---|---|---|---|---|---|"
for model in ${BENCH_TRAIN_MODELS:-dense deep conv vae}; do
  # conv trains at batch 32 on the first 8192 images (a full epoch of the
  # PyTorch reference takes minutes), vae at batch 128 (the PyTorch
  # examples'), the others at batch 256, on all 60 000
  case $model in
    conv) batch=32 limit=8192 ;;
    vae) batch=128 limit=0 ;;
    *) batch=256 limit=0 ;;
  esac
  for threads in ${BENCH_THREADS:-1 2}; do
    a="" p="" pcfg=""
    for rep in $(seq "$reps"); do
      for cfg in $(torch_configs $threads); do
        # aekit runs as often as PyTorch, each time just before it: both
        # sides get the same number of tries at the machine's fast moments
        a=$(better "$a" "$(run_timed samples/s "$build/aekit" train --model $model --epochs 2 \
          --batch-size $batch --limit $limit --threads $threads --seed 1 -o "$tmp/m.safetensors")")
        r=$(OPENBLAS_NUM_THREADS=${cfg#*:} run_timed train_samples_per_s $py bench/reference_torch.py \
          train --model $model --batch $batch --limit $limit --epochs 2 --torch-threads ${cfg%:*})
        b=$(better "$p" "$r")
        [ "$b" = "$r" ] && pcfg=$cfg
        p=$b
      done
    done
    set -- $a $p
    fwd=$("$build/aekit-bench" flops "$model" | awk '$1 == "forward_flops" {print $2}')
    awk -v row="train $model (batch $batch)" -v t=$threads -v a=$1 -v ar=$2 -v p=$3 -v pr=$4 -v c="$pcfg" \
      -v fwd="$fwd" -v roof="${ROOF[$threads]}" \
      'BEGIN { split(c, q, ":"); g = 3 * fwd * a * 1e-9;
               printf "| %s | %d | %.0f samples/s | %.0f (torch %s, OpenBLAS %s) | %.2fx | %d | %d | %.2f | %.1f, %.0f%% of %.0f |\n",
               row, t, a, p, q[1], q[2], a / p, ar, pr, ar / pr, g, 100 * g / roof, roof }'
  done
done
for model in ${BENCH_INFER_MODELS-dense deep}; do
  for threads in ${BENCH_THREADS:-1 2}; do
    for key in encode_samples_per_s reconstruct_samples_per_s encode_latency_us; do
      low=0
      [ $key = encode_latency_us ] && low=1
      a="" p="" pcfg=""
      for rep in $(seq "$reps"); do
        for cfg in $(torch_configs $threads); do
          a=$(better "$a" "$(run_timed $key "$build/aekit-bench" infer $model $threads)" $low)
          r=$(OPENBLAS_NUM_THREADS=${cfg#*:} run_timed $key $py bench/reference_torch.py infer \
            --model $model --torch-threads ${cfg%:*})
          b=$(better "$p" "$r" $low)
          [ "$b" = "$r" ] && pcfg=$cfg
          p=$b
        done
      done
      set -- $a $p
      case $key in
        encode_samples_per_s) row="encode $model (batch 256)" ;;
        reconstruct_samples_per_s) row="reconstruct $model (batch 256)" ;;
        *) row="encode $model, 1 sample (latency)" ;;
      esac
      awk -v row="$row" -v t=$threads -v a=$1 -v ar=$2 -v p=$3 -v pr=$4 -v c="$pcfg" -v low=$low \
        'BEGIN { split(c, q, ":"); u = low ? " us" : " samples/s";
                 printf "| %s | %d | %.*f%s | %.*f%s (torch %s, OpenBLAS %s) | %.2fx | %d | %d | %.2f |\n",
                 row, t, low ? 2 : 0, a, u, low ? 2 : 0, p, u, q[1], q[2], low ? p / a : a / p, ar, pr, ar / pr }'
    done
  done
done
if [ "${BENCH_ORT:-1}" = 1 ]; then
  echo
  echo "Inference against ONNX Runtime on the same exported models (bench/ort.sh, best of ${ORT_REPS:-3}):"
  echo
  bash bench/ort.sh "$build" | tail -n +3
fi
if [ "${BENCH_MPI:-1}" = 1 ] && "$build/aekit" --version | grep -q MPI; then
  echo
  echo "Across ranks on this machine's 2 cores (bench/mpi.sh, best of ${MPI_REPS:-3}):"
  echo
  bash bench/mpi.sh "$build/aekit" deep conv
fi
if [ "${BENCH_SEQ:-1}" = 1 ]; then
  echo
  echo "Sequence presets on Sequential Fashion-MNIST (bench/seq.sh, ${SEQ_EPOCHS:-10} epochs):"
  echo
  AEKIT="$build/aekit" bash bench/seq.sh "${SEQ_EPOCHS:-10}"
fi
if [ "${BENCH_SERIES:-1}" = 1 ]; then
  echo
  echo "Time-series anomaly detection, injected anomalies on real series (bench/series/auroc.sh):"
  echo
  BUILD="$build" bash bench/series/auroc.sh
fi
if [ "${BENCH_BUSY:-1}" = 1 ]; then
  echo
  echo "With one core kept busy by another program (bench/busy.sh, ${BUSY_REPS:-8} alternating tries):"
  echo
  bash bench/busy.sh "$build/aekit" dense deep
fi
[ "${BENCH_KERNELS:-1}" = 1 ] || exit 0
echo
echo "Kernels (GFLOP/s of aekit's dense layer beside cblas_sgemm at the same shapes):"
echo
for t in 1 2; do
  echo '```'
  "$build/aekit-bench-kernels" $t
  echo '```'
done
