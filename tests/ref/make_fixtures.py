#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make_fixtures.py — PyTorch reference values for aekit's C tests.

Usage:  /usr/bin/python3 tests/ref/make_fixtures.py tests/fixtures
        (or `make fixtures`; needs python3-torch, python3-numpy and the
        Fashion-MNIST files in /usr/share/datasets/fashion-mnist)

Every random input comes from a seeded generator, so the output is the same
bytes on every run. Inputs are drawn as float32 (what the C code sees); the
references are then computed in float64 from those float32 values and stored
as float32, so the stored answers carry no float32 rounding of their own.

Fixture file format (.fx), little-endian, read by tests/support/fixture.c:

    char     magic[4] = "AEFX"
    uint32   version  = 1
    uint32   count                 number of tensors
    count times:
        uint32   name_len
        char     name[name_len]     no NUL terminator
        uint32   ndim
        uint32   dims[ndim]
        float32  data[prod(dims)]   row-major

Files written (tensor names; shapes in parentheses):

  dense.fx     for ACT in relu, leaky_relu (slope 0.2), sigmoid, tanh, identity:
               ACT.x (5,7), ACT.w (4,7) [out, in], ACT.b (4),
               ACT.y = act(x @ w.T + b) (5,4), ACT.dy (5,4) upstream gradient,
               ACT.dx (5,7), ACT.dw (4,7), ACT.db (4).
               Pre-activations are at least 1e-3 away from 0 (for every ACT).
               leaky_relu.slope (1) = 0.2.
  losses.fx    bce.z (6,10) logits (some of magnitude ~30), bce.t (6,10) in
               [0,1], bce.loss (1) = mean BCE-with-logits, bce.dz (6,10);
               mse.y, mse.t (6,10), mse.loss (1) = mean squared error, mse.dy.
  optim.fx     p0 (20), g1, g2, g3 (20): gradient gK is applied at step K.
               For CASE in adam, adamw, sgd, sgdm, nesterov, sgd_wd:
               CASE.p1, CASE.p2, CASE.p3 (20) parameters after steps 1..3 and
               the hyperparameters as 1-element tensors: CASE.lr,
               CASE.momentum, CASE.weight_decay, CASE.nesterov (0 or 1);
               for adam and adamw also CASE.beta1, CASE.beta2, CASE.eps, and
               CASE.momentum = beta1. SGD uses dampening 0; its momentum buffer
               starts at 0, so step 1 sets it to the gradient, as in torch.
               AdamW applies decoupled decay p *= 1 - lr*wd before the step.
  e2e_dense.fx model 784-32-784 (ReLU inside, Sigmoid output).
  e2e_deep.fx  model 784-128-64-32-64-128-784 (ReLU inside, Sigmoid output).
               x (16,784): first 16 Fashion-MNIST training images / 255.
               params0: every parameter in one flat vector, layer by layer,
               weight (out,in) row-major then bias; torch's default Linear
               init under torch.manual_seed(0), layers created in order.
               Loss: mean BCE over all 16*784 elements, from the pre-sigmoid
               logits (binary_cross_entropy_with_logits).
               grads0: flat gradient at params0.
               losses (5): loss before each of 5 torch.optim.Adam(lr=1e-3)
               steps on the same batch; params5: flat params after them
               (e2e_dense.fx only, to keep the deep fixture small).
               dims (L+1): layer widths, e.g. 784 32 784.
"""

import gzip
import os
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

DATA_DIR = "/usr/share/datasets/fashion-mnist"


# ---- writing ----------------------------------------------------------------

class Fixture:
    """An ordered set of named float32 tensors, written as one .fx file."""

    def __init__(self):
        self.tensors = []  # (name, float32 ndarray)
        self.names = set()

    def add(self, name, value):
        if name in self.names:
            raise ValueError("duplicate tensor name " + name)
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        arr = np.ascontiguousarray(np.asarray(value, dtype=np.float64)
                                   .astype(np.float32))
        if arr.ndim == 0:
            arr = arr.reshape(1)
        if not np.all(np.isfinite(arr)):
            raise ValueError("non-finite value in " + name)
        self.names.add(name)
        self.tensors.append((name, arr))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(b"AEFX")
            f.write(struct.pack("<II", 1, len(self.tensors)))
            for name, arr in self.tensors:
                nb = name.encode("ascii")
                f.write(struct.pack("<I", len(nb)))
                f.write(nb)
                f.write(struct.pack("<I", arr.ndim))
                f.write(struct.pack("<%dI" % arr.ndim, *arr.shape))
                f.write(arr.astype("<f4").tobytes())
        size = os.path.getsize(path)
        print("wrote %s (%d tensors, %d bytes)" % (path, len(self.tensors), size))
        for name, arr in self.tensors:
            print("  %-22s %s" % (name, "x".join(str(d) for d in arr.shape)))


def f32(gen, *shape, scale=1.0, kind="normal"):
    """Random float32 values from a seeded numpy generator."""
    if kind == "normal":
        a = gen.standard_normal(shape) * scale
    else:
        a = gen.uniform(-scale, scale, shape)
    return a.astype(np.float32)


def t64(a):
    """float32 array -> float64 torch tensor holding the same values."""
    return torch.from_numpy(np.asarray(a, dtype=np.float32).astype(np.float64))


# ---- dense layer ---------------------------------------------------------------

ACTIVATIONS = {
    "relu": torch.relu,
    "leaky_relu": lambda z: F.leaky_relu(z, negative_slope=0.2),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "identity": lambda z: z,
}


def make_dense(path):
    fx = Fixture()
    gen = np.random.default_rng(1001)
    for act_name, act in ACTIVATIONS.items():
        # Resample until every pre-activation is > 1e-3 away from the kink.
        for _ in range(1000):
            x = f32(gen, 5, 7)
            w = f32(gen, 4, 7, scale=0.5)
            b = f32(gen, 4, scale=0.1)
            z = x.astype(np.float64) @ w.astype(np.float64).T + b
            if np.min(np.abs(z)) > 1e-3:
                break
        else:
            raise RuntimeError("could not sample pre-activations away from 0")
        dy = f32(gen, 5, 4)
        xt, wt, bt = (t64(a).requires_grad_(True) for a in (x, w, b))
        y = act(xt @ wt.T + bt)
        y.backward(t64(dy))
        p = act_name + "."
        fx.add(p + "x", x)
        fx.add(p + "w", w)
        fx.add(p + "b", b)
        fx.add(p + "y", y)
        fx.add(p + "dy", dy)
        fx.add(p + "dx", xt.grad)
        fx.add(p + "dw", wt.grad)
        fx.add(p + "db", bt.grad)
        if act_name == "leaky_relu":
            fx.add(p + "slope", [0.2])
    fx.write(path)


# ---- losses ------------------------------------------------------------------

def make_losses(path):
    fx = Fixture()
    gen = np.random.default_rng(2002)

    z = f32(gen, 6, 10, scale=3.0)
    # Saturated logits, both signs, where a naive log(sigmoid) breaks down.
    z.flat[[0, 7, 13, 22, 38, 51]] = np.array([30, -30, 31.5, -29, 28, -33],
                                              dtype=np.float32)
    t = gen.uniform(0.0, 1.0, (6, 10)).astype(np.float32)
    t.flat[[1, 7, 13, 40]] = np.array([0, 0, 1, 1], dtype=np.float32)
    t.flat[[0, 22]] = np.array([0.25, 0.75], dtype=np.float32)
    zt = t64(z).requires_grad_(True)
    loss = F.binary_cross_entropy_with_logits(zt, t64(t), reduction="mean")
    loss.backward()
    fx.add("bce.z", z)
    fx.add("bce.t", t)
    fx.add("bce.loss", [loss.item()])
    fx.add("bce.dz", zt.grad)

    y = f32(gen, 6, 10)
    tt = f32(gen, 6, 10)
    yt = t64(y).requires_grad_(True)
    loss = F.mse_loss(yt, t64(tt), reduction="mean")
    loss.backward()
    fx.add("mse.y", y)
    fx.add("mse.t", tt)
    fx.add("mse.loss", [loss.item()])
    fx.add("mse.dy", yt.grad)
    fx.write(path)


# ---- optimizers ----------------------------------------------------------------

OPTIM_CASES = [
    # name, constructor, hyperparameters stored in the fixture
    ("adam", lambda p: torch.optim.Adam(p, lr=1e-2, betas=(0.9, 0.999), eps=1e-8),
     dict(lr=1e-2, momentum=0.9, weight_decay=0.0, nesterov=0.0,
          beta1=0.9, beta2=0.999, eps=1e-8)),
    ("adamw", lambda p: torch.optim.AdamW(p, lr=1e-2, betas=(0.9, 0.999), eps=1e-8,
                                          weight_decay=0.1),
     dict(lr=1e-2, momentum=0.9, weight_decay=0.1, nesterov=0.0,
          beta1=0.9, beta2=0.999, eps=1e-8)),
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.1),
     dict(lr=0.1, momentum=0.0, weight_decay=0.0, nesterov=0.0)),
    ("sgdm", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
     dict(lr=0.1, momentum=0.9, weight_decay=0.0, nesterov=0.0)),
    ("nesterov", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
     dict(lr=0.1, momentum=0.9, weight_decay=0.0, nesterov=1.0)),
    ("sgd_wd", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
     dict(lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=0.0)),
]


def make_optim(path):
    fx = Fixture()
    gen = np.random.default_rng(3003)
    p0 = f32(gen, 20)
    # Gradients over several orders of magnitude, signs changing between steps.
    grads = [(gen.standard_normal(20) * 10.0 ** gen.uniform(-3, 1, 20))
             .astype(np.float32) for _ in range(3)]
    fx.add("p0", p0)
    for k, g in enumerate(grads, 1):
        fx.add("g%d" % k, g)
    for name, make, hyper in OPTIM_CASES:
        p = t64(p0).requires_grad_(True)
        opt = make([p])
        for k, g in enumerate(grads, 1):
            opt.zero_grad()
            p.grad = t64(g)
            opt.step()
            fx.add("%s.p%d" % (name, k), p.detach().clone())
        for key, val in hyper.items():
            fx.add("%s.%s" % (name, key), [val])
    fx.write(path)


# ---- end to end ----------------------------------------------------------------

def load_idx_images(path):
    """uint8 array (n, rows, cols) from a gzip IDX3 file."""
    if not os.path.exists(path):
        sys.exit("make_fixtures.py: %s not found; install the Fashion-MNIST "
                 "files (Debian package dataset-fashion-mnist) first" % path)
    with gzip.open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 16:
        sys.exit("make_fixtures.py: %s: truncated IDX header" % path)
    magic, n, rows, cols = struct.unpack(">IIII", raw[:16])
    if magic != 0x00000803 or len(raw) != 16 + n * rows * cols:
        sys.exit("make_fixtures.py: %s: not an IDX3 uint8 image file" % path)
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows, cols)


def build_model(dims):
    """Linear layers for widths dims, created in order under manual_seed(0)."""
    torch.manual_seed(0)
    return [torch.nn.Linear(dims[i], dims[i + 1]) for i in range(len(dims) - 1)]


def forward_logits(layers, x):
    h = x
    for i, layer in enumerate(layers):
        h = layer(h)
        if i + 1 < len(layers):
            h = torch.relu(h)
    return h  # the output Sigmoid is folded into the loss


def flat(tensors):
    return torch.cat([t.detach().reshape(-1) for t in tensors]).clone()


def make_e2e(path, dims, x, with_params5=True):
    fx = Fixture()
    layers = build_model(dims)
    params = []
    for layer in layers:
        layer.double()
        params += [layer.weight, layer.bias]
    xt = t64(x)

    def loss_fn():
        return F.binary_cross_entropy_with_logits(forward_logits(layers, xt), xt,
                                                  reduction="mean")

    fx.add("dims", dims)
    fx.add("x", x)
    fx.add("params0", flat(params))
    loss = loss_fn()
    loss.backward()
    fx.add("grads0", flat([p.grad for p in params]))

    opt = torch.optim.Adam(params, lr=1e-3)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = loss_fn()
        losses.append(loss.item())
        loss.backward()
        opt.step()
    fx.add("losses", losses)
    if with_params5:  # the deep model's would add 0.9 MB; its losses suffice
        fx.add("params5", flat(params))
    fx.write(path)
    print("  losses: " + " ".join("%.6f" % v for v in losses))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_fixtures.py OUTPUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    images = load_idx_images(os.path.join(DATA_DIR, "train-images-idx3-ubyte.gz"))
    x = (images[:16].reshape(16, -1).astype(np.float32) / np.float32(255.0))

    make_dense(os.path.join(out, "dense.fx"))
    make_losses(os.path.join(out, "losses.fx"))
    make_optim(os.path.join(out, "optim.fx"))
    make_e2e(os.path.join(out, "e2e_dense.fx"), [784, 32, 784], x)
    make_e2e(os.path.join(out, "e2e_deep.fx"), [784, 128, 64, 32, 64, 128, 784], x,
             with_params5=False)


if __name__ == "__main__":
    main()
