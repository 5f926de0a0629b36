#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_colour.sh AEKIT FASHION_DIR — colour images end to end: (N, 3, H, W)
# NPY data trains a convolutional model; its pictures (reconstruct, denoise
# --grid, search --png) are RGB PNGs; an RGB PNG given to the model is read
# as (3, H, W); images of a channel count a picture cannot show are refused
# with one error line.
set -u
aekit=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
py=/usr/bin/python3

. "$(dirname "$0")/support/cli_lib.sh"

# 64 smooth colour images of 8 x 8 (three different ramps a channel), one of
# them also as an RGB PNG written by hand (zlib, no imaging library)
$py - "$tmp" <<'EOF' || { echo "FAIL: making the colour data"; exit 1; }
import struct, sys, zlib
import numpy as np
tmp = sys.argv[1]
rng = np.random.default_rng(0)
yy, xx = np.mgrid[0:8, 0:8] / 7.0
x = []
for i in range(64):
    a, b, c = rng.random(3)
    x.append(np.stack([a * yy + (1 - a) * xx, b * (1 - yy), c * np.ones_like(xx) * 0.5 + 0.25]))
x = np.array(x, np.float32)
np.save(f"{tmp}/x.npy", x)
np.save(f"{tmp}/two.npy", x[:, :2])
rgb = (x[0].transpose(1, 2, 0) * 255 + 0.5).astype(np.uint8)
raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(8))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
with open(f"{tmp}/one.png", "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
EOF

# colour_type FILE: the PNG header's colour type (0 gray, 2 RGB)
colour_type() { od -An -tu1 -j25 -N1 "$1" | tr -d ' '; }

spec="conv:4:3:pad=1:relu,flatten,dense:8|dense:256:relu,reshape:4:8:8,convt:3:3:pad=1:sigmoid"
"$aekit" train --data "$tmp/x.npy" -m "$spec" -e 30 -b 16 -q -o "$tmp/m.safetensors" >"$tmp/out" 2>&1 ||
  { echo "FAIL: train on (64, 3, 8, 8): $(cat "$tmp/out")"; exit 1; }
grep -q '^input  *(3, 8, 8)$' <("$aekit" info "$tmp/m.safetensors") ||
  { echo "FAIL: the model does not take (3, 8, 8)"; fail=1; }
# it learned: MSE per value below 0.04 (one epoch leaves about 0.07)
mse=$("$aekit" eval "$tmp/m.safetensors" --data "$tmp/x.npy" | awk '$1 == "mse" {print $2}')
awk -v m="$mse" 'BEGIN { exit !(m < 0.04) }' || { echo "FAIL: colour MSE $mse (want < 0.04)"; fail=1; }
echo "colour conv, 30 epochs on 64 images: MSE $mse"

"$aekit" reconstruct "$tmp/m.safetensors" --data "$tmp/x.npy" -o "$tmp/grid.png" >/dev/null &&
  [ "$(colour_type "$tmp/grid.png")" = 2 ] || { echo "FAIL: reconstruct grid is not an RGB PNG"; fail=1; }
"$aekit" denoise "$tmp/m.safetensors" "$tmp/one.png" -o "$tmp/den.npy" --grid "$tmp/dg.png" >/dev/null &&
  [ "$(colour_type "$tmp/dg.png")" = 2 ] || { echo "FAIL: denoise of an RGB PNG, or its grid"; fail=1; }
# the PNG came in as (3, 8, 8): 192 values a row
[ "$($py -c "import numpy as np; print(np.load('$tmp/den.npy').shape)")" = "(1, 192)" ] ||
  { echo "FAIL: denoise one.png: $($py -c "import numpy as np; print(np.load('$tmp/den.npy').shape)")"; fail=1; }
"$aekit" search "$tmp/m.safetensors" --data "$tmp/x.npy" --queries "$tmp/x.npy" --k 3 \
  --png "$tmp/s.png" >/dev/null && [ "$(colour_type "$tmp/s.png")" = 2 ] ||
  { echo "FAIL: search --png of colour images"; fail=1; }

# two channels: numbers yes, pictures no
"$aekit" train --data "$tmp/two.npy" -m "conv:4:3:pad=1:relu,flatten,dense:8|dense:256:relu,reshape:4:8:8,convt:2:3:pad=1:sigmoid" \
  -e 1 -q -o "$tmp/two.safetensors" >/dev/null 2>&1 || { echo "FAIL: train on (64, 2, 8, 8)"; fail=1; }
expect_error "2 channels" "$aekit" reconstruct "$tmp/two.safetensors" --data "$tmp/two.npy" -o "$tmp/two.png"
[ ! -e "$tmp/two.png" ] || { echo "FAIL: a refused picture was written"; fail=1; }
"$aekit" reconstruct "$tmp/two.safetensors" --data "$tmp/two.npy" -o "$tmp/two.npy.out.csv" >/dev/null ||
  { echo "FAIL: reconstruct -o CSV of 2-channel images"; fail=1; }
exit $fail
