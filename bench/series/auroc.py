#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""bench/series/auroc.py — point-wise AUROC and AUPR of aekit's sequence
autoencoders (`lstm`, `conv1d`) and of PCA reconstruction error on real
series with injected anomalies (the protocol of TSB-UAD's artificial series),
and of PyTorch's equivalent of the `lstm` preset on the same windows.
Needs python3-numpy and the built aekit; PyTorch is optional (its columns
are skipped, with a note, where torch cannot be imported, or with
--no-torch); the series come from Debian packages (python3-statsmodels,
python3-vega-datasets, python3-scipy).

Usage:
    bench/series/auroc.py [--aekit build/aekit] [--epochs 30] [--batch 64]
        [--threads 2] [--seed 0] [--series co2,ecg,...] [--md FILE]
        [--workdir DIR] [--max-frac 0.25] [--no-torch] [-v]

Series (all univariate; T = steps; P = natural period used for the cycle
anomaly; W = window, a multiple of 4 because `conv1d` halves the time twice;
stride 1 throughout):

| name        | source                                              | T    | P  | W  | why this W |
|-------------|-----------------------------------------------------|------|----|----|------------|
| co2         | statsmodels datasets/co2/co2.csv, weekly ppm        | 2284 | 52 | 52 | one year; its 59 missing weeks are filled by linear interpolation in time |
| sunspots    | statsmodels datasets/sunspots, yearly SUNACTIVITY    | 309  | 11 | 24 | about two 11-year cycles, rounded up to a multiple of 4 |
| nile        | statsmodels datasets/nile, yearly volume            | 100  | -  | 8  | no period; short series, short window |
| elec_equip  | statsmodels datasets/elec_equip, monthly index      | 257  | 12 | 12 | one year |
| seattle_tmax| vega_datasets _data/seattle-weather.csv, temp_max daily | 1461 | - | 28 | the annual period is too long for a window; four weeks |
| seattle_temp| vega_datasets _data/seattle-temps.csv, hourly temp  | 8759 | 24 | 24 | one day |
| ecg         | scipy/misc/ecg.dat (NPZ key 'ecg', uint16, 360 Hz), mV = (raw-1024)/200 | 5000 | 50 | 52 | the first 20 000 samples, downsampled by 4 (mean of each block of 4 samples, so 90 Hz); one beat is about 50 samples (median R-R interval measured on these samples), W rounded up to a multiple of 4 |

(iowa-electricity.csv, 51 yearly rows per source, is too short; the hourly
seattle-temps is the long vega series instead.)

Protocol, per series (everything seeded: numpy Generator
default_rng(SeedSequence([seed, i])) with i the series' row in the table
above, so a subset of series injects the same anomalies as the full run):

1. Split chronologically: train = the first floor(0.6 T) steps, test = the
   remaining steps. sd = the population standard deviation of the train part.
2. Inject anomalies into a copy of the test part only; the train part stays
   clean. Four types, segment length L:
     spike      L = 1:       x += s * U(4, 6) * sd, s = +1 or -1 (equal odds)
     shift      L = W // 2:  x += s * U(2, 3) * sd over the segment
     noise      L = W // 2:  x += N(0, (1.5 sd)^2) at each step of the segment
     cycle      L = P (W // 2 where there is no P): with equal odds either
                flattened (the segment replaced by its mean) or stretched (the
                first ceil(L / 1.5) steps of the segment resampled, linear
                interpolation, to L steps: the cycle slowed by 1.5)
   Count: 5 of each type; while the anomalous steps would exceed
   floor(max_frac * T_test) (max_frac 0.25), one fewer of the segment type
   (shift, noise, cycle) that has the most, ties to the longer segment, then
   in the order shift, noise, cycle; never below 1 of a type; spikes stay 5
   (so short series get fewer, and can exceed max_frac). Placement: the
   longest segments first (ties: spike, shift, noise, cycle), each start
   drawn uniformly from
   [0, T_test - L] until the segment keeps at least max(1, W // 4) clean
   steps from every segment already placed (up to 10 000 draws; an anomaly
   that does not fit is dropped and the count printed shows it). Labels are
   1 at every step of every segment, 0 elsewhere.
3. aekit: the clean train part and the injected test part are written as
   one-column CSVs (header "value"). For each of `lstm` and `conv1d`:
       aekit train --data train.csv --window W --stride 1 -m MODEL
             -e EPOCHS -b BATCH --seed SEED -t THREADS -q -o MODEL.safetensors
       aekit score MODEL.safetensors --data test.csv --steps steps.csv
             -o windows.npy -t THREADS
   (aekit fits the per-channel z-score on train.csv and applies it to
   test.csv; the per-step score is the mean of the window MSEs of the
   windows covering the step). The step scores from --steps are the scores.
   The script checks that its own mean-over-covering-windows of windows.npy
   reproduces steps.csv.
4. PCA: the train part is z-scored as aekit does (mean and population sd
   of the train part) and cut into the same windows (W, stride 1), flat
   (n, W); k = the fewest components whose eigenvalues of the train
   windows' covariance explain >= 90% of its trace. Then
       aekit pca -c K --data train_windows.npy --scale none -o pca.safetensors
       aekit score pca.safetensors --data test_windows.npy -o pca_windows.npy
   gives each test window's reconstruction MSE (the script checks it against
   numpy's own projection); per-step scores are the mean over the windows
   covering each step, as aekit does for its series models.
5. PyTorch lstm (unless --no-torch, or torch is not importable): the
   RecurrentAE(nn.LSTM) of bench/reference_seq.py, the PyTorch equivalent
   of aekit's `lstm` preset (lstm:64:out=last|repeat:W,lstm:64,tdense:1),
   with its keras_init (reference_seq.py --init keras: aekit's default
   init). The train part is z-scored exactly as aekit does (float32 mean of
   the train part, population sd about it, (x - mean) / sd in float32; the
   test part with the train statistics) and cut into the same windows (W,
   stride 1), as (n, W, 1). Training: torch.manual_seed(SEED) before the
   model is built, EPOCHS epochs, batch BATCH, a fresh shuffle each epoch
   (torch.randperm with a Generator seeded SEED; the last, short batch is
   kept), Adam lr 1e-3 (betas 0.9, 0.999, eps 1e-8), MSE per element,
   torch.set_num_threads(THREADS). Then each test window's MSE per element
   (evaluation mode), and per-step scores as the mean over the windows
   covering each step, as for aekit and PCA.
6. AUROC (Mann-Whitney, tied scores get their average rank) and AUPR
   (average precision as sklearn's average_precision_score: sum over
   distinct thresholds of (R_n - R_{n-1}) P_n) of the per-step scores of the
   whole test part against the labels, in numpy.

Printed: one row per series (series, test steps, window, anomalies placed
as total (spike/shift/noise/cycle), anomalous steps in %, AUROC and AUPR of
aekit's lstm, PyTorch's lstm ("torch lstm"; absent when skipped), aekit's
conv1d and PCA, PCA's k) and the mean over the series; --md writes the same
table as markdown. Note: co2 and elec_equip trend, so their test part lies
partly outside the range of the train part (the same for all the methods);
the scores then include that drift.
"""

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

DIST = "/usr/lib/python3/dist-packages"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TYPES = ("spike", "shift", "noise", "cycle")


# ---------------------------------------------------------------- series


def read_csv_column(path, column, skip_quotes=True):
    """One numeric column of a CSV with a header, by name; '' -> NaN."""
    with open(path) as f:
        header = [h.strip().strip('"') for h in f.readline().rstrip("\n").split(",")]
        c = header.index(column)
        out = []
        for line in f:
            fields = line.rstrip("\n").split(",")
            if len(fields) <= c:
                continue
            v = fields[c].strip().strip('"')
            out.append(float(v) if v not in ("", "NA", "nan") else math.nan)
    return np.array(out, dtype=np.float64)


def fill_nan_linear(x):
    bad = np.isnan(x)
    if bad.any():
        idx = np.arange(len(x))
        x = x.copy()
        x[bad] = np.interp(idx[bad], idx[~bad], x[~bad])
    return x, int(bad.sum())


def load_co2():
    x = read_csv_column(f"{DIST}/statsmodels/datasets/co2/co2.csv", "co2")
    x, n = fill_nan_linear(x)
    return x, f"{n} NaN weeks filled by linear interpolation"


def load_sunspots():
    return read_csv_column(f"{DIST}/statsmodels/datasets/sunspots/sunspots.csv", "SUNACTIVITY"), ""


def load_nile():
    return read_csv_column(f"{DIST}/statsmodels/datasets/nile/nile.csv", "volume"), ""


def load_elec_equip():
    return read_csv_column(f"{DIST}/statsmodels/datasets/elec_equip/elec_equip.csv",
                           "STS.M.I7.W.TOVT.NS0016.4.000"), ""


def load_seattle_tmax():
    return read_csv_column(f"{DIST}/vega_datasets/_data/seattle-weather.csv", "temp_max"), ""


def load_seattle_temp():
    return read_csv_column(f"{DIST}/vega_datasets/_data/seattle-temps.csv", "temp"), ""


def load_ecg():
    raw = np.load(f"{DIST}/scipy/misc/ecg.dat")["ecg"][:20000].astype(np.float64)
    mv = (raw - 1024.0) / 200.0
    return mv.reshape(-1, 4).mean(axis=1), "first 20000 samples, mean of blocks of 4 (90 Hz)"


# name, loader, natural period P (0: none), window W
SERIES = [
    ("co2", load_co2, 52, 52),
    ("sunspots", load_sunspots, 11, 24),
    ("nile", load_nile, 0, 8),
    ("elec_equip", load_elec_equip, 12, 12),
    ("seattle_tmax", load_seattle_tmax, 0, 28),
    ("seattle_temp", load_seattle_temp, 24, 24),
    ("ecg", load_ecg, 50, 52),
]


# ---------------------------------------------------------------- injection


def plan_counts(lengths, budget, most=5):
    """5 per type; while the anomalous steps exceed budget, one fewer of the
    segment type (shift, noise, cycle) with the most anomalies, ties to the
    longer segment, then in that order; never below 1; spikes stay 5."""
    n = {t: most for t in TYPES}
    order = ("shift", "noise", "cycle")
    while sum(n[t] * lengths[t] for t in TYPES) > budget:
        cand = [t for t in order if n[t] > 1]
        if not cand:
            break
        t = max(cand, key=lambda t: (n[t], lengths[t], -order.index(t)))
        n[t] -= 1
    return n


def inject(test, sd, period, window, rng, max_frac):
    """Returns (injected copy, labels, placed counts per type)."""
    T = len(test)
    half = max(1, window // 2)
    lengths = {"spike": 1, "shift": half, "noise": half,
               "cycle": min(period, window) if period else half}
    n = plan_counts(lengths, int(math.floor(max_frac * T)))
    # longest first (ties in TYPES order), so that short series fit them all
    todo = [t for t in sorted(TYPES, key=lambda t: -lengths[t]) for _ in range(n[t])]
    gap = max(1, window // 4)
    taken = np.zeros(T, dtype=bool)  # segments grown by the gap
    x = test.copy()
    y = np.zeros(T, dtype=np.int8)
    placed = {t: 0 for t in TYPES}
    for t in todo:
        L = lengths[t]
        if L > T:
            continue
        s = None
        for _ in range(10000):
            c = int(rng.integers(0, T - L + 1))
            if not taken[max(0, c - gap):c + L + gap].any():
                s = c
                break
        if s is None:
            continue
        seg = slice(s, s + L)
        if t == "spike":
            x[s] += rng.choice((-1.0, 1.0)) * rng.uniform(4.0, 6.0) * sd
        elif t == "shift":
            x[seg] += rng.choice((-1.0, 1.0)) * rng.uniform(2.0, 3.0) * sd
        elif t == "noise":
            x[seg] += rng.normal(0.0, 1.5 * sd, L)
        else:
            if rng.random() < 0.5:  # flattened
                x[seg] = test[seg].mean()
            else:  # stretched x1.5
                m = int(math.ceil(L / 1.5))
                src = test[s:s + m]
                x[seg] = np.interp(np.linspace(0.0, m - 1.0, L), np.arange(m), src)
        taken[seg] = True
        y[seg] = 1
        placed[t] += 1
    return x, y, placed


# ---------------------------------------------------------------- metrics


def auroc(s, y):
    """ROC AUC = Mann-Whitney U / (n1 n0), ties by average ranks."""
    s = np.asarray(s, dtype=np.float64)
    y = np.asarray(y).astype(bool)
    n1, n0 = int(y.sum()), int((~y).sum())
    if n1 == 0 or n0 == 0:
        return math.nan
    o = np.argsort(s, kind="mergesort")
    ss = s[o]
    ranks = np.empty(len(s), dtype=np.float64)
    # average rank (1-based) of each run of equal scores
    start = np.r_[0, np.flatnonzero(np.diff(ss)) + 1]
    end = np.r_[start[1:], len(ss)]
    avg = (start + end + 1) / 2.0
    ranks[o] = np.repeat(avg, end - start)
    return (ranks[y].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0)


def average_precision(s, y):
    """sklearn's average_precision_score: sum_n (R_n - R_{n-1}) P_n over
    the distinct score thresholds, highest first."""
    s = np.asarray(s, dtype=np.float64)
    y = np.asarray(y).astype(np.float64)
    P = y.sum()
    if P == 0:
        return math.nan
    o = np.argsort(-s, kind="mergesort")
    ss, yy = s[o], y[o]
    last = np.r_[np.flatnonzero(np.diff(ss)), len(ss) - 1]  # end of each tie run
    tp = np.cumsum(yy)[last]
    fp = (last + 1) - tp
    precision = tp / (tp + fp)
    recall = tp / P
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


# ---------------------------------------------------------------- helpers


def windows(z, W):
    n = len(z) - W + 1
    idx = np.arange(W)[None, :] + np.arange(n)[:, None]
    return z[idx]


def steps_from_windows(ws, W, T):
    """Per-step mean of the scores of the windows (stride 1) covering it."""
    n = len(ws)
    acc = np.zeros(T + 1)
    cnt = np.zeros(T + 1)
    np.add.at(acc, np.arange(n), ws)
    np.add.at(acc, np.arange(n) + W, -ws)
    np.add.at(cnt, np.arange(n), 1.0)
    np.add.at(cnt, np.arange(n) + W, -1.0)
    return np.cumsum(acc)[:T] / np.cumsum(cnt)[:T]


def write_csv(path, x):
    with open(path, "w") as f:
        f.write("value\n")
        for v in x:
            f.write(f"{v:.9g}\n")


def read_steps(path):
    a = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
    return a[:, 0].astype(int), a[:, 1]


class Runner:
    def __init__(self, aekit, verbose):
        self.aekit, self.verbose, self.commands = aekit, verbose, []

    def __call__(self, *args):
        cmd = [self.aekit] + [str(a) for a in args]
        self.commands.append(cmd)
        if self.verbose:
            print("  $ " + " ".join(cmd), flush=True)
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            sys.exit(f"auroc.py: failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}")
        return r.stdout


def aekit_zscore(train, test):
    """Both parts z-scored with the train part's statistics as aekit's
    ae_dataset_fit_channels / ae_dataset_scale_channels compute them: the
    mean summed in double and stored as float32, the population sd about
    that float32 mean (double, stored as float32; 1 if not > 0), then
    (x - mean) / sd in float32."""
    t32, s32 = train.astype(np.float32), test.astype(np.float32)
    mu = np.float32(t32.astype(np.float64).mean())
    sd = math.sqrt(float(np.mean((t32.astype(np.float64) - np.float64(mu)) ** 2)))
    sd = np.float32(sd) if sd > 0.0 and math.isfinite(sd) else np.float32(1.0)
    return (t32 - mu) / sd, (s32 - mu) / sd


def torch_lstm_windows(tm, Xtr, Xte, W, args):
    """Trains reference_seq.py's RecurrentAE(nn.LSTM) (keras init) on the
    train windows (n, W) and returns each test window's MSE per element."""
    torch, ref = tm
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    xtr = torch.from_numpy(np.ascontiguousarray(Xtr, dtype=np.float32)).unsqueeze(-1)
    xte = torch.from_numpy(np.ascontiguousarray(Xte, dtype=np.float32)).unsqueeze(-1)
    model = ref.build_model("lstm", W, 1, "keras")
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(args.seed)
    n = xtr.shape[0]
    model.train()
    for _ in range(args.epochs):
        perm = torch.randperm(n, generator=gen)
        for j in range(0, n, args.batch):
            xb = xtr[perm[j:j + args.batch]]
            loss = torch.nn.functional.mse_loss(model(xb), xb, reduction="mean")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    model.eval()
    out = []
    with torch.no_grad():
        for j in range(0, xte.shape[0], 1000):
            xb = xte[j:j + 1000]
            out.append(((model(xb) - xb) ** 2).mean(dim=(1, 2)).double())
    return torch.cat(out).numpy()


def run_series(i, name, loader, period, W, args, run, work, tm=None):
    x, note = loader()
    T = len(x)
    split = int(math.floor(0.6 * T))
    train, test = x[:split], x[split:]
    # aekit reads float32: compute the statistics on what it reads
    train = train.astype(np.float32).astype(np.float64)
    sd = float(train.std())
    rng = np.random.default_rng(np.random.SeedSequence([args.seed, i]))
    xt, y, placed = inject(test, sd, period, W, rng, args.max_frac)
    xt = xt.astype(np.float32).astype(np.float64)
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    trc, tec = os.path.join(d, "train.csv"), os.path.join(d, "test.csv")
    write_csv(trc, train)
    write_csv(tec, xt)
    Tt = len(xt)
    row = {"series": name, "steps": Tt, "window": W, "placed": placed,
           "frac": float(y.mean()), "note": note, "train": split}
    t0 = time.time()
    for model in ("lstm", "conv1d"):
        m = os.path.join(d, f"{model}.safetensors")
        st, wn = os.path.join(d, f"{model}_steps.csv"), os.path.join(d, f"{model}_windows.npy")
        run("train", "--data", trc, "--window", W, "--stride", 1, "-m", model,
            "-e", args.epochs, "-b", args.batch, "--seed", args.seed, "-t", args.threads,
            "-q", "-o", m)
        run("score", m, "--data", tec, "--steps", st, "-o", wn, "-t", args.threads)
        step, s = read_steps(st)
        if len(s) != Tt or not np.array_equal(step, np.arange(Tt)):
            sys.exit(f"auroc.py: {name} {model}: {len(s)} step scores for {Tt} test steps")
        mine = steps_from_windows(np.load(wn).astype(np.float64).ravel(), W, Tt)
        if not np.allclose(mine, s, rtol=1e-5, atol=1e-7):
            sys.exit(f"auroc.py: {name} {model}: steps.csv is not the mean over covering windows")
        row[model] = (auroc(s, y), average_precision(s, y))
    # PCA on the same windows
    mu = float(train.astype(np.float32).mean(dtype=np.float64))
    zt = ((train - mu) / sd).astype(np.float32)
    zs = ((xt - mu) / sd).astype(np.float32)
    Xtr, Xte = windows(zt, W), windows(zs, W)
    Xd = Xtr.astype(np.float64)
    mean = Xd.mean(axis=0)
    C = np.cov(Xd - mean, rowvar=False, bias=True)
    ev, V = np.linalg.eigh(C)
    ev, V = ev[::-1], V[:, ::-1]
    k = int(np.searchsorted(np.cumsum(ev) / ev.sum(), 0.9) + 1)
    k = min(k, W)
    ptr, pte = os.path.join(d, "train_windows.npy"), os.path.join(d, "test_windows.npy")
    np.save(ptr, np.ascontiguousarray(Xtr))
    np.save(pte, np.ascontiguousarray(Xte))
    pm, pw = os.path.join(d, "pca.safetensors"), os.path.join(d, "pca_windows.npy")
    run("pca", "-c", k, "--data", ptr, "--scale", "none", "-o", pm, "-t", args.threads)
    run("score", pm, "--data", pte, "-o", pw, "-t", args.threads)
    wsc = np.load(pw).astype(np.float64).ravel()
    Vk = V[:, :k]
    R = (Xte - mean) @ Vk @ Vk.T + mean
    ref = ((Xte - R) ** 2).mean(axis=1)
    row["pca_check"] = float(np.max(np.abs(wsc - ref)) / max(1e-12, float(np.max(np.abs(ref)))))
    if row["pca_check"] > 1e-3:
        print(f"auroc.py: warning: {name}: aekit pca window MSE differs from numpy's by "
              f"{row['pca_check']:.2g} (relative to the largest)", file=sys.stderr)
    s = steps_from_windows(wsc, W, Tt)
    row["pca"] = (auroc(s, y), average_precision(s, y))
    row["k"] = k
    row["seconds"] = time.time() - t0
    if tm is not None:  # PyTorch's lstm on the same windows
        t1 = time.time()
        zt32, zs32 = aekit_zscore(train, xt)
        wsc = torch_lstm_windows(tm, windows(zt32, W), windows(zs32, W), W, args)
        s = steps_from_windows(wsc, W, Tt)
        row["torch_lstm"] = (auroc(s, y), average_precision(s, y))
        row["torch_seconds"] = time.time() - t1
    return row


# ---------------------------------------------------------------- output


# (row key, column label) of the methods, in table order
METHODS = [("lstm", "lstm"), ("torch_lstm", "torch lstm"), ("conv1d", "conv1d"), ("pca", "PCA")]


def methods(with_torch):
    return [m for m in METHODS if with_torch or m[0] != "torch_lstm"]


def head(with_torch):
    h = ["series", "steps", "window", "anomalies (sp/sh/no/cy)", "anom %"]
    for _, label in methods(with_torch):
        h += [f"{label} AUROC", f"{label} AUPR"]
    return h + ["PCA k"]


def cells(r, with_torch):
    p = r["placed"]
    tot = sum(p.values())
    c = [r["series"], str(r["steps"]), str(r["window"]),
         f"{tot} ({'/'.join(str(p[t]) for t in TYPES)})", f"{100 * r['frac']:.1f}"]
    for key, _ in methods(with_torch):
        c += [f"{r[key][0]:.3f}", f"{r[key][1]:.3f}"]
    return c + [str(r["k"])]


def mean_cells(rows, with_torch):
    c = ["mean", "", "", "", f"{100 * np.mean([r['frac'] for r in rows]):.1f}"]
    for key, _ in methods(with_torch):
        c += [f"{np.mean([r[key][j] for r in rows]):.3f}" for j in (0, 1)]
    return c + [""]


def import_torch():
    """(torch, reference_seq) or None with a note why not."""
    try:
        import torch
    except ImportError as e:
        print(f"auroc.py: note: PyTorch not importable ({e}); the torch lstm columns are skipped",
              flush=True)
        return None
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import reference_seq
    return torch, reference_seq


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--aekit", default=os.environ.get("AEKIT", os.path.join(ROOT, "build", "aekit")))
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--series", default=",".join(s[0] for s in SERIES),
                    help="comma-separated subset of: " + ",".join(s[0] for s in SERIES))
    ap.add_argument("--max-frac", type=float, default=0.25,
                    help="most anomalous steps as a fraction of the test part (0.25)")
    ap.add_argument("--md", help="also write the table as markdown here")
    ap.add_argument("--workdir", help="keep the CSVs, NPYs and models here (default: a temporary folder, removed)")
    ap.add_argument("--no-torch", action="store_true",
                    help="skip PyTorch's lstm (its columns are left out)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every aekit command")
    args = ap.parse_args()
    want = [s.strip() for s in args.series.split(",") if s.strip()]
    known = {s[0]: i for i, s in enumerate(SERIES)}
    for w in want:
        if w not in known:
            sys.exit(f"auroc.py: unknown series '{w}' (known: {', '.join(known)})")
    if not os.access(args.aekit, os.X_OK):
        sys.exit(f"auroc.py: {args.aekit}: not an executable (build aekit first)")
    work = args.workdir or tempfile.mkdtemp(prefix="aekit-series-")
    os.makedirs(work, exist_ok=True)
    run = Runner(args.aekit, args.verbose)
    tm = None if args.no_torch else import_torch()
    with_torch = tm is not None
    print(f"series AUROC/AUPR: epochs {args.epochs}, batch {args.batch}, threads {args.threads}, "
          f"seed {args.seed}, train 60% / test 40%, anomalies <= {args.max_frac:g} of the test steps"
          + (f"; torch {tm[0].__version__} lstm, init keras" if with_torch else "; no torch"),
          flush=True)
    rows = []
    try:
        for w in want:
            i = known[w]
            name, loader, period, W = SERIES[i]
            r = run_series(i, name, loader, period, W, args, run, work, tm)
            rows.append(r)
            extra = f"; {r['note']}" if r["note"] else ""
            ts = f", torch {r['torch_seconds']:.1f} s" if with_torch else ""
            print(f"  {name}: {r['train']} train + {r['steps']} test steps, W {W}, "
                  f"aekit+PCA {r['seconds']:.1f} s{ts}, pca check {r['pca_check']:.1g}{extra}", flush=True)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    HEAD = head(with_torch)
    table = [cells(r, with_torch) for r in rows] + [mean_cells(rows, with_torch)]
    width = [max(len(HEAD[j]), *(len(t[j]) for t in table)) for j in range(len(HEAD))]
    fmt = lambda c: "  ".join(v.ljust(width[j]) if j == 0 else v.rjust(width[j]) for j, v in enumerate(c))
    print(fmt(HEAD))
    for t in table:
        print(fmt(t))
    if args.md:
        with open(args.md, "w") as f:
            f.write(f"Point-wise AUROC / AUPR on injected anomalies (bench/series/auroc.py; "
                    f"epochs {args.epochs}, batch {args.batch}, seed {args.seed}, "
                    f"train 60% clean, test 40% injected"
                    + (f"; torch lstm: PyTorch {tm[0].__version__}, init keras" if with_torch else "")
                    + ")\n\n")
            f.write("| " + " | ".join(HEAD) + " |\n")
            f.write("|" + "|".join("---" for _ in HEAD) + "|\n")
            for t in table:
                f.write("| " + " | ".join(t) + " |\n")
        print(f"wrote {args.md}")


if __name__ == "__main__":
    main()
