#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""reference_vae.py — the PyTorch VAE run that aekit's README compares against.

pytorch/examples vae/main.py, on Fashion-MNIST read from the IDX files
(no torchvision needed):

  model: 784-400-(20 mu, 20 logvar)-400-784, ReLU inside, Sigmoid output,
         z = mu + exp(logvar/2) * eps while training and testing
  loss:  BCE(reduction='sum') + KLD per batch, KLD = -1/2 sum(1 + lv - mu^2 - e^lv)
  optimizer: Adam lr 1e-3, batch 128, a fresh shuffle every epoch (the last,
         short batch is kept); inputs: pixel / 255 as float32
  train loss: sum of batch losses / 60000 (the example's "Average loss");
  test:  the example's test loop (eval mode, z still sampled), sum of losses
         / 10000: the negative ELBO per test image, in nats.

With --iw-samples K > 0, after training, the importance-weighted estimate of
the test negative log-likelihood (Burda et al.): for each image K draws
z_i = mu + sigma*eps_i, log w_i = log p(x|z_i) + log N(z_i; 0, I)
- log N(z_i; mu, sigma^2), log p(x|z) = -BCE_sum (the training loss's
Bernoulli with continuous targets), NLL = -(logsumexp_i log w_i - log K),
averaged over the 10000 test images.

The last line is machine-readable:
  RESULT epochs=<E> test_nelbo=<v> train_s=<seconds training only> [iw_nll=<v>]

Usage:
  /usr/bin/python3 bench/reference_vae.py --epochs 10 --threads 2 --iw-samples 50
"""

import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_train import load_images  # noqa: E402


class VAE(nn.Module):
    """As in pytorch/examples vae/main.py."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


@torch.no_grad()
def test_nelbo(model, test, batch):
    model.eval()
    total = 0.0
    for i in range(0, test.shape[0], batch):
        data = test[i:i + batch]
        recon, mu, logvar = model(data)
        total += loss_function(recon, data, mu, logvar).item()
    return total / test.shape[0]


@torch.no_grad()
def iw_nll(model, test, k, gen, batch=100):
    """Mean over test of -log (1/k sum_i w_i), w_i = p(x,z_i) / q(z_i|x)."""
    model.eval()
    log2pi = math.log(2.0 * math.pi)
    total = 0.0
    for i in range(0, test.shape[0], batch):
        x = test[i:i + batch]                       # (b, 784)
        b = x.shape[0]
        mu, logvar = model.encode(x)                # (b, 20)
        eps = torch.randn((k, b, mu.shape[1]), generator=gen)
        z = mu + torch.exp(0.5 * logvar) * eps      # (k, b, 20)
        recon = model.decode(z.reshape(k * b, -1))
        xk = x.expand(k, b, 784).reshape(k * b, 784)
        log_px = -F.binary_cross_entropy(recon, xk, reduction="none").sum(1)
        log_px = log_px.reshape(k, b).double()
        log_pz = (-0.5 * (z.pow(2) + log2pi)).sum(2).double()
        log_qz = (-0.5 * (eps.pow(2) + logvar + log2pi)).sum(2).double()
        log_w = log_px + log_pz - log_qz            # (k, b)
        ll = torch.logsumexp(log_w, dim=0) - math.log(k)
        total += -ll.sum().item()
    return total / test.shape[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--iw-samples", type=int, default=0, metavar="K",
                    help="importance-weighted test NLL with K samples (0: off)")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    train = load_images(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    test = load_images(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = train.shape[0]
    nparams = sum(p.numel() for p in model.parameters())
    print("VAE 784-400-20-400-784, %d parameters; %d train, %d test images; "
          "torch %s, %d thread(s), batch %d, seed %d"
          % (nparams, n, test.shape[0], torch.__version__, args.threads,
             args.batch_size, args.seed), flush=True)

    train_time = 0.0
    nelbo = float("nan")
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, args.batch_size):
            data = train[perm[i:i + args.batch_size]]
            opt.zero_grad()
            recon, mu, logvar = model(data)
            loss = loss_function(recon, data, mu, logvar)
            loss.backward()
            total += loss.item()
            opt.step()
        dt = time.perf_counter() - t0
        train_time += dt
        t1 = time.perf_counter()
        nelbo = test_nelbo(model, test, args.batch_size)
        print("epoch %2d  train loss %.4f  test -ELBO %.4f  %.1f s train, %.1f s test"
              % (epoch, total / n, nelbo, dt, time.perf_counter() - t1), flush=True)

    result = "RESULT epochs=%d test_nelbo=%.4f train_s=%.2f" % (
        args.epochs, nelbo, train_time)
    if args.iw_samples > 0:
        t0 = time.perf_counter()
        gen = torch.Generator().manual_seed(args.seed)
        nll = iw_nll(model, test, args.iw_samples, gen)
        print("test NLL (importance-weighted, k=%d) %.4f  %.1f s"
              % (args.iw_samples, nll, time.perf_counter() - t0))
        result += " iw_nll=%.4f" % nll
    print(result)


if __name__ == "__main__":
    main()
