#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make_app_fixtures.py — scikit-learn reference values for the application
tests (anomaly metrics, PCA).

Usage:  /usr/bin/python3 tests/ref/make_app_fixtures.py tests/fixtures
        (needs python3-sklearn and python3-numpy; not PyTorch)

Seeded, so every run writes the same bytes. Same .fx format as
make_fixtures.py (see tests/support/fixture.h).

Files written (tensor names; shapes in parentheses):

  anomaly.fx   scores (300) float32 rounded to 1 decimal (many ties),
               labels (300) 0/1 as floats,
               auc (1) = sklearn.metrics.roc_auc_score(labels, scores),
               ap (1) = sklearn.metrics.average_precision_score(labels, scores),
               q90 (1) = numpy.percentile(scores, 90) (contamination 0.1),
               q75 (1) = numpy.percentile(scores, 75) (contamination 0.25).
  pca.fx       x (80,6) correlated Gaussian data, k (1) = 3,
               components (3,6) = PCA(3).components_ (sign: largest |entry|
               of each component made positive), mean (6),
               explained_variance (3), explained_variance_ratio (3),
               codes (80,3) = transform(x) with those signs,
               recon (80,6) = inverse_transform(transform(x)).
"""

import os
import sys

import numpy as np
from sklearn.decomposition import PCA
from sklearn.metrics import average_precision_score, roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import Fixture  # noqa: E402


def write_fx(path, tensors):
    """Write (name, array) pairs as one .fx file (make_fixtures.py's format)."""
    fx = Fixture()
    for name, arr in tensors:
        fx.add(name, arr)
    fx.write(path)


def anomaly(out):
    gen = np.random.default_rng(6)
    n = 300
    labels = (gen.uniform(size=n) < 0.2).astype(np.int64)
    raw = gen.standard_normal(n) + 1.2 * labels
    scores = np.round(raw, 1).astype(np.float32)  # ties on purpose
    s64 = scores.astype(np.float64)
    write_fx(os.path.join(out, "anomaly.fx"), [
        ("scores", scores), ("labels", labels),
        ("auc", roc_auc_score(labels, s64)),
        ("ap", average_precision_score(labels, s64)),
        ("q90", np.percentile(s64, 90)), ("q75", np.percentile(s64, 75)),
    ])


def pca(out):
    gen = np.random.default_rng(7)
    n, d, k = 80, 6, 3
    mix = gen.standard_normal((d, d)) * np.array([3.0, 2.0, 1.5, 0.5, 0.3, 0.1])
    x = (gen.standard_normal((n, d)) @ mix.T + gen.uniform(-1, 1, d)).astype(np.float32)
    p = PCA(n_components=k, svd_solver="full").fit(x.astype(np.float64))
    comp = p.components_.copy()
    for i in range(k):
        if comp[i, np.argmax(np.abs(comp[i]))] < 0:
            comp[i] = -comp[i]
    codes = (x.astype(np.float64) - p.mean_) @ comp.T
    recon = p.inverse_transform(p.transform(x.astype(np.float64)))
    write_fx(os.path.join(out, "pca.fx"), [
        ("x", x), ("k", k), ("components", comp), ("mean", p.mean_),
        ("explained_variance", p.explained_variance_),
        ("explained_variance_ratio", p.explained_variance_ratio_),
        ("codes", codes), ("recon", recon),
    ])


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures"
    anomaly(out)
    pca(out)
