#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make_seq_fixtures.py — PyTorch reference values for the sequence-layer
kernels (LSTM, GRU, Conv1d, ConvTranspose1d, MaxPool1d, Upsample1d).

Usage:  /usr/bin/python3 tests/ref/make_seq_fixtures.py tests/fixtures
        (needs python3-torch and python3-numpy)

Same format (AEFX, see make_fixtures.py and tests/support/fixture.h) and the
same rules: seeded float32 inputs, references computed in float64 from those
values, stored as float32. Integer settings are stored as floats.

Layout: a sequence per sample is (T, C) row-major, time-major, channels LAST
(batch_first), so every x, y, dy and dx below is stored (N, T, C). The
convolution, pooling and upsampling references permute to PyTorch's (N, C, T)
and back. Weights are in PyTorch's own layouts. Every dy is a float32 random
upstream gradient of y's shape (loss = sum(y * dy)).

seq.fx, tensor names (shapes in parentheses):

  LSTM, CASE in lstm_basic, lstm_t1, lstm_last, lstm_bi, lstm_bi_last,
  lstm_stack2, lstm_bi_stack2 (torch.nn.LSTM(F, H, num_layers=L,
  batch_first=True, bidirectional=B), zero initial h and c, gate order
  i f g o):
    CASE.cfg (7) = N T F H B LAST L  (D = 2 if B else 1),
    CASE.x (N,T,F),
    CASE.P for every PyTorch parameter P of the module, in its
    named_parameters() order, with l = 0..L-1 and the suffix _reverse when
    B: weight_ih_l{l} (4H, F for l = 0 else D*H), weight_hh_l{l} (4H,H),
    bias_ih_l{l} (4H), bias_hh_l{l} (4H); drawn N(0, 0.4^2), not torch's
    init,
    CASE.y: LAST 0: the output sequence out (N,T,D*H) of the last layer;
            LAST 1: the last state (N,D*H) = out[:, T-1, :H] concatenated
            (when B) with out[:, 0, H:], i.e. h_n[-D:] in direction order,
    CASE.dy (shape of y), CASE.dx (N,T,F), CASE.grad.P (shape of P) for
    every P.
  GRU, CASE in gru_basic, gru_t1, gru_last, gru_bi, gru_bi_last,
  gru_stack2, gru_bi_stack2: the same with torch.nn.GRU (gate order r z n,
  3H rows instead of 4H, zero initial h), same shapes as the LSTM cases.
  Conv1d, CASE in c1_basic, c1_s2same, c1_dil2, c1_s3, c1_k1, c1_t1:
    CASE.cfg (10) = N T C O K stride pad_left pad_right dil has_bias,
    y = conv1d(pad(x, (pad_left, pad_right)), w, b, stride, 0, dil);
    c1_s2same is Keras/TF "same" for stride 2 (total pad
    max((ceil(T/s)-1)*s + (K-1)*d + 1 - T, 0), left = total // 2, To =
    ceil(T/s)),
    CASE.x (N,T,C), CASE.w (O,C,K), CASE.b (O) (only when has_bias),
    CASE.y (N,To,O), CASE.dy (N,To,O), CASE.dx (N,T,C), CASE.dw (O,C,K),
    CASE.db (O) (only when has_bias).
  ConvTranspose1d, CASE in ct1_s2p1, ct1_s2p1op1, ct1_d2, ct1_t1, ct1_same:
    CASE.cfg (10) = N T C O K stride crop_left out_len dil has_bias,
    full = conv_transpose1d(x, w, None, stride, 0, dilation=dil), length
    (T-1)*stride + dil*(K-1) + 1; y[:, j] = full[:, crop_left + j] for
    j < out_len (0 where crop_left + j is past the end of full), + b.
    The first four are PyTorch padding p / output_padding op (crop_left = p,
    out_len = (T-1)*s - 2p + d*(K-1) + op + 1, checked against torch's own
    conv_transpose1d): ct1_s2p1 p1 op0, ct1_s2p1op1 p1 op1, ct1_d2 p0 op1
    (its last output gets only the bias), ct1_t1 p0 op0; ct1_same is Keras
    "same" (out_len = T*s, crop_left = max(d*(K-1) + 1 - s, 0) // 2),
    CASE.x (N,T,C), CASE.w (C,O,K) [PyTorch's layout], CASE.b (O) (only
    when has_bias), CASE.y (N,out_len,O), CASE.dy (N,out_len,O),
    CASE.dx (N,T,C), CASE.dw (C,O,K), CASE.db (O) (only when has_bias).
  MaxPool1d (floor mode, padding counts as -inf), CASE in mp1_k2s2,
  mp1_k3s2p1:
    CASE.cfg (6) = N T C kernel stride pad, CASE.x (N,T,C) with all values
    distinct (a scaled random permutation, so every argmax is unique),
    CASE.y (N,To,C), CASE.dy (N,To,C), CASE.dx (N,T,C).
  Upsample nearest (interpolate(scale_factor=S, mode="nearest")), CASE in
  up1_x2, up1_x3:
    CASE.cfg (4) = N T C S, CASE.x (N,T,C), CASE.y (N,T*S,C),
    CASE.dy (N,T*S,C), CASE.dx (N,T,C).
"""

import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.dont_write_bytecode = True  # no __pycache__ in tests/ref
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import Fixture, f32, t64  # noqa: E402

# suffix, N T F H B LAST L (the same shapes for LSTM and GRU)
RNN_CASES = [
    ("basic", 3, 5, 4, 6, 0, 0, 1),
    ("t1", 2, 1, 3, 4, 0, 0, 1),
    ("last", 3, 6, 2, 5, 0, 1, 1),
    ("bi", 2, 4, 3, 4, 1, 0, 1),
    ("bi_last", 3, 5, 2, 3, 1, 1, 1),
    ("stack2", 2, 5, 3, 4, 0, 0, 2),
    ("bi_stack2", 2, 3, 2, 3, 1, 1, 2),
]


def same_pad(t, k, s, d):
    """Keras/TF "same" padding (left, right) for a strided, dilated conv."""
    total = max((math.ceil(t / s) - 1) * s + (k - 1) * d + 1 - t, 0)
    return total // 2, total - total // 2


_SP = same_pad(12, 7, 2, 1)
# name, N T C O K stride pad_left pad_right dil bias
CONV1_CASES = [
    ("c1_basic", 2, 9, 3, 4, 3, 1, 1, 1, 1, 1),
    ("c1_s2same", 2, 12, 2, 3, 7, 2, _SP[0], _SP[1], 1, 1),
    ("c1_dil2", 2, 10, 2, 3, 3, 1, 2, 2, 2, 0),
    ("c1_s3", 1, 11, 3, 2, 4, 3, 0, 0, 1, 1),
    ("c1_k1", 2, 5, 4, 3, 1, 1, 0, 0, 1, 1),
    ("c1_t1", 2, 1, 2, 3, 3, 1, 1, 1, 1, 1),
]
assert _SP == (2, 3)

# name, N T C O K stride pad out_pad dil bias (pad None: Keras "same")
CONVT1_CASES = [
    ("ct1_s2p1", 2, 4, 3, 2, 3, 2, 1, 0, 1, 1),
    ("ct1_s2p1op1", 2, 4, 3, 2, 3, 2, 1, 1, 1, 1),
    ("ct1_d2", 1, 5, 2, 3, 3, 1, 0, 1, 2, 1),
    ("ct1_t1", 2, 1, 2, 3, 3, 1, 0, 0, 1, 0),
    ("ct1_same", 2, 6, 2, 3, 7, 2, None, None, 1, 1),
]

# name, N T C kernel stride pad
POOL1_CASES = [
    ("mp1_k2s2", 2, 9, 3, 2, 2, 0),
    ("mp1_k3s2p1", 2, 8, 2, 3, 2, 1),
]

# name, N T C scale
UP1_CASES = [("up1_x2", 2, 3, 4, 2), ("up1_x3", 1, 2, 3, 3)]


def add_all(fx, prefix, items):
    for key, val in items:
        fx.add(prefix + "." + key, val)


def nct(a):
    """(N, T, C) <-> (N, C, T)."""
    return a.permute(0, 2, 1)


def make_rnn(fx, gen, kind, module_cls):
    for suffix, n, t, f, h, bi, last, layers in RNN_CASES:
        name = kind + "_" + suffix
        d = 2 if bi else 1
        mod = module_cls(f, h, num_layers=layers, batch_first=True,
                         bidirectional=bool(bi), dtype=torch.float64)
        x = f32(gen, n, t, f)
        params = []
        with torch.no_grad():
            for pname, p in mod.named_parameters():
                val = f32(gen, *p.shape, scale=0.4)
                p.copy_(t64(val))
                params.append((pname, val, p))
        xt = t64(x).requires_grad_(True)
        out, hn = mod(xt)
        if kind == "lstm":
            hn = hn[0]
        if last:
            y = out[:, -1, :h] if not bi else torch.cat(
                [out[:, -1, :h], out[:, 0, h:]], dim=1)
            ref = hn[-d:].permute(1, 0, 2).reshape(n, d * h)
            assert torch.allclose(y, ref, rtol=0, atol=1e-12)
        else:
            y = out
        assert y.shape == ((n, d * h) if last else (n, t, d * h))
        dy = f32(gen, *y.shape)
        y.backward(t64(dy))
        fx.add(name + ".cfg", [n, t, f, h, bi, last, layers])
        add_all(fx, name, [("x", x)] + [(pn, v) for pn, v, _ in params] +
                [("y", y), ("dy", dy), ("dx", xt.grad)] +
                [("grad." + pn, p.grad) for pn, _, p in params])


def make_conv1d(fx, gen):
    for name, n, t, c, o, k, s, pl, pr, d, has_b in CONV1_CASES:
        x = f32(gen, n, t, c)
        wt = f32(gen, o, c, k, scale=0.3)
        b = f32(gen, o, scale=0.1)
        xt, wtt, bt = (t64(a).requires_grad_(True) for a in (x, wt, b))
        y = nct(F.conv1d(F.pad(nct(xt), (pl, pr)), wtt, bt if has_b else None,
                         stride=s, padding=0, dilation=d))
        if name == "c1_s2same":
            assert y.shape[1] == math.ceil(t / s)
        dy = f32(gen, *y.shape)
        y.backward(t64(dy))
        fx.add(name + ".cfg", [n, t, c, o, k, s, pl, pr, d, has_b])
        add_all(fx, name, [("x", x), ("w", wt)] + ([("b", b)] if has_b else []) +
                [("y", y), ("dy", dy), ("dx", xt.grad), ("dw", wtt.grad)] +
                ([("db", bt.grad)] if has_b else []))


def convt1d_crop(xt, wtt, bt, s, d, crop, out_len):
    """conv_transpose1d as "full" output, cropped/zero-extended, + bias;
    xt (N,T,C) channels-last in and (N,out_len,O) out."""
    full = F.conv_transpose1d(nct(xt), wtt, None, stride=s, padding=0, dilation=d)
    n, o, lf = full.shape
    take = max(min(out_len, lf - crop), 0)
    parts = [full[:, :, crop:crop + take]]
    if take < out_len:
        parts.append(full.new_zeros(n, o, out_len - take))
    y = torch.cat(parts, dim=2)
    if bt is not None:
        y = y + bt.view(1, o, 1)
    return nct(y)


def make_convt1d(fx, gen):
    for name, n, t, c, o, k, s, p, op, d, has_b in CONVT1_CASES:
        x = f32(gen, n, t, c)
        wt = f32(gen, c, o, k, scale=0.3)
        b = f32(gen, o, scale=0.1)
        xt, wtt, bt = (t64(a).requires_grad_(True) for a in (x, wt, b))
        if p is None:  # Keras "same"
            out_len = t * s
            crop = max(d * (k - 1) + 1 - s, 0) // 2
        else:
            crop = p
            out_len = (t - 1) * s - 2 * p + d * (k - 1) + op + 1
        y = convt1d_crop(xt, wtt, bt if has_b else None, s, d, crop, out_len)
        if p is not None:
            with torch.no_grad():
                ref = F.conv_transpose1d(nct(xt), wtt, bt if has_b else None,
                                         stride=s, padding=p, output_padding=op,
                                         dilation=d)
            assert ref.shape[2] == out_len
            assert torch.allclose(nct(ref), y, rtol=0, atol=1e-12)
        dy = f32(gen, *y.shape)
        y.backward(t64(dy))
        fx.add(name + ".cfg", [n, t, c, o, k, s, crop, out_len, d, has_b])
        add_all(fx, name, [("x", x), ("w", wt)] + ([("b", b)] if has_b else []) +
                [("y", y), ("dy", dy), ("dx", xt.grad), ("dw", wtt.grad)] +
                ([("db", bt.grad)] if has_b else []))


def make_pool1d(fx, gen):
    for name, n, t, c, k, s, p in POOL1_CASES:
        cnt = n * t * c
        x = ((gen.permutation(cnt) - (cnt - 1) / 2.0) * (4.0 / cnt)) \
            .reshape(n, t, c).astype(np.float32)
        assert len(np.unique(x)) == cnt
        xt = t64(x).requires_grad_(True)
        y = nct(F.max_pool1d(nct(xt), k, stride=s, padding=p))
        dy = f32(gen, *y.shape)
        y.backward(t64(dy))
        fx.add(name + ".cfg", [n, t, c, k, s, p])
        add_all(fx, name, [("x", x), ("y", y), ("dy", dy), ("dx", xt.grad)])


def make_upsample1d(fx, gen):
    for name, n, t, c, scale in UP1_CASES:
        x = f32(gen, n, t, c)
        xt = t64(x).requires_grad_(True)
        y = nct(F.interpolate(nct(xt), scale_factor=scale, mode="nearest"))
        assert y.shape == (n, t * scale, c)
        dy = f32(gen, *y.shape)
        y.backward(t64(dy))
        fx.add(name + ".cfg", [n, t, c, scale])
        add_all(fx, name, [("x", x), ("y", y), ("dy", dy), ("dx", xt.grad)])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_seq_fixtures.py OUTPUT_DIR")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)
    fx = Fixture()
    gen = np.random.default_rng(7007)
    make_rnn(fx, gen, "lstm", nn.LSTM)
    make_rnn(fx, gen, "gru", nn.GRU)
    make_conv1d(fx, gen)
    make_convt1d(fx, gen)
    make_pool1d(fx, gen)
    make_upsample1d(fx, gen)
    fx.write(os.path.join(out, "seq.fx"))


if __name__ == "__main__":
    main()
