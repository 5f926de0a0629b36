#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""reference_torch.py — the PyTorch side of `make bench` (speed, not loss).

  train: trains the preset on Fashion-MNIST for --epochs epochs exactly as
         aekit does (BCE from logits, Adam 1e-3, batch --batch, reshuffled
         every epoch) and prints the samples/s of the last epoch.
  infer: encode and reconstruct throughput at batch --batch, and the latency
         of encoding one sample (median of many), in evaluation mode with
         torch.no_grad().

--model conv (train only): aekit's `conv` preset (bench/reference_conv_model.py)
with PyTorch's default initialisation, plain reconstruction MSE on the
(N,1,28,28) images (no noise: a speed row), Adam 1e-3, default batch 32.
--model vae (train only): the pytorch/examples VAE and loss
(bench/reference_vae.py), default batch 128.

Threads: --torch-threads sets torch.set_num_threads; OpenBLAS's own threads
come from OPENBLAS_NUM_THREADS in the environment (bench/run.sh tries the
combinations and keeps the fastest). Output: `key value` lines.
"""

import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_conv_model import build_conv_model, images_nchw  # noqa: E402
from reference_train import DIMS, bce, build_model, load_images  # noqa: E402
from reference_vae import VAE, loss_function  # noqa: E402

MODELS = sorted(DIMS) + ["conv", "vae"]


def train(args, model):
    x = load_images(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    if args.limit:
        x = x[:args.limit]
    if args.model == "conv":
        x = images_nchw(x)
        loss_fn = mse
    else:
        loss_fn = bce
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    n = x.shape[0]
    rate = 0.0
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, args.batch):
            xb = x[perm[i:i + args.batch]]
            if args.model == "vae":
                recon, mu, logvar = model(xb)
                loss = loss_function(recon, xb, mu, logvar)
            else:
                loss = loss_fn(model(xb), xb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        rate = n / (time.perf_counter() - t0)
    print("train_samples_per_s %.1f" % rate)


def mse(y, x):
    return F.mse_loss(y, x, reduction="mean")


@torch.no_grad()
def infer(args, model):
    model.eval()
    x = load_images(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
    n = x.shape[0]
    nenc = (len(model) + 1) // 2  # Linear/ReLU pairs up to the code
    encoder = model[:nenc]
    for name, fn in (("encode", encoder),
                     ("reconstruct", lambda b: torch.sigmoid(model(b)))):
        fn(x[:args.batch])  # warm up
        best = 0.0
        for _ in range(3):
            t0 = time.perf_counter()
            for i in range(0, n, args.batch):
                fn(x[i:i + args.batch])
            best = max(best, n / (time.perf_counter() - t0))
        print("%s_samples_per_s %.1f" % (name, best))
    one = x[:1]
    times = []
    for _ in range(2000):
        t0 = time.perf_counter()
        encoder(one)
        times.append(time.perf_counter() - t0)
    times.sort()
    print("encode_latency_us %.2f" % (times[len(times) // 2] * 1e6))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=["train", "infer"])
    ap.add_argument("--model", choices=MODELS, default="dense")
    ap.add_argument("--batch", type=int, default=None,
                    help="batch size (default 256; 32 for --model conv)")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0,
                    help="train on the first N images only (0: all)")
    ap.add_argument("--torch-threads", type=int, default=1)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = ap.parse_args()
    if args.model in ("conv", "vae") and args.mode == "infer":
        ap.error("infer does not support --model %s (train only)" % args.model)
    if args.batch is None:
        args.batch = {"conv": 32, "vae": 128}.get(args.model, 256)
    torch.set_num_threads(args.torch_threads)
    torch.manual_seed(0)
    if args.model == "conv":
        model = build_conv_model()  # PyTorch's default initialisation
    elif args.model == "vae":
        model = VAE()
    else:
        model = build_model(DIMS[args.model], "keras")
    (train if args.mode == "train" else infer)(args, model)


if __name__ == "__main__":
    main()
