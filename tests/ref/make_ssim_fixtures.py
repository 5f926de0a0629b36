#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make_ssim_fixtures.py — PyTorch reference values for ae_ssim (src/apps/ssim.c),
checked by tests/test_anomaly.c.

Usage:  /usr/bin/python3 tests/ref/make_ssim_fixtures.py tests/fixtures
        (needs python3-torch and python3-numpy)

SSIM as ae_ssim defines it: an 11x11 Gaussian window (sigma 1.5, normalised)
applied with torch.nn.functional.conv2d and zero padding 5, so the map has
the image's size; C1 = (0.01 L)^2, C2 = (0.03 L)^2; mean over pixels and
channels, one value per sample. Computed in float64 from float32 inputs.

ssim.fx, for CASE in ssim_a (N,C,H,W = 3,2,9,13, range 1), ssim_small
(2,1,4,3: smaller than the window, range 1) and ssim_r255 (2,1,12,12,
range 255):
  CASE.cfg (5) = N C H W range, CASE.a, CASE.b (N,C,H,W), CASE.ssim (N).
"""

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import Fixture  # noqa: E402


def ssim(a, b, data_range):
    """Per-sample SSIM of float64 tensors (N, C, H, W)."""
    t = torch.arange(-5, 6, dtype=torch.float64)
    g = torch.exp(-0.5 * (t / 1.5) ** 2)
    g = g / g.sum()
    c = a.shape[1]
    win = (g[:, None] * g[None, :]).expand(c, 1, 11, 11).contiguous()

    def blur(x):
        return torch.nn.functional.conv2d(x, win, padding=5, groups=c)

    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    ma, mb = blur(a), blur(b)
    va, vb = blur(a * a) - ma * ma, blur(b * b) - mb * mb
    cab = blur(a * b) - ma * mb
    s = ((2 * ma * mb + c1) * (2 * cab + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
    return s.flatten(1).mean(1)


def main(out):
    gen = np.random.default_rng(11)
    fx = Fixture()
    for name, (n, c, h, w, rng) in {"ssim_a": (3, 2, 9, 13, 1.0),
                                    "ssim_small": (2, 1, 4, 3, 1.0),
                                    "ssim_r255": (2, 1, 12, 12, 255.0)}.items():
        a = (gen.uniform(size=(n, c, h, w)) * rng).astype(np.float32)
        noise = gen.normal(scale=0.2 * rng, size=a.shape)
        b = np.clip(a + noise, 0, rng).astype(np.float32)
        b[0] = a[0]  # an identical pair: SSIM 1
        ref = ssim(torch.from_numpy(a.astype(np.float64)),
                   torch.from_numpy(b.astype(np.float64)), rng)
        fx.add(name + ".cfg", [n, c, h, w, rng])
        fx.add(name + ".a", a)
        fx.add(name + ".b", b)
        fx.add(name + ".ssim", ref)
    fx.write(os.path.join(out, "ssim.fx"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures")
