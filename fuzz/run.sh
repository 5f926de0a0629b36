#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh BUILD SECONDS — run every harness in BUILD for SECONDS each, from
# the committed corpus (fuzz/corpus/NAME, read only) plus what earlier runs
# found (BUILD/corpus/NAME); print one line per harness (executions,
# coverage, findings) and exit non-zero if any found a crash, a leak or a
# timeout. Findings are left in BUILD/findings/NAME for triage; a fixed
# one becomes a regression input under tests/fuzz-regressions/.
set -u
build=$1
secs=$2
here=$(cd "$(dirname "$0")" && pwd)
export OPENBLAS_NUM_THREADS=1
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
printf '%-8s %12s %10s %8s %8s  %s\n' harness executions exec/s cov ft result
for bin in "$build"/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin" | sed 's/^fuzz_//')
  seeds="$here/corpus/$name"
  work="$build/corpus/$name"
  found="$build/findings/$name"
  mkdir -p "$work" "$found"
  dict=()
  [ -f "$here/dict/$name.dict" ] && dict=(-dict="$here/dict/$name.dict")
  log="$build/fuzz-$name.log"
  regress="$here/../tests/fuzz-regressions/$name"
  extra=()
  [ -d "$regress" ] && extra=("$regress")
  "$bin" "$work" "$seeds" "${extra[@]}" "${dict[@]}" -max_total_time="$secs" -timeout=10 \
    -rss_limit_mb=2560 -malloc_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$found/" >"$log" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  result=ok
  if [ $rc -ne 0 ]; then
    result="FINDING (rc $rc): $(grep -m1 -E 'ERROR|SUMMARY|runtime error' "$log" | cut -c1-120); see $log"
    status=1
  fi
  printf '%-8s %12s %10s %8s %8s  %s\n' "$name" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
exit $status
