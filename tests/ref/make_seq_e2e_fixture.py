#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make_seq_e2e_fixture.py — end-to-end PyTorch reference for aekit's `lstm`
preset (spec `lstm:64:out=last|repeat:28,lstm:64,tdense:28;loss=mse`) on
Sequential Fashion-MNIST: training forward and backward, and Adam.

Usage:  /usr/bin/python3 tests/ref/make_seq_e2e_fixture.py tests/fixtures
        (needs python3-torch, python3-numpy and the Fashion-MNIST files in
        /usr/share/datasets/fashion-mnist)

Same format (AEFX, see make_fixtures.py and tests/support/fixture.h) and the
same rules: the modules are initialised in float32 with PyTorch's default
init under torch.manual_seed(0), then converted with .double(); everything
is computed in float64 and stored as float32. The output is the same bytes
on every run.

Model (PyTorch semantics, batch_first; modules created in this order):
  enc = LSTM(28, 64)    code = enc(x)[0][:, -1, :]            (N, 64)
  repeat                rep = code.unsqueeze(1).expand(-1, 28, -1)
                                                              (N, 28, 64)
  dec = LSTM(64, 64)    out = dec(rep)[0]                     (N, 28, 64)
  lin = Linear(64, 28)  y = lin(out), applied at every step   (N, 28, 28)
No output activation. Both LSTMs are one layer, one direction, with both
biases, zero initial hidden and cell states; gate order in the weights and
biases is PyTorch's (i, f, g, o), 4*64 = 256 rows. All weights and biases are
PyTorch's default U(-1/sqrt(64), 1/sqrt(64)) (no forget-gate bias of 1).
Loss: MSE, mean over all N*28*28 elements, target = input.

e2e_lstm.fx, tensor names (shapes in parentheses):

  x (16,28,28)   first 16 Fashion-MNIST training images / 255 (float32), each
                 one sequence of 28 time steps (image rows) of 28 values.
  params0 (59164) every parameter in one flat vector, in this order, each
                 row-major: enc.weight_ih_l0 (256,28), enc.weight_hh_l0
                 (256,64), enc.bias_ih_l0 (256), enc.bias_hh_l0 (256),
                 dec.weight_ih_l0 (256,64), dec.weight_hh_l0 (256,64),
                 dec.bias_ih_l0 (256), dec.bias_hh_l0 (256), lin.weight
                 (28,64) [out, in], lin.bias (28).
  grads0 (59164) flat gradient (same layout) of the loss at params0. This is
                 the gradient of training forward #1 below.
  losses (5)     loss of forwards #1..#5: forward k (k = 1..5) is done at the
                 parameters after k-1 torch.optim.Adam(lr=1e-3, betas 0.9
                 0.999, eps 1e-8) steps on the same batch x (all parameters),
                 and is followed by backward and Adam step k.
  code0 (16,64)  the code (encoder's last hidden state) at params0, for
                 checking the encoder alone.
No params5 (keeps the file small; the losses suffice).
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

N_SEQ = 16
STEPS_T = 28    # time steps (image rows)
FEATURES = 28   # values per step (image columns)
HIDDEN = 64
STEPS = 5
N_PARAMS = 59164


class SeqAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.LSTM(FEATURES, HIDDEN, batch_first=True)
        self.dec = nn.LSTM(HIDDEN, HIDDEN, batch_first=True)
        self.lin = nn.Linear(HIDDEN, FEATURES)

    def encode(self, x):
        return self.enc(x)[0][:, -1, :]

    def forward(self, x):
        code = self.encode(x)
        rep = code.unsqueeze(1).expand(-1, x.shape[1], -1)
        return self.lin(self.dec(rep)[0])


def build_model():
    torch.manual_seed(0)
    return SeqAE()  # creates enc, dec, lin in that order


def ordered_params(model):
    e, d, lin = model.enc, model.dec, model.lin
    return [e.weight_ih_l0, e.weight_hh_l0, e.bias_ih_l0, e.bias_hh_l0,
            d.weight_ih_l0, d.weight_hh_l0, d.bias_ih_l0, d.bias_hh_l0,
            lin.weight, lin.bias]


def flat(tensors):
    return torch.cat([t.detach().reshape(-1) for t in tensors]).clone()


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_seq_e2e_fixture.py OUTPUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    images = load_idx_images(os.path.join(DATA_DIR, "train-images-idx3-ubyte.gz"))
    x = (images[:N_SEQ].reshape(N_SEQ, STEPS_T, FEATURES).astype(np.float32)
         / np.float32(255.0))

    model = build_model().double()
    model.train()  # no dropout or batch statistics: same as eval here
    params = ordered_params(model)
    n_params = sum(p.numel() for p in params)
    assert n_params == N_PARAMS, n_params
    # every parameter of the model, each exactly once
    assert len({id(p) for p in params}) == len(list(model.parameters()))
    assert {id(p) for p in params} == {id(p) for p in model.parameters()}
    xt = t64(x)
    fx = Fixture()
    fx.add("x", x)
    fx.add("params0", flat(params))
    with torch.no_grad():
        code0 = model.encode(xt)
    assert code0.shape == (N_SEQ, HIDDEN)

    opt = torch.optim.Adam(params, lr=1e-3)
    losses = []
    for step in range(1, STEPS + 1):
        opt.zero_grad()
        y = model(xt)
        assert y.shape == xt.shape
        loss = F.mse_loss(y, xt, reduction="mean")
        losses.append(loss.item())
        loss.backward()
        if step == 1:
            grads0 = flat([p.grad for p in params])
        opt.step()
    fx.add("grads0", grads0)
    fx.add("losses", losses)
    fx.add("code0", code0)
    path = os.path.join(out, "e2e_lstm.fx")
    fx.write(path)
    print("  %d parameters; losses: %s" % (n_params,
                                           " ".join("%.6f" % v for v in losses)))
    print("  file size: %d bytes" % os.path.getsize(path))


if __name__ == "__main__":
    main()
