#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""reference_seq.py — the PyTorch runs that aekit's sequence presets are compared against.

Trains the PyTorch equivalent of aekit's `lstm`, `gru` or `conv1d` preset on
Sequential Fashion-MNIST (each image a sequence of 28 steps of 28 values,
channels last, as aekit reads a (1, 28, 28) sample) and prints the train
loss per epoch, the final test MSE and the training speed.

  model lstm:   enc = LSTM(F, 64, batch_first); code = enc(x)[0][:, -1]
                dec = LSTM(64, 64, batch_first) on the code repeated T times,
                y = Linear(64, F) on every step; no output activation
  model gru:    the same with GRU
  model conv1d: (the Keras example "Timeseries anomaly detection using an
                Autoencoder"; Keras "same" padding, channels last in aekit,
                so here x is permuted to (N, F, T))
                Conv1d(F,32,7,s2,same) ReLU, Dropout(0.2),
                Conv1d(32,16,7,s2,same) ReLU
                ConvTranspose1d(16,16,7,s2,same) ReLU, Dropout(0.2),
                ConvTranspose1d(16,32,7,s2,same) ReLU,
                ConvTranspose1d(32,F,7,s1,same)
                (28 steps: 28 -> 14 -> 7 -> 14 -> 28)
  Keras "same": a conv pads total = max((ceil(T/s)-1)*s + d*(k-1)+1 - T, 0),
                total//2 on the left and the rest on the right; a transposed
                conv keeps T*s steps of its full output starting at
                max(d*(k-1)+1 - s, 0)//2
  loss: MSE, mean per element
  optimizer: Adam lr 1e-3 (betas 0.9, 0.999, eps 1e-8), batch 256,
  a fresh shuffle every epoch (the last, short batch is kept)
  inputs: pixel / 255, (N, 28, 28)
  init keras (aekit's default): LSTM/GRU weight_ih Glorot uniform,
       weight_hh orthogonal (orthonormal columns of the (G*H, H) matrix),
       biases 0 but the LSTM forget gate's bias_ih 1; conv He uniform
       before a ReLU, else Glorot uniform, biases 0; Linear Glorot uniform,
       bias 0
  init pytorch (or torch): PyTorch's default initialisation of every module
  test: MSE per element over the 10 000 test images, evaluation mode
  speed: samples/s of the training loop of each epoch (shuffle, batch
  gather, forward, backward, optimizer step; not the evaluation), per epoch
  and over all epochs, as reference_train.py measures

Usage (one CPU thread):
  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/reference_seq.py \\
      --model lstm --epochs 10 --threads 1 --seed 0 --init keras
"""

import argparse
import gzip
import math
import os
import struct
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_train import load_images  # noqa: E402

HIDDEN = 64


def load_sequences(path):
    """float32 (n, rows, cols) in [0, 1]: each image rows steps of cols values."""
    x = load_images(path)  # checks the file; (n, rows*cols)
    with gzip.open(path, "rb") as f:
        _, n, rows, cols = struct.unpack(">IIII", f.read(16))
    return x.reshape(n, rows, cols)


def glorot_(w, fan_in, fan_out):
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        w.uniform_(-limit, limit)


def he_uniform_(w, fan_in):
    limit = math.sqrt(6.0 / fan_in)
    with torch.no_grad():
        w.uniform_(-limit, limit)


class RecurrentAE(nn.Module):
    """aekit's lstm/gru preset: lstm:64:out=last|repeat:T,lstm:64,tdense:F."""

    def __init__(self, cell, steps, feats, hidden=HIDDEN):
        super().__init__()
        self.steps = steps
        self.enc = cell(feats, hidden, batch_first=True)
        self.dec = cell(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, feats)

    def keras_init(self):
        for rnn in (self.enc, self.dec):
            gh, f = rnn.weight_ih_l0.shape  # (G*H, F)
            h = rnn.weight_hh_l0.shape[1]
            glorot_(rnn.weight_ih_l0, f, gh)  # Keras kernel (F, G*H)
            with torch.no_grad():
                # (G*H, H) with orthonormal columns: Keras' (H, G*H)
                # recurrent kernel with orthonormal rows
                nn.init.orthogonal_(rnn.weight_hh_l0.view(gh, h))
                rnn.bias_ih_l0.zero_()
                rnn.bias_hh_l0.zero_()
                if isinstance(rnn, nn.LSTM):  # gates i f g o: unit_forget_bias
                    rnn.bias_ih_l0[h:2 * h].fill_(1.0)
        glorot_(self.out.weight, self.out.in_features, self.out.out_features)
        with torch.no_grad():
            self.out.bias.zero_()

    def forward(self, x):
        code = self.enc(x)[0][:, -1]
        rep = code.unsqueeze(1).expand(-1, self.steps, -1)
        return self.out(self.dec(rep)[0])


class SameConv1d(nn.Conv1d):
    """Conv1d with Keras/TF "same" padding (the extra step on the right)."""

    def forward(self, x):
        t = x.shape[-1]
        s, d, k = self.stride[0], self.dilation[0], self.kernel_size[0]
        out = (t + s - 1) // s
        total = max((out - 1) * s + d * (k - 1) + 1 - t, 0)
        x = F.pad(x, (total // 2, total - total // 2))
        return F.conv1d(x, self.weight, self.bias, s, 0, d)


class SameConvTranspose1d(nn.ConvTranspose1d):
    """ConvTranspose1d with Keras "same": T*s steps of the full output from
    max(d*(k-1)+1 - s, 0)//2 on (zero-extended, then biased, if the full
    output is shorter)."""

    def forward(self, x):
        t = x.shape[-1]
        s, d, k = self.stride[0], self.dilation[0], self.kernel_size[0]
        full = F.conv_transpose1d(x, self.weight, None, s, 0, 0, 1, d)
        out_len = t * s
        crop = max(d * (k - 1) + 1 - s, 0) // 2
        y = full[:, :, crop:crop + out_len]
        if y.shape[-1] < out_len:
            y = F.pad(y, (0, out_len - y.shape[-1]))
        return y + self.bias.view(1, -1, 1)


class Conv1dAE(nn.Module):
    """aekit's conv1d preset."""

    def __init__(self, feats):
        super().__init__()
        self.enc = nn.Sequential(
            SameConv1d(feats, 32, 7, stride=2), nn.ReLU(), nn.Dropout(0.2),
            SameConv1d(32, 16, 7, stride=2), nn.ReLU())
        self.dec = nn.Sequential(
            SameConvTranspose1d(16, 16, 7, stride=2), nn.ReLU(), nn.Dropout(0.2),
            SameConvTranspose1d(16, 32, 7, stride=2), nn.ReLU(),
            SameConvTranspose1d(32, feats, 7, stride=1))

    def keras_init(self):
        mods = list(self.enc) + list(self.dec)
        for i, m in enumerate(mods):
            if not isinstance(m, (nn.Conv1d, nn.ConvTranspose1d)):
                continue
            k = m.kernel_size[0]
            if isinstance(m, nn.ConvTranspose1d):  # weight (C, O, K)
                fan_in, fan_out = k * m.out_channels, k * m.in_channels
            else:  # weight (O, C, K)
                fan_in, fan_out = k * m.in_channels, k * m.out_channels
            relu = i + 1 < len(mods) and isinstance(mods[i + 1], nn.ReLU)
            if relu:
                he_uniform_(m.weight, fan_in)
            else:
                glorot_(m.weight, fan_in, fan_out)
            with torch.no_grad():
                m.bias.zero_()

    def forward(self, x):  # x (N, T, F), channels last as in aekit
        return self.dec(self.enc(x.transpose(1, 2))).transpose(1, 2)


def build_model(name, steps, feats, init):
    if name == "lstm":
        model = RecurrentAE(nn.LSTM, steps, feats)
    elif name == "gru":
        model = RecurrentAE(nn.GRU, steps, feats)
    else:
        model = Conv1dAE(feats)
    if init == "keras":
        model.keras_init()
    return model


@torch.no_grad()
def evaluate(model, x, batch=1000):
    """Mean squared error per element over all of x, evaluation mode."""
    was_training = model.training
    model.eval()
    total = 0.0
    for i in range(0, x.shape[0], batch):
        xb = x[i:i + batch]
        total += F.mse_loss(model(xb), xb, reduction="sum").item()
    model.train(was_training)
    return total / x.numel()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", choices=["lstm", "gru", "conv1d"], default="lstm")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", "--batch", dest="batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--init", choices=["keras", "pytorch", "torch"], default="keras",
                    help="keras (aekit's default) or pytorch/torch (PyTorch's defaults)")
    ap.add_argument("--limit", type=int, default=0,
                    help="train on the first N training images only (0: all)")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    args = ap.parse_args()
    init = "pytorch" if args.init == "torch" else args.init

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    t_start = time.perf_counter()
    train = load_sequences(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    test = load_sequences(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
    if args.limit > 0:
        train = train[:args.limit].contiguous()
    n, steps, feats = train.shape
    model = build_model(args.model, steps, feats, init)
    nparams = sum(p.numel() for p in model.parameters())
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    print("model %s (%d steps of %d values), %d parameters; %d train, %d test images; "
          "batch %d; torch %s, %d thread(s), init %s"
          % (args.model, steps, feats, nparams, n, test.shape[0], args.batch,
             torch.__version__, args.threads, init), flush=True)

    model.train()
    train_time = 0.0
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, args.batch):
            xb = train[perm[i:i + args.batch]]
            loss = F.mse_loss(model(xb), xb, reduction="mean")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        dt = time.perf_counter() - t0
        train_time += dt
        print("epoch %2d  train loss %.6f  %.1f s  %.0f samples/s"
              % (epoch, total / n, dt, n / dt), flush=True)

    test_mse = evaluate(model, test)
    wall = time.perf_counter() - t_start
    print("test MSE %.6f (mean per element, %d images)" % (test_mse, test.shape[0]))
    print("train speed %.0f samples/s (%.1f s training, %.1f s wall)"
          % (args.epochs * n / train_time, train_time, wall))


if __name__ == "__main__":
    main()
