#!/bin/bash
# SPDX-License-Identifier: MIT
# mpi_train.sh — training across ranks (ctest mpi_train; registered when the
# build has MPI). Ranks are separate processes that talk over TCP only
# (--mca btl tcp,self: the path that crosses machines), oversubscribed, as
# root where need be. Shows:
#   - N ranks x T threads give the very bits of one process with N x T
#     threads (cmp of the model files) for dense, conv (batch norm), vae
#     (sampler draws) and a denoising model (noise draws): 2 x 1, 4 x 1 and
#     2 x 2, 10 steps each, the last batch short;
#   - a run stopped mid-epoch and resumed under 2 ranks equals the
#     uninterrupted one (vae, denoising);
#   - eval, encode and score on 2 ranks give what 1 process with 2 threads
#     gives, and so does training with validation (split over the ranks);
#   - a rank killed mid-run ends the job within seconds with a non-zero
#     status, and its last checkpoint resumes;
#   - a rank that fails alone (its data file unreadable) ends the job with
#     its error.
# usage: mpi_train.sh AEKIT FASHION_DIR
set -u
aekit=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
# Under make sanitize: Open MPI's components (dlopened, so LeakSanitizer
# names no module) keep allocations to the end; aekit's own leaks are
# checked by every other test, and the MPI code's one buffer is freed at
# ae_mpi_finalize.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
mpi=(mpirun --allow-run-as-root --oversubscribe --mca btl tcp,self --mca btl_tcp_if_include lo)
data=(--limit 950 -b 100 -e 1 -q) # 10 steps, the last of 50 samples

same() { # what, file, file
  if cmp -s "$2" "$3"; then
    echo "ok: $1"
  else
    echo "FAIL: $1: the model files differ"
    fail=1
  fi
}

for model in dense conv vae denoise; do
  args=(-m "$model")
  [ "$model" = denoise ] && args=(-m dense --noise gaussian:0,0.3)
  for cfg in "2 1" "4 1" "2 2"; do
    set -- $cfg
    total=$(($1 * $2))
    "$aekit" train "${args[@]}" "${data[@]}" --threads $total -o "$tmp/one.st" ||
      { echo "FAIL: $model on $total threads"; fail=1; continue; }
    "${mpi[@]}" -np $1 "$aekit" train "${args[@]}" "${data[@]}" --threads $2 -o "$tmp/job.st" \
      >"$tmp/out" 2>&1 || { echo "FAIL: $model on $1 ranks:"; cat "$tmp/out"; fail=1; continue; }
    same "$model: $1 ranks x $2 threads = 1 process x $total threads" "$tmp/one.st" "$tmp/job.st"
  done
done

# resume under 2 ranks: stopped after 4 steps, resumed, equals uninterrupted
for model in vae denoise; do
  args=(-m "$model")
  [ "$model" = denoise ] && args=(-m dense --noise gaussian:0,0.3)
  "${mpi[@]}" -np 2 "$aekit" train "${args[@]}" "${data[@]}" -e 2 --threads 1 -o "$tmp/full.st" \
    >/dev/null 2>&1
  "${mpi[@]}" -np 2 "$aekit" train "${args[@]}" "${data[@]}" -e 2 --threads 1 --stop-after 14 \
    --checkpoint "$tmp/ck.st" -o "$tmp/part.st" >/dev/null 2>&1
  "${mpi[@]}" -np 2 "$aekit" train "${args[@]}" "${data[@]}" -e 2 --threads 1 \
    --resume "$tmp/ck.st" -o "$tmp/resumed.st" >"$tmp/out" 2>&1 ||
    { echo "FAIL: resume $model under 2 ranks:"; cat "$tmp/out"; fail=1; }
  same "$model: stopped mid-epoch 2 and resumed on 2 ranks = uninterrupted" "$tmp/full.st" \
    "$tmp/resumed.st"
done

# eval, encode and score across 2 ranks: the results of one process with 2
# threads (rank 0 writes); validation inside training is split the same way
"$aekit" train -m vae "${data[@]}" --threads 2 -o "$tmp/vae.st" >/dev/null 2>&1
# same_run WHAT OUTFILE_ARGS...: the command (its words after `aekit`, with
# OUT for the output file) once on 1 process x 2 threads, once on 2 ranks
same_run() {
  local what=$1
  shift
  "$aekit" "${@//OUT/$tmp/one.npy}" --threads 2 >"$tmp/one.txt" 2>&1
  "${mpi[@]}" -np 2 "$aekit" "${@//OUT/$tmp/job.npy}" --threads 1 >"$tmp/job.txt" 2>&1 ||
    { echo "FAIL: $what on 2 ranks:"; cat "$tmp/job.txt"; fail=1; return; }
  sed -i "s|$tmp/job|$tmp/one|g" "$tmp/job.txt"
  if ! cmp -s "$tmp/one.txt" "$tmp/job.txt" ||
    { [ -e "$tmp/one.npy" ] && ! cmp -s "$tmp/one.npy" "$tmp/job.npy"; }; then
    echo "FAIL: $what on 2 ranks differs from 1 process with 2 threads:"
    diff "$tmp/one.txt" "$tmp/job.txt" | head -5
    fail=1
  else
    echo "ok: $what on 2 ranks = 1 process x 2 threads (output and printout)"
  fi
  rm -f "$tmp/one.npy" "$tmp/job.npy"
}
same_run eval eval "$tmp/vae.st" --limit 300
same_run "eval --iw-samples 5" eval "$tmp/vae.st" --limit 300 --iw-samples 5
same_run encode encode "$tmp/vae.st" --limit 300 -o OUT
same_run score score "$tmp/vae.st" --limit 300 --anomaly-classes 7 -o OUT
"$aekit" train -m dense "${data[@]}" --val-split 0.2 --threads 2 -o "$tmp/one.st" >/dev/null 2>&1
"${mpi[@]}" -np 2 "$aekit" train -m dense "${data[@]}" --val-split 0.2 --threads 1 \
  -o "$tmp/job.st" >/dev/null 2>&1
same "dense with validation (split over the ranks): 2 ranks = 2 threads" "$tmp/one.st" "$tmp/job.st"

# a rank killed mid-run: the job ends within seconds, non-zero; the last
# checkpoint resumes
rm -f "$tmp/ck.st"
"${mpi[@]}" -np 2 "$aekit" train -m dense -e 200 -q --threads 1 --checkpoint "$tmp/ck.st" \
  --checkpoint-every 20 -o "$tmp/killed.st" >"$tmp/out" 2>&1 &
job=$!
for _ in $(seq 100); do [ -s "$tmp/ck.st" ] && break; sleep 0.1; done
victim=$(pgrep -f "aekit train -m dense -e 200" | while read -r p; do
  tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' && echo "$p"
done | head -1)
if [ -z "$victim" ] || [ ! -s "$tmp/ck.st" ]; then
  echo "FAIL: no rank 1 or no checkpoint to kill after"
  fail=1
  kill $job 2>/dev/null
else
  kill -9 "$victim"
  t0=$(date +%s.%N)
  for _ in $(seq 150); do kill -0 $job 2>/dev/null || break; sleep 0.1; done
  if kill -0 $job 2>/dev/null; then
    echo "FAIL: the job still runs 15 s after rank 1 was killed"
    kill -9 $job
    fail=1
  else
    wait $job
    rc=$?
    secs=$(echo "$(date +%s.%N) - $t0" | bc)
    if [ $rc -eq 0 ]; then
      echo "FAIL: the job exited 0 after rank 1 was killed"
      fail=1
    else
      echo "ok: rank 1 killed: the job ended in ${secs} s with status $rc"
    fi
  fi
  "${mpi[@]}" -np 2 "$aekit" train -m dense -e 1 -q --threads 1 --resume "$tmp/ck.st" \
    -o "$tmp/after.st" >"$tmp/out" 2>&1
  if grep -q "checkpoint is in epoch" "$tmp/out" || [ -s "$tmp/after.st" ]; then
    echo "ok: the killed job's last checkpoint loads under 2 ranks"
  else
    echo "FAIL: the killed job's checkpoint:"
    cat "$tmp/out"
    fail=1
  fi
fi

# one rank fails alone: its data is unreadable; the job ends with its error
cat >"$tmp/one_bad.sh" <<EOS
#!/bin/sh
if [ "\$OMPI_COMM_WORLD_RANK" = 1 ]; then d=$tmp/missing.csv; else d=$tmp/ok.csv; fi
exec "$aekit" train --data "\$d" -m dense:2:relu -e 1 -q -o "$tmp/x.st"
EOS
printf '0,0.5,1,0.25\n1,0.5,0,0.75\n0.2,0.4,0.6,0.8\n' >"$tmp/ok.csv"
timeout 30 "${mpi[@]}" -np 2 sh "$tmp/one_bad.sh" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] || [ $rc -eq 124 ] || ! grep -q "aekit: error (rank 1 of 2): .*missing.csv" "$tmp/out"; then
  echo "FAIL: one rank failing alone (rc $rc):"
  cat "$tmp/out"
  fail=1
else
  echo "ok: a rank that fails alone ends the job (status $rc) with its error line"
fi
exit $fail
