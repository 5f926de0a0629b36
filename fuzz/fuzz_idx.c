/* SPDX-License-Identifier: MIT */
/* fuzz_idx.c — libFuzzer harness: the IDX reader (plain and gzip) from memory (make fuzz). */
#include "fuzz_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return fuzz_load(data, size, "fuzz.idx");
}
