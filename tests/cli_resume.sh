#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# cli_resume.sh AEKIT FASHION_DIR — training interrupted and resumed equals
# training never stopped, byte for byte (cmp of the final model files), at
# the same thread count: dense, conv (batch norm), vae (sampler draws, KL
# warm-up), a denoising model (noise draws) with validation and early
# stopping, SGD with a schedule; interrupted mid-epoch (--stop-after) and
# once by SIGKILL at a random moment, resumed from the last checkpoint.
# Then the checkpoints that must be refused, each by name.
set -u
aekit=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

. "$(dirname "$0")/support/cli_lib.sh"

# same_after_resume NAME STOP EVERY ARGS... : one run to the end; one run
# stopped after STOP steps with a checkpoint every EVERY steps, resumed.
same_after_resume() {
  local name=$1 stop=$2 every=$3
  shift 3
  "$aekit" train -q "$@" -o "$tmp/$name-full.st" ||
    { echo "FAIL: $name: the uninterrupted run"; fail=1; return; }
  "$aekit" train -q "$@" -o "$tmp/$name-part.st" --checkpoint "$tmp/$name-ck.st" \
    --checkpoint-every "$every" --stop-after "$stop" ||
    { echo "FAIL: $name: the interrupted run"; fail=1; return; }
  if cmp -s "$tmp/$name-full.st" "$tmp/$name-part.st"; then
    echo "FAIL: $name: stopping after $stop steps changed nothing (the test would prove nothing)"
    fail=1
  fi
  "$aekit" train -q "$@" -o "$tmp/$name-res.st" --resume "$tmp/$name-ck.st" ||
    { echo "FAIL: $name: the resumed run"; fail=1; return; }
  if cmp "$tmp/$name-full.st" "$tmp/$name-res.st"; then
    echo "ok: $name: stopped after $stop steps, resumed: identical"
  else
    echo "FAIL: $name: resumed model differs from the uninterrupted one"
    fail=1
  fi
}

# 2 epochs of 20 steps: step 27 is mid-epoch 2, the checkpoint at step 24
same_after_resume dense 27 8 --model dense --limit 1280 -b 64 --epochs 2 -t 2
same_after_resume conv 13 5 --model conv --limit 320 -b 32 --epochs 2 -t 2
same_after_resume vae 9 4 --model vae --limit 640 -b 64 --epochs 2 -t 2 --kl-warmup 1.5
same_after_resume denoise 31 10 --model deep --limit 1500 -b 64 --epochs 3 -t 2 \
  --noise gaussian:0,0.3 --val-split 0.2 --patience 2
same_after_resume sgd 23 6 --model dense --limit 1280 -b 64 --epochs 3 -t 1 \
  --optimizer sgd --momentum 0.9 --lr 0.05 --lr-schedule step:1:0.5 --lr-warmup 0.5

# SIGKILL at a random moment (sometimes before the first checkpoint, then the
# run starts over), then resume from whatever checkpoint is there
args=(--model conv --limit 1024 -b 32 --epochs 2 -t 2)
"$aekit" train -q "${args[@]}" -o "$tmp/kill-full.st" || { echo "FAIL: kill: full run"; fail=1; }
delay=$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.3 + rand() * 2.0 }')
"$aekit" train -q "${args[@]}" -o "$tmp/kill-part.st" --checkpoint "$tmp/kill-ck.st" \
  --checkpoint-every 3 &
pid=$!
sleep "$delay"
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ -f "$tmp/kill-ck.st" ]; then
  "$aekit" train -q "${args[@]}" -o "$tmp/kill-res.st" --resume "$tmp/kill-ck.st" ||
    { echo "FAIL: kill: resuming after SIGKILL at ${delay}s"; fail=1; }
else
  "$aekit" train -q "${args[@]}" -o "$tmp/kill-res.st"
fi
if cmp "$tmp/kill-full.st" "$tmp/kill-res.st"; then
  echo "ok: killed after ${delay}s ($([ -f "$tmp/kill-ck.st" ] && echo resumed || echo no checkpoint yet)): identical"
else
  echo "FAIL: killed after ${delay}s and resumed: differs"
  fail=1
fi

# refused by name: another architecture, batch size, data size, optimizer,
# noise, seed; a plain model file; too few epochs; a crafted cursor
ck=$tmp/dense-ck.st
d=(--model dense --limit 1280 -b 64 --epochs 2 -t 2)
expect_error "architecture" "$aekit" train -q --model deep --limit 1280 -b 64 --epochs 2 \
  -o "$tmp/x.st" --resume "$ck"
expect_error "batch_size" "$aekit" train -q --model dense --limit 1280 -b 32 --epochs 2 \
  -o "$tmp/x.st" --resume "$ck"
expect_error "train_samples" "$aekit" train -q --model dense --limit 1000 -b 64 --epochs 2 \
  -o "$tmp/x.st" --resume "$ck"
expect_error "optimizer" "$aekit" train -q "${d[@]}" --optimizer sgd -o "$tmp/x.st" --resume "$ck"
expect_error "noise" "$aekit" train -q "${d[@]}" --noise masking:0.2 -o "$tmp/x.st" --resume "$ck"
expect_error "seed" "$aekit" train -q "${d[@]}" --seed 7 -o "$tmp/x.st" --resume "$ck"
expect_error "not a checkpoint" "$aekit" train -q "${d[@]}" -o "$tmp/x.st" \
  --resume "$tmp/dense-full.st"
expect_error "epochs" "$aekit" train -q --model dense --limit 1280 -b 64 --epochs 1 -t 2 \
  -o "$tmp/x.st" --resume "$ck"
expect_error "missing.st" "$aekit" train -q "${d[@]}" -o "$tmp/x.st" --resume "$tmp/missing.st"
expect_error "checkpoint path" "$aekit" train -q "${d[@]}" -o "$tmp/x.st" --checkpoint-every 5
expect_error "schedule" "$aekit" train -q "${d[@]}" -o "$tmp/x.st" --lr-schedule cosine:x
# a checkpoint whose cursor was edited: refused, nothing crashes
python_free_edit() { # the JSON cursor "done":512 becomes "done":-12 (same length)
  LC_ALL=C sed 's/\\"done\\":[0-9]\([0-9]*\)/\\"done\\":-\1/' "$1" >"$2"
}
python_free_edit "$ck" "$tmp/crafted.st"
if cmp -s "$ck" "$tmp/crafted.st"; then
  echo "FAIL: could not craft a checkpoint (the edit matched nothing)"
  fail=1
else
  expect_error "cursor" "$aekit" train -q "${d[@]}" -o "$tmp/x.st" --resume "$tmp/crafted.st"
fi
# a checkpoint is a model file any command reads
"$aekit" info "$ck" >/dev/null || { echo "FAIL: aekit info on a checkpoint"; fail=1; }

exit $fail
