#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# demo.sh AEKIT OUTDIR — the main job: train the dense autoencoder on
# Fashion-MNIST for 20 epochs (test set as validation, as in the Keras
# tutorial), then write the model, the loss curve and the reconstruction
# grid under OUTDIR and print the test loss; then the VAE of the PyTorch
# examples for 10 epochs, its test -ELBO and pictures of its samples, an
# interpolation and its codes.
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

# The variational autoencoder of the PyTorch examples: 10 epochs, then fifty
# samples from the prior and a walk between the codes of two test images.
"$aekit" train --model vae --init pytorch --epochs 10 --batch-size 128 --seed 42 \
  --val-data "$data/t10k-images-idx3-ubyte.gz" -o "$out/vae.safetensors"
echo "VAE, test set (nats per image):"
"$aekit" eval "$out/vae.safetensors" --iw-samples 50
"$aekit" generate "$out/vae.safetensors" -n 50 --seed 2 -o "$out/vae-generated.png"
"$aekit" interpolate "$out/vae.safetensors" --from 0 --to 1 -o "$out/vae-interpolation.png"
"$aekit" scatter "$out/vae.safetensors" -o "$out/vae-codes.png"
echo "wrote $out/vae.safetensors, $out/vae-generated.png, $out/vae-interpolation.png, $out/vae-codes.png"
