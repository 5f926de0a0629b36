#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_sklearn.sh AEKIT FASHION_DIR — the README's "From scikit-learn"
# walk-through (scripts/sklearn_breast_cancer.sh): the breast cancer table,
# benign rows learned, malignant test rows the anomalies. aekit's ROC AUC
# over the five seeds stays above a floor (measured 0.9295..0.9328; floor
# 0.90), and so does IsolationForest's (0.9391). The aekit command lines of
# the README's block (after <!-- sklearn example -->) are the script's,
# option for option. Without scikit-learn for /usr/bin/python3 it is skipped
# (ctest says SKIP), unless AE_REQUIRE_SKLEARN=1 (CI), where that fails.
set -u
aekit=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

if ! /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
  if [ "${AE_REQUIRE_SKLEARN:-0}" = 1 ]; then
    echo "FAIL: no scikit-learn (python3-sklearn) for /usr/bin/python3 (AE_REQUIRE_SKLEARN=1)"
    exit 1
  fi
  echo "SKIP: no scikit-learn (python3-sklearn) for /usr/bin/python3"
  exit 77
fi

script=$here/../scripts/sklearn_breast_cancer.sh
bash "$script" "$aekit" "$tmp/out" >"$tmp/res" 2>"$tmp/err" ||
  { echo "FAIL: sklearn_breast_cancer.sh:"; cat "$tmp/err"; exit 1; }
cat "$tmp/res"
awk '/^aekit_auroc/ { split($5, r, /\.\./); if ($2 < 0.90 || r[1] < 0.90) exit 1; ok = 1 }
     END { exit !ok }' "$tmp/res" || { echo "FAIL: aekit's ROC AUC under 0.90"; fail=1; }
awk '/^isolation_forest_auroc/ { if ($2 < 0.90) exit 1; ok = 1 } END { exit !ok }' "$tmp/res" ||
  { echo "FAIL: IsolationForest's ROC AUC under 0.90 (or missing)"; fail=1; }
[ "$(awk -F, 'NR > 1' "$tmp/out/test.csv" | wc -l)" -eq 171 ] &&
  [ "$(wc -l <"$tmp/out/scores.csv")" -eq 171 ] ||
  { echo "FAIL: 171 test rows and 171 scores expected"; fail=1; }

# the README's aekit lines, continuations joined, are in the script once its
# variables take their defaults (epochs 100, the first seed) and -q goes
join() { sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | tr -s ' \t' ' ' | sed 's/^ //'; }
awk '/<!-- sklearn example -->/ { on = 1; next } on && /^```/ { if (in_) exit; in_ = 1; next }
     in_' "$here/../README.md" | join | grep '^aekit ' >"$tmp/readme"
join <"$script" | sed -e 's/"\$aekit"/aekit/; s/"\$epochs"/100/; s/"\$seed"/1/; s/ -q//' >"$tmp/script"
[ -s "$tmp/readme" ] && [ "$(wc -l <"$tmp/readme")" -ge 2 ] ||
  { echo "FAIL: README.md has no aekit train and score lines after <!-- sklearn example -->"; fail=1; }
while IFS= read -r line; do
  grep -qF -- "$line" "$tmp/script" || { echo "FAIL: README line not in the script: $line"; fail=1; }
done <"$tmp/readme"
exit $fail
