#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make_conv_fixtures.py — PyTorch reference values for the image-layer kernels
(src/kernels/k_conv.c), checked by tests/test_conv.c.

Usage:  /usr/bin/python3 tests/ref/make_conv_fixtures.py tests/fixtures
        (needs python3-torch and python3-numpy)

Same format (AEFX, see make_fixtures.py and tests/support/fixture.h) and the
same rules: seeded float32 inputs, references computed in float64 from those
values, stored as float32. Integer settings are stored as floats.

conv.fx, tensor names (shapes in parentheses):

  Conv2d, CASE in conv_odd, conv_s2p1, conv_dil2, conv_b1, conv_1x1,
  conv_s3d2:
    CASE.cfg (11) = N C H W K KH KW stride pad dil has_bias
    CASE.x (N,C,H,W), CASE.w (K,C,KH,KW), CASE.b (K) (only when has_bias),
    CASE.y (N,K,OH,OW), CASE.dy (N,K,OH,OW) upstream gradient,
    CASE.dx, CASE.dw, CASE.db (only when has_bias).
  ConvTranspose2d, CASE in convt_s2p1, convt_s2p1op1, convt_k4s2p1, convt_b1,
  convt_s2d2op1, convt_s1d2op1:
    CASE.cfg (12) = N C H W K KH KW stride pad out_pad dil has_bias
    (C input channels, K output channels), CASE.x (N,C,H,W),
    CASE.w (C,K,KH,KW) [PyTorch's layout], CASE.b (K), CASE.y, CASE.dy
    (N,K,OH,OW), CASE.dx, CASE.dw, CASE.db.
  MaxPool2d, CASE in pool_k2s2, pool_k3s2p1:
    CASE.cfg (7) = N C H W kernel stride pad, CASE.x (N,C,H,W),
    CASE.y (N,C,OH,OW), CASE.idx (N,C,OH,OW) PyTorch's argmax indices
    ih*W + iw, CASE.dy, CASE.dx.
  Upsample nearest, CASE in up_x2, up_x3:
    CASE.cfg (5) = N C H W scale, CASE.x, CASE.y, CASE.dy, CASE.dx.
  Batch norm in training mode, CASE in bn2d_train (N,C,H,W = 4,3,3,5) and
  bn1d_train (N,C = 6,5, so S = 1):
    CASE.cfg (5) = N C S momentum eps, CASE.gamma (C), CASE.beta (C),
    CASE.x (3,N,C,...) inputs of 3 forward steps from running stats 0 and 1,
    CASE.running_mean, CASE.running_var (C) after the 3 steps,
    CASE.mean, CASE.invstd (C) batch statistics of step 3 (biased variance),
    CASE.y, CASE.dy, CASE.dx of step 3, CASE.dgamma, CASE.dbeta of step 3.
  Batch norm in eval mode, bn2d_eval (N,C,H,W = 2,3,4,3):
    same names with CASE.x (N,C,H,W) and CASE.running_mean/var as the
    stats used; dx, dgamma, dbeta are eval-mode gradients.
"""

import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.dont_write_bytecode = True  # no __pycache__ in tests/ref
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import Fixture, f32, t64  # noqa: E402

# name, N C H W K KH KW stride pad dil bias
CONV_CASES = [
    ("conv_odd", 2, 3, 7, 5, 4, 3, 2, 1, 0, 1, 1),
    ("conv_s2p1", 2, 2, 9, 8, 3, 3, 3, 2, 1, 1, 1),
    ("conv_dil2", 2, 2, 8, 9, 3, 3, 3, 1, 1, 2, 0),
    ("conv_b1", 1, 3, 5, 6, 2, 3, 3, 1, 1, 1, 0),
    ("conv_1x1", 2, 4, 3, 5, 3, 1, 1, 1, 0, 1, 1),
    ("conv_s3d2", 2, 2, 10, 11, 2, 3, 2, 3, 2, 2, 1),
]

# name, N C H W K KH KW stride pad out_pad dil bias
CONVT_CASES = [
    ("convt_s2p1", 2, 3, 4, 5, 2, 3, 3, 2, 1, 0, 1, 1),
    ("convt_s2p1op1", 2, 3, 4, 5, 2, 3, 3, 2, 1, 1, 1, 1),
    ("convt_k4s2p1", 2, 2, 3, 4, 3, 4, 4, 2, 1, 0, 1, 0),
    ("convt_b1", 1, 2, 5, 4, 2, 3, 2, 1, 0, 0, 1, 1),
    ("convt_s2d2op1", 2, 2, 3, 3, 2, 3, 3, 2, 1, 1, 2, 1),
    # out_pad >= stride is allowed when out_pad < dil: the last row and
    # column receive no input, only the bias
    ("convt_s1d2op1", 1, 2, 4, 3, 2, 3, 2, 1, 0, 1, 2, 1),
]

# name, N C H W kernel stride pad
POOL_CASES = [
    ("pool_k2s2", 2, 3, 7, 6, 2, 2, 0),
    ("pool_k3s2p1", 2, 2, 7, 8, 3, 2, 1),
]

# name, N C H W scale
UP_CASES = [("up_x2", 2, 3, 3, 4, 2), ("up_x3", 1, 2, 2, 3, 3)]

MOMENTUM, EPS = 0.1, 1e-5


def add_all(fx, prefix, items):
    for key, val in items:
        fx.add(prefix + "." + key, val)


def make_conv(fx, gen):
    for name, n, c, h, w, k, kh, kw, s, p, d, has_b in CONV_CASES:
        x = f32(gen, n, c, h, w)
        wt = f32(gen, k, c, kh, kw, scale=0.3)
        b = f32(gen, k, scale=0.1)
        xt, wtt, bt = (t64(a).requires_grad_(True) for a in (x, wt, b))
        y = F.conv2d(xt, wtt, bt if has_b else None, stride=s, padding=p, dilation=d)
        dy = f32(gen, *y.shape)
        y.backward(t64(dy))
        fx.add(name + ".cfg", [n, c, h, w, k, kh, kw, s, p, d, has_b])
        add_all(fx, name, [("x", x), ("w", wt)] + ([("b", b)] if has_b else []) +
                [("y", y), ("dy", dy), ("dx", xt.grad), ("dw", wtt.grad)] +
                ([("db", bt.grad)] if has_b else []))


def make_convt(fx, gen):
    for name, n, c, h, w, k, kh, kw, s, p, op, d, has_b in CONVT_CASES:
        x = f32(gen, n, c, h, w)
        wt = f32(gen, c, k, kh, kw, scale=0.3)
        b = f32(gen, k, scale=0.1)
        xt, wtt, bt = (t64(a).requires_grad_(True) for a in (x, wt, b))
        y = F.conv_transpose2d(xt, wtt, bt if has_b else None, stride=s, padding=p,
                               output_padding=op, dilation=d)
        dy = f32(gen, *y.shape)
        y.backward(t64(dy))
        fx.add(name + ".cfg", [n, c, h, w, k, kh, kw, s, p, op, d, has_b])
        add_all(fx, name, [("x", x), ("w", wt)] + ([("b", b)] if has_b else []) +
                [("y", y), ("dy", dy), ("dx", xt.grad), ("dw", wtt.grad)] +
                ([("db", bt.grad)] if has_b else []))


def make_pool(fx, gen):
    for name, n, c, h, w, k, s, p in POOL_CASES:
        x = f32(gen, n, c, h, w)
        xt = t64(x).requires_grad_(True)
        y, idx = F.max_pool2d(xt, k, stride=s, padding=p, return_indices=True)
        dy = f32(gen, *y.shape)
        y.backward(t64(dy))
        fx.add(name + ".cfg", [n, c, h, w, k, s, p])
        add_all(fx, name, [("x", x), ("y", y), ("idx", idx.double()), ("dy", dy),
                           ("dx", xt.grad)])


def make_upsample(fx, gen):
    for name, n, c, h, w, scale in UP_CASES:
        x = f32(gen, n, c, h, w)
        xt = t64(x).requires_grad_(True)
        y = F.interpolate(xt, scale_factor=scale, mode="nearest")
        dy = f32(gen, *y.shape)
        y.backward(t64(dy))
        fx.add(name + ".cfg", [n, c, h, w, scale])
        add_all(fx, name, [("x", x), ("y", y), ("dy", dy), ("dx", xt.grad)])


def batch_stats(x):
    """Per-channel mean and 1/sqrt(biased var + eps) of x (N, C, ...)."""
    dims = [0] + list(range(2, x.dim()))
    mean = x.mean(dim=dims)
    var = x.var(dim=dims, unbiased=False)
    return mean, 1.0 / torch.sqrt(var + EPS)


def make_bn_train(fx, gen, name, shape):
    c = shape[1]
    s = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    gamma = (1.0 + f32(gen, c, scale=0.3)).astype(np.float32)
    beta = f32(gen, c, scale=0.2)
    # distinct offsets and scales per channel, so the statistics matter
    xs = np.stack([f32(gen, *shape) * 1.5 + 0.7 for _ in range(3)]).astype(np.float32)
    rm, rv = torch.zeros(c, dtype=torch.float64), torch.ones(c, dtype=torch.float64)
    for step in range(3):
        xt, gt, bt = (t64(a).requires_grad_(True) for a in (xs[step], gamma, beta))
        y = F.batch_norm(xt, rm, rv, gt, bt, training=True, momentum=MOMENTUM, eps=EPS)
    dy = f32(gen, *shape)
    y.backward(t64(dy))
    mean, invstd = batch_stats(t64(xs[2]))
    fx.add(name + ".cfg", [shape[0], c, s, MOMENTUM, EPS])
    add_all(fx, name, [("gamma", gamma), ("beta", beta), ("x", xs),
                       ("running_mean", rm), ("running_var", rv), ("mean", mean),
                       ("invstd", invstd), ("y", y), ("dy", dy), ("dx", xt.grad),
                       ("dgamma", gt.grad), ("dbeta", bt.grad)])


def make_bn_eval(fx, gen, name, shape):
    c = shape[1]
    s = int(np.prod(shape[2:]))
    gamma = (1.0 + f32(gen, c, scale=0.3)).astype(np.float32)
    beta = f32(gen, c, scale=0.2)
    rm = f32(gen, c, scale=0.5)
    rv = gen.uniform(0.5, 2.0, c).astype(np.float32)
    x = f32(gen, *shape)
    xt, gt, bt = (t64(a).requires_grad_(True) for a in (x, gamma, beta))
    y = F.batch_norm(xt, t64(rm), t64(rv), gt, bt, training=False, eps=EPS)
    dy = f32(gen, *shape)
    y.backward(t64(dy))
    fx.add(name + ".cfg", [shape[0], c, s, MOMENTUM, EPS])
    add_all(fx, name, [("gamma", gamma), ("beta", beta), ("x", x),
                       ("running_mean", rm), ("running_var", rv), ("y", y),
                       ("dy", dy), ("dx", xt.grad), ("dgamma", gt.grad),
                       ("dbeta", bt.grad)])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_conv_fixtures.py OUTPUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    fx = Fixture()
    gen = np.random.default_rng(4004)
    make_conv(fx, gen)
    make_convt(fx, gen)
    make_pool(fx, gen)
    make_upsample(fx, gen)
    make_bn_train(fx, gen, "bn2d_train", (4, 3, 3, 5))
    make_bn_train(fx, gen, "bn1d_train", (6, 5))
    make_bn_eval(fx, gen, "bn2d_eval", (2, 3, 4, 3))
    fx.write(os.path.join(out, "conv.fx"))


if __name__ == "__main__":
    main()
