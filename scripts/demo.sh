#!/usr/bin/env bash
# demo.sh AEKIT OUTDIR — the main job: train the dense autoencoder on
# Fashion-MNIST for 20 epochs (test set as validation, as in the Keras
# tutorial), then write the model, the loss curve and the reconstruction
# grid under OUTDIR and print the test loss.
set -euo pipefail
aekit=$1
out=$2
data=/usr/share/datasets/fashion-mnist
mkdir -p "$out"
"$aekit" train --model dense --epochs 20 --batch-size 256 --seed 42 \
  --val-data "$data/t10k-images-idx3-ubyte.gz" \
  --history "$out/dense-history.csv" --loss-curve "$out/dense-loss.png" \
  -o "$out/dense.safetensors"
"$aekit" reconstruct "$out/dense.safetensors" -o "$out/dense-reconstruction.png"
echo "test set (10 000 images):"
"$aekit" eval "$out/dense.safetensors"
echo "wrote $out/dense.safetensors, $out/dense-loss.png, $out/dense-reconstruction.png, $out/dense-history.csv"
