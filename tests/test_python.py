# SPDX-License-Identifier: MIT
"""test_python.py — the Python binding (python/aekit) with Debian's
/usr/bin/python3 and numpy: training reaches a loss, and equals the aekit
program's training to the bit (the binding adds nothing of its own); codes,
reconstructions and scores after save/load; the anomaly detector's
contamination, threshold and predictions as PyOD's; per-feature scaling of
a table; a VAE; ONNX export; bad input raising AekitError or ValueError;
and the README's Python example, run as written.

Environment (set by ctest): AEKIT_LIBRARY (libaekit.so), AEKIT (the program),
AE_FASHION_DIR, PYTHONPATH (python/)."""
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

import aekit
from aekit import AekitError, AutoEncoder

HERE = os.path.dirname(os.path.abspath(__file__))
FASHION = os.environ.get("AE_FASHION_DIR", "/usr/share/datasets/fashion-mnist")
PROGRAM = os.environ["AEKIT"]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def idx_images(name, n):
    with gzip.open(os.path.join(FASHION, name)) as f:
        return np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:n].copy()


def auc(scores, labels):
    """ROC AUC by ranks (ties averaged), for the checks."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    s = np.asarray(scores)[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = labels == 1
    return (ranks[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * (~pos).sum())


tmp = tempfile.mkdtemp()
x = idx_images("train-images-idx3-ubyte.gz", 2000)
xt = idx_images("t10k-images-idx3-ubyte.gz", 500)
print(f"libaekit {aekit.library_version()}")

# ---- training: a loss reached, and the program's bits --------------------------
ae = AutoEncoder("dense", epochs=10, batch_size=128, threads=1, seed=7).fit(x)
h = ae.history_["loss"]
check(len(h) == 10 and h[-1] < h[0] and h[-1] < 0.40,
      f"dense on 2000 images: BCE {h[0]:.4f} -> {h[-1]:.4f} (< 0.40)")
check(ae.spec_ == "dense:32:relu|dense:784:sigmoid;loss=bce" and ae.code_dim_ == 32 and
      ae.n_features_in_ == 784, f"spec {ae.spec_}, code {ae.code_dim_}")
check(ae.metadata_["scaling"] == {"lo": 0, "hi": 255}, f"scaling {ae.metadata_['scaling']}")
fl = [l["flops"] for l in ae.layers()]
check(fl == [2 * 784 * 32, 2 * 32 * 784], f"layers' forward FLOPs {fl}")
np.save(f"{tmp}/x.npy", x.astype(np.float32))
np.save(f"{tmp}/xt.npy", xt.astype(np.float32))
subprocess.run([PROGRAM, "train", "--data", f"{tmp}/x.npy", "--model", "dense", "-e", "10",
                "-b", "128", "-t", "1", "--seed", "7", "--contamination", "0.1", "-q",
                "-o", f"{tmp}/cli.safetensors"], check=True)
cli = AutoEncoder.load(f"{tmp}/cli.safetensors", threads=1)
same = np.array_equal(cli.encode(xt), ae.encode(xt))
check(same, "the binding's training equals `aekit train`'s, bit for bit (codes of 500 images)")
check(cli.threshold_ == ae.threshold_,
      f"and its anomaly threshold: {cli.threshold_:.8g} vs {ae.threshold_:.8g}")

# ---- use, save, load -------------------------------------------------------------
codes, rec = ae.encode(xt), ae.reconstruct(xt)
check(codes.shape == (500, 32) and rec.shape == (500, 28, 28), f"shapes {codes.shape} {rec.shape}")
mse = float(np.mean((rec - xt / 255.0) ** 2))
check(mse < 0.05, f"test MSE {mse:.4f} (< 0.05)")
check(np.array_equal(ae.decode(codes), rec), "decode(encode(x)) == reconstruct(x)")
subprocess.run([PROGRAM, "encode", f"{tmp}/cli.safetensors", "--data", f"{tmp}/xt.npy", "-t", "1", "-o",
                f"{tmp}/codes.npy"], check=True, capture_output=True)
check(np.array_equal(np.load(f"{tmp}/codes.npy"), cli.encode(xt)),
      "encode equals `aekit encode` on the same file, bit for bit")
ae.save(f"{tmp}/py.safetensors")
back = AutoEncoder.load(f"{tmp}/py.safetensors", threads=1)
check(np.array_equal(back.reconstruct(xt), rec) and back.threshold_ == ae.threshold_,
      "save/load: the same reconstructions and threshold")

# ---- the detector, as PyOD ------------------------------------------------------
frac = float(ae.labels_.mean())
check(abs(frac - 0.1) <= 0.001, f"contamination 0.1: {frac:.4f} of the training set flagged")
check(np.array_equal(ae.decision_function(x), ae.decision_scores_),
      "decision_function(train) == decision_scores_")
check(np.array_equal(ae.predict(x), ae.labels_), "predict(train) == labels_")
check(np.array_equal(ae.score_samples(xt), -ae.decision_function(xt)), "score_samples = -decision_function")
# trousers (class 1) as the normal class: other classes score higher
lab = np.frombuffer(gzip.open(os.path.join(FASHION, "t10k-labels-idx1-ubyte.gz")).read(),
                    np.uint8, offset=8)[:500]
tr_lab = np.frombuffer(gzip.open(os.path.join(FASHION, "train-labels-idx1-ubyte.gz")).read(),
                       np.uint8, offset=8)[:2000]
one = AutoEncoder("dense", epochs=10, batch_size=32, threads=1).fit(x[tr_lab == 1])
a = auc(one.decision_function(xt), (lab != 1).astype(int))
check(a > 0.9, f"trousers as normal: ROC AUC {a:.3f} on 500 test images (> 0.9)")

# ---- a table with per-feature scaling ---------------------------------------------
rng = np.random.default_rng(3)
c0 = 1000 + 30 * rng.standard_normal(600)
# two features on very different scales, and a third that follows the first:
# a relation the outliers break
t = np.column_stack([c0, 0.001 * rng.random(600),
                     -5 + 0.05 * (c0 - 1000) + 0.1 * rng.standard_normal(600)]).astype(np.float32)
outl = t[:30].copy()
outl[:, 2] -= 3.0
tab = AutoEncoder("dense:2:tanh|dense:3;loss=mse", scale="standard", epochs=60, batch_size=32,
                  threads=1).fit(t[30:])
f = tab.metadata_["features"]
check(abs(f["shift"][0] - t[30:, 0].mean()) < 0.01 and abs(f["scale"][0] - t[30:, 0].std()) < 0.01,
      f"standard scaling fitted: shift {f['shift'][0]:.3f} scale {f['scale'][0]:.3f}")
sc = tab.decision_function(np.vstack([t[30:130], outl]))
a = auc(sc, np.r_[np.zeros(100), np.ones(30)].astype(int))
check(a > 0.9, f"table outliers: ROC AUC {a:.3f} (> 0.9)")

# ---- a VAE, ONNX -------------------------------------------------------------------
vae = AutoEncoder("vae", epochs=1, threads=1).fit(x[:500])
g = vae.generate(8, seed=3)
check(vae.is_variational() and g.shape == (8, 28, 28) and 0 <= g.min() and g.max() <= 1,
      f"vae: generate {g.shape} in [0, 1]")
ae.export_onnx(f"{tmp}/m.onnx", part="encoder")
with open(f"{tmp}/m.onnx", "rb") as fh:
    check(b"aekit" in fh.read(64), "export_onnx writes an ONNX model")

# ---- bad input -------------------------------------------------------------------
def raises(kind, fn, needle, what):
    try:
        fn()
    except kind as e:
        check(needle in str(e), f"{what}: {kind.__name__}: {e}")
        return
    check(False, f"{what}: no {kind.__name__}")


raises(ValueError, lambda: ae.encode(np.zeros((3, 10))), "the model takes 784", "wrong width")
raises(AekitError, lambda: AutoEncoder().encode(x), "not fitted", "not fitted")
raises(AekitError, lambda: AutoEncoder("dense:0:relu").fit(x[:10]), "dense:0:relu", "bad spec")
raises(AekitError, lambda: AutoEncoder.load(f"{tmp}/none.safetensors"), "none.safetensors", "missing file")
raises(ValueError, lambda: AutoEncoder(scale="log"), "scale 'log'", "unknown scale")
raises(ValueError, lambda: ae.decode(np.zeros((2, 5))), "(n, 32)", "codes of another size")
nan = x[:10].astype(np.float32)
nan[3, 4, 5] = np.nan
raises(AekitError, lambda: AutoEncoder(epochs=1).fit(nan), "NaN", "NaN in the data")

# ---- the README's example, as written ------------------------------------------
readme = open(os.path.join(HERE, "..", "README.md")).read()
m = re.search(r"<!-- python example -->\s*```python\n(.*?)```", readme, re.S)
check(m is not None, "the README has a Python example")
if m:
    r = subprocess.run([sys.executable, "-c", m.group(1)], cwd=tmp, capture_output=True, text=True)
    print(r.stdout, end="")
    check(r.returncode == 0, "the README's Python example runs: " + r.stderr.strip()[-300:])

shutil.rmtree(tmp)
if failures:
    print(f"{len(failures)} failed")
    sys.exit(1)
