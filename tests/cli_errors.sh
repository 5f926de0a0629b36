#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_errors.sh AEKIT FASHION_DIR — bad input through the program: each case
# must exit non-zero with exactly one line "aekit: error: ..." naming the
# file or option, never crash, and never replace a model already saved.
set -u
aekit=$1
fashion=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

. "$(dirname "$0")/support/cli_lib.sh"

# a small valid model to use and to protect
small_model
cp "$tmp/m.safetensors" "$tmp/m.orig"

# data files
head -c 100 "$fashion/t10k-images-idx3-ubyte.gz" >"$tmp/trunc.gz"
zcat "$fashion/t10k-images-idx3-ubyte.gz" | head -c 5000 >"$tmp/trunc.idx"
head -c 3000 /dev/urandom >"$tmp/garbage.idx"
printf '\x00\x00\x08\x04\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff' >"$tmp/huge.idx"
printf '1,2,3\n4,5\n' >"$tmp/ragged.csv"
printf '1,2,3\n4,abc,6\n' >"$tmp/text.csv"
printf '1,2,3\n4,nan,6\n' >"$tmp/nan.csv"
mkdir "$tmp/dir"

expect_error "trunc.gz" "$aekit" train --data "$tmp/trunc.gz" -o "$tmp/x.safetensors"
expect_error "trunc.idx" "$aekit" train --data "$tmp/trunc.idx" -o "$tmp/x.safetensors"
expect_error "garbage.idx" "$aekit" train --data "$tmp/garbage.idx" -o "$tmp/x.safetensors"
expect_error "huge.idx" "$aekit" train --data "$tmp/huge.idx" -o "$tmp/x.safetensors"
expect_error "ragged.csv" "$aekit" train --data "$tmp/ragged.csv" -o "$tmp/x.safetensors"
expect_error "text.csv" "$aekit" train --data "$tmp/text.csv" -o "$tmp/x.safetensors"
expect_error "nan.csv" "$aekit" train --data "$tmp/nan.csv" -o "$tmp/x.safetensors"
expect_error "missing.idx" "$aekit" train --data "$tmp/missing.idx" -o "$tmp/x.safetensors"
expect_error "dir" "$aekit" train --data "$tmp/dir" -o "$tmp/x.safetensors"
expect_error "labels" "$aekit" train --data "$fashion/t10k-images-idx3-ubyte.gz" \
  --labels "$fashion/train-labels-idx1-ubyte.gz" -o "$tmp/x.safetensors"
expect_error "--init" "$aekit" train --data "$tmp/ok.csv" --init zeros -o "$tmp/x.safetensors"
expect_error "noise" "$aekit" train --data "$tmp/ok.csv" --noise gaussian:0.5 -o "$tmp/x.safetensors"
expect_error "(1, 2, 2)" "$aekit" train --model conv --data "$tmp/ok.csv" -o "$tmp/x.safetensors"
expect_error "--bogus" "$aekit" train --bogus -o "$tmp/x.safetensors"
expect_error "ambiguous (--labels, --label-column" "$aekit" train --data "$tmp/ok.csv" --la 0 -o "$tmp/x.safetensors"
# a unique prefix is the option it begins (--out for --output, --epo for --epochs)
if ! "$aekit" train --data "$tmp/ok.csv" --model dense:2 --epo 1 -q --out "$tmp/prefix.safetensors" ||
  ! "$aekit" info "$tmp/prefix.safetensors" | grep -q "epochs.*1"; then
  echo "FAIL: train with --epo 1 --out FILE"
  fail=1
fi
expect_error "--epochs" "$aekit" train --epochs ten -o "$tmp/x.safetensors"
expect_error "nope" "$aekit" nope
expect_error "swish" "$aekit" train --data "$tmp/ok.csv" --model dense:2:swish -o "$tmp/x.safetensors"
expect_error "dense:0" "$aekit" train --data "$tmp/ok.csv" --model dense:0:relu -o "$tmp/x.safetensors"
expect_error "epochs" "$aekit" train --data "$tmp/ok.csv" --epochs 0 -o "$tmp/x.safetensors"
expect_error "no/such/dir" "$aekit" train --data "$tmp/ok.csv" -q -o "$tmp/no/such/dir/m.safetensors"
expect_error "dir" "$aekit" train --data "$tmp/ok.csv" -q -o "$tmp/dir"
# a model file that is not one, and a model of another size
expect_error "ok.csv" "$aekit" info "$tmp/ok.csv"
expect_error "missing.safetensors" "$aekit" eval "$tmp/missing.safetensors"
expect_error "784" "$aekit" eval "$tmp/m.safetensors" --data "$fashion/t10k-images-idx3-ubyte.gz"
expect_error "no/such/dir" "$aekit" encode "$tmp/m.safetensors" --data "$tmp/ok.csv" -o "$tmp/no/such/dir/c.npy"
expect_error "no/such/dir" "$aekit" reconstruct "$tmp/m.safetensors" --data "$tmp/ok.csv" -o "$tmp/no/such/dir/g.png"
# a full disk (the file size limit stands in for it): one error line, and
# the model already saved under that name is left as it was; the program
# itself turns SIGXFSZ into a write error (no trap here)
( ulimit -f 8
  expect_error "m.safetensors" "$aekit" train --data "$tmp/ok.csv" --model dense:512:relu --epochs 1 -q \
    -o "$tmp/m.safetensors"
  exit $fail ) || fail=1
cmp -s "$tmp/m.safetensors" "$tmp/m.orig" || { echo "FAIL: saved model changed by a failed write"; fail=1; }
# training that fails must not touch the model already saved
expect_error "ragged.csv" "$aekit" train --data "$tmp/ragged.csv" -o "$tmp/m.safetensors"
cmp -s "$tmp/m.safetensors" "$tmp/m.orig" || { echo "FAIL: saved model changed"; fail=1; }
ls -A "$tmp" | grep -q 'aekit-' && { echo "FAIL: temporary file left behind"; fail=1; }

# the variational, sparse and contractive kinds and the latent-space commands
printf '0.1,0.5,0.9,0.3\n0.8,0.5,0.2,0.7\n0.2,0.4,0.6,0.8\n0.9,0.1,0.3,0.5\n' >"$tmp/four.csv"
"$aekit" train --data "$tmp/four.csv" --model "dense:6:relu,dense:4,sample|dense:4:sigmoid" \
  --epochs 2 --kl-warmup 1 -q -o "$tmp/v.safetensors" || { echo "FAIL: training a VAE"; fail=1; }
"$aekit" train --data "$tmp/four.csv" --model "dense:6:relu,dense:6,sample|dense:4:sigmoid" \
  --epochs 1 -q -o "$tmp/v3.safetensors" || { echo "FAIL: training a 3-d VAE"; fail=1; }
expect_error "--beta -0.5 must be >= 0" "$aekit" train --data "$tmp/four.csv" --model vae --beta -0.5 -o "$tmp/x.safetensors"
expect_error "rho '1.5' must be in (0, 1)" "$aekit" train --data "$tmp/four.csv" --model dense:3:sigmoid --sparsity 1.5,3 -o "$tmp/x.safetensors"
expect_error "rho '0' must be in (0, 1)" "$aekit" train --data "$tmp/four.csv" --model dense:3:sigmoid --sparsity 0,3 -o "$tmp/x.safetensors"
expect_error "--sparsity 'abc' is not RHO,BETA" "$aekit" train --data "$tmp/four.csv" --sparsity abc -o "$tmp/x.safetensors"
expect_error "needs a sigmoid code" "$aekit" train --data "$tmp/four.csv" --model dense:3:relu --sparsity 0.05,3 -o "$tmp/x.safetensors"
expect_error "empty layer" "$aekit" train --data "$tmp/four.csv" --model "," -o "$tmp/x.safetensors"
expect_error "contractive penalty needs a dense code layer" "$aekit" train --data "$tmp/four.csv" --model "dense:4,sample|dense:4:sigmoid" --contractive 0.1 -o "$tmp/x.safetensors"
expect_error "KL warm-up must be >= 0" "$aekit" train --data "$tmp/four.csv" --model vae --kl-warmup -1 -o "$tmp/x.safetensors"
expect_error "m.safetensors: generate needs a variational autoencoder" "$aekit" generate "$tmp/m.safetensors" -o "$tmp/g.npy"
expect_error "not variational" "$aekit" eval "$tmp/m.safetensors" --data "$tmp/ok.csv" --iw-samples 5
expect_error "--iw-samples must be >= 1" "$aekit" eval "$tmp/v.safetensors" --data "$tmp/four.csv" --iw-samples -2
expect_error "needs a 2-d code; this model's code has 3 dimensions" "$aekit" manifold "$tmp/v3.safetensors" -o "$tmp/mf.png"
expect_error "--grid 1 must be in 2..100" "$aekit" manifold "$tmp/v.safetensors" -o "$tmp/mf.png" --grid 1
expect_error "--from 0 / --to 9: the data has 4 samples" "$aekit" interpolate "$tmp/v.safetensors" --data "$tmp/four.csv" --to 9 -o "$tmp/s.npy"
expect_error "--count 0 must be in 1..1000000" "$aekit" generate "$tmp/v.safetensors" -n 0 -o "$tmp/g.npy"
"$aekit" generate "$tmp/v.safetensors" -n 5 -o "$tmp/g.csv" >/dev/null && [ "$(wc -l <"$tmp/g.csv")" -eq 5 ] ||
  { echo "FAIL: generate"; fail=1; }
"$aekit" interpolate "$tmp/v.safetensors" --data "$tmp/four.csv" --steps 4 -o "$tmp/s.csv" >/dev/null &&
  [ "$(wc -l <"$tmp/s.csv")" -eq 6 ] || { echo "FAIL: interpolate"; fail=1; }
"$aekit" eval "$tmp/v.safetensors" --data "$tmp/four.csv" --iw-samples 3 | grep -q '^negative elbo' ||
  { echo "FAIL: eval of a VAE"; fail=1; }
"$aekit" info "$tmp/v.safetensors" | grep -q '"kl_warmup"' || { echo "FAIL: the KL warm-up in the model file"; fail=1; }
expect_error "--classes: 'x' is neither a label nor a class name (T-shirt/top, Trouser, ...)" "$aekit" train --classes x -o "$tmp/x.safetensors"
expect_error "--classes 12: no sample has the labels" "$aekit" eval "$tmp/m.safetensors" --data "$fashion/t10k-images-idx3-ubyte.gz" --labels "$fashion/t10k-labels-idx1-ubyte.gz" --classes 12
expect_error "needs labels" "$aekit" eval "$tmp/m.safetensors" --data "$tmp/ok.csv" --classes 1
expect_error "--contamination 0.7 must be in (0, 0.5]" "$aekit" train --data "$tmp/four.csv" --contamination 0.7 -o "$tmp/x.safetensors"
"$aekit" train --data "$tmp/four.csv" --model dense:2:relu --epochs 1 --contamination 0.25 -q -o "$tmp/t.safetensors" &&
  "$aekit" info "$tmp/t.safetensors" | grep -q '"contamination"' || { echo "FAIL: train --contamination"; fail=1; }

# and the good paths through the same program
"$aekit" --version | grep -q '^aekit ' || { echo "FAIL: --version"; fail=1; }
"$aekit" train --help | grep -q -- '--epochs' || { echo "FAIL: train --help"; fail=1; }
"$aekit" encode "$tmp/m.safetensors" --data "$tmp/ok.csv" -o "$tmp/c.npy" >/dev/null || { echo "FAIL: encode"; fail=1; }
"$aekit" decode "$tmp/m.safetensors" --codes "$tmp/c.npy" -o "$tmp/d.csv" >/dev/null || { echo "FAIL: decode"; fail=1; }
[ "$(wc -l <"$tmp/d.csv")" -eq 3 ] || { echo "FAIL: decode wrote $(wc -l <"$tmp/d.csv") rows"; fail=1; }
"$aekit" info "$tmp/m.safetensors" | grep -q '"spec"' || { echo "FAIL: info"; fail=1; }
# divergence names the file not written, and leaves an existing one intact
lin="dense:2|dense:4:identity;loss=mse" # linear, MSE: a huge rate overflows to inf
"$aekit" train --data "$tmp/four.csv" --model "$lin" -e 1 -b 2 -q -o "$tmp/div.safetensors"
cp "$tmp/div.safetensors" "$tmp/div-before.safetensors"
expect_error "div.safetensors: not written: training diverged in epoch 1" "$aekit" train \
  --data "$tmp/four.csv" --model "$lin" -e 2 -b 2 --lr 1e30 -o "$tmp/div.safetensors"
cmp -s "$tmp/div.safetensors" "$tmp/div-before.safetensors" ||
  { echo "FAIL: a diverged run changed the model already saved"; fail=1; }
# a finite explosion is a divergence too (it was saved as success): the
# loss far above the first step's, or (the loss bounded by a saturated
# sigmoid under MSE) weights beyond the bound; no checkpoint of it is kept
expect_error "e.safetensors: not written: training diverged in epoch 1, step 2: the loss 2.56e+26 is more than 10000 times the first step's 0.696" \
  "$aekit" train --data "$fashion/t10k-images-idx3-ubyte.gz" --lr 1e12 --limit 4096 --epochs 6 -q -o "$tmp/e.safetensors"
expect_error "w.safetensors: not written: training diverged in epoch 1, step 2: a weight is huge, beyond the bound of 1e+06" \
  "$aekit" train --data "$tmp/four.csv" --model "dense:8:sigmoid|dense:4:sigmoid;loss=mse" --lr 1e9 -e 2 -b 2 \
  --checkpoint "$tmp/w-ck.safetensors" -o "$tmp/w.safetensors"
[ ! -e "$tmp/w-ck.safetensors" ] && [ ! -e "$tmp/w.safetensors" ] ||
  { echo "FAIL: a diverged run left a model or checkpoint"; fail=1; }
# a model whose last weight is NaN is refused at load, naming the tensor
cp "$tmp/div.safetensors" "$tmp/nanw.safetensors"
sz=$(stat -c %s "$tmp/nanw.safetensors")
printf '\377\377\377\177' | dd of="$tmp/nanw.safetensors" bs=1 seek=$((sz - 4)) conv=notrunc 2>/dev/null
expect_error "nanw.safetensors: tensor 'decoder.0.bias' holds a non-finite value at index 3" \
  "$aekit" eval "$tmp/nanw.safetensors" --data "$tmp/four.csv"
# a tiny file whose spec asks for 784 million parameters: refused from the
# file's own size before anything is allocated (it took 3 GB and 34 s)
hdr='{"__metadata__":{"format":"aekit/1","spec":"dense:500000:relu","input_shape":"[1,28,28]"},"encoder.0.weight":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
n=${#hdr}
printf "$(printf '\\x%02x\\x%02x\\x00\\x00\\x00\\x00\\x00\\x00' $((n % 256)) $((n / 256)))" >"$tmp/big-spec.safetensors"
printf '%s\0\0\0\0' "$hdr" >>"$tmp/big-spec.safetensors"
expect_error "big-spec.safetensors: spec 'dense:500000:relu': 784500784 parameters and 0 state values, more than the file holds (1)" \
  timeout 10 "$aekit" info "$tmp/big-spec.safetensors"
# the closing line names the epoch whose weights the file holds: without
# early stopping the last one, never a "best" that was not kept
out=$("$aekit" train --data "$tmp/four.csv" --model dense:2:sigmoid -e 3 -b 2 -o "$tmp/e.safetensors")
case "$out" in
*"the weights after epoch 3 of 3"*) ;;
*) echo "FAIL: the saved line says: $(printf '%s' "$out" | tail -1)"; fail=1 ;;
esac
# aekit help COMMAND is the command's own help
"$aekit" help train | head -1 | grep -q '^usage: aekit train ' || { echo "FAIL: aekit help train"; fail=1; }
"$aekit" help score | grep -q -- '--plot-steps' || { echo "FAIL: aekit help score"; fail=1; }
expect_error "help: unknown command 'nope'" "$aekit" help nope
# the output is checked before the training, not after: a missing folder fails at once
start=$(date +%s)
expect_error "$tmp/no/such/m.safetensors: cannot write" "$aekit" train -e 50 -o "$tmp/no/such/m.safetensors"
[ $(($(date +%s) - start)) -le 2 ] || { echo "FAIL: a bad output was refused only after training"; fail=1; }
expect_error "is a directory" "$aekit" train -e 50 --history "$tmp" -o "$tmp/h.safetensors"
exit $fail
