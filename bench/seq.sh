#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# seq.sh [EPOCHS] [--all] — aekit's sequence presets against the PyTorch
# reference (bench/reference_seq.py) on Sequential Fashion-MNIST (each image
# 28 steps of 28 values): `lstm` and `conv1d`, and `gru` with --all. Prints,
# per model, the test MSE of each side, their difference, the training speed
# of each side and the ratio. Needs python3-torch (make deps-torch).
#
# Accuracy: both sides train the same architecture, loss (MSE, mean per
# element), optimizer (Adam 1e-3, betas 0.9/0.999, eps 1e-8), batch size
# (256, reshuffled every epoch, the short last batch kept), epochs (EPOCHS,
# default 10), initialisation scheme (SEQ_INIT, default keras: aekit's
# default) and seed (0; the two draw from different generators, so the
# initial weights and the shuffles differ, not the method). The test MSE is
# the one of each side's 1-thread run of the first repetition, over the 10 000
# test images in evaluation mode (dropout off): `aekit eval` and
# reference_seq.py's "test MSE" line.
#
# Speed: every run is a whole training of EPOCHS epochs; samples/s is that of
# the run's best epoch, each side timing an epoch the same way (the epoch's
# shuffle, batch gathering, forward, backward and optimizer steps; no
# evaluation), read from the per-epoch lines "... N samples/s" that both
# `aekit train` and reference_seq.py print. The best epoch leaves out the
# first epoch's warm-up and the VM's slow moments on both sides alike.
# Threads 1 and 2, alternating as bench/run.sh does: PyTorch in its best
# configuration (1 thread: torch.set_num_threads(1) with OPENBLAS_NUM_THREADS=1;
# 2 threads: (torch 2, OpenBLAS 1) and (torch 2, OpenBLAS 2)), and aekit
# runs once, at the same thread count, just before every PyTorch
# configuration, so both sides get the same number of tries; the best of all
# of each side's runs is reported, with the setting that gave it. aekit runs
# with OPENBLAS_CORETYPE=Haswell unless set otherwise (as the other bench
# scripts; PyTorch keeps the caller's environment).
#
# SEQ_REPS (default 1) repetitions of the whole alternation; SEQ_LIMIT N
# trains both sides on the first N training images only (default 0: all
# 60 000; for a quick check); SEQ_INIT keras|pytorch; AEKIT the binary
# (default build/aekit). A full run (10 epochs, lstm and conv1d, 6 trainings
# each) takes tens of minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=10
models="lstm conv1d"
for arg in "$@"; do
  case $arg in
    --all) models="lstm gru conv1d" ;;
    *[!0-9]* | "") echo "usage: bench/seq.sh [EPOCHS] [--all]" >&2; exit 2 ;;
    *) epochs=$arg ;;
  esac
done
aekit=${AEKIT:-build/aekit}
reps=${SEQ_REPS:-1}
limit=${SEQ_LIMIT:-0}
init=${SEQ_INIT:-keras}
batch=256
py=/usr/bin/python3
coretype=${OPENBLAS_CORETYPE:-Haswell}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run OUT CMD... : CMD's stdout into OUT; on failure its stderr and exit
run() {
  local out=$1
  shift
  "$@" >"$out" 2>"$tmp/err" || { echo "seq.sh: failed: $*" >&2; cat "$tmp/err" >&2; exit 1; }
}

# the best epoch's samples/s of a training's output (the number before
# "samples/s" on its "epoch" lines)
best_epoch() {
  awk '/^epoch/ {for (i = 2; i <= NF; i++) if ($i == "samples/s" && $(i-1) + 0 > r) r = $(i-1) + 0}
       END {print r + 0}' "$1"
}

# better "V LABEL" "V LABEL": the one with the larger V
better() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
  if (a == "" || y[1] + 0 > x[1] + 0) print b; else print a }'; }

torch_configs() { if [ "$1" = 1 ]; then echo "1:1"; else echo "2:1 2:2"; fi; }

echo "# aekit vs PyTorch $($py -c 'import torch; print(torch.__version__)'), $(nproc) cores: $(lscpu | sed -n 's/^Model name: *//p')"
echo "# Sequential Fashion-MNIST, $epochs epochs, batch $batch, init $init, seed 0$([ "$limit" = 0 ] || echo ", first $limit training images")"
echo
echo "| model | aekit test MSE | PyTorch test MSE | difference | aekit samples/s (best epoch) | PyTorch samples/s (best epoch, best config) | ratio |"
echo "|---|---|---|---|---|---|---|"
for model in $models; do
  a="" p="" amse="" pmse=""
  for rep in $(seq "$reps"); do
    for threads in 1 2; do
      for cfg in $(torch_configs $threads); do
        run "$tmp/a.out" env OPENBLAS_CORETYPE=$coretype "$aekit" train -m $model -e "$epochs" \
          -b $batch -t $threads --init "$init" --seed 0 --limit "$limit" -o "$tmp/$model.safetensors"
        a=$(better "$a" "$(best_epoch "$tmp/a.out") $threads")
        if [ -z "$amse" ]; then
          run "$tmp/e.out" env OPENBLAS_CORETYPE=$coretype "$aekit" eval "$tmp/$model.safetensors"
          amse=$(awk '/^loss/ {print $NF}' "$tmp/e.out")
        fi
        run "$tmp/p.out" env OPENBLAS_NUM_THREADS=${cfg#*:} $py bench/reference_seq.py --model $model \
          --epochs "$epochs" --batch-size $batch --threads ${cfg%:*} --init "$init" --seed 0 --limit "$limit"
        p=$(better "$p" "$(best_epoch "$tmp/p.out") $cfg")
        [ -n "$pmse" ] || pmse=$(awk '/^test MSE/ {print $3}' "$tmp/p.out")
      done
    done
  done
  set -- $a $p
  awk -v m=$model -v am="$amse" -v pm="$pmse" -v a=$1 -v at=$2 -v p=$3 -v c=$4 'BEGIN {
    split(c, q, ":");
    printf "| %s | %.6f | %.6f | %+.2f%% | %.0f (%d thread%s) | %.0f (torch %s, OpenBLAS %s) | %.2fx |\n",
           m, am, pm, (am - pm) / pm * 100, a, at, at == 1 ? "" : "s", p, q[1], q[2], a / p }'
done
