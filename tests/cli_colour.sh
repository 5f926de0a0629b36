#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_colour.sh AEKIT FASHION_DIR — colour images end to end: (N, 3, H, W)
# NPY data trains a convolutional model; its pictures (reconstruct, denoise
# --grid, search --png) are RGB PNGs; an RGB PNG or JPEG given to the model
# is read as (3, H, W), a truncated JPEG refused; images of a channel count a picture cannot show are refused
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
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
def png(path, rgb):
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
png(f"{tmp}/one.png", (x[0].transpose(1, 2, 0) * 255 + 0.5).astype(np.uint8))
png(f"{tmp}/red28.png", np.tile(np.array([200, 30, 30], np.uint8), (28, 28, 1)))
import os
for k, name in enumerate(["red", "blue"]):  # a folder of classes, images of two sizes
    os.makedirs(f"{tmp}/folder/{name}")
    for i in range(4):
        im = np.zeros((10 + i, 12, 3), np.uint8)
        im[..., 0 if k == 0 else 2] = 60 * i + 40
        png(f"{tmp}/folder/{name}/{i}.png", im)
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
# a JPEG (tests/fixtures/rgb8.jpg: 8 x 8 RGB ramps, written by Pillow with
# Image.new("RGB", (8, 8)), putdata([(32*(i%8), 32*(i//8), 160)]), quality
# 95) comes in as (3, 8, 8) too, and through standard input
jpg="$(dirname "$0")/fixtures/rgb8.jpg"
"$aekit" denoise "$tmp/m.safetensors" "$jpg" -o "$tmp/denj.npy" >/dev/null &&
  [ "$($py -c "import numpy as np; print(np.load('$tmp/denj.npy').shape)")" = "(1, 192)" ] ||
  { echo "FAIL: denoise of an RGB JPEG"; fail=1; }
"$aekit" encode "$tmp/m.safetensors" --data - -o "$tmp/codej.csv" <"$jpg" >/dev/null 2>&1 &&
  [ "$(awk -F, 'END {print NR, NF}' "$tmp/codej.csv")" = "1 8" ] ||
  { echo "FAIL: encode --data - < a JPEG"; fail=1; }
head -c 300 "$jpg" >"$tmp/half.jpg"
expect_error "half.jpg" "$aekit" denoise "$tmp/m.safetensors" "$tmp/half.jpg" -o "$tmp/x.npy"
"$aekit" search "$tmp/m.safetensors" --data "$tmp/x.npy" --queries "$tmp/x.npy" --k 3 \
  --png "$tmp/s.png" >/dev/null && [ "$(colour_type "$tmp/s.png")" = 2 ] ||
  { echo "FAIL: search --png of colour images"; fail=1; }

# colourisation: --noise grey feeds the luminance and keeps the colour
# target; denoise --noise grey reports both PSNRs (the grey input's is the
# first baseline), and the model must beat it
"$aekit" train --data "$tmp/x.npy" -m "conv:8:3:pad=1:relu,conv:8:3:pad=1:relu|conv:3:3:pad=1:sigmoid" \
  --noise grey -e 30 -b 16 -q -o "$tmp/cz.safetensors" >/dev/null 2>&1 &&
  "$aekit" denoise "$tmp/cz.safetensors" --data "$tmp/x.npy" --noise grey -o "$tmp/cz.npy" \
    --grid "$tmp/cz.png" >"$tmp/out" 2>&1 ||
  { echo "FAIL: train and denoise with --noise grey: $(cat "$tmp/out")"; fail=1; }
awk '/^noisy vs clean/ {g = $NF == "dB" ? $(NF - 1) : 0} /^denoised vs clean/ {d = $(NF - 1)}
     END { printf "colourisation PSNR: grey input %s dB, model %s dB\n", g, d; exit !(d > g + 1) }' "$tmp/out" ||
  { echo "FAIL: colourisation not 1 dB above its grey input"; fail=1; }
grep -q '"noise":.*"grey"' <("$aekit" info "$tmp/cz.safetensors" --json) ||
  { echo "FAIL: the model does not record its grey noise"; fail=1; }
expect_error "1 channel, not 3" "$aekit" train -m dense --limit 50 -e 1 --noise grey -o "$tmp/x.safetensors"
# aekit colorize is that denoise, with its own words
"$aekit" colorize "$tmp/cz.safetensors" --data "$tmp/x.npy" -o "$tmp/cz2.npy" --grid "$tmp/cz2.png" >"$tmp/out2" 2>&1 &&
  grep -q '^colourised vs original: ' "$tmp/out2" && [ "$(colour_type "$tmp/cz2.png")" = 2 ] &&
  cmp -s "$tmp/cz.npy" "$tmp/cz2.npy" || { echo "FAIL: colorize: $(cat "$tmp/out2")"; fail=1; }
expect_error "unknown option '--noise'" "$aekit" colorize "$tmp/cz.safetensors" --noise gaussian:0,1 -o "$tmp/x.npy"

# a folder of class sub-folders: labels and names from them, --resize to one
# size (they differ), --patches cut from each
"$aekit" train --data "$tmp/folder" --resize 8x8 -m "$spec" -e 1 -q -o "$tmp/f.safetensors" >"$tmp/out" 2>&1 &&
  "$aekit" info "$tmp/f.safetensors" | grep -q '^classes: 0 blue, 1 red$' ||
  { echo "FAIL: train on a folder of classes: $(cat "$tmp/out")"; fail=1; }
"$aekit" train --data "$tmp/folder" --patches 4:4 -m dense:3 -e 1 -o "$tmp/p.safetensors" >"$tmp/out" 2>&1 &&
  grep -q ' 60 training samples' "$tmp/out" || { echo "FAIL: --patches 4:4 (want 2 x 3 x (2 + 2 + 3 + 3) = 60): $(head -1 "$tmp/out")"; fail=1; }
expect_error "blue/1.png: image of 3 channels, 12x11" "$aekit" train --data "$tmp/folder" -m dense:3 -e 1 -o "$tmp/x.safetensors"
expect_error "--resize" "$aekit" train --data "$tmp/folder" --resize 8 -m dense:3 -o "$tmp/x.safetensors"

# a gray model reads a colour picture as gray (libpng's luminance)
"$aekit" train -m dense --limit 100 -e 1 -q -o "$tmp/gray.safetensors" >/dev/null 2>&1 &&
  "$aekit" eval "$tmp/gray.safetensors" --data "$tmp/red28.png" >"$tmp/out" 2>&1 &&
  grep -q '^samples 1$' "$tmp/out" || { echo "FAIL: a gray model on an RGB PNG: $(cat "$tmp/out")"; fail=1; }

# two channels: numbers yes, pictures no
"$aekit" train --data "$tmp/two.npy" -m "conv:4:3:pad=1:relu,flatten,dense:8|dense:256:relu,reshape:4:8:8,convt:2:3:pad=1:sigmoid" \
  -e 1 -q -o "$tmp/two.safetensors" >/dev/null 2>&1 || { echo "FAIL: train on (64, 2, 8, 8)"; fail=1; }
expect_error "2 channels" "$aekit" reconstruct "$tmp/two.safetensors" --data "$tmp/two.npy" -o "$tmp/two.png"
[ ! -e "$tmp/two.png" ] || { echo "FAIL: a refused picture was written"; fail=1; }
"$aekit" reconstruct "$tmp/two.safetensors" --data "$tmp/two.npy" -o "$tmp/two.npy.out.csv" >/dev/null ||
  { echo "FAIL: reconstruct -o CSV of 2-channel images"; fail=1; }
exit $fail
