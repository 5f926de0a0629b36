#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""reference_conv.py — the PyTorch side of the README's denoising comparison.

Trains aekit's `conv` preset (bench/reference_conv_model.py) as a denoising
autoencoder on the 60 000 Fashion-MNIST training images and reports, after
every epoch, the train loss and the test MSE of the denoised images against
the clean ones.

  input:  clip(x + noise, 0, 1), noise ~ N(mean 0.5, std 0.5) per pixel,
          drawn afresh for every batch; x = pixel / 255
  target: the clean x; loss MSE, mean per pixel
  optimizer: Adam lr 1e-3 (betas 0.9, 0.999, eps 1e-8), batch 32, a fresh
  shuffle every epoch (the last, short batch is kept)
  test:   the 10 000 test images with noise from a generator of fixed seed
          (TEST_NOISE_SEED, the same noisy set every epoch and every run),
          model in evaluation mode (BatchNorm running statistics)

Usage (one CPU thread, as the README's numbers were taken):
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference_conv.py \\
      --epochs 2 --threads 1 --seed 0
"""

import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_conv_model import build_conv_model, images_nchw  # noqa: E402
from reference_train import load_images  # noqa: E402

NOISE_MEAN = 0.5
NOISE_STD = 0.5
TEST_NOISE_SEED = 12345


def add_noise(x, gen):
    noise = torch.randn(x.shape, generator=gen) * NOISE_STD + NOISE_MEAN
    return torch.clamp(x + noise, 0.0, 1.0)


@torch.no_grad()
def test_mse(model, noisy, clean, batch=1000):
    """Mean per-pixel MSE of model(noisy) against clean, evaluation mode."""
    was_training = model.training
    model.eval()
    total = 0.0
    for i in range(0, clean.shape[0], batch):
        total += F.mse_loss(model(noisy[i:i + batch]), clean[i:i + batch],
                            reduction="sum").item()
    model.train(was_training)
    return total / clean.numel()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t_start = time.perf_counter()
    train = images_nchw(load_images(os.path.join(args.data, "train-images-idx3-ubyte.gz")))
    test = images_nchw(load_images(os.path.join(args.data, "t10k-images-idx3-ubyte.gz")))
    model = build_conv_model()
    nparams = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    shuffle_gen = torch.Generator().manual_seed(args.seed)
    noise_gen = torch.Generator().manual_seed(args.seed + 1)
    test_noisy = add_noise(test, torch.Generator().manual_seed(TEST_NOISE_SEED))
    n = train.shape[0]
    print("model conv (denoising, noise N(%g, %g) clipped to [0,1]), %d parameters; "
          "%d train, %d test images; batch %d; torch %s, %d thread(s)"
          % (NOISE_MEAN, NOISE_STD, nparams, n, test.shape[0], args.batch,
             torch.__version__, args.threads))
    print("test MSE noisy vs clean %.4f" % (F.mse_loss(test_noisy, test).item()),
          flush=True)

    model.train()
    train_time = 0.0
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=shuffle_gen)
        total = 0.0
        for i in range(0, n, args.batch):
            xb = train[perm[i:i + args.batch]]
            loss = F.mse_loss(model(add_noise(xb, noise_gen)), xb, reduction="mean")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        dt = time.perf_counter() - t0
        train_time += dt
        print("epoch %2d  train loss %.4f  test MSE denoised vs clean %.4f  %.1f s"
              % (epoch, total / n, test_mse(model, test_noisy, test), dt), flush=True)

    wall = time.perf_counter() - t_start
    print("train speed %.0f samples/s (%.1f s training, %.1f s wall)"
          % (args.epochs * n / train_time, train_time, wall))


if __name__ == "__main__":
    main()
