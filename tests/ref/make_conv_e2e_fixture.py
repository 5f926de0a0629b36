#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make_conv_e2e_fixture.py — end-to-end PyTorch reference for aekit's `conv`
preset (training forward and backward, BatchNorm running statistics, Adam,
evaluation-mode forward).

Usage:  /usr/bin/python3 tests/ref/make_conv_e2e_fixture.py tests/fixtures
        (needs python3-torch, python3-numpy and the Fashion-MNIST files in
        /usr/share/datasets/fashion-mnist)

Same format (AEFX, see make_fixtures.py and tests/support/fixture.h) and the
same rules: the model is initialised in float32 under torch.manual_seed(0),
then converted with model.double(); everything is computed in float64 and
stored as float32. The output is the same bytes on every run.

Model (PyTorch semantics, NCHW; modules created in this order):
  Conv2d(1,32,3,s2,p1) LeakyReLU(0.2) BatchNorm2d(32)
  Conv2d(32,64,3,s2,p1) LeakyReLU(0.2) BatchNorm2d(64)
  Flatten Linear(3136,16)
  Linear(16,3136) Unflatten(64,7,7)
  ConvTranspose2d(64,64,3,s2,p1,op1) LeakyReLU(0.2) BatchNorm2d(64)
  ConvTranspose2d(64,32,3,s2,p1,op1) LeakyReLU(0.2) BatchNorm2d(32)
  ConvTranspose2d(32,1,3,s1,p1) Sigmoid
BatchNorm momentum 0.1, eps 1e-5, running_mean starts at 0 and running_var
at 1; the running variance is updated with the UNBIASED batch variance
(divisor N*H*W - 1), the normalisation uses the biased one (PyTorch).
Loss: MSE, mean over all N*1*28*28 elements, target = input.

e2e_conv.fx, tensor names (shapes in parentheses):

  x (4,1,28,28)  first 4 Fashion-MNIST training images / 255 (float32).
  params0 (178385) every parameter in one flat vector, module order as
                 above, each module's weight then bias: Conv2d weight
                 (K,C,KH,KW), Linear weight (out,in), BatchNorm weight
                 (gamma) then bias (beta), ConvTranspose2d weight in PyTorch's
                 layout (C_in,C_out,KH,KW); row-major.
  grads0 (178385) flat gradient (same layout) of the loss at params0, forward
                 in training mode (batch statistics). This forward is
                 training forward #1 below.
  losses (5)     loss of training forwards #1..#5: forward k (k = 1..5) is
                 done at the parameters after k-1 torch.optim.Adam(lr=1e-3,
                 betas 0.9 0.999, eps 1e-8) steps on the same batch x, and
                 is followed by backward and Adam step k. Exactly 5 training
                 forwards are done in all (grads0 is forward #1's gradient).
  running0 (384) BatchNorm buffers after training forward #1 (one momentum
                 update from mean 0 / var 1): for each BatchNorm in model
                 order (32, 64, 64, 32 channels), its running_mean (C) then
                 its running_var (C): bn1.mean bn1.var bn2.mean bn2.var
                 bn3.mean bn3.var bn4.mean bn4.var.
  running5 (384) the same buffers, same layout, after training forward #5
                 (five momentum updates; the 5th Adam step changes only
                 parameters, so this is also the state after all 5 steps).
  eval_y (4,1,28,28) model(x) in evaluation mode (BatchNorm uses running5)
                 with the parameters after the 5 Adam steps; this forward
                 changes no buffer.
"""

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.dont_write_bytecode = True  # no __pycache__ in tests/ref
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import DATA_DIR, Fixture, load_idx_images, t64  # noqa: E402

N_IMAGES = 4
STEPS = 5


def build_model():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, stride=2, padding=1),
        nn.LeakyReLU(0.2),
        nn.BatchNorm2d(32),
        nn.Conv2d(32, 64, 3, stride=2, padding=1),
        nn.LeakyReLU(0.2),
        nn.BatchNorm2d(64),
        nn.Flatten(),
        nn.Linear(3136, 16),
        nn.Linear(16, 3136),
        nn.Unflatten(1, (64, 7, 7)),
        nn.ConvTranspose2d(64, 64, 3, stride=2, padding=1, output_padding=1),
        nn.LeakyReLU(0.2),
        nn.BatchNorm2d(64),
        nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1),
        nn.LeakyReLU(0.2),
        nn.BatchNorm2d(32),
        nn.ConvTranspose2d(32, 1, 3, stride=1, padding=1),
        nn.Sigmoid(),
    )


def flat(tensors):
    return torch.cat([t.detach().reshape(-1) for t in tensors]).clone()


def running_stats(model):
    out = []
    for m in model:
        if isinstance(m, nn.BatchNorm2d):
            out += [m.running_mean, m.running_var]
    return flat(out)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_conv_e2e_fixture.py OUTPUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    images = load_idx_images(os.path.join(DATA_DIR, "train-images-idx3-ubyte.gz"))
    x = (images[:N_IMAGES].reshape(N_IMAGES, 1, 28, 28).astype(np.float32)
         / np.float32(255.0))

    model = build_model().double()
    model.train()
    params = list(model.parameters())
    xt = t64(x)
    fx = Fixture()
    fx.add("x", x)
    fx.add("params0", flat(params))

    opt = torch.optim.Adam(params, lr=1e-3)
    losses = []
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        loss = F.mse_loss(model(xt), xt, reduction="mean")
        losses.append(loss.item())
        loss.backward()
        if step == 1:
            grads0 = flat([p.grad for p in params])
            running0 = running_stats(model)
        if step == STEPS:
            running5 = running_stats(model)
        opt.step()
    fx.add("grads0", grads0)
    fx.add("losses", losses)
    fx.add("running0", running0)
    fx.add("running5", running5)

    model.eval()
    with torch.no_grad():
        eval_y = model(xt)
    if not torch.equal(running_stats(model), running5):
        raise RuntimeError("evaluation forward changed the running statistics")
    fx.add("eval_y", eval_y)
    fx.write(os.path.join(out, "e2e_conv.fx"))
    print("  %d parameters; losses: %s" % (sum(p.numel() for p in params),
                                           " ".join("%.6f" % v for v in losses)))
    print("  eval MSE vs x: %.6f" % F.mse_loss(eval_y, xt).item())


if __name__ == "__main__":
    main()
