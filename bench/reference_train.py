#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""reference_train.py — the PyTorch run that aekit's README compares against.

Trains the same autoencoder aekit builds on Fashion-MNIST and prints the
train loss per epoch, the final test BCE and the training speed.

  model dense: 784-32-784              (ReLU inside, Sigmoid output)
  model deep:  784-128-64-32-64-128-784 (ReLU inside, Sigmoid output)
  loss: binary cross-entropy, mean per pixel, from the pre-sigmoid logits
  optimizer: Adam lr 1e-3 (betas 0.9, 0.999, eps 1e-8), batch 256,
  a fresh shuffle every epoch (the last, short batch is kept)
  inputs: pixel / 255

Usage (one CPU thread, as the README's numbers were taken):
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference_train.py \\
      --model dense --epochs 20 --threads 1 --seed 0
"""

import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

DIMS = {
    "dense": [784, 32, 784],
    "deep": [784, 128, 64, 32, 64, 128, 784],
}


def load_images(path):
    """float32 (n, rows*cols) in [0, 1] from a gzip IDX3 uint8 file."""
    if not os.path.exists(path):
        sys.exit("reference_train.py: %s not found (Debian package "
                 "dataset-fashion-mnist, or pass --data DIR)" % path)
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 16:
        sys.exit("reference_train.py: %s: truncated IDX header" % path)
    magic, n, rows, cols = struct.unpack(">IIII", raw[:16])
    if magic != 0x00000803 or len(raw) != 16 + n * rows * cols:
        sys.exit("reference_train.py: %s: not an IDX3 uint8 image file" % path)
    x = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows * cols)
    return torch.from_numpy(x.astype(np.float32) / np.float32(255.0))


def build_model(dims, init):
    """init "pytorch": nn.Linear's default; "keras": aekit's default, He
    uniform for ReLU layers, Glorot uniform for the sigmoid output, bias 0."""
    layers = []
    for i in range(len(dims) - 1):
        lin = torch.nn.Linear(dims[i], dims[i + 1])
        if init == "keras":
            relu = i + 2 < len(dims)
            fan_in, fan_out = dims[i], dims[i + 1]
            limit = (6.0 / fan_in) ** 0.5 if relu else (6.0 / (fan_in + fan_out)) ** 0.5
            with torch.no_grad():
                lin.weight.uniform_(-limit, limit)
                lin.bias.zero_()
        layers.append(lin)
        if i + 2 < len(dims):
            layers.append(torch.nn.ReLU())
    # The output Sigmoid is folded into the loss (BCE with logits).
    return torch.nn.Sequential(*layers)


def bce(logits, x):
    return F.binary_cross_entropy_with_logits(logits, x, reduction="mean")


@torch.no_grad()
def evaluate(model, x, batch=1000):
    """Mean BCE per pixel over all of x."""
    total = 0.0
    for i in range(0, x.shape[0], batch):
        xb = x[i:i + batch]
        total += F.binary_cross_entropy_with_logits(
            model(xb), xb, reduction="sum").item()
    return total / x.numel()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=sorted(DIMS), default="dense")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--init", choices=["pytorch", "keras"], default="pytorch")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t_start = time.perf_counter()
    train = load_images(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    test = load_images(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
    dims = DIMS[args.model]
    model = build_model(dims, args.init)
    nparams = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    n = train.shape[0]
    print("model %s %s, %d parameters; %d train, %d test images; "
          "torch %s, %d thread(s), init %s" % (args.model, "-".join(map(str, dims)),
                                      nparams, n, test.shape[0],
                                      torch.__version__, args.threads, args.init))

    train_time = 0.0
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, args.batch):
            xb = train[perm[i:i + args.batch]]
            loss = bce(model(xb), xb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        dt = time.perf_counter() - t0
        train_time += dt
        print("epoch %2d  train loss %.4f  %.1f s" % (epoch, total / n, dt),
              flush=True)

    model.eval()
    test_bce = evaluate(model, test)
    wall = time.perf_counter() - t_start
    print("test BCE %.4f (mean per pixel, %d images)" % (test_bce, test.shape[0]))
    print("train speed %.0f samples/s (%.1f s training, %.1f s wall)"
          % (args.epochs * n / train_time, train_time, wall))


if __name__ == "__main__":
    main()
