#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/series/auroc.sh — point-wise AUROC/AUPR of aekit lstm, conv1d and PCA
# on real series with seeded injected anomalies (protocol: the docstring of
# bench/series/auroc.py). Environment: BUILD (build), SERIES_EPOCHS (30),
# SERIES_BATCH (64), SERIES_THREADS (2), SERIES_SEED (0), SERIES_LIST (all),
# SERIES_MD (markdown table, default $BUILD/series_auroc.md). Extra arguments
# go to auroc.py (e.g. --series nile --epochs 2 -v).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${BUILD:-build}
threads=${SERIES_THREADS:-2}
args=(--aekit "$build/aekit" --epochs "${SERIES_EPOCHS:-30}" --batch "${SERIES_BATCH:-64}"
      --threads "$threads" --seed "${SERIES_SEED:-0}" --md "${SERIES_MD:-$build/series_auroc.md}")
[ -n "${SERIES_LIST:-}" ] && args+=(--series "$SERIES_LIST")
OPENBLAS_NUM_THREADS=$threads exec /usr/bin/python3 bench/series/auroc.py "${args[@]}" "$@"
