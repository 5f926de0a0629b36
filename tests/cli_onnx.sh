#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_onnx.sh AEKIT FASHION_DIR — aekit export: every preset and a set of
# specs covering every layer kind and option, each trained one epoch and
# exported whole, as its encoder and as its decoder; python3-onnx's checker
# (full check, shape inference) accepts each file, and ONNX Runtime
# (onnxruntime-node) gives aekit's reconstructions, codes and decodings
# within 1e-5 on real Fashion-MNIST images and on sequences. The max
# differences are printed. ONNX Runtime is installed with npm into
# $AE_ORT_DIR (the build folder's ort/) on the first run. Without node the
# ONNX Runtime half is skipped (ctest says SKIP), unless AE_REQUIRE_ORT=1
# (CI), where that fails. AE_NODE names another node.
set -u
aekit=$1
fashion=${2:-/usr/share/datasets/fashion-mnist}
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. "$here/support/cli_lib.sh"

# ---- errors: no runtime needed ----
small_model
expect_error 'no output file' "$aekit" export "$tmp/m.safetensors"
expect_error "--part 'middle' must be full, encoder or decoder" "$aekit" export \
  "$tmp/m.safetensors" -o "$tmp/x.onnx" --part middle
expect_error 'nope.safetensors' "$aekit" export "$tmp/nope.safetensors" -o "$tmp/x.onnx"
mkdir "$tmp/dir.onnx"
expect_error 'dir.onnx' "$aekit" export "$tmp/m.safetensors" -o "$tmp/dir.onnx"
echo keep >"$tmp/kept.onnx"
expect_error "--part 'x'" "$aekit" export "$tmp/m.safetensors" -o "$tmp/kept.onnx" --part x
[ "$(cat "$tmp/kept.onnx")" = keep ] || { echo "FAIL: a refused export touched its output"; fail=1; }

$py -c 'import onnx, numpy' 2>/dev/null ||
  { echo "FAIL: /usr/bin/python3 has no onnx (make deps installs python3-onnx)"; exit 1; }

# ---- data: 300 Fashion-MNIST test images (0..255) and 300 sequences (24 steps of 3) ----
$py - "$fashion" "$tmp" <<'EOF' || { echo "FAIL: making the data"; exit 1; }
import gzip, sys
import numpy as np
fashion, tmp = sys.argv[1:]
with gzip.open(f"{fashion}/t10k-images-idx3-ubyte.gz") as f:
    x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:300]
np.save(f"{tmp}/img.npy", x.astype(np.float32))
rng = np.random.default_rng(1)
t = np.arange(24)[:, None]
p = rng.uniform(0, 6, (300, 1, 1))
s = np.concatenate([np.sin(0.3 * t + p), np.cos(0.2 * t + 2 * p), 0.5 * np.sin(0.7 * t + p)], 2)
np.save(f"{tmp}/seq.npy", (s + 0.05 * rng.standard_normal(s.shape)).astype(np.float32))
EOF

# name|data|spec: the presets, then every kind and option the presets leave out
cases="dense|img|dense
deep|img|deep
conv|img|conv
conv-pool|img|conv-pool
vae|img|vae
conv-vae|img|conv-vae
lstm|seq|lstm
gru|seq|gru
conv1d|seq|conv1d
images|img|conv:8:5:pad=same:dil=2:tanh,bn,maxpool:3:stride=2:pad=1,dropout:0.3,flatten,dense:20:relu,bn|dense:196:relu,reshape:4:7:7,upsample:2,convt:6:3:stride=2:pad=1:outpad=1:leaky_relu:0.3,bn,conv:1:3:pad=1:sigmoid;loss=bce
tables|img|dense:64:tanh,dropout:0.2,dense:10:leaky_relu:0.05|dense:64:identity,dense:784:sigmoid;loss=mse
recurrent|seq|lstm:8:bi=1,gru:5:bi=1:out=last|repeat:24,lstm:6:bi=1,gru:4,tdense:3:tanh;loss=mse
series|seq|conv1d:8:5:stride=3:pad=2:leaky_relu:0.1,maxpool1d:3:stride=2:pad=1,conv1d:4:3:dil=2:pad=same|upsample1d:2,convt1d:6:4:stride=2:pad=1:outpad=1:relu,convt1d:3:3:pad=same,flatten,dense:72;loss=mse
strides|seq|conv1d:4:3:stride=4:pad=same,gru:4|convt1d:3:1:stride=2:pad=same,convt1d:3:5:stride=2:pad=same:tanh,tdense:3;loss=mse"

# with the checker's and the runtime's outputs
run_check() {
  $py "$here/onnx_check.py" check "$1" >"$tmp/check" 2>&1 ||
    { echo "FAIL: onnx.checker refuses $1:"; tail -3 "$tmp/check"; fail=1; return 1; }
}

node=${AE_NODE:-node} # the test of this test points it elsewhere
have_ort=1
if ! command -v "$node" >/dev/null; then
  have_ort=0
elif [ ! -d "${AE_ORT_DIR:=$tmp/ort}/node_modules/onnxruntime-node" ]; then
  mkdir -p "$AE_ORT_DIR"
  (cd "$AE_ORT_DIR" && ONNXRUNTIME_NODE_INSTALL=skip npm install --ignore-scripts --no-audit \
    --no-fund --loglevel=error onnxruntime-node@1.30.0 >"$tmp/npm" 2>&1) ||
    { echo "FAIL: npm install onnxruntime-node into $AE_ORT_DIR:"; tail -5 "$tmp/npm"; exit 1; }
fi
export NODE_PATH=${AE_ORT_DIR:-}/node_modules

# ort MODEL.onnx IN.npy OUT.npy REF.npy WHAT
ort() {
  [ $have_ort = 1 ] || return 0
  "$node" "$here/onnx_run.js" "$1" "$2" "$3" >"$tmp/ort" 2>&1 ||
    { echo "FAIL: ONNX Runtime on $1:"; tail -3 "$tmp/ort"; fail=1; return 1; }
  printf '%-10s %-8s ' "$name" "$5"
  $py "$here/onnx_check.py" compare "$4" "$3" 1e-5 || fail=1
}

while IFS='|' read -r name data spec; do
  m="$tmp/$name.safetensors" x="$tmp/$data.npy"
  "$aekit" train --data "$x" --model "$spec" -e 1 -q -t 2 -o "$m" >"$tmp/out" 2>&1 ||
    { echo "FAIL: $name: train: $(cat "$tmp/out")"; fail=1; continue; }
  for part in full encoder decoder; do
    "$aekit" export "$m" -o "$tmp/$name.$part.onnx" --part $part >"$tmp/out" 2>&1 ||
      { echo "FAIL: $name: export --part $part: $(cat "$tmp/out")"; fail=1; continue 2; }
    run_check "$tmp/$name.$part.onnx" || continue 2
  done
  grep -q "aekit.spec = " "$tmp/check" || { echo "FAIL: $name: no aekit.spec metadata"; fail=1; }
  $py "$here/onnx_check.py" scale "$tmp/$name.full.onnx" "$x" "$tmp/in.npy" &&
    "$aekit" reconstruct "$m" --data "$x" -o "$tmp/rec.npy" >/dev/null 2>&1 &&
    "$aekit" encode "$m" --data "$x" -o "$tmp/code.npy" >/dev/null 2>&1 &&
    "$aekit" decode "$m" --codes "$tmp/code.npy" -o "$tmp/dec.npy" >/dev/null 2>&1 ||
    { echo "FAIL: $name: aekit's own outputs"; fail=1; continue; }
  ort "$tmp/$name.full.onnx" "$tmp/in.npy" "$tmp/o.npy" "$tmp/rec.npy" full
  ort "$tmp/$name.encoder.onnx" "$tmp/in.npy" "$tmp/o.npy" "$tmp/code.npy" encoder
  ort "$tmp/$name.decoder.onnx" "$tmp/code.npy" "$tmp/o.npy" "$tmp/dec.npy" decoder
done <<<"$cases"

if [ $have_ort = 0 ]; then
  if [ "${AE_REQUIRE_ORT:-0}" = 1 ]; then
    echo "FAIL: no node: ONNX Runtime cannot run (AE_REQUIRE_ORT=1)"
    exit 1
  fi
  [ $fail = 0 ] && { echo "SKIP: no node: the checker ran, ONNX Runtime did not"; exit 77; }
fi
exit $fail
