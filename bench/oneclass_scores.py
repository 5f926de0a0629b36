#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""oneclass_scores.py DIR — score variants for the one-class benchmark,
computed offline from `aekit-bench-oneclass --validate --dump DIR` (images,
labels, reconstructions and codes as NPY files), so that many scores can be
compared on the validation split without training again. This is how the
benchmark's headline score (s+c) was chosen; see README, "One-class anomaly
detection". Needs python3-numpy; about 4 minutes on 2 cores.

Every score is standardised by the mean and standard deviation of its values
on the class's training images (k-NN scores leave the image itself out), and
a combination is the sum of standardised scores. recon-mirror-tta averages
the MSE of an image and of its mirror image (test-time augmentation);
code-mahalanobis is the Mahalanobis distance of the code to a Gaussian fitted
to the training codes. Printed: the mean AUROC x100
over the classes found in DIR, for each single score and a fixed list of
combinations, and the per-class AUROC of the combinations.
"""

import os
import sys

import numpy as np

D = sys.argv[1] if len(sys.argv) > 1 else "/tmp/oneclass-dump"


def auc(s, y):
    """ROC AUC with ties counted half (Mann-Whitney)."""
    o = np.argsort(s, kind="mergesort")
    _, inv, cnt = np.unique(s[o], return_inverse=True, return_counts=True)
    avg = np.bincount(inv, np.arange(1, len(s) + 1, dtype=float)) / cnt
    r = np.empty(len(s))
    r[o] = avg[inv]
    npos = y.sum()
    return (r[y == 1].sum() - npos * (npos + 1) / 2) / (npos * (len(y) - npos))


def sqd(a, b):
    return np.maximum((a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2 * a @ b.T, 0)


def knn(a, b, k):
    """Mean distance to the k nearest rows of a: for a (itself left out), b."""
    d = sqd(a, a)
    np.fill_diagonal(d, np.inf)
    e = sqd(b, a)
    mean = lambda m: np.sqrt(np.partition(m, k, axis=1)[:, :k]).mean(1)
    return mean(d), mean(e)


def gauss(r, sig):
    """Separable Gaussian filter of (N, 28, 28), zero outside, radius 3 sigma."""
    h = int(3 * sig + 0.5)
    t = np.exp(-0.5 * (np.arange(-h, h + 1) / sig) ** 2)
    t /= t.sum()
    r = r.reshape(-1, 28, 28)
    p = np.pad(r, ((0, 0), (h, h), (0, 0)))
    r = sum(t[i] * p[:, i:i + 28, :] for i in range(2 * h + 1))
    p = np.pad(r, ((0, 0), (0, 0), (h, h)))
    return sum(t[i] * p[:, :, i:i + 28] for i in range(2 * h + 1))


def dssim(a, b):
    """1 - SSIM per image, as ae_ssim (11x11 window, sigma 1.5, zero padding)."""
    a, b = a.reshape(-1, 28, 28).astype(np.float64), b.reshape(-1, 28, 28).astype(np.float64)
    c1, c2, g = 0.01 ** 2, 0.03 ** 2, lambda t: gauss(t, 1.5)
    ma, mb = g(a), g(b)
    va, vb, cab = g(a * a) - ma * ma, g(b * b) - mb * mb, g(a * b) - ma * mb
    s = ((2 * ma * mb + c1) * (2 * cab + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
    return 1 - s.reshape(len(a), -1).mean(1)


def flat(x):
    return x.reshape(len(x), -1)


COMBOS = [["recon", "code"], ["ssim", "code"], ["blur", "code"], ["ssim", "blur", "code"],
          ["ssim", "blur", "code", "pixel-blur"], ["ssim", "pixel-blur"], ["recon", "pixel-blur"]]

ex = np.load(f"{D}/eval_x.npy")
ey = np.load(f"{D}/eval_y.npy")[:, 0].astype(np.int32)
classes = [c for c in range(10) if os.path.exists(f"{D}/c{c}_train_x.npy")]
results = {}
for c in classes:
    tx = np.load(f"{D}/c{c}_train_x.npy")
    ld = lambda name: np.load(f"{D}/c{c}_s0_{name}.npy")
    rt, re, ct, ce = ld("train_rec"), ld("eval_rec"), ld("train_code"), ld("eval_code")
    rtf, ref = ld("train_f_rec"), ld("eval_f_rec")
    mirror = lambda x: x.reshape(-1, 28, 28)[:, :, ::-1].reshape(-1, 784)
    tta = lambda x, r, rf: 0.5 * (((r - x) ** 2).mean(1) + ((rf - mirror(x)) ** 2).mean(1))
    mu, prec = ct.mean(0), np.linalg.inv(np.cov(ct.T) + 1e-6 * np.eye(ct.shape[1]))
    maha = lambda z: np.einsum("ij,jk,ik->i", z - mu, prec, z - mu)
    raw = {
        "recon": (((rt - tx) ** 2).mean(1), ((re - ex) ** 2).mean(1)),
        "recon-mirror-tta": (tta(tx, rt, rtf), tta(ex, re, ref)),
        "code-mahalanobis": (maha(ct), maha(ce)),
        "ssim": (dssim(tx, rt), dssim(ex, re)),
        "blur": ((flat(gauss(rt - tx, 1.0)) ** 2).mean(1), (flat(gauss(re - ex, 1.0)) ** 2).mean(1)),
        "code": knn(ct, ce, 5),
        "pixel": knn(tx, ex, 5),
        "pixel-blur": knn(flat(gauss(tx, 1.0)), flat(gauss(ex, 1.0)), 5),
    }
    z = {}
    for name, (a, b) in raw.items():
        z[name] = (b - a.mean()) / a.std(ddof=1)
    results[c] = (z, (ey != c).astype(int))
    print(f"class {c} done", file=sys.stderr, flush=True)


def table(combo):
    return [100 * auc(sum(results[c][0][k] for k in combo), results[c][1]) for c in classes]


print("score | " + " | ".join(str(c) for c in classes) + " | mean")
for combo in [[k] for k in results[classes[0]][0]] + COMBOS:
    t = table(combo)
    print("+".join(combo) + " | " + " | ".join(f"{v:.1f}" for v in t) + f" | {np.mean(t):.2f}")
