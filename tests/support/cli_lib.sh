# SPDX-License-Identifier: MIT
# cli_lib.sh — what the program tests (tests/cli_*.sh) share; sourced after
# they set $tmp (a scratch folder) and fail=0.

# expect_error NEEDLE CMD... : non-zero exit (not a signal), one stderr line
# starting "aekit: error: " and containing NEEDLE (besides any lines
# "aekit: warning: ..." before it), printable: no control bytes, valid UTF-8.
expect_error() {
  local needle=$1
  shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local lines
  lines=$(grep -vc '^aekit: warning: ' "$tmp/err")
  if [ $rc -eq 0 ] || [ $rc -ge 128 ] || [ "$lines" -ne 1 ] ||
    ! grep -q '^aekit: error: ' "$tmp/err" || ! grep -qF -- "$needle" "$tmp/err" ||
    LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$tmp/err" ||
    ! iconv -f UTF-8 -t UTF-8 "$tmp/err" >/dev/null 2>&1; then
    echo "FAIL: $* (rc $rc, want an error naming '$needle'):"
    cat "$tmp/err"
    fail=1
  fi
}

# small_model: $tmp/ok.csv (3 rows of 4 values) and $tmp/m.safetensors, a
# dense:2:relu model trained one epoch on it; the test stops if that fails.
small_model() {
  printf '0,0.5,1,0.25\n1,0.5,0,0.75\n0.2,0.4,0.6,0.8\n' >"$tmp/ok.csv"
  "$aekit" train --data "$tmp/ok.csv" --model dense:2:relu --epochs 1 -q -o "$tmp/m.safetensors" ||
    { echo "FAIL: training on a valid CSV"; exit 1; }
}
