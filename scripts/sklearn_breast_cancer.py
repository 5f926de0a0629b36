#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# sklearn_breast_cancer.py OUTDIR — scikit-learn's breast cancer table
# (569 rows, 30 features; target 0 malignant, 1 benign) split 70/30,
# stratified, random_state=0, as OUTDIR/train.csv and OUTDIR/test.csv: a
# header of the feature names (spaces as underscores) and a last column
# "target". The baseline: IsolationForest(random_state=0) fitted on the
# benign training rows (the normal class, as aekit trains) and scored on the
# test rows, malignant the positive (anomaly) class, score -score_samples.
# Prints "isolation_forest_auroc X" (that one-class fit) and
# "isolation_forest_all_auroc X" (fitted on all training rows, PyOD-style).
import os
import sys

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

out = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out, exist_ok=True)
data = load_breast_cancer()
x, y = data.data, data.target
x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
header = ",".join([n.replace(" ", "_") for n in data.feature_names] + ["target"])
for name, xs, ys in (("train", x_tr, y_tr), ("test", x_te, y_te)):
    table = np.column_stack([xs, ys])
    fmt = ["%.10g"] * xs.shape[1] + ["%d"]
    np.savetxt(os.path.join(out, name + ".csv"), table, fmt=fmt, delimiter=",",
               header=header, comments="")

anomaly = (y_te == 0).astype(int)          # malignant = positive
forest = IsolationForest(random_state=0).fit(x_tr[y_tr == 1])
print("isolation_forest_auroc %.4f" % roc_auc_score(anomaly, -forest.score_samples(x_te)))
forest_all = IsolationForest(random_state=0).fit(x_tr)
print("isolation_forest_all_auroc %.4f" % roc_auc_score(anomaly, -forest_all.score_samples(x_te)))
print("train %d rows (%d benign), test %d rows (%d malignant)"
      % (len(y_tr), int((y_tr == 1).sum()), len(y_te), int(anomaly.sum())))
